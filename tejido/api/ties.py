"""Ties between the actors of a program. A change never overwrites a tie: it writes a new version
and the old one stays, marked as replaced, so the API returns the new version's id."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ValidationInfo, field_validator

from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.selectors import ties_without_people
from tejido.network.services import tie_create, tie_end, tie_history, tie_update

from .access import can, program_for_api, require, require_visible
from .auth import PUBLIC_READ, READ_AUTH, WRITE_AUTH, request_user
from .errors import api_field_names
from .pagination import PageOut, PageParams, paginate
from .references import References
from .schemas import (
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ActorRef,
    CleanText,
    InputSchema,
    ObjectId,
    choices_doc,
    enum_value,
)

router = Router(tags=["ties"])

TYPE_DOC = choices_doc(TieType)
PROVENANCE_DOC = choices_doc(Provenance, "Where the information came from:")
INTENSITY_DOC = choices_doc(Intensity, "How close the tie is, 0 to 4:")
FIELD_NAMES = {"source": "source_id", "target": "target_id"}


# --- output ---------------------------------------------------------------------------------


class TieOut(Schema):
    id: int = Field(description="Id of this version of the tie.")
    program: str = Field(description="Slug of the program.")
    source: ActorRef = Field(description="For undirected ties, the actor with the smaller id.")
    target: ActorRef
    tie_type: TieType = Field(description=TYPE_DOC)
    directed: bool = Field(description="True when the tie goes from source to target only.")
    intensity: int = Field(ge=0, le=4, description=INTENSITY_DOC)
    intensity_label: str = Field(description="The intensity in the language of the request.")
    trust: int | None = Field(ge=1, le=5, description="Trust between the ends, 1 to 5.")
    value: int | None = Field(ge=1, le=5, description="Value of the tie to the ends, 1 to 5.")
    started_on: datetime.date | None
    ended_on: datetime.date | None = Field(description="Set once the tie has ended.")
    provenance: Provenance = Field(description=PROVENANCE_DOC)
    cycle: int | None = Field(description="Number of the program cycle it was recorded in.")
    note: str | None = Field(
        description="Internal note; null unless you hold a role in the program, as on the pages."
    )
    recorded_at: datetime.datetime = Field(description="When this version was recorded.")
    superseded_at: datetime.datetime | None = Field(
        description="When a newer version replaced this one; null for the current version."
    )
    previous_id: int | None = Field(description="Id of the version this one replaced.")
    is_current: bool = Field(description="This is the latest version of the tie.")
    is_active: bool = Field(description="Current, and in force today (started, not ended).")


class TieDetailOut(TieOut):
    previous_version_ids: list[int] = Field(
        description="Ids of every older version of this tie, newest first."
    )
    next_version_id: int | None = Field(description="Id of the version that replaced this one.")


class TiePage(PageOut):
    items: list[TieOut]


def tie_out(
    tie: Tie, *, program_slug: str, show_note: bool, cls: type[TieOut] = TieOut, **extra: Any
) -> Any:
    return cls(
        id=tie.pk,
        program=program_slug,
        source=ActorRef.model_validate(tie.source),
        target=ActorRef.model_validate(tie.target),
        tie_type=TieType(tie.tie_type),
        directed=tie.directed,
        intensity=tie.intensity,
        intensity_label=str(tie.get_intensity_display()),
        trust=tie.trust,
        value=tie.value,
        started_on=tie.started_on,
        ended_on=tie.ended_on,
        provenance=Provenance(tie.provenance),
        cycle=tie.cycle.number if tie.cycle else None,
        note=tie.note if show_note else None,
        recorded_at=tie.recorded_at,
        superseded_at=tie.superseded_at,
        previous_id=tie.previous_id,
        is_current=tie.superseded_at is None,
        is_active=tie.is_active(),
        **extra,
    )


def _with_relations(ties: QuerySet[Tie]) -> QuerySet[Tie]:
    return ties.select_related("source", "target", "cycle")


def tie_detail_out(request: HttpRequest, tie: Tie) -> TieDetailOut:
    tie = _with_relations(Tie.objects.filter(pk=tie.pk)).select_related("program").get()
    older = [v.pk for v in tie_history(tie) if (v.recorded_at, v.pk) < (tie.recorded_at, tie.pk)]
    newer = Tie.objects.filter(previous=tie).values_list("pk", flat=True).first()
    detail: TieDetailOut = tie_out(
        tie,
        program_slug=tie.program.slug,
        show_note=can(request, "core.view_program_internal", tie.program),
        cls=TieDetailOut,
        previous_version_ids=older,
        next_version_id=newer,
    )
    return detail


# --- input ----------------------------------------------------------------------------------

IntensityValue = Annotated[int, Field(ge=0, le=4, description=INTENSITY_DOC)]
Score = Annotated[int, Field(ge=1, le=5)]
Note = Annotated[CleanText, Field(max_length=10_000)]


def _check_dates(value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
    started = info.data.get("started_on")
    if value is not None and started is not None and value < started:
        raise ValueError(_("The end date cannot be before the start date."))
    return value


class TieIn(InputSchema):
    source_id: ObjectId = Field(description="Id of an actor of this program.")
    target_id: ObjectId = Field(description="Id of another actor of this program.")
    tie_type: TieType = Field(description=TYPE_DOC)
    directed: bool = Field(False, description="Whether the tie goes from source to target only.")
    intensity: IntensityValue = 1
    trust: Score | None = Field(None, description="Trust between the ends, 1 to 5.")
    value: Score | None = Field(None, description="Value of the tie to the ends, 1 to 5.")
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    provenance: Provenance = Field(Provenance.MANUAL, description=PROVENANCE_DOC)
    cycle: int | None = Field(
        None, ge=1, le=1000, description="Cycle number; by default the one running at the start."
    )
    note: Note = ""

    _ended_after_start = field_validator("ended_on")(_check_dates)


class TiePatch(InputSchema):
    """Only the fields sent change; the result is a new version of the tie."""

    intensity: IntensityValue | None = None
    trust: Score | None = Field(None, description="Null clears it.")
    value: Score | None = Field(None, description="Null clears it.")
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    note: Note | None = None
    provenance: Provenance | None = Field(None, description=PROVENANCE_DOC)

    _ended_after_start = field_validator("ended_on")(_check_dates)

    @field_validator("intensity", "provenance")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError(_("This field cannot be empty."))
        return value


class TieEndIn(InputSchema):
    ended_on: datetime.date | None = Field(None, description="Last day of the tie; today if null.")


# --- endpoints ------------------------------------------------------------------------------


class TieFilters(PageParams):
    actor: ObjectId | None = Field(None, description="Only ties with this actor at either end.")
    type: list[TieType] | None = Field(
        None, description=f"Repeat to match any of several. {TYPE_DOC}"
    )
    provenance: list[Provenance] | None = Field(
        None, description=f"Repeat to match any of several. {PROVENANCE_DOC}"
    )
    active_on: datetime.date | None = Field(
        None, description="Only ties in force on this day (started by then, not ended before)."
    )
    include_history: bool = Field(
        False, description="Also return the older versions that newer ones replaced."
    )
    intensity_min: int | None = Field(None, ge=0, le=4, description="Minimum intensity, 0 to 4.")


@router.get(
    "/programs/{slug}/ties",
    response={200: TiePage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="List the ties of a program",
)
def list_ties(request: HttpRequest, slug: str, filters: Query[TieFilters]) -> dict[str, object]:
    """Current versions by default, most recently recorded first.

    Ties with a person at either end are listed only for members of the program."""
    program = program_for_api(request, slug, "network.view_map")
    ties = Tie.objects.filter(program=program)
    people_visible = can(request, "actors.view_people", program)
    if not people_visible:
        ties = ties_without_people(ties, program)
    if not filters.include_history:
        ties = ties.current()
    if filters.active_on is not None:
        day = filters.active_on
        ties = ties.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )
    if filters.actor is not None:
        refs = References(program)
        refs.actor("actor", filters.actor, include_people=people_visible)
        refs.check()
        ties = ties.involving(filters.actor)
    if filters.type:
        ties = ties.filter(tie_type__in=[t.value for t in filters.type])
    if filters.provenance:
        ties = ties.filter(provenance__in=[p.value for p in filters.provenance])
    if filters.intensity_min is not None:
        ties = ties.filter(intensity__gte=filters.intensity_min)
    show_note = can(request, "core.view_program_internal", program)
    return paginate(
        request,
        _with_relations(ties.order_by("-recorded_at", "-id")),
        filters,
        lambda page: [tie_out(t, program_slug=program.slug, show_note=show_note) for t in page],
    )


def _tie_for(request: HttpRequest, tie_id: int, perm: str | None = None) -> Tie:
    tie = get_object_or_404(
        Tie.objects.select_related("program", "source", "target", "cycle"), pk=tie_id
    )
    require_visible(request, "network.view_map", tie)
    if (tie.source.is_person or tie.target.is_person) and not can(
        request, "actors.view_people", tie
    ):
        raise Http404  # a tie with a person names them
    if perm:
        require(request, perm, tie)
    return tie


@router.get(
    "/ties/{tie_id}",
    response={200: TieDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Get a tie",
)
def get_tie(request: HttpRequest, tie_id: int = Path(..., ge=1, le=MAX_ID)) -> TieDetailOut:
    """One version of a tie, with the ids of its older and newer versions. A tie with a person
    answers 404 to anyone who is not a member of the program."""
    return tie_detail_out(request, _tie_for(request, tie_id))


@router.post(
    "/programs/{slug}/ties",
    response={201: TieDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a tie",
)
def create_tie(request: HttpRequest, response: HttpResponse, slug: str, payload: TieIn) -> Status:
    """Record a tie between two actors of the program.

    Coordinators and directorate members may record any tie; an organization's representatives
    ties from their organization (`source_id`). If the two actors already have a current tie of
    this type, this writes a new version of it instead of a duplicate.
    """
    program = program_for_api(request, slug)
    refs = References(program)
    source = refs.actor("source_id", payload.source_id)
    target = refs.actor("target_id", payload.target_id)
    if not can(request, "network.add_tie", program) and not (
        source is not None and can(request, "network.add_tie_for_actor", source)
    ):
        raise PermissionDenied
    cycle = refs.cycle("cycle", payload.cycle)
    refs.check()
    assert source is not None and target is not None  # refs.check() raised otherwise
    with api_field_names(**FIELD_NAMES):
        tie = tie_create(
            user=request_user(request),
            source=source,
            target=target,
            tie_type=payload.tie_type.value,
            directed=payload.directed,
            intensity=payload.intensity,
            trust=payload.trust,
            value=payload.value,
            started_on=payload.started_on,
            ended_on=payload.ended_on,
            provenance=payload.provenance.value,
            cycle=cycle,
            note=payload.note,
        )
    response["Location"] = reverse("api:get_tie", kwargs={"tie_id": tie.pk})
    return Status(201, tie_detail_out(request, tie))


def _refuse_old_version(tie: Tie) -> None:
    if tie.superseded_at is not None:
        newer = Tie.objects.filter(previous=tie).values_list("pk", flat=True).first()
        raise HttpError(
            409,
            _("This version of the tie has been replaced by version %(id)s; change that one.")
            % {"id": newer},
        )


def _check_range(tie: Tie, changes: dict[str, Any]) -> None:
    started = changes.get("started_on", tie.started_on)
    ended = changes.get("ended_on", tie.ended_on)
    if started is not None and ended is not None and ended < started:
        field = "ended_on" if "ended_on" in changes else "started_on"
        raise ValidationError({field: _("The end date cannot be before the start date.")})


@router.patch(
    "/ties/{tie_id}",
    response={200: TieDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change a tie (writes a new version)",
)
def update_tie(
    request: HttpRequest, payload: TiePatch, tie_id: int = Path(..., ge=1, le=MAX_ID)
) -> TieDetailOut:
    """Record a new version of the current tie and return it; the old version is kept.

    Only the current version can be changed (409 otherwise). Coordinators, and representatives
    of either end, may change a tie.
    """
    tie = _tie_for(request, tie_id, "network.change_tie")
    _refuse_old_version(tie)
    changes = payload.model_dump(exclude_unset=True)
    provenance = changes.pop("provenance", None)
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    _check_range(tie, changes)
    with api_field_names(**FIELD_NAMES):
        new = tie_update(
            user=request_user(request),
            tie=tie,
            provenance=enum_value(provenance),
            **changes,
        )
    return tie_detail_out(request, new)


@router.post(
    "/ties/{tie_id}/end",
    response={200: TieDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="End a tie",
)
def end_tie(
    request: HttpRequest,
    tie_id: int = Path(..., ge=1, le=MAX_ID),
    payload: TieEndIn | None = None,
) -> TieDetailOut:
    """Mark the tie as ended on a day (today by default). Its history is kept."""
    tie = _tie_for(request, tie_id, "network.change_tie")
    _refuse_old_version(tie)
    ended_on = (payload.ended_on if payload else None) or timezone.localdate()
    _check_range(tie, {"ended_on": ended_on})
    with api_field_names(**FIELD_NAMES):
        new = tie_end(user=request_user(request), tie=tie, ended_on=ended_on)
    return tie_detail_out(request, new)
