"""Template access to photo renditions (``includes/picture.html`` and ``includes/gallery.html`` use these).

Only URLs are built here, from the stored ``renditions`` JSON; no image is ever opened during a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from ..media.photos import Rendition, rendition, srcset_renditions

register = template.Library()


@dataclass(frozen=True)
class PictureData:
    image: Rendition  # the size asked for: JPEG src, width and height of the <img>
    webp_srcset: str
    jpeg_srcset: str


@register.simple_tag
def picture_data(photo, size: str = "medium") -> PictureData | None:
    """``{% picture_data photo "medium" as pic %}``: None when the photo has no renditions."""
    if photo is None:
        return None
    chosen = rendition(photo, size)
    if chosen is None:
        return None
    candidates = [chosen] if size == "social" else srcset_renditions(photo, size)
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
