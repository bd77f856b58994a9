# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Meeting services: scheduling and the agenda, invitations, attendance, holding the meeting and
the ties it records. Also the helpers the other meeting test modules share (`make_world`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry, Program
from tejido.governance.meetings import services
from tejido.governance.meetings.services import AgendaEntry, SeatMark
from tejido.governance.models import (
    AgendaItem,
    AgendaItemKind,
    Agreement,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from tejido.governance.tests.factories import (
    AgreementFactory,
    AttendanceFactory,
    MandateFactory,
    SeatFactory,
    body_with_seats,
)
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

pytestmark = pytest.mark.django_db


# -- shared helpers ----------------------------------------------------------------------------


@dataclass
class World:
    program: Program
    coordinator: Any
    body: Body
    mandates: list[Mandate]


def make_world(
    *,
    sectors: tuple[str, ...] = (Sector.COMMUNITY,) * 3 + (Sector.PUBLIC, Sector.PRIVATE),
    **body_fields: Any,
) -> World:
    """A program with a coordinator and a body with one current mandate per sector."""
    from tejido.core.tests.factories import ProgramFactory

    program = ProgramFactory()
    coordinator = UserFactory()
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    body, mandates = body_with_seats(program=program, sectors=sectors, **body_fields)
    return World(program=program, coordinator=coordinator, body=body, mandates=mandates)


def at(days: float = 0, hours: float = 0) -> datetime.datetime:
    """A moment relative to now, rounded to the minute."""
    moment = timezone.now() + datetime.timedelta(days=days, hours=hours)
    return moment.replace(second=0, microsecond=0)


def schedule(world: World, *, days: float = 7, hours: float = 2, **kwargs: Any) -> Meeting:
    starts = at(days=days)
    values: dict[str, Any] = {
        "title": "Sesión ordinaria",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=hours),
        "place": "Sede vecinal Los Aromos",
    }
    values.update(kwargs)
    return services.meeting_schedule(user=world.coordinator, body=world.body, **values)


def hold(world: World, meeting: Meeting, present: list[Mandate] | None = None) -> Meeting:
    """Record the mandates given (all by default) present, and mark the meeting held."""
    present = world.mandates if present is None else present
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m.pk, AttendanceStatus.PRESENT) for m in present],
    )
    return services.meeting_mark_held(user=world.coordinator, meeting=meeting)


def past_meeting(world: World, *, days: float = -30, **kwargs: Any) -> Meeting:
    return schedule(world, days=days, **kwargs)


# -- scheduling --------------------------------------------------------------------------------


def test_schedule_creates_meeting_with_agenda_in_order():
    world = make_world()
    meeting = schedule(
        world,
        agenda=[
            AgendaEntry("Seguridad en la plaza Los Aromos", AgendaItemKind.DISCUSSION, 30),
            {
                "title": "Postulación a fondos municipales",
                "kind": "decision",
                "duration_minutes": 20,
            },
        ],
    )
    items = list(meeting.agenda_items.order_by("position"))
    assert [i.title for i in items] == [
        "Seguridad en la plaza Los Aromos",
        "Postulación a fondos municipales",
    ]
    assert [i.position for i in items] == [1, 2]
    assert meeting.sequence == 0 and meeting.status == MeetingStatus.SCHEDULED
    assert meeting.created_by == world.coordinator
    assert AuditEntry.objects.filter(action="meeting.schedule", target_id=str(meeting.pk)).exists()


def test_schedule_puts_minutes_approval_first_and_carries_unresolved_agreements():
    world = make_world()
    earlier = past_meeting(world)
    open_one = AgreementFactory(body=world.body, number=1, status=AgreementStatus.OPEN)
    in_progress = AgreementFactory(body=world.body, number=2, status=AgreementStatus.IN_PROGRESS)
    AgreementFactory(body=world.body, number=3, status=AgreementStatus.DONE)
    AgreementFactory(body=world.body, number=4, status=AgreementStatus.CANCELLED)
    AgreementFactory(number=5)  # another body's

    meeting = schedule(world, agenda=[AgendaEntry("Operativo de salud con el CESFAM")])

    items = list(meeting.agenda_items.order_by("position"))
    assert [i.kind for i in items] == [
        AgendaItemKind.MINUTES,
        AgendaItemKind.FOLLOW_UP,
        AgendaItemKind.FOLLOW_UP,
        AgendaItemKind.DISCUSSION,
    ]
    assert earlier.title in items[0].description
    assert [i.agreement for i in items[1:3]] == [open_one, in_progress]
    assert all(i.carried_over for i in items[1:3]) and not items[3].carried_over
    assert [i.position for i in items] == [1, 2, 3, 4]


def test_schedule_without_earlier_meeting_has_no_minutes_item():
    world = make_world()
    meeting = schedule(world, agenda=[AgendaEntry("Bienvenida")])
    assert not meeting.agenda_items.filter(kind=AgendaItemKind.MINUTES).exists()


def test_no_minutes_item_when_earlier_minutes_are_approved():
    world = make_world()
    earlier = past_meeting(world, days=-60)
    Meeting.objects.filter(pk=earlier.pk).update(
        minutes_status=MinutesStatus.APPROVED, minutes_approved_at=timezone.now()
    )
    meeting = schedule(world)
    assert not meeting.agenda_items.filter(kind=AgendaItemKind.MINUTES).exists()


def test_carry_over_never_puts_an_agreement_twice_on_an_agenda():
    world = make_world()
    agreement = AgreementFactory(body=world.body, number=1)
    meeting = schedule(world)
    assert services.agenda_carry_over(user=world.coordinator, meeting=meeting) == []
    assert meeting.agenda_items.filter(agreement=agreement).count() == 1
    # A later agreement is added once, after the earlier follow-ups.
    schedule_item = services.agenda_item_add(
        user=world.coordinator, meeting=meeting, title="Varios", kind=AgendaItemKind.OTHER
    )
    later = AgreementFactory(body=world.body, number=2)
    added = services.agenda_carry_over(user=world.coordinator, meeting=meeting)
    assert [i.agreement for i in added] == [later]
    items = list(meeting.agenda_items.order_by("position"))
    assert [i.agreement_id for i in items] == [agreement.pk, later.pk, None]
    assert items[-1] == schedule_item
    assert services.agenda_carry_over(user=world.coordinator, meeting=meeting) == []


def test_each_new_meeting_carries_the_agreements_still_open():
    world = make_world()
    agreement = AgreementFactory(body=world.body, number=1)
    first = schedule(world, days=7)
    second = schedule(world, days=37)
    assert first.agenda_items.filter(agreement=agreement, carried_over=True).count() == 1
    assert second.agenda_items.filter(agreement=agreement, carried_over=True).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 13}, "ends_at"),
        ({"online_url": "zoom-sala-4"}, "online_url"),
        ({"agenda": [AgendaEntry("")]}, "agenda"),
        ({"agenda": [AgendaEntry("Varios", duration_minutes=0)]}, "agenda"),
        ({"agenda": [AgendaEntry("Varios", kind="party")]}, "agenda"),
    ],
)
def test_schedule_refusals_write_nothing(changes, field):
    world = make_world()
    AgreementFactory(body=world.body, number=1)
    with pytest.raises(ValidationError) as error:
        schedule(world, **changes)
    assert field in error.value.message_dict
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()


def test_schedule_refuses_an_overlapping_meeting_of_the_same_body():
    world = make_world()
    schedule(world, days=7)
    with pytest.raises(ValidationError) as error:
        schedule(world, days=7, hours=1)
    assert "starts_at" in error.value.message_dict
    assert Meeting.objects.count() == 1


def test_schedule_needs_a_coordinator():
    world = make_world()
    member = world.mandates[0].holder_user
    with pytest.raises(PermissionDenied):
        services.meeting_schedule(
            user=member,
            body=world.body,
            title="Sesión",
            starts_at=at(days=1),
            ends_at=at(days=1, hours=2),
        )
    assert not Meeting.objects.exists()


def test_schedule_refuses_a_need_of_another_program():
    from tejido.governance.tests.factories import NeedFactory

    world = make_world()
    with pytest.raises(ValidationError):
        schedule(world, agenda=[AgendaEntry("Luminarias", need=NeedFactory())])
    assert not Meeting.objects.exists()


# -- changing and cancelling ------------------------------------------------------------------


def test_update_without_invitations_bumps_the_sequence_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.meeting_update(
            user=world.coordinator,
            meeting=meeting,
            title="Sesión extraordinaria",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place=meeting.place,
        )
    assert updated.sequence == 1 and updated.title == "Sesión extraordinaria"
    assert mail.outbox == []


def test_update_with_no_change_keeps_the_sequence():
    world = make_world()
    meeting = schedule(world)
    same = services.meeting_update(
        user=world.coordinator,
        meeting=meeting,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
    )
    assert same.sequence == 0


def test_update_of_an_invited_meeting_emails_the_change(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(user=world.coordinator, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.meeting_update(
            user=world.coordinator,
            meeting=meeting,
            title=meeting.title,
            starts_at=meeting.starts_at + datetime.timedelta(hours=1),
            ends_at=meeting.ends_at + datetime.timedelta(hours=1),
            place="Escuela Básica Los Aromos",
        )
    assert updated.sequence == 1
    assert len(mail.outbox) == len(world.mandates)
    calendar = Calendar.from_ical(mail.outbox[0].attachments[0].content)
    event = calendar.events[0]
    assert calendar.method == "REQUEST"
    assert event.sequence == 1 and str(event.location) == "Escuela Básica Los Aromos"
    # This version counts as sent: sending again sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitations_send(user=world.coordinator, meeting=updated)
    assert result.already_sent and mail.outbox == []


def test_cancel_emails_a_cancellation_to_those_invited(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(user=world.coordinator, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.meeting_cancel(user=world.coordinator, meeting=meeting)
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.sequence == 1
    assert len(mail.outbox) == len(world.mandates)
    message = mail.outbox[0]
    assert message.attachments[0].mimetype == "text/calendar; method=CANCEL"
    calendar = Calendar.from_ical(message.attachments[0].content)
    assert calendar.method == "CANCEL"
    assert calendar.events[0].status == "CANCELLED"
    assert str(calendar.events[0].uid) == str(meeting.uid)


def test_cancel_of_a_meeting_never_invited_sends_nothing(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(user=world.coordinator, meeting=meeting)
    assert mail.outbox == []


def test_cancelled_or_held_meeting_cannot_change():
    world = make_world()
    cancelled = services.meeting_cancel(user=world.coordinator, meeting=schedule(world))
    held = hold(world, past_meeting(world))
    for meeting in (cancelled, held):
        with pytest.raises(ValidationError):
            services.meeting_cancel(user=world.coordinator, meeting=meeting)
        with pytest.raises(ValidationError):
            services.meeting_update(
                user=world.coordinator,
                meeting=meeting,
                title="Otro",
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
            )
        with pytest.raises(ValidationError):
            services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Varios")
        with pytest.raises(ValidationError):
            services.invitations_send(user=world.coordinator, meeting=meeting)


# -- agenda ------------------------------------------------------------------------------------


def test_agenda_add_update_remove_reorder():
    world = make_world()
    meeting = schedule(world)
    a = services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Cuenta pública")
    b = services.agenda_item_add(
        user=world.coordinator, meeting=meeting, title="Varios", kind=AgendaItemKind.OTHER
    )
    c = services.agenda_item_add(
        user=world.coordinator, meeting=meeting, title="Plaza", kind="decision"
    )
    assert [a.position, b.position, c.position] == [1, 2, 3]

    services.agenda_reorder(user=world.coordinator, meeting=meeting, item_ids=[c.pk, a.pk, b.pk])
    assert list(meeting.agenda_items.order_by("position").values_list("pk", flat=True)) == [
        c.pk,
        a.pk,
        b.pk,
    ]
    services.agenda_item_update(
        user=world.coordinator,
        item=c,
        title="Recuperación de la plaza Los Aromos",
        kind=AgendaItemKind.DECISION,
        duration_minutes=40,
        description="Propuesta del CESFAM y la junta de vecinos",
    )
    c.refresh_from_db()
    assert (c.title, c.duration_minutes) == ("Recuperación de la plaza Los Aromos", 40)

    services.agenda_item_remove(user=world.coordinator, item=a)
    assert list(meeting.agenda_items.order_by("position").values_list("pk", "position")) == [
        (c.pk, 1),
        (b.pk, 2),
    ]
    meeting.refresh_from_db()
    assert meeting.sequence == 0  # not invited yet: nothing to revise


def test_agenda_changes_after_invitations_make_a_new_version(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(user=world.coordinator, meeting=meeting)
    services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Varios")
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitations_send(user=world.coordinator, meeting=meeting)
    assert not result.already_sent and len(mail.outbox) == len(world.mandates)
    assert "Varios" in mail.outbox[0].body


@pytest.mark.parametrize("order", ["missing", "duplicate", "foreign"])
def test_reorder_refuses_a_list_that_is_not_the_agenda(order):
    world = make_world()
    meeting = schedule(world)
    a = services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Uno")
    b = services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Dos")
    ids = {"missing": [a.pk], "duplicate": [a.pk, a.pk], "foreign": [a.pk, b.pk, 999999]}[order]
    with pytest.raises(ValidationError):
        services.agenda_reorder(user=world.coordinator, meeting=meeting, item_ids=ids)
    assert [a.pk, b.pk] == list(
        meeting.agenda_items.order_by("position").values_list("pk", flat=True)
    )


def test_agenda_item_refusals():
    world = make_world()
    meeting = schedule(world)
    foreign = AgreementFactory(number=1)
    with pytest.raises(ValidationError) as error:
        services.agenda_item_add(
            user=world.coordinator, meeting=meeting, title="Seguimiento", agreement=foreign
        )
    assert "agreement" in error.value.message_dict
    own = AgreementFactory(body=world.body, number=1)
    services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Uno", agreement=own)
    with pytest.raises(ValidationError):
        services.agenda_item_add(
            user=world.coordinator, meeting=meeting, title="Dos", agreement=own
        )
    with pytest.raises(PermissionDenied):
        services.agenda_item_add(user=world.mandates[0].holder_user, meeting=meeting, title="Tres")
    assert meeting.agenda_items.count() == 1


# -- invitations -------------------------------------------------------------------------------


def test_invitations_go_to_holders_and_alternates_in_their_language(
    django_capture_on_commit_callbacks,
):
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE))
    catalan, english, spanish = world.mandates
    catalan.holder_user.preferred_language = "ca"
    catalan.holder_user.save()
    english.holder_user.preferred_language = "en"
    english.holder_user.save()
    # An alternate without an account is reached at the person's own address, in Spanish.
    spanish.alternate = PersonFactory(program=world.program, email="suplente@example.org")
    spanish.save()
    # A holder with neither an account nor an address is reported.
    silent = MandateFactory(
        seat=SeatFactory(body=world.body), holder_user=None, holder=PersonFactory(email="")
    )
    starts = timezone.make_aware(datetime.datetime(2031, 3, 4, 19, 0))
    meeting = services.meeting_schedule(
        user=world.coordinator,
        body=world.body,
        title="Sesión ordinaria de marzo",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Sede vecinal",
        agenda=[AgendaEntry("Seguridad en la plaza Los Aromos", duration_minutes=30)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitations_send(
            user=world.coordinator, meeting=meeting, base_url="https://tejido.example/"
        )
    assert result.sent == 4 and not result.already_sent
    assert result.without_email == [silent]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {
        catalan.holder_user.email,
        english.holder_user.email,
        spanish.holder_user.email,
        "suplente@example.org",
    }
    # The month is written in each recipient's language (Django's own translations).
    assert "març" in by_address[catalan.holder_user.email].subject
    assert "March" in by_address[english.holder_user.email].subject
    assert "marzo" in by_address[spanish.holder_user.email].subject
    assert "marzo" in by_address["suplente@example.org"].subject
    for message in mail.outbox:
        assert "Seguridad en la plaza Los Aromos" in message.body
        assert f"https://tejido.example/p/{world.program.slug}/governance/meetings/" in message.body
        attachment = message.attachments[0]
        assert attachment.filename == "invitation.ics"
        assert attachment.mimetype == "text/calendar; method=REQUEST"
        calendar = Calendar.from_ical(attachment.content)
        event = calendar.events[0]
        assert calendar.method == "REQUEST"
        assert str(event.uid) == str(meeting.uid)
        assert [str(a) for a in event.attendees] == [f"mailto:{message.to[0]}"]
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None


def test_invitations_are_sent_once_per_version(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitations_send(user=world.coordinator, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.invitations_send(user=world.coordinator, meeting=meeting)
    assert first.sent == len(world.mandates) and second.already_sent and second.sent == 0
    assert len(mail.outbox) == len(world.mandates)


def test_invitations_leave_after_the_commit_only(django_capture_on_commit_callbacks):
    world = make_world()
    meeting = schedule(world)
    with django_capture_on_commit_callbacks() as callbacks:
        services.invitations_send(user=world.coordinator, meeting=meeting)
        assert mail.outbox == []
    assert len(callbacks) == 1


def test_invitations_need_someone_to_invite():
    world = make_world(sectors=(Sector.COMMUNITY,))
    mandate = world.mandates[0]
    mandate.holder_user = None
    mandate.holder = PersonFactory(program=world.program, email="")
    mandate.save()
    meeting = schedule(world)
    with pytest.raises(ValidationError):
        services.invitations_send(user=world.coordinator, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is None


def test_only_coordinators_send_invitations():
    world = make_world()
    meeting = schedule(world)
    with pytest.raises(PermissionDenied):
        services.invitations_send(user=world.mandates[0].holder_user, meeting=meeting)


# -- attendance --------------------------------------------------------------------------------


def test_coordinator_records_a_seat_and_recording_again_replaces_it():
    world = make_world()
    meeting = schedule(world)
    mandate = world.mandates[0]
    services.attendance_record(
        user=world.coordinator, meeting=meeting, mandate=mandate, status=AttendanceStatus.EXCUSED
    )
    row = services.attendance_record(
        user=world.coordinator, meeting=meeting, mandate=mandate, status=AttendanceStatus.PRESENT
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert (row.organization, row.person, row.status) == (
        mandate.organization,
        mandate.holder,
        AttendanceStatus.PRESENT,
    )


def test_holder_checks_in_for_own_seat_only_in_the_window():
    world = make_world()
    meeting = schedule(world, days=0, hours=2)  # starting now
    mine, other = world.mandates[0], world.mandates[1]
    row = services.attendance_record(user=mine.holder_user, meeting=meeting, mandate=mine)
    assert row.status == AttendanceStatus.PRESENT and not row.as_alternate
    assert row.recorded_by == mine.holder_user
    with pytest.raises(PermissionDenied):
        services.attendance_record(user=mine.holder_user, meeting=meeting, mandate=other)
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            user=mine.holder_user, meeting=meeting, mandate=mine, status=AttendanceStatus.ABSENT
        )
    later = schedule(world, days=3)
    with pytest.raises(ValidationError):
        services.attendance_record(user=mine.holder_user, meeting=later, mandate=mine)
    assert not Attendance.objects.filter(meeting=later).exists()


def test_alternate_checks_in_as_alternate():
    world = make_world()
    mandate = world.mandates[0]
    mandate.alternate = PersonFactory(program=world.program, name="Ñuble Peñailillo")
    mandate.alternate_user = UserFactory()
    mandate.save()
    meeting = schedule(world, days=0, hours=2)
    row = services.attendance_record(user=mandate.alternate_user, meeting=meeting, mandate=mandate)
    assert row.as_alternate and row.person == mandate.alternate


def test_outsiders_cannot_check_in():
    world = make_world()
    meeting = schedule(world, days=0, hours=2)
    with pytest.raises(PermissionDenied):
        services.attendance_record(user=UserFactory(), meeting=meeting, mandate=world.mandates[0])


def test_guest_attendance_rules():
    world = make_world()
    meeting = schedule(world)
    guest = ActorFactory(program=world.program, name="Club Deportivo Los Aromos")
    row = services.attendance_record(user=world.coordinator, meeting=meeting, organization=guest)
    assert row.mandate is None and row.status == AttendanceStatus.PRESENT
    refusals = [
        {"organization": world.mandates[0].organization},  # holds a seat
        {"organization": PersonFactory(program=world.program)},  # a person
        {"organization": ActorFactory()},  # another program
        {"organization": guest, "as_alternate": True},
    ]
    for values in refusals:
        with pytest.raises(ValidationError):
            services.attendance_record(user=world.coordinator, meeting=meeting, **values)
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            user=world.mandates[0].holder_user, meeting=meeting, organization=guest
        )
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_mandate_not_current_on_the_day_is_refused():
    world = make_world()
    meeting = schedule(world)
    old = MandateFactory(
        seat=SeatFactory(body=world.body),
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    with pytest.raises(ValidationError):
        services.attendance_record(user=world.coordinator, meeting=meeting, mandate=old)


def test_attendance_sheet_records_clears_and_handles_guests():
    world = make_world()
    m = world.mandates
    m[1].alternate = PersonFactory(program=world.program)
    m[1].save()
    meeting = schedule(world)
    guest = ActorFactory(program=world.program)
    result = services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[
            SeatMark(m[0].pk, AttendanceStatus.PRESENT),
            SeatMark(m[1].pk, AttendanceStatus.PRESENT, as_alternate=True),
            SeatMark(m[2].pk, AttendanceStatus.EXCUSED),
            SeatMark(m[3].pk, AttendanceStatus.ABSENT),
            SeatMark(m[4].pk, ""),
        ],
        guests=[guest],
    )
    assert (result.recorded, result.guests_added) == (4, 1)
    rows = {a.mandate_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert rows[m[1].pk].as_alternate and rows[m[1].pk].person == m[1].alternate
    assert m[4].pk not in rows and rows[None].organization == guest

    result = services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m[0].pk, ""), SeatMark(m[3].pk, AttendanceStatus.PRESENT)],
        guests=[],
    )
    assert (result.cleared, result.guests_removed) == (1, 1)
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("mandate_id", "status"))
    assert statuses == {
        m[1].pk: AttendanceStatus.PRESENT,
        m[2].pk: AttendanceStatus.EXCUSED,
        m[3].pk: AttendanceStatus.PRESENT,
    }


def test_attendance_sheet_with_a_bad_row_writes_nothing():
    world = make_world()
    meeting = schedule(world)
    other = MandateFactory()  # a seat of another body
    for seats in (
        [SeatMark(world.mandates[0].pk, "present"), SeatMark(other.pk, "present")],
        [SeatMark(world.mandates[0].pk, "present"), SeatMark(world.mandates[1].pk, "late")],
        [SeatMark(world.mandates[0].pk, "present", as_alternate=True)],  # no alternate
    ):
        with pytest.raises(ValidationError):
            services.attendance_sheet_record(user=world.coordinator, meeting=meeting, seats=seats)
    with pytest.raises(ValidationError):
        services.attendance_sheet_record(
            user=world.coordinator,
            meeting=meeting,
            seats=[SeatMark(world.mandates[0].pk, "present")],
            guests=[world.mandates[1].organization],
        )
    with pytest.raises(PermissionDenied):
        services.attendance_sheet_record(
            user=world.mandates[0].holder_user,
            meeting=meeting,
            seats=[SeatMark(world.mandates[0].pk, "present")],
        )
    assert not Attendance.objects.exists()


# -- holding the meeting and its ties ----------------------------------------------------------


def _current(a, b, tie_type=TieType.COLLABORATION) -> Tie:
    source, target = sorted((a, b), key=lambda x: x.pk)
    return Tie.objects.current().get(source=source, target=target, tie_type=tie_type)


def test_mark_held_records_a_tie_between_every_two_organizations_present():
    world = make_world(meeting_tie_intensity=Intensity.COORDINATION)
    meeting = past_meeting(world)
    present = world.mandates[:4]
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m.pk, "present") for m in present]
        + [SeatMark(world.mandates[4].pk, "absent")],
        guests=[ActorFactory(program=world.program)],
    )
    result = services.meeting_hold(user=world.coordinator, meeting=meeting)
    assert result.meeting.status == MeetingStatus.HELD
    assert result.meeting.ties_recorded_at is not None
    assert (result.organizations, result.ties_created) == (5, 10)  # 4 seats + 1 guest
    ties = Tie.objects.current()
    assert ties.count() == 10
    assert set(ties.values_list("provenance", "tie_type", "intensity")) == {
        (Provenance.MEETING, TieType.COLLABORATION, Intensity.COORDINATION)
    }
    absent = world.mandates[4].organization
    assert not Tie.objects.involving(absent).exists()
    assert set(ties.values_list("started_on", flat=True)) == {services.meeting_day(meeting)}


def test_mark_held_never_weakens_a_tie_and_keeps_its_scores():
    world = make_world(
        sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE),
        meeting_tie_intensity=Intensity.COORDINATION,
    )
    a, b, c = (m.organization for m in world.mandates)
    strong = tie_create(
        user=world.coordinator,
        source=a,
        target=b,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.INTEGRATION,
        trust=5,
        value=4,
        provenance=Provenance.SURVEY,
    )
    weak = tie_create(
        user=world.coordinator,
        source=a,
        target=c,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.AWARENESS,
        trust=3,
    )
    result = services.meeting_hold(user=world.coordinator, meeting=hold_ready(world))
    assert (result.ties_created, result.ties_strengthened, result.ties_kept) == (1, 1, 1)
    ab, ac, bc = _current(a, b), _current(a, c), _current(b, c)
    assert (ab.intensity, ab.trust, ab.value) == (Intensity.INTEGRATION, 5, 4)
    assert ab.previous == strong  # history kept
    assert (ac.intensity, ac.trust) == (Intensity.COORDINATION, 3)
    assert ac.previous == weak
    assert bc.intensity == Intensity.COORDINATION and bc.previous is None


def hold_ready(world: World) -> Meeting:
    meeting = past_meeting(world)
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m.pk, "present") for m in world.mandates],
    )
    return meeting


def test_mark_held_twice_records_the_ties_once():
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE))
    meeting = hold_ready(world)
    services.meeting_mark_held(user=world.coordinator, meeting=meeting)
    versions = Tie.objects.count()
    again = services.meeting_hold(user=world.coordinator, meeting=meeting)
    assert again.already_held and again.ties == 0
    assert Tie.objects.count() == versions == 3


def test_a_second_meeting_with_the_same_organizations_adds_no_versions():
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE))
    services.meeting_mark_held(user=world.coordinator, meeting=hold_ready(world))
    meeting = schedule(world, days=-10)
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m.pk, "present") for m in world.mandates],
    )
    result = services.meeting_hold(user=world.coordinator, meeting=meeting)
    assert result.ties_kept == 3 and Tie.objects.count() == 3


def test_body_without_meeting_ties_records_none():
    world = make_world(meeting_ties=False)
    result = services.meeting_hold(user=world.coordinator, meeting=hold_ready(world))
    assert result.meeting.status == MeetingStatus.HELD and result.ties == 0
    assert result.meeting.ties_recorded_at is None
    assert not Tie.objects.exists()


def test_mark_held_refusals():
    world = make_world()
    future = schedule(world, days=3)
    services.attendance_sheet_record(
        user=world.coordinator, meeting=future, seats=[SeatMark(world.mandates[0].pk, "present")]
    )
    with pytest.raises(ValidationError):
        services.meeting_mark_held(user=world.coordinator, meeting=future)
    empty = schedule(world, days=-3)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(user=world.coordinator, meeting=empty)
    cancelled = services.meeting_cancel(user=world.coordinator, meeting=schedule(world, days=-9))
    with pytest.raises(ValidationError):
        services.meeting_mark_held(user=world.coordinator, meeting=cancelled)
    with pytest.raises(PermissionDenied):
        services.meeting_mark_held(user=world.mandates[0].holder_user, meeting=empty)
    assert not Meeting.objects.filter(status=MeetingStatus.HELD).exists()


def test_mark_held_is_all_or_nothing():
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC))
    meeting = hold_ready(world)
    # A row written around the services, for an organization of another program: its tie is
    # refused, and nothing of the meeting's holding may remain.
    AttendanceFactory(meeting=meeting, organization=ActorFactory())
    with pytest.raises(ValidationError):
        services.meeting_mark_held(user=world.coordinator, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.ties_recorded_at is None
    assert not Tie.objects.exists()


def test_attendance_is_closed_once_held():
    world = make_world()
    meeting = hold(world, past_meeting(world))
    with pytest.raises(ValidationError):
        services.attendance_record(
            user=world.coordinator, meeting=meeting, mandate=world.mandates[0], status="absent"
        )
    with pytest.raises(ValidationError):
        services.attendance_sheet_record(user=world.coordinator, meeting=meeting, seats=[])


def test_agreements_of_the_body_are_untouched_by_other_bodies():
    world = make_world()
    AgreementFactory(number=1)
    meeting = schedule(world)
    assert not meeting.agenda_items.filter(kind=AgendaItemKind.FOLLOW_UP).exists()
    assert Agreement.objects.count() == 1
