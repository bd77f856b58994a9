"""SQLite: an FTS5 table per searchable model holds each row's stems (rowid = the row's id),
stemmed in Python since FTS5 has no Spanish or Catalan stemmer."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models
from django.db.models import FloatField, OrderBy
from django.db.models.expressions import RawSQL

from . import text
from .documents import Document

# bm25 weights of the FTS table's columns: a word in the title counts ten times one in the body.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


def fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_fts"


def create_table_sql(model: type[models.Model]) -> str:
    # The stored text is already stemmed and folded; unicode61 only splits it on spaces.
    return (
        f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts_table(model)}" USING fts5('
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )


def reindex(model: type[models.Model], docs: Sequence[Document], using: str) -> None:
    rows = [
        (d.pk, text.index_text([d.title], d.language), text.index_text(d.rest, d.language))
        for d in docs
    ]
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f'INSERT OR REPLACE INTO "{fts_table(model)}" (rowid, title, body) VALUES (%s, %s, %s)',
            rows,
        )


def remove(model: type[models.Model], pks: Sequence[int], using: str) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f'DELETE FROM "{fts_table(model)}" WHERE rowid = %s', [(pk,) for pk in pks]
        )


def candidates(queryset: models.QuerySet, expression: str, limit: int) -> list[tuple[int, float]]:
    """(pk, rank) of the queryset's `limit` newest rows that match, with their bm25 rank
    (higher is better), in one walk through the index.

    The FTS table is joined to the queryset's table (bm25 needs the MATCH in the same query).
    The unary plus on the FTS side keeps SQLite from driving the join from the row table: FTS5
    reads its index newest first (rowid order, no sort), each match is checked against the
    queryset's filters by primary key, and the walk stops at `limit` rows. bm25, a few
    microseconds a row, runs only for the rows returned."""
    model = queryset.model
    table = model._meta.db_table
    fts = fts_table(model)
    pk = model._meta.pk.column
    rows = queryset.extra(  # fixed identifiers; the query is a parameter
        select={"bm25_rank": f'-bm25("{fts}", {TITLE_WEIGHT}, {BODY_WEIGHT})'},
        tables=[fts],
        where=[f'"{fts}" MATCH %s', f'"{table}"."{pk}" = +"{fts}".rowid'],
        params=[expression],
    ).order_by(OrderBy(RawSQL(f'"{fts}".rowid', []), descending=True))
    return list(rows.values_list("pk", "bm25_rank")[:limit])


def rank_of(model: type[models.Model], found: Sequence[tuple[int, float]]) -> RawSQL:
    """Each found row's rank, as SQL, for rows selected by primary key: a binary search
    written as nested CASEs on the key, about ten comparisons a row (one flat CASE of a
    thousand branches costs SQLite more than the search itself)."""
    column = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
    ordered = sorted((int(pk), float(score)) for pk, score in found)
    params: list[float] = []

    def node(low: int, high: int) -> str:
        if high - low <= 4:
            for pk, score in ordered[low:high]:
                params.extend((pk, score))
            return f"CASE {column} " + "WHEN %s THEN %s " * (high - low) + "ELSE 0.0 END"
        middle = (low + high) // 2
        params.append(ordered[middle][0])
        before = node(low, middle)
        after = node(middle, high)
        return f"CASE WHEN {column} < %s THEN ({before}) ELSE ({after}) END"

    return RawSQL(node(0, len(ordered)), params, output_field=FloatField())
