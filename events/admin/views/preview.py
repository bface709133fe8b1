"""A release as the public page will show it, whatever its status; never cached, never indexed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ... import permissions
from ...models import Event
from ...views.event import event_page_context


def preview_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event.objects.select_related("section__parent"), pk=object_id)
    if not permissions.can_preview(request.user, event):
        raise PermissionDenied
    # The public page's own context, so that the preview matches it exactly.
    context = event_page_context(request, event)
    context.update(preview_banner=_("Preview — not published"), noindex=True)
    if event.is_public:
        context["preview_banner"] = _("Preview — this version is public")
    response = TemplateResponse(request, "events/event_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
