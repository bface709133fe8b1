"""Widgets of the release form that do more than Django's own."""

from __future__ import annotations

import json

from django import forms

from ..models.slugs import SLUG_MAX_LENGTH, TRANSLITERATION


class ReleaseSlugInput(forms.TextInput):
    """The slug box, filled from the title as the editor types it by the site's slug rule (run in the browser
    by ``release_slug.js`` with the same transliteration table), until the editor writes a slug of their own.

    It replaces Django's prepopulated field, which cuts the slug at the field's length in the middle of a word.
    """

    def __init__(self, source: str = "title", attrs: dict | None = None) -> None:
        self.source = source
        super().__init__(attrs)

    class Media:
        js = ["cso_admin/release_slug.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        own = context["widget"]["attrs"]
        own["maxlength"] = str(SLUG_MAX_LENGTH)
        own["data-slug-from"] = f"id_{self.source}"
        own["data-slug-max"] = str(SLUG_MAX_LENGTH)
        own["data-slug-letters"] = json.dumps(TRANSLITERATION, ensure_ascii=False)
        own.setdefault("class", "vTextField")
        return context
