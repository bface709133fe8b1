"""The one-page release editor on the server: dates typed in the release's time zone, "All day" without a
time, people and contacts in order, photo cards saved with the release, files chosen on the add page, and the
quick-add endpoint of the dialog."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Attachment, Event, Organization, Person
from tests.events.roles import user_in
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
    UserFactory,
    make_jpeg_bytes,
)

pytestmark = pytest.mark.django_db

ADD = "admin:events_event_add"


def form_data(section, **values):
    """What the add page sends for a plain release (no photos)."""
    data = {
        "title": "Ministers agree on water cooperation",
        "slug": "ministers-agree-on-water-cooperation",
        "section": str(section.pk),
        "kind": "press_release",
        "language": "en",
        "starts_at_0": "2030-05-04",
        "starts_at_1": "11:00",
        "ends_at_0": "",
        "ends_at_1": "",
        "time_zone": "UTC",
        "location": "Geneva",
        "lead": "The ministers met.",
        "body": "<p>Talks.</p>",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "0",
        "_continue": "1",
    }
    data.update(values)
    return data


@pytest.fixture
def editor_client(client):
    editor = user_in("Editor", "editor")
    client.force_login(editor)
    return client


@pytest.fixture
def section():
    return SectionFactory(name="Summits", slug="summits")


def created():
    return Event.objects.get(slug="ministers-agree-on-water-cooperation")


def test_an_all_day_release_saves_with_a_date_alone_at_the_start_of_that_day_in_its_time_zone(editor_client, section):
    data = form_data(section, all_day="on", starts_at_1="", time_zone="Europe/Moscow")

    response = editor_client.post(reverse(ADD), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = created()
    assert event.all_day is True
    assert event.starts_at == datetime(2030, 5, 3, 21, 0, tzinfo=UTC)  # 4 May 00:00 in Moscow
    assert event.ends_at is None


def test_a_release_that_is_not_all_day_asks_for_its_time_with_a_clear_message(editor_client, section):
    response = editor_client.post(reverse(ADD), form_data(section, starts_at_1=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == ["Enter a time, or tick “All day”."]
    assert not Event.objects.filter(slug="ministers-agree-on-water-cooperation").exists()
    assert "Ministers agree on water cooperation" in response.content.decode()  # the editor's input is kept


def test_times_are_typed_in_the_release_time_zone_and_shown_back_in_it(editor_client, section):
    data = form_data(section, time_zone="Europe/Moscow", ends_at_0="2030-05-04", ends_at_1="13:30")

    editor_client.post(reverse(ADD), data)

    event = created()
    assert event.time_zone == "Europe/Moscow"
    assert event.starts_at == datetime(2030, 5, 4, 8, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 5, 4, 10, 30, tzinfo=UTC)
    page = editor_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'name="starts_at_1" value="11:00"' in page
    assert 'name="ends_at_1" value="13:30"' in page


def test_the_time_zone_defaults_to_the_site_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    assert Event().time_zone == "UTC"
    assert EventFactory().time_zone == "UTC"


def test_an_unknown_time_zone_is_refused_on_the_form(editor_client, section):
    response = editor_client.post(reverse(ADD), form_data(section, time_zone="Mars/Olympus_Mons"))

    assert response.status_code == 200
    assert "time_zone" in response.context["adminform"].form.errors


def test_people_and_contacts_are_saved_in_the_order_given_and_reordered_on_change(editor_client, section):
    first, second = PersonFactory(name="Viktor Ivanov"), PersonFactory(name="Anna Petrova")
    contact = PressContactFactory(name="Olga Smirnova")
    data = form_data(section, people=[str(second.pk), str(first.pk)], contacts=[str(contact.pk)])

    editor_client.post(reverse(ADD), data)

    event = created()
    assert [link.person.name for link in event.participant_links.order_by("position")] == [
        "Anna Petrova",
        "Viktor Ivanov",
    ]
    assert [link.position for link in event.participant_links.order_by("position")] == [0, 1]
    assert [person.name for person in event.press_contacts.all()] == ["Olga Smirnova"]

    change = form_data(
        section, people=[str(first.pk), str(second.pk)], contacts=[str(contact.pk)], expected_version=str(event.version)
    )
    response = editor_client.post(reverse("admin:events_event_change", args=[event.pk]), change)

    assert response.status_code == 302
    assert [link.person.name for link in event.participant_links.order_by("position")] == [
        "Viktor Ivanov",
        "Anna Petrova",
    ]


def test_a_person_who_is_not_a_press_contact_cannot_be_a_contact(editor_client, section):
    plain = PersonFactory(name="Not A Contact")

    response = editor_client.post(reverse(ADD), form_data(section, contacts=[str(plain.pk)]))

    assert response.status_code == 200
    assert "contacts" in response.context["adminform"].form.errors


def test_an_author_sees_a_release_in_review_read_only_people_and_photo_cards_included(client, section):
    event = EventFactory(section=section, status=Event.Status.IN_REVIEW, publish_at=None)
    EventParticipantFactory(event=event, person=PersonFactory(name="Viktor Ivanov"))
    PhotoFactory(event=event, caption="Delegations before the talks.")
    client.force_login(user_in("Author", "author"))

    response = client.get(reverse("admin:events_event_change", args=[event.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="people"' not in page and "Viktor Ivanov" in page
    assert 'name="attachments-0-caption"' not in page and "Delegations before the talks." in page
    assert 'id="cso-files"' not in page


def opened_cards(client, event) -> dict:
    """The change page's photo cards as the browser sends them back untouched, keyed by form field name."""
    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    formset = next(item.formset for item in page.context["inline_admin_formsets"] if item.formset.model is Attachment)
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
    }
    for form in formset.forms:
        for name in ("id", "event", "position", "caption", "credit", "alt_text", "seen_state"):
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def change_data(client, event, **values):
    return form_data(
        event.section,
        title=event.title,
        slug=event.slug,
        expected_version=str(event.version),
        **opened_cards(client, event),
        **values,
    )


def card_index(data, photo) -> int:
    return next(int(key.split("-")[1]) for key, value in data.items() if key.endswith("-id") and value == str(photo.pk))


def test_photo_cards_save_with_the_release_caption_alt_cover_order_and_removal(editor_client, section):
    event = EventFactory(section=section, draft=True)
    first = PhotoFactory(event=event, position=0, original_name="first.jpg")
    second = PhotoFactory(event=event, position=1, original_name="second.jpg")
    gone = PhotoFactory(event=event, position=2, original_name="gone.jpg")
    data = change_data(editor_client, event, cover=str(second.pk))
    data[f"attachments-{card_index(data, second)}-position"] = "0"
    data[f"attachments-{card_index(data, second)}-caption"] = "Second, now first."
    data[f"attachments-{card_index(data, first)}-position"] = "1"
    data[f"attachments-{card_index(data, gone)}-DELETE"] = "on"

    response = editor_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    event.refresh_from_db()
    assert event.cover_id == second.pk
    assert list(event.attachments.order_by("position").values_list("original_name", "caption")) == [
        ("second.jpg", "Second, now first."),
        ("first.jpg", first.caption),
    ]


def test_a_card_the_editor_did_not_touch_keeps_what_someone_else_saved_meanwhile(editor_client, section):
    event = EventFactory(section=section, draft=True)
    photo = PhotoFactory(event=event, caption="Old caption")
    data = change_data(editor_client, event, lead="A better lead.")
    Attachment.objects.filter(pk=photo.pk).update(caption="Caption from the photo desk")

    response = editor_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    photo.refresh_from_db()
    assert photo.caption == "Caption from the photo desk"


def test_a_touched_card_changed_by_someone_else_meanwhile_is_refused_and_the_input_kept(editor_client, section):
    event = EventFactory(section=section, draft=True)
    photo = PhotoFactory(event=event, caption="Old caption")
    data = change_data(editor_client, event)
    data[f"attachments-{card_index(data, photo)}-caption"] = "My caption"
    Attachment.objects.filter(pk=photo.pk).update(caption="Caption from the photo desk")

    response = editor_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this entry while you were editing it" in page
    assert "My caption" in page
    photo.refresh_from_db()
    assert photo.caption == "Caption from the photo desk"


def test_a_changed_photo_card_needs_its_alt_text(editor_client, section):
    event = EventFactory(section=section, draft=True)
    photo = PhotoFactory(event=event)
    data = change_data(editor_client, event)
    data[f"attachments-{card_index(data, photo)}-caption"] = "New caption"
    data[f"attachments-{card_index(data, photo)}-alt_text"] = "  "

    response = editor_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    assert "alt text is required for photos" in response.content.decode()
    photo.refresh_from_db()
    assert photo.caption != "New caption"


def test_files_chosen_on_the_add_page_are_stored_with_their_captions_alt_text_and_lead_image(editor_client, section):
    files = [
        SimpleUploadedFile(f"photo-{n}.jpg", make_jpeg_bytes(color=color), content_type="image/jpeg")
        for n, color in enumerate(["#112233", "#445566"])
    ]
    data = form_data(
        section,
        new_photos=files,
        new_caption=["First caption", ""],
        new_credit=["", "Agency"],
        new_alt=["A first photo", "A second photo"],
        new_cover="1",
    )

    response = editor_client.post(reverse(ADD), data)

    assert response.status_code == 302
    event = created()
    photos = list(event.attachments.order_by("position"))
    assert [(p.original_name, p.caption, p.credit, p.alt_text) for p in photos] == [
        ("photo-0.jpg", "First caption", "", "A first photo"),
        ("photo-1.jpg", "", "Agency", "A second photo"),
    ]
    assert all(photo.state == Attachment.State.READY for photo in photos)  # tasks run eagerly in tests
    assert event.cover_id == photos[1].pk


def test_a_refused_file_on_the_add_page_leaves_the_release_saved_and_says_why(editor_client, section):
    bad = SimpleUploadedFile("notes.jpg", b"not a picture at all", content_type="image/jpeg")

    response = editor_client.post(reverse(ADD), form_data(section, new_photos=[bad]), follow=True)

    assert created().attachments.count() == 0
    assert any("notes.jpg" in str(message) for message in response.context["messages"])


def test_every_editor_input_has_a_label(editor_client):
    page = editor_client.get(reverse(ADD)).content.decode()

    for label in ("Start date", "Start time", "End date", "End time", "Time zone", "People", "Press contacts"):
        assert f">{label}</label>" in page
    assert 'for="id_starts_at_1"' in page and 'for="id_ends_at_0"' in page
    assert 'id="id_body_label"' in page
    assert 'spellcheck="true"' in page


# Quick add ---------------------------------------------------------------------------------------------------

QUICK = "admin:events_event_quick_add"


def test_quick_add_creates_an_organisation_and_answers_its_id_and_text(editor_client):
    response = editor_client.post(
        reverse(QUICK),
        {"kind": "organization", "quick-organization-name": "Water Council", "quick-organization-short_name": "WC"},
    )

    assert response.status_code == 201
    organization = Organization.objects.get(name="Water Council")
    assert response.json() == {"id": organization.pk, "text": "Water Council (WC)"}
    assert organization.slug == "water-council"


def test_quick_add_warns_of_a_likely_duplicate_and_saves_nothing_until_asked(editor_client):
    existing = OrganizationFactory(name="OSCE")

    warned = editor_client.post(reverse(QUICK), {"kind": "organization", "quick-organization-name": "osce"})

    assert warned.status_code == 200
    assert warned.json() == {"duplicates": [{"id": existing.pk, "text": str(existing)}]}
    assert Organization.objects.count() == 1

    anyway = editor_client.post(
        reverse(QUICK), {"kind": "organization", "quick-organization-name": "osce", "create_anyway": "1"}
    )

    assert anyway.status_code == 201
    assert Organization.objects.count() == 2


def test_quick_add_answers_field_errors(editor_client):
    response = editor_client.post(reverse(QUICK), {"kind": "person", "quick-person-name": ""})

    assert response.status_code == 400
    assert response.json() == {"errors": {"name": ["This field is required."]}}


def test_quick_add_of_a_contact_flags_them_and_needs_a_way_to_reach_them(editor_client):
    missing = editor_client.post(reverse(QUICK), {"kind": "contact", "quick-contact-name": "Irina Volkova"})

    assert missing.status_code == 400
    assert "__all__" in missing.json()["errors"]

    response = editor_client.post(
        reverse(QUICK),
        {"kind": "contact", "quick-contact-name": "Irina Volkova", "quick-contact-phone": "+7 495 765-43-21"},
    )

    assert response.status_code == 201
    person = Person.objects.get(name="Irina Volkova")
    assert person.is_press_contact is True
    assert [phone.number for phone in person.phones.all()] == ["+74957654321"]


def test_quick_add_needs_the_permission_to_add_that_kind(client):
    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(reader)

    refused = client.post(reverse(QUICK), {"kind": "organization", "quick-organization-name": "Refused"})

    assert refused.status_code == 403
    assert refused.json() == {"errors": {"__all__": ["Your role may not add this."]}}
    assert not Organization.objects.filter(name="Refused").exists()


def test_quick_add_refuses_an_unknown_kind_and_a_get(editor_client):
    assert editor_client.post(reverse(QUICK), {"kind": "section"}).status_code == 400
    assert editor_client.get(reverse(QUICK)).status_code == 405


def test_save_and_submit_for_review_saves_the_draft_then_sends_it_to_review(editor_client, section):
    response = editor_client.post(reverse(ADD), form_data(section, _submit_for_review="1"), follow=True)

    event = created()
    assert event.status == Event.Status.IN_REVIEW
    assert response.redirect_chain[-1][0] == reverse("admin:events_event_change", args=[event.pk])
    assert any("submitted for review" in str(message) for message in response.context["messages"])


def test_files_sent_with_the_form_need_the_right_to_add_files(client, section):
    writer = UserFactory(username="writer", is_staff=True)
    writer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_event", "change_event", "view_event", "change_eventparticipant"])
    )
    client.force_login(writer)
    upload = SimpleUploadedFile("photo.jpg", make_jpeg_bytes(), content_type="image/jpeg")

    response = client.post(reverse(ADD), form_data(section, new_photos=[upload], new_alt=["A photo"]))

    assert response.status_code == 302
    assert created().attachments.count() == 0


def test_files_sent_with_the_change_form_without_javascript_are_stored_too(editor_client, section):
    event = EventFactory(section=section, draft=True)
    upload = SimpleUploadedFile("late.jpg", make_jpeg_bytes(), content_type="image/jpeg")

    response = editor_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        change_data(editor_client, event, new_photos=[upload], new_alt=["A late photo"]),
    )

    assert response.status_code == 302
    assert list(event.attachments.values_list("original_name", "alt_text")) == [("late.jpg", "A late photo")]
