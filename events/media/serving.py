"""Sending stored files: a streamed ``FileResponse`` (or an ``X-Accel-Redirect`` for the web server), with
headers that say who may keep it and that the browser must never run it. When the media live in an
S3-compatible bucket, the answer is instead a redirect (302) to a presigned address on the bucket that expires
after ``querystring_expire`` seconds; the access check has run before, exactly as for a file on disk.

Nothing here decodes an image. The public media folder (portraits and logos only) is served by
``serve_public_media`` when Django serves ``MEDIA_URL`` itself (development, the demo, ``DJANGO_SERVE_MEDIA``);
a release's files are never in it.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.static import serve

from .access import Access
from .backends import STORAGE_ERRORS, hands_out_addresses
from .sniffing import ODF_EXTENSIONS, OOXML_TYPES, PHOTO_FORMATS
from .uploads import OLE2_CONTENT_TYPES

logger = logging.getLogger(__name__)
# Shown inline (an <img>, a tab); anything else is offered as a download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}
SANDBOX = "default-src 'none'; sandbox"
# Every type the upload checks can record; anything else (a record from before they existed) goes out as bytes.
KNOWN_TYPES = {
    *PHOTO_FORMATS.values(),
    "application/pdf",
    *OLE2_CONTENT_TYPES.values(),
    *(content_type for content_type, _extension in OOXML_TYPES.values()),
    *ODF_EXTENSIONS,
    "application/zip",  # a press kit (media.kits)
}


def stored_file_response(
    storage, name: str, *, access: Access, content_type: str, filename: str = "", as_attachment: bool | None = None
) -> HttpResponse:
    """Stream ``name`` from ``storage`` (or redirect to the bucket holding it); 404 when it is missing."""
    if content_type not in KNOWN_TYPES:
        content_type = "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    filename = filename or PurePosixPath(name).name
    if hands_out_addresses(storage):
        return _presigned_redirect(
            storage, name, access=access, content_type=content_type, filename=filename, as_attachment=as_attachment
        )
    accel_prefix = settings.CSO_MEDIA_ACCEL_PREFIX
    if accel_prefix:
        if not storage.exists(name):
            raise Http404("The file is missing.")
        # The web server sends the bytes from its `internal` location; Django only decided who may have them.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    if access is Access.PUBLIC:
        response["Cache-Control"] = f"public, max-age={settings.CSO_MEDIA_CACHE_SECONDS}"
    else:
        response["Cache-Control"] = "private, no-store, max-age=0"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _presigned_redirect(storage, name: str, *, access: Access, content_type: str, filename: str, as_attachment: bool):
    """Send the client to the bucket with an address that works for a short while only.

    The application stops handing out addresses the moment the release stops being visible to this client,
    but an address already handed out keeps working until it expires: the bucket cannot ask the application.
    Hence the short expiry, and a redirect that no cache may keep for a private file. A public file's redirect
    may be kept by this browser (never a shared cache) for up to half the expiry, so that it can reuse the
    image it already fetched instead of getting a fresh address, and a fresh download, on every page.
    """
    try:
        if not storage.exists(name):
            raise Http404("The file is missing.")
    except STORAGE_ERRORS:
        # The bucket is unreachable or refuses us: the client may try again shortly; it is not their fault.
        logger.warning("The media bucket did not answer for %s", name, exc_info=True)
        response = HttpResponse(_("The file store is not reachable right now; please try again shortly."), status=503)
        response["Content-Type"] = "text/plain; charset=utf-8"
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    expire = storage.querystring_expire
    if access is Access.PUBLIC:
        keep = min(settings.CSO_MEDIA_CACHE_SECONDS, expire // 2)
        bucket_cache, redirect_cache = f"private, max-age={expire}", f"private, max-age={keep}"
    else:
        bucket_cache = redirect_cache = "private, no-store, max-age=0"
    address = storage.presigned_url(
        name,
        expire=expire,
        content_type=content_type,
        filename=filename,
        as_attachment=as_attachment,
        cache_control=bucket_cache,
    )
    response = HttpResponseRedirect(address)
    response["Cache-Control"] = redirect_cache
    response["X-Content-Type-Options"] = "nosniff"
    if access is not Access.PUBLIC:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def serve_public_media(request, path: str):
    """``MEDIA_URL`` served by Django: only the public folders; a release's files answer 404 here."""
    normalised = PurePosixPath(path)
    if ".." in normalised.parts or not path.startswith(tuple(settings.CSO_PUBLIC_MEDIA_FOLDERS)):
        raise Http404("Not a public file.")
    if hands_out_addresses(default_storage):
        # Pages link the bucket (or its CDN) directly; an old MEDIA_URL address is sent there too.
        return HttpResponseRedirect(default_storage.url(path))
    return serve(request, path, document_root=settings.MEDIA_ROOT)
