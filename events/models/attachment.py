"""Photos and documents attached to a release."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image

from ..media.fields import ReleaseFileField
from ..media.stored import delete_stored_files
from ..media.uploads import (
    extension_of,
    prepare_attachment_file,
    queue_photo_processing,
    random_name,
    validate_attachment_upload,
)


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A random name under ``private/`` (never served from MEDIA_URL, only through the checked file view).

    ``filename`` is always one the upload service chose (``photo.jpg``, ``document.pdf``), never the uploader's.
    """
    return random_name("private/attachments", extension_of(filename))


class AttachmentQuerySet(models.QuerySet):
    def shown(self) -> AttachmentQuerySet:
        """What a public page, feed, download or zip may show: rows whose files are complete (``Attachment.shown``
        is the same rule for one row). A photo still being processed, or one that failed, is never shown."""
        return self.filter(state=Attachment.State.READY)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        "events.Event", verbose_name=_("release"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = ReleaseFileField(
        _("file"), upload_to=attachment_upload_to, max_length=255, validators=[validate_attachment_upload]
    )
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
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.READY, editable=False, db_index=True
    )
    processing_error = models.TextField(_("processing error"), blank=True, editable=False)
    processing_attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0, editable=False)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["event", "kind", "position"], name="attachment_event_order")]

    def __str__(self) -> str:
        return self.title or self.original_name or PurePath(self.file.name).name

    def save(self, *args, **kwargs) -> None:
        new_file = bool(self.file) and self._file_changed()
        if new_file:
            # Every path that stores a file comes here: the type is read from the content, the name is random;
            # a photo's untouched original is stored and the row saved as "processing": the task
            # media.render_photo makes the clean master and the renditions (events.media.uploads).
            prepare_attachment_file(self)
        new_photo = new_file and self.kind == self.Kind.PHOTO
        if self.file and (not self.sha256 or self._file_changed() or new_photo):
            self._read_file_facts()
        try:
            super().save(*args, **kwargs)
            if new_photo and self.state == self.State.PROCESSING:
                # After the commit the task media.render_photo makes the clean master and the renditions
                # (in-process at once where tasks run eagerly: tests, `make demo`).
                queue_photo_processing(self, new_upload=True)
        except BaseException:
            if new_photo:
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
            with Image.open(self.file) as image:
                self.width, self.height = image.size
                self.content_type = Image.MIME.get(image.format, "") or self.content_type
            self.file.seek(0)
        self.sha256 = digest.hexdigest()
        self.size = size
        if not self.content_type:
            # Never guessed from the uploader's name: a stored name's extension comes from the content.
            self.content_type = mimetypes.guess_type(self.file.name)[0] or "application/octet-stream"

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO

    @property
    def shown(self) -> bool:
        """Whether public pages may show this row (the rule of ``Attachment.objects.shown()``)."""
        return self.state == self.State.READY
