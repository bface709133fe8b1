from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import PhoneNumberForm
from ..models import Organization, Person, PhoneNumber, Section
from ..selectors.names import likely_duplicates, rank_names
from .locking import StaleFormRefusedAdminMixin, StaleFormRefusedForm


class LikelyDuplicateRefusedForm(StaleFormRefusedForm):
    """Refuses to save a person or organisation whose name is probably one already in the directory.

    The form then names the existing entries (links to them) and shows the "save anyway" box; ticked, the next
    save goes through. An edit is checked only when a name changes, and never against the entry itself.
    """

    name_fields: tuple[str, ...] = ("name", "name_ru")
    duplicate_message = ""
    save_anyway_label = ""
    # Hidden and unlabelled until there is something to confirm.
    save_anyway = forms.BooleanField(label="", required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or set(self.name_fields) & set(self.changed_data):
            name, *others = (cleaned.get(field) or "" for field in self.name_fields)
            found = likely_duplicates(self._meta.model, name, exclude_pk=self.instance.pk, also=others)
            if found:
                self.fields["save_anyway"].widget = forms.CheckboxInput()
                # The bound field was made (and its label copied) while the fields were cleaned.
                self["save_anyway"].label = self.save_anyway_label
                if not cleaned.get("save_anyway"):
                    raise ValidationError(self.duplicate_error(found), code="likely_duplicate")
        return cleaned

    def duplicate_error(self, found):
        html = render_to_string(
            "admin/events/includes/likely_duplicates.html",
            {"message": self.duplicate_message, "entries": found, "opts": self._meta.model._meta},
        ).strip()
        # Rendered by a template (names escaped there); the error list would escape it again.
        return mark_safe(html)


class PersonAdminForm(LikelyDuplicateRefusedForm):
    duplicate_message = _("A person like this already exists:")
    save_anyway_label = _("Save anyway: this is a different person")

    def extra_state(self, instance):
        # The phones are edited inline on the same page, so a stale page would overwrite them too.
        if instance.pk is None:
            return {}
        numbers = instance.phones.order_by("position", "pk").values_list("label", "number")
        return {"phones": [f"{label}: {number}" for label, number in numbers]}

    def state_label(self, name):
        return gettext("Phone numbers") if name == "phones" else super().state_label(name)


class OrganizationAdminForm(LikelyDuplicateRefusedForm):
    name_fields = ("name", "name_ru", "short_name")
    duplicate_message = _("An organisation like this already exists:")
    save_anyway_label = _("Save anyway: this is a different organisation")


class DuplicateWarningAdminMixin:
    """Puts the form's "save anyway" box (hidden until there is a likely duplicate) right after the name."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, {**options}) for name, options in super().get_fieldsets(request, obj)]
        may_save = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if fieldsets and may_save:
            name, options = fieldsets[0]
            first, *others = options["fields"]
            options["fields"] = [first, "save_anyway", *others]
        return fieldsets


class RankedNameSearchMixin:
    """Search (the list's search box and every autocomplete of these entries) ranked by ``rank_names``:
    exact names, short names and acronyms first, then prefixes, words, and on PostgreSQL similar names.
    The admin's ordinary ``search_fields`` search still finds what names do not (an e-mail address); those
    rows come last. A column the editor sorted the list by wins over the ranking."""

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return found, may_have_duplicates
        ranked = rank_names(queryset, search_term, also=Q(pk__in=found.values("pk")))
        if request.GET.get(ORDER_VAR):
            ranked = ranked.order_by(*queryset.query.order_by)
        return ranked, False


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
class OrganizationAdmin(
    RankedNameSearchMixin, DuplicateWarningAdminMixin, StaleFormRefusedAdminMixin, admin.ModelAdmin
):
    form = OrganizationAdminForm
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
class PersonAdmin(RankedNameSearchMixin, DuplicateWarningAdminMixin, StaleFormRefusedAdminMixin, admin.ModelAdmin):
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
