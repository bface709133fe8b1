"""What journalists download: which stored file, under which clean name."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Attachment, Event
from ..models.slugs import shorten_slug


def public_event_or_404(slug: str) -> Event:
    """The public release with this slug, preferring the version in the page's language."""
    candidates = list(Event.objects.public().filter(slug=slug)[:2])
    if not candidates:
        raise Http404("No public release with this address.")
    language = (get_language() or "")[:2]
    return next((event for event in candidates if event.language == language), candidates[0])


def photos_of(event: Event) -> list[Attachment]:
    return list(event.attachments.shown().filter(kind=Attachment.Kind.PHOTO).order_by("position", "pk"))


def serves_stored_file(photo: Attachment) -> bool:
    """Whether a photo's download is its stored file (the clean master, or the original where originals are
    served); otherwise it is the large rendition."""
    return settings.CSO_SERVE_ORIGINAL_PHOTOS or bool((photo.renditions or {}).get("file_is_clean"))


def download_source(photo: Attachment) -> str:
    """The stored name to serve: the original only if the office keeps and serves originals."""
    renditions = photo.renditions or {}
    if serves_stored_file(photo):
        return photo.file.name
    # The stored file still carries its camera metadata (kept while originals were served): fall back to
    # the largest clean rendition rather than leak it.
    large = renditions.get("large") or {}
    if not large.get("jpeg"):
        raise Http404("This photo has no clean copy yet.")
    return large["jpeg"]


# A name longer than this is refused by some file systems and by ``unzip`` ("File name too long": 255 bytes is
# common, and a folder path comes first); the limit is in bytes of UTF-8, where a Cyrillic letter takes two.
FILE_NAME_MAX_BYTES = 100
# How much of the slug a document's name keeps (cut between words), so the document's own name still shows.
DOCUMENT_SLUG_LENGTH = 40


def fit_file_name(stem: str, suffix: str, limit: int = FILE_NAME_MAX_BYTES) -> str:
    """``stem + suffix`` in at most ``limit`` bytes of UTF-8: the suffix (an ordinal, the extension) whole, the
    stem cut on a character boundary."""
    room = limit - len(suffix.encode("utf-8"))
    encoded = stem.encode("utf-8")
    if len(encoded) > room:
        stem = encoded[: max(room, 0)].decode("utf-8", "ignore").rstrip("-_ .")
    return f"{stem}{suffix}"


def unique_file_names(names: list[str], limit: int = FILE_NAME_MAX_BYTES) -> list[str]:
    """``names`` in order, a repeated one numbered (``…-2.pdf``, ``…-3.pdf``) so that each is there once, as a
    zip or a folder needs; every name still fits ``limit``."""
    taken: set[str] = set()
    unique = []
    for name in names:
        path = PurePosixPath(name)
        candidate, number = name, 2
        while candidate in taken:
            candidate = fit_file_name(path.stem, f"-{number}{path.suffix}", limit)
            number += 1
        taken.add(candidate)
        unique.append(candidate)
    return unique


def _day(event: Event) -> str:
    return f"{timezone.localdate(event.starts_at):%Y-%m-%d}"


def release_file_name(event: Event, suffix: str) -> str:
    """``2026-03-14-summit-in-minsk<suffix>``, the release's slug cut to fit (the kit, the captions file)."""
    return fit_file_name(f"{_day(event)}-{event.slug}", suffix)


def download_name(event: Event, ordinal: int, stored_name: str) -> str:
    """``2026-03-14-summit-in-minsk-02.jpg``: sorts by date, says which release, keeps the gallery order."""
    extension = PurePosixPath(stored_name).suffix.lower() or ".jpg"
    if extension == ".jpeg":
        extension = ".jpg"
    return release_file_name(event, f"-{ordinal:02d}{extension}")


def _document_name(event: Event, document: Attachment) -> str:
    extension = PurePosixPath(document.file.name).suffix.lower()
    stem = PurePosixPath(document.original_name).stem if document.original_name else "document"
    safe = "".join(char if char.isalnum() or char in "-_" else "-" for char in stem).strip("-") or "document"
    return fit_file_name(f"{_day(event)}-{shorten_slug(event.slug, DOCUMENT_SLUG_LENGTH)}-{safe}", extension)


def document_names(event: Event, documents: list[Attachment]) -> list[str]:
    """The download names of ``documents`` (in their order), distinct even when two were uploaded under one
    name or only differ past the length limit."""
    return unique_file_names([_document_name(event, document) for document in documents])


def document_name(event: Event, document: Attachment) -> str:
    """``2026-03-14-statement-Joint-statement--final.pdf``, numbered when another document of the release has
    the same name."""
    documents = list(event.attachments.shown().filter(kind=Attachment.Kind.DOCUMENT).order_by("position", "pk"))
    if document not in documents:
        documents.append(document)
    return document_names(event, documents)[documents.index(document)]


def captions_text(event: Event, photos: list[Attachment], names: list[str]) -> str:
    """The text file in the zip: what a picture desk needs to caption and credit the photos."""
    lines = [
        event.title,
        date_format(timezone.localtime(event.starts_at), "DATE_FORMAT"),
    ]
    if event.location:
        lines.append(event.location)
    lines.append(f"{settings.CSO_SITE_URL.rstrip('/')}{event.get_absolute_url()}")
    lines.append("")
    for name, photo in zip(names, photos, strict=True):
        lines.append(name)
        if photo.title:
            lines.append(_("Title: %(title)s") % {"title": photo.title})
        if photo.caption:
            lines.append(_("Caption: %(caption)s") % {"caption": photo.caption})
        if photo.credit:
            lines.append(_("Credit: %(credit)s") % {"credit": photo.credit})
        lines.append("")
    return "\r\n".join(lines)
