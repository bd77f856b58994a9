# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Decision services: creating, opening, voting, closing, verifying. Helpers here are shared by
the other test_decisions modules."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import PersonFactory
from tejido.core.models import AuditEntry
from tejido.governance.decisions import selectors, services
from tejido.governance.models import (
    AgendaItem,
    AttendanceStatus,
    Ballot,
    BallotReceipt,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Poll,
    PollStatus,
    SectorQuorum,
)
from tejido.governance.tests.factories import (
    AttendanceFactory,
    MandateFactory,
    MeetingFactory,
    SeatFactory,
    body_with_seats,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    program: Any
    body: Body
    mandates: list[Mandate]
    coordinator: Any


def make_world(
    *,
    sectors: tuple[str, ...] = (Sector.COMMUNITY,) * 3 + (Sector.PUBLIC, Sector.PRIVATE),
    **kw: Any,
) -> World:
    body, mandates = body_with_seats(sectors=sectors, **kw)
    coordinator = ProgramRoleFactory(program=body.program, role=Role.COORDINATOR).user
    for mandate in mandates:
        ProgramRoleFactory(
            program=body.program, user=mandate.holder_user, role=Role.DIRECTORATE_MEMBER
        )
    return World(body.program, body, mandates, coordinator)


def open_poll(world: World, method: str = "majority", **kw: Any) -> Poll:
    if method not in services.FIXED_OPTIONS:
        kw.setdefault("options", ["Plaza", "Sede", "Escuela", "Cancha"])
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿Qué hacemos?", method=method, **kw
    )
    return services.poll_open(user=world.coordinator, poll=poll)


def vote(poll: Poll, mandate: Mandate, ballot: Any) -> BallotReceipt:
    return services.ballot_cast(user=mandate.holder_user, poll=poll, mandate=mandate, ballot=ballot)


def close(world: World, poll: Poll) -> Poll:
    return services.poll_close(user=world.coordinator, poll=poll)


def message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


@pytest.fixture
def world() -> World:
    return make_world()


# -- creating and editing ------------------------------------------------------------------------


def test_motion_gets_its_fixed_options_whatever_is_given(world):
    poll = services.poll_create(
        user=world.coordinator,
        body=world.body,
        question="  ¿Aprobamos   el acta? ",
        method="majority",
        options=["ignored", "too"],
    )
    assert poll.status == PollStatus.DRAFT
    assert poll.question == "¿Aprobamos el acta?"
    assert [(o.position, o.code) for o in poll.options.all()] == [
        (0, "yes"),
        (1, "no"),
        (2, "abstain"),
    ]
    consent = services.poll_create(
        user=world.coordinator, body=world.body, question="¿Reglamento?", method="consent"
    )
    assert [o.code for o in consent.options.all()] == ["consent", "stand_aside", "object"]
    assert AuditEntry.objects.filter(action="poll.create", target_id=str(poll.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "plurality", "options": ["Solo una"]}, "options"),
        ({"method": "plurality", "options": ["A", " a "]}, "options"),
        ({"method": "plurality", "options": ["x" * 201, "b"]}, "options"),
        ({"method": "plurality", "options": [f"O{i}" for i in range(41)]}, "options"),
        ({"method": "nonsense", "options": ["A", "B"]}, "method"),
        ({"method": "majority", "question": "   "}, "question"),
        ({"method": "majority", "question": "x" * 301}, "question"),
        ({"method": "qualified", "threshold": 0.5}, "threshold"),
        ({"method": "qualified", "threshold": 1.2}, "threshold"),
        ({"method": "cumulative", "options": ["A", "B"], "dots_per_voter": 0}, "dots_per_voter"),
        ({"method": "cumulative", "options": ["A", "B"], "dots_per_voter": 101}, "dots_per_voter"),
        ({"method": "score", "options": ["A", "B"], "score_max": 11}, "score_max"),
        ({"method": "approval", "options": ["A", "B"], "max_choices": 3}, "max_choices"),
        (
            {"method": "majority", "closes_at": timezone.now() - datetime.timedelta(minutes=1)},
            "closes_at",
        ),
    ],
)
def test_poll_create_refuses_bad_settings_and_writes_nothing(world, kwargs, field):
    kwargs = {"question": "¿Pregunta?", **kwargs}
    with pytest.raises(ValidationError) as error:
        services.poll_create(user=world.coordinator, body=world.body, **kwargs)
    assert field in error.value.message_dict
    assert not Poll.objects.exists()


def test_qualified_share_is_stored_with_three_decimals_and_counted_exactly(world):
    poll = open_poll(world, "qualified", threshold=Fraction(2, 3))
    assert poll.threshold == Decimal("0.667")
    # 2 yes, 1 no: exactly two thirds, which is enough (0.667 would not be).
    for mandate, choice in zip(world.mandates, [0, 0, 1, 2, 2], strict=True):
        vote(poll, mandate, choice)
    poll = close(world, poll)
    assert poll.result["count"]["passed"] is True
    assert selectors.poll_passed(poll) is True


def test_meeting_and_agenda_item_must_belong_to_the_body(world):
    other = MeetingFactory()
    with pytest.raises(ValidationError) as error:
        services.poll_create(
            user=world.coordinator,
            body=world.body,
            question="¿?",
            method="majority",
            meeting=other,
        )
    assert "meeting" in error.value.message_dict
    meeting = MeetingFactory(body=world.body)
    item = AgendaItem.objects.create(meeting=meeting, title="Acta anterior")
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority", agenda_item=item
    )
    assert poll.meeting == meeting  # taken from the agenda item
    second = MeetingFactory(body=world.body)
    with pytest.raises(ValidationError) as error:
        services.poll_create(
            user=world.coordinator,
            body=world.body,
            question="¿?",
            method="majority",
            meeting=second,
            agenda_item=item,
        )
    assert "agenda_item" in error.value.message_dict
    cancelled = MeetingFactory(body=world.body, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError):
        services.poll_create(
            user=world.coordinator,
            body=world.body,
            question="¿?",
            method="majority",
            meeting=cancelled,
        )


def test_poll_update_changes_a_draft_and_its_options(world):
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿Fecha?", method="majority"
    )
    poll = services.poll_update(
        user=world.coordinator,
        poll=poll,
        question="¿Qué fecha?",
        method="approval",
        options=["Sábado 5", "Domingo 6", "Sábado 12"],
        max_choices=2,
    )
    assert poll.method == "approval" and poll.max_choices == 2
    assert [o.label for o in poll.options.all()] == ["Sábado 5", "Domingo 6", "Sábado 12"]
    assert not poll.options.exclude(code="").exists()
    # Keeping the options while changing the question.
    services.poll_update(
        user=world.coordinator, poll=poll, question="¿Cuándo?", method="plurality", options=None
    )
    poll.refresh_from_db()
    assert poll.question == "¿Cuándo?" and poll.options.count() == 3
    # Back to a motion: fixed options.
    services.poll_update(user=world.coordinator, poll=poll, question="¿Sí?", method="consent")
    assert [o.code for o in poll.options.all()] == ["consent", "stand_aside", "object"]


def test_switching_from_a_motion_needs_options(world):
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿Fecha?", method="majority"
    )
    with pytest.raises(ValidationError) as error:
        services.poll_update(user=world.coordinator, poll=poll, question="¿?", method="plurality")
    assert "options" in error.value.message_dict
    assert [o.code for o in poll.options.all()] == ["yes", "no", "abstain"]


def test_options_set_replaces_options_of_a_draft_only(world):
    poll = services.poll_create(
        user=world.coordinator,
        body=world.body,
        question="¿Lugar?",
        method="plurality",
        options=["A", "B"],
    )
    services.poll_options_set(user=world.coordinator, poll=poll, labels=["C", "", " D ", "E"])
    assert [o.label for o in poll.options.all()] == ["C", "D", "E"]
    motion = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    with pytest.raises(ValidationError):
        services.poll_options_set(user=world.coordinator, poll=motion, labels=["A", "B"])
    services.poll_open(user=world.coordinator, poll=poll)
    with pytest.raises(ValidationError) as error:
        services.poll_options_set(user=world.coordinator, poll=poll, labels=["X", "Y"])
    assert "draft" in message(error)
    with pytest.raises(ValidationError):
        services.poll_update(user=world.coordinator, poll=poll, question="¿?", method="majority")
    assert [o.label for o in poll.options.all()] == ["C", "D", "E"]


def test_open_needs_a_draft_and_a_future_closing(world):
    poll = services.poll_create(
        user=world.coordinator,
        body=world.body,
        question="¿?",
        method="majority",
        closes_at=timezone.now() + datetime.timedelta(hours=1),
    )
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(hours=1))
    poll.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.poll_open(user=world.coordinator, poll=poll)
    assert "closes_at" in error.value.message_dict
    Poll.objects.filter(pk=poll.pk).update(closes_at=None)
    poll = services.poll_open(user=world.coordinator, poll=poll)
    assert poll.status == PollStatus.OPEN and poll.opened_at is not None
    with pytest.raises(ValidationError):
        services.poll_open(user=world.coordinator, poll=poll)


def test_delete_only_drafts(world):
    draft = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    services.poll_delete(user=world.coordinator, poll=draft)
    assert not Poll.objects.filter(pk=draft.pk).exists()
    poll = open_poll(world)
    with pytest.raises(ValidationError):
        services.poll_delete(user=world.coordinator, poll=poll)


# -- voting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "ballot", "stored"),
    [
        ("majority", 0, 0),
        ("consent", 1, 1),
        ("plurality", 2, 2),
        ("approval", [3, 1], [1, 3]),
        ("borda", [2, 0, 1], [2, 0, 1]),
        ("irv", [1, 3], [1, 3]),
        ("cumulative", {0: 3, 2: 2}, {"0": 3, "2": 2}),
        ("score", {1: 5, 3: 2}, {"1": 5, "3": 2}),
    ],
)
def test_ballot_cast_stores_receipt_and_canonical_ballot(world, method, ballot, stored):
    poll = open_poll(world, method)
    mandate = world.mandates[0]
    receipt = vote(poll, mandate, ballot)
    assert receipt.mandate == mandate and receipt.cast_by == mandate.holder_user
    saved = Ballot.objects.get(poll=poll)
    assert saved.mandate == mandate  # an open ballot names its seat
    assert saved.content == stored
    entry = AuditEntry.objects.get(action="poll.vote", target_id=str(poll.pk))
    assert entry.data == {"mandate": mandate.pk}


def test_a_seat_votes_once(world):
    poll = open_poll(world)
    mandate = world.mandates[0]
    vote(poll, mandate, 0)
    with pytest.raises(ValidationError) as error:
        vote(poll, mandate, 1)
    assert message(error) == "This seat has already voted."
    assert BallotReceipt.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.get(poll=poll).content == 0


def test_alternate_after_holder_is_refused(world):
    poll = open_poll(world)
    mandate = world.mandates[0]
    alternate_user = UserFactory()
    mandate.alternate = PersonFactory(program=world.program)
    mandate.alternate_user = alternate_user
    mandate.save()
    vote(poll, mandate, 0)
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(user=alternate_user, poll=poll, mandate=mandate, ballot=1)
    assert message(error) == "This seat has already voted."
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_alternate_may_vote_for_the_seat(world):
    poll = open_poll(world)
    mandate = world.mandates[0]
    alternate_user = UserFactory()
    Mandate.objects.filter(pk=mandate.pk).update(alternate_user=alternate_user)
    mandate.refresh_from_db()
    receipt = services.ballot_cast(user=alternate_user, poll=poll, mandate=mandate, ballot=1)
    assert receipt.cast_by == alternate_user


def test_vote_after_close_is_refused(world):
    poll = open_poll(world)
    vote(poll, world.mandates[0], 0)
    close(world, poll)
    with pytest.raises(ValidationError) as error:
        vote(poll, world.mandates[1], 0)
    assert message(error) == "Voting has closed."
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_vote_after_closing_time_is_refused_even_before_closing(world):
    poll = open_poll(world, closes_at=timezone.now() + datetime.timedelta(hours=1))
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        vote(poll, world.mandates[0], 0)
    assert message(error) == "Voting has closed."
    assert not BallotReceipt.objects.exists()


def test_vote_on_draft_is_refused(world):
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    with pytest.raises(ValidationError) as error:
        vote(poll, world.mandates[0], 0)
    assert "not open" in message(error)


def test_non_members_cannot_vote(world):
    poll = open_poll(world)
    mandate = world.mandates[0]
    stranger = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(user=stranger, poll=poll, mandate=mandate, ballot=0)
    assert message(error) == "Only the body's members can vote."
    # The coordinator does not hold the seat either.
    with pytest.raises(ValidationError):
        services.ballot_cast(user=world.coordinator, poll=poll, mandate=mandate, ballot=0)
    # A seat of another body.
    _other_body, other_mandates = body_with_seats(program=world.program, sectors=("community",))
    with pytest.raises(ValidationError):
        vote(poll, other_mandates[0], 0)
    # A mandate that has ended, or not started yet.
    ended = MandateFactory(
        seat=SeatFactory(body=world.body),
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        vote(poll, ended, 0)
    future = MandateFactory(
        seat=SeatFactory(body=world.body), starts_on=timezone.localdate() + datetime.timedelta(1)
    )
    with pytest.raises(ValidationError):
        vote(poll, future, 0)
    # A seat without a vote.
    observer = MandateFactory(seat=SeatFactory(body=world.body, is_voting=False))
    with pytest.raises(ValidationError):
        vote(poll, observer, 0)
    # An account that was deactivated.
    mandate.holder_user.is_active = False
    mandate.holder_user.save()
    with pytest.raises(ValidationError):
        vote(poll, mandate, 0)
    assert not BallotReceipt.objects.exists() and not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("method", "ballot", "kw"),
    [
        ("majority", 3, {}),
        ("plurality", "Plaza", {}),
        ("approval", [], {}),
        ("approval", [0, 1, 2], {"max_choices": 2}),
        ("borda", [0, 0], {}),
        ("cumulative", {0: 4, 1: 2}, {"dots_per_voter": 5}),
        ("score", {0: 6}, {"score_max": 5}),
    ],
)
def test_invalid_ballot_is_refused_in_words_and_writes_nothing(world, method, ballot, kw):
    poll = open_poll(world, method, **kw)
    with pytest.raises(ValidationError) as error:
        vote(poll, world.mandates[0], ballot)
    assert "ballot" in error.value.message_dict
    assert error.value.message_dict["ballot"][0]
    assert not BallotReceipt.objects.exists() and not Ballot.objects.exists()
    assert not AuditEntry.objects.filter(action="poll.vote").exists()


def test_secret_ballot_stores_no_seat(world):
    poll = open_poll(world, "irv", secret=True)
    for mandate, ranking in zip(world.mandates, [[0, 1], [1], [2, 0], [0], [3, 2, 1]], strict=True):
        vote(poll, mandate, ranking)
    assert BallotReceipt.objects.filter(poll=poll).count() == 5
    ballots = list(Ballot.objects.filter(poll=poll))
    assert len(ballots) == 5
    assert all(b.mandate_id is None for b in ballots)
    # Random keys: the ballots' order says nothing about the order of the votes.
    assert all(isinstance(b.pk, type(ballots[0].pk)) and b.pk.version == 4 for b in ballots)
    # The audit trail records the seat, never the content.
    for entry in AuditEntry.objects.filter(action="poll.vote"):
        assert set(entry.data) == {"mandate"}
    poll = close(world, poll)
    page = selectors.poll_page(poll, people=True)
    assert page.result is not None and page.result.ballots == []


# -- closing -------------------------------------------------------------------------------------


def test_close_counts_stores_result_digest_and_quorum(world):
    poll = open_poll(world, "plurality")
    for mandate, choice in zip(world.mandates, [1, 1, 0, 2, 1], strict=True):
        vote(poll, mandate, choice)
    poll = close(world, poll)
    assert poll.status == PollStatus.CLOSED and poll.closed_at is not None
    assert poll.result["count"]["winner"] == 1
    assert poll.result["count"]["totals"] == {"0": 1, "1": 3, "2": 1, "3": 0}
    assert poll.result["quorum"]["basis"] == "voters"
    assert poll.result["quorum"]["met"] is True and poll.quorum_met is True
    rows = Ballot.objects.filter(poll=poll).values_list("mandate_id", "content")
    assert poll.ballots_digest == services.ballots_digest(rows)
    assert len(poll.ballots_digest) == 64
    assert json.loads(json.dumps(poll.result)) == poll.result  # JSON-safe
    assert services.poll_verify(poll) is True
    assert selectors.poll_passed(poll) is None  # not a motion
    with pytest.raises(ValidationError):
        close(world, poll)


def test_the_digest_is_the_seed_of_the_draw(world):
    poll = open_poll(world, "plurality")
    vote(poll, world.mandates[0], 0)
    vote(poll, world.mandates[1], 1)
    poll = close(world, poll)
    from tejido.governance import voting

    rows = list(Ballot.objects.filter(poll=poll).values_list("mandate_id", "content"))
    again = voting.count("plurality", 4, [c for _m, c in rows], seed=poll.ballots_digest)
    assert poll.result["count"]["winner"] == again.winner
    assert poll.result["count"]["tie_broken"] is True


def test_verification_detects_a_tampered_ballot(world):
    poll = open_poll(world, "majority")
    for mandate, choice in zip(world.mandates, [0, 0, 1, 0, 2], strict=True):
        vote(poll, mandate, choice)
    poll = close(world, poll)
    assert services.poll_verify(poll) is True
    ballot = Ballot.objects.filter(poll=poll, content=1).get()
    Ballot.objects.filter(pk=ballot.pk).update(content=0)
    assert services.poll_verify(poll) is False
    page = selectors.poll_page(poll, people=False)
    assert page.result is not None and page.result.verified is False
    # Restoring it restores the proof; a ballot slipped in afterwards breaks it again.
    Ballot.objects.filter(pk=ballot.pk).update(content=1)
    assert services.poll_verify(poll) is True
    Ballot.objects.create(poll=poll, mandate=None, content=0)
    assert services.poll_verify(poll) is False


def test_verification_detects_a_moved_open_ballot(world):
    poll = open_poll(world, "majority")
    vote(poll, world.mandates[0], 0)
    vote(poll, world.mandates[1], 1)
    poll = close(world, poll)
    a, b = Ballot.objects.filter(poll=poll).order_by("content")
    Ballot.objects.filter(pk=a.pk).update(content=1)
    Ballot.objects.filter(pk=b.pk).update(content=0)
    # Same multiset of votes, but who voted what changed.
    assert services.poll_verify(poll) is False


def test_poll_verify_is_false_before_closing(world):
    poll = open_poll(world)
    assert services.poll_verify(poll) is False


def test_online_quorum_counts_the_seats_that_voted(world):
    # Five seats, "more than half": three must vote.
    poll = open_poll(world, "majority")
    vote(poll, world.mandates[0], 0)
    vote(poll, world.mandates[1], 0)
    poll = close(world, poll)
    quorum = poll.result["quorum"]
    assert (quorum["seats"], quorum["present"], quorum["required"]) == (5, 2, 3)
    assert poll.quorum_met is False
    # The motion had the votes but without quorum it does not pass.
    assert poll.result["count"]["passed"] is True
    assert poll.result["passed"] is False
    assert selectors.poll_passed(poll) is False
    sentences = selectors.quorum_sentences(poll)
    assert "Quorum not met" in sentences[0]
    assert "without quorum it does not pass" in sentences[-1]
    result = selectors.poll_page(poll, people=False).result
    assert result is not None and result.passed is False
    assert result.explanation[-1] == "But the quorum was not met, so the motion is not approved."
    assert not any("approved." in s and "not" not in s for s in result.explanation)

    poll = open_poll(world, "majority")
    for mandate in world.mandates[:3]:
        vote(poll, mandate, 0)
    poll = close(world, poll)
    assert poll.quorum_met is True and selectors.poll_passed(poll) is True


def test_meeting_quorum_counts_attendance_and_voters(world):
    meeting = MeetingFactory(
        body=world.body,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    present = world.mandates[:2]
    for mandate in present:
        AttendanceFactory(meeting=meeting, mandate=mandate, organization=mandate.organization)
    AttendanceFactory(
        meeting=meeting,
        mandate=world.mandates[2],
        organization=world.mandates[2].organization,
        status=AttendanceStatus.EXCUSED,
    )
    poll = open_poll(world, "majority", meeting=meeting)
    vote(poll, world.mandates[0], 1)
    poll = close(world, poll)
    quorum = poll.result["quorum"]
    assert quorum["basis"] == "meeting"
    assert (quorum["present"], quorum["required"]) == (2, 3)
    assert poll.quorum_met is False
    assert "were present" in selectors.quorum_sentences(poll)[0]

    # A seat that voted was in the room, checked in or not.
    poll = open_poll(world, "majority", meeting=meeting)
    vote(poll, world.mandates[3], 0)
    poll = close(world, poll)
    assert poll.result["quorum"]["present"] == 3 and poll.quorum_met is True
    # Nobody voted yes more than no: rejected with quorum.
    assert poll.result["passed"] is True  # 1 yes, 0 no


def test_sector_minimum_is_part_of_the_quorum(world):
    SectorQuorum.objects.create(body=world.body, sector=Sector.PUBLIC, minimum_present=1)
    poll = open_poll(world, "plurality")
    for mandate in world.mandates[:3]:  # the three community seats
        vote(poll, mandate, 0)
    poll = close(world, poll)
    assert poll.quorum_met is False
    assert poll.result["quorum"]["sector_shortfalls"] == {"public": 1}
    sentences = selectors.quorum_sentences(poll)
    assert any("public" in s for s in sentences)
    assert sentences[-1] == "Without quorum, this result does not bind the body."


def test_close_without_ballots(world):
    poll = close(world, open_poll(world, "irv"))
    assert poll.result["count"]["winner"] is None
    assert poll.quorum_met is False
    assert services.poll_verify(poll) is True
    page = selectors.poll_page(poll, people=False)
    assert page.result is not None and page.result.winner is None


def test_close_only_open_polls(world):
    draft = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    with pytest.raises(ValidationError):
        close(world, draft)
    draft.refresh_from_db()
    assert draft.status == PollStatus.DRAFT and draft.ballots_digest == ""


def test_close_if_due_closes_once_the_time_has_passed(world):
    poll = open_poll(world, closes_at=timezone.now() + datetime.timedelta(hours=2))
    vote(poll, world.mandates[0], 0)
    assert services.poll_close_if_due(poll).status == PollStatus.OPEN
    later = timezone.now() + datetime.timedelta(hours=3)
    closed = services.poll_close_if_due(poll, now=later)
    assert closed.status == PollStatus.CLOSED and closed.result["automatic"] is True
    assert AuditEntry.objects.get(action="poll.close", target_id=str(poll.pk)).user is None
    # Called again with the stale object: nothing happens twice.
    again = services.poll_close_if_due(poll, now=later)
    assert again.status == PollStatus.CLOSED
    assert AuditEntry.objects.filter(action="poll.close").count() == 1
    # Polls without a closing time stay open.
    manual = open_poll(world)
    assert services.poll_close_if_due(manual, now=later).status == PollStatus.OPEN


def test_polls_close_due_closes_every_due_poll_of_the_body(world):
    soon = timezone.now() + datetime.timedelta(hours=1)
    due = [open_poll(world, closes_at=soon) for _ in range(2)]
    open_poll(world)
    later = soon + datetime.timedelta(minutes=1)
    assert services.polls_close_due(body=world.body, now=later) == 2
    assert {p.status for p in Poll.objects.filter(pk__in=[p.pk for p in due])} == {"closed"}
    assert Poll.objects.open().count() == 1


def test_no_service_changes_ballots_after_closing(world):
    poll = open_poll(world, "approval")
    vote(poll, world.mandates[0], [0, 1])
    poll = close(world, poll)
    before = list(Ballot.objects.filter(poll=poll).values_list("pk", "content"))
    for attempt in (
        lambda: vote(poll, world.mandates[1], [0]),
        lambda: vote(poll, world.mandates[0], [2]),
        lambda: services.poll_options_set(user=world.coordinator, poll=poll, labels=["A", "B"]),
        lambda: services.poll_update(
            user=world.coordinator, poll=poll, question="¿?", method="majority"
        ),
        lambda: services.poll_open(user=world.coordinator, poll=poll),
        lambda: services.poll_delete(user=world.coordinator, poll=poll),
        lambda: close(world, poll),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert list(Ballot.objects.filter(poll=poll).values_list("pk", "content")) == before
    assert services.poll_verify(poll) is True


def test_result_explains_the_count_in_words(world):
    poll = open_poll(world, "irv")
    # Round 1: Plaza 2, Sede 2, Escuela 1, Cancha 0 (out); round 2: Escuela out, its ballot
    # goes to Sede; round 3: Sede 3 of 5.
    for mandate, ranking in zip(world.mandates, [[0, 3], [0, 3], [1], [1], [2, 1]], strict=True):
        vote(poll, mandate, ranking)
    poll = close(world, poll)
    page = selectors.poll_page(poll, people=False)
    result = page.result
    assert result is not None
    assert result.winner == "Sede"  # option 1 wins after transfers
    assert result.explanation and all(isinstance(s, str) and s for s in result.explanation)
    assert len(result.rounds) == 4 and result.round_numbers == [1, 2, 3]
    out = [row for row in result.rounds if row.eliminated_in]
    assert out and all(row.votes[row.eliminated_in - 1] is None for row in out)
    assert result.verified is True


def test_open_ballots_are_listed_with_words_after_closing(world):
    poll = open_poll(world, "cumulative", dots_per_voter=5)
    vote(poll, world.mandates[0], {0: 3, 2: 2})
    vote(poll, world.mandates[1], {1: 5})
    poll = close(world, poll)
    hidden = selectors.poll_page(poll, people=False).result
    shown = selectors.poll_page(poll, people=True).result
    assert hidden is not None and shown is not None
    texts = sorted(b.text for b in hidden.ballots)
    assert texts == ["Plaza: 3; Escuela: 2", "Sede: 5"]
    assert all(b.voter.person == "" for b in hidden.ballots)
    assert {b.voter.person for b in shown.ballots} == {m.holder.name for m in world.mandates[:2]}


def test_ballot_text_for_every_shape():
    labels = ["A", "B", "C"]
    assert selectors.ballot_text("plurality", 1, labels) == "B"
    assert selectors.ballot_text("approval", [0, 2], labels) == "A, C"
    assert selectors.ballot_text("irv", [2, 0], labels) == "C › A"
    assert selectors.ballot_text("score", {"0": 4, "2": 0}, labels) == "A: 4"
    assert selectors.ballot_text("score", {}, labels) == "nothing"


def test_method_rule_for_every_method(world):
    for method in ("majority", "qualified", "consent", "plurality", "approval", "borda", "irv"):
        poll = Poll(method=method, threshold=Decimal("0.667"), max_choices=2)
        assert selectors.method_rule(poll)
    assert "two thirds" in selectors.method_rule(
        Poll(method="qualified", threshold=Decimal("0.667"))
    )
    assert "7 dots" in selectors.method_rule(Poll(method="cumulative", dots_per_voter=7))
    assert "0 to 10" in selectors.method_rule(Poll(method="score", score_max=10))
    assert "2 at most" in selectors.method_rule(Poll(method="approval", max_choices=2))


def test_poll_list_outcomes(world):
    passed = open_poll(world)
    for mandate in world.mandates[:3]:
        vote(passed, mandate, 0)
    close(world, passed)
    chosen = open_poll(world, "plurality")
    for mandate in world.mandates[:3]:
        vote(chosen, mandate, 2)
    close(world, chosen)
    no_quorum = open_poll(world)
    vote(no_quorum, world.mandates[0], 0)
    close(world, no_quorum)
    draft = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    polls = selectors.poll_list(world.body, include_drafts=True)
    outcome = {p.pk: (p.outcome, p.voted) for p in polls}
    assert outcome[passed.pk] == ("Passed", 3)
    assert outcome[chosen.pk] == ("Chosen: Escuela", 3)
    assert outcome[no_quorum.pk] == ("Not passed: no quorum", 1)
    assert draft.pk in outcome
    assert draft.pk not in {p.pk for p in selectors.poll_list(world.body, include_drafts=False)}


def test_threshold_digits_are_fractions_for_the_form():
    from tejido.governance.decisions.forms import fraction_code

    assert fraction_code(Decimal("0.667")) == "2/3"
    assert fraction_code(Decimal("0.600")) == "3/5"
    assert fraction_code(Decimal("0.750")) == "3/4"


def test_postgres_takes_a_shared_lock_to_vote(world):
    """The vote's lock (FOR SHARE) is what lets votes run side by side; see the concurrency
    tests for the behaviour. Here: the statement is valid on this database."""
    poll = open_poll(world)
    locked = services._lock_for_voting(poll.pk)
    assert locked.pk == poll.pk
    if connection.vendor == "postgresql":
        with pytest.raises(Poll.DoesNotExist):
            services._lock_for_voting(0)


def test_meeting_day_is_the_quorum_day(world):
    """A poll in a past meeting counts the seats current on the meeting's day."""
    start = timezone.now() - datetime.timedelta(days=30)
    meeting = Meeting.objects.create(
        body=world.body,
        title="Sesión",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    newcomer = MandateFactory(
        seat=SeatFactory(body=world.body), starts_on=timezone.localdate() - datetime.timedelta(1)
    )
    poll = open_poll(world, meeting=meeting)
    vote(poll, world.mandates[0], 0)
    vote(poll, newcomer, 0)
    poll = close(world, poll)
    # Five seats were filled on the meeting's day; the newcomer's did not exist yet.
    assert poll.result["quorum"]["seats"] == 5
    assert poll.result["quorum"]["present"] == 1


def test_majority_shares_are_of_yes_and_no_and_abstentions_stand_apart(world):
    """One yes and one abstention: the yes is 100% of the votes that count, not 50%."""
    poll = open_poll(world, "majority")
    vote(poll, world.mandates[0], 0)
    vote(poll, world.mandates[1], 2)
    vote(poll, world.mandates[2], 2)
    result = selectors.poll_page(close(world, poll), people=False).result
    assert result is not None
    rows = {row.label: row for row in result.rows}
    assert [r.label for r in result.rows] == ["Yes", "No", "Abstain"]
    assert rows["Yes"].share == 100 and rows["No"].share == 0
    assert rows["Abstain"].share is None and rows["Abstain"].apart and rows["Abstain"].total == 2
    qualified = open_poll(world, "qualified", threshold="0.667")
    for mandate, ballot in zip(world.mandates, [0, 0, 1, 2, 2], strict=True):
        vote(qualified, mandate, ballot)
    rows = {
        r.label: r for r in selectors.poll_page(close(world, qualified), people=False).result.rows
    }
    assert (rows["Yes"].share, rows["No"].share, rows["Abstain"].share) == (67, 33, None)
    consent = open_poll(world, "consent")
    vote(consent, world.mandates[0], 0)
    vote(consent, world.mandates[1], 1)
    rows = {
        r.position: r for r in selectors.poll_page(close(world, consent), people=False).result.rows
    }
    assert (rows[0].share, rows[1].share, rows[2].share) == (50, 50, 0)


def test_majority_with_only_abstentions_shows_no_share(world):
    poll = open_poll(world, "majority")
    vote(poll, world.mandates[0], 2)
    result = selectors.poll_page(close(world, poll), people=False).result
    assert [r.share for r in result.rows] == [None, None, None]


def test_closing_rewrites_secret_ballots_so_no_database_trace_pairs_them_with_receipts(world):
    """A secret ballot is inserted with its receipt; at closing it is written again in random
    order with a new key, so insertion order, rowid or xmin no longer pair it with a seat."""
    poll = open_poll(world, "plurality", secret=True)
    for mandate, choice in zip(world.mandates, [0, 1, 1, 2, 3], strict=True):
        vote(poll, mandate, choice)
    before = dict(Ballot.objects.filter(poll=poll).values_list("id", "content"))
    poll = close(world, poll)
    after = dict(Ballot.objects.filter(poll=poll).values_list("id", "content"))
    assert not set(before) & set(after)
    assert sorted(before.values()) == sorted(after.values())
    assert Ballot.objects.filter(poll=poll, mandate__isnull=False).count() == 0
    assert services.poll_verify(poll) is True


def test_closing_keeps_open_ballots_as_they_were(world):
    poll = open_poll(world, "plurality")
    vote(poll, world.mandates[0], 1)
    before = list(Ballot.objects.filter(poll=poll).values_list("id", "mandate_id", "content"))
    close(world, poll)
    assert (
        list(Ballot.objects.filter(poll=poll).values_list("id", "mandate_id", "content")) == before
    )


def test_polls_close_due_of_one_program_leaves_other_programs_alone(
    world, django_assert_num_queries
):
    other = make_world()
    soon = timezone.now() + datetime.timedelta(hours=1)
    mine = open_poll(world, closes_at=soon)
    theirs = open_poll(other, closes_at=soon)
    later = soon + datetime.timedelta(minutes=1)
    with django_assert_num_queries(1):
        assert services.polls_close_due(program=world.program) == 0  # nothing due yet
    assert services.polls_close_due(program=world.program, now=later) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("closed", "open")
