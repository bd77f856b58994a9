# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Plan services: drafting, every refusal, approval by a passed poll, the lock of an approved
plan, one approved plan per territory and cycle, progress reports and the deferral of unfunded
actions to a coming agenda."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.models import AuditEntry, Program, Territory
from tejido.core.tests.factories import ProgramFactory
from tejido.governance.decisions.services import ballot_cast, poll_close, poll_open
from tejido.governance.models import (
    ActionLine,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    Body,
    FundingStatus,
    Mandate,
    MeetingStatus,
    Need,
    NeedStatus,
    Objective,
    Plan,
    PlanAction,
    PlanStatus,
    Poll,
    PollStatus,
    Term,
)
from tejido.governance.plans import selectors, services
from tejido.governance.tests.factories import (
    BodyFactory,
    MeetingFactory,
    NeedFactory,
    body_with_seats,
)

pytestmark = pytest.mark.django_db


# -- a world to test in (shared with the other plan tests) ------------------------------------


@dataclass
class World:
    program: Program
    territory: Territory
    body: Body
    mandates: list[Mandate]
    coordinator: object
    needs: list[Need]
    plan: Plan
    objectives: list[Objective] = field(default_factory=list)
    lines: list[ActionLine] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)

    @property
    def orgs(self) -> list[Actor]:
        return [m.organization for m in self.mandates]


def make_world(*, actions: int = 3, program: Program | None = None, public: bool = True) -> World:
    """A draft plan with two objectives, a line each and `actions` actions spread over them:
    the first unfunded, the second partly funded, the third funded, and so on."""
    if program is None:
        program = cast(Program, ProgramFactory(is_public=public))
    body, mandates = body_with_seats(program=program)
    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    needs = [NeedFactory(program=program, territory=body.territory) for _ in range(3)]
    needs[0].status = NeedStatus.PRIORITIZED
    needs[0].save()
    plan = services.plan_create(
        user=coordinator,
        program=program,
        territory=body.territory,
        body=body,
        cycle=program.cycles.order_by("number").first(),
        title="Plan de Mejoramiento Comunitario",
        purpose="Barrio más seguro, con jóvenes que participan.",
    )
    world = World(program, body.territory, body, mandates, coordinator, needs, plan)
    for number in range(2):
        objective = services.objective_create(
            user=coordinator,
            plan=plan,
            title=f"Objetivo {number + 1}",
            needs=needs[number : number + 2],
        )
        world.objectives.append(objective)
        world.lines.append(
            services.line_create(user=coordinator, objective=objective, title=f"Línea {number + 1}")
        )
    funded = (Decimal(0), Decimal(1_500_000), Decimal(3_000_000))
    for n in range(actions):
        world.actions.append(
            services.action_create(
                user=coordinator,
                line=world.lines[n % 2],
                title=f"Acción {n + 1}",
                responsible=world.orgs[n % len(world.orgs)],
                partners=[world.orgs[(n + 1) % len(world.orgs)]],
                budget=3_000_000,
                funded_amount=funded[n % 3],
                indicator="Luminarias funcionando",
                unit="luminarias",
                baseline=10,
                target=30,
                term=(Term.SHORT, Term.MEDIUM, Term.LONG)[n % 3],
            )
        )
    return world


def vote(world: World, poll: Poll, ballot: int = 0, voters: int | None = None) -> Poll:
    """Open the poll, cast `ballot` (0 yes, 1 no) from the first `voters` seats, close it."""
    poll_open(user=world.coordinator, poll=poll)
    for mandate in world.mandates[:voters]:
        ballot_cast(user=mandate.holder_user, poll=poll, mandate=mandate, ballot=ballot)
    return poll_close(user=world.coordinator, poll=poll)


def approve(world: World) -> Plan:
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    vote(world, poll)
    services.plan_approve(user=world.coordinator, plan=world.plan)
    world.plan.refresh_from_db()
    return world.plan


def refused(code_or_field: str, call, *args, **kwargs) -> ValidationError:
    """The call raises a ValidationError with this code, or naming this field."""
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    error = caught.value
    if hasattr(error, "error_dict"):
        assert code_or_field in error.error_dict, error
    else:
        assert code_or_field in {e.code for e in error.error_list}, error
    return error


@pytest.fixture
def world() -> World:
    return make_world()


# -- the plan ---------------------------------------------------------------------------------


def test_a_plan_is_created_as_a_draft_and_audited(world):
    plan = world.plan
    assert plan.status == PlanStatus.DRAFT
    assert plan.currency == "CLP"
    assert plan.created_by == world.coordinator
    assert AuditEntry.objects.filter(action="plan.create", target_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"purpose": ""}, "purpose"),
        ({"currency": "pesos"}, "currency"),
        ({"currency": "E1"}, "currency"),
        ({"cycle": None}, "cycle"),
    ],
)
def test_plan_create_refuses_bad_input_and_writes_nothing(world, change, field_name):
    values = {
        "user": world.coordinator,
        "program": world.program,
        "territory": world.territory,
        "body": world.body,
        "cycle": world.program.cycles.first(),
        "title": "Otro plan",
        "purpose": "Algo",
        "currency": "clp",
    } | change
    before = Plan.objects.count()
    refused(field_name, services.plan_create, **values)
    assert Plan.objects.count() == before


def test_plan_create_needs_the_body_of_that_territory_and_a_cycle_of_the_program(world):
    other_body = BodyFactory(program=world.program)  # another territory
    refused(
        "body",
        services.plan_create,
        user=world.coordinator,
        program=world.program,
        territory=world.territory,
        body=other_body,
        cycle=world.program.cycles.first(),
        title="Plan",
        purpose="Algo",
    )
    foreign = ProgramFactory()
    refused(
        "body",
        services.plan_create,
        user=world.coordinator,
        program=foreign,
        territory=world.territory,
        body=world.body,
        cycle=foreign.cycles.first(),
        title="Plan",
        purpose="Algo",
    )
    refused(
        "cycle",
        services.plan_create,
        user=world.coordinator,
        program=world.program,
        territory=world.territory,
        body=world.body,
        cycle=foreign.cycles.first(),
        title="Plan",
        purpose="Algo",
    )


def test_plan_update_changes_what_is_given(world):
    cycle = world.program.cycles.order_by("number").last()
    plan = services.plan_update(
        user=world.coordinator,
        plan=world.plan,
        title=" Nuevo   título ",
        currency="eur",
        cycle=cycle,
    )
    plan.refresh_from_db()
    assert (plan.title, plan.currency, plan.cycle) == ("Nuevo título", "EUR", cycle)
    assert plan.purpose == "Barrio más seguro, con jóvenes que participan."


# -- objectives, lines, actions ---------------------------------------------------------------


def test_objectives_keep_their_needs_and_order(world):
    first, second = world.objectives
    assert list(first.needs.order_by("pk")) == world.needs[0:2]
    services.objective_reorder(user=world.coordinator, plan=world.plan, order=[second.pk, first.pk])
    assert list(world.plan.objectives.values_list("pk", flat=True)) == [second.pk, first.pk]
    refused(
        "bad_order",
        services.objective_reorder,
        user=world.coordinator,
        plan=world.plan,
        order=[first.pk],
    )
    refused(
        "bad_order",
        services.objective_reorder,
        user=world.coordinator,
        plan=world.plan,
        order=[first.pk, first.pk],
    )


def test_an_objective_addresses_only_needs_of_its_territory(world):
    elsewhere = NeedFactory(program=world.program)
    refused(
        "needs",
        services.objective_create,
        user=world.coordinator,
        plan=world.plan,
        title="Salud",
        needs=[elsewhere],
    )
    assert world.plan.objectives.count() == 2
    refused(
        "needs",
        services.objective_update,
        user=world.coordinator,
        objective=world.objectives[0],
        needs=[elsewhere],
    )
    assert list(world.objectives[0].needs.order_by("pk")) == world.needs[0:2]


def test_objective_update_and_remove(world):
    objective = services.objective_update(
        user=world.coordinator, objective=world.objectives[0], title="Espacios públicos", needs=[]
    )
    assert objective.title == "Espacios públicos"
    assert objective.needs.count() == 0
    services.objective_remove(user=world.coordinator, objective=objective)
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert not PlanAction.objects.filter(line__objective_id=objective.pk).exists()
    refused("title", services.objective_create, user=world.coordinator, plan=world.plan, title=" ")


def test_lines_are_created_renamed_ordered_and_removed(world):
    objective = world.objectives[0]
    extra = services.line_create(user=world.coordinator, objective=objective, title="Iluminación")
    assert extra.position == 1
    services.line_update(user=world.coordinator, line=extra, title="Iluminación peatonal")
    services.line_reorder(
        user=world.coordinator, objective=objective, order=[extra.pk, world.lines[0].pk]
    )
    assert list(objective.lines.values_list("title", flat=True)) == [
        "Iluminación peatonal",
        "Línea 1",
    ]
    refused("title", services.line_update, user=world.coordinator, line=extra, title="")
    services.line_remove(user=world.coordinator, line=extra)
    assert objective.lines.count() == 1


@pytest.mark.parametrize(
    ("budget", "funded", "status"),
    [
        (3_000_000, 0, FundingStatus.UNFUNDED),
        (3_000_000, 1, FundingStatus.PARTIAL),
        (3_000_000, 2_999_999, FundingStatus.PARTIAL),
        (3_000_000, 3_000_000, FundingStatus.FUNDED),
        (0, 0, FundingStatus.FUNDED),
    ],
)
def test_the_funding_status_follows_the_amounts(world, budget, funded, status):
    action = services.action_create(
        user=world.coordinator,
        line=world.lines[0],
        title="Acción",
        budget=budget,
        funded_amount=funded,
    )
    assert action.funding_status == status


@pytest.mark.parametrize(
    ("values", "field_name"),
    [
        ({"budget": -1}, "budget"),
        ({"budget": "mucho"}, "budget"),
        ({"budget": 100, "funded_amount": 101}, "funded_amount"),
        ({"budget": Decimal("1e13")}, "budget"),
        ({"title": ""}, "title"),
        ({"baseline": 3}, "indicator"),
        ({"indicator": "Personas", "baseline": 5, "target": 5}, "target"),
        ({"term": "eternal"}, "term"),
        ({"status": "lost"}, "status"),
        ({"indicator": "x" * 201}, "indicator"),
    ],
)
def test_action_create_refuses_bad_input_and_writes_nothing(world, values, field_name):
    before = PlanAction.objects.count()
    refused(
        field_name,
        services.action_create,
        user=world.coordinator,
        line=world.lines[0],
        **({"title": "Acción"} | values),
    )
    assert PlanAction.objects.count() == before


def test_actors_of_an_action_must_be_of_the_program_and_not_repeated(world):
    stranger = ActorFactory()  # another program
    refused(
        "responsible",
        services.action_create,
        user=world.coordinator,
        line=world.lines[0],
        title="A",
        responsible=stranger,
    )
    refused(
        "partners",
        services.action_create,
        user=world.coordinator,
        line=world.lines[0],
        title="A",
        partners=[stranger],
    )
    refused(
        "partners",
        services.action_create,
        user=world.coordinator,
        line=world.lines[0],
        title="A",
        responsible=world.orgs[0],
        partners=[world.orgs[0]],
    )


def test_action_update_changes_fields_partners_and_funding(world):
    action = world.actions[0]
    updated = services.action_update(
        user=world.coordinator,
        action=action,
        title="Iluminar la plaza",
        partners=world.orgs[2:4],
        funded_amount=1_000_000,
        term=Term.LONG,
    )
    assert updated.title == "Iluminar la plaza"
    assert updated.funding_status == FundingStatus.PARTIAL
    assert updated.term == Term.LONG
    assert set(updated.partners.all()) == set(world.orgs[2:4])
    with pytest.raises(TypeError):
        services.action_update(user=world.coordinator, action=action, line=world.lines[1])


def test_actions_are_ordered_and_removed(world):
    line = world.lines[0]
    first, third = world.actions[0], world.actions[2]
    services.action_reorder(user=world.coordinator, line=line, order=[third.pk, first.pk])
    assert list(line.actions.values_list("pk", flat=True)) == [third.pk, first.pk]
    refused("bad_order", services.action_reorder, user=world.coordinator, line=line, order=[1, 2])
    services.action_remove(user=world.coordinator, action=first)
    assert list(line.actions.values_list("pk", flat=True)) == [third.pk]


# -- submission and approval ------------------------------------------------------------------


def test_submitting_creates_a_motion_poll_in_the_body(world):
    meeting = MeetingFactory(body=world.body)
    poll = services.plan_submit_for_approval(
        user=world.coordinator, plan=world.plan, meeting=meeting
    )
    assert poll.body == world.body
    assert poll.meeting == meeting
    assert poll.method == "majority"
    assert (
        poll.question == "Approve the community improvement plan «Plan de Mejoramiento Comunitario»"
    )
    assert "Objetivo 1" in poll.description
    assert poll.options.count() == 3
    world.plan.refresh_from_db()
    assert world.plan.approval_poll == poll
    assert world.plan.status == PlanStatus.DRAFT


def test_submission_refusals(world):
    refused(
        "method",
        services.plan_submit_for_approval,
        user=world.coordinator,
        plan=world.plan,
        method="borda",
    )
    refused(
        "meeting",
        services.plan_submit_for_approval,
        user=world.coordinator,
        plan=world.plan,
        meeting=MeetingFactory(),  # another body's
    )
    refused(
        "meeting",
        services.plan_submit_for_approval,
        user=world.coordinator,
        plan=world.plan,
        meeting=MeetingFactory(body=world.body, status=MeetingStatus.CANCELLED),
    )
    refused(
        "threshold",
        services.plan_submit_for_approval,
        user=world.coordinator,
        plan=world.plan,
        method="qualified",
        threshold=1.5,
    )
    empty = make_world(actions=0)
    refused("empty", services.plan_submit_for_approval, user=empty.coordinator, plan=empty.plan)
    assert Poll.objects.count() == 0


def test_a_plan_in_vote_cannot_change_nor_be_submitted_twice(world):
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    # A draft poll (not open yet) already holds the plan: its description was written from it.
    error = refused(
        "plan_submitted",
        services.line_update,
        user=world.coordinator,
        line=world.lines[0],
        title="Línea revisada",
    )
    assert poll.question in error.messages[0]
    for call, kwargs in (
        (services.plan_update, {"plan": world.plan, "title": "Otro título"}),
        (services.objective_create, {"plan": world.plan, "title": "Otro"}),
        (services.action_update, {"action": world.actions[0], "budget": 1}),
        (services.action_remove, {"action": world.actions[0]}),
    ):
        refused("plan_submitted", call, user=world.coordinator, **kwargs)
    world.lines[0].refresh_from_db()
    assert world.lines[0].title != "Línea revisada"
    refused(
        "already_submitted",
        services.plan_submit_for_approval,
        user=world.coordinator,
        plan=world.plan,
    )
    poll_open(user=world.coordinator, poll=poll)
    # ...an open one does not.
    error = refused(
        "plan_in_vote",
        services.objective_create,
        user=world.coordinator,
        plan=world.plan,
        title="Otro",
    )
    assert poll.question in error.messages[0]
    refused(
        "plan_in_vote",
        services.action_update,
        user=world.coordinator,
        action=world.actions[0],
        budget=1,
    )


def test_approval_requires_a_closed_passed_poll(world):
    refused("no_poll", services.plan_approve, user=world.coordinator, plan=world.plan)
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    refused("poll_not_closed", services.plan_approve, user=world.coordinator, plan=world.plan)
    poll_open(user=world.coordinator, poll=poll)
    refused("poll_not_closed", services.plan_approve, user=world.coordinator, plan=world.plan)
    for mandate in world.mandates:
        ballot_cast(user=mandate.holder_user, poll=poll, mandate=mandate, ballot=1)
    poll_close(user=world.coordinator, poll=poll)
    refused("poll_failed", services.plan_approve, user=world.coordinator, plan=world.plan)
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.DRAFT
    assert world.plan.approved_at is None


def test_a_vote_without_quorum_does_not_approve(world):
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    vote(world, poll, ballot=0, voters=1)  # one yes of five seats: no quorum
    refused("poll_failed", services.plan_approve, user=world.coordinator, plan=world.plan)


def test_after_a_failed_vote_the_plan_changes_and_is_submitted_again(world):
    first = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    vote(world, first, ballot=1)
    services.objective_create(user=world.coordinator, plan=world.plan, title="Salud comunitaria")
    second = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    assert second.pk != first.pk
    vote(world, second, ballot=0)
    plan = services.plan_approve(user=world.coordinator, plan=world.plan)
    assert plan.approval_poll == second


def test_a_passed_plan_cannot_change_before_the_approval_is_recorded(world):
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    vote(world, poll)
    refused(
        "plan_passed",
        services.line_create,
        user=world.coordinator,
        objective=world.objectives[0],
        title="X",
    )


def test_approval_marks_the_needs_in_the_plan(world):
    addressed = world.needs[2]
    addressed.status = NeedStatus.ADDRESSED
    addressed.save()
    before = timezone.now()
    plan = approve(world)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_at >= before
    assert plan.approval_poll.status == PollStatus.CLOSED
    statuses = dict(
        Need.objects.filter(pk__in=[n.pk for n in world.needs]).values_list("pk", "status")
    )
    assert statuses[world.needs[0].pk] == NeedStatus.IN_PLAN  # was prioritized
    assert statuses[world.needs[1].pk] == NeedStatus.IN_PLAN  # was open
    assert statuses[addressed.pk] == NeedStatus.ADDRESSED  # never goes back
    entry = AuditEntry.objects.get(action="plan.approve")
    assert sorted(entry.data["needs_in_plan"]) == sorted([world.needs[0].pk, world.needs[1].pk])
    refused("approved", services.plan_approve, user=world.coordinator, plan=plan)


def test_an_approved_plan_is_locked_except_progress_status_and_funding(world):
    approve(world)
    objective, line, action = world.objectives[0], world.lines[0], world.actions[0]
    attempts = [
        (services.plan_update, {"plan": world.plan, "title": "Otro"}),
        (services.objective_create, {"plan": world.plan, "title": "Otro"}),
        (services.objective_update, {"objective": objective, "title": "Otro"}),
        (services.objective_remove, {"objective": objective}),
        (
            services.objective_reorder,
            {"plan": world.plan, "order": [o.pk for o in world.objectives]},
        ),
        (services.line_create, {"objective": objective, "title": "Otra"}),
        (services.line_update, {"line": line, "title": "Otra"}),
        (services.line_remove, {"line": line}),
        (services.line_reorder, {"objective": objective, "order": [line.pk]}),
        (services.action_create, {"line": line, "title": "Otra"}),
        (services.action_remove, {"action": action}),
        (services.action_reorder, {"line": line, "order": [a.pk for a in line.actions.all()]}),
        (services.action_update, {"action": action, "title": "Otra"}),
        (services.action_update, {"action": action, "budget": 1}),
        (services.action_update, {"action": action, "partners": []}),
    ]
    for call, kwargs in attempts:
        error = refused("plan_approved", call, user=world.coordinator, **kwargs)
        assert world.body.name in error.messages[0]
    action.refresh_from_db()
    assert action.title == "Acción 1"
    assert PlanAction.objects.filter(line__objective__plan=world.plan).count() == 3
    # What still changes: status and funding (and progress, below).
    updated = services.action_update(
        user=world.coordinator,
        action=action,
        status=ActionStatus.IN_PROGRESS,
        funded_amount=3_000_000,
        title="Acción 1",  # unchanged values are not changes
    )
    assert (updated.status, updated.funding_status) == (
        ActionStatus.IN_PROGRESS,
        FundingStatus.FUNDED,
    )


def small_plan(world: World, *, cycle, title: str) -> Plan:
    """Another plan of the world's territory, with one action."""
    plan = services.plan_create(
        user=world.coordinator,
        program=world.program,
        territory=world.territory,
        body=world.body,
        cycle=cycle,
        title=title,
        purpose="Lo mismo",
    )
    objective = services.objective_create(user=world.coordinator, plan=plan, title="O")
    line = services.line_create(user=world.coordinator, objective=objective, title="L")
    services.action_create(user=world.coordinator, line=line, title="A")
    return plan


def test_one_approved_plan_per_territory_and_cycle(world):
    approve(world)
    rival = small_plan(world, cycle=world.plan.cycle, title="Plan paralelo")
    poll = services.plan_submit_for_approval(user=world.coordinator, plan=rival)
    vote(world, poll)
    error = refused("duplicate", services.plan_approve, user=world.coordinator, plan=rival)
    assert "Plan de Mejoramiento Comunitario" in error.messages[0]
    rival.refresh_from_db()
    assert rival.status == PlanStatus.DRAFT
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=rival.pk).update(
            status=PlanStatus.APPROVED, approved_at=timezone.now(), approval_poll=poll
        )
    # Another cycle is another plan.
    following = small_plan(
        world, cycle=world.program.cycles.order_by("number").last(), title="Plan siguiente"
    )
    vote(world, services.plan_submit_for_approval(user=world.coordinator, plan=following))
    approved = services.plan_approve(user=world.coordinator, plan=following)
    assert approved.status == PlanStatus.APPROVED


# -- progress ---------------------------------------------------------------------------------


def test_progress_updates_the_current_value_and_starts_the_action(world):
    approve(world)
    action = world.actions[0]
    today = timezone.localdate()
    report = services.action_progress_record(
        user=world.coordinator, action=action, value="18", note="Primeras luminarias"
    )
    assert report.recorded_on == today
    action.refresh_from_db()
    assert action.current_value == Decimal(18)
    assert action.status == ActionStatus.IN_PROGRESS
    # A report dated earlier does not overwrite the latest value.
    services.action_progress_record(
        user=world.coordinator,
        action=action,
        value=12,
        recorded_on=today - datetime.timedelta(days=30),
    )
    action.refresh_from_db()
    assert action.current_value == Decimal(18)
    # A note alone keeps the value.
    services.action_progress_record(
        user=world.coordinator, action=action, note="Reunión con el municipio"
    )
    action.refresh_from_db()
    assert action.current_value == Decimal(18)
    assert action.progress.count() == 3
    assert AuditEntry.objects.filter(action="plan.progress").count() == 3


def test_a_representative_of_the_responsible_organization_reports_progress(world):
    approve(world)
    action = world.actions[0]
    user = UserFactory()
    ProgramRoleFactory(user=user, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=action.responsible)
    services.action_progress_record(user=user, action=action, value=15)
    action.refresh_from_db()
    assert action.current_value == Decimal(15)


@pytest.mark.parametrize(
    "who", ["stranger", "other_representative", "seat_holder", "anonymous_representative"]
)
def test_others_cannot_report_progress(world, who):
    approve(world)
    action = world.actions[0]
    user = UserFactory()
    if who == "other_representative":
        ProgramRoleFactory(user=user, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE)
        RepresentativeFactory(user=user, organization=world.orgs[4])
    elif who == "seat_holder":
        user = world.mandates[0].holder_user
        ProgramRoleFactory(user=user, program=world.program, role=Role.DIRECTORATE_MEMBER)
    elif who == "anonymous_representative":
        # Represents the organization, but holds no representative role in this program.
        RepresentativeFactory(user=user, organization=action.responsible)
    refused("forbidden", services.action_progress_record, user=user, action=action, value=15)
    assert action.progress.count() == 0


def test_progress_refusals(world):
    action = world.actions[0]
    refused(
        "not_approved",
        services.action_progress_record,
        user=world.coordinator,
        action=action,
        value=1,
    )
    approve(world)
    refused("value", services.action_progress_record, user=world.coordinator, action=action)
    refused(
        "recorded_on",
        services.action_progress_record,
        user=world.coordinator,
        action=action,
        value=1,
        recorded_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    refused(
        "value", services.action_progress_record, user=world.coordinator, action=action, value="x"
    )
    services.action_update(user=world.coordinator, action=action, status=ActionStatus.CANCELLED)
    refused(
        "cancelled",
        services.action_progress_record,
        user=world.coordinator,
        action=action,
        note="x",
    )
    assert action.progress.count() == 0


def test_a_value_needs_an_indicator(world):
    plain = services.action_create(
        user=world.coordinator, line=world.lines[0], title="Sin indicador"
    )
    approve(world)
    refused("value", services.action_progress_record, user=world.coordinator, action=plain, value=3)
    services.action_progress_record(user=world.coordinator, action=plain, note="Se hizo la feria")
    assert plain.progress.count() == 1


# -- unfunded actions to a coming agenda ------------------------------------------------------


def test_unfunded_actions_go_to_a_coming_meeting_once(world):
    done = services.action_create(
        user=world.coordinator,
        line=world.lines[0],
        title="Hecha",
        budget=5,
        status=ActionStatus.DONE,
    )
    cancelled = services.action_create(
        user=world.coordinator,
        line=world.lines[0],
        title="Anulada",
        budget=5,
        status=ActionStatus.CANCELLED,
    )
    approve(world)
    meeting = MeetingFactory(body=world.body)
    existing = meeting.agenda_items.count()
    items = services.plan_defer_unfunded(user=world.coordinator, plan=world.plan, meeting=meeting)
    unfunded, partial, funded = world.actions
    assert {i.plan_action_id for i in items} == {unfunded.pk, partial.pk}
    assert all(i.kind == AgendaItemKind.PLAN and i.carried_over for i in items)
    assert [i.position for i in items] == [existing, existing + 1]
    assert "Acción 1" in items[0].title
    assert "$3.000.000" in items[0].description or "$3,000,000" in items[0].description
    statuses = dict(PlanAction.objects.values_list("pk", "status"))
    assert statuses[unfunded.pk] == statuses[partial.pk] == ActionStatus.DEFERRED
    assert statuses[funded.pk] == ActionStatus.PLANNED
    assert statuses[done.pk] == ActionStatus.DONE
    assert statuses[cancelled.pk] == ActionStatus.CANCELLED
    # Twice changes nothing.
    assert (
        services.plan_defer_unfunded(user=world.coordinator, plan=world.plan, meeting=meeting) == []
    )
    assert AgendaItem.objects.filter(meeting=meeting, kind=AgendaItemKind.PLAN).count() == 2
    assert AuditEntry.objects.filter(action="plan.defer_unfunded").count() == 1
    # The database refuses a second item for an action in the same meeting.
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=meeting, title="Otra vez", plan_action=unfunded)
    # Another meeting gets them again (still waiting for money).
    later = MeetingFactory(body=world.body, starts_at=timezone.now() + datetime.timedelta(days=40))
    assert (
        len(services.plan_defer_unfunded(user=world.coordinator, plan=world.plan, meeting=later))
        == 2
    )


def test_funding_found_brings_a_deferred_action_back_to_planned(world):
    approve(world)
    services.plan_defer_unfunded(
        user=world.coordinator, plan=world.plan, meeting=MeetingFactory(body=world.body)
    )
    action = services.action_update(
        user=world.coordinator, action=world.actions[0], funded_amount=3_000_000
    )
    assert (action.funding_status, action.status) == (FundingStatus.FUNDED, ActionStatus.PLANNED)


def test_deferral_refusals(world):
    meeting = MeetingFactory(body=world.body)
    refused(
        "not_approved",
        services.plan_defer_unfunded,
        user=world.coordinator,
        plan=world.plan,
        meeting=meeting,
    )
    approve(world)
    past = MeetingFactory(
        body=world.body,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        status=MeetingStatus.HELD,
    )
    for bad in (
        past,
        MeetingFactory(body=world.body, status=MeetingStatus.CANCELLED),
        MeetingFactory(),  # another body's
    ):
        refused(
            "meeting",
            services.plan_defer_unfunded,
            user=world.coordinator,
            plan=world.plan,
            meeting=bad,
        )
    assert AgendaItem.objects.filter(kind=AgendaItemKind.PLAN).count() == 0
    assert not PlanAction.objects.filter(status=ActionStatus.DEFERRED).exists()


# -- selectors for others ---------------------------------------------------------------------


def test_objectives_for_program_lists_approved_plans_objectives(world, django_assert_num_queries):
    draft = make_world(program=world.program)  # another territory's draft
    approve(world)
    with django_assert_num_queries(1):
        found = [
            (o.title, o.plan.territory.name, o.plan.cycle.number)
            for o in selectors.objectives_for_program(world.program)
        ]
    assert found == [
        ("Objetivo 1", world.territory.name, 1),
        ("Objetivo 2", world.territory.name, 1),
    ]
    assert draft.plan.pk not in {o.plan_id for o in selectors.objectives_for_program(world.program)}
    assert list(selectors.objectives_for_program(ProgramFactory())) == []


def test_deleting_the_draft_approval_poll_withdraws_the_submission(world, client):
    """The plan's draft poll can be deleted from its page: the plan is unlinked, editable and
    can be submitted again (the link used to make the deletion fail)."""
    from django.urls import reverse

    from tejido.governance.decisions.services import poll_delete, poll_update

    poll = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    # While linked, the poll must stay a motion: a plurality could never approve the plan.
    refused(
        "method",
        poll_update,
        user=world.coordinator,
        poll=poll,
        question=poll.question,
        method="plurality",
        options=["A", "B"],
    )
    client.force_login(world.coordinator)
    response = client.post(reverse("governance:poll_delete", args=[world.program.slug, poll.pk]))
    assert response.status_code == 302
    assert not Poll.objects.filter(pk=poll.pk).exists()
    world.plan.refresh_from_db()
    assert world.plan.approval_poll is None and world.plan.status == PlanStatus.DRAFT
    entry = AuditEntry.objects.get(action="poll.delete")
    assert entry.data["plans_withdrawn"] == [world.plan.pk]
    services.objective_create(user=world.coordinator, plan=world.plan, title="Salud comunitaria")
    again = services.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    assert "Salud comunitaria" in again.description
    poll_delete(user=world.coordinator, poll=again)
    world.plan.refresh_from_db()
    assert world.plan.approval_poll is None
