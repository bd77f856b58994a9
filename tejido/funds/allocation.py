"""Decide which projects a call funds, and say why for every one of them.

Pure: no Django. Money is `Decimal`; scores are floats (higher is better). Two rules:

- **greedy**: projects in order of score (ties: the cheaper first, then by id). Each is funded if
  it fits in what is left of the budget and under every maximum quota of its groups; otherwise it
  is skipped and the next one is tried (Pabulib's "greedy"). Minimum quotas are served first:
  the best projects of each group with a minimum are funded until its minimum is reached.
- **optimal**: the combination with the best total score within the budget and the quotas,
  solved as an integer program with SciPy's HiGHS-backed `milp`. With partial funding a project
  may get between `min_partial_share` of its request and all of it, and is worth its score in
  proportion to what it gets.

Before either rule, projects that cannot be funded are set aside, each with its reason:
ineligible, disqualified by a criterion's minimum, below the score threshold, or asking for an
amount outside the call's grant range. Minimum quotas that no combination can meet are relaxed
to the most that can be reached, and the allocation says so (`feasible=False`, `notes`).

Every `Decision` carries a `reason`: plain JSON-friendly parameters (amounts as decimal strings)
that `tejido.funds.explain` turns into a sentence in the reader's language.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, vstack

ZERO = Decimal(0)
RULES = ("greedy", "optimal")
Rule = Literal["greedy", "optimal"]

# HiGHS options: prove optimality (the default 1e-4 relative gap could stop at a combination a
# little worse than the best) within a time limit that keeps a page responsive.
MIP_REL_GAP = 1e-9
TIME_LIMIT_SECONDS = 60.0
# The tie-breaking bonuses of all projects together stay below this share of the top score, so
# they only choose among combinations whose total score is the same.
TIE_BREAK_SHARE = 1e-6
# Above this many candidates (without partial funding), the optimal rule first solves the linear
# relaxation and fixes the projects whose reduced cost proves them in or out, then solves the
# integer program on the rest (the "core"): the same optimum, found much faster.
CORE_FROM = 400
CORE_START = 300
# The first, small core only has to give a good solution, not prove it the best.
INCUMBENT_GAP = 1e-5


class Outcome(enum.StrEnum):
    FUNDED = "funded"
    PARTIAL = "partial"
    BELOW_THRESHOLD = "below_threshold"
    DISQUALIFIED = "disqualified"
    INELIGIBLE = "ineligible"
    OUT_OF_RANGE = "out_of_range"
    QUOTA_FULL = "quota_full"
    NO_BUDGET = "no_budget"
    NOT_CHOSEN = "not_chosen"


FUNDED_OUTCOMES = frozenset({Outcome.FUNDED, Outcome.PARTIAL})


@dataclass(frozen=True)
class Shortfall:
    """A criterion whose mean score is below its disqualifying minimum."""

    criterion: str
    mean: float
    minimum: float
    scale: int | None = None


@dataclass(frozen=True)
class Project:
    id: str
    cost: Decimal
    score: float
    groups: frozenset[str] = frozenset()
    name: str = ""
    eligible: bool = True
    # Names of the criteria whose minimum it missed; `shortfalls` gives the numbers when known.
    disqualified_by: tuple[str, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()


@dataclass(frozen=True)
class GroupQuota:
    """At least `minimum` and at most `maximum` of the budget (amounts) for the projects of
    `group` (a territory, a theme...)."""

    group: str
    label: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Problem:
    budget: Decimal
    projects: tuple[Project, ...]
    quotas: tuple[GroupQuota, ...] = ()
    min_grant: Decimal = ZERO
    max_grant: Decimal | None = None
    score_threshold: float | None = None
    partial: bool = False
    min_partial_share: float = 1.0
    # Partial grants are rounded down to a multiple of this (1: whole pesos or euros).
    unit: Decimal = Decimal(1)


@dataclass(frozen=True)
class Decision:
    project_id: str
    outcome: Outcome
    amount: Decimal
    rank: int | None
    reason: dict[str, Any]

    @property
    def funded(self) -> bool:
        return self.outcome in FUNDED_OUTCOMES

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "amount": str(self.amount),
            "rank": self.rank,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, project_id: str, data: Mapping[str, Any]) -> Decision:
        return cls(
            project_id=str(project_id),
            outcome=Outcome(data["outcome"]),
            amount=Decimal(str(data.get("amount") or "0")),
            rank=data.get("rank"),
            reason=dict(data.get("reason") or {}),
        )


@dataclass
class Allocation:
    rule: str
    decisions: dict[str, Decision]
    total: Decimal
    quota_totals: dict[str, Decimal]
    feasible: bool
    notes: list[str]
    # Minimum quotas that could not be met: group → the minimum actually applied.
    relaxed: dict[str, Decimal] = field(default_factory=dict)
    # The label of each quota group, for explanations.
    quota_labels: dict[str, str] = field(default_factory=dict)

    def funded_ids(self) -> list[str]:
        """Funded projects in rank order."""
        chosen = [d for d in self.decisions.values() if d.funded]
        chosen.sort(key=lambda d: (d.rank if d.rank is not None else math.inf, d.project_id))
        return [d.project_id for d in chosen]


# --------------------------------------------------------------------------------------------
# Helpers


def _money(value: Decimal) -> str:
    return str(value)


def _floor(value: Decimal, unit: Decimal) -> Decimal:
    return (value / unit).to_integral_value(rounding=ROUND_FLOOR) * unit


def _ceil(value: Decimal, unit: Decimal) -> Decimal:
    return (value / unit).to_integral_value(rounding=ROUND_CEILING) * unit


def _id_key(project_id: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order, then the others alphabetically."""
    return (0, int(project_id), "") if project_id.isdigit() else (1, 0, project_id)


def _order_key(project: Project) -> tuple[float, Decimal, tuple[int, int, str]]:
    return (-project.score, project.cost, _id_key(project.id))


@dataclass
class _Quota:
    group: str
    label: str
    minimum: Decimal | None
    maximum: Decimal | None


def _merge_quotas(quotas: Iterable[GroupQuota]) -> dict[str, _Quota]:
    """One quota per group: the highest minimum and the lowest maximum given for it."""
    merged: dict[str, _Quota] = {}
    for quota in quotas:
        current = merged.get(quota.group)
        if current is None:
            merged[quota.group] = _Quota(quota.group, quota.label, quota.minimum, quota.maximum)
            continue
        if quota.minimum is not None:
            current.minimum = (
                quota.minimum if current.minimum is None else max(current.minimum, quota.minimum)
            )
        if quota.maximum is not None:
            current.maximum = (
                quota.maximum if current.maximum is None else min(current.maximum, quota.maximum)
            )
    return merged


@dataclass
class _Candidate:
    project: Project
    rank: int
    low: Decimal  # the least it may get (its whole request without partial funding)
    cap: Decimal  # the most it may get

    @property
    def id(self) -> str:
        return self.project.id

    @property
    def score(self) -> float:
        return self.project.score


def _validate(problem: Problem, rule: str) -> None:
    if rule not in RULES:
        raise ValueError(f"Unknown allocation rule {rule!r}: use one of {', '.join(RULES)}.")
    if problem.budget < 0:
        raise ValueError("The budget cannot be negative.")
    if problem.unit <= 0:
        raise ValueError("The rounding unit must be positive.")
    if not 0 < problem.min_partial_share <= 1:
        raise ValueError("The smallest partial share must be above 0 and at most 1.")
    seen: set[str] = set()
    for project in problem.projects:
        if project.id in seen:
            raise ValueError(f"Project id {project.id!r} appears twice.")
        seen.add(project.id)


def _screen(problem: Problem) -> tuple[dict[str, Decision], list[_Candidate]]:
    """Set aside what cannot be funded, with its reason; rank the rest."""
    decisions: dict[str, Decision] = {}
    ranked = sorted(
        (p for p in problem.projects if p.eligible and not p.disqualified_by), key=_order_key
    )
    ranks = {p.id: position for position, p in enumerate(ranked, start=1)}
    candidates: list[_Candidate] = []
    share = Decimal(str(problem.min_partial_share))
    for project in problem.projects:
        rank = ranks.get(project.id)
        base: dict[str, Any] = {"score": project.score, "cost": _money(project.cost)}
        if not project.eligible:
            decisions[project.id] = Decision(project.id, Outcome.INELIGIBLE, ZERO, None, base)
            continue
        if project.disqualified_by:
            criteria = [
                {
                    "name": s.criterion,
                    "mean": s.mean,
                    "minimum": s.minimum,
                    "scale": s.scale,
                }
                for s in project.shortfalls
            ] or [{"name": name} for name in project.disqualified_by]
            decisions[project.id] = Decision(
                project.id, Outcome.DISQUALIFIED, ZERO, None, {**base, "criteria": criteria}
            )
            continue
        if problem.score_threshold is not None and project.score < problem.score_threshold:
            decisions[project.id] = Decision(
                project.id,
                Outcome.BELOW_THRESHOLD,
                ZERO,
                rank,
                {**base, "rank": rank, "threshold": problem.score_threshold},
            )
            continue
        out_of_range = {
            **base,
            "rank": rank,
            "min_grant": _money(problem.min_grant),
            "max_grant": None if problem.max_grant is None else _money(problem.max_grant),
        }
        if project.cost <= 0 or project.cost < problem.min_grant:
            decisions[project.id] = Decision(
                project.id, Outcome.OUT_OF_RANGE, ZERO, rank, {**out_of_range, "side": "below"}
            )
            continue
        cap = project.cost
        if problem.max_grant is not None and cap > problem.max_grant:
            cap = problem.max_grant
        if not problem.partial:
            low = project.cost
            fits = cap == project.cost
        else:
            wanted = project.cost * share
            low = max(min(_ceil(wanted, problem.unit), cap), problem.min_grant)
            fits = cap >= wanted and low <= cap
        if not fits:
            decisions[project.id] = Decision(
                project.id, Outcome.OUT_OF_RANGE, ZERO, rank, {**out_of_range, "side": "above"}
            )
            continue
        assert rank is not None
        candidates.append(_Candidate(project, rank, low, cap))
    candidates.sort(key=lambda c: c.rank)
    return decisions, candidates


@dataclass
class _State:
    """Money used so far, overall and per quota group."""

    budget: Decimal
    quotas: dict[str, _Quota]
    total: Decimal = ZERO
    used: dict[str, Decimal] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.used = dict.fromkeys(self.quotas, ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.total

    def capping_group(self, project: Project) -> tuple[str | None, Decimal | None]:
        """The group of `project` with the least room under its maximum, and that room."""
        best: tuple[str | None, Decimal | None] = (None, None)
        for group in sorted(project.groups):
            quota = self.quotas.get(group)
            if quota is None or quota.maximum is None:
                continue
            room = quota.maximum - self.used[group]
            if best[1] is None or room < best[1]:
                best = (group, room)
        return best

    def add(self, project: Project, amount: Decimal) -> None:
        self.amounts[project.id] = amount
        self.total += amount
        for group in project.groups:
            if group in self.used:
                self.used[group] += amount

    def remove(self, project: Project) -> None:
        amount = self.amounts.pop(project.id)
        self.total -= amount
        for group in project.groups:
            if group in self.used:
                self.used[group] -= amount


def _funded_decision(
    candidate: _Candidate,
    amount: Decimal,
    *,
    limited_by: str | None = None,
    minimum_group: _Quota | None = None,
) -> Decision:
    cost = candidate.project.cost
    reason: dict[str, Any] = {
        "score": candidate.score,
        "rank": candidate.rank,
        "cost": _money(cost),
        "amount": _money(amount),
        "share": float(amount / cost) if cost else 1.0,
    }
    if minimum_group is not None:
        reason["minimum_group"] = minimum_group.group
        reason["minimum_label"] = minimum_group.label
    outcome = Outcome.FUNDED if amount >= cost else Outcome.PARTIAL
    if outcome == Outcome.PARTIAL:
        # Without another limit, a partial grant is the call's maximum grant.
        reason["limited_by"] = limited_by or "max_grant"
    return Decision(candidate.id, outcome, amount, candidate.rank, reason)


def _quota_full_reason(
    candidate: _Candidate, quota: _Quota, used: Decimal, *, higher_only: bool
) -> dict[str, Any]:
    assert quota.maximum is not None
    return {
        "score": candidate.score,
        "rank": candidate.rank,
        "cost": _money(candidate.project.cost),
        "needed": _money(candidate.low),
        "group": quota.group,
        "label": quota.label,
        "maximum": _money(quota.maximum),
        "used": _money(used),
        "left": _money(max(quota.maximum - used, ZERO)),
        "by_higher_scores": higher_only,
    }


def _minimum_notes(state: _State, relaxed: dict[str, Decimal]) -> list[str]:
    """Minimums the funded projects do not reach (and were not already relaxed, with a note)."""
    notes: list[str] = []
    for group, quota in state.quotas.items():
        if quota.minimum is None or group in relaxed:
            continue
        if state.used[group] < quota.minimum:
            relaxed[group] = state.used[group]
            notes.append(
                f"The minimum for {quota.label} ({quota.minimum}) could not be met: "
                f"{state.used[group]} went to its projects."
            )
    return notes


# --------------------------------------------------------------------------------------------
# Greedy


def _greedy(
    problem: Problem, quotas: dict[str, _Quota], candidates: list[_Candidate]
) -> tuple[dict[str, Decision], _State]:
    state = _State(problem.budget, quotas)
    decisions: dict[str, Decision] = {}
    # The worst rank funded so far in each quota group: was a full quota used by better ones?
    worst_rank: dict[str, int] = {}

    def attempt(candidate: _Candidate) -> tuple[Decimal | None, str | None]:
        """What it gets now (and what limited it), or None and why not ("quota:<group>" or
        "budget")."""
        group, room = state.capping_group(candidate.project)
        limit = min(candidate.cap, state.remaining)
        limited_by = "budget" if state.remaining < candidate.cap else None
        if room is not None and room < limit:
            limit, limited_by = room, "quota"
        if limit >= candidate.cap:
            return candidate.cap, None
        if room is not None and room < candidate.low:
            return None, f"quota:{group}"
        if not problem.partial or state.remaining < candidate.low:
            return None, "budget"
        return max(_floor(limit, problem.unit), candidate.low), limited_by

    def fund(candidate: _Candidate, amount: Decimal, why: str | None, quota: _Quota | None) -> None:
        state.add(candidate.project, amount)
        for group in candidate.project.groups:
            if group in quotas:
                worst_rank[group] = max(worst_rank.get(group, 0), candidate.rank)
        decisions[candidate.id] = _funded_decision(
            candidate, amount, limited_by=why, minimum_group=quota
        )

    # Minimum quotas first: the best projects of each such group until it has its minimum.
    for quota in quotas.values():
        if quota.minimum is None:
            continue
        for candidate in candidates:
            if state.used[quota.group] >= quota.minimum:
                break
            if candidate.id in decisions or quota.group not in candidate.project.groups:
                continue
            amount, why = attempt(candidate)
            if amount is not None:
                fund(candidate, amount, why, quota)

    for candidate in candidates:
        if candidate.id in decisions:
            continue
        amount, why = attempt(candidate)
        if amount is not None:
            fund(candidate, amount, why, None)
        elif why and why.startswith("quota:"):
            quota = quotas[why.split(":", 1)[1]]
            decisions[candidate.id] = Decision(
                candidate.id,
                Outcome.QUOTA_FULL,
                ZERO,
                candidate.rank,
                _quota_full_reason(
                    candidate,
                    quota,
                    state.used[quota.group],
                    higher_only=worst_rank.get(quota.group, 0) < candidate.rank,
                ),
            )
        else:
            decisions[candidate.id] = Decision(
                candidate.id,
                Outcome.NO_BUDGET,
                ZERO,
                candidate.rank,
                {
                    "score": candidate.score,
                    "rank": candidate.rank,
                    "cost": _money(candidate.project.cost),
                    "needed": _money(candidate.low),
                    "remaining": _money(state.remaining),
                    "rule": "greedy",
                },
            )
    return decisions, state


# --------------------------------------------------------------------------------------------
# Optimal


def _solve(
    objective: np.ndarray,
    constraints: list[LinearConstraint],
    bounds: Bounds,
    integrality: np.ndarray,
    gap: float = MIP_REL_GAP,
    stopped: list[float] | None = None,
) -> np.ndarray | None:
    """HiGHS's answer, or None when it has none. When it stopped at its time limit with a
    solution, the proven gap is appended to `stopped`."""
    result = milp(
        objective,
        constraints=constraints,
        bounds=bounds,
        integrality=integrality,
        options={"mip_rel_gap": gap, "time_limit": TIME_LIMIT_SECONDS},
    )
    if result.x is None:
        return None
    if result.status != 0 and stopped is not None:
        stopped.append(float(getattr(result, "mip_gap", 0.0) or 0.0))
    return np.asarray(result.x)


def _solve_by_core(
    objective: np.ndarray,
    constraint: LinearConstraint,
    bounds: Bounds,
    integrality: np.ndarray,
    stopped: list[float],
) -> np.ndarray | None:
    """Solve a pure binary program exactly by reduced-cost fixing around its LP relaxation.

    By LP duality, any solution that flips a variable away from its bound in the relaxation's
    optimum costs at least that variable's reduced cost. So once a good solution is known, every
    variable whose reduced cost exceeds (its objective − the relaxation's) keeps its bound in
    every solution as good, and only the others (the core) need branching. Returns None when
    the shortcut does not apply (the caller then solves the whole program).
    """
    matrix = constraint.A
    lower, upper = np.asarray(constraint.lb, float), np.asarray(constraint.ub, float)
    has_upper, has_lower = np.isfinite(upper), np.isfinite(lower)
    a_ub = vstack([matrix[has_upper], -matrix[has_lower]]).tocsr()
    b_ub = np.concatenate([upper[has_upper], -lower[has_lower]])
    relaxation = linprog(
        objective,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=list(zip(bounds.lb, bounds.ub, strict=True)),
        method="highs",
    )
    if relaxation.status != 0:
        return None
    x_lp = np.asarray(relaxation.x)
    at_one = x_lp > 1 - 1e-9
    at_zero = x_lp < 1e-9
    flip_cost = np.where(
        at_one,
        -np.asarray(relaxation.upper.marginals),
        np.where(at_zero, np.asarray(relaxation.lower.marginals), 0.0),
    )
    flip_cost = np.maximum(flip_cost, 0.0)
    rounded = np.where(at_one, 1.0, 0.0)
    order = np.lexsort((np.arange(len(objective)), flip_cost))

    def fixed_bounds(free: np.ndarray) -> Bounds:
        low = np.where(free, bounds.lb, rounded)
        high = np.where(free, bounds.ub, rounded)
        return Bounds(low, high)

    # A good solution first: branch only on the few variables closest to flipping.
    incumbent = None
    size = CORE_START
    while incumbent is None and size < len(objective):
        free = np.zeros(len(objective), bool)
        free[order[:size]] = True
        incumbent = _solve(
            objective, [constraint], fixed_bounds(free), integrality, gap=INCUMBENT_GAP
        )
        size *= 4
    if incumbent is None:
        return None
    gap = float(objective @ incumbent) - float(relaxation.fun)
    tolerance = 1e-9 * max(1.0, abs(float(relaxation.fun)))
    free = flip_cost <= gap + tolerance
    free |= ~(at_one | at_zero)
    solution = _solve(objective, [constraint], fixed_bounds(free), integrality, stopped=stopped)
    if solution is None or float(objective @ solution) > float(objective @ incumbent) + tolerance:
        return incumbent
    return solution


@dataclass
class _Model:
    """The integer program over the candidates: x (selected, binary) and, with partial
    funding, a (the amount granted, in money units)."""

    candidates: list[_Candidate]
    quotas: dict[str, _Quota]
    budget: Decimal
    partial: bool
    n: int = 0
    size: int = 0
    objective: np.ndarray = field(default_factory=lambda: np.zeros(0))
    members: dict[str, list[int]] = field(default_factory=dict)
    # Money enters the program divided by this power of ten, so that requests are in the
    # hundreds: HiGHS is much faster on well-scaled rows than on millions of pesos.
    scale: float = 1.0
    # Gaps of the solves that stopped at the time limit before proving their answer the best.
    stopped: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = self.n = len(self.candidates)
        self.size = 2 * n if self.partial else n
        largest = max((float(c.cap) for c in self.candidates), default=1.0)
        self.scale = 10.0 ** (math.floor(math.log10(max(largest, 1e-9))) - 2)
        top = max((abs(c.score) for c in self.candidates), default=0.0) or 1.0
        # A tiny bonus that prefers higher scores, then lower ids, among equal totals.
        bonus = TIE_BREAK_SHARE * top / max(n, 1)
        self.objective = np.zeros(self.size)
        self.members = {g: [] for g in self.quotas}
        for position, candidate in enumerate(self.candidates):
            tie = bonus * (n - position) / n
            if self.partial:
                cost = float(candidate.project.cost) / self.scale
                self.objective[n + position] = -candidate.score / cost
                self.objective[position] = -tie
            else:
                self.objective[position] = -(candidate.score + tie)
            for group in candidate.project.groups:
                if group in self.members:
                    self.members[group].append(position)

    def _amount(self, position: int) -> tuple[int, float]:
        """The variable holding a candidate's amount, and its coefficient."""
        if self.partial:
            return self.n + position, 1.0
        return position, float(self.candidates[position].cap) / self.scale

    def _program(
        self, minimums: Mapping[str, Decimal], slack: bool
    ) -> tuple[list[LinearConstraint], Bounds, np.ndarray, int]:
        """Budget, quotas and (with partial funding) low·x ≤ a ≤ cap·x. With `slack`, one more
        variable per minimum lets it fall short."""
        n = self.n
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lower: list[float] = []
        upper: list[float] = []

        def add_row(entries: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
            row = len(lower)
            for col, value in entries:
                rows.append(row)
                cols.append(col)
                vals.append(value)
            lower.append(lo)
            upper.append(hi)

        scale = self.scale
        add_row((self._amount(p) for p in range(n)), -np.inf, float(self.budget) / scale)
        slack_groups = list(minimums) if slack else []
        width = self.size + len(slack_groups)
        for group, quota in self.quotas.items():
            entries = [self._amount(p) for p in self.members[group]]
            if quota.maximum is not None:
                add_row(entries, -np.inf, float(quota.maximum) / scale)
            if group in minimums:
                extra = [(self.size + slack_groups.index(group), 1.0)] if slack else []
                add_row([*entries, *extra], float(minimums[group]) / scale, np.inf)
        if self.partial:
            for position, candidate in enumerate(self.candidates):
                cap, low = float(candidate.cap) / scale, float(candidate.low) / scale
                add_row([(n + position, 1.0), (position, -cap)], -np.inf, 0.0)
                add_row([(n + position, 1.0), (position, -low)], 0.0, np.inf)
        matrix = coo_array((vals, (rows, cols)), shape=(len(lower), width)).tocsr()
        low_bounds = np.zeros(width)
        high_bounds = np.full(width, np.inf)
        high_bounds[:n] = 1.0
        if self.partial:
            high_bounds[n : 2 * n] = [float(c.cap) / scale for c in self.candidates]
        integrality = np.zeros(width)
        integrality[:n] = 1
        constraint = LinearConstraint(matrix, np.array(lower), np.array(upper))
        return [constraint], Bounds(low_bounds, high_bounds), integrality, width

    def solve(self, minimums: Mapping[str, Decimal]) -> np.ndarray | None:
        constraints, bounds, integrality, _ = self._program(minimums, slack=False)
        if not self.partial and self.n >= CORE_FROM:
            solution = _solve_by_core(
                self.objective, constraints[0], bounds, integrality, self.stopped
            )
            if solution is not None:
                return solution
        return _solve(self.objective, constraints, bounds, integrality, stopped=self.stopped)

    def least_shortfall(self, minimums: Mapping[str, Decimal]) -> dict[str, float]:
        """For minimums that cannot all be met: how far each falls short, at the least (as
        shares of each minimum, summed)."""
        constraints, bounds, integrality, width = self._program(minimums, slack=True)
        objective = np.zeros(width)
        groups = list(minimums)
        for index, group in enumerate(groups):
            objective[self.size + index] = 1.0 / max(float(minimums[group]) / self.scale, 1e-9)
        solution = _solve(objective, constraints, bounds, integrality)
        if solution is None:
            return {g: float(m) for g, m in minimums.items()}
        return {g: float(solution[self.size + i]) * self.scale for i, g in enumerate(groups)}


def _optimal(
    problem: Problem, quotas: dict[str, _Quota], candidates: list[_Candidate]
) -> tuple[dict[str, Decision], _State, dict[str, Decimal], list[str]]:
    state = _State(problem.budget, quotas)
    notes: list[str] = []
    relaxed: dict[str, Decimal] = {}
    decisions: dict[str, Decision] = {}
    minimums = {g: q.minimum for g, q in quotas.items() if q.minimum}
    if not candidates:
        return decisions, state, relaxed, notes
    model = _Model(candidates, quotas, problem.budget, problem.partial)
    solution = model.solve(minimums)
    if solution is None and minimums:
        for group, short in model.least_shortfall(minimums).items():
            if short <= 1e-6:
                continue
            quota = quotas[group]
            # One unit below what the solver reached, so rounding cannot make it infeasible.
            reachable = _floor(
                max(minimums[group] - Decimal(repr(short)) - problem.unit, ZERO), problem.unit
            )
            relaxed[group] = reachable
            minimums[group] = reachable
            notes.append(
                f"The minimum for {quota.label} ({quota.minimum}) cannot be met together with "
                f"the budget and the other quotas; {reachable} was required instead."
            )
        solution = model.solve(minimums)
        if solution is None:
            relaxed.update(dict.fromkeys(minimums, ZERO))
            notes.append("The minimum quotas were dropped: no combination could meet them.")
            minimums = {}
            solution = model.solve(minimums)
    if solution is None:
        notes.append("The solver found no solution; nothing was funded.")
        solution = np.zeros(model.size)
    if model.stopped:
        notes.append(
            f"The solver reached its time limit: this combination is within "
            f"{max(model.stopped):.4%} of the best possible total score."
        )

    n = len(candidates)
    chosen: list[tuple[_Candidate, Decimal]] = []
    for position, candidate in enumerate(candidates):
        if solution[position] < 0.5:
            continue
        amount = candidate.cap
        if problem.partial:
            value = float(solution[n + position]) * model.scale
            if value < float(candidate.cap) * (1 - 1e-9) - 1e-6:
                floored = _floor(Decimal(repr(value)), problem.unit)
                amount = min(max(floored, candidate.low), candidate.cap)
        chosen.append((candidate, amount))
        state.add(candidate.project, amount)
    _repair(problem, state, chosen, minimums, notes)

    best_left_out = min(
        (c.rank for c in candidates if c.id not in state.amounts), default=len(candidates) + 1
    )
    for candidate in candidates:
        if candidate.id not in state.amounts:
            continue
        amount = state.amounts[candidate.id]
        limited_by = None
        if amount < candidate.project.cost:
            limited_by = "max_grant" if amount == candidate.cap else "optimal"
        minimum_group = None
        if best_left_out < candidate.rank:
            # Funded ahead of a better project: say so when a minimum needed it.
            for group in sorted(candidate.project.groups):
                if group in minimums and state.used[group] - amount < minimums[group]:
                    minimum_group = quotas[group]
                    break
        decisions[candidate.id] = _funded_decision(
            candidate, amount, limited_by=limited_by, minimum_group=minimum_group
        )
    _explain_left_out(candidates, state, quotas, minimums, decisions)
    return decisions, state, relaxed, notes


def _repair(
    problem: Problem,
    state: _State,
    chosen: list[tuple[_Candidate, Decimal]],
    minimums: Mapping[str, Decimal],
    notes: list[str],
) -> None:
    """Make the solver's floating-point answer exact in decimal money: never over the budget
    or a maximum (drop the lowest-ranked project at fault, which rounding may have let in by a
    hair), and give partly funded projects back what rounding down took from a minimum."""
    worst_first = sorted(chosen, key=lambda item: -item[0].rank)
    while True:
        over = next(
            (
                g
                for g, q in state.quotas.items()
                if q.maximum is not None and state.used[g] > q.maximum
            ),
            None,
        )
        if state.total <= state.budget and over is None:
            break
        for candidate, _ in worst_first:
            if candidate.id in state.amounts and (over is None or over in candidate.project.groups):
                state.remove(candidate.project)
                notes.append(f"Project {candidate.id} was left out to stay within the limits.")
                break
        else:
            break
    if not problem.partial:
        return
    for group, minimum in minimums.items():
        for candidate, _ in sorted(chosen, key=lambda item: item[0].rank):
            if state.used[group] >= minimum:
                break
            if candidate.id not in state.amounts or group not in candidate.project.groups:
                continue
            current = state.amounts[candidate.id]
            _, room = state.capping_group(candidate.project)
            step = min(
                candidate.cap - current,
                minimum - state.used[group],
                state.remaining,
                candidate.cap if room is None else room,
            )
            if step > 0:
                state.remove(candidate.project)
                state.add(candidate.project, current + step)


def _explain_left_out(
    candidates: list[_Candidate],
    state: _State,
    quotas: dict[str, _Quota],
    minimums: Mapping[str, Decimal],
    decisions: dict[str, Decision],
) -> None:
    """Why the best combination does without each candidate it leaves out.

    To fit it in, some funded projects would have to give way: enough money under the budget
    and under each full maximum of its groups, without breaking a minimum. We look for such
    projects among the lower-ranked funded ones, those giving the least score per peso first.
    If they exist, the best combination preferred them (their scores add up to more); if only
    better projects hold the money, the budget or the quota ran out before its turn; if giving
    way would break a minimum, the money is held for that minimum.
    """
    funded = [c for c in candidates if c.id in state.amounts]

    def value(other: _Candidate) -> float:
        return other.score * float(state.amounts[other.id] / other.project.cost)

    by_thrift = sorted(
        funded, key=lambda o: (value(o) / max(float(state.amounts[o.id]), 1e-9), -o.rank)
    )
    worst_rank: dict[str, int] = {}
    for other in funded:
        for group in other.project.groups:
            worst_rank[group] = max(worst_rank.get(group, 0), other.rank)
    for candidate in candidates:
        if candidate.id in state.amounts:
            continue
        low = candidate.low
        base: dict[str, Any] = {
            "score": candidate.score,
            "rank": candidate.rank,
            "cost": _money(candidate.project.cost),
            "needed": _money(low),
            "remaining": _money(state.remaining),
            "rule": "optimal",
        }
        # What must be freed: under the budget, and under each maximum of its groups.
        need_budget = low - state.remaining
        need_quota = {
            g: low - (quotas[g].maximum or ZERO) + state.used[g]
            for g in candidate.project.groups
            if g in quotas and quotas[g].maximum is not None
        }
        need_quota = {g: v for g, v in need_quota.items() if v > 0}
        used_after = dict(state.used)
        for g in candidate.project.groups:
            if g in used_after:
                used_after[g] += low
        displaced: list[_Candidate] = []
        protected: set[str] = set()
        for other in by_thrift:
            if need_budget <= 0 and not need_quota:
                break
            if other.rank < candidate.rank:
                continue
            amount = state.amounts[other.id]
            helps = need_budget > 0 or any(g in need_quota for g in other.project.groups)
            if not helps:
                continue
            breaks = [
                g
                for g in other.project.groups
                if g in minimums and used_after[g] - amount < minimums[g]
            ]
            if breaks:
                protected.update(breaks)
                continue
            displaced.append(other)
            need_budget -= amount
            for g in other.project.groups:
                if g in used_after:
                    used_after[g] -= amount
                if g in need_quota:
                    need_quota[g] -= amount
                    if need_quota[g] <= 0:
                        del need_quota[g]
        if need_budget <= 0 and not need_quota:
            decisions[candidate.id] = Decision(
                candidate.id,
                Outcome.NOT_CHOSEN,
                ZERO,
                candidate.rank,
                {
                    **base,
                    "displaced": [o.project.name or o.id for o in displaced[:3]],
                    "displaced_count": len(displaced),
                    "displaced_score": round(sum(value(o) for o in displaced), 4),
                },
            )
        elif protected:
            decisions[candidate.id] = Decision(
                candidate.id,
                Outcome.NOT_CHOSEN,
                ZERO,
                candidate.rank,
                {**base, "minimum_labels": [quotas[g].label for g in sorted(protected)]},
            )
        elif need_quota:
            group = sorted(need_quota)[0]
            decisions[candidate.id] = Decision(
                candidate.id,
                Outcome.QUOTA_FULL,
                ZERO,
                candidate.rank,
                _quota_full_reason(
                    candidate,
                    quotas[group],
                    state.used[group],
                    higher_only=worst_rank.get(group, 0) < candidate.rank,
                ),
            )
        else:
            decisions[candidate.id] = Decision(
                candidate.id, Outcome.NO_BUDGET, ZERO, candidate.rank, base
            )


# --------------------------------------------------------------------------------------------


def allocate(problem: Problem, rule: Rule | str) -> Allocation:
    """Fund projects of `problem` by `rule` ("greedy" or "optimal"); explain every decision."""
    _validate(problem, rule)
    quotas = _merge_quotas(problem.quotas)
    decisions, candidates = _screen(problem)
    relaxed: dict[str, Decimal] = {}
    notes: list[str] = []
    if rule == "greedy":
        chosen, state = _greedy(problem, quotas, candidates)
    else:
        chosen, state, relaxed, notes = _optimal(problem, quotas, candidates)
    decisions.update(chosen)
    notes.extend(_minimum_notes(state, relaxed))
    return Allocation(
        rule=rule,
        decisions={p.id: decisions[p.id] for p in problem.projects},
        total=state.total,
        quota_totals=dict(state.used),
        feasible=not relaxed,
        notes=notes,
        relaxed=relaxed,
        quota_labels={group: quota.label for group, quota in quotas.items()},
    )


def outcome_counts(allocation: Allocation) -> dict[str, int]:
    """How many projects got each outcome (every outcome listed, zeros included)."""
    counts = dict.fromkeys((str(o) for o in Outcome), 0)
    for decision in allocation.decisions.values():
        counts[str(decision.outcome)] += 1
    return counts


def changes(before: Mapping[str, Decision], after: Mapping[str, Decision]) -> dict[str, list[str]]:
    """Who enters, who leaves and whose amount changes from one allocation to another."""
    entered: list[str] = []
    left: list[str] = []
    changed: list[str] = []
    for project_id, decision in after.items():
        old = before.get(project_id)
        was = old is not None and old.funded
        if decision.funded and not was:
            entered.append(project_id)
        elif was and not decision.funded:
            left.append(project_id)
        elif was and decision.funded and old is not None and old.amount != decision.amount:
            changed.append(project_id)
    for project_id, old in before.items():
        if project_id not in after and old.funded:
            left.append(project_id)
    return {"entered": entered, "left": left, "changed": changed}


def total_score(allocation: Allocation, projects: Sequence[Project]) -> float:
    """The allocation's total score (partial grants count in proportion)."""
    by_id = {p.id: p for p in projects}
    total = 0.0
    for decision in allocation.decisions.values():
        if decision.funded:
            project = by_id[decision.project_id]
            total += project.score * float(decision.amount / project.cost)
    return total
