# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The allocation part of the demo, on a small reviewed call made with the factories."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tejido.dashboards.demo.funds.ranking import REASONS, demo_allocation
from tejido.funds.models import AllocationRun, Award, CallStatus
from tejido.governance.models import BodyKind, PollStatus
from tejido.governance.tests.factories import BodyFactory, PollFactory

from .factories import CallFactory, coordinator_of
from .factories_ranking import reviewed_call

pytestmark = pytest.mark.django_db


def test_the_demo_runs_explores_decides_and_publishes():
    call, _applications = reviewed_call(requires_directorate_decision=True)
    coordinator = coordinator_of(call.program)
    demo_allocation(call, coordinator=coordinator, today=timezone.localdate())

    call.refresh_from_db()
    assert call.status == CallStatus.RESULTS_PUBLISHED
    assert call.decision_note in REASONS
    # Without a directorate vote in the program, the decision stands on the committee's.
    assert call.requires_directorate_decision is False
    runs = list(AllocationRun.objects.filter(call=call).order_by("created_at"))
    assert [(r.rule, r.is_what_if) for r in runs] == [("optimal", False), ("greedy", True)]
    assert Award.objects.filter(run=runs[0]).count() == 3


def test_the_demo_links_an_approving_directorate_poll_and_is_deterministic():
    call, _ = reviewed_call(requires_directorate_decision=True)
    poll = PollFactory(
        body=BodyFactory(program=call.program, kind=BodyKind.DIRECTORATE),
        method="majority",
        status=PollStatus.CLOSED,
        closed_at=timezone.now(),
        result={"passed": True},
    )
    demo_allocation(call, coordinator=coordinator_of(call.program), today=timezone.localdate())
    call.refresh_from_db()
    assert call.decision_poll == poll
    assert call.requires_directorate_decision is True

    other, _ = reviewed_call(slug=call.slug + "-b")
    demo_allocation(other, coordinator=coordinator_of(other.program), today=timezone.localdate())
    again, _ = reviewed_call(slug=call.slug + "-b")
    demo_allocation(again, coordinator=coordinator_of(again.program), today=timezone.localdate())
    other.refresh_from_db()
    again.refresh_from_db()
    assert other.decision_note == again.decision_note


def test_the_demo_leaves_an_open_call_alone():
    call = CallFactory()
    demo_allocation(call, coordinator=coordinator_of(call.program), today=timezone.localdate())
    assert not AllocationRun.objects.exists()
