"""Say in plain words, in the reader's language, why an application got its allocation outcome.

`explain(decision)` takes a `tejido.funds.allocation.Decision`, or one application's entry of a
stored `AllocationRun.outcome` ({"outcome", "amount", "rank", "reason", ...}), and returns one
sentence such as "Not funded: La Pintana's quota (at most $18.000.000) was already used by
higher-scoring projects." Amounts are written in `currency` when it is given (the call's), as
plain numbers otherwise (a Pabulib file on the command line has no currency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.governance.plans.money import money

from .allocation import Allocation, Decision, Outcome


def _amount(value: Any, currency: str | None) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if currency:
        return money(amount, currency)
    places = 0 if amount == amount.to_integral_value() else 2
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def number(value: Any) -> str:
    """A score or a mean: up to two decimals, without trailing zeros ("1.5", "73.25", "2")."""
    if value is None:
        return "—"
    rounded = Decimal(str(round(float(value), 2))).normalize()
    places = max(0, -rounded.as_tuple().exponent)  # type: ignore[operator]
    return formats.number_format(rounded, places, use_l10n=True)


def _percent(share: Any) -> str:
    return formats.number_format(round(float(share) * 100), 0, use_l10n=True)


def _as_decision(decision: Decision | Mapping[str, Any]) -> Decision:
    if isinstance(decision, Decision):
        return decision
    return Decision.from_json(str(decision.get("id", "")), decision)


def _names(names: Sequence[str], count: int) -> str:
    shown = list(names)
    if count > len(shown):
        others = count - len(shown)
        shown.append(ngettext("%(count)s other", "%(count)s others", others) % {"count": others})
    return str(get_text_list(shown, _("and")))


def _funded(reason: Mapping[str, Any], amount: Decimal, currency: str | None) -> str:
    params = {
        "amount": _amount(amount, currency),
        "rank": reason.get("rank") or "—",
        "score": number(reason.get("score")),
    }
    if reason.get("minimum_label"):
        return _(
            "Funded with %(amount)s to meet the minimum share for %(group)s "
            "(ranked %(rank)s, score %(score)s)."
        ) % {**params, "group": reason["minimum_label"]}
    return _("Funded in full with %(amount)s: ranked %(rank)s with a score of %(score)s.") % params


def _partial(reason: Mapping[str, Any], amount: Decimal, currency: str | None) -> str:
    params = {
        "amount": _amount(amount, currency),
        "cost": _amount(reason.get("cost"), currency),
        "percent": _percent(reason.get("share", 0)),
        "rank": reason.get("rank") or "—",
    }
    because = {
        "max_grant": _("the call's maximum grant"),
        "budget": _("what was left of the budget"),
        "quota": _("what was left under a quota"),
        "optimal": _("the share that let the budget fund the best set of projects"),
    }.get(str(reason.get("limited_by")), _("the call's maximum grant"))
    return _(
        "Partly funded with %(amount)s of the %(cost)s requested (%(percent)s %%), "
        "limited by %(because)s; ranked %(rank)s."
    ) % {**params, "because": because}


def _disqualified(reason: Mapping[str, Any]) -> str:
    parts = []
    for criterion in reason.get("criteria") or []:
        if criterion.get("mean") is None or criterion.get("minimum") is None:
            parts.append(str(criterion.get("name", "")))
        elif criterion.get("scale"):
            parts.append(
                _("%(criterion)s (%(mean)s of %(scale)s; minimum %(minimum)s)")
                % {
                    "criterion": criterion.get("name", ""),
                    "mean": number(criterion["mean"]),
                    "scale": criterion["scale"],
                    "minimum": number(criterion["minimum"]),
                }
            )
        else:
            parts.append(
                _("%(criterion)s (%(mean)s; minimum %(minimum)s)")
                % {
                    "criterion": criterion.get("name", ""),
                    "mean": number(criterion["mean"]),
                    "minimum": number(criterion["minimum"]),
                }
            )
    return _("Not funded: below the minimum in %(criteria)s.") % {
        "criteria": "; ".join(parts) or _("a criterion")
    }


def _not_chosen(reason: Mapping[str, Any], currency: str | None) -> str:
    labels = reason.get("minimum_labels") or []
    count = int(reason.get("displaced_count") or 0)
    if labels:
        return _(
            "Not funded: the money it needed goes to projects that fill the minimum share for "
            "%(groups)s."
        ) % {"groups": get_text_list(list(labels), _("and"))}
    if count:
        names = _names(reason.get("displaced") or [], count)
        return ngettext(
            "Not funded: the money it needed funds a lower-scoring project instead (%(names)s), "
            "which scores %(theirs)s against its %(score)s within the same budget.",
            "Not funded: the money it needed funds %(count)s lower-scoring projects instead "
            "(%(names)s), which together score %(theirs)s against its %(score)s: a higher total "
            "within the same budget.",
            count,
        ) % {
            "count": count,
            "names": names,
            "theirs": number(reason.get("displaced_score")),
            "score": number(reason.get("score")),
        }
    return _(
        "Not funded: the best combination of projects within the budget and the quotas leaves "
        "no room for it (it needed %(needed)s; %(remaining)s was left)."
    ) % {
        "needed": _amount(reason.get("needed"), currency),
        "remaining": _amount(reason.get("remaining"), currency),
    }


def explain(decision: Decision | Mapping[str, Any], *, currency: str | None = None) -> str:
    """One sentence on why the application got its outcome."""
    decision = _as_decision(decision)
    reason = decision.reason
    outcome = decision.outcome
    if outcome == Outcome.FUNDED:
        return _funded(reason, decision.amount, currency)
    if outcome == Outcome.PARTIAL:
        return _partial(reason, decision.amount, currency)
    if outcome == Outcome.INELIGIBLE:
        return _("Not funded: it did not pass the eligibility check.")
    if outcome == Outcome.DISQUALIFIED:
        return _disqualified(reason)
    if outcome == Outcome.BELOW_THRESHOLD:
        return _(
            "Not funded: its score, %(score)s, is below the call's minimum of %(threshold)s."
        ) % {"score": number(reason.get("score")), "threshold": number(reason.get("threshold"))}
    if outcome == Outcome.OUT_OF_RANGE:
        if reason.get("side") == "above":
            return _("Not funded: it asks for %(cost)s; this call funds at most %(limit)s.") % {
                "cost": _amount(reason.get("cost"), currency),
                "limit": _amount(reason.get("max_grant"), currency),
            }
        return _("Not funded: it asks for %(cost)s; this call funds at least %(limit)s.") % {
            "cost": _amount(reason.get("cost"), currency),
            "limit": _amount(reason.get("min_grant"), currency),
        }
    if outcome == Outcome.QUOTA_FULL:
        params = {
            "group": reason.get("label") or reason.get("group", ""),
            "maximum": _amount(reason.get("maximum"), currency),
            "left": _amount(reason.get("left"), currency),
            "needed": _amount(reason.get("needed"), currency),
        }
        if reason.get("by_higher_scores", True):
            return (
                _(
                    "Not funded: %(group)s's quota (at most %(maximum)s) was already used by "
                    "higher-scoring projects; %(left)s was left and it needed %(needed)s."
                )
                % params
            )
        return (
            _(
                "Not funded: %(group)s's quota (at most %(maximum)s) was already used by other "
                "projects; %(left)s was left and it needed %(needed)s."
            )
            % params
        )
    if outcome == Outcome.NO_BUDGET:
        params = {
            "remaining": _amount(reason.get("remaining"), currency),
            "needed": _amount(reason.get("needed") or reason.get("cost"), currency),
        }
        if reason.get("rule") == "greedy":
            return (
                _(
                    "Not funded: when its turn came only %(remaining)s of the budget was left, "
                    "and it needed %(needed)s."
                )
                % params
            )
        return (
            _(
                "Not funded: the budget went to higher-scoring projects; %(remaining)s was left "
                "and it needed %(needed)s."
            )
            % params
        )
    return _not_chosen(reason, currency)


def explain_notes(
    allocation: Allocation | Mapping[str, Any], *, currency: str | None = None
) -> list[str]:
    """Sentences about the allocation as a whole: the minimum quotas it could not meet.
    Takes an `Allocation` or a stored `AllocationRun.outcome`."""
    if isinstance(allocation, Allocation):
        relaxed = list(allocation.relaxed)
        labels: Mapping[str, Any] = allocation.quota_labels
        totals: Mapping[str, Any] = allocation.quota_totals
    else:
        relaxed = list(allocation.get("relaxed") or {})
        labels = allocation.get("quota_labels") or {}
        totals = allocation.get("quota_totals") or {}
    return [
        _(
            "The minimum share for %(group)s could not be met within the budget and the other "
            "quotas: its projects get %(used)s."
        )
        % {"group": labels.get(group, group), "used": _amount(totals.get(group, 0), currency)}
        for group in relaxed
    ]


def outcome_label(outcome: str) -> str:
    """A short name for an outcome, for tags and filters."""
    labels = {
        Outcome.FUNDED: _("Funded"),
        Outcome.PARTIAL: _("Partly funded"),
        Outcome.BELOW_THRESHOLD: _("Below the minimum score"),
        Outcome.DISQUALIFIED: _("Below a criterion's minimum"),
        Outcome.INELIGIBLE: _("Not eligible"),
        Outcome.OUT_OF_RANGE: _("Outside the grant range"),
        Outcome.QUOTA_FULL: _("Quota full"),
        Outcome.NO_BUDGET: _("Out of budget"),
        Outcome.NOT_CHOSEN: _("Not chosen"),
    }
    return labels.get(Outcome(outcome), str(outcome)) if outcome in Outcome else str(outcome)


def outcome_tone(outcome: str) -> str:
    """The status-tag tone of an outcome (see governance/_status_tag.html)."""
    if outcome == Outcome.FUNDED:
        return "success"
    if outcome == Outcome.PARTIAL:
        return "current"
    if outcome in (Outcome.INELIGIBLE, Outcome.DISQUALIFIED):
        return "danger"
    return "muted"
