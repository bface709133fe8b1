"""Who may see and do what with readers' alerts: Administrators everything, Editors look at subscribers and
their topics, keep the suppression list and pause or resume sending. Readers' own data is never editable by
staff (the admin offers no change form for subscribers)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "view_subscriber",
    "view_topic",
    "view_suppression",
    "add_suppression",
    "change_suppression",
    "delete_suppression",
    "view_sendingswitch",
    "change_sendingswitch",
]


def grant(apps, schema_editor):
    # post_migrate creates permissions only after every migration has run; the roles need them now.
    app_config = apps.get_app_config("subscriptions")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="subscriptions")
    administrator, _created = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.add(*ours)
    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*ours.filter(codename__in=EDITOR))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="subscriptions")
    for group in Group.objects.filter(name__in=["Administrator", "Editor"]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
