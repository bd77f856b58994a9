"""Full-text search: an FTS5 table per searchable model on SQLite, a GIN index on
`search_vector` on PostgreSQL. Rows that already exist are indexed."""

from django.db import migrations

SEARCHABLE = ("LibraryItem", "Experience")


def create(apps, schema_editor):
    from tejido.learning.search import postgres, sqlite
    from tejido.learning.search.documents import documents

    connection = schema_editor.connection
    for name in SEARCHABLE:
        model = apps.get_model("learning", name)
        if connection.vendor == "sqlite":
            schema_editor.execute(sqlite.create_table_sql(model))
        elif connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{postgres.index_name(model)}" '
                f'ON "{model._meta.db_table}" USING gin (search_vector)'
            )
        else:
            continue
        rows = list(model._default_manager.using(connection.alias).order_by("pk"))
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            docs = documents(model, batch, connection.alias)
            if connection.vendor == "sqlite":
                sqlite.reindex(model, docs, connection.alias)
            else:
                postgres.reindex(model, docs, connection.alias)


def drop(apps, schema_editor):
    from tejido.learning.search import postgres, sqlite

    connection = schema_editor.connection
    for name in SEARCHABLE:
        model = apps.get_model("learning", name)
        if connection.vendor == "sqlite":
            schema_editor.execute(f'DROP TABLE IF EXISTS "{sqlite.fts_table(model)}"')
        elif connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{postgres.index_name(model)}"')


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
