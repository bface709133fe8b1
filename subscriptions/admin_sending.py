"""Staff screens of the sending engine: a release's send log and "Send a test to me".

Registered from ``SubscriptionsConfig.ready`` (the app's admin.py belongs to the subscribers' admin). The
release's change page links here by URL name (templates/admin/events/event/change_form.html), so events
imports nothing of this app.
"""

from __future__ import annotations

import smtplib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from events.models import Event

from . import messages as mail
from .models import Announcement, Delivery

LOG_PAGE_SIZE = 100


def send_log_counts(event: Event) -> list[dict]:
    """Each announcement of ``event`` with its number of messages per status (one query for all)."""
    announcements = list(Announcement.objects.filter(event=event).order_by("created_at", "pk"))
    counts: dict[int, dict[str, int]] = {announcement.pk: {} for announcement in announcements}
    rows = Delivery.objects.filter(announcement__event=event).values("announcement", "status").annotate(n=Count("pk"))
    for row in rows.order_by():
        counts[row["announcement"]][row["status"]] = row["n"]
    return [
        {
            "announcement": announcement,
            "counts": [(label, counts[announcement.pk].get(value, 0)) for value, label in Delivery.Status.choices],
            "total": sum(counts[announcement.pk].values()),
        }
        for announcement in announcements
    ]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Announcements are made by the engine; staff read them through each release's send log."""

    list_display = ["event", "update_key", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["event"]
    readonly_fields = ["event", "update_key", "note", "state", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                "release/<int:event_id>/log/", self.admin_site.admin_view(self.send_log), name="subscriptions_send_log"
            ),
            path(
                "release/<int:event_id>/test/",
                self.admin_site.admin_view(self.test_send),
                name="subscriptions_test_send",
            ),
        ]
        return own + super().get_urls()

    def _event(self, request, event_id: int) -> Event:
        if not request.user.has_perm("subscriptions.view_delivery"):
            raise PermissionDenied
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            raise Http404(_("No such release."))
        return event

    def send_log(self, request, event_id: int):
        event = self._event(request, event_id)
        deliveries = (
            Delivery.objects.filter(announcement__event=event)
            .select_related("subscriber", "announcement")
            .order_by("-pk")
        )
        status = request.GET.get("status", "")
        if status in Delivery.Status.values:
            deliveries = deliveries.filter(status=status)
        page = Paginator(deliveries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("E-mail send log: %(title)s") % {"title": event.title},
            "event": event,
            "announcements": send_log_counts(event),
            "page": page,
            "statuses": Delivery.Status.choices,
            "status": status,
            "opts": Event._meta,
            "original": event,
            "test_send_url": reverse("admin:subscriptions_test_send", args=[event.pk]),
            "can_test_send": bool(request.user.email),
        }
        return TemplateResponse(request, "admin/subscriptions/send_log.html", context)

    def test_send(self, request, event_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        event = self._event(request, event_id)
        back = redirect("admin:subscriptions_send_log", event_id=event.pk)
        if not request.user.email:
            messages.error(request, _("Your account has no e-mail address; add one to receive a test."))
            return back
        try:
            mail.test_message(event=event, address=request.user.email).send()
        except (smtplib.SMTPException, OSError) as error:
            messages.error(request, _("The mail server did not take the test: %(error)s") % {"error": error})
            return back
        messages.success(request, _("A test of this alert was sent to %(address)s.") % {"address": request.user.email})
        return back
