"""PostgreSQL: let the directory's facet and theme queries read indexes alone.

A PostgreSQL B-tree entry points to a row position, not to its id (SQLite index entries carry
the rowid, which is the id). So the facet index (program, sector, kind, territory) answered the
plain cube without the table, but any query also needing the id (the cube of actors with a
selected theme, the ids whose themes are counted) fell back to reading all the program's rows
through the program index: about 100,000 row reads for a 100,000-actor program. With the id as
an INCLUDE column those are index-only scans too.

The themes table had (actor, theme) and (theme) indexes; "the actors with theme T" read the
table for each match. (theme, actor) answers it from the index.

SQLite is left as it is: its indexes already hold the id and its plans pass their targets.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    # Same name and key columns as the index of migration 0002, so Django's state still holds.
    "DROP INDEX IF EXISTS actor_program_facets",
    "CREATE INDEX actor_program_facets ON actors_actor "
    "(program_id, sector, kind, territory_id) INCLUDE (id)",
    "CREATE INDEX IF NOT EXISTS actor_themes_theme_actor ON actors_actor_themes "
    "(theme_id, actor_id)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS actor_themes_theme_actor",
    "DROP INDEX IF EXISTS actor_program_facets",
    "CREATE INDEX actor_program_facets ON actors_actor (program_id, sector, kind, territory_id)",
]


def _postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("actors", "0004_name_search_index_kind")]
    operations = [migrations.RunPython(_postgres(POSTGRES_FORWARD), _postgres(POSTGRES_BACKWARD))]
