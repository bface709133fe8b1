"""Issue 13, editorial rules: no write path around the workflow, no silent overwrite, reverts and restores
that follow the same rules as ordinary edits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attachment, AuditLogEntry, Event, Organization, Person
from events.services import releases
from tests.events.roles import user_in
from tests.events.test_workflow import edit_form_data
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
)
from tests.security.admin_forms import change_form_data, describe_page_data

pytestmark = pytest.mark.django_db

AUTHOR, EDITOR, PHOTO, ADMINISTRATOR = "Author", "Editor", "Photo and contacts staff", "Administrator"


def public_page(client, event) -> str:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def published(**fields) -> Event:
    past = timezone.now() - timedelta(days=1)
    return EventFactory(publish_at=past, first_published_at=past, **fields)


def attachment_change_data(photo, **overrides) -> dict:
    data = {
        "title": photo.title,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        "credit": photo.credit,
        "taken_at_0": "",
        "taken_at_1": "",
        "position": photo.position,
    }
    return data | overrides


# Finding 1: the Attachment admin bypassed the workflow ----------------------------------------------------------


@pytest.mark.parametrize("state", ["published", "in_review"])
def test_an_author_cannot_add_a_photo_to_a_release_beyond_draft_through_the_attachment_admin(client, state):
    event = published() if state == "published" else EventFactory(in_review=True)
    client.force_login(user_in(AUTHOR))

    response = client.post(
        reverse("admin:events_attachment_add"),
        {"event": event.pk, "kind": "photo", "caption": "ADDED-BY-author", "alt_text": "x", "position": 0},
    )

    assert response.status_code == 403
    assert not event.attachments.exists()
    if state == "published":
        assert "ADDED-BY-author" not in public_page(client, event)


def test_an_author_cannot_deface_the_caption_of_a_published_releases_photo(client):
    event = published()
    photo = PhotoFactory(event=event, caption="The delegations before the talks.")
    client.force_login(user_in(AUTHOR))

    response = client.post(
        reverse("admin:events_attachment_change", args=[photo.pk]),
        attachment_change_data(photo, caption="DEFACED"),
    )

    assert response.status_code == 403
    photo.refresh_from_db()
    assert photo.caption == "The delegations before the talks."
    assert "DEFACED" not in public_page(client, event)


def test_the_attachment_admin_shows_a_published_photo_to_an_author_read_only(client):
    photo = PhotoFactory(event=published())
    client.force_login(user_in(AUTHOR))

    page = client.get(reverse("admin:events_attachment_change", args=[photo.pk]))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="caption"' not in page.content.decode()


def test_an_authors_caption_change_on_their_draft_is_saved_and_audited(client):
    author = user_in(AUTHOR)
    photo = PhotoFactory(event=EventFactory(draft=True), caption="Old caption.")
    client.force_login(author)
    url = reverse("admin:events_attachment_change", args=[photo.pk])
    data = change_form_data(client.get(url)) | {"caption": "The heads of delegation shake hands."}

    response = client.post(url, data)

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "The heads of delegation shake hands."
    entry = AuditLogEntry.objects.get(action="events.attachment.changed")
    assert (entry.actor, entry.event, entry.data["fields"]) == (author, photo.event, ["caption"])
    assert entry.data["before"] == {"caption": "Old caption."}


def test_an_editor_may_correct_a_published_photos_caption_and_it_is_audited(client):
    editor = user_in(EDITOR)
    event = published()
    photo = PhotoFactory(event=event, caption="Misspelt captoin.")
    client.force_login(editor)
    url = reverse("admin:events_attachment_change", args=[photo.pk])

    response = client.post(url, change_form_data(client.get(url)) | {"caption": "Corrected caption."})

    assert response.status_code == 302
    assert "Corrected caption." in public_page(client, event)
    assert AuditLogEntry.objects.filter(action="events.attachment.changed", actor=editor, event=event).exists()


def test_photo_staff_cannot_delete_a_published_releases_photo_with_delete_selected(client):
    photo = PhotoFactory(event=published())
    client.force_login(user_in(PHOTO))

    response = client.post(
        reverse("admin:events_attachment_changelist"),
        {"action": "delete_selected", "_selected_action": [photo.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert Attachment.objects.filter(pk=photo.pk).exists()


def test_photo_staff_delete_a_drafts_photo_and_the_cover_leaves_through_the_history(client):
    staff = user_in(PHOTO)
    event = EventFactory(draft=True)
    photo = PhotoFactory(event=event)
    Event.objects.filter(pk=event.pk).update(cover=photo)
    client.force_login(staff)

    response = client.post(
        reverse("admin:events_attachment_changelist"),
        {"action": "delete_selected", "_selected_action": [photo.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=photo.pk).exists()
    event.refresh_from_db()
    assert event.cover_id is None
    assert event.history.order_by("-history_id").first().cover_id is None
    entry = AuditLogEntry.objects.get(action="events.attachment.deleted")
    assert (entry.actor, entry.event, entry.data["attachment"]) == (staff, event, photo.pk)


def test_the_upload_and_describe_pages_follow_the_same_rule_for_photo_staff(client):
    client.force_login(user_in(PHOTO))
    draft, out = EventFactory(draft=True), published()

    for event, expected in ((draft, 200), (out, 403)):
        assert client.get(reverse("admin:events_event_upload_photos", args=[event.pk])).status_code == expected
        assert client.get(reverse("admin:events_event_photos", args=[event.pk])).status_code == expected


# Finding 6: silent overwrites -----------------------------------------------------------------------------------


def test_a_stale_describe_page_is_refused_naming_the_caption_someone_else_changed(client):
    editor = user_in(EDITOR)
    event = EventFactory(draft=True)
    photo = PhotoFactory(event=event, caption="First caption.", alt_text="Two delegations.")
    client.force_login(editor)
    stale = describe_page_data(client, event)
    Attachment.objects.filter(pk=photo.pk).update(caption="Caption by the other editor.")

    response = client.post(
        reverse("admin:events_event_photos", args=[event.pk]),
        stale | {"attachments-0-alt_text": "My better alt text."},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed these photos and documents while you were editing them." in html
    assert "Caption: now “Caption by the other editor.”" in html
    assert "My better alt text." in html  # the editor's own input is still in the form
    photo.refresh_from_db()
    assert (photo.caption, photo.alt_text) == ("Caption by the other editor.", "Two delegations.")


def test_after_the_describe_conflict_saving_again_replaces_the_other_editors_values(client):
    editor = user_in(EDITOR)
    event = EventFactory(draft=True)
    photo = PhotoFactory(event=event, caption="First caption.")
    client.force_login(editor)
    stale = describe_page_data(client, event)
    Attachment.objects.filter(pk=photo.pk).update(caption="Theirs.")
    url = reverse("admin:events_event_photos", args=[event.pk])
    refused = client.post(url, stale | {"attachments-0-caption": "Mine."})
    resent = {key: refused.context["formset"].data[key] for key in refused.context["formset"].data}

    response = client.post(url, resent | {"cover_seen": refused.context["cover_seen"]})

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "Mine."


def test_a_stale_describe_page_does_not_put_back_a_cover_someone_else_chose(client):
    editor = user_in(EDITOR)
    event = EventFactory(draft=True)
    first, second = PhotoFactory(event=event), PhotoFactory(event=event, original_name="IMG_2.JPG")
    client.force_login(editor)
    stale = describe_page_data(client, event) | {"cover": str(first.pk)}
    Event.objects.filter(pk=event.pk).update(cover=second)

    response = client.post(reverse("admin:events_event_photos", args=[event.pk]), stale)

    assert response.status_code == 200
    assert "Cover photo: now" in response.content.decode()
    event.refresh_from_db()
    assert event.cover == second


def test_choosing_the_cover_on_the_describe_page_is_a_revision_in_the_releases_history(client):
    editor = user_in(EDITOR)
    event = EventFactory(draft=True)
    photo = PhotoFactory(event=event)
    version = Event.objects.get(pk=event.pk).version
    client.force_login(editor)

    response = client.post(
        reverse("admin:events_event_photos", args=[event.pk]),
        describe_page_data(client, event) | {"cover": str(photo.pk)},
    )

    assert response.status_code == 302
    latest = event.history.order_by("-history_id").first()
    assert (latest.cover_id, latest.version, latest.history_user) == (photo.pk, version + 1, editor)


def test_a_release_form_opened_before_a_cover_change_is_refused_instead_of_restoring_the_old_cover(client):
    editor, other = user_in(EDITOR), user_in(EDITOR, "other-editor")
    event = EventFactory(draft=True)
    photo = PhotoFactory(event=event, original_name="IMG_7.JPG")
    client.force_login(editor)
    stale = edit_form_data(event, title="My better title")
    colleague = client.__class__()
    colleague.force_login(other)
    chosen = colleague.post(
        reverse("admin:events_event_photos", args=[event.pk]),
        describe_page_data(colleague, event) | {"cover": str(photo.pk)},
    )
    assert chosen.status_code == 302

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), stale)

    assert response.status_code == 200
    assert "Cover photo: “IMG_7.JPG”" in response.content.decode()
    event.refresh_from_db()
    assert event.cover == photo
    assert event.title != "My better title"


def test_the_release_conflict_list_names_only_what_really_changed(client):
    author, editor = user_in(AUTHOR), user_in(EDITOR)
    # Stored with microseconds, as releases made outside the form are; the form keeps whole seconds only.
    event = EventFactory(draft=True, starts_at=timezone.now().replace(second=12, microsecond=345678))
    opened_at = event.version
    first, second = client, client.__class__()
    first.force_login(author)
    second.force_login(editor)
    url = reverse("admin:events_event_change", args=[event.pk])
    assert first.post(url, edit_form_data(event, title="Author's title")).status_code == 302

    response = second.post(url, edit_form_data(event, lead="Editor's lead.", expected_version=opened_at))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Title: “Author&#x27;s title”" in html
    assert "Starts at: “" not in html


@pytest.mark.parametrize("model", ["person", "organization", "section"])
def test_a_stale_directory_form_is_refused_naming_what_someone_else_changed(client, model):
    staff = user_in(ADMINISTRATOR, "office-admin")
    row = {"person": PersonFactory, "organization": OrganizationFactory, "section": SectionFactory}[model]()
    client.force_login(staff)
    url = reverse(f"admin:events_{model}_change", args=[row.pk])
    stale = change_form_data(client.get(url))
    type(row).objects.filter(pk=row.pk).update(name="Name saved by a colleague")

    response = client.post(url, stale | {"description" if model != "person" else "position": "My own addition"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this entry while you were editing it." in html
    assert "Name: “Name saved by a colleague”" in html
    assert "My own addition" in html
    row.refresh_from_db()
    assert row.name == "Name saved by a colleague"


def test_after_the_directory_conflict_saving_again_goes_through_deliberately(client):
    client.force_login(user_in(ADMINISTRATOR, "office-admin"))
    person = PersonFactory(position="Spokesperson")
    url = reverse("admin:events_person_change", args=[person.pk])
    stale = change_form_data(client.get(url))
    Person.objects.filter(pk=person.pk).update(position="Press Secretary")
    refused = client.post(url, stale | {"position": "Chief Spokesperson"})
    renewed = refused.context["adminform"].form.data["seen_state"]

    response = client.post(url, stale | {"position": "Chief Spokesperson", "seen_state": renewed})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "Chief Spokesperson"


def test_a_phone_number_changed_by_someone_else_also_stops_a_stale_person_form(client):
    client.force_login(user_in(PHOTO))
    person = PersonFactory()
    url = reverse("admin:events_person_change", args=[person.pk])
    stale = change_form_data(client.get(url))
    person.phones.create(number="+74951234567", position=0)

    response = client.post(url, stale | {"position": "Press Secretary"})

    assert response.status_code == 200
    assert "Phone numbers:" in response.content.decode()
    assert Person.objects.get(pk=person.pk).position != "Press Secretary"


def test_directory_forms_without_their_version_are_refused_not_saved(client):
    client.force_login(user_in(ADMINISTRATOR, "office-admin"))
    organization = OrganizationFactory(name="Old name")
    url = reverse("admin:events_organization_change", args=[organization.pk])
    data = change_form_data(client.get(url)) | {"name": "New name", "seen_state": "garbage"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The form was missing its version" in response.content.decode()
    assert Organization.objects.get(pk=organization.pk).name == "Old name"


# Finding 10: revert and trash restore ----------------------------------------------------------------------------


def test_reverting_a_published_release_without_a_change_note_is_refused(client):
    editor = user_in(EDITOR)
    event = published(title="First wording")
    releases.event_save(event=event, user=editor, minor_change=True)
    first = event.history.order_by("history_id").first()
    Event.objects.filter(pk=event.pk).update(title="Second wording")
    client.force_login(editor)

    response = client.post(reverse("admin:events_event_revert", args=[event.pk, first.pk]), {})

    assert response.status_code == 200
    assert "describe the change, or tick “Minor change”" in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == "Second wording"


def test_reverting_a_published_release_with_a_note_shows_the_updated_line_to_readers(client):
    editor = user_in(EDITOR)
    event = published(title="First wording")
    first = event.history.order_by("history_id").first()
    event.title = "Wrong wording"
    releases.event_save(event=event, user=editor, minor_change=True)
    client.force_login(editor)

    response = client.post(
        reverse("admin:events_event_revert", args=[event.pk, first.pk]),
        {"change_note": "Restored the agreed wording"},
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.public_update_note) == ("First wording", "Restored the agreed wording")
    html = public_page(client, event)
    assert "Restored the agreed wording" in html
    entry = AuditLogEntry.objects.get(action="events.event.reverted")
    assert entry.note == "Restored the agreed wording"


def test_a_minor_revert_of_a_published_release_goes_through_without_a_public_line(client):
    editor = user_in(EDITOR)
    event = published(title="First wording")
    first = event.history.order_by("history_id").first()
    event.title = "Frist wording"
    releases.event_save(event=event, user=editor, minor_change=True)
    client.force_login(editor)

    response = client.post(reverse("admin:events_event_revert", args=[event.pk, first.pk]), {"minor_change": "on"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.public_update_note) == ("First wording", "")


@pytest.mark.parametrize(("role", "expected"), [(AUTHOR, 403), (PHOTO, 403), (EDITOR, 200), (ADMINISTRATOR, 200)])
def test_only_editors_and_administrators_open_the_trash(client, role, expected):
    client.force_login(user_in(role))

    assert client.get(reverse("trash")).status_code == expected


def deleted_by_an_administrator(client, event) -> None:
    client.force_login(user_in(ADMINISTRATOR, "office-admin"))
    response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302


def test_an_author_cannot_restore_a_deleted_release(client):
    event = EventFactory(title="Deleted on purpose")
    deleted_by_an_administrator(client, event)
    record = Event.history.get(id=event.pk, history_type="-")
    client.force_login(user_in(AUTHOR))

    response = client.post(reverse("trash"), {"history_id": record.history_id})

    assert response.status_code == 403
    assert not Event.objects.filter(pk=event.pk).exists()


def test_an_editor_restores_a_deleted_release_as_a_draft(client):
    event = EventFactory(title="Deleted by mistake")
    deleted_by_an_administrator(client, event)
    record = Event.history.get(id=event.pk, history_type="-")
    client.force_login(user_in(EDITOR))

    response = client.post(reverse("trash"), {"history_id": record.history_id})

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).status == Event.Status.DRAFT


def test_deleting_a_release_in_the_admin_is_in_the_audit_log(client):
    administrator = user_in(ADMINISTRATOR, "office-admin")
    event = EventFactory(title="Statement to delete")
    client.force_login(administrator)

    response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})

    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="events.event.deleted")
    assert (entry.actor, entry.object_repr, entry.data["event"]) == (administrator, "Statement to delete", event.pk)
    assert Event.history.filter(id=event.pk, history_type="-").exists()
