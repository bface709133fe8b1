"""Keep the media storage and the database in agreement: no file without a record, no record without a file.

Files are removed only after the transaction that deleted their record commits (a rolled-back delete must
not lose a photo), and only when no other record still points at them: a translated release may share its
photos' stored files with the original, and a deleted release keeps its attachments' files in the trash (a
``TrashedEventContent`` row names them) until it is restored or purged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import partial

from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ArchiveJob, Attachment, Event, Organization, Person, SiteIdentity, TrashedEventContent
from .photos import attempt_names, rendition_names
from .stored import delete_names


def delete_when_unreferenced(names: Iterable[str], *, sha256: str = "", storage: Storage | None = None) -> None:
    """After the current transaction commits, delete those of ``names`` that no attachment refers to."""
    names = {name for name in names if name}
    if names:
        transaction.on_commit(partial(_delete_unreferenced, names, sha256, storage or default_storage))


def _delete_unreferenced(names: set[str], sha256: str, storage: Storage) -> None:
    # Rows sharing a file are copies (translations); only they can hold the same rendition names.
    sharing = Q(file__in=names) | Q(sha256=sha256) if sha256 else Q(file__in=names)
    still_used = set()
    for file_name, renditions in Attachment.objects.filter(sharing).values_list("file", "renditions"):
        still_used.add(file_name)
        still_used |= rendition_names(renditions)
    delete_names(storage, names - still_used - trashed_names())


def trashed_names() -> set[str]:
    """Every stored name held by a deleted event in the trash (a few rows: one per deletion in the period)."""
    names = set()
    for attachments in TrashedEventContent.objects.values_list("attachments", flat=True).iterator(chunk_size=200):
        for item in attachments or []:
            fields = item.get("fields", {})
            if fields.get("file"):
                names.add(fields["file"])
            names |= rendition_names(fields.get("renditions"))
    return names


def referenced_names() -> set[str]:
    """Every stored name any attachment, portrait, logo (the site's too), or deleted event in the trash refers to."""
    names = trashed_names()
    names |= set(Person.objects.exclude(photo="").values_list("photo", flat=True))
    names |= set(Organization.objects.exclude(logo="").values_list("logo", flat=True))
    names |= set(SiteIdentity.objects.exclude(logo="").values_list("logo", flat=True))
    # Backup archives made by the admin's Archive page (private/archives/) are kept as long as their job.
    names |= set(ArchiveJob.objects.exclude(file_name="").values_list("file_name", flat=True))
    for file_name, renditions in Attachment.objects.values_list("file", "renditions").iterator(chunk_size=2000):
        if file_name:
            names.add(file_name)
        names |= rendition_names(renditions)
    # A photo still processing: what its task is writing (or a killed attempt wrote) is its, not an orphan.
    processing = Attachment.objects.filter(state=Attachment.State.PROCESSING).exclude(file="")
    for file_name in processing.values_list("file", flat=True).iterator(chunk_size=2000):
        names |= attempt_names(file_name)
    return names


KITS_FOLDER = "private/kits/"
_KIT_NAME = re.compile(r"private/kits/(\d+)/[0-9a-f]{64}\.zip")


def is_kit_name(name: str) -> bool:
    return _KIT_NAME.fullmatch(name) is not None


def kit_names_in_use(storage: Storage) -> set[str]:
    """The press kits (media.kits) of releases that exist: each build deletes its release's older kits, so
    the sweep takes only those of deleted releases (and builds that never finished). Kits are made from
    the photos, so they are not part of what ``referenced_names`` lists (the archive does not carry them)."""
    kits = [
        (name, int(match[1])) for name in walk(storage, KITS_FOLDER.rstrip("/")) if (match := _KIT_NAME.fullmatch(name))
    ]
    existing = set(Event.objects.filter(pk__in={pk for _name, pk in kits}).values_list("pk", flat=True))
    return {name for name, pk in kits if pk in existing}


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under ``folder``, through the storage API (works for S3 too)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for file_name in files:
        yield f"{folder}/{file_name}" if folder else file_name
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}" if folder else directory)


def find_orphans(
    storage: Storage | None = None, *, folders: Iterable[str] = ("",), older_than: timedelta | None = None
) -> list[str]:
    """Stored files no record refers to, oldest rule applied so that uploads in progress are left alone."""
    storage = storage or default_storage
    used = referenced_names() | kit_names_in_use(storage)
    cutoff: datetime | None = timezone.now() - older_than if older_than else None
    orphans = []
    for folder in folders:
        for name in walk(storage, folder):
            if name in used:
                continue
            if cutoff is not None and storage.get_modified_time(name) > cutoff:
                continue
            orphans.append(name)
    return sorted(orphans)
