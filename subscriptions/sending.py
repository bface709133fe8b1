"""Sending the queued alerts in batches, each message exactly once.

A batch (``send_batch``):

1. stops at once while staff have paused sending (``SendingSwitch``); queued rows wait;
2. claims up to N rows in one short transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) of rows that
   are queued (and not waiting for a retry) or "sending" with their lease over, then ``UPDATE`` them to
   "sending" with the batch's own token and a lease; the UPDATE repeats the condition, so on SQLite, which has
   no row locks, two batches never both claim a row either;
3. asks once whether the batch's releases are still public, and cancels every remaining message of a
   release that is not (withdrawn before its e-mails went out); asks once which addresses are suppressed and
   cancels those;
4. sends the rest through Django's e-mail backend on one connection, at most CSO_ALERTS_RATE_PER_SECOND, and
   marks each row sent (with its Message-ID) right after the server accepted it. A temporary refusal (4xx, a
   dropped connection) puts the row back in the queue after a growing wait; a permanent one (5xx) fails it.

Exactly once, and the one window where it cannot be: a row is "sent" only after the server's 250 reply, and
only the batch holding the row's token may mark it. If a worker dies mid-batch its rows stay "sending" until
the lease (CSO_ALERTS_LEASE_SECONDS) is over; then a later batch sends them. The rows the dead worker never
handed to the server are sent once, as they should be. The one it was handing over when it died is sent again:
if the server had already accepted it (the instant between the server's 250 and the row's UPDATE), that
reader gets it twice; if not (the usual case: a worker killed while talking to the server), once. So at most
one message per killed worker may be duplicated, and none is ever lost: for an alert, a rare duplicate is
better than a reader silently missing a release. A batch also stops before its lease ends and gives its
unsent rows back, so a slow batch is never overtaken by a second one.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cso_press.metrics import count_mail
from events.models import Event

from . import messages
from .addresses import address_hash
from .fanout import WITHDRAWN
from .models import Announcement, Delivery, SendingSwitch, Suppression

Status = Delivery.Status


def sending_paused() -> bool:
    return SendingSwitch.objects.filter(paused=True).exists()


def claimable(now: datetime) -> Q:
    """Rows a batch may take: queued and not waiting for a retry, or left "sending" by a batch whose lease is
    over. Digest rows wait for their digest (subscriptions/digests.py)."""
    queued = Q(status=Status.QUEUED) & (Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    abandoned = Q(status=Status.SENDING, lease_until__lte=now)
    return Q(in_digest=False) & (queued | abandoned)


def has_work(now: datetime | None = None) -> bool:
    return Delivery.objects.filter(claimable(now or timezone.now())).exists()


def claim(rows: QuerySet[Delivery], *, size: int, now: datetime) -> tuple[str, datetime]:
    """Mark up to ``size`` of ``rows`` (already limited to what may be claimed) as this batch's; returns the
    batch's token and its lease."""
    token = uuid.uuid4().hex
    lease = now + timedelta(seconds=settings.CSO_ALERTS_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(rows.order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])
        if ids:
            rows.filter(pk__in=ids).update(status=Status.SENDING, batch=token, lease_until=lease)
    return token, lease


def retry_wait(attempts: int) -> timedelta:
    return timedelta(seconds=settings.CSO_ALERTS_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def is_temporary(error: Exception) -> bool:
    """4xx replies and lost connections are worth another try later; 5xx replies are final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | OSError)


def mark_sent(delivery: Delivery, token: str, message_id: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, batch=token).update(
        status=Status.SENT, sent_at=timezone.now(), message_id=message_id, attempts=delivery.attempts + 1,
        lease_until=None, error="",
    )  # fmt: skip


def mark_refused(delivery: Delivery, token: str, error: Exception) -> None:
    attempts = delivery.attempts + 1
    text = str(error)[:300]
    rows = Delivery.objects.filter(pk=delivery.pk, batch=token)
    if is_temporary(error) and attempts < settings.CSO_ALERTS_MAX_ATTEMPTS:
        wait_until = timezone.now() + retry_wait(attempts)
        rows.update(status=Status.QUEUED, attempts=attempts, lease_until=wait_until, batch="", error=text)
    else:
        rows.update(status=Status.FAILED, attempts=attempts, lease_until=None, error=text)


def cancel_withdrawn(announcement_ids: set[int]) -> set[int]:
    """The announcements among ``announcement_ids`` whose release is no longer public: their messages not yet
    sent are cancelled (one query to ask, one update each). Returns those announcements' ids."""
    events = dict(Announcement.objects.filter(pk__in=announcement_ids).values_list("pk", "event_id"))
    public = set(Event.objects.public().filter(pk__in=set(events.values())).values_list("pk", flat=True))
    gone = {pk for pk, event_id in events.items() if event_id not in public}
    if gone:
        Delivery.objects.filter(announcement_id__in=gone, status__in=[Status.QUEUED, Status.SENDING]).update(
            status=Status.CANCELLED, lease_until=None, error=WITHDRAWN
        )
        Announcement.objects.filter(pk__in=gone).update(state=Announcement.State.CANCELLED)
    return gone


def cancel_suppressed(deliveries: list[Delivery], token: str) -> set[int]:
    """The rows of this batch whose address is on the suppression list, cancelled (one query to ask)."""
    by_hash = {address_hash(delivery.subscriber.email): delivery.pk for delivery in deliveries}
    found = Suppression.objects.filter(address_hash__in=by_hash).values_list("address_hash", flat=True)
    suppressed = {by_hash[value] for value in found}
    if suppressed:
        Delivery.objects.filter(pk__in=suppressed, batch=token).update(
            status=Status.CANCELLED, lease_until=None, error="The address is suppressed."
        )
    return suppressed


def give_back(ids: list[int], token: str) -> None:
    """Rows this batch will not get to (its lease is nearly over): queued again for the next batch."""
    Delivery.objects.filter(pk__in=ids, batch=token, status=Status.SENDING).update(
        status=Status.QUEUED, batch="", lease_until=None
    )


class Pace:
    """At most ``rate`` messages a second from this process (0: no cap)."""

    def __init__(self, rate: int):
        self.interval = 1 / rate if rate > 0 else 0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    refused: int = 0
    cancelled: int = 0
    paused: bool = False


def send_batch(*, size: int | None = None) -> BatchResult:
    """Claim and send one batch of immediate alerts (see the module's docstring)."""
    size = size or settings.CSO_ALERTS_BATCH_SIZE
    if sending_paused():
        return BatchResult(paused=True)
    now = timezone.now()
    token, lease = claim(Delivery.objects.filter(claimable(now)), size=size, now=now)
    deliveries = list(
        Delivery.objects.filter(batch=token, status=Status.SENDING)
        .select_related("subscriber", "announcement")
        .order_by("pk")
    )
    result = BatchResult(claimed=len(deliveries))
    if not deliveries:
        return result
    gone = cancel_withdrawn({delivery.announcement_id for delivery in deliveries})
    suppressed = cancel_suppressed(deliveries, token)
    to_send = [d for d in deliveries if d.announcement_id not in gone and d.pk not in suppressed]
    result.cancelled = len(deliveries) - len(to_send)
    _send_all(to_send, token=token, lease=lease, result=result)
    return result


def _send_all(deliveries: list[Delivery], *, token: str, lease: datetime, result: BatchResult) -> None:
    facts: dict[tuple[int, str], messages.ReleaseFacts] = {}
    events = Event.objects.in_bulk({delivery.announcement.event_id for delivery in deliveries})
    # Stop with a margin before the lease ends: another batch may take the rows from then on.
    stop_at = lease - timedelta(seconds=settings.CSO_ALERTS_LEASE_SECONDS / 10)
    pace = Pace(settings.CSO_ALERTS_RATE_PER_SECOND)
    connection = get_connection(fail_silently=False)
    handed: set[int] = set()  # rows whose message reached the server's hands (sent, refused or in flight)
    try:
        for position, delivery in enumerate(deliveries):
            if timezone.now() >= stop_at:
                give_back([d.pk for d in deliveries[position:]], token)
                return
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as error:
                # No server to talk to: the rest wait for their next try.
                for waiting in deliveries[position:]:
                    mark_refused(waiting, token, error)
                result.refused += len(deliveries) - position
                return
            announcement = delivery.announcement
            key = (announcement.event_id, delivery.subscriber.language)
            if key not in facts:
                facts[key] = messages.release_facts(events[announcement.event_id], delivery.subscriber.language)
            message_id = messages.new_message_id()
            message = messages.alert_message(
                subscriber=delivery.subscriber,
                facts=facts[key],
                note=announcement.note,
                update=bool(announcement.update_key),
                message_id=message_id,
            )
            message.connection = connection
            pace.wait()
            handed.add(delivery.pk)
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                mark_refused(delivery, token, error)
                count_mail("deferred")
                result.refused += 1
                if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                    connection.close()  # the connection is gone: the next message opens a new one
                continue
            mark_sent(delivery, token, message_id)
            count_mail("sent")
            result.sent += 1
    except Exception:
        # A fault of ours (a template, the database): what was not handed to the server waits for the next batch
        # instead of its lease, and the error reaches the task's log.
        give_back([d.pk for d in deliveries if d.pk not in handed], token)
        raise
    finally:
        connection.close()
