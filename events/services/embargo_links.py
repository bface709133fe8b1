"""Signed links that show a release to a journalist before it is public: made and revoked here, audited.

The token itself is read by ``events.embargo``.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import EmbargoLink, Event

Status = Event.Status


@transaction.atomic
def embargo_link_create(*, event: Event, user: AbstractBaseUser, expires_at: datetime, label: str = "") -> EmbargoLink:
    if event.status == Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn release cannot be shared under embargo."))
    link = EmbargoLink(event=event, label=label.strip(), expires_at=expires_at, created_by=user)
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The link must expire in the future.")})
    link.full_clean()
    link.save()
    audit_log(
        action="events.embargo_link.created",
        actor=user,
        event=event,
        note=link.label,
        data={"link": link.pk, "expires_at": expires_at.isoformat()},
    )
    return link


@transaction.atomic
def embargo_link_revoke(*, link: EmbargoLink, user: AbstractBaseUser) -> EmbargoLink:
    link = EmbargoLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_log(
            action="events.embargo_link.revoked",
            actor=user,
            event=link.event,
            note=link.label,
            data={"link": link.pk},
        )
    return link
