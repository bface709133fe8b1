"""Editors' work while the broker is down (found by the several app servers drill, scripts/multi_server_drill.py,
where publishing a release again through the admin while Redis was stopped answered 500).

A press-kit build that cannot be sent after a committed change: Django's robust on-commit handling names the
failing hook by its ``__qualname__``, which the kit hook (an object) lacks, so the AttributeError turned the
committed save into an error page and dropped every after-commit hook queued behind it. A photo upload sent its
processing task in a hook that was not robust at all: the stored upload answered 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from events.media import kits, uploads
from events.models import Attachment, Event
from events.page_cache import content_version
from events.services import releases
from tests.events.media_samples import plain_jpeg
from tests.events.roles import user_in
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the after-commit hooks run as in production


def broker_down(event_id: int) -> None:
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_kit_build_that_cannot_be_sent_leaves_the_commit_and_the_hooks_after_it_alone(monkeypatch, caplog):
    monkeypatch.setattr(kits, "send_kit_build", broker_down)
    ran = []
    with transaction.atomic():
        kits.kit_build_after_commit(1)
        kits.kit_build_after_commit(2)
        transaction.on_commit(lambda: ran.append("the next hook"))
    assert ran == ["the next hook"]
    # Each release's build was tried and its failure logged (the zip download asks again later).
    assert [record.getMessage() for record in caplog.records if record.name == kits.logger.name] == [
        "The press kit build of release 1 could not be sent; it is asked for again when its zip is downloaded.",
        "The press kit build of release 2 could not be sent; it is asked for again when its zip is downloaded.",
    ]


def test_an_editor_publishes_again_through_the_admin_while_the_broker_is_down(client, monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(kits, "send_kit_build", broker_down)
    editor = user_in("Editor")
    event = EventFactory(status=Event.Status.PUBLISHED)
    releases.event_withdraw(event=event, user=editor, reason="Wrong date")
    before = content_version()
    client.force_login(editor)
    response = client.post(reverse("admin:events_event_transition", args=[event.pk, "republish"]), {"note": ""})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert content_version() != before  # every server's cached pages are renewed


def test_a_photo_uploaded_while_the_broker_is_down_is_stored_and_left_to_the_sweep(client, monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(kits, "send_kit_build", broker_down)
    monkeypatch.setattr(uploads, "send_render_photo", lambda pk, **kwargs: broker_down(pk))
    editor = user_in("Editor")
    event = EventFactory()
    client.force_login(editor)
    response = client.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]),
        {"files": SimpleUploadedFile("IMG_0001.JPG", plain_jpeg(), content_type="image/jpeg")},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    [photo] = response.json()["files"]
    # Stored and waiting: maintenance.sweep_unfinished_uploads sends it again once the broker is back.
    assert Attachment.objects.get(pk=photo["id"]).state == Attachment.State.PROCESSING
