"""The whole alert flow against a real SMTP server (aiosmtpd on a free port), in English and Russian:
confirm → a release is published → one e-mail with the right headers and parts → one-click unsubscribe by
POST → the next release sends nothing. Then: scheduled releases at their minute, withdrawn ones never,
corrections only when ticked, drafts and embargoed releases never, and a server refusing 10% temporarily."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from events.models import Event
from events.services import releases
from subscriptions import fanout, sending
from subscriptions.addresses import address_hash
from subscriptions.models import Announcement, Delivery, SendingSwitch, Subscriber, Suppression
from subscriptions.tasks_sending import announce_due, send_batch
from tests.factories import EventFactory, EventPressContactFactory, PressContactFactory, SectionFactory

from .alerts_helpers import LINK, path_of, subscribe
from .sending_helpers import publish, reader, release_in_review

pytestmark = pytest.mark.django_db


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


@pytest.mark.parametrize(
    ("language", "title", "unsubscribe_word"),
    [("en", "Ministers meet in Vienna", "Unsubscribe"), ("ru", "Министры встретились в Вене", "Отписаться")],
)
def test_subscribe_confirm_alert_and_one_click_unsubscribe_through_a_real_smtp_server(
    client, superuser, smtp_server, django_capture_on_commit_callbacks, language, title, unsubscribe_word
):
    # Subscribe on the site's own page; the confirmation e-mail arrives at the SMTP server.
    with django_capture_on_commit_callbacks(execute=True):
        answer = subscribe(client, "reader@example.net", language=language)
    assert answer.status_code == 200
    assert smtp_server.recipients() == ["reader@example.net"]
    confirmation = parts(smtp_server.messages[0])["text/plain"]
    [confirm_link] = [link for link in LINK.findall(confirmation) if f"/{language}/alerts/confirm/" in link]
    # Opening the link (as a mail scanner would) does not confirm; the page's button does.
    assert client.get(path_of(confirm_link)).status_code == 200
    assert not Subscriber.objects.get(email="reader@example.net").is_active
    assert client.post(path_of(confirm_link)).status_code == 200
    subscriber = Subscriber.objects.get(email="reader@example.net")
    assert subscriber.is_active
    contact = PressContactFactory(name="Anna Petrova", email="press@example.org")
    event = release_in_review(title=title, language=language, location="Vienna", time_zone="Europe/Vienna")
    EventPressContactFactory(event=event, person=contact)

    publish(event, superuser, django_capture_on_commit_callbacks)

    assert smtp_server.recipients() == ["reader@example.net", "reader@example.net"]
    message = smtp_server.messages[1]
    assert message["Subject"].strip() == title
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe_url.startswith("http") and f"/{language}/alerts/unsubscribe/" in unsubscribe_url
    delivery = Delivery.objects.get(subscriber=subscriber)
    assert delivery.status == Delivery.Status.SENT
    assert message["Message-ID"] == delivery.message_id
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    event.refresh_from_db()
    assert event.get_absolute_url() in body["text/plain"]
    assert "Vienna" in body["text/plain"] and "Anna Petrova" in body["text/plain"]
    assert unsubscribe_word in body["text/plain"]
    assert f'<html lang="{language}">' in body["text/html"]
    assert "<img" not in body["text/html"]
    assert f'href="{unsubscribe_url}"' in body["text/html"]

    # A link scanner's GET only shows a button; the one-click POST (RFC 8058, no CSRF token) leaves.
    path = urlsplit(unsubscribe_url).path
    assert client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.left_at is None
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None

    publish(release_in_review(language=language), superuser, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 2


def test_a_release_matching_three_topics_of_a_reader_sends_one_email(
    superuser, smtp_server, django_capture_on_commit_callbacks
):
    parent = SectionFactory(name="Foreign policy")
    child = SectionFactory(name="Europe", parent=parent)
    person = PressContactFactory(name="Viktor Ivanov")
    event = release_in_review(section=child, title="Talks in Brussels")
    event.participant_links.create(person=person)
    subscriber = reader(
        "three@example.net", ("section", parent), ("person", person), ("filter", "q=Brussels"), ("everything", None)
    )
    reader("other-section@example.net", ("section", SectionFactory(name="Economy")))

    publish(event, superuser, django_capture_on_commit_callbacks)
    # Sending the fan-out again changes nothing.
    fanout.fan_out(Announcement.objects.get(event=event))
    sending.send_batch()

    assert smtp_server.recipients() == ["three@example.net"]
    assert Delivery.objects.filter(subscriber=subscriber).count() == 1


def test_only_readers_of_the_release_language_are_sent_it(superuser, smtp_server, django_capture_on_commit_callbacks):
    reader("en@example.net")
    reader("ru@example.net", language="ru")
    publish(release_in_review(language="ru", title="По-русски"), superuser, django_capture_on_commit_callbacks)
    assert smtp_server.recipients() == ["ru@example.net"]


def test_a_scheduled_release_is_sent_after_its_minute_and_not_before(superuser, smtp_server):
    reader("early@example.net")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    with time_machine.travel(start - timedelta(minutes=1), tick=True):
        event = release_in_review(title="Scheduled statement")
        releases.event_schedule(event=event, user=superuser, publish_at=start)
        announce_due()
        assert smtp_server.recipients() == []
    # The beat runs every 30 s: the first run after the minute sends it.
    with time_machine.travel(start + timedelta(seconds=30), tick=True):
        announce_due()
        announce_due()
    assert smtp_server.recipients() == ["early@example.net"]
    assert smtp_server.messages[0]["Subject"] == "Scheduled statement"


def test_a_release_withdrawn_before_its_emails_go_out_sends_none(superuser, smtp_server):
    reader("one@example.net")
    reader("two@example.net")
    event = EventFactory(title="Soon withdrawn")
    fanout.fan_out(fanout.announcement_for(event.pk))
    releases.event_withdraw(event=event, user=superuser, reason="Sent by mistake")

    result = sending.send_batch()

    assert result.sent == 0
    assert smtp_server.recipients() == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.CANCELLED}
    assert Announcement.objects.get(event=event).state == Announcement.State.CANCELLED


def test_a_correction_is_sent_as_an_update_only_when_the_editor_ticks_notify(
    superuser, smtp_server, django_capture_on_commit_callbacks
):
    reader("fixes@example.net")
    event = release_in_review(title="Budget talks")
    publish(event, superuser, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 1

    event.refresh_from_db()
    event.lead = "The minister's name is now spelled right."
    with django_capture_on_commit_callbacks(execute=True):
        releases.event_save(event=event, user=superuser, change_note="Corrected a name")
    assert len(smtp_server.messages) == 1

    event.refresh_from_db()
    event.lead = "The date is now right too."
    with django_capture_on_commit_callbacks(execute=True):
        releases.event_save(event=event, user=superuser, change_note="Corrected the date", notify_subscribers=True)
    assert len(smtp_server.messages) == 2
    update = smtp_server.messages[1]
    assert update["Subject"] == "Updated: Budget talks"
    assert "Corrected the date" in parts(update)["text/plain"]


def test_drafts_and_releases_under_embargo_never_send(superuser, smtp_server):
    reader("nothing@example.net")
    draft = EventFactory(draft=True, title="Draft")
    embargoed = EventFactory(scheduled=True, title="Under embargo")

    assert fanout.announcement_for(draft.pk) is None
    assert fanout.announcement_for(embargoed.pk) is None
    announce_due()

    assert smtp_server.recipients() == []
    assert not Announcement.objects.exists()
    assert Event.objects.filter(pk=embargoed.pk).public().count() == 0


def test_suppressed_addresses_and_paused_sending_send_nothing_until_resumed(superuser, smtp_server, settings):
    reader("kept@example.net")
    reader("Bounced@Example.net")
    Suppression.objects.create(address_hash=address_hash("bounced@example.net"), reason="bounce")
    SendingSwitch.objects.create(paused=True)
    fanout.fan_out(fanout.announcement_for(EventFactory().pk))

    assert sending.send_batch().paused
    assert smtp_server.recipients() == []

    SendingSwitch.objects.update(paused=False)
    announce_due()
    assert smtp_server.recipients() == ["kept@example.net"]
    assert Delivery.objects.get(subscriber__email="Bounced@Example.net").status == Delivery.Status.CANCELLED


def test_a_server_refusing_ten_percent_temporarily_still_delivers_exactly_one_each(smtp_server, settings):
    settings.CSO_ALERTS_RETRY_SECONDS = 0
    settings.CSO_ALERTS_BATCH_SIZE = 7
    smtp_server.refuse_every = 10
    addresses = [f"reader{n}@example.net" for n in range(40)]
    for address in addresses:
        reader(address)
    fanout.fan_out(fanout.announcement_for(EventFactory().pk))

    send_batch.delay()

    assert smtp_server.refused >= 4
    assert sorted(smtp_server.recipients()) == sorted(addresses)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Delivery.objects.filter(attempts=2).count() == smtp_server.refused
