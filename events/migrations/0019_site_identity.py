# The office's identity (name, short name, logo, footer line), one row an administrator edits. The Administrator
# role holds every permission, so it is granted this model's too (see 0012_administrator_permissions).

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import events.media.fields


def grant_everything(apps, schema_editor):
    """The Administrator role gets this model's permissions. Not ``roles.create_roles``: that sets every role's
    permissions back to 0003's table and would take away what later migrations granted (0017's quick add)."""
    for app_config in apps.get_app_configs():
        # post_migrate creates permissions only after every migration has run; the role needs them now.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrator, _created = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.add(*Permission.objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0018_release_wording'),
    ]

    operations = [
        migrations.CreateModel(
            name='SiteIdentity',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('name_en', models.CharField(blank=True, help_text="The organisation's full name: the header, page titles, feeds and calendars.", max_length=200, verbose_name='name in English')),
                ('name_ru', models.CharField(blank=True, max_length=200, verbose_name='name in Russian')),
                ('short_name_en', models.CharField(blank=True, help_text='An abbreviation for narrow screens and calendar names; empty: the full name.', max_length=60, verbose_name='short name in English')),
                ('short_name_ru', models.CharField(blank=True, max_length=60, verbose_name='short name in Russian')),
                ('footer_en', models.CharField(blank=True, help_text='One sentence under the name at the foot of every page; empty: the reproduction notice.', max_length=300, verbose_name='footer line in English')),
                ('footer_ru', models.CharField(blank=True, max_length=300, verbose_name='footer line in Russian')),
                ('logo', events.media.fields.CleanPictureField(blank=True, help_text='JPEG, PNG or WebP, shown 48 pixels high beside the name; empty: the emblem.', upload_to=events.media.fields.logos_upload_to, verbose_name='logo')),
                ('changed_at', models.DateTimeField(auto_now=True, verbose_name='changed at')),
            ],
            options={
                'verbose_name': 'site identity',
                'verbose_name_plural': 'site identity',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='events_siteidentity_one_row')],
            },
        ),
        migrations.RunPython(grant_everything, migrations.RunPython.noop),
    ]
