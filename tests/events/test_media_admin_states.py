"""The admin's side of the photo pipeline: the per-file JSON upload, the states endpoint, the state cells on the
describe page and the release's change page, and "Try again" (issue 15, point 2)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.media import uploads
from events.media.services import render_photo
from events.models import Attachment
from tests.events.media_samples import plain_jpeg
from tests.events.roles import user_in
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

AUTHOR = "Author"


@pytest.fixture
def queued(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(uploads, "send_render_photo", lambda pk, **kwargs: sent.append(pk))
    return sent


def json_upload(client, event, *files):
    return client.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]),
        {"files": list(files)},
        headers={"Accept": "application/json"},
    )


def test_one_file_per_request_answers_json_with_its_id_name_and_state(
    admin_client_logged_in, queued, django_capture_on_commit_callbacks
):
    event = EventFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = json_upload(admin_client_logged_in, event, SimpleUploadedFile("IMG_1.JPG", plain_jpeg()))

    photo = Attachment.objects.get()
    assert response.status_code == 200
    # The release editor's photo cards read the rest: what to show in the card until the photo is ready.
    assert response.json() == {
        "files": [
            {
                "id": photo.pk, "name": "IMG_1.JPG", "state": "processing", "error": "", "thumbnail": "",
                "width": None, "height": None, "kind": "photo", "caption": "", "credit": "", "alt_text": "",
                "size": photo.size, "seen_state": response.json()["files"][0]["seen_state"],
            }
        ],
        "errors": [],
    }  # fmt: skip
    assert queued == [photo.pk]


def test_a_refused_file_answers_400_with_the_reason_naming_it(admin_client_logged_in, settings):
    event = EventFactory()

    response = json_upload(admin_client_logged_in, event, SimpleUploadedFile("notes.jpg", b"plain text\n" * 20))

    assert response.status_code == 400
    [message] = response.json()["errors"]
    assert message.startswith("“notes.jpg” was not accepted: its content is not a JPEG, PNG or WebP image")
    assert response.json()["files"] == []
    assert not Attachment.objects.exists()


def test_no_file_answers_400_not_500(admin_client_logged_in):
    response = json_upload(admin_client_logged_in, EventFactory())

    assert response.status_code == 400
    assert response.json()["errors"]


def test_states_follow_processing_and_the_pages_show_them(
    admin_client_logged_in, queued, django_capture_on_commit_callbacks
):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        json_upload(admin_client_logged_in, event, SimpleUploadedFile("IMG_1.JPG", plain_jpeg()))
        data = plain_jpeg(800, 600)
        json_upload(admin_client_logged_in, event, SimpleUploadedFile("CUT.JPG", data[: len(data) // 2]))
    good, bad = Attachment.objects.order_by("pk")
    states_url = reverse("admin:events_event_photo_states", args=[event.pk])
    assert states_url == f"/admin/events/event/{event.pk}/photos/states/"

    answer = admin_client_logged_in.get(states_url).json()
    assert answer == {
        "photos": [
            {"id": good.pk, "name": "IMG_1.JPG", "state": "processing", "error": "", "thumbnail": "", "width": None,
             "height": None},
            {"id": bad.pk, "name": "CUT.JPG", "state": "processing", "error": "", "thumbnail": "", "width": None,
             "height": None},
        ]
    }  # fmt: skip
    describe = admin_client_logged_in.get(reverse("admin:events_event_photos", args=[event.pk])).content.decode()
    assert describe.count("Processing…") == 2
    assert "cso_media/photo_states.js" in describe
    change = admin_client_logged_in.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert change.count(">Processing…</span>") == 2  # the two cards (the script's label for new ones aside)
    assert "cso_media/photo_states.js" in change

    with django_capture_on_commit_callbacks(execute=True):
        render_photo(attachment_id=good.pk)
        render_photo(attachment_id=bad.pk)

    good.refresh_from_db()
    photos = {item["id"]: item for item in admin_client_logged_in.get(states_url).json()["photos"]}
    assert photos[good.pk]["state"] == "ready"
    assert (
        photos[good.pk]["thumbnail"] == f"/files/{good.pk}/thumb-jpeg/{good.renditions['thumb']['jpeg'].split('/')[-1]}"
    )
    assert admin_client_logged_in.get(photos[good.pk]["thumbnail"]).status_code == 200
    assert photos[bad.pk]["state"] == "failed"
    assert photos[bad.pk]["error"].startswith("“CUT.JPG” was not accepted: the image is damaged or incomplete")
    describe = admin_client_logged_in.get(reverse("admin:events_event_photos", args=[event.pk])).content.decode()
    assert "Failed: “CUT.JPG” was not accepted" in describe
    assert f'form="cso-retry-{bad.pk}"' in describe and f'id="cso-retry-{bad.pk}"' in describe

    retry_url = reverse("admin:events_event_photo_retry", args=[event.pk, bad.pk])
    assert admin_client_logged_in.get(retry_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(retry_url)
    assert response.status_code == 302
    bad.refresh_from_db()
    assert bad.state == Attachment.State.PROCESSING
    assert queued[-1] == bad.pk


def test_the_states_follow_the_release_rule(client, queued, django_capture_on_commit_callbacks):
    event = EventFactory()  # published: an author may no longer change its photos
    client.force_login(user_in(AUTHOR))

    assert client.get(reverse("admin:events_event_photo_states", args=[event.pk])).status_code == 403
    response = json_upload(client, event, SimpleUploadedFile("IMG_1.JPG", plain_jpeg()))
    assert response.status_code == 403
    assert not Attachment.objects.exists()
    assert client.get(reverse("admin:events_event_photo_states", args=[999999])).status_code == 404
