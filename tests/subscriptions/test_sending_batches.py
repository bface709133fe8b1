"""A batch's edges: permanent refusals, a fault of our own mid-batch, the rate cap, two batches side by side."""

from __future__ import annotations

import pytest

from subscriptions import fanout, messages, sending
from subscriptions.models import Delivery
from tests.factories import EventFactory

from .sending_helpers import reader

pytestmark = pytest.mark.django_db


def queue_for(*addresses: str) -> None:
    for address in addresses:
        reader(address)
    fanout.fan_out(fanout.announcement_for(EventFactory(title="Summit").pk))


def status_of(address: str) -> Delivery:
    return Delivery.objects.get(subscriber__email=address)


def test_a_permanent_refusal_fails_the_message_without_retry_and_the_batch_goes_on(smtp_server):
    smtp_server.unknown = frozenset({"gone@example.net"})
    queue_for("gone@example.net", "here@example.net")

    result = sending.send_batch()

    assert (result.sent, result.refused) == (1, 1)
    assert smtp_server.recipients() == ["here@example.net"]
    gone = status_of("gone@example.net")
    assert gone.status == Delivery.Status.FAILED and gone.error.startswith("{'gone@example.net': (550")
    assert not sending.has_work()


def test_a_fault_of_ours_mid_batch_puts_the_unsent_rows_back_in_the_queue(smtp_server, monkeypatch):
    queue_for("first@example.net", "second@example.net", "third@example.net")
    real = messages.alert_message
    calls = []

    def fails_on_the_second(**kwargs):
        calls.append(kwargs["subscriber"].email)
        if len(calls) == 2:
            raise RuntimeError("a template bug")
        return real(**kwargs)

    monkeypatch.setattr(messages, "alert_message", fails_on_the_second)
    with pytest.raises(RuntimeError):
        sending.send_batch()

    assert status_of("first@example.net").status == Delivery.Status.SENT
    assert {status_of(a).status for a in ("second@example.net", "third@example.net")} == {Delivery.Status.QUEUED}
    monkeypatch.setattr(messages, "alert_message", real)
    assert sending.send_batch().sent == 2
    assert sorted(smtp_server.recipients()) == ["first@example.net", "second@example.net", "third@example.net"]


def test_two_batches_never_claim_the_same_rows(smtp_server, settings):
    queue_for(*[f"reader{n}@example.net" for n in range(5)])
    now = sending.timezone.now()
    rows = Delivery.objects.filter(sending.claimable(now))
    first, _lease = sending.claim(rows, size=3, now=now)
    second, _lease = sending.claim(Delivery.objects.filter(sending.claimable(now)), size=3, now=now)

    assert Delivery.objects.filter(batch=first).count() == 3
    assert Delivery.objects.filter(batch=second).count() == 2


def test_the_rate_cap_spaces_the_messages(monkeypatch):
    clock = {"now": 100.0}
    slept = []
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(sending.time, "sleep", lambda seconds: slept.append(seconds))
    pace = sending.Pace(4)

    for _ in range(3):
        pace.wait()

    assert slept == [0.25, 0.5]
