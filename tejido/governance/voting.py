"""Counting votes and prioritizing needs. Pure Python: no Django, no database.

CONTRACT (written by the lead; the voting helper implements it and replaces this paragraph
with the module's documentation: definitions of every method, the tie-break rule, and the
ballot shapes).

Options are numbered 0..n-1 in the order they were listed. A ballot's shape depends on the
method:

- majority, qualified: an int, 0 = yes, 1 = no, 2 = abstain (see MOTION_OPTIONS).
- consent: an int, 0 = consent, 1 = stand aside, 2 = object (see CONSENT_OPTIONS).
- plurality: an int, the option chosen.
- approval: a frozenset/list of ints, the options approved.
- borda, irv: a list of ints, the ranking, best first (may be truncated: unranked options
  share the bottom).
- cumulative: a dict {option: points} with points >= 0 summing to at most `dots`.
- score: a dict {option: score} with 0 <= score <= `score_max`; an option left out scores 0.

Ties are broken by lot, reproducibly: tied options are ordered by SHA-256 of
f"{seed}:{option}" (ascending), where `seed` is given by the caller (the platform passes the
SHA-256 of the poll's ballots, so anyone can re-run the draw and nobody can steer it before
the ballots are in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

METHODS = (
    "majority",
    "qualified",
    "consent",
    "plurality",
    "approval",
    "borda",
    "irv",
    "cumulative",
    "score",
)
MOTION_METHODS = ("majority", "qualified", "consent")
MOTION_OPTIONS = ("yes", "no", "abstain")
CONSENT_OPTIONS = ("consent", "stand_aside", "object")

BallotValue = int | Sequence[int] | frozenset[int] | Mapping[int, float]


class BallotError(ValueError):
    """A ballot that does not fit the method (bad option, too many points...).

    `code` is a stable identifier the platform translates; `params` fills the message.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Step:
    """One sentence of the explanation of a count: a stable code plus its numbers.

    The platform renders each code as a translated sentence (governance/explain.py); the CLI
    renders them in English. Options in params are option numbers.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Count:
    method: str
    option_count: int
    ballot_count: int
    # Per option: votes, points, Borda score, approvals, or total score (IRV: first-round votes).
    totals: dict[int, float]
    # All options in order, best first, as groups of options tied before any tie-break.
    ranking: list[list[int]]
    # Winner(s) before the tie-break (several if tied); `winner` after it (None: nothing won,
    # e.g. a motion rejected, or no valid ballots).
    tied_winners: list[int]
    winner: int | None
    # Motions: whether it passed. Other methods: None.
    passed: bool | None
    # IRV: the totals of each round; others: empty.
    rounds: list[dict[int, float]]
    explanation: list[Step]
    tie_broken: bool


def validate_ballot(
    method: str,
    option_count: int,
    ballot: Any,
    *,
    dots: int = 5,
    score_max: int = 5,
    max_choices: int = 0,
) -> BallotValue:
    """Check one ballot and return it in canonical form (ints as keys, sorted sets as lists).

    Raises BallotError with a code the platform translates.
    """
    raise NotImplementedError


def count(
    method: str,
    option_count: int,
    ballots: Sequence[Any],
    *,
    threshold: float = 0.5,
    dots: int = 5,
    score_max: int = 5,
    seed: str = "",
) -> Count:
    """Count valid ballots (already validated) with `method` and explain the count."""
    raise NotImplementedError


# Prioritization -------------------------------------------------------------------------------

PRIORITIZATION_METHODS = ("hanlon", "criteria", "dots", "ranked")
HANLON_FACTORS = ("size", "seriousness", "effectiveness")
PEARL_FACTORS = ("propriety", "economics", "acceptability", "resources", "legality")


@dataclass(frozen=True)
class Priority:
    method: str
    participant_count: int
    # Per need id: the aggregated score (Hanlon priority score, weighted mean, dots, Borda).
    scores: dict[int, float]
    # Need ids, best first, in tie groups before the tie-break; `order` after it.
    ranking: list[list[int]]
    order: list[int]
    # Needs excluded (Hanlon: a PEARL factor answered "no" by the majority).
    excluded: list[int]
    explanation: list[Step]


def prioritize(
    method: str,
    need_ids: Sequence[int],
    inputs: Sequence[Mapping[str, Any]],
    *,
    criteria: Sequence[Mapping[str, Any]] = (),
    dots: int = 5,
    seed: str = "",
) -> Priority:
    """Aggregate participants' inputs into a ranking of needs.

    `inputs` are the stored shapes: {"scores": {need_id: {criterion_key: n}}} for hanlon and
    criteria (criterion_key is the criterion's code for Hanlon, its id as str otherwise),
    {"dots": {need_id: n}}, {"ranking": [need_id, ...]}. `criteria` lists
    {"key": str, "weight": float, "min": int, "max": int} for the criteria matrix.
    """
    raise NotImplementedError
