"""Demo: the decisions a local directorate took in its meetings, and one online poll open now.

`demo_polls` holds, in the held meetings given (oldest first), a majority motion on each of
three agreements (one rejected), a qualified two-thirds majority on the internal rules, a
consent round on the rules of the house, an approval vote on the dates of the neighbourhood
festival, an instant-runoff choice of the project for the competitive fund, a secret ballot for
the directorate's presidency and a dot vote on the themes of the planning day. Each is created,
opened, voted and closed through the services, as a coordinator and the members would: the
ballots are cast by the seats present at the meeting with the accounts their mandates already
have (no account is created; a seat without one, or whose mandate has ended since, did not vote
online). Passed motions enter the agreements register. Then dates are set back to the meeting.

The online poll on the meeting times of the coming semester is open for five more days; some
seats have voted, never those of the demo's own accounts (so directorio@tejido.demo finds it
waiting for their vote). Deterministic: a `random.Random` seeded with the body's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.governance.bodies.selectors import mandates_on
from tejido.governance.decisions import services
from tejido.governance.decisions.selectors import poll_passed
from tejido.governance.meetings.services import agreement_create, agreement_note_add
from tejido.governance.models import (
    Agreement,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    BallotReceipt,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Poll,
    PollStatus,
    VotingMethod,
)

from ..content import DEMO_EMAILS
from .meetings import MONTHS, WEEKDAYS

Ballots = Callable[[random.Random, int], Any]


@dataclass(frozen=True)
class DemoPoll:
    method: str
    question: str
    description: str
    options: tuple[str, ...] = ()
    # Draws one ballot (the rng, the number of options).
    ballot: Ballots | None = None
    secret: bool = False
    threshold: float = 0.5
    dots: int = 5
    max_choices: int = 0
    agreement: str = ""  # the agreement a passed motion enters in the register


def _motion(yes: float, no: float) -> Ballots:
    def draw(rng: random.Random, _n: int) -> int:
        roll = rng.random()
        return 0 if roll < yes else 1 if roll < yes + no else 2

    return draw


def _consent(rng: random.Random, _n: int) -> int:
    return 1 if rng.random() < 0.2 else 0


def _weighted(weights: Sequence[float]) -> Ballots:
    def draw(rng: random.Random, _n: int) -> int:
        return rng.choices(range(len(weights)), weights=weights)[0]

    return draw


def _approval(likes: Sequence[float]) -> Ballots:
    def draw(rng: random.Random, n: int) -> list[int]:
        chosen = [i for i in range(n) if rng.random() < likes[i]]
        return chosen or [max(range(n), key=lambda i: likes[i])]

    return draw


def _ranking(strength: Sequence[float]) -> Ballots:
    """A ranking of every option: the stronger ones tend to come first; some stop early."""

    def draw(rng: random.Random, n: int) -> list[int]:
        keyed = sorted(range(n), key=lambda i: -strength[i] * rng.uniform(0.4, 1.6))
        return keyed[: rng.choice((2, 3, n, n))]

    return draw


def _dots(weights: Sequence[float], dots: int) -> Ballots:
    def draw(rng: random.Random, n: int) -> dict[int, int]:
        spread: dict[int, int] = {}
        for _dot in range(dots):
            option = rng.choices(range(n), weights=weights)[0]
            spread[option] = spread.get(option, 0) + 1
        return spread

    return draw


def _spanish_day(day: datetime.date) -> str:
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} de {MONTHS[day.month - 1]}"


def _saturday_after(day: datetime.date, weeks: int) -> datetime.date:
    return day + datetime.timedelta(days=(5 - day.weekday()) % 7 + 7 * weeks)


def _festival_options(meeting_day: datetime.date) -> tuple[str, ...]:
    first = _saturday_after(meeting_day, 5)
    return (
        _spanish_day(first),
        _spanish_day(first + datetime.timedelta(days=1)),
        _spanish_day(first + datetime.timedelta(days=7)),
        _spanish_day(first + datetime.timedelta(days=14)),
    )


def _catalogue(candidates: Sequence[str]) -> list[DemoPoll]:
    """The decisions, oldest first (the festival's dates are set from its meeting)."""
    return [
        DemoPoll(
            VotingMethod.MAJORITY,
            "¿Solicitamos al municipio la recuperación de la plaza Los Aromos?",
            "Pedir por oficio a la Dirección de Obras el cambio de luminarias, la reparación de"
            " juegos infantiles y la poda de los árboles de la plaza.",
            ballot=_motion(0.8, 0.1),
            agreement="Solicitar por oficio a la Dirección de Obras Municipales la recuperación"
            " de la plaza Los Aromos: luminarias, juegos infantiles y poda.",
        ),
        DemoPoll(
            VotingMethod.QUALIFIED,
            "¿Aprobamos la modificación del reglamento interno: sesiones cada quince días?",
            "El reglamento exige dos tercios de los votos emitidos para modificarse.",
            ballot=_motion(0.85, 0.1),
            threshold=2 / 3,
            agreement="Modificar el artículo 6 del reglamento interno: el directorio sesionará"
            " en forma ordinaria cada quince días.",
        ),
        DemoPoll(
            VotingMethod.APPROVAL,
            "¿Qué fechas les acomodan para la Fiesta del Barrio?",
            "Marquen todas las fechas en que su organización podría participar.",
            ballot=_approval((0.75, 0.35, 0.6, 0.25)),
        ),
        DemoPoll(
            VotingMethod.CONSENT,
            "Normas de convivencia para las sesiones del directorio",
            "Turnos de palabra de tres minutos, inicio puntual con diez minutos de tolerancia y"
            " actas disponibles una semana después de cada sesión.",
            ballot=_consent,
            agreement="Adoptar las normas de convivencia para las sesiones: turnos de palabra de"
            " tres minutos, inicio puntual y actas disponibles en una semana.",
        ),
        DemoPoll(
            VotingMethod.MAJORITY,
            "¿Cerramos con reja el pasaje Los Canelos?",
            "Propuesta de un grupo de vecinos. Otras organizaciones advierten que afecta el paso"
            " hacia el consultorio.",
            ballot=_motion(0.25, 0.65),
            agreement="Cerrar con reja el pasaje Los Canelos.",
        ),
        DemoPoll(
            VotingMethod.IRV,
            "¿Qué proyecto presentamos al fondo concursable de este ciclo?",
            "Ordenen los proyectos de su preferencia: 1 para el primero. Si su primera opción"
            " queda fuera, su voto pasa a la siguiente.",
            options=(
                "Recuperación de la plaza Los Aromos",
                "Taller de oficios para jóvenes",
                "Huerto comunitario en la sede",
                "Alarmas comunitarias en los pasajes",
            ),
            ballot=_ranking((1.0, 1.15, 0.7, 0.9)),
        ),
        DemoPoll(
            VotingMethod.PLURALITY,
            "Elección de la presidencia del directorio",
            "Voto secreto. Se elige a la organización cuya representante titular presidirá el"
            " directorio durante el próximo año.",
            options=tuple(candidates),
            ballot=_weighted((1.3, 1.0, 0.6)[: len(candidates)]),
            secret=True,
        ),
        DemoPoll(
            VotingMethod.CUMULATIVE,
            "¿Qué temas trabajamos en la jornada de planificación?",
            "Cada organización reparte cinco puntos entre los temas; puede poner varios en uno.",
            options=(
                "Seguridad y luminarias",
                "Espacios públicos y áreas verdes",
                "Jóvenes y deporte",
                "Personas mayores",
                "Microbasurales y reciclaje",
            ),
            ballot=_dots((1.4, 1.0, 1.2, 0.6, 0.9), 5),
            dots=5,
        ),
        DemoPoll(
            VotingMethod.MAJORITY,
            "¿Invitamos al Cesfam a exponer en la próxima sesión?",
            "Para conocer el programa de salud comunitaria y coordinar operativos en el barrio.",
            ballot=_motion(0.9, 0.05),
            agreement="Invitar al Cesfam a exponer su programa de salud comunitaria en la"
            " próxima sesión ordinaria.",
        ),
    ]


def _backdate(model: Any, pk: Any, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over the past months.
    model.objects.filter(pk=pk).update(**fields)


def _voter(mandate: Mandate) -> Any:
    for user in (mandate.holder_user, mandate.alternate_user):
        if user is not None and user.is_active:
            return user
    return None


def _present(meeting: Meeting) -> list[Mandate]:
    """The seats present at the meeting (all the seats of its day when attendance is missing)."""
    day = timezone.localdate(meeting.starts_at)
    current = {m.pk: m for m in mandates_on(meeting.body, day)}
    rows = Attendance.objects.filter(meeting=meeting, mandate__isnull=False)
    if not rows.exists():
        return list(current.values())
    present = set(rows.filter(status=AttendanceStatus.PRESENT).values_list("mandate_id", flat=True))
    return [m for pk, m in current.items() if pk in present]


def _hold(
    spec: DemoPoll,
    meeting: Meeting,
    *,
    coordinator: Any,
    rng: random.Random,
    today: datetime.date,
) -> Poll:
    body = meeting.body
    poll = services.poll_create(
        user=coordinator,
        body=body,
        question=spec.question,
        description=spec.description,
        method=spec.method,
        options=spec.options,
        secret=spec.secret,
        meeting=meeting,
        threshold=spec.threshold,
        dots_per_voter=spec.dots,
        max_choices=spec.max_choices,
    )
    poll = services.poll_open(user=coordinator, poll=poll)
    option_count = poll.options.count()
    start = meeting.starts_at + datetime.timedelta(minutes=rng.randint(25, 80))
    current_today = {m.pk for m in mandates_on(body, today)}
    for index, mandate in enumerate(_present(meeting)):
        user = _voter(mandate)
        if user is None or mandate.pk not in current_today or spec.ballot is None:
            continue
        try:
            receipt = services.ballot_cast(
                user=user, poll=poll, mandate=mandate, ballot=spec.ballot(rng, option_count)
            )
        except ValidationError:
            continue
        cast_at = start + datetime.timedelta(seconds=20 * index + rng.randint(0, 15))
        _backdate(BallotReceipt, receipt.pk, cast_at=cast_at)
    poll = services.poll_close(user=coordinator, poll=poll)
    opened = start - datetime.timedelta(minutes=2)
    closed = start + datetime.timedelta(minutes=12)
    _backdate(
        Poll,
        poll.pk,
        created_at=opened - datetime.timedelta(days=3),
        updated_at=closed,
        opened_at=opened,
        closed_at=closed,
    )
    if spec.agreement and poll_passed(poll):
        day = timezone.localdate(meeting.starts_at)
        agreement = agreement_create(
            user=coordinator,
            body=body,
            text=spec.agreement,
            meeting=meeting,
            due_on=day + datetime.timedelta(days=60),
            poll=poll,
        )
        _backdate(Agreement, agreement.pk, created_at=closed, updated_at=closed)
        if day + datetime.timedelta(days=90) < today:
            agreement_note_add(
                user=coordinator,
                agreement=agreement,
                text="Cumplido según lo informado en sesión.",
                new_status=AgreementStatus.DONE,
            )
    poll.refresh_from_db()
    return poll


def _online_poll(body: Body, *, coordinator: Any, rng: random.Random, today: datetime.date) -> Poll:
    now = timezone.now()
    poll = services.poll_create(
        user=coordinator,
        body=body,
        question="¿En qué horario prefieren las sesiones del próximo semestre?",
        description="Consulta en línea entre sesiones. Marquen todos los horarios en que su"
        " organización puede asistir.",
        method=VotingMethod.APPROVAL,
        options=("Martes a las 19:00", "Miércoles a las 19:30", "Sábado a las 10:30"),
        closes_at=now + datetime.timedelta(days=5),
    )
    poll = services.poll_open(user=coordinator, poll=poll)
    opened = now - datetime.timedelta(days=2)
    _backdate(Poll, poll.pk, created_at=opened, opened_at=opened)
    draw = _approval((0.55, 0.7, 0.35))
    demo_emails = {email.lower() for email in DEMO_EMAILS}
    for index, mandate in enumerate(mandates_on(body, today)):
        user = _voter(mandate)
        accounts = {u.email.lower() for u in (mandate.holder_user, mandate.alternate_user) if u}
        # Half the seats have voted so far; the demo's own accounts find it waiting.
        if user is None or accounts & demo_emails or index % 2:
            continue
        receipt = services.ballot_cast(user=user, poll=poll, mandate=mandate, ballot=draw(rng, 3))
        _backdate(
            BallotReceipt,
            receipt.pk,
            cast_at=opened + datetime.timedelta(hours=rng.randint(2, 40)),
        )
    poll.refresh_from_db()
    return poll


def demo_polls(
    body: Body,
    meetings: Sequence[Meeting],
    *,
    coordinator: Any,
    today: datetime.date,
) -> list[Poll]:
    """Hold the body's decisions in its held meetings and open one online poll."""
    rng = random.Random(f"tejido-demo-decisions:{body.name}")
    now = timezone.now()
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.HELD and m.ends_at <= now),
        key=lambda m: m.starts_at,
    )
    community = [
        m.organization.name for m in mandates_on(body, today) if m.seat.sector == "community"
    ]
    candidates = community[:3] or [m.organization.name for m in mandates_on(body, today)][:3]
    polls: list[Poll] = []
    if held:
        catalogue = _catalogue(candidates)
        # Spread over the meetings, oldest first (several in one meeting when there are few).
        last = len(held) - 1
        slots = [held[round(i * last / (len(catalogue) - 1))] for i in range(len(catalogue))]
        for spec, meeting in zip(catalogue, slots, strict=True):
            if spec.method == VotingMethod.APPROVAL:
                day = timezone.localdate(meeting.starts_at)
                spec = replace(spec, options=_festival_options(day))
            if spec.method == VotingMethod.PLURALITY and len(spec.options) < 2:
                continue  # no election without two candidates
            polls.append(_hold(spec, meeting, coordinator=coordinator, rng=rng, today=today))
    polls.append(_online_poll(body, coordinator=coordinator, rng=rng, today=today))
    return [p for p in polls if p.status in (PollStatus.CLOSED, PollStatus.OPEN)]
