"""Counting votes and prioritizing needs. Pure Python: no Django, no database.

Options are numbered 0..n-1 in the order they were listed. Every count returns a `Count` whose
`explanation` is a list of `Step`s (a stable code and its numbers) that `governance/explain.py`
turns into sentences a neighbour can follow.

Ballot shapes
-------------
`validate_ballot` checks one ballot and returns it in canonical form. It accepts what comes
back from a JSONField (dict keys as strings, numbers as int or integral float, sets as lists):

- majority, qualified: an int, 0 = yes, 1 = no, 2 = abstain (`MOTION_OPTIONS`).
- consent: an int, 0 = consent, 1 = stand aside, 2 = object (`CONSENT_OPTIONS`).
- plurality: an int, the option chosen.
- approval: a list (or set) of ints, the options approved; at least one, and at most
  `max_choices` when it is above 0. Canonical: a sorted list.
- borda, irv: a list of ints, the ranking, best first, each option at most once; it may stop
  before the last option (truncated). Canonical: the list as given.
- cumulative: a dict {option: points}, whole points >= 0, at least one point, at most `dots` in
  all. Canonical: the options with points, sorted.
- score: a dict {option: score}, whole scores 0..`score_max`, at least one option scored; an
  option left out scores 0. Canonical: sorted by option.

A bad ballot raises `BallotError` with one of these codes (params in brackets): `empty`,
`bad_shape` [expected], `unknown_option` [option], `duplicate_option` [option],
`too_many_choices` [chosen, max_choices], `bad_number` [option, value], `negative_points`
[option, points], `too_many_points` [given, dots], `score_out_of_range` [option, score,
score_max]. Needs inputs (`validate_priority_input`) add `unknown_need` [need],
`duplicate_need` [need], `unknown_criterion` [need, criterion], `missing_score` [need,
criterion], `criterion_out_of_range` [need, criterion, score, min, max] and `criteria_weights`.

Methods
-------
Motions (the ranking of yes/no/abstain by votes is informational; `passed` decides; `winner`
is option 0 when passed, else None; no lot is ever drawn):

- majority: passes when yes > no. Abstentions are counted and reported, but are not part of
  the base: 5 yes, 4 no and 10 abstentions passes; a tie fails.
- qualified: passes when yes / (yes + no) >= threshold and yes + no > 0. The base is the yes
  and no votes cast (abstentions excluded, absent members excluded): with a 2/3 threshold,
  10 yes and 5 no passes. The platform stores the threshold with three decimals, so a
  threshold within 0.0005 of a fraction with a denominator up to 12 means that fraction
  (0.667 is 2/3, 0.333 is 1/3); any other value is taken exactly as written. The comparison is
  exact (rational arithmetic, no rounding).
- consent: passes when at least one ballot was cast and nobody objects. Stand-asides are
  counted and reported; they do not block.

Choosing among options (`winner` is None only when there are no ballots):

- plurality: one vote per ballot; the most votes win.
- approval: each ballot gives one vote to every option it approves; the most approvals win.
- borda: with n options, a ballot gives each ranked option the number of options it places
  below it: n-1 for its first choice, n-2 for the second, and so on; options left unranked
  share the bottom and get 0. (So leaving the last option unranked is the same as ranking it
  last. This is the "domination Borda score" of Terzopoulou and Endriss, 2021, which
  pref_voting calls `domination_borda_scores`.) The highest total wins.
- irv (instant runoff, one elimination per round): each ballot counts for its highest-ranked
  option still in the count; a ballot whose ranked options are all out is exhausted. An option
  with more than half of the ballots still in the count wins. Otherwise the options with no
  votes at all are removed together (the order in which they go cannot change anything), or,
  when every option left has votes, the one with the fewest votes is removed and its ballots
  pass to their next choice. When several options share the fewest votes, the lot (below)
  decides which one is removed: the last in the lot order goes. `tied_winners` is the set of
  options that win under some way of breaking those elimination ties (pref_voting's
  `instant_runoff_put`, "parallel universe tie-breaking"); `winner` is the one the lot picks,
  which is pref_voting's `instant_runoff_tb` with the reversed lot order as its tie-breaker.
  `totals` are the first-round votes and `rounds` the votes of every round. Exploring every
  way of breaking ties is exponential in the worst case (many options each first for the
  same number of voters): after re-counting `IRV_TIE_SEARCH_LIMIT` distinct rankings (about
  half a second) the search stops, `tied_winners` is just the lot's winner, `tie_broken` is
  True and the explanation says the search was cut short. The winner itself is always the
  lot's, found in one pass.
- cumulative (dot voting): each ballot spreads at most `dots` whole points; the most points
  win.
- score: each ballot gives every option a whole score from 0 to `score_max` (0 when left out);
  the highest sum wins (the same order as the mean over all ballots).

The ranking lists every option, best first, as groups tied on their total (IRV: the tied
winners first, then the options still in the count at the end by their last votes, then the
eliminated options, last eliminated first; options removed together share a group).

Ties
----
Ties are broken by lot, reproducibly: tied options are ordered by the hexadecimal SHA-256 of
f"{seed}:{option}" (ascending; the option number, or the need id, in decimal), and the first
in that order wins (IRV: the last in that order is eliminated). `seed` is given by the caller:
the platform passes the SHA-256 of the poll's ballots, so anyone can re-run the draw and nobody
can steer it before the ballots are in. `tie_broken` is True when the lot chose the winner
among several `tied_winners` (or may have: the IRV tie search cut short, above).

Prioritization of needs
-----------------------
See `prioritize`: Hanlon (with PEARL), a weighted criteria matrix, dot voting and ranked
ballots (the Borda count above), with ties broken by the same lot over need ids.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

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
RANKED_METHODS = ("borda", "irv")
YES, NO, ABSTAIN = 0, 1, 2
CONSENT, STAND_ASIDE, OBJECT = 0, 1, 2
# What each method adds up per option (for the explanation).
UNITS = {
    "majority": "votes",
    "qualified": "votes",
    "consent": "votes",
    "plurality": "votes",
    "approval": "approvals",
    "borda": "points",
    "irv": "votes",
    "cumulative": "points",
    "score": "score",
}
# The search for every winner under every breaking of elimination ties is exponential in the
# worst case: it stops after re-counting this many distinct rankings (each state it visits
# costs its distinct rankings plus IRV_STATE_COST), about half a second.
IRV_TIE_SEARCH_LIMIT = 600_000
IRV_STATE_COST = 50

BallotValue = int | Sequence[int] | frozenset[int] | Mapping[int, float]


class BallotError(ValueError):
    """A ballot that does not fit the method (bad option, too many points...).

    `code` is a stable identifier the platform translates; `params` fills the message.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"BallotError({self.code!r}, {self.params!r})"


@dataclass(frozen=True)
class Step:
    """One sentence of the explanation of a count: a stable code plus its numbers.

    The platform renders each code as a translated sentence (governance/explain.py); the CLI
    renders them in English. Options in params are option numbers. Params hold only JSON
    values (lists, not dicts with number keys), so a stored explanation reads back unchanged.
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (option keys as strings), e.g. for `Poll.result`."""
        return {
            "method": self.method,
            "option_count": self.option_count,
            "ballot_count": self.ballot_count,
            "totals": {str(k): v for k, v in self.totals.items()},
            "ranking": [list(group) for group in self.ranking],
            "tied_winners": list(self.tied_winners),
            "winner": self.winner,
            "passed": self.passed,
            "rounds": [{str(k): v for k, v in r.items()} for r in self.rounds],
            "explanation": [{"code": s.code, "params": s.params} for s in self.explanation],
            "tie_broken": self.tie_broken,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Count:
        """The inverse of `to_dict` (after a trip through JSON)."""
        return cls(
            method=data["method"],
            option_count=int(data["option_count"]),
            ballot_count=int(data["ballot_count"]),
            totals={int(k): v for k, v in data["totals"].items()},
            ranking=[[int(o) for o in group] for group in data["ranking"]],
            tied_winners=[int(o) for o in data["tied_winners"]],
            winner=None if data["winner"] is None else int(data["winner"]),
            passed=data["passed"],
            rounds=[{int(k): v for k, v in r.items()} for r in data["rounds"]],
            explanation=[Step(s["code"], dict(s["params"])) for s in data["explanation"]],
            tie_broken=bool(data["tie_broken"]),
        )


# --- the lot -----------------------------------------------------------------------------------


def lot_digest(seed: str, item: int) -> str:
    """The hexadecimal SHA-256 of f"{seed}:{item}", the key of the draw."""
    return hashlib.sha256(f"{seed}:{item}".encode()).hexdigest()


def lot_order(seed: str, items: Iterable[int]) -> list[int]:
    """Items in the order of the lot: ascending SHA-256 of f"{seed}:{item}" (first wins)."""
    return sorted(items, key=lambda item: (lot_digest(seed, item), item))


def _lot_step(seed: str, tied: Sequence[int], purpose: str) -> tuple[list[int], Step]:
    order = lot_order(seed, tied)
    return order, Step(
        "lot",
        {
            "purpose": purpose,
            "seed": seed,
            "options": sorted(tied),
            "order": order,
            "digests": [[item, lot_digest(seed, item)[:12]] for item in order],
        },
    )


# --- validation ----------------------------------------------------------------------------------

_INT = re.compile(r"^\s*-?\d+\s*$")


def _as_int(value: Any) -> int | None:
    """An integer from an int, an integral float or a string of digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    return None


def _option(value: Any, option_count: int) -> int:
    number = _as_int(value)
    if number is None:
        if value is None or value == "":
            raise BallotError("empty")
        raise BallotError("bad_shape", expected="option")
    if not 0 <= number < option_count:
        raise BallotError("unknown_option", option=number)
    return number


def _check_method(method: str, option_count: int) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown voting method {method!r}; use one of {', '.join(METHODS)}")
    if method in MOTION_METHODS:
        if option_count != 3:
            raise ValueError(f"{method} has exactly three options, not {option_count}")
    elif option_count < 1:
        raise ValueError("a poll needs at least one option")


def _option_list(ballot: Any, option_count: int, expected: str) -> list[int]:
    if ballot is None:
        raise BallotError("empty")
    if isinstance(ballot, str | bytes | Mapping) or not isinstance(ballot, Iterable):
        raise BallotError("bad_shape", expected=expected)
    options: list[int] = []
    seen: set[int] = set()
    for value in ballot:
        option = _option(value, option_count)
        if option in seen:
            raise BallotError("duplicate_option", option=option)
        seen.add(option)
        options.append(option)
    if not options:
        raise BallotError("empty")
    return options


def _option_numbers(ballot: Any, option_count: int, expected: str) -> dict[int, int]:
    if ballot is None:
        raise BallotError("empty")
    if not isinstance(ballot, Mapping):
        raise BallotError("bad_shape", expected=expected)
    numbers: dict[int, int] = {}
    for key, value in ballot.items():
        option = _option(key, option_count)
        if option in numbers:
            raise BallotError("duplicate_option", option=option)
        number = _as_int(value)
        if number is None:
            raise BallotError("bad_number", option=option, value=str(value))
        numbers[option] = number
    return numbers


def _fast_canonical(
    method: str, option_count: int, ballot: Any, dots: int, score_max: int, max_choices: int
) -> BallotValue | None:
    """The canonical form of an already well-formed ballot, checked with C-speed set and map
    operations (10,000 ballots in a few milliseconds); None sends it to the slow path."""
    kind = type(ballot)
    if kind is int:
        if method in MOTION_METHODS or method == "plurality":
            return ballot if 0 <= ballot < option_count else None
        return None
    if kind is list or kind is tuple:
        if not ballot or method not in ("approval", "borda", "irv"):
            return None
        if set(map(type, ballot)) != {int}:
            return None
        distinct = set(ballot)
        if len(distinct) != len(ballot) or min(distinct) < 0 or max(distinct) >= option_count:
            return None
        if method == "approval":
            if max_choices > 0 and len(ballot) > max_choices:
                return None
            return sorted(ballot)
        return list(ballot)
    if kind is dict and ballot and method in ("cumulative", "score"):
        if set(map(type, ballot.values())) != {int}:
            return None
        key_types = set(map(type, ballot))
        if key_types == {str}:
            joined = "".join(ballot)
            if not (joined.isascii() and joined.isdigit() and all(ballot)):
                return None
            numbers = {int(key): value for key, value in ballot.items()}
            if len(numbers) != len(ballot):
                return None
        elif key_types == {int}:
            numbers = ballot
        else:
            return None
        if min(numbers) < 0 or max(numbers) >= option_count:
            return None
        values = numbers.values()
        if method == "cumulative":
            total = sum(values)
            if min(values) < 0 or total == 0 or total > dots:
                return None
            return {option: numbers[option] for option in sorted(numbers) if numbers[option]}
        if min(values) < 0 or max(values) > score_max:
            return None
        return {option: numbers[option] for option in sorted(numbers)}
    return None


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

    Raises BallotError with a code the platform translates (see the module documentation).
    """
    _check_method(method, option_count)
    fast = _fast_canonical(method, option_count, ballot, dots, score_max, max_choices)
    if fast is not None:
        return fast
    # The slow path: every accepted spelling, and the precise error.
    if method in MOTION_METHODS or method == "plurality":
        if isinstance(ballot, list | tuple) and len(ballot) == 1:
            ballot = ballot[0]
        if isinstance(ballot, Mapping | list | tuple | set | frozenset):
            raise BallotError("bad_shape", expected="option")
        return _option(ballot, option_count)
    if method == "approval":
        if isinstance(ballot, Sequence) and not isinstance(ballot, str | bytes):
            approved = _option_list(ballot, option_count, "options")
        else:
            approved = _option_list(
                sorted(ballot, key=str) if isinstance(ballot, set | frozenset) else ballot,
                option_count,
                "options",
            )
        if max_choices > 0 and len(approved) > max_choices:
            raise BallotError("too_many_choices", chosen=len(approved), max_choices=max_choices)
        return sorted(approved)
    if method in RANKED_METHODS:
        if isinstance(ballot, set | frozenset):
            raise BallotError("bad_shape", expected="ranking")
        return _option_list(ballot, option_count, "ranking")
    if method == "cumulative":
        points = _option_numbers(ballot, option_count, "points")
        for option, given in points.items():
            if given < 0:
                raise BallotError("negative_points", option=option, points=given)
        total = sum(points.values())
        if total == 0:
            raise BallotError("empty")
        if total > dots:
            raise BallotError("too_many_points", given=total, dots=dots)
        return {option: points[option] for option in sorted(points) if points[option]}
    # score
    scores = _option_numbers(ballot, option_count, "scores")
    if not scores:
        raise BallotError("empty")
    for option, given in scores.items():
        if not 0 <= given <= score_max:
            raise BallotError("score_out_of_range", option=option, score=given, score_max=score_max)
    return {option: scores[option] for option in sorted(scores)}


# --- counting ----------------------------------------------------------------------------------


def _groups(totals: Mapping[int, Any], options: Iterable[int]) -> list[list[int]]:
    """Options best first, grouped by equal totals (each group in option order)."""
    ordered = sorted(options, key=lambda o: (-totals[o], o))
    groups: list[list[int]] = []
    for option in ordered:
        if groups and totals[groups[-1][0]] == totals[option]:
            groups[-1].append(option)
        else:
            groups.append([option])
    return groups


def threshold_fraction(threshold: float | Decimal | Fraction | str) -> Fraction:
    """The qualified-majority share as an exact fraction (0.667 -> 2/3; see the module doc)."""
    if isinstance(threshold, Fraction):
        exact = threshold
    elif isinstance(threshold, float):
        exact = Fraction(repr(threshold))
    else:
        exact = Fraction(threshold)
    if not 0 < exact <= 1:
        raise ValueError(f"the required share must be above 0 and at most 1, not {threshold}")
    for denominator in range(1, 13):
        candidate = Fraction(round(exact * denominator), denominator)
        if abs(candidate - exact) <= Fraction(1, 2000):
            return candidate
    return exact


def count(
    method: str,
    option_count: int,
    ballots: Sequence[Any],
    *,
    threshold: float | Decimal | Fraction = 0.5,
    dots: int = 5,
    score_max: int = 5,
    seed: str = "",
    max_choices: int = 0,
) -> Count:
    """Count the ballots with `method` and explain the count.

    Every ballot is checked with `validate_ballot` first (a stored ballot that no longer fits
    raises BallotError rather than being miscounted); stored shapes are accepted as they are.
    """
    _check_method(method, option_count)
    valid = [
        validate_ballot(
            method,
            option_count,
            ballot,
            dots=dots,
            score_max=score_max,
            max_choices=max_choices,
        )
        for ballot in ballots
    ]
    rule = _rule_step(method, option_count, threshold, dots, score_max, max_choices)
    if method in MOTION_METHODS:
        return _count_motion(method, cast("list[int]", valid), threshold, rule)
    if method == "irv":
        return _count_irv(option_count, cast("list[list[int]]", valid), seed, rule)
    totals = [0] * option_count
    if method == "plurality":
        for option, votes in Counter(cast("list[int]", valid)).items():
            totals[option] += votes
    elif method == "approval":
        for options in cast("list[list[int]]", valid):
            for option in options:
                totals[option] += 1
    elif method == "borda":
        top = option_count - 1
        for options in cast("list[list[int]]", valid):
            for position, option in enumerate(options):
                totals[option] += top - position
    else:  # cumulative, score
        for numbers in cast("list[dict[int, int]]", valid):
            for option, value in numbers.items():
                totals[option] += value
    return _count_scores(method, option_count, len(valid), dict(enumerate(totals)), seed, rule)


def _rule_step(
    method: str,
    option_count: int,
    threshold: float | Decimal | Fraction,
    dots: int,
    score_max: int,
    max_choices: int,
) -> Step:
    params: dict[str, Any] = {"method": method}
    if method == "qualified":
        share = threshold_fraction(threshold)
        params.update(
            threshold=float(share), numerator=share.numerator, denominator=share.denominator
        )
    elif method == "approval":
        params["max_choices"] = max_choices
    elif method == "borda":
        params.update(option_count=option_count, top=option_count - 1)
    elif method == "cumulative":
        params["dots"] = dots
    elif method == "score":
        params["score_max"] = score_max
    return Step("rule", params)


def _count_motion(
    method: str, valid: list[int], threshold: float | Decimal | Fraction, rule: Step
) -> Count:
    votes = Counter(valid)
    totals = {option: votes.get(option, 0) for option in range(3)}
    steps = [rule, Step("ballots", {"ballots": len(valid)})]
    if method == "consent":
        consent, aside, objections = totals[CONSENT], totals[STAND_ASIDE], totals[OBJECT]
        steps.append(
            Step("consent_totals", {"consent": consent, "stand_aside": aside, "object": objections})
        )
        passed = bool(valid) and objections == 0
    else:
        yes, no, abstain = totals[YES], totals[NO], totals[ABSTAIN]
        steps.append(Step("motion_totals", {"yes": yes, "no": no, "abstain": abstain}))
        if method == "majority":
            passed = yes > no
            steps.append(Step("majority_compare", {"yes": yes, "no": no, "passed": passed}))
        else:
            share = threshold_fraction(threshold)
            base = yes + no
            passed = base > 0 and Fraction(yes, base) >= share
            needed = math.ceil(share * base) if base else 0
            steps.append(
                Step(
                    "qualified_compare",
                    {
                        "yes": yes,
                        "no": no,
                        "base": base,
                        "share": yes / base if base else None,
                        "threshold": float(share),
                        "numerator": share.numerator,
                        "denominator": share.denominator,
                        "needed": max(needed, 1),
                        "passed": passed,
                    },
                )
            )
    if not valid:
        steps.append(Step("no_ballots"))
    steps.append(Step("motion_passed" if passed else "motion_rejected"))
    return Count(
        method=method,
        option_count=3,
        ballot_count=len(valid),
        totals=dict(totals),
        ranking=_groups(totals, range(3)),
        tied_winners=[0] if passed else [],
        winner=0 if passed else None,
        passed=passed,
        rounds=[],
        explanation=steps,
        tie_broken=False,
    )


def _count_scores(
    method: str,
    option_count: int,
    ballot_count: int,
    totals: dict[int, int],
    seed: str,
    rule: Step,
) -> Count:
    ranking = _groups(totals, range(option_count))
    unit = UNITS[method]
    steps = [rule, Step("ballots", {"ballots": ballot_count})]
    steps += [
        Step("option_total", {"option": option, "total": totals[option], "unit": unit})
        for group in ranking
        for option in group
    ]
    tied: list[int] = []
    winner: int | None = None
    if not ballot_count:
        steps.append(Step("no_ballots"))
    else:
        tied = ranking[0]
        top = totals[tied[0]]
        if len(tied) == 1:
            winner = tied[0]
            steps.append(Step("winner", {"option": winner, "total": top, "unit": unit}))
        else:
            steps.append(Step("tie", {"options": tied, "total": top, "unit": unit}))
            order, lot = _lot_step(seed, tied, "win")
            winner = order[0]
            steps += [lot, Step("lot_winner", {"option": winner})]
    return Count(
        method=method,
        option_count=option_count,
        ballot_count=ballot_count,
        totals=dict(totals),
        ranking=ranking,
        tied_winners=list(tied),
        winner=winner,
        passed=None,
        rounds=[],
        explanation=steps,
        tie_broken=len(tied) > 1,
    )


# --- instant runoff ----------------------------------------------------------------------------


class _SearchLimit(Exception):
    pass


def _irv_tally(
    rankings: Sequence[tuple[tuple[int, ...], int]], remaining: frozenset[int]
) -> dict[int, int]:
    tally = dict.fromkeys(remaining, 0)
    for ranking, weight in rankings:
        for option in ranking:
            if option in remaining:
                tally[option] += weight
                break
    return tally


def _irv_put(
    rankings: Sequence[tuple[tuple[int, ...], int]],
    remaining: frozenset[int],
    memo: dict[frozenset[int], frozenset[int]],
    work: list[int],
) -> frozenset[int]:
    """Every option that wins under some breaking of the elimination ties (PUT)."""
    if remaining in memo:
        return memo[remaining]
    # Each state re-counts every distinct ranking: that is the work the limit bounds.
    work[0] += len(rankings) + IRV_STATE_COST
    if work[0] > IRV_TIE_SEARCH_LIMIT:
        raise _SearchLimit
    tally = _irv_tally(rankings, remaining)
    continuing = sum(tally.values())
    majority = [o for o, v in tally.items() if 2 * v > continuing]
    if majority or len(remaining) == 1 or continuing == 0:
        result = frozenset(majority) if majority else remaining
    else:
        zero = frozenset(o for o, v in tally.items() if v == 0)
        if zero:
            result = _irv_put(rankings, remaining - zero, memo, work)
        else:
            fewest = min(tally.values())
            result = frozenset().union(
                *(
                    _irv_put(rankings, remaining - {o}, memo, work)
                    for o in sorted(remaining)
                    if tally[o] == fewest
                )
            )
    memo[remaining] = result
    return result


def _count_irv(option_count: int, valid: list[list[int]], seed: str, rule: Step) -> Count:
    rankings = [(r, w) for r, w in Counter(tuple(b) for b in valid).items()]
    steps = [rule, Step("ballots", {"ballots": len(valid)})]
    remaining = set(range(option_count))
    # Piles: each distinct ranking sits with its highest option still in the count.
    position = [0] * len(rankings)
    piles: dict[int, list[int]] = {o: [] for o in range(option_count)}
    tally = dict.fromkeys(range(option_count), 0)
    for index, (ranking, weight) in enumerate(rankings):
        piles[ranking[0]].append(index)
        tally[ranking[0]] += weight
    exhausted = 0
    rounds: list[dict[int, float]] = []
    eliminated_groups: list[list[int]] = []
    lot_drawn = False
    winner: int | None = None
    final_tally: dict[int, int] = {}

    def eliminate(options: Sequence[int]) -> None:
        nonlocal exhausted
        for option in options:
            remaining.discard(option)
        for option in options:
            for index in piles.pop(option):
                ranking, weight = rankings[index]
                at = position[index] + 1
                while at < len(ranking) and ranking[at] not in remaining:
                    at += 1
                position[index] = at
                if at < len(ranking):
                    piles[ranking[at]].append(index)
                    tally[ranking[at]] += weight
                else:
                    exhausted += weight
            del tally[option]

    while valid:
        number = len(rounds) + 1
        current = {o: tally[o] for o in sorted(remaining, key=lambda o: (-tally[o], o))}
        rounds.append(dict(current))
        continuing = len(valid) - exhausted
        steps.append(
            Step(
                "irv_round",
                {
                    "round": number,
                    "tallies": [[o, v] for o, v in current.items()],
                    "continuing": continuing,
                    "exhausted": exhausted,
                },
            )
        )
        leader = next(iter(current))
        if 2 * current[leader] > continuing:
            winner, final_tally = leader, current
            steps.append(
                Step(
                    "irv_majority",
                    {
                        "round": number,
                        "option": leader,
                        "votes": current[leader],
                        "continuing": continuing,
                    },
                )
            )
            break
        if len(remaining) == 1:  # unreachable with votes left (the last option has them all)
            winner, final_tally = leader, current
            steps.append(Step("irv_last", {"round": number, "option": leader}))
            break
        zero = sorted(o for o, v in current.items() if v == 0)
        if zero:
            eliminate(zero)
            eliminated_groups.append(zero)
            steps.append(Step("irv_eliminated", {"round": number, "options": zero, "votes": 0}))
            continue
        fewest = min(current.values())
        lowest = sorted(o for o, v in current.items() if v == fewest)
        by_lot = len(lowest) > 1
        if by_lot:
            lot_drawn = True
            steps.append(
                Step("irv_elimination_tie", {"round": number, "options": lowest, "votes": fewest})
            )
            order, lot = _lot_step(seed, lowest, "eliminate")
            steps.append(lot)
            lowest = [order[-1]]
        eliminate(lowest)
        eliminated_groups.append(lowest)
        steps.append(
            Step(
                "irv_eliminated",
                {"round": number, "options": lowest, "votes": fewest, "by_lot": by_lot},
            )
        )

    tied: list[int] = []
    search_cut = False
    if winner is not None:
        tied = [winner]
        if lot_drawn:
            try:
                tied = sorted(_irv_put(rankings, frozenset(range(option_count)), {}, [0]))
            except _SearchLimit:
                search_cut = True
    groups_out: list[list[int]]
    if winner is None:
        steps.append(Step("no_ballots"))
        groups_out = [list(range(option_count))]
    else:
        groups_out = [tied]
        placed = set(tied)
        groups_out += [
            [o for o in group if o not in placed]
            for group in _groups(final_tally, final_tally)
            if any(o not in placed for o in group)
        ]
        for group in reversed(eliminated_groups):
            rest = [o for o in group if o not in placed]
            if rest:
                groups_out.append(rest)
        if search_cut:
            steps.append(Step("irv_tie_search_incomplete", {"option": winner}))
        if len(tied) > 1:
            steps.append(Step("irv_tied_winners", {"options": tied, "option": winner}))
        else:
            steps.append(
                Step(
                    "winner",
                    {"option": winner, "total": final_tally[winner], "unit": "votes"},
                )
            )
    return Count(
        method="irv",
        option_count=option_count,
        ballot_count=len(valid),
        totals=dict(rounds[0]) if rounds else dict.fromkeys(range(option_count), 0),
        ranking=groups_out,
        tied_winners=tied,
        winner=winner,
        passed=None,
        rounds=rounds,
        explanation=steps,
        tie_broken=len(tied) > 1 or search_cut,
    )


# Prioritization -------------------------------------------------------------------------------

PRIORITIZATION_METHODS = ("hanlon", "criteria", "dots", "ranked")
HANLON_FACTORS = ("size", "seriousness", "effectiveness")
PEARL_FACTORS = ("propriety", "economics", "acceptability", "resources", "legality")
HANLON_SCALE = (0, 10)


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
    # Per need id, the numbers behind its score: Hanlon factor means (A, B, C), "bpr" and the
    # share of "yes" per PEARL factor; criteria: each criterion's mean on 0..100.
    details: dict[int, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (need ids as strings), e.g. for `PrioritizationSession.result`."""
        return {
            "method": self.method,
            "participant_count": self.participant_count,
            "scores": {str(k): v for k, v in self.scores.items()},
            "ranking": [list(group) for group in self.ranking],
            "order": list(self.order),
            "excluded": list(self.excluded),
            "explanation": [{"code": s.code, "params": s.params} for s in self.explanation],
            "details": {str(k): dict(v) for k, v in self.details.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Priority:
        return cls(
            method=data["method"],
            participant_count=int(data["participant_count"]),
            scores={int(k): v for k, v in data["scores"].items()},
            ranking=[[int(n) for n in group] for group in data["ranking"]],
            order=[int(n) for n in data["order"]],
            excluded=[int(n) for n in data["excluded"]],
            explanation=[Step(s["code"], dict(s["params"])) for s in data["explanation"]],
            details={int(k): dict(v) for k, v in data.get("details", {}).items()},
        )


def _need_id(value: Any, need_ids: Iterable[int] | None = None) -> int | None:
    number = _as_int(value)
    if number is None:
        return None
    if need_ids is not None and number not in need_ids:
        return None
    return number


def _exact(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def hanlon_criteria() -> list[dict[str, Any]]:
    """The fixed Hanlon criteria: size, seriousness, effectiveness 0..10; PEARL factors 0/1."""
    return [{"key": key, "min": 0, "max": 10} for key in HANLON_FACTORS] + [
        {"key": key, "min": 0, "max": 1} for key in PEARL_FACTORS
    ]


def _criteria_for(method: str, criteria: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if method == "hanlon":
        return hanlon_criteria()
    result = []
    for criterion in criteria:
        low, high = int(criterion.get("min", 0)), int(criterion.get("max", 10))
        if high <= low:
            raise ValueError(f"criterion {criterion['key']!r}: max must be above min")
        weight = _exact(criterion.get("weight", 1))
        if weight < 0:
            raise ValueError(f"criterion {criterion['key']!r}: weight must not be negative")
        result.append({"key": str(criterion["key"]), "min": low, "max": high, "weight": weight})
    return result


def validate_priority_input(
    method: str,
    need_ids: Sequence[int],
    content: Any,
    *,
    criteria: Sequence[Mapping[str, Any]] = (),
    dots: int = 5,
) -> dict[str, Any]:
    """Check one participant's input and return it in canonical, JSON-safe form.

    Shapes: {"scores": {need_id: {criterion_key: n}}} for hanlon and criteria (every need
    scored on every criterion, within its scale; PEARL factors 0 or 1), {"dots": {need_id: n}}
    (whole dots, at least one, at most `dots`), {"ranking": [need_id, ...]} (at least one need,
    each once; needs left out share the bottom). Raises BallotError.
    """
    if method not in PRIORITIZATION_METHODS:
        raise ValueError(f"unknown prioritization method {method!r}")
    known = set(need_ids)
    if not isinstance(content, Mapping):
        raise BallotError("bad_shape", expected=_priority_shape(method))
    if method in ("hanlon", "criteria"):
        scores = content.get("scores")
        if not isinstance(scores, Mapping):
            raise BallotError("bad_shape", expected="scores")
        table = _criteria_for(method, criteria)
        keys = {c["key"] for c in table}
        canonical_scores: dict[str, dict[str, int]] = {}
        seen: set[int] = set()
        for raw_need, row in scores.items():
            need = _need_id(raw_need)
            if need is None or need not in known:
                raise BallotError("unknown_need", need=str(raw_need))
            if need in seen:
                raise BallotError("duplicate_need", need=need)
            seen.add(need)
            if not isinstance(row, Mapping):
                raise BallotError("bad_shape", expected="scores")
            for key in row:
                if str(key) not in keys:
                    raise BallotError("unknown_criterion", need=need, criterion=str(key))
            values: dict[str, int] = {}
            given = {str(k): v for k, v in row.items()}
            for criterion in table:
                key = criterion["key"]
                if key not in given or given[key] is None or given[key] == "":
                    raise BallotError("missing_score", need=need, criterion=key)
                value = _as_int(given[key])
                if value is None:
                    raise BallotError(
                        "bad_number", option=need, criterion=key, value=str(given[key])
                    )
                if not criterion["min"] <= value <= criterion["max"]:
                    raise BallotError(
                        "criterion_out_of_range",
                        need=need,
                        criterion=key,
                        score=value,
                        min=criterion["min"],
                        max=criterion["max"],
                    )
                values[key] = value
            canonical_scores[str(need)] = values
        missing = sorted(known - seen)
        if missing:
            raise BallotError("missing_score", need=missing[0], criterion="")
        return {"scores": canonical_scores}
    if method == "dots":
        placed = content.get("dots")
        if not isinstance(placed, Mapping):
            raise BallotError("bad_shape", expected="points")
        canonical_dots: dict[str, int] = {}
        for raw_need, value in placed.items():
            need = _need_id(raw_need)
            if need is None or need not in known:
                raise BallotError("unknown_need", need=str(raw_need))
            if str(need) in canonical_dots:
                raise BallotError("duplicate_need", need=need)
            number = _as_int(value)
            if number is None:
                raise BallotError("bad_number", option=need, value=str(value))
            if number < 0:
                raise BallotError("negative_points", option=need, points=number)
            canonical_dots[str(need)] = number
        total = sum(canonical_dots.values())
        if total == 0:
            raise BallotError("empty")
        if total > dots:
            raise BallotError("too_many_points", given=total, dots=dots)
        return {"dots": {k: v for k, v in sorted(canonical_dots.items(), key=_by_int) if v}}
    ranking = content.get("ranking")
    if not isinstance(ranking, Sequence) or isinstance(ranking, str | bytes):
        raise BallotError("bad_shape", expected="ranking")
    ordered: list[int] = []
    for raw_need in ranking:
        need = _need_id(raw_need)
        if need is None or need not in known:
            raise BallotError("unknown_need", need=str(raw_need))
        if need in ordered:
            raise BallotError("duplicate_need", need=need)
        ordered.append(need)
    if not ordered:
        raise BallotError("empty")
    return {"ranking": ordered}


def _by_int(item: tuple[str, Any]) -> int:
    return int(item[0])


def _priority_shape(method: str) -> str:
    return {"hanlon": "scores", "criteria": "scores", "dots": "points"}.get(method, "ranking")


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
    {"key": str, "weight": float, "min": int, "max": int} for the criteria matrix. Entries for
    needs not in `need_ids` (a need taken out of the session later) are ignored; a score
    outside its scale raises BallotError.

    - hanlon (Hanlon method as in NACCHO's "Guide to Prioritization Techniques"): for each need,
      A, B and C are the means over the participants who scored it of size, seriousness and
      effectiveness of the available interventions (each 0..10). The basic priority rating is
      BPR = (A + 2B) × C / 3 (0..100). PEARL: each participant answers 1 (yes) or 0 (no) for
      propriety, economics, acceptability, resources and legality; a need is excluded when,
      for any factor, more than half of those who answered it said no (its priority score,
      BPR × PEARL, is then 0). Included needs are ranked by BPR; excluded ones are listed in
      `excluded` and are not in `ranking` nor `order`.
    - criteria: each participant's score on a criterion is normalized by the criterion's
      scale, (score − min) / (max − min); per need and criterion, the mean over the
      participants who scored it (0 when nobody did); the need's score is the weighted mean of
      those over the criteria, times 100 (0..100).
    - dots: the sum of the dots each need received.
    - ranked: the Borda count of `count`, over the needs of the session: n − 1 points for a
      first place, n − 2 for a second..., 0 for needs a ballot leaves out.

    All arithmetic is exact (fractions), so equal scores are truly equal; ties are broken by
    the lot over need ids, the first in the lot order first.
    """
    if method not in PRIORITIZATION_METHODS:
        raise ValueError(f"unknown prioritization method {method!r}")
    needs = list(dict.fromkeys(int(n) for n in need_ids))
    known = set(needs)
    steps: list[Step] = []
    excluded_steps: list[Step] = []
    details: dict[int, dict[str, float]] = {}
    excluded: list[int] = []
    exact: dict[int, Fraction] = {}
    rule: dict[str, Any] = {"method": method}
    unit = "points"
    if method in ("hanlon", "criteria"):
        table = _criteria_for(method, criteria)
        sums: dict[int, dict[str, list[Fraction]]] = {n: {} for n in needs}
        for given in inputs:
            for raw_need, row in (given.get("scores") or {}).items():
                need = _need_id(raw_need, known)
                if need is None or not isinstance(row, Mapping):
                    continue
                values = {str(k): v for k, v in row.items()}
                for criterion in table:
                    raw = values.get(criterion["key"])
                    if raw is None or raw == "":
                        continue
                    value = _as_int(raw)
                    if value is None:
                        raise BallotError(
                            "bad_number", option=need, criterion=criterion["key"], value=str(raw)
                        )
                    if not criterion["min"] <= value <= criterion["max"]:
                        raise BallotError(
                            "criterion_out_of_range",
                            need=need,
                            criterion=criterion["key"],
                            score=value,
                            min=criterion["min"],
                            max=criterion["max"],
                        )
                    sums[need].setdefault(criterion["key"], []).append(Fraction(value))
        if method == "hanlon":
            unit = "bpr"
            for need in needs:
                means = {
                    key: _mean(sums[need].get(key, [])) for key in HANLON_FACTORS + PEARL_FACTORS
                }
                size, serious, effective = (means[k] for k in HANLON_FACTORS)
                bpr = (size + 2 * serious) * effective / 3
                noes = [
                    key
                    for key in PEARL_FACTORS
                    if sums[need].get(key)
                    and 2 * (len(sums[need][key]) - sum(sums[need][key])) > len(sums[need][key])
                ]
                details[need] = {key: float(means[key]) for key in HANLON_FACTORS}
                details[need]["bpr"] = float(bpr)
                for key in PEARL_FACTORS:
                    details[need][key] = float(means[key])
                exact[need] = bpr
                if noes:
                    excluded.append(need)
                    excluded_steps.append(
                        Step(
                            "hanlon_excluded",
                            {"need": need, "factors": noes, "bpr": float(bpr)},
                        )
                    )
        else:
            total_weight = sum((c["weight"] for c in table), Fraction(0))
            if total_weight <= 0:
                raise BallotError("criteria_weights")
            rule["criteria"] = [[c["key"], float(c["weight"])] for c in table]
            unit = "percent"
            for need in needs:
                score = Fraction(0)
                details[need] = {}
                for c in table:
                    mean = _mean(sums[need].get(c["key"], []))
                    normalized = (
                        (mean - c["min"]) / (c["max"] - c["min"])
                        if sums[need].get(c["key"])
                        else Fraction(0)
                    )
                    details[need][c["key"]] = float(100 * normalized)
                    score += c["weight"] * normalized
                exact[need] = 100 * score / total_weight
    elif method == "dots":
        rule["dots"] = dots
        unit = "dots"
        exact = {n: Fraction(0) for n in needs}
        for given in inputs:
            for raw_need, value in (given.get("dots") or {}).items():
                need = _need_id(raw_need, known)
                number = _as_int(value)
                if need is None:
                    continue
                if number is None:
                    raise BallotError("bad_number", option=need, value=str(value))
                if number < 0:
                    raise BallotError("negative_points", option=need, points=number)
                exact[need] += number
    else:  # ranked
        rule.update(need_count=len(needs), top=max(len(needs) - 1, 0))
        exact = {n: Fraction(0) for n in needs}
        top = len(needs) - 1
        for given in inputs:
            seen: set[int] = set()
            position = 0
            for raw_need in given.get("ranking") or ():
                need = _need_id(raw_need, known)
                if need is None or need in seen:
                    continue
                seen.add(need)
                exact[need] += top - position
                position += 1
    steps += [Step("rule", rule), Step("participants", {"participants": len(inputs)})]
    ranked = [n for n in needs if n not in excluded]
    ranking = _groups(exact, ranked)
    order: list[int] = []
    for group in ranking:
        total = exact[group[0]]
        for need in group:
            if method == "hanlon":
                d = details[need]
                steps.append(
                    Step(
                        "hanlon_need",
                        {
                            "need": need,
                            "size": d["size"],
                            "seriousness": d["seriousness"],
                            "effectiveness": d["effectiveness"],
                            "bpr": d["bpr"],
                        },
                    )
                )
            else:
                steps.append(
                    Step("need_total", {"need": need, "total": _number(exact[need]), "unit": unit})
                )
        if len(group) > 1:
            steps.append(
                Step("need_tie", {"options": group, "total": _number(total), "unit": unit})
            )
            lot_ordered, lot = _lot_step(seed, group, "order")
            steps.append(lot)
            order += lot_ordered
        else:
            order += group
    steps += excluded_steps
    scores = {n: 0.0 if n in excluded else _number(exact[n]) for n in needs}
    if not inputs:
        steps.append(Step("no_inputs"))
    return Priority(
        method=method,
        participant_count=len(inputs),
        scores=scores,
        ranking=ranking,
        order=order,
        excluded=excluded,
        explanation=steps,
        details=details,
    )


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values) if values else Fraction(0)


def _number(value: Fraction) -> float:
    """An int when whole (dots, Borda points), else a float."""
    return int(value) if value.denominator == 1 else float(value)
