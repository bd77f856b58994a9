# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two clicks at once: one input per entity, one endorsement per entity, one participation.
Needs two connections to one database: PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tejido.cooperation.agendas import services
from tejido.cooperation.models import Endorsement, PriorityInput, SpaceParticipant
from tejido.core.tests.concurrency import race

from .agendas_helpers import make_world, prioritizing, published

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two connections to one database"
    ),
]


def test_double_submit_of_an_input_writes_one_row():
    world = prioritizing(make_world())
    g = world.groups

    def submit(dots: int) -> Callable[[], Any]:
        return lambda: services.input_submit(
            user=world.reps[0],
            space=world.space,
            actor=world.entities[0],
            content={"dots": {str(g[0].pk): dots}},
        )

    _results, errors = race(submit(2), submit(3))
    assert not errors
    assert PriorityInput.objects.filter(space=world.space, actor=world.entities[0]).count() == 1


def test_two_endorsements_of_one_entity_at_once_one_is_kept():
    world = published(make_world())

    def endorse() -> Any:
        return services.agenda_endorse(
            user=world.outsider_rep, space=world.space, actor=world.outsider_entity
        )

    results, errors = race(endorse, endorse)
    assert len(results) == 1 and len(errors) == 1
    assert Endorsement.objects.filter(space=world.space).count() == 1


def test_two_joins_of_one_entity_at_once_one_is_kept():
    world = make_world()

    def join() -> Any:
        return services.space_join(
            user=world.outsider_rep, space=world.space, actor=world.outsider_entity
        )

    results, errors = race(join, join)
    assert len(results) == 1 and len(errors) == 1
    assert SpaceParticipant.objects.filter(actor=world.outsider_entity).count() == 1
