"""A release's history: its revisions and audit entries, two revisions compared word by word, and a revert.

The field comparison also explains an edit conflict on the change form (``events.admin.event``).
"""

from __future__ import annotations

import difflib
from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import permissions
from ...models import Event
from ...models.event import EDITORIAL_FIELDS
from ...selectors.releases import has_been_public
from ...services import releases
from .base import admin_context

# Fields shown when comparing revisions or explaining an edit conflict, in reading order.
COMPARED_FIELDS = [
    *(name for name in EDITORIAL_FIELDS if name != "organizations"),  # a revision row holds no many-to-many
    "status", "publish_at", "public_update_note", "withdrawal_reason",
]  # fmt: skip
TEXT_FIELDS = {"lead", "body", "title", "location", "public_update_note", "withdrawal_reason"}


def _display(record, name: str) -> str:
    value = getattr(record, name, None)
    if name in ("section", "cover"):
        related_id = getattr(record, f"{name}_id", None)
        if related_id is None:
            return "—"
        try:
            return str(getattr(record, name))
        except Exception:  # noqa: BLE001 - the related row may be gone; show its id instead.
            return f"#{related_id}"
    if name in ("status", "kind", "language"):
        choices = dict(Event._meta.get_field(name).choices)
        return str(choices.get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, ""):
        return "—"
    if name == "body":
        return strip_tags(str(value))
    return str(value)


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: kind is "same", "del" or "ins", for a word-level diff a person can read."""
    old_words, new_words = old.split(), new.split()
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            pieces.append(("del", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            pieces.append(("ins", " ".join(new_words[b1:b2])))
    return pieces


def field_changes(old_record, new_record) -> list[dict]:
    """The fields that differ between two revisions, with readable old and new values."""
    # diff_against covers the editable fields; the workflow's own (not editable) ones are compared directly.
    editable = [name for name in COMPARED_FIELDS if Event._meta.get_field(name).editable]
    changed = set(new_record.diff_against(old_record, included_fields=editable).changed_fields)
    changed.update(
        name
        for name in COMPARED_FIELDS
        if name not in editable and getattr(old_record, name) != getattr(new_record, name)
    )
    rows = []
    for name in COMPARED_FIELDS:
        if name not in changed:
            continue
        old_value, new_value = _display(old_record, name), _display(new_record, name)
        if name not in TEXT_FIELDS and old_value == new_value:
            # Shown alike, e.g. times differing only in seconds the form never shows: nothing to tell anyone.
            continue
        rows.append(
            {
                "name": name,
                "label": str(Event._meta.get_field(name).verbose_name).capitalize(),
                "old": old_value,
                "new": new_value,
                "words": _word_diff(old_value, new_value) if name in TEXT_FIELDS else None,
            }
        )
    return rows


def history_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_view(request.user, event):
        raise PermissionDenied
    revisions = list(event.history.select_related("history_user").order_by("-history_date", "-history_id"))
    return TemplateResponse(
        request,
        "admin/events/event/revisions.html",
        admin_context(
            model_admin,
            request,
            title=_("History: %(title)s") % {"title": event.title},
            event=event,
            original=event,
            revisions=revisions,
            audit_entries=event.audit_entries.select_related("actor")[:200],
            can_revert=permissions.can_revert(request.user, event),
        ),
    )


def _revision(event: Event, value) -> object:
    try:
        history_id = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(event.history.all(), history_id=history_id)


def compare_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_view(request.user, event):
        raise PermissionDenied
    if "old" not in request.GET or "new" not in request.GET:
        return HttpResponseBadRequest(_("Choose two revisions to compare."))
    old, new = _revision(event, request.GET["old"]), _revision(event, request.GET["new"])
    if old.history_date > new.history_date:
        old, new = new, old
    return TemplateResponse(
        request,
        "admin/events/event/compare.html",
        admin_context(
            model_admin,
            request,
            title=_("Changes in “%(title)s”") % {"title": event.title},
            event=event,
            original=event,
            old=old,
            new=new,
            changes=field_changes(old, new),
            can_revert=permissions.can_revert(request.user, event),
        ),
    )


class RevertForm(forms.Form):
    """A revert is an edit: once the release has been public it needs a change note or the minor-change tick."""

    change_note = forms.CharField(
        label=gettext_lazy("Change note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown on the public page as “Updated [date]: [note]”."),
    )
    minor_change = forms.BooleanField(
        label=gettext_lazy("Minor change"),
        required=False,
        help_text=gettext_lazy("A typo or similar: readers see no update note."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = has_been_public(event)
        if not self.public:
            del self.fields["change_note"]
            del self.fields["minor_change"]

    def clean(self):
        cleaned = super().clean()
        if self.public and not cleaned.get("change_note", "").strip() and not cleaned.get("minor_change"):
            self.add_error(
                "change_note", _("This release has been published: describe the change, or tick “Minor change”.")
            )
        return cleaned


def revert_view(model_admin, request, object_id: int, history_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_revert(request.user, event):
        raise PermissionDenied
    record = _revision(event, history_id)
    form = RevertForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            releases.event_revert(
                event=event,
                user=request.user,
                history_id=record.history_id,
                change_note=form.cleaned_data.get("change_note", ""),
                minor_change=form.cleaned_data.get("minor_change", False),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Reverted to version %(version)s as a new revision.") % {"version": record.version}
            )
        return redirect(reverse("admin:events_event_history", args=[event.pk]))
    current = event.history.order_by("-history_date", "-history_id").first()
    return TemplateResponse(
        request,
        "admin/events/event/revert.html",
        admin_context(
            model_admin,
            request,
            title=_("Revert “%(title)s”") % {"title": event.title},
            event=event,
            original=event,
            record=record,
            form=form,
            changes=field_changes(current, record) if current else [],
        ),
    )
