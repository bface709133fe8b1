from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Attachment


def thumbnail_html(attachment: Attachment):
    if not attachment.pk or not attachment.is_photo or not attachment.file:
        return "—"
    rendition = attachment.renditions.get("thumb") if attachment.renditions else None
    url = rendition["url"] if rendition and "url" in rendition else attachment.file.url
    return format_html(
        '<img src="{}" alt="{}" style="max-width:120px;max-height:90px;object-fit:cover">', url, attachment.alt_text
    )


class PhotoUploadAdminMixin:
    """Mixed into EventAdmin: adds the several-photos-at-once upload page for one event.

    URL name: ``admin:events_event_upload_photos`` (argument: the event's pk).
    """

    def get_urls(self):
        return super().get_urls()


class AttachmentInline(admin.StackedInline):
    model = Attachment
    extra = 0
    fields = [
        ("thumbnail", "kind", "file"),
        ("title", "position"),
        "caption",
        ("alt_text", "credit"),
    ]
    readonly_fields = ["thumbnail"]
    ordering = ["position", "pk"]

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return thumbnail_html(obj)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "__str__", "event", "kind", "credit", "has_alt_text", "size"]
    list_filter = ["kind"]
    search_fields = ["title", "caption", "original_name", "credit", "event__title"]
    autocomplete_fields = ["event"]
    list_select_related = ["event"]
    readonly_fields = ["thumbnail", "original_name", "width", "height", "size", "content_type", "sha256"]
    fields = [
        "event", "kind", "file", "thumbnail", "title", "caption", "alt_text", "credit", "taken_at", "position",
        "original_name", "width", "height", "size", "content_type", "sha256",
    ]  # fmt: skip

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return thumbnail_html(obj)

    @admin.display(description=_("alt text"), boolean=True)
    def has_alt_text(self, obj):
        return bool(obj.alt_text) if obj.is_photo else None
