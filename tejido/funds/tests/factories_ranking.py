"""A closed call with reviewed applications, ready to be ranked (built on the shared factories).

Reviews are written directly (submitted assignments with their scores): the ranking tests only
need their results, not the reviewing workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tejido.funds.models import Assignment, Call, Criterion, Score
from tejido.funds.scoring import CriterionSpec, review_total

from .factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    reviewer_of,
)


def review(application: Any, reviewer: Any, values: Sequence[float]) -> Assignment:
    """A submitted review of `application` by the pool reviewer, one value per criterion."""
    criteria = list(Criterion.objects.filter(call=application.call).order_by("position", "pk"))
    specs = [CriterionSpec(c.pk, float(c.weight), c.scale_max) for c in criteria]
    scores = {c.pk: float(v) for c, v in zip(criteria, values, strict=True)}
    assignment = Assignment.objects.create(
        application=application,
        reviewer=reviewer,
        total=Decimal(str(review_total(specs, scores))),
        submitted_at=timezone.now(),
    )
    Score.objects.bulk_create(
        [
            Score(assignment=assignment, criterion=c, value=Decimal(str(v)))
            for c, v in zip(criteria, values, strict=True)
        ]
    )
    return assignment


def reviewed_call(
    *,
    requests: Sequence[int] = (3_000_000, 2_500_000, 2_000_000, 1_500_000),
    values: Sequence[Sequence[float]] | None = None,
    budget: int = 6_000_000,
    **call_fields: Any,
) -> tuple[Call, list[Any]]:
    """A closed call (two criteria on 0-5, the second with a minimum of 2) whose applications
    each have two reviews: by default the first application scores best, and so on down."""
    call: Any = CallFactory(
        closed=True,
        budget=Decimal(budget),
        min_grant=Decimal("500000"),
        max_grant=Decimal("3000000"),
        score_threshold=Decimal("40"),
        **call_fields,
    )
    CriterionFactory(call=call, name="Impacto en el barrio", weight=Decimal("2"), position=0)
    CriterionFactory(
        call=call,
        name="Participación comunitaria",
        weight=Decimal("1"),
        position=1,
        minimum=Decimal("2"),
    )
    reviewers = [reviewer_of(call), reviewer_of(call)]
    applications = []
    for index, amount in enumerate(requests):
        application = ApplicationFactory(
            call=call, requested_amount=Decimal(amount), title=f"Proyecto {index + 1}"
        )
        scores = values[index] if values else (5 - index, 5 - index * 0.5)
        for reviewer in reviewers:
            review(application, reviewer, scores)
        applications.append(application)
    return call, applications
