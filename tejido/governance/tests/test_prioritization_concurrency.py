# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Inputs given at the same moment: a double tap on a slow phone writes one input, not two, and
an input racing the closing of the session is either counted or refused, never lost in
between. Needs two connections to one database: PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tejido.governance.models import PrioritizationInput, PrioritizationSession, SessionStatus
from tejido.governance.needs import services

from .test_needs_support import hanlon_input, make_session, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def _together(*actions: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    start = threading.Barrier(len(actions))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            start.wait()
            results.append(action())
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_submissions_of_one_participant_at_once_write_one_input():
    world = make_world(needs=3)
    session = make_session(world)
    holder = world.holders[0]

    def submit(size: int) -> Callable[[], object]:
        return lambda: services.input_submit(
            user=holder,
            session=PrioritizationSession.objects.get(pk=session.pk),
            content=hanlon_input(world.needs, size=size),
        )

    for _attempt in range(3):
        _results, errors = _together(submit(2), submit(8), submit(5))
        assert errors == []
    entries = PrioritizationInput.objects.filter(session=session, participant=holder)
    assert entries.count() == 1
    size = entries.get().content["scores"][str(world.needs[0].pk)]["size"]
    assert size in (2, 5, 8)


def test_several_participants_at_once_each_get_their_input():
    world = make_world(needs=3, seats=5)
    session = make_session(world)
    actions = [
        (
            lambda user=user: services.input_submit(
                user=user,
                session=PrioritizationSession.objects.get(pk=session.pk),
                content=hanlon_input(world.needs),
            )
        )
        for user in world.holders
    ]
    _results, errors = _together(*actions)
    assert errors == []
    assert PrioritizationInput.objects.filter(session=session).count() == 5


def test_an_input_racing_the_closing_is_counted_or_refused():
    world = make_world(needs=3)
    session = make_session(world)
    services.input_submit(user=world.holders[0], session=session, content=hanlon_input(world.needs))

    def late() -> object:
        return services.input_submit(
            user=world.holders[1],
            session=PrioritizationSession.objects.get(pk=session.pk),
            content=hanlon_input(world.needs, size=9),
        )

    def close() -> object:
        return services.session_close(
            user=world.coordinator,
            session=PrioritizationSession.objects.get(pk=session.pk),
            top=1,
        )

    _results, errors = _together(late, close)
    closed = PrioritizationSession.objects.get(pk=session.pk)
    assert closed.status == SessionStatus.CLOSED
    stored = PrioritizationInput.objects.filter(session=session).count()
    # The result counts exactly the inputs stored: the late one is in both or in neither.
    assert closed.result["input_count"] == stored
    if stored == 1:
        assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    else:
        assert errors == []
