"""Staff forms for uploading several files at once and for describing, ordering and choosing the cover."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..models import Attachment

ACCEPT = ",".join(
    [
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
        ".doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp",
    ]
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is the list of every chosen file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            return super().clean(None, initial)  # "This field is required."
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Files"))
    caption = forms.CharField(
        label=_("Caption for all"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Left empty, each photo's caption is taken from its IPTC/EXIF data if it has one."),
    )
    credit = forms.CharField(
        label=_("Credit / copyright for all"),
        max_length=200,
        required=False,
        help_text=_("Optional. Left empty, the photographer and copyright are read from the photo's metadata."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Choose several files at once (or drop them here). Photos: JPEG, PNG or WebP. Documents: PDF, Word, "
            "Excel, PowerPoint or OpenDocument. At most %(limit)s each. Files are checked by their content, "
            "not their name."
        ) % {"limit": filesizeformat(settings.CSO_MAX_UPLOAD_BYTES)}


class AttachmentDescribeForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["position", "title", "caption", "alt_text", "credit", "taken_at"]
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "position": forms.NumberInput(attrs={"class": "vSmallField", "min": 0}),
            "alt_text": forms.Textarea(attrs={"rows": 2, "cols": 50}),
        }


class CoverForm(forms.Form):
    cover = forms.ModelChoiceField(
        label=_("Cover photo"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("No cover photo"),
        help_text=_("Shown in lists and when the release is shared on social networks."),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cover"].queryset = event.attachments.filter(kind=Attachment.Kind.PHOTO)
        self.fields["cover"].label_from_instance = lambda photo: photo.original_name or str(photo)
