"""PostgreSQL: its own text search. `search_vector` holds the row's tsvector, built with the
configuration of the row's language (title weighted A, the rest B); a GIN index serves the
queries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models
from django.db.models import F, OrderBy

from . import text
from .documents import Document

CONFIGURATIONS = {"es": "spanish", "ca": "catalan", "en": "english", "pt": "portuguese"}
# A query word may be in any of these (the user's language is unknown); "simple" matches
# words no stemmer changes, and rows in other languages.
QUERY_CONFIGURATIONS = ("spanish", "catalan", "english", "simple")
BATCH_SIZE = 1000
# See `candidates`.
WINDOW_FACTOR = 3

_available: dict[str, frozenset[str]] = {}


def available_configurations(using: str) -> frozenset[str]:
    """The text search configurations this server has (an older one lacks "catalan"), read
    once per database alias."""
    if using not in _available:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config")
            _available[using] = frozenset(row[0] for row in cursor.fetchall())
    return _available[using]


def configuration(language: str, using: str) -> str:
    name = CONFIGURATIONS.get(language, "simple")
    return name if name in available_configurations(using) else "simple"


def index_name(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_search"


def reindex(model: type[models.Model], docs: Sequence[Document], using: str) -> dict[int, str]:
    """One UPDATE per batch. Returns each row's new tsvector (as text) so the caller can put it
    on its instances: saving an instance later writes the vector back instead of NULL."""
    table = model._meta.db_table
    sql = (
        f'UPDATE "{table}" AS t SET search_vector ='
        " setweight(to_tsvector(v.cfg::regconfig, v.title), 'A')"
        " || setweight(to_tsvector(v.cfg::regconfig, v.rest), 'B')"
        " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, cfg, title, rest)"
        " WHERE t.id = v.id RETURNING t.id, t.search_vector::text"
    )
    vectors: dict[int, str] = {}
    with connections[using].cursor() as cursor:
        for start in range(0, len(docs), BATCH_SIZE):
            batch = docs[start : start + BATCH_SIZE]
            cursor.execute(
                sql,
                [
                    [d.pk for d in batch],
                    [configuration(d.language, using) for d in batch],
                    [text.join_middle_dots(d.title) for d in batch],
                    [text.join_middle_dots("\n".join(d.rest)) for d in batch],
                ],
            )
            vectors.update(cursor.fetchall())
    return vectors


def remove(model: type[models.Model], pks: Sequence[int], using: str) -> None:
    model._default_manager.using(using).filter(pk__in=pks).update(search_vector=None)


def search_query(terms: Sequence[text.QueryTerm], using: str) -> SearchQuery:
    """Every word must match; each word in any of its spellings and configurations (and the
    last word also as a prefix)."""
    configs = [c for c in QUERY_CONFIGURATIONS if c in available_configurations(using)]
    per_word = []
    for term in terms:
        options = [
            SearchQuery(text.join_middle_dots(spelling), config=config, search_type="plain")
            for spelling in text.spellings(term.word)
            for config in configs
        ]
        if term.prefix:
            # A raw tsquery; the word holds only letters and digits, quoted all the same.
            word = text.join_middle_dots(term.word)
            escaped = word.replace("'", "''").replace("\\", "\\\\")
            options.append(SearchQuery(f"'{escaped}':*", config="simple", search_type="raw"))
        per_word.append(reduce(lambda a, b: a | b, options))
    return reduce(lambda a, b: a & b, per_word)


def candidates(queryset: models.QuerySet, query: SearchQuery, limit: int) -> list[int]:
    """The keys of the queryset's `limit` newest rows that match, newest first.

    A word in most rows is found fastest by reading the newest rows and testing each; a rarer
    one through the GIN index. Which one is which, PostgreSQL's estimates for an OR of stems in
    four configurations do not tell reliably, and a wrong guess reads the whole table. So:
    first the newest WINDOW_FACTOR × limit rows of the queryset are tested (bounded work); if
    they hold `limit` matches those are the newest. Otherwise the words are not that common
    and the GIN index finds every match, sorted by key; ordering by "pk + 0" keeps the planner
    from walking the primary key (and reading every row) instead."""
    newest = queryset.order_by("-pk").values("pk")[: WINDOW_FACTOR * limit]
    in_window = list(
        queryset.filter(pk__in=newest, search_vector=query)
        .order_by("-pk")
        .values_list("pk", flat=True)[:limit]
    )
    if len(in_window) == limit:
        return in_window
    return list(
        queryset.filter(search_vector=query)
        .order_by(OrderBy(F("pk") + 0, descending=True))
        .values_list("pk", flat=True)[:limit]
    )


def ranked(queryset: models.QuerySet, pks: list[int], query: SearchQuery) -> models.QuerySet:
    # ts_rank reads each row's vector: only the found rows', and only when a page is read.
    return queryset.filter(pk__in=pks).annotate(search_rank=SearchRank(F("search_vector"), query))
