"""The office's identity: one row, edited only by those who hold its permissions (superusers, Administrator)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import SiteIdentity
from ..models.identity import ROW_ID


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("English"), {"fields": ["name_en", "short_name_en", "footer_en"]}),
        (_("Russian"), {"fields": ["name_ru", "short_name_ru", "footer_ru"]}),
        (_("Logo"), {"fields": ["logo"]}),
    ]
    actions = None

    def has_add_permission(self, request):
        # There is one identity: it is added once, when nobody has set it yet.
        return super().has_add_permission(request) and not SiteIdentity.objects.filter(pk=ROW_ID).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """No list of one: straight to the row (or to the form that creates it)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if SiteIdentity.objects.filter(pk=ROW_ID).exists():
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[ROW_ID])
        else:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        return HttpResponseRedirect(url)
