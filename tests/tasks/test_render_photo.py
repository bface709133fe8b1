"""The photo task on real workers (issue 15, acceptance: killing a worker in the middle of a rendition task):
the task completes on another worker and nothing is left half-made. Runs once per broker (Redis, RabbitMQ)."""

import re

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from events.media import uploads
from events.media.cleanup import is_kit_name
from events.media.services import attachments_upload
from events.media.stored import stored_names
from events.models import Attachment
from tests.events.media_samples import camera_jpeg
from tests.factories import EventFactory

from .conftest import wait_until


def stored(root):
    """The photo files under ``root``. A ready photo also asks for its release's press kit, a derived file of
    its own (media.kits, tested in tests/tasks/test_kit_workers.py): left out here."""
    names = (str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
    return sorted(name for name in names if not is_kit_name(name))


def started(folder):
    return {int(m.group(1)) for path in folder.iterdir() if (m := re.fullmatch(r"rendition-started-(\d+)", path.name))}


def test_a_worker_killed_mid_rendition_leaves_no_half_made_files_and_another_worker_finishes_the_photo(
    workers, sender, settings, monkeypatch, tmp_path
):
    folder = tmp_path / "signals"
    folder.mkdir()
    short_visibility = {"CELERY_VISIBILITY_TIMEOUT": "2"}  # Redis hands out a dead worker's task after 2 s
    first = workers.start("first", queues="media", env={**short_visibility, "CSO_TEST_HOLD_RENDITIONS": str(folder)})
    # The upload request, as in production: the task is sent to the broker once the row is committed.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(
        uploads, "send_render_photo", lambda pk, **kwargs: sender.send_task(uploads.RENDER_PHOTO_TASK, args=[pk])
    )
    [photo] = attachments_upload(
        event=EventFactory(), files=[SimpleUploadedFile("IMG_0001.JPG", camera_jpeg(orientation=6))]
    )
    original = photo.file.name
    assert photo.state == Attachment.State.PROCESSING

    wait_until(lambda: started(folder), what="the first worker to have written the renditions", logs=workers.logs)
    first.kill()  # SIGKILL: its transaction never commits; the renditions are on disk
    photo.refresh_from_db()
    assert photo.state == Attachment.State.PROCESSING and photo.file.name == original
    # The original and 8 renditions: half-made (process_photo_file stores the renditions, then the master).
    assert len(stored(settings.MEDIA_ROOT)) == 9

    workers.start("second", queues="media", env=short_visibility)
    media_root = settings.MEDIA_ROOT

    def finished():
        photo.refresh_from_db()
        return photo.state == Attachment.State.READY and stored(media_root) == sorted(stored_names(photo))

    wait_until(finished, what="the second worker to finish the photo", timeout=90, logs=workers.logs)
    assert original not in stored(media_root)
    assert set(photo.renditions) == {"thumb", "medium", "large", "social", "file_is_clean"}
    for name in stored_names(photo):
        assert default_storage.size(name) > 0
    assert (photo.width, photo.height) == (200, 300)


def test_the_same_photo_sent_twice_to_two_workers_is_processed_once(workers, sender, settings, monkeypatch):
    workers.start("one", queues="media")
    workers.start("two", queues="media")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(uploads, "send_render_photo", lambda pk, **kwargs: sent.append(pk))
    photos = attachments_upload(
        event=EventFactory(),
        files=[SimpleUploadedFile(f"IMG_{n}.JPG", camera_jpeg(orientation=6)) for n in range(3)],
    )
    assert sent == [photo.pk for photo in photos]
    for pk in sent * 2:  # a redelivery or a second send: both workers get copies
        sender.send_task(uploads.RENDER_PHOTO_TASK, args=[pk])
    media_root = settings.MEDIA_ROOT

    def finished():
        rows = list(Attachment.objects.order_by("pk"))
        expected = sorted(name for row in rows for name in stored_names(row))
        return all(row.state == Attachment.State.READY for row in rows) and stored(media_root) == expected

    wait_until(finished, what="both workers to finish", timeout=90, logs=workers.logs)
    for log in workers.logs:
        assert "Traceback" not in log.read_text(errors="replace"), log
