"""`voting`: ballot checks, motions, the lot, and the shape of every count, on hand-made cases.

The comparison with pref_voting on thousands of random profiles is in test_voting_reference.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from tejido.governance import voting
from tejido.governance.voting import BallotError, count, validate_ballot

# --- validate_ballot ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "ballot", "expected"),
    [
        ("majority", 0, 0),
        ("majority", "2", 2),
        ("qualified", 1.0, 1),
        ("consent", [2], 2),
        ("plurality", 3, 3),
        ("approval", [3, 0, 2], [0, 2, 3]),
        ("approval", {1, 0}, [0, 1]),
        ("approval", frozenset({2}), [2]),
        ("approval", ("1", 0), [0, 1]),
        ("borda", [2, 0, 1], [2, 0, 1]),
        ("borda", ("3",), [3]),
        ("irv", [1, 3], [1, 3]),
        ("cumulative", {"2": 3, "0": 2, "1": 0}, {0: 2, 2: 3}),
        ("cumulative", {1: 5}, {1: 5}),
        ("score", {"3": 5, "0": 0, 1: "2"}, {0: 0, 1: 2, 3: 5}),
    ],
)
def test_validate_ballot_canonical_form(method, ballot, expected):
    option_count = 3 if method in voting.MOTION_METHODS else 4
    canonical = validate_ballot(method, option_count, ballot)
    assert canonical == expected
    assert type(canonical) is type(expected)
    # Canonical ballots survive JSON (the JSONField) and validate to themselves.
    back = json.loads(json.dumps(canonical))
    assert validate_ballot(method, option_count, back) == expected


@pytest.mark.parametrize(
    ("method", "ballot", "code", "params"),
    [
        ("majority", None, "empty", {}),
        ("majority", 3, "unknown_option", {"option": 3}),
        ("majority", -1, "unknown_option", {"option": -1}),
        ("majority", True, "bad_shape", {"expected": "option"}),
        ("majority", "yes", "bad_shape", {"expected": "option"}),
        ("majority", {0: 1}, "bad_shape", {"expected": "option"}),
        ("consent", [0, 1], "bad_shape", {"expected": "option"}),
        ("plurality", 1.5, "bad_shape", {"expected": "option"}),
        ("plurality", "", "empty", {}),
        ("plurality", 4, "unknown_option", {"option": 4}),
        ("approval", [], "empty", {}),
        ("approval", None, "empty", {}),
        ("approval", 2, "bad_shape", {"expected": "options"}),
        ("approval", "0,1", "bad_shape", {"expected": "options"}),
        ("approval", {0: 1}, "bad_shape", {"expected": "options"}),
        ("approval", [0, 0], "duplicate_option", {"option": 0}),
        ("approval", [0, "0"], "duplicate_option", {"option": 0}),
        ("approval", [9], "unknown_option", {"option": 9}),
        ("approval", [None], "empty", {}),
        ("borda", [], "empty", {}),
        ("borda", {0, 1}, "bad_shape", {"expected": "ranking"}),
        ("borda", 0, "bad_shape", {"expected": "ranking"}),
        ("borda", [1, 2, 1], "duplicate_option", {"option": 1}),
        ("irv", [0, 4], "unknown_option", {"option": 4}),
        ("irv", [0, "x"], "bad_shape", {"expected": "option"}),
        ("cumulative", {}, "empty", {}),
        ("cumulative", {0: 0}, "empty", {}),
        ("cumulative", [0, 1], "bad_shape", {"expected": "points"}),
        ("cumulative", {0: 6}, "too_many_points", {"given": 6, "dots": 5}),
        ("cumulative", {0: 3, 1: 3}, "too_many_points", {"given": 6, "dots": 5}),
        ("cumulative", {0: -1, 1: 3}, "negative_points", {"option": 0, "points": -1}),
        ("cumulative", {0: 1.5}, "bad_number", {"option": 0, "value": "1.5"}),
        ("cumulative", {0: "two"}, "bad_number", {"option": 0, "value": "two"}),
        ("cumulative", {7: 1}, "unknown_option", {"option": 7}),
        ("cumulative", {"1": 1, 1: 1}, "duplicate_option", {"option": 1}),
        ("score", {}, "empty", {}),
        ("score", [3], "bad_shape", {"expected": "scores"}),
        ("score", {0: 6}, "score_out_of_range", {"option": 0, "score": 6, "score_max": 5}),
        ("score", {0: -1}, "score_out_of_range", {"option": 0, "score": -1, "score_max": 5}),
        ("score", {0: True}, "bad_number", {"option": 0, "value": "True"}),
        ("score", {"a": 1}, "bad_shape", {"expected": "option"}),
    ],
)
def test_validate_ballot_refuses_every_bad_shape(method, ballot, code, params):
    option_count = 3 if method in voting.MOTION_METHODS else 4
    with pytest.raises(BallotError) as raised:
        validate_ballot(method, option_count, ballot)
    assert raised.value.code == code
    assert raised.value.params == params


def test_approval_max_choices():
    assert validate_ballot("approval", 5, [0, 1], max_choices=2) == [0, 1]
    with pytest.raises(BallotError) as raised:
        validate_ballot("approval", 5, [0, 1, 4], max_choices=2)
    assert raised.value.code == "too_many_choices"
    assert raised.value.params == {"chosen": 3, "max_choices": 2}
    assert validate_ballot("approval", 5, [0, 1, 2, 3, 4], max_choices=0) == [0, 1, 2, 3, 4]


def test_dots_and_score_max_are_the_callers():
    assert validate_ballot("cumulative", 3, {0: 8, 1: 2}, dots=10) == {0: 8, 1: 2}
    assert validate_ballot("score", 3, {0: 10}, score_max=10) == {0: 10}
    with pytest.raises(BallotError):
        validate_ballot("score", 3, {0: 3}, score_max=2)


def test_programming_errors_are_not_ballot_errors():
    with pytest.raises(ValueError, match="unknown voting method"):
        validate_ballot("condorcet", 3, 0)
    with pytest.raises(ValueError, match="three options"):
        validate_ballot("majority", 4, 0)
    with pytest.raises(ValueError, match="at least one option"):
        count("plurality", 0, [])
    with pytest.raises(ValueError):
        count("qualified", 3, [0], threshold=0)
    with pytest.raises(ValueError):
        count("qualified", 3, [0], threshold=1.2)


def test_count_checks_stored_ballots():
    with pytest.raises(BallotError) as raised:
        count("cumulative", 3, [{"0": 2}, {"0": 9}], dots=5)
    assert raised.value.code == "too_many_points"
    # JSON shapes are accepted as stored.
    counted = count("score", 2, [{"0": 3, "1": 1}, {"1": "5"}])
    assert counted.totals == {0: 3, 1: 6}


# --- motions ---------------------------------------------------------------------------------


def motion(yes: int, no: int, abstain: int) -> list[int]:
    return [0] * yes + [1] * no + [2] * abstain


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [
        (5, 4, 10, True),  # abstentions are outside the base
        (4, 4, 0, False),  # a tie fails
        (1, 0, 0, True),
        (0, 0, 7, False),  # all abstain: nothing passes
        (0, 0, 0, False),
        (3, 5, 0, False),
    ],
)
def test_majority(yes, no, abstain, passed):
    counted = count("majority", 3, motion(yes, no, abstain))
    assert counted.passed is passed
    assert counted.totals == {0: yes, 1: no, 2: abstain}
    assert counted.winner == (0 if passed else None)
    assert counted.tied_winners == ([0] if passed else [])
    assert counted.tie_broken is False
    codes = [s.code for s in counted.explanation]
    assert codes[-1] == ("motion_passed" if passed else "motion_rejected")
    assert "majority_compare" in codes


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "threshold", "passed"),
    [
        (10, 5, 0, 2 / 3, True),  # exactly two thirds
        (2, 1, 9, Decimal("0.667"), True),  # stored as three decimals: still 2/3
        (2, 1, 0, 0.667, True),
        (66, 34, 0, Decimal("0.667"), False),  # 0.66 < 2/3
        (9, 5, 0, 2 / 3, False),
        (3, 1, 0, Decimal("0.750"), True),
        (5, 2, 0, Decimal("0.75"), False),
        (11, 9, 0, Decimal("0.55"), True),  # 0.55 exactly
        (54, 46, 0, Decimal("0.55"), False),
        (1, 1, 0, 0.5, True),  # qualified "at least half": a tie reaches it
        (0, 0, 4, 0.5, False),  # no base
        (3, 0, 0, 1, True),  # unanimity of those voting
        (3, 1, 0, 1, False),
    ],
)
def test_qualified(yes, no, abstain, threshold, passed):
    counted = count("qualified", 3, motion(yes, no, abstain), threshold=threshold)
    assert counted.passed is passed


def test_threshold_fraction():
    tf = voting.threshold_fraction
    assert tf(Decimal("0.667")) == Fraction(2, 3)
    assert tf(0.667) == Fraction(2, 3)
    assert tf(Decimal("0.333")) == Fraction(1, 3)
    assert tf(0.5) == Fraction(1, 2)
    assert tf(0.6) == Fraction(3, 5)
    assert tf(Decimal("0.55")) == Fraction(11, 20)
    assert tf(Decimal("0.601")) == Fraction(601, 1000)
    assert tf(Fraction(5, 7)) == Fraction(5, 7)
    assert tf("2/3") == Fraction(2, 3)


def test_qualified_brute_force_against_the_definition():
    """Every profile of up to 12 ballots, every common threshold: yes/(yes+no) >= t."""
    for threshold in (Fraction(1, 2), Fraction(3, 5), Fraction(2, 3), Fraction(3, 4), Fraction(1)):
        for yes, no, abstain in itertools.product(range(7), range(7), range(3)):
            counted = count("qualified", 3, motion(yes, no, abstain), threshold=threshold)
            expected = yes + no > 0 and yes * threshold.denominator >= threshold.numerator * (
                yes + no
            )
            assert counted.passed is expected, (yes, no, abstain, threshold)
            compare = next(s for s in counted.explanation if s.code == "qualified_compare")
            assert compare.params["base"] == yes + no
            if yes + no:
                # "needed" is the fewest yes votes that pass with this base.
                needed = compare.params["needed"]
                assert Fraction(needed, yes + no) >= threshold
                assert needed == 1 or Fraction(needed - 1, yes + no) < threshold


def test_majority_brute_force_against_the_definition():
    for ballots in itertools.product(range(3), repeat=6):
        counted = count("majority", 3, list(ballots))
        assert counted.passed is (ballots.count(0) > ballots.count(1))


@pytest.mark.parametrize(
    ("consent", "aside", "objections", "passed"),
    [(5, 0, 0, True), (5, 3, 0, True), (0, 4, 0, True), (9, 0, 1, False), (0, 0, 0, False)],
)
def test_consent(consent, aside, objections, passed):
    counted = count("consent", 3, motion(consent, aside, objections))
    assert counted.passed is passed
    step = next(s for s in counted.explanation if s.code == "consent_totals")
    assert step.params == {"consent": consent, "stand_aside": aside, "object": objections}


def test_consent_brute_force():
    for ballots in itertools.product(range(3), repeat=5):
        assert count("consent", 3, list(ballots)).passed is (2 not in ballots)


# --- the lot -----------------------------------------------------------------------------------


def test_lot_is_the_documented_sha256_order():
    seed = "d2a1"
    order = voting.lot_order(seed, [0, 1, 2, 3])
    digests = [hashlib.sha256(f"{seed}:{o}".encode()).hexdigest() for o in order]
    assert digests == sorted(digests)
    assert voting.lot_digest(seed, 2) == hashlib.sha256(b"d2a1:2").hexdigest()


def test_tie_is_broken_by_the_lot_and_explained():
    ballots = [0, 1, 2, 0, 1]  # 0 and 1 tie
    for seed in ("a", "b", "c", "poll-7", ""):
        counted = count("plurality", 3, ballots, seed=seed)
        first = voting.lot_order(seed, [0, 1])[0]
        assert counted.tied_winners == [0, 1]
        assert counted.winner == first
        assert counted.tie_broken is True
        assert counted.ranking == [[0, 1], [2]]
        lot = next(s for s in counted.explanation if s.code == "lot")
        assert lot.params["seed"] == seed
        assert lot.params["order"] == voting.lot_order(seed, [0, 1])
        assert lot.params["purpose"] == "win"
        assert [s.code for s in counted.explanation][-3:] == ["tie", "lot", "lot_winner"]
    # Same input, same draw, every time.
    assert len({count("plurality", 3, ballots, seed="x").winner for _ in range(5)}) == 1


def test_both_tied_options_can_win_depending_on_the_seed():
    winners = {count("approval", 2, [[0], [1]], seed=str(s)).winner for s in range(20)}
    assert winners == {0, 1}


def test_no_lot_without_a_tie():
    counted = count("borda", 3, [[0, 1, 2], [0, 2, 1]], seed="s")
    assert counted.tie_broken is False
    assert "lot" not in [s.code for s in counted.explanation]


# --- scoring methods -------------------------------------------------------------------------


def test_plurality():
    counted = count("plurality", 4, [2, 2, 0, 3, 2, 0])
    assert counted.totals == {0: 2, 1: 0, 2: 3, 3: 1}
    assert counted.ranking == [[2], [0], [3], [1]]
    assert counted.winner == 2
    assert counted.passed is None
    assert counted.rounds == []


def test_approval():
    counted = count("approval", 3, [[0, 1], [1], [1, 2], [0, 2]])
    assert counted.totals == {0: 2, 1: 3, 2: 2}
    assert counted.ranking == [[1], [0, 2]]
    assert counted.winner == 1


def test_borda_with_truncated_rankings():
    # 4 options: first 3 points, second 2, third 1, unranked 0.
    counted = count("borda", 4, [[0, 1, 2, 3], [1, 0], [3]])
    assert counted.totals == {0: 3 + 2, 1: 2 + 3, 2: 1, 3: 3}
    # Leaving out the last option is the same as ranking it last.
    assert count("borda", 3, [[2, 0]]).totals == count("borda", 3, [[2, 0, 1]]).totals


def test_cumulative_and_score():
    dots = count("cumulative", 3, [{0: 5}, {1: 3, 2: 2}, {2: 1}], dots=5)
    assert dots.totals == {0: 5, 1: 3, 2: 3}
    assert dots.winner == 0
    scores = count("score", 3, [{0: 5, 1: 4}, {1: 5, 2: 1}, {0: 0}], score_max=5)
    assert scores.totals == {0: 5, 1: 9, 2: 1}
    assert scores.winner == 1


@pytest.mark.parametrize("method", ["plurality", "approval", "borda", "irv", "cumulative", "score"])
def test_no_ballots(method):
    counted = count(method, 3, [])
    assert counted.winner is None
    assert counted.tied_winners == []
    assert counted.ranking == [[0, 1, 2]]
    assert counted.ballot_count == 0
    assert counted.tie_broken is False
    assert "no_ballots" in [s.code for s in counted.explanation]


def test_single_option():
    counted = count("irv", 1, [[0], [0]])
    assert counted.winner == 0
    assert counted.ranking == [[0]]


# --- instant runoff ----------------------------------------------------------------------------


def test_irv_transfers_and_rounds():
    # A 4, B 3, C 2 first preferences; C's ballots go to B; B wins 5 to 4.
    ballots = [[0, 1]] * 4 + [[1, 0]] * 3 + [[2, 1]] * 2
    counted = count("irv", 3, ballots)
    assert counted.totals == {0: 4, 1: 3, 2: 2}
    assert counted.rounds == [{0: 4, 1: 3, 2: 2}, {1: 5, 0: 4}]
    assert counted.winner == 1
    assert counted.tied_winners == [1]
    assert counted.ranking == [[1], [0], [2]]
    codes = [s.code for s in counted.explanation]
    assert codes == [
        "rule",
        "ballots",
        "irv_round",
        "irv_eliminated",
        "irv_round",
        "irv_majority",
        "winner",
    ]
    eliminated = counted.explanation[3]
    assert eliminated.params == {"round": 1, "options": [2], "votes": 2, "by_lot": False}


def test_irv_exhausted_ballots_leave_the_count():
    # D goes first (to B); then C, whose two truncated ballots are exhausted; A then has 4 of
    # the 7 ballots still in the count: a majority, though not of the 9 cast.
    ballots = [[0]] * 4 + [[1]] * 2 + [[2]] * 2 + [[3, 1]]
    counted = count("irv", 4, ballots)
    assert counted.rounds == [{0: 4, 1: 2, 2: 2, 3: 1}, {0: 4, 1: 3, 2: 2}, {0: 4, 1: 3}]
    last = [s for s in counted.explanation if s.code == "irv_round"][-1]
    assert last.params["exhausted"] == 2
    assert last.params["continuing"] == 7
    majority = next(s for s in counted.explanation if s.code == "irv_majority")
    assert majority.params == {"round": 3, "option": 0, "votes": 4, "continuing": 7}
    assert counted.winner == 0
    assert counted.ranking == [[0], [1], [2], [3]]


def test_irv_options_without_votes_go_together():
    ballots = [[0]] * 2 + [[1]] * 2 + [[2, 0]]
    counted = count("irv", 5, ballots)
    first = next(s for s in counted.explanation if s.code == "irv_eliminated")
    assert first.params["options"] == [3, 4]
    assert first.params["votes"] == 0
    assert "lot" not in [s.code for s in counted.explanation]
    assert counted.winner == 0
    assert counted.ranking == [[0], [1], [2], [3, 4]]


def test_irv_elimination_tie_by_lot_and_tied_winners():
    # A 2, B 2, C 2 with cyclic second choices: whoever the lot eliminates decides the winner.
    ballots = [[0, 1]] * 2 + [[1, 2]] * 2 + [[2, 0]] * 2
    winners = set()
    for seed in (str(s) for s in range(30)):
        counted = count("irv", 3, ballots, seed=seed)
        assert counted.tied_winners == [0, 1, 2]
        assert counted.tie_broken is True
        eliminated_first = voting.lot_order(seed, [0, 1, 2])[-1]
        elimination = next(s for s in counted.explanation if s.code == "irv_eliminated")
        assert elimination.params["options"] == [eliminated_first]
        assert elimination.params["by_lot"] is True
        # The eliminated option's ballots go to their second choice, which then has 4 of 6.
        assert counted.winner == {0: 1, 1: 2, 2: 0}[eliminated_first]
        assert counted.ranking[0] == [0, 1, 2]
        assert counted.explanation[-1].code == "irv_tied_winners"
        winners.add(counted.winner)
    assert winners == {0, 1, 2}


def test_irv_lot_that_does_not_change_the_winner():
    # B and C tie for last; whichever goes, its ballot goes to A, who then has 3 of 4.
    ballots = [[0]] * 2 + [[1, 0]] + [[2, 0]]
    counted = count("irv", 3, ballots, seed="z")
    assert counted.winner == 0
    assert counted.tied_winners == [0]
    assert counted.tie_broken is False
    assert "lot" in [s.code for s in counted.explanation]


def test_irv_tie_search_limit(monkeypatch):
    monkeypatch.setattr(voting, "IRV_TIE_SEARCH_LIMIT", 2)
    ballots = [[o, (o + 1) % 6] for o in range(6)]
    counted = count("irv", 6, ballots, seed="q")
    assert counted.tied_winners == [counted.winner]
    assert counted.tie_broken is True
    assert "irv_tie_search_incomplete" in [s.code for s in counted.explanation]


def test_irv_many_options_all_first_for_someone_is_fast():
    """Each of 16 organizations ranks its own proposal first: many elimination ties."""
    rng = random.Random(3)
    ballots = [[o, *rng.sample([x for x in range(16) if x != o], 15)] for o in range(16)]
    counted = count("irv", 16, ballots, seed="s")
    assert counted.winner in counted.tied_winners


# --- serialization ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", voting.METHODS)
def test_count_survives_json(method):
    rng = random.Random(method)
    n = 3 if method in voting.MOTION_METHODS else 4
    ballots = [random_ballot(rng, method, n) for _ in range(25)]
    counted = count(method, n, ballots, seed="s", threshold=Decimal("0.667"))
    stored = json.loads(json.dumps(counted.to_dict()))
    assert voting.Count.from_dict(stored) == counted


def test_every_step_param_is_plain_json():
    for method in voting.METHODS:
        rng = random.Random(f"json-{method}")
        n = 3 if method in voting.MOTION_METHODS else 5
        for _ in range(20):
            ballots = [random_ballot(rng, method, n) for _ in range(rng.randint(0, 9))]
            counted = count(method, n, ballots, seed="s")
            for step in counted.explanation:
                assert json.loads(json.dumps(step.params)) == step.params


def random_ballot(rng: random.Random, method: str, n: int):
    if method in voting.MOTION_METHODS or method == "plurality":
        return rng.randrange(n)
    if method == "approval":
        return rng.sample(range(n), rng.randint(1, n))
    if method in voting.RANKED_METHODS:
        return rng.sample(range(n), rng.randint(1, n))
    if method == "cumulative":
        points: dict[int, int] = {}
        for _ in range(rng.randint(1, 5)):
            option = rng.randrange(n)
            points[option] = points.get(option, 0) + 1
        return points
    return {o: rng.randint(0, 5) for o in rng.sample(range(n), rng.randint(1, n))}


# --- invariants on random counts -------------------------------------------------------------


@pytest.mark.parametrize("method", voting.METHODS)
def test_ranking_invariants(method):
    rng = random.Random(f"inv-{method}")
    for _ in range(150):
        n = 3 if method in voting.MOTION_METHODS else rng.randint(1, 6)
        ballots = [random_ballot(rng, method, n) for _ in range(rng.randint(0, 12))]
        counted = count(method, n, ballots, seed=str(rng.random()))
        flat = [o for group in counted.ranking for o in group]
        assert sorted(flat) == list(range(n))
        assert all(group == sorted(group) for group in counted.ranking)
        assert counted.ballot_count == len(ballots)
        if method in voting.MOTION_METHODS:
            continue
        if ballots:
            assert counted.winner in counted.tied_winners
            assert counted.ranking[0] == counted.tied_winners
            assert counted.tie_broken is (len(counted.tied_winners) > 1)
        if method != "irv":
            for group in counted.ranking:
                assert len({counted.totals[o] for o in group}) == 1
            tops = [counted.totals[g[0]] for g in counted.ranking]
            assert tops == sorted(tops, reverse=True)


@pytest.mark.parametrize("method", voting.METHODS)
def test_fast_path_agrees_with_the_slow_path(method, monkeypatch):
    """`validate_ballot` takes a quick path for well-formed ballots; it must give what the
    full checks give, and leave every bad ballot to them."""
    rng = random.Random(f"fast-{method}")
    samples = []
    for _ in range(300):
        n = 3 if method in voting.MOTION_METHODS else rng.randint(1, 6)
        ballot = random_ballot(rng, method, n)
        if isinstance(ballot, dict) and rng.random() < 0.5:
            ballot = {str(k): v for k, v in ballot.items()}
        if rng.random() < 0.3:  # spoil some
            ballot = rng.choice(
                [
                    [0, 0],
                    {"0": 9},
                    {"x": 1},
                    {"": 1},
                    {"²": 1},
                    [n],
                    n,
                    -1,
                    True,
                    [True],
                    {0: -1, 1: 2},
                    {0: 0},
                    {"1": 1, 1: 1},
                    (),
                    {},
                    [0, 1, 2, 3, 4, 5],
                ]
            )
        samples.append((n, ballot))

    def outcome(n, ballot):
        try:
            return ("ok", validate_ballot(method, n, ballot, dots=5, score_max=5, max_choices=3))
        except BallotError as error:
            return ("error", error.code, error.params)

    fast = [outcome(n, b) for n, b in samples]
    monkeypatch.setattr(voting, "_fast_canonical", lambda *args: None)
    slow = [outcome(n, b) for n, b in samples]
    assert fast == slow
    assert any(o[0] == "ok" for o in fast)
    assert any(o[0] == "error" for o in fast)


# --- through the database ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", voting.METHODS)
def test_canonical_ballots_survive_the_json_field(method):
    """Ballots stored in `Ballot.content` come back with str keys (and, on PostgreSQL's jsonb,
    in another key order); validating them again gives the same canonical ballot and count."""
    from tejido.governance.models import Ballot
    from tejido.governance.tests.factories import PollFactory

    rng = random.Random(f"db-{method}")
    n = 3 if method in voting.MOTION_METHODS else 12  # two-digit keys: jsonb reorders them
    poll = PollFactory(method=method)
    canonical = [validate_ballot(method, n, random_ballot(rng, method, n)) for _ in range(30)]
    Ballot.objects.bulk_create(Ballot(poll=poll, content=c) for c in canonical)
    stored = [b.content for b in Ballot.objects.filter(poll=poll)]
    again = [validate_ballot(method, n, content) for content in stored]
    assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, canonical))
    # The table does not keep the ballots' order; no count depends on it.
    assert count(method, n, stored, seed="s") == count(method, n, canonical, seed="s")
