"""The demo's follow-up of a decided call, on a small world made with the factories."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tejido.dashboards.demo.funds.awards import demo_follow_up
from tejido.funds.awards.selectors import awards_dashboard
from tejido.funds.models import (
    Award,
    AwardStatus,
    BudgetCategory,
    Disbursement,
    ExpenseReport,
    ExpenseStatus,
    Milestone,
)

from .factories import BudgetLineFactory
from .factories_awards import funded_world

pytestmark = pytest.mark.django_db


def _demo_world(slug: str = "fondo-barrial-2026"):
    now = timezone.now()
    world = funded_world(
        amounts=("2400000", "1800000", "3000000", "1200000"),
        slug=slug,
        opens_at=now - datetime.timedelta(days=100),
        closes_at=now - datetime.timedelta(days=60),
    )
    categories = [BudgetCategory.WORKS, BudgetCategory.DISSEMINATION, BudgetCategory.PERSONNEL]
    for application in world.applications[1:]:
        for position, category in enumerate(categories):
            BudgetLineFactory(
                application=application,
                position=position,
                category=category,
                amount=application.requested_amount / 3,
            )
    return world


def test_the_demo_tells_six_weeks_of_follow_up():
    world = _demo_world()
    today = timezone.localdate()
    demo_follow_up(world.call, coordinator=world.coordinator, today=today)
    awards = list(Award.objects.filter(application__call=world.call))
    # Set back to a fortnight after closing, at most six weeks ago.
    assert {a.awarded_on for a in awards} == {today - datetime.timedelta(days=42)}
    first_payments = Disbursement.objects.filter(award__in=awards, position=0)
    assert first_payments.filter(paid_on__isnull=False).count() == len(awards) - 1
    milestones = Milestone.objects.filter(award__in=awards)
    assert milestones.filter(done_on__isnull=False).exists()
    overdue = milestones.filter(done_on__isnull=True, due_on__lt=today)
    assert overdue.count() == 1
    expenses = ExpenseReport.objects.filter(award__in=awards)
    statuses = {e.status for e in expenses}
    assert statuses >= {ExpenseStatus.ACCEPTED, ExpenseStatus.REJECTED}
    assert expenses.filter(status=ExpenseStatus.REJECTED).count() == 1
    for expense in expenses:
        assert expense.receipt.read().startswith(b"%PDF")
        assert expense.receipt_content_type == "application/pdf"
    completed = [a for a in awards if a.status == AwardStatus.COMPLETED]
    assert len(completed) == 1
    done = completed[0]
    assert done.amount == Decimal("1200000")  # the smallest project
    assert done.final_report.accepted_at is not None
    assert not done.disbursements.filter(paid_on__isnull=True).exists()
    dashboard = awards_dashboard(world.call, today)
    assert dashboard.overdue_awards >= 1


def test_the_demo_is_deterministic():
    def story(world):
        awards = Award.objects.filter(application__call=world.call).order_by(
            "application__requested_amount"
        )
        return [
            (
                [m.title for m in award.milestones.order_by("position")],
                sorted(e.amount for e in award.expenses.all()),
                award.status,
            )
            for award in awards
        ]

    today = timezone.localdate()
    first, second = _demo_world(), _demo_world()
    demo_follow_up(first.call, coordinator=first.coordinator, today=today)
    demo_follow_up(second.call, coordinator=second.coordinator, today=today)
    assert story(first) == story(second)


def test_the_demo_does_nothing_without_awards():
    world = funded_world(create=False)
    demo_follow_up(world.call, coordinator=world.coordinator, today=timezone.localdate())
    assert not Award.objects.exists()
