"""Backups as one zip file: every row of content as JSON, every media file, and a manifest of SHA-256 checksums.

``export_archive`` writes it; ``import_archive`` checks every checksum first and only then restores into an
empty database. The archive holds password hashes and two-factor secrets: keep it as safe as the database.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

FORMAT_VERSION = 1
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"

# Whole apps whose rows are content; plus single models from apps that also hold throwaway state.
CONTENT_APPS = ["events"]
CONTENT_MODELS = ["auth.Group", "auth.User", "admin.LogEntry", "otp_totp.TOTPDevice"]
# Rows of those apps that are not content: the page cache's version stamp belongs to each database (its
# migration writes it, so a restore into a fresh database would clash with it).
NOT_CONTENT = {"events.ContentVersion"}


class ArchiveError(Exception):
    """The archive is unreadable, altered, or cannot be restored here."""


@dataclass
class ArchiveSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def __str__(self) -> str:
        return f"{sum(self.rows.values())} rows in {len(self.rows)} tables, {self.files} media files"


def content_models() -> list[type[models.Model]]:
    """Every model whose rows the archive carries, in an order that loads (dependencies first)."""
    chosen: list[type[models.Model]] = []
    for label in CONTENT_APPS:
        chosen.extend(
            model for model in apps.get_app_config(label).get_models() if model._meta.label not in NOT_CONTENT
        )
    for label in CONTENT_MODELS:
        try:
            chosen.append(apps.get_model(label))
        except LookupError:
            continue  # an optional app that is not installed
    app_list = {}
    for model in chosen:
        app_list.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup must give back every microsecond it was given."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def serialize_rows(model: type[models.Model]) -> str:
    return serializers.serialize(
        "json",
        model._default_manager.order_by("pk"),
        use_natural_foreign_keys=True,
        indent=None,
        cls=FullPrecisionEncoder,
    )


def export_archive(destination: Path) -> ArchiveSummary:
    """Write the archive to ``destination`` (via a temporary file, so a failure leaves no half archive)."""
    summary = ArchiveSummary()
    media_root = Path(settings.MEDIA_ROOT)
    destination = Path(destination)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".archive-", suffix=".zip")
    os.close(handle)
    try:
        checksums: dict[str, str] = {}
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # One consistent snapshot of every table.
            with transaction.atomic():
                records = []
                for model in content_models():
                    rows = json.loads(serialize_rows(model))
                    summary.rows[model._meta.label] = len(rows)
                    records.extend(rows)
            data = json.dumps(records, ensure_ascii=False, indent=1).encode()
            archive.writestr(DATA_NAME, data)
            checksums[DATA_NAME] = hashlib.sha256(data).hexdigest()
            for path in media_files(media_root):
                name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                archive.write(path, name)
                checksums[name] = sha256_of(path)
                summary.files += 1
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
    if manifest.get("format") != FORMAT_VERSION:
        raise ArchiveError(f"Unknown archive format {manifest.get('format')!r}.")
    return manifest


def verify_archive(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every listed member is present with its checksum, and nothing unlisted hides in the archive."""
    listed = manifest.get("sha256", {})
    present = set(archive.namelist()) - {MANIFEST_NAME}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise ArchiveError(f"The archive does not match its manifest (extra: {extra}, missing: {missing}).")
    for name, expected in listed.items():
        if name != DATA_NAME:
            safe_member_path(name)
        digest = hashlib.sha256()
        with archive.open(name) as member:
            for chunk in iter(lambda member=member: member.read(1024 * 1024), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise ArchiveError(f"Checksum mismatch for {name}: the archive is damaged or was altered.")


def database_is_empty() -> bool:
    return not any(model._default_manager.exists() for model in content_models())


def import_archive(source: Path) -> ArchiveSummary:
    """Restore an archive into an empty database and media folder, after checking every checksum."""
    summary = ArchiveSummary()
    media_root = Path(settings.MEDIA_ROOT)
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"Cannot read {source}: {exc}") from exc
    with archive:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest)
        if not database_is_empty():
            raise ArchiveError("The database already holds content; restore only into an empty database.")
        targets = {name: media_root / safe_member_path(name) for name in manifest["sha256"] if name != DATA_NAME}
        clashing = sorted(str(path) for path in targets.values() if path.exists())
        if clashing:
            raise ArchiveError(f"Media files already exist and would be overwritten: {clashing[:5]}")

        with tempfile.TemporaryDirectory() as scratch:
            data_path = Path(scratch) / "archive-data.json"
            data_path.write_bytes(archive.read(DATA_NAME))
            written: list[Path] = []
            try:
                with transaction.atomic():
                    call_command("loaddata", str(data_path), verbosity=0)
                    for name, target in targets.items():
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with archive.open(name) as member, target.open("xb") as out:
                            written.append(target)
                            for chunk in iter(lambda member=member: member.read(1024 * 1024), b""):
                                out.write(chunk)
                        summary.files += 1
            except BaseException:
                # The rows rolled back; take the files back out too, so a failed restore leaves nothing behind.
                for path in written:
                    path.unlink(missing_ok=True)
                raise
    summary.rows = dict(manifest.get("rows", {}))
    return summary
