# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Races around an award: two coordinators recording the same payment, a schedule changed
while a payment is recorded, the decision's awards created twice at once, the final report
accepted twice. Needs a database that two connections can share: PostgreSQL (the in-memory
SQLite of the default run cannot)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tejido.core.models import AuditEntry
from tejido.funds.awards import services
from tejido.funds.awards.selectors import CONDITION_SIGNING
from tejido.funds.models import Award, Call, Disbursement, FinalReport

from .factories_awards import funded_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def in_thread(target: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def race(*targets: Callable[[], Any]) -> list[BaseException]:
    start = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(target: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            start.wait()
            return target()

        return run

    threads = [in_thread(wrap(t), errors) for t in targets]
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_coordinators_recording_the_same_payment_record_it_once():
    world = funded_world()
    payment_id = world.award.disbursements.get(condition=CONDITION_SIGNING).pk

    def pay() -> None:
        services.disbursement_mark_paid(
            actor=world.coordinator, disbursement=Disbursement.objects.get(pk=payment_id)
        )

    errors = race(pay, pay)
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].code == "already_paid"
    assert AuditEntry.objects.filter(action="funds.disbursement.paid").count() == 1


def test_a_schedule_changed_while_a_payment_is_recorded_keeps_adding_up():
    world = funded_world()
    award = world.award
    payment_id = award.disbursements.get(condition=CONDITION_SIGNING).pk
    rows = [
        {"id": d.pk, "due_on": d.due_on, "amount": d.amount, "condition": d.condition}
        for d in award.disbursements.order_by("position")
    ]
    rows[0]["amount"] = Decimal("600000")
    rows[1]["amount"] = award.amount - Decimal("600000")

    def pay() -> None:
        services.disbursement_mark_paid(
            actor=world.coordinator, disbursement=Disbursement.objects.get(pk=payment_id)
        )

    def reschedule() -> None:
        services.disbursements_replace(
            actor=world.coordinator, award=Award.objects.get(pk=award.pk), rows=rows
        )

    errors = race(pay, reschedule)
    payments = list(Disbursement.objects.filter(award=award))
    assert sum(p.amount for p in payments) == award.amount
    paid = Disbursement.objects.get(pk=payment_id)
    assert paid.paid_on is not None
    if errors:  # the payment was recorded first: its amount could no longer change
        assert len(errors) == 1 and "already paid" in " ".join(errors[0].messages)
        assert paid.amount == Decimal("864197")
    else:  # the schedule changed first, then the new amount was paid
        assert paid.amount == Decimal("600000")


def test_the_decisions_awards_are_created_once():
    world = funded_world(create=False)
    call_id, run = world.call.pk, world.run

    def award() -> None:
        services.awards_create(actor=world.coordinator, call=Call.objects.get(pk=call_id), run=run)

    errors = race(award, award)
    assert len(errors) == 1
    assert "already have awards" in " ".join(errors[0].messages)
    assert Award.objects.count() == 2
    assert Disbursement.objects.count() == 4


def test_the_final_report_is_accepted_once():
    world = funded_world()
    services.final_report_submit(
        actor=world.grantee_rep, award=world.award, summary="Hecho", beneficiaries_men=4
    )
    award_id = world.award.pk

    def accept() -> None:
        services.final_report_accept(actor=world.coordinator, award=Award.objects.get(pk=award_id))

    errors = race(accept, accept)
    assert len(errors) == 1
    assert errors[0].code == "accepted"
    assert FinalReport.objects.get(award_id=award_id).accepted_at is not None
    assert AuditEntry.objects.filter(action="funds.final_report.accept").count() == 1
