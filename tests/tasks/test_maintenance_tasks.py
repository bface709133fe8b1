"""The periodic jobs, run in-process (eager mode, as in `make demo`): what each removes and what it keeps,
and that running one twice changes nothing more. tests/tasks/test_workers.py runs them on real workers."""

import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from cso_press.celery import app
from events import tasks
from events.media.stored import stored_names
from events.models import TrashedEventContent
from events.services import releases
from tests.factories import EventFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def deleted_release_with_photo(user):
    """A release with a photo, deleted (so in the trash); returns the photo's stored file names."""
    photo = PhotoFactory(event=EventFactory(title="Summit"))
    names = stored_names(photo)
    releases.event_delete(event=photo.event, user=user)
    return names


def stored_file(name: str, *, age: timedelta) -> str:
    name = default_storage.save(name, ContentFile(b"bytes"))
    then = time.time() - age.total_seconds()
    os.utime(default_storage.path(name), (then, then))
    return name


def test_purge_trash_forgets_deletions_older_than_the_trash_period_with_their_files(
    superuser, settings, django_capture_on_commit_callbacks
):
    settings.CSO_TRASH_DAYS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        names = deleted_release_with_photo(superuser)
    assert names and all(default_storage.exists(name) for name in names)

    with time_machine.travel(start + timedelta(days=29), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.purge_trash.delay().get() == {"entries": 0, "attachments": 0}
    assert TrashedEventContent.objects.count() == 1
    assert all(default_storage.exists(name) for name in names)

    with time_machine.travel(start + timedelta(days=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.purge_trash.delay().get() == {"entries": 1, "attachments": 1}
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.purge_trash.delay().get() == {"entries": 0, "attachments": 0}
    assert TrashedEventContent.objects.count() == 0
    assert not any(default_storage.exists(name) for name in names)


def test_expired_sessions_are_cleared_and_live_ones_kept():
    now = timezone.now()
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="l" * 32, session_data="", expire_date=now + timedelta(hours=1))

    tasks.clear_expired_sessions.delay()
    tasks.clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["l" * 32]


def test_orphan_sweep_deletes_only_old_files_that_nothing_refers_to(settings):
    settings.CSO_ORPHAN_FILE_GRACE_MINUTES = 60
    photo = PhotoFactory()
    for name in stored_names(photo):
        then = time.time() - 3 * 3600
        os.utime(default_storage.path(name), (then, then))
    old_orphan = stored_file("private/attachments/left-over.jpg", age=timedelta(hours=2))
    young_orphan = stored_file("private/attachments/upload-in-progress.jpg", age=timedelta(minutes=5))

    assert tasks.sweep_orphan_files.delay().get() == {"files": 1}
    assert tasks.sweep_orphan_files.delay().get() == {"files": 0}

    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan)
    assert all(default_storage.exists(name) for name in stored_names(photo))


def test_the_orphan_command_uses_the_same_grace_period_as_the_sweep(settings, capsys):
    settings.CSO_ORPHAN_FILE_GRACE_MINUTES = 10
    old = stored_file("private/attachments/old.jpg", age=timedelta(minutes=11))
    young = stored_file("private/attachments/young.jpg", age=timedelta(minutes=9))

    call_command("find_orphan_files", "--delete")

    assert "Deleted 1 orphaned file(s)." in capsys.readouterr().out
    assert not default_storage.exists(old)
    assert default_storage.exists(young)


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("media.make_renditions", "media"),
        ("mail.send_alert", "mail"),
        ("maintenance.purge_trash", "default"),
        ("maintenance.sweep_orphan_files", "default"),
    ],
)
def test_a_task_goes_to_the_queue_its_name_chooses(task_name, queue):
    assert app.amqp.router.route({}, task_name)["queue"].name == queue


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "maintenance.purge_trash",
        "maintenance.clear_expired_sessions",
        "maintenance.sweep_orphan_files",
        "maintenance.sweep_unfinished_uploads",
        "maintenance.sweep_subscribers",
        "maintenance.presslist_sweep_stale_sends",
        "mail.announce_due",
        "mail.send_digests",
    }
    assert scheduled <= set(app.tasks)
