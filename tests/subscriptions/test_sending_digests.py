"""Daily and weekly digests: one message per address at the digest hour of its own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from events.models import Event
from subscriptions import fanout
from subscriptions.digests import send_digests
from subscriptions.models import Delivery, Subscriber
from tests.factories import EventFactory

from .sending_helpers import reader

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
# 2026-12-07 is a Monday.
MONDAY_8_TOKYO = datetime(2026, 12, 7, 8, 0, tzinfo=TOKYO)


def announce(**fields) -> Event:
    event = EventFactory(**fields)
    fanout.fan_out(fanout.announcement_for(event.pk))
    return event


def test_a_daily_reader_gets_one_digest_of_everything_at_eight_in_their_zone(settings):
    settings.CSO_ALERTS_DIGEST_HOUR = 8
    subscriber = reader("daily@example.net", frequency="daily", time_zone="Asia/Tokyo")
    announce(title="First release")
    announce(title="Second release")
    withdrawn = announce(title="Withdrawn release")
    Event.objects.filter(pk=withdrawn.pk).update(status=Event.Status.WITHDRAWN)

    with time_machine.travel(MONDAY_8_TOKYO.replace(hour=7)):
        assert send_digests() == 0
    with time_machine.travel(MONDAY_8_TOKYO.replace(minute=1)):
        assert send_digests() == 1
        assert send_digests() == 0

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["daily@example.net"]
    assert digest.subject == "Your daily digest: 2 releases"
    assert "First release" in digest.body and "Second release" in digest.body
    assert "Withdrawn release" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    statuses = dict(Delivery.objects.values_list("announcement__event__title", "status"))
    assert statuses == {"First release": "sent", "Second release": "sent", "Withdrawn release": "cancelled"}
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at is not None


def test_a_weekly_digest_goes_on_monday_only():
    reader("weekly@example.net", frequency="weekly", time_zone="Asia/Tokyo")
    announce(title="Weekly news")

    with time_machine.travel(MONDAY_8_TOKYO.replace(day=8)):
        assert send_digests() == 0
    with time_machine.travel(MONDAY_8_TOKYO):
        assert send_digests() == 1
    assert mail.outbox[0].subject == "Your weekly digest: 1 release"
    assert Subscriber.objects.get().last_digest_at is not None
