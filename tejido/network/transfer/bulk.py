"""Fast inserts of many rows, for imports of hundreds of thousands of rows.

`Model.objects.bulk_create` spends most of its time building model instances and compiling
SQL, not in the database: for 500,000 ties that is more than a minute. These helpers write
plain tuples with the database's fastest bulk path instead: `COPY` on PostgreSQL,
`executemany` on SQLite, and multi-row `INSERT … RETURNING id` where the new ids are needed.
Values must already be in database form (`adapt_date`, `adapt_datetime`); table and column
names come from the models' `_meta`, so they follow the models. Rows skip `save()`, signals
and model validation: callers validate first (see validation.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def adapt_date(value: datetime.date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def adapt_datetime(value: datetime.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _columns(model: type[models.Model], fields: Sequence[str]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    return table, columns


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not column:
        raise ValueError(f"{model.__name__}.{name} is not a database column")
    return str(column)


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows (tuples in the order of `fields`); returns how many were written."""
    table, columns = _columns(model, fields)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def insert_rows_returning_pks(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows and return their new primary keys, in the order of `rows`."""
    if not rows:
        return []
    pk_field = model._meta.pk
    assert pk_field is not None
    if connection.vendor == "postgresql":
        # Take the ids from the table's sequence (safe with concurrent writers), then COPY
        # the rows with them. psycopg would otherwise parse a multi-row INSERT of 100,000
        # actors, two million placeholders, in Python.
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), _column(model, pk_field.name), len(rows)],
            )
            pks = sorted(row[0] for row in cursor.fetchall())
        insert_rows(
            model,
            (pk_field.attname, *fields),
            ((pk, *row) for pk, row in zip(pks, rows, strict=True)),
        )
        return pks
    # Elsewhere (SQLite), multi-row INSERT … RETURNING gives the keys in insertion order,
    # which is what Django's own bulk_create relies on.
    table, columns = _columns(model, fields)
    pk_column = connection.ops.quote_name(_column(model, pk_field.name))
    max_params = connection.features.max_query_params or 30_000
    per_batch = max(1, min(1000, max_params // len(fields)))
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            values = ", ".join([row_placeholder] * len(batch))
            params = [value for row in batch for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk_column}", params
            )
            pks.extend(row[0] for row in cursor.fetchall())
    if len(pks) != len(rows):  # pragma: no cover - a database that does not return every row
        raise RuntimeError("The database did not return the new ids.")
    return pks
