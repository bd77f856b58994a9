# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The demo's decisions, on factory data."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.dashboards.demo.governance.decisions import demo_polls
from tejido.governance.decisions import services
from tejido.governance.decisions.selectors import poll_page
from tejido.governance.models import (
    Agreement,
    AttendanceStatus,
    Ballot,
    BallotReceipt,
    MeetingStatus,
    PollStatus,
)
from tejido.governance.tests.factories import AttendanceFactory, MeetingFactory
from tejido.governance.tests.test_decisions_services import World, make_world

pytestmark = pytest.mark.django_db


def held_meetings(world: World, count: int = 6) -> list:
    meetings = []
    now = timezone.now()
    for index in range(count):
        start = now - datetime.timedelta(days=30 * (count - index) + 3)
        meeting = MeetingFactory(
            body=world.body,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for position, mandate in enumerate(world.mandates):
            AttendanceFactory(
                meeting=meeting,
                mandate=mandate,
                organization=mandate.organization,
                status=AttendanceStatus.ABSENT
                if position == index % 5
                else AttendanceStatus.PRESENT,
            )
        meetings.append(meeting)
    # A meeting still to come is not used.
    meetings.append(MeetingFactory(body=world.body))
    return meetings


def run_demo(
    name: str = "Directorio Bajos de Mena", *, demo_account: bool = True
) -> tuple[World, list]:
    world = make_world(name=name)
    if demo_account:
        world.mandates[1].holder_user.email = "directorio@tejido.demo"
        world.mandates[1].holder_user.save()
    meetings = held_meetings(world)
    polls = demo_polls(
        world.body, meetings, coordinator=world.coordinator, today=timezone.localdate()
    )
    return world, polls


def test_demo_holds_decisions_with_every_kind_of_method():
    _world, polls = run_demo()
    closed = [p for p in polls if p.status == PollStatus.CLOSED]
    online = [p for p in polls if p.status == PollStatus.OPEN]
    assert len(closed) == 9 and len(online) == 1
    assert {p.method for p in closed} == {
        "majority",
        "qualified",
        "consent",
        "approval",
        "irv",
        "plurality",
        "cumulative",
    }
    assert [p.secret for p in closed].count(True) == 1
    qualified = next(p for p in closed if p.method == "qualified")
    assert str(qualified.threshold) == "0.667"
    for poll in closed:
        assert poll.meeting is not None and poll.meeting.status == MeetingStatus.HELD
        assert services.poll_verify(poll)
        # Four of five seats were present at each meeting, and they voted.
        assert poll.receipts.count() == 4 == Ballot.objects.filter(poll=poll).count()
        assert poll.quorum_met is True
        # Dates are those of the meeting, not of the day the demo was loaded.
        assert poll.meeting.starts_at <= poll.closed_at <= poll.meeting.ends_at
        for receipt in poll.receipts.all():
            assert poll.meeting.starts_at <= receipt.cast_at <= poll.meeting.ends_at
        # Who was absent did not vote.
        absent = set(
            poll.meeting.attendances.filter(status=AttendanceStatus.ABSENT).values_list(
                "mandate_id", flat=True
            )
        )
        assert not absent & set(poll.receipts.values_list("mandate_id", flat=True))
        page = poll_page(poll, people=False)
        assert page.result is not None and page.result.explanation
    secret = next(p for p in closed if p.secret)
    assert not Ballot.objects.filter(poll=secret, mandate__isnull=False).exists()
    # Festival dates follow the meeting in which they were voted.
    festival = next(p for p in closed if p.method == "approval")
    assert all(o.label.split()[0] in ("Sábado", "Domingo") for o in festival.options.all())


def test_passed_motions_enter_the_agreements_register():
    world, polls = run_demo()
    motions = [p for p in polls if p.method in ("majority", "qualified", "consent")]
    decided = Agreement.objects.filter(body=world.body, poll__isnull=False)
    passed = [p for p in motions if p.result.get("passed")]
    assert passed and len(passed) < len(motions)  # the gate on Los Canelos is rejected
    assert sorted(a.poll_id for a in decided) == sorted(p.pk for p in passed)
    assert all(a.meeting_id == a.poll.meeting_id for a in decided)


def test_the_online_poll_waits_for_the_demo_accounts():
    world, polls = run_demo()
    online = next(p for p in polls if p.status == PollStatus.OPEN)
    assert online.meeting is None and online.closes_at > timezone.now()
    voters = set(BallotReceipt.objects.filter(poll=online).values_list("mandate_id", flat=True))
    assert voters  # some seats have voted already
    assert world.mandates[1].pk not in voters  # directorio@tejido.demo has not
    assert services.voting_problem(online) == ""


def test_demo_is_deterministic():
    first = run_demo("Directorio La Ligua")[1]
    second = run_demo("Directorio La Ligua", demo_account=False)[1]

    def shape(polls):
        return [
            (p.question, p.method, p.result.get("count", {}).get("totals"), p.ballots_digest != "")
            for p in polls
        ]

    assert shape(first) == shape(second)


def test_demo_without_held_meetings_still_opens_the_online_poll():
    world = make_world()
    polls = demo_polls(
        world.body,
        [MeetingFactory(body=world.body)],
        coordinator=world.coordinator,
        today=timezone.localdate(),
    )
    assert [p.status for p in polls] == [PollStatus.OPEN]
