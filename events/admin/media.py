from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms import modelformset_factory
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..media.forms import AttachmentDescribeForm, CoverForm, UploadForm
from ..media.photos import rendition
from ..media.services import attachments_upload
from ..media.sniffing import check_upload
from ..models import Attachment, AuditLogEntry, Event


def thumbnail_html(attachment: Attachment):
    if not attachment.pk or not attachment.is_photo or not attachment.file:
        return "—"
    thumb = rendition(attachment, "thumb")
    if thumb is None:
        return _("(no preview yet: run manage.py regenerate_renditions)")
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" class="cso-attachment-thumb">',
        thumb.jpeg_url,
        attachment.alt_text,
        min(thumb.width, 160),
        round(thumb.height * min(thumb.width, 160) / thumb.width),
    )


class PhotoUploadAdminMixin:
    """Mixed into EventAdmin: the several-files-at-once upload page and the describe/order/cover page.

    URL names: ``admin:events_event_upload_photos`` and ``admin:events_event_photos`` (argument: the pk).
    """

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "<path:object_id>/photos/upload/",
                self.admin_site.admin_view(self.upload_photos_view),
                name="{}_{}_upload_photos".format(*info),
            ),
            path(
                "<path:object_id>/photos/",
                self.admin_site.admin_view(self.describe_photos_view),
                name="{}_{}_photos".format(*info),
            ),
        ]
        return extra + super().get_urls()

    def _event_for_media(self, request, object_id) -> Event:
        event = self.get_object(request, object_id)
        if event is None:
            raise Http404(_("No event with this id."))
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        return event

    def _media_context(self, request, event, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": event,
            "event": event,
            "title": title,
            "change_url": reverse("admin:events_event_change", args=[event.pk]),
            "upload_url": reverse("admin:events_event_upload_photos", args=[event.pk]),
            "photos_url": reverse("admin:events_event_photos", args=[event.pk]),
            "has_view_permission": True,
        }

    def upload_photos_view(self, request, object_id):
        event = self._event_for_media(request, object_id)
        if not request.user.has_perm("events.add_attachment"):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = attachments_upload(
                    event=event,
                    files=form.cleaned_data["files"],
                    user=request.user,
                    caption=form.cleaned_data["caption"],
                    credit=form.cleaned_data["credit"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("files", message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d file was added. Now describe it for readers who cannot see it.",
                        "%(count)d files were added. Now describe each photo for readers who cannot see it.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
                return HttpResponseRedirect(reverse("admin:events_event_photos", args=[event.pk]))
        context = {**self._media_context(request, event, _("Upload photos and documents")), "form": form}
        return TemplateResponse(request, "admin/events/attachment/upload.html", context)

    def describe_photos_view(self, request, object_id):
        event = self._event_for_media(request, object_id)
        FormSet = modelformset_factory(Attachment, form=AttachmentDescribeForm, extra=0, can_delete=True)
        queryset = event.attachments.order_by("position", "pk")
        data = request.POST if request.method == "POST" else None
        formset = FormSet(data, queryset=queryset, prefix="attachments")
        cover_form = CoverForm(data, event=event, initial={"cover": event.cover_id})
        if data is not None and formset.is_valid() and cover_form.is_valid():
            with transaction.atomic():
                formset.save()
                cover = cover_form.cleaned_data["cover"]
                if cover is not None and cover.pk in {item.pk for item in formset.deleted_objects}:
                    cover = None
                Event.objects.filter(pk=event.pk).update(cover=cover)
                AuditLogEntry.objects.create(
                    action="events.attachment.described",
                    event=event,
                    actor=request.user,
                    object_repr=str(event)[:300],
                    data={
                        "changed": [item.pk for item, _fields in formset.changed_objects],
                        "deleted": [item.pk for item in formset.deleted_objects],
                        "cover": cover.pk if cover else None,
                    },
                )
            messages.success(request, _("The photos and documents were saved."))
            return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        context = {
            **self._media_context(request, event, _("Photos and documents: describe, order, choose the cover")),
            "formset": formset,
            "cover_form": cover_form,
            "rows": [(form, thumbnail_html(form.instance)) for form in formset.forms],
        }
        return TemplateResponse(request, "admin/events/attachment/describe.html", context)


class AttachmentInline(admin.TabularInline):
    """Describe and order what is attached; new files come through the upload page (checked by content)."""

    model = Attachment
    extra = 0
    fields = ["thumbnail", "kind", "original_name", "position", "title", "caption", "alt_text", "credit"]
    readonly_fields = ["thumbnail", "kind", "original_name"]
    ordering = ["position", "pk"]
    verbose_name_plural = _("photos and documents (add new ones with “Upload photos and documents”)")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return thumbnail_html(obj)


class AttachmentAdminForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["event", "kind", "file", "title", "caption", "alt_text", "credit", "taken_at", "position"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file, not the stored one
            facts = check_upload(upload)
            self.checked_kind = facts.kind
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = getattr(self, "checked_kind", None)
        if kind and cleaned.get("kind") and kind != cleaned["kind"]:
            self.add_error(
                "kind",
                _("This file is a %(found)s, not a %(chosen)s.")
                % {"found": Attachment.Kind(kind).label, "chosen": Attachment.Kind(cleaned["kind"]).label},
            )
        return cleaned


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    form = AttachmentAdminForm
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

    def get_readonly_fields(self, request, obj=None):
        # A stored file is replaced by uploading a new attachment, so its renditions and name stay consistent.
        if obj is not None:
            return [*self.readonly_fields, "file", "kind", "event"]
        return self.readonly_fields

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return thumbnail_html(obj)

    @admin.display(description=_("alt text"), boolean=True)
    def has_alt_text(self, obj):
        return bool(obj.alt_text) if obj.is_photo else None
