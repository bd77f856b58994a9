# mypy: disable-error-code="arg-type,attr-defined,misc,return-value"
"""Worlds for the awards tests: a decided call with funded applications, an allocation run in
the ranking's outcome format, and the people around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import TerritoryFactory
from tejido.funds.models import AllocationRun, Application, Award, BudgetCategory, Call

from .factories import (
    AllocationRunFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    PartnerFactory,
    coordinator_of,
    representative_of,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def receipt(name: str = "boleta.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    types = {"pdf": "application/pdf", "png": "image/png"}
    return SimpleUploadedFile(
        name, content, content_type=types.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    )


def run_for(
    call: Call,
    funded: dict[Application, Any],
    *,
    others: dict[Application, str] | None = None,
    outcome: str = "funded",
    what_if: bool = False,
) -> AllocationRun:
    """An allocation run whose outcome funds `funded` (application → amount) and gives
    `others` (application → outcome) nothing, in the format the ranking area writes."""
    rows: dict[str, dict[str, Any]] = {}
    for rank, (application, amount) in enumerate(funded.items(), start=1):
        rows[str(application.pk)] = {
            "outcome": outcome,
            "amount": str(amount),
            "rank": rank,
            "score": 80.0 - rank,
            "reason": {"rank": rank},
        }
    for application, result in (others or {}).items():
        rows[str(application.pk)] = {
            "outcome": result,
            "amount": "0",
            "rank": None,
            "score": 40.0,
            "reason": {},
        }
    total = sum(
        (Decimal(str(a)) for a in funded.values() if str(a).replace(".", "").isdigit()),
        Decimal(0),
    )
    return AllocationRunFactory(
        call=call,
        outcome={"applications": rows, "total": str(total), "quota_totals": {}},
        total_awarded=total,
        is_what_if=what_if,
    )


@dataclass
class World:
    call: Call
    coordinator: Any
    grantee: Any  # the applicant organization of the first application
    grantee_rep: Any
    partner: Any
    partner_rep: Any
    applications: list[Application]
    run: AllocationRun
    funder: Any = None
    awards: list[Award] = field(default_factory=list)

    @property
    def program(self) -> Any:
        return self.call.program

    @property
    def award(self) -> Award:
        return self.awards[0]


def funded_world(
    *,
    funder: bool = True,
    amounts: tuple[str, ...] = ("1234567", "2000000"),
    with_partner: bool = True,
    lines: tuple[str, ...] = ("800000", "434567"),
    create: bool = True,
    **call_fields: Any,
) -> World:
    """A closed call with one funded application per amount (the first has budget lines, a
    partner and a representative for each organization), a coordinator and a real allocation
    run; with `create`, the awards made by `awards_create`."""
    call = CallFactory(closed=True, currency="CLP", **call_fields)
    if funder:
        call.funder = ActorFactory(
            program=call.program, name="Fundación Barrios", sector="third_sector"
        )
        call.save(update_fields=["funder"])
    territory = TerritoryFactory(name="La Pintana")
    applications = [
        ApplicationFactory(call=call, requested_amount=Decimal(amount), territory=territory)
        for amount in amounts
    ]
    first = applications[0]
    for position, amount in enumerate(lines):
        BudgetLineFactory(
            application=first,
            position=position,
            category=BudgetCategory.MATERIALS if position == 0 else BudgetCategory.SERVICES,
            description=f"Línea {position + 1}",
            amount=Decimal(amount),
        )
    partner = None
    partner_rep = None
    if with_partner:
        partner = ActorFactory(program=call.program, name="Centro Cultural Esperanza")
        PartnerFactory(application=first, organization=partner)
        partner_rep = representative_of(partner)
    grantee_rep = representative_of(first.applicant)
    coordinator = coordinator_of(call.program)
    run = run_for(call, {a: a.requested_amount for a in applications})
    world = World(
        call=call,
        coordinator=coordinator,
        grantee=first.applicant,
        grantee_rep=grantee_rep,
        partner=partner,
        partner_rep=partner_rep,
        applications=applications,
        run=run,
        funder=call.funder,
    )
    if create:
        from tejido.funds.awards.services import awards_create

        world.awards = awards_create(actor=coordinator, call=call, run=run)
    return world
