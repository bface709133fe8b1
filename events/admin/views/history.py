"""Editorial pages inside the admin: transitions, preview, history, dashboard and calendar.

``EventAdmin`` wires these into its URLs through ``admin_site.admin_view`` (staff login); each view then
asks ``events.permissions`` and answers 403 when the user's role does not allow the step.
"""

from __future__ import annotations

import calendar
import difflib
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions, services
from .models import Attachment, Event
from .models.event import EDITORIAL_FIELDS
from .views import event_page_context

# Fields shown when comparing revisions or explaining an edit conflict, in reading order.
COMPARED_FIELDS = [
    *(name for name in EDITORIAL_FIELDS if name != "organizations"),  # a revision row holds no many-to-many
    "status", "publish_at", "public_update_note", "withdrawal_reason",
]  # fmt: skip
TEXT_FIELDS = {"lead", "body", "title", "location", "public_update_note", "withdrawal_reason"}

TRANSITION_LABELS = {
    permissions.SUBMIT: gettext_lazy("Submit for review"),
    permissions.PUBLISH: gettext_lazy("Publish now"),
    permissions.FORCE_PUBLISH: gettext_lazy("Force publish"),
    permissions.SCHEDULE: gettext_lazy("Schedule"),
    permissions.REJECT: gettext_lazy("Send back to author"),
    permissions.WITHDRAW: gettext_lazy("Withdraw"),
    permissions.REPUBLISH: gettext_lazy("Publish again"),
}
TRANSITION_HELP = {
    permissions.SUBMIT: gettext_lazy("An editor will review the release before it is published."),
    permissions.PUBLISH: gettext_lazy("The release becomes public at once."),
    permissions.FORCE_PUBLISH: gettext_lazy(
        "You submitted this release yourself. Publishing it without a second editor needs a written reason, "
        "which is kept in the history."
    ),
    permissions.SCHEDULE: gettext_lazy("The release becomes public at the chosen moment, to the minute."),
    permissions.REJECT: gettext_lazy("The release goes back to draft; the author sees your note."),
    permissions.WITHDRAW: gettext_lazy(
        "The release leaves lists, calendar, feeds and search. Its page stays and shows your reason."
    ),
    permissions.REPUBLISH: gettext_lazy("The release returns to lists, calendar, feeds and search."),
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class TransitionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Publish at"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, transition: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        note = self.fields["note"]
        if transition == permissions.REJECT:
            note.required = True
            note.label = _("What should the author change?")
        elif transition == permissions.WITHDRAW:
            note.required = True
            note.label = _("Public reason")
            note.help_text = _("Shown on the page: “This release was withdrawn on [date]: [reason]”.")
        elif transition == permissions.FORCE_PUBLISH:
            note.required = True
            note.label = _("Why publish without a second editor?")
        elif transition in (permissions.PUBLISH, permissions.SCHEDULE):
            del self.fields["note"]
        if transition == permissions.SCHEDULE:
            field = self.fields["publish_at"]
            field.required = True
            field.help_text = _("Time zone: %(zone)s") % {"zone": timezone.get_current_timezone_name()}
        else:
            del self.fields["publish_at"]

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value and value <= timezone.now():
            raise ValidationError(_("Choose a moment in the future, or publish now."))
        return value


def run_transition(transition: str, *, event: Event, user, data: dict) -> Event:
    note = data.get("note", "") or ""
    if transition == permissions.SUBMIT:
        return services.event_submit(event=event, user=user, note=note)
    if transition == permissions.PUBLISH:
        return services.event_publish(event=event, user=user)
    if transition == permissions.FORCE_PUBLISH:
        return services.event_publish(event=event, user=user, force_reason=note)
    if transition == permissions.SCHEDULE:
        return services.event_schedule(event=event, user=user, publish_at=data["publish_at"])
    if transition == permissions.REJECT:
        return services.event_reject(event=event, user=user, note=note)
    if transition == permissions.WITHDRAW:
        return services.event_withdraw(event=event, user=user, reason=note)
    if transition == permissions.REPUBLISH:
        return services.event_republish(event=event, user=user, note=note)
    raise Http404


def event_warnings(event: Event) -> list[str]:
    """What an editor should fix before (or soon after) the release goes out."""
    warnings = []
    if event.pk is None:
        return warnings
    if not event.press_contact_links.exists():
        warnings.append(_("This release has no press contact: journalists will not know whom to call."))
    missing_alt = event.attachments.filter(kind=Attachment.Kind.PHOTO, alt_text="").count()
    if missing_alt:
        warnings.append(_("%(count)s photo(s) have no alt text.") % {"count": missing_alt})
    return warnings


def status_label(event: Event) -> str:
    if event.is_scheduled:
        return _("Scheduled")
    return str(event.get_status_display())


def transition_buttons(user, event: Event) -> list[dict]:
    allowed = permissions.allowed_transitions(user, event)
    if permissions.PUBLISH in allowed and permissions.FORCE_PUBLISH in allowed:
        allowed.remove(permissions.FORCE_PUBLISH)  # Only offered when the ordinary way is closed.
    return [
        {
            "name": name,
            "label": TRANSITION_LABELS[name],
            "url": reverse("admin:events_event_transition", args=[event.pk, name]),
        }
        for name in allowed
    ]


def photo_upload_url(event: Event) -> str:
    try:
        return reverse("admin:events_event_upload_photos", args=[event.pk])
    except NoReverseMatch:
        return ""


def _admin_context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "app_label": model_admin.model._meta.app_label,
        **extra,
    }


def _change_url(event: Event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])


def transition_view(model_admin, request, object_id: int, transition: str):
    if transition not in permissions.TRANSITIONS:
        raise Http404
    event = get_object_or_404(Event.objects.select_related("section", "submitted_by"), pk=object_id)
    if not permissions.can_transition(request.user, event, transition):
        raise PermissionDenied
    form = TransitionForm(transition, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run_transition(transition, event=event, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("“%(title)s”: %(action)s — done.") % {"title": event.title, "action": TRANSITION_LABELS[transition]},
            )
            return redirect(_change_url(event))
    return TemplateResponse(
        request,
        "admin/events/event/transition.html",
        _admin_context(
            model_admin,
            request,
            title=f"{TRANSITION_LABELS[transition]}: {event.title}",
            event=event,
            original=event,
            form=form,
            transition=transition,
            transition_label=TRANSITION_LABELS[transition],
            transition_help=TRANSITION_HELP[transition],
            warnings=event_warnings(event)
            if transition
            in (permissions.PUBLISH, permissions.FORCE_PUBLISH, permissions.SCHEDULE, permissions.REPUBLISH)
            else [],
            status_label=status_label(event),
            time_zone=timezone.get_current_timezone_name(),
        ),
    )


def translate_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_translate(request.user, event):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            copy = services.event_translate(event=event, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("A draft in the other language was created. Translate it here."))
            return redirect(_change_url(copy))
    return TemplateResponse(
        request,
        "admin/events/event/translate.html",
        _admin_context(
            model_admin,
            request,
            title=_("Translate: %(title)s") % {"title": event.title},
            event=event,
            original=event,
            error=error,
            translations=event.translations(),
        ),
    )


def page_context(request, event: Event) -> dict:
    """The public page's own context, so that preview and embargo pages match it exactly."""
    return event_page_context(request, event)


def preview_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event.objects.select_related("section__parent"), pk=object_id)
    if not permissions.can_preview(request.user, event):
        raise PermissionDenied
    context = page_context(request, event)
    context.update(preview_banner=_("Preview — not published"), noindex=True)
    if event.is_public:
        context["preview_banner"] = _("Preview — this version is public")
    response = TemplateResponse(request, "events/event_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# History -----------------------------------------------------------------------------------------------------


def _display(record, name: str) -> str:
    value = getattr(record, name, None)
    if name in ("section", "cover"):
        related_id = getattr(record, f"{name}_id", None)
        if related_id is None:
            return "—"
        try:
            return str(getattr(record, name))
        except Exception:  # noqa: BLE001 - the related row may be gone; show its id instead.
            return f"#{related_id}"
    if name in ("status", "kind", "language"):
        choices = dict(Event._meta.get_field(name).choices)
        return str(choices.get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, ""):
        return "—"
    if name == "body":
        return strip_tags(str(value))
    return str(value)


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: kind is "same", "del" or "ins", for a word-level diff a person can read."""
    old_words, new_words = old.split(), new.split()
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            pieces.append(("del", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            pieces.append(("ins", " ".join(new_words[b1:b2])))
    return pieces


def field_changes(old_record, new_record) -> list[dict]:
    """The fields that differ between two revisions, with readable old and new values."""
    # diff_against covers the editable fields; the workflow's own (not editable) ones are compared directly.
    editable = [name for name in COMPARED_FIELDS if Event._meta.get_field(name).editable]
    changed = set(new_record.diff_against(old_record, included_fields=editable).changed_fields)
    changed.update(
        name
        for name in COMPARED_FIELDS
        if name not in editable and getattr(old_record, name) != getattr(new_record, name)
    )
    rows = []
    for name in COMPARED_FIELDS:
        if name not in changed:
            continue
        old_value, new_value = _display(old_record, name), _display(new_record, name)
        if name not in TEXT_FIELDS and old_value == new_value:
            # Shown alike, e.g. times differing only in seconds the form never shows: nothing to tell anyone.
            continue
        rows.append(
            {
                "name": name,
                "label": str(Event._meta.get_field(name).verbose_name).capitalize(),
                "old": old_value,
                "new": new_value,
                "words": _word_diff(old_value, new_value) if name in TEXT_FIELDS else None,
            }
        )
    return rows


def history_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_view(request.user, event):
        raise PermissionDenied
    revisions = list(event.history.select_related("history_user").order_by("-history_date", "-history_id"))
    return TemplateResponse(
        request,
        "admin/events/event/revisions.html",
        _admin_context(
            model_admin,
            request,
            title=_("History: %(title)s") % {"title": event.title},
            event=event,
            original=event,
            revisions=revisions,
            audit_entries=event.audit_entries.select_related("actor")[:200],
            can_revert=permissions.can_revert(request.user, event),
        ),
    )


def _revision(event: Event, value) -> object:
    try:
        history_id = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(event.history.all(), history_id=history_id)


def compare_view(model_admin, request, object_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_view(request.user, event):
        raise PermissionDenied
    if "old" not in request.GET or "new" not in request.GET:
        return HttpResponseBadRequest(_("Choose two revisions to compare."))
    old, new = _revision(event, request.GET["old"]), _revision(event, request.GET["new"])
    if old.history_date > new.history_date:
        old, new = new, old
    return TemplateResponse(
        request,
        "admin/events/event/compare.html",
        _admin_context(
            model_admin,
            request,
            title=_("Changes in “%(title)s”") % {"title": event.title},
            event=event,
            original=event,
            old=old,
            new=new,
            changes=field_changes(old, new),
            can_revert=permissions.can_revert(request.user, event),
        ),
    )


class RevertForm(forms.Form):
    """A revert is an edit: once the release has been public it needs a change note or the minor-change tick."""

    change_note = forms.CharField(
        label=gettext_lazy("Change note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown on the public page as “Updated [date]: [note]”."),
    )
    minor_change = forms.BooleanField(
        label=gettext_lazy("Minor change"),
        required=False,
        help_text=gettext_lazy("A typo or similar: readers see no update note."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = services.has_been_public(event)
        if not self.public:
            del self.fields["change_note"]
            del self.fields["minor_change"]

    def clean(self):
        cleaned = super().clean()
        if self.public and not cleaned.get("change_note", "").strip() and not cleaned.get("minor_change"):
            self.add_error(
                "change_note", _("This release has been published: describe the change, or tick “Minor change”.")
            )
        return cleaned


def revert_view(model_admin, request, object_id: int, history_id: int):
    event = get_object_or_404(Event, pk=object_id)
    if not permissions.can_revert(request.user, event):
        raise PermissionDenied
    record = _revision(event, history_id)
    form = RevertForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_revert(
                event=event,
                user=request.user,
                history_id=record.history_id,
                change_note=form.cleaned_data.get("change_note", ""),
                minor_change=form.cleaned_data.get("minor_change", False),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Reverted to version %(version)s as a new revision.") % {"version": record.version}
            )
        return redirect(reverse("admin:events_event_history", args=[event.pk]))
    current = event.history.order_by("-history_date", "-history_id").first()
    return TemplateResponse(
        request,
        "admin/events/event/revert.html",
        _admin_context(
            model_admin,
            request,
            title=_("Revert “%(title)s”") % {"title": event.title},
            event=event,
            original=event,
            record=record,
            form=form,
            changes=field_changes(current, record) if current else [],
        ),
    )


# Dashboard and calendar ---------------------------------------------------------------------------------------


def dashboard_view(model_admin, request):
    if not permissions.can_view(request.user):
        raise PermissionDenied
    now = timezone.now()
    events = Event.objects.select_related("section", "submitted_by", "updated_by")
    active = events.exclude(status=Event.Status.WITHDRAWN)
    context = _admin_context(
        model_admin,
        request,
        title=_("Editorial dashboard"),
        now=now,
        time_zone=timezone.get_current_timezone_name(),
        my_drafts=events.filter(status=Event.Status.DRAFT)
        .filter(Q(created_by=request.user) | Q(updated_by=request.user))
        .order_by("-updated_at")[:20],
        in_review=events.filter(status=Event.Status.IN_REVIEW).order_by("updated_at")[:50],
        scheduled=events.scheduled(now).order_by("publish_at")[:50],
        recently_published=events.public(now).order_by("-publish_at")[:10],
        no_contact=active.annotate(contacts=Count("press_contact_links"))
        .filter(contacts=0)
        .order_by("-starts_at")[:20],
        no_alt_text=Attachment.objects.filter(kind=Attachment.Kind.PHOTO, alt_text="")
        .exclude(event__status=Event.Status.WITHDRAWN)
        .select_related("event")[:20],
        calendar_url=reverse("admin:events_event_calendar"),
    )
    return TemplateResponse(request, "admin/events/event/dashboard.html", context)


def _month_start(year: int, month: int) -> date:
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise Http404
    return date(year, month, 1)


def calendar_view(model_admin, request, year: int | None = None, month: int | None = None):
    if not permissions.can_view(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    first = _month_start(year or today.year, month or today.month)
    last_day = calendar.monthrange(first.year, first.month)[1]
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), zone)
    end = start + timedelta(days=last_day)
    now = timezone.now()
    items = (
        Event.objects.filter(status=Event.Status.PUBLISHED, publish_at__gte=start, publish_at__lt=end)
        .select_related("section")
        .order_by("publish_at")
    )
    by_day: dict[date, list] = {}
    for event in items:
        event.is_scheduled_now = not event.is_due(now)
        by_day.setdefault(timezone.localtime(event.publish_at, zone).date(), []).append(event)
    weeks = [
        [{"day": day, "in_month": day.month == first.month, "today": day == today, "events": by_day.get(day, [])}
         for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]  # fmt: skip
    previous = (first - timedelta(days=1)).replace(day=1)
    following = first + timedelta(days=last_day)
    return TemplateResponse(
        request,
        "admin/events/event/calendar.html",
        _admin_context(
            model_admin,
            request,
            title=_("Editorial calendar"),
            month=first,
            weeks=weeks,
            weekdays=[WEEKDAYS_ABBR[i] for i in range(7)],
            time_zone=timezone.get_current_timezone_name(),
            previous_url=reverse("admin:events_event_calendar_month", args=[previous.year, previous.month]),
            next_url=reverse("admin:events_event_calendar_month", args=[following.year, following.month]),
        ),
    )
