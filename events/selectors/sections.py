"""The sections the public sees: the active ones, top level first, each with its active sub-sections."""

from __future__ import annotations

from django.db.models import Prefetch

from ..models import Section


def active_sections():
    children = Section.objects.active().order_by("position", "name")
    return Section.objects.active().top_level().prefetch_related(Prefetch("children", queryset=children))


def section_links() -> list[tuple[str, str]]:
    """(address, name) of each top-level section in the current language, for the home page's list."""
    return [(section.get_absolute_url(), section.display_name) for section in Section.objects.active().top_level()]
