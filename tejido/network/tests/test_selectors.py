"""Reads for the profile and the map: the right ties, the right actors, few queries."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import TieType
from tejido.network.selectors import (
    MapView,
    default_territory,
    map_data,
    map_fingerprint,
    map_scope,
    map_summary,
    map_territory_options,
    partner_options,
    ties_for_actor,
)
from tejido.network.services import tie_create, tie_end, tie_update
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


def url_for(pk):
    return f"/a/{pk}/"


def nodes(data):
    """The map's node columns as one dict per node, codes resolved."""
    columns, meta = data["nodes"], data["meta"]
    rows = []
    for i, pk in enumerate(columns["id"]):
        row = {key: column[i] for key, column in columns.items()}
        row["sector"] = meta["sectors"][row["sector"]]["code"]
        row["url"] = meta["actor_url"].replace("{id}", str(pk))
        rows.append(row)
    return rows


def edges(data):
    """The map's edge columns as one dict per edge, ends as actor ids."""
    ids, columns, meta = data["nodes"]["id"], data["edges"], data["meta"]
    return [
        {
            "source": ids[s],
            "target": ids[t],
            "type": meta["tie_types"][kind]["code"],
            "intensity": intensity,
        }
        for s, t, kind, intensity in zip(
            columns["source"], columns["target"], columns["type"], columns["intensity"], strict=True
        )
    ]


def edge_set(data):
    return {tuple(sorted((e["source"], e["target"]))) for e in edges(data)}


@pytest.fixture
def world(program):
    """Chile › Metropolitana › Puente Alto › Bajos de Mena, and San Bernardo beside it."""
    chile = TerritoryFactory(name="Chile", slug="chile", level=Territory.Level.COUNTRY)
    rm = TerritoryFactory(name="Metropolitana", slug="rm", level=1, parent=chile)
    puente = TerritoryFactory(name="Puente Alto", slug="puente-alto", level=2, parent=rm)
    bajos = TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena", level=3, parent=puente)
    sanber = TerritoryFactory(name="San Bernardo", slug="san-bernardo", level=2, parent=rm)
    health = ThemeFactory(name="Salud", slug="salud")
    a = ActorFactory(program=program, name="A", territory=puente, sector=Sector.PUBLIC)
    b = ActorFactory(program=program, name="B", territory=bajos)
    c = ActorFactory(program=program, name="C", territory=sanber)
    d = ActorFactory(program=program, name="D", territory=sanber, sector=Sector.ACADEMIA)
    e = ActorFactory(program=program, name="E")  # no territory
    d.territories_served.add(bajos)  # works in Bajos de Mena from San Bernardo
    for actor in (a, c):
        actor.themes.add(health)
    ties = {
        "ab": TieFactory(source=a, target=b, intensity=3),
        "ac": TieFactory(source=a, target=c, tie_type=TieType.FUNDING),
        "bd": TieFactory(source=b, target=d),
        "cd": TieFactory(source=c, target=d),
        "ae": TieFactory(source=a, target=e),
    }
    return {
        "territories": {"chile": chile, "puente": puente, "bajos": bajos, "sanber": sanber},
        "theme": health,
        "actors": {"a": a, "b": b, "c": c, "d": d, "e": e},
        "ties": ties,
    }


@pytest.fixture
def member(program):
    """A member of the program: sees its people."""
    return ProgramRoleFactory(program=program, role=Role.EVALUATOR).user


def ids(world, *names):
    return {world["actors"][n].pk for n in names}


def pairs(world, *names):
    return {tuple(sorted((world["actors"][n[0]].pk, world["actors"][n[1]].pk))) for n in names}


def test_multisector_view_has_every_actor_and_active_tie(program, world, member):
    scope = map_scope(program, viewer=member, view=MapView.MULTISECTOR)
    data = map_data(scope, url_for=url_for, today=TODAY)
    assert {n["id"] for n in nodes(data)} == ids(world, "a", "b", "c", "d", "e")
    assert edge_set(data) == pairs(world, "ab", "ac", "bd", "cd", "ae")
    a = next(n for n in nodes(data) if n["id"] == world["actors"]["a"].pk)
    assert a["sector"] == "public" and a["url"] == f"/a/{a['id']}/"
    assert sum(a["id"] in (e["source"], e["target"]) for e in edges(data)) == 3
    assert data["meta"]["counts"] == {
        "actors": 5,
        "ties": 5,
        "by_sector": {"public": 1, "community": 3, "academia": 1},
    }


def test_geographic_view_includes_the_subtree_and_those_serving_it(program, world, member):
    puente = map_scope(
        program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="puente-alto"
    )
    data = map_data(puente, url_for=url_for, today=TODAY)
    # A is based in Puente Alto, B in Bajos de Mena (inside it), D serves Bajos de Mena.
    assert {n["id"] for n in nodes(data)} == ids(world, "a", "b", "d")
    assert edge_set(data) == pairs(world, "ab", "bd")
    clusters = {n["id"]: n["cluster"] for n in nodes(data)}
    assert clusters[world["actors"]["a"].pk] == "here"
    assert clusters[world["actors"]["b"].pk] == str(world["territories"]["bajos"].pk)
    assert clusters[world["actors"]["d"].pk] == "elsewhere"

    sanber = map_scope(
        program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="san-bernardo"
    )
    assert edge_set(map_data(sanber, url_for=url_for, today=TODAY)) == pairs(world, "cd")


def test_thematic_view(program, world, member):
    scope = map_scope(program, viewer=member, view=MapView.THEMATIC, theme_slug="salud")
    data = map_data(scope, url_for=url_for, today=TODAY)
    assert {n["id"] for n in nodes(data)} == ids(world, "a", "c")
    assert edge_set(data) == pairs(world, "ac")
    assert edges(data)[0]["type"] == TieType.FUNDING


def test_ended_superseded_and_future_ties_are_not_on_the_map(program, world, member):
    ties = world["ties"]
    tie_end(user=None, tie=ties["ab"], ended_on=datetime.date(2025, 5, 31))
    newer = tie_update(user=None, tie=ties["cd"], intensity=4)
    tie_update(user=None, tie=ties["bd"], started_on=datetime.date(2025, 7, 1))
    data = map_data(
        map_scope(program, viewer=member, view=MapView.MULTISECTOR), url_for=url_for, today=TODAY
    )
    assert edge_set(data) == pairs(world, "ac", "cd", "ae")
    cd = [e for e in edges(data) if {e["source"], e["target"]} == ids(world, "c", "d")]
    assert len(cd) == 1 and cd[0]["intensity"] == newer.intensity == 4
    # The tie ended yesterday was still there the day before.
    before = map_data(
        map_scope(program, viewer=member, view=MapView.MULTISECTOR),
        url_for=url_for,
        today=datetime.date(2025, 5, 31),
    )
    assert pairs(world, "ab") <= edge_set(before)


def test_other_programs_stay_out(program, world, member):
    other = ProgramFactory()
    TieFactory(source=ActorFactory(program=other), target=ActorFactory(program=other))
    data = map_data(
        map_scope(program, viewer=member, view=MapView.MULTISECTOR), url_for=url_for, today=TODAY
    )
    assert len(nodes(data)) == 5 and len(edges(data)) == 5


def test_map_data_query_count_is_fixed(program, world, member):
    def load():
        scope = map_scope(
            program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="puente-alto"
        )
        with CaptureQueriesContext(connection) as queries:
            data = map_data(scope, url_for=url_for, today=TODAY)
        return data, len(queries)

    _, small = load()
    more = ActorFactory.create_batch(30, program=program, territory=world["territories"]["bajos"])
    for left, right in itertools.pairwise(more):
        TieFactory(source=left, target=right)
    data, large = load()
    assert len(nodes(data)) == 33
    # The territory's subtree, who serves it, the actors, the ties, the territories' names.
    assert large == small == 5


def test_too_large_view_sends_counts_only(program, world, member):
    data = map_data(
        map_scope(program, viewer=member, view=MapView.MULTISECTOR),
        url_for=url_for,
        today=TODAY,
        max_nodes=3,
    )
    assert nodes(data) == [] and edges(data) == [] and data["meta"]["too_large"]
    assert data["meta"]["counts"]["actors"] == 5


def test_unknown_view_and_slugs_fall_back(program, world, member):
    assert map_scope(program, viewer=member, view="nonsense").view == MapView.MULTISECTOR
    geo = map_scope(program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="no-such-place")
    # One country, one region: the map opens where there is a choice, the region.
    assert geo.territory is not None and geo.territory.slug == "rm"
    theme = map_scope(program, viewer=member, view=MapView.THEMATIC, theme_slug="no-such-theme")
    assert theme.theme is not None


def test_territory_options_are_a_tree_with_counts(program, world, member):
    options = map_territory_options(program, member)
    names = [(o.territory.name, o.depth, o.actor_count) for o in options]
    assert names == [
        ("Chile", 0, 4),
        ("Metropolitana", 1, 4),
        ("Puente Alto", 2, 2),
        ("Bajos de Mena", 3, 1),
        ("San Bernardo", 2, 2),
    ]
    assert default_territory(options).slug == "rm"
    assert default_territory([]) is None


def test_fingerprint_changes_with_ties_actors_and_day(program, world, member):
    scope = map_scope(program, viewer=member, view=MapView.MULTISECTOR)
    first = map_fingerprint(scope, today=TODAY)
    assert map_fingerprint(scope, today=TODAY) == first
    assert map_fingerprint(scope, today=TODAY + datetime.timedelta(days=1)) != first
    tie_update(user=None, tie=world["ties"]["ab"], intensity=0)
    second = map_fingerprint(scope, today=TODAY)
    assert second != first
    actor = world["actors"]["e"]
    actor.name = "E renamed"
    actor.save()
    assert map_fingerprint(scope, today=TODAY) != second


def test_map_summary_counts_and_pages(program, world, member):
    scope = map_scope(program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="puente-alto")
    summary = map_summary(scope, today=TODAY, page_size=2)
    assert summary.actor_count == 3 and summary.tie_count == 2 and summary.num_pages == 2
    assert [a.name for a, _degree in summary.actors] == ["A", "B"]
    assert {a.name: n for a, n in summary.actors} == {"A": 1, "B": 2}
    assert {code: n for code, _label, n in summary.by_type} == {"collaboration": 2}


def test_ties_for_actor_groups_counts_and_excludes_old_versions(program):
    actor = ActorFactory(program=program)
    partners = ActorFactory.create_batch(4, program=program)
    t0 = tie_create(user=None, source=actor, target=partners[0], tie_type=TieType.FUNDING)
    tie_update(user=None, tie=t0, intensity=4)
    tie_create(user=None, source=partners[1], target=actor, tie_type=TieType.FUNDING, directed=True)
    t2 = tie_create(user=None, source=actor, target=partners[2], tie_type=TieType.SUPPORT)
    tie_end(user=None, tie=t2, ended_on=datetime.date(2025, 1, 1))
    tie_create(user=None, source=actor, target=partners[3], tie_type=TieType.AGREEMENT)
    TieFactory(source=partners[0], target=partners[1])  # not the actor's

    ties = ties_for_actor(actor, viewer=UserFactory(), today=TODAY)
    assert ties.current_count == 3 and ties.past_count == 1
    assert [g.tie_type for g in ties.groups] == [TieType.FUNDING, TieType.AGREEMENT]
    funding = ties.groups[0].rows
    assert [r.intensity for r in funding] == [4, 1]
    assert {r.direction for r in funding} == {"both", "in"}
    assert ties.past[0].other_id == partners[2].pk
    assert not any(r.can_change for r in ties.rows)


def test_ties_for_actor_query_count_is_fixed(program):
    viewer = UserFactory()
    small, large = ActorFactory(program=program), ActorFactory(program=program)
    TieFactory(source=small, target=ActorFactory(program=program))
    for i in range(40):
        TieFactory(
            source=large, target=ActorFactory(program=program), tie_type=TieType.values[i % 6]
        )
    ties_for_actor(small, viewer=viewer, today=TODAY)  # the viewer's roles load once
    with CaptureQueriesContext(connection) as few:
        ties_for_actor(small, viewer=viewer, today=TODAY)
    with CaptureQueriesContext(connection) as many:
        result = ties_for_actor(large, viewer=viewer, today=TODAY)
    assert result.current_count == 40
    assert len(many) == len(few) == 3


def test_partner_options(program):
    actor = ActorFactory(program=program, name="Biblioteca Popular")
    match = ActorFactory(program=program, name="Biblioteca Municipal Ñuñoa")
    ActorFactory(program=program, name="Otra cosa")
    ActorFactory(name="Biblioteca de otro programa")
    found, more = partner_options(program, actor, "biblioteca nunoa")
    assert found == [match] and not more
    found, _ = partner_options(program, actor, "biblioteca")
    assert actor not in found and match in found and len(found) == 1
    assert partner_options(program, actor, "  ") == ([], False)
    found, _ = partner_options(program, actor, "zzz", selected=match.pk)
    assert found == [match]


def test_map_ties_query_reads_the_view_by_sub_select(program, world, member):
    """The view's ids are not sent as a list: the tie query does not grow with the view (the
    plan on 100,000 actors is checked by `python -m benchmarks.run --only map`)."""

    def ties_query():
        scope = map_scope(
            program, viewer=member, view=MapView.GEOGRAPHIC, territory_slug="puente-alto"
        )
        return scope.ties(TODAY).order_by().values_list("source_id", "target_id")

    small = ties_query().query.sql_with_params()[1]
    more = ActorFactory.create_batch(30, program=program, territory=world["territories"]["bajos"])
    for left, right in itertools.pairwise(more):
        TieFactory(source=left, target=right)
    assert len(ties_query().query.sql_with_params()[1]) == len(small)
