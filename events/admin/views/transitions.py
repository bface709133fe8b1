"""The workflow screen (submit, publish, schedule, reject, withdraw, publish again) and the workflow panel of the
release's change form: its status, the buttons the user may press, and what to fix before publishing.

Each view asks ``events.permissions`` and answers 403 when the user's role does not allow the step; the
services in ``events.services.releases`` enforce the rules that hold whoever calls.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import permissions
from ...models import Event
from ...selectors.editorial import event_warnings
from ...services import releases
from .base import admin_context, change_url

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
        return releases.event_submit(event=event, user=user, note=note)
    if transition == permissions.PUBLISH:
        return releases.event_publish(event=event, user=user)
    if transition == permissions.FORCE_PUBLISH:
        return releases.event_publish(event=event, user=user, force_reason=note)
    if transition == permissions.SCHEDULE:
        return releases.event_schedule(event=event, user=user, publish_at=data["publish_at"])
    if transition == permissions.REJECT:
        return releases.event_reject(event=event, user=user, note=note)
    if transition == permissions.WITHDRAW:
        return releases.event_withdraw(event=event, user=user, reason=note)
    if transition == permissions.REPUBLISH:
        return releases.event_republish(event=event, user=user, note=note)
    raise Http404


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
            return redirect(change_url(event))
    return TemplateResponse(
        request,
        "admin/events/event/transition.html",
        admin_context(
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
