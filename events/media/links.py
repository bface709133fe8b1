"""Addresses of a release's stored files: every photo, rendition and document goes out through a checked view.

No address of a release's file points into the public media folder. ``/files/<attachment>/<variant>/<name>``
is answered by ``views_media.AttachmentFileView`` only while the client may see the release: anyone once it
is public; the holder of a valid embargo link (the page adds a signed ``access`` value bound to that link);
staff who may view it (by their session). The stored file's own random name ends the address, so a new
file gets a new address and public answers can be kept by browsers.

This module builds addresses only and imports no model, so that photo code and model fields may use it.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

GRANT_PARAMETER = "access"
GRANT_SALT = "events.media.embargo-files"
# The variant of the stored file itself; renditions are "<size>-<format>", e.g. "thumb-webp".
ORIGINAL = "file"


def grant_token(*, link_id: int, event_id: int, until: int) -> str:
    """The value that lets one embargo link's holder fetch the files of that link's release until ``until``.

    It cannot open the embargo page itself (another salt), and the link row is read again on every request,
    so revoking the link ends it.
    """
    return signing.dumps({"link": link_id, "event": event_id, "until": until}, salt=GRANT_SALT, compress=False)


def read_grant_token(token: str) -> dict | None:
    """The payload of an untampered token (expiry and the link row are checked by the caller), or None."""
    try:
        payload = signing.loads(token, salt=GRANT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    if not all(isinstance(payload.get(key), int) for key in ("link", "event", "until")):
        return None
    return payload


def grant_query(grant: str) -> str:
    """``?access=…`` for a page opened through an embargo link, else an empty string."""
    return "?" + urlencode({GRANT_PARAMETER: grant}) if grant else ""


def give_grant(attachments, grant: str) -> None:
    """Make the addresses built for these attachments carry ``grant`` (used on embargo pages)."""
    for attachment in attachments:
        attachment.media_grant = grant


def file_url(attachment, variant: str, stored_name: str) -> str:
    """The checked address of one stored file of ``attachment`` (its own file or a rendition)."""
    path = reverse(
        "media-file",
        kwargs={"pk": attachment.pk, "variant": variant, "name": PurePosixPath(stored_name).name},
    )
    return path + grant_query(getattr(attachment, "media_grant", ""))


def original_url(attachment) -> str:
    return file_url(attachment, ORIGINAL, attachment.file.name) if attachment.file else ""
