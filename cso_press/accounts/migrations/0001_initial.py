"""Backup codes, taken over from ``events`` (its migration 0013 lets go of them) without touching the data.

The models are created in the migration state only: their tables, made by events' migration 0011, keep their
names (``Meta.db_table``) and their rows. Their content types are renamed from ``events`` to ``accounts``, so the
permissions that hang off them keep their ids, and with them every group's grants (the Administrator role of
events' migration 0012), every user's own grants, and the admin's history of these objects.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ["backupcodedevice", "backupcode"]


def move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db_alias = schema_editor.connection.alias
    for model in MOVED_MODELS:
        moved = ContentType.objects.using(db_alias).filter(app_label=source, model=model).first()
        if moved is None:
            # A database made after the move: the content type is created after migrating, as for any model.
            continue
        # A row for the target can exist only if it was made after the move and reversed to (post_migrate adds
        # content types for the installed models); the moved row holds the permissions and grants, so it wins.
        ContentType.objects.using(db_alias).filter(app_label=target, model=model).delete()
        moved.app_label = target
        moved.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="events", target="accounts")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="accounts", target="events")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("events", "0013_backup_codes_move_to_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BackupCodeDevice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(help_text="The human-readable name of this device.", max_length=64)),
                        ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                        (
                            "throttling_failure_timestamp",
                            models.DateTimeField(
                                blank=True,
                                default=None,
                                help_text=(
                                    "A timestamp of the last failed verification attempt. "
                                    "Null if last attempt succeeded."
                                ),
                                null=True,
                            ),
                        ),
                        (
                            "throttling_failure_count",
                            models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True,
                                help_text="The date and time when this device was initially created in the system.",
                                null=True,
                            ),
                        ),
                        (
                            "last_used_at",
                            models.DateTimeField(
                                blank=True, help_text="The most recent date and time this device was used.", null=True
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                help_text="The user that this device belongs to.",
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "backup codes",
                        "verbose_name_plural": "backup codes",
                        "db_table": "events_backupcodedevice",
                    },
                ),
                migrations.CreateModel(
                    name="BackupCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code_hash", models.CharField(max_length=64, verbose_name="digest")),
                        ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used at")),
                        (
                            "device",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="codes",
                                to="accounts.backupcodedevice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "backup code",
                        "verbose_name_plural": "backup codes",
                        "db_table": "events_backupcode",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("device", "code_hash"), name="backup_code_unique_per_device"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
