from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..media.photos import rendition
from ..models import Attachment
from ..services import attachments
from .locking import StaleFormRefusedForm, read_state

DESCRIBED = attachments.ATTACHMENT_DESCRIPTION_FIELDS


def thumbnail_html(attachment: Attachment, *, retry: bool = False):
    """The admin's preview cell: the thumbnail of a ready photo, "Processing…", or "Failed: <reason>" (with a
    "Try again" button where the page has the retry forms: ``retry``); photo_states.js swaps it in place when
    the state changes."""
    if not attachment.pk or not attachment.is_photo or not attachment.file:
        return "—"
    thumb = rendition(attachment, "thumb") if attachment.state == Attachment.State.READY else None
    return render_to_string(
        "admin/events/attachment/photo_state.html",
        {
            "photo": attachment,
            "thumb": thumb,
            "width": min(thumb.width, 160) if thumb else None,
            "height": round(thumb.height * min(thumb.width, 160) / thumb.width) if thumb else None,
            "retry": retry,
            "states_url": reverse("admin:events_event_photo_states", args=[attachment.event_id]),
        },
    )


# What a photo card of the release page changes (a subset of the describe page's fields).
CARD_FIELDS = ["position", "caption", "credit", "alt_text"]


class PhotoCardForm(StaleFormRefusedForm):
    """One card of the release page's photos: what readers see of it, saved with the release.

    It carries the values it was opened with (``seen_state``, see ``locking``). A card the editor did not touch
    is neither checked nor written, so a caption someone else saved meanwhile stays; a touched card is refused
    when someone else changed it meanwhile, and must be complete (alt text for a photo)."""

    class Meta:
        model = Attachment
        fields = CARD_FIELDS
        widgets = {
            "position": forms.HiddenInput(attrs={"class": "cso-card-position"}),
            "caption": forms.Textarea(attrs={"rows": 2, "spellcheck": "true"}),
            "alt_text": forms.Textarea(attrs={"rows": 2, "spellcheck": "true"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.thumbnail = thumbnail_html(self.instance) if self.instance.pk else ""

    def touched(self) -> bool:
        """Whether the editor changed anything on this card since the page was opened."""
        seen = read_state(self.data.get(self.add_prefix("seen_state"), ""))
        if seen is None:
            return True
        for name in CARD_FIELDS:
            typed = str(self.data.get(self.add_prefix(name), "")).replace("\r\n", "\n").strip()
            stored = seen.get(name)
            if typed != ("" if stored is None else str(stored)).strip():
                return True
        return False

    def has_changed(self):
        return bool(self.instance.pk) and self.touched()

    def clean(self):
        if self.instance.pk and not self.touched():
            return self.cleaned_data
        return super().clean()

    def _post_clean(self):
        if self.has_changed():
            super()._post_clean()


class AttachmentInline(admin.StackedInline):
    """The release's photos as cards (and its documents as a list), described, ordered and removed with the
    release's own Save. Files come in through the upload endpoint (checked by content), never through here."""

    model = Attachment
    form = PhotoCardForm
    template = "admin/events/event/photo_cards.html"
    extra = 0
    fields = CARD_FIELDS
    ordering = ["position", "pk"]
    verbose_name = _("photo or document")
    verbose_name_plural = _("photos and documents")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or permissions.can_change_release(request.user, obj, part="attachment")

    def has_delete_permission(self, request, obj=None):
        return obj is not None and permissions.can_change_release(request.user, obj, part="attachment_delete")

    def has_view_permission(self, request, obj=None):
        return True

    class Media:
        js = ["cso_media/photo_states.js"]


class AttachmentAdminForm(StaleFormRefusedForm):
    class Meta:
        model = Attachment
        fields = DESCRIBED


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Find and describe any photo or document. Adding happens only on a release's upload page; changing and
    deleting follow the release's own rule (``permissions.can_change_release``) and go through audited
    services."""

    form = AttachmentAdminForm
    list_display = ["thumbnail", "__str__", "event", "kind", "credit", "has_alt_text", "size"]
    list_filter = ["kind"]
    search_fields = ["title", "caption", "original_name", "credit", "event__title"]
    list_select_related = ["event"]
    readonly_fields = [
        "event", "kind", "file", "thumbnail", "original_name", "width", "height", "size", "content_type", "sha256",
    ]  # fmt: skip
    fields = [
        "event", "kind", "file", "thumbnail", "title", "caption", "alt_text", "credit", "taken_at", "position",
        "original_name", "width", "height", "size", "content_type", "sha256", "seen_state",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_change_release(request.user, obj.event, part="attachment")

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or permissions.can_change_release(request.user, obj.event, part="attachment_delete")

    def save_model(self, request, obj, form, change):
        attachments.attachment_describe(
            attachment=obj, user=request.user, values={name: form.cleaned_data[name] for name in DESCRIBED}
        )

    def delete_model(self, request, obj):
        attachments.attachment_delete(attachment=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        items = list(queryset.select_related("event"))
        if not all(self.has_delete_permission(request, item) for item in items):
            raise PermissionDenied
        with transaction.atomic():
            for item in items:
                attachments.attachment_delete(attachment=item, user=request.user)

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return thumbnail_html(obj)

    @admin.display(description=_("alt text"), boolean=True)
    def has_alt_text(self, obj):
        return bool(obj.alt_text) if obj.is_photo else None
