# The press list's permissions for the editorial roles: editors keep the list and send releases to it (an
# embargo send also needs events' embargo permissions, which editors hold); the Administrator role holds every
# permission (see events 0003_roles and 0019). Authors get nothing here: they cannot send.
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "add_journalist", "change_journalist", "delete_journalist", "view_journalist",
    "view_presssend", "send_presslist", "view_presslinkopen",
]  # fmt: skip


def grant(apps, schema_editor):
    # post_migrate creates permissions only after every migration has run; the roles need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    presslist = Permission.objects.filter(content_type__app_label="presslist")
    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*presslist.filter(codename__in=EDITOR))
    administrator, _created = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.add(*presslist)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    presslist = Permission.objects.filter(content_type__app_label="presslist")
    for group in Group.objects.filter(name__in=["Editor", "Administrator"]):
        group.permissions.remove(*presslist)


class Migration(migrations.Migration):
    dependencies = [
        ("presslist", "0001_initial"),
        ("events", "0003_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
