"""Reads for the plan pages, each in a fixed number of queries however many actions a plan has.

An action's indicator progress is how far its current value has gone from the baseline towards
the target (a target below the baseline counts downwards), from 0 to 100%. Cancelled actions
are left out of every total: their money is not part of the plan any more.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tejido.accounts.rules import is_coordinator, is_organization_representative
from tejido.actors.models import Actor, ActorKind
from tejido.actors.rules import can_view_people, represented_ids
from tejido.core.models import Program, Territory

from ..decisions.selectors import poll_passed
from ..models import (
    ActionLine,
    ActionProgress,
    ActionStatus,
    AgendaItem,
    FundingStatus,
    Meeting,
    MeetingStatus,
    Need,
    NeedStatus,
    Objective,
    Plan,
    PlanAction,
    PlanStatus,
    Term,
)
from .money import money, number

RECENT_REPORTS = 3


# -- indicator progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorProgress:
    baseline: Decimal
    target: Decimal
    current: Decimal
    unit: str
    measured: bool  # a value has been reported (otherwise `current` is the baseline)

    @property
    def fraction(self) -> float:
        span = self.target - self.baseline
        if span == 0:
            return 1.0
        return float(min(max((self.current - self.baseline) / span, Decimal(0)), Decimal(1)))

    @property
    def percent(self) -> int:
        return round(100 * self.fraction)

    @property
    def baseline_text(self) -> str:
        return number(self.baseline)

    @property
    def target_text(self) -> str:
        return number(self.target)

    @property
    def current_text(self) -> str:
        return number(self.current)


def indicator_progress(action: PlanAction) -> IndicatorProgress | None:
    if not action.indicator or action.baseline is None or action.target is None:
        return None
    measured = action.current_value is not None
    return IndicatorProgress(
        baseline=action.baseline,
        target=action.target,
        current=action.current_value if measured else action.baseline,  # type: ignore[arg-type]
        unit=action.unit,
        measured=measured,
    )


# -- money totals -----------------------------------------------------------------------------


@dataclass
class Totals:
    currency: str
    budget: Decimal = Decimal(0)
    funded: Decimal = Decimal(0)
    actions: int = 0
    unfunded_actions: int = 0  # unfunded or partly funded

    def add(self, action: PlanAction) -> None:
        if action.status == ActionStatus.CANCELLED:
            return
        self.budget += action.budget
        self.funded += action.funded_amount
        self.actions += 1
        if action.funding_status != FundingStatus.FUNDED:
            self.unfunded_actions += 1

    @property
    def missing(self) -> Decimal:
        return self.budget - self.funded

    @property
    def funded_percent(self) -> int:
        return round(100 * self.funded / self.budget) if self.budget else 100

    @property
    def budget_text(self) -> str:
        return money(self.budget, self.currency)

    @property
    def funded_text(self) -> str:
        return money(self.funded, self.currency)

    @property
    def missing_text(self) -> str:
        return money(self.missing, self.currency)


# -- the plan page ----------------------------------------------------------------------------


@dataclass
class ActorName:
    """An actor as the page may show it: a person only to those who may see people."""

    pk: int
    name: str
    is_person: bool


@dataclass
class ActionRow:
    action: PlanAction
    responsible: ActorName | None
    responsible_hidden: bool  # a person the viewer may not see
    partners: list[ActorName]
    hidden_partners: int  # people among the partners the viewer may not see
    progress: IndicatorProgress | None
    reports: list[ActionProgress]
    can_report: bool
    budget_text: str
    funded_text: str
    missing_text: str
    agenda: Meeting | None = None  # the coming meeting whose agenda has its funding

    @property
    def status_class(self) -> str:
        return f"status-{self.action.status}"


@dataclass
class LineBlock:
    line: ActionLine
    actions: list[ActionRow]


@dataclass
class ObjectiveBlock:
    objective: Objective
    number: int
    lines: list[LineBlock]
    needs: list[Need]
    totals: Totals


@dataclass
class TermTotals:
    term: str
    label: str
    totals: Totals


@dataclass
class Approval:
    approved_at: datetime.datetime | None
    poll_id: int | None
    question: str
    body_name: str
    meeting_title: str
    meeting_date: datetime.datetime | None


@dataclass
class PlanPage:
    plan: Plan
    objectives: list[ObjectiveBlock]
    totals: Totals
    by_term: list[TermTotals]
    needs: list[Need]
    approval: Approval | None
    can_manage: bool
    can_see_people: bool
    editable: bool  # the contents can change (draft, not in or past a vote)
    action_count: int
    done_count: int
    status_counts: dict[str, int] = field(default_factory=dict)
    # Mean progress of the indicators measured so far, in % (None before any measurement).
    mean_progress: int | None = None
    report_count: int = 0

    @property
    def approved(self) -> bool:
        return self.plan.status == PlanStatus.APPROVED


def plan_visible(plan: Plan, user: Any) -> bool:
    """Approved plans follow the program's visibility (checked by the caller); drafts exist only
    for the program's members and the seats of the body that votes on them."""
    return (
        plan.approved_at is not None
        or user.has_perm("core.view_program_internal", plan.program)
        or user.has_perm("governance.vote", plan.body)
    )


def plan_get(program: Program, pk: int) -> Plan:
    return Plan.objects.select_related(
        "program", "territory", "body", "cycle", "approval_poll__meeting"
    ).get(program=program, pk=pk)


def _actor_name(actor: Actor, see_people: bool) -> ActorName | None:
    is_person = actor.kind == ActorKind.PERSON
    if is_person and not see_people:
        return None
    return ActorName(pk=actor.pk, name=actor.name, is_person=is_person)


def plan_outline(plan: Plan) -> list[Objective]:
    """The plan's objectives › lines › actions (with their actors and latest reports), in five
    queries."""
    actions = PlanAction.objects.select_related("responsible").prefetch_related(
        Prefetch("partners", queryset=Actor.objects.order_by("name", "pk")),
        Prefetch(
            "progress",
            queryset=ActionProgress.objects.order_by("-recorded_on", "-id")[:RECENT_REPORTS],
            to_attr="recent_reports",
        ),
    )
    objectives = Objective.objects.filter(plan=plan).prefetch_related(
        Prefetch("needs", queryset=Need.objects.order_by("title", "pk")),
        Prefetch(
            "lines",
            queryset=ActionLine.objects.prefetch_related(Prefetch("actions", queryset=actions)),
        ),
    )
    found = list(objectives)
    for objective in found:
        objective.plan = plan
    return found


def _editable(plan: Plan) -> bool:
    if plan.status != PlanStatus.DRAFT:
        return False
    poll = plan.approval_poll
    if poll is None:
        return True
    return poll.status == "closed" and not poll_passed(poll)


def _approval(plan: Plan) -> Approval | None:
    poll = plan.approval_poll
    if poll is None:
        return None
    meeting = poll.meeting
    return Approval(
        approved_at=plan.approved_at,
        poll_id=poll.pk,
        question=poll.question,
        body_name=plan.body.name,
        meeting_title=meeting.title if meeting else "",
        meeting_date=meeting.starts_at if meeting else None,
    )


def plan_page(plan: Plan, user: Any) -> PlanPage:
    """Everything the plan page shows, for this viewer (people only to those who may see them;
    report buttons to those who may report)."""
    see_people = can_view_people(user, plan.program)
    manages = bool(user.has_perm("governance.manage_plan", plan.program))
    coordinator = bool(is_coordinator.test(user, plan))
    represented = (
        represented_ids(user) if is_organization_representative.test(user, plan) else frozenset()
    )
    approved = plan.status == PlanStatus.APPROVED
    agenda: dict[int, Meeting] = {}
    if approved:
        # The coming meeting where each deferred action's funding is discussed (the soonest).
        items = (
            AgendaItem.objects.filter(
                plan_action__line__objective__plan=plan,
                plan_action__status=ActionStatus.DEFERRED,
                meeting__status=MeetingStatus.SCHEDULED,
                meeting__ends_at__gte=timezone.now(),
            )
            .select_related("meeting")
            .order_by("-meeting__starts_at")
        )
        agenda = {item.plan_action_id: item.meeting for item in items}  # type: ignore[misc]

    totals = Totals(plan.currency)
    by_term = {term: Totals(plan.currency) for term in Term.values}
    status_counts: dict[str, int] = defaultdict(int)
    progress_values: list[float] = []
    needs: dict[int, Need] = {}
    blocks: list[ObjectiveBlock] = []
    action_count = report_count = 0
    for number_, objective in enumerate(plan_outline(plan), start=1):
        objective_totals = Totals(plan.currency)
        lines: list[LineBlock] = []
        for line in objective.lines.all():
            rows: list[ActionRow] = []
            for action in line.actions.all():
                rows.append(
                    _action_row(
                        action,
                        currency=plan.currency,
                        see_people=see_people,
                        can_report=approved
                        and action.status != ActionStatus.CANCELLED
                        and (coordinator or action.responsible_id in represented),
                        agenda=agenda.get(action.pk),
                    )
                )
                objective_totals.add(action)
                totals.add(action)
                by_term[action.term].add(action)
                status_counts[action.status] += 1
                action_count += 1
                report_count += len(action.recent_reports)  # type: ignore[attr-defined]
                progress = indicator_progress(action)
                if (
                    progress is not None
                    and progress.measured
                    and action.status != ActionStatus.CANCELLED
                ):
                    progress_values.append(progress.fraction)
            lines.append(LineBlock(line=line, actions=rows))
        objective_needs = list(objective.needs.all())
        for need in objective_needs:
            needs.setdefault(need.pk, need)
        blocks.append(
            ObjectiveBlock(
                objective=objective,
                number=number_,
                lines=lines,
                needs=objective_needs,
                totals=objective_totals,
            )
        )
    return PlanPage(
        plan=plan,
        objectives=blocks,
        totals=totals,
        by_term=[
            TermTotals(term=term.value, label=str(term.label), totals=by_term[term.value])
            for term in Term
        ],
        needs=sorted(needs.values(), key=lambda n: n.title),
        approval=_approval(plan),
        can_manage=manages,
        can_see_people=see_people,
        editable=manages and _editable(plan),
        action_count=action_count,
        done_count=status_counts.get(ActionStatus.DONE, 0),
        status_counts=dict(status_counts),
        mean_progress=(
            round(100 * sum(progress_values) / len(progress_values)) if progress_values else None
        ),
        report_count=report_count,
    )


def _action_row(
    action: PlanAction,
    *,
    currency: str,
    see_people: bool,
    can_report: bool,
    agenda: Meeting | None,
) -> ActionRow:
    responsible = action.responsible
    shown = _actor_name(responsible, see_people) if responsible is not None else None
    partners = [_actor_name(a, see_people) for a in action.partners.all()]
    return ActionRow(
        action=action,
        responsible=shown,
        responsible_hidden=responsible is not None and shown is None,
        partners=[p for p in partners if p is not None],
        hidden_partners=sum(1 for p in partners if p is None),
        progress=indicator_progress(action),
        reports=list(action.recent_reports),  # type: ignore[attr-defined]
        can_report=can_report,
        budget_text=money(action.budget, currency),
        funded_text=money(action.funded_amount, currency),
        missing_text=money(action.budget - action.funded_amount, currency),
        agenda=agenda,
    )


# -- the list of plans ------------------------------------------------------------------------


@dataclass
class PlanRow:
    plan: Plan
    totals: Totals
    action_count: int
    done_count: int
    mean_progress: int | None


def plan_list(program: Program, *, include_drafts: bool) -> list[PlanRow]:
    """The program's plans by territory and cycle (latest cycle first), with their totals, in
    two queries."""
    plans = Plan.objects.filter(program=program).select_related("territory", "cycle", "body")
    if not include_drafts:
        plans = plans.filter(status=PlanStatus.APPROVED)
    found = sorted(
        plans,
        key=lambda p: (
            p.territory.name.casefold(),
            -(p.cycle.number if p.cycle else 0),
            p.status != PlanStatus.APPROVED,
            -p.pk,
        ),
    )
    rows = {p.pk: PlanRow(p, Totals(p.currency), 0, 0, None) for p in found}
    fractions: dict[int, list[float]] = defaultdict(list)
    actions = PlanAction.objects.filter(line__objective__plan__in=[p.pk for p in found])
    fields = (
        "budget",
        "funded_amount",
        "funding_status",
        "status",
        "indicator",
        "unit",
        "baseline",
        "target",
        "current_value",
    )
    for plan_id, *values in actions.values_list("line__objective__plan_id", *fields).order_by():
        row = rows[plan_id]
        instance = PlanAction(**dict(zip(fields, values, strict=True)))
        row.totals.add(instance)
        if instance.status != ActionStatus.CANCELLED:
            row.action_count += 1
            row.done_count += instance.status == ActionStatus.DONE
            progress = indicator_progress(instance)
            if progress is not None and progress.measured:
                fractions[row.plan.pk].append(progress.fraction)
    for pk, values in fractions.items():
        rows[pk].mean_progress = round(100 * sum(values) / len(values))
    return [rows[p.pk] for p in found]


# -- for the forms and the other areas --------------------------------------------------------


def waiting_actions(plan: Plan) -> list[PlanAction]:
    """The actions still waiting for money: unfunded or partly funded, neither done nor
    cancelled, in the plan's order."""
    return list(
        PlanAction.objects.filter(
            line__objective__plan=plan,
            funding_status__in=(FundingStatus.UNFUNDED, FundingStatus.PARTIAL),
        )
        .exclude(status__in=(ActionStatus.DONE, ActionStatus.CANCELLED))
        .order_by("line__objective__position", "line__position", "position", "id")
    )


def objectives_for_program(program: Program) -> QuerySet[Objective]:
    """The objectives of the program's approved plans, with their plan and territory: what the
    competitive funds' calls serve."""
    return (
        Objective.objects.filter(plan__program=program, plan__status=PlanStatus.APPROVED)
        .select_related("plan__territory", "plan__cycle", "plan__body")
        .order_by("plan__territory__name", "plan__cycle__number", "plan_id", "position", "id")
    )


def needs_for_plan(plan: Plan) -> QuerySet[Need]:
    """The needs an objective of this plan may address: the territory's, prioritized first."""
    return (
        Need.objects.filter(program_id=plan.program_id, territory_id=plan.territory_id)
        .exclude(status=NeedStatus.SET_ASIDE)
        .order_by("title", "pk")
    )


def upcoming_meetings(plan: Plan) -> QuerySet[Meeting]:
    """The plan's body's coming meetings, soonest first."""
    return (
        Meeting.objects.filter(body_id=plan.body_id, status=MeetingStatus.SCHEDULED)
        .upcoming()
        .order_by("starts_at", "pk")
    )


def submission_meetings(plan: Plan) -> QuerySet[Meeting]:
    """Meetings a plan may be voted in: the body's coming ones and those of the last 30 days."""
    since = timezone.now() - datetime.timedelta(days=30)
    return (
        Meeting.objects.filter(body_id=plan.body_id, ends_at__gte=since)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def actor_choices(plan: Plan, user: Any, keep: Iterable[int] = ()) -> QuerySet[Actor]:
    """The actors an action may name: those of the plan's territory (based in it or serving
    it), the organizations of its body's seats, and those already named (`keep`); people only
    for those who may see them."""
    places = Territory.objects.filter(path__startswith=plan.territory.path).values("pk")
    related = (
        Q(territory__in=places)
        | Q(territories_served__in=places)
        | Q(seat_mandates__seat__body_id=plan.body_id)
        | Q(pk__in=list(keep))
    )
    ids = Actor.objects.visible_to(user, plan.program).filter(related).values("pk")
    return Actor.objects.filter(pk__in=ids).order_by("name", "pk")
