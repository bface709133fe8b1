"""What a backup carries, its format, and the errors and progress reports shared by export and import."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# Format 3 (this one): one JSON-lines member per table under rows/, written and read a row at a time.
# Formats 1 and 2 (one JSON array in data.json) still restore; their rows are read whole (see restore.py).
FORMAT_VERSION = 3
READABLE_FORMATS = {1, 2, 3}
DATA_NAME = "data.json"  # formats 1 and 2
ROWS_PREFIX = "rows/"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
MAX_NAMED = 10

# Not carried, on purpose. Content types and permissions are made again by the target's own migrations, and
# rows that point at them are written with natural keys ("events", "event"), so they find the target's rows
# whatever their ids. Sessions would bring old logins back to life; django-axes keeps login attempts and
# lock-outs, which belong to the server that saw them. The page cache's content version belongs to each
# database (its migration writes the row; a restore makes a new version anyway), and so do the archive jobs
# (a backup that carried them would name archives the new site does not have).
EXCLUDED_MODELS = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "events.contentversion",
        "events.cachetagversion",
        "events.archivejob",
    }
)
EXCLUDED_APPS = frozenset({"axes"})

# Tables a freshly migrated database already fills (the role groups of events/migrations/0003_roles.py). A
# restore replaces their rows with the archive's instead of taking them for content; any other row in the
# target stops it.
MADE_BY_MIGRATIONS = frozenset({"auth.group"})


class ArchiveError(Exception):
    """The archive is unreadable, altered, incomplete, or cannot be written or restored here."""


@dataclass
class ArchiveSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{sum(self.rows.values())} rows in {len(self.rows)} tables, {self.files} media files"


@dataclass
class Progress:
    """Where a job is: rows and files done of their totals (a total is 0 until it is known)."""

    phase: str = "start"
    rows_done: int = 0
    rows_total: int = 0
    files_done: int = 0
    files_total: int = 0


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Calls the progress callback at phase changes and at most every ``interval`` seconds in between, so a
    callback that writes somewhere (a row, the cache, a terminal) costs nothing per row."""

    def __init__(self, callback: ProgressCallback | None, interval: float = 0.5):
        self.callback = callback
        self.interval = interval
        self.progress = Progress()
        self._last = 0.0

    def phase(self, name: str) -> None:
        self.progress.phase = name
        self.report(force=True)

    def report(self, *, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            self.callback(Progress(**vars(self.progress)))


def is_archived(model: type[models.Model]) -> bool:
    meta = model._meta
    return (
        meta.managed
        and not meta.proxy
        and not meta.swapped
        and meta.label_lower not in EXCLUDED_MODELS
        and meta.app_label not in EXCLUDED_APPS
    )


def archived_models() -> list[type[models.Model]]:
    """Every model whose rows the archive carries, in an order that loads (dependencies first).

    Automatic many-to-many tables travel inside the model that declares the field (e.g. a user's groups).
    """
    app_list: dict = {}
    for model in apps.get_models():
        if is_archived(model):
            app_list.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def excluded_models() -> list[str]:
    """Labels of the installed models whose rows a backup deliberately leaves out."""
    return sorted(
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not is_archived(model)
    )


def named(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")


def rows_member(position: int, model: type[models.Model]) -> str:
    return f"{ROWS_PREFIX}{position:04d}-{model._meta.label_lower}.jsonl"


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup must give back every microsecond it was given."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)
