"""`voting.count` against pref_voting on thousands of random profiles.

Every method that pref_voting has is compared on the winner set before the tie-break (our
`tied_winners`) and, where pref_voting exposes them, on the scores:

- plurality, borda: `plurality`, `borda` on complete rankings (`Profile`); truncated rankings
  against `borda_for_profile_with_ties` with `domination_borda_scores` (unranked options share
  the bottom and score 0), the variant our Borda mirrors.
- irv: `instant_runoff_put` (parallel-universe tie-breaking) for the tied winners and
  `instant_runoff_tb` with the reversed lot order as tie-breaker for the winner, on complete
  (`Profile`) and truncated (`ProfileWithTies`) rankings.
- approval: `approval` on a 0/1 `GradeProfile`; score: `score_voting` (sum, ungraded = 0);
  cumulative: `cumulative_voting` when every voter spends all dots, and `sum_utilitarian` on a
  `UtilityProfile` always.

Profiles are seeded: 1–60 voters, 2–6 options, drawn from a small pool of ballots half of the
time so that ties (and the lot) are frequent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from pref_voting.grade_methods import approval as pv_approval
from pref_voting.grade_methods import cumulative_voting as pv_cumulative
from pref_voting.grade_methods import score_voting as pv_score
from pref_voting.grade_profiles import GradeProfile
from pref_voting.iterative_methods import instant_runoff_put, instant_runoff_tb
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import (
    borda,
    borda_for_profile_with_ties,
    domination_borda_scores,
    plurality,
)
from pref_voting.utility_methods import sum_utilitarian
from pref_voting.utility_profiles import UtilityProfile

from tejido.governance import voting

PROFILES = 1500


def profiles(name: str, make: Callable[[random.Random, int], Any], count: int = PROFILES):
    """Seeded random profiles: (seed text, option count, ballots)."""
    rng = random.Random(f"reference-{name}")
    for index in range(count):
        n = rng.randint(2, 6)
        voters = rng.randint(1, 60)
        if rng.random() < 0.5:
            pool = [make(rng, n) for _ in range(rng.randint(1, 4))]
            ballots = [rng.choice(pool) for _ in range(voters)]
        else:
            ballots = [make(rng, n) for _ in range(voters)]
        yield f"{name}-{index}", n, ballots


def full_ranking(rng: random.Random, n: int) -> list[int]:
    return rng.sample(range(n), n)


def truncated_ranking(rng: random.Random, n: int) -> list[int]:
    return rng.sample(range(n), rng.randint(1, n))


def with_ties(ballots: list[list[int]], n: int) -> ProfileWithTies:
    return ProfileWithTies(
        [{option: rank for rank, option in enumerate(ballot, start=1)} for ballot in ballots],
        candidates=list(range(n)),
    )


def test_plurality_matches_pref_voting():
    ties = 0
    for seed, n, ballots in profiles("plurality", full_ranking):
        counted = voting.count("plurality", n, [b[0] for b in ballots], seed=seed)
        profile = Profile(ballots)
        assert counted.tied_winners == plurality(profile), (n, ballots)
        assert counted.totals == {c: int(s) for c, s in profile.plurality_scores().items()}
        assert counted.winner == voting.lot_order(seed, counted.tied_winners)[0]
        ties += counted.tie_broken
    assert ties > PROFILES // 20  # the lot was exercised


def test_borda_matches_pref_voting_on_complete_rankings():
    ties = 0
    for seed, n, ballots in profiles("borda", full_ranking):
        counted = voting.count("borda", n, ballots, seed=seed)
        profile = Profile(ballots)
        assert counted.tied_winners == borda(profile), (n, ballots)
        assert counted.totals == {c: int(s) for c, s in profile.borda_scores().items()}
        ties += counted.tie_broken
    assert ties > PROFILES // 20


def test_borda_matches_domination_borda_on_truncated_rankings():
    for seed, n, ballots in profiles("borda-truncated", truncated_ranking, count=600):
        counted = voting.count("borda", n, ballots, seed=seed)
        profile = with_ties(ballots, n)
        scores = domination_borda_scores(profile)
        assert counted.totals == {c: int(s) for c, s in scores.items()}, (n, ballots)
        assert counted.tied_winners == borda_for_profile_with_ties(
            profile, borda_scores=domination_borda_scores
        )


def test_irv_matches_instant_runoff_put_and_tb():
    lots = 0
    for seed, n, ballots in profiles("irv", full_ranking):
        counted = voting.count("irv", n, ballots, seed=seed)
        profile = Profile(ballots)
        assert counted.tied_winners == instant_runoff_put(profile), (n, ballots, seed)
        # pref_voting eliminates tie_breaker[0] first; our lot eliminates the last in its order.
        tie_breaker = list(reversed(voting.lot_order(seed, range(n))))
        assert [counted.winner] == instant_runoff_tb(profile, tie_breaker=tie_breaker), (
            n,
            ballots,
            seed,
        )
        assert counted.totals == {c: int(s) for c, s in profile.plurality_scores().items()}
        lots += any(step.code == "lot" for step in counted.explanation)
    assert lots > PROFILES // 20


def test_irv_matches_pref_voting_on_truncated_rankings():
    for seed, n, ballots in profiles("irv-truncated", truncated_ranking, count=600):
        counted = voting.count("irv", n, ballots, seed=seed)
        profile = with_ties(ballots, n)
        assert counted.tied_winners == instant_runoff_put(profile), (n, ballots, seed)
        tie_breaker = list(reversed(voting.lot_order(seed, range(n))))
        assert [counted.winner] == instant_runoff_tb(profile, tie_breaker=tie_breaker), (
            n,
            ballots,
            seed,
        )


def approvals(rng: random.Random, n: int) -> list[int]:
    return sorted(rng.sample(range(n), rng.randint(1, n)))


def test_approval_matches_pref_voting():
    ties = 0
    for seed, n, ballots in profiles("approval", approvals):
        counted = voting.count("approval", n, ballots, seed=seed)
        grades = GradeProfile(
            [{c: int(c in ballot) for c in range(n)} for ballot in ballots],
            [0, 1],
            candidates=list(range(n)),
        )
        assert counted.tied_winners == pv_approval(grades), (n, ballots)
        ties += counted.tie_broken
    assert ties > PROFILES // 20


def scores(rng: random.Random, n: int) -> dict[int, int]:
    return {c: rng.randint(0, 5) for c in rng.sample(range(n), rng.randint(1, n))}


def test_score_matches_pref_voting():
    for seed, n, ballots in profiles("score", scores):
        counted = voting.count("score", n, ballots, seed=seed, score_max=5)
        grades = GradeProfile(ballots, list(range(6)), candidates=list(range(n)))
        assert counted.tied_winners == pv_score(grades, evaluation_method="sum", ungraded_score=0)
        for option in range(n):
            expected = grades.sum(option) if grades.has_grade(option) else 0
            assert counted.totals[option] == expected


def test_score_is_the_mean_when_every_option_is_scored():
    def complete(rng: random.Random, n: int) -> dict[int, int]:
        return {c: rng.randint(0, 5) for c in range(n)}

    for seed, n, ballots in profiles("score-mean", complete, count=400):
        counted = voting.count("score", n, ballots, seed=seed)
        grades = GradeProfile(ballots, list(range(6)), candidates=list(range(n)))
        assert counted.tied_winners == pv_score(grades, evaluation_method="mean")


def dots(rng: random.Random, n: int, spend_all: bool = False) -> dict[int, int]:
    total = 5 if spend_all else rng.randint(1, 5)
    points: dict[int, int] = {}
    for _ in range(total):
        option = rng.randrange(n)
        points[option] = points.get(option, 0) + 1
    return points


def test_cumulative_matches_pref_voting():
    for seed, n, ballots in profiles("cumulative", dots):
        counted = voting.count("cumulative", n, ballots, seed=seed, dots=5)
        utilities = UtilityProfile(
            [{c: ballot.get(c, 0) for c in range(n)} for ballot in ballots],
        )
        assert counted.tied_winners == sum_utilitarian(utilities), (n, ballots)


def test_cumulative_matches_cumulative_voting_when_all_dots_are_spent():
    def spend_all(rng: random.Random, n: int) -> dict[int, int]:
        return dots(rng, n, spend_all=True)

    checked = 0
    for seed, n, ballots in profiles("cumulative-all", spend_all, count=600):
        grade_maps = [{c: ballot.get(c, 0) for c in range(n)} for ballot in ballots]
        used = {g for ballot in grade_maps for g in ballot.values()}
        if used != set(range(6)):
            continue  # pref_voting wants every grade 0..5 to be possible in the profile
        grades = GradeProfile(grade_maps, list(range(6)), candidates=list(range(n)))
        counted = voting.count("cumulative", n, ballots, seed=seed, dots=5)
        assert counted.tied_winners == pv_cumulative(grades, max_total_grades=5)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("method", ["plurality", "borda", "irv", "approval", "score", "cumulative"])
def test_winner_is_the_first_tied_winner_in_the_lot(method):
    makers = {
        "plurality": lambda rng, n: rng.randrange(n),
        "borda": truncated_ranking,
        "irv": full_ranking,
        "approval": approvals,
        "score": scores,
        "cumulative": dots,
    }
    for seed, n, ballots in profiles(f"lot-{method}", makers[method], count=300):
        counted = voting.count(method, n, ballots, seed=seed)
        if method == "irv":
            assert counted.winner in counted.tied_winners
        else:
            assert counted.winner == voting.lot_order(seed, counted.tied_winners)[0]


def test_irv_winner_when_the_tie_search_is_cut_short():
    """Twenty organizations, each ranking its own proposal first: too many elimination ties to
    explore, so the search stops; the lot's winner is still pref_voting's instant_runoff_tb."""
    rng = random.Random("twenty")
    n = 20
    ballots = [[o, *rng.sample([x for x in range(n) if x != o], n - 1)] for o in range(n)]
    counted = voting.count("irv", n, ballots, seed="acta-12")
    assert "irv_tie_search_incomplete" in [s.code for s in counted.explanation]
    assert counted.tied_winners == [counted.winner]
    assert counted.tie_broken is True
    tie_breaker = list(reversed(voting.lot_order("acta-12", range(n))))
    assert [counted.winner] == instant_runoff_tb(Profile(ballots), tie_breaker=tie_breaker)
