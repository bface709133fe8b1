"""Archive jobs: an export started from the admin, run by a Celery task, watched through its progress.

The export reads every table inside one repeatable-read transaction (a consistent snapshot), so progress
written to the job's row from inside it would stay invisible to the admin page until the very end. Live
progress therefore goes to the cache (Redis in production, shared by the workers and the web servers), and
the row records the state, the totals and the outcome when the job starts and ends; the page reads both.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.utils import timezone

from ..models import ArchiveJob
from .common import ArchiveError, Progress
from .export import export_to_storage, missing_message

logger = logging.getLogger(__name__)

ARCHIVE_FOLDER = "private/archives"
PROGRESS_SECONDS = 6 * 3600


def progress_key(job_id: int) -> str:
    return f"archive-job-progress:{job_id}"


def live_progress(job: ArchiveJob) -> dict:
    """The job's progress: the cache's live figures while it runs, the row's once it has finished."""
    figures = {
        "phase": job.state,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "files_done": job.files_done,
        "files_total": job.files_total,
    }
    if not job.finished:
        try:
            live = cache.get(progress_key(job.pk))
        except Exception:  # the cache being away only costs the live figures
            live = None
        if isinstance(live, dict):
            figures.update({key: live[key] for key in figures if key in live})
    return figures


def create_export_job(*, user) -> ArchiveJob:
    return ArchiveJob.objects.create(kind=ArchiveJob.Kind.EXPORT, started_by=user)


def archive_name(job: ArchiveJob) -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"{ARCHIVE_FOLDER}/cso-press-{stamp}-job{job.pk}.zip"


def run_export_job(job_id: int) -> ArchiveJob | None:
    """Make the archive of job ``job_id`` into the default storage. Safe to run again: a finished job is left
    as it is; one left "running" by a worker that died is started over (its half-made zip was a temporary
    file of that worker)."""
    job = ArchiveJob.objects.filter(pk=job_id, kind=ArchiveJob.Kind.EXPORT).first()
    if job is None or job.finished:
        return job
    ArchiveJob.objects.filter(pk=job.pk).update(state=ArchiveJob.State.RUNNING, started_at=timezone.now())
    last = Progress()

    def record(progress: Progress) -> None:
        nonlocal last
        last = progress
        try:
            cache.set(progress_key(job.pk), asdict(progress), timeout=PROGRESS_SECONDS)
        except Exception:  # the cache being away only costs the live figures
            pass

    try:
        stored, size, summary = export_to_storage(default_storage, archive_name(job), progress=record)
    except ArchiveError as exc:
        _finish(job, last, state=ArchiveJob.State.FAILED, message=str(exc))
        return ArchiveJob.objects.get(pk=job.pk)
    except DatabaseError:
        raise  # the task retries it
    except Exception as exc:
        logger.exception("Archive job %s failed", job.pk)
        _finish(job, last, state=ArchiveJob.State.FAILED, message=f"{type(exc).__name__}: {exc}")
        return ArchiveJob.objects.get(pk=job.pk)
    message = str(summary)
    if summary.missing:
        message += ". " + missing_message([(name, "") for name in summary.missing])
    _finish(job, last, state=ArchiveJob.State.DONE, message=message, file_name=stored, file_size=size)
    return ArchiveJob.objects.get(pk=job.pk)


def _finish(job: ArchiveJob, progress: Progress, **values) -> None:
    ArchiveJob.objects.filter(pk=job.pk).update(
        rows_done=progress.rows_done,
        rows_total=progress.rows_total,
        files_done=progress.files_done,
        files_total=progress.files_total,
        finished_at=timezone.now(),
        **values,
    )
