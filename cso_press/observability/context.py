"""What every log line and error report of the current request or task shares: the request id, the staff
user's id, the task's name and id, and the secrets its address holds (which must never be written anywhere).

Kept in a context variable, so that a log call anywhere (a view, a service, Django's own loggers) carries the
request's id without being handed it. Set by ``cso_press.web.middleware.RequestObservabilityMiddleware`` for a
request and by the Celery signals in ``cso_press/celery.py`` for a task.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.functional import empty

# URL arguments that are secrets by themselves: the embargo page's signed token (events.urls "embargo").
SECRET_URL_ARGUMENTS = frozenset({"token"})
REDACTED = "[redacted]"


@dataclass
class Activity:
    request_id: str = ""
    request: object = None
    task_name: str = ""
    task_id: str = ""


_current: ContextVar[Activity | None] = ContextVar("cso_press_activity", default=None)


def begin(activity: Activity) -> Token:
    return _current.set(activity)


def end(token: Token) -> None:
    _current.reset(token)


def current() -> Activity | None:
    return _current.get()


def staff_user_id(request, *, load: bool = False) -> int | None:
    """The id of a signed-in staff member; else None. Never an anonymous reader's anything, never a name or
    an address.

    A user the request never looked at is loaded only with ``load`` (an error report, which is rare): for log
    lines that would cost a session read on pages that need none.
    """
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    if getattr(user, "_wrapped", None) is empty and not load:
        return None
    try:
        if user.is_authenticated and user.is_staff:
            return user.pk
    except Exception:  # noqa: BLE001 - the session or the database may be what failed; then nobody is named.
        return None
    return None


def current_user_id(*, load: bool = False) -> int | None:
    activity = current()
    return staff_user_id(activity.request, load=load) if activity and activity.request is not None else None


def route(request) -> ResolverMatch | None:
    """The URL pattern ``request`` matched (its view's name and arguments), also for answers given before
    Django resolved it (a page from the cache, a redirect); None for an address no pattern matches."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match
    remembered = request.__dict__.get("_cso_route", empty)
    if remembered is empty:
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        path = request.path_info
        language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
        remembered = request.__dict__["_cso_route"] = _resolved(urlconf, language, path)
    return remembered


# Pages from the cache are the busiest answers and never went through Django's resolver: resolving their
# address again costs more than the rest of the access line, so recent addresses are remembered.
@functools.lru_cache(maxsize=4096)
def _resolved(urlconf: str, language: str, path: str) -> ResolverMatch | None:
    try:
        with translation.override(language):
            return resolve(path, urlconf)
    except Resolver404:
        return None
    except Exception:  # noqa: BLE001 - a broken address must not break the log line that reports it.
        return None


def view_name(request) -> str:
    """The URL name (``events:detail``), ``unmatched`` for an address no pattern matches."""
    match = route(request)
    return (match.view_name or "unnamed") if match is not None else "unmatched"


def secrets_in(request) -> list[str]:
    match = route(request)
    if match is None:
        return []
    return [str(value) for key, value in match.kwargs.items() if key in SECRET_URL_ARGUMENTS and value]


def redact(text: str, request) -> str:
    """``text`` without the secrets ``request``'s address holds."""
    for secret in secrets_in(request):
        text = text.replace(secret, REDACTED)
    return text


def loggable_path(request) -> str:
    """The path as it may be written down: no query string (signed file grants live there), no secret segment."""
    return redact(request.path, request)


def redact_current(text: str) -> str:
    activity = current()
    if activity is None or activity.request is None:
        return text
    return redact(text, activity.request)
