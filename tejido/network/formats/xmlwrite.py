"""Small helpers for writing XML text by hand, a few hundred elements per chunk."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Characters XML 1.0 does not allow at all (a note pasted from a word processor may hold
# them); they are dropped rather than making the whole file unreadable.
_ILLEGAL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"
_SURROGATES = re.compile("[\ud800-\udfff]")
_TEXT_TABLE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"} | {
    ord(c): None for c in _ILLEGAL
}
# In attributes, newlines and tabs become character references, so that they survive the
# parser's normalization of attribute whitespace.
_ATTR_TABLE = _TEXT_TABLE | {
    ord('"'): "&quot;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
    ord("\t"): "&#9;",
}
_TEXT_SPECIAL = re.compile("[&<>" + re.escape(_ILLEGAL) + "\ud800-\udfff]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t' + re.escape(_ILLEGAL) + "\ud800-\udfff]")

CHUNK_ELEMENTS = 500


def text(value: str) -> str:
    if not _TEXT_SPECIAL.search(value):  # the common case, checked at C speed
        return value
    return _SURROGATES.sub("", value.translate(_TEXT_TABLE))


def attr(value: str) -> str:
    """A double-quoted attribute value."""
    if not _ATTR_SPECIAL.search(value):
        return f'"{value}"'
    return '"' + _SURROGATES.sub("", value.translate(_ATTR_TABLE)) + '"'


class Chunker:
    """Collects pieces of text and hands them out in chunks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.count = 0

    def add(self, piece: str) -> None:
        self.parts.append(piece)

    def element_done(self) -> bool:
        self.count += 1
        return self.count % CHUNK_ELEMENTS == 0

    def take(self) -> str:
        chunk = "".join(self.parts)
        self.parts.clear()
        return chunk

    def drain(self) -> Iterator[str]:
        if self.parts:
            yield self.take()
