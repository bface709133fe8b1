"""Directory records (sections, people, organisations) carry an optional Russian form of their names."""

from __future__ import annotations

from django.utils.translation import get_language


def localized(obj: object, field: str) -> str:
    """The Russian variant ``<field>_ru`` when the active language is Russian and it is filled in."""
    if (get_language() or "en").startswith("ru"):
        value = getattr(obj, f"{field}_ru", "")
        if value:
            return value
    return getattr(obj, field)
