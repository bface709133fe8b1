"""The Archive page (superusers only): start a backup export, watch its progress, download the archive.

The export runs in a Celery task on the ``default`` queue (``archive.export``); the page lists the jobs and a
small script (static/cso_admin/archive.js) polls each running job's JSON progress until it has finished. The
archive is served through the storage (``stored_file_response``: presigned on S3, X-Accel behind nginx).
Restoring stays on the command line (``manage.py import_archive``): it needs an empty, freshly migrated
database, which a site whose admin is open is not.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import pgettext

from ... import tasks
from ...archive import create_export_job, live_progress
from ...media.access import Access
from ...media.serving import stored_file_response
from ...models import ArchiveJob
from .base import admin_context

SHOWN_JOBS = 20


def _check(request) -> None:
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied


def job_status(job: ArchiveJob) -> dict:
    """What the page shows of a job, the same on first render and in every poll."""
    figures = live_progress(job)
    done = figures["rows_done"] + figures["files_done"]
    total = figures["rows_total"] + figures["files_total"]
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": job.get_state_display(),
        "finished": job.finished,
        **figures,
        "percent": 100 if job.state == ArchiveJob.State.DONE else (int(100 * done / total) if total else 0),
        "text": pgettext("archive", "Rows %(rows_done)s of %(rows_total)s, files %(files_done)s of %(files_total)s")
        % figures,
        "message": job.message,
        "download_url": (
            reverse("admin:events_event_archive_download", args=[job.pk])
            if job.state == ArchiveJob.State.DONE and job.file_name
            else ""
        ),
        "progress_url": reverse("admin:events_event_archive_progress", args=[job.pk]),
    }


def archive_view(model_admin, request):
    _check(request)
    if request.method == "POST":
        job = create_export_job(user=request.user)
        transaction.on_commit(lambda: tasks.export_archive.delay(job.pk))
        messages.success(request, pgettext("archive", "The export has started. This page shows its progress."))
        return HttpResponseRedirect(reverse("admin:events_event_archive"))
    jobs = [(job, job_status(job)) for job in ArchiveJob.objects.select_related("started_by")[:SHOWN_JOBS]]
    context = admin_context(model_admin, request, title=pgettext("archive", "Archive"), jobs=jobs)
    return TemplateResponse(request, "admin/events/event/archive.html", context)


def archive_progress_view(model_admin, request, job_id: int):
    _check(request)
    job = get_object_or_404(ArchiveJob, pk=job_id)
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response


def archive_download_view(model_admin, request, job_id: int):
    _check(request)
    job = get_object_or_404(ArchiveJob, pk=job_id)
    if job.state != ArchiveJob.State.DONE or not job.file_name:
        raise Http404("This job has no archive.")
    return stored_file_response(
        default_storage,
        job.file_name,
        access=Access.PRIVATE,
        content_type="application/zip",
        filename=PurePosixPath(job.file_name).name,
        as_attachment=True,
    )
