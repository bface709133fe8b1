"""A release's photos and documents: the several-files-at-once upload page and the page that describes them,
orders them and chooses the cover.

URL names: ``admin:events_event_upload_photos``, ``admin:events_event_photos``, ``admin:events_event_photo_states``
(argument: the pk) and ``admin:events_event_photo_retry`` (the pk and the photo's id), wired by
``EventAdmin.get_urls``. All follow the release's own rule (``permissions.can_change_release``); the writes go
through ``events.media.services`` (uploads, retries) and ``events.services`` (descriptions, the cover).

The upload page answers JSON to a request that asks for it (``Accept: application/json``; upload.js sends one
file per request): ``{"files": [{"id", "name", "state"}], "errors": [messages]}``, status 400 when refused.
The states answer ``{"photos": [{"id", "state", "error", "thumbnail"}]}`` (describe.js polls it while a photo
is processing).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import modelformset_factory
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ... import permissions
from ...media.forms import AttachmentDescribeForm, CoverForm, UploadForm
from ...media.photos import rendition
from ...media.services import attachments_upload, retry_photo
from ...models import Attachment, Event
from ...services import attachments
from ...services.releases import event_set_cover
from ..locking import changed_names, describe, read_state, row_state, sign_state
from ..media import CARD_FIELDS, thumbnail_html

DESCRIBED = attachments.ATTACHMENT_DESCRIPTION_FIELDS


class LockedDescribeForm(AttachmentDescribeForm):
    """One row of the describe page, carrying the values it was opened with (see ``locking``)."""

    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_state"].initial = sign_state(row_state(self.instance, DESCRIBED))


def _stale_rows(formset, stored: dict[int, Attachment]) -> list[str]:
    """What other editors changed since the page was opened, one readable line per field."""
    lines = []
    for form in formset.initial_forms:
        current = stored.get(form.instance.pk)
        name = form.instance.original_name or str(form.instance)
        if current is None:
            lines.append(gettext("“%(name)s” was deleted by someone else.") % {"name": name})
            continue
        seen = read_state(form.cleaned_data.get("seen_state", ""))
        if seen is None:
            lines.append(gettext("“%(name)s”: the form was missing its version.") % {"name": name})
            continue
        for field in changed_names(seen, row_state(current, DESCRIBED)):
            label = str(Attachment._meta.get_field(field).verbose_name).capitalize()
            lines.append(
                gettext("“%(name)s”, %(field)s: now “%(value)s”")
                % {"name": name, "field": label, "value": describe(current, field)}
            )
    return lines


def _event_for_media(model_admin, request, object_id, part: str) -> Event:
    event = model_admin.get_object(request, object_id)
    if event is None:
        raise Http404(_("No release with this id."))
    if not permissions.can_change_release(request.user, event, part=part):
        raise PermissionDenied
    return event


def _media_context(model_admin, request, event, title):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": event,
        "event": event,
        "title": title,
        "change_url": reverse("admin:events_event_change", args=[event.pk]),
        "upload_url": reverse("admin:events_event_upload_photos", args=[event.pk]),
        "photos_url": reverse("admin:events_event_photos", args=[event.pk]),
        "states_url": reverse("admin:events_event_photo_states", args=[event.pk]),
        "has_view_permission": True,
    }


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _store_uploads(event, request, form) -> list[Attachment]:
    """The files of a valid upload form, stored for ``event`` (both the page's script and the plain form)."""
    return attachments_upload(
        event=event,
        files=form.cleaned_data["files"],
        user=request.user,
        caption=form.cleaned_data["caption"],
        credit=form.cleaned_data["credit"],
    )


def _upload_json(event, request, form) -> JsonResponse:
    """One request of the page's script: store the file(s) and answer at once (processing follows in a task)."""
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        return JsonResponse({"files": [], "errors": errors}, status=400)
    try:
        created = _store_uploads(event, request, form)
    except ValidationError as error:
        return JsonResponse({"files": [], "errors": error.messages}, status=400)
    return JsonResponse({"files": [uploaded_file(item) for item in created], "errors": []})


def uploaded_file(item: Attachment) -> dict:
    """A stored upload as the scripts read it: the upload page's list and the release page's photo cards."""
    return {
        **photo_state(item),
        "kind": item.kind,
        "caption": item.caption,
        "credit": item.credit,
        "alt_text": item.alt_text,
        "size": item.size,
        # The values the release page's new card starts from, so its save is checked like the others.
        "seen_state": sign_state(row_state(item, CARD_FIELDS)),
    }


def store_release_form_uploads(event, request) -> list[Attachment]:
    """The files chosen on the release's add page, stored once the release exists, through the upload page's
    helper (one file at a time, so each keeps its own caption and credit; empty ones are read from the photo).
    The alt text typed beside each is then saved as a description; ``new_cover`` names the lead image."""
    files = request.FILES.getlist("new_photos")
    captions, credits, alts = (request.POST.getlist(name) for name in ("new_caption", "new_credit", "new_alt"))
    cover = request.POST.get("new_cover", "")
    created = []
    for index, upload in enumerate(files):
        values = {"caption": _nth(captions, index), "credit": _nth(credits, index)}
        form = UploadForm(values, MultiValueDict({"files": [upload]}))
        try:
            if not form.is_valid():
                raise ValidationError([message for errors in form.errors.values() for message in errors])
            stored = _store_uploads(event, request, form)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{upload.name}: {message}")
            continue
        created.extend(stored)
        alt = _nth(alts, index).strip()
        if alt and stored and stored[0].is_photo:
            attachments.attachment_describe(attachment=stored[0], user=request.user, values={"alt_text": alt})
        if cover == str(index) and stored and stored[0].is_photo:
            event_set_cover(event=event, user=request.user, cover=stored[0])
    return created


def _nth(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else ""


def save_photo_cards(request, event, formset) -> None:
    """The photo cards of the release page, saved with the release: descriptions and order through the
    describe page's services, removals where the user may remove."""
    may_delete = permissions.can_change_release(request.user, event, part="attachment_delete")
    # What the admin's history message reads (a formset's own save() would set these).
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        if formset.can_delete and may_delete and formset._should_delete_form(form):
            attachments.attachment_delete(attachment=form.instance, user=request.user)
            formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            attachments.attachment_describe(
                attachment=form.instance,
                user=request.user,
                values={name: form.cleaned_data[name] for name in form.changed_data if name in DESCRIBED},
            )
            formset.changed_objects.append((form.instance, form.changed_data))


def upload_photos_view(model_admin, request, object_id):
    event = _event_for_media(model_admin, request, object_id, "attachment_add")
    # Bound on every POST, even an empty one (an unbound form would answer "invalid" with no message).
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and _wants_json(request):
        return _upload_json(event, request, form)
    if request.method == "POST" and form.is_valid():
        try:
            created = _store_uploads(event, request, form)
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
    context = {**_media_context(model_admin, request, event, _("Upload photos and documents")), "form": form}
    return TemplateResponse(request, "admin/events/attachment/upload.html", context)


def describe_photos_view(model_admin, request, object_id):
    event = _event_for_media(model_admin, request, object_id, "attachment")
    may_delete = permissions.can_change_release(request.user, event, part="attachment_delete")
    FormSet = modelformset_factory(Attachment, form=LockedDescribeForm, extra=0, can_delete=may_delete)
    queryset = event.attachments.order_by("position", "pk")
    data = request.POST.copy() if request.method == "POST" else None
    formset = FormSet(data, queryset=queryset, prefix="attachments")
    cover_form = CoverForm(data, event=event, initial={"cover": event.cover_id})
    # A page sent back with errors keeps the version it was opened at, so a later save is still checked.
    cover_seen = data.get("cover_seen", "") if data is not None else sign_state({"cover": event.cover_id})
    conflicts: list[str] = []
    if data is not None and formset.is_valid() and cover_form.is_valid():
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            stored = {item.pk: item for item in Attachment.objects.select_for_update().filter(event=event)}
            conflicts = _stale_rows(formset, stored)
            seen_cover = read_state(data.get("cover_seen", ""))
            if seen_cover is None or seen_cover.get("cover") != locked.cover_id:
                conflicts.append(
                    gettext("Cover photo: now “%(value)s”")
                    % {"value": describe(locked, "cover") if locked.cover_id else gettext("No cover photo")}
                )
            if not conflicts:
                _save_described(request, event, formset, cover_form)
        if not conflicts:
            messages.success(request, _("The photos and documents were saved."))
            return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        # Renew the versions the page carries, so saving again replaces the other editor's values.
        for form in formset.initial_forms:
            current = stored.get(form.instance.pk)
            if current is not None:
                data[form.add_prefix("seen_state")] = sign_state(row_state(current, DESCRIBED))
        cover_seen = sign_state({"cover": locked.cover_id})
    context = {
        **_media_context(model_admin, request, event, _("Photos and documents: describe, order, choose the cover")),
        "formset": formset,
        "cover_form": cover_form,
        "cover_seen": cover_seen,
        "conflicts": conflicts,
        "rows": [(form, thumbnail_html(form.instance, retry=True)) for form in formset.forms],
        "unfinished": [item for item in queryset if item.is_photo and item.state != Attachment.State.READY],
    }
    return TemplateResponse(request, "admin/events/attachment/describe.html", context)


def photo_state(photo: Attachment) -> dict:
    """One photo's state as the admin's script reads it."""
    thumb = rendition(photo, "thumb") if photo.state == Attachment.State.READY else None
    return {
        "id": photo.pk,
        "name": photo.original_name,
        "state": photo.state,
        "error": photo.processing_error,
        "thumbnail": thumb.jpeg_url if thumb else "",
        "width": min(thumb.width, 160) if thumb else None,
        "height": round(thumb.height * min(thumb.width, 160) / thumb.width) if thumb else None,
    }


def photo_states_view(model_admin, request, object_id):
    """The states of the release's photos (same rule as the describe page)."""
    event = _event_for_media(model_admin, request, object_id, "attachment")
    photos = event.attachments.filter(kind=Attachment.Kind.PHOTO).order_by("position", "pk")
    response = JsonResponse({"photos": [photo_state(photo) for photo in photos]})
    response["Cache-Control"] = "no-store"
    return response


def retry_photo_view(model_admin, request, object_id, attachment_id):
    """The describe page's "Try again" for a failed photo (POST)."""
    event = _event_for_media(model_admin, request, object_id, "attachment")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    photo = get_object_or_404(event.attachments.filter(kind=Attachment.Kind.PHOTO), pk=attachment_id)
    retry_photo(attachment=photo)
    messages.success(request, _("“%(name)s” is being processed again.") % {"name": photo.original_name})
    return HttpResponseRedirect(reverse("admin:events_event_photos", args=[event.pk]))


def _save_described(request, event, formset, cover_form) -> None:
    deleted = set()
    for form in formset.initial_forms:
        if formset.can_delete and formset._should_delete_form(form):
            attachments.attachment_delete(attachment=form.instance, user=request.user)
            deleted.add(form.instance.pk)
        elif form.has_changed():
            attachments.attachment_describe(
                attachment=form.instance,
                user=request.user,
                values={name: form.cleaned_data[name] for name in DESCRIBED},
            )
    cover = cover_form.cleaned_data["cover"]
    if cover is not None and cover.pk in deleted:
        cover = None
    event_set_cover(event=event, user=request.user, cover=cover)
