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


def _bump_already_waiting() -> bool:
    """Whether this transaction already holds a bump for its commit (one is enough for any number of rows).

    Read from the connection's list of commit callbacks, so a bump registered inside a savepoint that was
    rolled back (and dropped with it) is not counted.
    """
    return any(callback is _bump_after_commit for _savepoints, callback, _robust in connection.run_on_commit)


def _changed(sender, raw=False, **kwargs) -> None:
    if raw:  # fixtures and archive restores are followed by their own bump
        return
    if connection.in_atomic_block and _bump_already_waiting():
        return
    # After commit: a reader must not cache the old page under the new version while the write is in flight.
    transaction.on_commit(_bump_after_commit)


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
