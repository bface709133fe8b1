"""Tasks that exist only for the tests' workers (loaded through worker_settings.CELERY_IMPORTS)."""

import os
import time
from pathlib import Path

from celery import shared_task
from django.db import transaction

from events.media import photos
from events.models import Section


@shared_task(name="tests.two_steps")
def two_steps(key: str, folder: str) -> None:
    """Two rows in one transaction, with a pause between them until ``<folder>/release`` exists. A marker file
    ``started-<pid>`` tells the test which process is in the middle; ``done-<pid>`` that it committed."""
    folder_path = Path(folder)
    with transaction.atomic():
        Section.objects.get_or_create(slug=f"{key}-first", defaults={"name": "First step"})
        (folder_path / f"started-{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while not (folder_path / "release").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the task")
            time.sleep(0.05)
        Section.objects.get_or_create(slug=f"{key}-second", defaults={"name": "Second step"})
    (folder_path / f"done-{os.getpid()}").touch()


@shared_task(name="mail.tests_blocking")
def blocking_mail(folder: str) -> None:
    """Stands for a slow mail server: holds a `mail` worker until ``<folder>/release`` exists."""
    (Path(folder) / f"mail-started-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while not (Path(folder) / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the task")
        time.sleep(0.05)


@shared_task(name="media.tests_record")
def record_media(key: str) -> None:
    """Stands for a rendition: one row."""
    Section.objects.get_or_create(slug=key, defaults={"name": "Media step"})


def _hold_renditions(folder: Path) -> None:
    """With CSO_TEST_HOLD_RENDITIONS=<folder>, a worker's ``media.render_photo`` writes every rendition, leaves
    ``rendition-started-<pid>`` in the folder, then waits for ``<folder>/release`` before saving anything: the
    kill test kills it there, with files written and nothing committed."""
    real = photos.write_renditions

    def write_then_wait(*args, **kwargs):
        result = real(*args, **kwargs)
        (folder / f"rendition-started-{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while not (folder / "release").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the task")
            time.sleep(0.05)
        return result

    photos.write_renditions = write_then_wait


if os.environ.get("CSO_TEST_HOLD_RENDITIONS"):
    _hold_renditions(Path(os.environ["CSO_TEST_HOLD_RENDITIONS"]))
