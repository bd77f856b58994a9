"""The pure stemming and query module, without a database."""

from __future__ import annotations

import sqlite3

import pytest

from tejido.learning.search import text


def test_words_split_on_punctuation_and_keep_the_catalan_middle_dot():
    assert text.words("L'organització, col·lectiva i col.lectiva!") == [
        "l",
        "organització",
        "col·lectiva",
        "i",
        "col·lectiva",
    ]
    assert text.words("foo_bar-baz 2024") == ["foo", "bar", "baz", "2024"]
    assert text.words("x" * 41 + " ok") == ["ok"]


def test_fold_removes_accents_and_middle_dots():
    assert text.fold("organització") == "organitzacio"
    assert text.fold("años") == "anos"
    assert text.fold("col·lect") == "collect"
    assert text.fold("col.lect") == "collect"


@pytest.mark.parametrize(
    ("words", "language"),
    [
        (["organización", "organizaciones", "organizar", "organizamos", "organizada"], "es"),
        (["comunidades", "comunidad"], "es"),
        (["participación", "participar", "participaron"], "es"),
        (["jóvenes", "jovenes"], "es"),
        (["organització", "organitzacions", "organitzar"], "ca"),
        (["comunitat", "comunitats"], "ca"),
        (["col·lectiu", "col·lectius", "col.lectius"], "ca"),
        (["garden", "gardens", "gardening"], "en"),
    ],
)
def test_inflections_share_a_stem(words, language):
    assert len({text.stem(w, language) for w in words}) == 1, [
        text.stem(w, language) for w in words
    ]


def test_stem_first_then_fold():
    # Folding first would hide the accented suffixes from the stemmers.
    assert text.stem("energía", "es") == "energ"
    assert text.stem("energia", "es") != "energ"
    assert text.stem("organització", "ca") == "organ"
    assert text.stem("organitzacio", "ca") != "organ"
    assert text.stem("años", "es") == "anos"


def test_a_query_typed_without_accents_reaches_the_accented_stem():
    (term,) = text.query_terms("energia")
    assert "energ" in term.stems
    (term,) = text.query_terms("organitzacio")
    assert "organ" in term.stems


def test_unknown_language_is_only_folded():
    assert text.stem("Ñandúes".lower(), "other") == "nandues"


def test_index_text_drops_the_rows_language_stop_words():
    assert text.index_text(["La organización de las mujeres"], "es") == "organiz mujer"
    assert text.index_text(["Les dones de l'entitat"], "ca") == "don ent"
    assert text.index_text(["", None, "Huertos"], "es") == "huert"


def test_query_words_drop_stop_words_repeats_and_cut_long_queries():
    assert text.query_words("la organización de la organización") == ["organización"]
    assert text.query_words("!!! ... ???") == []
    assert len(text.query_words(" ".join(f"palabra{n}" for n in range(50)))) == (
        text.MAX_QUERY_WORDS
    )


def test_query_terms_stem_in_every_language_and_restore_a_missing_accent():
    (term,) = text.query_terms("organizacion")
    assert "organiz" in term.stems  # Spanish stem of "organización"
    (term,) = text.query_terms("organitzacio")
    assert text.stem("organització", "ca") in term.stems
    (term,) = text.query_terms("mujer")
    assert {"muj", "mujer"} <= set(term.stems)


def test_only_the_last_word_is_a_prefix():
    first, last = text.query_terms("huertos organiz")
    assert first.prefix is None
    assert last.prefix == "organiz"
    (short,) = text.query_terms("ab")
    assert short.prefix is None


def test_fts5_expression_quotes_everything():
    expression = text.fts5_expression('NEAR("a" b*) OR title:c -d ^e')
    assert expression is not None
    assert "NEAR(" not in expression
    assert expression.count("(") == expression.count(")")
    assert text.fts5_expression("") is None
    assert text.fts5_expression("de la") is None


@pytest.fixture
def fts():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='unicode61')")
    return db


@pytest.mark.parametrize(
    "query",
    [
        'NEAR("a" b)',
        "*",
        '"',
        "a AND OR NOT",
        "title:x",
        "-x",
        "^x",
        "(x",
        "x)",
        "'x'",
        "x" * 10000,
        "🙂",
        "\x00",
    ],
)
def test_every_expression_is_valid_fts5(fts, query):
    expression = text.fts5_expression(query)
    if expression is not None:
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()


def test_expression_finds_documents_in_another_inflection(fts):
    rows = [
        (1, "La organización vecinal", "Juntas de vecinos", "es"),
        (2, "L'organització veïnal", "Entitats del barri", "ca"),
        (3, "Huertos urbanos", "Mujeres del barrio", "es"),
    ]
    for rowid, title, body, language in rows:
        fts.execute(
            "INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)",
            [rowid, text.index_text([title], language), text.index_text([body], language)],
        )

    def found(query):
        expression = text.fts5_expression(query)
        return {r for (r,) in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression])}

    assert found("organizaciones") == {1}
    assert found("organitzacions") == {2}
    assert found("vecinales juntas") == {1}
    assert found("mujer") == {3}
    assert found("huer") == {3}
