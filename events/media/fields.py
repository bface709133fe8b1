"""Model fields that keep uploaded files safe whatever code saves them (the admin, a service, a script, a fixture).

- ``ReleaseFileField`` (``Attachment.file``): its ``url`` is the checked ``/files/…`` address, never one in
  the public media folder; the checks and normalisation run in ``Attachment.save``.
- ``CleanPictureField`` (``Person.photo``, ``Organization.logo``): public pictures; a new file is checked by
  content and re-encoded without metadata under a random name when the row is saved.
"""

from __future__ import annotations

from django.db import models
from django.db.models import signals
from django.db.models.fields.files import FieldFile, ImageFieldFile

from .links import original_url
from .uploads import clean_picture, extension_of, random_name, validate_picture_upload


class ReleaseFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return original_url(self.instance)


class ReleaseFileField(models.FileField):
    attr_class = ReleaseFieldFile


def people_upload_to(instance, filename: str) -> str:
    return random_name("people", extension_of(filename))


def logos_upload_to(instance, filename: str) -> str:
    return random_name("logos", extension_of(filename))


class CleanPictureField(models.ImageField):
    """A public picture: JPEG, PNG or WebP by content, stored upright without EXIF/IPTC/XMP, named at random."""

    attr_class = ImageFieldFile

    def __init__(self, *args, **kwargs):
        validators = list(kwargs.pop("validators", []))
        if validate_picture_upload not in validators:
            validators.append(validate_picture_upload)
        super().__init__(*args, validators=validators, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)  # always added by __init__
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        # Like ImageField's own post_init hook: the field looks after its file. Connected to pre_save (sent
        # before the save's transaction work) so that a refusal leaves the caller's transaction usable.
        if not cls._meta.abstract:
            signals.pre_save.connect(self.clean_new_picture, sender=cls, weak=False)

    def clean_new_picture(self, instance, **kwargs) -> None:
        value = getattr(instance, self.attname)
        if value and not value._committed:
            # Raises ValidationError (naming the file) for anything but a real picture: nothing is stored then.
            setattr(instance, self.attname, clean_picture(value))
