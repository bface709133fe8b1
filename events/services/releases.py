"""Every editorial write to a release: saving, the workflow transitions, translations, reverts, the cover.

Each function is keyword-only, validates with ``full_clean()``, runs in one transaction, moves the
optimistic-locking ``version`` on, and writes an :class:`AuditLogEntry`. Permission checks belong to the
caller (see ``events.permissions``); the rules that hold whoever calls (which status a transition starts
from, the second pair of eyes, required notes) are enforced here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..audit import audit_log
from ..models import (
    Attachment,
    Event,
    EventParticipant,
    EventPressContact,
    Language,
)
from ..models.event import EDITORIAL_FIELDS
from ..models.slugs import unique_slug
from ..selectors.releases import has_been_public
from . import outbox, trash

Status = Event.Status

# Fields a revert copies back from a revision: the editorial ones a revision row holds (not the many-to-many
# organisations) except the language, which the translation key pins; workflow and bookkeeping stay as now.
REVERTIBLE_FIELDS = [
    Event._meta.get_field(name).attname for name in EDITORIAL_FIELDS if name not in ("language", "organizations")
]
# What a translation copies as it is: a new slug and language, and its own copies of the cover and the
# organisations, are made below.
TRANSLATED_AS_IS = [name for name in EDITORIAL_FIELDS if name not in ("slug", "language", "organizations", "cover")]


class EditConflict(Exception):
    """Someone saved the release after this editor opened it."""

    def __init__(self, event: Event, expected_version: int) -> None:
        super().__init__(f"Event {event.pk} is at a newer version than {expected_version}.")
        self.event = event
        self.expected_version = expected_version


def _locked(event: Event) -> Event:
    """The stored row, locked until the transaction ends, so two transitions cannot interleave."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _require_status(event: Event, *allowed: str) -> None:
    if event.status not in allowed:
        raise ValidationError(
            _("This is not possible while the release is “%(status)s”.") % {"status": event.get_status_display()}
        )


def _store(event: Event, *, user: AbstractBaseUser, reason: str, expected_version: int | None = None) -> None:
    """Validate and save, moving the version on with ``UPDATE … WHERE version = n`` so no edit is lost."""
    if event.pk is not None:
        expected = event.version if expected_version is None else expected_version
        moved = Event.objects.filter(pk=event.pk, version=expected).update(version=expected + 1)
        if not moved:
            raise EditConflict(event, expected)
        event.version = expected + 1
    event.updated_by = user
    event.full_clean()
    event._change_reason = reason[:100]
    event.save()


def _transition(
    event: Event,
    *,
    user: AbstractBaseUser,
    action: str,
    from_status: str,
    note: str = "",
    reason: str,
    data: dict[str, Any] | None = None,
) -> Event:
    _store(event, user=user, reason=reason)
    audit_log(
        action=action,
        actor=user,
        event=event,
        from_status=from_status,
        to_status=event.status,
        note=note,
        data=data,
    )
    return event


@transaction.atomic
def event_save(
    *,
    event: Event,
    user: AbstractBaseUser,
    expected_version: int | None = None,
    change_note: str = "",
    minor_change: bool = False,
    notify_subscribers: bool = False,
) -> Event:
    """Create or update a release from the edit form.

    Once a release has been public, every change carries either a change note, which the public page
    shows as "Updated <date>: <note>", or the "minor change" mark, which shows nothing. With
    ``notify_subscribers`` a noted change to a public release is announced to its readers (``outbox``).
    """
    created = event.pk is None
    change_note = change_note.strip()
    if created:
        event.created_by = user
        _store(event, user=user, reason=_("Created"))
        audit_log(action="events.event.created", actor=user, event=event, to_status=event.status)
        return event

    _note_public_change(event, change_note=change_note, minor_change=minor_change)
    reason = change_note or (_("Minor change") if minor_change else "")
    _store(event, user=user, reason=reason, expected_version=expected_version)
    audit_log(
        action="events.event.changed",
        actor=user,
        event=event,
        from_status=event.status,
        to_status=event.status,
        note=change_note,
        data={"minor": bool(minor_change), "version": event.version},
    )
    if notify_subscribers and change_note and not minor_change and event.is_public:
        outbox.announce_correction_after_commit(event.pk, version=event.version, note=change_note[:300])
    return event


@transaction.atomic
def event_apply_default_contacts(*, event: Event) -> int:
    """Give a new release its section's default press contacts, after any the author chose."""
    present = set(event.press_contact_links.values_list("person_id", flat=True))
    position = len(present)
    added = 0
    for person in event.section.default_press_contacts.filter(is_press_contact=True).order_by("sort_name", "pk"):
        if person.pk in present:
            continue
        EventPressContact.objects.create(event=event, person=person, position=position)
        position += 1
        added += 1
    return added


@transaction.atomic
def event_submit(*, event: Event, user: AbstractBaseUser, note: str = "") -> Event:
    event = _locked(event)
    _require_status(event, Status.DRAFT)
    event.status = Status.IN_REVIEW
    event.submitted_by = user
    return _transition(
        event,
        user=user,
        action="events.event.submitted",
        from_status=Status.DRAFT,
        note=note,
        reason=_("Submitted for review"),
    )


def _go_public(event: Event, *, publish_at: datetime) -> None:
    event.status = Status.PUBLISHED
    event.publish_at = publish_at
    if event.first_published_at is None:
        event.first_published_at = publish_at


@transaction.atomic
def event_publish(*, event: Event, user: AbstractBaseUser, force_reason: str = "") -> Event:
    """Publish now. The submitter may not publish their own release unless they give a written reason."""
    event = _locked(event)
    _require_status(event, Status.IN_REVIEW)
    force_reason = force_reason.strip()
    own = not permissions.is_second_pair_of_eyes(user, event)
    if own and not force_reason:
        raise ValidationError(
            _("You submitted this release, so another editor must publish it, or you must give a reason.")
        )
    _go_public(event, publish_at=timezone.now())
    outbox.announce_public_after_commit(event.pk)
    if force_reason:
        return _transition(
            event,
            user=user,
            action="events.event.force_published",
            from_status=Status.IN_REVIEW,
            note=force_reason,
            reason=_("Force published: %(reason)s") % {"reason": force_reason},
        )
    return _transition(
        event, user=user, action="events.event.published", from_status=Status.IN_REVIEW, reason=_("Published")
    )


@transaction.atomic
def event_schedule(*, event: Event, user: AbstractBaseUser, publish_at: datetime) -> Event:
    """Publish at a future moment; visibility is decided at query time, so no job has to run then."""
    event = _locked(event)
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": _("Choose a moment in the future, or publish now.")})
    from_status = event.status
    if event.is_scheduled:
        event.publish_at = publish_at
        event.first_published_at = publish_at
    else:
        _require_status(event, Status.IN_REVIEW)
        if not permissions.is_second_pair_of_eyes(user, event):
            raise ValidationError(_("You submitted this release, so another editor must schedule it."))
        _go_public(event, publish_at=publish_at)
    return _transition(
        event,
        user=user,
        action="events.event.scheduled",
        from_status=from_status,
        reason=_("Scheduled for %(when)s") % {"when": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M %Z")},
        data={"publish_at": publish_at.isoformat()},
    )


@transaction.atomic
def event_reject(*, event: Event, user: AbstractBaseUser, note: str) -> Event:
    event = _locked(event)
    _require_status(event, Status.IN_REVIEW)
    if not note.strip():
        raise ValidationError({"note": _("Tell the author what to change.")})
    event.status = Status.DRAFT
    return _transition(
        event,
        user=user,
        action="events.event.rejected",
        from_status=Status.IN_REVIEW,
        note=note.strip(),
        reason=_("Sent back to the author"),
    )


@transaction.atomic
def event_withdraw(*, event: Event, user: AbstractBaseUser, reason: str) -> Event:
    """Take a release out of lists, feeds and search; its page stays, with the public reason."""
    event = _locked(event)
    _require_status(event, Status.PUBLISHED)
    if not reason.strip():
        raise ValidationError({"reason": _("Readers will see this reason; it cannot be empty.")})
    now = timezone.now()
    if not has_been_public(event, now):
        # Never seen by the public: it must not gain a withdrawn page either.
        event.first_published_at = None
    event.status = Status.WITHDRAWN
    event.withdrawn_at = now
    event.withdrawal_reason = reason.strip()
    return _transition(
        event,
        user=user,
        action="events.event.withdrawn",
        from_status=Status.PUBLISHED,
        note=event.withdrawal_reason,
        reason=_("Withdrawn"),
    )


@transaction.atomic
def event_republish(*, event: Event, user: AbstractBaseUser, note: str = "") -> Event:
    event = _locked(event)
    _require_status(event, Status.WITHDRAWN)
    now = timezone.now()
    event.status = Status.PUBLISHED
    if event.publish_at is None or event.publish_at > now:
        event.publish_at = now
    if event.first_published_at is None:
        event.first_published_at = event.publish_at
    event.withdrawn_at = None
    event.withdrawal_reason = ""
    outbox.announce_public_after_commit(event.pk)
    return _transition(
        event,
        user=user,
        action="events.event.republished",
        from_status=Status.WITHDRAWN,
        note=note.strip(),
        reason=_("Published again"),
    )


def _note_public_change(event: Event, *, change_note: str, minor_change: bool) -> None:
    """After first publication a change carries a note (the public "Updated" line) or the minor-change mark."""
    if not has_been_public(event):
        return
    if not change_note and not minor_change:
        raise ValidationError(
            {"change_note": _("This release has been published: describe the change, or mark it as minor.")}
        )
    if change_note and not minor_change:
        event.public_updated_at = timezone.now()
        event.public_update_note = change_note[:300]


@transaction.atomic
def event_revert(
    *,
    event: Event,
    user: AbstractBaseUser,
    history_id: int,
    change_note: str = "",
    minor_change: bool = False,
) -> Event:
    """Bring back the text and details of an earlier revision as a new revision; the workflow state stays.

    A revert is an edit like any other: on a release that has been public it needs a change note (shown as
    "Updated <date>: <note>") or the minor-change mark.
    """
    event = _locked(event)
    record = event.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError(_("That revision does not belong to this release."))
    change_note = change_note.strip()
    _note_public_change(event, change_note=change_note, minor_change=minor_change)
    for name in REVERTIBLE_FIELDS:
        setattr(event, name, getattr(record, name))
    if event.cover_id and not Attachment.objects.filter(pk=event.cover_id, event=event).exists():
        event.cover_id = None
    reason = _("Reverted to version %(version)s") % {"version": record.version}
    return _transition(
        event,
        user=user,
        action="events.event.reverted",
        from_status=event.status,
        note=change_note,
        reason=f"{reason}: {change_note}" if change_note else reason,
        data={
            "history_id": record.history_id,
            "version": record.version,
            "minor": bool(minor_change),
        },
    )


@transaction.atomic
def event_set_cover(*, event: Event, user: AbstractBaseUser, cover: Attachment | None) -> Event:
    """Choose the release's cover photo (one of its own photos) as a new revision in its history."""
    event = _locked(event)
    if cover is not None and (cover.event_id != event.pk or cover.kind != Attachment.Kind.PHOTO):
        raise ValidationError({"cover": _("The cover must be one of this release's own photos.")})
    new_id = cover.pk if cover is not None else None
    if event.cover_id == new_id:
        return event
    old_id = event.cover_id
    event.cover_id = new_id
    _store(event, user=user, reason=_("Cover photo changed"))
    audit_log(
        action="events.event.cover_changed",
        actor=user,
        event=event,
        from_status=event.status,
        to_status=event.status,
        data={"from": old_id, "to": new_id, "version": event.version},
    )
    return event


@transaction.atomic
def event_delete(*, event: Event, user: AbstractBaseUser) -> None:
    """Delete a release; it stays restorable from "Recently deleted" (see ``events.services.trash``)."""
    event = _locked(event)
    audit_log(
        action="events.event.deleted",
        actor=user,
        object_repr=str(event),
        from_status=event.status,
        data={"event": event.pk, "version": event.version},
    )
    event._change_reason = _("Deleted")
    # The trash: what hangs off the release is read before the delete cascades to it, and filed under the
    # deletion record django-simple-history writes during the delete.
    event_id, captured = event.pk, trash.capture(event)
    event.delete()
    trash.keep(event_id=event_id, captured=captured)


def _free_slug(base: str, language: str) -> str:
    """``base`` by the slug rule, numbered when another release in ``language`` has it (an old slug longer than
    the rule allows gives a translation a short one)."""
    return unique_slug(base, lambda slug: Event.objects.filter(language=language, slug=slug).exists())


@transaction.atomic
def event_translate(*, event: Event, user: AbstractBaseUser, language: str | None = None) -> Event:
    """A linked draft in the other language: same section, dates, people, contacts and photos."""
    if language is None:
        language = Language.RU if event.language == Language.EN else Language.EN
    if language == event.language or language not in Language.values:
        raise ValidationError(_("Choose another language than the release's own."))
    if Event.objects.filter(translation_key=event.translation_key, language=language).exists():
        raise ValidationError(_("This release already has a version in that language."))

    copy = Event(
        **{name: getattr(event, name) for name in TRANSLATED_AS_IS},
        slug=_free_slug(event.slug, language),
        language=language,
        translation_key=event.translation_key,
        status=Status.DRAFT,
        created_by=user,
    )
    _store(copy, user=user, reason=_("Translation of #%(pk)s") % {"pk": event.pk})
    copy.organizations.set(event.organizations.all())
    EventParticipant.objects.bulk_create(
        EventParticipant(event=copy, person_id=link.person_id, position=link.position)
        for link in event.participant_links.all()
    )
    EventPressContact.objects.bulk_create(
        EventPressContact(event=copy, person_id=link.person_id, position=link.position)
        for link in event.press_contact_links.all()
    )
    cover = None
    for attachment in event.attachments.all():
        source_pk = attachment.pk
        # The new row points at the same stored file; the checksum is kept, so nothing is re-read.
        attachment.pk = None
        attachment.id = None
        attachment._state.adding = True
        attachment.event = copy
        attachment.save()
        if source_pk == event.cover_id:
            cover = attachment
    if cover is not None:
        copy.cover = cover
        copy._change_reason = ""
        copy.save_without_historical_record()
    audit_log(
        action="events.event.translated",
        actor=user,
        event=copy,
        to_status=copy.status,
        data={"source": event.pk, "language": language},
    )
    return copy
