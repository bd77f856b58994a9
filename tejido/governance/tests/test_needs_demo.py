"""The demo's needs register and closed Hanlon session, on factory data."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.accounts.models import User
from tejido.dashboards.demo.governance.needs import NEEDS, TOP, demo_needs
from tejido.governance import voting
from tejido.governance.models import (
    MeetingStatus,
    Need,
    NeedSource,
    NeedStatus,
    PrioritizationSession,
    SessionStatus,
)
from tejido.governance.needs.services import inputs_digest
from tejido.governance.tests.factories import MeetingFactory

from .test_needs_support import make_world

pytestmark = pytest.mark.django_db


def _held_meetings(world, count: int = 3):
    now = timezone.now()
    return [
        MeetingFactory(
            body=world.body,
            starts_at=now - datetime.timedelta(days=30 * (count - i)),
            ends_at=now - datetime.timedelta(days=30 * (count - i)) + datetime.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for i in range(count)
    ]


def test_demo_needs_records_the_register_and_a_closed_hanlon_session():
    world = make_world(needs=0, seats=5)
    meetings = _held_meetings(world)
    users_before = User.objects.count()
    session = demo_needs(
        world.body, meetings, coordinator=world.coordinator, today=timezone.localdate()
    )
    assert User.objects.count() == users_before  # no account created
    needs = Need.objects.filter(program=world.program)
    assert needs.count() == len(NEEDS) >= 15
    assert set(needs.values_list("territory", flat=True)) == {world.barrio.pk}
    assert needs.filter(source=NeedSource.MEETING, source_meeting__in=meetings[:-1]).exists()
    assert needs.filter(source=NeedSource.DIAGNOSIS).exists()
    assert not needs.filter(people_affected__isnull=True).exists()
    assert "Luminarias apagadas en pasaje Los Aromos" in set(needs.values_list("title", flat=True))

    session = PrioritizationSession.objects.get(pk=session.pk)
    assert session.method == "hanlon" and session.status == SessionStatus.CLOSED
    assert session.body == world.body and session.meeting == meetings[-1]
    assert session.closed_at == meetings[-1].ends_at
    participants = set(session.inputs.values_list("participant_id", flat=True))
    assert participants == {u.pk for u in world.holders}
    # The stored result is what prioritize gives on the stored inputs.
    stored = [i.content for i in session.inputs.order_by("participant_id")]
    expected = voting.prioritize(
        "hanlon",
        sorted(session.needs.values_list("pk", flat=True)),
        stored,
        seed=inputs_digest(stored),
    )
    assert voting.Priority.from_dict(session.result) == expected
    # The private plot nobody may legally turn into a square is set aside.
    plot = needs.get(title="Recuperar el sitio eriazo privado como plaza")
    assert plot.pk in session.result["excluded"]
    prioritized = set(needs.filter(status=NeedStatus.PRIORITIZED).values_list("pk", flat=True))
    assert prioritized == set(session.result["prioritized"]) and len(prioritized) == TOP


def test_demo_needs_is_deterministic():
    def scores():
        world = make_world(needs=0, seats=3)
        world.body.name = "Directorio local Villa El Esfuerzo"  # the seed of the demo's draws
        world.body.save()
        session = demo_needs(
            world.body,
            _held_meetings(world),
            coordinator=world.coordinator,
            today=timezone.localdate(),
        )
        titles = dict(Need.objects.filter(program=world.program).values_list("pk", "title"))
        return [(titles[int(pk)], score) for pk, score in sorted(session.result["scores"].items())]

    assert sorted(scores()) == sorted(scores())


def test_without_seat_accounts_the_session_stays_open():
    world = make_world(needs=0, seats=2)
    for mandate in world.mandates:
        mandate.holder_user = None
        mandate.save()
    session = demo_needs(world.body, [], coordinator=world.coordinator, today=timezone.localdate())
    assert session.status == SessionStatus.OPEN and session.meeting is None
