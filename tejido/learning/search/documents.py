"""What text of each searchable model is indexed: a title (weighted more) and the rest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Document:
    pk: int
    language: str
    title: str
    rest: list[str]


# Text fields after the title, per model (app_label.model_name), in reading order.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "learning.libraryitem": ("abstract", "body"),
    "learning.experience": ("context", "what_was_done", "what_happened", "lessons", "evidence"),
}


def searchable_label(model: type[models.Model]) -> str:
    label = model._meta.label_lower
    if label not in TEXT_FIELDS:
        raise TypeError(f"{model._meta.label} is not searchable.")
    return label


def documents(model: type[models.Model], objects: Sequence[models.Model], using: str) -> list:
    """The documents of rows of one model. Library items' authors' names are part of their
    text, read in one query for all the rows."""
    label = searchable_label(model)
    fields = TEXT_FIELDS[label]
    authors: dict[int, list[str]] = defaultdict(list)
    if label == "learning.libraryitem":
        through = model._meta.get_field("authors").remote_field.through  # type: ignore[union-attr]
        rows = (
            through._default_manager.using(using)
            .filter(libraryitem_id__in=[o.pk for o in objects])
            .order_by("id")
            .values_list("libraryitem_id", "actor__name")
        )
        for item_id, name in rows:
            authors[item_id].append(name)
    return [
        Document(
            pk=obj.pk,
            language=getattr(obj, "language", "") or "",
            title=getattr(obj, "title", "") or "",
            rest=[getattr(obj, field) or "" for field in fields] + authors.get(obj.pk, []),
        )
        for obj in objects
    ]
