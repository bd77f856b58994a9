# mypy: disable-error-code="arg-type,misc"
"""A small world for the reviews tests: a closed call with criteria, eligible applications, a
pool of reviewers and a coordinator. Adds to `factories.py`, changes nothing there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.funds.models import Application, Assignment, Call, CallReviewer, Criterion, Score

from .factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    coordinator_of,
    reviewer_of,
)


@dataclass
class ReviewWorld:
    program: Any
    call: Call
    criteria: list[Criterion]
    applications: list[Application]
    reviewers: list[CallReviewer]
    coordinator: Any
    extra: dict[str, Any] = field(default_factory=dict)


def review_world(
    *,
    applications: int = 4,
    reviewers: int = 3,
    per_application: int = 2,
    closed: bool = True,
    public: bool = True,
    **call_fields: Any,
) -> ReviewWorld:
    program = ProgramFactory(is_public=public)
    call_fields.setdefault("reviewers_per_application", per_application)
    call_fields.setdefault("evaluation_ends_on", timezone.localdate() + datetime.timedelta(days=20))
    call = CallFactory(program=program, closed=closed, **call_fields)
    criteria = [
        CriterionFactory(call=call, name="Pertinencia", weight=Decimal("2"), scale_max=5),
        CriterionFactory(
            call=call,
            name="Participación comunitaria",
            weight=Decimal("1"),
            scale_max=5,
            minimum=Decimal("2"),
        ),
    ]
    return ReviewWorld(
        program=program,
        call=call,
        criteria=criteria,
        applications=[ApplicationFactory(call=call) for _ in range(applications)],
        reviewers=[reviewer_of(call) for _ in range(reviewers)],
        coordinator=coordinator_of(program),
    )


def full_scores(world: ReviewWorld, values: tuple[int, ...] = (4, 3)) -> dict[int, Decimal]:
    return {c.pk: Decimal(v) for c, v in zip(world.criteria, values, strict=True)}


def submitted_review(
    world: ReviewWorld,
    reviewer: CallReviewer,
    application: Application,
    values: tuple[int, ...] = (4, 3),
    **extra: Any,
) -> Assignment:
    """A submitted review written directly (for tests that are not about submitting)."""
    from tejido.funds import scoring
    from tejido.funds.reviews.selectors import criterion_specs

    assignment = Assignment.objects.create(
        application=application, reviewer=reviewer, comment="Buen proyecto.", **extra
    )
    scores = dict(zip((c.pk for c in world.criteria), values, strict=True))
    for criterion in world.criteria:
        Score.objects.create(
            assignment=assignment, criterion=criterion, value=Decimal(scores[criterion.pk])
        )
    total = scoring.review_total(criterion_specs(world.criteria), scores)
    assignment.total = Decimal(str(total)).quantize(Decimal("0.01"))
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment


def outsider() -> Any:
    return UserFactory()
