"""Refusing stale admin forms for rows without a version column (directory entries, photos and documents).

The form carries a signed snapshot of the values it was opened with. On save the stored row is locked and
compared with that snapshot: if another editor changed a field meanwhile, the save is refused, the message
names each field and its new stored value, and the editor's input stays in the form. The snapshot is then
renewed, so saving again replaces the other editor's values deliberately.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SALT = "events.admin.locking"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime):
        # Forms show minutes; a difference in seconds is nothing an editor could have seen or changed.
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(str(_plain(item)) for item in value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def row_state(instance: models.Model, names: list[str]) -> dict[str, Any]:
    """The stored values of ``names`` (model fields, many-to-many included) in a JSON-friendly form."""
    state = {}
    for name in names:
        field = instance._meta.get_field(name)
        state[name] = _plain(field.value_from_object(instance))
    return state


def sign_state(state: dict[str, Any]) -> str:
    return signing.dumps(state, salt=SALT, compress=True)


def read_state(token: str) -> dict[str, Any] | None:
    try:
        state = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


def changed_names(seen: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    return [name for name, value in stored.items() if name in seen and seen[name] != value]


def describe(instance: models.Model, name: str) -> str:
    """A field's stored value as an editor reads it in the conflict message."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all()) or "—"
    if field.choices:
        value = getattr(instance, f"get_{name}_display")()
    else:
        value = getattr(instance, name)
    if isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value in (None, ""):
        return "—"
    return str(value)


class StaleFormRefusedForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite changes saved by someone else after it was opened."""

    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def locked_names(self) -> list[str]:
        names = []
        for name in self.fields:
            try:
                field = self._meta.model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - a form-only field (the snapshot itself, a note)
                continue
            if field.editable and field.concrete or field.many_to_many:
                names.append(name)
        return names

    def extra_state(self, instance: models.Model) -> dict[str, Any]:
        """Values kept outside the row (inline rows), as ``{label: value}``; compared like fields."""
        return {}

    def current_state(self, instance: models.Model) -> dict[str, Any]:
        return {**row_state(instance, self.locked_names()), **self.extra_state(instance)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_state"].initial = sign_state(self.current_state(self.instance))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # Locked until the admin's transaction ends, so nobody can slip a save in between check and write.
        stored = type(self.instance)._default_manager.select_for_update().get(pk=self.instance.pk)
        seen = read_state(cleaned.get("seen_state", ""))
        if seen is None:
            raise ValidationError(_("The form was missing its version; reload the page and try again."))
        current = self.current_state(stored)
        changed = changed_names(seen, current)
        if changed:
            data = self.data.copy()
            data[self.add_prefix("seen_state")] = sign_state(current)
            self.data = data
            errors = [
                ValidationError(
                    _(
                        "Someone else saved this entry while you were editing it. Nothing of yours has been saved; "
                        "your input is still in the form below. The stored entry now has:"
                    ),
                    code="conflict",
                )
            ]
            for name in changed:
                errors.append(
                    ValidationError(
                        "%(label)s: “%(value)s”",
                        params={"label": self.state_label(name), "value": self.state_value(stored, name)},
                    )
                )
            errors.append(ValidationError(_("Check the fields above, then save again to replace them with yours.")))
            raise ValidationError(errors)
        return cleaned

    def state_label(self, name: str) -> str:
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name).capitalize()
        except Exception:  # noqa: BLE001 - an extra_state entry is already its own label
            return name

    def state_value(self, stored: models.Model, name: str) -> str:
        try:
            return describe(stored, name)
        except Exception:  # noqa: BLE001 - an extra_state entry
            value = self.extra_state(stored).get(name)
            return ", ".join(value) if isinstance(value, list) else str(value or "—")


class StaleFormRefusedAdminMixin:
    """Puts the snapshot field into the admin form's first fieldset (hidden) so it travels with the form."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, {**options}) for name, options in super().get_fieldsets(request, obj)]
        if obj is not None and fieldsets:
            name, options = fieldsets[0]
            options["fields"] = [*options["fields"], "seen_state"]
        return fieldsets
