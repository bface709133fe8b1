"""Template access to photo renditions (``includes/picture.html`` and ``includes/gallery.html`` use these).

Only URLs are built here, from the stored ``renditions`` JSON; no image is ever opened during a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from ..media.downloads import serves_stored_file
from ..media.photos import Rendition, rendition, srcset_renditions

register = template.Library()


@dataclass(frozen=True)
class PictureData:
    image: Rendition  # the size asked for: JPEG src, width and height of the <img>
    webp_srcset: str
    jpeg_srcset: str


@dataclass(frozen=True)
class DownloadFacts:
    width: int
    height: int
    size: int  # bytes; 0 when not known


@register.simple_tag
def picture_data(photo, size: str = "medium", largest: str = "") -> PictureData | None:
    """``{% picture_data photo "medium" "large" as pic %}``: None when the photo has no renditions.

    ``largest`` lets ``srcset`` offer bigger sizes than the ``src`` (sharp on 3x phones and wide screens while
    browsers without ``srcset`` get the smaller file)."""
    if photo is None:
        return None
    chosen = rendition(photo, size)
    if chosen is None:
        return None
    candidates = [chosen] if size == "social" else srcset_renditions(photo, largest or size)
    return PictureData(
        image=chosen,
        webp_srcset=", ".join(f"{item.webp_url} {item.width}w" for item in candidates if item.webp_url),
        jpeg_srcset=", ".join(f"{item.jpeg_url} {item.width}w" for item in candidates),
    )


@register.filter
def rendition_url(photo, size: str) -> str:
    """``{{ photo|rendition_url:"large" }}``: the JPEG URL of one size, or an empty string."""
    found = rendition(photo, size) if photo is not None else None
    return found.jpeg_url if found else ""


@register.filter
def download_facts(photo) -> DownloadFacts | None:
    """``{{ photo|download_facts }}``: the pixel and byte size of what "Download high resolution" sends."""
    if photo is None:
        return None
    if serves_stored_file(photo):
        return DownloadFacts(photo.width, photo.height, photo.size) if photo.width and photo.height else None
    large = rendition(photo, "large")
    return DownloadFacts(large.width, large.height, 0) if large else None
