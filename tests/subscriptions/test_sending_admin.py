"""The release's e-mail send log in the admin, and "Send a test to me"."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from subscriptions import fanout, sending
from subscriptions.models import Announcement, Delivery
from tests.events.test_release_form import change_data
from tests.factories import EventFactory, UserFactory

from .sending_helpers import reader

pytestmark = pytest.mark.django_db


def test_the_release_page_links_to_its_send_log_which_counts_messages_by_status(admin_client_logged_in):
    event = EventFactory(title="Council meets")
    reader("sent@example.net")
    reader("failed@example.net")
    fanout.fan_out(fanout.announcement_for(event.pk))
    sending.send_batch()
    Delivery.objects.filter(subscriber__email="failed@example.net").update(status="failed", error="550 No such user")

    change_page = admin_client_logged_in.get(reverse("admin:events_event_change", args=[event.pk]))
    log_url = reverse("admin:subscriptions_send_log", args=[event.pk])
    assert f'href="{log_url}"' in change_page.content.decode()

    page = admin_client_logged_in.get(log_url)
    assert page.status_code == 200
    rows = page.context["announcements"]
    assert len(rows) == 1
    assert dict(rows[0]["counts"]) == {
        "Queued": 0, "Sending": 0, "Sent": 1, "Failed": 1, "Bounced": 0, "Cancelled": 0,
    }  # fmt: skip
    text = page.content.decode()
    assert "failed@example.net" in text and "550 No such user" in text
    only_failed = admin_client_logged_in.get(log_url, {"status": "failed"}).content.decode()
    assert "failed@example.net" in only_failed and "sent@example.net" not in only_failed


def test_a_staff_member_sends_the_alert_to_their_own_address_by_post_only(admin_client_logged_in, superuser):
    event = EventFactory(title="Council meets")
    url = reverse("admin:subscriptions_test_send", args=[event.pk])

    assert admin_client_logged_in.get(url).status_code == 405
    response = admin_client_logged_in.post(url)

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[superuser.email]]
    assert mail.outbox[0].subject == "[Test] Council meets"
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert not Delivery.objects.exists()


def test_the_send_log_of_an_unknown_release_is_404_and_needs_the_permission(client, admin_client_logged_in):
    assert admin_client_logged_in.get(reverse("admin:subscriptions_send_log", args=[999999])).status_code == 404
    client.force_login(UserFactory(username="clerk"))
    event = EventFactory()
    assert client.get(reverse("admin:subscriptions_send_log", args=[event.pk])).status_code == 403


@pytest.mark.parametrize("ticked", [True, False])
def test_the_release_form_notify_box_sends_the_change_note_as_an_update_only_when_ticked(
    admin_client_logged_in, django_capture_on_commit_callbacks, ticked
):
    event = EventFactory(title="Budget talks", first_published_at=timezone.now())
    reader("fixes@example.net")
    page = admin_client_logged_in.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'name="notify_subscribers"' in page

    data = change_data(admin_client_logged_in, event, change_note="Corrected the date", lead="New lead.")
    if ticked:
        data["notify_subscribers"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302
    if ticked:
        assert [message.subject for message in mail.outbox] == ["Updated: Budget talks"]
        assert Announcement.objects.get().note == "Corrected the date"
    else:
        assert mail.outbox == []
        assert not Announcement.objects.exists()
