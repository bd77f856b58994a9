"""Demo: the reviews of a call.

`demo_reviews` builds the call's reviewer pool (five people of the evaluators' demo domain,
plus the `evaluacion@tejido.demo` account when it exists), two of them working at organizations
of the program: one at an organization with a close tie to an applicant, so that the network
finds a conflict of interest. Another reviewer declares a conflict with an applicant. For a
closed call, the coordination assigns the applications (two reviewers each, balanced loads)
and every review is submitted during the evaluation with varied, plausible scores and comments
in Spanish; the weakest project falls below a disqualifying minimum; one application's
reviewers disagree, and the coordination asks for one more
review, which is submitted too. Everything goes through the services. Deterministic: a
`random.Random` seeded with the call's short name.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tejido.accounts.models import User
from tejido.actors.models import Actor, ActorKind
from tejido.funds import scoring
from tejido.funds.models import (
    Application,
    Assignment,
    Call,
    CallPhase,
    CallReviewer,
    Criterion,
)
from tejido.funds.reviews import selectors, services
from tejido.network.models import Tie

from ..content import DEMO_PASSWORD

EVALUATOR_DOMAIN = "evaluadores.tejido.demo"
DEMO_EVALUATOR = "evaluacion@tejido.demo"
REVIEWERS = (
    ("Carolina", "Muñoz Saavedra", "carolina.munoz"),
    ("Rodrigo", "Fuentes Pino", "rodrigo.fuentes"),
    ("Valentina", "Soto Leiva", "valentina.soto"),
    ("Jorge", "Castillo Araya", "jorge.castillo"),
    ("Fernanda", "Rojas Tapia", "fernanda.rojas"),
)
DECLARED_REASON = (
    "Participé en la directiva de esta organización hasta el año pasado y sigo siendo parte"
    " de ella."
)

LOW = (
    "No queda claro cómo se relaciona con lo que se pide aquí; falta desarrollarlo.",
    "Se menciona, pero sin acciones concretas ni responsables.",
    "Es el punto más débil de la postulación.",
)
MIDDLE = (
    "Cumple en lo básico, aunque podría precisar mejor quiénes participan y cómo.",
    "Razonable; algunas actividades están poco detalladas.",
    "Aceptable, con aspectos por mejorar en la ejecución.",
)
HIGH = (
    "Muy bien resuelto: acciones concretas, responsables y plazos claros.",
    "Es una fortaleza del proyecto; se nota trabajo previo con la comunidad.",
    "Sólido y coherente con lo que se propone lograr.",
)
OVERALL = {
    "low": (
        "La idea es valiosa, pero la postulación no muestra cómo se llevará a cabo ni con"
        " quiénes. Recomiendo reformularla para una próxima convocatoria.",
        "Proyecto poco maduro: el presupuesto no calza con las actividades y la participación"
        " de los vecinos es escasa.",
    ),
    "middle": (
        "Proyecto pertinente y bien intencionado. Mejoraría con un cronograma más realista y"
        " un rol más claro para las organizaciones aliadas.",
        "Aporta al plan del territorio, aunque el presupuesto está algo inflado en servicios."
        " Financiable si hay recursos.",
    ),
    "high": (
        "Excelente postulación: responde a una necesidad priorizada, con la comunidad como"
        " protagonista y un presupuesto ajustado. Lo recomiendo sin reservas.",
        "Proyecto sólido y bien articulado con otras organizaciones del barrio. Muy buena"
        " relación entre costo y resultados esperados.",
    ),
}


def _reviewer_users(rng: random.Random) -> list[User]:
    users = []
    for first, last, handle in REVIEWERS:
        email = f"{handle}@{EVALUATOR_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                preferred_language="es",
            )
        users.append(user)
    demo = User.objects.filter(email=DEMO_EVALUATOR, is_active=True).first()
    if demo is not None:
        users.insert(rng.randrange(len(users) + 1), demo)
    return users


def _tied_organization(call: Call, applicants: set[int]) -> int | None:
    """An organization of the program (not an applicant) with a current tie at least as close
    as the call's threshold to one of the applicants: where a conflicted reviewer works."""
    ties = (
        Tie.objects.active()
        .filter(program_id=call.program_id, intensity__gte=call.conflict_tie_intensity)
        .filter(Q(source_id__in=applicants) | Q(target_id__in=applicants))
        # A reviewer works at an organization, never at a person.
        .exclude(source__kind=ActorKind.PERSON)
        .exclude(target__kind=ActorKind.PERSON)
        .order_by("pk")
        .values_list("source_id", "target_id")
    )
    for source, target in ties:
        other = target if source in applicants else source
        if other not in applicants:
            return other
    return None


def _build_pool(
    call: Call, coordinator: Any, rng: random.Random, applications: list[Application]
) -> list[CallReviewer]:
    users = _reviewer_users(rng)
    applicants = {a.applicant_id for a in applications}
    organizations = list(
        Actor.objects.organizations()
        .filter(program_id=call.program_id)
        .exclude(pk__in=applicants)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    workplaces: list[int | None] = [None] * len(users)
    tied = _tied_organization(call, applicants)
    if tied is not None:
        workplaces[1] = tied
    if organizations:
        workplaces[3] = rng.choice(organizations)
    pool = []
    for index, user in enumerate(users):
        existing = CallReviewer.objects.filter(call=call, user=user, is_active=True).first()
        if existing is not None:
            pool.append(existing)
            continue
        workplace = workplaces[index]
        organization = Actor.objects.get(pk=workplace) if workplace is not None else None
        pool.append(
            services.reviewer_add(
                actor=coordinator,
                call=call,
                user=user,
                organization=organization,
                max_load=None if index % 3 else 12,
            )
        )
    return pool


def _comment(level: float, rng: random.Random) -> str:
    if level < 0.45:
        return rng.choice(LOW)
    if level < 0.75:
        return rng.choice(MIDDLE)
    return rng.choice(HIGH)


def _scores(
    criteria: list[Criterion],
    quality: float,
    bias: int,
    rng: random.Random,
) -> dict[int, Decimal]:
    values = {}
    for criterion in criteria:
        base = quality * criterion.scale_max + rng.choice((-0.6, -0.3, 0, 0, 0.3, 0.6))
        values[criterion.pk] = Decimal(max(0, min(criterion.scale_max, round(base) + bias)))
    return values


def _total(criteria: list[Criterion], values: dict[int, Decimal]) -> float:
    specs = selectors.criterion_specs(criteria)
    return scoring.review_total(specs, {k: float(v) for k, v in values.items()})


def _submit(
    assignment: Assignment,
    criteria: list[Criterion],
    values: dict[int, Decimal],
    rng: random.Random,
    at: datetime.datetime,
) -> None:
    comments = {
        c.pk: _comment(float(values[c.pk]) / c.scale_max, rng) if rng.random() < 0.7 else ""
        for c in criteria
    }
    total = _total(criteria, values)
    level = "low" if total < 50 else "middle" if total < 75 else "high"
    services.review_submit(
        actor=assignment.reviewer.user,
        assignment=assignment,
        scores=values,
        comments=comments,
        comment=rng.choice(OVERALL[level]),
        at=at,
    )


def demo_reviews(call: Call, *, coordinator: Any, today: datetime.date) -> None:
    rng = random.Random(f"tejido-demo-funds-reviews:{call.slug}")
    applications = list(Application.objects.submitted().filter(call=call).order_by("reference"))
    pool = _build_pool(call, coordinator, rng, applications)
    if applications and len(pool) > 2:
        declarer = pool[2]
        target = applications[rng.randrange(len(applications))].applicant
        if not declarer.declarations.filter(organization=target).exists():
            services.conflict_declare(
                actor=declarer.user, call=call, organization=target, reason=DECLARED_REASON
            )
    if call.phase() != CallPhase.EVALUATION:
        return
    services.reviews_assign(actor=coordinator, call=call)

    criteria = list(call.criteria.order_by("position", "pk"))
    if not criteria:
        return
    eligible = [a for a in applications if a.is_eligible]
    quality = {a.pk: rng.uniform(0.3, 0.95) for a in eligible}
    # Harsh and lenient reviewers, as in any real pool: normalization evens them out.
    bias = {r.pk: rng.choice((-1, 0, 0, 0, 1)) for r in pool}
    disputed = eligible[rng.randrange(len(eligible))].pk if eligible else None
    # The weakest project misses a disqualifying minimum (its community barely takes part).
    weakest = min((pk for pk in quality if pk != disputed), key=quality.__getitem__, default=None)
    threshold = float(call.disagreement_threshold)
    closes = timezone.localtime(call.closes_at)
    last_day = call.evaluation_ends_on or (today - datetime.timedelta(days=1))
    window = max(1, (last_day - closes.date()).days - 2)

    def moment(step: int) -> datetime.datetime:
        days = min(window, 2 + step)
        return closes + datetime.timedelta(days=days, hours=rng.randint(1, 5))

    by_application: dict[int, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(reviewer__call=call, submitted_at__isnull=True)
        .select_related("reviewer__user")
        .order_by("application__reference", "pk")
    ):
        by_application.setdefault(assignment.application_id, []).append(assignment)
    for step, (application_id, assignments) in enumerate(by_application.items()):
        drafts = [
            _scores(criteria, quality.get(application_id, 0.6), bias[a.reviewer_id], rng)
            for a in assignments
        ]
        if application_id == weakest:
            for values in drafts:
                for criterion in criteria:
                    if criterion.minimum is not None and criterion.minimum >= 1:
                        below = math.ceil(criterion.minimum) - 1
                        values[criterion.pk] = Decimal(min(int(values[criterion.pk]), below))
        if application_id == disputed and len(drafts) >= 2:
            # One reviewer was enthusiastic, the other saw little in it.
            drafts[0] = {c.pk: Decimal(c.scale_max) for c in criteria}
            drafts[1] = {c.pk: Decimal(max(1, c.scale_max // 4)) for c in criteria}
        else:
            # Keep honest differences below the threshold: pull the furthest review in.
            for _round in range(10):
                totals = [_total(criteria, d) for d in drafts]
                if len(totals) < 2 or max(totals) - min(totals) <= threshold - 5:
                    break
                mean = sum(totals) / len(totals)
                far = max(range(len(totals)), key=lambda i: abs(totals[i] - mean))
                step_sign = -1 if totals[far] > mean else 1
                for criterion in criteria:
                    value = int(drafts[far][criterion.pk]) + step_sign
                    drafts[far][criterion.pk] = Decimal(max(0, min(criterion.scale_max, value)))
        for assignment, values in zip(assignments, drafts, strict=True):
            _submit(assignment, criteria, values, rng, moment(step))

    if disputed is not None:
        disputed_application = Application.objects.get(pk=disputed)
        score = selectors.scores_for_call(call).get(disputed)
        if score is not None and score.disagreement:
            extra = services.review_extra(actor=coordinator, application=disputed_application)
            extra = Assignment.objects.select_related("reviewer__user").get(pk=extra.pk)
            values = _scores(criteria, quality[disputed], 0, rng)
            _submit(extra, criteria, values, rng, moment(len(by_application) + 3))
