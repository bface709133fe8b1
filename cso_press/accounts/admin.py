"""Backup codes in the admin: an administrator sees who has them and how many are left, and can delete them
(with the person's TOTP device) for someone who has lost both phone and codes. The codes cannot be shown:
only their digests are stored."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BackupCodeDevice


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "unused", "created_at", "last_used_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    fields = ["user", "name", "created_at", "last_used_at", "throttling_failure_count"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unused codes"))
    def unused(self, obj):
        return obj.unused_codes()
