"""The photo pipeline (issue 15, point 2): the upload request stores the untouched original and returns; the task
media.render_photo makes the clean master and the renditions; public pages show only ready photos; unfinished
uploads are swept. Here the task runs in this process, called where a worker would call it."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import ImageFile

from events.media import uploads
from events.media.cleanup import find_orphans
from events.media.photos import RENDITION_SPECS, attempt_names
from events.media.services import attachments_upload, render_photo, retry_photo, sweep_unfinished_uploads
from events.media.stored import stored_names
from events.models import Attachment
from events.services.releases import event_translate
from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

IPTC_SAMPLE = {(2, 120): "Delegates arrive at the summit", (2, 80): "Anna Photographer"}


def all_stored(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def queued(settings, monkeypatch):
    """Tasks go to a broker (as in production) instead of running in-process; the sent ids are recorded."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(uploads, "send_render_photo", lambda pk, **kwargs: sent.append(pk))
    return sent


def upload_processing(django_capture_on_commit_callbacks, data=None, name="IMG_0001.JPG", event=None):
    event = event or EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [photo] = attachments_upload(event=event, files=[SimpleUploadedFile(name, data or plain_jpeg(640, 480))])
    return photo


def test_the_upload_request_stores_the_untouched_original_without_decoding_a_pixel(
    queued, settings, monkeypatch, django_capture_on_commit_callbacks
):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the upload request decoded pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = camera_jpeg(orientation=6, iptc=IPTC_SAMPLE)

    photo = upload_processing(django_capture_on_commit_callbacks, data)

    assert photo.state == Attachment.State.PROCESSING
    assert photo.renditions == {}
    assert (photo.width, photo.height) == (200, 300)  # upright, from the header and the EXIF orientation
    assert photo.caption == IPTC_SAMPLE[(2, 120)]  # the prefill still appears for the editor
    assert photo.file.name.startswith("private/originals/")
    assert all_stored(settings.MEDIA_ROOT) == [photo.file.name]
    assert default_storage.open(photo.file.name).read() == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert queued == [photo.pk]  # sent once the upload was committed


def test_the_task_makes_the_clean_master_and_every_rendition_and_removes_the_original(
    queued, settings, django_capture_on_commit_callbacks
):
    photo = upload_processing(django_capture_on_commit_callbacks, camera_jpeg(orientation=6))
    original = photo.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert render_photo(attachment_id=photo.pk) == "ready"

    photo.refresh_from_db()
    assert photo.state == Attachment.State.READY
    assert photo.file.name != original and photo.file.name.startswith("private/attachments/")
    assert set(photo.renditions) == {*RENDITION_SPECS, "file_is_clean"}
    assert (photo.width, photo.height) == (200, 300)
    assert all_stored(settings.MEDIA_ROOT) == sorted(stored_names(photo))  # the raw original is gone

    # A second run (a redelivered message, a second worker) changes nothing.
    before = all_stored(settings.MEDIA_ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        assert render_photo(attachment_id=photo.pk) == "ready"
    assert all_stored(settings.MEDIA_ROOT) == before


def test_a_run_after_an_interrupted_one_leaves_no_half_made_files(queued, settings, django_capture_on_commit_callbacks):
    photo = upload_processing(django_capture_on_commit_callbacks)
    # What a killed worker left: some renditions and a master under the names a run writes.
    half_made = sorted(attempt_names(photo.file.name))[:5]
    for name in half_made:
        default_storage.save(name, ContentFile(b"half"))
    assert not set(half_made) & set(find_orphans(default_storage))  # the orphan sweep keeps them meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        render_photo(attachment_id=photo.pk)

    photo.refresh_from_db()
    assert all_stored(settings.MEDIA_ROOT) == sorted(stored_names(photo))
    for name in stored_names(photo):
        assert default_storage.open(name).read() != b"half"


def test_a_photo_that_cannot_be_decoded_fails_with_the_reason_and_can_be_tried_again(
    queued, settings, django_capture_on_commit_callbacks
):
    data = plain_jpeg(800, 600)
    photo = upload_processing(django_capture_on_commit_callbacks, data[: len(data) // 2], name="cut.jpg")

    assert render_photo(attachment_id=photo.pk) == "failed"

    photo.refresh_from_db()
    assert photo.state == Attachment.State.FAILED
    assert "“cut.jpg” was not accepted: the image is damaged or incomplete" in photo.processing_error
    assert all_stored(settings.MEDIA_ROOT) == [photo.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_photo(attachment=photo)
    assert retried.state == Attachment.State.PROCESSING
    assert queued == [photo.pk, photo.pk]


def test_a_translation_made_while_its_photo_processes_gets_the_same_files(
    queued, settings, django_capture_on_commit_callbacks, superuser
):
    photo = upload_processing(django_capture_on_commit_callbacks)
    translation = event_translate(event=photo.event, user=superuser)
    copy = translation.attachments.get()
    assert copy.state == Attachment.State.PROCESSING

    with django_capture_on_commit_callbacks(execute=True):
        render_photo(attachment_id=photo.pk)

    photo.refresh_from_db()
    copy.refresh_from_db()
    assert copy.state == Attachment.State.READY
    assert (copy.file.name, copy.renditions) == (photo.file.name, photo.renditions)
    assert all_stored(settings.MEDIA_ROOT) == sorted(stored_names(photo))


def test_public_pages_and_files_never_show_a_photo_still_processing(queued, client, django_capture_on_commit_callbacks):
    event = EventFactory(slug="summit")
    photo = upload_processing(django_capture_on_commit_callbacks, event=event)
    event.refresh_from_db()
    assert event.cover_id == photo.pk

    page = client.get(reverse("events:detail", args=[event.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/files/{photo.pk}/" not in html
    assert 'property="og:image"' not in html
    assert client.get(reverse("events:list")).content.decode().count(f"/files/{photo.pk}/") == 0
    assert client.get(reverse("events:photos-zip", args=[event.slug])).status_code == 404
    assert client.get(reverse("events:photo-download", args=[event.slug, photo.pk])).status_code == 404
    original = photo.file.name.rsplit("/", 1)[-1]
    assert client.get(reverse("media-file", args=[photo.pk, "original", original])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        render_photo(attachment_id=photo.pk)
    photo.refresh_from_db()

    html = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert f"/files/{photo.pk}/" in html
    assert 'property="og:image"' in html
    assert client.get(reverse("events:photos-zip", args=[event.slug])).status_code == 200
    assert client.get(reverse("events:photo-download", args=[event.slug, photo.pk])).status_code == 200


def test_unfinished_uploads_are_sent_again_then_failed_then_removed_with_their_files(
    queued, settings, django_capture_on_commit_callbacks
):
    settings.CSO_PHOTO_PROCESSING_STALE_MINUTES = 15
    settings.CSO_PHOTO_PROCESSING_MAX_ATTEMPTS = 2
    settings.CSO_FAILED_PHOTO_DAYS = 7
    photo = upload_processing(django_capture_on_commit_callbacks)  # its worker died, its message was lost
    assert queued == [photo.pk]
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_unfinished_uploads(now=now + timedelta(minutes=5)) == {"resent": 0, "failed": 0, "removed": 0}
        assert sweep_unfinished_uploads(now=now + timedelta(minutes=16)) == {"resent": 1, "failed": 0, "removed": 0}
    assert queued == [photo.pk, photo.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_unfinished_uploads(now=now + timedelta(minutes=32)) == {"resent": 0, "failed": 1, "removed": 0}
    photo.refresh_from_db()
    assert photo.state == Attachment.State.FAILED
    assert photo.processing_error == "Processing did not finish after 2 tries."
    assert all_stored(settings.MEDIA_ROOT) == [photo.file.name]  # the editor sees the failure first

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_unfinished_uploads(now=now + timedelta(days=8))

    assert result == {"resent": 0, "failed": 0, "removed": 1}
    assert not Attachment.objects.exists()
    assert all_stored(settings.MEDIA_ROOT) == []


def test_a_document_is_ready_at_once_and_regenerate_leaves_photos_in_processing_to_the_task(
    queued, settings, django_capture_on_commit_callbacks
):
    event = EventFactory()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with django_capture_on_commit_callbacks(execute=True):
        document, photo = attachments_upload(
            event=event, files=[SimpleUploadedFile("notes.pdf", pdf), SimpleUploadedFile("IMG.JPG", plain_jpeg())]
        )
    assert document.state == Attachment.State.READY
    assert photo.state == Attachment.State.PROCESSING
    assert queued == [photo.pk]  # documents need no task

    call_command("regenerate_renditions", stdout=io.StringIO())

    photo.refresh_from_db()
    assert photo.renditions == {} and photo.state == Attachment.State.PROCESSING
    assert all_stored(settings.MEDIA_ROOT) == sorted([document.file.name, photo.file.name])
