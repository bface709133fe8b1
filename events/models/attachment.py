"""Photos and documents attached to a release."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A date-based folder and a random name; the uploader's file name is kept only as data."""
    suffix = PurePath(filename).suffix.lower()[:10]
    if not suffix or not suffix[1:].isalnum():
        suffix = ""
    today = timezone.now()
    return f"attachments/{today:%Y/%m}/{secrets.token_hex(12)}{suffix}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(
        _("original file name"), max_length=255, blank=True, help_text=_("E.g. ABC_9246.JPG, as uploaded.")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required for photos: what the photo shows, for readers who cannot see it (screen readers, slow links)."
        ),
    )
    credit = models.CharField(_("credit / copyright"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    renditions = models.JSONField(
        _("renditions"), default=dict, blank=True, editable=False, help_text=_("Resized copies, made on upload.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["event", "kind", "position"], name="attachment_event_order")]

    def __str__(self) -> str:
        return self.title or self.original_name or PurePath(self.file.name).name

    def save(self, *args, **kwargs) -> None:
        new_photo = bool(self.file) and self.kind == self.Kind.PHOTO and self._file_changed()
        if new_photo:
            # Stores an upright copy without EXIF (GPS!) and its renditions; see events.media.photos.
            from ..media.photos import prepare_new_photo

            prepare_new_photo(self)
        if self.file and (not self.sha256 or self._file_changed() or new_photo):
            self._read_file_facts()
        try:
            super().save(*args, **kwargs)
        except BaseException:
            if new_photo:
                from ..media.cleanup import delete_stored_files

                delete_stored_files(self)
            raise

    def clean(self) -> None:
        if self.kind == self.Kind.PHOTO and not self.alt_text.strip():
            raise ValidationError(
                {"alt_text": _("Describe the photo for readers who cannot see it; alt text is required for photos.")}
            )

    def _file_changed(self) -> bool:
        return not getattr(self.file, "_committed", True)

    def _read_file_facts(self) -> None:
        """Size, checksum, content type and (for photos) pixel size, read from the file itself."""
        if not self.original_name:
            self.original_name = PurePath(self.file.name).name[:255]
        digest = hashlib.sha256()
        size = 0
        self.file.open("rb")
        self.file.seek(0)
        for chunk in self.file.chunks():
            digest.update(chunk)
            size += len(chunk)
        self.file.seek(0)
        if self.kind == self.Kind.PHOTO and not (self.width and self.height):
            from PIL import Image

            with Image.open(self.file) as image:
                self.width, self.height = image.size
                self.content_type = Image.MIME.get(image.format, "") or self.content_type
            self.file.seek(0)
        self.sha256 = digest.hexdigest()
        self.size = size
        if not self.content_type:
            self.content_type = mimetypes.guess_type(self.original_name)[0] or "application/octet-stream"

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO
