"""Real `celery worker` processes on real Redis and RabbitMQ (each test runs once per broker): the periodic
jobs do their work on a worker, a slow mail task never holds up media work, and a worker killed in the middle
of a task leaves nothing half-done while another process finishes the task.

Waiting is polling of the database or of marker files with a deadline (tests/tasks/conftest.py: wait_until).
"""

import os
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from events.media.stored import stored_names
from events.models import Section, TrashedEventContent
from events.services import releases
from tests.factories import EventFactory, PhotoFactory

from .conftest import wait_until


def markers(folder, kind):
    """Process ids that left ``<kind>-<pid>`` in ``folder``."""
    return {int(m.group(1)) for path in folder.iterdir() if (m := re.fullmatch(rf"{kind}-(\d+)", path.name))}


def parent_of(pid):
    """The parent process id of a running process (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^PPid:\s+(\d+)", status, re.MULTILINE).group(1))


def test_the_periodic_jobs_do_their_work_on_a_real_worker(workers, sender, superuser):
    photo = PhotoFactory(event=EventFactory(title="Summit"))
    photo_files = stored_names(photo)
    releases.event_delete(event=photo.event, user=superuser)
    TrashedEventContent.objects.update(deleted_at=timezone.now() - timedelta(days=400))
    now = timezone.now()
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="l" * 32, session_data="", expire_date=now + timedelta(hours=1))
    stray = default_storage.save("private/attachments/stray.jpg", ContentFile(b"left by a failed upload"))
    then = time.time() - 2 * 3600
    os.utime(default_storage.path(stray), (then, then))
    fresh = default_storage.save("private/attachments/fresh.jpg", ContentFile(b"an upload in progress"))

    worker = workers.start("maintenance", queues="default")
    # As Celery beat sends them.
    for name in ("maintenance.purge_trash", "maintenance.clear_expired_sessions", "maintenance.sweep_orphan_files"):
        sender.send_task(name)

    wait_until(
        lambda: (
            not TrashedEventContent.objects.exists()
            and not Session.objects.filter(session_key="e" * 32).exists()
            and not default_storage.exists(stray)
            and not any(default_storage.exists(name) for name in photo_files)
        ),
        what="the trash, the expired session, the stray file and the purged photo's files to go",
        logs=[worker.log],
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["l" * 32]
    assert default_storage.exists(fresh)


def test_each_job_sent_twice_to_two_workers_does_its_work_and_no_run_fails(workers, sender, superuser):
    photos = [PhotoFactory(event=EventFactory(title=f"Summit {n}")) for n in range(3)]
    photo_files = [name for photo in photos for name in stored_names(photo)]
    for photo in photos:
        releases.event_delete(event=photo.event, user=superuser)
    TrashedEventContent.objects.update(deleted_at=timezone.now() - timedelta(days=400))
    one = workers.start("one", queues="default")
    two = workers.start("two", queues="default")

    for _ in range(2):
        sender.send_task("maintenance.purge_trash")
        sender.send_task("maintenance.sweep_orphan_files")

    def succeeded():
        return sum(log.read_text(errors="replace").count(" succeeded in ") for log in (one.log, two.log))

    wait_until(lambda: succeeded() == 4, what="four jobs to succeed", logs=workers.logs)
    assert not TrashedEventContent.objects.exists()
    assert not any(default_storage.exists(name) for name in photo_files)
    for log in (one.log, two.log):
        assert "ERROR" not in log.read_text(errors="replace")


def test_a_slow_mail_task_does_not_hold_up_media_work(workers, sender, tmp_path):
    folder = tmp_path / "signals"
    folder.mkdir()
    workers.start("mail", queues="mail")
    workers.start("media", queues="media")

    sender.send_task("mail.tests_blocking", args=[str(folder)])
    wait_until(lambda: markers(folder, "mail-started"), what="the mail task to start", logs=workers.logs)
    sender.send_task("media.tests_record", args=["rendition-done"])

    wait_until(
        lambda: Section.objects.filter(slug="rendition-done").exists(),
        what="the media task while the mail task still waits",
        logs=workers.logs,
    )
    assert not (folder / "release").exists()  # the mail task is still waiting
    (folder / "release").touch()


def test_a_worker_killed_mid_task_leaves_nothing_half_done_and_another_worker_finishes_it(workers, sender, tmp_path):
    """task_acks_late: the broker keeps the task until it has finished, so it outlives the worker."""
    folder = tmp_path / "signals"
    folder.mkdir()
    key = f"k{uuid.uuid4().hex[:8]}"
    # On Redis a task whose worker vanished is handed out again after the visibility timeout (2 s here).
    short_visibility = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    first = workers.start("first", env=short_visibility)

    sender.send_task("tests.two_steps", args=[key, str(folder)])
    wait_until(lambda: markers(folder, "started"), what="the task to start", logs=workers.logs)
    (first_run,) = markers(folder, "started")
    assert parent_of(first_run) == first.pid
    first.kill()  # the worker and its pool process, SIGKILL
    assert not Section.objects.filter(slug__startswith=key).exists()

    second = workers.start("second", env=short_visibility)
    wait_until(
        lambda: markers(folder, "started") - {first_run}, what="another worker to take the task", logs=workers.logs
    )
    (second_run,) = markers(folder, "started") - {first_run}
    assert parent_of(second_run) == second.pid
    (folder / "release").touch()
    wait_until(lambda: markers(folder, "done"), what="the task to finish", logs=workers.logs)

    assert markers(folder, "done") == {second_run}
    assert sorted(Section.objects.filter(slug__startswith=key).values_list("slug", flat=True)) == [
        f"{key}-first",
        f"{key}-second",
    ]


def test_a_pool_process_killed_mid_task_gives_the_task_back_to_the_queue(workers, sender, tmp_path):
    """task_reject_on_worker_lost: without it Celery would record the task as failed and drop it."""
    folder = tmp_path / "signals"
    folder.mkdir()
    key = f"k{uuid.uuid4().hex[:8]}"
    worker = workers.start("prefork")

    sender.send_task("tests.two_steps", args=[key, str(folder)])
    wait_until(lambda: markers(folder, "started"), what="the task to start", logs=workers.logs)
    (child,) = markers(folder, "started")
    assert child != worker.pid
    os.kill(child, 9)

    wait_until(lambda: markers(folder, "started") - {child}, what="the task to run again", logs=workers.logs)
    assert not Section.objects.filter(slug__startswith=key).exists()
    (folder / "release").touch()
    wait_until(lambda: markers(folder, "done"), what="the task to finish", logs=workers.logs)

    assert child not in markers(folder, "done")
    assert sorted(Section.objects.filter(slug__startswith=key).values_list("slug", flat=True)) == [
        f"{key}-first",
        f"{key}-second",
    ]
