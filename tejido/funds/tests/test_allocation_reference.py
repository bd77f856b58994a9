"""Our allocation rules against pabutools (the reference implementation of participatory
budgeting rules), on random instances and on real Pabulib files whose rule is greedy."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from pabutools.election import (
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalMultiProfile,
    CardinalBallot,
    CardinalProfile,
    Cost_Sat,
    FrozenApprovalBallot,
    Instance,
    parse_pabulib,
)
from pabutools.election import Project as PbProject
from pabutools.rules import greedy_utilitarian_welfare, max_additive_utilitarian_welfare
from pabutools.tiebreaking import TieBreakingRule

from tejido.funds.allocation import Problem, Project, allocate, total_score

PABULIB = Path(__file__).resolve().parent / "data" / "pabulib"
INSTANCES = 200


def our_tie_breaking() -> TieBreakingRule:
    """Ours: lower cost first, then the lower id."""
    return TieBreakingRule(lambda instance, profile, project: (project.cost, int(project.name)))


def votes_profile(instance: Instance, votes: dict[str, int]) -> ApprovalMultiProfile:
    """An approval profile in which each project gets exactly its number of votes: voter k
    approves the projects with more than k votes (identical ballots grouped)."""
    profile = ApprovalMultiProfile(instance=instance)
    levels = sorted({v for v in votes.values() if v > 0})
    previous = 0
    for level in levels:
        approved = [p for p in instance if votes[p.name] >= level]
        ballot = FrozenApprovalBallot(ApprovalBallot(approved))
        profile[ballot] = level - previous
        previous = level
    return profile


def random_instance(rng: random.Random) -> tuple[Instance, dict[str, int], int]:
    n = rng.randrange(3, 15)
    costs = {str(i): rng.randrange(1, 100) for i in range(1, n + 1)}
    votes = {str(i): rng.randrange(0, 40) for i in range(1, n + 1)}
    budget = max(1, int(sum(costs.values()) * rng.uniform(0.1, 0.9)))
    instance = Instance([PbProject(pid, cost) for pid, cost in costs.items()], budget_limit=budget)
    return instance, votes, budget


def decimal(value) -> Decimal:
    """A pabutools number (int, float or a gmpy2 rational) as a Decimal."""
    fraction = Fraction(str(value))
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def to_problem(instance: Instance, scores: dict[str, float], budget) -> Problem:
    return Problem(
        decimal(budget),
        tuple(Project(p.name, decimal(p.cost), float(scores[p.name])) for p in instance),
    )


def test_greedy_matches_pabutools_greedy_on_random_instances():
    rng = random.Random("tejido-greedy-reference")
    for _ in range(INSTANCES):
        instance, votes, budget = random_instance(rng)
        reference = greedy_utilitarian_welfare(
            instance,
            votes_profile(instance, votes),
            sat_class=Cost_Sat,
            tie_breaking=our_tie_breaking(),
        )
        ours = allocate(to_problem(instance, votes, budget), "greedy")
        assert set(ours.funded_ids()) == {p.name for p in reference}, (budget, votes)


def test_optimal_total_matches_pabutools_max_welfare_on_random_instances():
    rng = random.Random("tejido-optimal-reference")
    for _ in range(INSTANCES):
        instance, _, budget = random_instance(rng)
        # Scores in hundredths as whole numbers: CBC (inside pabutools) stops within an
        # absolute gap below one unit of the objective, so fractional scores could fool it.
        scores = {p.name: rng.randrange(0, 10_000) for p in instance}
        profile = CardinalProfile(
            [CardinalBallot({p: scores[p.name] for p in instance})], instance=instance
        )
        reference = max_additive_utilitarian_welfare(
            instance, profile, sat_class=Additive_Cardinal_Sat
        )
        expected = sum(scores[p.name] for p in reference)
        problem = to_problem(instance, scores, budget)
        ours = allocate(problem, "optimal")
        # Compare objective values, not sets: several sets may tie.
        assert total_score(ours, problem.projects) == pytest.approx(expected, abs=1e-6)
        assert sum(p.cost for p in reference) <= budget


def greedy_files() -> list[Path]:
    files = []
    for path in sorted(PABULIB.glob("*.pb")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip().lower() == "rule;greedy":
                    files.append(path)
                    break
                if line.strip() == "PROJECTS":
                    break
    return files


def test_there_are_greedy_sample_files():
    assert len(greedy_files()) >= 5


@pytest.mark.parametrize("path", greedy_files(), ids=lambda p: p.stem[:40])
def test_greedy_reproduces_real_pabulib_outcomes(path):
    instance, _ = parse_pabulib(str(path))
    votes = {p.name: int(instance.project_meta[p]["votes"]) for p in instance}
    problem = to_problem(instance, votes, instance.budget_limit)
    ours = set(allocate(problem, "greedy").funded_ids())
    selected = {
        p.name for p in instance if str(instance.project_meta[p].get("selected", "")) == "1"
    }
    if any("selected" in instance.project_meta[p] for p in instance):
        assert ours == selected
    else:
        reference = greedy_utilitarian_welfare(
            instance, votes_profile(instance, votes), sat_class=Cost_Sat
        )
        assert ours == {p.name for p in reference}
