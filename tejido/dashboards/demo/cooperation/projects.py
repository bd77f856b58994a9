"""The projects part of the cooperation demo: a joint project running with four partners (their
ties recorded), one still planned, and three tools or methods on offer with four transfers in
different states (two done, one agreed, one asked for by Junta de Vecinos Villa Los Aromos del
Sur). Everything goes through the services, so ties and audit entries are real."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from tejido.actors.models import Actor, Representative, Sector
from tejido.cooperation.models import Transfer, TransferKind
from tejido.cooperation.projects import services
from tejido.core.models import Cycle, Program, Theme

AROMOS = "Junta de Vecinos Villa Los Aromos del Sur"

OFFERS = (
    (
        TransferKind.METHOD,
        "Metodología de diagnóstico participativo",
        "Una guía en tres talleres para que la comunidad mapee sus problemas, recursos y "
        "actores: cartografía del barrio, árbol de problemas y priorización con puntos. La "
        "hemos usado en seis poblaciones de Valparaíso y Viña del Mar.",
        "Acompañamos el primer taller en terreno y compartimos las plantillas editables. "
        "Pedimos que nos cuenten los resultados.",
        ("social", "democratic"),
    ),
    (
        TransferKind.TOOL,
        "Plantilla de rendición de cuentas de fondos",
        "Planilla y guía paso a paso para rendir fondos públicos (FONDEVE, fondos regionales "
        "del 8 %) sin observaciones: respaldo de boletas, cuadro de gastos y acta de entrega.",
        "Libre uso. Una sesión de 1 hora por videollamada para explicarla.",
        ("democratic",),
    ),
    (
        TransferKind.TECHNOLOGY,
        "App de gestión de socios",
        "Aplicación web sencilla para llevar el registro de socios, cuotas y asistencia a "
        "asambleas, pensada para juntas de vecinos y clubes deportivos. Funciona en el celular.",
        "Instalación gratuita; la organización se hace cargo del dominio. Soporte durante "
        "seis meses.",
        ("social",),
    ),
)


def _speakers(organizations: list[Actor]) -> dict[int, Any]:
    """The first active representative of each organization."""
    speakers: dict[int, Any] = {}
    for rep in (
        Representative.objects.filter(organization__in=organizations, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        speakers.setdefault(rep.organization_id, rep.user)
    return speakers


def _first(entities: list[Actor], sector: str, taken: set[int]) -> Actor | None:
    found = next((a for a in entities if a.sector == sector and a.pk not in taken), None)
    if found is not None:
        taken.add(found.pk)
    return found


def demo_projects(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    entities = list(Actor.objects.organizations().filter(program=program).order_by("pk"))
    if len(entities) < 6:
        return
    cycle = Cycle.objects.filter(program=program).running_on(today).first()
    cycle_start = cycle.starts_on if cycle else today - datetime.timedelta(days=120)
    # Ties fall in the current cycle: every date they carry is on or after its start.
    day = max(cycle_start, today - datetime.timedelta(days=rng.randint(40, 70)))
    transitions = {t.transition: t for t in Theme.objects.exclude(transition="")}
    speakers = _speakers(entities)
    aromos = next((a for a in entities if a.name == AROMOS), None)
    taken: set[int] = {aromos.pk} if aromos else set()

    # -- a joint project running, with four partners --------------------------------------
    lead = _first(entities, Sector.THIRD_SECTOR, taken) or entities[0]
    taken.add(lead.pk)
    others = [
        a
        for a in (
            _first(entities, Sector.PUBLIC, taken),
            _first(entities, Sector.ACADEMIA, taken),
            _first(entities, Sector.COMMUNITY, taken),
        )
        if a is not None
    ]
    running = services.project_create(
        user=coordinator,
        program=program,
        lead=lead,
        title="Red de huertos comunitarios y compostaje en los cerros",
        summary=(
            "Cuatro organizaciones levantan huertos en sitios eriazos de los cerros, con "
            "compostaje de residuos orgánicos de las ferias libres y talleres abiertos."
        ),
        goals=(
            "Seis huertos comunitarios funcionando, con un comité vecinal a cargo de cada uno.\n"
            "Compostar 20 toneladas de residuos orgánicos de ferias libres al año.\n"
            "120 vecinas y vecinos formados en agroecología urbana."
        ),
        themes=[transitions[c] for c in ("ecological", "social") if c in transitions],
        budget=Decimal("18500000"),
        currency="CLP",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=365),
        lead_contribution="Coordinación general, monitoras de huerto y rendición de cuentas.",
        lead_share=Decimal("7500000"),
    )
    contributions = (
        ("Terrenos municipales en comodato, agua y retiro de residuos.", Decimal("6000000")),
        ("Análisis de suelos y seguimiento del compost con estudiantes en práctica.", None),
        (
            "Convocatoria vecinal, cuidado diario de los huertos y sede para los talleres.",
            Decimal("2000000"),
        ),
    )
    for actor, (contribution, share) in zip(others, contributions, strict=False):
        services.partner_add(
            user=coordinator,
            project=running,
            actor=actor,
            contribution=contribution,
            budget_share=share,
            day=day,
        )
    if len(others) >= 1:
        services.project_set_status(user=coordinator, project=running, status="running", day=day)

    # -- a joint project still planned ----------------------------------------------------
    planned_lead = _first(entities, Sector.THIRD_SECTOR, taken) or _first(
        entities, Sector.COMMUNITY, taken
    )
    if planned_lead is not None:
        planned = services.project_create(
            user=coordinator,
            program=program,
            lead=planned_lead,
            title="Escuela de dirigentes barriales 2027",
            summary=(
                "Un ciclo de formación para nuevas dirigentas y dirigentes de juntas de vecinos "
                "y organizaciones funcionales del territorio."
            ),
            goals=(
                "Formar a 40 dirigentes en liderazgo, gestión de proyectos y rendición de "
                "cuentas.\nQue al menos diez organizaciones postulen juntas a un fondo."
            ),
            themes=[transitions[c] for c in ("democratic",) if c in transitions],
            budget=Decimal("6200000"),
            currency="CLP",
            starts_on=today + datetime.timedelta(days=rng.randint(45, 90)),
            lead_contribution="Diseño del programa y docentes.",
            lead_share=Decimal("4000000"),
        )
        partner = _first(entities, Sector.PUBLIC, taken) or _first(entities, Sector.PRIVATE, taken)
        if partner is not None:
            services.partner_add(
                user=coordinator,
                project=planned,
                actor=partner,
                contribution="Salas de clases y difusión en las sedes vecinales.",
                budget_share=Decimal("1500000"),
            )

    # -- three offers and four transfers --------------------------------------------------
    providers = [
        _first(entities, Sector.ACADEMIA, taken) or lead,
        _first(entities, Sector.THIRD_SECTOR, taken) or lead,
        _first(entities, Sector.PRIVATE, taken) or lead,
    ]
    offers = []
    for provider, (kind, title, description, conditions, codes) in zip(
        providers, OFFERS, strict=True
    ):
        offers.append(
            services.offer_create(
                user=coordinator,
                program=program,
                provider=provider,
                kind=kind,
                title=title,
                description=description,
                conditions=conditions,
                themes=[transitions[c] for c in codes if c in transitions],
            )
        )
    voices = [a for a in entities if a.pk in speakers and a.pk not in {p.pk for p in providers}]
    if aromos is not None and aromos in voices:
        voices.remove(aromos)
    rng.shuffle(voices)
    plan = [
        (
            offers[0],
            voices[0] if voices else None,
            "completed",
            "Queremos hacer un diagnóstico antes de postular al fondo regional.",
            "Hicimos el diagnóstico con 45 vecinos; priorizamos la iluminación de la plaza.",
        ),
        (
            offers[1],
            voices[1] if len(voices) > 1 else None,
            "completed",
            "Nos observaron la última rendición; necesitamos ordenar los respaldos.",
            "Rendimos el FONDEVE sin observaciones por primera vez.",
        ),
        (
            offers[0],
            voices[2] if len(voices) > 2 else None,
            "agreed",
            "Nos interesa para el trabajo con el comité de allegados.",
            "",
        ),
        (
            offers[2],
            aromos if aromos is not None and aromos.pk in speakers else None,
            "requested",
            "Llevamos los socios en un cuaderno; nos serviría para las cuotas y las asambleas.",
            "",
        ),
    ]
    for index, (offer, receiver, state, message, outcome) in enumerate(plan):
        if receiver is None or receiver.pk == offer.provider_id:
            continue
        asked = day + datetime.timedelta(days=3 + 6 * index)
        transfer = services.transfer_request(
            user=speakers[receiver.pk],
            offer=offer,
            receiver=receiver,
            message=message,
            notify=False,
        )
        # Asked weeks ago, not the moment the demo loads.
        moment = transfer.created_at - datetime.timedelta(days=(today - asked).days)
        Transfer.objects.filter(pk=transfer.pk).update(created_at=moment, updated_at=moment)
        transfer.created_at = moment
        if state == "requested":
            continue
        services.transfer_decide(
            user=coordinator,
            transfer=transfer,
            agree=True,
            day=asked + datetime.timedelta(days=2),
            notify=False,
        )
        if state == "completed":
            services.transfer_complete(
                user=coordinator,
                transfer=transfer,
                completed_on=min(today, asked + datetime.timedelta(days=rng.randint(12, 25))),
                outcome=outcome,
                notify=False,
            )
