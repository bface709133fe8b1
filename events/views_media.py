"""Journalists' downloads: one photo, all photos of a release as a zip, one document. Public releases only.

These views stream stored files; they never decode or encode an image.
"""

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View

from .media.downloads import (
    captions_text,
    document_name,
    download_name,
    download_source,
    photos_of,
    public_event_or_404,
)
from .media.zipstream import zip_stream
from .models import Attachment


class PhotoDownloadView(View):
    def get(self, request, slug, pk):
        event = public_event_or_404(slug)
        photos = photos_of(event)
        ordinal, photo = next(((index, item) for index, item in enumerate(photos, 1) if item.pk == pk), (0, None))
        if photo is None:
            raise Http404("No such photo in this release.")
        source = download_source(photo)
        storage = photo.file.storage
        try:
            handle = storage.open(source, "rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        return FileResponse(handle, as_attachment=True, filename=download_name(event, ordinal, source))


class PhotosZipView(View):
    def get(self, request, slug):
        event = public_event_or_404(slug)
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
        return response


class DocumentDownloadView(View):
    def get(self, request, slug, pk):
        event = public_event_or_404(slug)
        document = get_object_or_404(event.attachments.filter(kind=Attachment.Kind.DOCUMENT), pk=pk)
        try:
            handle = document.file.storage.open(document.file.name, "rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=document_name(event, document),
            content_type=document.content_type or "application/octet-stream",
        )
