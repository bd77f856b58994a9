"""The actor registry of a program: search, read, create and edit actors.

Contact details appear only where the caller has `actors.view_contact` on the actor; gender only
for those with `actors.view_sensitive` (coordinators), and then only on the detail.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator, model_serializer
from pydantic_core.core_schema import SerializerFunctionWrapHandler

from tejido.actors.models import Actor, ActorKind, Sector, SensitiveData, SizeBand, Stance
from tejido.actors.selectors import actor_search
from tejido.actors.services import actor_create, actor_update
from tejido.core.models import Program, Territory, Theme

from .access import can, program_for_api, require, require_visible
from .auth import PUBLIC_READ, READ_AUTH, WRITE_AUTH, request_user
from .errors import api_field_names
from .pagination import PageOut, PageParams, paginate
from .references import References
from .schemas import (
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    CleanText,
    InputSchema,
    ObjectId,
    TerritoryRef,
    ThemeRef,
    choices_doc,
    enum_value,
)

router = Router(tags=["actors"])

KIND_DOC = choices_doc(ActorKind)
SECTOR_DOC = choices_doc(Sector)
SIZE_DOC = choices_doc(SizeBand, "Number of people involved:")
STANCE_DOC = choices_doc(Stance, "Attitude towards the program:")
# Optional text fields: the model stores "unknown" as '', the API accepts null for it too.
BLANKABLE = ("legal_form", "description", "email", "phone", "website", "address", "size", "stance")

# Model field → API input field, to report a service's errors where the client put the value.
FIELD_NAMES = {
    "territory": "territory_id",
    "territories_served": "territories_served_ids",
    "themes": "theme_ids",
}


# --- output ---------------------------------------------------------------------------------


class ContactOut(Schema):
    email: str
    phone: str
    website: str
    address: str


class SensitiveOut(Schema):
    gender: str = Field(description="Stored only with the person's recorded consent.")
    consent_given_at: datetime.datetime | None


class ActorOut(Schema):
    id: int
    program: str = Field(description="Slug of the program the actor belongs to.")
    kind: ActorKind = Field(description=KIND_DOC)
    name: str
    sector: Sector = Field(description=SECTOR_DOC)
    legal_form: str
    description: str
    territory: TerritoryRef | None = Field(description="Where the actor is based.")
    territories_served: list[TerritoryRef]
    themes: list[ThemeRef]
    size: str = Field(description=f"{SIZE_DOC}; '' when unknown.")
    founded_year: int | None
    power: int | None = Field(ge=1, le=5, description="Influence over the territory, 1 to 5.")
    interest: int | None = Field(ge=1, le=5, description="Interest in the program, 1 to 5.")
    stance: str = Field(description=f"{STANCE_DOC}; '' when unknown.")
    contact: ContactOut | None = Field(
        description="E-mail, phone, website and address; null unless you may see them "
        "(`actors.view_contact`: an organization's for members of the program, a person's for "
        "coordinators and the local directorate)."
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ActorDetailOut(ActorOut):
    sensitive: SensitiveOut | None = Field(
        None,
        description="People only, and only for coordinators (`actors.view_sensitive`); the key "
        "is absent for everyone else.",
    )

    # No return annotation on purpose: pydantic would document the annotated type instead of
    # the fields of this schema in the OpenAPI.
    @model_serializer(mode="wrap")
    def _omit_sensitive(self, handler: SerializerFunctionWrapHandler):
        data: dict[str, Any] = handler(self)
        # Absent rather than null: a client must not even learn that a gender could be there.
        if data.get("sensitive") is None:
            data.pop("sensitive", None)
        return data


class ActorPage(PageOut):
    items: list[ActorOut]


def actor_out(
    actor: Actor, *, program: Program, show_contact: bool, cls: type[ActorOut] = ActorOut
) -> Any:
    return cls(
        id=actor.pk,
        program=program.slug,
        kind=ActorKind(actor.kind),
        name=actor.name,
        sector=Sector(actor.sector),
        legal_form=actor.legal_form,
        description=actor.description,
        territory=TerritoryRef.model_validate(actor.territory) if actor.territory else None,
        territories_served=[TerritoryRef.model_validate(t) for t in actor.territories_served.all()],
        themes=[ThemeRef.model_validate(t) for t in actor.themes.all()],
        size=actor.size,
        founded_year=actor.founded_year,
        power=actor.power,
        interest=actor.interest,
        stance=actor.stance,
        contact=ContactOut.model_validate(actor) if show_contact else None,
        created_at=actor.created_at,
        updated_at=actor.updated_at,
    )


def _with_relations(actors: QuerySet[Actor]) -> QuerySet[Actor]:
    # Fixed number of queries for any page size: the territory joined, the M2Ms in one go each.
    return actors.select_related("territory").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name")),
        Prefetch("territories_served", queryset=Territory.objects.order_by("path")),
    )


def actor_detail_out(request: HttpRequest, actor: Actor) -> ActorDetailOut:
    actor = _with_relations(Actor.objects.filter(pk=actor.pk)).select_related("program").get()
    detail: ActorDetailOut = actor_out(
        actor,
        program=actor.program,
        show_contact=can(request, "actors.view_contact", actor),
        cls=ActorDetailOut,
    )
    if actor.kind == ActorKind.PERSON and can(request, "actors.view_sensitive", actor):
        data = SensitiveData.objects.filter(person=actor).first()
        if data is not None:
            detail.sensitive = SensitiveOut.model_validate(data)
    return detail


# --- input ----------------------------------------------------------------------------------

Name = Annotated[CleanText, Field(max_length=200)]
LegalForm = Annotated[CleanText, Field(max_length=120, description="E.g. junta de vecinos.")]
Description = Annotated[CleanText, Field(max_length=10_000)]
Email = Annotated[CleanText, Field(max_length=254)]
Phone = Annotated[CleanText, Field(max_length=40)]
Website = Annotated[CleanText, Field(max_length=200, description="A full URL, https://…")]
Address = Annotated[CleanText, Field(max_length=255)]
TerritoryIds = Annotated[list[ObjectId], Field(max_length=200)]
ThemeIds = Annotated[list[ObjectId], Field(max_length=50)]
FoundedYear = Annotated[int, Field(ge=1800, le=2100)]
Score = Annotated[int, Field(ge=1, le=5)]


class ActorIn(InputSchema):
    kind: ActorKind = Field(description=KIND_DOC)
    name: Name
    sector: Sector = Field(description=SECTOR_DOC)
    legal_form: LegalForm = ""
    description: Description = ""
    territory_id: ObjectId | None = Field(
        None, description="Id of the territory the actor is based in (see /territories)."
    )
    territories_served_ids: TerritoryIds = Field(
        default_factory=list, description="Ids of the territories the actor works for."
    )
    theme_ids: ThemeIds = Field(default_factory=list, description="Ids of themes.")
    email: Email = ""
    phone: Phone = ""
    website: Website = ""
    address: Address = ""
    size: SizeBand | None = Field(None, description=SIZE_DOC)
    founded_year: FoundedYear | None = None
    power: Score | None = Field(None, description="Influence over the territory, 1 to 5.")
    interest: Score | None = Field(None, description="Interest in the program, 1 to 5.")
    stance: Stance | None = Field(None, description=STANCE_DOC)


class ActorPatch(InputSchema):
    """Only the fields sent change. `null` clears an optional field."""

    kind: ActorKind | None = Field(None, description=KIND_DOC)
    name: Name | None = None
    sector: Sector | None = Field(None, description=SECTOR_DOC)
    legal_form: LegalForm | None = None
    description: Description | None = None
    territory_id: ObjectId | None = None
    territories_served_ids: TerritoryIds | None = None
    theme_ids: ThemeIds | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Website | None = None
    address: Address | None = None
    size: SizeBand | None = Field(None, description=SIZE_DOC)
    founded_year: FoundedYear | None = None
    power: Score | None = None
    interest: Score | None = None
    stance: Stance | None = Field(None, description=STANCE_DOC)

    @field_validator("kind", "name", "sector", "territories_served_ids", "theme_ids")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Validators run only on values actually sent, so this refuses an explicit null.
        if value is None:
            raise ValueError(_("This field cannot be empty."))
        return value


def _service_fields(data: dict[str, Any], refs: References) -> dict[str, Any]:
    """API input → keyword arguments of actor_create / actor_update."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "territory_id":
            fields["territory"] = refs.territory(key, value)
        elif key == "territories_served_ids":
            fields["territories_served"] = refs.territories(key, value)
        elif key == "theme_ids":
            fields["themes"] = refs.themes(key, value)
        elif key in BLANKABLE:
            fields[key] = "" if value is None else enum_value(value)
        else:
            fields[key] = enum_value(value)
    return fields


# --- endpoints ------------------------------------------------------------------------------


class ActorFilters(PageParams):
    q: CleanText | None = Field(
        None,
        max_length=200,
        description="Words in the name, legal form or description; case and accents ignored.",
    )
    sector: list[Sector] | None = Field(
        None, description=f"Repeat to match any of several. {SECTOR_DOC}"
    )
    kind: list[ActorKind] | None = Field(
        None, description=f"Repeat to match any of several. {KIND_DOC}"
    )
    territory: ObjectId | None = Field(
        None, description="Id of a territory: actors based in it or in any place within it."
    )
    theme: ObjectId | None = Field(None, description="Id of a theme.")


@router.get(
    "/programs/{slug}/actors",
    response={200: ActorPage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Search the actors of a program",
)
def list_actors(request: HttpRequest, slug: str, filters: Query[ActorFilters]) -> dict[str, object]:
    """The program's directory, ordered by name, with the same filters as the directory page.

    People (kind `person`) are listed only for members of the program; for everyone else they
    are left out, as on the pages."""
    program = program_for_api(request, slug, "actors.view_actor")
    # People only for those who may see them (`actors.view_people`), as on the directory page.
    actors: QuerySet[Actor] = Actor.objects.visible_to(request_user(request), program)
    refs = References(program)
    if filters.q:
        actors = actor_search(actors, filters.q)  # the directory page's search, word by word
    if filters.sector:
        actors = actors.filter(sector__in=[s.value for s in filters.sector])
    if filters.kind:
        actors = actors.filter(kind__in=[k.value for k in filters.kind])
    if filters.territory is not None:
        territory = Territory.objects.filter(pk=filters.territory).only("path").first()
        if territory is None:
            refs.errors["territory"] = [
                _("Unknown territory: %(ids)s.") % {"ids": filters.territory}
            ]
        else:
            actors = actors.filter(territory__path__startswith=territory.path)
    if filters.theme is not None:
        refs.themes("theme", [filters.theme])
        actors = actors.filter(themes__id=filters.theme)
    refs.check()
    return paginate(
        request,
        _with_relations(actors.order_by("name", "id")),
        filters,
        lambda page: [
            # Per actor: an organization's contact is institutional, a person's is personal
            # data (actors.rules). The caller's roles are cached, so this costs no query.
            actor_out(a, program=program, show_contact=can(request, "actors.view_contact", a))
            for a in page
        ],
    )


@router.get(
    "/actors/{actor_id}",
    response={200: ActorDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Get an actor",
)
def get_actor(request: HttpRequest, actor_id: int = Path(..., ge=1, le=MAX_ID)) -> ActorDetailOut:
    """One actor. Actors of programs you may not see answer 404, and so do people for anyone
    who is not a member of their program."""
    actor = get_object_or_404(Actor.objects.select_related("program"), pk=actor_id)
    require_visible(request, "actors.view_actor", actor)
    return actor_detail_out(request, actor)


@router.post(
    "/programs/{slug}/actors",
    response={201: ActorDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add an actor",
)
def create_actor(
    request: HttpRequest, response: HttpResponse, slug: str, payload: ActorIn
) -> Status:
    """Add an actor to the program's registry (coordinators)."""
    program = program_for_api(request, slug, "actors.add_actor")
    refs = References(program)
    fields = _service_fields(payload.model_dump(), refs)
    refs.check()
    with api_field_names(**FIELD_NAMES):
        actor = actor_create(user=request_user(request), program=program, **fields)
    response["Location"] = reverse("api:get_actor", kwargs={"actor_id": actor.pk})
    return Status(201, actor_detail_out(request, actor))


@router.patch(
    "/actors/{actor_id}",
    response={200: ActorDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change an actor",
)
def update_actor(
    request: HttpRequest, payload: ActorPatch, actor_id: int = Path(..., ge=1, le=MAX_ID)
) -> ActorDetailOut:
    """Change some fields of an actor (coordinators, and representatives of the organization)."""
    actor = get_object_or_404(Actor.objects.select_related("program"), pk=actor_id)
    require_visible(request, "actors.view_actor", actor)
    require(request, "actors.change_actor", actor)
    refs = References(actor.program)
    fields = _service_fields(payload.model_dump(exclude_unset=True), refs)
    refs.check()
    with api_field_names(**FIELD_NAMES):
        actor = actor_update(user=request_user(request), actor=actor, **fields)
    return actor_detail_out(request, actor)
