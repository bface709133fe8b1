"""Turn an uploaded photo into what the public gets: upright, without private metadata, in several sizes.

Two steps. In the upload request, ``read_photo_header`` reads the size and the IPTC/EXIF prefill without
decoding a pixel, and ``events.media.uploads`` stores the untouched original (the row is "processing").
Then the task ``media.render_photo`` (``events.media.services.render_photo``) calls ``process_stored_photo``,
which calls ``process_photo_file``: renditions from a reduced JPEG decode, a lossless clean master
(``events.media.imaging``). ``regenerate`` rebuilds the renditions of a stored photo. Public requests
only ever read the ``renditions`` JSON of ready photos and build URLs from it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps

from .imaging import NotAJpeg, clean_jpeg, orientation_of, request_draft, upright_size
from .links import file_url
from .metadata import read_metadata
from .sniffing import PHOTO_EXTENSIONS, PHOTO_FORMATS, decode_photo, open_photo

RENDITIONS_VERSION = 1
EXIF_ORIENTATION = 0x0112
# Clean masters; untouched originals wait in ORIGINALS_FOLDER (events.media.uploads) until a task replaces them.
MASTER_FOLDER = "private/attachments"


@dataclass(frozen=True)
class RenditionSpec:
    box: tuple[int, int]
    crop: bool = False  # True: fill the box exactly (cropping the edges); False: fit inside it, never enlarge.


# Change these and run ``manage.py regenerate_renditions``.
RENDITION_SPECS: dict[str, RenditionSpec] = {
    "thumb": RenditionSpec((480, 480)),
    "medium": RenditionSpec((960, 960)),
    "large": RenditionSpec((1920, 1920)),
    "social": RenditionSpec((1200, 630), crop=True),  # Open Graph / Twitter card size.
}
# Sizes a page may offer the browser in ``srcset``, smallest first (the social crop is a different picture).
SRCSET_SIZES = ("thumb", "medium", "large")

JPEG_OPTIONS = {"quality": 85, "optimize": True, "progressive": True}
WEBP_OPTIONS = {"quality": 80, "method": 2}  # method 4+ saves ~5% bytes at twice the time
MASTER_JPEG_OPTIONS = {"quality": 92}


@dataclass(frozen=True)
class ProcessedPhoto:
    """What ``process_photo_file`` made of one photo; the renditions are stored already, the master is not."""

    master: bytes | None  # the clean full-size file to store; None when the office keeps originals
    master_extension: str  # ".jpg", ".png" or ".webp" (of the master, or of the original when kept)
    content_type: str
    width: int  # full size, upright
    height: int
    icc: bytes | None
    renditions: dict  # as ``write_renditions`` returns it


@dataclass(frozen=True)
class Rendition:
    """One stored size of a photo, as a template needs it."""

    size: str
    width: int
    height: int
    jpeg_url: str
    webp_url: str


def read_photo_header(attachment, pending) -> tuple[str, int, int]:
    """What the upload request learns of a photo without decoding its pixels: the format, the upright size
    (EXIF orientation applied to the header's dimensions) and the caption, credit, title and date the
    photographer wrote in IPTC/EXIF, filled in where staff left them empty. Returns (format, width, height).
    Raises ``ValidationError`` (naming the file) if the header is not a usable photo's."""
    with open_photo(pending, attachment.original_name or "photo") as image:
        _fill_blanks(attachment, image)
        width, height = image.size
        if image.getexif().get(EXIF_ORIENTATION) in (5, 6, 7, 8):  # a quarter turn swaps the sides
            width, height = height, width
        image_format = image.format
        image.fp = None  # Let go of the caller's file without closing it.
    pending.seek(0)
    return image_format, width, height


def master_name(original_name: str, extension: str) -> str:
    """Where the clean master of the original stored at ``original_name`` goes: a name a re-run reuses."""
    path = PurePosixPath(original_name)
    month = "/".join(path.parent.parts[-2:])
    return f"{MASTER_FOLDER}/{month}/{path.stem}{extension}"


def attempt_names(original_name: str, *, now=None) -> set[str]:
    """Every name a processing attempt of this original may write (the master in both formats, each rendition
    in each month from the upload's to now): a re-run deletes them before writing, and the orphan sweep keeps
    them while the photo is still processing."""
    path = PurePosixPath(original_name)
    stem = path.stem
    names = {master_name(original_name, extension) for extension in (".jpg", ".png")}
    try:
        year, month = (int(part) for part in path.parent.parts[-2:])
    except ValueError:
        year, month = (now or timezone.now()).year, (now or timezone.now()).month
    current = now or timezone.now()
    while (year, month) <= (current.year, current.month):
        for size in RENDITION_SPECS:
            for extension in (".webp", ".jpg"):
                names.add(f"private/renditions/{year:04d}/{month:02d}/{stem}-{size}{extension}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    names.discard(original_name)
    return names


def process_stored_photo(attachment) -> None:
    """Make a stored original public-ready: decode it, write the clean master (unless the office serves
    originals: ``CSO_SERVE_ORIGINAL_PHOTOS``) and every rendition, and set ``file``, size, content type and
    ``renditions`` on ``attachment`` (nothing is saved here: ``media.services.render_photo`` does that).

    Safe to repeat: the names an earlier, interrupted attempt may have written are deleted first, and this
    attempt writes the same names again. Raises ``ValidationError`` if the pixels cannot be decoded.
    """
    storage = attachment.file.storage
    original = attachment.file.name
    delete_quietly(storage, attempt_names(original))
    keep_original = settings.CSO_SERVE_ORIGINAL_PHOTOS
    with storage.open(original, "rb") as stored:
        processed = process_photo_file(
            stored,
            original_name=attachment.original_name or PurePosixPath(original).name,
            storage=storage,
            stem=PurePosixPath(original).stem,
            keep_original=keep_original,
        )
    if keep_original:
        file_name = original
    else:
        try:
            file_name = storage.save(master_name(original, processed.master_extension), ContentFile(processed.master))
        except BaseException:
            delete_quietly(storage, rendition_names(processed.renditions))
            raise
    attachment.file = file_name
    if processed.master is not None:
        attachment.size = len(processed.master)  # what a download sends: the clean master, not the upload
    attachment.width, attachment.height = processed.width, processed.height
    attachment.content_type = processed.content_type
    attachment.renditions = {**processed.renditions, "file_is_clean": not keep_original}


def process_photo_file(source, *, original_name: str, storage, stem: str, keep_original: bool) -> ProcessedPhoto:
    """Everything a photo needs after upload, from its file object: renditions stored, clean master made.

    A JPEG's master is a lossless copy without metadata (``imaging.clean_jpeg``: same pixels, no GPS,
    serials, IPTC or XMP; the Orientation is kept for viewers) and its renditions come from a JPEG decoded
    at a reduced DCT scale. PNG and WebP are decoded in full and re-encoded without metadata, as are JPEGs
    whose structure the copier does not understand. Raises ``ValidationError`` naming the file if it is
    not a usable photo.
    """
    full_size: list[tuple[int, int]] = []

    def reduce(image: Image.Image) -> None:
        full_size.append(image.size)
        request_draft(image, _rendition_boxes())

    with decode_photo(source, original_name, before_load=reduce) as image:
        image_format = image.format
        icc_profile = image.info.get("icc_profile")
        orientation = orientation_of(image)
        upright = _upright(image)
        reduced = image.size != full_size[0]
    try:
        width, height = upright_size(full_size[0], orientation)
        master = None
        extension, content_type = PHOTO_EXTENSIONS[image_format], PHOTO_FORMATS[image_format]
        if not keep_original:
            master, extension, content_type = _clean_master(
                source, original_name, image_format, orientation, None if reduced else upright, icc_profile
            )
        renditions = write_renditions(upright, storage=storage, stem=stem, icc=icc_profile)
    finally:
        upright.close()
    return ProcessedPhoto(master, extension, content_type, width, height, icc_profile, renditions)


def _clean_master(source, original_name, image_format, orientation, decoded, icc_profile) -> tuple[bytes, str, str]:
    """The master file's bytes, extension and type: a lossless JPEG copy, or pixels re-encoded."""
    if image_format == "JPEG":
        source.seek(0)
        try:
            return clean_jpeg(source.read(), orientation).data, ".jpg", "image/jpeg"
        except NotAJpeg:
            pass
    if decoded is not None:
        return encode_master(decoded, icc_profile)
    with decode_photo(source, original_name) as image:  # the rare JPEG the copier refused, decoded in full
        upright = _upright(image)
    try:
        return encode_master(upright, icc_profile)
    finally:
        upright.close()


def _rendition_boxes() -> list[tuple[tuple[int, int], bool]]:
    return [(spec.box, spec.crop) for spec in RENDITION_SPECS.values()]


def _upright(image: Image.Image) -> Image.Image:
    """A copy turned as its EXIF Orientation says (unturned when the EXIF block is unreadable)."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a damaged EXIF block must not lose the photo
        return image.copy()


def delete_quietly(storage, names) -> None:
    """Delete these names; a missing one is no error (on disk and in a bucket alike), so no existence check is
    spent on each."""
    for name in sorted(names):
        storage.delete(name)


def regenerate(attachment) -> dict:
    """Build fresh renditions from the stored file and return the new ``renditions`` value (nothing saved)."""
    storage = attachment.file.storage
    with storage.open(attachment.file.name, "rb") as stored:
        name = attachment.original_name or attachment.file.name
        with decode_photo(stored, name, before_load=lambda image: request_draft(image, _rendition_boxes())) as image:
            icc_profile = image.info.get("icc_profile")
            upright = _upright(image)
    try:
        stem = PurePosixPath(attachment.file.name).stem
        renditions = write_renditions(upright, storage=storage, stem=stem, icc=icc_profile)
    finally:
        upright.close()
    return {**renditions, "file_is_clean": bool(attachment.renditions.get("file_is_clean"))}


def write_renditions(image: Image.Image, *, storage, stem: str, icc: bytes | None = None) -> dict:
    """Store every size in WebP and JPEG; return ``{size: {"width", "height", "webp", "jpeg", "webp_bytes",
    "jpeg_bytes"}}``."""
    # Under private/: never served from MEDIA_URL, only through the checked view (events.media.links).
    folder = f"private/renditions/{timezone.now():%Y/%m}"
    result: dict[str, dict] = {}
    written: list[str] = []
    # Each fitted size is made from the next larger one: much cheaper than always starting from full size.
    order = sorted(RENDITION_SPECS, key=lambda size: (RENDITION_SPECS[size].crop, -max(RENDITION_SPECS[size].box)))
    source = image
    try:
        for size in order:
            spec = RENDITION_SPECS[size]
            resized = _resize(image if spec.crop else source, spec)
            entry = {"width": resized.width, "height": resized.height}
            for key, data in (("webp", encode_webp(resized, icc)), ("jpeg", encode_jpeg(resized, icc))):
                extension = ".webp" if key == "webp" else ".jpg"
                name = storage.save(f"{folder}/{stem}-{size}{extension}", ContentFile(data))
                written.append(name)
                entry[key] = name
                entry[f"{key}_bytes"] = len(data)  # a feed's enclosure states its length
            result[size] = entry
            if not spec.crop:
                source = resized
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return {size: result[size] for size in RENDITION_SPECS}


def rendition_names(renditions: dict | None) -> set[str]:
    """Every stored file name recorded in a ``renditions`` value."""
    names = set()
    for value in (renditions or {}).values():
        if isinstance(value, dict):
            names.update(value[key] for key in ("webp", "jpeg") if value.get(key))
    return names


def rendition(attachment, size: str) -> Rendition | None:
    entry = (attachment.renditions or {}).get(size)
    if not isinstance(entry, dict) or not entry.get("jpeg"):
        return None
    return Rendition(
        size=size,
        width=entry["width"],
        height=entry["height"],
        jpeg_url=file_url(attachment, f"{size}-jpeg", entry["jpeg"]),
        webp_url=file_url(attachment, f"{size}-webp", entry["webp"]) if entry.get("webp") else "",
    )


def srcset_renditions(attachment, largest: str) -> list[Rendition]:
    """The srcset candidates up to and including ``largest`` (all three for the social crop)."""
    sizes = SRCSET_SIZES[: SRCSET_SIZES.index(largest) + 1] if largest in SRCSET_SIZES else SRCSET_SIZES
    found = [rendition(attachment, size) for size in sizes]
    return [item for item in found if item]


def encode_master(image: Image.Image, icc: bytes | None = None) -> tuple[bytes, str, str]:
    """A full-size clean copy: PNG when the photo has transparency, JPEG otherwise. No EXIF, XMP or IPTC."""
    buffer = io.BytesIO()
    if has_alpha(image):
        image.convert("RGBA").save(buffer, "PNG", icc_profile=icc)
        return buffer.getvalue(), ".png", "image/png"
    _as_rgb(image).save(buffer, "JPEG", icc_profile=icc if image.mode != "CMYK" else None, **MASTER_JPEG_OPTIONS)
    return buffer.getvalue(), ".jpg", "image/jpeg"


def encode_jpeg(image: Image.Image, icc: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    _as_rgb(image).save(buffer, "JPEG", icc_profile=icc if image.mode != "CMYK" else None, **JPEG_OPTIONS)
    return buffer.getvalue()


def encode_webp(image: Image.Image, icc: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    prepared = image.convert("RGBA") if has_alpha(image) else _as_rgb(image)
    prepared.save(buffer, "WEBP", icc_profile=icc if image.mode != "CMYK" else None, **WEBP_OPTIONS)
    return buffer.getvalue()


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info)


def _as_rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent areas become white (not the black a plain convert would give)."""
    if has_alpha(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _resize(image: Image.Image, spec: RenditionSpec) -> Image.Image:
    working = image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGBA" if has_alpha(image) else "RGB")
    if spec.crop:
        return ImageOps.fit(working, spec.box, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    if working.width <= spec.box[0] and working.height <= spec.box[1]:
        return working.copy()
    copy = working.copy()
    copy.thumbnail(spec.box, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return copy


def _fill_blanks(attachment, image: Image.Image) -> None:
    found = read_metadata(image)
    if not attachment.caption.strip() and found.caption:
        attachment.caption = found.caption
    if not attachment.credit.strip() and found.credit:
        attachment.credit = found.credit
    if not attachment.title.strip() and found.title:
        attachment.title = found.title
    if attachment.taken_at is None and found.taken_at:
        attachment.taken_at = found.taken_at
