"""Issue 14: the backup code models moved from ``events`` to ``cso_press.accounts`` by migration state only.

A database that was at events 0012, with backup codes in it, is migrated forward: an unused code still signs its
owner in (and one used before the move does not), the Administrator role still holds every permission on them (the
same permission rows, now under ``accounts``), the admin's history still finds the device, and an
administrator can still open and delete it. Going back to 0012 gives ``events`` its content types back.
"""

import importlib

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cso_press.accounts.models import BackupCode, BackupCodeDevice, backup_code_digest

PASSWORD = "correct horse battery"
BEFORE_THE_MOVE = [("events", "0012_administrator_permissions")]
administrator_permissions = importlib.import_module("events.migrations.0012_administrator_permissions")


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets or executor.loader.graph.leaf_nodes()).apps


def permission_ids(app_label: str) -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label=app_label, content_type__model="backupcodedevice")
        .values_list("codename", "pk")
        .order_by("codename")
    )


def sign_in(username: str, code: str):
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "otp_token": code, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.fixture
def back_to_the_latest_migrations(transactional_db):
    """Whatever a test leaves behind, the next one finds the database fully migrated."""
    yield
    migrate_to(None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_migrations")
def test_backup_codes_grants_and_history_survive_the_move_from_events_to_accounts():
    old_apps = migrate_to(BEFORE_THE_MOVE)
    # As events 0012 left it: the Administrator role holds every permission, backup codes included.
    administrator_permissions.grant_everything(old_apps, None)
    User = old_apps.get_model("auth", "User")
    owner = User.objects.create(username="editor", is_staff=True)
    chief = User.objects.create(username="chief", is_staff=True)
    chief.groups.add(old_apps.get_model("auth", "Group").objects.get(name="Administrator"))
    device = old_apps.get_model("events", "BackupCodeDevice").objects.create(
        user=owner, name="Backup codes", confirmed=True
    )
    codes = old_apps.get_model("events", "BackupCode").objects
    codes.create(device=device, code_hash=backup_code_digest("abcd2345"))
    codes.create(device=device, code_hash=backup_code_digest("efgh6723"), used_at=timezone.now())
    content_type = old_apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="events", model="backupcodedevice"
    )
    LogEntry.objects.create(
        user_id=chief.pk,
        content_type_id=content_type.pk,
        object_id=str(device.pk),
        object_repr="Backup codes",
        action_flag=CHANGE,
    )
    granted_before = permission_ids("events")
    assert set(granted_before) == {f"{verb}_backupcodedevice" for verb in ("add", "change", "delete", "view")}

    migrate_to(None)
    ContentType.objects.clear_cache()

    # The same rows: content type and permissions renamed, not made again, so every grant still points at them.
    assert ContentType.objects.get_for_model(BackupCodeDevice).pk == content_type.pk
    assert permission_ids("accounts") == granted_before
    assert permission_ids("events") == {}
    assert BackupCode.objects.filter(device_id=device.pk).count() == 2
    administrator = Group.objects.get(name="Administrator")
    assert set(granted_before.values()) <= set(administrator.permissions.values_list("pk", flat=True))
    chief = get_user_model().objects.get(pk=chief.pk)
    assert chief.has_perm("accounts.delete_backupcodedevice")
    assert LogEntry.objects.get(object_id=str(device.pk)).get_edited_object() == BackupCodeDevice.objects.get()

    # The owner's codes still sign in once each; the code used before the move stays used.
    owner = get_user_model().objects.get(pk=owner.pk)
    owner.set_password(PASSWORD)
    owner.save()
    TOTPDevice.objects.create(user=owner, name="Phone", confirmed=True)
    assert sign_in("editor", "ABCD-2345").status_code == 302
    assert sign_in("editor", "EFGH-6723").status_code == 200
    assert not BackupCode.objects.filter(used_at__isnull=True).exists()

    # An administrator in the Administrator role (no superuser flag) opens the device in the admin, and deletes it.
    chief.set_password(PASSWORD)
    chief.save()
    admin = Client()
    admin.force_login(chief)
    listing = admin.get(reverse("admin:accounts_backupcodedevice_changelist"))
    assert listing.status_code == 200
    assert "editor" in listing.content.decode()
    delete_url = reverse("admin:accounts_backupcodedevice_delete", args=[device.pk])
    assert admin.post(delete_url, {"post": "yes"}).status_code == 302
    assert not BackupCodeDevice.objects.exists()
    assert not BackupCode.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_migrations")
def test_going_back_before_the_move_gives_events_its_content_types_and_permissions_back():
    moved = permission_ids("accounts")
    content_type = ContentType.objects.get(app_label="accounts", model="backupcodedevice")

    migrate_to(BEFORE_THE_MOVE)

    assert permission_ids("events") == moved
    assert not ContentType.objects.filter(app_label="accounts", model="backupcodedevice").exists()
    assert ContentType.objects.filter(app_label="events", model="backupcodedevice").get().pk == content_type.pk
    migrate_to(None)
    assert permission_ids("accounts") == moved
