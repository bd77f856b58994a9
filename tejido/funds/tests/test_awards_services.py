"""Creating the awards from an allocation run, and every write of their follow-up."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.funds.awards import services
from tejido.funds.awards.selectors import CONDITION_DATE, CONDITION_FINAL_REPORT, CONDITION_SIGNING
from tejido.funds.models import (
    Award,
    AwardStatus,
    Disbursement,
    ExpenseReport,
    ExpenseStatus,
    FinalReport,
)
from tejido.governance.plans.money import money
from tejido.network.models import Provenance, Tie, TieType
from tejido.network.tests.factories import TieFactory

from .factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, coordinator_of
from .factories_awards import PNG_BYTES, funded_world, receipt, run_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# -- awards_create ----------------------------------------------------------------------------


def test_awards_create_makes_one_award_per_funded_application_with_the_runs_amount():
    world = funded_world(create=False)
    first, second = world.applications
    loser = ApplicationFactory(call=world.call, requested_amount=Decimal("900000"))
    run = run_for(
        world.call,
        {first: "1234567", second: "1500000"},
        others={loser: "no_budget"},
    )
    run.outcome["applications"][str(second.pk)]["outcome"] = "partial"
    run.save()
    awards = services.awards_create(actor=world.coordinator, call=world.call, run=run)
    assert [a.application_id for a in awards] == [first.pk, second.pk]
    assert [a.amount for a in awards] == [Decimal("1234567"), Decimal("1500000")]
    assert not Award.objects.filter(application=loser).exists()
    award = Award.objects.get(application=first)
    today = TODAY()
    assert award.awarded_on == today
    assert award.run == run
    assert award.status == AwardStatus.ACTIVE
    assert award.identifier == f"360G-tejido-{world.program.slug}-{first.reference}"
    assert award.starts_on == today
    assert award.ends_on > award.starts_on
    assert award.final_report_due_on == award.ends_on + datetime.timedelta(days=30)
    entry = AuditEntry.objects.get(action="funds.award.create", target_id=str(award.pk))
    assert entry.user == world.coordinator
    assert entry.data["amount"] == "1234567.00"


def test_the_default_schedule_is_70_percent_on_signing_and_30_on_the_final_report():
    world = funded_world()
    award = world.award  # 1 234 567 CLP: whole pesos, adding up exactly
    payments = list(award.disbursements.order_by("position"))
    assert [(p.amount, p.condition) for p in payments] == [
        (Decimal("864197"), CONDITION_SIGNING),
        (Decimal("370370"), CONDITION_FINAL_REPORT),
    ]
    assert sum(p.amount for p in payments) == award.amount
    assert payments[0].due_on == award.awarded_on
    assert payments[1].due_on == award.final_report_due_on
    assert all(p.paid_on is None for p in payments)


def test_a_schedule_in_euros_keeps_cents():
    schedule = services.default_schedule(
        Decimal("1000.05"), "EUR", datetime.date(2026, 1, 1), datetime.date(2026, 8, 1)
    )
    assert [row["amount"] for row in schedule] == [Decimal("700.04"), Decimal("300.01")]


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert services.add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert services.add_months(datetime.date(2026, 1, 15), 6) == datetime.date(2026, 7, 15)


def test_awards_record_a_funding_tie_and_the_consortiums_collaboration_ties():
    world = funded_world(create=False)
    first = world.applications[0]
    second_partner = ActorFactory(program=world.program, name="Club Deportivo Unión")
    PartnerFactory(application=first, organization=second_partner)
    services.awards_create(actor=world.coordinator, call=world.call, run=world.run)
    funding = Tie.objects.current().get(
        tie_type=TieType.FUNDING, source=world.funder, target=world.grantee
    )
    assert funding.directed is True
    assert funding.intensity == 2
    assert funding.provenance == Provenance.FUND
    assert funding.started_on == TODAY()
    assert world.call.title in funding.note
    assert funding.recorded_by == world.coordinator
    members = {world.grantee.pk, world.partner.pk, second_partner.pk}
    collaboration = Tie.objects.current().filter(tie_type=TieType.COLLABORATION)
    pairs = {frozenset((t.source_id, t.target_id)) for t in collaboration}
    assert pairs == {
        frozenset((world.grantee.pk, world.partner.pk)),
        frozenset((world.grantee.pk, second_partner.pk)),
        frozenset((world.partner.pk, second_partner.pk)),
    }
    assert all(t.source_id in members and t.provenance == Provenance.FUND for t in collaboration)
    assert all(t.intensity == 2 and not t.directed for t in collaboration)
    # The second application, alone, gets only its funding tie.
    assert (
        Tie.objects.current()
        .filter(tie_type=TieType.FUNDING, target=world.applications[1].applicant)
        .exists()
    )


def test_an_existing_stronger_tie_keeps_its_intensity_and_a_weaker_one_is_raised():
    world = funded_world(create=False)
    strong = TieFactory(
        source=world.grantee, target=world.partner, intensity=3, trust=4, note="Vecinos de siempre"
    )
    weak = TieFactory(
        source=world.funder,
        target=world.grantee,
        tie_type=TieType.FUNDING,
        directed=True,
        intensity=1,
    )
    services.awards_create(actor=world.coordinator, call=world.call, run=world.run)
    kept = Tie.objects.current().get(pk__gt=0, source=strong.source, target=strong.target)
    assert kept.intensity == 3
    assert kept.trust == 4
    assert kept.note == "Vecinos de siempre"
    raised = Tie.objects.current().get(
        tie_type=TieType.FUNDING, source=world.funder, target=world.grantee
    )
    assert raised.intensity == 2
    assert raised.previous_id == weak.pk


def test_without_a_funder_no_funding_tie_is_recorded():
    world = funded_world(funder=False)
    assert world.awards
    assert not Tie.objects.filter(tie_type=TieType.FUNDING).exists()


def test_the_grantee_gets_the_award_letter_in_its_language_on_commit(
    django_capture_on_commit_callbacks,
):
    world = funded_world(create=False)
    world.grantee_rep.preferred_language = "es"
    world.grantee_rep.save()
    second_rep = UserFactory(preferred_language="en")
    leader = world.grantee_rep.email
    from .factories import representative_of

    representative_of(world.grantee, second_rep)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.awards_create(actor=world.coordinator, call=world.call, run=world.run)
    assert mail.outbox == []  # nothing before the decision commits
    for callback in callbacks:
        callback()
    to_grantee = [m for m in mail.outbox if m.to[0] in (leader, second_rep.email)]
    assert len(to_grantee) == 2
    english = next(m for m in to_grantee if m.to == [second_rep.email])
    spanish = next(m for m in to_grantee if m.to == [leader])
    title = world.applications[0].title
    assert title in english.subject
    assert "$1,234,567" in english.body
    # Amounts and dates follow the recipient's language.
    with translation.override("es"):
        assert money(Decimal("1234567"), "CLP") in spanish.body
    month = [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ][world.applications[0].award.final_report_due_on.month - 1]  # fmt: skip
    assert month in spanish.body
    name, content, mimetype = english.attachments[0]
    assert name.endswith(".pdf")
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    award = Award.objects.get(application=world.applications[0])
    assert award.notified_at is not None


def test_without_representatives_the_organizations_address_is_used(
    django_capture_on_commit_callbacks,
):
    world = funded_world(create=False)
    second = world.applications[1].applicant
    second.email = "contacto@junta.example.org"
    second.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.awards_create(actor=world.coordinator, call=world.call, run=world.run)
    assert any(m.to == ["contacto@junta.example.org"] for m in mail.outbox)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("what_if", "what-if"),
        ("other_call", "another call"),
        ("nothing", "nothing to award"),
        ("bad_amount", "malformed"),
        ("zero", "no money"),
    ],
)
def test_awards_create_refuses_runs_it_cannot_award(change, message):
    world = funded_world(create=False)
    first = world.applications[0]
    run = world.run
    if change == "what_if":
        run = run_for(world.call, {first: "1000000"}, what_if=True)
    elif change == "other_call":
        other = funded_world(create=False)
        run = other.run
    elif change == "nothing":
        run = run_for(world.call, {}, others={first: "below_threshold"})
    elif change == "bad_amount":
        run = run_for(world.call, {first: "un millón"})
    elif change == "zero":
        run = run_for(world.call, {first: "0"})
    with pytest.raises(ValidationError) as error:
        services.awards_create(actor=world.coordinator, call=world.call, run=run)
    assert message in " ".join(error.value.messages)
    assert not Award.objects.exists()
    assert not Tie.objects.exists()


def test_a_run_funding_an_application_of_another_call_is_refused():
    world = funded_world(create=False)
    stranger = ApplicationFactory()
    run = run_for(world.call, {stranger: "1000000"})
    with pytest.raises(ValidationError, match="not in this call"):
        services.awards_create(actor=world.coordinator, call=world.call, run=run)


def test_awarding_twice_is_refused_and_changes_nothing():
    world = funded_world()
    with pytest.raises(ValidationError, match="already have awards"):
        services.awards_create(actor=world.coordinator, call=world.call, run=world.run)
    assert Award.objects.count() == 2


def test_only_coordinators_award():
    world = funded_world(create=False)
    with pytest.raises(PermissionDenied):
        services.awards_create(actor=world.grantee_rep, call=world.call, run=world.run)
    other_coordinator = coordinator_of(ApplicationFactory().call.program)
    with pytest.raises(PermissionDenied):
        services.awards_create(actor=other_coordinator, call=world.call, run=world.run)
    assert not Award.objects.exists()


# -- dates and schedule -----------------------------------------------------------------------


def test_changing_the_dates_moves_the_payment_waiting_for_the_final_report():
    world = funded_world()
    award = world.award
    start = award.starts_on
    services.award_dates_update(
        actor=world.coordinator,
        award=award,
        starts_on=start,
        ends_on=start + datetime.timedelta(days=300),
        final_report_due_on=start + datetime.timedelta(days=330),
    )
    award.refresh_from_db()
    assert award.final_report_due_on == start + datetime.timedelta(days=330)
    last = award.disbursements.get(condition=CONDITION_FINAL_REPORT)
    assert last.due_on == award.final_report_due_on


def test_dates_out_of_order_are_refused_at_their_field():
    world = funded_world()
    award = world.award
    start = award.starts_on
    with pytest.raises(ValidationError) as error:
        services.award_dates_update(
            actor=world.coordinator,
            award=award,
            starts_on=start,
            ends_on=start - datetime.timedelta(days=1),
            final_report_due_on=start + datetime.timedelta(days=30),
        )
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.award_dates_update(
            actor=world.coordinator,
            award=award,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=60),
            final_report_due_on=start + datetime.timedelta(days=30),
        )
    assert "final_report_due_on" in error.value.message_dict


def _rows(award):
    return [
        {"id": d.pk, "due_on": d.due_on, "amount": d.amount, "condition": d.condition}
        for d in award.disbursements.order_by("position")
    ]


def test_a_schedule_must_add_up_to_the_award():
    world = funded_world()
    award = world.award
    rows = _rows(award)
    rows[0]["amount"] = Decimal("800000")
    with pytest.raises(ValidationError) as error:
        services.disbursements_replace(actor=world.coordinator, award=award, rows=rows)
    text = " ".join(error.value.messages)
    assert "$1,170,370" in text and "$1,234,567" in text and "$64,197 missing" in text
    assert [d.amount for d in award.disbursements.order_by("position")] == [
        Decimal("864197"),
        Decimal("370370"),
    ]


def test_a_schedule_of_three_payments_is_saved_in_date_order():
    world = funded_world()
    award = world.award
    rows = _rows(award)
    rows[0]["amount"] = Decimal("600000")
    middle = award.awarded_on + datetime.timedelta(days=60)
    rows.append({"id": None, "due_on": middle, "amount": "264197", "condition": CONDITION_DATE})
    saved = services.disbursements_replace(actor=world.coordinator, award=award, rows=rows)
    assert [(d.amount, d.due_on) for d in saved] == [
        (Decimal("600000"), award.awarded_on),
        (Decimal("264197"), middle),
        (Decimal("370370"), award.final_report_due_on),
    ]
    assert [d.position for d in award.disbursements.order_by("due_on")] == [0, 1, 2]
    assert AuditEntry.objects.filter(action="funds.award.schedule").count() == 1


def test_a_payment_already_made_cannot_change_or_disappear():
    world = funded_world()
    award = world.award
    first = award.disbursements.get(condition=CONDITION_SIGNING)
    services.disbursement_mark_paid(actor=world.coordinator, disbursement=first)
    rows = _rows(award)
    changed = [dict(rows[0], amount=Decimal("700000")), dict(rows[1], amount=Decimal("534567"))]
    with pytest.raises(ValidationError, match="already paid"):
        services.disbursements_replace(actor=world.coordinator, award=award, rows=changed)
    without = [dict(rows[1], amount=award.amount)]
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.disbursements_replace(actor=world.coordinator, award=award, rows=without)


def test_bad_rows_are_named_by_their_number():
    world = funded_world()
    award = world.award
    rows = _rows(award)
    rows[1]["amount"] = "-5"
    rows.append({"id": 999999, "due_on": award.awarded_on, "amount": "1", "condition": ""})
    with pytest.raises(ValidationError) as error:
        services.disbursements_replace(actor=world.coordinator, award=award, rows=rows)
    assert error.value.messages == [
        "Payment 2: enter an amount greater than zero.",
        "Payment 3 is not part of this award's schedule.",
    ]


def test_the_grantee_cannot_change_the_schedule():
    world = funded_world()
    with pytest.raises(PermissionDenied):
        services.disbursements_replace(
            actor=world.grantee_rep, award=world.award, rows=_rows(world.award)
        )


# -- payments ---------------------------------------------------------------------------------


def test_the_last_payment_waits_for_the_accepted_final_report():
    world = funded_world()
    award = world.award
    last = award.disbursements.get(condition=CONDITION_FINAL_REPORT)
    with pytest.raises(ValidationError, match="once the final report is accepted"):
        services.disbursement_mark_paid(actor=world.coordinator, disbursement=last)
    services.final_report_submit(
        actor=world.grantee_rep, award=award, summary="Hicimos la plaza.", beneficiaries_women=30
    )
    services.final_report_accept(actor=world.coordinator, award=award)
    last.refresh_from_db()
    assert last.due_on == TODAY()
    paid = services.disbursement_mark_paid(actor=world.coordinator, disbursement=last)
    assert paid.paid_on == TODAY()


def test_a_payment_is_recorded_once_and_never_in_the_future():
    world = funded_world()
    first = world.award.disbursements.get(condition=CONDITION_SIGNING)
    with pytest.raises(ValidationError) as error:
        services.disbursement_mark_paid(
            actor=world.coordinator,
            disbursement=first,
            paid_on=TODAY() + datetime.timedelta(days=1),
        )
    assert "paid_on" in error.value.message_dict
    services.disbursement_mark_paid(actor=world.coordinator, disbursement=first)
    with pytest.raises(ValidationError, match="already recorded as paid"):
        services.disbursement_mark_paid(actor=world.coordinator, disbursement=first)
    assert AuditEntry.objects.filter(action="funds.disbursement.paid").count() == 1


def test_a_dated_payment_is_payable_once_its_date_has_come():
    world = funded_world()
    award = world.award
    rows = _rows(award)
    rows[0]["amount"] = Decimal("600000")
    rows.append(
        {
            "id": None,
            "due_on": TODAY() + datetime.timedelta(days=10),
            "amount": "264197",
            "condition": CONDITION_DATE,
        }
    )
    services.disbursements_replace(actor=world.coordinator, award=award, rows=rows)
    dated = award.disbursements.get(condition=CONDITION_DATE)
    with pytest.raises(ValidationError, match="not due yet"):
        services.disbursement_mark_paid(actor=world.coordinator, disbursement=dated)


# -- milestones -------------------------------------------------------------------------------


def test_the_grantee_plans_and_reaches_milestones():
    world = funded_world()
    award = world.award
    due = TODAY() + datetime.timedelta(days=40)
    milestone = services.milestone_create(
        actor=world.grantee_rep, award=award, title="  Mural   pintado ", due_on=due
    )
    assert milestone.title == "Mural pintado"
    services.milestone_update(
        actor=world.grantee_rep,
        milestone=milestone,
        title="Mural pintado con 20 vecinos",
        due_on=due,
    )
    reached = services.milestone_reach(
        actor=world.grantee_rep, milestone=milestone, note="Se pintó el sábado con 24 vecinos."
    )
    assert reached.done_on == TODAY()
    with pytest.raises(ValidationError, match="already marked reached"):
        services.milestone_reach(actor=world.grantee_rep, milestone=milestone, note="Otra vez")
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.milestone_remove(actor=world.grantee_rep, milestone=milestone)


def test_milestone_input_is_checked_at_its_field():
    world = funded_world()
    award = world.award
    with pytest.raises(ValidationError) as error:
        services.milestone_create(actor=world.grantee_rep, award=award, title=" ", due_on=TODAY())
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.milestone_create(
            actor=world.grantee_rep,
            award=award,
            title="Después del informe",
            due_on=award.final_report_due_on + datetime.timedelta(days=1),
        )
    assert "due_on" in error.value.message_dict
    milestone = services.milestone_create(
        actor=world.grantee_rep, award=award, title="Taller", due_on=TODAY()
    )
    with pytest.raises(ValidationError) as error:
        services.milestone_reach(actor=world.grantee_rep, milestone=milestone, note="")
    assert "note" in error.value.message_dict


def test_partners_and_coordinators_do_not_report_for_the_grantee():
    world = funded_world()
    for user in (world.partner_rep, world.coordinator):
        with pytest.raises(PermissionDenied):
            services.milestone_create(actor=user, award=world.award, title="Taller", due_on=TODAY())


# -- expenses ---------------------------------------------------------------------------------


def _line(world, position=0):
    return world.applications[0].budget_lines.get(position=position)


def test_an_expense_is_reported_against_a_budget_line_with_its_receipt():
    world = funded_world()
    expense = services.expense_report(
        actor=world.grantee_rep,
        award=world.award,
        budget_line=_line(world),
        spent_on=TODAY(),
        amount="150.000",
        description="Pintura y brochas",
        receipt=receipt("boleta.png", PNG_BYTES),
    )
    assert expense.amount == Decimal("150.000")
    assert expense.status == ExpenseStatus.SUBMITTED
    assert expense.receipt_content_type == "image/png"
    assert expense.receipt_name == "boleta.png"
    assert expense.submitted_by == world.grantee_rep
    assert expense.receipt.read().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("boleta.exe", b"MZ\x90\x00", "is not a type we accept"),
        ("boleta.pdf", b"<html>no</html>", "does not look like a PDF"),
        ("boleta.docx", b"PK\x03\x04rest", "is not a type we accept"),
    ],
)
def test_a_receipt_of_the_wrong_type_is_refused_at_its_field(name, content, message):
    world = funded_world()
    with pytest.raises(ValidationError) as error:
        services.expense_report(
            actor=world.grantee_rep,
            award=world.award,
            budget_line=_line(world),
            spent_on=TODAY(),
            amount="1000",
            description="Materiales",
            receipt=receipt(name, content),
        )
    assert message in " ".join(error.value.message_dict["receipt"])
    assert not ExpenseReport.objects.exists()


def test_an_expense_on_another_applications_line_or_in_the_future_is_refused():
    world = funded_world()
    foreign = BudgetLineFactory(application=world.applications[1])
    base = {
        "actor": world.grantee_rep,
        "award": world.award,
        "amount": "1000",
        "description": "Materiales",
        "receipt": receipt(),
    }
    with pytest.raises(ValidationError) as error:
        services.expense_report(budget_line=foreign, spent_on=TODAY(), **base)
    assert "budget_line" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.expense_report(
            budget_line=_line(world), spent_on=TODAY() + datetime.timedelta(days=1), **base
        )
    assert "spent_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.expense_report(
            budget_line=_line(world), spent_on=TODAY() - datetime.timedelta(days=1), **base
        )
    assert "started on" in error.value.message_dict["spent_on"][0]


def test_the_coordinator_accepts_or_rejects_with_a_reason():
    world = funded_world()
    expenses = [
        services.expense_report(
            actor=world.grantee_rep,
            award=world.award,
            budget_line=_line(world),
            spent_on=TODAY(),
            amount=amount,
            description="Materiales",
            receipt=receipt(),
        )
        for amount in ("1000", "2000")
    ]
    accepted = services.expense_review(actor=world.coordinator, expense=expenses[0], accept=True)
    assert accepted.status == ExpenseStatus.ACCEPTED
    assert accepted.reviewed_by == world.coordinator
    with pytest.raises(ValidationError) as error:
        services.expense_review(actor=world.coordinator, expense=expenses[1], accept=False)
    assert "note" in error.value.message_dict
    rejected = services.expense_review(
        actor=world.coordinator,
        expense=expenses[1],
        accept=False,
        note="La boleta no es legible.",
    )
    assert rejected.status == ExpenseStatus.REJECTED
    with pytest.raises(ValidationError, match="already accepted"):
        services.expense_review(
            actor=world.coordinator, expense=expenses[0], accept=False, note="x"
        )
    with pytest.raises(PermissionDenied):
        services.expense_review(actor=world.grantee_rep, expense=expenses[0], accept=True)


# -- final report -----------------------------------------------------------------------------


def test_the_final_report_can_be_rewritten_until_it_is_accepted():
    world = funded_world()
    award = world.award
    with pytest.raises(ValidationError) as error:
        services.final_report_submit(actor=world.grantee_rep, award=award, summary="Hecho.")
    assert "beneficiaries_women" in error.value.message_dict
    services.final_report_submit(
        actor=world.grantee_rep, award=award, summary="Primera versión", beneficiaries_men=10
    )
    services.final_report_submit(
        actor=world.grantee_rep,
        award=award,
        summary="Segunda versión",
        results="Plaza recuperada",
        beneficiaries_women=40,
        beneficiaries_men=35,
    )
    report = FinalReport.objects.get(award=award)
    assert (report.summary, report.beneficiaries_women) == ("Segunda versión", 40)
    services.final_report_accept(actor=world.coordinator, award=award)
    award.refresh_from_db()
    assert award.status == AwardStatus.COMPLETED
    with pytest.raises(ValidationError, match="completed"):
        services.final_report_submit(
            actor=world.grantee_rep, award=award, summary="Tercera", beneficiaries_men=1
        )
    with pytest.raises(ValidationError, match="already accepted"):
        services.final_report_accept(actor=world.coordinator, award=award)


def test_the_final_report_waits_for_pending_expenses_to_be_reviewed():
    world = funded_world()
    award = world.award
    services.expense_report(
        actor=world.grantee_rep,
        award=award,
        budget_line=_line(world),
        spent_on=TODAY(),
        amount="1000",
        description="Materiales",
        receipt=receipt(),
    )
    services.final_report_submit(
        actor=world.grantee_rep, award=award, summary="Hecho.", beneficiaries_other=3
    )
    with pytest.raises(ValidationError, match="One expense is still waiting"):
        services.final_report_accept(actor=world.coordinator, award=award)
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    assert Disbursement.objects.filter(award=award, paid_on__isnull=False).count() == 0


def test_accepting_a_report_that_was_never_submitted_is_refused():
    world = funded_world()
    with pytest.raises(ValidationError, match="not submitted"):
        services.final_report_accept(actor=world.coordinator, award=world.award)
