"""Demo: a territory's needs register and a closed Hanlon prioritization session.

`demo_needs` records some fifteen needs of the body's territory, from the territorial diagnosis
and from the body's meetings, then holds a Hanlon session at the latest meeting held: every
current seat holder (through the accounts the mandates already have; no account is created)
scores the needs, and the coordinator closes it, which marks the top five "prioritized".
Deterministic: the scores come from a `random.Random` seeded with the body's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tejido.core.models import Territory, Theme
from tejido.governance.bodies.selectors import mandates_on
from tejido.governance.models import (
    Body,
    Meeting,
    MeetingStatus,
    Need,
    NeedSource,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
)
from tejido.governance.needs import services

TOP = 5


@dataclass(frozen=True)
class DemoNeed:
    title: str
    description: str
    theme: str  # a theme slug of the demo vocabulary (see demo/content.py)
    fallback: str  # the transition theme used when that slug is missing
    people: int
    from_meeting: bool
    # The Hanlon profile the seat holders roughly agree on: size, seriousness, effectiveness.
    profile: tuple[int, int, int]
    # PEARL factors most holders answer "no" to (the need is then set aside).
    not_feasible: tuple[str, ...] = ()
    in_session: bool = True


NEEDS: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Luminarias apagadas en pasaje Los Aromos",
        "Cuatro de las seis luminarias del pasaje llevan meses apagadas. Vecinas cuentan que "
        "evitan volver a pie de noche desde el paradero.",
        "seguridad",
        "transicion-social",
        180,
        True,
        (6, 7, 9),
    ),
    DemoNeed(
        "Microbasurales en el sitio eriazo de calle Las Acacias",
        "Se acumulan escombros, colchones y basura domiciliaria; hay ratones y el camión "
        "municipal pasa solo cuando hay reclamos.",
        "medio-ambiente",
        "transicion-ecologica",
        420,
        False,
        (7, 7, 7),
    ),
    DemoNeed(
        "Falta de actividades para jóvenes en las tardes",
        "Después del liceo no hay talleres ni espacios deportivos abiertos para jóvenes de 14 a "
        "19 años.",
        "infancia",
        "transicion-social",
        350,
        True,
        (6, 7, 6),
    ),
    DemoNeed(
        "Atención de salud mental en el CESFAM",
        "La lista de espera para psicología supera los cinco meses; el diagnóstico registró "
        "alta demanda de personas cuidadoras y adolescentes.",
        "salud",
        "transicion-social",
        900,
        False,
        (8, 9, 5),
    ),
    DemoNeed(
        "Sede vecinal sin accesibilidad universal",
        "La sede tiene escalones en la entrada y un baño estrecho: personas en silla de ruedas "
        "y mayores con andador no pueden participar de las asambleas.",
        "personas-mayores",
        "transicion-social",
        120,
        True,
        (3, 7, 9),
    ),
    DemoNeed(
        "Juegos infantiles en mal estado en la plaza Los Copihues",
        "Columpios cortados y resbalín oxidado; las familias llevan a sus hijos a otra población.",
        "infancia",
        "transicion-social",
        260,
        False,
        (5, 5, 8),
    ),
    DemoNeed(
        "Perros abandonados en la multicancha",
        "Jaurías de perros sin dueño en la multicancha y el sitio eriazo; hubo mordeduras a "
        "niños este invierno.",
        "salud",
        "transicion-ecologica",
        300,
        True,
        (5, 5, 5),
    ),
    DemoNeed(
        "Veredas quebradas en calle Los Olmos",
        "Raíces levantaron las veredas; personas mayores se han caído camino a la feria.",
        "personas-mayores",
        "transicion-social",
        500,
        False,
        (6, 5, 6),
    ),
    DemoNeed(
        "Paradero sin techo en avenida Central",
        "El paradero más usado del barrio no tiene techo ni asiento; en invierno se espera la "
        "micro bajo la lluvia.",
        "vivienda",
        "transicion-social",
        650,
        False,
        (6, 4, 8),
    ),
    DemoNeed(
        "Consumo de alcohol en la plaza durante la noche",
        "Grupos beben en la plaza hasta la madrugada; vecinos dejaron de usarla y piden "
        "presencia de programas preventivos.",
        "seguridad",
        "transicion-social",
        400,
        True,
        (7, 8, 3),
    ),
    DemoNeed(
        "Recuperar el sitio eriazo privado como plaza",
        "Vecinos proponen transformar el sitio eriazo en plaza, pero el terreno es de un "
        "privado que no ha respondido a la junta de vecinos.",
        "medio-ambiente",
        "transicion-ecologica",
        600,
        True,
        (7, 6, 6),
        not_feasible=("legality", "propriety"),
    ),
    DemoNeed(
        "Pasajes inundados en invierno por falta de sumideros",
        "Con cada lluvia fuerte se inundan los pasajes Las Dalias y El Maitén; el agua entra a "
        "algunas casas.",
        "vivienda",
        "transicion-ecologica",
        280,
        False,
        (5, 8, 4),
    ),
    DemoNeed(
        "Baja participación en la junta de vecinos",
        "A las asambleas llegan menos de veinte personas; la directiva no se renueva hace "
        "seis años.",
        "transicion-democratica",
        "transicion-democratica",
        1200,
        False,
        (8, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Alfabetización digital para personas mayores",
        "Muchas personas mayores no pueden pedir horas médicas ni trámites en línea.",
        "transicion-digital",
        "transicion-digital",
        150,
        True,
        (4, 5, 8),
        in_session=False,
    ),
    DemoNeed(
        "Falta de un espacio de encuentro para personas mayores",
        "El club de adulto mayor se reúne en una casa particular y no cabe más gente.",
        "personas-mayores",
        "transicion-social",
        220,
        False,
        (4, 6, 8),
        in_session=False,
    ),
)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _territory_of(body: Body) -> Territory:
    if body.territory is not None:
        return body.territory
    territory = body.program.territories.order_by("path").first()
    if territory is None:
        raise ValueError("The body and its program have no territory: needs need one.")
    return territory


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _backdate(model: Any, pk: int, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over the past months.
    model.objects.filter(pk=pk).update(**fields)


def demo_needs(
    body: Body,
    meetings: Sequence[Meeting],
    *,
    coordinator: Any,
    today: datetime.date,
) -> PrioritizationSession:
    """Record the territory's needs and hold a closed Hanlon session with the seat holders."""
    rng = random.Random(f"tejido-demo-needs:{body.name}")
    program = body.program
    territory = _territory_of(body)
    now = timezone.now()
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.HELD and m.ends_at <= now),
        key=lambda m: m.starts_at,
    )
    session_meeting = held[-1] if held else None
    earlier = held[:-1] if len(held) > 1 else held
    themes = {t.slug: t for t in Theme.objects.all()}
    diagnosis_day = today - datetime.timedelta(days=240)

    needs: list[tuple[DemoNeed, Need]] = []
    for index, spec in enumerate(NEEDS):
        source_meeting = earlier[index % len(earlier)] if spec.from_meeting and earlier else None
        need = services.need_create(
            user=coordinator,
            program=program,
            territory=territory,
            title=spec.title,
            description=spec.description,
            theme=themes.get(spec.theme) or themes.get(spec.fallback),
            source=NeedSource.MEETING if spec.from_meeting else NeedSource.DIAGNOSIS,
            source_meeting=source_meeting,
            # Estimates, as neighbours give them: rounded to tens.
            people_affected=max(10, int(round(spec.people * rng.uniform(0.85, 1.15), -1))),
        )
        recorded = (
            source_meeting.starts_at
            if source_meeting
            else _at(diagnosis_day + datetime.timedelta(days=index), 11)
        )
        _backdate(Need, need.pk, created_at=recorded, updated_at=recorded)
        needs.append((spec, need))

    chosen = [(spec, need) for spec, need in needs if spec.in_session]
    year = (session_meeting.starts_at.date() if session_meeting else today).year
    session = services.session_create(
        user=coordinator,
        program=program,
        territory=territory,
        title=f"Priorización de necesidades {year} · {territory.name}",
        method=PrioritizationMethod.HANLON,
        needs=[need for _spec, need in chosen],
        body=body,
        meeting=session_meeting,
    )
    session = services.session_open(user=coordinator, session=session)

    users: list[Any] = []
    for mandate in mandates_on(body, today):
        user = mandate.holder_user or mandate.alternate_user
        if user is not None and user.pk not in {u.pk for u in users}:
            users.append(user)
    for user in users:
        scores: dict[str, dict[str, int]] = {}
        for spec, need in chosen:
            size, seriousness, effectiveness = spec.profile
            row = {
                "size": _clamp(rng.gauss(size, 1.0), 0, 10),
                "seriousness": _clamp(rng.gauss(seriousness, 1.0), 0, 10),
                "effectiveness": _clamp(rng.gauss(effectiveness, 1.2), 0, 10),
            }
            for factor in ("propriety", "economics", "acceptability", "resources", "legality"):
                no_chance = 0.85 if factor in spec.not_feasible else 0.05
                row[factor] = 0 if rng.random() < no_chance else 1
            scores[str(need.pk)] = row
        services.input_submit(user=user, session=session, content={"scores": scores}, day=today)

    if not users:
        # No seat holder has an account: the session stays open for them.
        return session
    session = services.session_close(user=coordinator, session=session, top=TOP)
    if session_meeting is not None:
        start = session_meeting.starts_at
        _backdate(
            PrioritizationSession,
            session.pk,
            created_at=start - datetime.timedelta(days=7),
            updated_at=session_meeting.ends_at,
            closed_at=session_meeting.ends_at,
        )
        for minute, entry in enumerate(session.inputs.order_by("pk")):
            _backdate(
                PrioritizationInput,
                entry.pk,
                submitted_at=start + datetime.timedelta(minutes=20 + 3 * minute),
            )
        session.refresh_from_db()
    return session
