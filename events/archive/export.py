"""Write a backup archive a row and a chunk at a time: memory stays the same whatever the size of the site.

Rows are read in chunks from the database (a server-side cursor on PostgreSQL) and written as JSON lines
straight into the zip member of their table; files are copied from storage (disk or bucket, through the
storage API) into the zip in 1 MB chunks. What grows with the site is only the zip's own directory and the
manifest, a few hundred bytes per member (one per table and one per file), never per row.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django
from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.storage import Storage
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connection, models, transaction
from django.utils import timezone

from ..media.backends import STORAGE_ERRORS
from ..media.photos import rendition_names
from ..models import Attachment, Event, TrashedEventContent
from .common import (
    CHUNK,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MAX_NAMED,
    MEDIA_PREFIX,
    ArchiveError,
    ArchiveSummary,
    FullPrecisionEncoder,
    ProgressCallback,
    Reporter,
    archived_models,
    named,
    rows_member,
)

ROW_CHUNK = 2000


class _HashingWriter:
    """A text stream into a zip member that keeps the SHA-256 of the bytes it wrote."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode()
        self.digest.update(data)
        self.raw.write(data)
        return len(text)


class _LineWriter(PythonSerializer):
    """Django's serializer, writing each row as one JSON line as soon as it is read (the stock one keeps them
    all in a list until the end)."""

    def __init__(self, reporter: Reporter):
        super().__init__()
        self.reporter = reporter
        self.rows_written = 0

    def end_object(self, obj):
        line = json.dumps(self.get_dump_object(obj), cls=FullPrecisionEncoder, ensure_ascii=False)
        self.stream.write(line + "\n")
        self._current = None
        self.rows_written += 1
        self.reporter.progress.rows_done += 1
        self.reporter.report()


def rows_of(model: type[models.Model]) -> models.QuerySet:
    """All rows (the base manager: a default manager might hide some), read in chunks, not all at once."""
    queryset = model._base_manager.order_by("pk")
    # Rows name users, groups and content types by natural key: fetch those with the row, not one query each.
    natural = [
        f.name
        for f in model._meta.concrete_fields
        if (f.many_to_one or f.one_to_one) and hasattr(f.related_model, "natural_key") and f.related_model is not model
    ]
    if natural:
        queryset = queryset.select_related(*natural)
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset


# --- which files ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileReference:
    """A stored file and the row that names it (for the message when storage lacks it)."""

    name: str
    storage: Storage
    model: type[models.Model]
    pk: object = None
    event_id: int | None = None

    def describe(self) -> str:
        """Which row names the file, and which release it belongs to (looked up only for a missing file)."""
        model, pk, event_id = self.model, self.pk, self.event_id
        if pk is None:  # a file field's distinct value: find one row that names it
            fields = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)}
            matches = models.Q()
            for attname in fields:
                matches |= models.Q(**{attname: self.name})
            row = model._base_manager.filter(matches).order_by("pk").first()
            pk = row.pk if row else "?"
            event_id = getattr(row, "event_id", None) if row else None
        text = f"{model._meta.verbose_name} #{pk}"
        if event_id is not None:
            title = Event._base_manager.filter(pk=event_id).values_list("title", flat=True).first()
            text += f" of release #{event_id}" + (f" “{title}”" if title else " (deleted)")
        return text


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in archived_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field


def _names_of(model: type[models.Model], model_field: models.FileField) -> models.QuerySet:
    attname = model_field.attname
    return (
        model._base_manager.exclude(**{attname: ""})
        .exclude(**{f"{attname}__isnull": True})
        .order_by(attname)
        .values_list(attname, flat=True)
        .distinct()
    )


def _trashed_names(item) -> set[str]:
    """The file and renditions of one attachment of a deleted release (kept as field values in the trash)."""
    fields = item.get("fields", {}) if isinstance(item, dict) else {}
    names = {fields["file"]} if fields.get("file") else set()
    return names | rendition_names(fields.get("renditions"))


def file_references() -> Iterator[FileReference]:
    """Every stored file the rows refer to (a name may come more than once, from different rows).

    Each ``FileField`` of every carried model (attachments, people's photos, organisations' logos…; each name
    once, the database removes repeats), plus the renditions of photos and the files of deleted releases still
    in the trash, which only JSON names.
    """
    for model, model_field in _file_fields():
        for name in _names_of(model, model_field).iterator(chunk_size=ROW_CHUNK):
            yield FileReference(name, model_field.storage, model)
    storage = Attachment._meta.get_field("file").storage
    renditions = Attachment._base_manager.exclude(renditions=None).order_by("pk")
    for pk, event_id, value in renditions.values_list("pk", "event_id", "renditions").iterator(chunk_size=ROW_CHUNK):
        for name in sorted(rendition_names(value)):
            yield FileReference(name, storage, Attachment, pk, event_id)
    trash = TrashedEventContent._base_manager.order_by("pk").values_list("pk", "deleted_event_id", "attachments")
    for _pk, event_id, attachments in trash.iterator(chunk_size=200):
        for item in attachments or []:
            for name in sorted(_trashed_names(item)):
                yield FileReference(name, storage, Attachment, item.get("pk"), event_id)


def count_file_references() -> int:
    total = sum(_names_of(model, model_field).count() for model, model_field in _file_fields())
    for value in (
        Attachment._base_manager.exclude(renditions=None)
        .values_list("renditions", flat=True)
        .iterator(chunk_size=ROW_CHUNK)
    ):
        total += len(rendition_names(value))
    for attachments in TrashedEventContent._base_manager.values_list("attachments", flat=True).iterator(chunk_size=200):
        for item in attachments or []:
            fields = item.get("fields", {}) if isinstance(item, dict) else {}
            total += len(
                ({fields["file"]} if fields.get("file") else set()) | rendition_names(fields.get("renditions"))
            )
    return total


# --- writing --------------------------------------------------------------------------------------------------


@contextmanager
def one_snapshot() -> Iterator[None]:
    """One consistent view of every table while they are read one after the other.

    SQLite gives that to any transaction; PostgreSQL's default (read committed) would let a save between two
    tables' reads into the second but not the first, hence repeatable read when this starts the transaction.
    """
    starts_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if starts_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _copy_into(archive: zipfile.ZipFile, member: str, source) -> str:
    digest = hashlib.sha256()
    with archive.open(member, "w", force_zip64=True) as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _write_rows(archive: zipfile.ZipFile, reporter: Reporter, summary: ArchiveSummary, checksums: dict) -> list:
    tables = []
    writer = _LineWriter(reporter)
    for position, model in enumerate(archived_models(), start=1):
        member = rows_member(position, model)
        before = writer.rows_written
        with archive.open(member, "w", force_zip64=True) as raw:
            stream = _HashingWriter(raw)
            writer.serialize(
                rows_of(model).iterator(chunk_size=ROW_CHUNK),
                stream=stream,
                use_natural_foreign_keys=True,
            )
        checksums[member] = stream.digest.hexdigest()
        summary.rows[model._meta.label] = writer.rows_written - before
        tables.append({"member": member, "model": model._meta.label, "rows": summary.rows[model._meta.label]})
    return tables


def _write_files(
    archive: zipfile.ZipFile, reporter: Reporter, summary: ArchiveSummary, checksums: dict
) -> list[tuple[str, str]]:
    missing: list[tuple[str, str]] = []  # (name, which row names it), the first few described
    missing_names: set[str] = set()
    for reference in file_references():
        member = MEDIA_PREFIX + reference.name
        reporter.progress.files_done += 1
        if member in archive.NameToInfo or reference.name in missing_names:
            reporter.report()
            continue  # another row named the same file
        try:
            source = reference.storage.open(reference.name, "rb")
        except (FileNotFoundError, SuspiciousOperation):
            missing_names.add(reference.name)
            missing.append((reference.name, reference.describe() if len(missing) < MAX_NAMED else ""))
            reporter.report()
            continue
        except STORAGE_ERRORS as exc:
            raise ArchiveError(
                f"Could not read {reference.name} from storage ({exc}). No archive was written."
            ) from exc
        try:
            with source:
                checksums[member] = _copy_into(archive, member, source)
        except STORAGE_ERRORS as exc:
            raise ArchiveError(
                f"Could not read {reference.name} from storage ({exc}). No archive was written."
            ) from exc
        summary.files += 1
        reporter.report()
    return missing


def missing_message(missing: list[tuple[str, str]]) -> str:
    return f"{len(missing)} stored file(s) that the content refers to are missing: " + named(
        [f"{name} ({where})" if where else name for name, where in missing]
    )


def write_archive(target, *, progress: ProgressCallback | None = None, allow_missing: bool = False) -> ArchiveSummary:
    """Write the archive into ``target``, a binary file open for writing (need not be seekable).

    A file that a row refers to but storage does not have is an error naming it and the release it belongs to
    (a backup that silently lacks a photo would only be found out at the restore); with ``allow_missing`` the
    archive is written without it, the manifest lists it and the summary reports it.
    """
    summary = ArchiveSummary()
    reporter = Reporter(progress)
    checksums: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with one_snapshot():
            reporter.phase("counting")
            reporter.progress.rows_total = sum(model._base_manager.count() for model in archived_models())
            reporter.progress.files_total = count_file_references()
            reporter.phase("rows")
            tables = _write_rows(archive, reporter, summary, checksums)
            reporter.phase("files")
            missing = _write_files(archive, reporter, summary, checksums)
        if missing and not allow_missing:
            raise ArchiveError(missing_message(missing) + ". No archive was written.")
        summary.missing = [name for name, _where in missing]
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "rows": summary.rows,
            "tables": tables,
            "missing": summary.missing,
            "sha256": checksums,
        }
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True))
    reporter.phase("done")
    return summary


def export_archive(
    destination: Path, *, progress: ProgressCallback | None = None, allow_missing: bool = False
) -> ArchiveSummary:
    """Write the archive to the local file ``destination`` (via a temporary file beside it, so a failure
    leaves no half archive)."""
    destination = Path(destination)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".archive-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as out:
            summary = write_archive(out, progress=progress, allow_missing=allow_missing)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return summary


def export_to_storage(
    storage: Storage, name: str, *, progress: ProgressCallback | None = None, allow_missing: bool = False
) -> tuple[str, int, ArchiveSummary]:
    """Write the archive into ``storage`` as ``name`` (a bucket or the media folder); returns the name storage
    chose, the size and the summary.

    The zip is made in a local temporary file first (a zip is finished by its directory at the end, and a
    bucket takes a file in one upload, in parts for a large one), then handed to the storage in chunks.
    """
    with tempfile.TemporaryFile(prefix="cso-archive-", suffix=".zip") as scratch:
        summary = write_archive(scratch, progress=progress, allow_missing=allow_missing)
        size = scratch.tell()
        scratch.seek(0)
        try:
            stored = storage.save(name, File(scratch, name=name))
        except STORAGE_ERRORS as exc:
            raise ArchiveError(f"Could not store the archive as {name} ({exc}).") from exc
    return stored, size, summary
