# Full-text search indexes, PostgreSQL only: one partial GIN index per content language.
#
# (Superseded by 0007, which stores the vector in a column and indexes that.) Each index expression is the
# vector events.search.search_vector() made for that
# language's configuration, so PostgreSQL can answer "language = 'en' AND <vector> @@ <query>" from the
# index. The expression is written out here (not imported) because a migration must not change when the
# application code does; change both together.
from django.db import migrations

CONFIGS = {"en": "english", "ru": "russian"}


def _index_name(language):
    return f"event_search_{language}"


def _vector_sql(config):
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"title\", '')), 'A')",
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"lead\", '')), 'B')",
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"body\", '')), 'C')",
    ]
    return f"(({parts[0]} || {parts[1]}) || {parts[2]})"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_index_name(language)}" ON "events_event" '
            f"USING gin (({_vector_sql(config)})) WHERE \"language\" = '{language}'"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(language)}"')


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
