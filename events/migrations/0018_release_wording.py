# Issue 16: one word, "release", in the admin (the model and the foreign keys that point at it). Options and
# labels only: no column changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0017_event_time_zone'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='event',
            options={'get_latest_by': 'starts_at', 'ordering': ['-starts_at', '-pk'], 'permissions': [('review_event', 'Can review and reject releases'), ('publish_event', 'Can publish and schedule releases'), ('withdraw_event', 'Can withdraw published releases'), ('force_publish_event', 'Can publish own releases with a written reason')], 'verbose_name': 'release', 'verbose_name_plural': 'releases'},
        ),
        migrations.AlterModelOptions(
            name='historicalevent',
            options={'get_latest_by': ('history_date', 'history_id'), 'ordering': ('-history_date', '-history_id'), 'verbose_name': 'historical release', 'verbose_name_plural': 'historical releases'},
        ),
        migrations.AlterField(
            model_name='attachment',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='events.event', verbose_name='release'),
        ),
        migrations.AlterField(
            model_name='auditlogentry',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='events.event', verbose_name='release'),
        ),
        migrations.AlterField(
            model_name='embargolink',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='embargo_links', to='events.event', verbose_name='release'),
        ),
    ]
