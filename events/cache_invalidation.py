"""Any change to press-office records makes cached public pages obsolete, once the change is committed.

The new content version is written *after* the commit, in its own statement, rather than inside the
changing transaction: inside, every editorial write would hold the one version row's lock until its commit,
queueing editors behind each other, and two writers that lock releases in different orders could deadlock
on it. After the commit nothing is lost in correctness: a page rendered between the commit and the new
version shows the new content, and is filed under the old version, which nobody asks for afterwards.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .page_cache import bump_content_version

logger = logging.getLogger(__name__)

# Records that never show on a public page (and the version itself).
IGNORED = {"AuditLogEntry", "EmbargoLink", "TrashedEventContent", "ContentVersion"}


def _bump_after_commit() -> None:
    try:
        bump_content_version()
    except DatabaseError:
        # The change itself is committed; the editor must not be told it failed. Cached pages keep their
        # older version until their lifetime (CSO_PAGE_CACHE_SECONDS at most) ends.
        logger.exception("The content version could not be changed after a committed change")


class _Bump:
    """The bump owed to one transaction's changes: every changed row queues a call after the commit, and the
    first to run does the work for all of them.

    Each row queues its own call rather than the first row alone, so a call dropped with a savepoint that was
    rolled back leaves the calls of the rows that stayed; and a new ``_Bump`` starts once this one has run.
    """

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        _bump_after_commit()


def _changed(sender, raw=False, **kwargs) -> None:
    if raw:  # fixtures and archive restores come in bulk: their loader bumps the version once when done
        return
    owed = getattr(connection, "_cso_owed_bump", None)
    if owed is None or owed.done:
        owed = connection._cso_owed_bump = _Bump()
    # After commit: a reader must not cache the old page under the new version while the write is in flight.
    transaction.on_commit(owed)


def connect() -> None:
    for model in apps.get_app_config("events").get_models():
        if model.__name__ in IGNORED or model.__name__.startswith("Historical"):
            continue
        uid = f"cso.page_cache.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for field in apps.get_model("events", "Event")._meta.many_to_many:
        m2m_changed.connect(
            _changed, sender=field.remote_field.through, dispatch_uid=f"cso.page_cache.m2m.{field.name}"
        )
