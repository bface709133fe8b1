from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..audit import audit_log
from ..media.forms import ACCEPT, MultipleFileField
from ..models import Attachment, Event, Organization, Person
from ..models.event import EDITORIAL_FIELDS
from ..search import matching_words
from ..selectors.editorial import event_warnings
from ..selectors.releases import has_been_public
from ..services import releases
from .forms import (
    DateAndTimeField,
    OrderedModelChoicesField,
    OrderedPicksWidget,
    ReleaseTitleInput,
    clean_title,
    moment,
    zone_or_default,
)
from .lists import ReleaseChangeList, ReleaseListPaginator, WhenFilter
from .media import AttachmentInline
from .views import archive, calendar, dashboard, history, photos, preview, quick_add, transitions, translate
from .widgets import ReleaseSlugInput


def may_change_people(user, event) -> bool:
    """People and contacts of a release follow the release's own rule (``permissions.can_change_release``)."""
    return permissions.can_change_release(user, event, part="people")


class EventAdminForm(forms.ModelForm):
    """The edit form, with the version it was opened at (to catch concurrent edits) and the change note."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_note = forms.CharField(
        label=_("Change note"),
        max_length=300,
        required=False,
        help_text=_("Shown on the public page as “Updated [date]: [note]”, e.g. “Corrected the name of the minister”."),
    )
    minor_change = forms.BooleanField(
        label=_("Minor change"), required=False, help_text=_("A typo or similar: readers see no update note.")
    )
    notify_subscribers = forms.BooleanField(
        label=_("Notify subscribers"),
        required=False,
        help_text=_("E-mail this change note as “Updated: …” to the readers who receive alerts for this release."),
    )
    people = OrderedModelChoicesField(
        label=_("People"),
        queryset=Person.objects.all(),
        required=False,
        help_text=_("In the order the release names them."),
        widget=OrderedPicksWidget(
            source=("events", "eventparticipant", "person"),
            quick_add={"kind": "person", "label": _("New person…")},
            search_label=_("People, in order"),
        ),
    )
    contacts = OrderedModelChoicesField(
        label=_("Press contacts"),
        queryset=Person.objects.press_contacts(),
        required=False,
        help_text=_("Journalists call them; the first is listed first."),
        widget=OrderedPicksWidget(
            source=("events", "eventpresscontact", "person"),
            quick_add={"kind": "contact", "label": _("New press contact…")},
            search_label=_("Press contacts, in order"),
        ),
    )
    new_photos = MultipleFileField(label=_("Add photos and documents"), required=False)
    # Set per request by EventAdmin.get_form: whether this user may change the release's people and contacts.
    may_change_people = True

    class Meta:
        model = Event
        fields = list(EDITORIAL_FIELDS)
        widgets = {
            "title": ReleaseTitleInput,
            "lead": forms.Textarea(attrs={"rows": 3, "spellcheck": "true", "class": "cso-lead", "data-grow": ""}),
            "location": forms.TextInput(attrs={"class": "cso-wide"}),
            "organizations": OrderedPicksWidget(
                source=("events", "event", "organizations"),
                quick_add={"kind": "organization", "label": _("New organisation…")},
                search_label=_("Organisations"),
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "starts_at" in self.fields:
            self.fields["starts_at"] = DateAndTimeField(
                label=_("Starts"), date_label=_("Start date"), time_label=_("Start time"),
                help_text=_("Date as 2030-05-04 or 04.05.2030, time as 11:00, in the time zone below."),
            )  # fmt: skip
        if "ends_at" in self.fields:
            self.fields["ends_at"] = DateAndTimeField(
                label=_("Ends"), date_label=_("End date"), time_label=_("End time"), required=False,
                help_text=_("Optional."),
            )  # fmt: skip
        for name in ("section", "organizations"):
            # No add/change/delete pop-up links beside these: the quick-add dialog adds what is missing, and
            # four icon links per field were four more Tab stops.
            if name in self.fields and isinstance(self.fields[name].widget, RelatedFieldWidgetWrapper):
                self.fields[name].widget = self.fields[name].widget.widget
        event = self.instance
        zone = zone_or_default(event.time_zone)
        for name in ("starts_at", "ends_at"):
            value = getattr(event, name)
            if event.pk and value is not None:
                local = timezone.localtime(value, zone)
                self.initial[name] = local.date() if event.all_day else local
        language = (self.data.get(self.add_prefix("language")) if self.is_bound else None) or event.language
        for name in ("title", "lead"):
            if name in self.fields:
                self.fields[name].widget.attrs["lang"] = language
        if "organizations" in self.fields:
            self.fields["organizations"].queryset = Organization.objects.all()
            self.fields["organizations"].help_text = _("Type to search; add a missing one with the button.")
        if event.pk and "expected_version" in self.fields:
            self.fields["expected_version"].initial = self.instance.version
            self.initial["people"] = list(
                event.participant_links.order_by("position", "pk").values_list("person_id", flat=True)
            )
            self.initial["contacts"] = list(
                event.press_contact_links.order_by("position", "pk").values_list("person_id", flat=True)
            )
        for name in ("people", "contacts"):
            if not self.may_change_people:
                self.fields[name].disabled = True
                self.fields[name].widget.attrs["disabled"] = True
        if "cover" in self.fields:
            # Only one of this release's own photos can be its cover.
            self.fields["cover"].queryset = Attachment.objects.filter(
                event_id=self.instance.pk, kind=Attachment.Kind.PHOTO
            )

    def clean_title(self):
        return clean_title(self.cleaned_data.get("title", ""))

    def _clean_moments(self, cleaned) -> None:
        """The date and time typed in the form, read in the release's own time zone (see ``moment``)."""
        all_day = cleaned.get("all_day", False)
        for name in ("starts_at", "ends_at"):
            pair = cleaned.get(name)
            if not isinstance(pair, tuple):
                continue
            day, at = pair
            if at is None and not all_day:
                self.add_error(name, _("Enter a time, or tick “All day”."))
                continue
            cleaned[name] = moment(day, at, zone_name=cleaned.get("time_zone"), all_day=all_day)

    def clean(self):
        cleaned = super().clean()
        self._clean_moments(cleaned)
        if not self.instance.pk:
            return cleaned
        # Locked until the admin's transaction ends, so nobody can slip a save in between check and write.
        stored = Event.objects.select_for_update().get(pk=self.instance.pk)
        expected = cleaned.get("expected_version")
        if expected is None:
            raise ValidationError(_("The form was missing its version; reload the page and try again."))
        if stored.version != expected:
            self._report_conflict(stored, expected)
        if has_been_public(stored) and not cleaned.get("change_note", "").strip():
            if not cleaned.get("minor_change"):
                self.add_error(
                    "change_note", _("This release has been published: describe the change, or tick “Minor change”.")
                )
        return cleaned

    def _report_conflict(self, stored: Event, expected: int) -> None:
        """Keep the editor's input, say who changed what, and let the next save go through deliberately."""
        revisions = stored.history.order_by("-history_date", "-history_id")
        seen = revisions.filter(version=expected).first()
        latest = revisions.first()
        who = latest.history_user if latest else None
        when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M %Z") if latest else ""
        errors = [
            ValidationError(
                _(
                    "Someone else saved this release while you were editing it (%(who)s, %(when)s). Nothing of "
                    "yours has been saved; your text is still in the form below. The stored release now has:"
                ),
                params={"who": who or _("unknown user"), "when": when},
                code="conflict",
            )
        ]
        if seen is not None and latest is not None:
            for change in history.field_changes(seen, latest):
                errors.append(
                    ValidationError("%(label)s: “%(value)s”", params={"label": change["label"], "value": change["new"]})
                )
        errors.append(ValidationError(_("Check the fields above, then save again to replace them with yours.")))
        data = self.data.copy()
        data[self.add_prefix("expected_version")] = str(stored.version)
        self.data = data
        raise ValidationError(errors)


def _list_time(value, *, with_time: bool = True) -> str:
    """A date (and time) in a list cell: short, in the site's time zone, machine-readable in ``<time>``."""
    return render_to_string(
        "admin/events/event/_list_time.html", {"value": timezone.localtime(value), "with_time": with_time}
    )


EDITOR = ["cso-editor-part"]


def _save_people(form) -> list[str]:
    """Store the people and contacts in the order the editor gave (their positions); return what changed."""
    event = form.instance
    changed = []
    for name, links in (("people", event.participant_links), ("contacts", event.press_contact_links)):
        if form.fields[name].disabled or name not in form.cleaned_data:
            continue
        wanted = [person.pk for person in form.cleaned_data[name]]
        if wanted == list(links.order_by("position", "pk").values_list("person_id", flat=True)):
            continue
        links.exclude(person_id__in=wanted).delete()
        for position, person_id in enumerate(wanted):
            links.update_or_create(person_id=person_id, defaults={"position": position})
        changed.append(links.model._meta.model_name)
    return changed


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    # What an editor looks for, in that order, narrow enough for 1280 px with the side bar open (the title wraps,
    # the language is a badge in it, dates are short: static/cso_admin/admin.css, "release list").
    list_display = ["title_cell", "status_badge", "starts_cell", "section", "publish_cell", "updated_by"]
    list_display_links = ["title_cell"]
    list_filter = ["status", WhenFilter, "kind", "language", "section"]
    # The search box matches as the public search does (get_search_results); these fields only switch it on.
    search_fields = ["title", "lead", "location", "slug"]
    # At archive scale (events/admin/lists.py): counts that stop at 1,000, no full-table count beside the
    # filtered one, 50 rows a page (each row's cells are rendered from templates).
    paginator = ReleaseListPaginator
    show_full_result_count = False
    list_per_page = 50
    formfield_overrides = {models.SlugField: {"widget": ReleaseSlugInput}}  # the slug rule, not a cut at 300
    list_select_related = ["section", "updated_by"]
    inlines = [AttachmentInline]
    readonly_fields = [
        "status", "publish_at", "translation_key", "first_published_at", "submitted_by", "public_updated_at",
        "public_update_note", "withdrawn_at", "withdrawal_reason", "created_by", "created_at", "updated_by",
        "updated_at", "version",
    ]  # fmt: skip
    actions = ["submit_selected", "publish_selected", "schedule_selected", "translate_selected"]

    def get_fieldsets(self, request, obj=None):
        # The editor's own layout (templates/admin/events/event/_editor.html) writes the fieldsets marked
        # EDITOR; the others are written the admin's way below it.
        fieldsets = [
            (None, {"fields": ["title", "slug", "section", "kind", "language", "expected_version"], "classes": EDITOR}),
            (
                _("Date and place"),
                {"fields": [("starts_at", "ends_at"), "all_day", "time_zone", "location"], "classes": EDITOR},
            ),
            (_("Text"), {"fields": ["lead", "body"], "classes": EDITOR}),
            (_("People and organisations"), {"fields": ["people", "organizations", "contacts"], "classes": EDITOR}),
            (_("Photos"), {"fields": ["cover"], "classes": EDITOR}),
        ]
        if obj is not None and has_been_public(obj):
            fieldsets.append(
                (
                    _("What changed?"),
                    {
                        "fields": [
                            "change_note",
                            "minor_change",
                            "notify_subscribers",
                            "public_updated_at",
                            "public_update_note",
                        ],
                        "description": _("This release has been published. Readers see each noted change."),
                    },
                )
            )
        if obj is not None:
            publication = ["status", "publish_at", "first_published_at", "submitted_by"]
            if obj.status == Event.Status.WITHDRAWN:
                publication += ["withdrawn_at", "withdrawal_reason"]
            fieldsets.append((_("Publication"), {"fields": publication}))
            record = ["translation_key", "created_by", "created_at", "updated_by", "updated_at", "version"]
            fieldsets.append((_("Record"), {"fields": record, "classes": ["collapse"]}))
        return fieldsets

    # Permissions ---------------------------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and permissions.can_edit(request.user, obj)

    def has_submit_permission(self, request):
        return request.user.has_perm("events.change_event")

    def has_publish_permission(self, request):
        return permissions.is_editor(request.user)

    def has_translate_permission(self, request):
        return request.user.has_perm("events.add_event")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"may_change_people": may_change_people(request.user, obj)})

    # Saving --------------------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        releases.event_save(
            event=obj,
            user=request.user,
            expected_version=form.cleaned_data.get("expected_version"),
            change_note=form.cleaned_data.get("change_note", ""),
            minor_change=form.cleaned_data.get("minor_change", False),
            notify_subscribers=form.cleaned_data.get("notify_subscribers", False),
        )

    def delete_model(self, request, obj):
        releases.event_delete(event=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        events = list(queryset)
        if not all(self.has_delete_permission(request, event) for event in events):
            raise PermissionDenied
        for event in events:
            releases.event_delete(event=event, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = _save_people(form)
        if not change:
            releases.event_apply_default_contacts(event=form.instance)
        # Files sent with the form: the add page's, or the change page's without JavaScript (with it, they
        # went to the upload endpoint as soon as they were chosen).
        if permissions.can_change_release(request.user, form.instance, part="attachment_add"):
            photos.store_release_form_uploads(form.instance, request)
        changed += [formset.model._meta.model_name for formset in formsets if formset.has_changed()]
        if change and changed:
            audit_log(
                action="events.event.people_changed",
                actor=request.user,
                event=form.instance,
                from_status=form.instance.status,
                to_status=form.instance.status,
                data={"parts": changed, "version": form.instance.version},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            photos.save_photo_cards(request, form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn(request, obj)
        if "_submit_for_review" in request.POST:
            return self._submit_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._warn(request, obj)
        if "_submit_for_review" in request.POST:
            return self._submit_after_save(request, obj)
        return super().response_change(request, obj)

    def _submit_after_save(self, request, obj):
        """ "Save and submit for review": the release is saved; then it goes to review if it may."""
        if permissions.can_submit(request.user, obj):
            try:
                releases.event_submit(event=obj, user=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, gettext("“%(title)s” was saved and submitted for review.") % {"title": obj})
        return redirect(reverse("admin:events_event_change", args=[obj.pk]))

    def _warn(self, request, obj):
        for warning in event_warnings(obj):
            messages.warning(request, warning)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        event = self.get_object(request, object_id)
        if event is not None and self.has_view_or_change_permission(request, event):
            extra_context.update(
                workflow_status=transitions.status_label(event),
                workflow_buttons=transitions.transition_buttons(request.user, event),
                workflow_warnings=event_warnings(event),
                workflow_time_zone=timezone.get_current_timezone_name(),
                can_translate=permissions.can_translate(request.user, event),
                can_embargo=permissions.can_manage_embargo(request.user, event),
                photo_upload_url=transitions.photo_upload_url(event),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_upload = permissions.can_change_release(request.user, obj, part="attachment_add")
        context.update(
            quick_add_forms=quick_add.quick_add_forms(request.user),
            quick_add_url=reverse("admin:events_event_quick_add"),
            may_upload=may_upload,
            upload_accept=ACCEPT,
            upload_url=reverse("admin:events_event_upload_photos", args=[obj.pk]) if obj and may_upload else "",
            may_submit_after_save=permissions.can_submit(request.user, obj or Event()),
            show_save_and_add_another=False,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Read-only views of the editor's own fields (a user who may only look) ----------------------------------

    @admin.display(description=_("People"))
    def people(self, obj):
        return ", ".join(str(link.person) for link in obj.participant_links.select_related("person")) or "—"

    @admin.display(description=_("Press contacts"))
    def contacts(self, obj):
        return ", ".join(str(link.person) for link in obj.press_contact_links.select_related("person")) or "—"

    # List ----------------------------------------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return ReleaseChangeList

    def get_search_results(self, request, queryset, search_term):
        """Words as the public search matches them (stemmed, in each release's language, from its index), or a
        release's exact address slug or number."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = matching_words(queryset, term)
        if " " not in term:
            found = found | queryset.filter(slug=term.lower())
        if term.isdigit():
            found = found | queryset.filter(pk=int(term))
        return found, False

    @admin.display(description=_("title"), ordering="title")
    def title_cell(self, obj):
        return render_to_string("admin/events/event/_list_title.html", {"event": obj})

    @admin.display(description=_("date"), ordering="starts_at")
    def starts_cell(self, obj):
        return _list_time(obj.starts_at, with_time=not obj.all_day)

    @admin.display(description=_("publish at"), ordering="publish_at")
    def publish_cell(self, obj):
        return _list_time(obj.publish_at) if obj.publish_at else self.get_empty_value_display()

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="cso-status cso-status--{}">{}</span>',
            "scheduled" if obj.is_scheduled else obj.status,
            transitions.status_label(obj),
        )

    # Actions -------------------------------------------------------------------------------------------------

    def _bulk(self, request, queryset, transition, run):
        done, skipped = 0, 0
        for event in queryset:
            if not permissions.can_transition(request.user, event, transition):
                skipped += 1
                continue
            try:
                run(event)
            except ValidationError:
                skipped += 1
            else:
                done += 1
        if done:
            self.message_user(request, gettext("%(count)d release(s) done.") % {"count": done}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                gettext("%(count)d release(s) skipped: their status or your role does not allow it.")
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Submit selected for review"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, permissions.SUBMIT, lambda e: releases.event_submit(event=e, user=request.user))

    @admin.action(description=_("Publish selected now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, permissions.PUBLISH, lambda e: releases.event_publish(event=e, user=request.user))

    @admin.action(description=_("Schedule selected…"), permissions=["publish"])
    def schedule_selected(self, request, queryset):
        form = transitions.TransitionForm(permissions.SCHEDULE, data=request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            when = form.cleaned_data["publish_at"]
            self._bulk(
                request,
                queryset,
                permissions.SCHEDULE,
                lambda e: releases.event_schedule(event=e, user=request.user, publish_at=when),
            )
            return None
        return TemplateResponse(
            request,
            "admin/events/event/schedule_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Schedule releases"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "time_zone": timezone.get_current_timezone_name(),
            },
        )

    @admin.action(description=_("Translate (create a draft in the other language)"), permissions=["translate"])
    def translate_selected(self, request, queryset):
        created = []
        for event in queryset:
            if not permissions.can_translate(request.user, event):
                self.message_user(request, gettext("%(event)s: your role does not allow it.") % {"event": event})
                continue
            try:
                created.append(releases.event_translate(event=event, user=request.user))
            except ValidationError as exc:
                self.message_user(request, f"{event}: {' '.join(exc.messages)}", messages.WARNING)
        if len(created) == 1:
            return redirect(reverse("admin:events_event_change", args=[created[0].pk]))
        if created:
            self.message_user(request, gettext("%(count)d translation draft(s) created.") % {"count": len(created)})
        return None

    # URLs ----------------------------------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            def wrapper(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        editorial = [
            path("dashboard/", wrap(dashboard.dashboard_view), name="events_event_dashboard"),
            path("quick-add/", wrap(quick_add.quick_add_view), name="events_event_quick_add"),
            path("calendar/", wrap(calendar.calendar_view), name="events_event_calendar"),
            path(
                "calendar/<int:year>/<int:month>/",
                wrap(calendar.calendar_view),
                name="events_event_calendar_month",
            ),
            path(
                "<int:object_id>/transition/<slug:transition>/",
                wrap(transitions.transition_view),
                name="events_event_transition",
            ),
            path("<int:object_id>/preview/", wrap(preview.preview_view), name="events_event_preview"),
            path("<int:object_id>/translate/", wrap(translate.translate_view), name="events_event_translate"),
            path("<int:object_id>/history/compare/", wrap(history.compare_view), name="events_event_compare"),
            path(
                "<int:object_id>/history/<int:history_id>/revert/",
                wrap(history.revert_view),
                name="events_event_revert",
            ),
            path("<path:object_id>/photos/upload/", wrap(photos.upload_photos_view), name="events_event_upload_photos"),
            path("<path:object_id>/photos/states/", wrap(photos.photo_states_view), name="events_event_photo_states"),
            path(
                "<path:object_id>/photos/<int:attachment_id>/retry/",
                wrap(photos.retry_photo_view),
                name="events_event_photo_retry",
            ),
            path("<path:object_id>/photos/", wrap(photos.describe_photos_view), name="events_event_photos"),
            path("archive/", wrap(archive.archive_view), name="events_event_archive"),
            path(
                "archive/<int:job_id>/progress/",
                wrap(archive.archive_progress_view),
                name="events_event_archive_progress",
            ),
            path(
                "archive/<int:job_id>/download/",
                wrap(archive.archive_download_view),
                name="events_event_archive_download",
            ),
        ]
        return editorial + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            raise Http404 from None
        return history.history_view(self, request, pk)
