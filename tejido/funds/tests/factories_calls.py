# mypy: disable-error-code="arg-type,attr-defined,misc,list-item,return-value"
"""Builders for the calls tests: a program with territories and approved improvement plans
whose objectives calls serve, and the keyword arguments of a valid call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tejido.core.models import Program, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import Objective, Plan, PlanStatus
from tejido.governance.tests.factories import BodyFactory, PlanFactory, PollFactory

from .factories import coordinator_of


def approved_plan(
    program: Program,
    territory: Territory,
    *,
    currency: str = "CLP",
    objectives: tuple[str, ...] = ("Espacios públicos seguros", "Jóvenes que participan"),
) -> Plan:
    """An approved plan of `territory` (with the objectives named) in `program`."""
    body = BodyFactory(program=program, territory=territory)
    plan = PlanFactory(
        body=body,
        currency=currency,
        cycle=program.cycles.order_by("number").first(),
        status=PlanStatus.APPROVED,
        approved_at=timezone.now(),
        approval_poll=PollFactory(body=body),
    )
    for position, title in enumerate(objectives):
        Objective.objects.create(plan=plan, position=position, title=f"{title} ({territory.name})")
    return plan


@dataclass
class CallWorld:
    program: Program
    coordinator: Any
    territories: list[Territory]
    plans: list[Plan]
    objectives: list[Objective] = field(default_factory=list)


def call_world(*, public: bool = True, plans: int = 2) -> CallWorld:
    """A program with a region, two comunas inside it, and an approved plan per comuna."""
    program = ProgramFactory(is_public=public)
    region = TerritoryFactory(name="Región Metropolitana", level=Territory.Level.REGION)
    comunas = [
        TerritoryFactory(name=name, parent=region)
        for name in ("La Pintana", "San Bernardo", "Puente Alto")[:plans]
    ]
    program.territories.add(region)
    made = [approved_plan(program, comuna) for comuna in comunas]
    objectives = list(Objective.objects.filter(plan__in=made).order_by("plan_id", "position"))
    return CallWorld(program, coordinator_of(program), [region, *comunas], made, objectives)


def call_values(**overrides: Any) -> dict[str, Any]:
    """The keyword arguments of `call_create` for a valid call opening in a week."""
    now = timezone.now()
    values: dict[str, Any] = {
        "title": "Fondo Barrial 2026",
        "summary": "Proyectos comunitarios que mejoran el barrio.",
        "budget": Decimal("60000000"),
        "max_grant": Decimal("6000000"),
        "min_grant": Decimal("1000000"),
        "opens_at": now + datetime.timedelta(days=7),
        "closes_at": now + datetime.timedelta(days=37),
    }
    values.update(overrides)
    return values
