"""The score summaries (pure), checked by hand and against SciPy's z-scores."""

from __future__ import annotations

import random
import statistics

import pytest
from scipy import stats

from tejido.funds.scoring import (
    CriterionSpec,
    ReviewScores,
    normalized_totals,
    review_total,
    summarize,
)

CRITERIA = (
    CriterionSpec(id=1, weight=3, scale_max=5, minimum=2),
    CriterionSpec(id=2, weight=1, scale_max=10),
)


def test_review_total_is_the_weighted_share_of_each_scale() -> None:
    # 3 × 4/5 + 1 × 5/10 = 2.9 of 4 → 72.5
    assert review_total(CRITERIA, {1: 4, 2: 5}) == pytest.approx(72.5)
    assert review_total(CRITERIA, {1: 5, 2: 10}) == pytest.approx(100)
    assert review_total(CRITERIA, {}) == 0


def test_normalization_matches_scipy_z_scores_mapped_onto_the_pool() -> None:
    rng = random.Random(7)
    totals = [(r, a, rng.uniform(10, 95)) for r in range(5) for a in range(8)]
    result = normalized_totals(totals)
    pool = [t for *_, t in totals]
    pool_mean, pool_sd = statistics.fmean(pool), statistics.pstdev(pool)
    for reviewer in range(5):
        own = [t for r, _, t in totals if r == reviewer]
        expected = stats.zscore(own) * pool_sd + pool_mean
        got = [result[(reviewer, a)] for a in range(8)]
        assert got == pytest.approx([min(100, max(0, e)) for e in expected], abs=1e-3)


def test_a_single_review_keeps_its_raw_total() -> None:
    result = normalized_totals([(1, 1, 20.0), (2, 1, 80.0), (2, 2, 60.0)])
    assert result[(1, 1)] == 20.0


def test_a_reviewer_who_scores_everything_alike_is_only_shifted() -> None:
    result = normalized_totals([(1, 1, 50.0), (1, 2, 50.0), (2, 1, 90.0), (2, 2, 70.0)])
    assert result[(1, 1)] == result[(1, 2)] == pytest.approx(65.0)


def test_summary_flags_disqualifying_criteria_and_disagreement() -> None:
    reviews = [
        ReviewScores(reviewer_id=1, application_id=9, values={1: 1, 2: 10}),
        ReviewScores(reviewer_id=2, application_id=9, values={1: 2, 2: 0}),
    ]
    summary = summarize(CRITERIA, reviews, disagreement_threshold=25)[9]
    assert summary.review_count == 2
    assert summary.criterion_means == {1: 1.5, 2: 5.0}
    assert summary.disqualified_by == [1]
    # 3 × 1/5 + 1 = 1.6 → 40; 3 × 2/5 = 1.2 → 30: a 10-point spread, under the threshold.
    assert summary.raw_total == pytest.approx(35.0)
    assert summary.spread == pytest.approx(10.0)
    assert not summary.disagreement
    assert summarize(CRITERIA, reviews, disagreement_threshold=5)[9].disagreement
