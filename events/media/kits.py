"""Press kits: a release's photos and a text file of their captions and credits in one zip, prepared in the
background and kept in storage per version, so that a download is a stored file like any other (a presigned
address on a bucket, ``X-Accel-Redirect`` behind nginx) and never holds a web worker for minutes.

A kit's name carries a digest of everything that goes into it (``kit_plan``): the photos in gallery order with
their stored files, titles, captions and credits, and what the captions file says about the release (title,
date, place, address) in the release's own language. A change to any of them is a new name, so a kit in
storage under the current name is never stale, and the address a client was given always matches the photos
it was shown. The task ``media.build_press_kit`` writes the current kit and deletes the release's older ones;
the orphan sweep removes the kits of releases that no longer exist (``cleanup.kit_names_in_use``).

Only ``events.views.files.PhotosZipView`` streams a zip, and only while the current kit is not in storage yet.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone, translation

from ..models import Attachment, Event
from .cleanup import KITS_FOLDER, is_kit_name
from .downloads import (
    captions_text,
    download_name,
    download_source,
    photos_of,
    release_file_name,
    unique_file_names,
)

logger = logging.getLogger(__name__)

BUILD_TASK = "media.build_press_kit"
# Part of every digest: a change to the kit's layout (names, the captions file) makes every kit a new version.
KIT_FORMAT = 1
COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class KitMember:
    name: str  # in the zip
    photo: Attachment
    source: str  # stored name


@dataclass(frozen=True)
class KitPlan:
    """What the kit of ``event`` holds right now, and the stored name of that version."""

    event: Event
    members: list[KitMember]
    captions_name: str
    captions: str
    modified: datetime  # every member's time stamp (naive, local): the release's start
    digest: str

    @property
    def stored_name(self) -> str:
        return f"{KITS_FOLDER}{self.event.pk}/{self.digest}.zip"

    @property
    def download_name(self) -> str:
        return release_file_name(self.event, "-photos.zip")

    def entries(self):
        """``(name in zip, bytes or opener, modified)`` for ``zipstream.zip_stream``, the kit's own order."""
        yield self.captions_name, self.captions.encode("utf-8"), self.modified
        for member in self.members:
            storage = member.photo.file.storage
            yield member.name, (lambda storage=storage, source=member.source: storage.open(source, "rb")), self.modified


def kit_plan(event: Event) -> KitPlan | None:
    """The current kit of ``event``, or None when it has no photos to give (or one has no clean copy yet)."""
    photos = photos_of(event)
    if not photos:
        return None
    try:
        sources = [download_source(photo) for photo in photos]
    except Http404:
        return None
    # The kit is one file for every reader: its text is in the release's language and its dates in the site's
    # time zone, whoever asks first (a request and a worker must arrive at the same digest).
    with translation.override(event.language), timezone.override(None):
        # The captions file first, then the photos: every name in the zip once, and each short enough to unzip.
        captions_name, *names = unique_file_names(
            [release_file_name(event, "-captions.txt")]
            + [download_name(event, index, source) for index, source in enumerate(sources, 1)]
        )
        captions = captions_text(event, photos, names)
        modified = timezone.localtime(event.starts_at).replace(tzinfo=None, microsecond=0)
    description = {
        "format": KIT_FORMAT,
        "language": event.language,
        "captions": captions,
        "modified": modified.isoformat(),
        "members": [[name, source, photo.sha256] for name, source, photo in zip(names, sources, photos, strict=True)],
    }
    digest = hashlib.sha256(json.dumps(description, sort_keys=True).encode("utf-8")).hexdigest()
    return KitPlan(
        event=event,
        members=[KitMember(name, photo, source) for name, source, photo in zip(names, sources, photos, strict=True)],
        captions_name=captions_name,
        captions=captions,
        modified=modified,
        digest=digest,
    )


def stored_kit(plan: KitPlan, storage: Storage | None = None) -> str | None:
    """The stored name of the current kit when it has been built, else None."""
    storage = storage or default_storage
    return plan.stored_name if storage.exists(plan.stored_name) else None


# Building ----------------------------------------------------------------------------------------------------


def build_press_kit(event_id: int, *, storage: Storage | None = None) -> str | None:
    """Make sure the current kit of release ``event_id`` is in storage and its older kits are not.

    One build per release at a time (a lock in the cache): a build asked for while another runs returns at
    once, and the running one looks again when it is done, so the last change is always built and a burst of
    changes (sixty photos becoming ready one by one) makes a few kits, not sixty. Two builds of one version
    (a lost lock, two caches) write the same bytes under the same name, each in one atomic step.
    Returns the stored name of the current kit, or None (no photos, no release, or another build is running).
    """
    storage = storage or default_storage
    lock = f"cso-press:kit-build:{event_id}"
    while True:
        if photos_still_processing(event_id):
            # A summit's sixty photos become ready one by one: a kit now would be stale at once, and on a bucket
            # each one is a fresh upload of the whole zip. The last photo to become ready asks for the build
            # (checked again after each build: photos may have arrived while it ran).
            return None
        # Held longer than a build may run (the task's hard time limit): a build whose worker was killed stops
        # blocking the next ones once that has passed.
        if not cache.add(lock, os.getpid(), timeout=settings.CELERY_TASK_TIME_LIMIT + 60):
            return None
        try:
            built = _build_current(event_id, storage)
        finally:
            cache.delete(lock)
        # Anything committed while the lock was held was left to us by the builds that found it taken.
        if _current_name(event_id) == built:
            return built


def photos_still_processing(event_id: int) -> bool:
    """Whether a photo of the release still waits for its renditions (media.render_photo)."""
    return Attachment.objects.filter(
        event_id=event_id, kind=Attachment.Kind.PHOTO, state=Attachment.State.PROCESSING
    ).exists()


def _current_name(event_id: int) -> str | None:
    event = Event.objects.filter(pk=event_id).first()
    plan = kit_plan(event) if event is not None else None
    return plan.stored_name if plan is not None else None


def _build_current(event_id: int, storage: Storage) -> str | None:
    event = Event.objects.filter(pk=event_id).first()
    plan = kit_plan(event) if event is not None else None
    keep = plan.stored_name if plan is not None else None
    if plan is not None and not storage.exists(keep):
        _write_kit(plan, storage)
        logger.info("Built press kit %s (%s photos).", keep, len(plan.members))
    remove_kits(event_id, storage=storage, keep=keep)
    return keep


def remove_kits(event_id: int, *, storage: Storage | None = None, keep: str | None = None) -> None:
    """Delete the kits of release ``event_id`` except ``keep`` (a build in progress writes under another name)."""
    storage = storage or default_storage
    try:
        _directories, files = storage.listdir(f"{KITS_FOLDER}{event_id}")
    except FileNotFoundError:
        return
    for file_name in files:
        name = f"{KITS_FOLDER}{event_id}/{file_name}"
        if name != keep and is_kit_name(name):
            storage.delete(name)


def _local_path(storage: Storage, name: str) -> Path | None:
    try:
        return Path(storage.path(name))
    except NotImplementedError:  # a bucket: no local path
        return None


def _write_kit(plan: KitPlan, storage: Storage) -> None:
    """Write the zip into a temporary file (constant memory: photos are copied a chunk at a time and stored,
    not deflated), then put it under its name in one step: a rename on disk, a single upload to a bucket
    (the object appears only when the upload completes). A reader never sees half a kit."""
    target = _local_path(storage, plan.stored_name)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, after the rename or the upload
        dir=target.parent if target is not None else None, prefix=".kit-", suffix=".part", delete=False
    )
    try:
        with zipfile.ZipFile(handle, mode="w", allowZip64=True) as archive:
            for name, source, modified in plan.entries():
                info = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
                info.external_attr = 0o644 << 16
                if isinstance(source, bytes):
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, source)
                    continue
                info.compress_type = zipfile.ZIP_STORED
                with source() as stored, archive.open(info, mode="w", force_zip64=True) as member:
                    shutil.copyfileobj(stored, member, COPY_CHUNK)
        handle.flush()
        if target is not None:
            os.chmod(handle.name, storage.file_permissions_mode or 0o644)
            os.fsync(handle.fileno())
            handle.close()
            os.replace(handle.name, target)
        else:
            handle.seek(0)
            # _save, not save: the name is the version and must stay as it is (save would pick another name
            # when a concurrent build stored this same version first).
            storage._save(plan.stored_name, File(handle, name=plan.stored_name))
            handle.close()
    finally:
        handle.close()
        if os.path.exists(handle.name):
            os.unlink(handle.name)


# Asking for a build ------------------------------------------------------------------------------------------


class _KitBuilds:
    """One on-commit hook per transaction that sends one build per release changed in it."""

    def __init__(self) -> None:
        self.event_ids: set[int] = set()

    def __call__(self) -> None:
        for event_id in sorted(self.event_ids):
            try:
                send_kit_build(event_id)
            except Exception:
                # The change is committed: a broker that is down must not turn the editor's save into an error
                # page, nor keep the other releases' builds and the hooks queued after this one from running
                # (Django's robust on-commit handling cannot report an object that has no __qualname__).
                logger.exception(
                    "The press kit build of release %s could not be sent; it is asked for again when its zip is "
                    "downloaded.",
                    event_id,
                )


def kit_build_after_commit(event_id: int | None) -> None:
    """Build the kit of release ``event_id`` once the current transaction commits (once per release, however
    many of its photos the transaction changed). Nothing is sent when it rolls back."""
    if not event_id:
        return
    if connection.in_atomic_block:
        pending = next((hook for _ids, hook, _robust in connection.run_on_commit if isinstance(hook, _KitBuilds)), None)
        if pending is not None:
            pending.event_ids.add(event_id)
            return
    hook = _KitBuilds()
    hook.event_ids.add(event_id)
    # robust: a broker that is down must not turn an editor's committed save into an error page.
    transaction.on_commit(hook, robust=True)


def send_kit_build(event_id: int) -> None:
    """Send the build task by name (this module sits below the tasks); in-process when tasks run eagerly."""
    if BUILD_TASK not in current_app.tasks:
        # Loading the task modules runs Django's checks again: once per process, not once per upload.
        current_app.loader.import_default_modules()
    current_app.tasks[BUILD_TASK].delay(event_id)
