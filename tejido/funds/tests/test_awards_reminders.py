"""Reminders of overdue follow-up: who gets what, in their language, and never twice a day."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tejido.core.models import AuditEntry
from tejido.funds.awards import services
from tejido.funds.awards.reminders import ACTION, send_reminders
from tejido.funds.awards.selectors import CONDITION_SIGNING
from tejido.funds.models import Award

from .factories_awards import funded_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _overdue_world():
    """An award a month and a half old with one milestone overdue, one reached, and a final
    report already due; the other award has nothing overdue."""
    world = funded_world()
    award = world.award
    Award.objects.filter(pk=award.pk).update(
        awarded_on=TODAY() - datetime.timedelta(days=45),
        starts_on=TODAY() - datetime.timedelta(days=45),
        ends_on=TODAY() - datetime.timedelta(days=40),
        final_report_due_on=TODAY() - datetime.timedelta(days=2),
    )
    award.refresh_from_db()
    late = services.milestone_create(
        actor=world.grantee_rep,
        award=award,
        title="Mural pintado",
        due_on=TODAY() - datetime.timedelta(days=10),
    )
    done = services.milestone_create(
        actor=world.grantee_rep,
        award=award,
        title="Lanzamiento",
        due_on=TODAY() - datetime.timedelta(days=30),
    )
    services.milestone_reach(
        actor=world.grantee_rep,
        milestone=done,
        done_on=TODAY() - datetime.timedelta(days=29),
        note="Hecho",
    )
    return world, late


def test_the_grantee_is_reminded_of_overdue_milestones_and_the_final_report(
    django_capture_on_commit_callbacks,
):
    world, late = _overdue_world()
    for user in (world.grantee_rep, world.coordinator):
        user.preferred_language = "en"
        user.save()
    # Signing payments of both awards are due: the coordinator is reminded too.
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders(today=TODAY())
    to_grantee = [m for m in mail.outbox if m.to == [world.grantee_rep.email]]
    to_coordinator = [m for m in mail.outbox if m.to == [world.coordinator.email]]
    assert sent == len(mail.outbox) == 2
    body = to_grantee[0].body
    assert "Mural pintado" in body
    assert "Lanzamiento" not in body
    assert "final report" in body
    assert world.applications[0].title in to_grantee[0].subject
    payments = to_coordinator[0].body
    assert "$864,197" in payments and "$1,400,000" in payments
    assert "2 grant payments are due" in to_coordinator[0].subject
    entries = AuditEntry.objects.filter(action=ACTION)
    grantee_entry = entries.get(data__to="grantee")
    assert sorted(grantee_entry.data["items"]) == sorted(
        [f"milestone:{late.pk}", f"final_report:{world.award.pk}"]
    )
    assert grantee_entry.data["day"] == TODAY().isoformat()


def test_reminders_are_sent_once_a_day(django_capture_on_commit_callbacks):
    _overdue_world()
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(today=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(today=TODAY())
    assert first == 2
    assert second == 0
    assert len(mail.outbox) == 2
    # The next day, what is still overdue is reminded again.
    with django_capture_on_commit_callbacks(execute=True):
        third = send_reminders(today=TODAY() + datetime.timedelta(days=1))
    assert third == 2


def test_a_new_overdue_item_the_same_day_is_still_reminded(django_capture_on_commit_callbacks):
    world, _late = _overdue_world()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=TODAY())
    mail.outbox.clear()
    newly = services.milestone_create(
        actor=world.grantee_rep,
        award=world.award,
        title="Taller de reciclaje",
        due_on=TODAY() - datetime.timedelta(days=3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY()) == 1
    body = mail.outbox[0].body
    assert "Taller de reciclaje" in body
    assert "Mural pintado" not in body
    assert AuditEntry.objects.filter(action=ACTION, data__items=[f"milestone:{newly.pk}"]).exists()


def test_nothing_overdue_sends_nothing(django_capture_on_commit_callbacks):
    world = funded_world()
    for award in world.awards:
        payment = award.disbursements.get(condition=CONDITION_SIGNING)
        services.disbursement_mark_paid(actor=world.coordinator, disbursement=payment)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY() + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def test_a_payment_waiting_for_the_final_report_is_not_reminded_before_it_is_accepted(
    django_capture_on_commit_callbacks,
):
    world = funded_world(amounts=("1000000",))
    award = world.award
    services.disbursement_mark_paid(
        actor=world.coordinator, disbursement=award.disbursements.get(condition=CONDITION_SIGNING)
    )
    far = award.final_report_due_on + datetime.timedelta(days=1)
    services.final_report_submit(
        actor=world.grantee_rep, award=award, summary="Hecho", beneficiaries_women=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=far) == 0
    services.final_report_accept(actor=world.coordinator, award=award)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY() + datetime.timedelta(days=1)) == 1
    assert mail.outbox[0].to == [world.coordinator.email]


def test_reminders_follow_each_recipients_language(django_capture_on_commit_callbacks):
    world, _late = _overdue_world()
    world.grantee_rep.preferred_language = "es"
    world.grantee_rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=TODAY())
    body = next(m for m in mail.outbox if m.to == [world.grantee_rep.email]).body
    month = [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ][(TODAY() - datetime.timedelta(days=10)).month - 1]  # fmt: skip
    assert month in body
