"""The one door every uploaded file goes through: release photos and documents, portraits, organisation logos.

Whatever screen or script stores a file, the model layer calls in here (``Attachment.save`` and the
``CleanPictureField`` of ``Person.photo`` and ``Organization.logo``), so nothing reaches storage unchecked:

- the type is read from the bytes (``sniffing.check_upload``): JPEG, PNG, WebP photos; PDF and office
  documents. Markup, SVG and files hiding web page code (polyglots) are refused with a message naming the file;
- the stored name is random, its extension follows the content (never the uploader's name or extension), and
  the recorded content type is the content's;
- pictures are decoded, turned upright and written out again, which drops EXIF (GPS, camera serials), IPTC and
  XMP (release photos: ``photos.prepare_new_photo``, which also makes their renditions).

Forms show the same refusals as field errors: the fields carry ``validate_attachment_upload`` or
``validate_picture_upload`` as validators, which run before any save.
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageOps

from .photos import encode_master, prepare_new_photo
from .sniffing import CheckedUpload, check_upload, decode_photo

PHOTO = "photo"
DOCUMENT = "document"
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


def checked_upload(upload, *, kinds: tuple[str, ...] = (PHOTO, DOCUMENT)) -> CheckedUpload:
    """What the bytes are, if they are one of ``kinds``; otherwise a ``ValidationError`` naming the file.

    The answer is remembered on the file object, so a later layer (the model's save) does not decode it again.
    """
    facts = getattr(upload, "cso_checked", None)
    if not isinstance(facts, CheckedUpload):
        facts = check_upload(upload)
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
        checked_upload(pending)


def validate_picture_upload(value) -> None:
    """Field validator: a new portrait or logo must be a JPEG, PNG or WebP picture by content."""
    pending = _pending_file(value)
    if pending is not None:
        checked_upload(pending, kinds=(PHOTO,))


def prepare_attachment_file(attachment) -> None:
    """Check and normalise the new, not yet stored file of a release ``Attachment`` (called by its ``save``).

    Its kind and content type follow the content. A photo is cleaned and stored with its renditions here;
    a document gets a random name with the extension of its real type and is stored by the model's save.
    """
    pending = attachment.file.file
    upload_name = PurePosixPath(getattr(attachment.file, "name", "") or "").name
    if not attachment.original_name:
        attachment.original_name = (upload_name or "upload")[:255]
    pending.name = attachment.original_name  # so that a refusal names the file as the uploader knows it
    facts = checked_upload(pending)
    attachment.kind = facts.kind
    if facts.kind == PHOTO:
        prepare_new_photo(attachment)
        return
    pending.seek(0)
    attachment.file = File(pending, name=DOCUMENT + facts.extension)
    attachment.content_type = OLE2_CONTENT_TYPES.get(facts.extension, facts.content_type)


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
