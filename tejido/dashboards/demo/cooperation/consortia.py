"""The consortia part of the cooperation demo.

Two joint bids in the program, both made through the consortia services (so their ties and
audit entries are real):

- a public tender for neighbourhood recovery, formed from the suggested partners, with lots,
  shares, a completed checklist and its technical proposal (a small PDF): submitted and won,
  which records collaboration and formal-agreement ties among its members;
- a call for community care projects, still forming and looking for public and academic
  partners, with open steps and a pending invitation to the demo representative's neighbours'
  association (Junta de Vecinos Villa Los Aromos del Sur).
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tejido.accounts.models import User
from tejido.actors.models import Actor, Representative, Sector
from tejido.actors.services import representative_add
from tejido.cooperation.consortia import services
from tejido.cooperation.consortia.selectors import partner_suggestions
from tejido.cooperation.models import BidKind, ChecklistItem, Consortium, MemberRole
from tejido.core.models import Program, Theme

DEMO_DOMAIN = "organizaciones.tejido.demo"
DEMO_REPRESENTATIVE_ENTITY = "Junta de Vecinos Villa Los Aromos del Sur"


def _representative(organization: Actor, coordinator: Any) -> User:
    """Who answers for the organization: its first representative, or one made for the demo
    (in the demo's domain, removed when the demo is loaded again)."""
    rep = (
        Representative.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if rep is not None:
        return rep.user
    email = f"representante.{organization.pk}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, None, first_name="Representante", last_name=organization.name[:100]
        )
        user.set_unusable_password()
        user.preferred_language = "es"
        user.save()
    representative_add(user=user, actor=coordinator, organization=organization)
    return user


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Tejido")
    body = [Paragraph(line, styles["BodyText"]) for line in lines]
    document.build([Paragraph(title, styles["Title"]), *body])
    return buffer.getvalue()


def _at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _themes(*labels: str) -> list[Theme]:
    found = {t.name: t for t in Theme.objects.filter(name__in=labels)}
    return [found[label] for label in labels if label in found]


def _pick(organizations: list[Actor], names: tuple[str, ...], sectors: tuple[str, ...]) -> Actor:
    """The first organization named, else the first of the sectors, else the first one."""
    by_name = {a.name: a for a in organizations}
    for name in names:
        if name in by_name:
            return by_name[name]
    for sector in sectors:
        for actor in organizations:
            if actor.sector == sector:
                return actor
    return organizations[0]


def demo_consortia(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    organizations = list(Actor.objects.organizations().filter(program=program).order_by("pk"))
    if len(organizations) < 3:
        return
    _won_tender(program, organizations, coordinator=coordinator, today=today, rng=rng)
    _forming_call(program, organizations, coordinator=coordinator, today=today, rng=rng)


def _won_tender(
    program: Program,
    organizations: list[Actor],
    *,
    coordinator: Any,
    today: datetime.date,
    rng: random.Random,
) -> Consortium:
    lead = _pick(
        organizations,
        ("Cooperativa de Reciclaje Mena Limpia", "Comité de Vivienda Nueva Mena"),
        (Sector.THIRD_SECTOR, Sector.COMMUNITY),
    )
    lead_rep = _representative(lead, coordinator)
    deadline = today - datetime.timedelta(days=48)
    consortium = services.consortium_create(
        user=coordinator,
        program=program,
        lead=lead,
        title="Recuperación de espacios públicos y convivencia en Bajos de Mena",
        kind=BidKind.TENDER,
        contracting_body="SERVIU Metropolitano · Programa Quiero Mi Barrio",
        reference="2401-37-LQ26",
        tender_url="https://www.mercadopublico.cl/",
        deadline=_at(deadline),
        budget=Decimal("86400000"),
        currency="CLP",
        purpose=(
            "Diseñar con los vecinos y vecinas la recuperación de tres plazas y la multicancha "
            "del sector, acompañar su uso con un plan de convivencia y dejar instalada una mesa "
            "barrial que cuide los espacios cuando termine el contrato."
        ),
        sectors_wanted=[Sector.COMMUNITY, Sector.ACADEMIA, Sector.PRIVATE],
        themes=_themes("Vivienda", "Seguridad comunitaria", "Transición social"),
        territory=lead.territory,
        lots=[
            services.LotInput(1, "Diagnóstico participativo y diseño", Decimal("18400000")),
            services.LotInput(2, "Obras de confianza en plazas y multicancha", Decimal("52000000")),
            services.LotInput(3, "Plan de convivencia y mesa barrial", Decimal("16000000")),
        ],
    )
    lots = list(consortium.lots.all())
    # Partners from the suggestions: the best of each sector, up to three, each told and
    # answering for itself.
    suggested = [c.actor for c in partner_suggestions(consortium, limit=10)]
    partners: list[Actor] = []
    for actor in suggested:
        if actor.sector not in {p.sector for p in partners}:
            partners.append(actor)
    partners += [a for a in suggested if a not in partners]
    partners += [a for a in organizations if a.pk != lead.pk and a not in partners]
    partners = partners[:3]
    shares = [Decimal(25), Decimal(20), Decimal(15)]
    roles = [MemberRole.PARTNER, MemberRole.PARTNER, MemberRole.SUBCONTRACTOR]
    lead_member = consortium.members.get(actor=lead)
    services.member_update(
        user=lead_rep, member=lead_member, role=MemberRole.LEAD, share=Decimal(40), lots=lots[:1]
    )
    for index, actor in enumerate(partners):
        member = services.member_invite(
            user=lead_rep,
            consortium=consortium,
            actor=actor,
            role=roles[index],
            share=shares[index],
            suggested=True,
        )
        services.invitation_answer(
            user=_representative(actor, coordinator), member=member, accept=True
        )
        services.member_update(
            user=lead_rep,
            member=member,
            role=roles[index],
            share=shares[index],
            lots=[lots[(index + 1) % len(lots)]] if index < 2 else lots[2:],
        )
    steps = [
        ("Boleta de garantía de seriedad de la oferta", lead),
        ("Anexo técnico: metodología participativa", partners[0]),
        ("Presupuesto detallado por lote", lead),
        ("Cartas de compromiso firmadas por cada socio", partners[-1]),
        ("Declaración jurada de no inhabilidad", lead),
    ]
    for position, (label, responsible) in enumerate(steps):
        step = services.step_add(
            user=lead_rep,
            consortium=consortium,
            label=label,
            responsible=responsible,
            due_on=deadline - datetime.timedelta(days=len(steps) - position + rng.randint(1, 3)),
        )
        services.step_toggle(user=lead_rep, step=step, done=True)
    upload = SimpleUploadedFile(
        "propuesta-tecnica.pdf",
        _pdf(
            "Propuesta técnica · Recuperación de espacios públicos en Bajos de Mena",
            [
                f"Consorcio liderado por {lead.name}.",
                "Socios: " + ", ".join(a.name for a in partners) + ".",
                "Lote 1: diagnóstico participativo y diseño con marchas exploratorias.",
                "Lote 2: obras de confianza en tres plazas y la multicancha.",
                "Lote 3: plan de convivencia y mesa barrial de cuidado de los espacios.",
            ],
        ),
        content_type="application/pdf",
    )
    services.document_add(
        user=lead_rep, consortium=consortium, title="Propuesta técnica", upload=upload
    )
    submitted_on = deadline - datetime.timedelta(days=1)
    services.consortium_submit(user=lead_rep, consortium=consortium, day=submitted_on)
    won_on = today - datetime.timedelta(days=12)
    services.consortium_outcome(
        user=coordinator,
        consortium=consortium,
        won=True,
        note=(
            "Adjudicada por resolución exenta del SERVIU. Las obras parten el próximo mes; la "
            "mesa barrial se reúne el primer martes de cada mes en la sede de la junta de vecinos."
        ),
        day=won_on,
    )
    # The services stamp the moment they run: the demo's bid was prepared, submitted and won
    # earlier.
    Consortium.objects.filter(pk=consortium.pk).update(
        submitted_at=_at(submitted_on, 11), decided_at=_at(won_on, 10)
    )
    for step in consortium.checklist.all():
        done_on = step.due_on or submitted_on
        ChecklistItem.objects.filter(pk=step.pk).update(done_at=_at(done_on, 18))
    consortium.documents.update(uploaded_at=_at(submitted_on - datetime.timedelta(days=2), 12))
    return consortium


def _forming_call(
    program: Program,
    organizations: list[Actor],
    *,
    coordinator: Any,
    today: datetime.date,
    rng: random.Random,
) -> Consortium:
    lead = _pick(
        organizations,
        ("Red de Cuidados de los Cités", "Centro de Madres Manos Creadoras"),
        (Sector.COMMUNITY,),
    )
    lead_rep = _representative(lead, coordinator)
    deadline = today + datetime.timedelta(days=24)
    consortium = services.consortium_create(
        user=lead_rep,
        program=program,
        lead=lead,
        title="Cuidados comunitarios para personas mayores que viven solas",
        kind=BidKind.CALL,
        contracting_body="Gobierno Regional Metropolitano · Fondo de Innovación Social",
        reference="FIS-2026-CUID-014",
        tender_url="https://www.gobiernosantiago.cl/",
        deadline=_at(deadline, 14),
        budget=Decimal("38500000"),
        currency="CLP",
        purpose=(
            "Una red de vecinas y vecinos que visita, acompaña y conecta con el CESFAM a las "
            "personas mayores que viven solas, con formación en cuidados y un registro común "
            "de necesidades que comparten las organizaciones del barrio."
        ),
        open_to_partners=True,
        sectors_wanted=[Sector.PUBLIC, Sector.ACADEMIA],
        themes=_themes("Personas mayores", "Salud", "Transición social"),
        territory=lead.territory,
        lots=[
            services.LotInput(1, "Red de visitas y acompañamiento", Decimal("24500000")),
            services.LotInput(2, "Formación en cuidados y registro común", Decimal("14000000")),
        ],
    )
    lead_member = consortium.members.get(actor=lead)
    services.member_update(
        user=lead_rep, member=lead_member, role=MemberRole.LEAD, share=Decimal(55)
    )
    # One partner has joined already; the demo representative's association is invited.
    others = [a for a in organizations if a.pk != lead.pk and a.name != DEMO_REPRESENTATIVE_ENTITY]
    first = _pick(others, ("Centro de Madres Manos Creadoras",), (Sector.COMMUNITY,))
    joined = services.member_invite(
        user=lead_rep, consortium=consortium, actor=first, share=Decimal(20)
    )
    services.invitation_answer(user=_representative(first, coordinator), member=joined, accept=True)
    aromos = next((a for a in organizations if a.name == DEMO_REPRESENTATIVE_ENTITY), None)
    if aromos is not None and aromos.pk != lead.pk:
        services.member_invite(
            user=lead_rep,
            consortium=consortium,
            actor=aromos,
            role=MemberRole.ASSOCIATE,
            share=Decimal(10),
        )
    steps = [
        ("Catastro de personas mayores que viven solas", first, -6, True),
        ("Carta de apoyo del CESFAM del sector", lead, 7, False),
        ("Convenio con una universidad para la formación", lead, 12, False),
        ("Presupuesto y carta Gantt", lead, 18, False),
    ]
    for label, responsible, days, done in steps:
        step = services.step_add(
            user=lead_rep,
            consortium=consortium,
            label=label,
            responsible=responsible,
            due_on=today + datetime.timedelta(days=days + rng.randint(0, 1)),
        )
        if done:
            services.step_toggle(user=lead_rep, step=step, done=True)
            ChecklistItem.objects.filter(pk=step.pk).update(done_at=_at(step.due_on or today, 17))
    return consortium
