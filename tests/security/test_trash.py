"""Deleted events stay restorable (as drafts) from the admin's "Recently deleted" list for CSO_TRASH_DAYS."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from events.models import AuditLogEntry, Event
from tests.factories import EventFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def delete_in_admin(client, event):
    confirm = client.get(reverse("admin:events_event_delete", args=[event.pk]))
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.content.decode()
    response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302


def test_deleting_asks_for_confirmation_and_the_event_appears_in_recently_deleted(admin_client_logged_in):
    event = EventFactory(title="Statement on the summit")
    delete_in_admin(admin_client_logged_in, event)

    response = admin_client_logged_in.get(reverse("trash"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Statement on the summit" in html
    assert "Restore as draft" in html
    assert not Event.objects.filter(pk=event.pk).exists()


def test_event_change_list_links_to_recently_deleted(admin_client_logged_in):
    html = admin_client_logged_in.get(reverse("admin:events_event_changelist")).content.decode()

    assert f'href="{reverse("trash")}"' in html


def test_restoring_brings_the_event_back_as_a_draft_with_its_text(admin_client_logged_in, superuser):
    event = EventFactory(title="Statement on the summit", lead="The lead.", body="<p>The body.</p>")
    cover = event.cover = PhotoFactory(event=event, caption="The cover.")
    event.save()
    delete_in_admin(admin_client_logged_in, event)
    record = Event.history.get(id=event.pk, history_type="-")

    response = admin_client_logged_in.post(reverse("trash"), {"history_id": record.history_id})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_change", args=[event.pk])
    restored = Event.objects.get(pk=event.pk)
    assert (restored.title, restored.lead, restored.body) == (
        "Statement on the summit",
        "The lead.",
        "<p>The body.</p>",
    )
    assert restored.status == Event.Status.DRAFT
    assert restored.publish_at is None
    assert restored.cover == cover
    assert restored.cover.caption == "The cover."
    assert not Event.objects.public().filter(pk=event.pk).exists()
    entry = AuditLogEntry.objects.get(action="events.event.restored")
    assert (entry.event, entry.actor) == (restored, superuser)
    assert "Nothing was deleted recently." in admin_client_logged_in.get(reverse("trash")).content.decode()


def test_events_deleted_longer_ago_than_the_trash_period_cannot_be_restored(
    admin_client_logged_in, superuser, settings
):
    settings.CSO_TRASH_DAYS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        event = EventFactory(title="Old statement")
        delete_in_admin(admin_client_logged_in, event)
    record = Event.history.get(id=event.pk, history_type="-")

    with time_machine.travel(start + timedelta(days=29), tick=False):
        admin_client_logged_in.force_login(superuser)
        assert "Old statement" in admin_client_logged_in.get(reverse("trash")).content.decode()
    with time_machine.travel(start + timedelta(days=31), tick=False):
        admin_client_logged_in.force_login(superuser)
        assert "Old statement" not in admin_client_logged_in.get(reverse("trash")).content.decode()
        response = admin_client_logged_in.post(reverse("trash"), {"history_id": record.history_id})

    assert response.status_code == 404
    assert not Event.objects.filter(pk=event.pk).exists()


def test_restore_that_would_clash_with_a_newer_slug_says_so(admin_client_logged_in):
    event = EventFactory(slug="summit-statement")
    delete_in_admin(admin_client_logged_in, event)
    EventFactory(slug="summit-statement")
    record = Event.history.get(id=event.pk, history_type="-")

    response = admin_client_logged_in.post(reverse("trash"), {"history_id": record.history_id}, follow=True)

    assert response.status_code == 200
    assert "Could not restore" in response.content.decode()
    assert Event.objects.filter(slug="summit-statement").count() == 1


@pytest.mark.parametrize("history_id", ["", "abc", "999999", "1 OR 1=1"])
def test_bad_restore_requests_are_404_not_errors(admin_client_logged_in, history_id):
    response = admin_client_logged_in.post(reverse("trash"), {"history_id": history_id})

    assert response.status_code == 404


def test_staff_without_the_right_to_add_events_cannot_see_or_restore(client):
    clerk = get_user_model().objects.create_user("clerk", password="correct horse battery", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(clerk)

    assert client.get(reverse("trash")).status_code == 403
    assert client.post(reverse("trash"), {"history_id": "1"}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("trash"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
