"""An attachment's stored files, and deleting them: storage only, no database.

It sits below the models (``Attachment.save`` removes the files of a photo it failed to save), while
``cleanup`` sits above them (it asks the database which names are still in use before deleting).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.storage import Storage

from .backends import STORAGE_ERRORS
from .photos import rendition_names

logger = logging.getLogger(__name__)


def stored_names(attachment) -> set[str]:
    """The stored file and every rendition of one attachment."""
    names = rendition_names(attachment.renditions)
    if attachment.file and attachment.file.name:
        names.add(attachment.file.name)
    return names


def delete_stored_files(attachment) -> None:
    """Delete at once (for an upload that failed before any record pointed at the files)."""
    delete_names(attachment.file.storage, stored_names(attachment))


def delete_names(storage: Storage, names: Iterable[str]) -> None:
    for name in sorted(names):
        try:
            storage.delete(name)
        except STORAGE_ERRORS:
            # A missing or locked file must not break the request that deleted the record; the orphan
            # report lists whatever is left behind.
            logger.warning("Could not delete stored file %s", name, exc_info=True)
