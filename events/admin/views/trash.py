"""Recently deleted events, restorable from their history for ``CSO_TRASH_DAYS`` days.

Deleting an event leaves its django-simple-history rows behind, the last one marked "-" (deleted). That last
record holds every field of the event, so restoring means saving it again. Its photos, documents, people and
organisations were kept beside that record (see ``trash_contents``) and come back with it. A restored event
comes back as a draft: something deleted on purpose (perhaps because it leaked) must not reappear in public
by one click. ``manage.py purge_trash`` forgets entries older than the trash period and deletes their files.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import permissions
from .models import Event
from .services import audit_log
from .trash_contents import RestoredContents, restore_contents


def deleted_events(now: datetime | None = None) -> models.QuerySet:
    """The deletion records of events deleted within the trash period and not restored since, newest first."""
    since = (now or timezone.now()) - timedelta(days=settings.CSO_TRASH_DAYS)
    return (
        Event.history.filter(history_type="-", history_date__gte=since)
        .exclude(id__in=Event.objects.values("id"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@transaction.atomic
def event_restore(*, history_id: int, user: AbstractBaseUser) -> tuple[Event, RestoredContents]:
    """Save the deleted event again as a draft, with the photos, documents and links it had."""
    record = deleted_events().filter(history_id=history_id).first()
    if record is None:
        raise Http404(_("This deleted event is no longer in the trash."))
    event = record.instance
    event.status = Event.Status.DRAFT
    event.publish_at = None
    # Rows the event pointed at may have gone with it (its cover photo, put back by restore_contents below)
    # or since (a user).
    for field in Event._meta.concrete_fields:
        if field.is_relation and field.null and getattr(event, field.attname) is not None:
            if not field.related_model._default_manager.filter(pk=getattr(event, field.attname)).exists():
                setattr(event, field.attname, None)
    event.updated_by = user
    event.full_clean(validate_unique=True)
    event.save(force_insert=True)
    contents = restore_contents(event, history_id=record.history_id)
    audit_log(
        action="events.event.restored",
        actor=user,
        event=event,
        to_status=event.status,
        data={
            "history_id": record.history_id,
            "deleted_at": record.history_date.isoformat(),
            **contents.as_audit_data(),
        },
    )
    return event, contents


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
            raise Http404(_("No such deleted event.")) from None
        try:
            event, contents = event_restore(history_id=history_id, user=request.user)
        except ValidationError as exc:
            messages.error(request, _("Could not restore: %(reasons)s") % {"reasons": " ".join(exc.messages)})
            return HttpResponseRedirect(reverse("trash"))
        messages.success(request, restored_message(event, contents))
        return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
    context = {
        **admin.site.each_context(request),
        "title": _("Recently deleted events"),
        "entries": deleted_events()[:200],
        "trash_days": settings.CSO_TRASH_DAYS,
        "opts": Event._meta,
    }
    return render(request, "security/trash.html", context)
