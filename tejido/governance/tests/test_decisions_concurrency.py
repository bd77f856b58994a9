# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Ballots arriving at the same moment: two members, one seat twice (a double tap, or holder and
alternate together), and a vote racing the closing. Needs a database that two connections can
share: PostgreSQL (the in-memory SQLite of the default test run cannot)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tejido.accounts.tests.factories import UserFactory
from tejido.governance.decisions import services
from tejido.governance.models import Ballot, BallotReceipt, Mandate, Poll, PollStatus
from tejido.governance.tests.test_decisions_services import World, make_world, open_poll

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread and connection, released at the same moment. Returns
    each job's result or the exception it raised."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = job()
        except BaseException as error:  # reported to the test thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def fresh(poll: Poll) -> Poll:
    return Poll.objects.get(pk=poll.pk)


def cast(user: Any, poll: Poll, mandate: Mandate, ballot: Any) -> Callable[[], Any]:
    return lambda: services.ballot_cast(
        user=user, poll=fresh(poll), mandate=Mandate.objects.get(pk=mandate.pk), ballot=ballot
    )


def refused(result: Any, text: str) -> bool:
    return isinstance(result, ValidationError) and text in " ".join(result.messages)


@pytest.fixture
def world() -> World:
    return make_world()


def test_two_members_voting_at_the_same_moment_are_both_counted(world):
    poll = open_poll(world, "plurality")
    a, b = world.mandates[:2]
    results = run_together(cast(a.holder_user, poll, a, 0), cast(b.holder_user, poll, b, 1))
    assert all(isinstance(r, BallotReceipt) for r in results), results
    assert BallotReceipt.objects.filter(poll=poll).count() == 2
    poll = services.poll_close(user=world.coordinator, poll=poll)
    assert poll.result["count"]["ballot_count"] == 2
    assert services.poll_verify(poll)


def test_same_seat_twice_at_the_same_moment_counts_once(world):
    poll = open_poll(world, "majority")
    mandate = world.mandates[0]
    alternate = UserFactory()
    Mandate.objects.filter(pk=mandate.pk).update(alternate_user=alternate)
    for attempt in range(3):  # a double tap, twice, and holder with alternate
        users = (mandate.holder_user, alternate) if attempt == 2 else (mandate.holder_user,) * 2
        target = poll if attempt == 0 else open_poll(world, "majority")
        results = run_together(*(cast(u, target, mandate, 0) for u in users))
        receipts = [r for r in results if isinstance(r, BallotReceipt)]
        assert len(receipts) == 1, results
        assert sum(refused(r, "This seat has already voted.") for r in results) == 1, results
        assert BallotReceipt.objects.filter(poll=target).count() == 1
        assert Ballot.objects.filter(poll=target).count() == 1


def test_the_unique_constraint_refuses_a_ballot_the_check_could_not_see(world):
    """The first ballot is written but not committed when the second arrives: the second
    passes the "already voted?" check, and the database's constraint refuses it."""
    poll = open_poll(world, "majority")
    mandate = world.mandates[0]
    written, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = services.ballot_cast(
                    user=mandate.holder_user, poll=fresh(poll), mandate=mandate, ballot=0
                )
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            written.wait(timeout=30)
            services.ballot_cast(
                user=mandate.holder_user, poll=fresh(poll), mandate=mandate, ballot=1
            )
        except ValidationError as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the second is now waiting on the first's uncommitted receipt
    assert "second" not in outcome
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert isinstance(outcome["first"], BallotReceipt)
    assert refused(outcome["second"], "This seat has already voted.")
    assert list(Ballot.objects.filter(poll=poll).values_list("content", flat=True)) == [0]


def test_closing_waits_for_a_vote_in_progress_and_counts_it(world):
    poll = open_poll(world, "majority")
    mandate = world.mandates[0]
    written, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def voter() -> None:
        try:
            with transaction.atomic():
                services.ballot_cast(
                    user=mandate.holder_user, poll=fresh(poll), mandate=mandate, ballot=0
                )
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def closer() -> None:
        try:
            written.wait(timeout=30)
            outcome["poll"] = services.poll_close(user=world.coordinator, poll=fresh(poll))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=voter), threading.Thread(target=closer)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert "poll" not in outcome  # the closing waits for the vote
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["poll"].result["count"]["ballot_count"] == 1
    assert services.poll_verify(fresh(poll))


def test_a_vote_waits_for_a_closing_in_progress_and_is_refused(world):
    poll = open_poll(world, "majority")
    mandate = world.mandates[0]
    closed, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def closer() -> None:
        try:
            with transaction.atomic():
                services.poll_close(user=world.coordinator, poll=fresh(poll))
                closed.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def voter() -> None:
        try:
            closed.wait(timeout=30)
            services.ballot_cast(
                user=mandate.holder_user, poll=fresh(poll), mandate=mandate, ballot=0
            )
        except ValidationError as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=closer), threading.Thread(target=voter)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert "error" not in outcome  # the vote waits for the closing to commit
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert refused(outcome["error"], "Voting has closed.")
    assert not Ballot.objects.filter(poll=poll).exists()


def test_votes_racing_the_closing_are_counted_or_refused_never_lost(world):
    for _round in range(4):
        poll = open_poll(world, "plurality")
        voters = world.mandates[:4]
        jobs = [cast(m.holder_user, poll, m, i % 4) for i, m in enumerate(voters)]
        jobs.append(lambda p=poll: services.poll_close(user=world.coordinator, poll=fresh(p)))
        results = run_together(*jobs)
        for result in results[:-1]:
            assert isinstance(result, BallotReceipt) or refused(result, "Voting has closed."), (
                result
            )
        poll = fresh(poll)
        assert poll.status == PollStatus.CLOSED
        stored = Ballot.objects.filter(poll=poll).count()
        accepted = sum(isinstance(r, BallotReceipt) for r in results[:-1])
        assert stored == accepted == BallotReceipt.objects.filter(poll=poll).count()
        # Every stored ballot was in the count: none was written after the digest.
        assert poll.result["count"]["ballot_count"] == stored
        assert services.poll_verify(poll)
