"""Limit/offset pagination with the total count and links to the neighbouring pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Deeper offsets are refused: they are slow on any database and nobody pages that far by hand.
MAX_OFFSET = 1_000_000


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"Items per page. Values above {MAX_LIMIT} are treated as {MAX_LIMIT}.",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class PageOut(Schema):
    count: int = Field(description="How many items match, across all pages.")
    limit: int = Field(description="Items per page actually used.")
    offset: int
    next: str | None = Field(description="URL of the next page, or null on the last one.")
    previous: str | None = Field(description="URL of the previous page, or null on the first.")


def _page_url(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate[M: Model](
    request: HttpRequest,
    queryset: QuerySet[M],
    params: PageParams,
    serialize: Callable[[list[M]], list[Any]],
) -> dict[str, Any]:
    """One page of `queryset`: two queries (count and page) plus whatever it prefetches."""
    limit = min(params.limit, MAX_LIMIT)
    offset = params.offset
    count = queryset.count()
    items = list(queryset[offset : offset + limit]) if offset < count else []
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": _page_url(request, limit, offset + limit) if offset + limit < count else None,
        "previous": _page_url(request, limit, max(offset - limit, 0)) if offset > 0 else None,
        "items": serialize(items),
    }
