# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The consortia demo: a won tender with its ties and a forming call with a pending invitation."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import Consortium, ConsortiumStatus, MemberStatus
from tejido.dashboards.demo.cooperation.consortia import demo_consortia
from tejido.network.models import Provenance, Tie, TieType

from .factories import coordinator_of

pytestmark = pytest.mark.django_db


def test_demo_makes_a_won_and_a_forming_consortium(client, program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sectors = [Sector.THIRD_SECTOR, Sector.COMMUNITY, Sector.PUBLIC, Sector.ACADEMIA]
    for n in range(8):
        ActorFactory(program=program, sector=sectors[n % len(sectors)])
    aromos = ActorFactory(program=program, name="Junta de Vecinos Villa Los Aromos del Sur")
    coordinator = coordinator_of(program)
    demo_consortia(
        program, coordinator=coordinator, today=timezone.localdate(), rng=random.Random(7)
    )
    won = Consortium.objects.get(status=ConsortiumStatus.WON)
    forming = Consortium.objects.get(status=ConsortiumStatus.FORMING)
    joined = won.members.filter(status=MemberStatus.JOINED)
    assert joined.count() == 4 and joined.filter(suggested=True).count() == 3
    assert won.lots.count() == 3 and won.documents.count() == 1
    assert not won.checklist.filter(done_at__isnull=True).exists()
    pairs = 4 * 3 // 2
    ties = Tie.objects.current().filter(provenance=Provenance.CONSORTIUM)
    assert ties.filter(tie_type=TieType.COLLABORATION).count() == pairs
    assert ties.filter(tie_type=TieType.AGREEMENT).count() == pairs
    assert forming.open_to_partners and forming.sectors_wanted == ["public", "academia"]
    assert forming.checklist.filter(done_at__isnull=True).count() == 3
    invitation = forming.members.get(actor=aromos)
    assert invitation.status == MemberStatus.INVITED
    client.force_login(coordinator)
    for consortium in (won, forming):
        url = reverse("cooperation:consortium", args=[program.slug, consortium.pk])
        assert client.get(url).status_code == 200
