"""A whole site survives export_archive and import_archive into a freshly migrated database, table for table
and file for file, two-factor login included.

The restore goes into a brand-new database that ``migrate`` has just built, as an operator would do it (role
groups, content types and permissions already there), not into the test database emptied by ``flush``.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import match_token
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cso_press.accounts.models import BackupCode, BackupCodeDevice
from cso_press.accounts.two_factor import new_backup_codes
from events.archive import DATA_NAME, MANIFEST_NAME, archived_models, excluded_models
from events.media.cleanup import is_kit_name, walk
from events.models import Attachment, AuditLogEntry, Event, SiteIdentity, TrashedEventContent
from events.services.embargo_links import embargo_link_create
from events.services.releases import (
    event_delete,
    event_publish,
    event_schedule,
    event_submit,
    event_translate,
    event_withdraw,
)
from presslist.models import Journalist, PressLinkOpen, PressSend
from subscriptions.addresses import address_hash
from subscriptions.models import Announcement, Delivery, SendingSwitch, Subscriber, Suppression, Topic
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhoneNumberFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
    UserFactory,
    make_jpeg_bytes,
)
from tests.security.archive_formats import as_format_2
from tests.storage.s3 import both_backends

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"

# What a backup leaves out, and why: migrations make content types and permissions again (other rows name
# them by natural key); sessions and django-axes' login attempts belong to the server that saw them.
NOT_CARRIED = {
    "auth.Permission",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "contenttypes.ContentType",
    "events.ArchiveJob",
    "events.CacheTagVersion",
    "events.ContentVersion",
    "sessions.Session",
}
# Of those, the ones the target's migrations make again: compared by natural key instead of id.
REMADE_BY_MIGRATIONS = {"auth.Permission", "contenttypes.ContentType"}


# --- the site -----------------------------------------------------------------------------------------------


def role(name: str) -> Group:
    # The test database may have lost the migration's role groups to an earlier test's flush.
    group, _created = Group.objects.get_or_create(name=name)
    return group


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def build_site() -> dict:
    """Content of every kind the site keeps; returns what the checks after the restore need."""
    editors = role("Editor")
    editors.permissions.add(*Permission.objects.filter(codename__in=["publish_event", "view_event"]))
    author = UserFactory(username="author", first_name="Ada")
    author.groups.add(role("Author"))
    editor = UserFactory(username="editor")
    editor.groups.add(editors)
    staff = UserFactory(username="photos")
    staff.groups.add(role("Photo and contacts staff"))
    staff.user_permissions.add(Permission.objects.get(codename="view_auditlogentry"))
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    admin.groups.add(role("Administrator"))

    # Two-factor login: an authenticator app and backup codes, one of them already used.
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    codes = new_backup_codes(editor)
    assert match_token(editor, codes[0]) is not None
    # django-otp's own static device table is no longer used for backup codes, but it is still a table of
    # the site (its admin can make rows): a backup carries whatever it holds.
    StaticDevice.objects.create(user=admin, name="Made in django-otp's admin").token_set.create(token="unused01")

    contact = PressContactFactory(name="Olga Ivanova", photo=ContentFile(make_jpeg_bytes(), name="olga.jpg"))
    PhoneNumberFactory(person=contact)
    news = SectionFactory(name="News", name_ru="Новости")
    news.default_press_contacts.add(contact)
    statements = SectionFactory(parent=news, name="Statements")
    organization = OrganizationFactory(
        name="Organisation «Ёж»", country="AT", logo=ContentFile(make_jpeg_bytes(fmt="PNG"), name="logo.png")
    )
    SiteIdentity.objects.create(
        name_en="Vienna Press Office",
        name_ru="Венская пресс-служба",
        logo=ContentFile(make_jpeg_bytes(), name="site.jpg"),
    )

    draft = EventFactory(section=news, draft=True, title="A draft", created_by=author)
    in_review = EventFactory(section=news, draft=True, title="Waiting for review", created_by=author)
    event_submit(event=in_review, user=author, note="Please check the figures.")
    published = EventFactory(section=statements, draft=True, title="Talks in Vienna — «итоги»", created_by=author)
    event_submit(event=published, user=author)
    event_publish(event=published, user=editor)
    scheduled = EventFactory(section=news, draft=True, title="Tomorrow's statement", created_by=author)
    event_submit(event=scheduled, user=author)
    event_schedule(event=scheduled, user=editor, publish_at=timezone.now() + timedelta(days=1))
    withdrawn = EventFactory(section=news, title="A mistaken release")
    event_withdraw(event=withdrawn, user=editor, reason="Published by mistake.")

    published.refresh_from_db()  # the services saved their own copy
    published.organizations.add(organization)
    EventParticipantFactory(event=published, person=PersonFactory(name="Hans Gruber"))
    EventPressContactFactory(event=published, person=contact)
    photo = PhotoFactory(event=published, caption="Two delegations", alt_text="Delegations seated")
    assert photo.renditions, "photos get their renditions on upload"
    published.cover = photo
    published.save()
    Attachment.objects.create(
        event=published,
        kind=Attachment.Kind.DOCUMENT,
        file=ContentFile(pdf_bytes(), name="Final communiqué.pdf"),
        title="Final communiqué",
    )
    event_translate(event=published, user=editor)  # a Russian draft sharing the photo's stored files
    embargo_link_create(event=draft, user=editor, expires_at=timezone.now() + timedelta(days=2), label="Agency X")
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(published.pk),
        object_repr=str(published),
        action_flag=ADDITION,
    )
    deleted = EventFactory(section=news, title="Deleted by mistake")
    PhotoFactory(event=deleted, caption="Kept in the trash")
    event_delete(event=deleted, user=editor)  # history keeps the release; the trash keeps its photo's files
    assert TrashedEventContent.objects.exists() and AuditLogEntry.objects.exists()

    # The readers' e-mail alerts and the press list: who asked for what, what was sent, who opened a link.
    reader = Subscriber.objects.create(email="reader@example.org", language="ru", confirmed_at=timezone.now())
    Topic.objects.create(subscriber=reader, kind=Topic.Kind.SECTION, section=news, target=f"section:{news.pk}")
    announcement, _ = Announcement.objects.get_or_create(event=published, update_key="")  # publishing made it
    Delivery.objects.get_or_create(announcement=announcement, subscriber=reader)
    Suppression.objects.create(address_hash=address_hash("bounced@example.org"), reason=Suppression.Reason.BOUNCE)
    SendingSwitch.objects.create(paused=False, changed_by=admin)
    journalist = Journalist.objects.create(
        name="Ida Tarbell",
        outlet="Baltic Wire",
        email="ida@example.org",
        languages="en",
        accredited_until=date(2030, 1, 1),
    )
    press_send = PressSend.objects.create(
        release=published, journalist=journalist, kind=PressSend.Kind.PUBLISHED, language="en", queued_by=editor
    )
    PressLinkOpen.objects.create(send=press_send, shown=True)

    # Throwaway state a backup leaves behind: a session and a failed login.
    Client().force_login(admin)
    Client().post(reverse("admin:login"), {"username": "author", "password": "wrong password!", "otp_token": ""})
    return {"codes": codes}


# --- what is compared ---------------------------------------------------------------------------------------


def installed_tables() -> list[type[models.Model]]:
    """Every table of every installed app, automatic many-to-many tables included."""
    return [
        model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy
    ]


def comparable(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def every_table() -> dict[str, list[tuple]]:
    """Each table's rows as sorted value tuples.

    Content types and permissions are numbered anew by the target's migrations, so they, and every link to
    them, are compared by natural key; an automatic many-to-many table's own id is not data (the pair is).
    """
    natural = {
        ContentType: {ct.pk: ct.natural_key() for ct in ContentType.objects.all()},
        Permission: {p.pk: p.natural_key() for p in Permission.objects.select_related("content_type")},
    }
    tables = {}
    for model in installed_tables():
        if model in natural:
            tables[model._meta.label] = sorted(natural[model].values())
            continue
        fields = [f for f in model._meta.concrete_fields if not (model._meta.auto_created and f.primary_key)]
        rows = []
        for values in model._base_manager.values_list(*[f.attname for f in fields]).iterator():
            rows.append(
                tuple(
                    natural[f.related_model].get(value, value)
                    if f.is_relation and f.related_model in natural
                    else comparable(value)
                    for f, value in zip(fields, values, strict=True)
                )
            )
        tables[model._meta.label] = sorted(rows, key=repr)
    return tables


def storages() -> list:
    found = {id(default_storage): default_storage}
    for model in installed_tables():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.setdefault(id(field.storage), field.storage)
    return list(found.values())


def every_file() -> dict[str, str]:
    """The SHA-256 of every file in every storage the site uses (press kits aside: made from the photos, built
    again when asked for, left out of backups)."""
    checksums = {}
    for storage in storages():
        for name in walk(storage):
            if is_kit_name(name):
                continue
            with storage.open(name, "rb") as handle:
                checksums[name] = hashlib.sha256(handle.read()).hexdigest()
    return checksums


def empty_storages() -> None:
    for storage in storages():
        for name in list(walk(storage)):
            storage.delete(name)


@contextmanager
def freshly_migrated_database(tmp_path: Path) -> Iterator[None]:
    """While inside, the site's database is a new one that ``migrate`` has just built (SQLite or PostgreSQL)."""
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(original.settings_dict)
    postgres = original.vendor == "postgresql"
    if postgres:
        settings_dict["NAME"] = f"{original.settings_dict['NAME']}_restored"
        with original.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    fresh = original.__class__(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = fresh
    ContentType.objects.clear_cache()
    try:
        call_command("migrate", interactive=False, verbosity=0)
        yield
    finally:
        fresh.close()
        connections[DEFAULT_DB_ALIAS] = original
        ContentType.objects.clear_cache()
        if postgres:
            with original.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


def sign_in(username: str, token: str) -> Client:
    client = Client()
    client.post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")},
    )
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


# --- the round trip -----------------------------------------------------------------------------------------


@both_backends
def test_a_whole_site_comes_back_table_for_table_and_file_for_file_in_a_freshly_migrated_database(
    media_backend, tmp_path
):
    facts = build_site()
    before, files_before = every_table(), every_file()
    assert set(excluded_models()) == NOT_CARRIED
    assert set(before) == {m._meta.label for m in installed_tables()}
    carried = {m._meta.label for m in archived_models()}
    empty = sorted(label for label in carried if not before[label])
    assert not empty, f"build_site() must put rows in every table a backup carries; empty: {empty}"
    # Photos with their renditions, the document, a person's photo, a logo, the trashed photo.
    assert len(files_before) >= 12
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    empty_storages()

    with freshly_migrated_database(tmp_path):
        assert Group.objects.filter(name="Editor").exists()  # what migrations put there already
        out = io.StringIO()
        call_command("import_archive", str(archive_path), stdout=out)
        after, files_after = every_table(), every_file()

        # The editor signs in to the restored site with the same authenticator app...
        device = TOTPDevice.objects.get(user__username="editor")
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        assert not is_signed_in(sign_in("editor", ""))
        assert is_signed_in(sign_in("editor", code))
        # ...or with a backup code not used before the backup; the one used before stays used (tried last: a
        # wrong code makes the devices wait before they check another).
        assert is_signed_in(sign_in("editor", facts["codes"][1]))
        assert not is_signed_in(sign_in("editor", facts["codes"][0]))
        # And readers see the release again, with its photo.
        page = Client().get(Event.objects.public().get(title="Talks in Vienna — «итоги»").get_absolute_url())
        assert page.status_code == 200
        assert "Delegations seated" in page.content.decode()

    assert f"{len(files_before)} media files" in out.getvalue()
    assert files_after == files_before
    for label in sorted(before):
        if label == "events.ContentVersion":
            # Each database has its own (made by its migration); a restore must leave a version the old cache
            # never saw, so pages cached before it are not served.
            assert len(after[label]) == 1 and after[label] != before[label]
        elif label == "events.CacheTagVersion":
            # The restore makes every cached page obsolete at once: the tag every page carries changed.
            assert [row[0] for row in after[label]] == ["all"]
        elif label in NOT_CARRIED - REMADE_BY_MIGRATIONS:
            assert after[label] == [], f"{label} is not restored"
        else:
            assert after[label] == before[label], f"{label} differs after the restore"


def as_written_before_the_backup_codes_moved(archive_path: Path) -> str:
    """Rewrite an archive as the site wrote it while the backup codes were events' models (before issue 14).

    Returns the rewritten rows, so the test can make sure there was something to rewrite.
    """
    moved = {f"accounts.{name}": f"events.{name}" for name in ("backupcodedevice", "backupcode")}

    def old(value):
        if isinstance(value, str):
            return moved.get(value, value)
        if isinstance(value, list):
            value = [old(item) for item in value]
            if value[-2:] in (["accounts", "backupcodedevice"], ["accounts", "backupcode"]):
                value[-2] = "events"
            return value
        if isinstance(value, dict):
            return {key: old(item) for key, item in value.items()}
        return value

    with zipfile.ZipFile(archive_path) as archive:
        members = as_format_2({name: archive.read(name) for name in archive.namelist()})
    data = json.dumps(old(json.loads(members[DATA_NAME])))
    members[DATA_NAME] = data.encode()
    manifest = json.loads(members[MANIFEST_NAME])
    manifest["sha256"][DATA_NAME] = hashlib.sha256(members[DATA_NAME]).hexdigest()
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive_path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return data


def test_a_backup_made_before_the_backup_codes_moved_to_accounts_restores_them_with_their_grants(tmp_path):
    editor = UserFactory(username="editor")
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    codes = new_backup_codes(editor)
    administrators = role("Administrator")
    administrators.permissions.set(Permission.objects.all())
    chief = UserFactory(username="chief")
    chief.groups.add(administrators)
    chief.user_permissions.add(Permission.objects.get(codename="view_backupcodedevice"))
    device = BackupCodeDevice.objects.get(user=editor)
    LogEntry.objects.create(
        user=chief,
        content_type=ContentType.objects.get_for_model(BackupCodeDevice),
        object_id=str(device.pk),
        object_repr=str(device),
        action_flag=ADDITION,
    )
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    rows = as_written_before_the_backup_codes_moved(archive_path)
    assert '"events.backupcodedevice"' in rows and '"accounts"' not in rows

    with freshly_migrated_database(tmp_path):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())

        assert BackupCode.objects.filter(device__user__username="editor").count() == len(codes)
        assert is_signed_in(sign_in("editor", codes[3]))
        chief = get_user_model().objects.get(username="chief")
        assert chief.has_perm("accounts.delete_backupcodedevice")
        assert chief.user_permissions.get().content_type.app_label == "accounts"
        entry = LogEntry.objects.get(user=chief)
        assert entry.get_edited_object() == BackupCodeDevice.objects.get(user__username="editor")


# --- files --------------------------------------------------------------------------------------------------


@both_backends
def test_export_fails_naming_a_file_that_the_content_refers_to_but_storage_lacks(media_backend, tmp_path):
    photo = PhotoFactory()
    default_storage.delete(photo.file.name)
    archive_path = tmp_path / "backup.zip"

    with pytest.raises(CommandError, match=f"missing: {photo.file.name}"):
        call_command("export_archive", str(archive_path), stdout=io.StringIO())
    assert not archive_path.exists()
    assert not list(tmp_path.glob("*.zip"))


def test_export_from_a_bucket_carries_every_object_and_restores_onto_local_disk(s3_media, settings, tmp_path):
    """The site moves from S3 to local disk: every object of the bucket is in the archive and comes back."""
    event = EventFactory(title="Talks in the bucket")
    PhotoFactory(event=event)
    PhotoFactory(event=event)
    PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="portrait.jpg"))
    in_bucket = {
        name: hashlib.sha256(s3_media.read(name)).hexdigest() for name in s3_media.keys() if not is_kit_name(name)
    }
    assert len(in_bucket) == 2 * 9 + 1
    archive_path = tmp_path / "backup.zip"
    out = io.StringIO()

    call_command("export_archive", str(archive_path), stdout=out)

    assert f"{len(in_bucket)} media files" in out.getvalue()
    with zipfile.ZipFile(archive_path) as archive:
        assert {name.removeprefix("media/") for name in archive.namelist() if name.startswith("media/")} == set(
            in_bucket
        )
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with freshly_migrated_database(tmp_path):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())
        assert every_file() == in_bucket
        assert {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in settings.MEDIA_ROOT.rglob("*.*")} == set(
            in_bucket
        )
        page = Client().get(Event.objects.public().get(title="Talks in the bucket").get_absolute_url())
        assert page.status_code == 200


def test_export_carries_the_files_rows_refer_to_and_leaves_stray_files_behind(settings, tmp_path):
    """Files are found through the rows that name them and read through their storage, not by listing a folder."""
    person = PersonFactory(photo=ContentFile(make_jpeg_bytes(), name="portrait.jpg"))
    archive_path = tmp_path / "backup.zip"
    settings.MEDIA_ROOT.joinpath("stray.txt").write_bytes(b"no row names me")

    call_command("export_archive", str(archive_path), stdout=io.StringIO())

    with zipfile.ZipFile(archive_path) as archive:
        names = set(archive.namelist())
    assert f"media/{person.photo.name}" in names
    assert "media/stray.txt" not in names


# --- the page cache -----------------------------------------------------------------------------------------


def test_pages_cached_before_a_restore_are_not_served_after_it(page_cache, client, tmp_path):
    EventFactory(title="Restored release")
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    empty_storages()
    all_events = reverse("events:list")
    assert "Restored release" not in client.get(all_events).content.decode()  # now in the page cache

    call_command("import_archive", str(archive_path), stdout=io.StringIO())

    assert "Restored release" in client.get(all_events).content.decode()
