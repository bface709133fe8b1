"""The one door every uploaded file goes through: release photos and documents, portraits, organisation logos.

Whatever screen or script stores a file, the model layer calls in here (``Attachment.save`` and the
``CleanPictureField`` of ``Person.photo`` and ``Organization.logo``), so nothing reaches storage unchecked:

- the type is read from the bytes (``sniffing.check_upload``): JPEG, PNG, WebP photos; PDF and office
  documents. Markup, SVG and files hiding web page code (polyglots) are refused with a message naming the file;
- the stored name is random, its extension follows the content (never the uploader's name or extension), and
  the recorded content type is the content's;
- pictures are decoded, turned upright and written out again, which drops EXIF (GPS, camera serials), IPTC and
  XMP. Portraits and logos: here, at once. Release photos: the request reads only the photo's header (size,
  pixel cap, IPTC/EXIF prefill), stores the untouched original under ``private/originals/`` and saves the row as
  "processing"; ``queue_photo_processing`` sends the task ``media.render_photo`` after the commit, which
  makes the clean master and the renditions (``photos.process_stored_photo``).

Forms show the same refusals as field errors: the fields carry ``validate_attachment_upload`` or
``validate_picture_upload`` as validators, which run before any save.
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from celery import current_app, signature
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageOps

from .photos import encode_master, read_photo_header
from .sniffing import CheckedUpload, check_upload, decode_photo

PHOTO = "photo"
DOCUMENT = "document"
PROCESSING = "processing"  # Attachment.State.PROCESSING (the models sit above this module)
ORIGINALS_FOLDER = "private/originals"
RENDER_PHOTO_TASK = "media.render_photo"
# What the task changes on the row; an instance saved in-process is refreshed with them.
PROCESSED_FIELDS = ["file", "size", "width", "height", "content_type", "renditions", "state", "processing_error"]
# Legacy office files share one container format; the name is the only hint to which program opens them.
OLE2_CONTENT_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


def random_name(folder: str, extension: str) -> str:
    """``<folder>/<year>/<month>/<32 random hex digits><extension>``: nothing in it comes from the uploader."""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


def extension_of(name: str) -> str:
    """The extension of a name this module chose (``photo.jpg``); anything odd is dropped."""
    suffix = PurePosixPath(name or "").suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""


def checked_upload(upload, *, kinds: tuple[str, ...] = (PHOTO, DOCUMENT), decode: bool = True) -> CheckedUpload:
    """What the bytes are, if they are one of ``kinds``; otherwise a ``ValidationError`` naming the file.

    ``decode=False``: a photo's header is read, not its pixels (release photos: a task decodes them).
    The answer is remembered on the file object, so a later layer (the model's save) does not read it again.
    """
    facts = getattr(upload, "cso_checked", None)
    if not isinstance(facts, CheckedUpload):
        facts = check_upload(upload, decode=decode)
    if facts.kind not in kinds:
        name = getattr(upload, "name", "") or _("(unnamed file)")
        raise ValidationError(
            _("“%(name)s” was not accepted: %(reason)s")
            % {"name": PurePosixPath(name).name, "reason": _("only JPEG, PNG or WebP pictures are accepted here.")},
            code="invalid_upload",
        )
    try:
        upload.cso_checked = facts
    except AttributeError:
        pass  # a read-only wrapper: checked again next time, which is only slower
    return facts


def _pending_file(value):
    """The not-yet-stored file behind a model field's value, or None for a stored or empty one."""
    if not value or getattr(value, "_committed", True):
        return None
    return getattr(value, "file", None) or value


def validate_attachment_upload(value) -> None:
    """Field validator: a new release file must be a photo or a document by content."""
    pending = _pending_file(value)
    if pending is not None:
        checked_upload(pending, decode=False)


def validate_picture_upload(value) -> None:
    """Field validator: a new portrait or logo must be a JPEG, PNG or WebP picture by content."""
    pending = _pending_file(value)
    if pending is not None:
        checked_upload(pending, kinds=(PHOTO,))


def prepare_attachment_file(attachment) -> None:
    """Check and normalise the new, not yet stored file of a release ``Attachment`` (called by its ``save``).

    Its kind and content type follow the content. A photo's header is read (size, IPTC/EXIF prefill) and its
    untouched original stored here under a random name; the row is saved as "processing" and the task makes
    the rest (``queue_photo_processing``). A document gets a random name with the extension of its real
    type and is stored by the model's save.
    """
    pending = attachment.file.file
    upload_name = PurePosixPath(getattr(attachment.file, "name", "") or "").name
    if not attachment.original_name:
        attachment.original_name = (upload_name or "upload")[:255]
    pending.name = attachment.original_name  # so that a refusal names the file as the uploader knows it
    facts = checked_upload(pending, decode=False)
    attachment.kind = facts.kind
    if facts.kind == PHOTO:
        _store_original(attachment, pending, facts)
        return
    pending.seek(0)
    attachment.file = File(pending, name=DOCUMENT + facts.extension)
    attachment.content_type = OLE2_CONTENT_TYPES.get(facts.extension, facts.content_type)


def _store_original(attachment, pending, facts: CheckedUpload) -> None:
    _format, attachment.width, attachment.height = read_photo_header(attachment, pending)
    pending.seek(0)
    storage = attachment.file.storage
    stored_name = storage.save(random_name(ORIGINALS_FOLDER, facts.extension), File(pending, name="photo"))
    attachment.file = stored_name  # A committed file now: Attachment.save() never stores it again.
    # Attachment.save() then reads the file for its size and checksum: from the upload in hand, the same bytes,
    # not from storage (on a bucket that was a HEAD, a HEAD and a 10 MB download inside the upload request).
    attachment.file.file = pending
    attachment.content_type = facts.content_type
    attachment.renditions = {}
    attachment.state = PROCESSING
    attachment.processing_error = ""
    attachment.state_changed_at = timezone.now()


def queue_photo_processing(attachment, *, new_upload: bool = False) -> None:
    """Send ``media.render_photo`` for a photo saved as "processing", once its row is committed.

    Where tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``: tests, ``make demo`` without a broker) the photo
    is processed right here, inside the caller's transaction, and ``attachment`` is refreshed: there is no
    worker to wait for."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # A new upload's row and original are the caller's, not yet committed: the task may delete the original
        # at once when the clean master replaces it (a rollback takes the row with it).
        try:
            send_render_photo(attachment.pk, original_uncommitted=new_upload)
        except Retry as retry:
            # A storage or database error: in-process there is no later try, so the caller sees the error itself.
            raise (retry.exc if isinstance(retry.exc, BaseException) else retry) from None
        attachment.refresh_from_db(fields=PROCESSED_FIELDS)
        return
    pk = attachment.pk
    # robust: with the broker down the upload is still committed and answered; the error is logged, and the photo,
    # left "processing", is sent again by maintenance.sweep_unfinished_uploads once the broker is back.
    transaction.on_commit(lambda: send_render_photo(pk), robust=True)


def send_render_photo(attachment_id: int, *, original_uncommitted: bool = False) -> None:
    """Queue one photo's processing (by the task's name: the tasks module sits above this one)."""
    if RENDER_PHOTO_TASK not in current_app.tasks:
        # A web process has not loaded the apps' task modules yet (a worker has); in-process (eager) running
        # needs the task itself, and sending by name then uses its routing all the same.
        current_app.loader.import_default_modules()
    kwargs = {"original_uncommitted": True} if original_uncommitted else {}
    signature(RENDER_PHOTO_TASK, args=[attachment_id], kwargs=kwargs, app=current_app).apply_async()


def clean_picture(value) -> ContentFile:
    """A new portrait or logo as it will be stored: upright, re-encoded without any metadata, under a neutral
    name (``picture.jpg`` or ``picture.png``; the field's ``upload_to`` makes it random)."""
    pending = _pending_file(value) or value
    original_name = PurePosixPath(getattr(value, "name", "") or "picture").name
    if not getattr(pending, "name", ""):
        pending.name = original_name
    checked_upload(pending, kinds=(PHOTO,))
    with decode_photo(pending, original_name) as image:
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    try:
        data, extension, _content_type = encode_master(upright, icc_profile)
    finally:
        upright.close()
    return ContentFile(data, name="picture" + extension)
