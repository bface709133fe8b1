"""The release editor's own fields and widgets: a date with an optional time typed in the release's time
zone, and ordered picks from the directory (people, organisations, contacts) with a search box.

The widgets are written by the project's templates (``templates/admin/events/event/widgets/``), so every
input has its own label and the markup stays out of Python.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils import timezone

PROJECT_TEMPLATES = TemplatesSetting()
# What editors type: ISO dates, and the Russian and British way (day first); times with a colon or a dot.
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]


class ProjectTemplateWidget:
    """A widget written by its ``template_name`` from the project's templates."""

    def _render(self, template_name, context, renderer=None):
        return super()._render(template_name, context, PROJECT_TEMPLATES)


class DateAndTimeWidget(ProjectTemplateWidget, forms.MultiWidget):
    """A date input and a time input, each with its own visible label ("Start date", "Start time")."""

    template_name = "admin/events/event/widgets/date_and_time.html"

    def __init__(self, *, date_label, time_label, attrs=None):
        self.date_label = date_label
        self.time_label = time_label
        # Plain text inputs: one Tab stop each (a browser's date input is three, a time input two) and the
        # same typing everywhere; the formats are in the help text and the placeholders.
        widgets = [
            forms.DateInput(
                attrs={"class": "cso-date", "placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 10},
                format="%Y-%m-%d",
            ),
            forms.TimeInput(
                attrs={"class": "cso-time", "placeholder": "HH:MM", "inputmode": "numeric", "size": 5}, format="%H:%M"
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            return [value.date(), value.time().replace(second=0, microsecond=0)]
        if isinstance(value, date):
            return [value, None]
        return [None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["labels"] = [self.date_label, self.time_label]
        return context


class DateAndTimeField(forms.MultiValueField):
    """A date, and a time that may be left empty; the form turns the pair into a moment (see ``moment``)."""

    def __init__(self, *, date_label, time_label, **kwargs):
        fields = [
            forms.DateField(input_formats=DATE_FORMATS),
            forms.TimeField(input_formats=TIME_FORMATS, required=False),
        ]
        kwargs.setdefault("widget", DateAndTimeWidget(date_label=date_label, time_label=time_label))
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.fields[0].required = kwargs.get("required", True)

    def compress(self, data_list):
        if not data_list or not data_list[0]:
            return None
        day = data_list[0]
        at = data_list[1] if len(data_list) > 1 else None
        return (day, at)


def zone_or_default(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else timezone.get_default_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def moment(day: date, at: time | None, *, zone_name: str | None, all_day: bool) -> datetime:
    """The one rule for what an editor typed: a date and a time in the release's own time zone. An all-day
    release (or a date without a time) starts at the beginning of that day there."""
    at = time(0, 0) if all_day or at is None else at
    return timezone.make_aware(datetime.combine(day, at), zone_or_default(zone_name))


class OrderedPicksWidget(ProjectTemplateWidget, forms.SelectMultiple):
    """The chosen items in order (hidden inputs, with buttons to move and remove each) and a search box
    that asks the admin's autocomplete for more (static/cso_admin/editor.js). ``source`` names the field whose
    choices the autocomplete searches: (app label, model name, field name)."""

    template_name = "admin/events/event/widgets/ordered_picks.html"

    def __init__(self, *, source, quick_add=None, search_label, attrs=None):
        self.source = source
        self.quick_add = quick_add
        self.search_label = search_label
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        # Widget's context, not SelectMultiple's: that one would list every person or organisation as an
        # option (the whole directory on every release page); only the picked ones are written here.
        context = forms.Widget.get_context(self, name, value, attrs)
        wanted = [str(item) for item in (value or []) if str(item)]
        queryset = getattr(self.choices, "queryset", None)
        found = {str(obj.pk): obj for obj in queryset.filter(pk__in=wanted)} if queryset is not None and wanted else {}
        app_label, model_name, field_name = self.source
        context["widget"].update(
            picked=[(pk, str(found[pk])) for pk in wanted if pk in found],
            search_label=self.search_label,
            autocomplete_url=reverse("admin:autocomplete"),
            source={"app_label": app_label, "model_name": model_name, "field_name": field_name},
            quick_add=self.quick_add,
        )
        return context

    def format_value(self, value):
        return [str(item) for item in (value or [])]

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


class OrderedModelChoicesField(forms.ModelMultipleChoiceField):
    """Like ``ModelMultipleChoiceField``, but its value is a list in the order the editor gave, each item
    once."""

    def clean(self, value):
        chosen = super().clean(value)
        by_pk = {str(obj.pk): obj for obj in chosen}
        ordered, seen = [], set()
        for key in value or []:
            key = str(key)
            if key in by_pk and key not in seen:
                ordered.append(by_pk[key])
                seen.add(key)
        return ordered


class ReleaseTitleInput(forms.Textarea):
    """A one-line title that wraps and grows with the text instead of scrolling sideways."""

    def __init__(self, attrs=None):
        defaults = {"rows": 1, "class": "cso-title", "spellcheck": "true", "data-grow": ""}
        super().__init__({**defaults, **(attrs or {})})


def clean_title(value: str) -> str:
    """A title is one line: line breaks typed or pasted into the growing box become spaces."""
    return " ".join((value or "").split())
