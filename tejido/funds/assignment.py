"""Give each application its reviewers: balanced loads, no conflicted pair, nothing undone.

Pure: no Django. The problem is a transportation problem. Each application wants `wanted`
reviewers (those it already has count); each reviewer takes at most `max_load` applications in
all (those they already have count). The answer, in order of priority:

1. as many assignments as possible (an application without enough unconflicted reviewers with
   room left is reported short, with how many it misses);
2. the smallest possible maximum load over the pool;
3. among those, loads as even as possible, new work going first to reviewers with less of it
   (each reviewer's k-th application costs k: a convex cost, so the optimum fills everyone up
   level by level).

Step 2 is a search on a common cap on loads with SciPy's maximum flow (C code, exact on
integers); step 3 is one linear program solved by HiGHS (`scipy.optimize.linprog`). Its
constraint matrix is the incidence matrix of a bipartite graph plus unit columns (totally
unimodular), so a basic optimum is integral: no branching is needed (should HiGHS ever return
a fractional point, `milp` is asked for an integral one). Nothing random: the same problem
gives the same assignments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import maximum_flow


@dataclass(frozen=True)
class ApplicationNeed:
    id: int
    # Reviewers wanted in all, those already assigned included.
    wanted: int


@dataclass(frozen=True)
class ReviewerSlot:
    id: int
    # The most applications this reviewer takes in all; None: no limit of their own.
    max_load: int | None = None
    # Applications of the call they already have that are not part of this problem.
    other_load: int = 0


@dataclass(frozen=True)
class Problem:
    applications: tuple[ApplicationNeed, ...]
    reviewers: tuple[ReviewerSlot, ...]
    # (reviewer id, application id) pairs that are kept as they are.
    existing: frozenset[tuple[int, int]] = frozenset()
    # (reviewer id, application id) pairs that must never be used.
    conflicts: frozenset[tuple[int, int]] = frozenset()


@dataclass
class Result:
    # New (reviewer id, application id) pairs, sorted.
    new: list[tuple[int, int]]
    # Application id → reviewers it still misses (only those that miss some).
    short: dict[int, int]
    # Reviewer id → applications in all after the assignment.
    loads: dict[int, int]
    max_load: int
    notes: list[str] = field(default_factory=list)


def current_loads(problem: Problem) -> dict[int, int]:
    loads = {r.id: r.other_load for r in problem.reviewers}
    for reviewer, _application in problem.existing:
        if reviewer in loads:
            loads[reviewer] += 1
    return loads


def _remaining_needs(problem: Problem) -> dict[int, int]:
    have: dict[int, int] = defaultdict(int)
    for _reviewer, application in problem.existing:
        have[application] += 1
    return {a.id: max(0, a.wanted - have[a.id]) for a in problem.applications}


def candidate_pairs(problem: Problem) -> list[tuple[int, int]]:
    """(reviewer index, application index) pairs that may be assigned: not conflicted, not
    already there, for an application that still needs reviewers."""
    needs = _remaining_needs(problem)
    blocked = problem.conflicts | problem.existing
    pairs = []
    for ai, application in enumerate(problem.applications):
        if needs[application.id] == 0:
            continue
        for ri, reviewer in enumerate(problem.reviewers):
            if (reviewer.id, application.id) not in blocked:
                pairs.append((ri, ai))
    return pairs


class _FlowNetwork:
    """source → application (its remaining need) → reviewer (1 per allowed pair) → sink (room
    left under a cap). Only the reviewers' capacities change between runs."""

    def __init__(self, problem: Problem, pairs: list[tuple[int, int]]) -> None:
        self.problem = problem
        n_apps = len(problem.applications)
        n_revs = len(problem.reviewers)
        self.source, self.sink = 0, 1 + n_apps + n_revs
        self.size = n_apps + n_revs + 2
        needs = _remaining_needs(problem)
        rows: list[int] = []
        cols: list[int] = []
        caps: list[int] = []
        for ai, application in enumerate(problem.applications):
            if needs[application.id]:
                rows.append(self.source)
                cols.append(1 + ai)
                caps.append(needs[application.id])
        for ri, ai in pairs:
            rows.append(1 + ai)
            cols.append(1 + n_apps + ri)
            caps.append(1)
        self._fixed = (rows, cols, caps)
        self._reviewer_nodes = [1 + n_apps + ri for ri in range(n_revs)]
        self.loads = current_loads(problem)

    def room(self, cap: int | None) -> list[int]:
        """Room left for each reviewer under a common cap (None: only their own limit)."""
        room = []
        for reviewer in self.problem.reviewers:
            limit = reviewer.max_load
            if cap is not None:
                limit = cap if limit is None else min(limit, cap)
            if limit is None:
                # No limit at all: one review of each application at most.
                room.append(len(self.problem.applications))
            else:
                room.append(max(0, limit - self.loads[reviewer.id]))
        return room

    def max_flow(self, cap: int | None) -> int:
        rows, cols, caps = self._fixed
        room = self.room(cap)
        all_rows = rows + self._reviewer_nodes
        all_cols = cols + [self.sink] * len(room)
        all_caps = caps + room
        graph = sparse.csr_matrix(
            (np.asarray(all_caps, dtype=np.int32), (all_rows, all_cols)),
            shape=(self.size, self.size),
        )
        return int(maximum_flow(graph, self.source, self.sink).flow_value)


def smallest_cap(problem: Problem, pairs: list[tuple[int, int]] | None = None) -> tuple[int, int]:
    """(the most assignments possible, the smallest common cap on loads that still allows
    them). The cap is at least the largest load already there."""
    pairs = candidate_pairs(problem) if pairs is None else pairs
    network = _FlowNetwork(problem, pairs)
    best = network.max_flow(None)
    loads = network.loads
    floor = max(loads.values(), default=0)
    if best == 0 or not problem.reviewers:
        return best, floor
    # No cap below the even share of all the work, nor below what is already there.
    total = sum(loads.values()) + best
    low = max(floor, -(-total // len(problem.reviewers)))
    # The even share is usually enough: try it before searching.
    if network.max_flow(low) >= best:
        return best, low
    low += 1
    high = max(low, max(loads.values()) + best)
    while low < high:
        middle = (low + high) // 2
        if network.max_flow(middle) >= best:
            high = middle
        else:
            low = middle + 1
    return best, low


def assign(problem: Problem) -> Result:
    """The new assignments (see the module's docstring for what is optimized)."""
    pairs = candidate_pairs(problem)
    loads = current_loads(problem)
    needs = _remaining_needs(problem)
    best, cap = smallest_cap(problem, pairs)
    new: list[tuple[int, int]] = []
    if best:
        new = _balanced(problem, pairs, cap, best, loads)
    final = dict(loads)
    got: dict[int, int] = defaultdict(int)
    for reviewer, application in new:
        final[reviewer] += 1
        got[application] += 1
    short = {a.id: needs[a.id] - got[a.id] for a in problem.applications if needs[a.id] > got[a.id]}
    return Result(
        new=sorted(new),
        short=short,
        loads=final,
        max_load=max(final.values(), default=0),
    )


def _balanced(
    problem: Problem,
    pairs: list[tuple[int, int]],
    cap: int,
    best: int,
    loads: dict[int, int],
) -> list[tuple[int, int]]:
    """The linear program of step 3, with every reviewer's load capped at `cap`."""
    reviewers = problem.reviewers
    applications = problem.applications
    needs = _remaining_needs(problem)
    rooms = []
    for reviewer in reviewers:
        limit = cap if reviewer.max_load is None else min(reviewer.max_load, cap)
        rooms.append(max(0, limit - loads[reviewer.id]))
    n_x = len(pairs)
    # y[r, k] = 1 when reviewer r takes a k-th new application (k = 1 .. room).
    y_owner: list[int] = []
    y_cost: list[float] = []
    for ri, reviewer in enumerate(reviewers):
        for k in range(1, rooms[ri] + 1):
            y_owner.append(ri)
            y_cost.append(float(loads[reviewer.id] + k))
    n_y = len(y_owner)
    # Every assignment earns more than the dearest load step costs: as many as possible.
    reward = float(cap + 1)
    cost = np.concatenate([np.full(n_x, -reward), np.asarray(y_cost, dtype=float)])

    x_app = np.fromiter((ai for _ri, ai in pairs), dtype=np.int64, count=n_x)
    x_rev = np.fromiter((ri for ri, _ai in pairs), dtype=np.int64, count=n_x)
    y_rev = np.asarray(y_owner, dtype=np.int64)
    n_apps = len(applications)
    # Rows 0..n_apps-1: Σ_r x[r, a] ≤ need(a). Rows n_apps..: Σ_a x[r, a] − Σ_k y[r, k] = 0.
    rows = np.concatenate([x_app, n_apps + x_rev, n_apps + y_rev])
    cols = np.concatenate([np.arange(n_x), np.arange(n_x), n_x + np.arange(n_y)])
    data = np.concatenate([np.ones(n_x), np.ones(n_x), -np.ones(n_y)])
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(n_apps + len(reviewers), n_x + n_y))
    need = np.asarray([needs[a.id] for a in applications], dtype=float)
    result = linprog(
        cost,
        A_ub=matrix[:n_apps],
        b_ub=need,
        A_eq=matrix[n_apps:],
        b_eq=np.zeros(len(reviewers)),
        bounds=(0, 1),
        method="highs",
    )
    x = result.x
    if x is None or np.any(np.abs(x - np.round(x)) > 1e-6):  # pragma: no cover
        # A basic optimum of this program is integral; should HiGHS ever stop inside a face,
        # ask it for an integral point explicitly.
        lower = np.concatenate([np.full(n_apps, -np.inf), np.zeros(len(reviewers))])
        upper = np.concatenate([need, np.zeros(len(reviewers))])
        result = milp(
            cost,
            constraints=LinearConstraint(matrix, lower, upper),
            bounds=Bounds(0, 1),
            integrality=np.ones(n_x + n_y),
        )
        x = result.x
        if x is None:
            raise RuntimeError(f"The assignment program could not be solved: {result.message}")
    chosen = np.flatnonzero(x[:n_x] > 0.5)
    new = [(reviewers[pairs[i][0]].id, applications[pairs[i][1]].id) for i in chosen]
    if len(new) != best:  # pragma: no cover - a solver fault, not a property of the problem
        raise RuntimeError("The assignment program did not reach the most assignments possible.")
    return new
