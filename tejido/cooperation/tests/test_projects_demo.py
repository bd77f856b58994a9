# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The projects part of the demo: runs on a small program and creates what the pages need."""

from __future__ import annotations

import random
import time

import pytest
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import JointProject, Transfer, TransferOffer
from tejido.dashboards.demo.cooperation.projects import AROMOS, demo_projects
from tejido.network.models import Provenance, Tie

from .factories import ProgramFactory, coordinator_of, representative_of

pytestmark = pytest.mark.django_db


def test_demo_projects_creates_projects_offers_transfers_and_ties():
    program = ProgramFactory()
    sectors = [
        Sector.THIRD_SECTOR,
        Sector.PUBLIC,
        Sector.ACADEMIA,
        Sector.COMMUNITY,
        Sector.THIRD_SECTOR,
        Sector.PUBLIC,
        Sector.ACADEMIA,
        Sector.THIRD_SECTOR,
        Sector.PRIVATE,
    ]
    actors = [ActorFactory(program=program, sector=s) for s in sectors]
    receivers = [ActorFactory(program=program, sector=Sector.COMMUNITY) for _ in range(3)]
    aromos = ActorFactory(program=program, name=AROMOS, sector=Sector.COMMUNITY)
    for actor in [*receivers, aromos, actors[0]]:
        representative_of(actor)
    coordinator = coordinator_of(program)
    started = time.monotonic()
    demo_projects(
        program, coordinator=coordinator, today=timezone.localdate(), rng=random.Random(1)
    )
    assert time.monotonic() - started < 3
    projects = {p.status: p for p in JointProject.objects.filter(program=program)}
    assert set(projects) == {"running", "planned"}
    assert projects["running"].partners.count() == 4
    assert projects["running"].currency == "CLP"
    assert Tie.objects.current().filter(provenance=Provenance.JOINT_PROJECT).count() == 6
    assert TransferOffer.objects.filter(program=program).count() == 3
    states = sorted(Transfer.objects.filter(program=program).values_list("status", flat=True))
    assert states == ["agreed", "completed", "completed", "requested"]
    assert Transfer.objects.get(status="requested").receiver == aromos
    for transfer in Transfer.objects.filter(status="completed"):
        assert transfer.tie is not None and transfer.tie.provenance == Provenance.TRANSFER
        assert transfer.completed_on <= timezone.localdate()


def test_demo_projects_does_nothing_on_an_almost_empty_program():
    program = ProgramFactory()
    ActorFactory(program=program)
    demo_projects(
        program,
        coordinator=coordinator_of(program),
        today=timezone.localdate(),
        rng=random.Random(1),
    )
    assert JointProject.objects.count() == 0
