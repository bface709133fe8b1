"""Adding photos and documents to a release (one service that staff screens and scripts share), and the
processing of an uploaded photo that the task ``media.render_photo`` runs, and the sweep of unfinished ones."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attachment, AuditLogEntry, Event
from .backends import STORAGE_ERRORS
from .photos import attempt_names, delete_quietly, process_stored_photo
from .sniffing import CheckedUpload
from .stored import delete_stored_files
from .uploads import PROCESSED_FIELDS, checked_upload, queue_photo_processing

logger = logging.getLogger(__name__)
STATE_FIELDS = [*PROCESSED_FIELDS, "state_changed_at"]


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
            checked.append((upload, checked_upload(upload, decode=False)))
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


def render_photo(*, attachment_id: int, original_uncommitted: bool = False) -> str:
    """Process one uploaded photo (``photos.process_stored_photo``) and mark it ready, or failed with the reason
    when its pixels cannot be decoded. Returns the photo's state ("gone" for a deleted row).

    The row stays locked while the files are made: a second run at the same time waits, then finds the photo
    ready and does nothing; a run after a killed one deletes whatever the killed one wrote and writes again.
    Copies of the photo that share its stored original (translations made while it was processing) get the
    same files. Saved with ``update_fields``, so post_save side effects (the content version) follow.
    Storage and database errors propagate: the task retries them.

    The original a clean master replaces is deleted after the commit (``events.signals``), or at once with
    ``original_uncommitted`` (processing in-process inside the upload's transaction: nothing committed names it).
    """
    with transaction.atomic():
        photo = Attachment.objects.select_for_update().filter(pk=attachment_id).first()
        if photo is None:
            return "gone"
        if photo.state != Attachment.State.PROCESSING:
            return photo.state
        original = photo.file.name
        copies = list(
            Attachment.objects.select_for_update()
            .filter(file=original, state=Attachment.State.PROCESSING)
            .exclude(pk=photo.pk)
            .order_by("pk")
        )
        try:
            process_stored_photo(photo)
        except ValidationError as error:
            delete_quietly(photo.file.storage, attempt_names(original))
            photo.state = Attachment.State.FAILED
            photo.processing_error = " ".join(error.messages)
        else:
            photo.state = Attachment.State.READY
            photo.processing_error = ""
        photo.state_changed_at = timezone.now()
        try:
            photo.save(update_fields=STATE_FIELDS)
            for copy in copies:
                for name in STATE_FIELDS:
                    setattr(copy, name, getattr(photo, name))
                copy.save(update_fields=STATE_FIELDS)
        except BaseException:
            # The rows keep naming the original only: what this attempt wrote would be nobody's.
            delete_quietly(photo.file.storage, attempt_names(original))
            raise
        if original_uncommitted and photo.file.name != original:
            delete_quietly(photo.file.storage, [original])
    logger.info("Photo %s (%s) is %s.", photo.pk, photo.original_name, photo.state)
    return photo.state


def sweep_unfinished_uploads(*, now=None) -> dict:
    """Photos left "processing" (their worker died and the message was lost) are sent again after
    ``CSO_PHOTO_PROCESSING_STALE_MINUTES``, and marked failed after ``CSO_PHOTO_PROCESSING_MAX_ATTEMPTS`` tries;
    failed photos older than ``CSO_FAILED_PHOTO_DAYS`` are deleted, with their files once that is committed.
    A failed photo stays that long so that its editor sees the failure and its reason first."""
    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.CSO_PHOTO_PROCESSING_STALE_MINUTES)
    resent, failed = [], 0
    with transaction.atomic():
        stuck = Attachment.objects.select_for_update(skip_locked=True).filter(
            state=Attachment.State.PROCESSING, state_changed_at__lt=stale_before
        )
        for photo in stuck:
            photo.state_changed_at = now
            if photo.processing_attempts + 1 >= settings.CSO_PHOTO_PROCESSING_MAX_ATTEMPTS:
                photo.state = Attachment.State.FAILED
                photo.processing_error = _("Processing did not finish after %(count)d tries.") % {
                    "count": photo.processing_attempts + 1
                }
                photo.save(update_fields=["state", "processing_error", "state_changed_at"])
                failed += 1
                continue
            photo.processing_attempts += 1
            photo.save(update_fields=["processing_attempts", "state_changed_at"])
            resent.append(photo)
        for photo in resent:
            queue_photo_processing(photo)
    removed = 0
    expired = Attachment.objects.filter(
        state=Attachment.State.FAILED, state_changed_at__lt=now - timedelta(days=settings.CSO_FAILED_PHOTO_DAYS)
    )
    for photo in expired:
        with transaction.atomic():
            photo.delete()  # a cover leaves the release (SET_NULL); the files go after the commit (events.signals)
        removed += 1
    return {"resent": len(resent), "failed": failed, "removed": removed}


def retry_photo(*, attachment: Attachment) -> Attachment:
    """Send a failed photo to the workers again (the editor's "Try again")."""
    with transaction.atomic():
        photo = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if photo.state != Attachment.State.FAILED:
            return photo
        photo.state = Attachment.State.PROCESSING
        photo.processing_error = ""
        photo.processing_attempts = 0
        photo.state_changed_at = timezone.now()
        photo.save(update_fields=["state", "processing_error", "processing_attempts", "state_changed_at"])
        queue_photo_processing(photo)
    return photo
