"""The pure reviewer assignment: feasibility, kept assignments, shortages, and optimality
against networkx (max flow for the number of assignments and the smallest maximum load, a
min-cost flow for the evenness of the loads) on random instances. No database."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from tejido.funds.assignment import ApplicationNeed, Problem, ReviewerSlot, assign


def make_problem(seed: int) -> Problem:
    rng = random.Random(seed)
    applications = tuple(
        ApplicationNeed(1000 + i, rng.randint(1, 4)) for i in range(rng.randint(1, 25))
    )
    reviewers = tuple(
        ReviewerSlot(
            10 + j,
            max_load=rng.choice([None, None, rng.randint(0, 8)]),
            other_load=rng.choice([0, 0, rng.randint(0, 3)]),
        )
        for j in range(rng.randint(1, 9))
    )
    pairs = [(r.id, a.id) for r in reviewers for a in applications]
    conflict_share = rng.choice([0.0, 0.05, 0.2, 0.5])
    conflicts = frozenset(p for p in pairs if rng.random() < conflict_share)
    free = [p for p in pairs if p not in conflicts]
    existing = frozenset(p for p in free if rng.random() < 0.1)
    return Problem(applications, reviewers, existing=existing, conflicts=conflicts)


def start_loads(problem: Problem) -> dict[int, int]:
    loads = {r.id: r.other_load for r in problem.reviewers}
    for reviewer, _application in problem.existing:
        loads[reviewer] += 1
    return loads


def reference_network(problem: Problem, cap: int | None) -> nx.DiGraph:
    """The same flow network, built independently, for networkx."""
    loads = start_loads(problem)
    graph = nx.DiGraph()
    for application in problem.applications:
        have = sum(1 for _r, a in problem.existing if a == application.id)
        graph.add_edge("s", ("a", application.id), capacity=max(0, application.wanted - have))
        for reviewer in problem.reviewers:
            pair = (reviewer.id, application.id)
            if pair not in problem.conflicts and pair not in problem.existing:
                graph.add_edge(("a", application.id), ("r", reviewer.id), capacity=1)
    for reviewer in problem.reviewers:
        limits = [x for x in (reviewer.max_load, cap) if x is not None]
        room = min(limits) - loads[reviewer.id] if limits else len(problem.applications)
        graph.add_edge(("r", reviewer.id), "t", capacity=max(0, room))
    return graph


def reference_optimum(problem: Problem) -> tuple[int, int, int]:
    """(most assignments, smallest max load, least Σ load² at that max) by networkx."""
    most = nx.maximum_flow_value(reference_network(problem, None), "s", "t")
    loads = start_loads(problem)
    floor = max(loads.values())
    cap = floor
    while nx.maximum_flow_value(reference_network(problem, cap), "s", "t") < most:
        cap += 1
    # Loads as even as possible under that cap: unit edges to the sink with costs 2k-1
    # (so that the total cost of a reviewer's loads is Σ load² − its starting load²).
    graph = reference_network(problem, cap)
    for reviewer in problem.reviewers:
        node = ("r", reviewer.id)
        room = graph[node]["t"]["capacity"]
        graph.remove_edge(node, "t")
        for k in range(1, room + 1):
            step = ("step", reviewer.id, k)
            graph.add_edge(node, step, capacity=1, weight=2 * (loads[reviewer.id] + k) - 1)
            graph.add_edge(step, "t", capacity=1, weight=0)
    flow = nx.max_flow_min_cost(graph, "s", "t")
    extra = nx.cost_of_flow(graph, flow)
    squares = sum(v * v for v in loads.values()) + extra
    return most, max(cap, floor), squares


@pytest.mark.parametrize("seed", range(120))
def test_optimal_and_feasible_against_networkx(seed):
    problem = make_problem(seed)
    result = assign(problem)
    most, best_cap, squares = reference_optimum(problem)

    new = set(result.new)
    assert len(new) == len(result.new)
    assert not new & problem.conflicts
    assert not new & problem.existing
    wanted = {a.id: a.wanted for a in problem.applications}
    before = {a.id: 0 for a in problem.applications}
    for _reviewer, application in problem.existing:
        before[application] += 1
    after = dict(before)
    for _reviewer, application in new:
        after[application] += 1
    for application_id, count in after.items():
        # Never more than wanted (unless it already had more before).
        assert count <= max(wanted[application_id], before[application_id])
        assert result.short.get(application_id, 0) == max(0, wanted[application_id] - count)
    loads = start_loads(problem)
    for reviewer, _application in new:
        loads[reviewer] += 1
    assert loads == result.loads
    for reviewer in problem.reviewers:
        if reviewer.max_load is not None:
            added = sum(1 for r, _a in new if r == reviewer.id)
            assert added == 0 or loads[reviewer.id] <= reviewer.max_load

    assert len(new) == most
    assert result.max_load == max(best_cap, max(start_loads(problem).values()))
    assert sum(v * v for v in loads.values()) == squares


def test_deterministic():
    problem = make_problem(7)
    assert assign(problem) == assign(problem)


def test_balanced_and_kept():
    applications = tuple(ApplicationNeed(i, 2) for i in range(6))
    reviewers = tuple(ReviewerSlot(r) for r in (101, 102, 103))
    existing = frozenset({(101, 0), (101, 1), (101, 2)})
    result = assign(Problem(applications, reviewers, existing=existing))
    assert result.loads == {101: 4, 102: 4, 103: 4}
    assert not result.short
    # Reviewer 101 already had three: the new work goes first to the others.
    assert sum(1 for r, _a in result.new if r == 101) == 1


def test_short_when_too_few_free_reviewers():
    applications = (ApplicationNeed(1, 3), ApplicationNeed(2, 3))
    reviewers = (ReviewerSlot(10), ReviewerSlot(11), ReviewerSlot(12, max_load=1))
    conflicts = frozenset({(10, 1)})
    result = assign(Problem(applications, reviewers, conflicts=conflicts))
    assert (10, 1) not in result.new
    assert sum(result.short.values()) == 6 - len(result.new)
    assert result.loads[12] <= 1
    # 12 takes one application only: 1 gets {11, 12} and 2 {10, 11}, or 1 {11} and 2 all three.
    assert len(result.new) == 4


def test_extra_review_goes_to_the_least_loaded_free_reviewer():
    # The application has reviewers 10 and 11; 12 is conflicted; 13 has more work than 14.
    application = ApplicationNeed(1, 3)
    reviewers = (
        ReviewerSlot(10, other_load=1),
        ReviewerSlot(11, other_load=1),
        ReviewerSlot(12, other_load=0),
        ReviewerSlot(13, other_load=5),
        ReviewerSlot(14, other_load=3),
    )
    problem = Problem(
        (application,),
        reviewers,
        existing=frozenset({(10, 1), (11, 1)}),
        conflicts=frozenset({(12, 1)}),
    )
    assert assign(problem).new == [(14, 1)]


def test_nothing_to_do():
    result = assign(Problem((ApplicationNeed(1, 0),), (ReviewerSlot(10),)))
    assert result.new == [] and result.short == {} and result.max_load == 0
    result = assign(Problem((ApplicationNeed(1, 2),), ()))
    assert result.new == [] and result.short == {1: 2}
