"""The trash's writes: what a deleted release held is kept, restored with it, and purged after the trash period.

Deleting a release leaves its django-simple-history rows behind, the last one marked "-" (deleted). That
last record holds every field of the release, so restoring means saving it again. A restored release comes
back as a draft: something deleted on purpose (perhaps because it leaked) must not reappear in public by one
click. ``manage.py purge_trash`` forgets entries older than the trash period and deletes their files.

Deleting an event deletes its attachment rows and its links (the database cascades), but not their files: a
:class:`TrashedEventContent` row, written in the same transaction, records every attachment's field values
(stored file names, SHA-256 and renditions included) and the links, and the file clean-up that runs after
the commit counts the names it holds as still in use. Restoring puts the rows back, pointing at the same
files; ``purge_trash`` drops rows whose deletion has left the trash period, and with them the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core import serializers
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import Attachment, Event, EventParticipant, EventPressContact, Organization, Person, TrashedEventContent
from ..selectors.trash import deleted_events, expired


@dataclass(frozen=True)
class RestoredContents:
    attachments: int = 0
    people: int = 0
    people_skipped: int = 0
    organizations: int = 0
    organizations_skipped: int = 0

    def as_audit_data(self) -> dict[str, int]:
        return {
            "attachments": self.attachments,
            "people": self.people,
            "people_skipped": self.people_skipped,
            "organizations": self.organizations,
            "organizations_skipped": self.organizations_skipped,
        }


def capture(event: Event) -> dict:
    """What hangs off ``event``, read before the delete cascades (by ``services.releases.event_delete``)."""
    return {
        "attachments": serializers.serialize("python", Attachment.objects.filter(event=event).order_by("pk")),
        "cover_id": event.cover_id,
        "participants": _links(EventParticipant, event),
        "press_contacts": _links(EventPressContact, event),
        "organizations": sorted(event.organizations.values_list("pk", flat=True)),
    }


def _links(through, event: Event) -> list[list[int]]:
    return [list(row) for row in through.objects.filter(event=event).values_list("person_id", "position")]


def keep(*, event_id: int, captured: dict | None) -> TrashedEventContent | None:
    """File ``captured`` under the deletion record the delete just wrote (``services.releases.event_delete``).

    Without a deletion record (history switched off) the event cannot be restored, and nothing is kept: the
    attachments' files then go as they always did.
    """
    if captured is None:
        return None
    record = Event.history.filter(id=event_id, history_type="-").order_by("-history_id").first()
    if record is None:
        return None
    for item in captured["attachments"]:
        item["fields"].pop("event", None)
    return TrashedEventContent.objects.create(
        history_id=record.history_id, deleted_event_id=event_id, deleted_at=record.history_date, **captured
    )


@transaction.atomic
def event_restore(*, history_id: int, user: AbstractBaseUser) -> tuple[Event, RestoredContents]:
    """Save the deleted event again as a draft, with the photos, documents and links it had."""
    record = deleted_events().filter(history_id=history_id).first()
    if record is None:
        raise Http404(_("This deleted event is no longer in the trash."))
    event = record.instance
    event.status = Event.Status.DRAFT
    event.publish_at = None
    # Rows the event pointed at may have gone with it (its cover photo, put back by restore_contents below)
    # or since (a user).
    for field in Event._meta.concrete_fields:
        if field.is_relation and field.null and getattr(event, field.attname) is not None:
            if not field.related_model._default_manager.filter(pk=getattr(event, field.attname)).exists():
                setattr(event, field.attname, None)
    event.updated_by = user
    event.full_clean(validate_unique=True)
    event.save(force_insert=True)
    contents = restore_contents(event=event, history_id=record.history_id)
    audit_log(
        action="events.event.restored",
        actor=user,
        event=event,
        to_status=event.status,
        data={
            "history_id": record.history_id,
            "deleted_at": record.history_date.isoformat(),
            **contents.as_audit_data(),
        },
    )
    return event, contents


def restore_contents(*, event: Event, history_id: int) -> RestoredContents:
    """Put back what ``event`` held when the deletion ``history_id`` happened; the event is saved already.

    Attachments come back with their ids (their files never moved), people and organisations only if they
    still exist; press contacts only if still marked as such. The kept row is consumed.
    """
    trashed = TrashedEventContent.objects.select_for_update().filter(history_id=history_id).first()
    if trashed is None:
        return RestoredContents()
    new_ids = _restore_attachments(event, trashed.attachments)
    cover = new_ids.get(trashed.cover_id)
    if cover is not None:
        # A plain update: the cover is part of the restore, not a separate edit worth a history entry.
        Event.objects.filter(pk=event.pk).update(cover_id=cover)
        event.cover_id = cover
    people, people_skipped = _restore_links(EventParticipant, event, trashed.participants)
    contacts, contacts_skipped = _restore_links(EventPressContact, event, trashed.press_contacts, is_press_contact=True)
    existing = list(Organization.objects.filter(pk__in=trashed.organizations).values_list("pk", flat=True))
    if existing:
        event.organizations.add(*existing)
    trashed.delete()
    return RestoredContents(
        attachments=len(new_ids),
        people=people + contacts,
        people_skipped=people_skipped + contacts_skipped,
        organizations=len(existing),
        organizations_skipped=len(set(trashed.organizations)) - len(existing),
    )


def _restore_attachments(event: Event, kept: list[dict]) -> dict[int, int]:
    """Recreate the attachment rows; returns {old id: new id} (the same id unless it was taken since)."""
    new_ids = {}
    taken = set(Attachment.objects.filter(pk__in=[item["pk"] for item in kept]).values_list("pk", flat=True))
    for item in serializers.deserialize("python", kept, ignorenonexistent=True):
        attachment = item.object
        old_id = attachment.pk
        attachment.event = event
        if old_id in taken:
            attachment.pk = None
        created_at = attachment.created_at
        # The stored names are committed files, so save() neither reprocesses them nor reads them again.
        attachment.save(force_insert=True)
        if created_at:
            Attachment.objects.filter(pk=attachment.pk).update(created_at=created_at)
        new_ids[old_id] = attachment.pk
    return new_ids


def _restore_links(through, event: Event, kept: list[list[int]], **person_filter) -> tuple[int, int]:
    existing = set(Person.objects.filter(pk__in=[pk for pk, _ in kept], **person_filter).values_list("pk", flat=True))
    links = [through(event=event, person_id=pk, position=position) for pk, position in kept if pk in existing]
    through.objects.bulk_create(links)
    return len(links), len(kept) - len(links)


@transaction.atomic
def purge_trash(*, now: datetime | None = None) -> tuple[int, int]:
    """Forget expired trash entries. Their files are deleted after the commit (by the post_delete receiver in
    ``signals``) unless something else still uses them: a translation's copy, another trash entry.
    Returns (entries, attachments)."""
    entries = attachments = 0
    for trashed in expired(now).select_for_update().order_by("pk"):
        attachments += len(trashed.attachments)
        trashed.delete()
        entries += 1
    return entries, attachments
