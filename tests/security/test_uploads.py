"""Uploads: markup is refused at the door, and whatever is served goes out with safe headers."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from events.media.sniffing import check_upload
from tests.factories import make_jpeg_bytes

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", SVG),
        ("photo.jpg", SVG),  # the name lies; the bytes decide
        ("page.html", HTML),
        ("report.pdf", HTML),
        ("lowercase.htm", b"<html><script>alert(1)</script>"),
        ("padded.svg", b"   \n<svg onload=alert(1)>"),
    ],
)
def test_svg_and_html_uploads_are_refused_whatever_their_name(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))

    assert name in " ".join(error.value.messages)


def test_a_real_jpeg_is_accepted_as_a_photo():
    checked = check_upload(SimpleUploadedFile("ABC_9246.JPG", make_jpeg_bytes()))

    assert (checked.kind, checked.content_type, checked.extension) == ("photo", "image/jpeg", ".jpg")


@pytest.fixture
def media_files(settings):
    folder = settings.MEDIA_ROOT / "attachments"
    folder.mkdir(parents=True)
    (folder / "photo.jpg").write_bytes(make_jpeg_bytes())
    (folder / "smuggled.html").write_bytes(HTML)
    (folder / "smuggled.svg").write_bytes(SVG)
    (folder / "notes.txt").write_bytes(b"plain text")
    return folder


@pytest.mark.urls("tests.security.media_urlconf")
def test_served_photo_is_inline_with_its_image_type_and_a_sandbox(client, media_files):
    response = client.get("/media/attachments/photo.jpg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.urls("tests.security.media_urlconf")
@pytest.mark.parametrize("name", ["smuggled.html", "smuggled.svg"])
def test_markup_that_reached_the_media_folder_is_only_ever_a_download(client, media_files, name):
    response = client.get(f"/media/attachments/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.urls("tests.security.media_urlconf")
def test_other_files_are_downloads_with_their_own_type(client, media_files):
    response = client.get("/media/attachments/notes.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'
