"""Media in an S3-compatible bucket (moto's server mode on a free port): what is stored where, who gets which
address, and that the application keeps its rules when the bytes no longer pass through it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.media.backends import MediaS3Storage
from events.media.cleanup import find_orphans
from events.media.links import ORIGINAL, file_url
from events.media.relocation import make_release_files_private
from events.media.services import attachments_upload
from events.media.stored import stored_names
from events.models import Attachment, Event
from events.services import releases
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, PersonFactory, PhotoFactory, UserFactory, make_jpeg_bytes
from tests.storage.s3 import BUCKET, KEYS, REGION, http_get

pytestmark = pytest.mark.django_db


def thumb_url(photo: Attachment) -> str:
    return file_url(photo, "thumb-jpeg", photo.renditions["thumb"]["jpeg"])


def test_an_upload_puts_the_cleaned_photo_and_every_rendition_in_the_bucket_under_private(s3_media, settings):
    event = EventFactory(slug="summit")
    uploads = [SimpleUploadedFile(f"p{n}.jpg", plain_jpeg(), "image/jpeg") for n in range(2)]

    photos = attachments_upload(event=event, files=uploads)

    expected = sorted(name for photo in photos for name in stored_names(photo))
    assert len(expected) == 2 * 9  # the clean copy, four sizes in JPEG and WebP
    assert s3_media.keys() == expected
    assert all(name.startswith("private/") for name in expected)
    assert not settings.MEDIA_ROOT.exists()  # nothing went to the local media folder


def test_a_public_page_shows_photos_that_the_browser_fetches_from_the_bucket(s3_media, client):
    photo = PhotoFactory(event=EventFactory(slug="summit"))

    page = client.get(photo.event.get_absolute_url()).content.decode()
    response = client.get(thumb_url(photo))

    assert thumb_url(photo) in page
    assert response.status_code == 302
    assert s3_media.owns(response["Location"])
    status, headers, body = http_get(response["Location"])
    assert status == 200
    assert body == s3_media.read(photo.renditions["thumb"]["jpeg"])
    assert headers["content-type"] == "image/jpeg"
    # A public file's redirect may be kept by this browser only, and for less than the address lives.
    assert response["Cache-Control"] == "private, max-age=60"


def test_a_private_file_redirects_staff_to_a_short_lived_presigned_address_and_nobody_else(s3_media, client):
    editor = UserFactory(username="editor", is_superuser=True, is_staff=True)
    draft = EventFactory(slug="draft", status=Event.Status.DRAFT, publish_at=None, first_published_at=None)
    photo = PhotoFactory(event=draft)
    client.force_login(editor)

    response = client.get(thumb_url(photo))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == ["120"]
    assert query["response-cache-control"] == ["private, no-store, max-age=0"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((timezone.now() - signed_at).total_seconds()) < 60
    status, _headers, body = http_get(response["Location"])
    assert (status, body) == (200, s3_media.read(photo.renditions["thumb"]["jpeg"]))
    # Without the signature the bucket refuses the object; without a session the application hands out nothing.
    bare = response["Location"].split("?")[0]
    assert http_get(bare)[0] == 403
    assert Client().get(thumb_url(photo)).status_code == 404


def test_withdrawing_a_release_stops_the_application_handing_out_addresses(s3_media, client):
    editor = UserFactory(username="editor", is_superuser=True)
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    issued = client.get(thumb_url(photo))
    assert issued.status_code == 302

    releases.event_withdraw(event=photo.event, user=editor, reason="Published by mistake.")

    for variant, name in ((ORIGINAL, photo.file.name), ("large-webp", photo.renditions["large"]["webp"])):
        assert Client().get(file_url(photo, variant, name)).status_code == 404
    assert Client().get(thumb_url(photo)).status_code == 404
    # What the bucket cannot know: an address handed out before the withdrawal works until it expires
    # (DJANGO_MEDIA_PRESIGNED_SECONDS, 120 s here). Nobody gets a new one.
    assert http_get(issued["Location"])[0] == 200


def test_a_missing_object_answers_404_not_a_redirect(s3_media, client):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    default_storage.delete(photo.renditions["thumb"]["jpeg"])

    assert client.get(thumb_url(photo)).status_code == 404


def test_downloads_carry_their_file_name_and_the_zip_reads_every_photo_from_the_bucket(s3_media, client, settings):
    settings.CSO_SERVE_ORIGINAL_PHOTOS = False
    event = EventFactory(slug="summit")
    photos = [PhotoFactory(event=event, position=n, file=ContentFile(plain_jpeg(), name=f"p{n}.jpg")) for n in range(2)]
    document = Attachment(
        event=event, kind=Attachment.Kind.DOCUMENT, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="Communique.pdf")
    )
    document.save()

    download = client.get(reverse("events:photo-download", kwargs={"slug": "summit", "pk": photos[1].pk}))
    status, headers, body = http_get(download["Location"])
    assert status == 200
    assert body == s3_media.read(photos[1].file.name)
    day = timezone.localdate(event.starts_at)
    assert headers["content-disposition"] == f'attachment; filename="{day:%Y-%m-%d}-summit-02.jpg"'

    pdf = client.get(reverse("events:document-download", kwargs={"slug": "summit", "pk": document.pk}))
    status, headers, body = http_get(pdf["Location"])
    assert (status, body, headers["content-type"]) == (200, b"%PDF-1.4\n%%EOF\n", "application/pdf")
    assert headers["content-disposition"].startswith("attachment;")

    response = client.get(reverse("events:photos-zip", kwargs={"slug": "summit"}))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert members[f"{day:%Y-%m-%d}-summit-01.jpg"] == s3_media.read(photos[0].file.name)
    assert members[f"{day:%Y-%m-%d}-summit-02.jpg"] == s3_media.read(photos[1].file.name)


def test_portraits_are_public_objects_at_a_plain_bucket_address(s3_media):
    person = PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="portrait.jpg"))

    url = person.photo.url

    assert s3_media.owns(url) and "X-Amz-Signature" not in url
    status, headers, body = http_get(url)
    assert status == 200
    assert body == s3_media.read(person.photo.name)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"  # its name is never reused


def test_portraits_use_the_cdn_domain_when_one_is_set(s3_media, settings):
    options = settings.STORAGES["default"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {**options, "custom_domain": "cdn.example.org"}},
    }
    person = PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="portrait.jpg"))
    photo = PhotoFactory(event=EventFactory(slug="summit"))

    assert person.photo.url == f"https://cdn.example.org/{s3_media.location}/{person.photo.name}"
    # Release files never go through the CDN: it could not check a signature.
    assert s3_media.owns(Client().get(thumb_url(photo))["Location"])


def test_moving_old_release_files_under_private_works_in_the_bucket(s3_media, django_capture_on_commit_callbacks):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    old = {}
    for name in stored_names(photo):
        legacy = name.removeprefix("private/")
        default_storage.save(legacy, ContentFile(s3_media.read(name)))
        default_storage.delete(name)
        old[name] = legacy
    renditions = {
        size: {k: old.get(v, v) for k, v in entry.items()} if isinstance(entry, dict) else entry
        for size, entry in photo.renditions.items()
    }
    Attachment.objects.filter(pk=photo.pk).update(file=old[photo.file.name], renditions=renditions)

    with django_capture_on_commit_callbacks(execute=True):
        report = make_release_files_private()

    photo.refresh_from_db()
    assert len(report.moved) == 9 and report.missing == []
    assert s3_media.keys() == sorted(stored_names(photo))
    assert photo.file.name.startswith("private/")


def test_the_orphan_sweep_lists_objects_no_record_names(s3_media):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    default_storage.save("private/attachments/2026/01/stray.jpg", ContentFile(b"left behind"))

    assert find_orphans(default_storage) == ["private/attachments/2026/01/stray.jpg"]
    assert set(stored_names(photo)) <= set(s3_media.keys())


OTHER_SERVER = """
import hashlib, json, sys
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
name = sys.argv[1]
with default_storage.open(name, "rb") as handle:
    digest = hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({
    "sha256": digest,
    "url": default_storage.url(name),
    "img-src": [str(item) for item in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]],
}))
"""


def test_a_photo_stored_by_one_app_server_is_read_and_handed_out_by_another(s3_media):
    """Another process, configured by environment variables alone, finds the photo this one stored."""
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cso_press.settings.test",
        "DJANGO_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_media.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": KEYS["access_key"],
        "AWS_SECRET_ACCESS_KEY": KEYS["secret_key"],
        "AWS_LOCATION": s3_media.location,
    }

    result = subprocess.run(
        [sys.executable, "-c", OTHER_SERVER, photo.file.name],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    seen = json.loads(result.stdout)
    assert seen["sha256"] == hashlib.sha256(s3_media.read(photo.file.name)).hexdigest()
    status, _headers, body = http_get(seen["url"])
    assert (status, body) == (200, s3_media.read(photo.file.name))
    # The other server's pages allow images from the bucket, and from nowhere else but itself.
    assert seen["img-src"] == ["'self'", s3_media.endpoint]


@pytest.mark.parametrize("fail_on_call", [1, 6])
def test_the_bucket_failing_midway_through_an_upload_leaves_nothing_in_it(
    s3_media, admin_client_logged_in, monkeypatch, fail_on_call
):
    event = EventFactory()
    real_save = MediaS3Storage._save
    calls = {"n": 0}

    def flaky_save(self, name, content):
        calls["n"] += 1
        if calls["n"] == fail_on_call:
            raise ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject")
        return real_save(self, name, content)

    monkeypatch.setattr(MediaS3Storage, "_save", flaky_save)
    files = [SimpleUploadedFile(f"ABC_{n}.JPG", plain_jpeg(640, 480), "image/jpeg") for n in range(2)]

    response = admin_client_logged_in.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]), {"files": files}
    )

    assert response.status_code == 200
    assert [str(message) for message in response.context["form"].errors["files"]] == [
        "The file store could not save the upload (ClientError). Nothing was added; please try again."
    ]
    assert Attachment.objects.count() == 0
    assert s3_media.keys() == []


@pytest.mark.urls("tests.security.media_urlconf")
def test_media_url_sends_portraits_to_the_bucket_and_nothing_private(s3_media, client):
    person = PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="portrait.jpg"))
    photo = PhotoFactory(event=EventFactory(slug="summit"))

    portrait = client.get(f"/media/{person.photo.name}")
    private = client.get(f"/media/{photo.file.name}")

    assert portrait.status_code == 302
    assert portrait["Location"] == person.photo.url
    assert private.status_code == 404


@pytest.fixture
def unreachable_bucket(s3_media, settings):
    """The media storage points at a port where nothing listens (and gives up at the first refusal)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**settings.STORAGES["default"]["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{port}", "max_attempts": 1}
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}


def test_an_unreachable_bucket_fails_the_export_with_a_message_naming_the_file(s3_media, request, tmp_path):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    request.getfixturevalue("unreachable_bucket")

    with pytest.raises(CommandError, match=f"Could not read {re.escape(photo.file.name)} from storage"):
        call_command("export_archive", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_bucket_refuses_an_upload_with_a_message_not_an_error_page(
    unreachable_bucket, admin_client_logged_in
):
    event = EventFactory()
    upload = SimpleUploadedFile("ABC_1.JPG", plain_jpeg(640, 480), "image/jpeg")

    response = admin_client_logged_in.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]), {"files": [upload]}
    )

    assert response.status_code == 200
    assert [str(message) for message in response.context["form"].errors["files"]] == [
        "The file store could not save the upload (EndpointConnectionError). Nothing was added; please try again."
    ]
    assert Attachment.objects.count() == 0


def test_an_unreachable_bucket_makes_a_file_request_a_503_to_retry_not_a_server_error(s3_media, request, client):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    request.getfixturevalue("unreachable_bucket")

    response = client.get(thumb_url(photo))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.content.decode() == "The file store is not reachable right now; please try again shortly."


def test_the_503_of_an_unreachable_bucket_is_in_russian_for_a_russian_reader(s3_media, request, client):
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    request.getfixturevalue("unreachable_bucket")

    response = client.get(thumb_url(photo), headers={"accept-language": "ru"})

    assert response.status_code == 503
    assert response.content.decode() == "Хранилище файлов сейчас недоступно; пожалуйста, повторите попытку чуть позже."
