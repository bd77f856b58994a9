"""Reads of the cooperation hub, the opportunities boards and the actor panel.

Every function reads in a fixed number of queries, however many rows there are: lists are
loaded once with what they show (`select_related` / `prefetch_related`), and the matching that
SQLite cannot do (JSON lists, territory paths) happens in Python on those rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.rules import represented_ids
from tejido.core.models import Program, Territory

from ..models import (
    LIVE_AGREEMENT,
    AgreementStatus,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    JointProject,
    MissionParticipant,
    MissionStatus,
    ProjectPartner,
    ProjectStatus,
    ReflectionSpace,
    ServiceAgreement,
    ServiceListing,
    SpaceStatus,
    StudyMission,
    Transfer,
    TransferOffer,
    TransferStatus,
)

# How many cards each section of a board shows; "see all" leads to the rest.
CARDS = 5
# How many recent items of each area the hub lists.
LATEST = 3

# The provenances of the ties this module records.
COOPERATION_PROVENANCES = (
    "shared_service",
    "consortium",
    "joint_project",
    "transfer",
    "mission",
)

ENTITY_KINDS = (ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP)
OPEN_SPACE = (SpaceStatus.COLLECTING, SpaceStatus.PRIORITIZING)
LIVE_TRANSFER = (TransferStatus.REQUESTED, TransferStatus.AGREED, TransferStatus.COMPLETED)


# -- shared pieces ------------------------------------------------------------------------------


@dataclass
class Card:
    """One opportunity on a board: what, why, and where to act."""

    title: str
    url: str = ""
    meta: str = ""
    reasons: list[str] = field(default_factory=list)
    action_label: str = ""
    action_url: str = ""
    tag: str = ""
    tag_class: str = ""
    obj: Any = None


@dataclass
class Section:
    key: str
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    all_url: str = ""
    extra: Any = None  # e.g. the network's opportunity rows


@dataclass
class Profile:
    """What an entity is, for matching: its sector, themes and places (base + served)."""

    actor: Actor
    theme_ids: frozenset[int]
    theme_names: dict[int, str]
    places: tuple[Territory, ...]


def profile_of(actor: Actor) -> Profile:
    """The entity's themes and places, two queries."""
    themes = {t.pk: t.name for t in actor.themes.all()}
    places: list[Territory] = []
    if actor.territory_id:
        base = actor.territory if actor.territory else None
        if base is not None:
            places.append(base)
    places.extend(t for t in actor.territories_served.all() if t.pk != actor.territory_id)
    return Profile(actor, frozenset(themes), themes, tuple(places))


def _place_in(profile: Profile, area: Territory | None) -> Territory | None:
    """The entity's first place inside `area` (the area itself or below it)."""
    if area is None or not area.path:
        return None
    for place in profile.places:
        if place.path.startswith(area.path):
            return place
    return None


def _shared_themes(profile: Profile, themes: Iterable[Any]) -> list[str]:
    return [t.name for t in themes if t.pk in profile.theme_ids]


def _themes_reason(names: Sequence[str]) -> str:
    return _("Shares themes: %(themes)s") % {"themes": ", ".join(names)}


def _place_reason(area: Territory) -> str:
    return _("Works in %(place)s") % {"place": area.name}


def sector_labels() -> dict[str, str]:
    return {code: str(label) for code, label in Sector.choices}


# -- the hub ------------------------------------------------------------------------------------


@dataclass
class HubNumbers:
    open_offers: int = 0
    open_needs: int = 0
    agreements: int = 0
    consortia_forming: int = 0
    projects_running: int = 0
    agendas_published: int = 0
    missions: int = 0


@dataclass
class Hub:
    numbers: HubNumbers
    listings: list[ServiceListing] = field(default_factory=list)
    consortia: list[Consortium] = field(default_factory=list)
    projects: list[JointProject] = field(default_factory=list)
    agendas: list[ReflectionSpace] = field(default_factory=list)
    missions: list[StudyMission] = field(default_factory=list)
    ties: list[tuple[str, str, int]] = field(default_factory=list)  # code, label, count
    ties_total: int = 0
    my_entities: list[Actor] = field(default_factory=list)


def _public_listings(program: Program) -> QuerySet[ServiceListing]:
    return ServiceListing.objects.filter(program=program, actor__kind__in=ENTITY_KINDS)


def cooperation_ties(program: Program, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """Current ties this module recorded in the program's current cycle, by provenance."""
    from tejido.network.models import Tie

    cycle = program.current_cycle(today)
    if cycle is None:
        return []
    counts = dict(
        Tie.objects.current()
        .filter(program=program, cycle=cycle, provenance__in=COOPERATION_PROVENANCES)
        .values("provenance")
        .annotate(n=Count("id"))
        .values_list("provenance", "n")
    )
    return [(code, counts.get(code, 0)) for code in COOPERATION_PROVENANCES]


def hub(program: Program, user: Any, *, member: bool) -> Hub:
    """The module's overview: figures, the latest of each area, the ties it wove. Fixed
    queries."""
    from tejido.network.models import Provenance

    listing_counts = _public_listings(program).aggregate(
        offers=Count("id", filter=Q(is_open=True, kind="offer")),
        needs=Count("id", filter=Q(is_open=True, kind="need")),
    )
    numbers = HubNumbers(
        open_offers=listing_counts["offers"],
        open_needs=listing_counts["needs"],
        agreements=ServiceAgreement.objects.filter(
            program=program, status=AgreementStatus.AGREED
        ).count(),
        consortia_forming=Consortium.objects.filter(
            program=program, status=ConsortiumStatus.FORMING
        ).count(),
        projects_running=JointProject.objects.filter(
            program=program, status=ProjectStatus.RUNNING
        ).count(),
        agendas_published=ReflectionSpace.objects.filter(
            program=program, status=SpaceStatus.PUBLISHED
        ).count(),
        missions=StudyMission.objects.filter(program=program)
        .exclude(status=MissionStatus.CANCELLED)
        .count(),
    )
    result = Hub(numbers=numbers)
    result.listings = list(
        _public_listings(program).filter(is_open=True).select_related("actor")[:LATEST]
    )
    if member:
        result.consortia = list(
            Consortium.objects.filter(program=program)
            .exclude(status=ConsortiumStatus.WITHDRAWN)
            .select_related("lead")[:LATEST]
        )
    result.projects = list(
        JointProject.objects.filter(program=program)
        .exclude(status=ProjectStatus.CANCELLED)
        .annotate(partner_count=Count("partners"))[:LATEST]
    )
    agendas = ReflectionSpace.objects.filter(program=program)
    if not member:
        agendas = agendas.filter(status=SpaceStatus.PUBLISHED)
    result.agendas = list(agendas.order_by("-published_at", "-created_at", "-id")[:LATEST])
    result.missions = list(
        StudyMission.objects.filter(program=program).exclude(status=MissionStatus.CANCELLED)[
            :LATEST
        ]
    )
    labels = dict(Provenance.choices)
    result.ties = [(code, str(labels.get(code, code)), n) for code, n in cooperation_ties(program)]
    result.ties_total = sum(n for _code, _label, n in result.ties)
    mine = represented_ids(user)
    if mine:
        result.my_entities = list(
            Actor.objects.filter(program=program, pk__in=mine, kind__in=ENTITY_KINDS).order_by(
                "name"
            )
        )
    return result


# -- the entity's board -------------------------------------------------------------------------


def introductions(actor: Actor, user: Any, *, limit: int = CARDS) -> Section:
    """Open suggested introductions (network analysis) involving the entity."""
    from tejido.network.analytics.pages import opportunity_queryset, opportunity_rows
    from tejido.network.models import OpportunityStatus

    program = actor.program
    rows = opportunity_queryset(program, user).filter(
        Q(actor_a=actor) | Q(actor_b=actor), status=OpportunityStatus.OPEN
    )
    count = rows.count()
    found = list(rows[:limit]) if count else []
    return Section(
        "introductions",
        count=count,
        extra=opportunity_rows(program, found, user, focus=actor.pk) if found else [],
    )


@dataclass
class CallCheck:
    call: Any
    documents_only: bool  # passes every rule but the documents it has to attach


DOCUMENT_RULES = frozenset({"legal_document"})


def open_calls(program: Program) -> list[Any]:
    from tejido.funds.models import Call

    return list(
        Call.objects.filter(program=program)
        .open()
        .prefetch_related("eligible_territories")
        .order_by("closes_at", "id")
    )


def eligible_calls(profile: Profile, calls: Sequence[Any] | None = None) -> list[CallCheck]:
    """Open calls of the program the entity passes (or would, with its documents attached):
    the funds' own rules (`tejido.funds.eligibility.check`) on the entity's facts."""
    from tejido.funds import eligibility
    from tejido.funds.applications.services import call_rules
    from tejido.funds.models import Application, ApplicationStatus, Award

    actor = profile.actor
    if calls is None:
        calls = open_calls(actor.program)
    if not calls:
        return []
    today = timezone.localdate()
    overdue = tuple(
        sorted(
            Award.objects.with_overdue_reports(today)
            .filter(application__applicant=actor)
            .values_list("application__reference", flat=True)
        )
    )
    submitted: dict[int, list[str]] = defaultdict(list)
    for call_id, reference in Application.objects.filter(
        call__in=[c.pk for c in calls], applicant=actor, status=ApplicationStatus.SUBMITTED
    ).values_list("call_id", "reference"):
        submitted[call_id].append(reference)
    places = tuple(eligibility.Place(p.name, p.path) for p in profile.places)
    found = []
    for call in calls:
        facts = eligibility.ApplicantFacts(
            sector=actor.sector,
            kind=actor.kind,
            places=places,
            overdue_awards=overdue,
            other_applications=tuple(submitted.get(call.pk, ())),
        )
        failed = {r["rule"] for r in eligibility.check(facts, call_rules(call)) if not r["passed"]}
        if not failed or failed <= DOCUMENT_RULES:
            found.append(CallCheck(call, documents_only=bool(failed)))
    return found


def consortia_for(profile: Profile) -> list[tuple[Consortium, list[str]]]:
    """Consortia forming that look for partners like the entity: not led by it nor with it as a
    member, wanting its sector (or any), sharing a theme or a territory (ancestors count)."""
    actor = profile.actor
    rows = (
        Consortium.objects.filter(program_id=actor.program_id)
        .looking_for_partners()
        .exclude(lead=actor)
        .exclude(Exists(ConsortiumMember.objects.filter(consortium=OuterRef("pk"), actor=actor)))
        .select_related("lead", "territory")
        .prefetch_related("themes")
        .order_by("deadline", "-id")
    )
    sectors = sector_labels()
    found = []
    for consortium in rows:
        wanted = list(consortium.sectors_wanted or [])
        if wanted and actor.sector not in wanted:
            continue
        reasons = []
        shared = _shared_themes(profile, consortium.themes.all())
        place = _place_in(profile, consortium.territory)
        if not shared and place is None:
            continue
        if wanted:
            reasons.append(
                _("Looks for the %(sector)s sector") % {"sector": sectors.get(actor.sector, "")}
            )
        if shared:
            reasons.append(_themes_reason(shared))
        if place is not None and consortium.territory is not None:
            reasons.append(_place_reason(consortium.territory))
        found.append((consortium, reasons))
    return found


def agendas_for(profile: Profile) -> list[tuple[ReflectionSpace, list[str]]]:
    """Reflection spaces still open to new entities that the entity has not joined, sharing a
    theme or territory with it (all of them when it declares no themes)."""
    actor = profile.actor
    rows = (
        ReflectionSpace.objects.filter(
            program_id=actor.program_id, status__in=OPEN_SPACE, open_to_join=True
        )
        .exclude(participants__actor=actor)
        .select_related("territory")
        .prefetch_related("themes")
        .annotate(participant_count=Count("participants", distinct=True))
        .order_by("-created_at", "-id")
    )
    found: list[tuple[ReflectionSpace, list[str]]] = []
    for space in rows:
        shared = _shared_themes(profile, space.themes.all())
        place = _place_in(profile, space.territory)
        reasons = []
        if shared:
            reasons.append(_themes_reason(shared))
        if place is not None and space.territory is not None:
            reasons.append(_place_reason(space.territory))
        if not reasons:
            if profile.theme_ids:
                continue
            reasons.append(_("Open to every entity of the program"))
        found.append((space, reasons))
    return found


def transfers_for(profile: Profile) -> list[tuple[TransferOffer, list[str]]]:
    """Open transfer offers of others on the entity's themes, that it has not asked for yet."""
    actor = profile.actor
    if not profile.theme_ids:
        return []
    rows = (
        TransferOffer.objects.filter(
            program_id=actor.program_id, is_open=True, themes__in=profile.theme_ids
        )
        .exclude(provider=actor)
        .exclude(
            Exists(
                Transfer.objects.filter(
                    offer=OuterRef("pk"), receiver=actor, status__in=LIVE_TRANSFER
                )
            )
        )
        .distinct()
        .select_related("provider")
        .prefetch_related("themes")
        .order_by("-created_at", "-id")
    )
    return [
        (offer, [_themes_reason(_shared_themes(profile, offer.themes.all()))]) for offer in rows
    ]


def service_matches(actor: Actor) -> tuple[list[Any], list[Any]]:
    """(offers of others for its needs, needs of others its offers could serve), from the
    suggestions' selectors (a fixed number of queries)."""
    from .. import suggestions

    return (
        list(suggestions.matches_for_actor(actor)),
        list(suggestions.needs_actor_could_serve(actor)),
    )


def load_actor(program: Program, pk: int) -> Actor | None:
    """An entity (organization or informal group) of the program with what the board needs."""
    return (
        Actor.objects.filter(program=program, pk=pk, kind__in=ENTITY_KINDS)
        .select_related("territory")
        .first()
    )


# -- the actor panel ----------------------------------------------------------------------------


@dataclass
class PanelCounts:
    offers: int = 0
    needs: int = 0
    consortia: int = 0
    projects: int = 0
    missions: int = 0

    @property
    def total(self) -> int:
        return self.offers + self.needs + self.consortia + self.projects + self.missions


def _count(queryset: QuerySet[Any], column: str) -> Subquery:
    """A subquery counting the distinct `column` values of `queryset` (filtered on the outer
    actor)."""
    counted = (
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(n=Count(column, distinct=True))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def panel_counts(actor: Actor, *, with_consortia: bool) -> PanelCounts:
    """What the entity does in intercooperation, as counts: one query."""
    me = OuterRef("pk")
    annotations: dict[str, Any] = {
        "offers": _count(ServiceListing.objects.filter(actor=me, is_open=True, kind="offer"), "id"),
        "needs": _count(ServiceListing.objects.filter(actor=me, is_open=True, kind="need"), "id"),
        "projects": _count(
            ProjectPartner.objects.filter(actor=me).exclude(
                project__status=ProjectStatus.CANCELLED
            ),
            "project",
        ),
        "missions": _count(
            MissionParticipant.objects.filter(actor=me).exclude(
                mission__status=MissionStatus.CANCELLED
            ),
            "mission",
        ),
    }
    if with_consortia:
        annotations["consortia"] = _count(
            Consortium.objects.filter(
                Q(lead=me)
                | Q(
                    Exists(
                        ConsortiumMember.objects.filter(
                            consortium=OuterRef("pk"), actor=OuterRef(OuterRef("pk"))
                        ).exclude(status="declined")
                    )
                )
            ).exclude(status=ConsortiumStatus.WITHDRAWN),
            "id",
        )
    # Aliased: some names ("missions") are relations of Actor.
    aliased = {f"coop_{key}": value for key, value in annotations.items()}
    row = Actor.objects.filter(pk=actor.pk).annotate(**aliased)
    values = row.values(*aliased).first() or {}
    return PanelCounts(**{key[5:]: value or 0 for key, value in values.items()})


# -- the program's board ------------------------------------------------------------------------


def unmatched_needs(program: Program) -> QuerySet[ServiceListing]:
    """Open needs of the program's entities with no request or agreement in course."""
    live = ServiceAgreement.objects.filter(need=OuterRef("pk"), status__in=LIVE_AGREEMENT)
    return (
        _public_listings(program)
        .filter(is_open=True, kind="need")
        .exclude(Exists(live))
        .select_related("actor", "territory")
    )


def best_matches(needs: Sequence[ServiceListing]) -> dict[int, Any]:
    """The best offer for each need, in one matching run (a fixed number of queries)."""
    from .. import suggestions

    return suggestions.best_offers_for_needs(needs)


def looking_for_partners(program: Program) -> QuerySet[Consortium]:
    return (
        Consortium.objects.filter(program=program)
        .looking_for_partners()
        .select_related("lead", "territory")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("deadline", "-id")
    )


def agendas_open(program: Program) -> QuerySet[ReflectionSpace]:
    return (
        ReflectionSpace.objects.filter(program=program, status__in=OPEN_SPACE, open_to_join=True)
        .select_related("territory")
        .annotate(participant_count=Count("participants", distinct=True))
        .order_by("-created_at", "-id")
    )


def program_entities(program: Program, user: Any, *, coordinator: bool) -> list[Actor]:
    """The entities whose board the user may open from the picker."""
    rows = Actor.objects.filter(program=program, kind__in=ENTITY_KINDS)
    if not coordinator:
        rows = rows.filter(pk__in=represented_ids(user))
    return list(rows.only("pk", "name", "kind").order_by("name"))
