"""The Archive page updates a running export's progress without a reload, then offers the download."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from events.archive import Progress
from events.archive.jobs import progress_key
from events.models import ArchiveJob
from tests.browser.test_editorial_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_running_export_shows_its_progress_live_and_then_its_download_link(page, live_server, superuser):
    job = ArchiveJob.objects.create(state=ArchiveJob.State.RUNNING, started_by=superuser)
    cache.set(progress_key(job.pk), vars(Progress("rows", 100, 1000, 0, 30)))
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} {message.location.get('url')}") if message.type == "error" else None
        ),
    )
    log_in(page, live_server, superuser)

    page.goto(live_server.url + "/admin/events/event/archive/")
    row = page.locator(f"#archive-job-{job.pk}")
    expect(row.locator(".cso-archive-text")).to_have_text("Rows 100 of 1000, files 0 of 30")
    expect(row.locator(".cso-archive-download")).to_be_hidden()

    # The worker moves on: the page follows without a reload.
    cache.set(progress_key(job.pk), vars(Progress("files", 1000, 1000, 12, 30)))
    expect(row.locator(".cso-archive-text")).to_have_text("Rows 1000 of 1000, files 12 of 30")
    expect(row.locator(".cso-archive-bar")).to_have_attribute("value", "98")

    ArchiveJob.objects.filter(pk=job.pk).update(
        state=ArchiveJob.State.DONE,
        rows_done=1000,
        rows_total=1000,
        files_done=30,
        files_total=30,
        file_name="private/archives/backup.zip",
        finished_at=timezone.now(),
    )
    expect(row.locator(".cso-archive-state")).to_have_text("Done")
    expect(row.locator(".cso-archive-download")).to_be_visible()
    expect(row.locator(".cso-archive-download")).to_have_attribute(
        "href", f"/admin/events/event/archive/{job.pk}/download/"
    )
    assert row.get_attribute("data-finished") == "1"
    # Nothing refused by the Content-Security-Policy, no script error (the admin has no favicon; not ours).
    assert [error for error in errors if not error.endswith("/favicon.ico")] == []
