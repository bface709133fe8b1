"""Writes to a release's photos and documents after upload: their description, their removal.

Uploads are ``events.media.services.attachments_upload``; the cover photo is part of the release and changes
through ``events.services.releases.event_set_cover``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..audit import audit_log
from ..models import Attachment
from .releases import event_set_cover

# What the describe page and the attachment admin may change; the file, its kind and its release never change.
ATTACHMENT_DESCRIPTION_FIELDS = ["position", "title", "caption", "alt_text", "credit", "taken_at"]


@transaction.atomic
def attachment_describe(*, attachment: Attachment, user: AbstractBaseUser, values: dict[str, Any]) -> Attachment:
    """Change what readers see of a photo or document: caption, credit, alt text, title, date and order."""
    unknown = set(values) - set(ATTACHMENT_DESCRIPTION_FIELDS)
    if unknown:
        raise ValueError(f"Not describable: {sorted(unknown)}")
    stored = Attachment.objects.select_for_update().select_related("event").get(pk=attachment.pk)
    changed = sorted(name for name, value in values.items() if getattr(stored, name) != value)
    if not changed:
        return stored
    before = {name: str(getattr(stored, name) or "") for name in changed}
    for name in changed:
        setattr(stored, name, values[name])
    stored.full_clean(exclude=["file"])
    stored.save(update_fields=changed)
    audit_log(
        action="events.attachment.changed",
        actor=user,
        event=stored.event,
        object_repr=str(stored),
        data={"attachment": stored.pk, "fields": changed, "before": before},
    )
    return stored


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user: AbstractBaseUser) -> None:
    """Remove a photo or document from its release; a cover photo leaves the release through its history."""
    stored = Attachment.objects.select_for_update().select_related("event").get(pk=attachment.pk)
    event = stored.event
    if event.cover_id == stored.pk:
        event_set_cover(event=event, user=user, cover=None)
    audit_log(
        action="events.attachment.deleted",
        actor=user,
        event=event,
        object_repr=str(stored),
        data={"attachment": stored.pk, "original_name": stored.original_name, "sha256": stored.sha256},
    )
    stored.delete()
