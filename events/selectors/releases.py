"""Reads about one release: whether the public has seen it, its people in editorial order, and a few other
public releases that share its section or its people (shown on its page)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from ..models import Event, EventParticipant, EventPressContact, Person, PhoneNumber
from ..page_cache import remembered_here
from .visibility import public_events

OTHER_EVENTS = 4


def has_been_public(event: Event, now: datetime | None = None) -> bool:
    """Whether readers have seen the release: from then on a change carries a note or the minor-change mark."""
    return bool(event.first_published_at and event.first_published_at <= (now or timezone.now()))


def people_of(event: Event) -> tuple[list[Person], list[Person]]:
    """The participants and the press contacts of ``event``, each in their editorial order.

    One query for both lists (the two link tables are asked through subqueries) and one for the contacts'
    phone numbers, however many people there are.
    """
    links = {
        "participant": EventParticipant.objects.filter(event=event),
        "contact": EventPressContact.objects.filter(event=event),
    }
    annotations = {}
    for role, queryset in links.items():
        own = queryset.filter(person=OuterRef("pk")).order_by()
        annotations[f"{role}_position"] = Subquery(own.values("position")[:1])
        annotations[f"{role}_link"] = Subquery(own.values("pk")[:1])
    phones = PhoneNumber.objects.order_by("position", "pk")
    people = list(
        Person.objects.filter(
            Q(pk__in=links["participant"].values("person_id")) | Q(pk__in=links["contact"].values("person_id"))
        )
        .annotate(**annotations)
        .select_related("organization")
        .prefetch_related(Prefetch("phones", queryset=phones))
    )

    def in_role(role: str) -> list[Person]:
        def order(person: Person) -> tuple[int, int]:
            return getattr(person, f"{role}_position"), getattr(person, f"{role}_link")

        return sorted((person for person in people if getattr(person, f"{role}_link") is not None), key=order)

    return in_role("participant"), in_role("contact")


def other_events(event: Event, participant_ids: list[int]) -> list[Event]:
    """A few public releases sharing the section or people with ``event``, newest first; never the event itself.

    The rows are worked out once per content version and kept until the next scheduled publication
    (``page_cache.remembered``): any edit, withdrawal or deletion changes the version, and a scheduled release
    is picked up at its minute, so the kept rows are exactly what a fresh query would return.
    """
    return remembered_here(
        "other-events", f"{event.pk}:{sorted(participant_ids)}", lambda: _other_events(event, participant_ids)
    )


def _other_events(event: Event, participant_ids: list[int]) -> list[Event]:
    candidates = public_events().in_language(event.language).exclude(pk=event.pk)
    same_section = Q(section_id=event.section_id)
    if not participant_ids:
        return list(candidates.filter(same_section)[:OTHER_EVENTS])
    shares_people = Exists(EventParticipant.objects.filter(event=OuterRef("pk"), person_id__in=participant_ids))
    if not connection.features.supports_slicing_ordering_in_compound:
        return list(candidates.filter(same_section | Q(shares_people))[:OTHER_EVENTS])
    # PostgreSQL: each half is a short walk down the listing index, newest first, and the two are merged; an
    # OR of both made it collect every release of these people (thousands in a large archive) first.
    newest = candidates.order_by("-starts_at", "-pk").values("pk")
    either = newest.filter(same_section)[:OTHER_EVENTS].union(newest.filter(shares_people)[:OTHER_EVENTS])
    return list(candidates.filter(pk__in=either)[:OTHER_EVENTS])
