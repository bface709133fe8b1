from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import PhoneNumberForm
from ..models import Organization, Person, PhoneNumber, Section
from .locking import StaleFormRefusedAdminMixin, StaleFormRefusedForm


class PersonAdminForm(StaleFormRefusedForm):
    def extra_state(self, instance):
        # The phones are edited inline on the same page, so a stale page would overwrite them too.
        if instance.pk is None:
            return {}
        numbers = instance.phones.order_by("position", "pk").values_list("label", "number")
        return {"phones": [f"{label}: {number}" for label, number in numbers]}

    def state_label(self, name):
        return gettext("Phone numbers") if name == "phones" else super().state_label(name)


@admin.register(Section)
class SectionAdmin(StaleFormRefusedAdminMixin, admin.ModelAdmin):
    form = StaleFormRefusedForm
    list_display = ["name", "name_ru", "parent", "position", "is_active", "event_count"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name", "name_ru", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]
    autocomplete_fields = ["parent", "default_press_contacts"]
    fieldsets = [
        (None, {"fields": ["name", "name_ru", "slug", "parent", "position", "is_active"]}),
        (_("Description"), {"fields": ["description", "description_ru"]}),
        (_("Press contacts"), {"fields": ["default_press_contacts"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent").annotate(_event_count=Count("events"))

    @admin.display(description=_("releases"), ordering="_event_count")
    def event_count(self, obj):
        return obj._event_count


@admin.register(Organization)
class OrganizationAdmin(StaleFormRefusedAdminMixin, admin.ModelAdmin):
    form = StaleFormRefusedForm
    list_display = ["name", "short_name", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "name_ru", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "name_ru", "short_name", "slug", "kind", "parent"]}),
        (_("Details"), {"fields": ["country", "website", "logo", "description"]}),
    ]


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    form = PhoneNumberForm
    extra = 1
    fields = ["label", "number", "position"]


@admin.register(Person)
class PersonAdmin(StaleFormRefusedAdminMixin, admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["name", "position", "organization", "is_press_contact", "email", "phone_list"]
    list_filter = ["is_press_contact", "organization__kind"]
    search_fields = ["name", "name_ru", "sort_name", "position", "email", "organization__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    inlines = [PhoneNumberInline]
    fieldsets = [
        (None, {"fields": ["name", "name_ru", "sort_name", "slug", "position", "position_ru", "organization"]}),
        (_("Press contact"), {"fields": ["is_press_contact", "email"]}),
        (_("Profile"), {"fields": ["photo", "bio"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phones")

    @admin.display(description=_("phones"))
    def phone_list(self, obj):
        return format_html_join(", ", "{}", ((phone.international,) for phone in obj.phones.all()))
