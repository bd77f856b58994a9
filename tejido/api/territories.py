"""Territories: the shared hierarchy of places (country › region › municipality › neighbourhood).

Places are public geography, so anyone may read them; filtering by a program only answers for
programs the caller may see.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from tejido.core.models import Program, Territory
from tejido.core.services import territory_add, territory_update

from .access import may_edit_territories, program_for_api, require_platform
from .auth import PUBLIC_READ, READ_AUTH, WRITE_AUTH, request_user
from .errors import api_field_names
from .pagination import PageOut, PageParams, paginate
from .references import known_territories
from .schemas import (
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    CleanText,
    InputSchema,
    ObjectId,
    TerritoryRef,
    choices_doc,
)

router = Router(tags=["territories"])

LEVEL_DOC = choices_doc(Territory.Level, "Level in the hierarchy:")


class TerritoryOut(Schema):
    id: int
    name: str
    slug: str
    level: int = Field(ge=0, le=3, description=LEVEL_DOC)
    level_label: str = Field(description="The level in the language of the request.")
    parent_id: int | None = Field(description="The territory this one is part of.")
    path: str = Field(
        description="Ids from the country down to this territory, e.g. `/1/4/9/`: a territory's "
        "subtree is every territory whose path starts with its path."
    )
    code: str = Field(description="Official code (e.g. the comuna code), if any.")
    latitude: float | None
    longitude: float | None


class TerritoryDetailOut(TerritoryOut):
    description: str
    ancestors: list[TerritoryRef] = Field(description="From the country down to the parent.")
    children: list[TerritoryRef]


class TerritoryPage(PageOut):
    items: list[TerritoryOut]


def territory_out(
    territory: Territory, cls: type[TerritoryOut] = TerritoryOut, **extra: Any
) -> Any:
    return cls(
        id=territory.pk,
        name=territory.name,
        slug=territory.slug,
        level=territory.level,
        level_label=str(territory.get_level_display()),
        parent_id=territory.parent_id,
        path=territory.path,
        code=territory.code,
        latitude=None if territory.latitude is None else float(territory.latitude),
        longitude=None if territory.longitude is None else float(territory.longitude),
        **extra,
    )


def territory_detail_out(territory: Territory) -> TerritoryDetailOut:
    ancestors = sorted(
        Territory.objects.filter(pk__in=territory.ancestor_ids()), key=lambda t: t.level
    )
    detail: TerritoryDetailOut = territory_out(
        territory,
        TerritoryDetailOut,
        description=territory.description,
        ancestors=[TerritoryRef.model_validate(t) for t in ancestors],
        children=[
            TerritoryRef.model_validate(t)
            for t in Territory.objects.filter(parent=territory).order_by("name", "id")
        ],
    )
    return detail


class TerritoryFilters(PageParams):
    parent: ObjectId | None = Field(None, description="Only the direct parts of this territory.")
    level: int | None = Field(None, ge=0, le=3, description=LEVEL_DOC)
    program: CleanText | None = Field(
        None,
        max_length=80,
        description="Slug of a program: only its territories and the places within them.",
    )
    q: CleanText | None = Field(None, max_length=200, description="Part of the name.")


def program_area(program: Program) -> QuerySet[Territory]:
    """The program's territories and everything within them."""
    paths = list(program.territories.values_list("path", flat=True))
    if not paths:
        return Territory.objects.none()
    return Territory.objects.filter(reduce(operator.or_, (Q(path__startswith=p) for p in paths)))


@router.get(
    "/territories",
    response={200: TerritoryPage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="List territories",
)
def list_territories(request: HttpRequest, filters: Query[TerritoryFilters]) -> dict[str, object]:
    """Territories in hierarchy order (each one followed by the places within it)."""
    territories = Territory.objects.all()
    if filters.program:
        territories = program_area(program_for_api(request, filters.program))
    if filters.parent is not None:
        territories = territories.filter(parent_id=filters.parent)
    if filters.level is not None:
        territories = territories.filter(level=filters.level)
    if filters.q:
        territories = territories.filter(name__icontains=filters.q)
    return paginate(
        request,
        territories.order_by("path", "id"),
        filters,
        lambda page: [territory_out(t) for t in page],
    )


@router.get(
    "/territories/{territory_id}",
    response={200: TerritoryDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Get a territory",
)
def get_territory(
    request: HttpRequest, territory_id: int = Path(..., ge=1, le=MAX_ID)
) -> TerritoryDetailOut:
    """A territory with the chain of places above it and its direct parts."""
    return territory_detail_out(Territory.objects.get(pk=territory_id))


# --- input ----------------------------------------------------------------------------------

# Model field → API input field, to report a service's errors where the client put the value.
FIELD_NAMES = {"parent": "parent_id"}

Name = Annotated[CleanText, Field(max_length=200)]
Code = Annotated[
    CleanText, Field(max_length=40, description="Official code (e.g. the comuna code).")
]
Description = Annotated[CleanText, Field(max_length=10_000)]
# Stored with six decimals (about 10 cm), which is more than a place needs.
Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False, description="Degrees north, WGS 84.")
]
Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False, description="Degrees east, WGS 84.")
]
Level = Annotated[int, Field(ge=0, le=3, description=LEVEL_DOC)]


class TerritoryIn(InputSchema):
    name: Name
    level: Level
    parent_id: ObjectId | None = Field(
        None,
        description="Id of the territory this one is part of; its level must be higher (a "
        "smaller number). Without one, the territory starts a hierarchy of its own.",
    )
    code: Code = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    description: Description = ""


class TerritoryPatch(InputSchema):
    """Only the fields sent change; `null` clears a coordinate.

    The place in the hierarchy is fixed: `parent_id` and `level` are accepted only with their
    current values.
    """

    name: Name | None = None
    code: Code | None = Field(None, description="Null clears it.")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    description: Description | None = Field(None, description="Null clears it.")
    parent_id: ObjectId | None = Field(
        None, description="Cannot be changed: send the current value or leave it out."
    )
    level: Level | None = Field(
        None, description="Cannot be changed: send the current value or leave it out."
    )

    @field_validator("name")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Validators run only on values actually sent, so this refuses an explicit null.
        if value is None:
            raise ValueError(_("This field cannot be empty."))
        return value


def _refuse_move(territory: Territory, changes: dict[str, Any]) -> None:
    """A territory stays where it is in the hierarchy.

    Moving one would rewrite the paths of everything within it while other requests create
    places below it; platform administrators do it in the administration site instead.
    """
    errors: dict[str, ValidationError] = {}
    if "parent_id" in changes and changes.pop("parent_id") != territory.parent_id:
        errors["parent_id"] = ValidationError(
            _(
                "A territory cannot be moved to another place in the hierarchy through the API. "
                "Ask a platform administrator, or create the territory again where it belongs."
            ),
            code="move_not_allowed",
        )
    if "level" in changes and changes.pop("level") != territory.level:
        errors["level"] = ValidationError(
            _(
                "The level of a territory cannot be changed through the API. "
                "Ask a platform administrator."
            ),
            code="move_not_allowed",
        )
    if errors:
        raise ValidationError(errors)


# --- writes ---------------------------------------------------------------------------------


@router.post(
    "/territories",
    response={201: TerritoryDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add a territory",
)
def create_territory(request: HttpRequest, response: HttpResponse, payload: TerritoryIn) -> Status:
    """Add a place to the shared hierarchy.

    Territories are shared by every program, so platform administrators and the administrators
    and coordinators of any program may add them. A place of the same name (ignoring case and
    accents) in the same parent is refused: use the existing one.
    """
    require_platform(request, may_edit_territories)
    parent = None
    if payload.parent_id is not None:
        parent = known_territories("parent_id", [payload.parent_id])[0]
    with api_field_names(**FIELD_NAMES):
        territory = territory_add(
            user=request_user(request),
            name=payload.name,
            level=payload.level,
            parent=parent,
            code=payload.code,
            latitude=payload.latitude,
            longitude=payload.longitude,
            description=payload.description,
        )
    response["Location"] = reverse("api:get_territory", kwargs={"territory_id": territory.pk})
    return Status(201, territory_detail_out(territory))


@router.patch(
    "/territories/{territory_id}",
    response={200: TerritoryDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change a territory",
)
def update_territory(
    request: HttpRequest, payload: TerritoryPatch, territory_id: int = Path(..., ge=1, le=MAX_ID)
) -> TerritoryDetailOut:
    """Correct the name, official code, coordinates or description of a territory.

    The same people who may add territories may correct them; every change is recorded in the
    audit trail. Moving a territory to another parent is refused (422 on `parent_id`).
    """
    require_platform(request, may_edit_territories)
    territory = Territory.objects.get(pk=territory_id)
    changes = payload.model_dump(exclude_unset=True)
    _refuse_move(territory, changes)
    for key in ("code", "description"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    with api_field_names(**FIELD_NAMES):
        territory = territory_update(user=request_user(request), territory=territory, **changes)
    return territory_detail_out(territory)
