"""Turn reviewers' per-criterion scores into an application's overall score (0 to 100).

Pure: no Django. Each review's overall score is the weighted mean of its criteria, each
rescaled to 0-100 by its scale. Optionally, totals are normalized per reviewer (z-scores mapped
back onto the pool's mean and spread) so that a harsh and a lenient reviewer weigh the same.
A criterion whose mean falls below its disqualifying minimum disqualifies the application, and
reviews further apart than the disagreement threshold ask for one more review.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: float
    scale_max: int
    minimum: float | None = None


@dataclass(frozen=True)
class ReviewScores:
    """One submitted review: the reviewer, the application, and a value per criterion id."""

    reviewer_id: int
    application_id: int
    values: Mapping[int, float]


@dataclass
class ApplicationScore:
    application_id: int
    review_count: int
    # Mean of the reviews' overall scores (normalized ones when normalization is on), 0-100.
    total: float | None
    raw_total: float | None
    # Mean raw value per criterion id, on the criterion's own scale.
    criterion_means: dict[int, float] = field(default_factory=dict)
    # Criterion ids whose mean is below their disqualifying minimum.
    disqualified_by: list[int] = field(default_factory=list)
    # The reviews' overall scores differ by more than the threshold.
    disagreement: bool = False
    spread: float = 0.0


def review_total(criteria: Sequence[CriterionSpec], values: Mapping[int, float]) -> float:
    """The weighted overall score of one review, 0-100. Criteria without a value count 0."""
    weight_sum = sum(c.weight for c in criteria)
    if weight_sum <= 0:
        return 0.0
    points = sum(c.weight * (float(values.get(c.id, 0.0)) / c.scale_max) for c in criteria)
    return round(100.0 * points / weight_sum, 4)


def normalized_totals(totals: Sequence[tuple[int, int, float]]) -> dict[tuple[int, int], float]:
    """Per-reviewer z-scores of (reviewer_id, application_id, total) mapped back onto the
    pool's mean and standard deviation, clipped to 0-100.

    A single review says nothing about how harsh its reviewer is: it keeps its raw total. A
    reviewer who gave several applications the same score is only shifted by the difference
    between their mean and the pool's.
    """
    if not totals:
        return {}
    pool = [t for _, _, t in totals]
    pool_mean = statistics.fmean(pool)
    pool_sd = statistics.pstdev(pool) if len(pool) > 1 else 0.0
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for reviewer, _, total in totals:
        by_reviewer[reviewer].append(total)
    stats = {
        reviewer: (statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0)
        for reviewer, values in by_reviewer.items()
    }
    result: dict[tuple[int, int], float] = {}
    for reviewer, application, total in totals:
        mean, sd = stats[reviewer]
        if len(by_reviewer[reviewer]) < 2:
            value = total
        elif sd > 0 and pool_sd > 0:
            value = pool_mean + (total - mean) / sd * pool_sd
        else:
            value = total - mean + pool_mean
        result[(reviewer, application)] = round(min(100.0, max(0.0, value)), 4)
    return result


def summarize(
    criteria: Sequence[CriterionSpec],
    reviews: Iterable[ReviewScores],
    *,
    normalize: bool = False,
    disagreement_threshold: float | None = None,
) -> dict[int, ApplicationScore]:
    """The overall score of every application that has at least one review."""
    reviews = list(reviews)
    raw = [(r.reviewer_id, r.application_id, review_total(criteria, r.values)) for r in reviews]
    adjusted = normalized_totals(raw) if normalize else {(a, b): t for a, b, t in raw}
    by_application: dict[int, list[ReviewScores]] = defaultdict(list)
    for review in reviews:
        by_application[review.application_id].append(review)
    raw_by_key = {(a, b): t for a, b, t in raw}
    summaries: dict[int, ApplicationScore] = {}
    for application_id, own in by_application.items():
        raw_totals = [raw_by_key[(r.reviewer_id, application_id)] for r in own]
        totals = [adjusted[(r.reviewer_id, application_id)] for r in own]
        means = {
            c.id: statistics.fmean(float(r.values.get(c.id, 0.0)) for r in own) for c in criteria
        }
        disqualified = [c.id for c in criteria if c.minimum is not None and means[c.id] < c.minimum]
        spread = max(raw_totals) - min(raw_totals) if len(raw_totals) > 1 else 0.0
        summaries[application_id] = ApplicationScore(
            application_id=application_id,
            review_count=len(own),
            total=round(statistics.fmean(totals), 2),
            raw_total=round(statistics.fmean(raw_totals), 2),
            criterion_means={k: round(v, 3) for k, v in means.items()},
            disqualified_by=disqualified,
            disagreement=(disagreement_threshold is not None and spread > disagreement_threshold),
            spread=round(spread, 2),
        )
    return summaries
