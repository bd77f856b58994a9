"""Indexes for the directory's substring search on `search_text`, different per database.

SQLite: covering indexes, so text filters, facet counts and the name order are answered from
the index without reading the table. PostgreSQL: a trigram index, which serves `LIKE '%word%'`
directly (a B-tree entry is capped at about 2.7 kB, too small for long descriptions).
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE INDEX IF NOT EXISTS actor_program_search ON actors_actor "
    "(program_id, sector, kind, territory_id, search_text)",
    "CREATE INDEX IF NOT EXISTS actor_program_name_search ON actors_actor "
    "(program_id, name, id, search_text)",
]
SQLITE_DROP = [
    "DROP INDEX IF EXISTS actor_program_search",
    "DROP INDEX IF EXISTS actor_program_name_search",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS actor_search_trgm ON actors_actor "
    "USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS actor_search_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("actors", "0002_facets_index")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
