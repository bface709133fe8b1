"""Editors read each release's e-mail send log (announcements and deliveries) and may send a test to themselves;
Administrators already hold every permission of the app (0002)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = ["view_announcement", "view_delivery"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("subscriptions")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="subscriptions", codename__in=EDITOR)
    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*ours)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="subscriptions", codename__in=EDITOR)
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0003_merge_0002_alerts_roles_0002_sending_lease")]

    operations = [migrations.RunPython(grant, revoke)]
