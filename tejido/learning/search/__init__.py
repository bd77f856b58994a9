"""Full-text search over library items and experiences, in Spanish, Catalan and English.

    from tejido.learning import search
    search.reindex(items)                  # after saving rows whose text changed
    search.matching(queryset, "query")     # rows matching every word, with `search_rank`
    search.remove(items)                   # before deleting rows

PostgreSQL uses its own text search (a tsvector per row with the configuration of the row's
language, a GIN index); SQLite an FTS5 table per model holding words stemmed in Python by the
same Snowball stemmers. See `text` for how words become stems.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.db import connections, models
from django.db.models import FloatField, Value

from . import postgres, sqlite, text
from .documents import documents, searchable_label

__all__ = ["MAX_MATCHES", "matching", "reindex", "remove"]

# A query considers at most this many matching rows: the newest ones that pass the queryset's
# filters. A word found in most of the library would otherwise cost a lookup and a rank per
# match (hundreds of milliseconds over 100,000 rows); no one reads past the first pages, and a
# count equal to MAX_MATCHES reads "500 or more".
MAX_MATCHES = 500


def _rows[M: models.Model](objects: Iterable[M]) -> tuple[type[M] | None, list[M], str]:
    rows = list(objects)
    if not rows:
        return None, rows, "default"
    model = type(rows[0])
    if any(type(row) is not model for row in rows):
        raise TypeError("reindex and remove take rows of one model at a time.")
    searchable_label(model)
    using = rows[0]._state.db or "default"
    return model, rows, using


def reindex(objects: Iterable[models.Model]) -> None:
    """(Re)build the full-text entries of saved rows of one model (LibraryItem or Experience),
    from their current text (and, for library items, their authors' names)."""
    model, rows, using = _rows(objects)
    if model is None:
        return
    docs = documents(model, rows, using)
    vendor = connections[using].vendor
    if vendor == "postgresql":
        vectors = postgres.reindex(model, docs, using)
        for row in rows:
            row.search_vector = vectors.get(row.pk)  # type: ignore[attr-defined]
    elif vendor == "sqlite":
        sqlite.reindex(model, docs, using)


def remove(objects: Iterable[models.Model]) -> None:
    """Drop the full-text entries of rows of one model (call it before deleting them)."""
    model, rows, using = _rows(objects)
    if model is None:
        return
    pks = [row.pk for row in rows]
    vendor = connections[using].vendor
    if vendor == "postgresql":
        postgres.remove(model, pks, using)
    elif vendor == "sqlite":
        sqlite.remove(model, pks, using)


def matching[M: models.Model](
    queryset: models.QuerySet[M], query: str | None
) -> models.QuerySet[M]:
    """The queryset's rows that match every word of `query` in any inflection (Spanish,
    Catalan, English), annotated with `search_rank` (higher is better; order by it yourself).

    A blank query returns the queryset unchanged with `search_rank` 0; a query with nothing
    searchable in it (only punctuation, only stop words) matches nothing.

    At most MAX_MATCHES rows match: the newest ones that pass the queryset's filters (so apply
    filters before calling this). The search runs here, once: the queryset returned selects
    those rows by primary key with their ranks, so counting and paging it cost little."""
    searchable_label(queryset.model)
    if not query or not query.strip():
        unranked = queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
        return cast("models.QuerySet[M]", unranked)
    terms = text.query_terms(query)
    vendor = connections[queryset.db].vendor
    if terms and vendor == "postgresql":
        tsquery = postgres.search_query(terms, queryset.db)
        pks = postgres.candidates(queryset, tsquery, MAX_MATCHES)
        if pks:
            return cast("models.QuerySet[M]", postgres.ranked(queryset, pks, tsquery))
    elif terms and vendor == "sqlite":
        expression = text.fts5_expression(query) or ""
        found = sqlite.candidates(queryset, expression, MAX_MATCHES)
        if found:
            rank = sqlite.rank_of(queryset.model, found)
            matches = queryset.filter(pk__in=[pk for pk, _ in found]).annotate(search_rank=rank)
            return cast("models.QuerySet[M]", matches)
    elif terms:
        raise NotImplementedError(f"No full-text search on {vendor}.")
    nothing = queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    return cast("models.QuerySet[M]", nothing)
