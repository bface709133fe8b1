"""Decide what an uploaded file really is from its bytes, never from its name.

Photos must decode completely with Pillow as JPEG, PNG or WebP within Pillow's decompression-bomb limit;
documents must carry the signature of a PDF or an office format. Every refusal is a ``ValidationError``
whose message names the file and says why, so the upload form can show one line per file.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Formats a browser shows everywhere; Pillow names them like this in ``Image.format``.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97, Excel 97, PowerPoint 97 and their kin.
ZIP_SIGNATURE = b"PK\x03\x04"
OOXML_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
ODF_EXTENSIONS = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
# Markup that a browser would run if it were ever served inline from our domain.
MARKUP_STARTS = (b"<?xml", b"<svg", b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<!--", b"<")
# Markup hidden further in (a comment segment of a JPEG, text after a PDF header, bytes after the image's end):
# a polyglot, valid as a photo or document and as a web page. Long enough never to occur by chance in
# compressed pixels; searched in the lower-cased bytes.
HIDDEN_MARKUP = (
    b"<script",
    b"<html",
    b"<iframe",
    b"<!doctype html",
    b"<object",
    b"<embed",
    b"javascript:",
    b"onerror=",
    b"onload=",
)
SCAN_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """What the bytes turned out to be."""

    kind: str  # Attachment.Kind value: "photo" or "document"
    content_type: str
    extension: str  # with the dot, chosen from the content: ".jpg", ".pdf" ...
    width: int | None = None
    height: int | None = None


def check_upload(upload, *, max_bytes: int | None = None, decode: bool = True) -> CheckedUpload:
    """Check one uploaded file; raise ``ValidationError`` naming it and the reason, or say what it is.

    ``decode=False`` (release photos, whose pixels a task decodes later) reads a photo's header only: format,
    dimensions and the pixel cap, in milliseconds whatever the photo's size."""
    name = getattr(upload, "name", "") or _("(unnamed file)")
    limit = settings.CSO_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    size = upload.size if getattr(upload, "size", None) is not None else _measure(upload)
    if size == 0:
        raise _refuse(name, _("the file is empty."))
    if size > limit:
        raise _refuse(
            name,
            _("the file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    head = _read_head(upload)
    if _looks_like_markup(head):
        raise _refuse(name, _("SVG, HTML and other markup files are not accepted, because they can carry scripts."))
    if _hides_markup(upload):
        raise _refuse(
            name,
            _(
                "the file also contains web page code (HTML or script), which a photo or document never needs. "
                "Save it again from the program that made it, or export a clean copy."
            ),
        )
    if head.startswith(b"%PDF-"):
        return CheckedUpload("document", "application/pdf", ".pdf")
    if head.startswith(OLE2_SIGNATURE):
        return CheckedUpload("document", "application/x-ole-storage", _ole_extension(name))
    if head.startswith(ZIP_SIGNATURE):
        return _check_zip_document(upload, name)
    return _check_photo(upload, name, decode=decode)


def decode_photo(fileobj, name: str, *, before_load=None) -> Image.Image:
    """Decode every pixel of a JPEG, PNG or WebP file, or raise a ``ValidationError`` that names the file.

    Use it in a ``with`` block: that releases the pixels and leaves the caller's file open. ``before_load``,
    if given, is called with the opened image before its pixels are decoded (to ask for a reduced JPEG scale:
    all the compressed data are still read to the end).
    """
    return open_photo(fileobj, name, decode=True, before_load=before_load)


def open_photo(fileobj, name: str, *, decode: bool = False, before_load=None) -> Image.Image:
    """Open a JPEG, PNG or WebP file (its header: format, size, metadata), refusing one over the pixel cap
    (``CSO_MAX_PHOTO_PIXELS``); with ``decode`` also every pixel. Use it in a ``with`` block."""
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we treat the warning as a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj)
            if image.format not in PHOTO_FORMATS:
                image_format = image.format
                image.fp = None  # Let go of the caller's file without closing it (close() would).
                raise _refuse(
                    name, _("%(format)s images are not accepted; use JPEG, PNG or WebP.") % {"format": image_format}
                )
            if image.width * image.height > settings.CSO_MAX_PHOTO_PIXELS:
                image.fp = None
                raise _refuse(name, _too_many_pixels())
            if decode:
                if before_load is not None:
                    before_load(image)
                # Decoding every pixel is the only way to find a truncated or corrupt file.
                image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, _too_many_pixels()) from None
    except UnidentifiedImageError:
        raise _refuse(
            name,
            _(
                "its content is not a JPEG, PNG or WebP image, nor a PDF or office document "
                "(whatever the file name says)."
            ),
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(name, _("the image is damaged or incomplete (it could not be decoded to the end).")) from None


def _too_many_pixels() -> str:
    limit = min(Image.MAX_IMAGE_PIXELS or settings.CSO_MAX_PHOTO_PIXELS, settings.CSO_MAX_PHOTO_PIXELS)
    return _("the image has too many pixels to process safely (at most %(limit)s million).") % {
        "limit": round(limit / 1_000_000)
    }


def _check_photo(upload, name: str, *, decode: bool = True) -> CheckedUpload:
    try:
        with open_photo(upload, name, decode=decode) as image:
            image_format = image.format
            width, height = image.size
    finally:
        upload.seek(0)
    return CheckedUpload("photo", PHOTO_FORMATS[image_format], PHOTO_EXTENSIONS[image_format], width, height)


def _check_zip_document(upload, name: str) -> CheckedUpload:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in ODF_EXTENSIONS:
                    return CheckedUpload("document", mimetype, ODF_EXTENSIONS[mimetype])
            if "[Content_Types].xml" in names:
                for prefix, (content_type, extension) in OOXML_TYPES.items():
                    if any(member.startswith(prefix) for member in names):
                        return CheckedUpload("document", content_type, extension)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _("the document is damaged (it is not a readable office file).")) from None
    finally:
        upload.seek(0)
    raise _refuse(name, _("ZIP archives are not accepted; only PDF and office documents (Word, Excel, PowerPoint)."))


def _ole_extension(name: str) -> str:
    lowered = name.lower()
    for extension in (".doc", ".xls", ".ppt"):
        if lowered.endswith(extension):
            return extension
    return ".doc"


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(MARKUP_STARTS)


def _hides_markup(upload) -> bool:
    """Whether script-carrying markup appears anywhere in the file (chunks overlap, so no match is split)."""
    longest = max(len(item) for item in HIDDEN_MARKUP)
    upload.seek(0)
    tail = b""
    try:
        while chunk := upload.read(SCAN_CHUNK):
            window = (tail + chunk).lower()
            if any(item in window for item in HIDDEN_MARKUP):
                return True
            tail = window[-longest:]
    finally:
        upload.seek(0)
    return False


def _read_head(upload, length: int = 512) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head or b""


def _measure(upload) -> int:
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” was not accepted: %(reason)s") % {"name": name, "reason": reason}, code="invalid_upload"
    )
