"""The filter form of the events lists (All events, section pages): a plain GET form built with django-filter."""

from __future__ import annotations

from functools import partial

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .calendar import MAX_YEAR, MIN_YEAR
from .models import Event, EventParticipant, Language, Section
from .selectors.visibility import (
    option_html,
    organization_choices,
    organization_options_html,
    person_choices,
    person_options_html,
    section_label,
    section_options_html,
)

MAX_TEXT_LENGTH = 200


class FastSelect(forms.Select):
    """Django's ``<select>``, written out in Python rather than through a template per option.

    The person menu lists every visible person: rendering each ``<option>`` through the template engine was
    most of the time a list page took. The markup is the same as Django's own (attributes, ``selected``,
    optgroups), only the whitespace between options differs.

    ``options_html``, when given, is a function returning the options (all but the empty one) already
    written out, as ``events.selectors.visibility`` keeps them per content version; only the chosen one is marked.
    """

    def __init__(self, attrs=None, choices=(), options_html=None):
        super().__init__(attrs, choices)
        self.options_html = options_html

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.options_html is not None:
            body = self._prerendered_options(chosen)
        else:
            body = self._options(chosen)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(body))  # noqa: S308

    def _prerendered_options(self, chosen: set[str]) -> str:
        empty_value, empty_label = next(iter(self.choices), ("", None))
        head = option_html(empty_value, empty_label, selected=str(empty_value) in chosen) if empty_label else ""
        options = self.options_html()
        if head and str(empty_value) in chosen:
            return head + options
        for value in chosen:
            plain = f'<option value="{escape(value)}">'
            if plain in options:
                # As in Django: a single select marks only the first matching option.
                return head + options.replace(plain, plain[:-1] + " selected>", 1)
        return head + options

    def _options(self, chosen: set[str]) -> str:
        has_selected = False

        def option(option_value, label) -> str:
            nonlocal has_selected
            option_value = "" if option_value is None else str(option_value)
            selected = option_value in chosen and (self.allow_multiple_selected or not has_selected)
            has_selected = has_selected or selected
            return option_html(option_value, label, selected)

        options = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                inner = "".join(option(v, label) for v, label in option_label)
                options.append(format_html('<optgroup label="{}">{}</optgroup>', option_value, mark_safe(inner)))  # noqa: S308
            else:
                options.append(option(option_value, option_label))
        return "".join(options)


class FastInputMixin:
    """Django's ``input.html`` widget template, written out in Python with the same markup.

    A list page shows four such fields; through the form renderer each cost a template render.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{escape(widget["value"])}"')
        for attr, attr_value in widget["attrs"].items():
            if attr_value is True:
                parts.append(f" {escape(attr)}")
            elif attr_value is not False:
                parts.append(f' {escape(attr)}="{escape(attr_value)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 - every value above goes through escape()


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class YearField(forms.IntegerField):
    widget = FastNumberInput


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=MAX_TEXT_LENGTH,
        widget=FastTextInput(attrs={"type": "search", "placeholder": _("Words in the title or text")}),
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"),
        queryset=Section.objects.active().select_related("parent").order_by("position", "name"),
        to_field_name="slug",
        method="filter_section",
        empty_label=_("All sections"),
        widget=FastSelect(options_html=section_options_html),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=Event.Kind.choices, empty_label=_("All types"), widget=FastSelect
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="starts_at",
        method="filter_date_from",
        widget=FastDateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="starts_at", method="filter_date_to", widget=FastDateInput(attrs={"type": "date"})
    )
    year = YearFilter(
        label=_("Year"), field_name="starts_at", lookup_expr="year", min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    person = django_filters.ChoiceFilter(
        label=_("Person"),
        choices=person_choices,
        method="filter_person",
        empty_label=_("Anyone"),
        widget=FastSelect(options_html=person_options_html),
    )
    organization = django_filters.ChoiceFilter(
        label=_("Organisation"),
        choices=organization_choices,
        method="filter_organization",
        empty_label=_("Any organisation"),
        widget=FastSelect(options_html=organization_options_html),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("Language of this site"), widget=FastSelect
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
            self.form.fields["section"].widget.options_html = partial(section_options_html, section)
        self.form.fields["section"].label_from_instance = section_label

    def filter_text(self, queryset, name, value):
        words = value.split()[:10]
        for word in words:
            queryset = queryset.filter(Q(title__icontains=word) | Q(lead__icontains=word) | Q(body__icontains=word))
        return queryset

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
