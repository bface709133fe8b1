"""The editorial dashboard: my drafts, what waits for review, what is scheduled, what lacks a contact or alt text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import permissions
from ...selectors.editorial import dashboard_lists
from .base import admin_context


def dashboard_view(model_admin, request):
    if not permissions.can_view(request.user):
        raise PermissionDenied
    now = timezone.now()
    context = admin_context(
        model_admin,
        request,
        title=_("Editorial dashboard"),
        now=now,
        time_zone=timezone.get_current_timezone_name(),
        **dashboard_lists(user=request.user, now=now),
        calendar_url=reverse("admin:events_event_calendar"),
    )
    return TemplateResponse(request, "admin/events/event/dashboard.html", context)
