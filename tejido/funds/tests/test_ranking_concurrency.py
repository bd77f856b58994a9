# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two coordinators deciding on a call at the same moment: one decision wins, the other is
refused, and the awards are created once. Needs a database that two connections can share:
PostgreSQL (the in-memory SQLite of the default run cannot)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tejido.funds.models import AllocationRun, Award, Call, CallStatus
from tejido.funds.ranking import services

from .factories import coordinator_of
from .factories_ranking import reviewed_call

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def in_thread(target: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_coordinators_deciding_at_once_make_one_decision():
    call, _ = reviewed_call()
    first, second = coordinator_of(call.program), coordinator_of(call.program)
    run = services.allocation_run(actor=first, call=call, rule="greedy")
    done, release = threading.Event(), threading.Event()
    first_errors: list[BaseException] = []
    second_errors: list[BaseException] = []

    def hold() -> None:
        with transaction.atomic():
            services.call_decide(
                actor=first, call=Call.objects.get(pk=call.pk), run=run, note="Primera"
            )
            done.set()
            release.wait(timeout=30)

    def race() -> None:
        services.call_decide(
            actor=second,
            call=Call.objects.get(pk=call.pk),
            run=AllocationRun.objects.get(pk=run.pk),
            note="Segunda",
        )

    holder = in_thread(hold, first_errors)
    assert done.wait(timeout=30)
    racer = in_thread(race, second_errors)
    racer.join(timeout=1)
    assert racer.is_alive()  # waits on the call's row lock
    release.set()
    holder.join(timeout=60)
    racer.join(timeout=60)

    assert first_errors == []
    assert len(second_errors) == 1
    assert isinstance(second_errors[0], ValidationError)
    assert "already decided" in second_errors[0].messages[0]
    call.refresh_from_db()
    assert call.status == CallStatus.DECIDED
    assert call.decision_note == "Primera"
    assert Award.objects.filter(run=run).count() == 2


def test_a_run_during_a_decision_waits_and_is_refused():
    call, _ = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    racer_errors: list[BaseException] = []

    def hold() -> None:
        with transaction.atomic():
            services.call_decide(actor=coordinator, call=call, run=run, note="Decidido")
            done.set()
            release.wait(timeout=30)

    holder = in_thread(hold, errors)
    assert done.wait(timeout=30)
    racer = in_thread(
        lambda: services.allocation_run(
            actor=coordinator, call=Call.objects.get(pk=call.pk), rule="optimal"
        ),
        racer_errors,
    )
    racer.join(timeout=1)
    assert racer.is_alive()
    release.set()
    holder.join(timeout=60)
    racer.join(timeout=60)
    assert errors == []
    assert len(racer_errors) == 1
    assert "what-if" in racer_errors[0].messages[0]
    assert AllocationRun.objects.filter(call=call, is_what_if=False).count() == 1
