"""Files stored before release files became private are moved under private/ by one idempotent command, and
the directory's portraits and logos are never taken for orphans."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from events.media.cleanup import find_orphans
from events.media.stored import stored_names
from events.models import Attachment
from tests.factories import OrganizationFactory, PersonFactory, PhotoFactory, make_jpeg_bytes

pytestmark = pytest.mark.django_db


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def move_to_old_layout(photo: Attachment) -> Attachment:
    """Put a photo's files where uploads went before (attachments/…, renditions/…), as an old site has them."""
    mapping = {}
    for name in stored_names(photo):
        old = name.removeprefix("private/")
        with default_storage.open(name) as source:
            default_storage.save(old, source)
        default_storage.delete(name)
        mapping[name] = old
    renditions = {
        size: {k: mapping.get(v, v) for k, v in entry.items()} if isinstance(entry, dict) else entry
        for size, entry in photo.renditions.items()
    }
    Attachment.objects.filter(pk=photo.pk).update(file=mapping[photo.file.name], renditions=renditions)
    return Attachment.objects.get(pk=photo.pk)


def test_old_release_files_move_under_private_and_the_records_follow(
    settings, client, capsys, django_capture_on_commit_callbacks
):
    photo = move_to_old_layout(PhotoFactory())
    old_names = sorted(stored_names(photo))
    assert all(name.startswith(("attachments/", "renditions/")) for name in old_names)
    # Before the move the checked address still serves the old path.
    thumb = photo.renditions["thumb"]["jpeg"].rsplit("/", 1)[-1]
    assert client.get(f"/files/{photo.pk}/thumb-jpeg/{thumb}").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_release_files_private")

    photo.refresh_from_db()
    assert sorted(stored_names(photo)) == sorted(f"private/{name}" for name in old_names)
    assert files_under(settings.MEDIA_ROOT) == sorted(stored_names(photo))
    assert client.get(f"/files/{photo.pk}/thumb-jpeg/{thumb}").status_code == 200
    assert "Moved 9 file(s) under private/." in capsys.readouterr().out

    call_command("make_release_files_private")
    assert "Moved 0 file(s) under private/." in capsys.readouterr().out


def test_portraits_and_logos_are_not_orphans():
    person = PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="p.jpg"))
    organization = OrganizationFactory(logo=ContentFile(make_jpeg_bytes(), name="l.jpg"))

    assert find_orphans() == []
    assert person.photo.name.startswith("people/") and organization.logo.name.startswith("logos/")
