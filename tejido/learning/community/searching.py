"""The community's use of the learning app's full-text search (`tejido.learning.search`).

The search package indexes experiences in their language (so "organizaciones" finds
"organización"). Until it provides `reindex` and `matching`, the community falls back to a
plain substring filter on the same fields, so its pages keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import FloatField, Q, QuerySet, Value

from tejido.learning import search

from ..models import Experience

SEARCHED_FIELDS = ("title", "context", "what_was_done", "what_happened", "lessons", "evidence")


def reindex(experiences: Iterable[Experience]) -> None:
    rebuild = getattr(search, "reindex", None)
    if rebuild is not None:
        rebuild(list(experiences))


def matching(queryset: QuerySet[Experience], query: str) -> QuerySet[Experience]:
    """Rows matching every word of `query`, annotated with `search_rank`."""
    find: Any = getattr(search, "matching", None)
    if find is not None:
        found: QuerySet[Experience] = find(queryset, query)
        return found
    words = (query or "").split()
    for word in words:
        condition = Q()
        for field in SEARCHED_FIELDS:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
