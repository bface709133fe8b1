"""The "Go back" link: where a reader returns to from an event page.

List and calendar pages put their own path and query string into a ``back`` parameter on every link to an
event. The event page trusts that value only when it is a relative path on this site; anything else (another
host, a scheme, protocol-relative or backslash tricks) would turn the link into an open redirect, so it falls
back to the list of all events.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

BACK_PARAMETER = "back"
# Long enough for a list page with every filter set; anything longer is not something we produced.
MAX_BACK_LENGTH = 2000


def safe_back_path(value: str | None) -> str | None:
    """``value`` when it is a same-site relative path such as ``/en/events/?page=3``, else ``None``."""
    if not value or len(value) > MAX_BACK_LENGTH:
        return None
    # Browsers treat a backslash like a slash ("/\\evil.example" is a host), and control characters can be
    # stripped on the way, turning "/\t/evil.example" into "//evil.example".
    if "\\" in value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def back_url(request) -> str:
    """Where "Go back" leads on the page answering ``request``."""
    return safe_back_path(request.GET.get(BACK_PARAMETER)) or reverse("events:list")


def with_back(url: str, back: str | None) -> str:
    """``url`` carrying ``back`` (ignored unless it is a safe path) as its return address."""
    query = _back_query(back) if back else ""
    if not query:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{query}"


@lru_cache(maxsize=256)
def _back_query(back: str) -> str:
    """``back=...`` for a safe ``back``, else "". A list page links dozens of events with the same value."""
    back = safe_back_path(back)
    return urlencode({BACK_PARAMETER: back}) if back else ""
