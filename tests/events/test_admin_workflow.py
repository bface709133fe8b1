"""Editor's tools in the admin: preview, embargo links, revisions, edit conflicts, dashboard, calendar, translate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from events.embargo import SALT, embargo_path
from events.models import Attachment, AuditLogEntry, EmbargoLink, Event
from events.services import embargo_links, releases
from tests.events.roles import user_in
from tests.events.test_workflow import edit_form_data
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    PhotoFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return user_in("Editor", "editor")


@pytest.fixture
def author():
    return user_in("Author", "author")


# Preview ---------------------------------------------------------------------------------------------------------


def test_staff_see_an_unpublished_release_in_the_public_layout_with_a_banner(client, author):
    event = EventFactory(draft=True, title="Secret summit", body="<p>Talks on water.</p>")
    client.force_login(author)
    response = client.get(reverse("admin:events_event_preview", args=[event.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Preview — not published" in text
    assert "Secret summit" in text and "Talks on water." in text
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert [t.name for t in response.templates][0] == "events/event_detail.html"


def test_preview_is_closed_to_the_public_and_to_staff_without_a_role(client):
    event = EventFactory(draft=True)
    url = reverse("admin:events_event_preview", args=[event.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))

    client.force_login(UserFactory(username="reader", is_staff=False))
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="bare-staff"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("events:detail", kwargs={"slug": event.slug})).status_code == 404


# Embargo links ----------------------------------------------------------------------------------------------------


@pytest.fixture
def embargoed(editor):
    publish_at = datetime(2031, 5, 4, 10, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2031, 5, 1, 9, 0, tzinfo=UTC), tick=False):
        event = EventFactory(title="Ministers to sign treaty", status=Event.Status.PUBLISHED, publish_at=publish_at)
        link = embargo_links.embargo_link_create(
            event=event, user=editor, expires_at=datetime(2031, 5, 3, 9, 0, tzinfo=UTC), label="Agency X"
        )
    return event, link


def test_an_embargo_link_shows_the_release_marked_embargoed_and_never_cached(client, embargoed):
    event, link = embargoed
    with time_machine.travel(datetime(2031, 5, 2, 9, 0, tzinfo=UTC), tick=False):
        response = client.get(embargo_path(link))
    assert response.status_code == 200
    text = response.content.decode()
    assert "EMBARGOED UNTIL" in text
    assert "Ministers to sign treaty" in text
    assert 'name="robots" content="noindex' in text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_an_embargo_link_is_404_after_it_expires(client, embargoed):
    _event, link = embargoed
    with time_machine.travel(datetime(2031, 5, 3, 9, 0, tzinfo=UTC), tick=False):
        assert client.get(embargo_path(link)).status_code == 404


def test_a_revoked_embargo_link_is_404(client, embargoed, editor):
    _event, link = embargoed
    path = embargo_path(link)
    embargo_links.embargo_link_revoke(link=link, user=editor)
    with time_machine.travel(datetime(2031, 5, 2, 9, 0, tzinfo=UTC), tick=False):
        assert client.get(path).status_code == 404
    assert AuditLogEntry.objects.filter(action="events.embargo_link.revoked", actor=editor).count() == 1


def test_a_tampered_embargo_token_is_404(client, embargoed):
    _event, link = embargoed
    path = embargo_path(link)
    forged = signing.dumps({"link": link.pk, "until": 4_102_444_800}, salt="another salt")
    with time_machine.travel(datetime(2031, 5, 2, 9, 0, tzinfo=UTC), tick=False):
        assert client.get(path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]).status_code == 404
        assert client.get(reverse("events:embargo", kwargs={"token": forged})).status_code == 404
        assert client.get(reverse("events:embargo", kwargs={"token": "garbage"})).status_code == 404
        # A validly signed token whose expiry disagrees with the row is refused too.
        moved = signing.dumps({"link": link.pk, "until": 4_102_444_800}, salt=SALT)
        assert client.get(reverse("events:embargo", kwargs={"token": moved})).status_code == 404


def test_editors_create_list_and_revoke_embargo_links_in_the_admin(client, editor):
    event = EventFactory(draft=True, title="Draft for journalists")
    client.force_login(editor)
    expires = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("admin:events_embargolink_add"),
        {
            "event": event.pk,
            "label": "Agency Y",
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = EmbargoLink.objects.get(label="Agency Y")
    assert link.created_by == editor
    listing = client.get(reverse("admin:events_embargolink_changelist")).content.decode()
    assert embargo_path(link) in listing

    client.post(
        reverse("admin:events_embargolink_changelist"),
        {"action": "revoke_selected", "_selected_action": [link.pk]},
    )
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(embargo_path(link)).status_code == 404


# Revisions ---------------------------------------------------------------------------------------------------------


def test_the_history_lists_revisions_and_a_diff_shows_what_changed(client, editor):
    event = EventFactory(draft=True, title="Old title", lead="The delegations met in Geneva.")
    releases.event_save(event=event, user=editor)
    event.title = "New title"
    event.lead = "The delegations met in Vienna."
    releases.event_save(event=event, user=editor)
    old, new = event.history.order_by("history_id")[1:3]
    client.force_login(editor)

    history = client.get(reverse("admin:events_event_history", args=[event.pk])).content.decode()
    assert history.count('name="old"') == 3

    diff = client.get(reverse("admin:events_event_compare", args=[event.pk]), {"old": old.pk, "new": new.pk})
    text = diff.content.decode()
    assert diff.status_code == 200
    assert "<del>Old</del>" in text and "<ins>New</ins>" in text
    assert "<del>Geneva.</del>" in text and "<ins>Vienna.</ins>" in text
    assert "Starts at" not in text  # Unchanged fields stay out of the way.


def test_comparing_with_bad_revision_numbers_is_400_or_404_not_500(client, editor):
    event = EventFactory(draft=True)
    other = EventFactory(draft=True)
    client.force_login(editor)
    url = reverse("admin:events_event_compare", args=[event.pk])
    assert client.get(url).status_code == 400
    assert client.get(url, {"old": "x", "new": "1"}).status_code == 404
    foreign = other.history.first().pk
    assert client.get(url, {"old": foreign, "new": event.history.first().pk}).status_code == 404


def test_revert_brings_back_an_old_text_as_a_new_revision(client, editor):
    event = EventFactory(draft=True, title="First wording")
    event.title = "Second wording"
    releases.event_save(event=event, user=editor)
    first = event.history.order_by("history_id").first()
    client.force_login(editor)

    confirm = client.get(reverse("admin:events_event_revert", args=[event.pk, first.pk]))
    assert "<del>Second</del>" in confirm.content.decode() and "<ins>First</ins>" in confirm.content.decode()
    response = client.post(reverse("admin:events_event_revert", args=[event.pk, first.pk]))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "First wording"
    assert event.history.count() == 3
    assert event.history.first().history_change_reason == "Reverted to version 1"
    assert AuditLogEntry.objects.filter(action="events.event.reverted", actor=editor, event=event).exists()


# No lost edits ----------------------------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_keeps_its_text(client, editor, author):
    event = EventFactory(draft=True, title="Original title", lead="Original lead.")
    opened_at = event.version
    first, second = client, client.__class__()
    first.force_login(author)
    second.force_login(editor)
    url = reverse("admin:events_event_change", args=[event.pk])

    saved = first.post(url, edit_form_data(event, title="Author's title", expected_version=opened_at))
    assert saved.status_code == 302
    response = second.post(url, edit_form_data(event, lead="Editor's new lead.", expected_version=opened_at))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this release while you were editing it" in text
    assert "Title: “Author&#x27;s title”" in text
    assert "Editor&#x27;s new lead." in text  # Their own input is still in the form.
    assert f'name="expected_version" value="{opened_at + 1}"' in text
    event.refresh_from_db()
    assert (event.title, event.lead, event.version) == ("Author's title", "Original lead.", opened_at + 1)


def test_after_reading_the_conflict_the_second_editor_can_save_deliberately(client, editor):
    event = EventFactory(draft=True)
    releases.event_save(event=Event.objects.get(pk=event.pk), user=editor)  # Someone else's save: version 2.
    client.force_login(editor)
    url = reverse("admin:events_event_change", args=[event.pk])
    assert client.post(url, edit_form_data(event, title="Mine", expected_version=1)).status_code == 200
    assert client.post(url, edit_form_data(event, title="Mine", expected_version=2)).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version) == ("Mine", 3)


# Dashboard and calendar ---------------------------------------------------------------------------------------------


def test_the_dashboard_groups_the_newsroom_work(client, author):
    now = datetime(2030, 2, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        EventFactory(draft=True, title="My own draft", created_by=author)
        EventFactory(draft=True, title="Someone else's draft")
        EventFactory(in_review=True, title="Needs an editor")
        scheduled = EventFactory(title="Goes out tomorrow", publish_at=now + timedelta(days=1))
        EventPressContactFactory(event=scheduled)
        EventFactory(title="Out already", publish_at=now - timedelta(hours=1))
        photo_event = EventFactory(title="Gallery")
        PhotoFactory(event=photo_event, alt_text="", title="Unlabelled photo")
        client.force_login(author)
        response = client.get(reverse("admin:events_event_dashboard"))

    text = response.content.decode()
    assert response.status_code == 200
    sections = {name: text.split(f'id="{name}"')[1].split("</section>")[0] for name in
                ("my-drafts", "in-review", "scheduled", "recently-published", "warnings")}  # fmt: skip
    assert "My own draft" in sections["my-drafts"] and "Someone else" not in sections["my-drafts"]
    assert "Needs an editor" in sections["in-review"]
    assert "Goes out tomorrow" in sections["scheduled"] and "Sat 2 Feb 2030, 12:00 (UTC)" in sections["scheduled"]
    assert "Out already" in sections["recently-published"]
    assert "Goes out tomorrow" not in sections["recently-published"]
    assert "Out already" in sections["warnings"]  # No press contact.
    assert "Goes out tomorrow" not in sections["warnings"]
    assert "Unlabelled photo" in sections["warnings"]


def test_the_editorial_calendar_shows_the_month_with_scheduled_and_published_items(client, editor):
    with time_machine.travel(datetime(2030, 3, 15, 8, 0, tzinfo=UTC), tick=False):
        EventFactory(title="Published on the 3rd", publish_at=datetime(2030, 3, 3, 9, 0, tzinfo=UTC))
        EventFactory(title="Scheduled for the 20th", publish_at=datetime(2030, 3, 20, 14, 30, tzinfo=UTC))
        EventFactory(title="April item", publish_at=datetime(2030, 4, 2, 9, 0, tzinfo=UTC))
        EventFactory(draft=True, title="Draft item")
        client.force_login(editor)
        response = client.get(reverse("admin:events_event_calendar_month", args=[2030, 3]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "March 2030" in text
    assert "Published on the 3rd" in text and "Scheduled for the 20th" in text
    assert "April item" not in text and "Draft item" not in text
    assert "cso-status--scheduled" in text.split("Scheduled for the 20th")[0].rsplit("<a", 1)[1]
    assert client.get(reverse("admin:events_event_calendar_month", args=[2030, 13])).status_code == 404


# Translate ----------------------------------------------------------------------------------------------------------


def test_translate_creates_a_linked_draft_in_the_other_language_and_opens_it(client, editor):
    event = EventFactory(title="Summit", language="en")
    EventParticipantFactory(event=event)
    contact = EventPressContactFactory(event=event).person
    photo = PhotoFactory(event=event)
    event.cover = photo
    event.save()
    client.force_login(editor)

    response = client.post(reverse("admin:events_event_translate", args=[event.pk]))

    copy = Event.objects.get(language="ru")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_change", args=[copy.pk])
    assert copy.translation_key == event.translation_key
    assert (copy.status, copy.section, copy.starts_at) == (Event.Status.DRAFT, event.section, event.starts_at)
    assert list(copy.participants.all()) == list(event.participants.all())
    assert list(copy.press_contacts.all()) == [contact]
    copied_photo = Attachment.objects.get(event=copy)
    assert copied_photo.file.name == photo.file.name and copied_photo.pk != photo.pk
    assert copy.cover == copied_photo
    again = client.post(reverse("admin:events_event_translate", args=[event.pk]))
    assert "already has a version in that language" in again.content.decode()


# Rich text ----------------------------------------------------------------------------------------------------------


def test_the_body_uses_the_self_hosted_rich_text_editor_and_pasted_markup_is_cleaned(client, editor):
    event = EventFactory(draft=True)
    client.force_login(editor)
    url = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(url).content.decode()
    assert "django_prose_editor" in page and "//cdn" not in page

    pasted = (
        '<p class="MsoNormal" style="margin:0"><span style="font-family:Calibri">Word text</span></p>'
        '<script>alert(1)</script><h1>Big</h1><h2>Heading</h2><a href="javascript:alert(1)">bad</a>'
    )
    response = client.post(url, edit_form_data(event, body=pasted))
    assert response.status_code == 302
    event.refresh_from_db()
    assert "script" not in event.body and "style" not in event.body and "MsoNormal" not in event.body
    assert "javascript:" not in event.body
    assert "<p>Word text</p>" in event.body and "<h2>Heading</h2>" in event.body
