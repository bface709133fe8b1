from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..embargo import embargo_path
from ..models import AuditLogEntry, EmbargoLink, Event
from ..services import embargo_links


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited by hand."""

    list_display = ["created_at", "action", "event_link", "actor", "from_status", "to_status", "note"]
    list_filter = ["action", "actor"]
    search_fields = ["object_repr", "note", "actor__username", "action"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("release"), ordering="object_repr")
    def event_link(self, obj):
        if obj.event_id is None:
            return obj.object_repr
        url = reverse("admin:events_event_change", args=[obj.event_id])
        return format_html('<a href="{}">{}</a>', url, obj.object_repr)


class EmbargoLinkForm(forms.ModelForm):
    class Meta:
        model = EmbargoLink
        fields = ["event", "label", "expires_at"]

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("The link must expire in the future."))
        return value

    def clean_event(self):
        event = self.cleaned_data["event"]
        if event.status == Event.Status.WITHDRAWN:
            raise forms.ValidationError(_("A withdrawn release cannot be shared under embargo."))
        return event


@admin.register(EmbargoLink)
class EmbargoLinkAdmin(admin.ModelAdmin):
    """Editors hand these links to accredited journalists; the row can be revoked at any time."""

    form = EmbargoLinkForm
    list_display = ["event", "label", "expires_at", "state", "shareable_link", "created_by", "created_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["event", "created_by"]
    autocomplete_fields = ["event"]
    search_fields = ["event__title", "label"]
    actions = ["revoke_selected"]
    readonly_fields = ["shareable_link", "state", "revoked_at", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "label", "expires_at"]
        return ["event", "label", "expires_at", "state", "shareable_link", "revoked_at", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["event", "label", "expires_at", *self.readonly_fields]

    def has_add_permission(self, request):
        return permissions.can_manage_embargo(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return permissions.can_manage_embargo(request.user)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("expires_at", timezone.localtime() + timedelta(days=1))
        return initial

    def save_model(self, request, obj, form, change):
        link = embargo_links.embargo_link_create(
            event=obj.event, user=request.user, expires_at=obj.expires_at, label=obj.label
        )
        obj.pk = link.pk
        obj.created_by = link.created_by
        obj.created_at = link.created_at

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return gettext("Revoked")
        if obj.expires_at <= timezone.now():
            return gettext("Expired")
        return gettext("Valid")

    @admin.display(description=_("link to share"))
    def shareable_link(self, obj):
        if not obj.pk or obj.revoked_at or obj.expires_at <= timezone.now():
            return "—"
        url = settings.CSO_SITE_URL.rstrip("/") + embargo_path(obj)
        return format_html(
            '<input type="text" readonly value="{}" size="60" class="cso-copy" aria-label="{}">',
            url,
            gettext("Embargo link"),
        )

    @admin.action(description=_("Revoke selected links"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        for link in queryset:
            embargo_links.embargo_link_revoke(link=link, user=request.user)
        self.message_user(request, gettext("%(count)d link(s) revoked.") % {"count": len(queryset)}, messages.SUCCESS)
