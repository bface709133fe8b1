"""The filter form of the events lists (All events, section pages): a plain GET form built with django-filter."""

from __future__ import annotations

import copy
from functools import partial

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.renderers import TemplatesSetting
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .calendar import MAX_YEAR, MIN_YEAR
from .models import Event, EventParticipant, Language, Section
from .page_cache import remembered
from .search import matching_words
from .selectors.visibility import current_language, organization_choices, person_choices, section_choices, section_label

MAX_TEXT_LENGTH = 200


# The filter form's widgets are written by the site's own templates (templates/widgets/), not the form
# renderer's copies of Django's: one template per widget, no include per option or per attribute list.
SITE_TEMPLATES = TemplatesSetting()


class SiteTemplateWidget:
    """A widget written by its ``template_name`` from the project's templates."""

    def _render(self, template_name, context, renderer=None):
        return super()._render(template_name, context, SITE_TEMPLATES)


class MenuSelect(SiteTemplateWidget, forms.Select):
    """A ``<select>`` written by ``widgets/select.html``.

    ``menu``, when given, names the menu and ``menu_choices`` returns its (value, label) choices, as
    ``events.selectors.visibility`` keeps them per content version. The person menu lists every visible person, and
    writing it out was most of a list page's time; so the written menu is kept per content version too, one
    per language and chosen value (any value that is not on the menu is one entry: none chosen).
    """

    template_name = "widgets/select.html"

    def __init__(self, attrs=None, choices=(), menu: str | None = None, menu_choices=None):
        super().__init__(attrs, choices)
        self.menu = menu
        self.menu_choices = menu_choices

    def render(self, name, value, attrs=None, renderer=None):
        if self.menu is None:
            return super().render(name, value, attrs, renderer)
        # "" and None choose the empty option ("Anyone") and a value not on the menu chooses nothing, as in
        # Django. The choices are read only to check a chosen value: an unfiltered menu is found by its name.
        chosen = self.format_value(value)[:1]
        if chosen and chosen != [""] and chosen[0] not in {str(option) for option, _label in self.menu_choices()}:
            chosen = []
        final_attrs = sorted(self.build_attrs(self.attrs, attrs).items())
        key = repr((self.menu, translation.get_language(), name, chosen, final_attrs))
        return remembered("menu-html", key, lambda: self._written(name, chosen, attrs, renderer))

    def _written(self, name, chosen, attrs, renderer) -> str:
        # The field's empty option, then the menu's own choices: the field's would query the sections again.
        # The empty option needs no query (ModelChoiceIterator yields it before it queries).
        empty = [option for option in [next(iter(self.choices), None)] if option and option[0] in ("", None)]
        menu = copy.copy(self)
        menu.choices = [*empty, *self.menu_choices()]
        return super(MenuSelect, menu).render(name, chosen, attrs, renderer)


class SiteTextInput(SiteTemplateWidget, forms.TextInput):
    template_name = "widgets/input.html"


class SiteDateInput(SiteTemplateWidget, forms.DateInput):
    template_name = "widgets/input.html"


class SiteNumberInput(SiteTemplateWidget, forms.NumberInput):
    template_name = "widgets/input.html"


class YearField(forms.IntegerField):
    widget = SiteNumberInput


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=MAX_TEXT_LENGTH,
        widget=SiteTextInput(attrs={"type": "search", "placeholder": _("Words in the title or text")}),
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"),
        queryset=Section.objects.active().select_related("parent").order_by("position", "name"),
        to_field_name="slug",
        method="filter_section",
        empty_label=_("All sections"),
        widget=MenuSelect(menu="sections", menu_choices=section_choices),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=Event.Kind.choices, empty_label=_("All types"), widget=MenuSelect
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="starts_at",
        method="filter_date_from",
        widget=SiteDateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="starts_at", method="filter_date_to", widget=SiteDateInput(attrs={"type": "date"})
    )
    year = YearFilter(
        label=_("Year"), field_name="starts_at", lookup_expr="year", min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    person = django_filters.ChoiceFilter(
        label=_("Person"),
        choices=person_choices,
        method="filter_person",
        empty_label=_("Anyone"),
        widget=MenuSelect(menu="people", menu_choices=person_choices),
    )
    organization = django_filters.ChoiceFilter(
        label=_("Organisation"),
        choices=organization_choices,
        method="filter_organization",
        empty_label=_("Any organisation"),
        widget=MenuSelect(menu="organizations", menu_choices=organization_choices),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("Language of this site"), widget=MenuSelect
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, *args, section: Section | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # On a section page the section is fixed by the URL; only its sub-sections remain to choose from.
        self.fixed_section = section
        if section is not None:
            children = section.children.active()
            self.form.fields["section"].queryset = children
            self.form.fields["section"].empty_label = _("All of this section")
            self.form.fields["section"].widget.menu = f"sections-{section.pk}"
            self.form.fields["section"].widget.menu_choices = partial(section_choices, section)
        self.form.fields["section"].label_from_instance = section_label

    def filter_text(self, queryset, name, value):
        # The search's own match, so it uses the text index (PostgreSQL) instead of scanning every row; in the
        # language the list shows (the one chosen, else the reader's, as FilteredEventListView does).
        return matching_words(queryset, value, self.form.cleaned_data.get("language") or current_language())

    def filter_section(self, queryset, name, value):
        return queryset.in_section(value)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(Q(starts_at__date__gte=value) | Q(ends_at__date__gte=value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(starts_at__date__lte=value)

    def filter_person(self, queryset, name, value):
        # Exists rather than a join, so an event never appears twice.
        return queryset.filter(Exists(EventParticipant.objects.filter(event=OuterRef("pk"), person__slug=value)))

    def filter_organization(self, queryset, name, value):
        through = Event.organizations.through
        return queryset.filter(Exists(through.objects.filter(event=OuterRef("pk"), organization__slug=value)))

    def active_filters(self) -> list[dict]:
        """The filters in use, each with a readable value; the template turns them into removable chips."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        chips = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            form_field = self.form.fields[name]
            if name == "kind":
                shown = Event.Kind(value).label
            elif name == "language":
                shown = Language(value).label
            elif name in ("person", "organization"):
                shown = dict(form_field.choices).get(value, value)
            elif hasattr(value, "display_name"):
                shown = value.display_name
            else:
                shown = value
            chips.append({"name": name, "label": form_field.label, "value": shown})
        return chips
