"""The allocation rules on small hand-made and random instances (no database)."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest

from tejido.funds.allocation import (
    Allocation,
    Decision,
    GroupQuota,
    Outcome,
    Problem,
    Project,
    Shortfall,
    allocate,
    changes,
    outcome_counts,
    total_score,
)

D = Decimal


def project(pid: int, cost: int, score: float, *groups: str, **extra) -> Project:
    return Project(str(pid), D(cost), score, frozenset(groups), name=f"Proyecto {pid}", **extra)


def funded(allocation: Allocation) -> set[str]:
    return set(allocation.funded_ids())


def check_limits(problem: Problem, allocation: Allocation) -> None:
    """Whatever the rule: within the budget, the maxima, the grant range, amounts add up."""
    amounts = {d.project_id: d.amount for d in allocation.decisions.values() if d.funded}
    assert sum(amounts.values(), D(0)) == allocation.total <= problem.budget
    for quota in problem.quotas:
        used = sum((a for pid, a in amounts.items() if quota.group in _groups(problem, pid)), D(0))
        assert allocation.quota_totals[quota.group] == used
        if quota.maximum is not None:
            assert used <= quota.maximum
        if quota.minimum is not None and allocation.feasible:
            assert used >= quota.minimum
    for pid, amount in amounts.items():
        cost = next(p.cost for p in problem.projects if p.id == pid)
        assert amount <= cost
        if problem.max_grant is not None:
            assert amount <= problem.max_grant
        assert amount >= problem.min_grant
        if not problem.partial:
            assert amount == cost


def _groups(problem: Problem, pid: str) -> frozenset[str]:
    return next(p.groups for p in problem.projects if p.id == pid)


# --- greedy -------------------------------------------------------------------------------


def test_greedy_goes_down_the_ranking_and_skips_what_does_not_fit():
    problem = Problem(
        D(100),
        (project(1, 60, 90), project(2, 50, 80), project(3, 30, 70), project(4, 10, 60)),
    )
    allocation = allocate(problem, "greedy")
    assert funded(allocation) == {"1", "3", "4"}
    assert allocation.total == D(100)
    skipped = allocation.decisions["2"]
    assert skipped.outcome == Outcome.NO_BUDGET
    assert skipped.reason["remaining"] == "40"
    assert skipped.reason["needed"] == "50"
    assert [allocation.decisions[i].rank for i in "1234"] == [1, 2, 3, 4]


def test_greedy_breaks_ties_by_lower_cost_then_id():
    problem = Problem(D(50), (project(3, 30, 70), project(2, 40, 70), project(1, 30, 70)))
    allocation = allocate(problem, "greedy")
    assert allocation.decisions["1"].rank == 1
    assert allocation.decisions["3"].rank == 2
    assert allocation.decisions["2"].rank == 3
    assert funded(allocation) == {"1"}


def test_greedy_serves_minimum_quotas_first():
    problem = Problem(
        D(100),
        (
            project(1, 50, 90, "territory:1"),
            project(2, 50, 85, "territory:1"),
            project(3, 40, 50, "territory:2"),
            project(4, 30, 40, "territory:2"),
        ),
        quotas=(GroupQuota("territory:2", "La Pintana", minimum=D(40)),),
    )
    allocation = allocate(problem, "greedy")
    assert funded(allocation) == {"1", "3"}
    assert allocation.decisions["3"].reason["minimum_label"] == "La Pintana"
    assert allocation.decisions["2"].outcome == Outcome.NO_BUDGET
    assert allocation.feasible
    check_limits(problem, allocation)


def test_greedy_skips_projects_over_a_maximum_quota():
    problem = Problem(
        D(100),
        (
            project(1, 40, 90, "territory:1"),
            project(2, 30, 85, "territory:1"),
            project(3, 10, 80, "territory:1"),
            project(4, 30, 50, "territory:2"),
        ),
        quotas=(GroupQuota("territory:1", "La Pintana", maximum=D(50)),),
    )
    allocation = allocate(problem, "greedy")
    assert funded(allocation) == {"1", "3", "4"}
    full = allocation.decisions["2"]
    assert full.outcome == Outcome.QUOTA_FULL
    assert full.reason["label"] == "La Pintana"
    assert full.reason["maximum"] == "50"
    assert full.reason["used"] == "40"
    assert full.reason["by_higher_scores"] is True
    check_limits(problem, allocation)


def test_greedy_with_partial_funding_funds_the_rest_of_the_budget():
    problem = Problem(
        D(100),
        (project(1, 70, 90), project(2, 40, 80), project(3, 50, 10)),
        partial=True,
        min_partial_share=0.7,
    )
    allocation = allocate(problem, "greedy")
    partial = allocation.decisions["2"]
    assert partial.outcome == Outcome.PARTIAL
    assert partial.amount == D(30)
    assert partial.reason["limited_by"] == "budget"
    assert allocation.decisions["3"].outcome == Outcome.NO_BUDGET
    check_limits(problem, allocation)


def test_greedy_partial_share_floor_is_respected():
    problem = Problem(
        D(100), (project(1, 70, 90), project(2, 40, 80)), partial=True, min_partial_share=0.8
    )
    allocation = allocate(problem, "greedy")
    # 30 left, 80 % of 40 is 32: not enough for a partial grant either.
    assert allocation.decisions["2"].outcome == Outcome.NO_BUDGET
    assert allocation.decisions["2"].reason["needed"] == "32"


# --- screening ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["greedy", "optimal"])
def test_screening_reasons(rule):
    problem = Problem(
        D(1000),
        (
            project(1, 100, 90, eligible=False),
            project(
                2,
                100,
                95,
                disqualified_by=("Participación",),
                shortfalls=(Shortfall("Participación", 1.5, 2.0, 5),),
            ),
            project(3, 100, 40),
            project(4, 50, 80),
            project(5, 900, 85),
            project(6, 200, 70),
        ),
        min_grant=D(60),
        max_grant=D(500),
        score_threshold=50,
    )
    allocation = allocate(problem, rule)
    decisions = allocation.decisions
    assert decisions["1"].outcome == Outcome.INELIGIBLE
    assert decisions["1"].rank is None
    assert decisions["2"].outcome == Outcome.DISQUALIFIED
    assert decisions["2"].reason["criteria"] == [
        {"name": "Participación", "mean": 1.5, "minimum": 2.0, "scale": 5}
    ]
    assert decisions["3"].outcome == Outcome.BELOW_THRESHOLD
    assert decisions["3"].reason["threshold"] == 50
    assert decisions["4"].outcome == Outcome.OUT_OF_RANGE
    assert decisions["4"].reason["side"] == "below"
    assert decisions["5"].outcome == Outcome.OUT_OF_RANGE
    assert decisions["5"].reason["side"] == "above"
    assert decisions["6"].outcome == Outcome.FUNDED
    assert decisions["6"].reason["rank"] == decisions["6"].rank == 3
    assert list(decisions) == ["1", "2", "3", "4", "5", "6"]


def test_partial_funding_may_fund_a_request_above_the_maximum_grant_up_to_it():
    problem = Problem(
        D(1000),
        (project(1, 600, 90), project(2, 700, 80)),
        max_grant=D(500),
        partial=True,
        min_partial_share=0.8,
    )
    allocation = allocate(problem, "optimal")
    # 500 is 83 % of 600: fundable up to the maximum; 500 is only 71 % of 700: out of range.
    assert allocation.decisions["1"].outcome == Outcome.PARTIAL
    assert allocation.decisions["1"].amount == D(500)
    assert allocation.decisions["1"].reason["limited_by"] == "max_grant"
    assert allocation.decisions["2"].outcome == Outcome.OUT_OF_RANGE


def test_invalid_problems_are_refused():
    with pytest.raises(ValueError, match="Unknown allocation rule"):
        allocate(Problem(D(10), ()), "random")
    with pytest.raises(ValueError, match="twice"):
        allocate(Problem(D(10), (project(1, 1, 1), project(1, 2, 2))), "greedy")
    with pytest.raises(ValueError, match="negative"):
        allocate(Problem(D(-1), ()), "greedy")


def test_empty_problem():
    allocation = allocate(Problem(D(10), ()), "optimal")
    assert allocation.total == 0
    assert allocation.decisions == {}
    assert allocation.feasible


# --- optimal ------------------------------------------------------------------------------


def test_optimal_beats_greedy_and_explains_who_took_the_money():
    problem = Problem(
        D(100), (project(1, 60, 90), project(2, 50, 80), project(3, 50, 75), project(4, 40, 10))
    )
    greedy = allocate(problem, "greedy")
    optimal = allocate(problem, "optimal")
    assert funded(greedy) == {"1", "4"}
    assert funded(optimal) == {"2", "3"}
    left_out = optimal.decisions["1"]
    assert left_out.outcome == Outcome.NOT_CHOSEN
    assert left_out.reason["displaced_count"] == 2
    assert left_out.reason["displaced_score"] == pytest.approx(155)
    assert set(left_out.reason["displaced"]) == {"Proyecto 2", "Proyecto 3"}
    assert total_score(optimal, problem.projects) == pytest.approx(155)


def test_optimal_respects_quotas_and_says_which_quota_was_full():
    problem = Problem(
        D(100),
        (
            project(1, 30, 90, "territory:1"),
            project(2, 30, 89, "territory:1"),
            project(3, 30, 40, "territory:2"),
            project(4, 30, 30, "territory:2"),
        ),
        quotas=(GroupQuota("territory:1", "La Pintana", maximum=D(40)),),
    )
    allocation = allocate(problem, "optimal")
    assert funded(allocation) == {"1", "3", "4"}
    reason = allocation.decisions["2"].reason
    assert allocation.decisions["2"].outcome == Outcome.QUOTA_FULL
    assert (reason["label"], reason["maximum"], reason["used"]) == ("La Pintana", "40", "30")
    check_limits(problem, allocation)


def test_optimal_minimum_quota_and_its_explanations():
    problem = Problem(
        D(100),
        (
            project(1, 50, 90, "territory:1"),
            project(2, 50, 88, "territory:1"),
            project(3, 50, 30, "territory:2"),
        ),
        quotas=(GroupQuota("territory:2", "Bajos de Mena", minimum=D(50)),),
    )
    allocation = allocate(problem, "optimal")
    assert funded(allocation) == {"1", "3"}
    assert allocation.decisions["3"].reason["minimum_label"] == "Bajos de Mena"
    left_out = allocation.decisions["2"]
    assert left_out.outcome == Outcome.NOT_CHOSEN
    assert left_out.reason["minimum_labels"] == ["Bajos de Mena"]


def test_optimal_without_lower_ranked_funded_is_no_budget():
    problem = Problem(D(100), (project(1, 80, 90), project(2, 30, 50)))
    allocation = allocate(problem, "optimal")
    assert funded(allocation) == {"1"}
    assert allocation.decisions["2"].outcome == Outcome.NO_BUDGET
    assert allocation.decisions["2"].reason["remaining"] == "20"


def test_infeasible_minimums_are_relaxed_not_crashing():
    problem = Problem(
        D(100),
        (
            project(1, 60, 90, "territory:1"),
            project(2, 60, 80, "territory:2"),
            project(3, 20, 70, "territory:2"),
        ),
        quotas=(
            GroupQuota("territory:1", "La Pintana", minimum=D(60)),
            GroupQuota("territory:2", "Puente Alto", minimum=D(60)),
        ),
    )
    for rule in ("optimal", "greedy"):
        allocation = allocate(problem, rule)
        assert not allocation.feasible
        assert allocation.notes
        assert allocation.relaxed
        check_limits(problem, allocation)
    optimal = allocate(problem, "optimal")
    assert funded(optimal) == {"1", "3"}


def test_unreachable_minimum_is_relaxed():
    problem = Problem(
        D(100),
        (project(1, 10, 90, "theme:1"), project(2, 50, 40)),
        quotas=(GroupQuota("theme:1", "Cultura", minimum=D(30)),),
    )
    allocation = allocate(problem, "optimal")
    assert not allocation.feasible
    assert "theme:1" in allocation.relaxed
    assert funded(allocation) == {"1", "2"}
    assert allocation.quota_labels == {"theme:1": "Cultura"}


def test_optimal_partial_funding_uses_the_whole_budget():
    problem = Problem(
        D(100),
        (project(1, 60, 90), project(2, 50, 80)),
        partial=True,
        min_partial_share=0.5,
    )
    allocation = allocate(problem, "optimal")
    # Project 2 gives more score per peso (1.6 against 1.5): in full, and the rest to 1.
    assert allocation.total == D(100)
    assert allocation.decisions["2"].outcome == Outcome.FUNDED
    assert allocation.decisions["1"].outcome == Outcome.PARTIAL
    assert allocation.decisions["1"].amount == D(50)
    assert allocation.decisions["1"].reason["share"] == pytest.approx(50 / 60)
    assert allocation.decisions["1"].reason["limited_by"] == "optimal"
    assert total_score(allocation, problem.projects) == pytest.approx(155)


def test_partial_grants_are_whole_units():
    problem = Problem(
        D("100.5"),
        (project(1, 61, 90), project(2, 53, 80)),
        partial=True,
        min_partial_share=0.5,
    )
    allocation = allocate(problem, "optimal")
    amounts = [d.amount for d in allocation.decisions.values() if d.funded]
    assert all(a == a.to_integral_value() for a in amounts)
    assert allocation.total <= problem.budget


def test_two_quota_groups_count_for_one_project():
    problem = Problem(
        D(100),
        (
            project(1, 40, 90, "territory:1", "theme:1"),
            project(2, 40, 80, "territory:2", "theme:1"),
            project(3, 40, 70, "territory:2", "theme:2"),
        ),
        quotas=(GroupQuota("theme:1", "Medio ambiente", maximum=D(40)),),
    )
    allocation = allocate(problem, "optimal")
    assert funded(allocation) == {"1", "3"}
    assert allocation.quota_totals == {"theme:1": D(40)}


def test_optimal_is_deterministic_among_ties():
    projects = tuple(project(i, 10, 50) for i in range(1, 9))
    problem = Problem(D(40), projects)
    first = allocate(problem, "optimal")
    assert funded(first) == {"1", "2", "3", "4"}
    assert funded(allocate(problem, "optimal")) == funded(first)


# --- brute force reference with quotas ----------------------------------------------------


def brute_force(problem: Problem) -> float:
    """The best total score over every subset (no partial funding), by enumeration."""
    candidates = [
        p
        for p in problem.projects
        if p.eligible
        and not p.disqualified_by
        and (problem.score_threshold is None or p.score >= problem.score_threshold)
        and problem.min_grant <= p.cost
        and (problem.max_grant is None or p.cost <= problem.max_grant)
    ]
    best = 0.0
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if sum((p.cost for p in subset), D(0)) > problem.budget:
                continue
            ok = True
            for quota in problem.quotas:
                used = sum((p.cost for p in subset if quota.group in p.groups), D(0))
                if quota.maximum is not None and used > quota.maximum:
                    ok = False
                if quota.minimum is not None and used < quota.minimum:
                    ok = False
            if ok:
                best = max(best, sum(p.score for p in subset))
    return best


def random_problem(rng: random.Random, n: int) -> Problem:
    projects = tuple(
        project(
            i,
            rng.randrange(5, 60),
            round(rng.uniform(0, 100), 2),
            f"territory:{rng.randrange(3)}",
            f"theme:{rng.randrange(2)}",
        )
        for i in range(1, n + 1)
    )
    total = sum(p.cost for p in projects)
    budget = D(int(float(total) * rng.uniform(0.2, 0.7)))
    quotas = []
    if rng.random() < 0.7:
        quotas.append(GroupQuota("territory:0", "T0", minimum=D(int(budget * D("0.2")))))
    if rng.random() < 0.7:
        quotas.append(GroupQuota("territory:1", "T1", maximum=D(int(budget * D("0.3")))))
    if rng.random() < 0.4:
        quotas.append(GroupQuota("theme:1", "Theme 1", maximum=D(int(budget * D("0.5")))))
    return Problem(
        budget, projects, tuple(quotas), min_grant=D(8), max_grant=D(55), score_threshold=10
    )


def test_optimal_matches_brute_force_with_quotas():
    rng = random.Random("tejido-allocation-brute-force")
    checked = 0
    for _ in range(60):
        problem = random_problem(rng, rng.randrange(4, 12))
        allocation = allocate(problem, "optimal")
        check_limits(problem, allocation)
        greedy = allocate(problem, "greedy")
        check_limits(problem, greedy)
        best = brute_force(problem)
        if allocation.feasible:
            checked += 1
            assert total_score(allocation, problem.projects) == pytest.approx(best, abs=1e-6)
            if greedy.feasible:
                assert total_score(greedy, problem.projects) <= best + 1e-6
    assert checked >= 40


def test_large_instance_uses_the_core_and_stays_optimal():
    """Above the core threshold the solver fixes variables by reduced cost: the result must
    equal a direct solve of the whole program."""
    from tejido.funds import allocation as module

    rng = random.Random("tejido-allocation-core")
    projects = tuple(
        project(
            i,
            rng.randrange(50, 600) * 1000,
            round(rng.gauss(65, 12), 2),
            f"territory:{rng.randrange(6)}",
        )
        for i in range(1, 601)
    )
    budget = D(sum(p.cost for p in projects) * D("0.3")).quantize(D(1))
    quotas = (
        GroupQuota("territory:0", "T0", minimum=(budget * D("0.15")).quantize(D(1))),
        GroupQuota("territory:1", "T1", maximum=(budget * D("0.12")).quantize(D(1))),
    )
    problem = Problem(budget, projects, quotas)
    by_core = allocate(problem, "optimal")
    threshold = module.CORE_FROM
    try:
        module.CORE_FROM = 10**9
        direct = allocate(problem, "optimal")
    finally:
        module.CORE_FROM = threshold
    assert total_score(by_core, projects) == pytest.approx(total_score(direct, projects), abs=1e-6)
    check_limits(problem, by_core)


# --- helpers ------------------------------------------------------------------------------


def test_decision_json_round_trip_and_changes():
    decision = Decision("7", Outcome.PARTIAL, D("1500.00"), 3, {"share": 0.5})
    data = decision.as_json()
    assert data == {"outcome": "partial", "amount": "1500.00", "rank": 3, "reason": {"share": 0.5}}
    assert Decision.from_json("7", data) == decision

    before = {
        "1": Decision("1", Outcome.FUNDED, D(10), 1, {}),
        "2": Decision("2", Outcome.FUNDED, D(10), 2, {}),
        "3": Decision("3", Outcome.NO_BUDGET, D(0), 3, {}),
    }
    after = {
        "1": Decision("1", Outcome.PARTIAL, D(8), 1, {}),
        "2": Decision("2", Outcome.NOT_CHOSEN, D(0), 2, {}),
        "3": Decision("3", Outcome.FUNDED, D(10), 3, {}),
    }
    assert changes(before, after) == {"entered": ["3"], "left": ["2"], "changed": ["1"]}


def test_outcome_counts_lists_every_outcome():
    allocation = allocate(Problem(D(10), (project(1, 5, 9), project(2, 50, 8))), "greedy")
    counts = outcome_counts(allocation)
    assert counts["funded"] == 1
    assert counts["no_budget"] == 1
    assert set(counts) == {o.value for o in Outcome}
