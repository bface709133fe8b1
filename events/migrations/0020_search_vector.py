"""Two more stored text vectors per release, PostgreSQL only: ``search_title`` (the title) and
``search_heading`` (title and lead), each under its own GIN index, beside 0007's ``search_document``.

Why: search ranks a match by the part of the release that holds every word (title, then title or lead, then
anywhere) and reads each rank newest first (events.search). Asking that of ``search_document`` with weight
marks (``'word':A``) gives the right rows but a blind planner: its statistics count lexemes without weights,
so for "groups" (in every body, in no title) it expects title matches everywhere and walks the whole date
index looking for them (350 ms at 100,000 releases). With a column per part, the statistics are per part:
a word in no title is known to be in no title, and the index says so at once.

Why GENERATED columns rather than a trigger: PostgreSQL keeps them right on every INSERT and UPDATE with no
code of ours to forget (bulk_create and raw SQL included), like 0007's. Both columns are added in one ALTER
TABLE, so the table is rewritten once: a few seconds at 100,000 releases. The expressions are written out
here, not imported, because a migration must not change when the application code does.
"""

from django.db import migrations

CONFIGS = {"en": "english", "ru": "russian"}
COLUMNS = {"search_title": ("title",), "search_heading": ("title", "lead")}


def _vector_sql(config: str, fields: tuple[str, ...]) -> str:
    return " || ".join(f"to_tsvector('{config}'::regconfig, COALESCE(\"{field}\", ''))" for field in fields)


def _generated(fields: tuple[str, ...]) -> str:
    cases = " ".join(f"WHEN '{language}' THEN ({_vector_sql(config, fields)})" for language, config in CONFIGS.items())
    return f'tsvector GENERATED ALWAYS AS (CASE "language" {cases} END) STORED'


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    additions = ", ".join(f'ADD COLUMN "{column}" {_generated(fields)}' for column, fields in COLUMNS.items())
    schema_editor.execute(f'ALTER TABLE "events_event" {additions}')
    for column in COLUMNS:
        schema_editor.execute(f'CREATE INDEX "event_{column}" ON "events_event" USING gin ("{column}")')


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drops = ", ".join(f'DROP COLUMN IF EXISTS "{column}"' for column in COLUMNS)
    schema_editor.execute(f'ALTER TABLE "events_event" {drops}')


class Migration(migrations.Migration):
    dependencies = [("events", "0019_site_identity")]
    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
