"""Users in the editorial roles, for the workflow and permission tests."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth.models import Group

from tests.factories import UserFactory

roles_migration = importlib.import_module("events.migrations.0003_roles")
quick_add_migration = importlib.import_module("events.migrations.0017_event_time_zone")


def ensure_roles() -> None:
    """The groups come from migration 0003; a transactional test's flush empties them, so build them again."""
    if Group.objects.filter(name="Administrator").exists():
        return
    roles_migration.create_roles(apps, None)
    quick_add_migration.grant_quick_add(apps, None)


def user_in(role: str, username: str | None = None, **kwargs):
    ensure_roles()
    user = UserFactory(username=username or role.lower().replace(" ", "-"), **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user
