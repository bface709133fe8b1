"""Start a release's version in the other language: a linked draft with the same details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ... import permissions
from ...models import Event
from ...services import releases
from .base import admin_context, change_url


def translate_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_translate(request.user, event):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            copy = releases.event_translate(event=event, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("A draft in the other language was created. Translate it here."))
            return redirect(change_url(copy))
    return TemplateResponse(
        request,
        "admin/events/event/translate.html",
        admin_context(
            model_admin,
            request,
            title=_("Translate: %(title)s") % {"title": event.title},
            event=event,
            original=event,
            error=error,
            translations=event.translations(),
        ),
    )
