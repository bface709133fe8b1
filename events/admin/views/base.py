"""What every editorial screen in the admin shares: the admin's own page context and the way back to a release."""

from __future__ import annotations

from django.urls import reverse

from ...models import Event


def admin_context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "app_label": model_admin.model._meta.app_label,
        **extra,
    }


def change_url(event: Event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])
