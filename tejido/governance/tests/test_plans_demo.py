# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The demo's improvement plan, on factory data: drafted with the body's organizations,
approved by the seats present at a held meeting, followed up, and its unfunded actions on the
next meeting's agenda."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory
from tejido.actors.models import Sector
from tejido.core.text import normalize_for_search
from tejido.dashboards.demo.governance.needs import TERRITORY_NEEDS, demo_needs
from tejido.dashboards.demo.governance.plans import (
    GENERIC,
    OBJECTIVES,
    TERRITORY_PLANS,
    demo_plan,
    plan_for,
)
from tejido.governance.decisions.selectors import poll_passed
from tejido.governance.models import (
    ActionProgress,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    FundingStatus,
    MeetingStatus,
    Need,
    NeedStatus,
    PlanAction,
    PlanStatus,
    PrioritizationMethod,
    PrioritizationSession,
    SessionStatus,
)

from .factories import AttendanceFactory, MeetingFactory, NeedFactory, body_with_seats
from .test_needs_support import make_world

pytestmark = pytest.mark.django_db

# Needs of the generic neighbourhood (the factory territory is none of the demo's places).
NEED_TITLES = (
    "Luminarias apagadas en el pasaje principal",
    "Falta de actividades para jóvenes en las tardes",
    "Atención de salud mental en el CESFAM",
    "Microbasurales en el sitio eriazo del sector",
    "Perros abandonados en la multicancha",
    "Veredas quebradas camino a la feria",
)


def demo_world(*, absent: int = 2):
    """A directorate with nine seats, four held meetings over the past year (the prioritization
    at the third), one coming meeting, and a closed session with its top four needs."""
    sectors = (
        *(Sector.COMMUNITY,) * 5,
        Sector.PUBLIC,
        Sector.PUBLIC,
        Sector.PRIVATE,
        Sector.THIRD_SECTOR,
    )
    body, mandates = body_with_seats(sectors=sectors)
    now = timezone.now()
    held = [
        MeetingFactory(
            body=body,
            status=MeetingStatus.HELD,
            starts_at=now - datetime.timedelta(days=days),
        )
        for days in (300, 220, 150, 90)
    ]
    for meeting in held:
        for index, mandate in enumerate(mandates):
            AttendanceFactory(
                meeting=meeting,
                mandate=mandate,
                organization=mandate.organization,
                status=AttendanceStatus.ABSENT if index < absent else AttendanceStatus.PRESENT,
            )
    coming = MeetingFactory(body=body, starts_at=now + datetime.timedelta(days=12))
    later = MeetingFactory(body=body, starts_at=now + datetime.timedelta(days=40))
    needs = [
        NeedFactory(program=body.program, territory=body.territory, title=title)
        for title in NEED_TITLES
    ]
    top = needs[1:5]
    Need.objects.filter(pk__in=[n.pk for n in top]).update(status=NeedStatus.PRIORITIZED)
    session = PrioritizationSession.objects.create(
        program=body.program,
        territory=body.territory,
        body=body,
        meeting=held[2],
        title="Priorización 2025",
        method=PrioritizationMethod.HANLON,
        status=SessionStatus.CLOSED,
        closed_at=held[2].ends_at,
        result={"prioritized": [n.pk for n in top]},
    )
    session.needs.set(needs[1:])
    coordinator = ProgramRoleFactory(program=body.program, role=Role.COORDINATOR).user
    return body, mandates, [*held, coming, later], session, needs, coordinator


def test_the_demo_plan_is_approved_followed_up_and_defers_what_lacks_money(client):
    body, mandates, meetings, session, _needs, coordinator = demo_world()
    today = timezone.localdate()
    plan = demo_plan(body, session, meetings, coordinator=coordinator, today=today)

    vote_meeting = meetings[3]  # the first held after the prioritization
    assert plan.status == PlanStatus.APPROVED
    assert plan.title == (
        f"Plan de Mejoramiento Comunitario {body.territory.name} {vote_meeting.starts_at.year}"
    )
    assert plan.currency == "CLP"
    poll = plan.approval_poll
    assert poll.meeting == vote_meeting and poll_passed(poll)
    assert poll.receipts.count() == len(mandates) - 2  # the seats present voted
    assert plan.approved_at == poll.closed_at
    assert poll.closed_at.date() == vote_meeting.starts_at.date()

    objectives = list(plan.objectives.prefetch_related("lines__actions", "needs"))
    assert [o.title for o in objectives] == [o.title for o in OBJECTIVES]
    for objective in objectives:
        lines = list(objective.lines.all())
        assert len(lines) == 2
        assert all(2 <= len(line.actions.all()) <= 3 for line in lines)
    # Each objective addresses the prioritized needs of its theme.
    addressed = {o.title: {n.title for n in o.needs.all()} for o in objectives}
    assert NEED_TITLES[1] in addressed["Juventud y participación comunitaria"]
    assert NEED_TITLES[2] in addressed["Salud y cuidados comunitarios"]
    assert {NEED_TITLES[3], NEED_TITLES[4]} <= addressed["Espacios públicos seguros e iluminados"]
    statuses = dict(Need.objects.values_list("title", "status"))
    assert all(statuses[t] == NeedStatus.IN_PLAN for t in NEED_TITLES[1:5])

    actions = list(
        PlanAction.objects.filter(line__objective__plan=plan).prefetch_related("partners")
    )
    organizations = {m.organization_id for m in mandates}
    assert all(a.responsible_id in organizations for a in actions)
    assert all({p.pk for p in a.partners.all()} <= organizations for a in actions)
    assert all(a.responsible_id not in {p.pk for p in a.partners.all()} for a in actions)
    lighting = next(a for a in actions if a.title.startswith("Recambio de luminarias"))
    assert lighting.budget == Decimal(4_500_000)
    assert lighting.responsible.sector == Sector.PUBLIC
    assert lighting.status == ActionStatus.DONE
    assert lighting.current_value == lighting.target
    assert ActionProgress.objects.filter(action__line__objective__plan=plan).count() >= 8
    assert all(p.recorded_on <= today for p in ActionProgress.objects.filter(action=lighting))

    # What lacks money is on the next meeting's agenda, once.
    waiting = [
        a
        for a in actions
        if a.funding_status != FundingStatus.FUNDED
        and a.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)
    ]
    assert waiting
    assert all(a.status == ActionStatus.DEFERRED for a in waiting)
    items = AgendaItem.objects.filter(kind=AgendaItemKind.PLAN, carried_over=True)
    assert {i.plan_action_id for i in items} == {a.pk for a in waiting}
    assert {i.meeting_id for i in items} == {meetings[4].pk}

    # The plan's page shows it to the public.
    response = client.get(reverse("governance:plan", args=[body.program.slug, plan.pk]))
    assert response.status_code == 200
    assert plan.title in response.content.decode()


def test_the_demo_is_deterministic_and_votes_online_without_held_meetings():
    body, _mandates, meetings, session, _needs, coordinator = demo_world()
    today = timezone.localdate()
    coming = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
    plan = demo_plan(body, session, coming, coordinator=coordinator, today=today)
    assert plan.status == PlanStatus.APPROVED
    assert plan.approval_poll.meeting is None
    budgets = list(
        PlanAction.objects.filter(line__objective__plan=plan)
        .order_by("line__objective__position", "line__position", "position")
        .values_list("title", "budget", "funded_amount")
    )
    assert len(budgets) == sum(len(line.actions) for o in OBJECTIVES for line in o.lines)
    # The same body, loaded again in a fresh program, gives the same plan.
    body2, _m2, meetings2, session2, _n2, coordinator2 = demo_world()
    body2.name = body.name
    body2.save()
    coming2 = [m for m in meetings2 if m.status == MeetingStatus.SCHEDULED]
    plan2 = demo_plan(body2, session2, coming2, coordinator=coordinator2, today=today)
    assert budgets == list(
        PlanAction.objects.filter(line__objective__plan=plan2)
        .order_by("line__objective__position", "line__position", "position")
        .values_list("title", "budget", "funded_amount")
    )


def test_without_quorum_the_demo_plan_stays_a_draft():
    body, _mandates, meetings, session, _needs, coordinator = demo_world(absent=7)
    plan = demo_plan(body, session, meetings, coordinator=coordinator, today=timezone.localdate())
    assert plan.status == PlanStatus.DRAFT
    assert poll_passed(plan.approval_poll) is False
    assert not AgendaItem.objects.filter(kind=AgendaItemKind.PLAN).exists()


def test_each_territory_s_plan_addresses_each_of_its_needs():
    """Whatever the seats prioritize, some objective of the territory's own plan takes it up."""
    assert set(TERRITORY_PLANS) == set(TERRITORY_NEEDS)
    for slug, plan in TERRITORY_PLANS.items():
        assert len(plan.objectives) == 3
        for objective in plan.objectives:
            assert len(objective.lines) == 2
            assert all(2 <= len(line.actions) <= 3 for line in objective.lines)
            assert all(
                0 <= a.funded_share <= 1 and a.budget > 0
                for line in objective.lines
                for a in line.actions
            )
        for need in TERRITORY_NEEDS[slug]:
            if not need.in_session:
                continue
            text = normalize_for_search(need.title, need.description)
            assert any(
                any(word in text for word in objective.keywords) for objective in plan.objectives
            ), (slug, need.title)
    # Each plan is its own: no objective or action title is shared between territories.
    titles: dict[str, str] = {}
    for slug, plan in TERRITORY_PLANS.items():
        for objective in plan.objectives:
            for line in objective.lines:
                for action in line.actions:
                    if action.title in titles:
                        # Only generic methods may repeat, never a place's own works.
                        assert action.title.startswith("Monitores comunitarios"), action.title
                    titles.setdefault(action.title, slug)
    yungay = {o.title for o in TERRITORY_PLANS["barrio-yungay"].objectives}
    ligua = {o.title for o in TERRITORY_PLANS["la-ligua"].objectives}
    assert not yungay & ligua


def test_the_demo_plan_of_a_real_territory_follows_its_prioritized_needs():
    world = make_world(needs=0, seats=7)
    world.barrio.slug, world.barrio.name = "san-bernardo", "San Bernardo"
    world.barrio.save()
    assert plan_for(world.barrio) is TERRITORY_PLANS["san-bernardo"]
    assert plan_for(world.comuna) is GENERIC
    now = timezone.now()
    held = [
        MeetingFactory(
            body=world.body,
            status=MeetingStatus.HELD,
            starts_at=now - datetime.timedelta(days=days),
        )
        for days in (200, 120, 60)
    ]
    today = timezone.localdate()
    session = demo_needs(world.body, held[:2], coordinator=world.coordinator, today=today)
    plan = demo_plan(world.body, session, held, coordinator=world.coordinator, today=today)

    assert plan.status == PlanStatus.APPROVED
    assert plan.title.startswith("Plan de Mejoramiento Comunitario San Bernardo ")
    assert "tren y la industria" in plan.purpose
    objectives = list(plan.objectives.prefetch_related("needs", "lines__actions"))
    assert [o.title for o in objectives] == [
        o.title for o in TERRITORY_PLANS["san-bernardo"].objectives
    ]
    actions = [a.title for o in objectives for line in o.lines.all() for a in line.actions.all()]
    assert "Paso peatonal con barreras en la población Calderón" in actions
    assert not any("Los Aromos" in title or "Recambio de luminarias" in title for title in actions)
    # Every need the seats prioritized is in the plan, under an objective of its theme.
    prioritized = {int(pk) for pk in session.result["prioritized"]}
    addressed = {n.pk for o in objectives for n in o.needs.all()}
    assert len(prioritized) == 5 and prioritized <= addressed
    assert set(Need.objects.filter(pk__in=prioritized).values_list("status", flat=True)) == {
        NeedStatus.IN_PLAN
    }
