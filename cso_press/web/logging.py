"""Log lines: JSON objects (production) or readable text (development), both carrying the request id.

``DJANGO_LOG_FORMAT=json|text`` picks one in the settings' LOGGING block (cso_press/settings/base.py). Each
line holds the time (ISO 8601, UTC, milliseconds), the level, the logger, the process id, the message, the
request id and the staff user's id of the request being served (``cso_press.observability.context``), the
task's name and id in a Celery worker, the fields of the access line (view, duration_ms, status, method, path)
and the exception when there is one. Secrets of the address (an embargo token) are taken out of every message.
docs/observability.md lists it all.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from datetime import UTC, datetime

from cso_press.observability import context

# The access line's own fields (RequestObservabilityMiddleware passes them as ``extra``).
ACCESS_FIELDS = ("view", "duration_ms", "status", "method", "path")

# What a request id from the proxy may look like: nginx's $request_id (32 hex digits), a UUID, and the like.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def valid_request_id(value: str | None) -> bool:
    return bool(value) and REQUEST_ID_PATTERN.fullmatch(value) is not None


def iso_time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_request(record: logging.LogRecord):
    """The request a line is about: the one being served, or (for Django's ``django.request`` lines, written
    after the middleware let go of the request) the one the record names."""
    activity = context.current()
    if activity is not None and activity.request is not None:
        return activity.request
    request = getattr(record, "request", None)
    return request if hasattr(request, "path_info") else None


def record_fields(record: logging.LogRecord) -> dict:
    """Everything a line says about ``record``, in the order it is written."""
    activity = context.current()
    request = record_request(record)
    request_id = (activity.request_id if activity else "") or getattr(request, "request_id", "")
    fields = {
        "time": iso_time(record.created),
        "level": record.levelname,
        "logger": record.name,
        "pid": record.process,
        "message": redact(record.getMessage(), request),
        "request_id": request_id or None,
        "user_id": context.staff_user_id(request) if request is not None else None,
    }
    for name in ACCESS_FIELDS:
        if hasattr(record, name):
            fields[name] = getattr(record, name)
    if activity is not None and activity.task_name:
        fields["task_name"] = activity.task_name
        fields["task_id"] = activity.task_id
    return fields


def redact(text: str, request) -> str:
    return context.redact(text, request) if request is not None else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line (newlines inside a message or traceback are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        if record.exc_info:
            fields["exception_type"] = getattr(record.exc_info[0], "__name__", str(record.exc_info[0]))
            fields["exception"] = redact(self.formatException(record.exc_info), record_request(record))
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value…``, the traceback below it."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        head = f"{fields.pop('time')} {fields.pop('level')} {fields.pop('logger')}"
        fields.pop("pid")
        message = fields.pop("message")
        request_id = fields.pop("request_id")
        if request_id:
            head += f" [{request_id}]"
        extras = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        line = f"{head} {message}" + (f" {extras}" if extras else "")
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info), record_request(record))
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line
