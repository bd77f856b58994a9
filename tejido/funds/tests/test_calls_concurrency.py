# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Races on a call: two coordinators reserving budget with at-least quotas at the same moment,
and two publishing it at once. Needs a database that two connections can share: PostgreSQL
(the in-memory SQLite of the default run cannot)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tejido.core.models import AuditEntry
from tejido.funds.calls import services
from tejido.funds.models import Call, CallStatus, Quota, QuotaKind

from .factories import CriterionFactory
from .factories_calls import call_values, call_world

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


def hold_then_race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[list, list]:
    """Run `first` in a transaction held open until `second` has started and waits."""
    done, release = threading.Event(), threading.Event()
    first_errors: list[BaseException] = []
    second_errors: list[BaseException] = []

    def hold() -> None:
        with transaction.atomic():
            first()
            done.set()
            release.wait(timeout=30)

    holder = in_thread(hold, first_errors)
    assert done.wait(timeout=30)
    racer = in_thread(second, second_errors)
    racer.join(timeout=1)
    assert racer.is_alive()  # waits on the call's row lock
    release.set()
    holder.join(timeout=60)
    racer.join(timeout=60)
    return first_errors, second_errors


def test_two_at_least_quotas_reserved_at_once_never_exceed_the_budget():
    world = call_world()
    call = services.call_create(actor=None, program=world.program, **call_values())

    def reserve(territory: Any) -> Callable[[], Any]:
        return lambda: services.quota_create(
            actor=world.coordinator,
            call=Call.objects.get(pk=call.pk),
            kind=QuotaKind.MINIMUM,
            share="0.6",
            territory=territory,
        )

    first, second = hold_then_race(reserve(world.territories[1]), reserve(world.territories[2]))
    assert first == []
    assert len(second) == 1 and isinstance(second[0], ValidationError)
    assert "more than all of it" in second[0].message_dict["share"][0]
    assert [q.territory_id for q in Quota.objects.all()] == [world.territories[1].pk]


def test_two_coordinators_publishing_at_once_publish_it_once():
    world = call_world()
    call = services.call_create(actor=None, program=world.program, **call_values())
    CriterionFactory(call=call)

    def publish() -> None:
        services.call_publish(actor=world.coordinator, call=Call.objects.get(pk=call.pk))

    first, second = hold_then_race(publish, publish)
    assert first == []
    assert len(second) == 1 and second[0].code == "published"
    assert Call.objects.get(pk=call.pk).status == CallStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="funds.call.publish").count() == 1
