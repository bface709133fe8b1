"""Which directory records the public may see, derived from ``Event.objects.public()`` (never rebuilt by hand)."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.html import escape

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


class Menu(NamedTuple):
    """A filter menu's choices, and the same choices already written as ``<option>`` elements."""

    choices: list[tuple[str, str]]
    options_html: str


def _cached_menu(kind: str, rows) -> Menu:
    """The (slug, name) pairs of a filter menu, kept per content version and language with their markup.

    The EXISTS queries behind "visible" are the slowest query of a list page and the menus hold every
    visible person and organisation; neither changes until content does or a scheduled release comes out,
    so both are computed once per content version (``page_cache.remembered``) and ``FastSelect`` writes the
    stored markup out as it is.
    """

    def compute() -> Menu:
        # ``rows`` (the (slug, label) pairs) is called only here: a cache hit does not even build a queryset.
        choices = list(rows())
        return Menu(choices, "".join(option_html(slug, label) for slug, label in choices))

    return remembered(f"menu-{kind}", current_language(), compute)


def option_html(value, label, selected: bool = False) -> str:
    flag = " selected" if selected else ""
    return f'<option value="{escape(value)}"{flag}>{escape(label)}</option>'


def _named(queryset) -> list[tuple[str, str]]:
    """(slug, name) pairs, the name in Russian on Russian pages where it has one."""
    russian = current_language() == "ru"
    rows = queryset.values_list("slug", "name", "name_ru")
    return [(slug, name_ru if russian and name_ru else name) for slug, name, name_ru in rows]


def _people_menu() -> Menu:
    return _cached_menu("people", lambda: _named(visible_people().order_by("sort_name", "name")))


def _organizations_menu() -> Menu:
    return _cached_menu("organizations", lambda: _named(visible_organizations().order_by("name")))


def person_choices() -> list[tuple[str, str]]:
    return _people_menu().choices


def organization_choices() -> list[tuple[str, str]]:
    return _organizations_menu().choices


def person_options_html() -> str:
    return _people_menu().options_html


def organization_options_html() -> str:
    return _organizations_menu().options_html


def section_label(section: Section) -> str:
    """A section as its menus name it: a subsection under its parent's name."""
    return f"{section.parent.display_name} › {section.display_name}" if section.parent_id else section.display_name


def section_options_html(parent=None) -> str:
    """The section menu of the filter form: every active section, or the sub-sections of ``parent``."""

    def rows():
        sections = Section.objects.active().select_related("parent").order_by("position", "name")
        sections = sections.filter(parent=parent) if parent is not None else sections
        return [(section.slug, section_label(section)) for section in sections]

    return _cached_menu(f"sections-{parent.pk if parent is not None else 'all'}", rows).options_html
