"""Admin and public forms that need more than a model form gives for free."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .models import PhoneNumber
from .phones import normalize_phone, split_label


class PhoneNumberForm(forms.ModelForm):
    """Accepts numbers as releases print them ("+ 7-495-765-43-21-tel") and stores E.164."""

    class Meta:
        model = PhoneNumber
        fields = ["label", "number", "position"]

    def clean(self):
        cleaned = super().clean()
        raw = self.data.get(self.add_prefix("number"), "") or cleaned.get("number", "")
        if raw:
            _number, hint = split_label(raw)
            try:
                cleaned["number"] = normalize_phone(raw)
            except ValidationError as exc:
                self.add_error("number", exc)
            else:
                if hint and not self.has_changed_field("label"):
                    cleaned["label"] = hint
        return cleaned

    def has_changed_field(self, name: str) -> bool:
        return name in self.changed_data
