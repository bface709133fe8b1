"""Caption, credit, title and date a photographer left in a file's IPTC and EXIF fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from PIL import Image, IptcImagePlugin

# EXIF tags (base IFD and the Exif sub-IFD).
IMAGE_DESCRIPTION = 0x010E
ARTIST = 0x013B
COPYRIGHT = 0x8298
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011

# IPTC-IIM record 2 datasets.
IPTC_OBJECT_NAME = (2, 5)
IPTC_DATE_CREATED = (2, 55)
IPTC_TIME_CREATED = (2, 60)
IPTC_BYLINE = (2, 80)
IPTC_CREDIT = (2, 110)
IPTC_COPYRIGHT = (2, 116)
IPTC_CAPTION = (2, 120)


@dataclass(frozen=True)
class PhotoMetadata:
    title: str = ""
    caption: str = ""
    credit: str = ""
    taken_at: datetime | None = None


def read_metadata(image: Image.Image) -> PhotoMetadata:
    """Read what the photographer wrote; IPTC wins over EXIF, as picture desks expect."""
    iptc = _iptc(image)
    exif = image.getexif()
    exif_ifd = exif.get_ifd(EXIF_IFD) if exif else {}

    author = _first(iptc.get(IPTC_BYLINE), _text(exif.get(ARTIST)))
    holder = _first(iptc.get(IPTC_COPYRIGHT), _text(exif.get(COPYRIGHT)), iptc.get(IPTC_CREDIT))
    credit_parts = []
    for part in (author, holder):
        if part and part not in credit_parts:
            credit_parts.append(part)
    return PhotoMetadata(
        title=_first(iptc.get(IPTC_OBJECT_NAME))[:200],
        caption=_first(iptc.get(IPTC_CAPTION), _text(exif.get(IMAGE_DESCRIPTION))),
        credit=" / ".join(credit_parts)[:200],
        taken_at=_iptc_datetime(iptc)
        or _exif_datetime(_text(exif_ifd.get(DATETIME_ORIGINAL)), _text(exif_ifd.get(OFFSET_TIME_ORIGINAL))),
    )


def _iptc(image: Image.Image) -> dict[tuple[int, int], str]:
    try:
        raw = IptcImagePlugin.getiptcinfo(image) or {}
    except (SyntaxError, ValueError, IndexError, TypeError, OSError):
        return {}  # A malformed IPTC block is not worth refusing the photo over.
    result = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        result[key] = "; ".join(filter(None, (_decode(item) for item in values)))
    return result


def _decode(value) -> str:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("cp1252", "replace")
    return _clean(str(value))


def _text(value) -> str:
    """EXIF ASCII fields arrive decoded as Latin-1; cameras and editors usually wrote UTF-8."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return _decode(value)
    text = str(value)
    try:
        text = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return _clean(text)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\x00", " ")).strip()


def _first(*values: str | None) -> str:
    for value in values:
        if value:
            return value
    return ""


def _exif_datetime(value: str, offset: str) -> datetime | None:
    try:
        naive = datetime.strptime(value[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            return datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset.replace(':', '')}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    return _aware(naive)


def _iptc_datetime(iptc: dict[tuple[int, int], str]) -> datetime | None:
    day = iptc.get(IPTC_DATE_CREATED, "")
    if not re.fullmatch(r"\d{8}", day):
        return None
    moment = iptc.get(IPTC_TIME_CREATED, "")
    try:
        if re.fullmatch(r"\d{6}[+-]\d{4}", moment):
            return datetime.strptime(day + moment, "%Y%m%d%H%M%S%z")
        naive = datetime.strptime(day + (moment[:6] if re.fullmatch(r"\d{6}.*", moment) else "120000"), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return _aware(naive)


def _aware(naive: datetime) -> datetime | None:
    try:
        return timezone.make_aware(naive)
    except (ValueError, OverflowError):
        return None
