"""Add a missing person, organisation or press contact from the release editor without leaving it.

URL name ``admin:events_event_quick_add`` (POST; the field ``kind`` is ``person``, ``organization`` or
``contact``), wired by ``EventAdmin.get_urls`` and called by the editor's dialog (static/cso_admin/editor.js).
Answers JSON:

- ``{"id", "text"}``: created (status 201);
- ``{"duplicates": [{"id", "text"}]}``: likely the same as existing rows (``events.selectors.names``), nothing
  saved; the dialog offers "Use this one", or sends again with ``create_anyway`` set;
- ``{"errors": {field: [messages]}}``: status 400 (invalid input) or 403 (the user may not add this kind).
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import JsonResponse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...models import Organization, Person, PhoneNumber
from ...phones import normalize_phone
from ...selectors.names import likely_duplicates


def _free_slug(model, name: str) -> str:
    base = (slugify(name) or model._meta.model_name)[:190]
    candidate, n = base, 2
    while model.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


class QuickAddForm(forms.ModelForm):
    """A small form of the dialog; the slug is made from the name (editable later in the directory)."""

    def save(self, commit=True):
        self.instance.slug = _free_slug(self._meta.model, self.cleaned_data["name"])
        return super().save(commit)


class PersonQuickForm(QuickAddForm):
    class Meta:
        model = Person
        fields = ["name", "name_ru", "position", "organization"]


class OrganizationQuickForm(QuickAddForm):
    class Meta:
        model = Organization
        fields = ["name", "short_name", "name_ru"]


class ContactQuickForm(QuickAddForm):
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, help_text=_("E.g. +7 495 765-43-21."))

    class Meta:
        model = Person
        fields = ["name", "name_ru", "position", "organization", "email"]

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "").strip()
        return normalize_phone(raw) if raw else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(_("Give an e-mail address or a phone number journalists can use."))
        return cleaned

    def save(self, commit=True):
        self.instance.is_press_contact = True
        person = super().save(commit)
        if self.cleaned_data.get("phone"):
            PhoneNumber.objects.create(person=person, number=self.cleaned_data["phone"])
        return person


# kind: (form, model, the permission asked, the dialog's title)
KINDS = {
    "person": (PersonQuickForm, Person, "events.add_person", _("New person")),
    "organization": (OrganizationQuickForm, Organization, "events.add_organization", _("New organisation")),
    "contact": (ContactQuickForm, Person, "events.add_person", _("New press contact")),
}


def quick_add_forms(user) -> list[dict]:
    """The dialogs the release editor shows this user: one per kind they may add."""
    return [
        {"kind": kind, "title": title, "form": form_class(prefix=f"quick-{kind}")}
        for kind, (form_class, _model, perm, title) in KINDS.items()
        if user.has_perm(perm)
    ]


def _errors(form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def quick_add_view(model_admin, request):
    if request.method != "POST":
        return JsonResponse({"errors": {"__all__": [gettext("Send the form with POST.")]}}, status=405)
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        return JsonResponse({"errors": {"__all__": [gettext("Unknown kind of entry.")]}}, status=400)
    form_class, model, perm, _title = KINDS[kind]
    if not request.user.has_perm(perm):
        return JsonResponse({"errors": {"__all__": [gettext("Your role may not add this.")]}}, status=403)
    form = form_class(request.POST, prefix=f"quick-{kind}")
    if not form.is_valid():
        return JsonResponse({"errors": _errors(form)}, status=400)
    if not request.POST.get("create_anyway"):
        # A contact picked from the dialog joins the contacts field, so only press contacts are offered there.
        same = [
            row
            for row in likely_duplicates(model, form.cleaned_data["name"])
            if kind != "contact" or row.is_press_contact
        ]
        found = [{"id": row.pk, "text": str(row)} for row in same[:5]]
        if found:
            return JsonResponse({"duplicates": found})
    with transaction.atomic():
        created = form.save()
    return JsonResponse({"id": created.pk, "text": str(created)}, status=201)
