"""A release's files: every photo, rendition and document, each photo as a journalist's download, all photos as
a zip. Each answers only while this client may see the release (``events.media.access``).

These views stream stored files; they never decode or encode an image.
"""

import mimetypes
from pathlib import PurePosixPath

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View

from ..media.access import Access, release_access, release_for_files
from ..media.downloads import captions_text, document_name, download_name, download_source, photos_of
from ..media.links import ORIGINAL
from ..media.serving import stored_file_response
from ..media.zipstream import zip_stream
from ..models import Attachment

RENDITION_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}


def _content_type(stored_name: str) -> str:
    # Stored names take their extension from the content (events.media.uploads), so this is truthful.
    return mimetypes.guess_type(stored_name)[0] or "application/octet-stream"


def _private_cache(response, access: Access):
    if access is Access.PRIVATE:
        response["Cache-Control"] = "private, no-store, max-age=0"
    return response


class AttachmentFileView(View):
    """``/files/<pk>/<variant>/<name>``: the gallery's pictures and a document's file, behind the release's rule."""

    def get(self, request, pk, variant, name):
        attachment = get_object_or_404(Attachment.objects.shown().select_related("event"), pk=pk)
        stored, content_type = self._stored(attachment, variant)
        if PurePosixPath(stored).name != name:
            raise Http404("This file was replaced.")  # an old address of a re-uploaded or regenerated file
        access = release_access(request, attachment.event)
        if access is None:
            raise Http404("No such file.")
        return stored_file_response(attachment.file.storage, stored, access=access, content_type=content_type)

    @staticmethod
    def _stored(attachment: Attachment, variant: str) -> tuple[str, str]:
        if variant == ORIGINAL:
            if attachment.is_photo:
                source = download_source(attachment)  # never a file still carrying camera metadata
                return source, _content_type(source)
            return attachment.file.name, attachment.content_type or "application/octet-stream"
        size, _dash, image_format = variant.rpartition("-")
        entry = (attachment.renditions or {}).get(size)
        if image_format not in RENDITION_TYPES or not isinstance(entry, dict) or not entry.get(image_format):
            raise Http404("No such rendition.")
        return entry[image_format], RENDITION_TYPES[image_format]


class PhotoDownloadView(View):
    def get(self, request, slug, pk):
        event, access = release_for_files(request, slug)
        photos = photos_of(event)
        ordinal, photo = next(((index, item) for index, item in enumerate(photos, 1) if item.pk == pk), (0, None))
        if photo is None:
            raise Http404("No such photo in this release.")
        source = download_source(photo)
        return stored_file_response(
            photo.file.storage,
            source,
            access=access,
            content_type=_content_type(source),
            filename=download_name(event, ordinal, source),
            as_attachment=True,
        )


class PhotosZipView(View):
    def get(self, request, slug):
        event, access = release_for_files(request, slug)
        photos = photos_of(event)
        if not photos:
            raise Http404("This release has no photos.")
        sources = [download_source(photo) for photo in photos]
        names = [download_name(event, index, source) for index, source in enumerate(sources, 1)]
        day = timezone.localdate(event.starts_at)
        text_name = f"{day:%Y-%m-%d}-{event.slug}-captions.txt"
        modified = timezone.localtime(event.starts_at).replace(tzinfo=None)

        def members():
            yield text_name, captions_text(event, photos, names).encode("utf-8"), modified
            for photo, source, name in zip(photos, sources, names, strict=True):
                storage = photo.file.storage
                yield name, (lambda storage=storage, source=source: storage.open(source, "rb")), modified

        response = StreamingHttpResponse(zip_stream(members()), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{day:%Y-%m-%d}-{event.slug}-photos.zip"'
        return _private_cache(response, access)


class DocumentDownloadView(View):
    def get(self, request, slug, pk):
        event, access = release_for_files(request, slug)
        document = get_object_or_404(event.attachments.shown().filter(kind=Attachment.Kind.DOCUMENT), pk=pk)
        return stored_file_response(
            document.file.storage,
            document.file.name,
            access=access,
            content_type=document.content_type or "application/octet-stream",
            filename=document_name(event, document),
            as_attachment=True,
        )
