"""The admin's archive export runs on a real Celery worker (Redis and RabbitMQ) and leaves the archive in
storage, with the job's progress and outcome recorded."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.files.storage import default_storage

from events.models import ArchiveJob
from tests.factories import EventFactory, PhotoFactory

from .conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_export_job_runs_on_a_real_worker_and_records_its_archive(workers, sender, superuser):
    PhotoFactory(event=EventFactory(title="Summit"))
    job = ArchiveJob.objects.create(started_by=superuser)

    workers.start("archive", queues="default")
    sender.send_task("archive.export", args=[job.pk])

    wait_until(lambda: ArchiveJob.objects.get(pk=job.pk).finished, what="the export job to finish", logs=workers.logs)
    job.refresh_from_db()
    assert job.state == ArchiveJob.State.DONE, job.message
    assert job.rows_done == job.rows_total > 0
    assert job.files_done == job.files_total > 0
    assert job.started_at <= job.finished_at
    with default_storage.open(job.file_name, "rb") as stored, zipfile.ZipFile(stored) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["rows"]["events.Event"] == 1
    assert default_storage.size(job.file_name) == job.file_size
