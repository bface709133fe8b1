"""Press kits built by real `celery worker` processes on Redis and RabbitMQ: two workers building the same
version at once leave one whole kit and nothing else (each worker has its own cache here, so the build lock
does not keep them apart: the atomic rename does)."""

import io
import zipfile
from pathlib import Path

from django.core.files.base import ContentFile

from events.media import kits
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, PhotoFactory

from .conftest import wait_until


def test_two_workers_building_one_kit_at_once_leave_one_whole_kit(workers, sender, settings, monkeypatch):
    monkeypatch.setattr(kits, "send_kit_build", lambda event_id: None)  # the workers build, not this process
    event = EventFactory(slug="summit")
    for position in range(3):
        PhotoFactory(event=event, position=position, file=ContentFile(plain_jpeg(), name=f"p{position}.jpg"))
    folder = Path(settings.MEDIA_ROOT) / "private" / "kits" / str(event.pk)
    one = workers.start("one", queues="media")
    two = workers.start("two", queues="media")

    sender.send_task("media.build_press_kit", args=[event.pk])
    sender.send_task("media.build_press_kit", args=[event.pk])

    def succeeded():
        return sum(log.read_text(errors="replace").count(" succeeded in ") for log in (one.log, two.log))

    wait_until(lambda: succeeded() == 2, what="both builds to finish", logs=workers.logs)
    [kit] = folder.iterdir()  # no second copy, no temporary file
    with zipfile.ZipFile(io.BytesIO(kit.read_bytes())) as archive:
        assert archive.testzip() is None
        assert len(archive.namelist()) == 4
    assert kit.name == f"{kits.kit_plan(event).digest}.zip"
