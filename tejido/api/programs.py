"""Programs the caller may see, with their cycles and territories."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from tejido.accounts.models import Role
from tejido.accounts.rules import programs_visible_to
from tejido.accounts.services import role_grant
from tejido.core.models import Cycle, Program, Territory
from tejido.core.services import program_create, program_update

from .access import can, may_create_program, program_for_api, require_platform
from .auth import PUBLIC_READ, READ_AUTH, WRITE_AUTH, request_user
from .errors import api_field_names
from .pagination import PageOut, PageParams, paginate
from .references import known_territories
from .schemas import READ_ERRORS, WRITE_ERRORS, CleanText, InputSchema, ObjectId, TerritoryRef

router = Router(tags=["programs"])

# Permissions a client may want to know about to show or hide its own buttons.
PROGRAM_PERMISSIONS = (
    "core.change_program",
    "actors.view_actor",
    "actors.view_people",
    "actors.add_actor",
    "actors.view_contact",
    "actors.view_sensitive",
    "actors.import_actors",
    "actors.export_actors",
    "network.view_map",
    "network.add_tie",
    "network.import_ties",
    "network.export_ties",
)


class CycleOut(Schema):
    number: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


class ProgramOut(Schema):
    slug: str = Field(description="Identifies the program in every other URL of the API.")
    name: str
    description: str
    is_public: bool = Field(description="Public programs are readable without logging in.")
    cycles: list[CycleOut]


class ProgramDetailOut(ProgramOut):
    territories: list[TerritoryRef] = Field(description="Territories the program works in.")
    permissions: list[str] = Field(
        description="What the caller may do in this program, as rule names "
        "(`actors.add_actor`, `network.add_tie`, …)."
    )


class ProgramPage(PageOut):
    items: list[ProgramOut]


def program_out(program: Program, cls: type[ProgramOut] = ProgramOut, **extra: Any) -> Any:
    return cls(
        slug=program.slug,
        name=program.name,
        description=program.description,
        is_public=program.is_public,
        cycles=[CycleOut.model_validate(c) for c in program.cycles.all()],
        **extra,
    )


def program_detail_out(request: HttpRequest, program: Program) -> ProgramDetailOut:
    prefetch_related_objects(
        [program], "cycles", Prefetch("territories", queryset=Territory.objects.order_by("path"))
    )
    detail: ProgramDetailOut = program_out(
        program,
        ProgramDetailOut,
        territories=[TerritoryRef.model_validate(t) for t in program.territories.all()],
        permissions=[p for p in PROGRAM_PERMISSIONS if can(request, p, program)],
    )
    return detail


class ProgramFilters(PageParams):
    q: CleanText | None = Field(None, max_length=200, description="Part of the name.")


@router.get(
    "/programs",
    response={200: ProgramPage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="List the programs you may see",
)
def list_programs(request: HttpRequest, filters: Query[ProgramFilters]) -> dict[str, object]:
    """Public programs, and private ones where you hold a role; ordered by name."""
    programs = programs_visible_to(request_user(request)).prefetch_related("cycles")
    if filters.q:
        programs = programs.filter(name__icontains=filters.q)
    return paginate(
        request,
        programs.order_by("name", "id"),
        filters,
        lambda page: [program_out(p) for p in page],
    )


@router.get(
    "/programs/{slug}",
    response={200: ProgramDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Get a program",
)
def get_program(request: HttpRequest, slug: str) -> ProgramDetailOut:
    """A program with its cycles, territories and what you may do in it.

    A private program you hold no role in answers 404, as if it did not exist.
    """
    return program_detail_out(request, program_for_api(request, slug))


# --- input ----------------------------------------------------------------------------------

# Model field → API input field, to report a service's errors where the client put the value.
FIELD_NAMES = {"territories": "territory_ids"}
# Dates of the first cycle a program may start on: keeps every cycle's end inside the calendar
# (twelve cycles of five years still end before 2200).
EARLIEST_START = datetime.date(1900, 1, 1)
LATEST_START = datetime.date(2100, 12, 31)

Name = Annotated[CleanText, Field(max_length=200)]
Description = Annotated[CleanText, Field(max_length=10_000)]
TerritoryIds = Annotated[
    list[ObjectId],
    Field(
        max_length=200,
        description="Ids of the territories the program works in (see /territories); actors "
        "are then placed in them or in places within or above them.",
    ),
]


class ProgramIn(InputSchema):
    name: Name
    slug: CleanText | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="Short name used in every URL of the program (letters, digits, `-`, `_`); "
        "made from the name when absent. It cannot be changed later.",
    )
    description: Description = ""
    is_public: bool = Field(True, description="Public programs are readable without logging in.")
    starts_on: datetime.date = Field(description="First day of the first cycle.")
    cycle_count: int = Field(
        Cycle.DEFAULT_COUNT, ge=1, le=12, description="How many cycles the program runs."
    )
    cycle_length_days: int = Field(
        365, ge=1, le=1830, description="Length of each cycle in days; cycles follow each other."
    )
    territory_ids: TerritoryIds = Field(default_factory=list)

    @field_validator("starts_on")
    @classmethod
    def _plausible_start(cls, value: datetime.date) -> datetime.date:
        if not EARLIEST_START <= value <= LATEST_START:
            raise ValueError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_START.isoformat(), "last": LATEST_START.isoformat()}
            )
        return value


class ProgramPatch(InputSchema):
    """Only the fields sent change. The slug and the cycles stay as they are."""

    name: Name | None = None
    description: Description | None = Field(None, description="Null clears it.")
    is_public: bool | None = Field(
        None, description="Public programs are readable without logging in."
    )
    territory_ids: TerritoryIds | None = Field(
        None, description="Replaces the program's territories; `[]` removes them all."
    )

    @field_validator("name", "is_public", "territory_ids")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Validators run only on values actually sent, so this refuses an explicit null.
        if value is None:
            raise ValueError(_("This field cannot be empty."))
        return value


# --- writes ---------------------------------------------------------------------------------


@router.post(
    "/programs",
    response={201: ProgramDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open a program",
)
def create_program(request: HttpRequest, response: HttpResponse, payload: ProgramIn) -> Status:
    """Open a program with its cycles laid end to end (platform administrators only).

    You become the program's administrator, and may then grant roles on it to others.
    """
    require_platform(request, may_create_program)
    territories = known_territories("territory_ids", payload.territory_ids)
    user = request_user(request)
    with transaction.atomic(), api_field_names(**FIELD_NAMES):
        program = program_create(
            user=user,
            name=payload.name,
            slug=payload.slug,
            description=payload.description,
            is_public=payload.is_public,
            starts_on=payload.starts_on,
            cycle_count=payload.cycle_count,
            cycle_length_days=payload.cycle_length_days,
        )
        # A program always has an administrator: otherwise nobody but a superuser could
        # grant the first roles in it.
        role_grant(actor=user, user=user, program=program, role=Role.ADMINISTRATOR)
        if territories:
            program = program_update(user=user, program=program, territories=territories)
    response["Location"] = reverse("api:get_program", kwargs={"slug": program.slug})
    return Status(201, program_detail_out(request, program))


@router.patch(
    "/programs/{slug}",
    response={200: ProgramDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change a program",
)
def update_program(request: HttpRequest, slug: str, payload: ProgramPatch) -> ProgramDetailOut:
    """Change the name, description, visibility or territories of a program (its administrators).

    Making a program private hides it, its actors and its ties from everyone without a role.
    """
    program = program_for_api(request, slug, "core.change_program")
    changes = payload.model_dump(exclude_unset=True)
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    if "territory_ids" in changes:
        changes["territories"] = known_territories("territory_ids", changes.pop("territory_ids"))
    with api_field_names(**FIELD_NAMES):
        program = program_update(user=request_user(request), program=program, **changes)
    return program_detail_out(request, program)
