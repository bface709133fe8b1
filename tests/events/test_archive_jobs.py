"""Archive export and import as streaming jobs: the admin's Archive page (superusers only) with progress, the
commands' missing-file and damaged-archive messages, and the round trip on disk and in a bucket.

Memory and speed at 100,000 releases are measured by scripts/bench_archive.py, not here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from events.archive import Progress, write_archive
from events.archive.jobs import progress_key
from events.media.cleanup import find_orphans
from events.media.photos import rendition_names
from events.models import ArchiveJob, Attachment, Event
from tests.events.roles import user_in
from tests.factories import EventFactory, PhotoFactory, UserFactory
from tests.storage.s3 import both_backends, fetch
from tests.tasks.conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "admin:events_event_archive"


def every_file() -> dict[str, str]:
    """Name -> SHA-256 of every file the content refers to, read through the storage."""
    names = set()
    for photo in Attachment.objects.all():
        names.add(photo.file.name)
        names |= rendition_names(photo.renditions)
    result = {}
    for name in sorted(name for name in names if default_storage.exists(name)):
        with default_storage.open(name, "rb") as handle:
            result[name] = hashlib.sha256(handle.read()).hexdigest()
    return result


def empty_site() -> None:
    for name in every_file():
        default_storage.delete(name)
    call_command("flush", interactive=False, verbosity=0)


# --- the Archive page -----------------------------------------------------------------------------------------


def test_only_a_superuser_reaches_the_archive_page_its_progress_and_its_downloads(client, superuser):
    job = ArchiveJob.objects.create(state=ArchiveJob.State.DONE, file_name="private/archives/x.zip")
    addresses = [
        reverse(PAGE),
        reverse("admin:events_event_archive_progress", args=[job.pk]),
        reverse("admin:events_event_archive_download", args=[job.pk]),
    ]
    administrator = user_in("Administrator", username="administrator")
    editor = user_in("Editor", username="editor")

    for user in (administrator, editor):
        client.force_login(user)
        assert [client.get(address).status_code for address in addresses] == [403, 403, 403]
        assert client.post(reverse(PAGE)).status_code == 403
        assert "/archive/" not in client.get(reverse("admin:events_event_dashboard")).content.decode()
    client.logout()
    assert all(client.get(address).status_code == 302 for address in addresses)  # to the login page
    assert ArchiveJob.objects.count() == 1

    client.force_login(superuser)
    page = client.get(reverse(PAGE))
    assert page.status_code == 200
    assert f'href="{reverse(PAGE)}"' in client.get(reverse("admin:events_event_dashboard")).content.decode()


def test_a_superuser_starts_an_export_sees_its_progress_and_downloads_an_archive_that_restores(
    admin_client_logged_in, tmp_path
):
    event = EventFactory(title="Talks in Minsk")
    PhotoFactory(event=event)
    files_before = every_file()

    response = admin_client_logged_in.post(reverse(PAGE), follow=True)

    job = ArchiveJob.objects.get()
    assert job.state == ArchiveJob.State.DONE, job.message
    assert job.file_name.startswith("private/archives/") and job.file_name.endswith(".zip")
    assert job.rows_done == job.rows_total > 0
    assert job.files_done == job.files_total == len(files_before)
    page = response.content.decode()
    assert "The export has started" in page
    assert reverse("admin:events_event_archive_download", args=[job.pk]) in page
    status = admin_client_logged_in.get(reverse("admin:events_event_archive_progress", args=[job.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100 and status["finished"]
    assert status["text"] == f"Rows {job.rows_total} of {job.rows_total}, files {job.files_total} of {job.files_total}"
    assert status["download_url"] == reverse("admin:events_event_archive_download", args=[job.pk])

    download = admin_client_logged_in.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    archive_path = tmp_path / "downloaded.zip"
    archive_path.write_bytes(b"".join(download.streaming_content))
    # The archive in storage is a file a record refers to: the orphan sweep keeps it.
    assert job.file_name not in find_orphans(default_storage)

    empty_site()
    call_command("import_archive", str(archive_path), stdout=io.StringIO())
    assert Event.objects.get().title == "Talks in Minsk"
    assert every_file() == files_before


def test_the_archive_page_in_a_bucket_hands_out_a_presigned_address(s3_media, admin_client_logged_in):
    PhotoFactory(event=EventFactory())
    admin_client_logged_in.post(reverse(PAGE))
    job = ArchiveJob.objects.get()
    assert job.state == ArchiveJob.State.DONE, job.message
    assert job.file_name in s3_media.keys()

    response = admin_client_logged_in.get(reverse("admin:events_event_archive_download", args=[job.pk]))

    assert response.status_code == 302 and s3_media.owns(response["Location"])
    assert response["Cache-Control"].startswith("private, no-store")
    status, body = fetch(admin_client_logged_in, reverse("admin:events_event_archive_download", args=[job.pk]))
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert json.loads(archive.read("manifest.json"))["format"] == 3


def test_a_failed_export_job_shows_the_missing_file_and_its_release(admin_client_logged_in):
    event = EventFactory(title="Summit in Yerevan")
    photo = PhotoFactory(event=event)
    default_storage.delete(photo.file.name)

    admin_client_logged_in.post(reverse(PAGE))

    job = ArchiveJob.objects.get()
    assert job.state == ArchiveJob.State.FAILED
    assert job.file_name == ""
    assert f"{photo.file.name} (attachment #{photo.pk} of release #{event.pk} “Summit in Yerevan”)" in job.message
    page = admin_client_logged_in.get(reverse(PAGE)).content.decode()
    assert "Failed" in page and photo.file.name in page
    assert not default_storage.exists("private/archives") or not default_storage.listdir("private/archives")[1]


def test_a_running_job_reports_the_live_figures_and_the_page_polls_them(admin_client_logged_in):
    job = ArchiveJob.objects.create(state=ArchiveJob.State.RUNNING)
    live = Progress(phase="rows", rows_done=1200, rows_total=56000, files_done=0, files_total=300)
    from django.core.cache import cache  # noqa: PLC0415 - the test cache, not a module of the project

    cache.set(progress_key(job.pk), vars(live))

    status = admin_client_logged_in.get(reverse("admin:events_event_archive_progress", args=[job.pk])).json()
    page = admin_client_logged_in.get(reverse(PAGE)).content.decode()

    assert status["text"] == "Rows 1200 of 56000, files 0 of 300"
    assert status["percent"] == 2 and not status["finished"] and status["download_url"] == ""
    assert f'data-progress-url="{status["progress_url"]}"' in page
    assert "cso_admin/archive.js" in page


def test_a_job_that_already_finished_is_not_run_again(admin_client_logged_in):
    from events.tasks import export_archive  # noqa: PLC0415 - the task as a worker would receive it

    job = ArchiveJob.objects.create(state=ArchiveJob.State.DONE, file_name="private/archives/kept.zip", rows_done=7)
    assert export_archive.run(job.pk) == {"job": job.pk, "state": "done"}
    job.refresh_from_db()
    assert (job.file_name, job.rows_done) == ("private/archives/kept.zip", 7)


# --- progress -------------------------------------------------------------------------------------------------


def test_progress_counts_every_row_and_file_and_ends_at_the_totals(tmp_path):
    for _ in range(3):
        PhotoFactory(event=EventFactory())
    reports: list[Progress] = []

    with (tmp_path / "a.zip").open("wb") as out:
        summary = write_archive(out, progress=reports.append)

    phases = [report.phase for report in reports]
    assert phases[0] == "counting" and phases[-1] == "done"
    assert phases.index("rows") < phases.index("files")
    last = reports[-1]
    assert last.rows_done == last.rows_total == sum(summary.rows.values())
    assert last.files_done == last.files_total == summary.files == len(every_file())
    rows_seen = [report.rows_done for report in reports]
    assert rows_seen == sorted(rows_seen)


def test_the_command_prints_progress_when_asked(tmp_path):
    PhotoFactory(event=EventFactory())
    err = io.StringIO()
    call_command("export_archive", str(tmp_path / "a.zip"), verbosity=2, stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("counting: rows 0/0")
    assert lines[-1].startswith("done: rows ")


# --- missing files --------------------------------------------------------------------------------------------


@both_backends
def test_a_missing_file_fails_the_export_naming_the_file_and_its_release(media_backend, tmp_path):
    event = EventFactory(title="Talks in Astana")
    photo = PhotoFactory(event=event)
    default_storage.delete(photo.file.name)

    folder = tmp_path / "backups"
    folder.mkdir()
    with pytest.raises(CommandError) as failure:
        call_command("export_archive", str(folder / "backup.zip"), stdout=io.StringIO())

    assert str(failure.value) == (
        f"1 stored file(s) that the content refers to are missing: {photo.file.name} "
        f"(attachment #{photo.pk} of release #{event.pk} “Talks in Astana”). No archive was written."
    )
    assert list(folder.iterdir()) == []


def test_the_command_exits_non_zero_with_the_message_when_a_file_is_missing(settings, tmp_path):
    """As an operator or a cron job sees it: the process's exit status and what it prints."""
    event = EventFactory(title="Talks in Dushanbe")
    photo = PhotoFactory(event=event)
    default_storage.delete(photo.file.name)
    destination = tmp_path / "backups" / "backup.zip"
    destination.parent.mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.tasks.worker_settings",  # the test settings on this test's database
        "DATABASE_URL": database_url(),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": "memory://",
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "export_archive", str(destination)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert f"{photo.file.name} (attachment #{photo.pk} of release #{event.pk} “Talks in Dushanbe”)" in done.stderr
    assert "No archive was written." in done.stderr
    assert list(destination.parent.iterdir()) == []


def test_allow_missing_writes_the_archive_lists_the_file_and_the_restore_accepts_it(settings, tmp_path):
    photo = PhotoFactory(event=EventFactory())
    default_storage.delete(photo.file.name)
    archive_path = tmp_path / "backup.zip"
    err = io.StringIO()

    call_command("export_archive", str(archive_path), "--allow-missing", stdout=io.StringIO(), stderr=err)

    assert f"are missing: {photo.file.name}" in err.getvalue()
    with zipfile.ZipFile(archive_path) as archive:
        assert json.loads(archive.read("manifest.json"))["missing"] == [photo.file.name]
    renditions = every_file()
    empty_site()
    restored = io.StringIO()
    call_command("import_archive", str(archive_path), stdout=restored, stderr=restored)
    assert "made without 1 missing file(s)" in restored.getvalue()
    assert every_file() == renditions


# --- damaged archives -----------------------------------------------------------------------------------------


@pytest.fixture
def archive_path(tmp_path) -> Path:
    PhotoFactory(event=EventFactory(title="Talks in Bishkek"))
    path = tmp_path / "backup.zip"
    call_command("export_archive", str(path), stdout=io.StringIO())
    empty_site()
    return path


def assert_nothing_restored() -> None:
    assert Event.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_truncated_archive_is_refused(archive_path):
    archive_path.write_bytes(archive_path.read_bytes()[: archive_path.stat().st_size // 2])

    with pytest.raises(CommandError, match="Cannot read .*backup.zip"):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())
    assert_nothing_restored()


def test_an_archive_with_corrupted_bytes_is_refused_as_damaged(archive_path):
    with zipfile.ZipFile(archive_path) as archive:
        member = next(info for info in archive.infolist() if info.filename.startswith("rows/") and info.compress_size)
    content = bytearray(archive_path.read_bytes())
    # The member's data starts after its local header: 30 bytes, then its name and extra field.
    name_length = int.from_bytes(content[member.header_offset + 26 : member.header_offset + 28], "little")
    extra_length = int.from_bytes(content[member.header_offset + 28 : member.header_offset + 30], "little")
    data_offset = member.header_offset + 30 + name_length + extra_length
    for position in range(data_offset, data_offset + min(member.compress_size, 8)):
        content[position] ^= 0xFF
    archive_path.write_bytes(bytes(content))

    with pytest.raises(CommandError, match="damaged"):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())
    assert_nothing_restored()


def test_an_archive_whose_rows_are_not_json_is_refused_naming_the_line(archive_path, tmp_path):
    with zipfile.ZipFile(archive_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    member = next(table["member"] for table in manifest["tables"] if table["model"] == "events.Event")
    members[member] = b'{"model": "events.event", "pk": 1, "fields": {\n'
    manifest["sha256"][member] = hashlib.sha256(members[member]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    with pytest.raises(CommandError, match=f"{member}, line 1, is not valid JSON. Nothing was restored."):
        call_command("import_archive", str(broken), stdout=io.StringIO())
    assert_nothing_restored()


def test_an_archive_of_an_unknown_format_is_refused(archive_path, tmp_path):
    with zipfile.ZipFile(archive_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["format"] = 99
    members["manifest.json"] = json.dumps(manifest).encode()
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(newer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    with pytest.raises(CommandError, match="Unknown archive format 99"):
        call_command("import_archive", str(newer), stdout=io.StringIO())
    assert_nothing_restored()


# --- both storages --------------------------------------------------------------------------------------------


@both_backends
def test_export_and_import_round_trip_on_each_storage(media_backend, tmp_path):
    author = UserFactory(username="author")
    event = EventFactory(title="Talks on both storages", created_by=author)
    PhotoFactory(event=event)
    PhotoFactory(event=event)
    files_before = every_file()
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    empty_site()
    assert every_file() == {}

    out = io.StringIO()
    call_command("import_archive", str(archive_path), stdout=out)

    assert f"{len(files_before)} media files" in out.getvalue()
    restored = Event.objects.get()
    assert (restored.title, restored.created_by.username) == ("Talks on both storages", "author")
    assert every_file() == files_before


def test_the_archive_page_and_its_progress_speak_russian(admin_client_logged_in):
    job = ArchiveJob.objects.create(state=ArchiveJob.State.FAILED, rows_done=5, rows_total=9)
    headers = {"accept-language": "ru"}

    page = admin_client_logged_in.get(reverse(PAGE), headers=headers).content.decode()
    status = admin_client_logged_in.get(
        reverse("admin:events_event_archive_progress", args=[job.pk]), headers=headers
    ).json()

    assert "Создать резервный архив сейчас" in page
    assert (status["state_label"], status["text"]) == ("Ошибка", "Строк 5 из 9, файлов 0 из 0")
