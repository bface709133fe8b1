"""Login throttling glue for django-axes."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginAttemptsBackend(AxesStandaloneBackend):
    """Refuses logins for locked-out user name and address pairs; never logs anyone in by itself.

    Every login over HTTP passes the request. Calls without one come from code the site's operators run
    themselves (the shell, management commands, the test client's ``login()``); there is no address to
    throttle, so this backend stays out of the way instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: the socket's peer, or the entry the trusted proxies added to X-Forwarded-For.

    Only the last ``CSO_TRUSTED_PROXY_COUNT`` entries were written by our own proxies; anything further left
    came from the client and may be forged, so it is never used.
    """
    proxies = settings.CSO_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
