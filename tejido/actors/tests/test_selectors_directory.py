# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""The directory selector: accent-insensitive search, disjunctive facets, subtree filter, pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tejido.accounts.models import Role
from tejido.accounts.rules import roles_in
from tejido.accounts.tests.factories import ProgramRoleFactory
from tejido.actors import selectors
from tejido.actors.models import ActorKind, Sector
from tejido.actors.selectors import DirectoryFilters, actor_directory, territory_summary
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["by-ids", "in-database"])
def search_path(request, monkeypatch):
    """Run each test through both ways of answering a text search."""
    if request.param == "in-database":
        monkeypatch.setattr(selectors, "TEXT_MATCH_CAP", 0)
    return request.param


@pytest.fixture
def place(db):
    chile = TerritoryFactory(name="Chile", slug="chile", level=0)
    rm = TerritoryFactory(name="Región Metropolitana", slug="rm", level=1, parent=chile)
    valpo = TerritoryFactory(name="Valparaíso", slug="valpo", level=1, parent=chile)
    puente_alto = TerritoryFactory(name="Puente Alto", slug="puente-alto", level=2, parent=rm)
    bajos = TerritoryFactory(name="Bajos de Mena", slug="bajos", level=3, parent=puente_alto)
    la_ligua = TerritoryFactory(name="La Ligua", slug="la-ligua", level=2, parent=valpo)
    return {
        "chile": chile,
        "rm": rm,
        "valpo": valpo,
        "pa": puente_alto,
        "bajos": bajos,
        "ligua": la_ligua,
    }


@pytest.fixture
def program(db, place):
    program = ProgramFactory()
    vivienda = ThemeFactory(name="Vivienda", slug="vivienda")
    salud = ThemeFactory(name="Salud", slug="salud")
    specs = [
        (
            "Junta de Vecinos Peñalolén Alto",
            Sector.COMMUNITY,
            ActorKind.ORGANIZATION,
            "bajos",
            [vivienda],
        ),
        ("Centro Cultural Ñuñoa", Sector.COMMUNITY, ActorKind.INFORMAL_GROUP, "pa", [salud]),
        (
            "Municipalidad de Puente Alto",
            Sector.PUBLIC,
            ActorKind.ORGANIZATION,
            "pa",
            [vivienda, salud],
        ),
        ("CESFAM Los Quillayes", Sector.PUBLIC, ActorKind.ORGANIZATION, "bajos", [salud]),
        ("Cooperativa La Ligua", Sector.PRIVATE, ActorKind.ORGANIZATION, "ligua", []),
        ("Escuela sin territorio", Sector.PUBLIC, ActorKind.ORGANIZATION, None, [vivienda]),
    ]
    for name, sector, kind, territory, themes in specs:
        actor = ActorFactory(
            program=program,
            name=name,
            sector=sector,
            kind=kind,
            territory=place[territory] if territory else None,
        )
        actor.themes.set(themes)
    person = PersonFactory(program=program, name="María José Peña", territory=place["ligua"])
    person.themes.set([salud])
    # Another program's actors never show.
    ActorFactory(name="Junta de Vecinos de otro programa", territory=place["bajos"])
    return program


@pytest.fixture
def member(program):
    """A member of the program, who sees its people; their roles are read once, beforehand."""
    user = ProgramRoleFactory(program=program, role=Role.EVALUATOR).user
    roles_in(user, program.pk)
    return user


def names(directory):
    return [actor.name for actor in directory.page.actors]


def counts(facet):
    return {option.value: option.count for option in facet.options if option.value}


def test_accents_and_case_do_not_matter(program, search_path, member):
    assert names(actor_directory(program=program, viewer=member, query="penalolen")) == [
        "Junta de Vecinos Peñalolén Alto"
    ]
    assert names(actor_directory(program=program, viewer=member, query="PEÑALOLÉN")) == [
        "Junta de Vecinos Peñalolén Alto"
    ]
    assert names(actor_directory(program=program, viewer=member, query="ñuñoa")) == [
        "Centro Cultural Ñuñoa"
    ]
    assert names(actor_directory(program=program, viewer=member, query="nunoa cultural")) == [
        "Centro Cultural Ñuñoa"
    ]


def test_every_word_must_match_and_other_programs_are_hidden(program, search_path, member):
    result = actor_directory(program=program, viewer=member, query="junta vecinos")
    assert names(result) == ["Junta de Vecinos Peñalolén Alto"]
    assert result.page.count == 1
    assert actor_directory(program=program, viewer=member, query="junta ligua").page.count == 0


def test_browse_lists_all_sorted_by_name(program, member):
    result = actor_directory(program=program, viewer=member)
    assert result.page.count == 7
    assert names(result) == sorted(names(result), key=str)
    assert names(actor_directory(program=program, viewer=member, descending=True)) == list(
        reversed(names(result))
    )


def test_facet_counts_are_disjunctive(program, search_path, member):
    result = actor_directory(
        program=program, viewer=member, filters=DirectoryFilters(sectors=frozenset({Sector.PUBLIC}))
    )
    assert result.page.count == 3
    # The sector facet ignores its own filter: the other sectors keep their counts.
    assert counts(result.sector) == {"community": 3, "public": 3, "private": 1}
    # Other facets apply it.
    assert counts(result.kind) == {"organization": 3}
    assert counts(result.theme) == {"vivienda": 2, "salud": 2}
    assert [o.value for o in result.sector.options if o.selected] == ["public"]


def test_facets_combine(program, search_path, member):
    result = actor_directory(
        program=program,
        viewer=member,
        query="es",
        filters=DirectoryFilters(
            sectors=frozenset({Sector.PUBLIC, Sector.COMMUNITY}),
            kinds=frozenset({ActorKind.ORGANIZATION}),
            themes=frozenset({"salud"}),
        ),
    )
    assert names(result) == ["CESFAM Los Quillayes"]
    # Theme counts apply every filter but their own: "Escuela" has vivienda only.
    assert counts(result.theme) == {"vivienda": 1, "salud": 1}
    assert counts(result.sector) == {"community": 0, "public": 1}  # selected stays listed


def test_single_letters_do_not_narrow(program, search_path, member):
    assert actor_directory(program=program, viewer=member, query="a").page.count == 7
    assert actor_directory(program=program, viewer=member, query="a junta").page.count == 1


def test_text_search_pages_are_sorted(program, search_path, member):
    first = actor_directory(program=program, viewer=member, query="de", page_size=1)
    assert first.page.count == 2
    assert names(first) == ["Junta de Vecinos Peñalolén Alto"]
    assert names(
        actor_directory(program=program, viewer=member, query="de", page=2, page_size=1)
    ) == ["Municipalidad de Puente Alto"]
    assert names(actor_directory(program=program, viewer=member, query="de", descending=True)) == [
        "Municipalidad de Puente Alto",
        "Junta de Vecinos Peñalolén Alto",
    ]


def test_region_includes_its_subtree(program, search_path, member):
    result = actor_directory(
        program=program, viewer=member, filters=DirectoryFilters(territory="rm")
    )
    assert result.selected_territory.slug == "rm"
    assert result.page.count == 4
    assert set(names(result)) == {
        "Junta de Vecinos Peñalolén Alto",
        "Centro Cultural Ñuñoa",
        "Municipalidad de Puente Alto",
        "CESFAM Los Quillayes",
    }
    leaf = actor_directory(
        program=program, viewer=member, filters=DirectoryFilters(territory="bajos")
    )
    assert leaf.page.count == 2


def test_territory_facet_is_a_drill_down_with_subtree_counts(program, search_path, member):
    top = actor_directory(program=program, viewer=member)
    # Everything is in Chile, so the facet starts at the regions.
    assert [(o.value, o.count) for o in top.territory.options] == [
        ("", 0),
        ("rm", 4),
        ("valpo", 2),
    ]
    assert top.territory.options[0].selected
    drilled = actor_directory(
        program=program, viewer=member, filters=DirectoryFilters(territory="puente-alto")
    )
    assert [(o.value, o.count, o.depth) for o in drilled.territory.options] == [
        ("", 0, 0),
        ("chile", 6, 1),
        ("rm", 4, 2),
        ("puente-alto", 4, 3),
        ("bajos", 2, 4),
    ]
    assert [o.value for o in drilled.territory.options if o.selected] == ["puente-alto"]


def test_unknown_values_are_ignored(program, search_path, member):
    result = actor_directory(
        program=program,
        viewer=member,
        filters=DirectoryFilters(
            sectors=frozenset({"nonsense"}), territory="nowhere", themes=frozenset({"nothing"})
        ),
    )
    assert result.page.count == 7
    assert result.selected_territory is None


def test_pages_are_clamped_and_counted(program, member):
    result = actor_directory(program=program, viewer=member, page=99, page_size=3)
    assert result.page.number == 3
    assert result.page.num_pages == 3
    assert names(result) == ["Municipalidad de Puente Alto"]
    assert (result.page.start_index, result.page.end_index) == (7, 7)
    empty = actor_directory(program=program, viewer=member, query="zzz", page=5)
    assert (empty.page.number, empty.page.count, empty.page.actors) == (1, 0, [])


def test_large_sets_estimate_theme_counts(program, monkeypatch, member):
    monkeypatch.setattr(selectors, "THEME_COUNT_EXACT_LIMIT", 2)
    result = actor_directory(program=program, viewer=member)
    assert all(option.approximate for option in result.theme.options)
    # Sector, kind and territory counts and the total stay exact.
    assert result.page.count == 7
    assert counts(result.sector) == {"community": 3, "public": 3, "private": 1}


def test_query_count_does_not_grow_with_data(program, place, search_path, member):
    def count_queries(**kwargs):
        with CaptureQueriesContext(connection) as ctx:
            actor_directory(program=program, viewer=member, **kwargs)
        return len(ctx.captured_queries)

    cases = [
        {},
        {"query": "de"},
        {"filters": DirectoryFilters(territory="rm", themes=frozenset({"salud"}))},
    ]
    before = [count_queries(**case) for case in cases]
    salud = program.actors.first().themes.model.objects.get(slug="salud")
    for n in range(40):
        actor = ActorFactory(
            program=program, name=f"Agrupación {n}", territory=place["bajos" if n % 2 else "ligua"]
        )
        actor.themes.set([salud])
    assert [count_queries(**case) for case in cases] == before
    assert max(before) <= 9


def test_territory_summary(program, place, member):
    summary = territory_summary(program=program, viewer=member, territory=place["rm"])
    assert [t.slug for t in summary.ancestors] == ["chile"]
    assert [(t.slug, n) for t, n in summary.children] == [("puente-alto", 4)]
    assert summary.based_count == 4
    assert {code: n for code, _label, n in summary.by_sector} == {
        "community": 2,
        "public": 2,
    }
    assert len(summary.page.actors) == 4
    first = program.actors.get(name="Cooperativa La Ligua")
    first.territories_served.set([place["bajos"]])
    assert (
        territory_summary(program=program, viewer=member, territory=place["rm"]).serving_count == 1
    )


def test_few_and_many_matches_cost_the_same_number_of_queries(program, monkeypatch, member):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            actor_directory(
                program=program, viewer=member, query="de", filters=DirectoryFilters(territory="rm")
            )
        return len(ctx.captured_queries)

    by_ids = count_queries()
    monkeypatch.setattr(selectors, "TEXT_MATCH_CAP", 0)
    assert count_queries() == by_ids
