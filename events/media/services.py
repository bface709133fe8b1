"""Adding photos and documents to a release: one service that staff screens and scripts share."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import Attachment, AuditLogEntry, Event
from .backends import STORAGE_ERRORS
from .sniffing import CheckedUpload
from .stored import delete_stored_files
from .uploads import checked_upload


def attachments_upload(
    *, event: Event, files: list, user=None, caption: str = "", credit: str = ""
) -> list[Attachment]:
    """Check every file by content, then store them all as attachments of ``event``, or none of them.

    Raises ``ValidationError`` with one message per refused file (naming it). On any failure nothing is
    left behind: no record (the transaction rolls back) and no stored file (deleted here).
    """
    checked: list[tuple[object, CheckedUpload]] = []
    problems: list[ValidationError] = []
    for upload in files:
        try:
            checked.append((upload, checked_upload(upload)))
        except ValidationError as error:
            problems.append(error)
    if problems:
        raise ValidationError(problems)
    if not checked:
        raise ValidationError("Choose at least one file.", code="required")

    created: list[Attachment] = []
    try:
        with transaction.atomic():
            last = event.attachments.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
            for upload, facts in checked:
                attachment = _attachment_from_upload(
                    event=event, upload=upload, facts=facts, position=position, caption=caption, credit=credit
                )
                # Alt text is asked for on the next page, where each photo can be seen and described.
                attachment.clean_fields(exclude={"file", "alt_text"})
                attachment.save()
                created.append(attachment)
                position += 1
            first_photo = next((item for item in created if item.is_photo), None)
            if first_photo is not None:
                Event.objects.filter(pk=event.pk, cover__isnull=True).update(cover=first_photo)
            AuditLogEntry.objects.create(
                action="events.attachment.uploaded",
                event=event,
                actor=user if getattr(user, "pk", None) else None,
                object_repr=str(event)[:300],
                data={"files": [item.original_name for item in created], "ids": [item.pk for item in created]},
            )
    except BaseException as error:
        for attachment in created:
            delete_stored_files(attachment)
        if isinstance(error, STORAGE_ERRORS):
            # A full disk or an unreachable object store: the staff member can try again; nothing was kept.
            raise ValidationError(
                _("The file store could not save the upload (%(reason)s). Nothing was added; please try again."),
                code="storage",
                params={"reason": getattr(error, "strerror", None) or error.__class__.__name__},
            ) from error
        raise
    return created


def _attachment_from_upload(*, event, upload, facts: CheckedUpload, position, caption, credit) -> Attachment:
    original_name = PurePath(getattr(upload, "name", "") or "upload").name[:255]
    upload.seek(0)
    content = File(upload, name=original_name)
    content.cso_checked = facts  # checked above; Attachment.save stores it under a random name from the content
    attachment = Attachment(
        event=event,
        kind=facts.kind,
        original_name=original_name,
        position=position,
        caption=caption,
        credit=credit,
        file=content,
    )
    if facts.kind == Attachment.Kind.DOCUMENT:
        attachment.title = PurePath(original_name).stem.replace("_", " ")[:200]
    return attachment
