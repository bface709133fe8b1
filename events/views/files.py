"""A release's files: every photo, rendition and document, each photo as a journalist's download, all photos as
a zip. Each answers only while this client may see the release (``events.media.access``).

These views send stored files (or hand them to the web server or the bucket); they never decode or encode an
image. The one exception to "stored" is the zip of all photos while its kit is still being prepared.
"""

import mimetypes
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from ..media.access import Access, release_access, release_for_files
from ..media.backends import STORAGE_ERRORS
from ..media.downloads import document_name, download_name, download_source, photos_of
from ..media.kits import kit_build_after_commit, kit_plan, stored_kit
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
    """All photos as one zip: the prepared kit from storage (media.kits), like any other stored file.

    The zip's address stays the same while its content changes with the photos, so no cache may keep the
    answer (``no-cache``: the redirect or the X-Accel answer is asked for again each time; the bytes behind
    it live under the kit's versioned name)."""

    def get(self, request, slug):
        event, access = release_for_files(request, slug)
        plan = kit_plan(event)
        if plan is None:
            raise Http404("This release has no photos.")
        storage = default_storage
        try:
            if not stored_kit(plan, storage):
                # Not built yet (the photos changed a moment ago, or the workers are behind): ask for it. Where
                # tasks run in-process (the demo) it is there right after this.
                kit_build_after_commit(event.pk)
            ready = stored_kit(plan, storage)
        except STORAGE_ERRORS:
            ready = plan.stored_name  # the bucket does not answer: stored_file_response says "try again shortly"
        if ready:
            response = stored_file_response(
                storage,
                plan.stored_name,
                access=access,
                content_type="application/zip",
                filename=plan.download_name,
                as_attachment=True,
            )
            if access is Access.PUBLIC:
                response["Cache-Control"] = "no-cache"
            return response
        # The only place a zip is streamed through the application, while the kit is being prepared.
        response = StreamingHttpResponse(zip_stream(plan.entries()), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{plan.download_name}"'
        response["Cache-Control"] = "no-cache"
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
