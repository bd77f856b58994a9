# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The calls demo: a closed neighbourhood fund and an open youth fund, published through the
services, deterministic, and shown by the calls pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry, Theme
from tejido.core.text import normalize_for_search
from tejido.dashboards.demo.funds.calls import demo_calls
from tejido.funds.models import CallPhase, CallStatus, QuotaKind

from .factories_calls import approved_plan, call_world

pytestmark = pytest.mark.django_db


def demo_world():
    world = call_world(plans=3)
    plan = world.plans[0]
    plan.objectives.create(position=5, title="Juventud y participación comunitaria")
    ActorFactory(program=world.program, name="Junta de Vecinos Villa Esperanza")
    funder = ActorFactory(
        program=world.program, name="Fundación Tejer Comunidad", sector=Sector.THIRD_SECTOR
    )
    for slug, name in (("seguridad", "Seguridad comunitaria"), ("infancia", "Infancia y juventud")):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    return world, funder


def test_the_demo_publishes_a_closed_and_an_open_call():
    world, funder = demo_world()
    today = timezone.localdate()
    closed, open_call = demo_calls(world.program, coordinator=world.coordinator, today=today)

    assert closed.title == f"Fondo Barrial {(today - datetime.timedelta(days=61)).year}"
    assert closed.status == CallStatus.PUBLISHED and closed.phase() == CallPhase.EVALUATION
    assert (timezone.localdate() - timezone.localtime(closed.closes_at).date()).days == 61
    assert (closed.budget, closed.min_grant, closed.max_grant) == (
        Decimal(60_000_000),
        Decimal(1_000_000),
        Decimal(6_000_000),
    )
    assert closed.currency == "CLP" and closed.funder == funder
    criteria = list(closed.criteria.all())
    assert 3 <= len(criteria) <= 4
    assert [c.name for c in criteria if c.minimum is not None] == ["Participación comunitaria"]
    minimums = closed.quotas.filter(kind=QuotaKind.MINIMUM)
    assert {q.territory for q in minimums} == {p.territory for p in world.plans}
    assert closed.quotas.filter(kind=QuotaKind.MAXIMUM, theme__slug="seguridad").exists()
    served = list(closed.objectives.all())
    assert 2 <= len(served) <= 3 and len({o.plan_id for o in served}) == len(served)
    assert closed.created_at < closed.opens_at

    assert open_call.title == "Fondo de Iniciativas Juveniles"
    assert open_call.phase() == CallPhase.OPEN
    days_left = (timezone.localtime(open_call.closes_at).date() - today).days
    assert days_left == 21
    for objective in open_call.objectives.all():
        assert any(w in normalize_for_search(objective.title) for w in ("juventud", "jovenes"))
    assert open_call.criteria.count() == 3
    assert open_call.quotas.get().theme.slug == "infancia"

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"funds.call.create", "funds.call.publish", "funds.quota.create"} <= actions


def test_the_demo_is_deterministic():
    picks = []
    for _ in range(2):
        world, _funder = demo_world()
        closed, open_call = demo_calls(
            world.program, coordinator=world.coordinator, today=timezone.localdate()
        )
        picks.append(
            (
                [o.title for o in closed.objectives.order_by("plan__territory__name")],
                [o.title for o in open_call.objectives.order_by("plan__territory__name")],
                sorted(str(q.share) for q in closed.quotas.all()),
            )
        )
    assert picks[0] == picks[1]


def test_the_demo_works_without_a_foundation_or_themes_and_its_pages_show(client):
    world = call_world(plans=1)
    approved_plan(world.program, world.territories[0], objectives=("Plazas vivas",))
    closed, open_call = demo_calls(
        world.program, coordinator=world.coordinator, today=timezone.localdate()
    )
    assert closed.funder is None and not open_call.quotas.exists()
    hub = client.get(reverse("funds:hub", args=[world.program.slug])).content.decode()
    assert closed.title in hub and open_call.title in hub
    page = client.get(reverse("funds:call", args=[world.program.slug, closed.pk]))
    assert page.status_code == 200
    assert "Participación comunitaria" in page.content.decode()
