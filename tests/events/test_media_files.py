"""Files and records stay consistent: deletes clean up after commit, orphans are reported (acceptance 7)."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from events.media import photos
from events.media.stored import stored_names
from events.models import Attachment
from events.services.releases import event_delete
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, PhotoFactory, UserFactory, photo_shared_with_translation
from tests.storage.s3 import both_backends

pytestmark = pytest.mark.django_db


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@both_backends
def test_every_photo_has_its_file_and_eight_renditions_stored(stored_files, settings):
    photo = PhotoFactory()

    assert stored_files() == sorted(stored_names(photo))
    assert len(stored_names(photo)) == 9


@both_backends
def test_deleting_an_attachment_removes_its_files_after_commit(
    stored_files, settings, django_capture_on_commit_callbacks
):
    keep = PhotoFactory()
    photo = PhotoFactory(event=keep.event)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo.delete()
        assert stored_files() == sorted(stored_names(keep) | stored_names(photo))
    for callback in callbacks:
        callback()

    assert stored_files() == sorted(stored_names(keep))


@both_backends
def test_deleting_an_event_keeps_its_files_for_the_trash_and_purging_the_trash_removes_them(
    stored_files, settings, django_capture_on_commit_callbacks, time_machine
):
    other = PhotoFactory()
    event = EventFactory()
    PhotoFactory.create_batch(3, event=event)
    everything = stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        event_delete(event=event, user=UserFactory())

    # Restorable from the trash: the rows are gone, the files stay.
    assert Attachment.objects.count() == 1
    assert stored_files() == everything

    time_machine.move_to(timezone.now() + timedelta(days=settings.CSO_TRASH_DAYS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", verbosity=0)

    assert stored_files() == sorted(stored_names(other))


def test_a_delete_that_is_rolled_back_keeps_the_files(settings, django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    before = files_under(settings.MEDIA_ROOT)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                Attachment.objects.get(pk=photo.pk).delete()
                raise RuntimeError("changed my mind")

    assert callbacks == []
    assert files_under(settings.MEDIA_ROOT) == before
    assert Attachment.objects.filter(pk=photo.pk).exists()


@both_backends
def test_files_shared_with_a_translation_stay_until_the_last_record_goes(
    stored_files, settings, django_capture_on_commit_callbacks
):
    photo = PhotoFactory()
    copy = photo_shared_with_translation(photo)
    shared = sorted(stored_names(photo))

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert stored_files() == shared

    with django_capture_on_commit_callbacks(execute=True):
        copy.delete()
    assert stored_files() == []


def test_orphan_report_lists_planted_files_and_deletes_only_with_the_flag(settings, capsys):
    photo = PhotoFactory()
    planted = ["attachments/2020/01/forgotten.jpg", "renditions/2020/01/forgotten-thumb.webp", "stray.txt"]
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    for name in planted:
        default_storage.save(name, ContentFile(b"left behind"))
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    fresh = default_storage.save("attachments/2020/01/uploading-now.jpg", ContentFile(b"in progress"))

    call_command("find_orphan_files")

    output = capsys.readouterr().out
    assert output.splitlines() == [
        *sorted(planted),
        "Found 3 orphaned file(s). Run again with --delete to remove them.",
    ]
    assert fresh not in output
    assert set(planted) <= set(files_under(settings.MEDIA_ROOT))

    call_command("find_orphan_files", "--delete")

    assert files_under(settings.MEDIA_ROOT) == sorted(stored_names(photo) | {fresh})
    call_command("find_orphan_files", "--min-age-minutes", "0")
    assert capsys.readouterr().out.splitlines()[-2:] == [
        fresh,
        "Found 1 orphaned file(s). Run again with --delete to remove them.",
    ]


@both_backends
def test_regenerate_renditions_rebuilds_every_size_and_removes_the_old_files(
    stored_files, settings, django_capture_on_commit_callbacks, capsys
):
    photo = PhotoFactory(file=ContentFile(plain_jpeg(1200, 800), name="a.jpg"))
    old = stored_names(photo) - {photo.file.name}
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(photos.RENDITION_SPECS, "thumb", photos.RenditionSpec((200, 200)))
        with django_capture_on_commit_callbacks(execute=True):
            call_command("regenerate_renditions")

    photo.refresh_from_db()
    assert (photo.renditions["thumb"]["width"], photo.renditions["thumb"]["height"]) == (200, 133)
    assert photo.renditions["file_is_clean"] is True
    assert stored_files() == sorted(stored_names(photo))
    assert not old & set(stored_files())
    assert "Renditions rebuilt for 1 stored photo(s); 0 failed." in capsys.readouterr().out


def test_regenerate_missing_only_touches_photos_without_renditions(django_capture_on_commit_callbacks, capsys):
    done = PhotoFactory()
    bare = PhotoFactory()
    Attachment.objects.filter(pk=bare.pk).update(renditions={})

    with django_capture_on_commit_callbacks(execute=True):
        call_command("regenerate_renditions", "--missing")

    done_after = Attachment.objects.get(pk=done.pk)
    bare.refresh_from_db()
    assert done_after.renditions == done.renditions
    assert set(bare.renditions) == {"thumb", "medium", "large", "social", "file_is_clean"}
    assert "Renditions rebuilt for 1 stored photo(s); 0 failed." in capsys.readouterr().out
