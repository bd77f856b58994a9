"""Demo: the program's two calls for community projects.

`demo_calls` drafts and publishes, through the calls services, a neighbourhood fund that
closed about two months before `today` ("Fondo Barrial <year>": CLP 60 000 000, grants of 1 to
6 million, four weighted criteria with a disqualifying minimum on community participation, an
at-least quota for each territory with an approved plan and an at-most quota on the security
theme, serving objectives of the approved plans) and a youth initiatives fund open until about
three weeks after `today` ("Fondo de Iniciativas Juveniles"). The funder is the program's
foundation when the directory has it. Each call is published as of a week before it opened;
its creation date is then set back to when it was drafted. Deterministic: a `random.Random`
seeded with each call's short name picks the objectives served.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.models import Program, Theme
from tejido.core.text import normalize_for_search
from tejido.funds.calls import services
from tejido.funds.models import AllocationRule, Call, QuotaKind
from tejido.governance.models import Objective, Plan
from tejido.governance.plans.selectors import objectives_for_program

NEIGHBOURHOOD_DESCRIPTION = "\n\n".join(
    (
        (
            "El Fondo Barrial financia proyectos que las organizaciones de los barrios del"
            " programa diseñan y ejecutan para avanzar en los objetivos de sus planes de"
            " mejoramiento comunitario, aprobados por cada directorio local."
        ),
        (
            "Qué financia: recuperación y equipamiento de espacios públicos (plazas, pasajes,"
            " sedes), iluminación peatonal, huertos y áreas verdes, murales y actividades"
            " culturales, talleres para niñas, niños, jóvenes y personas mayores, y acciones de"
            " convivencia y seguridad comunitaria."
        ),
        (
            "Qué no financia: remuneraciones permanentes del equipo de la organización, deudas,"
            " compra de vehículos ni obras en terrenos privados."
        ),
        (
            "Cómo postular: la organización que lidera el proyecto completa el formulario en"
            " línea, adjunta su certificado de vigencia y, si trabaja en consorcio, las cartas de"
            " compromiso de sus socias. Cada proyecto es evaluado por dos evaluadores sin"
            " conflicto de interés con las organizaciones postulantes; el comité asigna los"
            " recursos con la regla óptima, respetando las cuotas por territorio y tema."
        ),
    )
)

YOUTH_DESCRIPTION = "\n\n".join(
    (
        (
            "El Fondo de Iniciativas Juveniles apoya ideas pensadas y llevadas adelante por"
            " jóvenes de 15 a 29 años de los barrios del programa: festivales, ligas deportivas,"
            " talleres de música y audiovisual, emprendimientos colectivos y acciones de cuidado"
            " del entorno."
        ),
        (
            "Pueden postular organizaciones juveniles con o sin personalidad jurídica; los grupos"
            " informales postulan con el respaldo de una organización del barrio como socia. Se"
            " valora especialmente que las y los jóvenes lideren el proyecto y que el barrio"
            " entero se beneficie."
        ),
    )
)

NEIGHBOURHOOD_CRITERIA: tuple[tuple[str, str, Decimal, Decimal | None], ...] = (
    (
        "Pertinencia con el plan de mejoramiento",
        "Cuánto contribuye el proyecto a los objetivos del plan de su territorio. 5: aborda una"
        " necesidad priorizada con acciones concretas; 1: la relación con el plan es débil.",
        Decimal(3),
        None,
    ),
    (
        "Participación comunitaria",
        "Quiénes participan en el diseño y la ejecución, y cómo. 5: vecinas y vecinos deciden y"
        " ejecutan; 1: actividad para la comunidad sin su participación. Bajo 2 no se financia.",
        Decimal(3),
        Decimal(2),
    ),
    (
        "Viabilidad técnica y presupuestaria",
        "Si las actividades, los plazos y el presupuesto son realistas y coherentes entre sí.",
        Decimal(2),
        None,
    ),
    (
        "Trabajo en red y alianzas",
        "Si el proyecto suma a otras organizaciones del barrio, con roles y aportes claros.",
        Decimal("1.5"),
        None,
    ),
)

YOUTH_CRITERIA: tuple[tuple[str, str, Decimal, Decimal | None], ...] = (
    (
        "Protagonismo juvenil",
        "Las y los jóvenes idean, deciden y llevan adelante la iniciativa. Bajo 2 no se financia.",
        Decimal(3),
        Decimal(2),
    ),
    (
        "Aporte al barrio",
        "Cuánto y a quiénes beneficia, más allá del grupo que postula.",
        Decimal(2),
        None,
    ),
    (
        "Viabilidad",
        "Si el plan de trabajo y el presupuesto son realistas para el plazo del fondo.",
        Decimal(1),
        None,
    ),
)

# Words of the objectives each call prefers to serve (lower case, without accents).
NEIGHBOURHOOD_WORDS = ("espacios publicos", "plazas", "seguro", "convivir", "acoge", "vivienda")
YOUTH_WORDS = ("juventud", "jovenes", "juvenil", "infancia")


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _funder(program: Program) -> Actor | None:
    organizations = Actor.objects.organizations().filter(program=program)
    return (
        organizations.filter(name__icontains="Tejer Comunidad").order_by("pk").first()
        or organizations.filter(sector=Sector.THIRD_SECTOR, name__istartswith="Fundación")
        .order_by("name", "pk")
        .first()
    )


def _pick_objectives(
    objectives: Sequence[Objective], words: Sequence[str], rng: random.Random, count: int
) -> list[Objective]:
    """Up to `count` objectives, one per plan, those matching `words` first."""
    matching = [o for o in objectives if any(w in normalize_for_search(o.title) for w in words)]
    others = [o for o in objectives if o not in matching]
    rng.shuffle(matching)
    rng.shuffle(others)
    chosen: list[Objective] = []
    plans: set[int] = set()
    for objective in [*matching, *others]:
        if objective.plan_id in plans:
            continue
        chosen.append(objective)
        plans.add(objective.plan_id)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda o: (o.plan_id, o.position, o.pk))


def _theme(slug: str, name: str) -> Theme | None:
    return Theme.objects.filter(slug=slug).first() or Theme.objects.filter(name=name).first()


def _publish(call: Call, coordinator: Any, drafted: datetime.datetime) -> Call:
    services.call_publish(
        actor=coordinator, call=call, at=call.opens_at - datetime.timedelta(days=7)
    )
    # Told as it happened: drafted a few weeks before it opened.
    Call.objects.filter(pk=call.pk).update(created_at=drafted, updated_at=drafted)
    call.refresh_from_db()
    return call


def _criteria(call: Call, coordinator: Any, specs: Sequence[tuple[str, str, Decimal, Any]]) -> None:
    for name, guidance, weight, minimum in specs:
        services.criterion_create(
            actor=coordinator,
            call=call,
            name=name,
            guidance=guidance,
            weight=weight,
            scale_max=5,
            minimum=minimum,
        )


def demo_calls(program: Program, *, coordinator: Any, today: datetime.date) -> tuple[Call, Call]:
    """The closed neighbourhood fund and the open youth fund (see the module)."""
    objectives = list(objectives_for_program(program))
    plans = list(
        Plan.objects.approved()
        .filter(program=program)
        .select_related("territory")
        .order_by("territory__name", "pk")
    )
    funder = _funder(program)
    kinds = [ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP]

    # The closed call: open for six weeks, closed about two months ago.
    closes_on = today - datetime.timedelta(days=61)
    slug = f"fondo-barrial-{closes_on.year}"
    rng = random.Random(f"tejido-demo-funds-calls:{slug}")
    served = _pick_objectives(objectives, NEIGHBOURHOOD_WORDS, rng, 3)
    neighbourhood = services.call_create(
        actor=coordinator,
        program=program,
        title=f"Fondo Barrial {closes_on.year}",
        slug=slug,
        summary=(
            "Financia proyectos de las organizaciones de los barrios que avanzan en los"
            " objetivos de sus planes de mejoramiento comunitario: espacios públicos,"
            " convivencia, cultura y cuidado del entorno."
        ),
        description=NEIGHBOURHOOD_DESCRIPTION,
        budget=Decimal(60_000_000),
        min_grant=Decimal(1_000_000),
        max_grant=Decimal(6_000_000),
        opens_at=_moment(closes_on - datetime.timedelta(days=42), 9),
        closes_at=_moment(closes_on, 18),
        evaluation_ends_on=closes_on + datetime.timedelta(days=30),
        results_on=closes_on + datetime.timedelta(days=45),
        appeals_until=closes_on + datetime.timedelta(days=60),
        objectives=served,
        funder=funder,
        allocation_rule=AllocationRule.OPTIMAL,
        score_threshold=Decimal(50),
        eligible_sectors=[Sector.COMMUNITY, Sector.THIRD_SECTOR],
        eligible_kinds=kinds,
        eligible_territories=[plan.territory for plan in plans],
        require_legal_document=True,
        legal_document_max_age_days=90,
        require_no_overdue_reports=True,
        one_application_per_organization=True,
        reviewers_per_application=2,
        normalize_scores=True,
        disagreement_threshold=Decimal(25),
        conflict_tie_intensity=2,
    )
    _criteria(neighbourhood, coordinator, NEIGHBOURHOOD_CRITERIA)
    # Every territory with a plan is guaranteed a share; security projects are capped.
    territory_share = min(Decimal("0.15"), Decimal("0.8") / max(len(plans), 1)).quantize(
        Decimal("0.001")
    )
    for plan in plans:
        services.quota_create(
            actor=coordinator,
            call=neighbourhood,
            kind=QuotaKind.MINIMUM,
            share=territory_share,
            territory=plan.territory,
        )
    security = _theme("seguridad", "Seguridad comunitaria")
    if security is not None:
        services.quota_create(
            actor=coordinator,
            call=neighbourhood,
            kind=QuotaKind.MAXIMUM,
            share=Decimal("0.3"),
            theme=security,
        )
    neighbourhood = _publish(
        neighbourhood, coordinator, neighbourhood.opens_at - datetime.timedelta(days=21)
    )

    # The open call: opened ten days ago, closes in three weeks.
    opens_on = today - datetime.timedelta(days=10)
    slug = f"fondo-iniciativas-juveniles-{opens_on.year}"
    rng = random.Random(f"tejido-demo-funds-calls:{slug}")
    youth = services.call_create(
        actor=coordinator,
        program=program,
        title="Fondo de Iniciativas Juveniles",
        slug=slug,
        summary=(
            "Apoya iniciativas ideadas y lideradas por jóvenes de los barrios: cultura, deporte,"
            " medio ambiente y emprendimientos colectivos."
        ),
        description=YOUTH_DESCRIPTION,
        budget=Decimal(20_000_000),
        min_grant=Decimal(500_000),
        max_grant=Decimal(2_000_000),
        opens_at=_moment(opens_on, 9),
        closes_at=_moment(today + datetime.timedelta(days=21), 18),
        evaluation_ends_on=today + datetime.timedelta(days=45),
        results_on=today + datetime.timedelta(days=60),
        appeals_until=today + datetime.timedelta(days=75),
        objectives=_pick_objectives(objectives, YOUTH_WORDS, rng, 2),
        funder=funder,
        allocation_rule=AllocationRule.GREEDY,
        score_threshold=Decimal(55),
        allow_partial_funding=True,
        min_partial_share=Decimal("0.8"),
        eligible_sectors=[Sector.COMMUNITY],
        eligible_kinds=kinds,
        eligible_territories=[plan.territory for plan in plans],
        require_legal_document=False,
        require_no_overdue_reports=True,
        one_application_per_organization=True,
        reviewers_per_application=2,
        disagreement_threshold=Decimal(30),
        conflict_tie_intensity=2,
    )
    _criteria(youth, coordinator, YOUTH_CRITERIA)
    youth_theme = _theme("infancia", "Infancia y juventud")
    if youth_theme is not None:
        services.quota_create(
            actor=coordinator,
            call=youth,
            kind=QuotaKind.MINIMUM,
            share=Decimal("0.5"),
            theme=youth_theme,
        )
    youth = _publish(youth, coordinator, youth.opens_at - datetime.timedelta(days=14))
    return neighbourhood, youth
