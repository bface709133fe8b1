"""Daily and weekly digests: one message per address with everything kept for it, at its own local hour.

The hourly sweep (``send_digests``) takes the subscribers whose local time (their ``time_zone``) is
CSO_ALERTS_DIGEST_HOUR, on any day for daily digests and on Mondays for weekly ones, and who have digest rows
waiting. For each: its rows are claimed as in a batch (token and lease, so two sweeps never both send),
releases no longer public are cancelled, and the rest go in one message; all its rows are marked sent with
that message's id and ``last_digest_at`` is set. A subscriber already sent a digest in the last 23 hours is
left alone, so a sweep run twice in the hour sends nothing more.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cso_press.metrics import count_mail
from events.models import Event

from . import messages
from .fanout import WITHDRAWN, active_subscribers
from .models import Delivery, Subscriber
from .selectors import is_suppressed
from .sending import mark_refused, sending_paused

Status = Delivery.Status


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def due_frequencies(local: datetime) -> list[str]:
    if local.hour != settings.CSO_ALERTS_DIGEST_HOUR:
        return []
    frequencies = [Subscriber.Frequency.DAILY]
    if local.weekday() == 0:
        frequencies.append(Subscriber.Frequency.WEEKLY)
    return frequencies


def due_subscribers(now: datetime):
    """Digest subscribers whose digest hour it is, with rows waiting."""
    digest_readers = active_subscribers().filter(
        frequency__in=[Subscriber.Frequency.DAILY, Subscriber.Frequency.WEEKLY]
    )
    due = Q(pk__in=[])
    for name in digest_readers.values_list("time_zone", flat=True).distinct():
        frequencies = due_frequencies(now.astimezone(zone(name)))
        if frequencies:
            due |= Q(time_zone=name, frequency__in=frequencies)
    waiting = Delivery.objects.filter(subscriber=OuterRef("pk"), in_digest=True, status=Status.QUEUED)
    recent = Q(last_digest_at__gt=now - timedelta(hours=23))
    return digest_readers.filter(due).exclude(recent).filter(Exists(waiting)).order_by("pk")


def send_digest(subscriber: Subscriber, *, connection, now: datetime) -> bool:
    """Claim, check and send one subscriber's digest. True when a message went out."""
    token = uuid.uuid4().hex
    lease = now + timedelta(seconds=settings.CSO_ALERTS_LEASE_SECONDS)
    mine = Delivery.objects.filter(subscriber=subscriber, in_digest=True)
    with transaction.atomic():
        ids = list(mine.filter(status=Status.QUEUED).select_for_update(skip_locked=True).values_list("pk", flat=True))
        mine.filter(pk__in=ids, status=Status.QUEUED).update(status=Status.SENDING, batch=token, lease_until=lease)
    rows = list(mine.filter(batch=token, status=Status.SENDING).select_related("announcement").order_by("pk"))
    if not rows:
        return False
    public = set(
        Event.objects.public().filter(pk__in={row.announcement.event_id for row in rows}).values_list("pk", flat=True)
    )
    gone = [row.pk for row in rows if row.announcement.event_id not in public]
    Delivery.objects.filter(pk__in=gone, batch=token).update(status=Status.CANCELLED, lease_until=None, error=WITHDRAWN)
    rows = [row for row in rows if row.announcement.event_id in public]
    if is_suppressed(subscriber.email):
        Delivery.objects.filter(pk__in=[row.pk for row in rows], batch=token).update(
            status=Status.CANCELLED, lease_until=None, error="The address is suppressed."
        )
        return False
    if not rows:
        return False
    events = Event.objects.in_bulk(public)
    items = [
        messages.DigestItem(
            release=messages.release_facts(events[row.announcement.event_id], subscriber.language),
            update=bool(row.announcement.update_key),
            note=row.announcement.note,
        )
        for row in rows
    ]
    message_id = messages.new_message_id()
    message = messages.digest_message(subscriber=subscriber, items=items, message_id=message_id)
    message.connection = connection
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        for row in rows:
            mark_refused(row, token, error)
        count_mail("deferred")
        connection.close()
        return False
    count_mail("sent")
    Delivery.objects.filter(pk__in=[row.pk for row in rows], batch=token).update(
        status=Status.SENT, sent_at=timezone.now(), message_id=message_id, lease_until=None, error=""
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(last_digest_at=now)
    return True


def send_digests(now: datetime | None = None) -> int:
    """Every digest due now; returns how many went out."""
    now = now or timezone.now()
    if sending_paused():
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        for subscriber in due_subscribers(now).iterator(chunk_size=500):
            connection.open()  # one connection for the sweep (opened again after a dropped one)
            sent += send_digest(subscriber, connection=connection, now=now)
    finally:
        connection.close()
    return sent
