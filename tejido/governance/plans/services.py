"""Every write of a community improvement plan: drafting it (objectives › lines › actions),
submitting it to its body's vote, recording the approval, reporting progress, and moving the
actions still waiting for money to a coming meeting's agenda.

The life of a plan
------------------
A coordinator drafts the plan. Submitting it creates a motion poll in the approving body (the
plan's `approval_poll` points at it from then on). While that poll is a draft or open, or
once it has passed, the contents cannot change: the poll's description was written from them,
and what the body votes on is what gets approved. Deleting the draft poll withdraws the
submission; if the poll fails, the plan can be changed and submitted again (a new poll
replaces the link). Recording
the approval needs the linked poll closed and passed; from then on only an action's progress,
status and funding change, and its needs are "in the plan".

Funding status is never entered: it follows from the budget and the funded amount (nothing
funded: unfunded; part: partly funded; all, or an action that costs nothing: funded).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory

from ..decisions.selectors import poll_passed
from ..decisions.services import poll_create
from ..models import (
    ActionLine,
    ActionProgress,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    Body,
    FundingStatus,
    Meeting,
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
from .money import money

MOTION_METHODS = ("majority", "qualified", "consent")
# The largest amount the database keeps (14 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("999999999999.99")
# Statuses an approved plan's action may be moved to deferral from, and the funding that
# sends an action to a meeting's agenda.
FINISHED_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)
NEEDS_FUNDING = (FundingStatus.UNFUNDED, FundingStatus.PARTIAL)
# What an approved plan still lets change on an action.
APPROVED_ACTION_FIELDS = frozenset({"status", "funded_amount"})

_UNSET: Any = object()
# The action's short texts and their columns' lengths.
TEXT_LIMITS = {"indicator": 200, "unit": 40}


# -- helpers ----------------------------------------------------------------------------------


def funding_status_for(budget: Decimal, funded: Decimal) -> str:
    """The funding status an action's amounts imply."""
    if funded >= budget:
        return FundingStatus.FUNDED
    if funded <= 0:
        return FundingStatus.UNFUNDED
    return FundingStatus.PARTIAL


def _locked_plan(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("program", "territory", "body", "cycle", "approval_poll")
        .get(pk=plan.pk)
    )


def _require_editable(plan: Plan) -> None:
    """Refuse changes to the contents of a plan that is being voted on, passed, or approved."""
    body = plan.body.name
    if plan.status == PlanStatus.APPROVED:
        raise ValidationError(
            _(
                "This plan was approved by %(body)s: its objectives, lines of action and actions"
                " can no longer change. Only each action's progress, status and funding can be"
                " updated."
            )
            % {"body": body},
            code="plan_approved",
        )
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError(_("This plan is archived and can no longer change."), code="archived")
    poll = plan.approval_poll
    if poll is None:
        return
    if poll.status == PollStatus.DRAFT:
        # The poll's description was written from the plan at submission: a change now would
        # put to the vote something else than what the members read.
        raise ValidationError(
            _(
                "The plan is submitted to %(body)s's vote («%(question)s»), whose description"
                " was written from it: it cannot change now. To change it, delete that draft"
                " vote to withdraw the submission, then submit the plan again; or wait for the"
                " result."
            )
            % {"body": body, "question": poll.question},
            code="plan_submitted",
        )
    if poll.status == PollStatus.OPEN:
        raise ValidationError(
            _(
                "%(body)s is voting on this plan («%(question)s»): it cannot change until the"
                " vote closes."
            )
            % {"body": body, "question": poll.question},
            code="plan_in_vote",
        )
    if poll_passed(poll):
        raise ValidationError(
            _(
                "%(body)s approved this plan as it stands («%(question)s»): record the approval;"
                " its contents can no longer change."
            )
            % {"body": body, "question": poll.question},
            code="plan_passed",
        )


def _clean_title(value: str, field: str, message: str, max_length: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": max_length, "length": len(value)}
            }
        )
    return value


def _clean_amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(value if value not in (None, "") else 0)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount.")})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _clean_number(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        raise ValidationError(
            {field: _("Enter a number between -999,999,999,999 and 999,999,999,999.")}
        )
    return number.quantize(Decimal("0.01"))


def _clean_currency(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(
            {
                "currency": _(
                    "Enter the currency's three-letter code (ISO 4217), such as CLP or EUR."
                )
            }
        )
    return code


def _check_body(program: Program, territory: Territory, body: Body) -> None:
    if body.program_id != program.pk:
        raise ValidationError({"body": _("Choose a body of this program.")})
    if body.territory_id != territory.pk:
        raise ValidationError(
            {
                "body": _(
                    "%(body)s is not a body of %(territory)s: choose the one that approves this"
                    " territory's plan."
                )
                % {"body": body.name, "territory": territory.name}
            }
        )


def _check_cycle(program: Program, cycle: Cycle | None) -> None:
    if cycle is None:
        raise ValidationError({"cycle": _("Choose the cycle the plan is for.")})
    if cycle.program_id != program.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this program.")})


def _next_position(queryset: Any) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _audit(user: Any, verb: str, target: Any, plan: Plan, /, **data: Any) -> None:
    audit_log(
        user=user,
        action=verb,
        target=target,
        program=plan.program,
        data={"plan": plan.pk, **data},
    )


# -- the plan ---------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    user: Any,
    program: Program,
    territory: Territory,
    body: Body,
    cycle: Cycle | None,
    title: str,
    purpose: str,
    currency: str = "CLP",
) -> Plan:
    title = _clean_title(title, "title", _("Give the plan a title."), 200)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("Say what the plan is for: its purpose.")})
    currency = _clean_currency(currency)
    _check_body(program, territory, body)
    _check_cycle(program, cycle)
    plan = Plan.objects.create(
        program=program,
        territory=territory,
        body=body,
        cycle=cycle,
        title=title,
        purpose=purpose,
        currency=currency,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _audit(user, "plan.create", plan, plan)
    return plan


@transaction.atomic
def plan_update(
    *,
    user: Any,
    plan: Plan,
    title: str = _UNSET,
    purpose: str = _UNSET,
    currency: str = _UNSET,
    cycle: Cycle | None = _UNSET,
    body: Body = _UNSET,
) -> Plan:
    """Change what the plan says about itself. Territory is fixed: a plan for another territory
    is another plan."""
    plan = _locked_plan(plan)
    _require_editable(plan)
    changed: list[str] = []
    if title is not _UNSET:
        plan.title = _clean_title(title, "title", _("Give the plan a title."), 200)
        changed.append("title")
    if purpose is not _UNSET:
        if not (purpose or "").strip():
            raise ValidationError({"purpose": _("Say what the plan is for: its purpose.")})
        plan.purpose = purpose.strip()
        changed.append("purpose")
    if currency is not _UNSET:
        plan.currency = _clean_currency(currency)
        changed.append("currency")
    if cycle is not _UNSET:
        _check_cycle(plan.program, cycle)
        plan.cycle = cycle
        changed.append("cycle")
    if body is not _UNSET:
        _check_body(plan.program, plan.territory, body)
        if plan.approval_poll is not None and body.pk != plan.body_id:
            raise ValidationError(
                {
                    "body": _("The plan was already submitted to %(body)s; it keeps that body.")
                    % {"body": plan.body.name}
                }
            )
        plan.body = body
        changed.append("body")
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
        _audit(user, "plan.update", plan, plan, fields=changed)
    return plan


# -- objectives -------------------------------------------------------------------------------


def _clean_needs(plan: Plan, needs: Iterable[Need]) -> list[Need]:
    chosen = list({n.pk: n for n in needs}.values())
    for need in chosen:
        if need.program_id != plan.program_id or need.territory_id != plan.territory_id:
            raise ValidationError(
                {
                    "needs": _("«%(need)s» is not a need of %(territory)s in this program.")
                    % {"need": need.title, "territory": plan.territory.name}
                }
            )
    return chosen


@transaction.atomic
def objective_create(
    *,
    user: Any,
    plan: Plan,
    title: str,
    description: str = "",
    needs: Iterable[Need] = (),
) -> Objective:
    plan = _locked_plan(plan)
    _require_editable(plan)
    title = _clean_title(title, "title", _("Write the objective."), 300)
    chosen = _clean_needs(plan, needs)
    objective = Objective.objects.create(
        plan=plan,
        position=_next_position(plan.objectives.all()),
        title=title,
        description=(description or "").strip(),
    )
    objective.needs.set(chosen)
    _audit(user, "plan.objective_create", objective, plan, needs=[n.pk for n in chosen])
    return objective


@transaction.atomic
def objective_update(
    *,
    user: Any,
    objective: Objective,
    title: str = _UNSET,
    description: str = _UNSET,
    needs: Iterable[Need] = _UNSET,
) -> Objective:
    plan = _locked_plan(objective.plan)
    _require_editable(plan)
    objective = Objective.objects.get(pk=objective.pk, plan=plan)
    objective.plan = plan
    changed: list[str] = []
    if title is not _UNSET:
        objective.title = _clean_title(title, "title", _("Write the objective."), 300)
        changed.append("title")
    if description is not _UNSET:
        objective.description = (description or "").strip()
        changed.append("description")
    chosen = _clean_needs(plan, needs) if needs is not _UNSET else None
    if changed:
        objective.save(update_fields=changed)
    if chosen is not None:
        objective.needs.set(chosen)
        changed.append("needs")
    if changed:
        _audit(user, "plan.objective_update", objective, plan, fields=changed)
    return objective


@transaction.atomic
def objective_remove(*, user: Any, objective: Objective) -> None:
    plan = _locked_plan(objective.plan)
    _require_editable(plan)
    objective = Objective.objects.get(pk=objective.pk, plan=plan)
    data = {"title": objective.title, "objective": objective.pk}
    objective.delete()
    _audit(user, "plan.objective_remove", plan, plan, **data)


def _reorder(items: Sequence[Any], order: Sequence[int], message: str) -> list[Any]:
    by_id = {item.pk: item for item in items}
    ids = [int(i) for i in order]
    if sorted(ids) != sorted(by_id) or len(set(ids)) != len(ids):
        raise ValidationError(message, code="bad_order")
    moved = []
    for position, pk in enumerate(ids):
        item = by_id[pk]
        if item.position != position:
            item.position = position
            moved.append(item)
    return moved


@transaction.atomic
def objective_reorder(*, user: Any, plan: Plan, order: Sequence[int]) -> None:
    """Put the plan's objectives in this order (every objective's id, once)."""
    plan = _locked_plan(plan)
    _require_editable(plan)
    moved = _reorder(
        list(plan.objectives.all()),
        order,
        _("The order must list each of the plan's objectives once. Reload the page and try again."),
    )
    Objective.objects.bulk_update(moved, ["position"])
    if moved:
        _audit(user, "plan.objective_reorder", plan, plan, order=[int(i) for i in order])


# -- lines of action --------------------------------------------------------------------------


@transaction.atomic
def line_create(*, user: Any, objective: Objective, title: str) -> ActionLine:
    plan = _locked_plan(objective.plan)
    _require_editable(plan)
    objective = Objective.objects.get(pk=objective.pk, plan=plan)
    title = _clean_title(title, "title", _("Name the line of action."), 300)
    line = ActionLine.objects.create(
        objective=objective, position=_next_position(objective.lines.all()), title=title
    )
    _audit(user, "plan.line_create", line, plan)
    return line


def _plan_of_line(line: ActionLine) -> Plan:
    return Plan.objects.get(objectives__lines=line)


@transaction.atomic
def line_update(*, user: Any, line: ActionLine, title: str) -> ActionLine:
    plan = _locked_plan(_plan_of_line(line))
    _require_editable(plan)
    line = ActionLine.objects.get(pk=line.pk)
    line.title = _clean_title(title, "title", _("Name the line of action."), 300)
    line.save(update_fields=["title"])
    _audit(user, "plan.line_update", line, plan)
    return line


@transaction.atomic
def line_remove(*, user: Any, line: ActionLine) -> None:
    plan = _locked_plan(_plan_of_line(line))
    _require_editable(plan)
    line = ActionLine.objects.get(pk=line.pk)
    data = {"title": line.title, "line": line.pk}
    line.delete()
    _audit(user, "plan.line_remove", plan, plan, **data)


@transaction.atomic
def line_reorder(*, user: Any, objective: Objective, order: Sequence[int]) -> None:
    """Put the objective's lines of action in this order (every line's id, once)."""
    plan = _locked_plan(objective.plan)
    _require_editable(plan)
    moved = _reorder(
        list(ActionLine.objects.filter(objective_id=objective.pk)),
        order,
        _("The order must list each line of this objective once. Reload the page and try again."),
    )
    ActionLine.objects.bulk_update(moved, ["position"])
    if moved:
        _audit(user, "plan.line_reorder", objective, plan, order=[int(i) for i in order])


# -- actions ----------------------------------------------------------------------------------


def _plan_of_action(action: PlanAction) -> Plan:
    return Plan.objects.get(objectives__lines__actions=action)


def _clean_actors(
    plan: Plan, responsible: Actor | None, partners: Iterable[Actor]
) -> tuple[Actor | None, list[Actor]]:
    if responsible is not None and responsible.program_id != plan.program_id:
        raise ValidationError({"responsible": _("Choose an actor of this program.")})
    chosen = list({a.pk: a for a in partners}.values())
    for actor in chosen:
        if actor.program_id != plan.program_id:
            raise ValidationError({"partners": _("Choose actors of this program.")})
    if responsible is not None and any(a.pk == responsible.pk for a in chosen):
        raise ValidationError(
            {
                "partners": _(
                    "%(name)s is already responsible for the action; leave it out of the partners."
                )
                % {"name": responsible.name}
            }
        )
    return responsible, chosen


def _check_indicator(action: PlanAction) -> None:
    has_numbers = action.baseline is not None or action.target is not None
    if has_numbers and not action.indicator:
        raise ValidationError(
            {"indicator": _("Name the indicator the baseline and target measure.")}
        )
    if (
        action.target is not None
        and action.baseline is not None
        and action.target == action.baseline
    ):
        raise ValidationError({"target": _("The target must differ from the baseline.")})


def _check_funding(action: PlanAction) -> None:
    if action.funded_amount > action.budget:
        raise ValidationError(
            {"funded_amount": _("The funded amount cannot be more than the budget.")}
        )
    action.funding_status = funding_status_for(action.budget, action.funded_amount)


@transaction.atomic
def action_create(
    *,
    user: Any,
    line: ActionLine,
    title: str,
    description: str = "",
    responsible: Actor | None = None,
    partners: Iterable[Actor] = (),
    budget: Decimal | int | str = 0,
    funded_amount: Decimal | int | str = 0,
    indicator: str = "",
    unit: str = "",
    baseline: Decimal | int | str | None = None,
    target: Decimal | int | str | None = None,
    term: str = Term.SHORT,
    status: str = ActionStatus.PLANNED,
) -> PlanAction:
    plan = _locked_plan(_plan_of_line(line))
    _require_editable(plan)
    line = ActionLine.objects.get(pk=line.pk)
    responsible, chosen = _clean_actors(plan, responsible, partners)
    fields = _clean_action_fields(
        {
            "title": title,
            "description": description,
            "budget": budget,
            "funded_amount": funded_amount,
            "indicator": indicator,
            "unit": unit,
            "baseline": baseline,
            "target": target,
            "term": term,
            "status": status,
        }
    )
    action = PlanAction(
        line=line,
        position=_next_position(line.actions.all()),
        responsible=responsible,
        **fields,
    )
    _check_indicator(action)
    _check_funding(action)
    action.save()
    action.partners.set(chosen)
    _audit(user, "plan.action_create", action, plan, budget=str(action.budget))
    return action


ACTION_FIELDS = (
    "title",
    "description",
    "responsible",
    "budget",
    "funded_amount",
    "indicator",
    "unit",
    "baseline",
    "target",
    "term",
    "status",
)


@transaction.atomic
def action_update(*, user: Any, action: PlanAction, **changes: Any) -> PlanAction:
    """Change an action: any of ACTION_FIELDS and `partners`. Once the plan is approved only
    `status` and `funded_amount` may change (the funding status follows)."""
    unknown = set(changes) - {*ACTION_FIELDS, "partners"}
    if unknown:
        raise TypeError(f"action_update() got unexpected fields: {sorted(unknown)}")
    plan = _locked_plan(_plan_of_action(action))
    action = (
        PlanAction.objects.select_for_update(of=("self",))
        .select_related("responsible")
        .get(pk=action.pk)
    )
    old_partners = {a.pk for a in action.partners.all()}
    new = _clean_action_fields(changes)
    partners: list[Actor] | None = None
    if "responsible" in changes or "partners" in changes:
        new["responsible"], partners = _clean_actors(
            plan,
            changes.get("responsible", action.responsible),
            changes["partners"] if "partners" in changes else action.partners.all(),
        )
    changed = {name for name, value in new.items() if getattr(action, name) != value}
    if partners is not None and {a.pk for a in partners} != old_partners:
        changed.add("partners")
    if plan.status == PlanStatus.APPROVED:
        if changed - APPROVED_ACTION_FIELDS:
            raise ValidationError(
                _(
                    "This plan was approved by %(body)s: only the status and the funding of its"
                    " actions can change now, and their progress be reported."
                )
                % {"body": plan.body.name},
                code="plan_approved",
            )
    else:
        _require_editable(plan)
    if not changed:
        return action
    was_waiting = action.funding_status != FundingStatus.FUNDED
    for name, value in new.items():
        setattr(action, name, value)
    _check_indicator(action)
    _check_funding(action)
    # Money found for a deferred action: it is planned again (unless its status was just set).
    if (
        was_waiting
        and action.funding_status == FundingStatus.FUNDED
        and action.status == ActionStatus.DEFERRED
        and "status" not in changed
    ):
        action.status = ActionStatus.PLANNED
    action.save()
    if "partners" in changed and partners is not None:
        action.partners.set(partners)
    _audit(
        user,
        "plan.action_update",
        action,
        plan,
        fields=sorted(changed),
        status=action.status,
        funded_amount=str(action.funded_amount),
    )
    return action


def _clean_action_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """The given fields (but the actors) cleaned as they will be stored."""
    new: dict[str, Any] = {}
    if "title" in changes:
        new["title"] = _clean_title(changes["title"], "title", _("Say what the action is."), 300)
    if "description" in changes:
        new["description"] = (changes["description"] or "").strip()
    for name in ("budget", "funded_amount"):
        if name in changes:
            new[name] = _clean_amount(changes[name], name)
    for name in ("indicator", "unit"):
        if name in changes:
            new[name] = _clean_text(changes[name], name)
    for name in ("baseline", "target"):
        if name in changes:
            new[name] = _clean_number(changes[name], name)
    if "term" in changes:
        if changes["term"] not in Term.values:
            raise ValidationError({"term": _("Choose a short, medium or long term.")})
        new["term"] = changes["term"]
    if "status" in changes:
        if changes["status"] not in ActionStatus.values:
            raise ValidationError({"status": _("Choose a status.")})
        new["status"] = changes["status"]
    return new


def _clean_text(value: str, name: str) -> str:
    text = " ".join((value or "").split())
    limit = TEXT_LIMITS[name]
    if len(text) > limit:
        raise ValidationError(
            {
                name: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": limit, "length": len(text)}
            }
        )
    return text


@transaction.atomic
def action_remove(*, user: Any, action: PlanAction) -> None:
    plan = _locked_plan(_plan_of_action(action))
    _require_editable(plan)
    action = PlanAction.objects.get(pk=action.pk)
    data = {"title": action.title, "action": action.pk}
    action.delete()
    _audit(user, "plan.action_remove", plan, plan, **data)


@transaction.atomic
def action_reorder(*, user: Any, line: ActionLine, order: Sequence[int]) -> None:
    """Put the line's actions in this order (every action's id, once)."""
    plan = _locked_plan(_plan_of_line(line))
    _require_editable(plan)
    moved = _reorder(
        list(PlanAction.objects.filter(line_id=line.pk)),
        order,
        _("The order must list each action of this line once. Reload the page and try again."),
    )
    PlanAction.objects.bulk_update(moved, ["position"])
    if moved:
        _audit(user, "plan.action_reorder", line, plan, order=[int(i) for i in order])


# -- approval ---------------------------------------------------------------------------------


def _poll_description(plan: Plan) -> str:
    objectives = list(plan.objectives.order_by("position", "id"))
    actions = PlanAction.objects.filter(line__objective__plan=plan).exclude(
        status=ActionStatus.CANCELLED
    )
    total = sum((a.budget for a in actions), Decimal(0))
    lines = [plan.purpose, "", _("Objectives:")]
    lines += [f"{n}. {o.title}" for n, o in enumerate(objectives, start=1)]
    lines += [
        "",
        ngettext(
            "%(count)s action, with a budget of %(total)s.",
            "%(count)s actions, with a total budget of %(total)s.",
            len(actions),
        )
        % {"count": len(actions), "total": money(total, plan.currency)},
    ]
    return "\n".join(lines)


@transaction.atomic
def plan_submit_for_approval(
    *,
    user: Any,
    plan: Plan,
    meeting: Meeting | None = None,
    method: str = "majority",
    threshold: float | Decimal = 0.5,
) -> Poll:
    """Put the plan to its body's vote: a motion poll, in a meeting or online."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan is submitted for approval."), code="not_draft")
    previous = plan.approval_poll
    if previous is not None and previous.status != PollStatus.CLOSED:
        raise ValidationError(
            _(
                "The plan is already submitted to %(body)s: the vote «%(question)s» has not"
                " closed yet."
            )
            % {"body": plan.body.name, "question": previous.question},
            code="already_submitted",
        )
    _require_editable(plan)
    if method not in MOTION_METHODS:
        raise ValidationError(
            {"method": _("A plan is approved by majority, qualified majority or consent.")}
        )
    try:
        share = Decimal(str(threshold))
    except ArithmeticError as exc:
        raise ValidationError({"threshold": _("Enter the share of votes needed.")}) from exc
    if not Decimal(0) < share <= Decimal(1):
        raise ValidationError({"threshold": _("The share of votes needed is between 0 and 1.")})
    if meeting is not None:
        if meeting.body_id != plan.body_id:
            raise ValidationError(
                {"meeting": _("Choose a meeting of %(body)s.") % {"body": plan.body.name}}
            )
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError({"meeting": _("That meeting was cancelled: choose another.")})
    if (
        not PlanAction.objects.filter(line__objective__plan=plan)
        .exclude(status=ActionStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            _("Add at least one action to the plan before submitting it for approval."),
            code="empty",
        )
    poll = poll_create(
        user=user,
        body=plan.body,
        question=_("Approve the community improvement plan «%(title)s»") % {"title": plan.title},
        method=method,
        meeting=meeting,
        threshold=threshold,
        description=_poll_description(plan),
    )
    plan.approval_poll = poll
    plan.save(update_fields=["approval_poll", "updated_at"])
    _audit(
        user,
        "plan.submit",
        plan,
        plan,
        poll=poll.pk,
        meeting=meeting.pk if meeting else None,
        method=method,
    )
    return poll


@transaction.atomic
def plan_approve(*, user: Any, plan: Plan) -> Plan:
    """Record that the body approved the plan: its vote must have closed and passed."""
    plan = _locked_plan(plan)
    if plan.status == PlanStatus.APPROVED:
        raise ValidationError(_("This plan is already approved."), code="approved")
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be approved."), code="not_draft")
    poll = plan.approval_poll
    if poll is None:
        raise ValidationError(
            _("Submit the plan to %(body)s's vote first: a plan is approved by its decision.")
            % {"body": plan.body.name},
            code="no_poll",
        )
    poll = Poll.objects.get(pk=poll.pk)
    if poll.status != PollStatus.CLOSED:
        raise ValidationError(
            _("The vote «%(question)s» has not closed yet.") % {"question": poll.question},
            code="poll_not_closed",
        )
    if not poll_passed(poll):
        raise ValidationError(
            _(
                "%(body)s did not approve the plan in «%(question)s». Change it if needed and"
                " submit it again."
            )
            % {"body": plan.body.name, "question": poll.question},
            code="poll_failed",
        )
    duplicate_message = _("%(territory)s already has an approved plan for %(cycle)s: «%(title)s».")
    existing = (
        Plan.objects.approved()
        .filter(territory=plan.territory, cycle=plan.cycle)
        .exclude(pk=plan.pk)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            duplicate_message
            % {"territory": plan.territory.name, "cycle": plan.cycle, "title": existing.title},
            code="duplicate",
        )
    plan.status = PlanStatus.APPROVED
    plan.approval_poll = poll
    plan.approved_at = timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "approval_poll", "approved_at", "updated_at"])
    except IntegrityError as exc:
        # Another plan of the territory and cycle was approved at the same moment.
        other = (
            Plan.objects.approved()
            .filter(territory=plan.territory, cycle=plan.cycle)
            .exclude(pk=plan.pk)
            .first()
        )
        raise ValidationError(
            duplicate_message
            % {
                "territory": plan.territory.name,
                "cycle": plan.cycle,
                "title": other.title if other else "—",
            },
            code="duplicate",
        ) from exc
    needs = Need.objects.filter(
        objectives__plan=plan, status__in=(NeedStatus.OPEN, NeedStatus.PRIORITIZED)
    )
    marked = list(needs.values_list("pk", flat=True).distinct())
    Need.objects.filter(pk__in=marked).update(status=NeedStatus.IN_PLAN, updated_at=timezone.now())
    _audit(user, "plan.approve", plan, plan, poll=poll.pk, needs_in_plan=marked)
    return plan


# -- progress ---------------------------------------------------------------------------------


@transaction.atomic
def action_progress_record(
    *,
    user: Any,
    action: PlanAction,
    value: Decimal | int | str | None = None,
    note: str = "",
    recorded_on: datetime.date | None = None,
) -> ActionProgress:
    """A progress report: the indicator's value on a date, a note, or both. The action's current
    value is the value of its latest report; a planned action with progress is in progress."""
    plan = _plan_of_action(action)
    action = (
        PlanAction.objects.select_for_update(of=("self",))
        .select_related("responsible", "line__objective__plan__program")
        .get(pk=action.pk)
    )
    if not user.has_perm("governance.record_plan_progress", action):
        raise ValidationError(
            _(
                "Only the program's coordinators and the representatives of the organization"
                " responsible for the action report its progress."
            ),
            code="forbidden",
        )
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(
            _("Progress is reported once the plan is approved."), code="not_approved"
        )
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError(
            _("This action was cancelled: no progress is reported on it."), code="cancelled"
        )
    number = _clean_number(value, "value")
    note = (note or "").strip()
    if number is None and not note:
        raise ValidationError(
            {"value": _("Enter the indicator's value, a note about the progress, or both.")}
        )
    if number is not None and not action.indicator:
        raise ValidationError(
            {"value": _("This action has no indicator: describe the progress in the note.")}
        )
    today = timezone.localdate()
    recorded_on = recorded_on or today
    if recorded_on > today:
        raise ValidationError({"recorded_on": _("Progress cannot be reported for a future date.")})
    report = ActionProgress.objects.create(
        action=action,
        recorded_on=recorded_on,
        value=number,
        note=note,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    fields: list[str] = []
    latest = action.progress.exclude(value__isnull=True).order_by("-recorded_on", "-id").first()
    if latest is not None and latest.value != action.current_value:
        action.current_value = latest.value
        fields.append("current_value")
    if action.status == ActionStatus.PLANNED:
        action.status = ActionStatus.IN_PROGRESS
        fields.append("status")
    if fields:
        action.save(update_fields=fields)
    _audit(
        user,
        "plan.progress",
        report,
        plan,
        action=action.pk,
        value=None if number is None else str(number),
    )
    return report


# -- unfunded actions to a coming agenda ------------------------------------------------------


@transaction.atomic
def plan_defer_unfunded(*, user: Any, plan: Plan, meeting: Meeting) -> list[AgendaItem]:
    """Put every action still waiting for money (unfunded or partly funded, neither done nor
    cancelled) on the agenda of a coming meeting of the plan's body, and mark it deferred.

    An action already on that meeting's agenda is not added twice (the database refuses it too);
    the list holds the items added now.
    """
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(
            _("Only an approved plan's actions are moved to a meeting's agenda."),
            code="not_approved",
        )
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if meeting.body_id != plan.body_id:
        raise ValidationError(
            {"meeting": _("Choose a meeting of %(body)s.") % {"body": plan.body.name}}
        )
    if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at < timezone.now():
        raise ValidationError(
            {"meeting": _("Choose a coming meeting: this one is over or cancelled.")}
        )
    waiting = list(
        PlanAction.objects.select_for_update(of=("self",))
        .filter(line__objective__plan=plan, funding_status__in=NEEDS_FUNDING)
        .exclude(status__in=FINISHED_STATUSES)
        .order_by("line__objective__position", "line__position", "position", "id")
    )
    already = set(
        AgendaItem.objects.filter(meeting=meeting, plan_action__in=waiting).values_list(
            "plan_action_id", flat=True
        )
    )
    position = _next_position(meeting.agenda_items.all())
    added: list[AgendaItem] = []
    deferred: list[PlanAction] = []
    for action in waiting:
        if action.pk not in already:
            missing = action.budget - action.funded_amount
            item = AgendaItem(
                meeting=meeting,
                position=position,
                kind=AgendaItemKind.PLAN,
                title=(_("Funding for «%(action)s»") % {"action": action.title})[:200],
                description=_(
                    "Action of the plan «%(plan)s» awaiting funding: budget %(budget)s,"
                    " funded %(funded)s, missing %(missing)s."
                )
                % {
                    "plan": plan.title,
                    "budget": money(action.budget, plan.currency),
                    "funded": money(action.funded_amount, plan.currency),
                    "missing": money(missing, plan.currency),
                },
                duration_minutes=10,
                plan_action=action,
                carried_over=True,
            )
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError:
                # Added by a concurrent request in the meantime: it is on the agenda once.
                continue
            position += 1
            added.append(item)
        if action.status != ActionStatus.DEFERRED:
            action.status = ActionStatus.DEFERRED
            deferred.append(action)
    PlanAction.objects.bulk_update(deferred, ["status"])
    if added or deferred:
        _audit(
            user,
            "plan.defer_unfunded",
            plan,
            plan,
            meeting=meeting.pk,
            agenda_items=[i.pk for i in added],
            actions=[a.pk for a in deferred],
        )
    return added
