# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The agendas demo: a published agenda with its count and endorsements, and a space still
raising items that Villa Los Aromos del Sur may join."""

from __future__ import annotations

import datetime
import random

import pytest

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import ReflectionSpace, SpaceStatus
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.dashboards.demo.cooperation.agendas import AROMOS, demo_agendas
from tejido.network.models import Tie

from .factories import coordinator_of, representative_of

pytestmark = pytest.mark.django_db


def test_demo_agendas_builds_a_published_agenda_and_an_open_space():
    program = ProgramFactory(slug="barrios-en-red")
    sectors = [Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE, Sector.THIRD_SECTOR]
    orgs = [ActorFactory(program=program, sector=sectors[n % 4]) for n in range(11)]
    aromos = ActorFactory(program=program, name=AROMOS)
    aromos_rep = representative_of(aromos)
    for org in orgs:
        representative_of(org)
    coordinator = coordinator_of(program)

    demo_agendas(
        program, coordinator=coordinator, today=datetime.date(2026, 11, 1), rng=random.Random(7)
    )

    published = ReflectionSpace.objects.get(title="Agenda social Valparaíso 2027")
    assert published.status == SpaceStatus.PUBLISHED
    assert published.sessions.count() == 3
    assert published.participants.count() == 8
    assert published.items.count() == 20
    assert published.groups.count() == 5
    assert not published.items.filter(group=None).exists()
    assert {t.transition for i in published.items.all() for t in i.transitions.all()} == {
        "social",
        "democratic",
        "ecological",
        "digital",
    }
    assert all(g.comments.count() == 2 for g in published.groups.all())
    assert published.inputs.count() == 8
    assert len(published.result["order"]) == 5
    assert published.agenda_intro
    assert published.endorsements.count() == 4
    assert not published.participants.filter(actor=aromos).exists()

    open_space = ReflectionSpace.objects.exclude(pk=published.pk).get()
    assert open_space.status == SpaceStatus.COLLECTING
    assert open_space.open_to_join
    assert not open_space.participants.filter(actor=aromos).exists()
    assert aromos_rep.has_perm("cooperation.join_space", open_space)
    assert open_space.items.count() == 3

    assert AuditEntry.objects.filter(action="cooperation.agenda_publish").count() == 1
    assert Tie.objects.count() == 0


def test_demo_agendas_with_too_few_entities_does_nothing():
    program = ProgramFactory()
    demo_agendas(
        program,
        coordinator=coordinator_of(program),
        today=datetime.date(2026, 11, 1),
        rng=random.Random(1),
    )
    assert not ReflectionSpace.objects.exists()
