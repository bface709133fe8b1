from django.contrib import admin

from ..models import AuditLogEntry, EmbargoLink


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited by hand."""

    list_display = ["created_at", "action", "object_repr", "actor", "from_status", "to_status", "note"]
    list_filter = ["action"]
    search_fields = ["object_repr", "note", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmbargoLink)
class EmbargoLinkAdmin(admin.ModelAdmin):
    list_display = ["event", "label", "expires_at", "revoked_at", "created_by", "created_at"]
    list_select_related = ["event", "created_by"]
    autocomplete_fields = ["event"]
    search_fields = ["event__title", "label"]
