"""Form data as a browser would send it back: every field of the page's forms with its current value."""

from __future__ import annotations

from django.urls import reverse


def _form_fields(form) -> dict:
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[bound.html_name] = [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
    return data


def _formset_fields(formset) -> dict:
    data = _form_fields(formset.management_form)
    for form in formset.forms:
        data |= _form_fields(form)
    return data


def change_form_data(response) -> dict:
    """The admin change form of ``response`` (a GET of a change page), inlines included, ready to POST."""
    context = response.context
    data = _form_fields(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data |= _formset_fields(inline.formset)
    return data


def describe_page_data(client, event) -> dict:
    """The "Describe and order photos" page of ``event`` as it was opened, ready to POST."""
    response = client.get(reverse("admin:events_event_photos", args=[event.pk]))
    assert response.status_code == 200
    data = _formset_fields(response.context["formset"])
    data["cover"] = str(event.cover_id or "")
    data["cover_seen"] = response.context.get("cover_seen", "")
    return data
