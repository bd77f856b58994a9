"""Demo: two years of meetings of a governance body, with their agenda, attendance, minutes and
agreements, and the next meeting scheduled for next week.

From the month its seats were first held (at most two years back), the body meets once a month
on the same weekday of the second week, at 19:00, except in February (the summer break); one
session was suspended because of a frontal system, and three extraordinary sessions deal with a
single urgent matter. Each meeting goes through the services as a coordinator would run it:
scheduled (the approval of the previous minutes and the open agreements enter its agenda by
themselves), invitations recorded, attendance taken (each organization has its own habit of
coming; when the holder cannot come the alternate sometimes does; now and then a guest
organization attends), marked as held (which records ties among the organizations present),
the previous minutes approved, its own minutes written (a few paragraphs, organizations only:
minutes are public once approved) and two to four agreements adopted, each for one or two of the
body's organizations with a due date. Agreements are followed up in the next meetings: most are
done, some are in progress, a few are left overdue, one now and then is dropped.

Services stamp the current time; the demo then sets the timestamps back to when things happened
(creation of the meeting, invitations, attendance, approval, notes, and the meeting's tie
versions where that keeps each tie's history in order). Deterministic: a `random.Random` seeded
with the body's name.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation

from tejido.actors.models import Actor, Sector
from tejido.core.text import normalize_for_search
from tejido.governance.meetings import services
from tejido.governance.meetings.selectors import attendance_sheet
from tejido.governance.meetings.services import AgendaEntry, SeatMark
from tejido.governance.models import (
    AgendaItemKind,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    Mandate,
    Meeting,
)
from tejido.network.models import Provenance, Tie

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
SUMMER_BREAK = 2  # February
HISTORY_MONTHS = 24
START_HOUR = 19


@dataclass(frozen=True)
class Idea:
    """An agreement a topic can lead to. `who`: the sector (and words in the organization's
    name, preferred) of the organization responsible."""

    text: str
    who: tuple[str, tuple[str, ...]]
    days: int
    progress: str
    done: str


@dataclass(frozen=True)
class Topic:
    title: str
    kind: str
    minutes: int
    summary: str  # a paragraph of the minutes; {org} is an organization of the body
    ideas: tuple[Idea, ...]
    months: tuple[int, ...] = ()  # only in these months (empty: any)


MUNICIPALITY = (Sector.PUBLIC, ("municipal", "oficina", "desarrollo comunitario"))
HEALTH = (Sector.PUBLIC, ("cesfam", "salud", "consultorio"))
SCHOOL = (Sector.PUBLIC, ("liceo", "escuela", "colegio", "jardin"))
COUNCIL = (Sector.COMMUNITY, ("junta de vecinos",))
COMMUNITY = (Sector.COMMUNITY, ())
BUSINESS = (Sector.PRIVATE, ())

TOPICS: tuple[Topic, ...] = (
    Topic(
        "Seguridad en la plaza Los Aromos",
        AgendaItemKind.DISCUSSION,
        30,
        "{org} expone la preocupación de los vecinos por la falta de iluminación en la plaza Los"
        " Aromos y los robos en el pasaje contiguo durante la noche. Se comenta que el plan"
        " cuadrante de Carabineros pasa poco por el sector y que los juegos infantiles están"
        " deteriorados. Se acuerda pedir la reposición de luminarias y organizar a los vecinos.",
        (
            Idea(
                "Solicitar por oficio a la Municipalidad la reposición de las luminarias de la"
                " plaza Los Aromos y del pasaje contiguo.",
                MUNICIPALITY,
                45,
                "La Dirección de Obras respondió el oficio y visitó la plaza.",
                "Se repusieron las luminarias de la plaza y del pasaje.",
            ),
            Idea(
                "Coordinar con Carabineros una ronda preventiva los viernes por la noche y una"
                " reunión informativa sobre el plan cuadrante.",
                COUNCIL,
                30,
                "Se pidió la reunión con la subcomisaría del sector; hay fecha tentativa.",
                "Se realizó la reunión con Carabineros en la sede, con buena asistencia.",
            ),
        ),
    ),
    Topic(
        "Postulación a fondos municipales (FONDEVE)",
        AgendaItemKind.DECISION,
        25,
        "La Municipalidad informa que está abierta la postulación al Fondo de Desarrollo"
        " Vecinal. {org} propone presentar un proyecto conjunto para mejorar la sede, que"
        " comparten varias organizaciones del directorio. Se revisan las bases y los plazos.",
        (
            Idea(
                "Presentar un proyecto conjunto al FONDEVE para el mejoramiento de la sede"
                " vecinal (techumbre y baño accesible).",
                COUNCIL,
                40,
                "El proyecto está redactado; faltan las cotizaciones.",
                "El proyecto fue presentado dentro de plazo y quedó admisible.",
            ),
            Idea(
                "Pedir a la DIDECO una capacitación sobre la postulación a fondos para las"
                " organizaciones del directorio.",
                MUNICIPALITY,
                30,
                "La DIDECO propuso dos fechas para la capacitación.",
                "Se realizó la capacitación con 18 dirigentes.",
            ),
        ),
    ),
    Topic(
        "Operativo de salud con el CESFAM",
        AgendaItemKind.INFORMATION,
        20,
        "{org} presenta la propuesta de un operativo de salud preventiva en la sede vecinal:"
        " examen de medicina preventiva, vacunación contra la influenza y control de presión"
        " arterial para las personas mayores. Se conversa cómo llegar a quienes no se atienden"
        " hace tiempo.",
        (
            Idea(
                "Realizar con el CESFAM un operativo de salud preventiva en la sede vecinal.",
                HEALTH,
                45,
                "El CESFAM confirmó el equipo y la fecha del operativo.",
                "El operativo atendió a 74 personas, la mitad mayores de 60 años.",
            ),
            Idea(
                "Difundir el operativo puerta a puerta y por los grupos de mensajería de las"
                " juntas de vecinos.",
                COMMUNITY,
                30,
                "Se imprimieron los afiches; la difusión puerta a puerta va por la mitad.",
                "Se difundió en todos los pasajes del sector.",
            ),
        ),
    ),
    Topic(
        "Microbasural de calle Los Álamos",
        AgendaItemKind.DISCUSSION,
        20,
        "Vecinos de calle Los Álamos denuncian que el sitio eriazo de la esquina se convirtió"
        " en un microbasural, con ratones y quemas nocturnas. {org} ofrece apoyo para una"
        " jornada de limpieza. Se discute cómo evitar que vuelva a llenarse.",
        (
            Idea(
                "Solicitar a Aseo y Ornato el retiro del microbasural y la instalación de un"
                " contenedor en calle Los Álamos.",
                MUNICIPALITY,
                30,
                "Aseo y Ornato programó el retiro.",
                "Se retiró el microbasural y se instaló el contenedor.",
            ),
            Idea(
                "Realizar una jornada de limpieza y plantación de árboles en el sitio con los"
                " vecinos y el liceo.",
                SCHOOL,
                60,
                "El liceo comprometió a dos cursos para la jornada.",
                "Se realizó la jornada; se plantaron 20 árboles nativos.",
            ),
        ),
    ),
    Topic(
        "Recuperación de la multicancha",
        AgendaItemKind.DECISION,
        30,
        "{org} plantea que la multicancha está sin iluminación y con el piso dañado, y que los"
        " jóvenes no tienen dónde jugar. Se propone postular su recuperación a un fondo y"
        " organizar mientras tanto un campeonato de baby fútbol.",
        (
            Idea(
                "Postular la recuperación de la multicancha al Fondo Social Presidente de la"
                " República.",
                COUNCIL,
                60,
                "Se reunieron los documentos de la postulación.",
                "La postulación fue presentada; se espera el resultado.",
            ),
            Idea(
                "Organizar un campeonato de baby fútbol para jóvenes del sector.",
                COMMUNITY,
                45,
                "Hay ocho equipos inscritos.",
                "Se jugó el campeonato con ocho equipos y premiación en la sede.",
            ),
        ),
    ),
    Topic(
        "Tenencia responsable de mascotas",
        AgendaItemKind.DISCUSSION,
        15,
        "Se conversa sobre los perros sin dueño en las calles del sector y las mordeduras a"
        " niños camino al colegio. {org} propone un operativo veterinario gratuito.",
        (
            Idea(
                "Coordinar con la Municipalidad un operativo de esterilización y chip para"
                " mascotas del sector.",
                MUNICIPALITY,
                60,
                "El programa de tenencia responsable confirmó cupos.",
                "El operativo esterilizó a 60 mascotas.",
            ),
        ),
    ),
    Topic(
        "Recorrido del transporte público en el sector alto",
        AgendaItemKind.DISCUSSION,
        15,
        "{org} informa que el recorrido de buses dejó de entrar al sector alto después de las"
        " 21:00 horas, lo que afecta a quienes vuelven del trabajo. Se acuerda una carta a la"
        " autoridad de transportes.",
        (
            Idea(
                "Enviar una carta a la Seremi de Transportes pidiendo extender el horario del"
                " recorrido al sector alto.",
                COUNCIL,
                30,
                "La carta fue enviada; la Seremi acusó recibo.",
                "La Seremi respondió y el recorrido extendió su horario hasta las 22:30.",
            ),
        ),
    ),
    Topic(
        "Escuela de dirigentes sociales",
        AgendaItemKind.INFORMATION,
        15,
        "La coordinación del programa presenta la escuela de dirigentes: seis sesiones sobre"
        " liderazgo, formulación de proyectos y rendición de cuentas. {org} destaca la"
        " importancia de formar a dirigentes jóvenes.",
        (
            Idea(
                "Inscribir al menos a dos dirigentes por organización en la escuela de"
                " dirigentes del programa.",
                COMMUNITY,
                21,
                "Se han inscrito once dirigentes.",
                "Se inscribieron 16 dirigentes de 9 organizaciones.",
            ),
        ),
    ),
    Topic(
        "Huerto comunitario en el bandejón central",
        AgendaItemKind.DISCUSSION,
        20,
        "{org} propone convertir el bandejón central en un huerto comunitario con las personas"
        " mayores del club y los niños del jardín infantil. Se analizan el riego y el cuidado"
        " en verano.",
        (
            Idea(
                "Solicitar a la Municipalidad el comodato del bandejón central para un huerto"
                " comunitario.",
                MUNICIPALITY,
                90,
                "El comodato está en revisión jurídica municipal.",
                "El concejo municipal aprobó el comodato del bandejón.",
            ),
            Idea(
                "Conseguir la donación de tierra de hoja, semillas y una llave de riego con el"
                " comercio local.",
                BUSINESS,
                45,
                "El almacén donó semillas; falta la tierra de hoja.",
                "Se recibió la donación completa y se armaron los primeros mesones de cultivo.",
            ),
        ),
    ),
    Topic(
        "Feria libre y comercio del barrio",
        AgendaItemKind.DISCUSSION,
        15,
        "Se comenta la basura que queda después de la feria libre de los sábados. {org} se"
        " compromete a conversar con los feriantes para mejorar la limpieza.",
        (
            Idea(
                "Acordar con los feriantes un turno de limpieza al cierre de la feria de los"
                " sábados.",
                BUSINESS,
                30,
                "Los feriantes aceptaron; falta definir los turnos.",
                "El turno de limpieza funciona desde hace un mes.",
            ),
        ),
    ),
    Topic(
        "Convivencia en la salida del liceo",
        AgendaItemKind.DISCUSSION,
        15,
        "{org} informa de peleas entre estudiantes a la salida de clases en la esquina del"
        " almacén. Se propone un trabajo conjunto entre el liceo, los apoderados y los vecinos.",
        (
            Idea(
                "Organizar con el liceo un turno de apoderados y vecinos en la salida de clases.",
                SCHOOL,
                30,
                "El centro de padres armó el turno de los martes y jueves.",
                "El turno funciona todos los días de la semana.",
            ),
        ),
    ),
    Topic(
        "Cuenta del plan de mejoramiento comunitario",
        AgendaItemKind.PLAN,
        20,
        "La coordinación presenta el avance del plan de mejoramiento: acciones en curso,"
        " acciones sin financiamiento y próximos hitos. {org} pide difundir el avance entre"
        " los vecinos que no participan en las organizaciones.",
        (
            Idea(
                "Publicar en la sede y en redes sociales el avance trimestral del plan de"
                " mejoramiento.",
                COUNCIL,
                30,
                "Se preparó el afiche con el avance.",
                "El avance se publicó en la sede y en las redes de las juntas de vecinos.",
            ),
        ),
    ),
    Topic(
        "Fiestas Patrias en el barrio",
        AgendaItemKind.DISCUSSION,
        20,
        "Se conversa la organización de la fonda comunitaria de Fiestas Patrias. {org} ofrece"
        " la cocinería y se propone que lo recaudado vaya a la olla común de invierno.",
        (
            Idea(
                "Organizar la fonda comunitaria de Fiestas Patrias con las organizaciones del"
                " directorio.",
                COMMUNITY,
                25,
                "Están distribuidas las tareas de la fonda.",
                "La fonda se realizó con buena participación; se recaudaron fondos para la olla"
                " común.",
            ),
            Idea(
                "Solicitar el permiso municipal de uso de la multicancha para la fonda.",
                MUNICIPALITY,
                15,
                "La solicitud está ingresada.",
                "Se obtuvo el permiso municipal.",
            ),
        ),
        months=(8, 9),
    ),
    Topic(
        "Campaña de invierno: ropa y frazadas",
        AgendaItemKind.DISCUSSION,
        15,
        "{org} propone una campaña de recolección de ropa de abrigo y frazadas para las"
        " familias del campamento cercano y las personas mayores que viven solas.",
        (
            Idea(
                "Realizar una campaña de recolección de ropa de abrigo y frazadas en la sede.",
                COMMUNITY,
                30,
                "Se han reunido cuatro sacos de ropa.",
                "Se entregaron 120 prendas y 35 frazadas.",
            ),
        ),
        months=(5, 6, 7),
    ),
    Topic(
        "Prevención de anegamientos antes de las lluvias",
        AgendaItemKind.DISCUSSION,
        15,
        "Se recuerdan las inundaciones del invierno pasado en los pasajes bajos. {org} pide"
        " limpiar los sumideros antes de las primeras lluvias.",
        (
            Idea(
                "Solicitar a la Municipalidad la limpieza de sumideros y canales del sector"
                " antes del invierno.",
                MUNICIPALITY,
                30,
                "La Municipalidad incluyó el sector en su plan invierno.",
                "Se limpiaron los sumideros de los pasajes bajos.",
            ),
        ),
        months=(3, 4, 5),
    ),
    Topic(
        "Navidad en el barrio",
        AgendaItemKind.DISCUSSION,
        15,
        "Se organiza la celebración de Navidad para niñas y niños del sector. {org} gestiona"
        " regalos con el comercio local.",
        (
            Idea(
                "Organizar la fiesta de Navidad para niñas y niños del sector en la multicancha.",
                COMMUNITY,
                25,
                "Hay 140 niños inscritos y regalos comprometidos.",
                "La fiesta se realizó con 150 niñas y niños.",
            ),
        ),
        months=(11, 12),
    ),
    Topic(
        "Vacaciones de invierno para niñas y niños",
        AgendaItemKind.INFORMATION,
        15,
        "{org} presenta talleres gratuitos para las vacaciones de invierno: deporte, arte y"
        " cuentacuentos en la biblioteca.",
        (
            Idea(
                "Difundir los talleres de vacaciones de invierno en el liceo y las escuelas.",
                SCHOOL,
                20,
                "La difusión está en marcha.",
                "Los talleres tuvieron 60 inscritos.",
            ),
        ),
        months=(6, 7),
    ),
)

EXTRAORDINARY = (
    (
        "Sesión extraordinaria: emergencia por lluvias",
        Topic(
            "Catastro de viviendas afectadas por las lluvias",
            AgendaItemKind.DECISION,
            60,
            "Tras el sistema frontal, {org} informa de viviendas con filtraciones y pasajes"
            " anegados. Se organiza un catastro casa por casa y la entrega de ayuda.",
            (
                Idea(
                    "Realizar un catastro casa por casa de las viviendas afectadas y"
                    " entregarlo a la oficina de emergencia municipal.",
                    COUNCIL,
                    10,
                    "El catastro cubre la mitad del sector.",
                    "Se entregó el catastro con 43 viviendas afectadas.",
                ),
                Idea(
                    "Habilitar la sede como centro de acopio de ayuda para las familias afectadas.",
                    COMMUNITY,
                    7,
                    "El centro de acopio funciona por las tardes.",
                    "Se entregaron cajas de ayuda a 43 familias.",
                ),
            ),
        ),
    ),
    (
        "Sesión extraordinaria: Fondo Social Presidente de la República",
        Topic(
            "Proyecto común para el Fondo Social",
            AgendaItemKind.DECISION,
            60,
            "Se revisan las propuestas para el Fondo Social antes del cierre de la"
            " postulación. {org} presenta el presupuesto del proyecto de equipamiento de la"
            " sede.",
            (
                Idea(
                    "Presentar al Fondo Social el proyecto de equipamiento de la sede vecinal.",
                    COUNCIL,
                    14,
                    "Faltan dos cotizaciones.",
                    "El proyecto fue presentado a tiempo.",
                ),
            ),
        ),
    ),
    (
        "Sesión extraordinaria: plan de mejoramiento comunitario",
        Topic(
            "Priorización de las líneas del plan de mejoramiento",
            AgendaItemKind.PLAN,
            90,
            "La coordinación presenta el borrador del plan de mejoramiento comunitario."
            " {org} pide que la seguridad y los espacios públicos queden como primeras líneas."
            " Se discuten plazos y responsables.",
            (
                Idea(
                    "Devolver las observaciones al borrador del plan de mejoramiento en dos"
                    " semanas.",
                    COMMUNITY,
                    14,
                    "Han llegado las observaciones de cinco organizaciones.",
                    "Se incorporaron las observaciones al borrador.",
                ),
            ),
        ),
    ),
)

CANCELLED_REASON = (
    "Suspendida por el sistema frontal anunciado por la Dirección Meteorológica; los temas pasan"
    " a la sesión siguiente."
)


@dataclass
class _Slot:
    day: datetime.date
    title: str
    extraordinary: Topic | None = None
    cancelled: bool = False


@dataclass
class _Open:
    """An agreement waiting for its follow-up notes: at which meetings they are written."""

    agreement: Agreement
    idea: Idea
    progress_at: int | None
    close_at: int | None
    close_status: str
    # Done between meetings, after the last one: the day it was reported.
    close_on: datetime.date | None = None
    under_way: bool = False


@dataclass
class _State:
    rng: random.Random
    body: Body
    coordinator: Any
    today: datetime.date
    place: str
    habits: dict[int, float] = field(default_factory=dict)
    pending: list[_Open] = field(default_factory=list)
    used_titles: list[str] = field(default_factory=list)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _month_start(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _weekday_in_second_week(month: datetime.date, weekday: int) -> datetime.date:
    first = month.replace(day=1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7)


FEMININE = (
    "junta",
    "agrupacion",
    "asociacion",
    "corporacion",
    "fundacion",
    "cooperativa",
    "organizacion",
    "mesa",
    "biblioteca",
    "escuela",
    "municipalidad",
    "oficina",
    "red",
)
MASCULINE = (
    "club",
    "comite",
    "centro",
    "consejo",
    "sindicato",
    "directorio",
    "liceo",
    "colegio",
    "jardin",
    "almacen",
    "taller",
    "grupo",
    "cesfam",
    "conjunto",
)


def _the(name: str) -> str:
    """The name with its Spanish article: "la Junta de Vecinos...", "el Club..."."""
    first = normalize_for_search(name).split(" ", 1)[0]
    if first in FEMININE:
        return f"la {name}"
    if first in MASCULINE:
        return f"el {name}"
    return name


def _of(name: str) -> str:
    """ "de la Mesa...", "del Directorio..."."""
    with_article = _the(name)
    if with_article.startswith("el "):
        return f"del {name}"
    return f"de {with_article}"


def _spanish_day(day: datetime.date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} de {MONTHS[day.month - 1]} de {day.year}"


def _backdate(model: Any, pk: Any, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over two years.
    model.objects.filter(pk=pk).update(**fields)


def _slots(
    first_day: datetime.date, next_day: datetime.date, weekday: int, rng: random.Random
) -> list[_Slot]:
    """The body's past meetings, oldest first: monthly, none in February, one suspended and the
    extraordinary ones between two ordinary sessions."""
    slots: list[_Slot] = []
    month = _month_start(first_day, 0)
    while True:
        day = _weekday_in_second_week(month, weekday)
        if day >= next_day - datetime.timedelta(days=14):
            break
        if day >= first_day and month.month != SUMMER_BREAK:
            title = f"Sesión ordinaria de {MONTHS[month.month - 1]} de {month.year}"
            slots.append(_Slot(day, title))
        month = _month_start(month, 1)
    if len(slots) >= 6:
        slots[0].title = f"Sesión constitutiva, {MONTHS[slots[0].day.month - 1]}"
        slots[0].title += f" de {slots[0].day.year}"
        # One session suspended, in the rainy season when there is one.
        winter = [s for s in slots[2:-2] if s.day.month in (6, 7)] or slots[2:-2]
        rng.choice(winter).cancelled = True
        ordinary = [s for s in slots[1:-1] if not s.cancelled]
        for (title, topic), after in zip(
            EXTRAORDINARY,
            sorted(
                rng.sample(ordinary, min(len(EXTRAORDINARY), len(ordinary))), key=lambda s: s.day
            ),
            strict=False,
        ):
            day = after.day + datetime.timedelta(days=14)
            slots.append(_Slot(day, title, extraordinary=topic))
    return sorted(slots, key=lambda s: s.day)


def _responsible(
    state: _State, mandates: Sequence[Mandate], who: tuple[str, tuple[str, ...]]
) -> Actor:
    sector, words = who
    organizations = [m.organization for m in mandates if m.seat.sector == sector]
    for word in words:
        for organization in organizations:
            if word in normalize_for_search(organization.name, organization.legal_form):
                return organization
    if organizations:
        return state.rng.choice(organizations)
    return state.rng.choice([m.organization for m in mandates])


def _topics(state: _State, day: datetime.date, count: int) -> list[Topic]:
    """Topics for a meeting in `day`'s month: a seasonal one first, then the least used among
    those with something new to agree (not all of their agreements still open)."""
    pending = {p.agreement.text for p in state.pending}

    def fresh(topic: Topic) -> bool:
        return any(idea.text not in pending for idea in topic.ideas)

    seasonal = [t for t in TOPICS if day.month in t.months and fresh(t)]
    general = [t for t in TOPICS if not t.months and fresh(t)]
    general.sort(key=lambda t: (state.used_titles.count(t.title), state.rng.random()))
    chosen = (seasonal[:1] + general)[:count]
    state.used_titles.extend(t.title for t in chosen)
    return chosen


def _attendance(
    state: _State, meeting: Meeting, mandates: Sequence[Mandate]
) -> tuple[list[SeatMark], list[Actor]]:
    rng = state.rng
    marks = []
    for mandate in mandates:
        habit = state.habits.setdefault(mandate.organization_id, rng.uniform(0.62, 0.96))
        draw = rng.random()
        if draw < habit:
            marks.append(SeatMark(mandate.pk, AttendanceStatus.PRESENT))
        elif mandate.alternate_id is not None and rng.random() < 0.55:
            marks.append(SeatMark(mandate.pk, AttendanceStatus.PRESENT, as_alternate=True))
        elif rng.random() < 0.6:
            marks.append(SeatMark(mandate.pk, AttendanceStatus.EXCUSED))
        else:
            marks.append(SeatMark(mandate.pk, AttendanceStatus.ABSENT))
    guests: list[Actor] = []
    if rng.random() < 0.3:
        candidates = (
            Actor.objects.filter(program_id=state.body.program_id)
            .organizations()
            .exclude(pk__in={m.organization_id for m in mandates})
        )
        if state.body.territory is not None:
            candidates = candidates.filter(territory__path__startswith=state.body.territory.path)
        pool = list(candidates.order_by("name")[:40])
        if pool:
            guests = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
    return marks, guests


def _minutes_text(
    state: _State,
    meeting: Meeting,
    slot: _Slot,
    marks: Sequence[SeatMark],
    guests: Sequence[Actor],
    topics: Sequence[Topic],
    mandates: Sequence[Mandate],
    notes: Sequence[tuple[Agreement, str]],
    agreements: Sequence[Agreement],
    has_previous: bool,
) -> str:
    rng = state.rng
    present = sum(1 for m in marks if m.status == AttendanceStatus.PRESENT)
    start = timezone.localtime(meeting.starts_at)
    opened = start + datetime.timedelta(minutes=rng.randint(5, 20))
    closed = timezone.localtime(meeting.ends_at) - datetime.timedelta(minutes=rng.randint(0, 20))
    quorum = (
        "con quórum para sesionar"
        if attendance_sheet(meeting).quorum.met
        else "sin quórum: los acuerdos quedan sujetos a ratificación"
    )
    title = f"{slot.title[0].lower()}{slot.title[1:]}"
    opening = (
        f"En {state.place}, siendo las {opened:%H:%M} horas del {_spanish_day(start.date())},"
        f" se da inicio a la {title} {_of(state.body.name)}, con la asistencia de {present} de"
        f" las {len(marks)} organizaciones con asiento, {quorum}."
    )
    if len(guests) == 1:
        opening += f" Asiste como organización invitada {_the(guests[0].name)}."
    elif guests:
        names = " y ".join(_the(g.name) for g in guests)
        opening += f" Asisten como organizaciones invitadas {names}."
    paragraphs = [opening]
    if has_previous:
        paragraphs.append(
            rng.choice(
                (
                    "Se da lectura al acta de la sesión anterior, que se aprueba sin"
                    " observaciones.",
                    "Se revisa el acta de la sesión anterior; se corrige el nombre de una"
                    " organización y se aprueba.",
                )
            )
        )
    if notes:
        lines = "\n".join(f"N.º {a.number}: {text}" for a, text in notes)
        paragraphs.append(f"En el seguimiento de acuerdos se informa:\n{lines}")
    for topic in topics:
        organization = _responsible(state, mandates, topic.ideas[0].who).name
        text = topic.summary.format(org=_the(organization))
        # "la Junta..." opening a sentence takes a capital.
        paragraphs.append(re.sub(r"(^|\. )(la|el) ", lambda m: f"{m[1]}{m[2].title()} ", text))
    if agreements:
        listed = "\n".join(f"N.º {a.number}: {a.text}" for a in agreements)
        paragraphs.append(f"Se adoptan los siguientes acuerdos:\n{listed}")
    paragraphs.append(
        f"Sin otros temas que tratar, se levanta la sesión a las {closed:%H:%M} horas."
    )
    return "\n\n".join(paragraphs)


def _date_meeting_ties(since: datetime.datetime, moment: datetime.datetime) -> None:
    """Date the tie versions a meeting wrote at the meeting, where the tie's history stays in
    order (a version recorded later by the rest of the demo keeps the load's time)."""
    versions = list(
        Tie.objects.filter(recorded_at__gte=since, provenance=Provenance.MEETING).select_related(
            "previous"
        )
    )
    changed, previous = [], []
    for tie in versions:
        if tie.previous is not None and tie.previous.recorded_at >= moment:
            continue
        tie.recorded_at = moment
        changed.append(tie)
        if tie.previous is not None:
            tie.previous.superseded_at = moment
            previous.append(tie.previous)
    Tie.objects.bulk_update(changed, ["recorded_at"])
    Tie.objects.bulk_update(previous, ["superseded_at"])


def _follow_up(state: _State, index: int, meeting: Meeting) -> list[tuple[Agreement, str]]:
    """Write the notes due at meeting `index`; returns (agreement, note) for the minutes."""
    written: list[tuple[Agreement, str]] = []
    start = meeting.starts_at + datetime.timedelta(minutes=25)
    for item in list(state.pending):
        text, status = "", ""
        if item.close_at == index:
            status = item.close_status
            text = (
                item.idea.done
                if status == AgreementStatus.DONE
                else (
                    "Se deja sin efecto: la situación cambió y el directorio acuerda no seguir"
                    " adelante."
                )
            )
            state.pending.remove(item)
        elif item.progress_at == index:
            text, status = item.idea.progress, AgreementStatus.IN_PROGRESS
            item.under_way = True
        if not text:
            continue
        note = services.agreement_note_add(
            user=state.coordinator,
            agreement=item.agreement,
            text=text,
            new_status=status,
            meeting=meeting,
        )
        _backdate(
            AgreementNote, note.pk, written_at=start + datetime.timedelta(minutes=len(written))
        )
        written.append((item.agreement, text))
    return written


def _plan_follow_up(
    state: _State,
    agreement: Agreement,
    idea: Idea,
    index: int,
    days: Sequence[datetime.date | None],
) -> _Open:
    """When the agreement's notes come: progress at the next meeting or so, and its end (done
    around its due date, dropped, or never: left open, overdue once its date passes). `days`
    are the meetings' days, None for a suspended one."""
    rng = state.rng
    fate = rng.random()
    due = agreement.due_on or days[index] or state.today
    later = [i for i in range(index + 1, len(days)) if days[i] is not None]
    progress_at = later[0] if later and rng.random() < 0.6 else None
    close_at, close_on, status = None, None, AgreementStatus.DONE
    if fate < 0.86:
        target = due + datetime.timedelta(days=rng.randint(-25, 10))
        close_at = next((i for i in later if days[i] >= target), None)  # type: ignore[operator]
        if close_at is None and target < state.today:
            adopted_on = days[index] or state.today
            close_on = max(target, adopted_on + datetime.timedelta(days=7))
    elif fate < 0.91:
        status = AgreementStatus.CANCELLED
        close_at = later[1] if len(later) > 1 else None
    # Otherwise (about one in eleven) it stays open or in progress: overdue once due.
    if close_at is not None and progress_at is not None and progress_at >= close_at:
        progress_at = None
    return _Open(agreement, idea, progress_at, close_at, status, close_on)


def _close_between_meetings(state: _State, last: datetime.date) -> None:
    """Since the last meeting, the organizations responsible reported to the coordination: some
    agreements are done, others under way."""
    reported = min(last + datetime.timedelta(days=9), state.today - datetime.timedelta(days=1))
    for item in list(state.pending):
        if item.close_on is None or item.close_on > state.today:
            if not item.under_way and state.rng.random() < 0.6:
                note = services.agreement_note_add(
                    user=state.coordinator,
                    agreement=item.agreement,
                    text=item.idea.progress,
                    new_status=AgreementStatus.IN_PROGRESS,
                )
                _backdate(AgreementNote, note.pk, written_at=_at(reported, 11))
            continue
        note = services.agreement_note_add(
            user=state.coordinator,
            agreement=item.agreement,
            text=item.idea.done,
            new_status=AgreementStatus.DONE,
        )
        _backdate(AgreementNote, note.pk, written_at=_at(item.close_on, 12))
        _backdate(Agreement, item.agreement.pk, closed_on=item.close_on)
        state.pending.remove(item)


def demo_meetings(body: Body, *, coordinator: Any, today: datetime.date) -> list[Meeting]:
    """Two years of meetings of `body` (fewer if its seats are newer) and next week's.

    In Spanish, as the programs' coordinators write: the items the platform adds to an agenda
    (approval of the minutes, follow-ups) take the active language."""
    with translation.override("es"):
        return _demo_meetings(body, coordinator=coordinator, today=today)


def _demo_meetings(body: Body, *, coordinator: Any, today: datetime.date) -> list[Meeting]:
    rng = random.Random(f"tejido-demo-meetings:{body.name}")
    mandates_all = list(
        Mandate.objects.filter(seat__body=body).select_related("seat", "organization")
    )
    if not mandates_all:
        return []
    first_day = max(min(m.starts_on for m in mandates_all), _month_start(today, -HISTORY_MONTHS))
    weekday = rng.choice((1, 2, 3))  # Tuesday, Wednesday or Thursday
    next_day = today + datetime.timedelta(days=7)
    next_day += datetime.timedelta(days=(weekday - next_day.weekday()) % 7)
    seated = sorted(
        (m for m in mandates_all if m.seat.sector == Sector.COMMUNITY),
        key=lambda m: (not m.organization.name.startswith("Junta de Vecinos"), m.seat.position),
    )
    place = f"la sede {_of(seated[0].organization.name)}" if seated else "la sede vecinal"
    state = _State(rng=rng, body=body, coordinator=coordinator, today=today, place=place)
    slots = _slots(first_day, next_day, weekday, rng)
    days = [None if s.cancelled else s.day for s in slots]
    meetings: list[Meeting] = []
    previous_held: Meeting | None = None
    for index, slot in enumerate(slots):
        starts = _at(slot.day, START_HOUR)
        extraordinary = slot.extraordinary
        topics = [extraordinary] if extraordinary else _topics(state, slot.day, rng.randint(2, 3))
        agenda = [AgendaEntry(t.title, t.kind, t.minutes) for t in topics]
        if not extraordinary:
            agenda.append(AgendaEntry("Varios", AgendaItemKind.OTHER, 10))
        meeting = services.meeting_schedule(
            user=coordinator,
            body=body,
            title=slot.title,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1 if extraordinary else 2),
            place=place[0].upper() + place[1:],
            agenda=agenda,
        )
        services.invitations_send(user=coordinator, meeting=meeting, send_emails=False)
        notice = starts - datetime.timedelta(days=3 if extraordinary else 10)
        _backdate(
            Meeting,
            meeting.pk,
            created_at=notice - datetime.timedelta(days=2),
            updated_at=notice,
            invitations_sent_at=notice,
        )
        if slot.cancelled:
            meeting = services.meeting_cancel(user=coordinator, meeting=meeting, send_emails=False)
            _backdate(Meeting, meeting.pk, updated_at=starts - datetime.timedelta(days=1))
            meetings.append(meeting)
            continue
        day_mandates = [m for m in mandates_all if m.is_current(slot.day)]
        day_mandates.sort(key=lambda m: (m.seat.position, m.seat_id))
        marks, guests = _attendance(state, meeting, day_mandates)
        services.attendance_sheet_record(
            user=coordinator, meeting=meeting, seats=marks, guests=guests
        )
        Attendance.objects.filter(meeting=meeting).update(
            recorded_at=starts + datetime.timedelta(minutes=15)
        )
        since = timezone.now()
        services.meeting_mark_held(user=coordinator, meeting=meeting)
        ended = meeting.ends_at
        _backdate(Meeting, meeting.pk, ties_recorded_at=ended, updated_at=ended)
        _date_meeting_ties(since, ended)
        if previous_held is not None:
            services.minutes_approve(user=coordinator, meeting=previous_held, approved_in=meeting)
            _backdate(
                Meeting,
                previous_held.pk,
                minutes_approved_at=starts + datetime.timedelta(minutes=15),
            )
        notes = _follow_up(state, index, meeting)
        adopted: list[Agreement] = []
        for topic in topics:
            pending = {p.agreement.text for p in state.pending}
            for idea in topic.ideas[: rng.choice((1, 1, 2)) if len(topics) > 2 else 2]:
                if len(adopted) >= 4:
                    break
                if idea.text in pending:
                    continue  # still open from an earlier meeting: followed up, not repeated
                responsible = [_responsible(state, day_mandates, idea.who)]
                if rng.random() < 0.25:
                    responsible.append(rng.choice(day_mandates).organization)
                agreement = services.agreement_create(
                    user=coordinator,
                    body=body,
                    text=idea.text,
                    meeting=meeting,
                    responsible=responsible,
                    due_on=slot.day + datetime.timedelta(days=idea.days),
                )
                _backdate(
                    Agreement,
                    agreement.pk,
                    created_at=ended - datetime.timedelta(minutes=20),
                    updated_at=ended,
                )
                adopted.append(agreement)
                state.pending.append(_plan_follow_up(state, agreement, idea, index, days))
        text = _minutes_text(
            state,
            meeting,
            slot,
            marks,
            guests,
            topics,
            day_mandates,
            notes,
            adopted,
            has_previous=previous_held is not None,
        )
        meeting = services.minutes_save(user=coordinator, meeting=meeting, text=text)
        previous_held = meeting
        meetings.append(meeting)

    held_days = [s.day for s in slots if not s.cancelled]
    if held_days:
        _close_between_meetings(state, held_days[-1])
    # Next week's meeting: its agenda has the minutes to approve and every open agreement.
    starts = _at(next_day, START_HOUR)
    topics = _topics(state, next_day, 2)
    upcoming = services.meeting_schedule(
        user=coordinator,
        body=body,
        title=f"Sesión ordinaria de {MONTHS[next_day.month - 1]} de {next_day.year}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place=place[0].upper() + place[1:],
        agenda=[
            *(AgendaEntry(t.title, t.kind, t.minutes) for t in topics),
            AgendaEntry("Varios", AgendaItemKind.OTHER, 10),
        ],
    )
    services.invitations_send(user=coordinator, meeting=upcoming, send_emails=False)
    sent = timezone.now() - datetime.timedelta(days=1)
    _backdate(
        Meeting,
        upcoming.pk,
        created_at=sent - datetime.timedelta(hours=2),
        updated_at=sent,
        invitations_sent_at=sent,
    )
    upcoming.refresh_from_db()
    meetings.append(upcoming)
    return meetings
