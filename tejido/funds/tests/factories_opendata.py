# mypy: disable-error-code="arg-type,attr-defined,misc,operator,assignment,no-any-return"
"""A decided call with its awards, for the open-data tests (built on the shared factories)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Program, Territory, Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.funds.models import (
    AllocationRun,
    Application,
    Award,
    Call,
    CallStatus,
    Disbursement,
    Milestone,
)

from .factories import (
    AllocationRunFactory,
    ApplicationFactory,
    AwardFactory,
    CallFactory,
    PartnerFactory,
)


@dataclass
class DecidedCall:
    program: Program
    call: Call
    territory: Territory
    theme: Theme
    run: AllocationRun
    funded: list[Application] = field(default_factory=list)
    not_funded: list[Application] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)


def decided_call(
    *,
    program: Program | None = None,
    status: str = CallStatus.RESULTS_PUBLISHED,
    funded: int = 2,
    not_funded: int = 1,
    prefix: str = "FC-2026",
    **call_fields: Any,
) -> DecidedCall:
    """A closed call whose committee funded `funded` applications (with a partner, a paid
    first payment and two milestones, one reached) and left `not_funded` out."""
    if program is None:
        program = ProgramFactory(name="Barrios en Red", slug="barrios-en-red")
    assert program is not None
    territory: Any = Territory.objects.filter(slug="la-pintana").first()
    if territory is None:
        country = TerritoryFactory(name="Chile", slug="chile", level=Territory.Level.COUNTRY)
        territory = TerritoryFactory(
            name="La Pintana",
            slug="la-pintana",
            parent=country,
            code="13112",
            latitude=Decimal("-33.583"),
            longitude=Decimal("-70.634"),
        )
    program.territories.add(territory)
    theme = Theme.objects.filter(slug="espacios-publicos").first() or ThemeFactory(
        name="Espacios públicos", slug="espacios-publicos"
    )
    fields = {"title": "Fondo Barrial 2026", "slug": "fondo-barrial-2026", **call_fields}
    call = CallFactory(program=program, closed=True, status=status, **fields)
    today = timezone.localdate()
    applications = [
        ApplicationFactory(
            call=call,
            reference=f"{prefix}-{n:04d}",
            title=f"Plaza activa {n}",
            territory=territory,
            theme=theme,
            requested_amount=Decimal(1_000_000 + 250_000 * n),
        )
        for n in range(1, funded + not_funded + 1)
    ]
    outcome: dict[str, Any] = {
        "applications": {
            str(a.pk): {
                "outcome": "funded" if i < funded else "no_budget",
                "amount": str(a.requested_amount if i < funded else 0),
                "rank": i + 1,
                "score": 90.0 - 7.5 * i,
                "reason": {},
            }
            for i, a in enumerate(applications)
        }
    }
    run = AllocationRunFactory(call=call, outcome=outcome)
    world = DecidedCall(program, call, territory, theme, run)
    for i, application in enumerate(applications):
        if i >= funded:
            world.not_funded.append(application)
            continue
        PartnerFactory(application=application)
        award = AwardFactory(
            application=application,
            run=run,
            identifier=f"360G-tejido-{program.slug}-{application.reference}",
            awarded_on=today - datetime.timedelta(days=20),
            starts_on=today - datetime.timedelta(days=10),
            ends_on=today + datetime.timedelta(days=170),
        )
        first = (award.amount * Decimal("0.7")).quantize(Decimal(1))
        Disbursement.objects.create(award=award, due_on=today, amount=first, paid_on=today)
        Disbursement.objects.create(
            award=award, position=1, due_on=award.ends_on, amount=award.amount - first
        )
        Milestone.objects.create(
            award=award, title="Diagnóstico", due_on=today, done_on=today, position=0
        )
        Milestone.objects.create(award=award, title="Obras", due_on=award.ends_on, position=1)
        world.funded.append(application)
        world.awards.append(award)
    return world


def organization(program: Program, **fields: Any) -> Any:
    return ActorFactory(program=program, **fields)
