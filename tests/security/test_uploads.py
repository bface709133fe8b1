"""Uploads: every kind of file goes through one door that reads the bytes, names the file at random, strips
metadata and refuses markup and polyglots, whatever path saved it; public media serves only portraits and logos."""

import io
import re
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events.media.sniffing import check_upload
from events.models import Attachment, Organization, Person
from tests.events.media_samples import GPS_IFD, camera_jpeg
from tests.factories import EventFactory, OrganizationFactory, make_jpeg_bytes

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF_HEADED_HTML = b"%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n"
PLAIN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RANDOM_NAME = r"[0-9a-f]{32}"


def jpeg_html_polyglot() -> bytes:
    """A JPEG that decodes as a picture and also holds a web page in its comment segment."""
    jpeg = make_jpeg_bytes()
    page = b"<html><body><script>alert(document.cookie)</script></body></html>"
    comment = b"\xff\xfe" + struct.pack(">H", len(page) + 2) + page
    return jpeg[:2] + comment + jpeg[2:]


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", SVG),
        ("photo.jpg", SVG),  # the name lies; the bytes decide
        ("page.html", HTML),
        ("report.pdf", HTML),
        ("lowercase.htm", b"<html><script>alert(1)</script>"),
        ("padded.svg", b"   \n<svg onload=alert(1)>"),
        ("evil.html", PDF_HEADED_HTML),
        ("logo.pdf", jpeg_html_polyglot()),
    ],
)
def test_svg_html_and_polyglot_uploads_are_refused_whatever_their_name(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))

    assert name in " ".join(error.value.messages)


def test_a_real_jpeg_is_accepted_as_a_photo():
    checked = check_upload(SimpleUploadedFile("ABC_9246.JPG", make_jpeg_bytes()))

    assert (checked.kind, checked.content_type, checked.extension) == ("photo", "image/jpeg", ".jpg")


# The model layer: no code path can store a release file unchecked -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("evil.html", PDF_HEADED_HTML, Attachment.Kind.DOCUMENT),
        ("evil.svg", SVG, Attachment.Kind.DOCUMENT),
        ("evil.html", HTML, Attachment.Kind.DOCUMENT),
        ("evil.svg", SVG, Attachment.Kind.PHOTO),
    ],
)
def test_markup_saved_straight_to_an_attachment_is_refused_and_nothing_is_stored(settings, name, content, kind):
    event = EventFactory()

    with pytest.raises(ValidationError) as error:
        Attachment(event=event, kind=kind, file=ContentFile(content, name=name), alt_text="x").save()

    assert f"“{name}” was not accepted" in " ".join(error.value.messages)
    assert Attachment.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_pdf_named_html_is_stored_as_a_private_pdf_under_a_random_name(settings):
    attachment = Attachment(
        event=EventFactory(), kind=Attachment.Kind.DOCUMENT, file=ContentFile(PLAIN_PDF, name="evil.html")
    )
    attachment.save()

    assert re.fullmatch(rf"private/attachments/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.pdf", attachment.file.name)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "evil.html"  # kept as data for staff, never as the stored name
    assert default_storage.open(attachment.file.name).read() == PLAIN_PDF


@pytest.mark.django_db
def test_a_photo_saved_straight_to_the_model_loses_its_gps_and_its_name(settings):
    attachment = Attachment(
        event=EventFactory(), file=ContentFile(camera_jpeg(gps=True), name="Ivan_Ivanov_secret.jpg"), alt_text="x"
    )
    attachment.save()

    assert re.fullmatch(rf"private/attachments/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.jpg", attachment.file.name)
    with default_storage.open(attachment.file.name) as stored:
        assert GPS_IFD not in Image.open(stored).getexif()
    assert not any("Ivan" in name for name in stored_files(settings.MEDIA_ROOT))


# Portraits and logos: the admin shows refusals as form errors; any save cleans the picture ----------------------


def person_form(**extra):
    return {
        "name": "Ivan Ivanov",
        "slug": "ivan-ivanov",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "phones-MIN_NUM_FORMS": "0",
        "phones-MAX_NUM_FORMS": "1000",
        **extra,
    }


@pytest.mark.django_db
def test_a_person_photo_with_gps_is_stored_upright_without_exif_under_a_random_name(admin_client_logged_in, settings):
    upload = SimpleUploadedFile("Ivan_Ivanov_secret.jpg", camera_jpeg(gps=True, orientation=6), "image/jpeg")

    response = admin_client_logged_in.post(reverse("admin:events_person_add"), person_form(photo=upload))

    assert response.status_code == 302
    person = Person.objects.get(slug="ivan-ivanov")
    assert re.fullmatch(rf"people/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.jpg", person.photo.name)
    with default_storage.open(person.photo.name) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.size == (200, 300)  # the camera's orientation applied: portrait
    assert not image.getexif()
    assert b"Canon" not in data and b"SERIAL-1234567" not in data
    assert stored_files(settings.MEDIA_ROOT) == [person.photo.name]


@pytest.mark.django_db
def test_a_jpeg_html_polyglot_logo_named_pdf_is_a_form_error_and_nothing_is_stored(admin_client_logged_in, settings):
    upload = SimpleUploadedFile("logo.pdf", jpeg_html_polyglot(), "application/pdf")
    data = {"name": "Energy Agency", "slug": "energy-agency", "kind": "agency", "logo": upload}

    response = admin_client_logged_in.post(reverse("admin:events_organization_add"), data)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["logo"])
    assert "“logo.pdf” was not accepted: the file also contains web page code (HTML or script)" in errors
    assert not Organization.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_polyglot_logo_saved_without_a_form_is_refused(settings):
    organization = OrganizationFactory.build(logo=ContentFile(jpeg_html_polyglot(), name="logo.pdf"))

    with pytest.raises(ValidationError):
        organization.save()

    assert not Organization.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_logo_saved_without_a_form_is_re_encoded_under_a_random_name(settings):
    organization = OrganizationFactory(logo=ContentFile(make_jpeg_bytes(fmt="PNG"), name="our logo.png"))

    assert re.fullmatch(rf"logos/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.jpg", organization.logo.name)
    with default_storage.open(organization.logo.name) as stored:
        assert Image.open(stored).format == "JPEG"


# Serving MEDIA_URL (DEBUG, the demo, DJANGO_SERVE_MEDIA=1) ----------------------------------------------------------


@pytest.fixture
def media_files(settings):
    folder = settings.MEDIA_ROOT / "people" / "2026"
    folder.mkdir(parents=True)
    (folder / "photo.jpg").write_bytes(make_jpeg_bytes())
    (folder / "smuggled.html").write_bytes(HTML)
    (folder / "smuggled.svg").write_bytes(SVG)
    (folder / "notes.txt").write_bytes(b"plain text")
    for private in ("private/attachments/2026/01", "attachments/2025/01", "private/renditions/2026/01"):
        (settings.MEDIA_ROOT / private).mkdir(parents=True)
        (settings.MEDIA_ROOT / private / "photo.jpg").write_bytes(make_jpeg_bytes())
    return folder


@pytest.mark.urls("tests.security.media_urlconf")
def test_served_photo_is_inline_with_its_image_type_and_a_sandbox(client, media_files):
    response = client.get("/media/people/2026/photo.jpg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.urls("tests.security.media_urlconf")
@pytest.mark.parametrize("name", ["smuggled.html", "smuggled.svg"])
def test_markup_that_reached_the_media_folder_is_only_ever_a_download(client, media_files, name):
    response = client.get(f"/media/people/2026/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.urls("tests.security.media_urlconf")
def test_other_files_are_downloads_with_their_own_type(client, media_files):
    response = client.get("/media/people/2026/notes.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'


@pytest.mark.urls("tests.security.media_urlconf")
@pytest.mark.parametrize(
    "path",
    [
        "private/attachments/2026/01/photo.jpg",
        "private/renditions/2026/01/photo.jpg",
        "attachments/2025/01/photo.jpg",  # stored before files became private: still not served here
        "people/../attachments/2025/01/photo.jpg",
    ],
)
def test_release_files_are_never_served_from_the_media_url(client, media_files, path):
    assert client.get(f"/media/{path}").status_code == 404
