"""The staff forms of the press list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Journalist


class JournalistChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Journalist) -> str:
        return f"{obj.name}, {obj.outlet} ({obj.get_languages_display()})"


class RecipientsForm(forms.Form):
    """Who gets the release: the matching journalists are ticked; any other accredited one may be added."""

    journalists = JournalistChoices(
        label=_("Recipients"),
        queryset=Journalist.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one journalist.")},
    )

    def __init__(self, *args, choices, matching, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["journalists"]
        field.queryset = choices
        if not self.is_bound:
            self.initial["journalists"] = [journalist.pk for journalist in matching]


class JournalistImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, first line: name, outlet, email, accredited_until (YYYY-MM-DD), and if you like phone, "
            "languages (en, ru, “en,ru”, “ru,en”), sections (slugs separated by “;”), active (yes/no), notes. "
            "A known e-mail address updates that journalist."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
