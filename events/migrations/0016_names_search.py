# Names as people type them: a search key per person and organisation (events/name_keys.py), filled here for
# the rows that exist and by save() afterwards; on PostgreSQL, pg_trgm and a trigram index over the keys.
#
# The keys are computed in Python on every database (accents, Cyrillic and spelling variants folded by the same
# rules), so PostgreSQL needs no `unaccent`: only pg_trgm, for the misspelling ranking and for LIKE '%…%' on the
# keys through the GIN index. SQLite gets the column and no index: a directory is small, a scan is cheap.
#
# The fill imports the rules on purpose: a key is only useful when made by the rules the searches use. When the
# rules change, a new migration runs fill_keys again.
from django.db import migrations, models

from events.name_keys import organization_search_key, person_search_key

INDEXES = {"events_person": "person_name_key_trgm", "events_organization": "organization_name_key_trgm"}


def fill_keys(apps, schema_editor):
    for model_name, key in (("Person", person_search_key), ("Organization", organization_search_key)):
        model = apps.get_model("events", model_name)
        rows = model.objects.using(schema_editor.connection.alias).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=500):
            row.name_key = key(row)
            changed.append(row)
            if len(changed) == 500:
                model.objects.bulk_update(changed, ["name_key"])
                changed = []
        model.objects.bulk_update(changed, ["name_key"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Kept when the migration is reversed: other databases' objects or a later migration may use the extension.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, index in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" USING gin ("name_key" gin_trgm_ops)')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES.values():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [("events", "0015_archive_jobs")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_key",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search key"),
        ),
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search key"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        # Not Django's TrigramExtension: its reverse asks pg_extension whatever the database, which breaks going
        # back on SQLite. create_indexes makes the extension itself, on PostgreSQL only.
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
