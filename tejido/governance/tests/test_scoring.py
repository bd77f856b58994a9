"""The scoring module, by hand on small cases and against an independent vectorized computation
(pandas for the rescaling, numpy for the weighted sum, scipy's rankdata for ranks with ties) on
random scorecards. No database."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from tejido.governance import scoring
from tejido.governance.scoring import Candidate, Criterion


def by_label(ranking):
    return {row.label: row for row in ranking.rows}


# -- by hand ---------------------------------------------------------------------------------


def test_min_max_with_direction():
    assert scoring.normalize_column([10, 20, 30]) == [0.0, 0.5, 1.0]
    assert scoring.normalize_column([10, 20, 30], higher_is_better=False) == [1.0, 0.5, 0.0]
    assert scoring.normalize_column([-5, 5]) == [0.0, 1.0]


def test_constant_column_gives_every_present_value_one():
    assert scoring.normalize_column([7, 7, 7]) == [1.0, 1.0, 1.0]
    assert scoring.normalize_column([7, None, 7], higher_is_better=False) == [1.0, 0.0, 1.0]
    # A single territory with a value is the best of those measured.
    assert scoring.normalize_column([None, 3, None]) == [0.0, 1.0, 0.0]


def test_missing_values_score_zero_and_do_not_move_the_scale():
    assert scoring.normalize_column([0, None, 10]) == [0.0, 0.0, 1.0]
    assert scoring.normalize_column([None, None]) == [0.0, 0.0]
    assert scoring.normalize_column([]) == []


def test_weights_are_shares_of_their_sum():
    assert scoring.normalize_weights([2, 1, 1]) == [0.5, 0.25, 0.25]
    assert scoring.normalize_weights([50, 25, 25]) == [0.5, 0.25, 0.25]
    assert scoring.normalize_weights([0, 0]) == [0.0, 0.0]
    with pytest.raises(ValueError):
        scoring.normalize_weights([1, -1])
    with pytest.raises(ValueError):
        scoring.normalize_weights([1, math.nan])


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError):
        scoring.normalize_column([1, math.inf])


def test_worked_example_with_contributions():
    criteria = [
        Criterion("vulnerability", 50),
        Criterion("organizations", 25),
        Criterion("support", 25),
    ]
    candidates = [
        Candidate(1, "Bajos de Mena", {"vulnerability": 80, "organizations": 30, "support": 3}),
        Candidate(2, "La Ligua", {"vulnerability": 60, "organizations": 10, "support": 1}),
        Candidate(3, "Yungay", {"vulnerability": 70, "organizations": 20}),
    ]
    ranking = scoring.rank(criteria, candidates)
    rows = by_label(ranking)
    assert [r.label for r in ranking.rows] == ["Bajos de Mena", "Yungay", "La Ligua"]
    assert rows["Bajos de Mena"].score == pytest.approx(100)
    # Yungay: half the vulnerability scale (25 points), half the organizations (12.5), no value
    # for support: 0, flagged.
    yungay = rows["Yungay"]
    assert yungay.score == pytest.approx(37.5)
    assert yungay.contribution("vulnerability").points == pytest.approx(25)
    assert yungay.contribution("organizations").points == pytest.approx(12.5)
    assert yungay.contribution("support").points == 0
    assert yungay.missing == ("support",)
    # La Ligua is the worst measured on vulnerability and organizations but has a value for
    # support (1, the lowest of those measured): zero points everywhere, nothing missing.
    assert rows["La Ligua"].score == 0
    assert rows["La Ligua"].missing == ()
    assert [r.rank for r in ranking.rows] == [1, 2, 3]
    for row in ranking.rows:
        assert math.fsum(c.points for c in row.contributions) == pytest.approx(row.score)
    assert ranking.weights == {"vulnerability": 0.5, "organizations": 0.25, "support": 0.25}


def test_lower_is_better_reverses_a_criterion():
    criteria = [Criterion("distance", 1, higher_is_better=False)]
    candidates = [Candidate("a", "Near", {"distance": 2}), Candidate("b", "Far", {"distance": 9})]
    ranking = scoring.rank(criteria, candidates)
    assert [r.label for r in ranking.rows] == ["Near", "Far"]
    assert [r.score for r in ranking.rows] == [100, 0]


def test_ties_share_the_best_rank_in_a_reproducible_order():
    criteria = [Criterion("x", 1)]
    candidates = [
        Candidate(4, "Ñuñoa", {"x": 5}),
        Candidate(3, "alto", {"x": 5}),
        Candidate(2, "Álamos", {"x": 5}),
        Candidate(1, "Top", {"x": 9}),
        Candidate(5, "Bottom", {"x": 1}),
    ]
    ranking = scoring.rank(criteria, candidates)
    assert [(r.label, r.rank) for r in ranking.rows] == [
        ("Top", 1),
        ("Álamos", 2),  # accents and case do not affect the order of ties
        ("alto", 2),
        ("Ñuñoa", 2),
        ("Bottom", 5),
    ]
    # The same data in another order gives the same ranking.
    again = scoring.rank(criteria, list(reversed(candidates)))
    assert [(r.key, r.rank) for r in again.rows] == [(r.key, r.rank) for r in ranking.rows]


def test_equal_labels_are_ordered_by_key():
    criteria = [Criterion("x", 1)]
    candidates = [Candidate(9, "Centro", {"x": 1}), Candidate(2, "Centro", {"x": 1})]
    assert [r.key for r in scoring.rank(criteria, candidates).rows] == [2, 9]


def test_sums_in_another_order_still_tie():
    # 0.1 + 0.2 and 0.3 differ in the last bit; the scores must still tie.
    criteria = [Criterion("a", 1), Criterion("b", 2), Criterion("c", 3)]
    candidates = [
        Candidate(1, "A", {"a": 1, "b": 1, "c": 0}),
        Candidate(2, "B", {"a": 0, "b": 0, "c": 1}),
        Candidate(3, "C", {"a": 0, "b": 0, "c": 0}),
    ]
    ranking = scoring.rank(criteria, candidates)
    assert [r.rank for r in ranking.rows] == [1, 1, 3]


def test_top_n_keeps_a_tie_at_the_cut():
    criteria = [Criterion("x", 1)]
    candidates = [Candidate(i, f"T{i}", {"x": v}) for i, v in enumerate([9, 7, 7, 1])]
    ranking = scoring.rank(criteria, candidates)
    assert [r.label for r in ranking.top(1)] == ["T0"]
    assert [r.label for r in ranking.top(2)] == ["T0", "T1", "T2"]  # T1 and T2 tie 2nd
    assert len(ranking.top(3)) == 3


def test_no_weight_or_no_criteria_ties_everyone_at_zero():
    candidates = [Candidate(1, "B", {"x": 1}), Candidate(2, "A", {"x": 2})]
    ranking = scoring.rank([Criterion("x", 0)], candidates)
    assert [(r.label, r.rank, r.score) for r in ranking.rows] == [("A", 1, 0), ("B", 1, 0)]
    ranking = scoring.rank([], candidates)
    assert [r.rank for r in ranking.rows] == [1, 1]
    assert scoring.rank([Criterion("x", 1)], []).rows == ()


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError):
        scoring.rank([Criterion("x", 1), Criterion("x", 2)], [])
    with pytest.raises(ValueError):
        scoring.rank([Criterion("x", 1)], [Candidate(1, "A"), Candidate(1, "B")])


def test_what_if_reports_who_enters_and_leaves_the_top():
    criteria = [Criterion("need", 3), Criterion("support", 1)]
    candidates = [
        Candidate("a", "A", {"need": 10, "support": 0}),
        Candidate("b", "B", {"need": 8, "support": 1}),
        Candidate("c", "C", {"need": 0, "support": 3}),
    ]
    result = scoring.what_if(criteria, candidates, {"need": 1, "support": 3}, top_n=1)
    assert [r.label for r in result.base.top(1)] == ["A"]
    assert [r.label for r in result.alternative.top(1)] == ["C"]
    assert [r.key for r in result.entering] == ["c"]
    assert [r.key for r in result.leaving] == ["a"]
    assert result.changed
    assert result.moved("c") == 2
    assert result.moved("a") == -2
    # The same weights change nothing.
    same = scoring.what_if(criteria, candidates, {"need": 3}, top_n=2)
    assert not same.changed
    assert same.alternative.ranks() == same.base.ranks()
    with pytest.raises(ValueError):
        scoring.what_if(criteria, candidates, {}, top_n=0)


def test_what_if_with_scaled_weights_changes_nothing():
    rng = random.Random(7)
    criteria = [Criterion(j, rng.randint(1, 9)) for j in range(4)]
    candidates = [
        Candidate(i, f"T{i}", {j: rng.uniform(0, 100) for j in range(4)}) for i in range(12)
    ]
    result = scoring.what_if(
        criteria, candidates, {c.key: c.weight * 10 for c in criteria}, top_n=4
    )
    assert not result.changed
    assert result.alternative.ranks() == result.base.ranks()


# -- against an independent computation -----------------------------------------------------


def reference(values: pd.DataFrame, weights: np.ndarray, higher: np.ndarray):
    """Scores and competition ranks, vectorized: rows are territories, columns criteria."""
    low, high = values.min(), values.max()
    span = high - low
    up = (values - low) / span.where(span != 0)
    down = (high - values) / span.where(span != 0)
    scaled = up.where(np.broadcast_to(higher, values.shape), down)
    # Constant columns: 1 where a value is present. Missing values: 0.
    constant = (span == 0).to_numpy()
    scaled.loc[:, constant] = values.loc[:, constant].notna().astype(float)
    scaled = scaled.fillna(0.0)
    total = weights.sum()
    shares = weights / total if total > 0 else np.zeros_like(weights)
    scores = 100 * scaled.to_numpy() @ shares
    ranks = rankdata(-np.round(scores, scoring.TIE_DECIMALS), method="min").astype(int)
    return scores, ranks, 100 * scaled.to_numpy() * shares


@pytest.mark.parametrize("seed", range(300))
def test_matches_a_vectorized_reference_on_random_scorecards(seed):
    rng = random.Random(seed)
    n_territories, n_criteria = rng.randint(1, 25), rng.randint(1, 6)
    # Small sets of values and weights make ties, constant columns and zero weights common.
    palette = [rng.choice([0, 1, 2, 3, 2.5, 10, 33.3, 100]) for _ in range(4)]
    rows = []
    for _i in range(n_territories):
        row = []
        for _j in range(n_criteria):
            draw = rng.random()
            if draw < 0.12:
                row.append(None)
            elif draw < 0.5:
                row.append(rng.choice(palette))
            else:
                row.append(round(rng.uniform(-50, 150), rng.choice([0, 1, 4])))
        rows.append(row)
    weights = [rng.choice([0, 0, 1, 2, 3, 0.5, 7.25, 50]) for _ in range(n_criteria)]
    higher = [rng.random() < 0.75 for _ in range(n_criteria)]
    labels = [f"Territorio {rng.randint(0, 9)}" for _ in range(n_territories)]

    criteria = [Criterion(j, weights[j], higher[j]) for j in range(n_criteria)]
    candidates = [
        Candidate(i, labels[i], {j: v for j, v in enumerate(rows[i]) if v is not None})
        for i in range(n_territories)
    ]
    ranking = scoring.rank(criteria, candidates)

    frame = pd.DataFrame(rows, dtype=float)
    scores, ranks, points = reference(frame, np.array(weights, dtype=float), np.array(higher))
    for row in ranking.rows:
        i = row.key
        assert row.score == pytest.approx(scores[i], abs=1e-9)
        assert row.rank == ranks[i]
        assert [c.points for c in row.contributions] == pytest.approx(list(points[i]), abs=1e-9)
        assert row.missing == tuple(j for j in range(n_criteria) if rows[i][j] is None)
    # Rows come best first; ties in label order, then key.
    order = sorted(
        range(n_territories),
        key=lambda i: (-round(scores[i], scoring.TIE_DECIMALS), scoring.sort_label(labels[i]), i),
    )
    assert [row.key for row in ranking.rows] == order


@pytest.mark.parametrize("seed", range(100))
def test_what_if_matches_the_reference_top_n(seed):
    rng = random.Random(1000 + seed)
    n, m = rng.randint(2, 20), rng.randint(1, 5)
    rows = [[float(rng.randint(0, 5)) for _ in range(m)] for _ in range(n)]
    base_w = [float(rng.randint(0, 4)) for _ in range(m)]
    new_w = [float(rng.randint(0, 4)) for _ in range(m)]
    top_n = rng.randint(1, n)
    criteria = [Criterion(j, base_w[j]) for j in range(m)]
    candidates = [Candidate(i, f"T{i:02d}", dict(enumerate(rows[i]))) for i in range(n)]
    result = scoring.what_if(criteria, candidates, dict(enumerate(new_w)), top_n=top_n)

    frame = pd.DataFrame(rows)
    higher = np.ones(m, dtype=bool)
    _s, base_ranks, _p = reference(frame, np.array(base_w), higher)
    _s, new_ranks, _p = reference(frame, np.array(new_w), higher)
    before = {i for i in range(n) if base_ranks[i] <= top_n}
    after = {i for i in range(n) if new_ranks[i] <= top_n}
    assert {r.key for r in result.entering} == after - before
    assert {r.key for r in result.leaving} == before - after
    for i in range(n):
        assert result.moved(i) == base_ranks[i] - new_ranks[i]
