"""Reads of the awards: the public list of a call's funded projects, one award's spending per
budget line, the dashboard's figures, an organization's panel, and the award letter's text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.core.tests.factories import ThemeFactory
from tejido.funds.awards import services
from tejido.funds.awards.panels import actor_funds_panel
from tejido.funds.awards.pdf import letter_story
from tejido.funds.awards.selectors import (
    PublicAward,
    award_page,
    awards_dashboard,
    public_awards_for_call,
)
from tejido.funds.models import AwardStatus, CallStatus

from .factories import ApplicationFactory, coordinator_of, representative_of
from .factories_awards import funded_world, receipt

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _publish(call):
    call.status = CallStatus.RESULTS_PUBLISHED
    call.save(update_fields=["status"])


def test_public_awards_are_empty_until_the_results_are_published():
    world = funded_world()
    for status in (CallStatus.PUBLISHED, CallStatus.DECIDED):
        world.call.status = status
        world.call.save()
        assert public_awards_for_call(world.call) == []


def test_public_awards_show_each_funded_project_with_its_progress(django_assert_num_queries):
    world = funded_world()
    theme = ThemeFactory(name="Espacios públicos")
    first, second = world.applications
    first.theme = theme
    first.save()
    for offset, reached in ((5, True), (10, True), (20, False)):
        milestone = services.milestone_create(
            actor=world.grantee_rep,
            award=world.award,
            title=f"Hito {offset}",
            due_on=TODAY() + datetime.timedelta(days=offset),
        )
        if reached:
            services.milestone_reach(actor=world.grantee_rep, milestone=milestone, note="Hecho")
    _publish(world.call)
    with django_assert_num_queries(2):
        rows = public_awards_for_call(world.call)
    assert [r.reference for r in rows] == [first.reference, second.reference]
    row = rows[0]
    assert isinstance(row, PublicAward)
    assert row.title == first.title
    assert row.applicant_name == first.applicant.name
    assert row.partner_names == ("Centro Cultural Esperanza",)
    assert row.amount == Decimal("1234567")
    assert row.amount_text == "$1,234,567"
    assert row.currency == "CLP"
    assert row.territory_name == "La Pintana"
    assert row.theme == "Espacios públicos"
    assert (row.milestones_reached, row.milestones_total, row.progress_percent) == (2, 3, 67)
    assert row.status == AwardStatus.ACTIVE
    assert rows[1].progress_percent == 0
    assert rows[1].partner_names == ()
    assert rows[1].theme == ""


def test_a_completed_award_shows_full_progress():
    world = funded_world()
    services.final_report_submit(
        actor=world.grantee_rep, award=world.award, summary="Hecho", beneficiaries_men=2
    )
    services.final_report_accept(actor=world.coordinator, award=world.award)
    _publish(world.call)
    row = public_awards_for_call(world.call)[0]
    assert (row.progress_percent, row.status) == (100, AwardStatus.COMPLETED)


def test_many_public_awards_take_the_same_two_queries(django_assert_num_queries):
    world = funded_world(amounts=("1000000",) * 10)
    _publish(world.call)
    with django_assert_num_queries(2):
        assert len(public_awards_for_call(world.call)) == 10


def _expense(world, line, amount, *, accept=None, note=""):
    expense = services.expense_report(
        actor=world.grantee_rep,
        award=world.award,
        budget_line=line,
        spent_on=TODAY(),
        amount=amount,
        description="Gasto",
        receipt=receipt(),
    )
    if accept is not None:
        services.expense_review(actor=world.coordinator, expense=expense, accept=accept, note=note)
    return expense


def test_spending_per_line_counts_reported_and_accepted_and_flags_overspending():
    world = funded_world()
    first_line, second_line = world.applications[0].budget_lines.order_by("position")
    _expense(world, first_line, "500000", accept=True)
    _expense(world, first_line, "400000")  # waiting: 900 000 reported on a line of 800 000
    _expense(world, second_line, "300000", accept=False, note="No corresponde")
    _expense(world, second_line, "100000", accept=True)
    page = award_page(world.award, world.coordinator, TODAY())
    first, second = page.lines
    assert (first.budgeted, first.reported, first.accepted) == (
        Decimal("800000"),
        Decimal("900000"),
        Decimal("500000"),
    )
    assert first.remaining == Decimal("-100000")
    assert first.over_budget is True
    assert (second.reported, second.accepted, second.over_budget) == (
        Decimal("100000"),
        Decimal("100000"),
        False,
    )
    assert page.reported == Decimal("1000000")
    assert page.accepted == Decimal("600000")
    assert page.pending_expenses == 1
    assert page.over_award is False
    assert page.can_manage and not page.can_report


def test_the_page_flags_overdue_items_and_payable_payments():
    world = funded_world()
    award = world.award
    milestone = services.milestone_create(
        actor=world.grantee_rep, award=award, title="Taller", due_on=TODAY()
    )
    type(award).objects.filter(pk=award.pk).update(
        awarded_on=TODAY() - datetime.timedelta(days=200),
        final_report_due_on=TODAY() - datetime.timedelta(days=1),
    )
    award.refresh_from_db()
    tomorrow = TODAY() + datetime.timedelta(days=1)
    page = award_page(award, world.coordinator, tomorrow)
    assert [row.overdue for row in page.milestones] == [True]
    assert page.final_report_overdue is True
    signing, last = page.payments
    assert (signing.payable, signing.overdue, signing.state) == (True, True, "overdue")
    assert (last.payable, last.state) == (False, "waiting")
    assert page.overdue_count == 3
    grantee_page = award_page(award, world.grantee_rep, tomorrow)
    assert grantee_page.overdue_count == 2  # payments are the coordination's to make
    services.milestone_reach(actor=world.grantee_rep, milestone=milestone, note="Hecho")
    assert award_page(award, world.grantee_rep, tomorrow).overdue_milestones == 0


def test_the_dashboard_adds_up_and_sorts():
    world = funded_world(amounts=("1000000", "3000000", "2000000"))
    first_payment = world.award.disbursements.order_by("position").first()
    services.disbursement_mark_paid(actor=world.coordinator, disbursement=first_payment)
    line = world.applications[0].budget_lines.first()
    _expense(world, line, "200000", accept=True)
    _expense(world, line, "50000")
    dashboard = awards_dashboard(world.call, TODAY(), "amount", descending=True)
    assert [r.amount for r in dashboard.rows] == [
        Decimal("3000000"),
        Decimal("2000000"),
        Decimal("1000000"),
    ]
    row = dashboard.rows[-1]
    assert (row.disbursed, row.reported, row.accepted, row.pending_expenses) == (
        Decimal("700000"),
        Decimal("250000"),
        Decimal("200000"),
        1,
    )
    assert dashboard.totals["amount"] == "$6,000,000"
    assert dashboard.totals["disbursed"] == "$700,000"
    # Signing payments are due on the award's day: overdue from the next day on.
    later = awards_dashboard(world.call, TODAY() + datetime.timedelta(days=1), "overdue", True)
    assert [r.payments_due for r in later.rows] == [1, 1, 0]
    assert later.overdue_awards == 2
    assert awards_dashboard(world.call, TODAY(), "bogus").sort == "reference"


def test_the_panel_shows_visitors_only_published_awards():
    world = funded_world()
    ApplicationFactory(call=world.call, applicant=world.grantee, title="Otra idea del barrio")
    request = RequestFactory().get("/")
    request.user = UserFactory()
    assert actor_funds_panel(request, world.grantee) is None  # results not published yet
    _publish(world.call)
    html = actor_funds_panel(request, world.grantee)
    assert world.applications[0].title in html
    assert "Otra idea del barrio" not in html
    assert "/funds/awards/" not in html  # visitors do not get a link to the follow-up
    request.user = world.grantee_rep
    html = actor_funds_panel(request, world.grantee)
    assert "Otra idea del barrio" in html
    assert f"/funds/awards/{world.award.pk}/" in html
    # The partner's profile shows the grant it takes part in.
    request.user = coordinator_of(world.program)
    html = actor_funds_panel(request, world.partner)
    assert world.applications[0].title in html and "as a partner" in html


def test_the_panel_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    world = funded_world(amounts=("1000000",) * 6)
    for application in world.applications[1:]:
        application.applicant = world.grantee
        application.save()
    _publish(world.call)
    request = RequestFactory().get("/")
    request.user = representative_of(world.grantee)
    with django_assert_max_num_queries(4):
        html = actor_funds_panel(request, world.grantee)
    assert html.count("/funds/awards/") == 6


def _text(story):
    parts = []
    for flowable in story:
        if hasattr(flowable, "getPlainText"):
            parts.append(flowable.getPlainText())
        for row in getattr(flowable, "_cellvalues", []):
            for cell in row:
                items = cell if isinstance(cell, list) else [cell]
                parts += [c.getPlainText() for c in items if hasattr(c, "getPlainText")]
        for inner in getattr(flowable, "_content", []):
            parts.append(_text([inner]))
    return "\n".join(parts)


def test_the_award_letter_says_who_what_how_much_and_when():
    world = funded_world()
    award = services.award_for_letter(world.award.pk)
    services.milestone_create(
        actor=world.grantee_rep,
        award=award,
        title="Mural inaugurado",
        due_on=TODAY() + datetime.timedelta(days=30),
    )
    award = services.award_for_letter(world.award.pk)
    text = _text(letter_story(award, list(award.disbursements.all()), list(award.milestones.all())))
    application = world.applications[0]
    for expected in (
        world.program.name,
        world.call.title,
        "Award letter",
        award.identifier,
        f"To {application.applicant.name}:",
        application.title,
        "$1,234,567",
        "$864,197",
        "$370,370",
        "When the final report is accepted",
        "Fundación Barrios",
        "Centro Cultural Esperanza",
        "Mural inaugurado",
        "Final report",
        "Name, signature and date",
    ):
        assert expected in text, expected
    pdf = services.letter_pdf_for(award)
    assert pdf.startswith(b"%PDF")
