"""The admin's "Recently deleted" screen: releases deleted within ``CSO_TRASH_DAYS``, each restorable as a draft
(``events.services.trash.event_restore``) with its photos, documents, people and organisations.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ... import permissions
from ...models import Event
from ...selectors.trash import deleted_events
from ...services.trash import RestoredContents, event_restore


def restored_message(event: Event, contents: RestoredContents) -> str:
    """What the editor is told after a restore, including links that could not come back."""
    parts = [_("“%(title)s” was restored as a draft.") % {"title": event.title}]
    if contents.people_skipped:
        parts.append(
            ngettext(
                "%(count)d linked person was deleted since (or is no longer a press contact) and was left out.",
                "%(count)d linked people were deleted since (or are no longer press contacts) and were left out.",
                contents.people_skipped,
            )
            % {"count": contents.people_skipped}
        )
    if contents.organizations_skipped:
        parts.append(
            ngettext(
                "%(count)d linked organisation was deleted since and was left out.",
                "%(count)d linked organisations were deleted since and were left out.",
                contents.organizations_skipped,
            )
            % {"count": contents.organizations_skipped}
        )
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
def trash_view(request):
    """The admin's "Recently deleted" list; POST restores one entry."""
    if not permissions.can_restore(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            history_id = int(request.POST.get("history_id", ""))
        except ValueError:
            raise Http404(_("No such deleted release.")) from None
        try:
            event, contents = event_restore(history_id=history_id, user=request.user)
        except ValidationError as exc:
            messages.error(request, _("Could not restore: %(reasons)s") % {"reasons": " ".join(exc.messages)})
            return HttpResponseRedirect(reverse("trash"))
        messages.success(request, restored_message(event, contents))
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
    context = {
        **admin.site.each_context(request),
        "title": _("Recently deleted releases"),
        "entries": deleted_events()[:200],
        "trash_days": settings.CSO_TRASH_DAYS,
        "opts": Event._meta,
    }
    return render(request, "security/trash.html", context)
