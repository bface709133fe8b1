"""A failing file store during an upload: a clear admin message, no half-made attachment, no orphan file."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Attachment
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("fail_on_call", [1, 2, 5])
def test_storage_failure_midway_through_an_upload_leaves_nothing(
    admin_client_logged_in, settings, monkeypatch, fail_on_call
):
    event = EventFactory()
    real_save = FileSystemStorage._save
    calls = {"n": 0}

    def flaky_save(self, name, content):
        calls["n"] += 1
        if calls["n"] == fail_on_call:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", flaky_save)
    files = [SimpleUploadedFile(f"ABC_{n}.JPG", plain_jpeg(640, 480), "image/jpeg") for n in range(3)]

    response = admin_client_logged_in.post(
        reverse("admin:events_event_upload_photos", args=[event.pk]), {"files": files}
    )

    assert response.status_code == 200
    errors = [str(message) for message in response.context["form"].errors["files"]]
    assert errors == [
        "The file store could not save the upload (No space left on device). Nothing was added; please try again."
    ]
    assert Attachment.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []
    event.refresh_from_db()
    assert event.cover_id is None
