# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Plan pages: who sees and does what (anonymous, visitor, organization representative,
directorate member, seat holder, coordinator, superuser; public and private programs; draft and
approved plans), the editors with and without htmx, progress, submission, approval, deferral,
people's privacy, and the number of queries of the plan page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import PersonFactory, RepresentativeFactory
from tejido.governance.models import (
    ActionStatus,
    AgendaItem,
    FundingStatus,
    MeetingStatus,
    Objective,
    Plan,
    PlanAction,
    PlanStatus,
)
from tejido.governance.plans import services

from .factories import MeetingFactory
from .test_plans_services import World, approve, make_world, vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = (
    "anonymous",
    "visitor",
    "representative",
    "directorate",
    "seat_holder",
    "coordinator",
    "superuser",
)


def login_as(client, world: World, who: str):
    """Log in one of the people of the matrix; returns the user (None for anonymous)."""
    if who == "anonymous":
        return None
    if who == "coordinator":
        user = world.coordinator
    elif who == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    elif who == "seat_holder":
        user = world.mandates[0].holder_user  # holds a seat of the plan's body, no role
    else:
        user = UserFactory()
        if who == "representative":
            ProgramRoleFactory(
                user=user, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE
            )
            RepresentativeFactory(user=user, organization=world.actions[0].responsible)
        elif who == "directorate":
            ProgramRoleFactory(user=user, program=world.program, role=Role.DIRECTORATE_MEMBER)
    client.force_login(user)
    return user


def plan_url(world: World, name: str = "governance:plan", *args) -> str:
    return reverse(name, args=[world.program.slug, world.plan.pk, *args])


def status_of(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "login"
    return response.status_code


# -- who sees what ----------------------------------------------------------------------------

EXPECTED_VIEW = {
    # (program public, plan approved): anonymous, visitor, rep, directorate, seat, coord, super
    (True, True): (200, 200, 200, 200, 200, 200, 200),
    (True, False): ("login", 404, 200, 200, 200, 200, 200),
    (False, True): ("login", 404, 200, 200, 404, 200, 200),
    (False, False): ("login", 404, 200, 200, 404, 200, 200),
}


@pytest.mark.parametrize(("public", "approved"), list(EXPECTED_VIEW))
@pytest.mark.parametrize("who", ROLES)
def test_who_sees_the_plan_page(client, public, approved, who):
    world = make_world(public=public)
    if approved:
        approve(world)
    login_as(client, world, who)
    response = client.get(plan_url(world))
    assert status_of(response) == EXPECTED_VIEW[(public, approved)][ROLES.index(who)]
    if response.status_code == 200:
        assert world.plan.title in response.content.decode()


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("who", ROLES)
def test_the_list_shows_drafts_to_members_only(client, public, who):
    world = make_world(public=public)
    approved = make_world(program=world.program)
    approve(approved)
    login_as(client, world, who)
    response = client.get(reverse("governance:plans", args=[world.program.slug]))
    if not public and who in ("anonymous", "visitor", "seat_holder"):
        assert status_of(response) == ("login" if who == "anonymous" else 404)
        return
    assert response.status_code == 200
    links = re.findall(r'href="/p/[^"]+/governance/plans/(\d+)/"', response.content.decode())
    member = who in ("representative", "directorate", "coordinator", "superuser")
    expected = {approved.plan.pk, world.plan.pk} if member else {approved.plan.pk}
    assert {int(pk) for pk in links} == expected
    assert ("New plan" in response.content.decode()) == (who in ("coordinator", "superuser"))


EDITOR_EXPECTED = ("login", 404, 403, 403, 403, 200, 200)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "name",
    [
        "governance:plan_edit",
        "governance:plan_objective_add",
        "governance:plan_submit",
    ],
)
def test_only_coordinators_open_the_editors(client, who, name):
    world = make_world()
    login_as(client, world, who)
    response = client.get(plan_url(world, name))
    assert status_of(response) == EDITOR_EXPECTED[ROLES.index(who)]


@pytest.mark.parametrize("who", ROLES)
def test_only_coordinators_change_the_plan(client, who):
    world = make_world()
    login_as(client, world, who)
    response = client.post(plan_url(world, "governance:plan_objective_add"), {"title": "Nuevo"})
    assert status_of(response) == ("login", 404, 403, 403, 403, 302, 302)[ROLES.index(who)]
    assert world.plan.objectives.filter(title="Nuevo").exists() == (
        who in ("coordinator", "superuser")
    )


PROGRESS_EXPECTED = ("login", 403, 200, 403, 403, 200, 200)


@pytest.mark.parametrize("who", ROLES)
def test_progress_is_reported_by_coordinators_and_the_responsible_organization(client, who):
    world = make_world()
    approve(world)
    action = world.actions[0]
    login_as(client, world, who)
    url = plan_url(world, "governance:plan_action_progress", action.pk)
    assert status_of(client.get(url)) == PROGRESS_EXPECTED[ROLES.index(who)]
    response = client.post(
        url, {"value": "17", "note": "Avance", "recorded_on": timezone.localdate().isoformat()}
    )
    allowed = PROGRESS_EXPECTED[ROLES.index(who)] == 200
    assert response.status_code == (302 if allowed else 403 if who != "anonymous" else 302)
    action.refresh_from_db()
    assert (action.current_value == Decimal(17)) == allowed


# -- the page ---------------------------------------------------------------------------------


def test_the_approved_page_reads_like_the_plan(client):
    world = make_world()
    meeting = MeetingFactory(body=world.body, title="Sesión ordinaria de marzo")
    vote(
        world,
        services.plan_submit_for_approval(user=world.coordinator, plan=world.plan, meeting=meeting),
    )
    services.plan_approve(user=world.coordinator, plan=world.plan)
    world.plan.refresh_from_db()
    services.action_progress_record(user=world.coordinator, action=world.actions[0], value=20)
    with translation.override("es"):
        response = client.get(plan_url(world), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    poll_url = reverse("governance:poll", args=[world.program.slug, world.plan.approval_poll_id])
    assert f'href="{poll_url}"' in html
    assert world.body.name in html
    assert "Sesión ordinaria de marzo" in html
    # Amounts with the Spanish grouping (a non-breaking space), not the English comma.
    assert "$3\u00a0000\u00a0000" in html  # an action's budget
    assert "$9\u00a0000\u00a0000" in html  # the plan's total
    assert "3,000,000" not in html
    assert "50%" in html  # 10 → 20 of 30: half the way
    assert "Objetivo 1" in html and "Línea 1" in html and "Acción 3" in html
    assert world.needs[0].title in html
    assert 'class="action-status action-status-in_progress"' in html
    assert "Record the approval" not in html and "Registrar" not in html
    # Anonymous visitors get no editing controls.
    assert "Add an objective" not in html and "Agregar" not in html


def test_people_are_shown_only_to_those_who_may_see_them(client):
    world = make_world()
    person = PersonFactory(program=world.program, name="Rosa Quispe")
    action = world.actions[1]
    services.action_update(
        user=world.coordinator,
        action=action,
        responsible=person,
        partners=[world.orgs[0], PersonFactory(program=world.program, name="Juan Soto")],
    )
    approve(world)
    html = client.get(plan_url(world)).content.decode()
    assert "Rosa Quispe" not in html and "Juan Soto" not in html
    assert "A person (names are shown to the program" in html
    assert "and 1 person" in html
    assert world.orgs[0].name in html
    login_as(client, world, "directorate")
    html = client.get(plan_url(world)).content.decode()
    assert "Rosa Quispe" in html and "Juan Soto" in html


def test_a_draft_shows_the_editors_to_coordinators(client):
    world = make_world()
    login_as(client, world, "coordinator")
    html = client.get(plan_url(world)).content.decode()
    assert "Add an objective" in html
    assert "Submit for approval" in html
    assert plan_url(world, "governance:plan_action_edit", world.actions[0].pk) in html
    assert "Draft: the" in html


def count_page_queries(client, world: World) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(plan_url(world))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "coordinator", "representative"])
def test_the_plan_page_queries_do_not_grow_with_actions(client, who):
    small, large = make_world(actions=3), make_world(actions=40)
    counts = []
    for world in (small, large):
        approve(world)
        for action in world.actions[:3]:
            services.action_progress_record(user=world.coordinator, action=action, value=15)
        client.logout()
        login_as(client, world, who)
        counts.append(count_page_queries(client, world))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts


def test_the_list_queries_do_not_grow_with_plans(client, django_assert_max_num_queries):
    world = make_world(actions=2)
    login_as(client, world, "coordinator")
    url = reverse("governance:plans", args=[world.program.slug])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        make_world(program=world.program, actions=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


# -- editors ----------------------------------------------------------------------------------


def test_a_coordinator_creates_a_plan_and_fixes_errors_at_the_field(client):
    world = make_world()
    login_as(client, world, "coordinator")
    url = reverse("governance:plan_create", args=[world.program.slug])
    assert client.get(url).status_code == 200
    cycle = world.program.cycles.order_by("number").last()
    data = {
        "title": "Plan 2027",
        "territory": world.territory.pk,
        "body": world.body.pk,
        "cycle": cycle.pk,
        "purpose": "",
        "currency": "CLP",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, data | {"purpose": "Un barrio con más vida"})
    plan = Plan.objects.get(title="Plan 2027")
    assert (
        response["Location"]
        == reverse("governance:plan", args=[world.program.slug, plan.pk]) + "#outline"
    )
    assert (plan.body, plan.cycle, plan.status) == (world.body, cycle, PlanStatus.DRAFT)


def test_objectives_are_added_inline_with_htmx_and_without(client):
    world = make_world()
    login_as(client, world, "coordinator")
    url = plan_url(world, "governance:plan_objective_add")
    partial = client.get(url, **HTMX)
    html = partial.content.decode()
    assert "<html" not in html
    assert 'hx-post="' + url + '"' in html
    assert 'id="editor-new-objective"' in html
    assert world.needs[0].title in html  # the territory's needs to choose from
    # An error comes back in place (200 so htmx swaps it), naming the field.
    error = client.post(url, {"title": " "}, **HTMX)
    assert error.status_code == 200
    assert "errorlist" in error.content.decode()
    saved = client.post(url, {"title": "Salud comunitaria", "needs": [world.needs[2].pk]}, **HTMX)
    assert saved["HX-Retarget"] == "#plan-body"
    assert "Salud comunitaria" in saved.content.decode()
    assert "Objective added." in saved.content.decode()
    assert Objective.objects.get(title="Salud comunitaria").needs.get() == world.needs[2]
    # Without JavaScript: a page, then a redirect back to the plan.
    page = client.get(url)
    assert "<html" in page.content.decode()
    response = client.post(url, {"title": "Cultura"})
    assert response.status_code == 302
    assert response["Location"].endswith("#outline")


def test_an_action_is_added_with_localized_amounts(client):
    world = make_world()
    login_as(client, world, "coordinator")
    url = plan_url(world, "governance:plan_action_add", world.lines[0].pk)
    data = {
        "title": "Taller de murales",
        "responsible": world.orgs[0].pk,
        "partners": [world.orgs[1].pk, world.orgs[2].pk],
        "budget": "4.500.000",
        "funded_amount": "1.000.000",
        "term": "medium",
        "status": "planned",
        "indicator": "Murales pintados",
        "unit": "murales",
        "baseline": "0",
        "target": "6",
    }
    with translation.override("es"):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302, response.content.decode()[:2000]
    action = PlanAction.objects.get(title="Taller de murales")
    assert action.budget == Decimal(4_500_000)
    assert action.funded_amount == Decimal(1_000_000)
    assert action.funding_status == FundingStatus.PARTIAL
    assert set(action.partners.all()) == set(world.orgs[1:3])
    response = client.post(url, data | {"title": "Otra", "funded_amount": "5.000.000"})
    assert response.status_code == 400
    assert "The funded amount cannot be more than the budget." in response.content.decode()
    assert not PlanAction.objects.filter(title="Otra").exists()


def test_actions_move_and_are_removed(client):
    world = make_world()
    login_as(client, world, "coordinator")
    first, _second, third = world.actions  # first and third share line 0
    response = client.post(
        plan_url(world, "governance:plan_action_move", third.pk), {"direction": "up"}
    )
    assert response.status_code == 302
    assert list(world.lines[0].actions.values_list("pk", flat=True)) == [third.pk, first.pk]
    response = client.post(plan_url(world, "governance:plan_action_remove", first.pk), **HTMX)
    assert response["HX-Retarget"] == "#plan-body"
    assert not PlanAction.objects.filter(pk=first.pk).exists()
    assert client.get(plan_url(world, "governance:plan_action_remove", third.pk)).status_code == 405


def test_an_approved_plans_action_edits_status_and_funding_only(client):
    world = make_world()
    approve(world)
    login_as(client, world, "coordinator")
    action = world.actions[0]
    url = plan_url(world, "governance:plan_action_edit", action.pk)
    html = client.get(url).content.decode()
    assert 'name="funded_amount"' in html and 'name="status"' in html
    assert 'name="title"' not in html
    response = client.post(url, {"status": "in_progress", "funded_amount": "3000000"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.funding_status) == (
        ActionStatus.IN_PROGRESS,
        FundingStatus.FUNDED,
    )
    # The draft editors are closed.
    response = client.post(plan_url(world, "governance:plan_objective_add"), {"title": "Otro"})
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()


def test_submit_vote_and_record_the_approval(client):
    world = make_world()
    login_as(client, world, "coordinator")
    meeting = MeetingFactory(body=world.body)
    response = client.post(
        plan_url(world, "governance:plan_submit"),
        {"meeting": meeting.pk, "method": "qualified", "threshold": "0.667"},
    )
    world.plan.refresh_from_db()
    poll = world.plan.approval_poll
    assert response["Location"] == reverse("governance:poll", args=[world.program.slug, poll.pk])
    assert (poll.method, poll.meeting, poll.threshold) == ("qualified", meeting, Decimal("0.667"))
    html = client.get(plan_url(world)).content.decode()
    assert "is not open yet" in html
    assert "Submit for approval" not in html
    vote(world, poll)
    html = client.get(plan_url(world)).content.decode()
    assert "Record the approval" in html
    response = client.post(plan_url(world, "governance:plan_approve"))
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.APPROVED
    # A second click says it is done already.
    response = client.post(plan_url(world, "governance:plan_approve"), follow=True)
    assert "This plan is already approved." in response.content.decode()


def test_submission_errors_show_at_the_field(client):
    world = make_world()
    login_as(client, world, "coordinator")
    response = client.post(plan_url(world, "governance:plan_submit"), {"method": "qualified"})
    assert response.status_code == 400
    assert "Choose the majority a qualified vote needs." in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.approval_poll is None


def test_unfunded_actions_move_to_a_chosen_coming_meeting(client):
    world = make_world()
    approve(world)
    login_as(client, world, "coordinator")
    soon = MeetingFactory(body=world.body, title="Sesión de abril")
    MeetingFactory(
        body=world.body,
        title="Sesión pasada",
        starts_at=timezone.now() - datetime.timedelta(days=10),
        status=MeetingStatus.HELD,
    )
    url = plan_url(world, "governance:plan_defer")
    html = client.get(url).content.decode()
    assert "Sesión de abril" in html and "Sesión pasada" not in html
    assert "2 actions waiting for money" in html
    assert "Move unfunded actions to a meeting" in client.get(plan_url(world)).content.decode()
    response = client.post(url, {"meeting": soon.pk}, follow=True)
    assert "2 actions awaiting funding are on the agenda of «Sesión de abril»." in (
        response.content.decode()
    )
    assert AgendaItem.objects.filter(meeting=soon, carried_over=True).count() == 2
    html = client.get(plan_url(world)).content.decode()
    assert "Its funding is on the agenda of the meeting of" in html
    response = client.post(url, {"meeting": soon.pk}, follow=True)
    assert "Nothing to add" in response.content.decode()
    assert AgendaItem.objects.filter(meeting=soon, carried_over=True).count() == 2


def test_unknown_or_foreign_plans_are_not_found(client):
    world = make_world()
    other = make_world()
    login_as(client, world, "coordinator")
    foreign = reverse("governance:plan", args=[world.program.slug, other.plan.pk])
    assert client.get(foreign).status_code == 404
    edit_foreign_action = plan_url(world, "governance:plan_action_edit", other.actions[0].pk)
    assert client.get(edit_foreign_action).status_code == 404


# -- review ------------------------------------------------------------------------------------


def test_a_submitted_plan_hides_its_editors_and_says_how_to_change_it(client):
    """While its approval poll is a draft the plan cannot change (the poll's description was
    written from it): no editing controls, the way out said, and a posted edit is refused."""
    world = make_world()
    login_as(client, world, "coordinator")
    services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    html = client.get(plan_url(world)).content.decode()
    assert "is not open yet" in html
    assert "delete the draft vote" in html
    assert "Add an objective" not in html and "Edit the plan" not in html
    assert plan_url(world, "governance:plan_action_edit", world.actions[0].pk) not in html
    response = client.post(
        plan_url(world, "governance:plan_objective_add"), {"title": "Nuevo objetivo"}
    )
    assert response.status_code == 400
    assert world.plan.objectives.count() == 2


def test_the_needs_addressed_link_to_their_pages(client):
    world = make_world()
    approve(world)
    html = client.get(plan_url(world)).content.decode()
    need = world.objectives[0].needs.first()
    assert need is not None
    need_url = reverse("governance:need", args=[world.program.slug, need.pk])
    # In the objective's tags and in the list of needs the plan addresses.
    assert html.count(f'href="{need_url}"') == 2
    assert client.get(need_url).status_code == 200
