"""Staff screens for readers' alerts: subscribers (read-only; readers change their own choices), the counts per
topic and language, the suppression list (addresses entered by hand are stored as hashes), and the switch that
pauses and resumes all sending. Editors and Administrators only (migration 0002_alerts_roles)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .addresses import address_hash
from .models import SendingSwitch, Subscriber, Suppression, Topic


class _SetFilter(admin.SimpleListFilter):
    """Yes/no on whether a date field is set."""

    field = ""

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class ConfirmedFilter(_SetFilter):
    title = _("confirmed")
    parameter_name = "confirmed"
    field = "confirmed_at"


class LeftFilter(_SetFilter):
    title = _("left")
    parameter_name = "left"
    field = "left_at"


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ("kind", "section", "person", "organisation", "query", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "frequency", "topic_count", "created_at", "confirmed_at", "left_at")
    list_filter = ("language", "frequency", ConfirmedFilter, LeftFilter)
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "language",
        "frequency",
        "time_zone",
        "created_at",
        "confirmed_at",
        "left_at",
        "last_digest_at",
    )
    fields = readonly_fields
    inlines = [TopicInline]
    ordering = ("-created_at",)
    show_full_result_count = False
    change_list_template = "subscriptions/admin/subscriber_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_count=Count("topics"))

    @admin.display(description=_("topics"), ordering="topic_count")
    def topic_count(self, obj):
        return obj.topic_count

    def get_search_results(self, request, queryset, search_term):
        # Addresses are stored normalised (lower case, no spaces): search the same way.
        return super().get_search_results(request, queryset, search_term.strip().lower())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # readers change their own choices; staff may look, and Administrators delete

    def get_urls(self):
        view = self.admin_site.admin_view(self.topic_counts_view)
        return [path("per-topic/", view, name="subscriptions_subscriber_per_topic"), *super().get_urls()]

    def topic_counts_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        counts = services.topic_counts()
        languages = list(settings.LANGUAGES)
        rows = [
            {
                "label": entry.label,
                "kind": entry.kind_label,
                "total": entry.total,
                "per_language": [entry.counts.get(code, 0) for code, _name in languages],
            }
            for entry in counts
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Subscribers per topic"),
            "opts": self.model._meta,
            "rows": rows,
            "languages": languages,
            "totals": services.subscriber_totals(),
        }
        return TemplateResponse(request, "subscriptions/admin/topic_counts.html", context)


class SuppressionForm(forms.ModelForm):
    address = forms.EmailField(
        label=_("e-mail address"),
        help_text=_("Stored only as a fingerprint (SHA-256): the list never shows the address again."),
    )

    class Meta:
        model = Suppression
        fields = ("address", "reason", "note")

    def clean_address(self):
        address = self.cleaned_data["address"]
        if Suppression.objects.filter(address_hash=address_hash(address)).exists():
            raise forms.ValidationError(_("This address is already suppressed."))
        return address


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reason", "note", "created_at")
    list_filter = ("reason",)
    search_fields = ("address_hash",)
    search_help_text = _("Enter a whole e-mail address to find it.")
    ordering = ("-created_at",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SuppressionForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("address", "reason", "note") if obj is None else ("address_hash", "reason", "note", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("address_hash", "created_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = services.suppression_add(address=form.cleaned_data["address"], reason=obj.reason, note=obj.note)
        obj.pk, obj.address_hash, obj.created_at = saved.pk, saved.address_hash, saved.created_at
        obj._state.adding = False

    def get_search_results(self, request, queryset, search_term):
        # The list holds fingerprints: a typed address is looked up by its own.
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(address_hash=address_hash(term)), False
        return super().get_search_results(request, queryset, term)


@admin.register(SendingSwitch)
class SendingSwitchAdmin(admin.ModelAdmin):
    """One screen: whether alerts are being sent, who last changed that and when, and the button to change it."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        switch = SendingSwitch.objects.select_related("changed_by").first()
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            paused = request.POST.get("paused") == "1"
            services.sending_switch_set(paused=paused, user=request.user)
            self.message_user(
                request,
                gettext("Sending is paused.") if paused else gettext("Sending is resumed."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:subscriptions_sendingswitch_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Sending of e-mail alerts"),
            "opts": self.model._meta,
            "switch": switch,
            "paused": bool(switch and switch.paused),
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "subscriptions/admin/sending_switch.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:subscriptions_sendingswitch_changelist"))
