"""Backups as one zip file: every row of the site as JSON, every stored file, and a manifest of SHA-256 checksums.

``export_archive`` writes it; ``import_archive`` checks every checksum first and only then restores into a
freshly migrated database. The archive holds password hashes and two-factor secrets: keep it as safe as the
database.

What is carried is decided from the app registry, not from a list: every concrete model of every installed
app (users, groups, two-factor devices and backup codes, history, trash, audit logs…), less the few tables
named in ``EXCLUDED_MODELS`` and ``EXCLUDED_APPS``. Files are found through the rows that name them (every
``FileField``, and the renditions and trashed files of attachments) and read and written through each field's
storage, so they are covered wherever the storage keeps them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    SuspiciousOperation,
    ValidationError,
)
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from .media.backends import STORAGE_ERRORS
from .media.cleanup import referenced_names
from .models import Attachment
from .page_cache import bump_content_version

FORMAT_VERSION = 2
# Format 1 (before every table was carried) restores the same way; its rows and files are a subset.
READABLE_FORMATS = {1, 2}
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024

# Not carried, on purpose. Content types and permissions are made again by the target's own migrations, and
# rows that point at them are written with natural keys ("events", "event"), so they find the target's rows
# whatever their ids. Sessions would bring old logins back to life; django-axes keeps login attempts and
# lock-outs, which belong to the server that saw them. The page cache's content version belongs to each
# database (its migration writes the row; a restore makes a new version anyway).
EXCLUDED_MODELS = frozenset(
    {"contenttypes.contenttype", "auth.permission", "sessions.session", "events.contentversion"}
)
EXCLUDED_APPS = frozenset({"axes"})

# Tables a freshly migrated database already fills (the role groups of events/migrations/0003_roles.py). A
# restore replaces their rows with the archive's instead of taking them for content; any other row in the
# target stops it.
MADE_BY_MIGRATIONS = frozenset({"auth.group"})

MAX_NAMED = 10


class ArchiveError(Exception):
    """The archive is unreadable, altered, incomplete, or cannot be restored here."""


@dataclass
class ArchiveSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def __str__(self) -> str:
        return f"{sum(self.rows.values())} rows in {len(self.rows)} tables, {self.files} media files"


def is_archived(model: type[models.Model]) -> bool:
    meta = model._meta
    return (
        meta.managed
        and not meta.proxy
        and not meta.swapped
        and meta.label_lower not in EXCLUDED_MODELS
        and meta.app_label not in EXCLUDED_APPS
    )


def archived_models() -> list[type[models.Model]]:
    """Every model whose rows the archive carries, in an order that loads (dependencies first).

    Automatic many-to-many tables travel inside the model that declares the field (e.g. a user's groups).
    """
    app_list: dict = {}
    for model in apps.get_models():
        if is_archived(model):
            app_list.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def excluded_models() -> list[str]:
    """Labels of the installed models whose rows a backup deliberately leaves out."""
    return sorted(
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not is_archived(model)
    )


def _named(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup must give back every microsecond it was given."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class _RowWriter(JSONSerializer):
    """Django's JSON serializer, writing the rows of many models into one JSON array as it reads them."""

    rows_written = 0

    def start_serialization(self):
        self._init_options()

    def end_serialization(self):
        pass

    def end_object(self, obj):
        self.stream.write(",\n" if self.rows_written else "\n")
        json.dump(self.get_dump_object(obj), self.stream, **self.json_kwargs)
        self._current = None
        self.rows_written += 1


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


def write_rows(stream, models_in_order: list[type[models.Model]]) -> dict[str, int]:
    writer = _RowWriter()
    counts = {}
    stream.write("[")
    for model in models_in_order:
        before = writer.rows_written
        writer.serialize(
            rows_of(model).iterator(chunk_size=2000),
            stream=stream,
            use_natural_foreign_keys=True,
            cls=FullPrecisionEncoder,
        )
        counts[model._meta.label] = writer.rows_written - before
    stream.write("\n]\n")
    return counts


def stored_files() -> dict[str, Storage]:
    """Every stored file the rows refer to, with the storage that holds it.

    Each ``FileField`` of every carried model (attachments, people's photos, organisations' logos…), plus the
    renditions of photos and the files of deleted releases still in the trash, which only JSON names.
    """
    files: dict[str, Storage] = {}

    def add(name: str, storage: Storage) -> None:
        if files.setdefault(name, storage) is not storage:
            raise ArchiveError(f"Two storages hold a file named {name}; the archive cannot tell them apart.")

    for model in archived_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                names = (
                    model._base_manager.exclude(**{model_field.attname: ""})
                    .exclude(**{f"{model_field.attname}__isnull": True})
                    .values_list(model_field.attname, flat=True)
                )
                for name in names.iterator(chunk_size=2000):
                    add(name, model_field.storage)
    attachment_storage = Attachment._meta.get_field("file").storage
    for name in referenced_names():
        add(name, attachment_storage)
    return files


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


def export_archive(destination: Path) -> ArchiveSummary:
    """Write the archive to ``destination`` (via a temporary file, so a failure leaves no half archive).

    A file that a row refers to but storage does not have is an error naming it: a backup that silently
    lacks a photo would only be found out at the restore.
    """
    summary = ArchiveSummary()
    destination = Path(destination)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".archive-", suffix=".zip")
    os.close(handle)
    try:
        checksums: dict[str, str] = {}
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with one_snapshot():
                with archive.open(DATA_NAME, "w", force_zip64=True) as raw:
                    stream = _HashingWriter(raw)
                    summary.rows = write_rows(stream, archived_models())
                checksums[DATA_NAME] = stream.digest.hexdigest()
                files = stored_files()
            missing = []
            for name in sorted(files):
                try:
                    source = files[name].open(name, "rb")
                except (FileNotFoundError, SuspiciousOperation):
                    missing.append(name)
                    continue
                except STORAGE_ERRORS as exc:
                    raise ArchiveError(f"Could not read {name} from storage ({exc}). No archive was written.") from exc
                with source:
                    checksums[MEDIA_PREFIX + name] = _copy_into(archive, MEDIA_PREFIX + name, source)
                summary.files += 1
            if missing:
                raise ArchiveError(
                    f"{len(missing)} stored file(s) that the content refers to are missing: {_named(missing)}. "
                    "No archive was written."
                )
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "django": django.get_version(),
                "rows": summary.rows,
                "sha256": checksums,
            }
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return summary


def safe_member_path(name: str) -> PurePosixPath:
    """Only plain relative paths below ``media/``: no absolute paths, no ``..``, nothing else in the zip."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith(MEDIA_PREFIX) or "\\" in name:
        raise ArchiveError(f"Refusing the unsafe path {name!r} in the archive.")
    return PurePosixPath(*path.parts[1:])


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    except (KeyError, ValueError) as exc:
        raise ArchiveError("The archive has no readable manifest.") from exc
    if not isinstance(manifest, dict):
        raise ArchiveError("The archive has no readable manifest.")
    if manifest.get("format") not in READABLE_FORMATS:
        raise ArchiveError(f"Unknown archive format {manifest.get('format')!r}.")
    if not isinstance(manifest.get("sha256"), dict) or DATA_NAME not in manifest["sha256"]:
        raise ArchiveError("The archive's manifest lists no data.")
    return manifest


def verify_archive(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every listed member is present with its checksum, and nothing unlisted hides in the archive."""
    listed = manifest["sha256"]
    present = set(archive.namelist()) - {MANIFEST_NAME}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise ArchiveError(f"The archive does not match its manifest (extra: {extra}, missing: {missing}).")
    for name, expected in listed.items():
        if name != DATA_NAME:
            safe_member_path(name)
        digest = hashlib.sha256()
        with archive.open(name) as member:
            for chunk in iter(lambda member=member: member.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise ArchiveError(f"Checksum mismatch for {name}: the archive is damaged or was altered.")


def content_in_database() -> dict[str, int]:
    """Tables of the target that hold rows a fresh migration does not make, with their row counts."""
    return {
        model._meta.label: model._base_manager.count()
        for model in archived_models()
        if model._meta.label_lower not in MADE_BY_MIGRATIONS and model._base_manager.exists()
    }


def database_is_empty() -> bool:
    return not content_in_database()


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


def _rename_moved_models(data_path: Path) -> None:
    """Rewrite the rows of an archive that name a moved model by its old label (see ``moved_models``)."""
    moved = moved_models()
    if not moved:
        return
    try:
        rows = json.loads(data_path.read_bytes())
    except ValueError:
        return  # loaddata says what is wrong with it
    renamed = False

    def content_type_key(key):
        nonlocal renamed
        plain = isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)
        new = moved.get(tuple(key)) if plain else None
        renamed = renamed or new is not None
        return list(new) if new else key

    def permission_key(key):
        return [key[0], *content_type_key(key[1:])] if isinstance(key, list) and len(key) == 3 else key

    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, dict) and isinstance(row.get("model"), str) and isinstance(row.get("fields"), dict)):
            continue  # loaddata says what is wrong with it
        old = tuple(row["model"].lower().split(".", 1))
        if old in moved:
            row["model"] = ".".join(moved[old])
            renamed = True
        try:
            model = apps.get_model(row["model"])
        except (LookupError, ValueError):
            continue  # loaddata names the unknown model and stops the restore
        for name, value in row["fields"].items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.related_model is ContentType:
                row["fields"][name] = content_type_key(value)
            elif field.related_model is Permission:
                many = field.many_to_many and isinstance(value, list)
                row["fields"][name] = [permission_key(key) for key in value] if many else permission_key(value)
    if renamed:
        data_path.write_text(json.dumps(rows), encoding="utf-8")


def _load_rows(data_path: Path) -> None:
    for label in MADE_BY_MIGRATIONS:
        apps.get_model(label)._base_manager.all().delete()
    try:
        call_command("loaddata", str(data_path), verbosity=0)
    except (DeserializationError, DatabaseError, ObjectDoesNotExist, ValidationError) as exc:
        raise ArchiveError(f"The archive's rows do not fit this database ({exc}). Nothing was restored.") from exc


def _file_targets(members: set[str]) -> dict[str, Storage]:
    """Where each archived file goes back to: the storage of the restored rows that name it."""
    targets = stored_files()
    absent = sorted(name for name in targets if MEDIA_PREFIX + name not in members)
    if absent:
        raise ArchiveError(f"The archive lacks {len(absent)} file(s) its rows refer to: {_named(absent)}.")
    # Files no row names (format 1 carried the whole media folder) go back where format 1 took them from.
    for member in sorted(members):
        targets.setdefault(str(safe_member_path(member)), default_storage)
    try:
        clashing = sorted(name for name, storage in targets.items() if storage.exists(name))
    except SuspiciousOperation as exc:
        raise ArchiveError(f"Refusing an unsafe file name in the archive's rows: {exc}") from exc
    except STORAGE_ERRORS as exc:
        raise ArchiveError(f"Could not reach the media storage ({exc}). Nothing was restored.") from exc
    if clashing:
        raise ArchiveError(f"Files already exist and would be overwritten: {_named(clashing)}.")
    return targets


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


def _check_fresh_database() -> None:
    held = content_in_database()
    if held:
        tables = _named([f"{label} ({count})" for label, count in sorted(held.items())])
        raise ArchiveError(
            f"The database already holds content: {tables} rows. Restore only into a freshly migrated, empty database."
        )


def import_archive(source: Path) -> ArchiveSummary:
    """Restore an archive into a freshly migrated database and empty storage, after checking every checksum.

    Rows the migrations made (the role groups) give way to the archive's; any other row is content and stops
    the restore before anything is written. Rows and files go in together: if a file cannot be written, the
    rows roll back and the files already written are removed.
    """
    summary = ArchiveSummary()
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"Cannot read {source}: {exc}") from exc
    with archive, tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest)
        _check_fresh_database()
        data_path = Path(scratch) / "archive-data.json"
        with archive.open(DATA_NAME) as data, data_path.open("wb") as out:
            for chunk in iter(lambda: data.read(CHUNK), b""):
                out.write(chunk)
        written: list[tuple[Storage, str]] = []
        try:
            _rename_moved_models(data_path)
            with transaction.atomic():
                _load_rows(data_path)
                targets = _file_targets({name for name in manifest["sha256"] if name != DATA_NAME})
                for name, storage in sorted(targets.items()):
                    try:
                        _write_file(archive, name, storage, manifest["sha256"][MEDIA_PREFIX + name], written)
                    except STORAGE_ERRORS as exc:
                        raise ArchiveError(f"Could not write {name} to storage ({exc}). Nothing was restored.") from exc
                    summary.files += 1
        except BaseException:
            # The rows rolled back; take the files back out too, so a failed restore leaves nothing behind.
            for storage, name in written:
                try:
                    storage.delete(name)
                except STORAGE_ERRORS:
                    pass
            raise
    # Restored rows were saved raw (no signals): pages cached before the restore must not be served after it.
    bump_content_version()
    summary.rows = dict(manifest.get("rows", {}))
    return summary
