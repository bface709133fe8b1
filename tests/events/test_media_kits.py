"""Press kits prepared per version (issue 15, point 4): the zip of a release's photos is built by a task when
its photos change, kept in storage under a name that is its version, and downloaded like any stored file
(a redirect to the bucket, X-Accel-Redirect behind nginx: tests/deploy/test_nginx.py). The zip is streamed
through the application only while the current kit is not built yet."""

import io
import socket
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone

from events import tasks
from events.media import kits
from events.media.cleanup import find_orphans
from events.media.links import grant_query, grant_token
from events.models import Attachment, Event
from events.services import embargo_links, releases
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, PhotoFactory, UserFactory
from tests.storage.s3 import both_backends, fetch

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
DAY = "2026-03-14"


def kit_files(stored_files) -> list[str]:
    return [name for name in stored_files() if name.startswith("private/kits/")]


def commit() -> None:
    """What a commit runs: the after-commit hooks registered so far (the test's own transaction never commits,
    and a commit runs every hook of the transaction, not only those of the last statements)."""
    hooks, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _savepoints, hook, _robust in hooks:
        hook()


@pytest.fixture
def disk_files(settings):
    root = settings.MEDIA_ROOT
    return lambda: sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def zip_url(event) -> str:
    return reverse("events:photos-zip", kwargs={"slug": event.slug})


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", title="Summit in Minsk", starts_at=STARTS, location="Minsk")
    photos = [
        PhotoFactory(
            event=event,
            position=position,
            file=ContentFile(plain_jpeg(color=color), name=f"IMG_{position}.JPG"),
            caption=f"Caption {position}",
            credit=f"Photographer {position}",
        )
        for position, color in ((20, "#aa0000"), (10, "#00aa00"))
    ]
    return event, photos


@both_backends
def test_the_built_kit_holds_every_photo_in_gallery_order_and_the_captions_file(media_backend, stored_files, summit):
    event, photos = summit

    name = tasks.build_press_kit(event.pk)

    assert kit_files(stored_files) == [name]
    assert name.startswith(f"private/kits/{event.pk}/") and name.endswith(".zip")
    members = zip_members(read_stored(name))
    assert list(members) == [f"{DAY}-summit-captions.txt", f"{DAY}-summit-01.jpg", f"{DAY}-summit-02.jpg"]
    assert members[f"{DAY}-summit-01.jpg"] == read_stored(photos[1].file.name)  # position 10 comes first
    assert members[f"{DAY}-summit-02.jpg"] == read_stored(photos[0].file.name)
    text = members[f"{DAY}-summit-captions.txt"].decode("utf-8")
    assert text.splitlines()[:3] == ["Summit in Minsk", "March 14, 2026", "Minsk"]
    assert f"{DAY}-summit-01.jpg\r\nCaption: Caption 10\r\nCredit: Photographer 10\r\n" in text


def test_a_russian_release_has_its_captions_file_in_russian_whoever_asks(client):
    event = EventFactory(slug="sammit", language="ru", starts_at=STARTS)
    PhotoFactory(event=event, caption="Делегации", credit="Пресс-служба")

    name = tasks.build_press_kit(event.pk)

    text = zip_members(read_stored(name))[f"{DAY}-sammit-captions.txt"].decode("utf-8")
    assert "Подпись: Делегации" in text
    assert "14 марта 2026" in text


@both_backends
def test_the_zip_address_answers_with_the_prepared_kit_from_storage(media_backend, client, summit):
    event, _photos = summit
    name = tasks.build_press_kit(event.pk)

    response = client.get(zip_url(event))

    if media_backend is None:
        assert isinstance(response, FileResponse)  # a file from disk (or X-Accel-Redirect behind nginx)
        assert response["Content-Length"] == str(default_storage.size(name))
        assert response["Content-Disposition"] == f'attachment; filename="{DAY}-summit-photos.zip"'
    else:
        assert response.status_code == 302 and media_backend.owns(response["Location"])
        assert "X-Amz-Expires=120" in response["Location"]  # DJANGO_MEDIA_PRESIGNED_SECONDS in the tests
    assert response["Cache-Control"] == "no-cache"  # the address stays, its content changes with the photos
    status, body = fetch(client, zip_url(event))
    assert status == 200
    assert body == read_stored(name)


def test_behind_nginx_the_prepared_kit_is_an_x_accel_redirect(client, settings, summit):
    settings.CSO_MEDIA_ACCEL_PREFIX = "/_protected_media/"
    event, _photos = summit
    name = tasks.build_press_kit(event.pk)

    response = client.get(zip_url(event))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{name}"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{DAY}-summit-photos.zip"'
    assert response.content == b""


def test_until_the_kit_is_built_the_zip_is_streamed_and_the_build_is_asked_for(client, summit, monkeypatch):
    event, photos = summit
    sent = []
    monkeypatch.setattr(kits, "send_kit_build", sent.append)
    commit()  # the photos are in; their build is sent, but the workers are behind
    sent.clear()

    response = client.get(zip_url(event))
    streamed = b"".join(response.streaming_content)

    assert not isinstance(response, FileResponse) and not response.has_header("Content-Length")
    assert list(zip_members(streamed)) == [
        f"{DAY}-summit-captions.txt",
        f"{DAY}-summit-01.jpg",
        f"{DAY}-summit-02.jpg",
    ]
    commit()
    assert sent == [event.pk]
    tasks.build_press_kit(event.pk)  # the worker runs it
    answer = client.get(zip_url(event))
    assert isinstance(answer, FileResponse)
    # The streamed zip and the kit hold the same files: one version of the kit, however it was delivered.
    assert zip_members(b"".join(answer.streaming_content)) == zip_members(streamed)


@both_backends
def test_a_changed_caption_makes_a_new_kit_and_removes_the_old_one(media_backend, stored_files, client, summit):
    event, photos = summit
    commit()
    old = tasks.build_press_kit(event.pk)

    photos[0].caption = "A better caption"
    photos[0].save()
    commit()

    [new] = kit_files(stored_files)
    assert new != old
    status, body = fetch(client, zip_url(event))
    assert status == 200
    assert "Caption: A better caption" in zip_members(body)[f"{DAY}-summit-captions.txt"].decode("utf-8")


@both_backends
def test_a_removed_photo_is_never_in_the_zip_again(media_backend, stored_files, client, summit, monkeypatch):
    event, photos = summit
    commit()
    tasks.build_press_kit(event.pk)
    removed_bytes = read_stored(photos[1].file.name)
    sent = []
    monkeypatch.setattr(kits, "send_kit_build", sent.append)

    # Removed while the workers are behind: the old kit is still in storage but is not this version.
    photos[1].delete()
    commit()
    status, body = fetch(client, zip_url(event))
    assert status == 200
    members = zip_members(body)
    assert list(members) == [f"{DAY}-summit-captions.txt", f"{DAY}-summit-01.jpg"]
    assert removed_bytes not in members.values()

    monkeypatch.undo()
    for event_id in sent:
        tasks.build_press_kit(event_id)  # the worker catches up
    [kit] = kit_files(stored_files)
    assert list(zip_members(read_stored(kit))) == [f"{DAY}-summit-captions.txt", f"{DAY}-summit-01.jpg"]


def test_a_release_without_photos_has_no_zip_and_loses_its_kit_with_its_last_photo(client, disk_files, summit):
    event, photos = summit
    tasks.build_press_kit(event.pk)

    for photo in photos:
        photo.delete()
    commit()

    assert client.get(zip_url(event)).status_code == 404
    assert kit_files(disk_files) == []


@both_backends
def test_a_private_release_kit_is_refused_to_the_public_and_never_kept_by_a_cache(media_backend, client):
    event = EventFactory(slug="draft-summit", starts_at=STARTS, draft=True)
    PhotoFactory(event=event)
    name = tasks.build_press_kit(event.pk)
    assert default_storage.exists(name)

    assert client.get(zip_url(event)).status_code == 404

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(zip_url(event))
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    status, body = fetch(client, zip_url(event))
    assert status == 200
    assert body == read_stored(name)


def test_one_build_is_sent_per_release_and_transaction_and_none_after_a_rollback(monkeypatch):
    sent = []
    monkeypatch.setattr(kits, "send_kit_build", sent.append)
    first, second = EventFactory(), EventFactory()
    commit()

    for _ in range(3):
        PhotoFactory(event=first)
    PhotoFactory(event=second)
    first.title = "A new title"
    first.save()
    commit()
    assert sorted(sent) == sorted([first.pk, second.pk])

    sent.clear()
    try:
        with transaction.atomic():
            PhotoFactory(event=first)
            raise RuntimeError("the editor's save failed")
    except RuntimeError:
        pass
    commit()
    assert sent == []

    first.save(update_fields=["lead"])  # not in the kit
    commit()
    assert sent == []


def test_a_second_build_of_the_same_version_stores_nothing_again(disk_files, summit, monkeypatch):
    event, _photos = summit
    name = tasks.build_press_kit(event.pk)
    modified = default_storage.get_modified_time(name)
    writes = []
    monkeypatch.setattr(kits, "_write_kit", lambda *args: writes.append(args))

    assert tasks.build_press_kit(event.pk) == name

    assert writes == []
    assert default_storage.get_modified_time(name) == modified
    assert kit_files(disk_files) == [name]  # and no temporary file is left next to it


def test_a_build_asked_for_while_another_runs_is_left_to_the_running_one(disk_files, summit, monkeypatch):
    event, photos = summit
    lock = f"cso-press:kit-build:{event.pk}"
    cache.add(lock, "another worker")

    assert tasks.build_press_kit(event.pk) is None
    assert kit_files(disk_files) == []

    # The running build changes a caption half-way (as an editor would); it builds again before it returns.
    cache.delete(lock)
    real_write = kits._write_kit
    edited = []

    def write_then_edit(plan, storage):
        real_write(plan, storage)
        if not edited:
            edited.append(Event.objects.get(pk=event.pk))
            photos[0].caption = "Edited while building"
            photos[0].save()

    monkeypatch.setattr(kits, "_write_kit", write_then_edit)
    name = tasks.build_press_kit(event.pk)

    assert kit_files(disk_files) == [name]
    assert "Edited while building" in zip_members(read_stored(name))[f"{DAY}-summit-captions.txt"].decode("utf-8")


@both_backends
def test_the_orphan_sweep_takes_the_kits_of_deleted_releases_and_leaves_the_others(media_backend, summit):
    event, _photos = summit
    kept = tasks.build_press_kit(event.pk)
    gone = EventFactory(slug="gone")
    PhotoFactory(event=gone)
    orphan = tasks.build_press_kit(gone.pk)

    gone.delete()

    orphans = find_orphans(default_storage)
    assert orphan in orphans
    assert kept not in orphans


def test_a_deleted_release_loses_its_kit_once_the_deletion_is_committed(disk_files, summit):
    event, _photos = summit
    commit()
    assert len(kit_files(disk_files)) == 1

    releases.event_delete(event=event, user=UserFactory(is_staff=True, is_superuser=True))
    commit()

    assert kit_files(disk_files) == []


def test_an_unreachable_bucket_makes_the_zip_a_503_to_retry_not_a_server_error(s3_media, settings, client, summit):
    event, _photos = summit
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**settings.STORAGES["default"]["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{port}", "max_attempts": 1}
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}

    response = client.get(zip_url(event))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"


@both_backends
def test_an_embargo_link_holder_gets_the_prepared_kit_privately_until_the_link_is_revoked(media_backend, client):
    event = EventFactory(slug="embargoed-summit", starts_at=STARTS, scheduled=True)
    PhotoFactory(event=event)
    name = tasks.build_press_kit(event.pk)
    editor = UserFactory(is_staff=True, is_superuser=True)
    link = embargo_links.embargo_link_create(
        event=event, user=editor, expires_at=timezone.now() + timedelta(hours=6), label="Agency"
    )
    token = grant_token(link_id=link.pk, event_id=event.pk, until=int(link.expires_at.timestamp()))
    address = zip_url(event) + grant_query(token)

    response = client.get(address)
    status, body = fetch(client, address)

    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert (status, body) == (200, read_stored(name))
    assert client.get(zip_url(event)).status_code == 404  # the same address without the grant

    embargo_links.embargo_link_revoke(link=link, user=editor)

    assert client.get(address).status_code == 404


def test_no_kit_is_built_while_a_photo_of_the_release_is_processing_and_the_last_ready_one_builds_it(
    disk_files, summit
):
    event, photos = summit
    waiting = photos[-1]
    Attachment.objects.filter(pk=waiting.pk).update(state=Attachment.State.PROCESSING)

    # Sixty photos becoming ready one by one would otherwise build sixty ever larger zips.
    assert tasks.build_press_kit(event.pk) is None
    assert kit_files(disk_files) == []

    waiting.refresh_from_db()
    waiting.state = Attachment.State.READY
    waiting.save(update_fields=["state"])
    commit()  # the photo's ready save asks for the build after its commit (in-process here)

    [name] = kit_files(disk_files)
    photo_members = [member for member in zip_members(read_stored(name)) if not member.endswith(".txt")]
    assert len(photo_members) == len(photos)
