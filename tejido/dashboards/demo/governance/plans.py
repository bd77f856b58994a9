"""Demo: a territory's community improvement plan, approved by its local directorate.

`demo_plan` drafts "Plan de Mejoramiento Comunitario <territory> <year>" with three objectives
(safe and lit public spaces; youth and participation; community health and care), two lines of
action each and two or three actions per line, with budgets in Chilean pesos, indicators with
baseline and target, and the responsible and partner organizations taken from the directorate's
own seats (the municipality leads the lighting, the CESFAM the mental health groups, a
neighbourhood council the assemblies...). Each objective addresses the needs the prioritization
session ranked highest that fit its theme.

The plan is submitted for approval at the first meeting held after the prioritization (or the
last one held), the seats present at that meeting vote with the accounts their mandates already
have, the poll is closed and, having passed, the approval is recorded: its needs are then "in
the plan". Some actions report progress since; one is done. Finally the actions still waiting
for money go on the agenda of the body's next meeting, if one is scheduled. Everything goes
through the services; dates are then set back to when they happened. Deterministic: a
`random.Random` seeded with the body's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.actors.models import Actor, Sector
from tejido.core.text import normalize_for_search
from tejido.governance.bodies.selectors import mandates_on
from tejido.governance.decisions import services as decisions
from tejido.governance.decisions.selectors import poll_passed
from tejido.governance.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    BallotReceipt,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Need,
    NeedStatus,
    Plan,
    PlanAction,
    Poll,
    PrioritizationSession,
    Term,
)
from tejido.governance.plans import services


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    # Who leads it: a sector and words of the organization's name, preferred first.
    lead: tuple[str, tuple[str, ...]]
    partners: tuple[tuple[str, tuple[str, ...]], ...]
    budget: int
    funded_share: float  # of the budget secured when the plan is approved
    indicator: str
    unit: str
    baseline: int
    target: int
    term: str
    # Share of the way to the target reached by today (None: no report yet).
    reached: float | None = None


@dataclass(frozen=True)
class DemoLine:
    title: str
    actions: tuple[DemoAction, ...]


@dataclass(frozen=True)
class DemoObjective:
    title: str
    description: str
    keywords: tuple[str, ...]  # words of the needs it addresses (lower case, no accents)
    lines: tuple[DemoLine, ...]


MUNICIPALITY = (Sector.PUBLIC, ("municipal", "oficina", "desarrollo comunitario"))
HEALTH = (Sector.PUBLIC, ("cesfam", "salud", "consultorio"))
SCHOOL = (Sector.PUBLIC, ("liceo", "escuela", "colegio"))
COUNCIL = (Sector.COMMUNITY, ("junta de vecinos", "junta vecinal"))
YOUTH = (Sector.COMMUNITY, ("juvenil", "jovenes", "deportivo", "club", "cultural"))
ELDERS = (Sector.COMMUNITY, ("adulto mayor", "personas mayores", "club"))
COMMUNITY = (Sector.COMMUNITY, ())
BUSINESS = (Sector.PRIVATE, ())
FOUNDATION = (Sector.THIRD_SECTOR, ("fundacion", "ong", "corporacion"))

OBJECTIVES: tuple[DemoObjective, ...] = (
    DemoObjective(
        "Espacios públicos seguros e iluminados",
        "Que vecinas y vecinos vuelvan a usar la plaza, los pasajes y el sitio eriazo a toda"
        " hora, con luz, limpieza y una convivencia cuidada entre todos.",
        (
            "lumin",
            "ilumin",
            "plaza",
            "microbasural",
            "eriazo",
            "vereda",
            "paradero",
            "perros",
            "alcohol",
            "juegos",
            "inund",
            "sumidero",
        ),
        (
            DemoLine(
                "Iluminación y recuperación de espacios",
                (
                    DemoAction(
                        "Recambio de luminarias LED en pasajes y plaza",
                        "Reponer las luminarias apagadas del pasaje Los Aromos y sumar luz"
                        " peatonal en la plaza y el paradero de avenida Central.",
                        MUNICIPALITY,
                        (COUNCIL, BUSINESS),
                        4_500_000,
                        1.0,
                        "Luminarias funcionando",
                        "luminarias",
                        8,
                        32,
                        Term.SHORT,
                        reached=1.0,
                    ),
                    DemoAction(
                        "Recuperación del sitio eriazo como plaza de bolsillo",
                        "Cierre, limpieza, mobiliario y áreas verdes diseñadas con los vecinos"
                        " en jornadas participativas.",
                        COUNCIL,
                        (MUNICIPALITY, FOUNDATION),
                        12_800_000,
                        0.35,
                        "Metros cuadrados recuperados",
                        "m²",
                        0,
                        600,
                        Term.MEDIUM,
                        reached=0.25,
                    ),
                    DemoAction(
                        "Operativos de limpieza de microbasurales",
                        "Tres operativos con retiro de escombros y voluminosos, y letreros"
                        " hechos por los niños del sector.",
                        COMMUNITY,
                        (MUNICIPALITY,),
                        850_000,
                        1.0,
                        "Microbasurales activos",
                        "puntos",
                        6,
                        1,
                        Term.SHORT,
                        reached=0.6,
                    ),
                ),
            ),
            DemoLine(
                "Convivencia y prevención",
                (
                    DemoAction(
                        "Mesa barrial de seguridad con municipio y Carabineros",
                        "Reunión mensual para coordinar rondas, denuncias y el uso de la plaza"
                        " por las noches.",
                        COUNCIL,
                        (MUNICIPALITY,),
                        300_000,
                        1.0,
                        "Sesiones de la mesa realizadas",
                        "sesiones",
                        0,
                        10,
                        Term.SHORT,
                        reached=0.4,
                    ),
                    DemoAction(
                        "Tenencia responsable y esterilización de perros",
                        "Operativo veterinario gratuito y educación en tenencia responsable"
                        " con la escuela.",
                        MUNICIPALITY,
                        (SCHOOL, FOUNDATION),
                        2_400_000,
                        0.0,
                        "Perros esterilizados",
                        "perros",
                        0,
                        120,
                        Term.MEDIUM,
                    ),
                ),
            ),
        ),
    ),
    DemoObjective(
        "Juventud y participación comunitaria",
        "Que los jóvenes tengan dónde encontrarse por las tardes y que más vecinos participen"
        " en las organizaciones del barrio.",
        ("joven", "juvenil", "participacion", "junta de vecinos", "digital", "asamblea"),
        (
            DemoLine(
                "Talleres y deporte para jóvenes",
                (
                    DemoAction(
                        "Talleres deportivos y artísticos en la multicancha",
                        "Fútbol mixto, hip hop y muralismo de martes a viernes, de 17:00 a"
                        " 20:00, con monitores del barrio.",
                        YOUTH,
                        (SCHOOL, MUNICIPALITY),
                        3_600_000,
                        0.5,
                        "Jóvenes que participan cada semana",
                        "jóvenes",
                        0,
                        60,
                        Term.SHORT,
                        reached=0.55,
                    ),
                    DemoAction(
                        "Escuela de dirigentes juveniles",
                        "Ciclo de ocho sesiones sobre organización, proyectos y fondos"
                        " concursables.",
                        FOUNDATION,
                        (YOUTH,),
                        1_900_000,
                        0.0,
                        "Jóvenes formados",
                        "jóvenes",
                        0,
                        20,
                        Term.MEDIUM,
                    ),
                ),
            ),
            DemoLine(
                "Participación en las organizaciones",
                (
                    DemoAction(
                        "Asambleas abiertas con cuidado infantil",
                        "Asambleas trimestrales de la junta de vecinos con un espacio para"
                        " niños, para que madres y padres puedan participar.",
                        COUNCIL,
                        (COMMUNITY,),
                        600_000,
                        1.0,
                        "Asistencia promedio a las asambleas",
                        "personas",
                        18,
                        45,
                        Term.SHORT,
                        reached=0.45,
                    ),
                    DemoAction(
                        "Alfabetización digital intergeneracional",
                        "Jóvenes del liceo enseñan a personas mayores a pedir horas y hacer"
                        " trámites en línea.",
                        SCHOOL,
                        (ELDERS, BUSINESS),
                        1_200_000,
                        0.5,
                        "Personas mayores capacitadas",
                        "personas",
                        0,
                        50,
                        Term.MEDIUM,
                    ),
                ),
            ),
        ),
    ),
    DemoObjective(
        "Salud y cuidados comunitarios",
        "Acercar la atención en salud mental al barrio y cuidar a quienes cuidan, con espacios"
        " accesibles para todas las personas.",
        ("salud", "mental", "mayores", "accesib", "cuidado", "encuentro"),
        (
            DemoLine(
                "Salud mental y bienestar",
                (
                    DemoAction(
                        "Grupos de apoyo en salud mental en la sede vecinal",
                        "Grupos quincenales guiados por la dupla psicosocial del CESFAM, para"
                        " aliviar la lista de espera.",
                        HEALTH,
                        (COUNCIL,),
                        2_800_000,
                        0.6,
                        "Personas que participan en los grupos",
                        "personas",
                        0,
                        80,
                        Term.SHORT,
                        reached=0.3,
                    ),
                    DemoAction(
                        "Monitores comunitarios en primeros auxilios psicológicos",
                        "Formación certificada para vecinas y vecinos que acompañan a otros en"
                        " momentos difíciles.",
                        HEALTH,
                        (FOUNDATION, COMMUNITY),
                        1_500_000,
                        0.0,
                        "Monitores formados",
                        "monitores",
                        0,
                        15,
                        Term.MEDIUM,
                    ),
                ),
            ),
            DemoLine(
                "Cuidados y accesibilidad",
                (
                    DemoAction(
                        "Rampa y baño accesible en la sede vecinal",
                        "Obras de accesibilidad universal: rampa de acceso, baño amplio y"
                        " pasamanos.",
                        COUNCIL,
                        (MUNICIPALITY, BUSINESS),
                        6_200_000,
                        0.0,
                        "Avance de las obras",
                        "%",
                        0,
                        100,
                        Term.LONG,
                    ),
                    DemoAction(
                        "Encuentro semanal de personas mayores",
                        "Un espacio fijo en la sede, con actividad física, once compartida y"
                        " visitas del CESFAM.",
                        ELDERS,
                        (HEALTH,),
                        900_000,
                        1.0,
                        "Personas mayores que participan",
                        "personas",
                        25,
                        60,
                        Term.SHORT,
                        reached=0.7,
                    ),
                ),
            ),
        ),
    ),
)

PURPOSE = (
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: recuperar los espacios"
    " públicos, abrir oportunidades a los jóvenes y cuidar la salud de la comunidad. Cada acción"
    " tiene una organización responsable, socias, presupuesto e indicador, y su avance se informa"
    " en esta página."
)


def _backdate(model: Any, pk: Any, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over the past months.
    model.objects.filter(pk=pk).update(**fields)


def _matches(actor: Actor, words: Sequence[str]) -> bool:
    text = normalize_for_search(actor.name, actor.legal_form)
    return any(word in text for word in words)


class _Organizations:
    """The directorate's organizations, chosen by sector and name, spread over the actions."""

    def __init__(self, mandates: Sequence[Mandate]) -> None:
        seen: dict[int, Actor] = {}
        for mandate in mandates:
            seen.setdefault(mandate.organization_id, mandate.organization)
        self.all = list(seen.values())
        self.uses: dict[int, int] = dict.fromkeys(seen, 0)

    def pick(self, wanted: tuple[str, tuple[str, ...]], exclude: set[int]) -> Actor | None:
        sector, words = wanted
        candidates = [a for a in self.all if a.pk not in exclude]
        for pool in (
            [a for a in candidates if a.sector == sector and words and _matches(a, words)],
            [a for a in candidates if a.sector == sector],
            candidates,
        ):
            if pool:
                # The least used first, so the work is shared among the seats.
                chosen = min(pool, key=lambda a: (self.uses[a.pk], self.all.index(a)))
                self.uses[chosen.pk] += 1
                return chosen
        return None


def _ranked_needs(session: PrioritizationSession) -> list[Need]:
    """The session's needs, prioritized ones first in their ranking."""
    needs = {n.pk: n for n in session.needs.all()}
    order = [int(pk) for pk in (session.result or {}).get("prioritized", []) if int(pk) in needs]
    return [needs[pk] for pk in order]


def _needs_for(objective: DemoObjective, top: list[Need], others: list[Need]) -> list[Need]:
    def fits(need: Need) -> bool:
        text = normalize_for_search(need.title, need.description)
        return any(word in text for word in objective.keywords)

    chosen = [n for n in top if fits(n)]
    chosen += [n for n in others if fits(n)][: max(0, 3 - len(chosen))]
    return chosen


def _present(meeting: Meeting, today: datetime.date) -> list[Mandate]:
    """The seats present at the meeting that can still vote today (all of them when the
    attendance was not taken)."""
    current = {m.pk: m for m in mandates_on(meeting.body, today)}
    day_of = {m.pk for m in mandates_on(meeting.body, timezone.localdate(meeting.starts_at))}
    rows = Attendance.objects.filter(meeting=meeting, mandate__isnull=False)
    if rows.exists():
        present = set(
            rows.filter(status=AttendanceStatus.PRESENT).values_list("mandate_id", flat=True)
        )
    else:
        present = day_of
    return [m for pk, m in current.items() if pk in present and pk in day_of]


def _voter(mandate: Mandate) -> Any:
    for user in (mandate.holder_user, mandate.alternate_user):
        if user is not None and user.is_active:
            return user
    return None


def _vote(
    plan: Plan,
    meeting: Meeting | None,
    *,
    coordinator: Any,
    rng: random.Random,
    today: datetime.date,
) -> Poll:
    poll = services.plan_submit_for_approval(user=coordinator, plan=plan, meeting=meeting)
    poll = decisions.poll_open(user=coordinator, poll=poll)
    voters = _present(meeting, today) if meeting else mandates_on(plan.body, today)
    start = (
        meeting.starts_at + datetime.timedelta(minutes=rng.randint(40, 75))
        if meeting
        else timezone.now() - datetime.timedelta(hours=2)
    )
    for index, mandate in enumerate(voters):
        user = _voter(mandate)
        if user is None:
            continue
        # Most vote yes; now and then a seat abstains.
        ballot = 2 if rng.random() < 0.12 else 0
        try:
            receipt = decisions.ballot_cast(user=user, poll=poll, mandate=mandate, ballot=ballot)
        except ValidationError:
            continue
        _backdate(BallotReceipt, receipt.pk, cast_at=start + datetime.timedelta(seconds=25 * index))
    poll = decisions.poll_close(user=coordinator, poll=poll)
    closed = start + datetime.timedelta(minutes=10)
    _backdate(
        Poll,
        poll.pk,
        created_at=start - datetime.timedelta(days=5),
        opened_at=start - datetime.timedelta(minutes=2),
        closed_at=closed,
        updated_at=closed,
    )
    poll.refresh_from_db()
    return poll


def _progress(
    created: list[tuple[DemoAction, PlanAction]],
    *,
    approved_on: datetime.date,
    coordinator: Any,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Reports since the approval: one to three per action that has moved, the last near today."""
    days = (today - approved_on).days
    if days < 7:
        return
    for spec, action in created:
        if spec.reached is None:
            continue
        count = 1 + min(2, days // 60)
        for step in range(1, count + 1):
            share = spec.reached * step / count
            value = spec.baseline + (spec.target - spec.baseline) * share
            on = approved_on + datetime.timedelta(
                days=days * step // (count + 1) + rng.randint(0, 3)
            )
            services.action_progress_record(
                user=coordinator,
                action=action,
                value=Decimal(round(value)),
                note=_note(spec, step == count and spec.reached >= 1),
                recorded_on=min(on, today),
            )
        if spec.reached >= 1:
            services.action_update(user=coordinator, action=action, status=ActionStatus.DONE)


def _note(spec: DemoAction, finished: bool) -> str:
    if finished:
        return "Terminado y recibido conforme por la junta de vecinos."
    return {
        "luminarias": "El municipio repuso las luminarias del primer tramo.",
        "m²": "Se cerró el terreno y se retiraron los escombros; faltan áreas verdes.",
        "puntos": "Operativo realizado con apoyo del camión municipal.",
        "sesiones": "La mesa sesionó con asistencia de Carabineros.",
        "jóvenes": "Buena convocatoria; el taller de hip hop tiene lista de espera.",
        "personas": "Avanza según lo planificado.",
    }.get(spec.unit, "Avanza según lo planificado.")


def demo_plan(
    body: Body,
    session: PrioritizationSession,
    meetings: Sequence[Meeting],
    *,
    coordinator: Any,
    today: datetime.date,
) -> Plan:
    """Draft, approve and follow up the territory's improvement plan (see the module)."""
    rng = random.Random(f"tejido-demo-plans:{body.name}")
    program = body.program
    territory = body.territory or session.territory
    now = timezone.now()
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.HELD and m.ends_at <= now),
        key=lambda m: m.starts_at,
    )
    after_session = [m for m in held if session.closed_at and m.starts_at > session.closed_at]
    vote_meeting = after_session[0] if after_session else (held[-1] if held else None)
    voted_on = timezone.localdate(vote_meeting.starts_at) if vote_meeting else today
    cycle = program.current_cycle(voted_on) or session.cycle

    plan = services.plan_create(
        user=coordinator,
        program=program,
        territory=territory,
        body=body,
        cycle=cycle,
        title=f"Plan de Mejoramiento Comunitario {territory.name} {voted_on.year}",
        purpose=PURPOSE.format(territory=territory.name, year=voted_on.year),
        currency="CLP",
    )
    top = _ranked_needs(session)
    others = list(
        Need.objects.filter(program=program, territory=territory)
        .exclude(pk__in=[n.pk for n in top])
        .exclude(status=NeedStatus.SET_ASIDE)
        .order_by("title", "pk")
    )
    organizations = _Organizations(mandates_on(body, today))
    created: list[tuple[DemoAction, PlanAction]] = []
    for spec in OBJECTIVES:
        objective = services.objective_create(
            user=coordinator,
            plan=plan,
            title=spec.title,
            description=spec.description,
            needs=_needs_for(spec, top, others),
        )
        for line_spec in spec.lines:
            line = services.line_create(
                user=coordinator, objective=objective, title=line_spec.title
            )
            for action_spec in line_spec.actions:
                lead = organizations.pick(action_spec.lead, set())
                taken = {lead.pk} if lead else set()
                partners = []
                for wanted in action_spec.partners:
                    partner = organizations.pick(wanted, taken)
                    if partner is not None:
                        partners.append(partner)
                        taken.add(partner.pk)
                funded = Decimal(round(action_spec.budget * action_spec.funded_share, -4))
                created.append(
                    (
                        action_spec,
                        services.action_create(
                            user=coordinator,
                            line=line,
                            title=action_spec.title,
                            description=action_spec.description,
                            responsible=lead,
                            partners=partners,
                            budget=action_spec.budget,
                            funded_amount=min(funded, Decimal(action_spec.budget)),
                            indicator=action_spec.indicator,
                            unit=action_spec.unit,
                            baseline=action_spec.baseline,
                            target=action_spec.target,
                            term=action_spec.term,
                        ),
                    )
                )
    drafted = (vote_meeting.starts_at if vote_meeting else now) - datetime.timedelta(days=21)
    _backdate(Plan, plan.pk, created_at=drafted, updated_at=drafted)

    poll = _vote(plan, vote_meeting, coordinator=coordinator, rng=rng, today=today)
    if not poll_passed(poll):
        return Plan.objects.get(pk=plan.pk)  # the body did not approve it (no quorum)
    plan = services.plan_approve(user=coordinator, plan=plan)
    approved_at = poll.closed_at or timezone.now()
    _backdate(Plan, plan.pk, approved_at=approved_at, updated_at=approved_at)

    _progress(
        created,
        approved_on=timezone.localdate(approved_at),
        coordinator=coordinator,
        rng=rng,
        today=today,
    )
    upcoming = sorted(
        (m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.ends_at >= now),
        key=lambda m: m.starts_at,
    )
    if upcoming:
        services.plan_defer_unfunded(user=coordinator, plan=plan, meeting=upcoming[0])
    return Plan.objects.select_related("territory", "body", "cycle", "approval_poll").get(
        pk=plan.pk
    )
