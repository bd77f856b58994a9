"""Certificate codes: pure, no database."""

from __future__ import annotations

import re

import pytest

from tejido.learning.attendance import codes

SHAPE = re.compile(r"^TJD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_codes_have_the_shape_and_check():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500
    for code in made:
        assert SHAPE.match(code), code
        assert codes.normalize(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "tjd-{}",
        "TJD {}",
        "  tjd{}  ",
        "{}",
        "{} ",
    ],
)
def test_normalize_accepts_the_ways_people_type(typed):
    code = codes.new_code()
    body = code[4:]
    variants = [body, body.replace("-", ""), body.replace("-", " ").lower()]
    for variant in variants:
        assert codes.normalize(typed.format(variant)) == code


def test_lookalike_letters_read_as_digits():
    body = "0110" + "ABCD" + "EFG"
    code = codes.format_code(body + codes.check_character(body))
    typed = code.replace("0", "O").replace("1", "I", 1).replace("1", "l")
    assert typed != code
    assert codes.normalize(typed) == code


def test_every_single_changed_character_is_detected():
    for _ in range(40):
        code = codes.new_code()
        characters = code[4:].replace("-", "")
        for position in range(len(characters)):
            for symbol in codes.ALPHABET:
                if symbol == characters[position]:
                    continue
                changed = characters[:position] + symbol + characters[position + 1 :]
                assert not codes.is_consistent(changed), (code, position, symbol)
                assert not codes.is_well_formed(changed)


def test_most_swaps_of_neighbours_are_detected():
    swaps = caught = 0
    for _ in range(200):
        characters = codes.new_code()[4:].replace("-", "")
        for position in range(len(characters) - 1):
            a, b = characters[position], characters[position + 1]
            if a == b:
                continue
            swapped = characters[:position] + b + a + characters[position + 2 :]
            swaps += 1
            caught += not codes.is_consistent(swapped)
    assert caught / swaps > 0.9


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "TJD",
        "TJD-7K3M-Q9XD",
        "TJD-7K3M-Q9XD-2P4C-XXXX",
        "TJD-7K3M-Q9XD-2P4U",
        "héllo",
        "TEST-0001",
        "TJD-7K3M-Q9XD-2P4*",
    ],
)
def test_malformed_inputs_are_refused(typed):
    assert not codes.is_well_formed(typed)
    with pytest.raises(codes.MalformedCode):
        codes.normalize(typed)


def test_a_code_without_its_prefix_that_starts_like_the_prefix():
    # Twelve characters that begin with T, J, D are a code body, not a prefix.
    body = "TJD" + "12345678"
    code = codes.format_code(body + codes.check_character(body))
    assert codes.normalize(code[4:]) == code
    assert codes.normalize(code) == code
