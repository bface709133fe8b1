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


def _cached_choices(kind: str, queryset, label_fields: tuple[str, str]) -> list[tuple[str, str]]:
    """(slug, name) pairs for a filter menu, kept per content version and language: the EXISTS queries behind
    "visible" are the slowest part of a list page, and their answer only changes when content does."""
    from django.core.cache import cache

    from .page_cache import content_version

    language = current_language()
    key = f"cso:choices:{kind}:{content_version()}:{language}"
    choices = cache.get(key)
    if choices is None:
        field, field_ru = label_fields
        rows = queryset.values_list("slug", field, field_ru)
        choices = [(slug, (name_ru if language == "ru" and name_ru else name)) for slug, name, name_ru in rows]
        cache.set(key, choices, timeout=300)
    return choices


def person_choices() -> list[tuple[str, str]]:
    return _cached_choices("people", visible_people().order_by("sort_name", "name"), ("name", "name_ru"))


def organization_choices() -> list[tuple[str, str]]:
    return _cached_choices("organizations", visible_organizations().order_by("name"), ("name", "name_ru"))
