from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Event, EventParticipant, EventPressContact
from .media import AttachmentInline, PhotoUploadAdminMixin


class ParticipantInline(admin.TabularInline):
    model = EventParticipant
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "position"]
    verbose_name = _("participant")
    verbose_name_plural = _("participants (in order)")


class PressContactInline(admin.TabularInline):
    model = EventPressContact
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "position"]
    verbose_name_plural = _("press contacts to call (in order)")


@admin.register(Event)
class EventAdmin(PhotoUploadAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "starts_at", "section", "kind", "language", "status", "publish_at", "updated_by"]
    list_filter = ["status", "kind", "language", "section"]
    search_fields = ["title", "lead", "location", "slug"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "organizations", "cover"]
    list_select_related = ["section", "updated_by"]
    inlines = [ParticipantInline, PressContactInline, AttachmentInline]
    readonly_fields = ["first_published_at", "created_by", "created_at", "updated_by", "updated_at", "version"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "kind", "language", "translation_key"]}),
        (_("Date and place"), {"fields": [("starts_at", "ends_at"), "all_day", "location"]}),
        (_("Text"), {"fields": ["lead", "body"]}),
        (_("Related"), {"fields": ["organizations", "cover"]}),
        (_("Publication"), {"fields": ["status", "publish_at", "first_published_at"]}),
        (
            _("Record"),
            {"fields": ["created_by", "created_at", "updated_by", "updated_at", "version"], "classes": ["collapse"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
