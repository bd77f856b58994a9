"""The training part of the demo: four courses for local leaders with their modules, goals and
competencies, and six cohorts in the program's territories. Three ran in the past (all their
sessions are over; the attendance demo records who came and closes them), one is running now
(half its sessions held), one opens soon with enrolment open, and one ran in a Catalan
partner's context. People are enrolled through the services, by their organizations'
representatives where there is one and by the coordinator otherwise."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tejido.accounts.models import Role
from tejido.actors.models import Actor, Membership, Representative
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.learning.courses import services
from tejido.learning.models import Cohort, CohortStatus, Course


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    goals: tuple[str, ...]
    hours: int


@dataclass(frozen=True)
class CourseSpec:
    title: str
    summary: str
    goals: tuple[str, ...]
    competencies: tuple[str, ...]
    transitions: tuple[str, ...]
    min_attendance: int
    modules: tuple[ModuleSpec, ...]


COURSES = (
    CourseSpec(
        title="Escuela de dirigentes sociales",
        summary=(
            "Formación para dirigentes de juntas de vecinos, comités y organizaciones "
            "funcionales: conducir una organización, hacer participar a los vecinos y trabajar "
            "en red con otras organizaciones del territorio."
        ),
        goals=(
            "Conducir una asamblea con acuerdos claros y acta",
            "Elaborar un diagnóstico participativo del barrio",
            "Identificar aliados públicos y privados del territorio",
            "Rendir cuentas a los socios de forma transparente",
        ),
        competencies=(
            "Liderazgo comunitario",
            "Conducción de asambleas",
            "Diagnóstico participativo",
            "Trabajo en red",
        ),
        transitions=("social", "democratic"),
        min_attendance=75,
        modules=(
            ModuleSpec(
                "Liderazgo y organización comunitaria",
                ("Reconocer estilos de liderazgo", "Distribuir tareas en la directiva"),
                4,
            ),
            ModuleSpec(
                "Participación y asambleas",
                ("Preparar una tabla", "Facilitar la palabra y llegar a acuerdos"),
                4,
            ),
            ModuleSpec(
                "Diagnóstico participativo del territorio",
                ("Mapear recursos y problemas del barrio", "Priorizar necesidades con vecinos"),
                6,
            ),
            ModuleSpec(
                "Redes y alianzas",
                ("Dibujar el mapa de actores", "Proponer una alianza concreta"),
                4,
            ),
            ModuleSpec(
                "Transparencia y rendición de cuentas",
                ("Presentar un balance simple", "Publicar acuerdos y cuentas"),
                6,
            ),
        ),
    ),
    CourseSpec(
        title="Gestión de proyectos comunitarios",
        summary=(
            "Del problema identificado al proyecto financiado: formulación, presupuesto, "
            "postulación a fondos concursables, ejecución y rendición."
        ),
        goals=(
            "Formular un proyecto con objetivos, actividades e indicadores",
            "Construir un presupuesto realista",
            "Postular a un fondo concursable cumpliendo sus bases",
            "Rendir gastos y resultados a tiempo",
        ),
        competencies=("Formulación de proyectos", "Gestión financiera básica", "Trabajo en red"),
        transitions=("social",),
        min_attendance=70,
        modules=(
            ModuleSpec("Del problema al proyecto", ("Árbol de problemas", "Objetivos SMART"), 4),
            ModuleSpec(
                "Presupuesto y financiamiento",
                ("Costear actividades", "Buscar cofinanciamiento"),
                4,
            ),
            ModuleSpec(
                "Postulación a fondos concursables",
                ("Leer las bases", "Armar los documentos legales"),
                4,
            ),
            ModuleSpec(
                "Ejecución, seguimiento y rendición",
                ("Llevar una planilla de gastos", "Informar avances a la comunidad"),
                8,
            ),
        ),
    ),
    CourseSpec(
        title="Transición digital para organizaciones",
        summary=(
            "Herramientas digitales al servicio de la organización: comunicarse con los socios, "
            "trabajar en línea y cuidar los datos personales de los vecinos."
        ),
        goals=(
            "Usar herramientas colaborativas gratuitas",
            "Planificar la comunicación de la organización en redes",
            "Proteger los datos personales de los socios",
        ),
        competencies=("Alfabetización digital", "Comunicación digital", "Protección de datos"),
        transitions=("digital",),
        min_attendance=75,
        modules=(
            ModuleSpec(
                "Herramientas digitales para la organización",
                ("Documentos y planillas compartidas", "Videollamadas"),
                4,
            ),
            ModuleSpec(
                "Comunicación en redes sociales",
                ("Calendario de publicaciones", "Mensajes claros"),
                4,
            ),
            ModuleSpec(
                "Datos personales y seguridad",
                ("Consentimiento y registro de socios", "Contraseñas y respaldo"),
                4,
            ),
            ModuleSpec(
                "Participación en línea",
                ("Consultas y votaciones en línea", "Inclusión digital de las personas mayores"),
                4,
            ),
        ),
    ),
    CourseSpec(
        title="Lideratge comunitari",
        summary=(
            "Curs de la federació per a persones que dinamitzen entitats veïnals: lideratge "
            "compartit, facilitació de reunions i treball en xarxa al barri."
        ),
        goals=(
            "Facilitar reunions participatives i eficaces",
            "Compartir el lideratge i cuidar l'equip",
            "Teixir aliances amb altres entitats del barri",
        ),
        competencies=("Facilitació de grups", "Lideratge compartit", "Trabajo en red"),
        transitions=("democratic", "ecological"),
        min_attendance=75,
        modules=(
            ModuleSpec(
                "Lideratge i cures a l'associació",
                ("Repartir responsabilitats", "Prevenir el desgast"),
                4,
            ),
            ModuleSpec(
                "Facilitació de reunions", ("Dinàmiques de participació", "Presa de decisions"), 5
            ),
            ModuleSpec("Treball en xarxa al barri", ("Mapa d'entitats", "Projectes compartits"), 5),
            ModuleSpec(
                "Economia social i intercooperació",
                ("Serveis compartits entre entitats", "Transició ecològica local"),
                4,
            ),
        ),
    ),
)

FACILITATORS = ("Carolina Muñoz", "Rodrigo Fuentes", "Paula Sepúlveda", "Andrés Valenzuela")


@dataclass(frozen=True)
class CohortPlan:
    course: int  # index in COURSES
    label: str
    starts_in: int  # days from today
    sessions: int
    every_days: int
    evening: bool
    capacity: int | None
    enrol: tuple[int, int]
    online: bool = False
    catalan: bool = False


PLANS = (
    CohortPlan(0, "Cohorte 2025", -300, 6, 7, False, 30, (20, 26)),
    CohortPlan(1, "Cohorte otoño", -200, 5, 7, True, 25, (16, 22)),
    CohortPlan(2, "Cohorte en línea", -120, 4, 7, True, None, (14, 20), online=True),
    CohortPlan(3, "Grup de dinamitzadores", -70, 4, 7, True, 20, (12, 16), catalan=True),
    CohortPlan(0, "Cohorte 2026", -28, 8, 7, False, 30, (18, 24)),
    CohortPlan(1, "Cohorte primavera", 21, 6, 7, True, 30, (12, 15)),
)


def demo_training(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> list[Cohort]:
    courses = [_course(program, spec, coordinator) for spec in COURSES]
    territories = list(program.territories.order_by("name")) or list(
        Territory.objects.order_by("pk")[:4]
    )
    cycles = list(Cycle.objects.filter(program=program).order_by("number"))
    pool = _organizations_with_members(program, today)
    cohorts = []
    for index, plan in enumerate(PLANS):
        territory = territories[index % len(territories)] if territories else None
        cohorts.append(
            _cohort(
                program,
                courses[plan.course],
                plan,
                territory=territory,
                cycles=cycles,
                coordinator=coordinator,
                today=today,
                rng=rng,
                pool=pool,
            )
        )
    return cohorts


def _course(program: Program, spec: CourseSpec, coordinator: Any) -> Course:
    themes = list(Theme.objects.filter(transition__in=spec.transitions))
    course = services.course_create(
        user=coordinator,
        program=program,
        title=spec.title,
        summary=spec.summary,
        learning_goals="\n".join(spec.goals),
        hours=sum(m.hours for m in spec.modules),
        min_attendance_percent=spec.min_attendance,
        is_published=True,
        new_competencies=spec.competencies,
        themes=themes,
    )
    for module in spec.modules:
        services.module_add(
            user=coordinator,
            course=course,
            title=module.title,
            learning_goals="\n".join(module.goals),
            hours=module.hours,
        )
    return course


def _organizations_with_members(
    program: Program, today: datetime.date
) -> list[tuple[Actor, list[Actor], Any]]:
    """(organization, its current members, who enrols for it) for organizations with people."""
    members: dict[int, list[Actor]] = {}
    organizations: dict[int, Actor] = {}
    for membership in (
        Membership.objects.current(today)
        .filter(organization__program=program, person__kind="person")
        .exclude(organization__kind="person")
        .select_related("person", "organization")
        .order_by("organization__name", "person__name")
    ):
        organizations[membership.organization_id] = membership.organization
        people = members.setdefault(membership.organization_id, [])
        if membership.person not in people:
            people.append(membership.person)
    speakers: dict[int, Any] = {}
    for representative in Representative.objects.filter(
        organization_id__in=organizations,
        user__is_active=True,
        user__program_roles__program=program,
        user__program_roles__role=Role.ORGANIZATION_REPRESENTATIVE,
    ).select_related("user"):
        speakers.setdefault(representative.organization_id, representative.user)
    return [(organizations[pk], people, speakers.get(pk)) for pk, people in members.items()]


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _cohort(
    program: Program,
    course: Course,
    plan: CohortPlan,
    *,
    territory: Territory | None,
    cycles: list[Cycle],
    coordinator: Any,
    today: datetime.date,
    rng: random.Random,
    pool: list[tuple[Actor, list[Actor], Any]],
) -> Cohort:
    starts_on = today + datetime.timedelta(days=plan.starts_in)
    ends_on = starts_on + datetime.timedelta(days=plan.every_days * (plan.sessions - 1))
    cycle = next((c for c in cycles if c.starts_on <= starts_on <= c.ends_on), None)
    place_name = territory.name if territory else program.name
    name = f"{plan.label} · {place_name}"
    cohort = services.cohort_create(
        user=coordinator,
        course=course,
        name=name[:200],
        cycle=cycle,
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=plan.capacity,
        enrolment_open=True,
        status=CohortStatus.RUNNING if plan.starts_in <= 0 else CohortStatus.PLANNED,
        facilitators=[coordinator],
    )
    modules = list(course.modules.order_by("position"))
    facilitator = "Marta Puig i Soler" if plan.catalan else rng.choice(FACILITATORS)
    if plan.catalan:
        place = "Casal de Barri, sala gran"
    else:
        place = rng.choice(
            (
                f"Sede de la junta de vecinos, {place_name}",
                f"Centro comunitario de {place_name}",
                f"Biblioteca municipal de {place_name}",
            )
        )
    for number in range(plan.sessions):
        day = starts_on + datetime.timedelta(days=plan.every_days * number)
        module = modules[min(number * len(modules) // plan.sessions, len(modules) - 1)]
        start = _moment(day, 18, 30) if plan.evening else _moment(day, 10)
        services.session_add(
            user=coordinator,
            cohort=cohort,
            module=module,
            title=""
            if number < plan.sessions - 1 or plan.catalan
            else "Cierre y presentación de proyectos",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2, minutes=30 if plan.evening else 0),
            place="" if plan.online else place,
            online_url=f"https://meet.jit.si/tejido-{program.slug}-{cohort.pk}"
            if plan.online
            else "",
            facilitator_name=facilitator,
        )
    _enrol(cohort, plan, coordinator=coordinator, rng=rng, pool=pool)
    if plan.starts_in <= 0:
        # Enrolment closes when a cohort starts; past cohorts are closed by the attendance demo.
        services.cohort_update(user=coordinator, cohort=cohort, enrolment_open=False)
        cohort.refresh_from_db()
    return cohort


def _enrol(
    cohort: Cohort,
    plan: CohortPlan,
    *,
    coordinator: Any,
    rng: random.Random,
    pool: list[tuple[Actor, list[Actor], Any]],
) -> None:
    target = rng.randint(*plan.enrol)
    organizations = list(pool)
    rng.shuffle(organizations)
    enrolled = 0
    for organization, people, speaker in organizations:
        if enrolled >= target:
            break
        chosen = rng.sample(people, k=min(len(people), rng.randint(1, 3), target - enrolled))
        for person in chosen:
            if cohort.enrolments.filter(person=person).exists():
                continue
            services.enrolment_create(
                user=speaker or coordinator,
                cohort=cohort,
                person=person,
                organization=organization,
            )
            enrolled += 1
