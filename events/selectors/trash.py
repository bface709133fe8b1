"""What the trash holds: releases deleted within ``CSO_TRASH_DAYS`` and what was kept of them.

Deleting a release leaves its django-simple-history rows behind, the last one marked "-" (deleted), and a
:class:`TrashedEventContent` row with its photos, documents and links (see ``events.services.trash``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import serializers
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import Attachment, Event, TrashedEventContent


def _trash_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.CSO_TRASH_DAYS)


def deleted_events(now: datetime | None = None) -> QuerySet:
    """The deletion records of events deleted within the trash period and not restored since, newest first."""
    return (
        Event.history.filter(history_type="-", history_date__gte=_trash_start(now))
        .exclude(id__in=Event.objects.values("id"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def expired(now: datetime | None = None) -> QuerySet:
    """Kept contents whose deletion has left the trash period, or whose event exists again."""
    return TrashedEventContent.objects.filter(
        Q(deleted_at__lt=_trash_start(now)) | Q(deleted_event_id__in=Event.objects.values("pk"))
    )


def kept_attachments(trashed: TrashedEventContent) -> list[Attachment]:
    """The kept attachments as unsaved instances (for their stored names)."""
    return [item.object for item in serializers.deserialize("python", trashed.attachments, ignorenonexistent=True)]
