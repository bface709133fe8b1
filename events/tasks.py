"""Background tasks: thin wrappers that call a service, safe to run twice and on several workers at once.

A task's name decides its queue (settings CELERY_TASK_ROUTES): ``media.*`` → media, ``mail.*`` → mail,
anything else → default. The periodic jobs below are sent by Celery beat (schedule in cso_press/celery.py);
each is a sweep of what is due, so a run that is repeated, or that overlaps another, changes nothing more.
They are also management commands (purge_trash, clearsessions, find_orphan_files --delete,
sweep_unfinished_uploads) for a host that prefers cron.

Photos: the upload request stores the untouched original and saves the row as "processing"; after the commit
it sends ``media.render_photo``, which makes the clean master and the renditions and marks the photo ready
(or failed, with the reason). Unfinished uploads (``maintenance.sweep_unfinished_uploads``, every 10 minutes):
a photo still processing after CSO_PHOTO_PROCESSING_STALE_MINUTES (its worker died and the message was lost)
is sent again, and marked failed after CSO_PHOTO_PROCESSING_MAX_ATTEMPTS tries; failed photos are deleted with
their files after CSO_FAILED_PHOTO_DAYS (the editor sees the failure first). Files an interrupted request left
behind carry no record and go with the orphan sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError

from .archive import run_export_job
from .cache_invalidation import purge_shared_caches
from .media import kits
from .media.cleanup import find_orphans
from .media.services import render_photo as render_stored_photo
from .media.services import sweep_unfinished_uploads as sweep_unfinished
from .services.trash import purge_trash as purge_expired_trash

logger = logging.getLogger(__name__)

# A lost database or storage connection is worth another try, later and later (5 s, 10 s, 20 s ... at most
# 5 minutes, each with random jitter so that workers do not retry in step), five times at most. The delays
# stay far below the broker's visibility timeout: no long countdowns.
RETRY_OPTIONS = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="maintenance.purge_trash", **RETRY_OPTIONS)
def purge_trash() -> dict:
    """Forget deleted releases older than CSO_TRASH_DAYS and their files (rows are locked while purged, so
    two runs at once purge each entry once)."""
    entries, attachments = purge_expired_trash()
    logger.info("Purged %s trash entries (%s attachments).", entries, attachments)
    return {"entries": entries, "attachments": attachments}


@shared_task(name="maintenance.clear_expired_sessions", **RETRY_OPTIONS)
def clear_expired_sessions() -> None:
    """`manage.py clearsessions`: the configured session store forgets expired sessions (one DELETE)."""
    call_command("clearsessions")


@shared_task(name="maintenance.sweep_orphan_files", **RETRY_OPTIONS)
def sweep_orphan_files() -> dict:
    """Delete stored files no record refers to once they are older than CSO_ORPHAN_FILE_GRACE_MINUTES (files
    of uploads still in progress are younger). Deleting a file that another run deleted first is no error."""
    grace = timedelta(minutes=settings.CSO_ORPHAN_FILE_GRACE_MINUTES)
    orphans = find_orphans(default_storage, older_than=grace)
    for name in orphans:
        default_storage.delete(name)
    logger.info("Deleted %s orphaned files older than %s.", len(orphans), grace)
    return {"files": len(orphans)}


@shared_task(name="media.render_photo", **RETRY_OPTIONS)
def render_photo(attachment_id: int, original_uncommitted: bool = False) -> str:
    """Decode an uploaded photo, write its clean master and renditions, mark it ready (or failed: a photo that
    cannot be decoded is not retried). Safe twice and on two workers at once (the row is locked).
    ``original_uncommitted`` only in-process, inside the upload's own transaction (see media.uploads)."""
    return render_stored_photo(attachment_id=attachment_id, original_uncommitted=original_uncommitted)


@shared_task(name="maintenance.sweep_unfinished_uploads", **RETRY_OPTIONS)
def sweep_unfinished_uploads() -> dict:
    """Send stuck photos again, fail them after a few tries, delete old failures (media.services)."""
    result = sweep_unfinished()
    logger.info("Unfinished uploads: %s", result)
    return result


@shared_task(name="media.build_press_kit", **RETRY_OPTIONS)
def build_press_kit(event_id: int) -> str | None:
    """Put the current press kit of release ``event_id`` in storage and delete its older ones (media.kits).

    Sent after a commit that changed the release's photos or what the kit says about the release, and by the
    zip download when the current kit is not there yet. Running it again, or on two workers, builds nothing
    more: the kit's name is its version."""
    return kits.build_press_kit(event_id)


# --- issue 15, point 6: archive export jobs (helper D) ----------------------------------------------------------

# An export of a large site outlasts the default 10-minute limit. It must still end well before the Redis
# broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 1 h), or the broker would hand it to a second worker.
ARCHIVE_SOFT_TIME_LIMIT = 45 * 60


@shared_task(
    name="archive.export",
    soft_time_limit=ARCHIVE_SOFT_TIME_LIMIT,
    time_limit=ARCHIVE_SOFT_TIME_LIMIT + 60,
    **RETRY_OPTIONS,
)
def export_archive(job_id: int) -> dict:
    """Write the archive of an ArchiveJob into storage (private/archives/), recording progress and outcome.
    A finished job is left alone, so a redelivered message changes nothing."""
    job = run_export_job(job_id)
    return {"job": job_id, "state": job.state if job else "missing"}


# --- issue 20: purging the shared HTTP cache in front ------------------------------------------------------------


@shared_task(name="cache.purge_tags", **RETRY_OPTIONS)
def purge_tags(tags: list[str]) -> dict:
    """Tell every shared cache in front (CSO_CACHE_PURGE_URLS) to drop the pages carrying any of ``tags``.

    Sent after the commit of a change (events.cache_invalidation). Purging twice drops nothing more, so a
    failed address makes the whole task run again (later and later, a few times); the pages it would have
    purged end by their s-maxage anyway, never past the next scheduled publication."""
    sent = purge_shared_caches(tags)
    logger.info("Purged %s cache tags at %s addresses.", len(tags), sent)
    return {"tags": len(tags), "addresses": sent}
