"""The press list in the admin: the journalists, and per release the send screen and the sends' record."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from events import permissions as event_permissions
from events.models import Event

from .forms import JournalistImportForm, RecipientsForm
from .imports import journalists_import, read_rows
from .mail import embargo_text
from .models import Journalist, PressSend
from .selectors import eligible_journalists, matching_journalists, send_kind, sends_for
from .services import press_send_retry, press_send_revoke, press_sends_queue
from .tasks import presslist_send


class ReadsFilter(admin.SimpleListFilter):
    title = gettext_lazy("reads")
    parameter_name = "reads"

    def lookups(self, request, model_admin):
        return Journalist.Languages.choices[:2]

    def queryset(self, request, queryset):
        return queryset.reading(self.value()) if self.value() in {"en", "ru"} else queryset


class AccreditedFilter(admin.SimpleListFilter):
    title = gettext_lazy("accreditation")
    parameter_name = "accreditation"

    def lookups(self, request, model_admin):
        return [("valid", _("Valid today")), ("expired", _("Expired"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "valid":
            return queryset.filter(accredited_until__gte=today)
        if self.value() == "expired":
            return queryset.filter(accredited_until__lt=today)
        return queryset


@admin.register(Journalist)
class JournalistAdmin(admin.ModelAdmin):
    list_display = ["name", "outlet", "email", "languages", "accredited_until", "active"]
    list_filter = ["active", AccreditedFilter, ReadsFilter, "sections", "outlet"]
    search_fields = ["name", "outlet", "email", "notes"]
    # Ticks, not the admin's two-box picker (which axe-core flags: an ARIA attribute its markup may not carry);
    # an office has a handful of sections.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = [
        (None, {"fields": ["name", "outlet", "email", "phone", "languages", "sections"]}),
        (gettext_lazy("Accreditation"), {"fields": ["accredited_until", "active", "notes"]}),
    ]

    change_list_template = "presslist/admin/journalist_change_list.html"

    def get_urls(self):
        def wrap(view):
            def wrapper(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        return [
            path("import/", wrap(import_view), name="presslist_journalist_import"),
            path("release/<int:release_id>/", wrap(release_sends_view), name="presslist_release_sends"),
            path("release/<int:release_id>/send/", wrap(release_send_view), name="presslist_release_send"),
            path("send/<int:send_id>/revoke/", wrap(revoke_view), name="presslist_send_revoke"),
            path("send/<int:send_id>/retry/", wrap(retry_view), name="presslist_send_retry"),
            *super().get_urls(),
        ]


def _context(model_admin, request, release, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Event._meta,
        "journalist_opts": Journalist._meta,
        "release": release,
        **extra,
    }


def _may_send(user, release, kind) -> bool:
    if not user.has_perm("presslist.send_presslist") or not user.has_perm("events.view_event"):
        return False
    return kind != PressSend.Kind.EMBARGO or event_permissions.can_manage_embargo(user, release)


def release_sends_view(model_admin, request, release_id):
    """Press list sends for a release: who was sent what and when, who opened their link when."""
    if not (request.user.has_perm("presslist.view_presssend") and request.user.has_perm("events.view_event")):
        raise PermissionDenied
    release = get_object_or_404(Event, pk=release_id)
    kind = send_kind(release)
    context = _context(
        model_admin,
        request,
        release,
        title=_("Press list sends for “%(release)s”") % {"release": release},
        sends=list(sends_for(release)),
        kind=kind,
        may_send=kind is not None and _may_send(request.user, release, kind),
        may_revoke=_may_send(request.user, release, PressSend.Kind.EMBARGO),
    )
    return TemplateResponse(request, "presslist/admin/sends.html", context)


def release_send_view(model_admin, request, release_id):
    """Choose the journalists and queue the e-mails; the sending runs in the background."""
    release = get_object_or_404(Event, pk=release_id)
    kind = send_kind(release)
    if kind is not None and not _may_send(request.user, release, kind):
        raise PermissionDenied
    if kind is None:
        if not request.user.has_perm("presslist.send_presslist"):
            raise PermissionDenied
        messages.error(request, _("A withdrawn release cannot be sent to the press list."))
        return redirect("admin:presslist_release_sends", release.pk)
    done = PressSend.objects.filter(release=release, kind=kind).values("journalist_id")
    choices = eligible_journalists().exclude(pk__in=done)
    matching = matching_journalists(release).exclude(pk__in=done)
    form = RecipientsForm(request.POST if request.method == "POST" else None, choices=choices, matching=matching)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = form.cleaned_data["journalists"]
            created = press_sends_queue(release=release, journalists=chosen, user=request.user)
            if created:
                # robust (a lambda: Django logs a failed hook by its __qualname__, which a partial lacks): with
                # the broker down the editor's send still stands, and the 10-minute sweep sends what waits.
                transaction.on_commit(lambda: presslist_send.delay(release_id=release.pk, kind=kind), robust=True)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            count = len(created)
            messages.success(
                request,
                ngettext(
                    "%(count)d e-mail is being sent in the background.",
                    "%(count)d e-mails are being sent in the background.",
                    count,
                )
                % {"count": count},
            )
        return redirect("admin:presslist_release_sends", release.pk)
    context = _context(
        model_admin,
        request,
        release,
        title=_("Send “%(release)s” to the press list") % {"release": release},
        form=form,
        kind=kind,
        embargo_until=embargo_text(release),
        matching_count=matching.count(),
    )
    return TemplateResponse(request, "presslist/admin/send.html", context)


def revoke_view(model_admin, request, send_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    send = get_object_or_404(PressSend.objects.select_related("release", "journalist", "embargo_link"), pk=send_id)
    if not _may_send(request.user, send.release, PressSend.Kind.EMBARGO):
        raise PermissionDenied
    press_send_revoke(send=send, user=request.user)
    messages.success(
        request, _("The embargo link of %(journalist)s no longer works.") % {"journalist": send.journalist}
    )
    return redirect(reverse("admin:presslist_release_sends", args=[send.release_id]))


def retry_view(model_admin, request, send_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    send = get_object_or_404(PressSend.objects.select_related("release", "journalist", "embargo_link"), pk=send_id)
    if not _may_send(request.user, send.release, send.kind):
        raise PermissionDenied
    try:
        press_send_retry(send=send, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        transaction.on_commit(lambda: presslist_send.delay(release_id=send.release_id, kind=send.kind), robust=True)
        messages.success(request, _("The e-mail to %(journalist)s is queued again.") % {"journalist": send.journalist})
    return redirect(reverse("admin:presslist_release_sends", args=[send.release_id]))


def import_view(model_admin, request):
    """Journalists from a CSV file: all rows saved, or none and every problem listed."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    form = JournalistImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_rows(form.cleaned_data["file"].read())
        except ValidationError as error:
            form.add_error("file", error)
        else:
            result = journalists_import(rows)
            errors = result.errors
            if not errors:
                messages.success(
                    request,
                    _("Journalists imported: %(added)d added, %(updated)d updated.")
                    % {"added": result.added, "updated": result.updated},
                )
                return redirect("admin:presslist_journalist_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Journalist._meta,
        "title": _("Import journalists"),
        "form": form,
        "errors": errors,
    }
    return TemplateResponse(request, "presslist/admin/import.html", context)
