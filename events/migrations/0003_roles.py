# Editorial roles: the custom publishing permissions on Event and the four groups that hold them.
from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHOR = [
    "events.add_event", "events.change_event", "events.view_event",
    "events.add_eventparticipant", "events.change_eventparticipant", "events.delete_eventparticipant",
    "events.view_eventparticipant",
    "events.add_eventpresscontact", "events.change_eventpresscontact", "events.delete_eventpresscontact",
    "events.view_eventpresscontact",
    "events.add_attachment", "events.change_attachment", "events.view_attachment",
    "events.view_section", "events.view_person", "events.view_organization", "events.view_phonenumber",
]
EDITOR = AUTHOR + [
    "events.review_event", "events.publish_event", "events.withdraw_event", "events.force_publish_event",
    "events.delete_attachment",
    "events.add_embargolink", "events.change_embargolink", "events.view_embargolink",
    "events.view_auditlogentry",
]
PHOTO_AND_CONTACTS = [
    "events.view_event", "events.view_section",
    "events.add_attachment", "events.change_attachment", "events.delete_attachment", "events.view_attachment",
    "events.add_person", "events.change_person", "events.delete_person", "events.view_person",
    "events.add_organization", "events.change_organization", "events.delete_organization",
    "events.view_organization",
    "events.add_phonenumber", "events.change_phonenumber", "events.delete_phonenumber", "events.view_phonenumber",
]
ROLES = {
    "Author": AUTHOR,
    "Editor": EDITOR,
    "Photo and contacts staff": PHOTO_AND_CONTACTS,
}


def create_roles(apps, schema_editor):
    # post_migrate creates permissions only after every migration has run; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(codes):
        found = []
        for code in codes:
            app_label, codename = code.split(".")
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions(codes))
    administrator, _created = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(Permission.objects.all())


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*ROLES, "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.AlterModelOptions(
            name="event",
            options={
                "get_latest_by": "starts_at",
                "ordering": ["-starts_at", "-pk"],
                "permissions": [
                    ("review_event", "Can review and reject releases"),
                    ("publish_event", "Can publish and schedule releases"),
                    ("withdraw_event", "Can withdraw published releases"),
                    ("force_publish_event", "Can publish own releases with a written reason"),
                ],
                "verbose_name": "event",
                "verbose_name_plural": "events",
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
