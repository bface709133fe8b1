# A stored text vector per release, PostgreSQL only: column "search_document", filled by the database itself
# (a generated column) in the language of each row, and one GIN index over it.
#
# Migration 0002 indexed the vector as an expression, so every search had to rebuild the vectors of its
# candidates from title, lead and body to rank them; with the vector stored, ranking reads it. The expression
# below is the one 0002 indexed, per language; events.search.SearchDocument refers to the column.
from django.db import migrations

CONFIGS = {"en": "english", "ru": "russian"}


def _vector_sql(config):
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"title\", '')), 'A')",
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"lead\", '')), 'B')",
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"body\", '')), 'C')",
    ]
    return f"(({parts[0]} || {parts[1]}) || {parts[2]})"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    cases = " ".join(f"WHEN '{language}' THEN {_vector_sql(config)}" for language, config in CONFIGS.items())
    schema_editor.execute(
        f'ALTER TABLE "events_event" ADD COLUMN "search_document" tsvector '
        f'GENERATED ALWAYS AS (CASE "language" {cases} END) STORED'
    )
    schema_editor.execute('CREATE INDEX "event_search_document" ON "events_event" USING gin ("search_document")')
    for language in CONFIGS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "event_search_{language}"')


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "event_search_{language}" ON "events_event" '
            f"USING gin (({_vector_sql(config)})) WHERE \"language\" = '{language}'"
        )
    schema_editor.execute('ALTER TABLE "events_event" DROP COLUMN IF EXISTS "search_document"')


class Migration(migrations.Migration):
    dependencies = [("events", "0006_latest_published_index")]
    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
