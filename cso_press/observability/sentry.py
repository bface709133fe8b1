"""Error reports to Sentry, switched on by ``SENTRY_DSN`` (prod settings call ``init_sentry``).

Nothing personal leaves the site: no cookies, no Authorization or Cookie header, no query string (signed file
grants), no request body, no local variables, no e-mail address anywhere in the event, no embargo token; of
the user only the id of a staff member. ``scrub_event`` is the one place that decides it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from . import context

EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_PLACEHOLDER = "[email]"
# Headers that carry credentials or identify the reader; everything else about the request stays.
PRIVATE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrftoken", "x-forwarded-for", "x-real-ip"}
)
# What the Celery integration may keep of a task: its name and id, not its arguments.
TASK_CONTEXT_KEPT = frozenset({"task_name", "task_id"})


def init_sentry(*, dsn: str, environment: str = "", traces_sample_rate: str = "0", release: str = "") -> bool:
    """Start the Sentry client when ``dsn`` is set; returns whether it did."""
    if not dsn:
        return False
    try:
        rate = float(traces_sample_rate or 0)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(
            f"SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1, not {traces_sample_rate!r}."
        )
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=rate,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    return True


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        scrub_request(request)
    user_id = context.current_user_id(load=True)
    if user_id is not None:
        event["user"] = {"id": str(user_id)}
    else:
        event.pop("user", None)
    job = event.get("contexts", {}).get("celery-job")
    if isinstance(job, dict):
        event["contexts"]["celery-job"] = {key: value for key, value in job.items() if key in TASK_CONTEXT_KEPT}
    event.pop("extra", None)
    activity = context.current()
    if activity is not None and activity.request_id:
        event.setdefault("tags", {})["request_id"] = activity.request_id
    return scrub_strings(event)


def scrub_request(request: dict) -> None:
    for key in ("cookies", "data", "query_string", "env"):
        request.pop(key, None)
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {name: value for name, value in headers.items() if name.lower() not in PRIVATE_HEADERS}
    if isinstance(request.get("url"), str):
        parts = urlsplit(request["url"])
        request["url"] = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def scrub_text(text: str) -> str:
    return EMAIL_ADDRESS.sub(EMAIL_PLACEHOLDER, context.redact_current(text))


def scrub_strings(value):
    """``value`` with every string in it scrubbed, however deep."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_strings(item) for item in value]
    return value
