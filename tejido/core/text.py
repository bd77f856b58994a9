"""Text normalization shared by search and import: lower case, no accents, single spaces."""

import functools
import sys
import unicodedata


@functools.cache
def _combining_marks() -> dict[int, None]:
    # Every combining code point, so one str.translate call strips accents: an import folds
    # half a million names, and testing each character in Python was the bottleneck.
    return dict.fromkeys(cp for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp)))


def normalize_for_search(*parts: str) -> str:
    text = " ".join(p for p in parts if p)
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(decomposed.translate(_combining_marks()).split())
