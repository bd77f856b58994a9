"""Shared API types: references to related objects, error bodies and validated input types.

Input schemas forbid unknown fields (a typo or a read-only field such as `gender` is an error,
not silently ignored) and strip whitespace, so a name of spaces is as blank as an empty one.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

# The largest id a database column can hold: bigger numbers would overflow the query (a 500)
# instead of simply not being found.
MAX_ID = 2**63 - 1


def _storable_text(value: str) -> str:
    # The databases refuse NUL characters (PostgreSQL) and lone surrogates, which JSON's \ud800
    # escapes can produce (any UTF-8 encoder): refuse them here rather than fail at the database.
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Text contains characters that are not valid Unicode.")) from None
    return value


ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
CleanText = Annotated[str, AfterValidator(_storable_text)]


def choices_doc(choices: type[models.Choices], intro: str = "") -> str:
    """Document an enumeration as `value` (English label) pairs for the OpenAPI description."""
    with translation.override("en"):
        pairs = "; ".join(f"`{c.value}` ({c.label})" for c in choices)
    return f"{intro} {pairs}".strip()


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TerritoryRef(Schema):
    id: int
    name: str
    slug: str
    level: int = Field(description="0 country, 1 region, 2 municipality / comuna, 3 neighbourhood.")


class ThemeRef(Schema):
    id: int
    slug: str
    label: str = Field(description="Name shown to people; transition themes in their language.")
    transition: str = Field(description="`social`, `democratic`, `ecological`, `digital` or ''.")


class ActorRef(Schema):
    id: int
    name: str
    kind: str
    sector: str


class FieldError(Schema):
    field: str | None = Field(
        description="The input field at fault (`items.2` for an element of a list), or null "
        "when the problem concerns the request as a whole."
    )
    message: str = Field(description="What is wrong, in the language of the request.")
    code: str = Field(description="A stable machine-readable code for the kind of error.")


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the language of the request.")


# Responses every endpoint may give, documented once.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
