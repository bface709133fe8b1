"""Indexes for the public lists and the calendar at archive scale (see README, "Performance")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_media"),
    ]

    operations = [
        # Replaced by a partial index: nearly every row has no end, and those never match "ends after".
        migrations.RemoveIndex(model_name="event", name="event_ends"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["language", "starts_at", "id"],
                include=("publish_at",),
                name="event_published_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("ends_at__isnull", False)),
                fields=["ends_at", "starts_at"],
                name="event_multi_day_ends",
            ),
        ),
    ]
