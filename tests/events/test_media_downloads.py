"""Journalists' downloads and the gallery: clean names, a streamed zip, no image work in requests (4 and 5)."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageOps

from events.media import zipstream
from events.media.services import attachments_upload
from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.factories import EventFactory, PhotoFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def event_with_photos():
    event = EventFactory(slug="summit-in-minsk", title="Summit in Minsk", starts_at=STARTS, location="Minsk")
    photos = [
        PhotoFactory(
            event=event,
            position=position,
            file=ContentFile(plain_jpeg(color=color), name=f"IMG_{position}.JPG"),
            caption=f"Caption {position}",
            credit=f"Photographer {position}",
        )
        for position, color in ((20, "#aa0000"), (10, "#00aa00"), (30, "#0000aa"))
    ]
    return event, photos


def test_one_photo_downloads_with_a_clean_name_in_gallery_order(client, event_with_photos):
    event, photos = event_with_photos

    response = client.get(reverse("events:photo-download", kwargs={"slug": event.slug, "pk": photos[0].pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="2026-03-14-summit-in-minsk-02.jpg"'
    assert response["Content-Type"] == "image/jpeg"
    data = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(data)).size == (640, 480)


def test_download_serves_no_camera_metadata_unless_originals_are_served(client, settings):
    event = EventFactory(starts_at=STARTS, slug="gps")
    photo = PhotoFactory(event=event, file=ContentFile(camera_jpeg(gps=True), name="DSC.JPG"))
    url = reverse("events:photo-download", kwargs={"slug": event.slug, "pk": photo.pk})

    data = b"".join(client.get(url).streaming_content)

    # The camera's pixels, losslessly, with only the Orientation left in the EXIF: viewers turn it upright.
    assert b"SERIAL-1234567" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {0x0112: 6}
        assert ImageOps.exif_transpose(image).size == (200, 300)


def test_original_download_when_the_office_serves_originals(client, settings):
    settings.CSO_SERVE_ORIGINAL_PHOTOS = True
    event = EventFactory(starts_at=STARTS, slug="originals")
    original = camera_jpeg(gps=True)
    photo = PhotoFactory(event=event, file=ContentFile(original, name="DSC.JPG"))
    url = reverse("events:photo-download", kwargs={"slug": event.slug, "pk": photo.pk})

    assert b"".join(client.get(url).streaming_content) == original

    # If the office stops serving originals, the kept original must not leak: the large clean copy is served.
    settings.CSO_SERVE_ORIGINAL_PHOTOS = False
    response = client.get(url)
    data = b"".join(response.streaming_content)
    assert b"Exif\x00\x00" not in data
    assert response["Content-Disposition"] == 'attachment; filename="2026-03-14-originals-01.jpg"'


def test_zip_is_streamed_and_holds_every_photo_and_the_captions_file(client, event_with_photos, monkeypatch):
    event, photos = event_with_photos
    monkeypatch.setattr(zipstream, "CHUNK_SIZE", 1024)  # several chunks per photo, even for small test files

    response = client.get(reverse("events:photos-zip", kwargs={"slug": event.slug}))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert not response.has_header("Content-Length")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="2026-03-14-summit-in-minsk-photos.zip"'
    chunks = list(response.streaming_content)
    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < 8 * 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "2026-03-14-summit-in-minsk-captions.txt",
        "2026-03-14-summit-in-minsk-01.jpg",
        "2026-03-14-summit-in-minsk-02.jpg",
        "2026-03-14-summit-in-minsk-03.jpg",
    ]
    by_position = sorted(photos, key=lambda photo: photo.position)
    for index, photo in enumerate(by_position, 1):
        with photo.file.open("rb") as stored:
            assert archive.read(f"2026-03-14-summit-in-minsk-{index:02d}.jpg") == stored.read()
    text = archive.read("2026-03-14-summit-in-minsk-captions.txt").decode("utf-8")
    assert text.splitlines()[:3] == ["Summit in Minsk", "March 14, 2026", "Minsk"]
    assert (
        "2026-03-14-summit-in-minsk-01.jpg\r\nCaption: Caption 10\r\nCredit: Photographer 10\r\n\r\n"
        "2026-03-14-summit-in-minsk-02.jpg\r\nCaption: Caption 20\r\nCredit: Photographer 20\r\n"
    ) in text


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled", "withdrawn"])
def test_downloads_of_releases_that_are_not_public_are_404(client, trait):
    event = EventFactory(**{trait: True})
    photo = PhotoFactory(event=event)

    assert client.get(reverse("events:photo-download", kwargs={"slug": event.slug, "pk": photo.pk})).status_code == 404
    assert client.get(reverse("events:photos-zip", kwargs={"slug": event.slug})).status_code == 404


def test_a_photo_of_another_release_is_404(client, event_with_photos):
    event, _photos = event_with_photos
    stranger = PhotoFactory()

    url = reverse("events:photo-download", kwargs={"slug": event.slug, "pk": stranger.pk})

    assert client.get(url).status_code == 404


def test_zip_of_a_release_without_photos_is_404(client):
    event = EventFactory()

    assert client.get(reverse("events:photos-zip", kwargs={"slug": event.slug})).status_code == 404


def test_document_download_has_a_clean_name_and_its_sniffed_type(client):
    event = EventFactory(starts_at=STARTS, slug="statement")
    pdf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(pdf, "PDF")
    [document] = attachments_upload(
        event=event, files=[SimpleUploadedFile("Joint statement (final).pdf", pdf.getvalue())]
    )

    response = client.get(reverse("events:document-download", kwargs={"slug": event.slug, "pk": document.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == ('attachment; filename="2026-03-14-statement-Joint-statement--final.pdf"')


def forbid_image_work(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("image processing during a page request")

    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr("events.media.photos.write_renditions", refuse)
    monkeypatch.setattr("events.media.photos.process_stored_photo", refuse)


def test_gallery_of_thirty_photos_renders_without_queries_or_image_work(
    event_with_photos, monkeypatch, django_assert_num_queries
):
    event, _ = event_with_photos
    for position in range(27):
        PhotoFactory(event=event, position=100 + position, caption=f"Extra {position}", credit="Agency")
    photos = list(event.attachments.filter(kind="photo").order_by("position", "pk"))
    assert len(photos) == 30
    forbid_image_work(monkeypatch)

    with django_assert_num_queries(0):
        html = render_to_string("includes/gallery.html", {"photos": photos, "event": event})

    assert html.count("<picture>") == 30
    assert html.count('loading="lazy"') == 30
    assert html.count('type="image/webp"') == 30
    assert "Download all 30 photos (zip)" in html
    first = photos[0]
    shown = first.renditions["medium"]  # the gallery shows the medium size (issue 17: larger images)
    assert f'width="{shown["width"]}" height="{shown["height"]}"' in html
    large_name = first.renditions["large"]["jpeg"].rsplit("/", 1)[-1]
    assert f'href="/files/{first.pk}/large-jpeg/{large_name}"' in html
    assert f'alt="{first.alt_text}"' in html
    assert "Caption 10" in html and "Photo: Photographer 10" in html
    assert html.index("Caption 10") < html.index("Caption 20") < html.index("Caption 30") < html.index("Extra 0")


def test_picture_offers_webp_and_jpeg_srcsets_and_fixed_dimensions():
    photo = PhotoFactory(file=ContentFile(plain_jpeg(2400, 1600), name="big.jpg"), alt_text="A wide hall")

    html = render_to_string("includes/picture.html", {"photo": photo, "size": "large"}).strip()

    def url(size, image_format):
        name = photo.renditions[size][image_format].rsplit("/", 1)[-1]
        return f"/files/{photo.pk}/{size}-{image_format}/{name}"

    assert html == (
        f'<picture><source type="image/webp" srcset="{url("thumb", "webp")} 480w, {url("medium", "webp")} '
        f'960w, {url("large", "webp")} 1920w" sizes="100vw"><img src="{url("large", "jpeg")}" '
        f'srcset="{url("thumb", "jpeg")} 480w, {url("medium", "jpeg")} 960w, {url("large", "jpeg")} '
        '1920w" sizes="100vw" width="1920" height="1280" alt="A wide hall" decoding="async"></picture>'
    )


def test_event_page_with_thirty_photos_does_no_image_work_and_the_same_queries_as_with_one(client, monkeypatch):
    one = EventFactory(slug="one-photo")
    PhotoFactory(event=one, caption="Only photo")
    many = EventFactory(slug="many-photos", section=one.section)
    for position in range(30):
        PhotoFactory(event=many, position=position, caption=f"Photo number {position}")
    forbid_image_work(monkeypatch)
    # Both from the same (empty) cache, so that each request does the same once-per-version lookups.
    cache.clear()
    with CaptureQueriesContext(connection) as with_one:
        response_one = client.get(one.get_absolute_url())
    cache.clear()
    with CaptureQueriesContext(connection) as with_many:
        response_many = client.get(many.get_absolute_url())

    assert response_one.status_code == response_many.status_code == 200
    assert len(with_many.captured_queries) == len(with_one.captured_queries)
    page = response_many.content.decode()
    assert page.count("<picture>") >= 30
    assert "Photo number 29" in page
