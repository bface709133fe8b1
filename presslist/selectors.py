"""Reads of the press list: who a release goes to, and what was sent for it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from events.models import Event

from .models import Journalist, PressLinkOpen, PressSend


def send_kind(release: Event) -> str | None:
    """What the press list may be sent about ``release`` now: the public page, an embargo link, or nothing
    (a withdrawn release)."""
    if release.status == Event.Status.WITHDRAWN:
        return None
    return PressSend.Kind.PUBLISHED if release.is_public else PressSend.Kind.EMBARGO


def matching_journalists(release: Event) -> QuerySet[Journalist]:
    """Accredited journalists who read the release's language and follow its section (or every section)."""
    return (
        Journalist.objects.accredited().reading(release.language).interested_in(release.section).order_by("name", "pk")
    )


def eligible_journalists() -> QuerySet[Journalist]:
    """Everyone an editor may pick by hand: every active journalist whose accreditation has not run out."""
    return Journalist.objects.accredited().order_by("name", "pk")


def sends_for(release: Event) -> QuerySet[PressSend]:
    """The release's sends with their links and every open, newest open first."""
    return (
        PressSend.objects.filter(release=release)
        .select_related("journalist", "embargo_link", "queued_by")
        .prefetch_related(Prefetch("opens", queryset=PressLinkOpen.objects.order_by("-opened_at", "-pk")))
        .order_by("journalist__name", "journalist_id", "kind")
    )


def embargo_until(release: Event) -> datetime:
    """When the embargo lifts: the publication time, or (not scheduled yet) the event's start."""
    return release.publish_at or release.starts_at


def link_expiry(release: Event, days_after: int) -> datetime:
    """A personal link outlives the embargo (it then leads to the public page) by ``days_after`` days."""
    return max(embargo_until(release), timezone.now()) + timedelta(days=days_after)
