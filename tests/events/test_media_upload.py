"""Uploads are checked by content; every refusal names the file and leaves nothing behind (acceptance 2)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from events.media.services import attachments_upload
from events.media.stored import stored_names
from events.models import Attachment, AuditLogEntry
from tests.events.media_samples import camera_jpeg, decompression_bomb_png, plain_jpeg
from tests.factories import EventFactory
from tests.security.admin_forms import describe_page_data
from tests.storage.s3 import both_backends

pytestmark = pytest.mark.django_db


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload_page(event):
    return reverse("admin:events_event_upload_photos", args=[event.pk])


def post_files(client, event, *files, **fields):
    return client.post(upload_page(event), {"files": list(files), **fields})


def refused_message(client, settings, upload):
    """Upload through the admin page; return the error texts, checking nothing was stored."""
    event = EventFactory()
    response = post_files(client, event, upload)
    assert response.status_code == 200
    assert Attachment.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []
    return [str(message) for message in response.context["form"].errors["files"]]


def test_a_text_file_named_jpg_is_refused_by_its_content(admin_client_logged_in, settings):
    upload = SimpleUploadedFile("holiday.jpg", b"This is a text file, not a photo.\n" * 20, "image/jpeg")

    messages = refused_message(admin_client_logged_in, settings, upload)

    assert messages == [
        "“holiday.jpg” was not accepted: its content is not a JPEG, PNG or WebP image, nor a PDF or office "
        "document (whatever the file name says)."
    ]


def test_a_truncated_jpeg_is_stored_then_marked_failed_with_the_reason(admin_client_logged_in, settings):
    # The upload request reads only the header (its pixels are decoded by the task): a file cut in half is
    # accepted, then the task finds it damaged. The editor sees why; nothing public is made from it.
    data = plain_jpeg(800, 600)
    event = EventFactory()
    upload = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], "image/jpeg")

    response = post_files(admin_client_logged_in, event, upload)

    assert response.status_code == 302
    [photo] = Attachment.objects.all()
    assert photo.state == Attachment.State.FAILED
    assert photo.processing_error == (
        "“cut.jpg” was not accepted: the image is damaged or incomplete (it could not be decoded to the end)."
    )
    assert photo.renditions == {}
    assert files_under(settings.MEDIA_ROOT) == [photo.file.name]  # the original, kept for the editor to see


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(admin_client_logged_in, settings):
    settings.CSO_MAX_UPLOAD_BYTES = 10 * 1024
    upload = SimpleUploadedFile("big.jpg", plain_jpeg(1200, 900) + b"\x00" * 20 * 1024, "image/jpeg")

    messages = refused_message(admin_client_logged_in, settings, upload)

    assert len(messages) == 1
    assert messages[0].startswith("“big.jpg” was not accepted: the file is ")
    assert messages[0].endswith("; the largest accepted is 10.0\xa0KB.")


@pytest.mark.parametrize("factor", [1.1, 2.2], ids=["over-the-warning-limit", "over-the-error-limit"])
def test_a_decompression_bomb_is_refused(admin_client_logged_in, settings, factor):
    upload = SimpleUploadedFile("bomb.png", decompression_bomb_png(factor), "image/png")

    messages = refused_message(admin_client_logged_in, settings, upload)

    assert messages == [
        "“bomb.png” was not accepted: the image has too many pixels to process safely (at most 89 million)."
    ]


@pytest.mark.parametrize(
    "name,content",
    [
        (
            "drawing.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("page.jpg", b"\xef\xbb\xbf  <html><body onload=alert(1)></body></html>"),
    ],
)
def test_svg_and_html_are_refused_whatever_their_name(admin_client_logged_in, settings, name, content):
    messages = refused_message(admin_client_logged_in, settings, SimpleUploadedFile(name, content))

    assert messages == [
        f"“{name}” was not accepted: SVG, HTML and other markup files are not accepted, because they can carry scripts."
    ]


def test_gif_is_refused_with_the_accepted_formats_named(admin_client_logged_in, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buffer, "GIF")

    messages = refused_message(admin_client_logged_in, settings, SimpleUploadedFile("anim.gif", buffer.getvalue()))

    assert messages == ["“anim.gif” was not accepted: GIF images are not accepted; use JPEG, PNG or WebP."]


def test_one_bad_file_among_good_ones_stores_nothing_and_names_only_the_bad_one(admin_client_logged_in, settings):
    event = EventFactory()
    good = SimpleUploadedFile("good.jpg", plain_jpeg(), "image/jpeg")
    bad = SimpleUploadedFile("notes.jpg", b"plain text" * 50, "image/jpeg")
    also_good = SimpleUploadedFile("good2.jpg", camera_jpeg(), "image/jpeg")

    response = post_files(admin_client_logged_in, event, good, bad, also_good)

    assert response.status_code == 200
    assert [str(m) for m in response.context["form"].errors["files"]] == [
        "“notes.jpg” was not accepted: its content is not a JPEG, PNG or WebP image, nor a PDF or office document "
        "(whatever the file name says)."
    ]
    assert "Nothing was uploaded." in response.content.decode()
    assert Attachment.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


@both_backends
def test_a_failure_while_saving_removes_the_files_already_written(stored_files, settings, monkeypatch):
    event = EventFactory()
    calls = {"count": 0}
    original_save = Attachment.save

    def fail_on_second(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", fail_on_second)
    uploads = [SimpleUploadedFile(f"p{n}.jpg", plain_jpeg(), "image/jpeg") for n in range(3)]

    with pytest.raises(RuntimeError):
        attachments_upload(event=event, files=uploads)

    assert Attachment.objects.count() == 0
    assert stored_files() == []


@both_backends
def test_the_database_refusing_a_row_leaves_no_rendition_behind(stored_files, settings):
    event = EventFactory()
    photo = Attachment(event=event, kind="photo", position=-1, alt_text="x")
    photo.file = SimpleUploadedFile("p.jpg", plain_jpeg(), "image/jpeg")

    with pytest.raises(Exception):  # noqa: B017 - position is unsigned: PostgreSQL and SQLite both refuse -1
        with transaction.atomic():
            photo.save()

    assert stored_files() == []


def test_documents_are_recognised_by_content(admin_client_logged_in, settings):
    event = EventFactory()
    pdf = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(pdf, "PDF")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")

    response = post_files(
        admin_client_logged_in,
        event,
        SimpleUploadedFile("Joint_statement.pdf", pdf.getvalue()),
        SimpleUploadedFile("Agenda.docx", docx.getvalue()),
    )

    assert response.status_code == 302
    documents = list(event.attachments.order_by("position"))
    assert [(d.kind, d.title, d.content_type) for d in documents] == [
        ("document", "Joint statement", "application/pdf"),
        ("document", "Agenda", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    assert documents[0].file.name.endswith(".pdf")
    assert documents[1].file.name.endswith(".docx")


def test_a_plain_zip_is_not_an_office_document(admin_client_logged_in, settings):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("virus.exe", b"MZ")

    messages = refused_message(admin_client_logged_in, settings, SimpleUploadedFile("report.docx", archive.getvalue()))

    assert messages == [
        "“report.docx” was not accepted: ZIP archives are not accepted; only PDF and office documents (Word, Excel, "
        "PowerPoint)."
    ]


@both_backends
def test_staff_upload_several_photos_then_describe_order_and_choose_the_cover(stored_files, admin_client_logged_in):
    event = EventFactory()
    files = [SimpleUploadedFile(f"IMG_{n}.JPG", plain_jpeg(color=color), "image/jpeg") for n, color in
             enumerate(["#aa0000", "#00aa00", "#0000aa"], 1)]  # fmt: skip

    response = post_files(admin_client_logged_in, event, *files, credit="CSO Press Service / I. Fotografov")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_photos", args=[event.pk])
    photos = list(event.attachments.order_by("position"))
    assert [(p.original_name, p.position, p.credit) for p in photos] == [
        ("IMG_1.JPG", 0, "CSO Press Service / I. Fotografov"),
        ("IMG_2.JPG", 1, "CSO Press Service / I. Fotografov"),
        ("IMG_3.JPG", 2, "CSO Press Service / I. Fotografov"),
    ]
    event.refresh_from_db()
    assert event.cover == photos[0]
    assert stored_files() == sorted(name for photo in photos for name in stored_names(photo))
    entry = AuditLogEntry.objects.get(action="events.attachment.uploaded")
    assert entry.event == event and entry.data["files"] == ["IMG_1.JPG", "IMG_2.JPG", "IMG_3.JPG"]

    page = admin_client_logged_in.get(response["Location"])
    assert page.status_code == 200
    assert "Alt text is required for every photo" in page.content.decode()

    data = describe_page_data(admin_client_logged_in, event) | {"cover": str(photos[2].pk)}
    for index, (photo, position) in enumerate(zip(photos, [3, 1, 2], strict=True)):
        data |= {
            f"attachments-{index}-id": str(photo.pk),
            f"attachments-{index}-position": str(position),
            f"attachments-{index}-alt_text": f"Photo {photo.original_name}",
            f"attachments-{index}-caption": "",
            f"attachments-{index}-credit": photo.credit,
            f"attachments-{index}-title": "",
            f"attachments-{index}-taken_at": "",
        }
    saved = admin_client_logged_in.post(response["Location"], data)

    assert saved.status_code == 302
    assert [p.original_name for p in event.attachments.order_by("position")] == ["IMG_2.JPG", "IMG_3.JPG", "IMG_1.JPG"]
    event.refresh_from_db()
    assert event.cover == photos[2]


def test_the_describe_page_refuses_a_photo_without_alt_text_and_says_why(admin_client_logged_in):
    event = EventFactory()
    post_files(admin_client_logged_in, event, SimpleUploadedFile("a.jpg", plain_jpeg(), "image/jpeg"))
    photo = event.attachments.get()
    data = describe_page_data(admin_client_logged_in, event) | {
        "attachments-0-id": str(photo.pk),
        "attachments-0-position": "0",
        "attachments-0-alt_text": "   ",
        "cover": "",
    }

    response = admin_client_logged_in.post(reverse("admin:events_event_photos", args=[event.pk]), data)

    assert response.status_code == 200
    assert response.context["formset"].errors[0]["alt_text"] == [
        "Describe the photo for readers who cannot see it; alt text is required for photos."
    ]


def test_upload_pages_need_the_right_to_change_the_event(client, django_user_model):
    event = EventFactory()
    user = django_user_model.objects.create_user("visitor", password="correct horse battery", is_staff=True)
    client.force_login(user)

    assert client.get(upload_page(event)).status_code == 403
    assert client.get(reverse("admin:events_event_photos", args=[event.pk])).status_code == 403


def test_upload_page_for_a_missing_event_is_404(admin_client_logged_in):
    assert admin_client_logged_in.get(reverse("admin:events_event_upload_photos", args=[999999])).status_code == 404


def test_attachment_admin_has_no_add_page_so_every_file_comes_through_the_checked_upload(
    admin_client_logged_in, settings
):
    event = EventFactory()
    response = admin_client_logged_in.post(
        reverse("admin:events_attachment_add"),
        {
            "event": event.pk,
            "kind": "photo",
            "file": SimpleUploadedFile("x.jpg", b"not an image at all" * 10),
            "alt_text": "Something",
            "position": 0,
        },
    )

    assert response.status_code == 403
    assert Attachment.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []
