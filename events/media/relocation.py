"""Move release files stored before they became private (``attachments/…``, ``renditions/…``) under ``private/``.

Nothing depends on it for safety: the checked views serve a release's files by their recorded names wherever
they are, and ``MEDIA_URL`` serves only the public folders. Moving them lets the web server's configuration
stay one rule (everything under ``private/`` is internal). Files are copied first, the records (attachments and
deleted releases in the trash) are rewritten in one transaction, and the old copies are deleted only after it
commits. Running it again moves nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.files.storage import Storage, default_storage
from django.db import transaction

from ..models import Attachment, TrashedEventContent
from .photos import rendition_names
from .stored import delete_names

logger = logging.getLogger(__name__)
PRIVATE = "private/"


@dataclass
class Relocation:
    moved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def private_name(name: str) -> str:
    return name if name.startswith(PRIVATE) else PRIVATE + name


def _renamed_renditions(renditions: dict | None, mapping: dict[str, str]) -> dict:
    result = {}
    for key, value in (renditions or {}).items():
        if isinstance(value, dict):
            value = {k: mapping.get(v, v) if k in ("jpeg", "webp") else v for k, v in value.items()}
        result[key] = value
    return result


def _names_to_move() -> set[str]:
    names = set()
    for file_name, renditions in Attachment.objects.values_list("file", "renditions").iterator(chunk_size=2000):
        names |= {file_name, *rendition_names(renditions)}
    for items in TrashedEventContent.objects.values_list("attachments", flat=True):
        for item in items or []:
            fields = item.get("fields", {})
            names |= {fields.get("file") or "", *rendition_names(fields.get("renditions"))}
    return {name for name in names if name and not name.startswith(PRIVATE)}


def make_release_files_private(*, storage: Storage | None = None, dry_run: bool = False) -> Relocation:
    storage = storage or default_storage
    report = Relocation()
    mapping: dict[str, str] = {}
    for name in sorted(_names_to_move()):
        if not storage.exists(name):
            report.missing.append(name)
            continue
        target = private_name(name)
        if not dry_run and not storage.exists(target):
            with storage.open(name, "rb") as source:
                saved = storage.save(target, source)
            if saved != target:  # the storage chose another name: keep the file where it was
                storage.delete(saved)
                report.missing.append(name)
                continue
        mapping[name] = target
        report.moved.append(name)
    if dry_run or not mapping:
        return report
    with transaction.atomic():
        for attachment in Attachment.objects.select_for_update().only("pk", "file", "renditions"):
            file_name = mapping.get(attachment.file.name, attachment.file.name)
            renditions = _renamed_renditions(attachment.renditions, mapping)
            if file_name != attachment.file.name or renditions != attachment.renditions:
                # A queryset update: the stored file is already clean, it must not be processed again.
                Attachment.objects.filter(pk=attachment.pk).update(file=file_name, renditions=renditions)
        for trashed in TrashedEventContent.objects.select_for_update():
            items = []
            for item in trashed.attachments or []:
                fields = dict(item.get("fields", {}))
                if fields.get("file"):
                    fields["file"] = mapping.get(fields["file"], fields["file"])
                if fields.get("renditions"):
                    fields["renditions"] = _renamed_renditions(fields["renditions"], mapping)
                items.append({**item, "fields": fields})
            if items != trashed.attachments:
                TrashedEventContent.objects.filter(pk=trashed.pk).update(attachments=items)
        transaction.on_commit(lambda: delete_names(storage, mapping))
    return report
