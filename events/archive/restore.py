"""Restore a backup archive a batch at a time, in one transaction: all of it or nothing.

First every member's checksum is checked (read in chunks), so a damaged or altered archive is refused before
anything is written. Then the rows go in, table after table, a batch of rows at a time: each batch is turned
into model instances by Django's deserializer and written with one multi-row INSERT (raw, as ``loaddata``
saves them: no ``save()``, no signals, ``auto_now`` values kept), automatic many-to-many rows with
``bulk_create``. Natural keys (users, groups, content types, permissions) are looked up once each and kept.
Then the files go to the configured storage and are read back to check their checksum.

Why one transaction rather than a resumable restore: a restore goes into an empty, freshly migrated
database, so a half-restored site is worth nothing and starting again is the way to resume; PostgreSQL
keeps a large transaction on disk, not in this process, so memory stays flat. If a file cannot be written,
the rows roll back and the files already written are removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, SuspiciousOperation, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DatabaseError, connection, models, transaction

from ..media.backends import STORAGE_ERRORS
from ..page_cache import bump_content_version
from ..services.names import name_keys_refresh
from .common import (
    CHUNK,
    DATA_NAME,
    MADE_BY_MIGRATIONS,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    ArchiveError,
    ArchiveSummary,
    ProgressCallback,
    Reporter,
    archived_models,
    named,
)
from .export import file_references

BATCH = 1000
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def safe_member_path(name: str) -> PurePosixPath:
    """Only plain relative paths below ``media/``: no absolute paths, no ``..``, nothing else in the zip."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith(MEDIA_PREFIX) or "\\" in name:
        raise ArchiveError(f"Refusing the unsafe path {name!r} in the archive.")
    return PurePosixPath(*path.parts[1:])


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    except (KeyError, ValueError, *DAMAGED) as exc:
        raise ArchiveError("The archive has no readable manifest.") from exc
    if not isinstance(manifest, dict):
        raise ArchiveError("The archive has no readable manifest.")
    if manifest.get("format") not in {1, 2, 3}:
        raise ArchiveError(f"Unknown archive format {manifest.get('format')!r}.")
    if not isinstance(manifest.get("sha256"), dict):
        raise ArchiveError("The archive's manifest lists no data.")
    if manifest["format"] == 3:
        tables = manifest.get("tables")
        well_formed = isinstance(tables, list) and all(
            isinstance(table, dict)
            and isinstance(table.get("member"), str)
            and isinstance(table.get("model"), str)
            and table["member"] in manifest["sha256"]
            for table in tables
        )
        if not well_formed:
            raise ArchiveError("The archive's manifest does not list its tables.")
    elif DATA_NAME not in manifest["sha256"]:
        raise ArchiveError("The archive's manifest lists no data.")
    return manifest


def _row_members(manifest: dict) -> set[str]:
    if manifest["format"] == 3:
        return {table["member"] for table in manifest["tables"]}
    return {DATA_NAME}


def verify_archive(archive: zipfile.ZipFile, manifest: dict, reporter: Reporter | None = None) -> None:
    """Every listed member is present with its checksum, and nothing unlisted hides in the archive."""
    listed = manifest["sha256"]
    present = set(archive.namelist()) - {MANIFEST_NAME}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise ArchiveError(
            f"The archive does not match its manifest (extra: {named(extra)}, missing: {named(missing)})."
        )
    row_members = _row_members(manifest)
    for name in listed:
        if name not in row_members:
            safe_member_path(name)
    if reporter:
        reporter.progress.files_total = len(listed)
        reporter.phase("checking")
    for name, expected in sorted(listed.items()):
        digest = hashlib.sha256()
        try:
            with archive.open(name) as member:
                for chunk in iter(lambda member=member: member.read(CHUNK), b""):
                    digest.update(chunk)
        except DAMAGED as exc:
            raise ArchiveError(f"{name} cannot be read from the archive ({exc}): the archive is damaged.") from exc
        if digest.hexdigest() != expected:
            raise ArchiveError(f"Checksum mismatch for {name}: the archive is damaged or was altered.")
        if reporter:
            reporter.progress.files_done += 1
            reporter.report()


def content_in_database() -> dict[str, int]:
    """Tables of the target that hold rows a fresh migration does not make, with their row counts."""
    return {
        model._meta.label: model._base_manager.count()
        for model in archived_models()
        if model._meta.label_lower not in MADE_BY_MIGRATIONS and model._base_manager.exists()
    }


def database_is_empty() -> bool:
    return not content_in_database()


def _check_fresh_database() -> None:
    held = content_in_database()
    if held:
        tables = named([f"{label} ({count})" for label, count in sorted(held.items())])
        raise ArchiveError(
            f"The database already holds content: {tables} rows. Restore only into a freshly migrated, empty database."
        )


# --- rows -----------------------------------------------------------------------------------------------------


def moved_models() -> dict[tuple[str, str], tuple[str, str]]:
    """Models that moved to another app keeping their table: (old app label, model name) -> where they are now.

    A model that changes app keeps its rows by naming its old table in ``Meta.db_table`` (the backup codes,
    ``events_backupcodedevice``, now in the project's sign-in app); an archive made before the move still calls
    it by its old label, in its rows and in the natural keys of its content type and permissions.
    """
    labels = {config.label for config in apps.get_app_configs()}
    moved = {}
    for model in apps.get_models():
        meta = model._meta
        old_label, _sep, name = meta.db_table.rpartition("_")
        if name == meta.model_name and old_label != meta.app_label and old_label in labels:
            moved[(old_label, name)] = (meta.app_label, meta.model_name)
    return moved


class RowLoader:
    """Takes rows one at a time (already parsed JSON objects), writes them in batches of one table."""

    def __init__(self, reporter: Reporter):
        self.reporter = reporter
        self.moved = moved_models()
        self.keys: dict[tuple, object] = {}
        self.model: type[models.Model] | None = None
        self.batch: list[dict] = []
        self.loaded: dict[type[models.Model], int] = {}

    # a row of an older archive may name a model that moved app since
    def _content_type_key(self, key):
        plain = isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)
        new = self.moved.get(tuple(key)) if plain else None
        return list(new) if new else key

    def _permission_key(self, key):
        if isinstance(key, list) and len(key) == 3:
            return [key[0], *self._content_type_key(key[1:])]
        return key

    def _natural(self, related: type[models.Model], key, to_field: str):
        """The value a natural key stands for (looked up once per key: users, groups, content types...)."""
        if not isinstance(key, list):
            return key
        cache_key = (related, tuple(map(str, key)), to_field)
        if cache_key not in self.keys:
            if len(self.keys) > 100_000:
                self.keys.clear()
            try:
                found = related._default_manager.get_by_natural_key(*key)
            except (ObjectDoesNotExist, TypeError, ValueError) as exc:
                raise ArchiveError(
                    f"The archive's rows name {related._meta.label} {key}, which this database lacks. "
                    "Nothing was restored."
                ) from exc
            self.keys[cache_key] = getattr(found, related._meta.get_field(to_field).attname)
        return self.keys[cache_key]

    def _model_of(self, row) -> type[models.Model]:
        if not (isinstance(row, dict) and isinstance(row.get("model"), str) and isinstance(row.get("fields"), dict)):
            raise ArchiveError(f"The archive holds a row that is not a table row: {str(row)[:200]}")
        old = tuple(row["model"].lower().split(".", 1))
        if old in self.moved:
            row["model"] = ".".join(self.moved[old])
        try:
            model = apps.get_model(row["model"])
        except (LookupError, ValueError) as exc:
            raise ArchiveError(f"The archive names an unknown table {row['model']!r}. Nothing was restored.") from exc
        return model

    def _resolve_keys(self, model: type[models.Model], row: dict) -> dict:
        fields = row["fields"]
        for name, value in list(fields.items()):
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # the deserializer names it
            related = model_field.related_model
            if related is None:
                continue
            if related is ContentType:
                value = self._content_type_key(value) if not model_field.many_to_many else value
            elif related is Permission:
                value = (
                    [self._permission_key(key) for key in value]
                    if model_field.many_to_many and isinstance(value, list)
                    else self._permission_key(value)
                )
            if not hasattr(related._default_manager, "get_by_natural_key"):
                fields[name] = value
            elif model_field.many_to_many and isinstance(value, list):
                fields[name] = [self._natural(related, key, related._meta.pk.name) for key in value]
            elif model_field.many_to_one or model_field.one_to_one:
                fields[name] = self._natural(related, value, model_field.remote_field.field_name)
        return row

    def add(self, row) -> None:
        model = self._model_of(row)
        if model is not self.model or len(self.batch) >= BATCH:
            self.flush()  # first: this row's natural keys may name rows of the batch before
            self.model = model
        self.batch.append(self._resolve_keys(model, row))

    def flush(self) -> None:
        if not self.batch:
            return
        model, batch = self.model, self.batch
        self.batch = []
        try:
            objects = list(PythonDeserializer(batch, ignorenonexistent=False, handle_forward_references=False))
        except (DeserializationError, ValidationError, ObjectDoesNotExist) as exc:
            raise ArchiveError(f"The archive's rows do not fit this database ({exc}). Nothing was restored.") from exc
        instances = [item.object for item in objects]
        fields = model._meta.local_concrete_fields
        size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, instances)))
        try:
            for start in range(0, len(instances), size):
                # Raw, as loaddata writes: the values of the archive, not what save() or auto_now would make.
                model._base_manager._insert(instances[start : start + size], fields=fields, raw=True)
            self._many_to_many(model, objects)
        except (DatabaseError, ValueError, TypeError) as exc:
            raise ArchiveError(f"The archive's rows do not fit this database ({exc}). Nothing was restored.") from exc
        self.loaded[model] = self.loaded.get(model, 0) + len(instances)
        self.reporter.progress.rows_done += len(instances)
        self.reporter.report()

    @staticmethod
    def _many_to_many(model: type[models.Model], objects) -> None:
        for name in {name for item in objects for name in (item.m2m_data or {})}:
            model_field = model._meta.get_field(name)
            through = model_field.remote_field.through
            source, target = model_field.m2m_field_name(), model_field.m2m_reverse_field_name()
            links = [
                through(**{f"{source}_id": item.object.pk, f"{target}_id": value})
                for item in objects
                for value in (item.m2m_data or {}).get(name, [])
            ]
            through._base_manager.bulk_create(links, batch_size=BATCH)

    def finish(self) -> None:
        self.flush()
        # Rows went in raw, with the archive's search keys (none, from before 0016): make them by today's rules.
        name_keys_refresh()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.loaded))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def rows_in(archive: zipfile.ZipFile, manifest: dict) -> Iterator:
    """The archive's rows in load order, one at a time (format 3); formats 1 and 2 hold one JSON array, read
    whole (those archives came from sites small enough for the old export)."""
    if manifest["format"] != 3:
        try:
            rows = json.loads(archive.read(DATA_NAME))
        except (ValueError, *DAMAGED) as exc:
            raise ArchiveError(f"{DATA_NAME} is not readable JSON ({exc}). Nothing was restored.") from exc
        if not isinstance(rows, list):
            raise ArchiveError(f"{DATA_NAME} is not a list of rows. Nothing was restored.")
        yield from rows
        return
    for table in manifest["tables"]:
        member = table["member"]
        try:
            with archive.open(member) as raw:
                for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
                    if not line.strip():
                        continue
                    try:
                        yield json.loads(line)
                    except ValueError as exc:
                        raise ArchiveError(
                            f"{member}, line {number}, is not valid JSON. Nothing was restored."
                        ) from exc
        except (UnicodeDecodeError, *DAMAGED) as exc:
            raise ArchiveError(f"{member} cannot be read ({exc}). Nothing was restored.") from exc


# --- files ----------------------------------------------------------------------------------------------------


def _planned_files(archive: zipfile.ZipFile, manifest: dict) -> list[tuple[str, Storage]]:
    """Where each archived file goes back to: the storage of the restored rows that name it; files no row
    names (format 1 carried the whole media folder) go to the default storage. Refuses before any file is
    written if one is absent from the archive or already in storage."""
    members = set(manifest["sha256"]) - _row_members(manifest)
    allowed_missing = set(manifest.get("missing") or [])
    planned: dict[str, Storage] = {}
    absent = []
    for reference in file_references():
        if reference.name in planned:
            continue
        if MEDIA_PREFIX + reference.name not in members:
            if reference.name not in allowed_missing:
                absent.append(reference.name)
            continue
        planned[reference.name] = reference.storage
    if absent:
        raise ArchiveError(f"The archive lacks {len(absent)} file(s) its rows refer to: {named(sorted(absent))}.")
    for member in sorted(members):
        planned.setdefault(str(safe_member_path(member)), default_storage)
    try:
        clashing = sorted(name for name, storage in planned.items() if storage.exists(name))
    except SuspiciousOperation as exc:
        raise ArchiveError(f"Refusing an unsafe file name in the archive's rows: {exc}") from exc
    except STORAGE_ERRORS as exc:
        raise ArchiveError(f"Could not reach the media storage ({exc}). Nothing was restored.") from exc
    if clashing:
        raise ArchiveError(f"Files already exist and would be overwritten: {named(clashing)}.")
    return sorted(planned.items())


def _write_file(archive: zipfile.ZipFile, name: str, storage: Storage, expected: str, written: list) -> None:
    """Store one archived file under its own name, and read it back to check that it arrived whole."""
    with archive.open(MEDIA_PREFIX + name) as content:
        stored = storage.save(name, File(content, name=name))
    written.append((storage, stored))
    if stored != name:
        raise ArchiveError(f"Storage would not keep {name} under its own name (it chose {stored}).")
    digest = hashlib.sha256()
    with storage.open(name, "rb") as check:
        for chunk in iter(lambda: check.read(CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise ArchiveError(f"{name} did not arrive intact in storage (its checksum differs).")


def import_archive(source: Path, *, progress: ProgressCallback | None = None) -> ArchiveSummary:
    """Restore an archive into a freshly migrated database and empty storage, after checking every checksum.

    Rows the migrations made (the role groups) give way to the archive's; any other row is content and stops
    the restore before anything is written.
    """
    summary = ArchiveSummary()
    reporter = Reporter(progress)
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"Cannot read {source}: {exc}") from exc
    with archive:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest, reporter)
        _check_fresh_database()
        rows = manifest.get("rows") if isinstance(manifest.get("rows"), dict) else {}
        reporter.progress.rows_total = sum(count for count in rows.values() if isinstance(count, int))
        reporter.progress.files_done = 0
        reporter.progress.files_total = len(set(manifest["sha256"]) - _row_members(manifest))
        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic():
                for label in MADE_BY_MIGRATIONS:
                    apps.get_model(label)._base_manager.all().delete()
                reporter.phase("rows")
                loader = RowLoader(reporter)
                for row in rows_in(archive, manifest):
                    loader.add(row)
                loader.finish()
                planned = _planned_files(archive, manifest)
                reporter.progress.files_done, reporter.progress.files_total = 0, len(planned)
                reporter.phase("files")
                for name, storage in planned:
                    try:
                        _write_file(archive, name, storage, manifest["sha256"][MEDIA_PREFIX + name], written)
                    except STORAGE_ERRORS as exc:
                        raise ArchiveError(f"Could not write {name} to storage ({exc}). Nothing was restored.") from exc
                    summary.files += 1
                    reporter.progress.files_done += 1
                    reporter.report()
        except DatabaseError as exc:  # a deferred constraint checked at commit
            _remove(written)
            raise ArchiveError(f"The archive's rows do not fit this database ({exc}). Nothing was restored.") from exc
        except BaseException:
            # The rows rolled back; take the files back out too, so a failed restore leaves nothing behind.
            _remove(written)
            raise
    # Restored rows were saved raw (no signals): pages cached before the restore must not be served after it.
    bump_content_version()
    summary.rows = {label: count for label, count in rows.items() if isinstance(count, int)}
    summary.missing = list(manifest.get("missing") or [])
    reporter.phase("done")
    return summary


def _remove(written: list[tuple[Storage, str]]) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except STORAGE_ERRORS:
            pass
