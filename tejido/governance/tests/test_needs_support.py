# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Shared set-up for the needs and prioritization tests: a program with a territory tree, the
roles of the permission matrix, a body with seats, and helpers to fill sessions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from tejido.accounts.models import Role, User
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.core.models import Program, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import (
    Body,
    Mandate,
    Need,
    PrioritizationMethod,
    PrioritizationSession,
)
from tejido.governance.needs import services
from tejido.governance.tests.factories import body_with_seats


@dataclass
class World:
    program: Program
    comuna: Territory
    barrio: Territory
    other_barrio: Territory
    outside: Territory
    body: Body
    mandates: list[Mandate]
    coordinator: User
    member: User  # directorate member without a seat
    representative: User
    outsider: User  # an account with no role in the program
    superuser: User
    needs: list[Need] = field(default_factory=list)

    @property
    def holders(self) -> list[User]:
        return [m.holder_user for m in self.mandates]

    def users(self) -> dict[str, Any]:
        """The permission matrix's rows: who, as which account (None: anonymous)."""
        return {
            "anonymous": None,
            "visitor": self.outsider,
            "representative": self.representative,
            "member": self.member,
            "holder": self.holders[0],
            "coordinator": self.coordinator,
            "superuser": self.superuser,
        }


def make_world(*, public: bool = True, needs: int = 4, seats: int = 3) -> World:
    program = ProgramFactory(is_public=public)
    chile = TerritoryFactory(name="Chile", level=0)
    comuna = TerritoryFactory(name="La Pintana", level=2, parent=chile, code="13112")
    barrio = TerritoryFactory(name="Villa El Esfuerzo", level=3, parent=comuna, code="13112-01")
    other = TerritoryFactory(name="San Ricardo", level=3, parent=comuna, code="13112-02")
    outside = TerritoryFactory(name="Valparaíso", level=2, parent=chile, code="05101")
    program.territories.set([comuna])
    coordinator = UserFactory(first_name="Carolina", last_name="Muñoz")
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    member = UserFactory(first_name="Pedro", last_name="Soto")
    ProgramRoleFactory(user=member, program=program, role=Role.DIRECTORATE_MEMBER)
    representative = UserFactory(first_name="Rosa", last_name="Vera")
    ProgramRoleFactory(user=representative, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    body, mandates = body_with_seats(
        program=program, territory=barrio, sectors=("community",) * seats
    )
    for mandate in mandates:
        ProgramRoleFactory(user=mandate.holder_user, program=program, role=Role.DIRECTORATE_MEMBER)
    world = World(
        program=program,
        comuna=comuna,
        barrio=barrio,
        other_barrio=other,
        outside=outside,
        body=body,
        mandates=mandates,
        coordinator=coordinator,
        member=member,
        representative=representative,
        outsider=UserFactory(),
        superuser=User.objects.create_superuser(
            email=f"root{program.pk}@example.org", password="clave-segura-123"
        ),
    )
    titles = (
        "Luminarias apagadas en pasaje Los Aromos",
        "Microbasurales en el sitio eriazo",
        "Falta de actividades para jóvenes",
        "Atención de salud mental en el CESFAM",
        "Sede vecinal sin accesibilidad universal",
        "Veredas quebradas en calle Los Olmos",
    )
    for index in range(needs):
        world.needs.append(
            services.need_create(
                user=coordinator,
                program=program,
                territory=barrio,
                title=titles[index % len(titles)] + (f" ({index})" if index >= len(titles) else ""),
                people_affected=100 + index,
            )
        )
    return world


def make_session(
    world: World,
    method: str = PrioritizationMethod.HANLON,
    *,
    with_body: bool = True,
    open_it: bool = True,
    **extra: Any,
) -> PrioritizationSession:
    session = services.session_create(
        user=world.coordinator,
        program=world.program,
        territory=world.barrio,
        title="Priorización 2025",
        method=method,
        needs=world.needs,
        body=world.body if with_body else None,
        **extra,
    )
    if open_it:
        session = services.session_open(user=world.coordinator, session=session)
    return session


def hanlon_input(
    needs: list[Need], *, size: int = 5, seriousness: int = 5, effectiveness: int = 5, **pearl: int
) -> dict[str, Any]:
    row = {"size": size, "seriousness": seriousness, "effectiveness": effectiveness}
    for factor in ("propriety", "economics", "acceptability", "resources", "legality"):
        row[factor] = pearl.get(factor, 1)
    return {"scores": {str(n.pk): dict(row) for n in needs}}


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_world_has_every_role_of_the_matrix():
    world = make_world()
    assert world.coordinator.has_perm("governance.manage_prioritization", world.program)
    assert world.member.has_perm("governance.add_need", world.program)
    assert not world.representative.has_perm("governance.add_need", world.program)
    assert world.outsider.has_perm("governance.view_needs", world.program)
    assert len(world.needs) == 4 and {n.territory for n in world.needs} == {world.barrio}
