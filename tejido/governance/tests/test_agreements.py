# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The agreements register: numbering per body, follow-up notes and status changes."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.governance.meetings import services
from tejido.governance.models import Agreement, AgreementNote, AgreementStatus, Body
from tejido.governance.tests.factories import MeetingFactory, PollFactory
from tejido.governance.tests.test_meetings import make_world, schedule

TEXT = "Solicitar al municipio la reposición de luminarias en la plaza Los Aromos."


@pytest.mark.django_db
def test_agreements_are_numbered_per_body():
    world = make_world()
    other = make_world()
    numbers = [
        services.agreement_create(user=world.coordinator, body=world.body, text=TEXT).number
        for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    assert services.agreement_create(user=other.coordinator, body=other.body, text=TEXT).number == 1


@pytest.mark.django_db
def test_agreement_with_meeting_responsible_due_and_poll():
    world = make_world()
    meeting = schedule(world, days=-2)
    poll = PollFactory(body=world.body)
    junta, cesfam = (m.organization for m in world.mandates[:2])
    due = timezone.localdate() + datetime.timedelta(days=30)
    agreement = services.agreement_create(
        user=world.coordinator,
        body=world.body,
        text=f"  {TEXT} ",
        meeting=meeting,
        responsible=[junta, cesfam, junta],
        due_on=due,
        poll=poll,
    )
    assert agreement.text == TEXT and agreement.meeting == meeting and agreement.poll == poll
    assert set(agreement.responsible.all()) == {junta, cesfam}
    assert agreement.status == AgreementStatus.OPEN and agreement.due_on == due


@pytest.mark.django_db
@pytest.mark.parametrize("problem", ["text", "meeting", "due_on", "responsible", "person", "poll"])
def test_agreement_refusals_write_nothing(problem):
    world = make_world()
    meeting = schedule(world, days=-2)
    values = {"text": TEXT, "meeting": meeting}
    if problem == "text":
        values["text"] = "   "
    elif problem == "meeting":
        values["meeting"] = MeetingFactory()
    elif problem == "due_on":
        values["due_on"] = services.meeting_day(meeting) - datetime.timedelta(days=1)
    elif problem == "responsible":
        values["responsible"] = [ActorFactory()]
    elif problem == "person":
        values["responsible"] = [PersonFactory(program=world.program)]
    else:
        values["poll"] = PollFactory()
    with pytest.raises(ValidationError) as error:
        services.agreement_create(user=world.coordinator, body=world.body, **values)
    field = "responsible" if problem == "person" else problem
    assert field in error.value.message_dict
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_only_coordinators_record_agreements():
    world = make_world()
    with pytest.raises(PermissionDenied):
        services.agreement_create(user=world.mandates[0].holder_user, body=world.body, text=TEXT)
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_notes_change_status_and_date_the_closing():
    world = make_world()
    agreement = services.agreement_create(user=world.coordinator, body=world.body, text=TEXT)
    meeting = schedule(world, days=-3)
    holder = world.mandates[0].holder_user
    note = services.agreement_note_add(
        user=holder, agreement=agreement, text="Se envió el oficio.", new_status="in_progress"
    )
    agreement.refresh_from_db()
    assert note.author == holder and agreement.status == AgreementStatus.IN_PROGRESS
    assert agreement.closed_on is None

    services.agreement_note_add(
        user=world.coordinator,
        agreement=agreement,
        text="El municipio instaló las luminarias.",
        new_status="done",
        meeting=meeting,
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert agreement.closed_on == services.meeting_day(meeting)

    services.agreement_note_add(
        user=world.coordinator, agreement=agreement, text="Se reabre: falta una.", new_status="open"
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN and agreement.closed_on is None

    same = services.agreement_note_add(
        user=world.coordinator, agreement=agreement, text="Sigue abierto.", new_status="open"
    )
    assert same.new_status == ""
    cancelled = services.agreement_note_add(
        user=world.coordinator, agreement=agreement, text="Ya no aplica.", new_status="cancelled"
    )
    agreement.refresh_from_db()
    assert cancelled.new_status == "cancelled" and agreement.closed_on == timezone.localdate()
    assert agreement.notes.count() == 5


@pytest.mark.django_db
def test_note_refusals():
    world = make_world()
    agreement = services.agreement_create(user=world.coordinator, body=world.body, text=TEXT)
    for values in (
        {"text": "  "},
        {"text": "Avance", "new_status": "finished"},
        {"text": "Avance", "meeting": MeetingFactory()},
    ):
        with pytest.raises(ValidationError):
            services.agreement_note_add(user=world.coordinator, agreement=agreement, **values)
    member = UserFactory()
    ProgramRoleFactory(user=member, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE)
    for outsider in (member, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.agreement_note_add(user=outsider, agreement=agreement, text="Avance")
    assert not AgreementNote.objects.exists()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
)
def test_agreements_created_at_the_same_moment_get_different_numbers():
    world = make_world()
    start = threading.Barrier(4)
    results: list[object] = [None] * 4

    def create(index: int) -> None:
        try:
            start.wait()
            results[index] = services.agreement_create(
                user=world.coordinator,
                body=Body.objects.get(pk=world.body.pk),
                text=f"{TEXT} ({index})",
            ).number
        except BaseException as error:  # reported to the test thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [1, 2, 3, 4]
