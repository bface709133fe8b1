"""The readers' forms: subscribe (the alerts page and the small box on section, person, organisation and All
events pages) and the manage page. Topics are named by their stored spelling ("section:12", "filter:…")."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Subscriber


class TopicsField(forms.MultipleChoiceField):
    """Ticked topics: any topic a reader may follow (not only those listed: the box on a person's page sends
    "person:3"), cleaned into ``services.Target``s."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value) -> bool:
        return services.parse_target(value) is not None

    def clean(self, value):
        values = super().clean(value)
        targets = [services.parse_target(item) for item in values]
        return list(dict.fromkeys(target for target in targets if target is not None))


class PreferencesForm(forms.Form):
    topics = TopicsField(
        label=_("Topics"),
        error_messages={
            "required": _("Choose at least one topic."),
            "invalid_choice": _("One of the chosen topics no longer exists. Please choose again."),
        },
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES, required=False)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Subscriber.Frequency.choices, required=False, widget=forms.RadioSelect
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("Digests arrive at a fixed time of day in this time zone."),
        choices=(),
        required=False,
    )

    def __init__(self, *args, extra_targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in services.time_zone_names()]
        listed = [services.parse_target(services.EVERYTHING), *services.section_targets()]
        values = {target.value for target in listed}
        submitted = self.data.getlist("topics") if self.is_bound and hasattr(self.data, "getlist") else []
        for value in [*extra_targets, *submitted]:
            target = services.parse_target(value) if isinstance(value, str) else value
            if target is not None and target.value not in values:
                listed.append(target)
                values.add(target.value)
        self.fields["topics"].choices = [(target.value, target.label) for target in listed]

    def clean_language(self):
        return self.cleaned_data["language"] or (get_language() or settings.LANGUAGE_CODE)[:2]

    def clean_frequency(self):
        return self.cleaned_data["frequency"] or Subscriber.Frequency.IMMEDIATE

    def clean_time_zone(self):
        return self.cleaned_data["time_zone"] or settings.TIME_ZONE


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)

    field_order = ["email", "topics", "language", "frequency", "time_zone"]
