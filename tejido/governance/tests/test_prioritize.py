"""`voting.prioritize` and `voting.validate_priority_input`.

Hanlon: the Basic Priority Rating of Hanlon and Pickett (Public Health: Administration and
Practice; as taught in UIC's PH 440 module "Basic Priority Rating") is BPR = (A + B) × C / 3
with size A on 0–10, seriousness B on 0–20 and effectiveness C on 0–10, and the Overall
Priority Rating multiplies it by the PEARL factors (each 0 or 1). NACCHO's "Guide to
Prioritization Techniques" rates all three on 0–10 and counts seriousness twice, which is the
same rating: (A + 2B) × C / 3. The worked case below is the Chicago MAPP rating of chlamydia
(size 10, seriousness 8, effectiveness 7, PEARL all yes). Ranked ballots are checked against
pref_voting's Borda count.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import domination_borda_scores

from tejido.governance import voting
from tejido.governance.voting import BallotError, prioritize, validate_priority_input

PEARL_YES = dict.fromkeys(voting.PEARL_FACTORS, 1)


def hanlon(size, seriousness, effectiveness, **pearl):
    return {
        "size": size,
        "seriousness": seriousness,
        "effectiveness": effectiveness,
        **PEARL_YES,
        **pearl,
    }


# --- Hanlon --------------------------------------------------------------------------------


def test_hanlon_chicago_chlamydia():
    priority = prioritize("hanlon", [7], [{"scores": {"7": hanlon(10, 8, 7)}}])
    # (10 + 2 × 8) × 7 / 3 = 182 / 3
    assert priority.scores == {7: pytest.approx(182 / 3)}
    assert priority.details[7]["bpr"] == pytest.approx(60.6667, abs=1e-4)
    # The same as Hanlon and Pickett's (A + B) × C / 3 with seriousness on 0–20 (8 → 16).
    assert priority.scores[7] == pytest.approx((10 + 16) * 7 / 3)
    assert priority.order == [7]
    assert priority.excluded == []


def test_hanlon_means_over_participants_and_pearl_majority():
    """Three participants, three needs, computed by hand.

    Need 1: A = (6+8+7)/3 = 7, B = (9+9+6)/3 = 8, C = (5+6+4)/3 = 5 → (7 + 16) × 5 / 3 = 115/3.
    Need 2: A = (10+10+10)/3 = 10, B = (4+5+6)/3 = 5, C = (9+9+9)/3 = 9 → (10 + 10) × 9 / 3 = 60.
    Need 3: A = 9, B = 10, C = 10 → 96.67, but two of three say "no" to legality: excluded.
    Need 2 has one "no" on resources out of three: kept.
    """
    inputs = [
        {
            "scores": {
                "1": hanlon(6, 9, 5),
                "2": hanlon(10, 4, 9, resources=0),
                "3": hanlon(9, 10, 10, legality=0),
            }
        },
        {"scores": {"1": hanlon(8, 9, 6), "2": hanlon(10, 5, 9), "3": hanlon(9, 10, 10)}},
        {
            "scores": {
                "1": hanlon(7, 6, 4),
                "2": hanlon(10, 6, 9),
                "3": hanlon(9, 10, 10, legality=0),
            }
        },
    ]
    priority = prioritize("hanlon", [1, 2, 3], inputs)
    assert priority.participant_count == 3
    assert priority.scores[1] == pytest.approx(float(Fraction(115, 3)))
    assert priority.scores[2] == 60
    assert priority.scores[3] == 0.0  # BPR × PEARL
    assert priority.details[3]["bpr"] == pytest.approx(290 / 3)
    assert priority.details[3]["legality"] == pytest.approx(1 / 3)
    assert priority.details[2]["resources"] == pytest.approx(2 / 3)
    assert priority.ranking == [[2], [1]]
    assert priority.order == [2, 1]
    assert priority.excluded == [3]
    excluded = next(s for s in priority.explanation if s.code == "hanlon_excluded")
    assert excluded.params["need"] == 3
    assert excluded.params["factors"] == ["legality"]
    codes = [s.code for s in priority.explanation]
    assert codes == ["rule", "participants", "hanlon_need", "hanlon_need", "hanlon_excluded"]


def test_hanlon_pearl_tie_is_not_a_majority():
    inputs = [
        {"scores": {"1": hanlon(5, 5, 5, economics=0)}},
        {"scores": {"1": hanlon(5, 5, 5)}},
    ]
    assert prioritize("hanlon", [1], inputs).excluded == []


def test_hanlon_mean_only_over_those_who_scored():
    inputs = [{"scores": {"1": hanlon(10, 10, 10)}}, {"scores": {"2": hanlon(2, 2, 2)}}]
    priority = prioritize("hanlon", [1, 2], inputs)
    assert priority.scores == {1: 100, 2: 4}


def test_hanlon_ignores_needs_left_out_of_the_session():
    priority = prioritize(
        "hanlon", [1], [{"scores": {"1": hanlon(3, 3, 3), "99": hanlon(9, 9, 9)}}]
    )
    assert list(priority.scores) == [1]


def test_hanlon_refuses_out_of_range_scores():
    with pytest.raises(BallotError) as raised:
        prioritize("hanlon", [1], [{"scores": {"1": hanlon(11, 3, 3)}}])
    assert raised.value.code == "criterion_out_of_range"
    with pytest.raises(BallotError):
        prioritize("hanlon", [1], [{"scores": {"1": hanlon(3, 3, 3, propriety=2)}}])


def test_hanlon_ties_broken_by_the_lot_over_need_ids():
    inputs = [{"scores": {str(n): hanlon(5, 5, 5) for n in (10, 20, 30)}}]
    for seed in ("a", "b", "c"):
        priority = prioritize("hanlon", [10, 20, 30], inputs, seed=seed)
        assert priority.ranking == [[10, 20, 30]]
        assert priority.order == voting.lot_order(seed, [10, 20, 30])
        lot = next(s for s in priority.explanation if s.code == "lot")
        assert lot.params["purpose"] == "order"
        assert "need_tie" in [s.code for s in priority.explanation]


# --- criteria ----------------------------------------------------------------------------------

CRITERIA = [
    {"key": "11", "weight": 2, "min": 1, "max": 5},
    {"key": "12", "weight": 1, "min": 0, "max": 10},
]


def test_criteria_weighted_mean_of_normalized_scores():
    """By hand.

    Need 1: criterion 11 scores 5 and 3 → (1 + 0.5)/2 = 0.75; criterion 12 scores 10 and 4 →
    (1 + 0.4)/2 = 0.7; weighted: (2 × 0.75 + 1 × 0.7) / 3 = 2.2/3 → 73.33.
    Need 2: 11: 1 and 1 → 0; 12: 10 and 10 → 1; (0 + 1)/3 → 33.33.
    """
    inputs = [
        {"scores": {"1": {"11": 5, "12": 10}, "2": {"11": 1, "12": 10}}},
        {"scores": {"1": {"11": 3, "12": 4}, "2": {"11": 1, "12": 10}}},
    ]
    priority = prioritize("criteria", [1, 2], inputs, criteria=CRITERIA)
    assert priority.scores[1] == pytest.approx(220 / 3)
    assert priority.scores[2] == pytest.approx(100 / 3)
    assert priority.details[1] == {"11": pytest.approx(75), "12": pytest.approx(70)}
    assert priority.order == [1, 2]
    rule = priority.explanation[0]
    assert rule.params["criteria"] == [["11", 2.0], ["12", 1.0]]


def test_criteria_exact_ties_are_ties():
    # 0.1 + 0.2 style float traps: equal fractions must compare equal.
    criteria = [{"key": "a", "weight": 0.1, "min": 0, "max": 3}, {"key": "b", "weight": 0.2}]
    inputs = [{"scores": {"1": {"a": 3, "b": 0}, "2": {"a": 0, "b": 5}}}]
    priority = prioritize("criteria", [1, 2], inputs, criteria=criteria)
    # 1: 0.1 × 1 / 0.3; 2: 0.2 × 0.5 / 0.3: both 100/3.
    assert priority.ranking == [[1, 2]]


def test_criteria_zero_weights_refused():
    with pytest.raises(BallotError) as raised:
        prioritize("criteria", [1], [], criteria=[{"key": "a", "weight": 0}])
    assert raised.value.code == "criteria_weights"


def test_criteria_bad_scale_is_a_programming_error():
    with pytest.raises(ValueError, match="max must be above min"):
        prioritize("criteria", [1], [], criteria=[{"key": "a", "min": 3, "max": 3}])


# --- dots and ranked ---------------------------------------------------------------------------


def test_dots():
    inputs = [{"dots": {"1": 3, "2": 2}}, {"dots": {"2": 4, "3": 1}}, {"dots": {}}]
    priority = prioritize("dots", [1, 2, 3], inputs, dots=5, seed="s")
    assert priority.scores == {1: 3, 2: 6, 3: 1}
    assert priority.order == [2, 1, 3]
    assert [s.code for s in priority.explanation][:2] == ["rule", "participants"]
    assert priority.explanation[0].params == {"method": "dots", "dots": 5}


def test_no_inputs():
    priority = prioritize("dots", [4, 5], [], seed="x")
    assert priority.scores == {4: 0, 5: 0}
    assert priority.ranking == [[4, 5]]
    assert priority.order == voting.lot_order("x", [4, 5])
    assert priority.explanation[-1].code == "no_inputs"


def test_ranked_matches_pref_voting_borda():
    rng = random.Random("ranked")
    for trial in range(400):
        needs = rng.sample(range(100, 200), rng.randint(2, 6))
        complete = trial % 2 == 0
        rankings = [
            rng.sample(needs, len(needs) if complete else rng.randint(1, len(needs)))
            for _ in range(rng.randint(1, 40))
        ]
        priority = prioritize("ranked", needs, [{"ranking": r} for r in rankings], seed="t")
        index = {need: i for i, need in enumerate(needs)}
        indexed = [[index[n] for n in r] for r in rankings]
        if complete:
            expected = Profile(indexed).borda_scores()
        else:
            expected = domination_borda_scores(
                ProfileWithTies(
                    [{c: rank for rank, c in enumerate(r, start=1)} for r in indexed],
                    candidates=list(range(len(needs))),
                )
            )
        assert priority.scores == {n: int(expected[index[n]]) for n in needs}
        top = max(priority.scores.values())
        assert priority.ranking[0] == sorted(n for n in needs if priority.scores[n] == top)


def test_ranked_ignores_unknown_and_repeated_needs():
    priority = prioritize("ranked", [1, 2, 3], [{"ranking": [9, 2, 2, "1"]}])
    # Among the session's needs the ranking is 2, 1: 2 points and 1 point.
    assert priority.scores == {1: 1, 2: 2, 3: 0}


def test_priority_survives_json():
    inputs = [{"scores": {"1": hanlon(4, 5, 6), "2": hanlon(4, 5, 6, legality=0)}}]
    priority = prioritize("hanlon", [1, 2], inputs, seed="s")
    stored = json.loads(json.dumps(priority.to_dict()))
    assert voting.Priority.from_dict(stored) == priority


def test_unknown_method():
    with pytest.raises(ValueError):
        prioritize("condorcet", [1], [])
    with pytest.raises(ValueError):
        validate_priority_input("condorcet", [1], {})


# --- validate_priority_input ---------------------------------------------------------------


def test_validate_hanlon_input_canonical():
    content = {"scores": {1: {**hanlon(3, 4, 5), "size": "3"}, "2": hanlon(0, 10, 10)}}
    assert validate_priority_input("hanlon", [1, 2], content) == {
        "scores": {"1": hanlon(3, 4, 5), "2": hanlon(0, 10, 10)}
    }


@pytest.mark.parametrize(
    ("method", "content", "code"),
    [
        ("hanlon", [], "bad_shape"),
        ("hanlon", {"scores": []}, "bad_shape"),
        ("hanlon", {"scores": {"1": 5}}, "bad_shape"),
        ("hanlon", {"scores": {"9": hanlon(1, 1, 1)}}, "unknown_need"),
        ("hanlon", {"scores": {"x": hanlon(1, 1, 1)}}, "unknown_need"),
        ("hanlon", {"scores": {"1": hanlon(1, 1, 1), 1: hanlon(1, 1, 1)}}, "duplicate_need"),
        ("hanlon", {"scores": {"1": {**hanlon(1, 1, 1), "beauty": 3}}}, "unknown_criterion"),
        ("hanlon", {"scores": {"1": {"size": 3}}}, "missing_score"),
        ("hanlon", {"scores": {"1": {**hanlon(1, 1, 1), "size": ""}}}, "missing_score"),
        ("hanlon", {"scores": {"1": hanlon(1, 1, 1)}}, "missing_score"),  # need 2 unscored
        ("hanlon", {"scores": {"1": hanlon(1, 11, 1)}}, "criterion_out_of_range"),
        ("hanlon", {"scores": {"1": hanlon(1, 1, 1, legality=3)}}, "criterion_out_of_range"),
        ("hanlon", {"scores": {"1": hanlon(1, "a", 1)}}, "bad_number"),
        ("dots", {"dots": [1]}, "bad_shape"),
        ("dots", {"dots": {}}, "empty"),
        ("dots", {"dots": {"1": 0}}, "empty"),
        ("dots", {"dots": {"1": 4, "2": 2}}, "too_many_points"),
        ("dots", {"dots": {"1": -1}}, "negative_points"),
        ("dots", {"dots": {"1": "x"}}, "bad_number"),
        ("dots", {"dots": {"7": 1}}, "unknown_need"),
        ("dots", {"dots": {"1": 1, 1: 1}}, "duplicate_need"),
        ("ranked", {"ranking": "12"}, "bad_shape"),
        ("ranked", {}, "bad_shape"),
        ("ranked", {"ranking": []}, "empty"),
        ("ranked", {"ranking": [1, 1]}, "duplicate_need"),
        ("ranked", {"ranking": [3]}, "unknown_need"),
    ],
)
def test_validate_priority_input_refuses(method, content, code):
    if method == "hanlon" and code != "missing_score":
        content = dict(content)
        if isinstance(content.get("scores"), dict):
            content["scores"] = {**content["scores"]}
            if code not in ("unknown_need", "duplicate_need"):
                content["scores"].setdefault("2", hanlon(1, 1, 1))
    with pytest.raises(BallotError) as raised:
        validate_priority_input(method, [1, 2], content, dots=5)
    assert raised.value.code == code


def test_validate_criteria_input():
    content = {"scores": {"1": {"11": 5, "12": 0}, "2": {"11": 2, "12": 10}}}
    assert validate_priority_input("criteria", [1, 2], content, criteria=CRITERIA) == content
    with pytest.raises(BallotError) as raised:
        validate_priority_input(
            "criteria",
            [1, 2],
            {"scores": {"1": {"11": 0, "12": 0}, "2": {"11": 2, "12": 10}}},
            criteria=CRITERIA,
        )
    assert raised.value.code == "criterion_out_of_range"
    assert raised.value.params == {"need": 1, "criterion": "11", "score": 0, "min": 1, "max": 5}


def test_validate_dots_and_ranking_canonical():
    assert validate_priority_input("dots", [1, 2, 3], {"dots": {3: 1, "1": 2, "2": 0}}) == {
        "dots": {"1": 2, "3": 1}
    }
    assert validate_priority_input("ranked", [1, 2, 3], {"ranking": ["3", 1]}) == {
        "ranking": [3, 1]
    }
