"""Imaging internals for release photos: a lossless clean JPEG master and draft-mode decoding for renditions.

Measured on 24-megapixel camera JPEGs (``scripts/bench_media.py codecs``, docs/bench-media.md): decoding
every pixel and re-encoding a full-size master is most of the cost of a photo. Here instead

- the **master** of a JPEG is made without decoding: its compressed image data are copied as they are and
  every metadata segment is dropped (EXIF with GPS and serial numbers, XMP, IPTC, comments, maker APPn
  blocks, and whatever follows the end of the image such as embedded previews). Only the colour profile
  (APP2 ``ICC_PROFILE``), the Adobe APP14 colour transform flag and a new minimal EXIF block holding the
  Orientation are written, so the journalists' hi-res download is exactly the photographer's pixels;
- the **renditions** are made from a JPEG decoded with DCT scaling (``Image.draft``) at the smallest scale
  that still covers the largest rendition: a quarter (or less) of the pixels, with all the compressed data
  still read to the end, so a truncated or corrupt file is refused as before.

PNG and WebP photos (and anything the JPEG parser does not understand) take the full-decode path.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass

from PIL import Image

SOI = b"\xff\xd8"
EOI = 0xD9
SOS = 0xDA
ORIENTATION_TAG = 0x0112
ICC_IDENTIFIER = b"ICC_PROFILE\x00"
ADOBE_IDENTIFIER = b"Adobe"
# Markers with no length field: TEM and RST0-7 (SOI and EOI are handled where they may appear).
STANDALONE = {0x01, *range(0xD0, 0xD8)}
# The segments a JPEG decoder needs; everything else (APPn, COM, JPGn extensions) is dropped, except the
# ICC profile and the Adobe colour transform flag (APP2 and APP14, checked by their identifiers).
KEPT = {
    0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF,  # SOFn
    0xC4,  # DHT
    0xCC,  # DAC
    0xDB,  # DQT
    0xDD,  # DRI
    0xDC,  # DNL
    SOS,
}  # fmt: skip
SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# In entropy-coded data, 0xFF is followed by 0x00 (a stuffed byte), a restart marker or another 0xFF (fill);
# anything else starts the next marker segment.
NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


class NotAJpeg(ValueError):
    """The bytes are not a baseline/progressive JPEG this parser can copy; use the decoding path."""


@dataclass(frozen=True)
class CleanJpeg:
    data: bytes
    width: int  # as stored (before Orientation)
    height: int
    orientation: int


def clean_jpeg(data: bytes, orientation: int = 1) -> CleanJpeg:
    """The same JPEG without any metadata but the colour profile, the Adobe flag and the Orientation.

    Raises ``NotAJpeg`` when the structure is not understood (the caller then re-encodes from pixels).
    """
    if not data.startswith(SOI):
        raise NotAJpeg("no SOI marker")
    view = memoryview(data)  # slices of a view share the bytes: the copy is made once, by the final join
    kept: list[memoryview] = []
    colour: list[memoryview] = []
    size = None
    position = 2
    length_of_data = len(data)
    while True:
        # Skip fill bytes before a marker.
        while position < length_of_data and data[position] == 0xFF and position + 1 < length_of_data:
            if data[position + 1] != 0xFF:
                break
            position += 1
        if position + 2 > length_of_data or data[position] != 0xFF:
            raise NotAJpeg("marker expected")
        marker = data[position + 1]
        if marker == EOI:
            break
        if marker in STANDALONE:
            position += 2
            continue
        if position + 4 > length_of_data:
            raise NotAJpeg("truncated segment")
        (length,) = struct.unpack_from(">H", data, position + 2)
        end = position + 2 + length
        if length < 2 or end > length_of_data:
            raise NotAJpeg("bad segment length")
        segment = view[position:end]
        payload = data[position + 4 : end] if marker != SOS else b""
        if marker in SOF_MARKERS:
            if len(payload) < 5:
                raise NotAJpeg("short SOF")
            height, width = struct.unpack_from(">HH", payload, 1)
            size = (width, height)
        if marker == SOS:
            match = NEXT_MARKER.search(data, end)
            if match is None:
                raise NotAJpeg("no end of image")
            kept.append(view[position : match.start()])
            position = match.start()
            continue
        if marker in KEPT:
            kept.append(segment)
        elif marker == 0xE2 and payload.startswith(ICC_IDENTIFIER):
            colour.append(segment)
        elif marker == 0xEE and payload.startswith(ADOBE_IDENTIFIER):
            colour.append(segment)
        position = end
    if size is None or not any(part[1] == SOS for part in kept):
        raise NotAJpeg("no frame or no scan")
    orientation = orientation if orientation in range(1, 9) else 1
    exif = [orientation_segment(orientation)] if orientation != 1 else []
    out = b"".join([SOI, *exif, *colour, *kept, b"\xff\xd9"])
    return CleanJpeg(out, size[0], size[1], orientation)


def orientation_segment(orientation: int) -> bytes:
    """An APP1 EXIF segment with one tag, Orientation, in big-endian TIFF."""
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">H", 1) + struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def orientation_of(image: Image.Image) -> int:
    """The EXIF Orientation (1 when missing or unreadable: a broken EXIF block is not worth a refusal)."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - Pillow raises many types on a damaged EXIF block
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def draft_scale(size: tuple[int, int], boxes: list[tuple[tuple[int, int], bool]]) -> float:
    """The smallest scale (≤ 1) of an upright ``size`` from which every (box, crop) rendition can be cut."""
    width, height = size
    needed = 0.0
    for (box_width, box_height), crop in boxes:
        if crop:
            scale = max(box_width / width, box_height / height)
        else:
            scale = min(box_width / width, box_height / height)
        needed = max(needed, min(scale, 1.0))
    return needed


def request_draft(image: Image.Image, boxes: list[tuple[tuple[int, int], bool]]) -> None:
    """Ask a JPEG being opened to decode at a reduced DCT scale that still covers every rendition."""
    if image.format != "JPEG":
        return
    orientation = orientation_of(image)
    scale = draft_scale(upright_size(image.size, orientation), boxes)
    if scale >= 0.5:
        return  # DCT scaling would not help (or would make a rendition smaller than asked)
    wanted = (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale)))
    image.draft(None, wanted)
