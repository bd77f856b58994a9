"""Writes for ranking and allocation: run an allocation rule over a call (for real or as a
what-if), record the committee's decision (which creates the awards) and publish the results
(which tells every applicant its outcome, with the reason, in their language)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tejido.core.audit import audit_log
from tejido.governance.models import Poll
from tejido.governance.plans.money import money

from .. import allocation as alloc
from ..explain import explain
from ..models import (
    AllocationRule,
    AllocationRun,
    Application,
    ApplicationStatus,
    Award,
    Call,
    CallStatus,
)
from . import selectors

ALLOCATE = "funds.allocate"


def _require(actor: Any, call: Call) -> None:
    if actor is None or not actor.has_perm(ALLOCATE, call):
        raise PermissionDenied(_("Only the program's coordinators allocate a call's budget."))


def _locked(call: Call) -> Call:
    locked = Call.objects.select_for_update(of=("self",)).select_related("program").get(pk=call.pk)
    return locked


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: message}) from exc


def _clean_overrides(call: Call, overrides: dict[str, Any]) -> dict[str, Any]:
    """Check what-if values; field-keyed messages for the form that sent them."""
    clean: dict[str, Any] = {}
    if overrides.get("budget") not in (None, ""):
        budget = _decimal(overrides["budget"], "budget", _("Enter the budget as an amount."))
        if budget <= 0:
            raise ValidationError({"budget": _("The budget must be more than zero.")})
        clean["budget"] = budget
    if overrides.get("partial") is not None:
        clean["partial"] = bool(overrides["partial"])
    if overrides.get("min_partial_share") not in (None, ""):
        share = _decimal(
            overrides["min_partial_share"],
            "min_partial_share",
            _("Enter the smallest share as a number between 0 and 1."),
        )
        if not Decimal("0.01") <= share <= 1:
            raise ValidationError(
                {
                    "min_partial_share": _(
                        "The smallest share of a request must be between 1 % and 100 %."
                    )
                }
            )
        clean["min_partial_share"] = share
    if "threshold" in overrides:
        threshold = overrides["threshold"]
        if threshold in (None, ""):
            clean["threshold"] = None
        else:
            value = _decimal(threshold, "threshold", _("Enter the minimum score as a number."))
            if not 0 <= value <= 100:
                raise ValidationError(
                    {"threshold": _("The minimum score must be between 0 and 100.")}
                )
            clean["threshold"] = value
    shares = overrides.get("quota_shares")
    if shares:
        quotas = {q.pk: q for q in call.quotas.all()}
        clean_shares: dict[int, Decimal] = {}
        for key, value in shares.items():
            quota = quotas.get(int(key))
            if quota is None:
                raise ValidationError({"quota_shares": _("That quota is not one of this call's.")})
            share = _decimal(value, "quota_shares", _("Enter each quota as a share."))
            if not 0 <= share <= 1:
                raise ValidationError(
                    {"quota_shares": _("Each quota must be between 0 % and 100 % of the budget.")}
                )
            clean_shares[quota.pk] = share
        minimums = sum(
            (clean_shares.get(q.pk, q.share) for q in quotas.values() if q.kind == "min"),
            Decimal(0),
        )
        if minimums > 1:
            raise ValidationError(
                {"quota_shares": _("The minimum shares add up to more than the whole budget.")}
            )
        clean["quota_shares"] = clean_shares
    return clean


def _outcome_json(
    allocation: alloc.Allocation, scores: dict[int, selectors.ScoreRow]
) -> dict[str, Any]:
    applications = {}
    for project_id, decision in allocation.decisions.items():
        entry = decision.as_json()
        row = scores.get(int(project_id))
        entry["score"] = row.score if row is not None else None
        applications[project_id] = entry
    return {
        "applications": applications,
        "total": str(allocation.total),
        "quota_totals": {g: str(v) for g, v in allocation.quota_totals.items()},
        "quota_labels": allocation.quota_labels,
        "feasible": allocation.feasible,
        "notes": allocation.notes,
        "relaxed": {g: str(v) for g, v in allocation.relaxed.items()},
        "counts": alloc.outcome_counts(allocation),
    }


@transaction.atomic
def allocation_run(
    *, actor: Any, call: Call, rule: str, what_if: bool = False, **overrides: Any
) -> AllocationRun:
    """Run `rule` ("greedy" or "optimal") over the call's ranked applications and keep the
    run with the outcome and explanation of every application. A what-if run may change the
    budget, partial funding, threshold and quota shares, and never touches the call; a real
    run uses the call's own settings, only while the call is under evaluation."""
    _require(actor, call)
    call = _locked(call)
    if rule not in AllocationRule.values:
        raise ValidationError({"rule": _("Choose greedy or optimal.")})
    if call.status == CallStatus.DRAFT or call.closes_at > timezone.now():
        raise ValidationError(
            _("Applications are ranked once the call has closed (on %(date)s).")
            % {"date": timezone.localtime(call.closes_at).date().isoformat()}
        )
    if not what_if:
        if call.status != CallStatus.PUBLISHED:
            raise ValidationError(
                _(
                    "The committee has already decided on this call: its allocation can only "
                    "be explored as a what-if."
                )
            )
        if overrides:
            raise ValidationError(
                _("A real run uses the call's own settings; try other values as a what-if.")
            )
    clean = _clean_overrides(call, overrides)
    built = selectors.call_problem(call, **clean)
    allocation = alloc.allocate(built.problem, rule)
    parameters = {**built.parameters, "rule": rule}
    run = AllocationRun.objects.create(
        call=call,
        rule=rule,
        parameters=parameters,
        outcome=_outcome_json(allocation, built.scores),
        total_awarded=allocation.total,
        is_what_if=what_if,
        created_by=actor,
    )
    audit_log(
        user=actor,
        action="funds.allocation.what_if" if what_if else "funds.allocation.run",
        target=run,
        program=call.program,
        data={
            "call": call.pk,
            "rule": rule,
            "total": str(allocation.total),
            "funded": len(allocation.funded_ids()),
            "overrides": {k: str(v) for k, v in clean.items()},
        },
    )
    return run


def _check_poll(call: Call, poll: Poll | None) -> None:
    if not call.requires_directorate_decision:
        if poll is not None and poll.body.program_id != call.program_id:
            raise ValidationError({"poll": _("That decision is not one of this program's.")})
        return
    if poll is None:
        raise ValidationError(
            {
                "poll": _(
                    "This call needs the directorate's approval: choose the directorate's "
                    "poll that approved the awards."
                )
            }
        )
    if poll.body.program_id != call.program_id or not selectors.is_directorate(poll.body):
        raise ValidationError(
            {"poll": _("Choose a poll of this program's directorate, not of another body.")}
        )
    if not selectors.poll_approves(poll):
        raise ValidationError(
            {
                "poll": _(
                    "The directorate's poll “%(question)s” did not approve the awards: it must "
                    "be closed and the motion must have passed."
                )
                % {"question": poll.question}
            }
        )


@transaction.atomic
def call_decide(
    *,
    actor: Any,
    call: Call,
    run: AllocationRun,
    note: str,
    poll: Poll | None = None,
    base_url: str = "",
) -> list[Award]:
    """Record the committee's decision on `run` (with its reasons, and the directorate's poll
    when the call requires one) and create the awards. Two coordinators deciding at once: the
    second finds the call decided and is refused."""
    _require(actor, call)
    call = _locked(call)
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("The committee has already decided on this call."))
    if call.closes_at > timezone.now():
        raise ValidationError(_("The call is still open: decide once it has closed."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the committee's reasons for this decision.")})
    run = AllocationRun.objects.get(pk=run.pk)
    if run.call_id != call.pk:
        raise ValidationError({"run": _("This allocation run belongs to another call.")})
    if run.is_what_if:
        raise ValidationError(
            {"run": _("A what-if run cannot be decided: run the allocation for real first.")}
        )
    if poll is not None:
        poll = Poll.objects.select_related("body").get(pk=poll.pk)
    _check_poll(call, poll)
    from ..awards.services import awards_create

    call.status = CallStatus.DECIDED
    call.decided_at = timezone.now()
    call.decided_by = actor
    call.decision_note = note
    call.decision_poll = poll
    call.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_note",
            "decision_poll",
            "updated_at",
        ]
    )
    awards = awards_create(actor=actor, call=call, run=run, base_url=base_url)
    audit_log(
        user=actor,
        action="funds.call.decide",
        target=call,
        program=call.program,
        data={
            "run": run.pk,
            "rule": run.rule,
            "total": str(run.total_awarded),
            "awards": len(awards),
            "poll": poll.pk if poll is not None else None,
        },
    )
    return awards


# -- publishing the results ------------------------------------------------------------------


def call_url(call: Call, base_url: str = "") -> str:
    path = reverse("funds:call", args=[call.program.slug, call.pk])
    return base_url.rstrip("/") + path if base_url else path


def outcome_messages(call: Call, run: AllocationRun, *, base_url: str = "") -> list[EmailMessage]:
    """For every submitted application, its outcome and the reason, to each of the applicant's
    recipients in their own language."""
    from ..awards.services import grantee_recipients

    decisions = selectors.run_decisions(run)
    applications = Application.objects.filter(
        call=call, status=ApplicationStatus.SUBMITTED
    ).order_by("reference", "pk")
    url = call_url(call, base_url)
    messages = []
    for application in applications:
        decision = decisions.get(str(application.pk))
        for email, language, name in grantee_recipients(application.applicant_id):
            with translation.override(language):
                context = {
                    "call": call,
                    "program": call.program,
                    "application": application,
                    "funded": decision is not None and decision.funded,
                    "amount": money(decision.amount, call.currency) if decision else "",
                    "explanation": (
                        explain(decision, currency=call.currency)
                        if decision is not None
                        else _("It was not part of the allocation.")
                    ),
                    "url": url,
                    "name": name,
                }
                subject = render_to_string("funds/ranking/email/outcome_subject.txt", context)
                text = render_to_string("funds/ranking/email/outcome.txt", context)
            messages.append(EmailMessage(" ".join(subject.split()), text, to=[email]))
    return messages


def send_outcomes(call_id: int, run_id: int, *, base_url: str = "") -> int:
    call = Call.objects.select_related("program").get(pk=call_id)
    run = AllocationRun.objects.get(pk=run_id)
    messages = outcome_messages(call, run, base_url=base_url)
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


@transaction.atomic
def call_publish_results(*, actor: Any, call: Call, base_url: str = "") -> Call:
    """Publish a decided call's results: the public page shows the funded projects, and every
    applicant gets an e-mail with its outcome and why (once this commits)."""
    _require(actor, call)
    call = _locked(call)
    if call.status == CallStatus.RESULTS_PUBLISHED:
        raise ValidationError(_("The results of this call are already published."))
    if call.status != CallStatus.DECIDED:
        raise ValidationError(_("Results are published after the committee's decision."))
    run = selectors.decided_run(call)
    if run is None:
        raise ValidationError(_("This call has no awards to publish."))
    call.status = CallStatus.RESULTS_PUBLISHED
    call.results_published_at = timezone.now()
    call.save(update_fields=["status", "results_published_at", "updated_at"])
    audit_log(
        user=actor,
        action="funds.call.publish_results",
        target=call,
        program=call.program,
        data={"run": run.pk},
    )
    call_id, run_id = call.pk, run.pk
    transaction.on_commit(lambda: send_outcomes(call_id, run_id, base_url=base_url))
    return call
