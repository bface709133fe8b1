"""What the editorial screens list: the dashboard's queues, the calendar's month of publications, and what a
release still lacks before it goes out (no press contact, photos without alt text)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ..models import Attachment, Event, EventPressContact

Status = Event.Status


# The dashboard's "needs attention" lists look at releases from this many days back onwards (and everything ahead):
# what an editor can still fix before or soon after it goes out, read along the date index, not the archive.
ATTENTION_DAYS = 30


def dashboard_lists(*, user: AbstractBaseUser, now: datetime) -> dict:
    """The dashboard's lists, each cut to what one screen shows."""
    events = Event.objects.select_related("section", "submitted_by", "updated_by")
    recent = events.exclude(status=Status.WITHDRAWN).filter(starts_at__gte=now - timedelta(days=ATTENTION_DAYS))
    return {
        "my_drafts": events.filter(status=Status.DRAFT)
        .filter(Q(created_by=user) | Q(updated_by=user))
        .order_by("-updated_at")[:20],
        "in_review": events.filter(status=Status.IN_REVIEW).order_by("updated_at")[:50],
        "scheduled": events.scheduled(now).order_by("publish_at")[:50],
        "recently_published": events.public(now).order_by("-publish_at")[:10],
        "no_contact": recent.filter(~Exists(EventPressContact.objects.filter(event=OuterRef("pk")))).order_by(
            "starts_at"
        )[:20],
        "no_alt_text": Attachment.objects.filter(
            kind=Attachment.Kind.PHOTO, alt_text="", event__in=recent.values("pk")
        ).select_related("event")[:20],
        "attention_days": ATTENTION_DAYS,
    }


def publications_between(start: datetime, end: datetime) -> QuerySet:
    """Releases published, or scheduled to be, from ``start`` up to ``end``, in publication order."""
    return (
        Event.objects.filter(status=Status.PUBLISHED, publish_at__gte=start, publish_at__lt=end)
        .select_related("section")
        .order_by("publish_at")
    )


def event_warnings(event: Event) -> list[str]:
    """What an editor should fix before (or soon after) the release goes out."""
    warnings = []
    if event.pk is None:
        return warnings
    if not event.press_contact_links.exists():
        warnings.append(_("This release has no press contact: journalists will not know whom to call."))
    missing_alt = event.attachments.filter(kind=Attachment.Kind.PHOTO, alt_text="").count()
    if missing_alt:
        warnings.append(_("%(count)s photo(s) have no alt text.") % {"count": missing_alt})
    return warnings
