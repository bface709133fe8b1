"""Acceptance 1: each role against each transition, through the admin views (allowed, or 403)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.events.roles import user_in
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

AUTHOR, EDITOR, PHOTO, ADMINISTRATOR = "Author", "Editor", "Photo and contacts staff", "Administrator"

# transition -> (status the event starts in, status after it, form data)
TRANSITIONS = {
    "submit": (Event.Status.DRAFT, Event.Status.IN_REVIEW, {}),
    "publish": (Event.Status.IN_REVIEW, Event.Status.PUBLISHED, {}),
    "force_publish": (Event.Status.IN_REVIEW, Event.Status.PUBLISHED, {"note": "The minister asked for it now."}),
    "schedule": (Event.Status.IN_REVIEW, Event.Status.PUBLISHED, {"publish_at": "2099-05-01T09:30"}),
    "reject": (Event.Status.IN_REVIEW, Event.Status.DRAFT, {"note": "Please add the venue."}),
    "withdraw": (Event.Status.PUBLISHED, Event.Status.WITHDRAWN, {"note": "Published by mistake."}),
    "republish": (Event.Status.WITHDRAWN, Event.Status.PUBLISHED, {}),
}
ALLOWED = {
    AUTHOR: {"submit"},
    EDITOR: set(TRANSITIONS),
    PHOTO: set(),
    ADMINISTRATOR: set(TRANSITIONS),
}
MATRIX = [(role, name, name in ALLOWED[role]) for role in ALLOWED for name in TRANSITIONS]


def event_in(status: str) -> Event:
    someone_else = UserFactory(username="reporter")
    fields = {"status": status, "submitted_by": someone_else}
    if status in (Event.Status.PUBLISHED, Event.Status.WITHDRAWN):
        fields["publish_at"] = fields["first_published_at"] = timezone.now() - timedelta(days=1)
    else:
        fields["publish_at"] = None
    return EventFactory(**fields)


def test_the_data_migration_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {AUTHOR, EDITOR, PHOTO, ADMINISTRATOR}
    editor = Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True)
    author = Group.objects.get(name=AUTHOR).permissions.values_list("codename", flat=True)
    assert {"publish_event", "review_event", "withdraw_event", "force_publish_event"} <= set(editor)
    assert "publish_event" not in author
    assert "change_user" in Group.objects.get(name=ADMINISTRATOR).permissions.values_list("codename", flat=True)


@pytest.mark.parametrize(("role", "transition", "allowed"), MATRIX, ids=[f"{r}-{t}" for r, t, _a in MATRIX])
def test_role_may_or_may_not_run_each_transition_through_the_admin(client, role, transition, allowed):
    start, end, data = TRANSITIONS[transition]
    event = event_in(start)
    client.force_login(user_in(role))
    url = reverse("admin:events_event_transition", args=[event.pk, transition])

    page = client.get(url)
    response = client.post(url, data)

    event.refresh_from_db()
    if allowed:
        assert page.status_code == 200
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == reverse("admin:events_event_change", args=[event.pk])
        assert event.status == end
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert event.status == start


def test_a_transition_from_the_wrong_status_is_refused_even_for_an_editor(client):
    event = event_in(Event.Status.DRAFT)
    client.force_login(user_in(EDITOR))
    response = client.post(reverse("admin:events_event_transition", args=[event.pk, "withdraw"]), {"note": "x"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_an_unknown_transition_or_event_is_404(client):
    event = event_in(Event.Status.DRAFT)
    client.force_login(user_in(EDITOR))
    assert client.get(reverse("admin:events_event_transition", args=[event.pk, "explode"])).status_code == 404
    assert client.get(reverse("admin:events_event_transition", args=[event.pk + 99, "submit"])).status_code == 404


def test_buttons_on_the_change_page_show_only_what_the_role_allows(client):
    event = event_in(Event.Status.IN_REVIEW)
    client.force_login(user_in(EDITOR))
    html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "Publish now" in html and "Send back to author" in html and "Schedule" in html
    assert "Force publish" not in html  # Someone else submitted it: the ordinary way is open.

    client.force_login(user_in(AUTHOR))
    html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "Publish now" not in html and "Send back to author" not in html


def test_an_author_cannot_change_a_release_once_it_is_in_review(client):
    event = event_in(Event.Status.IN_REVIEW)
    client.force_login(user_in(AUTHOR))
    url = reverse("admin:events_event_change", args=[event.pk])
    assert client.get(url).status_code == 200  # Read-only view.
    response = client.post(url, {"title": "Changed behind the editor's back"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title != "Changed behind the editor's back"


def test_bulk_publish_is_an_editors_action_only(client):
    events = [event_in(Event.Status.IN_REVIEW) for _ in range(2)]
    changelist = reverse("admin:events_event_changelist")
    data = {"action": "publish_selected", "_selected_action": [e.pk for e in events]}

    client.force_login(user_in(AUTHOR))
    client.post(changelist, data)
    assert set(Event.objects.values_list("status", flat=True)) == {Event.Status.IN_REVIEW}

    client.force_login(user_in(EDITOR))
    response = client.post(changelist, data, follow=True)
    assert "2 release(s) done." in response.content.decode()
    assert set(Event.objects.values_list("status", flat=True)) == {Event.Status.PUBLISHED}


def test_bulk_schedule_asks_for_the_time_then_schedules_every_selected_release(client):
    events = [event_in(Event.Status.IN_REVIEW) for _ in range(2)]
    client.force_login(user_in(EDITOR))
    changelist = reverse("admin:events_event_changelist")
    selected = {"action": "schedule_selected", "_selected_action": [e.pk for e in events]}

    form = client.post(changelist, selected)
    assert form.status_code == 200
    assert "These releases will become public at the chosen moment" in form.content.decode()

    client.post(changelist, {**selected, "apply": "1", "publish_at": "2099-03-02T10:15"})
    for event in events:
        event.refresh_from_db()
        assert event.status == Event.Status.PUBLISHED
        assert timezone.localtime(event.publish_at).strftime("%Y-%m-%d %H:%M") == "2099-03-02 10:15"


def test_photo_staff_manage_people_but_cannot_edit_or_publish_events(client):
    event = event_in(Event.Status.IN_REVIEW)
    client.force_login(user_in(PHOTO))
    assert client.get(reverse("admin:events_person_add")).status_code == 200
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), {"title": "x"})
    assert response.status_code == 403


def test_embargo_links_and_the_audit_log_are_for_editors(client):
    client.force_login(user_in(AUTHOR))
    assert client.get(reverse("admin:events_embargolink_add")).status_code == 403
    assert client.get(reverse("admin:events_auditlogentry_changelist")).status_code == 403
    client.force_login(user_in(EDITOR))
    assert client.get(reverse("admin:events_embargolink_add")).status_code == 200
    assert client.get(reverse("admin:events_auditlogentry_changelist")).status_code == 200


@pytest.mark.parametrize("name", ["admin:events_event_dashboard", "admin:events_event_calendar"])
def test_dashboard_and_calendar_are_for_editorial_roles_only(client, name):
    client.force_login(UserFactory(username="bare-staff"))
    assert client.get(reverse(name)).status_code == 403
    for role in (AUTHOR, EDITOR, PHOTO, ADMINISTRATOR):
        client.force_login(user_in(role))
        assert client.get(reverse(name)).status_code == 200, role
