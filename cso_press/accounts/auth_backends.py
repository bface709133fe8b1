"""Login throttling glue for django-axes: client addresses, the per-account cap, and the locked-out answer."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.utils import timezone

from cso_press.observability.proxies import behind_trusted_proxy


class LoginAttemptsBackend(AxesStandaloneBackend):
    """Refuses logins for locked-out user name and address pairs, and for locked accounts; never logs anyone in.

    django-axes locks a (user name, address) pair after ``AXES_FAILURE_LIMIT`` failures. That alone lets a
    guesser with many addresses (or, behind a misconfigured proxy, many forged ``X-Forwarded-For`` values)
    keep going for ever, so an account is also locked, whatever the address, once it has had
    ``CSO_LOGIN_ACCOUNT_FAILURE_LIMIT`` failures within the cool-off time. An administrator unlocks it by
    deleting its rows under "Access attempts" in the admin, or with ``manage.py axes_reset_username <name>``.

    Every login over HTTP passes the request. Calls without one come from code the site's operators run
    themselves (the shell, management commands, the test client's ``login()``); there is no address to
    throttle, so this backend stays out of the way instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        if settings.AXES_ENABLED and username and account_is_locked(username):
            # Read by axes' failure handler and middleware, as for its own lockouts.
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("This account has had too many failed sign-ins from any address.")
        return None


def account_failures(username: str) -> int:
    """Failed sign-ins for ``username`` from every address together, within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def account_is_locked(username: str) -> bool:
    limit = settings.CSO_LOGIN_ACCOUNT_FAILURE_LIMIT
    return bool(limit) and account_failures(username) >= limit


def locked_out_response(request, original_response=None, credentials=None) -> HttpResponse:
    """A locked-out sign-in gets the page a wrong password gets (the form with the one failure message).

    A different page, or a different status, would tell a guesser that the account exists and is under
    attack, or that a password was right. The form already refused the login, so its answer stands.
    """
    if original_response is not None:
        return original_response
    return HttpResponse(status=403)


def client_ip(request) -> str | None:
    """The client's address: the socket's peer, or the entry the trusted proxies added to X-Forwarded-For.

    Only the last ``CSO_TRUSTED_PROXY_COUNT`` entries were written by our own proxies; anything further left
    came from the client and may be forged, so it is never used. A request that did not come from one of
    ``CSO_TRUSTED_PROXY_ADDRESSES`` (when they are listed) went round the proxy, and its header is ignored.
    """
    proxies = settings.CSO_TRUSTED_PROXY_COUNT
    if behind_trusted_proxy(request):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
