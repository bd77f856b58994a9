# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Minutes: drafts by coordinators, approval in a later meeting of the same body."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.governance.meetings import services
from tejido.governance.models import AgendaItemKind, MeetingStatus, MinutesStatus
from tejido.governance.tests.factories import MeetingFactory
from tejido.governance.tests.test_meetings import hold, make_world, past_meeting, schedule

pytestmark = pytest.mark.django_db

TEXT = (
    "Se revisó la seguridad en la plaza Los Aromos.\n\n"
    "La junta de vecinos informó de la postulación a fondos municipales."
)


def test_save_draft_and_clear_it():
    world = make_world()
    meeting = schedule(world, days=-1)
    saved = services.minutes_save(user=world.coordinator, meeting=meeting, text=f"  {TEXT}  ")
    assert (saved.minutes, saved.minutes_status) == (TEXT, MinutesStatus.DRAFT)
    cleared = services.minutes_save(user=world.coordinator, meeting=meeting, text="   ")
    assert (cleared.minutes, cleared.minutes_status) == ("", MinutesStatus.NONE)


def test_only_coordinators_write_minutes():
    world = make_world()
    meeting = schedule(world, days=-1)
    member = UserFactory()
    ProgramRoleFactory(user=member, program=world.program, role=Role.DIRECTORATE_MEMBER)
    for user in (world.mandates[0].holder_user, member, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.minutes_save(user=user, meeting=meeting, text=TEXT)
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_cancelled_meeting_has_no_minutes():
    world = make_world()
    meeting = services.meeting_cancel(user=world.coordinator, meeting=schedule(world))
    with pytest.raises(ValidationError):
        services.minutes_save(user=world.coordinator, meeting=meeting, text=TEXT)


def _held_with_minutes(world, days=-60):
    meeting = hold(world, past_meeting(world, days=days))
    return services.minutes_save(user=world.coordinator, meeting=meeting, text=TEXT)


def test_approve_in_the_next_meeting():
    world = make_world()
    first = _held_with_minutes(world)
    second = schedule(world, days=-30)
    assert second.agenda_items.filter(kind=AgendaItemKind.MINUTES).exists()
    approved = services.minutes_approve(user=world.coordinator, meeting=first, approved_in=second)
    assert approved.minutes_status == MinutesStatus.APPROVED
    assert approved.minutes_approved_in == second and approved.minutes_approved_at is not None
    # Approved minutes never change, nor are approved twice.
    with pytest.raises(ValidationError):
        services.minutes_save(user=world.coordinator, meeting=first, text="Otro texto")
    with pytest.raises(ValidationError):
        services.minutes_approve(user=world.coordinator, meeting=first, approved_in=second)
    first.refresh_from_db()
    assert first.minutes == TEXT


def test_approval_adds_the_minutes_item_when_missing():
    world = make_world()
    first = _held_with_minutes(world)
    second = schedule(world, days=-30)
    second.agenda_items.filter(kind=AgendaItemKind.MINUTES).delete()
    services.minutes_approve(user=world.coordinator, meeting=first, approved_in=second)
    items = list(second.agenda_items.order_by("position"))
    assert items[0].kind == AgendaItemKind.MINUTES
    assert [i.position for i in items] == list(range(1, len(items) + 1))


def test_approval_refusals_change_nothing():
    world = make_world()
    first = _held_with_minutes(world, days=-60)
    earlier = schedule(world, days=-90)
    other_body = MeetingFactory(starts_at=first.starts_at + datetime.timedelta(days=5))
    future = schedule(world, days=10)
    cancelled = services.meeting_cancel(user=world.coordinator, meeting=schedule(world, days=-20))
    for approved_in in (first, earlier, other_body, future, cancelled):
        with pytest.raises(ValidationError):
            services.minutes_approve(user=world.coordinator, meeting=first, approved_in=approved_in)
    later = schedule(world, days=-30)
    with pytest.raises(PermissionDenied):
        services.minutes_approve(
            user=world.mandates[0].holder_user, meeting=first, approved_in=later
        )
    first.refresh_from_db()
    assert first.minutes_status == MinutesStatus.DRAFT and first.minutes_approved_in is None


def test_approval_needs_written_minutes_of_a_held_meeting():
    world = make_world()
    not_held = schedule(world, days=-60)
    services.minutes_save(user=world.coordinator, meeting=not_held, text=TEXT)
    later = schedule(world, days=-30)
    with pytest.raises(ValidationError):
        services.minutes_approve(user=world.coordinator, meeting=not_held, approved_in=later)
    unwritten = hold(world, schedule(world, days=-45))
    assert unwritten.status == MeetingStatus.HELD
    with pytest.raises(ValidationError):
        services.minutes_approve(user=world.coordinator, meeting=unwritten, approved_in=later)
