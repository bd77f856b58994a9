"""PostgreSQL as an independent reference for the Python stemming that SQLite's index uses:
its own Snowball dictionaries must stem as ours do, and its text search must find the same
rows as an FTS5 index built with our stems. Skipped on SQLite."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from tejido.learning import search
from tejido.learning.models import LibraryItem
from tejido.learning.search import text
from tejido.learning.tests.factories import LibraryItemFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL is the reference"),
]

SPANISH_WORDS = str.split(
    """
organización organizaciones organizar organizamos organizada organizaron organizó comunidad
comunidades comunitario comunitarias vecino vecinos vecinal vecinales barrio barrios territorio
territoriales participación participar participaron participantes mujer mujeres joven jóvenes
formación formaciones taller talleres huerto huertos huerta agua vivienda viviendas salud
escuela escuelas cuidados cuidar cuidadoras red redes fondos proyecto proyectos municipio
municipales cooperativa cooperativas cooperación alimentación alimentos energía energías
transición transiciones digitales democracia democráticas ecológica liderazgo líderes confianza
acuerdos acordaron asamblea asambleas evaluación evaluaciones presupuesto presupuestos
aprendizaje aprendimos experiencia experiencias migrantes migración reciclaje reciclamos
sequía incendios biblioteca cultura culturales deportes empleo emprendimientos contabilidad
entrevista entrevistas informe informes guía guías herramienta herramientas años niños niñas
trabajadoras trabajábamos comunicación económicas políticas públicos árboles canciones
"""
)

CATALAN_WORDS = str.split(
    """
organització organitzacions organitzar organitzada comunitat comunitats comunitari
comunitàries veí veïns veïnal veïnals barri barris territori territoris participació
participants dona dones jove joves joventut formació formacions taller tallers hort horts
aigua aigües habitatge habitatges salut escola escoles cures xarxa xarxes projecte projectes
municipi municipis cooperativa cooperatives cooperació alimentació aliments energia energies
transició transicions democràcia democràtica lideratge líders confiança acords assemblea
assemblees avaluació avaluacions pressupost pressupostos aprenentatge experiència experiències
col·lectiu col·lectius reciclatge biblioteques cultura culturals ocupació entrevistes informe
eines pobles mestres treballadores comunicació econòmiques polítiques públics arbres cançons
"""
)


def postgres_stem(dictionary: str, word: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ts_lexize(%s::regdictionary, %s)", [dictionary, word])
        lexemes = cursor.fetchone()[0]
    return lexemes[0] if lexemes else None  # a stop word has no lexeme


@pytest.mark.parametrize(
    ("language", "dictionary", "words"),
    [("es", "spanish_stem", SPANISH_WORDS), ("ca", "catalan_stem", CATALAN_WORDS)],
)
def test_python_stems_agree_with_postgres(language, dictionary, words):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = %s", [dictionary])
        if cursor.fetchone() is None:
            pytest.skip(f"this server has no {dictionary}")
    disagreements = []
    for word in words:
        theirs = postgres_stem(dictionary, word)
        if theirs is not None and text.fold(theirs) != text.stem(word, language):
            disagreements.append((word, theirs, text.stem(word, language)))
    assert disagreements == []


CORPUS = [
    ("Organizaciones vecinales del sur", "Juntas de vecinos que se organizan.", "es"),
    ("Memoria anual", "Las organizaciones comunitarias crecieron este año.", "es"),
    ("Huertos urbanos", "Mujeres jóvenes cultivan en el barrio.", "es"),
    ("Energía para todos", "Cooperativas de energía solar comunitaria.", "es"),
    ("L'organització veïnal", "Les entitats del barri treballen juntes.", "ca"),
    ("Cooperatives d'habitatge", "Organitzacions que construeixen habitatge.", "ca"),
    ("Dones i joves", "La participació de les dones al barri.", "ca"),
    ("Col·lectius culturals", "Xarxes de col·lectius i biblioteques.", "ca"),
    ("Community gardens", "Neighbours growing food together.", "en"),
]

QUERIES = [
    "organizaciones",
    "organización",
    "organizacion",
    "organitzacions",
    "organització",
    "vecinos",
    "vecinal juntas",
    "mujer",
    "jóvenes",
    "cooperativa",
    "energía",
    "dones",
    "participació",
    "col·lectius",
    "collectius",
    "barrio",
    "barris",
    "organiz",
    "huer",
    "gardens",
    "organizaciones comunitarias",
    "habitatges",
]


def test_postgres_finds_what_an_fts5_index_of_our_stems_finds(program):
    rows = [
        LibraryItemFactory(program=program, title=title, abstract=abstract, language=language)
        for title, abstract, language in CORPUS
    ]
    search.reindex(rows)
    fts = sqlite3.connect(":memory:")
    fts.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='unicode61')")
    for row in rows:
        fts.execute(
            "INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)",
            [
                row.pk,
                text.index_text([row.title], row.language),
                text.index_text([row.abstract], row.language),
            ],
        )
    differences = {}
    for query in QUERIES:
        expression = text.fts5_expression(query)
        by_sqlite = {r for (r,) in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression])}
        by_postgres = set(
            search.matching(LibraryItem.objects.all(), query).values_list("pk", flat=True)
        )
        assert by_postgres, query
        if by_sqlite != by_postgres:
            differences[query] = (by_sqlite, by_postgres)
    assert differences == {}


def test_rows_are_indexed_with_the_configuration_of_their_language(program):
    def row(title, language):
        return LibraryItemFactory(program=program, title=title, abstract="", language=language)

    spanish = row("Organizaciones", "es")
    catalan = row("Organitzacions", "ca")
    other = row("Organizações", "other")
    search.reindex([spanish, catalan, other])
    vectors = dict(
        LibraryItem.objects.filter(pk__in=[spanish.pk, catalan.pk, other.pk]).values_list(
            "pk", "search_vector"
        )
    )
    assert vectors[spanish.pk] == "'organiz':1A"
    assert vectors[catalan.pk] == "'organ':1A"
    assert vectors[other.pk] == "'organizações':1A"
    # The instance carries its vector: a later save keeps it.
    assert spanish.search_vector == "'organiz':1A"


def test_the_gin_index_serves_the_search(program):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'learning_libraryitem_search'"
        )
        assert "gin (search_vector)" in cursor.fetchone()[0]
