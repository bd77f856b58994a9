"""A streaming XML parser that refuses document type declarations.

GEXF and GraphML never need a DOCTYPE. With one, an uploaded file could declare entities that
expand a few kilobytes into gigabytes ("billion laughs") or pull in other files (external
entities). Python's expat does not fetch external entities, but it does expand internal ones;
defusedxml is not a dependency of Tejido, so the parser here does what it does: any DOCTYPE or
ENTITY declaration stops the parse with an error, before a single entity is expanded.

Expat is the parser under `xml.etree`; it is used directly for the line number of every
element (messages point at the line) and to stream files without building a tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from .graph import GraphFormatError

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

StartHandler = Callable[[str, dict[str, str], int], None]
EndHandler = Callable[[str, str, int], None]


class _Refused(Exception):
    pass


def refuse_declarations(data: bytes) -> None:
    """Raise GraphFormatError if the document declares a document type or entities."""
    # Checked on the raw bytes first (UTF-8 and ASCII-compatible encodings), and again by
    # the parser's handlers for documents in other encodings.
    match = _DECLARATION.search(data)
    if match:
        line = data[: match.start()].count(b"\n") + 1
        raise GraphFormatError(_declaration_message(), line=line)


def _declaration_message() -> str:
    return _(
        "The file declares a document type or entities (<!DOCTYPE> or <!ENTITY>). Tejido "
        "refuses such files for safety: GEXF and GraphML files never need them. Save the file "
        "again from your network program."
    )


def parse(data: bytes, *, start: StartHandler, end: EndHandler) -> None:
    """Parse `data`, calling `start(name, attributes, line)` and `end(name, text, line)` for
    every element. Names have their namespace removed. Raises GraphFormatError."""
    refuse_declarations(data)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    text: list[str] = []

    def refuse(*_args: Any) -> None:
        raise _Refused

    def refuse_external(*_args: Any) -> int:
        raise _Refused

    def on_start(name: str, attributes: dict[str, str]) -> None:
        text.clear()
        start(_local(name), attributes, parser.CurrentLineNumber)

    def on_end(name: str) -> None:
        end(_local(name), "".join(text), parser.CurrentLineNumber)
        text.clear()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = text.append
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise GraphFormatError(_declaration_message(), line=parser.CurrentLineNumber) from exc
    except expat.ExpatError as exc:
        raise GraphFormatError(
            _("The file is not well-formed XML (line %(line)s, column %(column)s: %(error)s).")
            % {
                "line": exc.lineno,
                "column": exc.offset + 1,
                "error": expat.ErrorString(exc.code),
            },
            line=exc.lineno,
        ) from exc


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
