"""The sending engine's Celery tasks (queue ``mail``): thin callers of fanout, sending and digests.

Each is safe to run twice or on two workers at once: announcements and deliveries are unique rows, and a batch
only sends rows it claimed. Loaded by ``SubscriptionsConfig.ready`` (the app's ``tasks`` module is the alerts').
"""

from __future__ import annotations

import math
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.models import Event

from . import digests, fanout, sending
from .models import Announcement, Delivery


def kick_sending(expected: int | None = None) -> None:
    """Start enough batches for ``expected`` messages (at most CSO_ALERTS_PARALLEL_BATCHES side by side); each
    batch that finds a full load starts the next one."""
    size = settings.CSO_ALERTS_BATCH_SIZE
    wanted = settings.CSO_ALERTS_PARALLEL_BATCHES if expected is None else math.ceil(expected / size)
    for _ in range(min(wanted, settings.CSO_ALERTS_PARALLEL_BATCHES)):
        send_batch.delay()


@shared_task(name="mail.fan_out")
def fan_out(announcement_id: int) -> int:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    covered = fanout.fan_out(announcement)
    immediate = Delivery.objects.filter(announcement=announcement, in_digest=False, status=Delivery.Status.QUEUED)
    kick_sending(immediate.count())
    return covered


@shared_task(name="mail.announce", ignore_result=True)
def announce(event_id: int, update_key: str = "", note: str = "") -> None:
    """A release went public (or a correction is to be announced): its announcement, then the fan-out."""
    announcement = fanout.announcement_owed(event_id, update_key=update_key, note=note)
    if announcement is not None and announcement.state == Announcement.State.PENDING:
        fan_out.delay(announcement.pk)


@shared_task(name="mail.announce_due")
def announce_due() -> int:
    """Every 30 s: releases public now that became public in the last CSO_ALERTS_LOOKBACK_HOURS and were never
    announced (a scheduled release at its minute; a publication whose signal was lost), then any waiting batch
    (retries after a temporary refusal, rows of a dead worker, sending resumed after a pause)."""
    now = timezone.now()
    since = now - timedelta(hours=settings.CSO_ALERTS_LOOKBACK_HOURS)
    announced = Announcement.objects.filter(event=OuterRef("pk"), update_key="")
    due = Event.objects.public(now).filter(publish_at__gt=since).exclude(Exists(announced)).values_list("pk", flat=True)
    count = 0
    for event_id in due:
        announce(event_id)
        count += 1
    for announcement_id in Announcement.objects.filter(
        state=Announcement.State.PENDING, created_at__lt=now - timedelta(minutes=1)
    ).values_list("pk", flat=True):
        fan_out.delay(announcement_id)
    if not sending.sending_paused() and sending.has_work(now):
        kick_sending()
    return count


@shared_task(name="mail.send_batch", acks_late=True, reject_on_worker_lost=True)
def send_batch() -> dict:
    result = sending.send_batch()
    if result.claimed >= settings.CSO_ALERTS_BATCH_SIZE:
        send_batch.delay()
    elif result.refused:
        send_batch.apply_async(countdown=settings.CSO_ALERTS_RETRY_SECONDS)
    return {"claimed": result.claimed, "sent": result.sent, "refused": result.refused, "paused": result.paused}


@shared_task(name="mail.send_digests")
def send_digests() -> int:
    return digests.send_digests()
