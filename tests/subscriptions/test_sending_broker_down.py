"""The broker (Redis or RabbitMQ) is down when an editor publishes: the publication stands, nothing answers 500,
and the alerts go out once the workers can be reached (found by the several-servers drill)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from events.models import Event
from subscriptions import tasks_sending
from subscriptions.models import Announcement
from subscriptions.tasks_sending import announce_due

from .sending_helpers import publish, reader, release_in_review

pytestmark = pytest.mark.django_db


def test_a_release_published_while_the_broker_is_down_is_announced_by_the_sweep(
    superuser, monkeypatch, django_capture_on_commit_callbacks
):
    reader("reader@example.net")
    event = release_in_review(title="Summit opens in Vienna")

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks_sending.announce, "delay", broker_down)
        publish(event, superuser, django_capture_on_commit_callbacks)

    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert Announcement.objects.get(event=event).state == Announcement.State.PENDING
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        announce_due()

    assert [message.to for message in mail.outbox] == [["reader@example.net"]]
    assert mail.outbox[0].subject.strip() == "Summit opens in Vienna"
