"""A release deleted by accident comes back whole from the trash: photos with their files, documents, people,
press contacts and organisations; the files stay while it is in the trash and go when the entry expires."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events.media.services import attachments_upload
from events.media.stored import stored_names
from events.models import Attachment, AuditLogEntry, Event, Person, TrashedEventContent
from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    PressContactFactory,
    photo_shared_with_translation,
)

pytestmark = pytest.mark.django_db


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def pdf_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, "PDF")
    return buffer.getvalue()


@pytest.fixture
def release(superuser):
    """A published release with two described photos (the second one the cover), a document, two
    participants, two press contacts (in a chosen order) and an organisation."""
    event = EventFactory(title="Summit of the member states")
    first, second, document = attachments_upload(
        event=event,
        user=superuser,
        files=[
            SimpleUploadedFile("IMG_0001.JPG", camera_jpeg()),
            SimpleUploadedFile("IMG_0002.JPG", plain_jpeg()),
            SimpleUploadedFile("Joint_statement.pdf", pdf_bytes()),
        ],
    )
    first.caption, first.credit, first.alt_text = "Delegations arrive.", "Press Office / I. F.", "Cars at a gate."
    second.caption, second.credit, second.alt_text = "The signing.", "Pool photo", "Two ministers sign a paper."
    first.save()
    second.save()
    event.refresh_from_db()
    event.cover = second
    event.organizations.add(OrganizationFactory(name="Council of Ministers"))
    event.save()
    EventParticipantFactory(event=event, person=PersonFactory(name="Anna Petrova"), position=0)
    EventParticipantFactory(event=event, person=PersonFactory(name="Boris Ivanov"), position=1)
    EventPressContactFactory(event=event, person=PressContactFactory(name="Zoe Press"), position=0)
    EventPressContactFactory(event=event, person=PressContactFactory(name="Adam Media"), position=1)
    return event


def delete_in_admin(client, event, capture):
    """Delete through the admin's confirmation page and run what waits for the commit (the file clean-up)."""
    with capture(execute=True):
        response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()
    return Event.history.filter(id=event.pk, history_type="-").latest("history_id")


def restore_in_admin(client, record, capture):
    with capture(execute=True):
        response = client.post(reverse("trash"), {"history_id": record.history_id})
    assert response.status_code == 302, response
    assert response["Location"] == reverse("admin:events_event_change", args=[record.id])
    return response


def last_message(response):
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def attachment_facts(event):
    return [
        (a.pk, a.kind, a.file.name, a.sha256, a.renditions, a.caption, a.credit, a.alt_text, a.title, a.position)
        for a in Attachment.objects.filter(event=event).order_by("position", "pk")
    ]


def readable(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_a_release_deleted_in_the_admin_comes_back_whole(
    admin_client_logged_in, superuser, release, settings, django_capture_on_commit_callbacks
):
    before = attachment_facts(release)
    files_before = files_under(settings.MEDIA_ROOT)
    cover_id = release.cover_id

    record = delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    assert Attachment.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == files_before
    response = restore_in_admin(admin_client_logged_in, record, django_capture_on_commit_callbacks)

    restored = Event.objects.get(pk=release.pk)
    assert restored.status == Event.Status.DRAFT
    assert restored.publish_at is None
    assert attachment_facts(restored) == before
    assert [(a.caption, a.credit, a.alt_text) for a in restored.attachments.filter(kind="photo")] == [
        ("Delegations arrive.", "Press Office / I. F.", "Cars at a gate."),
        ("The signing.", "Pool photo", "Two ministers sign a paper."),
    ]
    assert restored.cover_id == cover_id
    assert restored.cover.caption == "The signing."
    for photo in restored.attachments.filter(kind="photo"):
        assert len(stored_names(photo)) == 9
        for name in stored_names(photo):
            data = readable(name)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
    [document] = restored.attachments.filter(kind="document")
    assert readable(document.file.name).startswith(b"%PDF")
    assert files_under(settings.MEDIA_ROOT) == files_before
    assert [link.person.name for link in restored.participant_links.order_by("position")] == [
        "Anna Petrova",
        "Boris Ivanov",
    ]
    assert [link.person.name for link in restored.press_contact_links.all()] == ["Zoe Press", "Adam Media"]
    assert [org.name for org in restored.organizations.all()] == ["Council of Ministers"]
    assert TrashedEventContent.objects.count() == 0
    assert last_message(response) == "“Summit of the member states” was restored as a draft."
    entry = AuditLogEntry.objects.get(action="events.event.restored")
    assert (entry.actor, entry.event) == (superuser, restored)
    assert entry.data["attachments"] == 3
    assert entry.data["people"] == 4
    assert entry.data["people_skipped"] == 0


def test_people_and_organisations_deleted_meanwhile_are_left_out_and_the_editor_is_told(
    admin_client_logged_in, release, django_capture_on_commit_callbacks
):
    record = delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    Person.objects.filter(name="Boris Ivanov").delete()
    Person.objects.filter(name="Zoe Press").update(is_press_contact=False)
    release.organizations.model.objects.filter(name="Council of Ministers").delete()

    response = restore_in_admin(admin_client_logged_in, record, django_capture_on_commit_callbacks)

    restored = Event.objects.get(pk=release.pk)
    assert [link.person.name for link in restored.participant_links.all()] == ["Anna Petrova"]
    assert [link.person.name for link in restored.press_contact_links.all()] == ["Adam Media"]
    assert not restored.organizations.exists()
    assert restored.attachments.count() == 3
    assert last_message(response) == (
        "“Summit of the member states” was restored as a draft. "
        "2 linked people were deleted since (or are no longer press contacts) and were left out. "
        "1 linked organisation was deleted since and was left out."
    )


def test_files_stay_while_in_the_trash_and_go_when_the_entry_expires(
    admin_client_logged_in, superuser, release, settings, django_capture_on_commit_callbacks, capsys
):
    settings.CSO_TRASH_DAYS = 30
    other = PhotoFactory()
    everything = files_under(settings.MEDIA_ROOT)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)

    with time_machine.travel(start + timedelta(days=29), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge_trash")
    assert "Purged 0 trash entries" in capsys.readouterr().out
    assert files_under(settings.MEDIA_ROOT) == everything
    assert TrashedEventContent.objects.count() == 1

    with time_machine.travel(start + timedelta(days=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge_trash")
    assert "Purged 1 trash entry older than 30 days (3 attachment(s)" in capsys.readouterr().out
    assert files_under(settings.MEDIA_ROOT) == sorted(stored_names(other))
    assert TrashedEventContent.objects.count() == 0


def test_the_orphan_report_does_not_offer_files_kept_in_the_trash(
    admin_client_logged_in, release, settings, django_capture_on_commit_callbacks, capsys
):
    delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    kept = files_under(settings.MEDIA_ROOT)

    call_command("find_orphan_files", "--min-age-minutes", "0", "--delete")

    assert capsys.readouterr().out.splitlines() == ["Deleted 0 orphaned file(s)."]
    assert files_under(settings.MEDIA_ROOT) == kept


def test_an_attachment_deleted_on_its_own_still_loses_its_files_at_once(
    admin_client_logged_in, release, settings, django_capture_on_commit_callbacks
):
    trashed = EventFactory()
    PhotoFactory(event=trashed)
    delete_in_admin(admin_client_logged_in, trashed, django_capture_on_commit_callbacks)
    photo = release.attachments.filter(kind="photo").first()
    names = stored_names(photo)
    assert names <= set(files_under(settings.MEDIA_ROOT))

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert not names & set(files_under(settings.MEDIA_ROOT))


def test_files_shared_with_a_translation_stay_while_the_original_is_in_the_trash(
    admin_client_logged_in, settings, django_capture_on_commit_callbacks
):
    photo = PhotoFactory()
    copy = photo_shared_with_translation(photo)
    shared = sorted(stored_names(photo))
    record = delete_in_admin(admin_client_logged_in, photo.event, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        copy.delete()
    assert files_under(settings.MEDIA_ROOT) == shared

    restore_in_admin(admin_client_logged_in, record, django_capture_on_commit_callbacks)
    assert Attachment.objects.get(pk=photo.pk).file.name == photo.file.name


def test_a_failed_restore_keeps_the_entry_and_a_restored_release_can_be_trashed_again(
    admin_client_logged_in, release, settings, django_capture_on_commit_callbacks
):
    files = files_under(settings.MEDIA_ROOT)
    record = delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    clash = EventFactory(slug=release.slug)

    response = admin_client_logged_in.post(reverse("trash"), {"history_id": record.history_id}, follow=True)
    assert "Could not restore" in response.content.decode()
    assert TrashedEventContent.objects.filter(history_id=record.history_id).exists()

    clash.delete()
    restore_in_admin(admin_client_logged_in, record, django_capture_on_commit_callbacks)
    again = delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    restore_in_admin(admin_client_logged_in, again, django_capture_on_commit_callbacks)

    assert Event.objects.get(pk=release.pk).attachments.count() == 3
    assert files_under(settings.MEDIA_ROOT) == files


def test_clearing_the_deletion_record_from_history_takes_the_kept_files_with_it(
    admin_client_logged_in, release, settings, django_capture_on_commit_callbacks
):
    record = delete_in_admin(admin_client_logged_in, release, django_capture_on_commit_callbacks)
    assert TrashedEventContent.objects.filter(history_id=record.history_id).exists()

    with django_capture_on_commit_callbacks(execute=True):
        Event.history.filter(id=release.pk).delete()

    assert not TrashedEventContent.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
