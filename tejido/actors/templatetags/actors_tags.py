"""Template helpers of the actor registry: links that remove one directory filter, counts."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag
def without_filter(params: QueryDict, key: str, value: str = "") -> str:
    """The query string of `params` without `key=value` (or any `key`), back on page one."""
    kept = params.copy()
    kept.pop("page", None)
    if value:
        kept.setlist(key, [v for v in kept.getlist(key) if v != value])
    else:
        kept.pop(key, None)
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def count(value: int | None) -> str:
    """A count with the reader's thousands separator (1.234 in Spanish, 1,234 in English)."""
    return number_format(value or 0, force_grouping=True)
