# mypy: disable-error-code="arg-type,attr-defined"
"""A small world for the territory selection tests: a public and a private program, a region with
comunas and neighbourhoods, one user per role, and helpers to build scorecards. No tests here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.models import Program, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import CriterionKind, Scorecard
from tejido.governance.selection import services
from tejido.governance.tests.factories import BodyFactory, MandateFactory, SeatFactory

ROLES = {
    "representative": Role.ORGANIZATION_REPRESENTATIVE,
    "directorate": Role.DIRECTORATE_MEMBER,
    "coordinator": Role.COORDINATOR,
}
# Who sees drafts (the program's members and superusers) and who may change scorecards.
WHO = (
    "anonymous",
    "visitor",
    "representative",
    "directorate",
    "seat_holder",
    "coordinator",
    "superuser",
)
SEES_DRAFTS = {"representative", "directorate", "coordinator", "superuser"}
MANAGES = {"coordinator", "superuser"}


@dataclass
class World:
    program: Program
    private: Program
    region: Territory
    comunas: list[Territory]
    neighbourhoods: list[Territory]
    users: dict[str, Any] = field(default_factory=dict)

    @property
    def coordinator(self) -> Any:
        return self.users["coordinator"]


def make_world() -> World:
    program = ProgramFactory(name="Barrios en Red", slug="barrios")
    private = ProgramFactory(name="Programa Reservado", slug="reservado", is_public=False)
    country = TerritoryFactory(name="Chile", level=Territory.Level.COUNTRY, code="CL")
    region = TerritoryFactory(
        name="Región Metropolitana", level=Territory.Level.REGION, parent=country, code="13"
    )
    comunas = [
        TerritoryFactory(name=name, parent=region, code=code)
        for name, code in (
            ("Puente Alto", "13201"),
            ("San Bernardo", "13401"),
            ("Peñalolén", "13122"),
            ("La Pintana", "13112"),
        )
    ]
    neighbourhoods = [
        TerritoryFactory(name=name, parent=comunas[0], level=Territory.Level.NEIGHBOURHOOD)
        for name in ("Bajos de Mena", "Casas Viejas")
    ]
    program.territories.add(region)
    world = World(
        program=program,
        private=private,
        region=region,
        comunas=comunas,
        neighbourhoods=neighbourhoods,
    )
    for who, role in ROLES.items():
        user = UserFactory(email=f"{who}@example.org")
        ProgramRoleFactory(user=user, program=program, role=role)
        ProgramRoleFactory(user=user, program=private, role=role)
        world.users[who] = user
    RepresentativeFactory(
        user=world.users["representative"],
        organization=ActorFactory(program=program, name="Junta de Vecinos Los Álamos"),
    )
    world.users["visitor"] = UserFactory(email="visitor@example.org")
    # A seat holder without a role in the program: for selection, a visitor.
    body = BodyFactory(program=program, territory=comunas[0])
    world.users["seat_holder"] = MandateFactory(seat=SeatFactory(body=body)).holder_user
    world.users["superuser"] = UserFactory(email="root@example.org", is_superuser=True)
    world.users["anonymous"] = None
    return world


def criteria_by_kind(scorecard: Scorecard) -> dict[str, Any]:
    return {c.kind: c for c in scorecard.criteria.all()}


def make_scorecard(
    world: World,
    *,
    program: Program | None = None,
    territories: list[Territory] | None = None,
    seats: int = 2,
    values: bool = True,
    title: str = "Selección 2025",
) -> Scorecard:
    """A draft scorecard over the comunas, with vulnerability and support entered."""
    territories = world.comunas if territories is None else territories
    scorecard = services.scorecard_create(
        user=world.coordinator,
        program=program or world.program,
        title=title,
        territories=territories,
        seats_to_fill=seats,
    )
    if values:
        by_kind = criteria_by_kind(scorecard)
        entries = {}
        for index, candidate in enumerate(scorecard.candidates.order_by("territory__name")):
            entries[candidate.pk, by_kind[CriterionKind.VULNERABILITY].pk] = services.ValueEntry(
                value=Decimal(50 + 7 * index), evidence="RSH 2024"
            )
            support = (3 - index) % 4  # against the vulnerability: weights matter
            entries[candidate.pk, by_kind[CriterionKind.LOCAL_SUPPORT].pk] = services.ValueEntry(
                value=Decimal(support), evidence=f"Oficio N° {100 + index}" if support else ""
            )
        services.values_set(user=world.coordinator, scorecard=scorecard, entries=entries)
    return scorecard


def decide(
    world: World, scorecard: Scorecard, territories: list[Territory] | None = None
) -> Scorecard:
    chosen = territories or [
        c.territory for c in scorecard.candidates.all()[: scorecard.seats_to_fill]
    ]
    return services.scorecard_decide(
        user=world.coordinator,
        scorecard=scorecard,
        selected=chosen,
        reasons="Mayor vulnerabilidad y apoyo municipal firmado.",
    )
