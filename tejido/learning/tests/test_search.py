"""Full-text search over library items and experiences, on the database the tests run on
(SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import pytest
from django.db import connection

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.learning import search
from tejido.learning.models import Experience, LibraryItem
from tejido.learning.tests.factories import ExperienceFactory, LibraryItemFactory

pytestmark = pytest.mark.django_db


def item(program, title, abstract="", body="", language="es", **extra):
    row = LibraryItemFactory(
        program=program, title=title, abstract=abstract, body=body, language=language, **extra
    )
    search.reindex([row])
    return row


def found(query, queryset=None):
    queryset = LibraryItem.objects.all() if queryset is None else queryset
    return set(search.matching(queryset, query).values_list("title", flat=True))


def ranked(query, queryset=None):
    queryset = LibraryItem.objects.all() if queryset is None else queryset
    return list(
        search.matching(queryset, query)
        .order_by("-search_rank", "id")
        .values_list("title", flat=True)
    )


@pytest.fixture
def library(program):
    item(program, "La organización vecinal", "Cómo se organizan las juntas de vecinos.")
    item(program, "Huertos urbanos", "Mujeres que cultivan en el barrio.")
    item(program, "Memoria del año", "Las organizaciones comunitarias crecieron.")
    item(
        program, "L'organització veïnal", "Les entitats del barri treballen juntes.", language="ca"
    )
    item(
        program,
        "Cooperatives d'habitatge",
        "Organitzacions que construeixen habitatge.",
        language="ca",
    )
    item(program, "Community gardens", "Neighbours organising food growing.", language="en")
    return program


def test_spanish_plural_finds_singular_and_back(library):
    assert found("organizaciones") >= {"La organización vecinal", "Memoria del año"}
    assert found("organización") >= {"La organización vecinal", "Memoria del año"}
    assert "Huertos urbanos" not in found("organizaciones")


def test_spanish_verb_forms_meet_the_noun_stem(library):
    # "organizan" (a verb) and "organizar" share the stem "organiz" with "organización".
    assert "La organización vecinal" in found("organizar")
    assert "Memoria del año" in found("organizan")


def test_catalan_plural_finds_singular_and_back(library):
    assert found("organitzacions") >= {"L'organització veïnal", "Cooperatives d'habitatge"}
    assert found("organització") >= {"L'organització veïnal", "Cooperatives d'habitatge"}
    assert "L'organització veïnal" in found("entitat")
    assert "Cooperatives d'habitatge" in found("cooperativa")


def test_english_inflections(library):
    assert "Community gardens" in found("garden")
    assert "Community gardens" in found("organise")


def test_accents_are_optional_in_the_query(library):
    assert "La organización vecinal" in found("organizacion")
    assert "L'organització veïnal" in found("organitzacio")
    assert "L'organització veïnal" in found("veinal")
    assert "Huertos urbanos" in found("MUJERES")


def test_every_word_must_match(library):
    assert found("organizaciones vecinos") == {"La organización vecinal"}
    assert found("organizaciones comunitarias") == {"Memoria del año"}
    assert found("organizaciones tomates") == set()


def test_stop_words_do_not_have_to_match(library):
    assert found("la organización de los vecinos") == {"La organización vecinal"}


def test_a_word_in_the_title_ranks_first(program):
    item(program, "Manual de contabilidad", "Una guía para tesoreros de juntas de vecinos.")
    item(program, "Guía de huertos", "Huertos, semillas y también algo de contabilidad.")
    item(program, "Informe sin relación", "Nada que ver.")
    assert ranked("contabilidad") == ["Manual de contabilidad", "Guía de huertos"]
    ranks = list(
        search.matching(LibraryItem.objects.all(), "contabilidad").values_list(
            "search_rank", flat=True
        )
    )
    assert all(isinstance(rank, float) and rank > 0 for rank in ranks)


def test_more_occurrences_rank_higher_within_the_body(program):
    item(program, "Uno", "Riego por goteo.", "Texto largo sobre otras cosas y más cosas.")
    item(program, "Dos", "Riego, riego y más riego.", "El riego del huerto.")
    assert ranked("riego") == ["Dos", "Uno"]


def test_the_last_word_matches_as_a_prefix(library):
    assert "La organización vecinal" in found("organiz")
    assert "Huertos urbanos" in found("huer")
    # Only the last word: an earlier fragment must be a whole word.
    assert found("huer mujeres") == set()


def test_blank_query_returns_everything_with_rank_zero(library):
    rows = search.matching(LibraryItem.objects.all(), "   ")
    assert rows.count() == LibraryItem.objects.count()
    assert {r.search_rank for r in rows} == {0.0}
    assert search.matching(LibraryItem.objects.all(), None).count() == LibraryItem.objects.count()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"organización',
        "organiza*",
        "*",
        "NEAR(organización vecinal)",
        "organización NEAR vecinal",
        "-organización",
        "organización AND OR NOT",
        "title:organización",
        "^organización",
        "(organización",
        "!!! ??? ...",
        "de la los",
        "x" * 5000,
        "organización " * 500,
        "\x00\n\t",
        "🙂 organización",
    ],
)
def test_odd_input_never_errors(library, query):
    rows = search.matching(LibraryItem.objects.all(), query)
    assert rows.count() >= 0
    list(rows.order_by("-search_rank")[:20])


def test_fts_syntax_is_searched_as_words(library):
    # Quotes, minus signs, stars and parentheses are not operators: the words still count.
    assert found('("organización" -vecinal*)') == {"La organización vecinal"}
    # "near" is then a word like any other, which no row has.
    assert found("NEAR(organización vecinal)") == set()
    assert "La organización vecinal" in found("-organización")
    assert found("!!! ???") == set()
    assert found("de la los") == set()


def test_a_changed_row_is_found_by_its_new_words_not_its_old(program):
    row = item(program, "Taller de compostaje", "Compost en la escuela.")
    assert found("compostaje") == {"Taller de compostaje"}
    row.title = "Taller de reciclaje"
    row.abstract = "Separar residuos en la escuela."
    row.save()
    search.reindex([row])
    assert found("compostaje") == set()
    assert found("reciclaje") == {"Taller de reciclaje"}
    assert found("residuos") == {"Taller de reciclaje"}


def test_the_vector_survives_a_later_save_of_the_same_instance(program):
    row = item(program, "Taller de compostaje", "Compost en la escuela.")
    row.status = "draft"
    row.save()
    assert found("compostaje") == {"Taller de compostaje"}


def test_removed_rows_are_not_found(program):
    keep = item(program, "Ferias libres", "Comercio de barrio.")
    gone = item(program, "Ferias de ciencia", "Escuelas del barrio.")
    search.remove([gone])
    gone.delete()
    assert found("ferias") == {"Ferias libres"}
    assert search.matching(LibraryItem.objects.all(), "ferias").get() == keep


def test_authors_names_are_searched(program):
    author = ActorFactory(program=program, name="Fundación Tierra Viva")
    row = LibraryItemFactory(program=program, title="Informe anual", abstract="Resultados.")
    row.authors.add(author)
    search.reindex([row])
    assert found("tierra viva") == {"Informe anual"}


def test_reindex_many_rows_in_few_queries(program, django_assert_max_num_queries):
    rows = [
        LibraryItemFactory(program=program, title=f"Informe {n}", abstract="Organizaciones.")
        for n in range(30)
    ]
    for row in rows[:10]:
        row.authors.add(ActorFactory(program=program, name=f"Autora {row.pk}"))
    with django_assert_max_num_queries(3):
        search.reindex(rows)
    assert len(found("organizacion")) == 30
    assert len(found("autora")) == 10


def test_matching_keeps_filters_counts_and_slices(program):
    other = ProgramFactory()
    item(program, "Agua potable rural", "Comités de agua.")
    item(program, "Agua y territorio", "Cuencas.", visibility="members")
    item(other, "Agua en la ciudad", "Redes de agua.")
    mine = LibraryItem.objects.filter(program=program)
    assert found("agua", mine) == {"Agua potable rural", "Agua y territorio"}
    assert search.matching(mine.filter(visibility="public"), "agua").count() == 1
    page = search.matching(mine, "agua").order_by("-search_rank")[:1]
    assert len(page) == 1
    # Filtering after matching works too.
    assert search.matching(mine, "agua").filter(visibility="members").count() == 1


def test_experiences_are_searched_on_all_their_parts(program):
    organization = ActorFactory(program=program)
    experience = ExperienceFactory(
        program=program,
        organization=organization,
        title="Huerta en la escuela",
        context="Un colegio sin patio.",
        what_was_done="Plantamos tomates.",
        what_happened="Los apoderados se sumaron.",
        lessons="Regar temprano.",
        evidence="Fotografías del proceso.",
    )
    ExperienceFactory(program=program, organization=organization, title="Otra cosa")
    search.reindex(Experience.objects.filter(program=program))
    for word in ["huertas", "colegios", "tomate", "apoderado", "regaron", "fotografía"]:
        rows = search.matching(Experience.objects.all(), word)
        assert list(rows) == [experience], word


def test_rows_of_other_models_are_refused(program):
    with pytest.raises(TypeError):
        search.reindex([program])
    with pytest.raises(TypeError):
        search.reindex([LibraryItemFactory(program=program), ExperienceFactory(program=program)])
    search.reindex([])  # nothing to do


def test_a_spanish_row_and_a_catalan_row_each_stem_in_their_language(program):
    # "comunitat" is Catalan: the Catalan stemmer makes it "comun", which a Spanish search for
    # "comunidades" (stemmed "comun" in Spanish? no: "comun") also reaches.
    item(program, "Xarxa comunitària", "La comunitat del barri.", language="ca")
    assert "Xarxa comunitària" in found("comunitats")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_index_holds_folded_stems(program):
    row = item(program, "Organizaciones", "jóvenes", language="es")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, body FROM learning_libraryitem_fts WHERE rowid = %s", [row.pk]
        )
        assert cursor.fetchone() == ("organiz", "joven")


def test_a_query_matching_more_than_the_limit_keeps_the_newest(program, monkeypatch):
    monkeypatch.setattr(search, "MAX_MATCHES", 3)
    rows = [item(program, f"Ferias {n}", "Comercio local.") for n in range(5)]
    item(program, "Otra cosa", "Nada.")
    found_rows = search.matching(LibraryItem.objects.all(), "ferias")
    assert found_rows.count() == 3
    assert set(found_rows.values_list("pk", flat=True)) == {r.pk for r in rows[-3:]}
    # The limit counts rows that pass the filters given before matching.
    filtered = search.matching(LibraryItem.objects.filter(pk__lte=rows[2].pk), "ferias")
    assert set(filtered.values_list("pk", flat=True)) == {r.pk for r in rows[:3]}


def test_matching_reads_in_a_fixed_number_of_queries(program, django_assert_max_num_queries):
    for n in range(30):
        item(program, f"Huertos {n}", "Riego y semillas.")
    search.matching(LibraryItem.objects.all(), "riego")  # PostgreSQL reads its configurations
    # The search (PostgreSQL: the newest rows, then the GIN index), the count, the page.
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 3):
        rows = search.matching(LibraryItem.objects.filter(program=program), "huertos")
        assert rows.count() == 30
        assert len(rows.order_by("-search_rank")[:20]) == 20
