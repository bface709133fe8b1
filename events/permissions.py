"""Who may do what to a release. Every admin view and action asks here; the services trust their callers.

The roles are groups (see migration 0003_roles) holding model permissions plus the custom ones on Event:
``review_event``, ``publish_event``, ``withdraw_event`` and ``force_publish_event``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .models import Event

ROLE_AUTHOR = "Author"
ROLE_EDITOR = "Editor"
ROLE_PHOTO_AND_CONTACTS = "Photo and contacts staff"
ROLE_ADMINISTRATOR = "Administrator"
ROLES = [ROLE_AUTHOR, ROLE_EDITOR, ROLE_PHOTO_AND_CONTACTS, ROLE_ADMINISTRATOR]

# Transition names as they appear in admin URLs and buttons.
SUBMIT = "submit"
PUBLISH = "publish"
FORCE_PUBLISH = "force_publish"
SCHEDULE = "schedule"
REJECT = "reject"
WITHDRAW = "withdraw"
REPUBLISH = "republish"
TRANSITIONS = [SUBMIT, PUBLISH, FORCE_PUBLISH, SCHEDULE, REJECT, WITHDRAW, REPUBLISH]


def _has(user: AbstractBaseUser, codename: str) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(f"events.{codename}"))


def is_editor(user: AbstractBaseUser) -> bool:
    return _has(user, "publish_event")


def can_view(user: AbstractBaseUser, event: Event | None = None) -> bool:
    return _has(user, "view_event")


# What a write touches -> the model permission it needs on top of the release's own rule.
PART_PERMISSIONS = {
    "event": "change_event",
    "people": "change_event",
    "attachment": "change_attachment",
    "attachment_add": "add_attachment",
    "attachment_delete": "delete_attachment",
}


def can_change_release(user: AbstractBaseUser, event: Event | None, *, part: str = "event") -> bool:
    """The one rule for every write to a release and what hangs off it (photos, documents, people, contacts).

    ``part`` names what is written (see ``PART_PERMISSIONS``): the user needs that model permission, and,
    once the release has left the draft stage (in review, scheduled, published, withdrawn), also the
    editor's ``publish_event``. So an author or the photo staff work on drafts; what a reviewer has seen or
    the public can see changes only by an editor's hand. ``event=None`` means a release not created yet.
    """
    codename = PART_PERMISSIONS[part]
    if not _has(user, codename):
        return False
    if event is None or event.pk is None or event.status == event.Status.DRAFT:
        return True
    return is_editor(user)


def can_edit(user: AbstractBaseUser, event: Event | None = None) -> bool:
    """Authors edit drafts; once a release is in review or out, only editors may change it."""
    return can_change_release(user, event, part="event")


def can_submit(user: AbstractBaseUser, event: Event) -> bool:
    return event.status == event.Status.DRAFT and _has(user, "change_event")


def is_second_pair_of_eyes(user: AbstractBaseUser, event: Event) -> bool:
    """Not your own release: the one who publishes or schedules it is not the one who submitted it."""
    return event.submitted_by_id is None or event.submitted_by_id != user.pk


def can_publish(user: AbstractBaseUser, event: Event) -> bool:
    """Publishing needs someone other than the submitter; see :func:`can_force_publish` for the exception."""
    return (
        event.status == event.Status.IN_REVIEW and _has(user, "publish_event") and is_second_pair_of_eyes(user, event)
    )


def can_force_publish(user: AbstractBaseUser, event: Event) -> bool:
    return event.status == event.Status.IN_REVIEW and _has(user, "publish_event") and _has(user, "force_publish_event")


def can_schedule(user: AbstractBaseUser, event: Event) -> bool:
    """Schedule a reviewed release, or move the time of one that is scheduled but not yet out."""
    if event.is_scheduled:
        return _has(user, "publish_event")
    return can_publish(user, event)


def can_reject(user: AbstractBaseUser, event: Event) -> bool:
    return event.status == event.Status.IN_REVIEW and _has(user, "review_event")


def can_withdraw(user: AbstractBaseUser, event: Event) -> bool:
    return event.status == event.Status.PUBLISHED and _has(user, "withdraw_event")


def can_republish(user: AbstractBaseUser, event: Event) -> bool:
    return event.status == event.Status.WITHDRAWN and _has(user, "publish_event")


def can_translate(user: AbstractBaseUser, event: Event) -> bool:
    """A translation is a new draft: whoever may start a release may start one from any release they see."""
    return _has(user, "add_event") and can_view(user, event) and can_change_release(user, None)


def can_revert(user: AbstractBaseUser, event: Event) -> bool:
    return can_change_release(user, event, part="event")


def can_restore(user: AbstractBaseUser) -> bool:
    """Bringing a deleted release back is an editor's call: it may have been deleted because it leaked."""
    return is_editor(user) and _has(user, "add_event")


def can_preview(user: AbstractBaseUser, event: Event) -> bool:
    return can_view(user, event)


def can_manage_embargo(user: AbstractBaseUser, event: Event | None = None) -> bool:
    return _has(user, "publish_event") and _has(user, "add_embargolink")


CHECKS = {
    SUBMIT: can_submit,
    PUBLISH: can_publish,
    FORCE_PUBLISH: can_force_publish,
    SCHEDULE: can_schedule,
    REJECT: can_reject,
    WITHDRAW: can_withdraw,
    REPUBLISH: can_republish,
}


def can_transition(user: AbstractBaseUser, event: Event, transition: str) -> bool:
    check = CHECKS.get(transition)
    return bool(check and check(user, event))


def allowed_transitions(user: AbstractBaseUser, event: Event) -> list[str]:
    return [name for name in TRANSITIONS if can_transition(user, event, name)]
