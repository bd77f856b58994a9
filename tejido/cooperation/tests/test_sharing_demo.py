# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The shared services part of the demo: runs on a small program and fills the pages."""

from __future__ import annotations

import datetime
import random

import pytest
from django.urls import reverse

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import AgreementStatus, ListingKind, ServiceAgreement, ServiceListing
from tejido.cooperation.sharing.selectors import matches_for
from tejido.dashboards.demo.cooperation.sharing import AROMOS, demo_sharing
from tejido.network.models import Provenance, Tie

from .factories import coordinator_of, representative_of

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_catalogue_agreements_and_the_demo_entity(client, program):
    aromos = ActorFactory(program=program, name=AROMOS)
    rep = representative_of(aromos)
    for n, sector in enumerate(Sector.values * 2):
        ActorFactory(program=program, name=f"Organización {n}", sector=sector)
    coordinator = coordinator_of(program)
    demo_sharing(
        program, coordinator=coordinator, today=datetime.date.today(), rng=random.Random(7)
    )
    listings = ServiceListing.objects.filter(program=program)
    assert listings.filter(kind=ListingKind.OFFER).count() >= 30
    assert listings.filter(kind=ListingKind.NEED).count() >= 25
    assert len(set(listings.values_list("category", flat=True))) == 10
    agreements = ServiceAgreement.objects.filter(program=program)
    assert 6 <= agreements.count() <= 8
    assert agreements.filter(status=AgreementStatus.AGREED).count() >= 3
    assert agreements.filter(status=AgreementStatus.DECLINED).count() == 1
    assert Tie.objects.filter(provenance=Provenance.SHARED_SERVICE).count() >= 3
    need = listings.get(actor=aromos, kind=ListingKind.NEED)
    assert need.is_open
    assert matches_for(need)
    pending = agreements.filter(status=AgreementStatus.REQUESTED)
    assert pending.filter(receiver=aromos).exists()
    assert pending.filter(provider=aromos).exists()
    client.force_login(rep)
    page = client.get(reverse("cooperation:service", args=[program.slug, need.pk]))
    assert "Request this service" in page.content.decode()
    sent = pending.get(receiver=aromos)
    assert (
        client.get(reverse("cooperation:agreement", args=[program.slug, sent.pk])).status_code
        == 200
    )


def test_the_demo_does_nothing_without_entities(program):
    demo_sharing(
        program,
        coordinator=coordinator_of(program),
        today=datetime.date.today(),
        rng=random.Random(7),
    )
    assert not ServiceListing.objects.exists()
