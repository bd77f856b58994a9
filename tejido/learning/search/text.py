"""Words, stems and query expressions for full-text search, without Django.

Snowball stemmers (the same algorithms PostgreSQL's text search uses) reduce a word to its stem
so that "organizaciones" and "organización" meet at "organiz", "organitzacions" and
"organització" at "organ". A document's words are stemmed in the document's language; a
query's language is unknown, so each query word is stemmed in Spanish, Catalan and English and
any of those stems may match. Accents are folded *after* stemming: the Spanish stemmer needs
them to recognise its suffixes ("-ación").

The SQLite backend stores `index_text()` in an FTS5 table and searches it with
`fts5_expression()`. The PostgreSQL backend lets PostgreSQL stem and uses only `query_words()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # uses PyStemmer's C implementation when it is installed

from . import stopwords

# A word: letters and digits; Catalan's "l·l" (also typed "l.l") stays inside a word
# ("col·lectiu"). Apostrophes, hyphens and underscores separate words ("l'entitat").
_WORD = re.compile(r"[^\W_]+(?:(?<=l)[·.](?=l)[^\W_]+)*")

# Longer tokens are not words (hashes, pasted URLs): leave them out of the index and queries.
MAX_WORD_LENGTH = 40
# A query is a few words; a pasted page is cut to its first words to bound the work.
MAX_QUERY_WORDS = 12
# The last word of a query also matches as a prefix (someone still typing) from this length.
MIN_PREFIX_LENGTH = 3

STEMMER_LANGUAGES = {"es": "spanish", "ca": "catalan", "en": "english", "pt": "portuguese"}
QUERY_LANGUAGES = ("es", "ca", "en")

_STOP_WORDS = {
    "es": stopwords.SPANISH,
    "ca": stopwords.CATALAN,
    "en": stopwords.ENGLISH,
}

# Suffixes people often type without their accent; the stemmers only know the accented form.
_UNACCENTED_ENDINGS = (
    ("cion", "ción"),
    ("sion", "sión"),
    ("cio", "ció"),
    ("sio", "sió"),
    ("ia", "ía"),
    ("ias", "ías"),
)


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, in order."""
    return [
        w.replace("l.l", "l·l") for w in _WORD.findall(text.lower()) if len(w) <= MAX_WORD_LENGTH
    ]


_MIDDLE_DOT = re.compile(r"(?<=[lL])[·.](?=[lL])")


def join_middle_dots(text: str) -> str:
    """ "col·lectiu" → "collectiu": PostgreSQL's parser would split the word at the dot; the
    Catalan stemmer gives both spellings the same stem."""
    return _MIDDLE_DOT.sub("", text)


def fold(word: str) -> str:
    """Remove accents and the Catalan middle dot (which the Catalan stemmer writes as a full
    stop): "organització" → "organitzacio", "col·lectiu" → "collectiu"."""
    decomposed = unicodedata.normalize("NFKD", word.replace("·", "").replace(".", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMER_LANGUAGES[language])


@lru_cache(maxsize=262_144)
def stem(word: str, language: str) -> str:
    """The folded stem of a lower-cased word in a language ("es", "ca", "en", "pt"; any other
    language is not stemmed, only folded)."""
    if language in STEMMER_LANGUAGES:
        word = _stemmer(language).stemWord(word)
    return fold(word)


def is_stop_word(word: str, language: str) -> bool:
    stop = _STOP_WORDS.get(language)
    return stop is not None and word in stop


def index_text(texts: Iterable[str], language: str) -> str:
    """The stems of the texts' words, space-separated: what the SQLite index stores."""
    return " ".join(
        stem(w, language)
        for text in texts
        if text
        for w in words(text)
        if not is_stop_word(w, language)
    )


def query_words(query: str) -> list[str]:
    """The words of a query worth searching for: stop words and repeats dropped, at most
    MAX_QUERY_WORDS. Empty when nothing searchable is left."""
    kept: list[str] = []
    for word in words(query):
        if word in stopwords.ANY or word in kept:
            continue
        kept.append(word)
        if len(kept) == MAX_QUERY_WORDS:
            break
    return kept


def spellings(word: str) -> list[str]:
    """The word and, if it was typed without the accent of a common suffix, the accented
    spelling the stemmers recognise: "organizacion" → ["organizacion", "organización"]."""
    found = [word]
    for bare, accented in _UNACCENTED_ENDINGS:
        if word.endswith(bare) and len(word) > len(bare) + 1:
            found.append(word[: -len(bare)] + accented)
    return found


@dataclass(frozen=True)
class QueryTerm:
    """One query word: its stems in every query language, and the prefix it may be the start
    of (only for the last word)."""

    word: str
    stems: tuple[str, ...]
    prefix: str | None


def query_terms(query: str) -> list[QueryTerm]:
    found = query_words(query)
    terms = []
    for position, word in enumerate(found):
        stems = {fold(word)}
        for spelling in spellings(word):
            stems.update(stem(spelling, language) for language in QUERY_LANGUAGES)
        is_last = position == len(found) - 1
        prefix = fold(word) if is_last and len(word) >= MIN_PREFIX_LENGTH else None
        terms.append(QueryTerm(word=word, stems=tuple(sorted(stems)), prefix=prefix))
    return terms


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for a user's query: every word must match, each in any of its
    stems; the last word also as a prefix. None when the query has nothing to search for.

    Every token is quoted, so FTS5 syntax typed by the user (NEAR, *, -, quotes, column
    filters) is searched as plain words, never interpreted."""
    groups = []
    for term in query_terms(query):
        options = [_quoted(s) for s in term.stems]
        if term.prefix:
            options.append(_quoted(term.prefix) + " *")
        groups.append("(" + " OR ".join(options) + ")")
    return " AND ".join(groups) or None
