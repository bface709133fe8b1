"""Backups as one zip file: every row of the site as JSON lines, every stored file, and SHA-256 checksums.

``export_archive`` (the command, and the admin's Archive page through a Celery task) writes it a row and a
chunk at a time (``export.py``); ``import_archive`` checks every checksum first and only then restores into a
freshly migrated database, a batch at a time in one transaction (``restore.py``). The archive holds password
hashes and two-factor secrets: keep it as safe as the database.

What is carried is decided from the app registry, not from a list: every concrete model of every installed
app (users, groups, two-factor devices and backup codes, history, trash, audit logs…), less the few tables
named in ``common.EXCLUDED_MODELS`` and ``common.EXCLUDED_APPS``. Files are found through the rows that name
them (every ``FileField``, and the renditions and trashed files of attachments) and read and written through
each field's storage, so they are covered wherever the storage keeps them (local disk or a bucket).
"""

from .common import (
    DATA_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    READABLE_FORMATS,
    ROWS_PREFIX,
    ArchiveError,
    ArchiveSummary,
    FullPrecisionEncoder,
    Progress,
    archived_models,
    excluded_models,
)
from .export import export_archive, export_to_storage, write_archive
from .jobs import create_export_job, live_progress, run_export_job
from .restore import import_archive

__all__ = [
    "DATA_NAME",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "MEDIA_PREFIX",
    "READABLE_FORMATS",
    "ROWS_PREFIX",
    "ArchiveError",
    "ArchiveSummary",
    "FullPrecisionEncoder",
    "Progress",
    "archived_models",
    "create_export_job",
    "excluded_models",
    "export_archive",
    "export_to_storage",
    "import_archive",
    "live_progress",
    "run_export_job",
    "write_archive",
]
