# The Administrator role holds every permission. Migration 0003 granted the ones that existed when it ran,
# which need not include the two-factor devices and login records (their apps may migrate later), so an
# administrator could not delete a lost phone's device as the README promises. Grant them all again, after
# those apps and after this round's new tables (content version, backup codes). A later migration that adds
# a model must grant it too: tests/security/test_admin_matrix.py finds a model an administrator cannot manage.
import importlib

from django.db import migrations

roles = importlib.import_module("events.migrations.0003_roles")


def grant_everything(apps, schema_editor):
    roles.create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_backup_codes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_static", "0003_add_timestamps"),
        ("otp_totp", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(grant_everything, migrations.RunPython.noop)]
