"""From a release's announcement to one Delivery row per reader who should hear of it.

Who hears of a release: active subscribers (confirmed, not left) whose language is the release's language and
who follow it by at least one topic. A release and its translation are two releases, one per language, and a
subscriber reads one language: so each subscriber gets one e-mail per release and its translations, in their
own language, and none for a release that was never translated into it. Suppressed addresses are matched like
any other and skipped when sending (the check needs the address, which the sender reads anyway).

The rows are written in chunks walked by subscriber id (keyset pagination), each a
``bulk_create(ignore_conflicts=True)`` against the unique (announcement, subscriber) constraint: memory stays
flat however many subscribers there are, and a fan-out run twice, or on two workers, adds nothing.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import translation

from events.filters import EventFilter
from events.models import Event, EventParticipant, Section

from .models import Announcement, Delivery, Subscriber, Topic

CHUNK = 2000
# The error a message cancelled because its release was withdrawn carries (sending.cancel_withdrawn).
WITHDRAWN = "The release is no longer public."


def active_subscribers() -> QuerySet[Subscriber]:
    """Confirmed and not left: the one rule for who may be sent anything."""
    return Subscriber.objects.filter(confirmed_at__isnull=False, left_at__isnull=True)


def _followed_sections(event: Event) -> list[int]:
    """The sections followed by someone that hold ``event`` (events' own rule: a section and its subsections)."""
    followed = Topic.objects.filter(kind=Topic.Kind.SECTION).values("section_id")
    one = Event.objects.filter(pk=event.pk)
    return [section.pk for section in Section.objects.filter(pk__in=followed) if one.in_section(section).exists()]


def _matching_filters(event: Event) -> list[str]:
    """The saved All events queries that list ``event``: each one applied by the list's own FilterSet to a
    queryset of this one release, in the release's language (the filter's words are matched in it)."""
    queries = Topic.objects.filter(kind=Topic.Kind.FILTER).values_list("query", flat=True).distinct()
    one = Event.objects.filter(pk=event.pk)
    matching = []
    with translation.override(event.language):
        for query in queries:
            found = EventFilter(QueryDict(query), queryset=one)
            if found.is_valid() and found.qs.exists():
                matching.append(query)
    return matching


def matching_topics(event: Event) -> Q:
    """The topics that follow ``event``, as a condition on Topic."""
    people = EventParticipant.objects.filter(event=event).values("person_id")
    organisations = Event.organizations.through.objects.filter(event=event).values("organization_id")
    return (
        Q(kind=Topic.Kind.EVERYTHING)
        | Q(kind=Topic.Kind.SECTION, section_id__in=_followed_sections(event))
        | Q(kind=Topic.Kind.PERSON, person_id__in=people)
        | Q(kind=Topic.Kind.ORGANISATION, organisation_id__in=organisations)
        | Q(kind=Topic.Kind.FILTER, query__in=_matching_filters(event))
    )


def audience(event: Event) -> QuerySet[Subscriber]:
    """Every subscriber owed a message about ``event``: once each, however many of their topics match."""
    topics = Topic.objects.filter(matching_topics(event), subscriber=OuterRef("pk"))
    return active_subscribers().filter(language=event.language).filter(Exists(topics))


def announcement_for(event_id: int, *, update_key: str = "", note: str = "") -> Announcement | None:
    """The announcement of a release's publication (or of one correction), made once even when two workers ask
    at the same moment; None when the release is not public (a draft, under embargo, withdrawn, deleted)."""
    if not Event.objects.public().filter(pk=event_id).exists():
        return None
    try:
        with transaction.atomic():
            announcement, _created = Announcement.objects.get_or_create(
                event_id=event_id, update_key=update_key, defaults={"note": note[:300]}
            )
    except IntegrityError:
        announcement = Announcement.objects.get(event_id=event_id, update_key=update_key)
    return announcement


def reopen(announcement: Announcement) -> None:
    """A release withdrawn before its e-mails went out is public again: the cancelled messages are owed again."""
    Delivery.objects.filter(announcement=announcement, status=Delivery.Status.CANCELLED, error=WITHDRAWN).update(
        status=Delivery.Status.QUEUED, error="", batch="", lease_until=None
    )
    Announcement.objects.filter(pk=announcement.pk, state=Announcement.State.CANCELLED).update(
        state=Announcement.State.PENDING
    )
    announcement.state = Announcement.State.PENDING


def announcement_owed(event_id: int, *, update_key: str = "", note: str = "") -> Announcement | None:
    """The announcement a release going public (or an announced correction) owes: made once, and opened again
    when a withdrawal had cancelled it; None when the release is not public."""
    announcement = announcement_for(event_id, update_key=update_key, note=note)
    if announcement is not None and announcement.state == Announcement.State.CANCELLED:
        reopen(announcement)
    return announcement


def fan_out(announcement: Announcement) -> int:
    """Write the deliveries of ``announcement`` (immediate readers queued for sending, digest readers kept for
    their digest) and mark it fanned out. Returns how many readers it covered (rows already there stay)."""
    event = Event.objects.public().filter(pk=announcement.event_id).first()
    if event is None:
        Announcement.objects.filter(pk=announcement.pk).update(state=Announcement.State.CANCELLED)
        return 0
    readers = audience(event).order_by("pk").values_list("pk", "frequency")
    covered = 0
    last = 0
    while True:
        chunk = list(readers.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1][0]
        rows = [
            Delivery(
                announcement_id=announcement.pk,
                subscriber_id=pk,
                in_digest=frequency != Subscriber.Frequency.IMMEDIATE,
            )
            for pk, frequency in chunk
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
        covered += len(rows)
    Announcement.objects.filter(pk=announcement.pk, state=Announcement.State.PENDING).update(
        state=Announcement.State.FANNED_OUT
    )
    return covered
