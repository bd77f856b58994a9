# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The demo's meetings on factory data: two years of monthly sessions, attendance, minutes
approved in the next meeting, agreements followed up, ties, and next week's meeting."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core import mail
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.dashboards.demo.governance.meetings import demo_meetings
from tejido.governance.models import (
    AgendaItemKind,
    Agreement,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from tejido.governance.tests.test_meetings import make_world
from tejido.network.models import Provenance, Tie

pytestmark = pytest.mark.django_db

SECTORS = (Sector.COMMUNITY,) * 5 + (Sector.PUBLIC,) * 2 + (Sector.PRIVATE,)


def demo_world():
    world = make_world(sectors=SECTORS, name="Directorio Local de Bajos de Mena")
    start = timezone.localdate() - datetime.timedelta(days=800)
    names = (
        "Junta de Vecinos Villa Los Aromos del Sur",
        "Club de Adulto Mayor Años Dorados",
        "Agrupación Cultural Raíces",
        "Junta de Vecinos Población El Volcán",
        "Comité de Allegados Nuevo Amanecer",
        "CESFAM Bernardo Leighton",
        "Liceo Polivalente San José",
        "Almacén y Botillería Don Lucho",
    )
    for index, (mandate, name) in enumerate(zip(world.mandates, names, strict=True)):
        mandate.organization.name = name
        mandate.organization.territory = world.body.territory
        mandate.organization.save()
        mandate.starts_on = start
        if index % 3 == 0:
            mandate.alternate = PersonFactory(program=world.program)
        mandate.save()
    ActorFactory(program=world.program, territory=world.body.territory, name="Club Deportivo")
    return world


def test_demo_meetings_tell_two_years_of_a_directorate(django_capture_on_commit_callbacks):
    world = demo_world()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        meetings = demo_meetings(world.body, coordinator=world.coordinator, today=today)
    assert mail.outbox == []  # invitations recorded, never e-mailed to the demo's people
    assert meetings == sorted(meetings, key=lambda m: m.starts_at)
    assert Meeting.objects.filter(body=world.body).count() == len(meetings)

    upcoming = meetings[-1]
    past = meetings[:-1]
    # Roughly monthly for two years, none in February, three extraordinary, one suspended.
    ordinary = [m for m in past if "extraordinaria" not in m.title]
    assert 19 <= len(ordinary) <= 23
    assert not any(
        timezone.localtime(m.starts_at).month == 2
        for m in ordinary
        if "constitutiva" not in m.title
    )
    assert sum("extraordinaria" in m.title for m in past) == 3
    assert [m.status for m in past].count(MeetingStatus.CANCELLED) == 1
    assert all(m.status == MeetingStatus.HELD for m in past if m.status != "cancelled")
    assert all(m.ends_at < timezone.now() for m in past)

    # Next week, invited, with the minutes to approve and every open agreement on its agenda.
    assert upcoming.status == MeetingStatus.SCHEDULED
    assert 7 <= (timezone.localtime(upcoming.starts_at).date() - today).days <= 13
    assert upcoming.invitations_sent_at is not None
    items = list(upcoming.agenda_items.order_by("position"))
    assert items[0].kind == AgendaItemKind.MINUTES
    open_ids = set(
        Agreement.objects.unresolved().filter(body=world.body).values_list("pk", flat=True)
    )
    carried = [i.agreement_id for i in items if i.carried_over]
    assert open_ids and set(carried) == open_ids and len(carried) == len(open_ids)

    # Minutes: each held meeting's approved in the next held one; the last awaits approval.
    held = [m for m in past if m.status == MeetingStatus.HELD]
    for earlier, later in itertools.pairwise(held):
        earlier.refresh_from_db()
        assert earlier.minutes_status == MinutesStatus.APPROVED
        assert earlier.minutes_approved_in_id == later.pk
        assert earlier.minutes_approved_at >= later.starts_at
        assert len(earlier.minutes.split("\n\n")) >= 3
    held[-1].refresh_from_db()
    assert held[-1].minutes_status == MinutesStatus.DRAFT

    # Attendance with absences, excuses and alternates; ties among those present.
    statuses = list(
        Attendance.objects.filter(meeting__body=world.body).values_list("status", flat=True)
    )
    assert statuses.count(AttendanceStatus.PRESENT) > len(statuses) * 0.6
    assert AttendanceStatus.ABSENT in statuses and AttendanceStatus.EXCUSED in statuses
    assert Attendance.objects.filter(meeting__body=world.body, as_alternate=True).exists()
    assert Tie.objects.current().filter(provenance=Provenance.MEETING).exists()
    first_tie = Tie.objects.filter(provenance=Provenance.MEETING).order_by("recorded_at").first()
    assert first_tie.recorded_at < timezone.now() - datetime.timedelta(days=300)

    # Agreements: 1 to 4 per meeting, mostly done, some in progress, a few overdue.
    agreements = list(Agreement.objects.filter(body=world.body))
    per_meeting = [m.agreements.count() for m in held]
    assert min(per_meeting) >= 1 and max(per_meeting) <= 4
    assert [a.number for a in sorted(agreements, key=lambda a: a.number)] == list(
        range(1, len(agreements) + 1)
    )
    done = [a for a in agreements if a.status == AgreementStatus.DONE]
    overdue = Agreement.objects.overdue(today).filter(body=world.body).count()
    assert len(done) > len(agreements) / 2
    assert any(a.status == AgreementStatus.IN_PROGRESS for a in agreements)
    assert 1 <= overdue <= len(agreements) / 8
    assert all(a.closed_on and a.closed_on <= today for a in done)
    assert all(a.responsible.exists() and a.due_on for a in agreements)
    assert Agreement.objects.filter(body=world.body, notes__isnull=False).exists()


def test_demo_meetings_are_deterministic():
    def story(world):
        meetings = demo_meetings(world.body, coordinator=world.coordinator, today=day)
        return [
            (
                m.title,
                m.status,
                list(
                    m.attendances.order_by("mandate__seat__position").values_list(
                        "status", flat=True
                    )
                ),
                list(m.agreements.order_by("number").values_list("text", "status")),
            )
            for m in meetings
        ]

    day = timezone.localdate()
    assert story(demo_world()) == story(demo_world())


def test_demo_for_a_body_without_seats_does_nothing():
    world = make_world(sectors=())
    assert (
        demo_meetings(world.body, coordinator=world.coordinator, today=timezone.localdate()) == []
    )
