# mypy: disable-error-code="attr-defined,arg-type"
"""The demo's grants as open data: after the demo's follow-up (payments made, milestones, a
completed grant), the call's 360Giving package is valid and tells what the demo did."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Theme
from tejido.dashboards.demo.funds import load_funds
from tejido.dashboards.demo.funds.awards import demo_follow_up
from tejido.funds import giving360
from tejido.funds.models import Award, BudgetCategory, CallStatus
from tejido.funds.opendata.selectors import open_data_awards
from tejido.funds.pabulib import read_pb

from .factories import BudgetLineFactory
from .factories_awards import funded_world
from .factories_calls import call_world
from .test_giving360 import errors_of

pytestmark = pytest.mark.django_db


def demo_call() -> object:
    now = timezone.now()
    world = funded_world(
        amounts=("2400000", "1800000", "3000000", "1200000"),
        slug="fondo-barrial-2026",
        opens_at=now - datetime.timedelta(days=100),
        closes_at=now - datetime.timedelta(days=60),
    )
    for application in world.applications[1:]:
        for position, category in enumerate(
            [BudgetCategory.WORKS, BudgetCategory.DISSEMINATION, BudgetCategory.PERSONNEL]
        ):
            BudgetLineFactory(
                application=application,
                position=position,
                category=category,
                amount=application.requested_amount / 3,
            )
    demo_follow_up(world.call, coordinator=world.coordinator, today=timezone.localdate())
    world.call.status = CallStatus.RESULTS_PUBLISHED
    world.call.save()
    return world


def test_the_demo_grants_validate_and_tell_the_follow_up() -> None:
    world = demo_call()
    call = world.call
    response = Client().get(
        reverse("funds:opendata_call_360giving", args=[call.program.slug, call.pk])
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert errors_of(data) == []
    awards = {a.identifier: a for a in Award.objects.filter(application__call=call)}
    assert {g["id"] for g in data["grants"]} == set(awards)
    for grant in data["grants"]:
        award = awards[grant["id"]]
        assert grant["id"].startswith("360G-tejido-")
        assert grant["amountAwarded"] == int(award.amount)
        paid = sum(d.amount for d in award.disbursements.all() if d.paid_on)
        assert Decimal(grant["amountDisbursed"]) == paid
        # The call names its funder: the grants say who paid.
        assert grant["fundingOrganization"][0]["name"] == "Fundación Barrios"
    # The completed grant was paid in full; the others got their first payment at most.
    assert any(g["amountDisbursed"] == g["amountAwarded"] for g in data["grants"])
    grants = giving360.grants_for_awards(open_data_awards([call]))
    assert len(giving360.csv_rows(grants).splitlines()) == len(awards) + 1


def test_the_whole_funds_demo_publishes_valid_open_data() -> None:
    world = call_world(plans=3)
    for number, comuna in enumerate(world.territories[1:] * 6):
        ActorFactory(
            program=world.program,
            name=f"Junta de Vecinos {number + 1} de {comuna.name}",
            territory=comuna,
            sector=Sector.COMMUNITY,
        )
    ActorFactory(
        program=world.program, name="Fundación Tejer Comunidad", sector=Sector.THIRD_SECTOR
    )
    for slug, name in (("seguridad", "Seguridad comunitaria"), ("infancia", "Infancia y juventud")):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    summary = load_funds(world.program, coordinator=world.coordinator, today=timezone.localdate())
    decided = summary.calls[0]
    decided.refresh_from_db()
    assert decided.status == CallStatus.RESULTS_PUBLISHED and summary.awards > 0
    client = Client()
    slug = world.program.slug
    data = json.loads(
        client.get(reverse("funds:opendata_call_360giving", args=[slug, decided.pk])).content
    )
    assert errors_of(data) == []
    assert len(data["grants"]) == summary.awards
    pb = read_pb(
        client.get(reverse("funds:opendata_call_pb", args=[slug, decided.pk])).content.decode()
    )
    funded = {p.project_id for p in pb.projects if p.selected == 1}
    assert len(funded) == summary.awards
    assert all(p.score is not None for p in pb.projects)
    program_data = json.loads(
        client.get(reverse("funds:opendata_program_360giving", args=[slug])).content
    )
    assert errors_of(program_data) == [] and len(program_data["grants"]) == summary.awards
