"""Certificate verification codes: random, unguessable and easy to type.

A code reads `TJD-7K3M-Q9XD-2P4C`: a fixed prefix, then twelve characters of Douglas
Crockford's base-32 alphabet (digits and capitals without I, L, O and U, so that nothing reads
as something else) in groups of four. The first eleven are random (55 bits from `secrets`);
the last is a check character computed with the Luhn mod N algorithm over the same alphabet,
so it is typed like any other. The check catches every single mistyped character and almost
every swap of two neighbours, which lets the public page tell "you mistyped it" apart from
"no certificate has this code" without looking anything up.

What people type is normalized first: case, spaces, dashes and dots do not matter, O reads as
0 and I or L as 1, and the prefix may be left out. Pure Python: no Django here.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)  # 32
PREFIX = "TJD"
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1  # with the check character
GROUP = 4
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Characters people confuse with the alphabet's own.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\u2010\u2011\u2012\u2013\u2014\t\n")


class MalformedCode(ValueError):
    """What was typed cannot be a certificate code (wrong length, a foreign character, or a
    check character that does not match: a typing mistake)."""


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of `body` (characters of ALPHABET)."""
    factor = 2
    total = 0
    # From the right, doubling every other value; the digits of the doubled value in base 32
    # are added, as in the decimal Luhn check.
    for symbol in reversed(body):
        addend = factor * _VALUES[symbol]
        factor = 1 if factor == 2 else 2
        total += addend // BASE + addend % BASE
    return ALPHABET[(BASE - total % BASE) % BASE]


def is_consistent(characters: str) -> bool:
    """Whether the last character is the check character of the others."""
    return check_character(characters[:-1]) == characters[-1]


def format_code(characters: str) -> str:
    """`TJD-XXXX-XXXX-XXXX` from the twelve characters."""
    groups = [characters[i : i + GROUP] for i in range(0, len(characters), GROUP)]
    return "-".join([PREFIX, *groups])


def new_code() -> str:
    """A fresh random code, formatted (uniqueness is the database's to check)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_code(body + check_character(body))


def normalize(typed: str) -> str:
    """The canonical form of a typed code, or MalformedCode.

    >>> normalize("tjd 7k3m q9xd 2p4c") == normalize("7K3M-Q9XD-2P4C")
    True
    """
    cleaned = (typed or "").upper().translate(_SEPARATORS)
    if len(cleaned) == len(PREFIX) + LENGTH and cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != LENGTH or any(symbol not in _VALUES for symbol in cleaned):
        raise MalformedCode(typed)
    if not is_consistent(cleaned):
        raise MalformedCode(typed)
    return format_code(cleaned)


def is_well_formed(typed: str) -> bool:
    try:
        normalize(typed)
    except MalformedCode:
        return False
    return True
