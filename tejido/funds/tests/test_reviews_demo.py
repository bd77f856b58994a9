# mypy: disable-error-code="arg-type,assignment,attr-defined,misc,union-attr"
"""The reviews part of the demo, on a small world made with the factories."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tejido.accounts.models import User
from tejido.actors.tests.factories import ActorFactory
from tejido.dashboards.demo.funds.reviews import EVALUATOR_DOMAIN, demo_reviews
from tejido.funds.models import Assignment, CallReviewer, Conflict, ConflictDeclaration
from tejido.funds.reviews import selectors
from tejido.network.tests.factories import TieFactory

from .factories import ApplicationFactory, CallFactory, CriterionFactory, coordinator_of

pytestmark = pytest.mark.django_db


def small_world(*, closed: bool = True):
    today = timezone.localdate()
    call = CallFactory(
        closed=closed,
        reviewers_per_application=2,
        normalize_scores=True,
        disagreement_threshold=Decimal(25),
        evaluation_ends_on=(
            today - datetime.timedelta(days=1) if closed else today + datetime.timedelta(days=60)
        ),
    )
    if closed:
        call.opens_at = timezone.now() - datetime.timedelta(days=90)
        call.closes_at = timezone.now() - datetime.timedelta(days=40)
        call.save()
    for name, weight, minimum in (
        ("Pertinencia con el plan", 3, None),
        ("Participación comunitaria", 3, 2),
        ("Viabilidad", 2, None),
    ):
        CriterionFactory(call=call, name=name, weight=Decimal(weight), minimum=minimum, scale_max=5)
    applications = [ApplicationFactory(call=call) for _ in range(8)]
    neighbour = ActorFactory(program=call.program, name="Centro Cultural La Bandera")
    TieFactory(source=neighbour, target=applications[3].applicant, intensity=3)
    User.objects.create_user("evaluacion@tejido.demo", "x", first_name="Tomás")
    return call, applications, coordinator_of(call.program), today


def test_a_closed_call_gets_its_pool_conflicts_and_every_review():
    call, applications, coordinator, today = small_world()
    demo_reviews(call, coordinator=coordinator, today=today)

    pool = list(CallReviewer.objects.filter(call=call).select_related("user"))
    emails = {r.user.email for r in pool}
    assert len(pool) == 6
    assert "evaluacion@tejido.demo" in emails
    assert sum(e.endswith(f"@{EVALUATOR_DOMAIN}") for e in emails) == 5
    assert ConflictDeclaration.objects.filter(reviewer__call=call).count() == 1
    sources = set(Conflict.objects.filter(reviewer__call=call).values_list("source", flat=True))
    assert {"declared", "tie"} <= sources

    assignments = Assignment.objects.filter(reviewer__call=call)
    assert not assignments.filter(submitted_at__isnull=True).exists()
    for application in applications:
        assert application.assignments.filter(is_extra=False).count() == 2
    extra = assignments.get(is_extra=True)
    # Submitted during the evaluation, after the call closed.
    for assignment in assignments:
        assert call.closes_at < assignment.submitted_at
        assert timezone.localdate(assignment.submitted_at) <= call.evaluation_ends_on
        assert assignment.comment
    conflicted = set(
        Conflict.objects.filter(reviewer__call=call).values_list("reviewer_id", "application_id")
    )
    assert not conflicted & set(assignments.values_list("reviewer_id", "application_id"))

    scores = selectors.scores_for_call(call)
    assert set(scores) == {a.pk for a in applications}
    assert scores[extra.application_id].disagreement
    assert scores[extra.application_id].review_count == 3
    others = [s for pk, s in scores.items() if pk != extra.application_id]
    assert not any(s.disagreement for s in others)
    # The weakest project misses the participation minimum.
    assert sum(1 for s in scores.values() if s.disqualified_by) >= 1
    totals = sorted(s.raw_total for s in scores.values())
    assert totals[-1] - totals[0] > 20  # varied


def test_deterministic():
    first = small_world()
    demo_reviews(first[0], coordinator=first[2], today=first[3])
    values_first = sorted(
        Assignment.objects.filter(reviewer__call=first[0]).values_list("total", flat=True)
    )
    Assignment.objects.all().delete()
    CallReviewer.objects.all().delete()
    User.objects.filter(email__endswith=f"@{EVALUATOR_DOMAIN}").delete()
    User.objects.filter(email="evaluacion@tejido.demo").delete()
    second = small_world()
    second[0].slug = first[0].slug
    second[0].save()
    demo_reviews(second[0], coordinator=second[2], today=second[3])
    values_second = sorted(
        Assignment.objects.filter(reviewer__call=second[0]).values_list("total", flat=True)
    )
    assert values_first == values_second


def test_an_open_call_only_gets_its_pool():
    call, _applications, coordinator, today = small_world(closed=False)
    demo_reviews(call, coordinator=coordinator, today=today)
    assert CallReviewer.objects.filter(call=call).count() == 6
    assert ConflictDeclaration.objects.filter(reviewer__call=call).count() == 1
    assert not Assignment.objects.filter(reviewer__call=call).exists()
