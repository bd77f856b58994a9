# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Races around a plan: two plans of one territory and cycle approved at the same moment, and
two coordinators moving the unfunded actions to the same meeting at once. Needs a database
that two connections can share: PostgreSQL (the in-memory SQLite of the default run cannot)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tejido.governance.models import AgendaItem, AgendaItemKind, Plan, PlanStatus
from tejido.governance.plans import services
from tejido.governance.tests.factories import MeetingFactory

from .test_plans_services import approve, make_world, small_plan, vote

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


def test_a_second_plan_approved_while_the_first_commits_is_refused_clearly() -> None:
    world = make_world(actions=1)
    first, second = world.plan, small_plan(world, cycle=world.plan.cycle, title="Plan rival")
    for plan in (first, second):
        vote(world, services.plan_submit_for_approval(user=world.coordinator, plan=plan))
    approved, release = threading.Event(), threading.Event()
    first_errors: list[BaseException] = []
    second_errors: list[BaseException] = []

    def approve_first_and_hold() -> None:
        with transaction.atomic():
            services.plan_approve(user=world.coordinator, plan=Plan.objects.get(pk=first.pk))
            approved.set()
            release.wait(timeout=30)

    holder = in_thread(approve_first_and_hold, first_errors)
    assert approved.wait(timeout=30)
    # The second approval does not see the first (not committed): it waits on the unique index
    # until the first commits, then fails there, and says why.
    racer = in_thread(
        lambda: services.plan_approve(user=world.coordinator, plan=Plan.objects.get(pk=second.pk)),
        second_errors,
    )
    racer.join(timeout=1)
    release.set()
    holder.join(timeout=60)
    racer.join(timeout=60)
    assert first_errors == []
    assert len(second_errors) == 1
    error = second_errors[0]
    assert isinstance(error, ValidationError)
    assert error.code == "duplicate"
    assert "Plan de Mejoramiento Comunitario" in error.messages[0]
    statuses = dict(Plan.objects.values_list("pk", "status"))
    assert statuses == {first.pk: PlanStatus.APPROVED, second.pk: PlanStatus.DRAFT}


def test_two_deferrals_at_once_put_each_action_on_the_agenda_once() -> None:
    world = make_world(actions=3)
    approve(world)
    meeting = MeetingFactory(body=world.body)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    added: list[int] = []

    def defer() -> None:
        start.wait()
        items = services.plan_defer_unfunded(
            user=world.coordinator, plan=Plan.objects.get(pk=world.plan.pk), meeting=meeting
        )
        added.append(len(items))

    threads = [in_thread(defer, errors) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(added) == [0, 2]
    assert AgendaItem.objects.filter(meeting=meeting, kind=AgendaItemKind.PLAN).count() == 2
