"""Territory selection scoring: rescaled criteria, weights, a ranking with ties, and what-if.

No Django here: the scorecard pages, the services that record a decision and the tests all call
these functions with plain numbers.

How a territory's score is computed
-----------------------------------
1. Each criterion's values are rescaled to 0–1 over the territories that have a value
   (min-max): the best value gets 1 and the worst 0. The best is the highest value when higher
   is better, the lowest otherwise (for instance, a distance to services).
2. A criterion whose values are all equal does not separate the territories: every territory
   with a value gets 1 on it, so that a territory best on every criterion still scores 100.
3. A missing value scores 0 on that criterion and is flagged, so the page can say so; it does
   not change how the other territories' values are rescaled.
4. Weights are divided by their sum, so they add up to 1 whatever scale they were entered in
   (2-1-1 and 50-25-25 rank alike). When no criterion carries weight, every territory scores 0.
5. Score = 100 × Σ weight × rescaled value. Each term of the sum is that criterion's
   contribution, in points: the contributions of a territory add up to its score, which is how
   the page explains why a territory ranks where it does.
6. Ranking: higher score first. Scores equal to nine decimal places tie and share the best rank
   of the group (1, 2, 2, 4). Tied territories are listed by label (ignoring case and accents),
   then by key, so the same data always gives the same order.
7. The top N are the territories ranked N or better: a tie at the cut keeps every tied
   territory in, so the top N may hold more than N.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Keys identify criteria and candidates; candidate keys must be comparable with one another
# (ids, or names), as they break ties between equal labels.
Key = Hashable
# Scores equal to this many decimals tie: floating-point sums taken in another order must not
# break a tie that is exact on paper.
TIE_DECIMALS = 9


@dataclass(frozen=True)
class Criterion:
    key: Key
    weight: float
    higher_is_better: bool = True


@dataclass(frozen=True)
class Candidate:
    key: Key
    label: str
    # A criterion absent from the mapping, or mapped to None, is a missing value.
    values: Mapping[Key, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    criterion: Key
    value: float | None
    normalized: float  # the value rescaled to 0–1 (0 when missing)
    weight: float  # the criterion's share of the total weight, 0–1
    points: float  # 100 × weight × normalized: what this criterion adds to the score

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Ranked:
    key: Key
    label: str
    rank: int
    score: float  # 0–100
    contributions: tuple[Contribution, ...]

    @property
    def missing(self) -> tuple[Key, ...]:
        """The criteria this territory has no value for (each counted as 0)."""
        return tuple(c.criterion for c in self.contributions if c.missing)

    def contribution(self, criterion: Key) -> Contribution:
        for item in self.contributions:
            if item.criterion == criterion:
                return item
        raise KeyError(criterion)


@dataclass(frozen=True)
class Ranking:
    rows: tuple[Ranked, ...]  # best first, ties in their reproducible order
    weights: Mapping[Key, float]  # each criterion's share of the total weight

    def top(self, n: int) -> tuple[Ranked, ...]:
        """The territories ranked `n` or better (more than `n` when tied at the cut)."""
        return tuple(row for row in self.rows if row.rank <= n)

    def get(self, key: Key) -> Ranked:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def ranks(self) -> dict[Key, int]:
        return {row.key: row.rank for row in self.rows}


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def normalize_weights(weights: Sequence[float]) -> list[float]:
    """Each weight's share of their sum (all zeros when every weight is zero)."""
    clean = [_finite(w, "a weight") for w in weights]
    if any(w < 0 for w in clean):
        raise ValueError("weights cannot be negative")
    total = math.fsum(clean)
    if total == 0:
        return [0.0] * len(clean)
    return [w / total for w in clean]


def normalize_column(
    values: Sequence[float | None], *, higher_is_better: bool = True
) -> list[float]:
    """One criterion's values rescaled to 0–1 over the present ones; missing values get 0."""
    present = [_finite(v, "a value") for v in values if v is not None]
    if not present:
        return [0.0] * len(values)
    low, high = min(present), max(present)
    if high == low:
        return [0.0 if v is None else 1.0 for v in values]
    span = high - low
    result = []
    for v in values:
        if v is None:
            result.append(0.0)
        elif higher_is_better:
            result.append((float(v) - low) / span)
        else:
            result.append((high - float(v)) / span)
    return result


def _present(value: float | None) -> float | None:
    return None if value is None else float(value)


def sort_label(label: str) -> str:
    """The label as tied territories are ordered: no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _order_key(row: tuple[float, Candidate]) -> tuple[float, str, Any]:
    score, candidate = row
    return (-round(score, TIE_DECIMALS), sort_label(candidate.label), candidate.key)


def rank(criteria: Sequence[Criterion], candidates: Sequence[Candidate]) -> Ranking:
    """Score and rank the candidates (see the module's description)."""
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise ValueError("criterion keys must be unique")
    if len({c.key for c in candidates}) != len(candidates):
        raise ValueError("candidate keys must be unique")
    shares = normalize_weights([c.weight for c in criteria])
    columns = [
        normalize_column(
            [candidate.values.get(c.key) for candidate in candidates],
            higher_is_better=c.higher_is_better,
        )
        for c in criteria
    ]
    scored: list[tuple[float, Candidate, tuple[Contribution, ...]]] = []
    for index, candidate in enumerate(candidates):
        contributions = tuple(
            Contribution(
                criterion=criterion.key,
                value=_present(candidate.values.get(criterion.key)),
                normalized=columns[j][index],
                weight=shares[j],
                points=100.0 * shares[j] * columns[j][index],
            )
            for j, criterion in enumerate(criteria)
        )
        score = math.fsum(c.points for c in contributions)
        scored.append((min(score, 100.0), candidate, contributions))
    scored.sort(key=lambda item: _order_key((item[0], item[1])))
    rows: list[Ranked] = []
    previous: float | None = None
    current_rank = 0
    for position, (score, candidate, contributions) in enumerate(scored, start=1):
        rounded = round(score, TIE_DECIMALS)
        if rounded != previous:
            current_rank, previous = position, rounded
        rows.append(
            Ranked(
                key=candidate.key,
                label=candidate.label,
                rank=current_rank,
                score=score,
                contributions=contributions,
            )
        )
    return Ranking(
        rows=tuple(rows), weights={c.key: s for c, s in zip(criteria, shares, strict=True)}
    )


@dataclass(frozen=True)
class WhatIf:
    """The ranking under other weights, compared with the ranking under the saved ones."""

    base: Ranking
    alternative: Ranking
    top_n: int
    entering: tuple[Ranked, ...]  # in the alternative's top N, not in the base's (new ranks)
    leaving: tuple[Ranked, ...]  # in the base's top N, not in the alternative's (new ranks)

    @property
    def changed(self) -> bool:
        return bool(self.entering or self.leaving)

    def moved(self, key: Key) -> int:
        """Places gained (positive) or lost (negative) under the alternative weights."""
        return self.base.get(key).rank - self.alternative.get(key).rank


def with_weights(criteria: Sequence[Criterion], weights: Mapping[Any, float]) -> list[Criterion]:
    """The criteria with some weights replaced (criteria not named keep theirs)."""
    return [
        Criterion(
            key=c.key, weight=weights.get(c.key, c.weight), higher_is_better=c.higher_is_better
        )
        for c in criteria
    ]


def what_if(
    criteria: Sequence[Criterion],
    candidates: Sequence[Candidate],
    weights: Mapping[Any, float],
    *,
    top_n: int,
) -> WhatIf:
    """Re-rank under `weights` and report which territories enter or leave the top `top_n`."""
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    base = rank(criteria, candidates)
    alternative = rank(with_weights(criteria, weights), candidates)
    before = {row.key for row in base.top(top_n)}
    after = {row.key for row in alternative.top(top_n)}
    return WhatIf(
        base=base,
        alternative=alternative,
        top_n=top_n,
        entering=tuple(row for row in alternative.rows if row.key in after - before),
        leaving=tuple(row for row in alternative.rows if row.key in before - after),
    )


__all__ = [
    "TIE_DECIMALS",
    "Candidate",
    "Contribution",
    "Criterion",
    "Ranked",
    "Ranking",
    "WhatIf",
    "normalize_column",
    "normalize_weights",
    "rank",
    "sort_label",
    "what_if",
    "with_weights",
]
