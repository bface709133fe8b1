"""The suppression list: fed by the provider's webhooks (anymail) and by staff; suppressed addresses get nothing."""

from __future__ import annotations

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.test import Client

from subscriptions.addresses import address_hash
from subscriptions.models import Announcement, Delivery, Suppression
from subscriptions.selectors import is_suppressed
from subscriptions.webhooks import webhook_secret_check
from tests.factories import EventFactory

from .alerts_helpers import confirmed_subscriber, subscribe

pytestmark = pytest.mark.django_db

SECRET = "anymail:s3cret-webhook"


def _sent_delivery(subscriber, message_id):
    announcement = Announcement.objects.create(event=EventFactory())
    return Delivery.objects.create(
        announcement=announcement, subscriber=subscriber, status=Delivery.Status.SENT, message_id=message_id
    )


def _postmark(client, payload, secret=SECRET):
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def test_a_hard_bounce_report_suppresses_the_address_and_marks_the_message(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    client = Client(enforce_csrf_checks=True)  # the provider has no CSRF token
    subscriber = confirmed_subscriber("Bouncy@Example.org")
    delivery = _sent_delivery(subscriber, "msg-1")
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": "msg-1",
        "Email": "bouncy@example.org",
        "Description": "The server was unable to deliver your message",
        "BouncedAt": "2026-12-06T10:00:00Z",
    }
    response = _postmark(client, payload)
    assert response.status_code == 200
    assert is_suppressed("BOUNCY@example.org")
    suppression = Suppression.objects.get()
    assert suppression.reason == Suppression.Reason.BOUNCE
    assert suppression.address_hash == address_hash("bouncy@example.org")
    assert "bouncy@example.org" not in suppression.note
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.BOUNCED


def test_a_spam_complaint_suppresses_the_address(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    payload = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "MessageID": "msg-2",
        "Email": "angry@example.org",
        "BouncedAt": "2026-12-06T10:00:00Z",
    }
    assert _postmark(client, payload).status_code == 200
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT


def test_a_report_with_the_wrong_secret_changes_nothing(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": "m",
        "Email": "victim@example.org",
        "BouncedAt": "2026-12-06T10:00:00Z",
    }
    response = _postmark(client, payload, secret="anymail:guess")
    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("event_type", ["delivered", "opened", "deferred", "clicked"])
def test_other_tracking_events_change_nothing(event_type):
    event = AnymailTrackingEvent(event_type=event_type, recipient="fine@example.org", message_id="x")
    tracking.send(sender=object, event=event, esp_name="Test")
    assert not Suppression.objects.exists()


def test_a_rejected_message_suppresses_the_address():
    event = AnymailTrackingEvent(
        event_type="rejected", recipient="invalid@example.org", message_id="x", reject_reason="invalid"
    )
    tracking.send(sender=object, event=event, esp_name="Test")
    assert is_suppressed("invalid@example.org")


def test_subscribing_a_suppressed_address_sends_nothing(client, django_capture_on_commit_callbacks):
    Suppression.objects.create(address_hash=address_hash("gone@example.org"), reason="manual")
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, "Gone@example.org")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert mail.outbox == []


def test_staff_suppress_an_address_by_hand_stored_as_its_hash(admin_client_logged_in):
    client = admin_client_logged_in
    response = client.post(
        "/admin/subscriptions/suppression/add/",
        {"address": "Manual@Example.org", "reason": "manual", "note": "asked by phone"},
    )
    assert response.status_code == 302
    suppression = Suppression.objects.get()
    assert suppression.address_hash == address_hash("manual@example.org")
    assert not Suppression.objects.filter(note__icontains="manual@").exists()
    # Found again by the address, never shown.
    listing = client.get("/admin/subscriptions/suppression/", {"q": "manual@example.org"}).content.decode()
    assert suppression.address_hash[:12] in listing
    assert "manual@example.org" not in listing.lower().replace('value="manual@example.org"', "")
    again = client.post("/admin/subscriptions/suppression/add/", {"address": "manual@example.org", "reason": "manual"})
    assert "This address is already suppressed." in again.content.decode()
    # Removing it lets the address be sent to again.
    client.post(f"/admin/subscriptions/suppression/{suppression.pk}/delete/", {"post": "yes"})
    assert not is_suppressed("manual@example.org")


def test_deploy_check_warns_when_a_provider_has_no_webhook_secret(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert [message.id for message in webhook_secret_check()] == ["subscriptions.W001"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert webhook_secret_check() == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert webhook_secret_check() == []
