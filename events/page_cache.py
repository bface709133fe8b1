"""Whole-page cache for anonymous readers, that can never hide a due release or show a changed one stale.

Three rules keep it correct:
- Entries carry a *content version*, bumped whenever any press-office record changes
  (``events/cache_invalidation.py``); an entry from an older version is never served, so an edit, a
  withdrawal or a new photo is visible on the next request.
- An entry is valid only until the next scheduled publication time (and the next local midnight, when
  "today" moves on), so a scheduled release appears at its minute without any job running.
- Only anonymous GETs of public pages are cached; anything that sets a cookie, is private (embargo pages),
  or is not a 200 passes through untouched. Staff with a session never see a cached page.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

VERSION_KEY = "cso:content-version"
NEXT_PUBLISH_KEY = "cso:next-publish:{version}"
PAGE_KEY = "cso:page:{digest}"
# Paths outside the language prefix that are public and cacheable.
EXTRA_PUBLIC_PATHS = ("/sitemap.xml", "/robots.txt")
NEVER_CACHED_PARTS = ("/embargo/", "/preview/")


# The content version as this request first read it: a page asks for it several times (its total, each
# filter menu, "other events"), and one answer per request is enough. None outside a request.
_request_version: ContextVar[dict | None] = ContextVar("cso_request_version", default=None)


@contextmanager
def one_version_per_request(version: str | None = None) -> Iterator[None]:
    """Within this block ``content_version()`` reads the cache at most once (``version``: already read)."""
    token = _request_version.set({"version": version} if version is not None else {})
    try:
        yield
    finally:
        _request_version.reset(token)


def content_version() -> str:
    memo = _request_version.get()
    if memo and "version" in memo:
        return memo["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = bump_content_version()
    version = str(version)
    if memo is not None:
        memo["version"] = version
    return version


def bump_content_version() -> int:
    """Make every cached page obsolete at once (old keys simply stop being asked for)."""
    version = time.time_ns()
    cache.set(VERSION_KEY, version, timeout=None)
    memo = _request_version.get()
    if memo is not None:
        memo["version"] = str(version)  # what this request reads from now on is the new content
    return version


def next_scheduled_publication(version: str) -> float | None:
    """Unix time of the next scheduled release becoming public, memoised per content version."""
    key = NEXT_PUBLISH_KEY.format(version=version)
    stored = cache.get(key)
    now = time.time()
    if stored is not None and (stored == 0 or stored > now):
        return stored or None
    from .models import Event

    upcoming = (
        Event.objects.filter(status=Event.Status.PUBLISHED, publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    value = upcoming.timestamp() if upcoming else 0
    cache.set(key, value, timeout=None if value == 0 else max(1, int(value - now) + 1))
    return value or None


def _next_local_midnight(now: float) -> float:
    local = timezone.localtime(datetime.fromtimestamp(now, tz=timezone.get_current_timezone()))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp()


def valid_until(version: str, now: float, limit: int | None = None) -> float:
    """Until when something computed now from public data stays true: the lifetime, the next midnight (when
    "today" moves) and the next scheduled publication, whichever comes first."""
    limits = [now + (settings.CSO_PAGE_CACHE_SECONDS if limit is None else limit), _next_local_midnight(now)]
    scheduled = next_scheduled_publication(version)
    if scheduled:
        limits.append(scheduled)
    return min(limits)


def remembered(kind: str, key: str, compute, limit: int = 300):
    """``compute()``, kept per content version until the next scheduled publication (``limit`` s at most).

    For small values derived from public content (a list's total, the ids of "other events"): they change
    only when content changes or a scheduled release comes out, so neither can leave them stale.
    """
    version = content_version()
    cache_key = f"cso:{kind}:{version}:{hashlib.sha256(key.encode()).hexdigest()}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        now = time.time()
        lifetime = int(valid_until(version, now, limit=limit) - now)
        if lifetime > 0:
            cache.set(cache_key, value, timeout=lifetime)
    return value


def _is_public_path(path: str) -> bool:
    if path in EXTRA_PUBLIC_PATHS:
        return True
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return path.startswith(prefixes) and not any(part in path for part in NEVER_CACHED_PARTS)


def request_is_cacheable(request) -> bool:
    return (
        settings.CSO_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _is_public_path(request.path)
    )


def response_is_cacheable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


class AnonymousPageCacheMiddleware:
    """Sits near the top of ``MIDDLEWARE``: a hit is answered before sessions, locale, CSRF and auth run.

    The stored response already carries the headers the middleware below it added on the miss (ETag, the
    content security policy, Permissions-Policy, X-Frame-Options), so a hit costs one cache round trip: the
    content version and the page are fetched together, and an entry from an older version is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            with one_version_per_request():
                return self.get_response(request)
        digest = hashlib.sha256(f"{request.get_host()}|{request.get_full_path()}".encode()).hexdigest()
        key = PAGE_KEY.format(digest=digest)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        version = str(version) if version is not None else str(bump_content_version())
        entry = found.get(key)
        now = time.time()
        if entry is not None and entry["version"] == version and entry["valid_until"] > now:
            response = entry["response"]
            response["X-Page-Cache"] = "hit"
            response["Cache-Control"] = self._browser_control(entry["control"], entry["valid_until"] - now)
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        with one_version_per_request(version):
            response = self.get_response(request)
        if response_is_cacheable(response):
            try:
                until = valid_until(version, now)
            except DatabaseError:
                return response
            lifetime = until - now
            if lifetime >= 1:
                control = [
                    part.strip()
                    for part in response.get("Cache-Control", "").split(",")
                    if part.strip() and not part.strip().lower().startswith(("max-age", "public"))
                ]
                response["Cache-Control"] = self._browser_control(control, lifetime)
                entry = {"version": version, "valid_until": until, "control": control, "response": response}
                cache.set(key, entry, timeout=int(lifetime) + 1)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _browser_control(control: list[str], seconds: float) -> str:
        # Browsers and CDNs may keep the page for a short while, but never past the next scheduled release.
        max_age = max(0, min(int(seconds), settings.CSO_BROWSER_CACHE_SECONDS))
        return ", ".join(["public", *control, f"max-age={max_age}"])
