"""Which directory records the public may see, derived from ``Event.objects.public()`` (never rebuilt by hand)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from .models import Event, EventParticipant, Organization, Person


def current_language() -> str:
    return (translation.get_language() or "en")[:2]


def public_events():
    """Every public list starts here: visible events, with what a list row shows, in one query."""
    return Event.objects.public().for_listing().order_by("-starts_at", "-pk")


def visible_people():
    """Press contacts, and participants of at least one public event.

    A person named only on a draft must not appear anywhere yet: the draft may be about an unannounced visit.
    """
    takes_part = EventParticipant.objects.filter(person=OuterRef("pk"), event__in=Event.objects.public())
    return Person.objects.filter(Q(is_press_contact=True) | Exists(takes_part))


def visible_organizations():
    """Organisations named on a public event, or employing a press contact."""
    through = Event.organizations.through
    in_event = through.objects.filter(organization=OuterRef("pk"), event__in=Event.objects.public())
    has_contact = Person.objects.filter(organization=OuterRef("pk"), is_press_contact=True)
    return Organization.objects.filter(Exists(in_event) | Exists(has_contact))
