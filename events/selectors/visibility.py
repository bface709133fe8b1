"""Which directory records the public may see, derived from ``Event.objects.public()`` (never rebuilt by hand)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from ..models import Event, EventParticipant, Organization, Person, Section
from ..page_cache import remembered


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


def _cached_choices(kind: str, rows) -> list[tuple[str, str]]:
    """The (slug, name) pairs of a filter menu, kept per content version and language.

    The EXISTS queries behind "visible" are the slowest query of a list page and the menus hold every
    visible person and organisation; neither changes until content does or a scheduled release comes out,
    so both are computed once per content version (``page_cache.remembered``).
    """
    # ``rows`` (the (slug, label) pairs) is called only on a miss: a cache hit does not even build a queryset.
    # "menu-choices", not the former "menu" (a Menu tuple with markup): an older entry is never unpickled.
    return remembered(f"menu-choices-{kind}", current_language(), lambda: list(rows()))


def _named(queryset) -> list[tuple[str, str]]:
    """(slug, name) pairs, the name in Russian on Russian pages where it has one."""
    russian = current_language() == "ru"
    rows = queryset.values_list("slug", "name", "name_ru")
    return [(slug, name_ru if russian and name_ru else name) for slug, name, name_ru in rows]


def person_choices() -> list[tuple[str, str]]:
    return _cached_choices("people", lambda: _named(visible_people().order_by("sort_name", "name")))


def organization_choices() -> list[tuple[str, str]]:
    return _cached_choices("organizations", lambda: _named(visible_organizations().order_by("name")))


def section_label(section: Section) -> str:
    """A section as its menus name it: a subsection under its parent's name."""
    return f"{section.parent.display_name} › {section.display_name}" if section.parent_id else section.display_name


def section_choices(parent=None) -> list[tuple[str, str]]:
    """The section menu of the filter form: every active section, or the sub-sections of ``parent``."""

    def rows():
        sections = Section.objects.active().select_related("parent").order_by("position", "name")
        sections = sections.filter(parent=parent) if parent is not None else sections
        return [(section.slug, section_label(section)) for section in sections]

    return _cached_choices(f"sections-{parent.pk if parent is not None else 'all'}", rows)
