"""Real image files for the media tests, drawn with Pillow and carrying real EXIF/IPTC blocks."""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112


def iptc_segment(fields: dict[tuple[int, int], str]) -> bytes:
    """An APP13 'Photoshop 3.0' segment holding an IPTC-IIM block, as picture desks' software writes it."""
    iim = b"\x1c\x01\x5a\x00\x03\x1b\x25\x47"  # 1:90 coded character set = UTF-8 (ESC % G)
    for (record, dataset), value in fields.items():
        data = value.encode("utf-8")
        iim += struct.pack(">BBBH", 0x1C, record, dataset, len(data)) + data
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    if len(iim) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def marked_photo(width: int = 300, height: int = 200) -> Image.Image:
    """A landscape picture with a red block in its top-left corner, so orientation can be checked."""
    image = Image.new("RGB", (width, height), "#2b5797")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height // 4), fill="#ff0000")
    draw.ellipse((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill="#f2c14e")
    return image


def camera_jpeg(*, orientation: int = 6, gps: bool = True, exif_text: bool = True, iptc: dict | None = None) -> bytes:
    """A JPEG like a press photographer's: rotated by EXIF orientation, with GPS, author and caption."""
    image = marked_photo()
    exif = image.getexif()
    exif[ORIENTATION] = orientation
    if exif_text:
        exif[0x010E] = "Delegations arrive at the Secretariat"  # ImageDescription
        exif[0x013B] = "Ivan Fotografov"  # Artist
        exif[0x8298] = "CSO Press Service"  # Copyright
        exif[0x010F] = "Canon"
        exif[0x0110] = "EOS R5"
    exif[EXIF_IFD] = {0x9003: "2026:03:14 10:30:00", 0xA431: "SERIAL-1234567"}  # DateTimeOriginal, BodySerial
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    buffer = io.BytesIO()
    extra = iptc_segment(iptc) if iptc else b""
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), extra=extra)
    return buffer.getvalue()


def transparent_png(width: int = 200, height: int = 100) -> bytes:
    """Left half fully transparent, right half opaque green."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((width // 2, 0, width, height), fill=(0, 160, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def plain_jpeg(width: int = 640, height: int = 480, color: str = "#3a6ea5") -> bytes:
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).rectangle((width // 4, height // 4, width // 2, height // 2), fill="#eeeeee")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def decompression_bomb_png(pixels_over_limit_factor: float = 2.2) -> bytes:
    """A tiny PNG that decodes to more pixels than Pillow's limit allows (a one-bit image compresses well)."""
    side = int(((Image.MAX_IMAGE_PIXELS or 89_478_485) * pixels_over_limit_factor) ** 0.5) + 1
    image = Image.new("1", (side, side), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    image.close()
    return buffer.getvalue()
