"""Backups: export_archive and import_archive round-trip every row and every media file."""

import hashlib
import io
import json
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.archive import FullPrecisionEncoder, archived_models
from events.media.cleanup import is_kit_name
from events.models import AuditLogEntry, EmbargoLink, Event
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PhoneNumberFactory,
    PhotoFactory,
    SectionFactory,
    UserFactory,
)
from tests.security.archive_formats import as_format_2

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = f"rows/{[model._meta.label for model in archived_models()].index('events.Event') + 1:04d}-events.event.jsonl"


def make_content():
    editor = UserFactory(username="editor")
    group = Group.objects.create(name="Editors")
    group.permissions.add(*Permission.objects.filter(codename__in=["change_event", "view_event"]))
    editor.groups.add(group)
    parent = SectionFactory(name="News", description="All the news.", name_ru="Новости")
    child = SectionFactory(parent=parent, name="Statements")
    organization = OrganizationFactory(name="Organisation «Ёж»", country="AT")
    published = EventFactory(section=child, title="Talks in Vienna — «итоги»", created_by=editor)
    published.organizations.add(organization)
    draft = EventFactory(section=parent, draft=True, body="<p>Not yet <strong>public</strong>.</p>")
    EventParticipantFactory(event=published)
    contact = EventPressContactFactory(event=published).person
    PhoneNumberFactory(person=contact)
    photo = PhotoFactory(event=published, caption="Two delegations", alt_text="Delegations seated")
    published.cover = photo
    published.save()
    PhotoFactory(event=draft)
    AuditLogEntry.objects.create(action="events.event.published", event=published, actor=editor, to_status="published")
    EmbargoLink.objects.create(event=draft, label="Agency X", expires_at=timezone.now() + timedelta(days=2))
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(published.pk),
        object_repr=str(published),
        action_flag=ADDITION,
    )


def snapshot_rows() -> dict[str, list]:
    return {
        model._meta.label: json.loads(
            serializers.serialize(
                "json", model._base_manager.order_by("pk"), use_natural_foreign_keys=True, cls=FullPrecisionEncoder
            )
        )
        for model in archived_models()
    }


def snapshot_files(root: Path) -> dict[str, str]:
    # Press kits are made from the photos and built again when asked for: backups leave them out (media.kits).
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not is_kit_name(path.relative_to(root).as_posix())
    }


def empty_everything(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root, ignore_errors=True)
    media_root.mkdir(parents=True)


def test_export_then_import_into_an_empty_database_restores_every_row_and_file(settings, tmp_path):
    make_content()
    rows_before = snapshot_rows()
    files_before = snapshot_files(settings.MEDIA_ROOT)
    assert rows_before["events.Event"] and rows_before["events.HistoricalEvent"] and rows_before["auth.User"]
    assert len(files_before) >= 2
    archive_path = tmp_path / "backup.zip"

    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    empty_everything(settings.MEDIA_ROOT)
    assert Event.objects.count() == 0
    out = io.StringIO()
    call_command("import_archive", str(archive_path), stdout=out)

    assert snapshot_rows() == rows_before
    assert snapshot_files(settings.MEDIA_ROOT) == files_before
    assert f"{len(files_before)} media files" in out.getvalue()
    assert Event.objects.public().get().title == "Talks in Vienna — «итоги»"
    # Sequences were moved past the restored ids: new content can be added straight away.
    assert EventFactory().pk > max(row["pk"] for row in rows_before["events.Event"])


def test_manifest_lists_a_checksum_for_the_data_and_every_media_file(settings, tmp_path):
    make_content()
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())

    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        for name, checksum in manifest["sha256"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == checksum

    expected_media = {"media/" + name for name in snapshot_files(settings.MEDIA_ROOT)}
    tables = {table["member"] for table in manifest["tables"]}
    assert [table["model"] for table in manifest["tables"]] == [model._meta.label for model in archived_models()]
    assert all(member.startswith("rows/") and member.endswith(".jsonl") for member in tables)
    assert set(manifest["sha256"]) == {*tables, *expected_media}
    assert names == {"manifest.json", *tables, *expected_media}
    assert manifest["format"] == 3
    assert manifest["rows"]["events.Event"] == 2


def rewrite_archive(source: Path, destination: Path, change) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(destination, "w") as altered:
        members = {name: original.read(name) for name in original.namelist()}
        for name, data in change(members).items():
            altered.writestr(name, data)


def test_an_altered_archive_is_refused_before_anything_is_written(settings, tmp_path):
    make_content()
    archive_path, altered_path = tmp_path / "backup.zip", tmp_path / "altered.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())

    def tamper(members):
        members[EVENTS] = members[EVENTS].replace(b"Talks in Vienna", b"Defaced title!!")
        return members

    rewrite_archive(archive_path, altered_path, tamper)
    empty_everything(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match=f"Checksum mismatch for {EVENTS}"):
        call_command("import_archive", str(altered_path), stdout=io.StringIO())
    assert Event.objects.count() == 0
    assert snapshot_files(settings.MEDIA_ROOT) == {}


def test_an_archive_with_a_path_escaping_the_media_folder_is_refused(settings, tmp_path):
    make_content()
    archive_path, altered_path = tmp_path / "backup.zip", tmp_path / "escape.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())

    def escape(members):
        payload = b"owned"
        manifest = json.loads(members["manifest.json"])
        manifest["sha256"]["media/../../escaped.txt"] = hashlib.sha256(payload).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
        members["media/../../escaped.txt"] = payload
        return members

    rewrite_archive(archive_path, altered_path, escape)
    empty_everything(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match="unsafe path"):
        call_command("import_archive", str(altered_path), stdout=io.StringIO())
    assert not (settings.MEDIA_ROOT.parent.parent / "escaped.txt").exists()
    assert Event.objects.count() == 0


def test_import_refuses_a_database_that_already_has_content(tmp_path):
    make_content()
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    titles = sorted(Event.objects.values_list("title", flat=True))

    with pytest.raises(CommandError, match=r"already holds content: .*events\.Event \(2\)"):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())
    assert sorted(Event.objects.values_list("title", flat=True)) == titles


def test_an_archive_lacking_a_file_its_rows_name_is_refused_and_nothing_is_restored(settings, tmp_path):
    make_content()
    archive_path, altered_path = tmp_path / "backup.zip", tmp_path / "incomplete.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    photo_name = Event.objects.exclude(cover=None).get().cover.file.name

    def drop_photo(members):
        manifest = json.loads(members["manifest.json"])
        del manifest["sha256"]["media/" + photo_name]
        members["manifest.json"] = json.dumps(manifest).encode()
        del members["media/" + photo_name]
        return members

    rewrite_archive(archive_path, altered_path, drop_photo)
    empty_everything(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match=f"lacks 1 file\\(s\\) its rows refer to: {photo_name}"):
        call_command("import_archive", str(altered_path), stdout=io.StringIO())
    assert Event.objects.count() == 0
    assert snapshot_files(settings.MEDIA_ROOT) == {}


def test_export_refuses_to_overwrite_an_existing_file_without_force(tmp_path):
    archive_path = tmp_path / "backup.zip"
    archive_path.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("export_archive", str(archive_path), stdout=io.StringIO())
    assert archive_path.read_bytes() == b"an older backup"


def test_import_of_something_that_is_not_an_archive_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip file")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_archive", str(bogus), stdout=io.StringIO())


def test_the_demo_content_round_trips_row_for_row_and_file_for_file(settings, tmp_path):
    """The issue's own check: the whole demo (releases, translations, photos, renditions, PDFs) survives."""
    call_command("load_demo", quiet=True, stdout=io.StringIO())
    rows_before = snapshot_rows()
    files_before = snapshot_files(settings.MEDIA_ROOT)
    assert len(rows_before["events.Event"]) >= 80
    assert len(rows_before["events.Attachment"]) >= 50
    assert len(files_before) >= 100  # photos, their renditions and the documents
    archive_path = tmp_path / "demo.zip"

    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    empty_everything(settings.MEDIA_ROOT)
    call_command("import_archive", str(archive_path), stdout=io.StringIO())

    assert snapshot_rows() == rows_before
    assert snapshot_files(settings.MEDIA_ROOT) == files_before


def test_timestamps_keep_every_microsecond_through_a_backup(settings, tmp_path):
    event = EventFactory()
    # Under a millisecond: Django's own JSON encoder would write 10:00:00.000 and read back 10:00:00.
    stamp = timezone.now().replace(microsecond=123)
    Event.objects.filter(pk=event.pk).update(created_at=stamp, publish_at=stamp.replace(microsecond=456789))
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    empty_everything(settings.MEDIA_ROOT)
    call_command("import_archive", str(archive_path), stdout=io.StringIO())

    restored = Event.objects.get(pk=event.pk)
    assert restored.created_at == stamp
    assert restored.publish_at == stamp.replace(microsecond=456789)


def test_an_archive_of_the_first_format_still_restores_with_its_whole_media_folder(settings, tmp_path):
    """Format 1 carried every file of the media folder, even ones no row named; they come back where they were."""
    make_content()
    archive_path, old_path = tmp_path / "backup.zip", tmp_path / "format-1.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    files_before = snapshot_files(settings.MEDIA_ROOT)

    def as_format_1(members):
        stray = b"a file no row names"
        members = as_format_2(members)
        manifest = json.loads(members["manifest.json"])
        manifest["format"] = 1
        manifest["sha256"]["media/notes/stray.txt"] = hashlib.sha256(stray).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
        members["media/notes/stray.txt"] = stray
        return members

    rewrite_archive(archive_path, old_path, as_format_1)
    empty_everything(settings.MEDIA_ROOT)
    call_command("import_archive", str(old_path), stdout=io.StringIO())

    assert snapshot_files(settings.MEDIA_ROOT) == {
        **files_before,
        "notes/stray.txt": hashlib.sha256(b"a file no row names").hexdigest(),
    }
    assert Event.objects.public().get().title == "Talks in Vienna — «итоги»"
