"""What a photo costs on the way to and from the bucket (moto's server mode on a free port): how many requests
an upload makes, that nothing is read back or held on to, and that a file above the multipart threshold still
arrives whole. docs/bench-media.md ("What the S3 path spent") has the figures these rules came from."""

from __future__ import annotations

import gc
import hashlib
import io
import weakref

import pytest
from boto3.s3.transfer import TransferConfig
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from events.media.backends import MULTIPART_CHUNK_BYTES, MULTIPART_THRESHOLD_BYTES
from events.models import Attachment
from tests.factories import EventFactory
from tests.storage.s3 import both_backends, storage_options

pytestmark = pytest.mark.django_db

BOTO3_DEFAULT_THRESHOLD = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def camera_sized_jpeg() -> bytes:
    """A JPEG of about 10 MB, like a camera's: above boto3's default multipart threshold."""
    noise = Image.merge("RGB", [Image.effect_noise((2700, 2000), 60) for _ in range(3)])
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=100)
    data = buffer.getvalue()
    assert BOTO3_DEFAULT_THRESHOLD < len(data) < MULTIPART_THRESHOLD_BYTES
    return data


def recorded_requests() -> list[str]:
    """The name of every S3 operation the media storage sends from now on, in order."""
    sent: list[str] = []
    default_storage.connection.meta.client.meta.events.register(
        "before-call.s3", lambda model, **_kwargs: sent.append(model.name)
    )
    return sent


@pytest.fixture
def bucket_requests(s3_media):
    return recorded_requests()


def upload(client, event, data: bytes):
    file = io.BytesIO(data)
    file.name = "IMG_0042.JPG"
    return client.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]), {"files": file}, HTTP_ACCEPT="application/json"
    )


def test_a_10_mb_photo_is_stored_by_one_put_and_not_read_back_in_the_upload_request(
    s3_media, admin_client_logged_in, settings, camera_sized_jpeg, bucket_requests
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker processes it later: only the request's own work is seen
    event = EventFactory()

    response = upload(admin_client_logged_in, event, camera_sized_jpeg)

    assert response.status_code == 200
    # The free-name check, then the file in one request: no multipart create/parts/complete, no GET of what was
    # just sent (its size and checksum come from the upload in hand).
    assert bucket_requests == ["HeadObject", "PutObject"]
    photo = Attachment.objects.get(event=event)
    assert photo.state == Attachment.State.PROCESSING
    assert s3_media.read(photo.file.name) == camera_sized_jpeg
    assert photo.size == len(camera_sized_jpeg)
    assert photo.sha256 == hashlib.sha256(camera_sized_jpeg).hexdigest()


def test_processing_a_10_mb_photo_reads_its_original_once_and_stores_each_file_in_one_put(
    s3_media, admin_client_logged_in, camera_sized_jpeg, bucket_requests
):
    event = EventFactory()

    response = upload(admin_client_logged_in, event, camera_sized_jpeg)  # processed in-process (eager tasks)

    assert response.status_code == 200
    photo = Attachment.objects.get(event=event)
    assert photo.state == Attachment.State.READY
    assert bucket_requests.count("GetObject") == 1
    assert not {"CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"} & set(bucket_requests)
    # The original, the clean master and the eight renditions: one PUT each.
    assert bucket_requests.count("PutObject") == 1 + 1 + 8
    master = s3_media.read(photo.file.name)
    assert master[:2] == b"\xff\xd8" and len(master) > BOTO3_DEFAULT_THRESHOLD


@both_backends
def test_storing_a_file_does_not_keep_it_in_memory_after_the_call(media_backend):
    content = ContentFile(b"\xff\xd8" + b"\x00" * 1024 * 1024, name="big.jpg")
    released = weakref.ref(content)
    gc.disable()  # only plain reference counting: nothing may wait for the collector
    try:
        name = default_storage.save("private/tests/big.jpg", content)
        del content
        assert released() is None
    finally:
        gc.enable()
    assert default_storage.size(name) == 1 + 1024 * 1024 + 1


def test_a_file_above_the_multipart_threshold_goes_in_parts_and_arrives_whole(s3_media, settings):
    five_mb = 5 * 1024 * 1024  # the smallest part S3 accepts
    small_parts = TransferConfig(use_threads=False, multipart_threshold=five_mb, multipart_chunksize=five_mb)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_options(s3_media.endpoint, location=s3_media.location, transfer_config=small_parts),
    }
    data = bytes(range(256)) * (12 * 1024 * 1024 // 256)  # 12 MB: three parts of at most 5 MB
    sent = recorded_requests()

    name = default_storage.save("private/kits/1/kit.zip", ContentFile(data))

    assert sent == ["HeadObject", "CreateMultipartUpload", *["UploadPart"] * 3, "CompleteMultipartUpload"]
    assert s3_media.read(name) == data


def test_the_bucket_storage_sends_parts_only_above_the_largest_upload(settings):
    assert settings.CSO_MAX_UPLOAD_BYTES < MULTIPART_THRESHOLD_BYTES
    assert MULTIPART_CHUNK_BYTES <= BOTO3_DEFAULT_THRESHOLD
