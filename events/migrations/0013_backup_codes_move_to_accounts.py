"""The backup code models moved to the project's sign-in app (``cso_press.accounts``, its migration 0001).

Only the migration state changes: the tables ``events_backupcodedevice`` and ``events_backupcode`` stay where
they are, with their rows, and the moved models name them in ``Meta.db_table``. The accounts migration that
takes the models over also moves their content types, so permissions, group grants and admin history follow.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_administrator_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="backupcodedevice", name="user"),
                migrations.DeleteModel(name="BackupCode"),
                migrations.DeleteModel(name="BackupCodeDevice"),
            ],
            database_operations=[],
        ),
    ]
