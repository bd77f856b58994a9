"""The award pages: who may open and do what (the permission matrix), the forms with their
refusals, the htmx sections, the PDF and the receipts, and the dashboard's queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.funds.awards import services
from tejido.funds.awards.selectors import CONDITION_FINAL_REPORT, CONDITION_SIGNING
from tejido.funds.models import Conflict, ConflictSource, ExpenseStatus, Milestone

from .factories import ApplicationFactory, AssignmentFactory, representative_of, reviewer_of
from .factories_awards import PNG_BYTES, funded_world, receipt, run_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _people(world):
    """Everyone of the matrix, by name."""
    assigned = reviewer_of(world.call)
    AssignmentFactory(application=world.applications[0], reviewer=assigned)
    conflicted = reviewer_of(world.call)
    AssignmentFactory(application=world.applications[0], reviewer=conflicted)
    Conflict.objects.create(
        reviewer=conflicted, application=world.applications[0], source=ConflictSource.TIE
    )
    return {
        "anonymous": None,
        "unrelated": UserFactory(),
        "other_rep": representative_of(ActorFactory(program=world.program)),
        "applicant_rep": world.grantee_rep,
        "partner_rep": world.partner_rep,
        "reviewer": assigned.user,
        "conflicted_reviewer": conflicted.user,
        "coordinator": world.coordinator,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def _world_with_things():
    world = funded_world()
    award = world.award
    milestone = services.milestone_create(
        actor=world.grantee_rep,
        award=award,
        title="Mural pintado",
        due_on=TODAY() + datetime.timedelta(days=20),
    )
    expense = services.expense_report(
        actor=world.grantee_rep,
        award=award,
        budget_line=world.applications[0].budget_lines.first(),
        spent_on=TODAY(),
        amount="100000",
        description="Pintura",
        receipt=receipt(),
    )
    return world, milestone, expense


VIEW = {
    "anonymous": 302,
    "unrelated": 404,
    "other_rep": 404,
    "applicant_rep": 200,
    "partner_rep": 200,
    "reviewer": 404,
    "conflicted_reviewer": 404,
    "coordinator": 200,
    "superuser": 200,
}
MANAGE = {**VIEW, "applicant_rep": 403, "partner_rep": 403}
# A superuser may do anything, also for the grantee.
REPORT = {**VIEW, "partner_rep": 403, "coordinator": 403}
DASHBOARD = {
    **dict.fromkeys(VIEW, 403),
    "anonymous": 302,
    "coordinator": 200,
    "superuser": 200,
}


def _urls(world, milestone, expense):
    slug, pk = world.program.slug, world.award.pk
    payment = world.award.disbursements.get(condition=CONDITION_SIGNING).pk
    return [
        ("award", [slug, pk], VIEW),
        ("award_letter", [slug, pk], VIEW),
        ("award_receipt", [slug, pk, expense.pk], VIEW),
        ("award_dates", [slug, pk], MANAGE),
        ("award_schedule", [slug, pk], MANAGE),
        ("disbursement_paid", [slug, pk, payment], MANAGE),
        ("expense_review", [slug, pk, expense.pk], MANAGE),
        ("milestone_add", [slug, pk], REPORT),
        ("milestone_edit", [slug, pk, milestone.pk], REPORT),
        ("milestone_reach", [slug, pk, milestone.pk], REPORT),
        ("expense_add", [slug, pk], REPORT),
        ("final_report", [slug, pk], REPORT),
        ("awards_dashboard", [slug, world.call.pk], DASHBOARD),
    ]


def test_permission_matrix_of_every_page(client):
    world, milestone, expense = _world_with_things()
    people = _people(world)
    failures = []
    for name, args, expected in _urls(world, milestone, expense):
        url = reverse(f"funds:{name}", args=args)
        for who, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            status = client.get(url).status_code
            if status != expected[who]:
                failures.append(f"{name} as {who}: {status}, expected {expected[who]}")
    assert failures == []


def test_permission_matrix_of_the_actions(client):
    """POST-only actions refuse everyone but their users, and change nothing when refused."""
    world, milestone, _expense = _world_with_things()
    people = _people(world)
    slug, pk = world.program.slug, world.award.pk
    actions = [
        ("milestone_remove", [slug, pk, milestone.pk], REPORT, 302),
        ("final_report_accept", [slug, pk], MANAGE, 302),
    ]
    failures = []
    for name, args, expected, success in actions:
        url = reverse(f"funds:{name}", args=args)
        for who, user in people.items():
            if expected[who] == 200:
                continue  # tried below, once
            client.logout()
            if user is not None:
                client.force_login(user)
            status = client.post(url).status_code
            if status != expected[who]:
                failures.append(f"{name} as {who}: {status}, expected {expected[who]}")
        assert success
    assert failures == []
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    client.force_login(world.grantee_rep)
    assert (
        client.post(reverse("funds:milestone_remove", args=[slug, pk, milestone.pk])).status_code
        == 302
    )
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_private_programs_award_does_not_exist_for_strangers(client):
    world = funded_world()
    world.program.is_public = False
    world.program.save()
    url = reverse("funds:award", args=[world.program.slug, world.award.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(world.grantee_rep)
    assert client.get(url).status_code == 200


def test_an_award_of_another_program_is_not_found(client):
    world = funded_world()
    other = funded_world()
    client.force_login(world.coordinator)
    url = reverse("funds:award", args=[world.program.slug, other.award.pk])
    assert client.get(url).status_code == 404


def test_the_award_page_shows_the_follow_up(client):
    world, _milestone, _expense = _world_with_things()
    client.force_login(world.coordinator)
    page = client.get(reverse("funds:award", args=[world.program.slug, world.award.pk]))
    html = page.content.decode()
    assert world.applications[0].title in html
    assert "$1,234,567" in html and "$864,197" in html and "$370,370" in html
    assert "When the final report is accepted" in html
    assert "Mural pintado" in html
    assert "Pintura" in html and "Waiting for review" in html
    assert "Mark paid today" in html
    assert "Accept" in html and "Reject" in html
    assert world.award.identifier in html


def test_the_partner_reads_without_buttons(client):
    world, _milestone, _expense = _world_with_things()
    client.force_login(world.partner_rep)
    html = client.get(reverse("funds:award", args=[world.program.slug, world.award.pk])).content
    text = html.decode()
    assert "Mural pintado" in text
    assert "Mark as reached" not in text
    assert "Report an expense" not in text
    assert "Mark paid today" not in text
    assert "partner of the project" in text


def test_marking_a_payment_paid_with_htmx_swaps_the_section(client):
    world = funded_world()
    client.force_login(world.coordinator)
    payment = world.award.disbursements.get(condition=CONDITION_SIGNING)
    url = reverse("funds:disbursement_paid", args=[world.program.slug, world.award.pk, payment.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card award-section" id="payments"')
    assert "Payment recorded as made." in html
    payment.refresh_from_db()
    assert payment.paid_on == TODAY()
    again = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "already recorded as paid" in again


def test_marking_a_payment_paid_on_another_date_without_javascript(client):
    world = funded_world()
    client.force_login(world.coordinator)
    payment = world.award.disbursements.get(condition=CONDITION_SIGNING)
    url = reverse("funds:disbursement_paid", args=[world.program.slug, world.award.pk, payment.pk])
    assert client.get(url).status_code == 200
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    refused = client.post(url, {"paid_on": tomorrow})
    assert refused.status_code == 400
    assert "cannot be recorded in the future" in refused.content.decode()
    done = client.post(url, {"paid_on": TODAY().isoformat()})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.paid_on == TODAY()


def test_the_schedule_editor_refuses_a_total_that_does_not_add_up(client):
    world = funded_world()
    client.force_login(world.coordinator)
    award = world.award
    url = reverse("funds:award_schedule", args=[world.program.slug, award.pk])
    assert client.get(url).status_code == 200
    payments = list(award.disbursements.order_by("position"))
    data = {
        "payments-TOTAL_FORMS": "3",
        "payments-INITIAL_FORMS": "2",
        "payments-MIN_NUM_FORMS": "0",
        "payments-MAX_NUM_FORMS": "24",
    }
    for i, p in enumerate(payments):
        data |= {
            f"payments-{i}-id": str(p.pk),
            f"payments-{i}-due_on": p.due_on.isoformat(),
            f"payments-{i}-amount": str(int(p.amount)),
            f"payments-{i}-condition": p.condition,
        }
    data |= {
        "payments-2-due_on": (TODAY() + datetime.timedelta(days=60)).isoformat(),
        "payments-2-amount": "100000",
        "payments-2-condition": "date",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "too many" in response.content.decode()
    assert award.disbursements.count() == 2
    data["payments-0-amount"] = "764197"
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(d.amount for d in award.disbursements.all()) == [
        Decimal("100000"),
        Decimal("370370"),
        Decimal("764197"),
    ]
    # A row whose fields are half filled is refused at the row.
    data |= {"payments-2-amount": "", "payments-2-id": ""}
    data["payments-TOTAL_FORMS"] = "3"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Enter the amount." in response.content.decode()


def test_reporting_an_expense_through_the_form(client):
    world = funded_world()
    client.force_login(world.grantee_rep)
    url = reverse("funds:expense_add", args=[world.program.slug, world.award.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    line = world.applications[0].budget_lines.first()
    wrong = client.post(
        url,
        {
            "budget_line": line.pk,
            "spent_on": TODAY().isoformat(),
            "amount": "1.000.000",
            "description": "Arriendo de toldo",
            "receipt": receipt("boleta.txt", b"hola"),
        },
    )
    assert wrong.status_code == 400
    assert "is not a type we accept" in wrong.content.decode()
    right = client.post(
        url,
        {
            "budget_line": line.pk,
            "spent_on": TODAY().isoformat(),
            "amount": "1.000.000",
            "description": "Arriendo de toldo",
            "receipt": receipt("boleta.png", PNG_BYTES),
        },
    )
    assert right.status_code == 302
    expense = world.award.expenses.get()
    assert expense.amount == Decimal("1000000")
    # 1 000 000 on a line of 800 000: flagged on the page.
    html = client.get(reverse("funds:award", args=[world.program.slug, world.award.pk])).content
    assert "Over budget by $200,000" in html.decode()


def test_reviewing_an_expense_with_htmx_and_a_rejection_needs_a_note(client):
    world, _milestone, expense = _world_with_things()
    client.force_login(world.coordinator)
    url = reverse("funds:expense_review", args=[world.program.slug, world.award.pk, expense.pk])
    refused = client.post(url, {"decision": "reject", "note": ""}, headers={"HX-Request": "true"})
    assert "Say why the expense is rejected." in refused.content.decode()
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SUBMITTED
    done = client.post(
        url, {"decision": "reject", "note": "Boleta ilegible"}, headers={"HX-Request": "true"}
    )
    assert 'id="expenses"' in done.content.decode()
    expense.refresh_from_db()
    assert (expense.status, expense.review_note) == (ExpenseStatus.REJECTED, "Boleta ilegible")


def test_the_receipt_is_downloaded_as_an_attachment(client):
    world, _milestone, expense = _world_with_things()
    client.force_login(world.partner_rep)
    response = client.get(
        reverse("funds:award_receipt", args=[world.program.slug, world.award.pk, expense.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_award_letter_is_a_pdf(client):
    world = funded_world()
    client.force_login(world.grantee_rep)
    response = client.get(reverse("funds:award_letter", args=[world.program.slug, world.award.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_grantee_writes_milestones_and_the_final_report_through_the_forms(client):
    world = funded_world()
    client.force_login(world.grantee_rep)
    slug, pk = world.program.slug, world.award.pk
    due = (TODAY() + datetime.timedelta(days=30)).isoformat()
    assert (
        client.post(
            reverse("funds:milestone_add", args=[slug, pk]), {"title": "", "due_on": due}
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("funds:milestone_add", args=[slug, pk]), {"title": "Taller", "due_on": due}
        ).status_code
        == 302
    )
    milestone = world.award.milestones.get()
    reach = reverse("funds:milestone_reach", args=[slug, pk, milestone.pk])
    assert (
        client.post(
            reach, {"done_on": TODAY().isoformat(), "note": "Vinieron 30 personas"}
        ).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY()
    report = reverse("funds:final_report", args=[slug, pk])
    assert client.get(report).status_code == 200
    response = client.post(
        report,
        {
            "summary": "Se recuperó la plaza.",
            "results": "",
            "beneficiaries_women": "40",
            "beneficiaries_men": "30",
            "beneficiaries_other": "0",
        },
    )
    assert response.status_code == 302
    assert world.award.final_report.beneficiaries_women == 40


def test_accepting_the_final_report_completes_the_award(client):
    world = funded_world()
    services.final_report_submit(
        actor=world.grantee_rep, award=world.award, summary="Hecho", beneficiaries_men=3
    )
    client.force_login(world.coordinator)
    response = client.post(
        reverse("funds:final_report_accept", args=[world.program.slug, world.award.pk]),
        follow=True,
    )
    assert "The award is completed" in response.content.decode()
    world.award.refresh_from_db()
    assert world.award.status == "completed"
    last = world.award.disbursements.get(condition=CONDITION_FINAL_REPORT)
    assert last.due_on == TODAY()


def test_the_dashboard_lists_every_award_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    world = funded_world(amounts=("1000000", "2000000", "1500000"))
    client.force_login(world.coordinator)
    url = reverse("funds:awards_dashboard", args=[world.program.slug, world.call.pk])
    client.get(url)  # warm the session and the user's roles
    with django_assert_max_num_queries(12) as small:
        first = client.get(url)
    assert first.status_code == 200
    # Many more awards, with milestones and expenses: the same number of queries.
    more = [ApplicationFactory(call=world.call) for _ in range(12)]
    run = run_for(world.call, dict.fromkeys(more, "1000000"))
    awards = services.awards_create(actor=world.coordinator, call=world.call, run=run)
    for award in awards:
        services.milestone_create(
            actor=representative_of(award.application.applicant),
            award=award,
            title="Hito",
            due_on=TODAY(),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = client.get(url)
    assert second.status_code == 200
    html = second.content.decode()
    assert html.count('class="award-progress"') == 15
    assert "$16,500,000" in html  # the totals row


def test_the_dashboard_sorts_by_a_column(client):
    world = funded_world(amounts=("1000000", "3000000", "2000000"))
    client.force_login(world.coordinator)
    url = reverse("funds:awards_dashboard", args=[world.program.slug, world.call.pk])
    html = client.get(url + "?sort=-amount").content.decode()
    positions = [html.index(a.title) for a in world.applications]
    assert positions[1] < positions[2] < positions[0]
    html = client.get(url + "?sort=amount").content.decode()
    positions = [html.index(a.title) for a in world.applications]
    assert positions[0] < positions[2] < positions[1]
    assert client.get(url + "?sort=nonsense").status_code == 200


def test_the_award_page_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world, _milestone, _expense = _world_with_things()
    client.force_login(world.grantee_rep)
    url = reverse("funds:award", args=[world.program.slug, world.award.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    line = world.applications[0].budget_lines.first()
    for day in range(6):
        services.milestone_create(
            actor=world.grantee_rep,
            award=world.award,
            title=f"Hito {day}",
            due_on=TODAY() + datetime.timedelta(days=day),
        )
        services.expense_report(
            actor=world.grantee_rep,
            award=world.award,
            budget_line=line,
            spent_on=TODAY(),
            amount="1000",
            description=f"Gasto {day}",
            receipt=receipt(),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
