# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Builders for the applications tests: a call in a program with a comuna and an approved plan,
an applicant with its representative, a partner and a stranger organization with theirs, a
coordinator, documents to upload, and drafts made complete through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Program, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.funds.applications import services
from tejido.funds.models import Application, AttachmentKind, BudgetCategory, Call
from tejido.governance.models import Objective, Plan, PlanStatus
from tejido.governance.tests.factories import BodyFactory, PlanFactory, PollFactory

from .factories import CallFactory, coordinator_of, representative_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name: str = "carta.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def exe_upload(name: str = "programa.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/x-msdownload"
    )


@dataclass
class World:
    program: Program
    region: Territory
    comuna: Territory
    neighbourhood: Territory
    plan: Plan
    objectives: list[Objective]
    call: Call
    applicant: Actor
    representative: Any
    partner: Actor
    partner_representative: Any
    stranger: Actor
    stranger_representative: Any
    coordinator: Any


def make_world(*, public: bool = True, **call_fields: Any) -> World:
    """A region with a comuna and one of its neighbourhoods; an approved plan of the comuna with
    two objectives; an open call for the comuna serving the first objective; three
    organizations of the program, each with a representative; a coordinator."""
    program = ProgramFactory(is_public=public)
    region = TerritoryFactory(name="Región Metropolitana", level=Territory.Level.REGION)
    comuna = TerritoryFactory(name="La Pintana", parent=region)
    neighbourhood = TerritoryFactory(
        name="El Castillo", parent=comuna, level=Territory.Level.NEIGHBOURHOOD
    )
    program.territories.add(region)
    body = BodyFactory(program=program, territory=comuna)
    plan = PlanFactory(
        body=body,
        status=PlanStatus.APPROVED,
        approved_at=timezone.now(),
        approval_poll=PollFactory(body=body),
    )
    objectives = [
        Objective.objects.create(plan=plan, position=0, title="Espacios públicos seguros"),
        Objective.objects.create(plan=plan, position=1, title="Jóvenes que participan"),
    ]
    call = CallFactory(program=program, plan=plan, **call_fields)
    call.objectives.add(objectives[0])
    call.eligible_territories.add(comuna)
    applicant = ActorFactory(program=program, name="Junta de Vecinos El Castillo", territory=comuna)
    partner = ActorFactory(program=program, name="Club Deportivo Los Halcones", territory=comuna)
    stranger = ActorFactory(program=program, name="Centro Cultural Bajos de Mena")
    return World(
        program=program,
        region=region,
        comuna=comuna,
        neighbourhood=neighbourhood,
        plan=plan,
        objectives=objectives,
        call=call,
        applicant=applicant,
        representative=representative_of(applicant, UserFactory(first_name="Rosa")),
        partner=partner,
        partner_representative=representative_of(partner),
        stranger=stranger,
        stranger_representative=representative_of(stranger),
        coordinator=coordinator_of(program),
    )


LINES = [
    {
        "category": BudgetCategory.MATERIALS,
        "description": "Pintura y materiales para el mural",
        "amount": Decimal("600000"),
        "co_funding": Decimal("100000"),
    },
    {
        "category": BudgetCategory.PERSONNEL,
        "description": "Honorarios de la muralista",
        "amount": Decimal("900000"),
        "co_funding": Decimal("0"),
    },
]


def draft(world: World, **fields: Any) -> Application:
    """A draft started through the service, with only its title."""
    fields.setdefault("title", "Mural y plaza activa en El Castillo")
    return services.application_create(
        actor=world.representative, call=world.call, applicant=world.applicant, **fields
    )


def complete(
    world: World, application: Application | None = None, *, lines: Any = None
) -> Application:
    """A draft with everything the call asks for (not submitted)."""
    application = application or draft(world)
    services.application_update(
        actor=world.representative,
        application=application,
        summary="Pintamos un mural con los vecinos y recuperamos la plaza.",
        problem="La plaza está abandonada y es insegura de noche.",
        activities="Talleres de pintura, jornada de limpieza y festival de cierre.",
        territory=world.neighbourhood,
        beneficiaries_women=120,
        beneficiaries_men=90,
        beneficiaries_other=5,
        objectives=[world.objectives[0]],
        lines=LINES if lines is None else lines,
    )
    application.refresh_from_db()
    return application


def with_partner(world: World, application: Application, *, letter: bool = True) -> Any:
    return services.partner_add(
        actor=world.representative,
        application=application,
        organization=world.partner,
        role="Difusión y voluntariado",
        budget_share=Decimal("300000"),
        letter=pdf_upload("compromiso.pdf") if letter else None,
    )


def with_legal_document(world: World, application: Application, *, days_old: int = 10) -> Any:
    issued = timezone.localdate() - datetime.timedelta(days=days_old)
    return services.attachment_add(
        actor=world.representative,
        application=application,
        kind=AttachmentKind.LEGAL_STATUS,
        upload=pdf_upload("certificado-vigencia.pdf"),
        issued_on=issued,
    )


def submitted(world: World, **kwargs: Any) -> Application:
    application = complete(world)
    return services.application_submit(
        actor=world.representative, application=application, **kwargs
    )
