"""`explain`: every step and every ballot error of `voting` has a sentence, in every language."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from django.utils import translation

from tejido.governance import voting
from tejido.governance.explain import ballot_error_message, explain_count, explain_priority

SOURCE = Path(voting.__file__).read_text(encoding="utf-8")
# Step("code", ...) and the one conditional Step("motion_passed" if passed else ...).
STEP_CODES = set(re.findall(r'Step\(\s*"([a-z_]+)"', SOURCE)) | {"motion_rejected"}
ERROR_CODES = set(re.findall(r'BallotError\(\s*"([a-z_]+)"', SOURCE))
LANGUAGES = ("es", "ca", "en")
LABELS = ["Plaza Los Aromos", "Sede vecinal", "Cancha", "Huerto", "Luminarias", "Multicancha"]


def sample_counts() -> list[voting.Count]:
    """Counts that together produce every step code of `count`."""
    rng = random.Random("explain")
    counts = [
        voting.count("majority", 3, [0, 0, 1, 2]),
        voting.count("majority", 3, [1, 1, 0]),
        voting.count("qualified", 3, [0, 0, 1], threshold=0.667),
        voting.count("qualified", 3, [2, 2], threshold=0.667),
        voting.count("consent", 3, [0, 1, 2]),
        voting.count("consent", 3, []),
        voting.count("plurality", 3, [0, 1], seed="a"),
        voting.count("approval", 3, [[0, 1], [1]], max_choices=2),
        voting.count("approval", 3, [[0, 1], [1]]),
        voting.count("borda", 4, [[0, 1], [2]]),
        voting.count("cumulative", 3, [{0: 3}], dots=5),
        voting.count("score", 3, [{0: 3, 1: 3}], seed="b"),
        voting.count("irv", 3, [[0, 1]] * 2 + [[1, 2]] * 2 + [[2, 0]] * 2, seed="c"),
        voting.count("irv", 5, [[0]] * 2 + [[1]] * 2 + [[2, 0]]),
        voting.count("irv", 4, [[0]] * 4 + [[1]] * 2 + [[2]] * 2 + [[3, 1]]),
        voting.count("irv", 3, []),
    ]
    for _ in range(200):
        n = rng.randint(1, 4)
        ballots = [rng.sample(range(n), rng.randint(1, n)) for _ in range(rng.randint(1, 5))]
        counts.append(voting.count("irv", n, ballots, seed=str(rng.random())))
    return counts


def sample_priorities() -> list[voting.Priority]:
    yes = dict.fromkeys(voting.PEARL_FACTORS, 1)
    factors = {"size": 5, "seriousness": 6, "effectiveness": 7}
    return [
        voting.prioritize(
            "hanlon",
            [10, 11, 12],
            [
                {
                    "scores": {
                        "10": {**factors, **yes},
                        "11": {**factors, **yes},
                        "12": {**factors, **yes, "legality": 0, "economics": 0},
                    }
                }
            ],
            seed="s",
        ),
        voting.prioritize(
            "criteria",
            [10, 11],
            [{"scores": {"10": {"1": 3}, "11": {"1": 7}}}],
            criteria=[{"key": "1", "weight": 1.5, "min": 0, "max": 10}],
        ),
        voting.prioritize("dots", [10, 11], [{"dots": {"10": 2, "11": 2}}], seed="t"),
        voting.prioritize("ranked", [10, 11, 12], [{"ranking": [12, 10]}]),
        voting.prioritize("ranked", [10, 11], []),
    ]


def test_samples_cover_every_step_code():
    emitted = {s.code for c in sample_counts() for s in c.explanation}
    emitted |= {s.code for p in sample_priorities() for s in p.explanation}
    # The search limit needs thousands of tie states; its sentence is checked on its own below.
    assert emitted | {"irv_tie_search_incomplete", "irv_last"} == STEP_CODES


def assert_sentence(sentence: str, code: str) -> None:
    assert sentence and sentence != code
    assert "%(" not in sentence and ")s" not in sentence, sentence
    assert "option 1" not in sentence.lower() or "option" in code


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_count_step_has_a_sentence(language):
    with translation.override(language):
        for counted in sample_counts():
            labels = LABELS[: counted.option_count]
            sentences = explain_count(counted, labels)
            assert len(sentences) == len(counted.explanation)
            for step, sentence in zip(counted.explanation, sentences, strict=True):
                assert_sentence(sentence, step.code)
                for option in step.params.get("options", []):
                    assert labels[option] in sentence
                if "option" in step.params and step.code != "option_total":
                    assert labels[step.params["option"]] in sentence
        for code, params in (
            ("irv_tie_search_incomplete", {"option": 0}),
            ("irv_last", {"round": 2, "option": 1}),
        ):
            counted = voting.count("plurality", 2, [0])
            fake = voting.Count(**{**counted.__dict__, "explanation": [voting.Step(code, params)]})
            assert_sentence(explain_count(fake, LABELS)[0], code)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_priority_step_has_a_sentence(language):
    labels = {10: "Luminarias en pasaje", 11: "Sede sin techo", 12: "Microbasural"}
    with translation.override(language):
        for priority in sample_priorities():
            sentences = explain_priority(priority, labels)
            for step, sentence in zip(priority.explanation, sentences, strict=True):
                assert_sentence(sentence, step.code)
                if "need" in step.params:
                    assert labels[step.params["need"]] in sentence


def test_sentences_in_english():
    with translation.override("en"):
        counted = voting.count("irv", 3, [[0, 1]] * 2 + [[1, 2]] * 2 + [[2, 0]] * 2, seed="c")
        sentences = explain_count(counted, ["A", "B", "C"])
    assert sentences[1] == "6 valid ballots were counted."
    assert sentences[2] == "Round 1: A 2; B 2; C 2."
    assert sentences[3] == "A, B and C are tied for the fewest votes (2 each)."
    assert sentences[4].startswith("The tie is broken by lot, as the rules say: ")
    assert '"c:"' in sentences[4]
    assert sentences[4].endswith("The last one is eliminated.")
    assert sentences[-1].startswith("Depending on how the ties for the fewest votes are broken")


def test_numbers_are_localized():
    counted = voting.count("qualified", 3, [0, 0, 1], threshold=0.667)
    with translation.override("en"):
        english = " ".join(explain_count(counted, ["Yes", "No", "Abstain"]))
    with translation.override("es"):
        spanish = " ".join(explain_count(counted, ["Sí", "No", "Abstención"]))
    assert "2/3 (66.7 %)" in english
    assert "2/3 (66,7 %)" in spanish
    with translation.override("en"):
        big = explain_count(voting.count("plurality", 2, [0] * 1500 + [1]), ["A", "B"])
    assert "A: 1,500 votes." in big


def test_labels_fall_back_to_positions():
    with translation.override("en"):
        sentences = explain_count(voting.count("plurality", 2, [1]), [])
    assert "option 2: 1 vote." in sentences


def test_unknown_step_code_is_shown_not_raised():
    counted = voting.count("plurality", 2, [0])
    later = voting.Count(**{**counted.__dict__, "explanation": [voting.Step("from_the_future")]})
    assert explain_count(later, ["A", "B"]) == ["from_the_future"]


# --- ballot errors -----------------------------------------------------------------------------

ERROR_SAMPLES = {
    "empty": {},
    "bad_shape": {"expected": "ranking"},
    "unknown_option": {"option": 5},
    "duplicate_option": {"option": 1},
    "too_many_choices": {"chosen": 3, "max_choices": 2},
    "bad_number": {"option": 0, "value": "x"},
    "negative_points": {"option": 0, "points": -1},
    "too_many_points": {"given": 7, "dots": 5},
    "score_out_of_range": {"option": 2, "score": 9, "score_max": 5},
    "unknown_need": {"need": "99"},
    "duplicate_need": {"need": 11},
    "unknown_criterion": {"need": 11, "criterion": "beauty"},
    "missing_score": {"need": 11, "criterion": "size"},
    "criterion_out_of_range": {"need": 11, "criterion": "size", "score": 12, "min": 0, "max": 10},
    "criteria_weights": {},
}


def test_error_samples_cover_every_code():
    assert set(ERROR_SAMPLES) == ERROR_CODES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_ballot_error_has_a_message(language):
    with translation.override(language):
        generic = ballot_error_message(voting.BallotError("no_such_code"))
        for code, params in ERROR_SAMPLES.items():
            message = ballot_error_message(voting.BallotError(code, **params), LABELS)
            assert message and message != generic, code
            assert "%(" not in message
        for expected in ("option", "options", "ranking", "points", "scores", "other"):
            message = ballot_error_message(voting.BallotError("bad_shape", expected=expected))
            assert message


def test_ballot_error_messages_name_the_option():
    with translation.override("en"):
        assert (
            ballot_error_message(voting.BallotError("unknown_option", option=5))
            == "option 6 is not an option of this poll."
        )
        assert (
            ballot_error_message(
                voting.BallotError("score_out_of_range", option=2, score=9, score_max=5), LABELS
            )
            == "The score for Cancha must be between 0 and 5."
        )
        assert ballot_error_message(
            voting.BallotError("duplicate_need", need=11), {11: "Sede sin techo"}
        ) == ("Sede sin techo appears more than once.")
        assert (
            ballot_error_message(voting.BallotError("too_many_points", given=7, dots=5))
            == "You have 5 dots to place and placed 7."
        )


def test_real_errors_from_validate_ballot_have_messages():
    cases = [
        ("approval", [0, 0]),
        ("approval", []),
        ("borda", {1, 2}),
        ("cumulative", {0: 9}),
        ("score", {0: 7}),
    ]
    with translation.override("es"):
        for method, ballot in cases:
            with pytest.raises(voting.BallotError) as raised:
                voting.validate_ballot(method, 3, ballot)
            assert ballot_error_message(raised.value, LABELS)
