"""The grown-up map: filters by tie type, intensity and cycle, the indicators of the latest
snapshot, who sees which actors, and the validator and cache that keep the data cheap."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory
from tejido.actors.models import ActorKind
from tejido.actors.tests.factories import ActorFactory
from tejido.network.models import ActorMetrics, NetworkSnapshot, Tie, TieType
from tejido.network.selectors import MapView, map_scope
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def recorded_on(tie: Any, day: datetime.date) -> None:
    """Backdate when a tie was put on record (as if entered that day)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Tie.objects.filter(pk=tie.pk).update(recorded_at=moment)


@pytest.fixture
def world(program) -> dict[str, Any]:
    """Five organizations and a person. Cycle 1 (2024) ended long ago: a tie recorded then and
    still in force, one recorded then and ended in 2025, and one recorded only today."""
    a, b, c, d, e = (ActorFactory(program=program, name=f"Org {n}") for n in "ABCDE")
    person = ActorFactory(program=program, name="Rosa Pérez", kind=ActorKind.PERSON)
    old = TieFactory(source=a, target=b, tie_type=TieType.COLLABORATION, intensity=3)
    recorded_on(old, datetime.date(2024, 3, 1))
    ended = TieFactory(
        source=b,
        target=c,
        tie_type=TieType.FUNDING,
        intensity=1,
        ended_on=datetime.date(2025, 3, 1),
    )
    recorded_on(ended, datetime.date(2024, 3, 1))
    new = TieFactory(source=c, target=d, tie_type=TieType.INFORMATION, intensity=4)
    with_person = TieFactory(source=a, target=person, tie_type=TieType.SUPPORT, intensity=2)
    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    return {
        "actors": [a, b, c, d, e],
        "person": person,
        "old": old,
        "ended": ended,
        "new": new,
        "with_person": with_person,
        "coordinator": coordinator,
        "cycle1": program.cycles.get(number=1),
    }


def data_url(program, **query: Any) -> str:
    url = reverse("network:map_data", args=[program.slug])
    parts = []
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f"{key}={item}")
    return url + ("?" + "&".join(parts) if parts else "")


def get_data(client, program, **query: Any) -> dict[str, Any]:
    response = client.get(data_url(program, **query))
    assert response.status_code == 200
    return json.loads(response.content)


def pairs(data: dict[str, Any]) -> set[frozenset[int]]:
    ids = data["nodes"]["id"]
    edges = data["edges"]
    return {
        frozenset((ids[s], ids[t])) for s, t in zip(edges["source"], edges["target"], strict=True)
    }


def pair(tie: Tie) -> frozenset[int]:
    return frozenset((tie.source_id, tie.target_id))


def snapshot_with_metrics(program, actors, *, cycle=None, bridges=()) -> NetworkSnapshot:
    snapshot = NetworkSnapshot.objects.create(
        program=program,
        cycle=cycle,
        as_of=cycle.ends_on if cycle else timezone.localdate(),
        summary={"bridges": [list(b) for b in bridges]},
    )
    for rank, actor in enumerate(actors):
        ActorMetrics.objects.create(
            snapshot=snapshot,
            actor=actor,
            degree=rank,
            strength=rank * 1.5,
            two_step_reach=rank / 10,
            betweenness=0.123456789 * rank,
            effective_size=rank * 0.5,
            coreness=rank % 3,
            community=rank % 2,
            is_isolate=rank == 0,
            is_critical=rank == 2,
        )
    return snapshot


# -- filters --------------------------------------------------------------------------------


def test_tie_type_filter_keeps_only_those_types(client, program, world):
    data = get_data(client, program, type=["collaboration", "information"])
    assert pairs(data) == {pair(world["old"]), pair(world["new"])}
    assert data["meta"]["tie_types_shown"] == ["collaboration", "information"]
    # Every actor of the view stays, tied or not: the picture keeps its shape.
    assert len(data["nodes"]["id"]) == 5


def test_every_type_ticked_is_the_same_view_as_none(client, program, world):
    every = client.get(data_url(program, type=list(TieType.values)))
    none = client.get(data_url(program))
    assert json.loads(every.content) == json.loads(none.content)
    assert every["ETag"] == none["ETag"]


def test_minimum_intensity(client, program, world):
    assert pairs(get_data(client, program, intensity=3)) == {pair(world["old"]), pair(world["new"])}
    assert pairs(get_data(client, program, intensity=4)) == {pair(world["new"])}
    # Nonsense falls back to any intensity.
    assert len(pairs(get_data(client, program, intensity="lots"))) == 2


def test_cycle_shows_the_network_as_recorded_at_its_end(client, program, world):
    today = get_data(client, program)
    assert pairs(today) == {pair(world["old"]), pair(world["new"])}
    then = get_data(client, program, cycle=1)
    # The tie ended since was in force then; the one recorded today was not known yet.
    assert pairs(then) == {pair(world["old"]), pair(world["ended"])}
    assert then["meta"]["cycle"] == 1
    assert "at the end of" in then["meta"]["label"]
    # A cycle that has not begun, or does not exist, is today.
    assert pairs(get_data(client, program, cycle=4)) == pairs(today)
    assert get_data(client, program, cycle=99)["meta"]["cycle"] is None


def test_filters_combine_with_the_cycle(client, program, world):
    data = get_data(client, program, cycle=1, type="funding")
    assert pairs(data) == {pair(world["ended"])}
    assert pairs(get_data(client, program, cycle=1, intensity=2)) == {pair(world["old"])}


def test_scope_normalizes_its_parameters(program, world):
    scope = map_scope(
        program,
        viewer=world["coordinator"],
        view="nonsense",
        tie_types=["funding", "bogus", "collaboration"],
        min_intensity="9",
        cycle_number="x",
    )
    assert scope.view == MapView.MULTISECTOR
    assert scope.tie_types == ("collaboration", "funding")  # in the order of the choices
    assert scope.min_intensity == 4 and scope.cycle is None
    assert scope.query() == {
        "view": "multisector",
        "type": ["collaboration", "funding"],
        "intensity": 4,
    }


# -- indicators --------------------------------------------------------------------------------


def test_indicators_of_the_latest_snapshot_come_with_the_nodes(client, program, world):
    a, b, c, d, e = world["actors"]
    older = snapshot_with_metrics(program, [e, d, c, b, a])
    snapshot = snapshot_with_metrics(program, [a, b, c, d], bridges=[(c.pk, d.pk), (a.pk, 10**9)])
    assert older.pk != snapshot.pk
    data = get_data(client, program)
    ids = data["nodes"]["id"]
    metrics = data["metrics"]
    assert data["meta"]["snapshot"]["id"] == snapshot.pk
    assert {len(column) for column in metrics.values()} == {len(ids)}
    for rank, actor in enumerate([a, b, c, d]):
        i = ids.index(actor.pk)
        assert metrics["degree"][i] == rank
        assert metrics["coreness"][i] == rank % 3
        # Floats travel with four significant digits.
        assert metrics["betweenness"][i] == pytest.approx(0.123456789 * rank, rel=1e-3)
        assert len(str(metrics["betweenness"][i])) <= 7
    # Flags: isolate 1, peripheral 2, critical 4.
    assert metrics["flags"][ids.index(a.pk)] == 1
    assert metrics["flags"][ids.index(c.pk)] == 4
    # An actor added after the snapshot has no figures (null), not zeros.
    assert metrics["degree"][ids.index(e.pk)] is None
    assert metrics["flags"][ids.index(e.pk)] is None
    # Critical ties: only those with both ends in the view.
    critical = data["critical_ties"]
    assert [
        frozenset((ids[s], ids[t]))
        for s, t in zip(critical["source"], critical["target"], strict=True)
    ] == [frozenset((c.pk, d.pk))]


def test_a_cycle_uses_its_own_snapshot(client, program, world):
    a, b, c, d, _e = world["actors"]
    snapshot_with_metrics(program, [a, b, c, d])
    cycle_snapshot = snapshot_with_metrics(program, [d, c, b, a], cycle=world["cycle1"])
    then = get_data(client, program, cycle=1)
    assert then["meta"]["snapshot"]["id"] == cycle_snapshot.pk
    assert then["metrics"]["degree"][then["nodes"]["id"].index(d.pk)] == 0
    # A cycle without a snapshot sends no indicators, even if today has some.
    assert get_data(client, program, cycle=2)["metrics"] is None


# -- who sees what -----------------------------------------------------------------------------


def test_people_and_their_ties_are_hidden_from_the_public(client, program, world):
    a = world["actors"][0]
    snapshot_with_metrics(program, [*world["actors"], world["person"]])
    public = get_data(client, program)
    assert world["person"].pk not in public["nodes"]["id"]
    assert "Rosa Pérez" not in json.dumps(public, ensure_ascii=False)
    assert pair(world["with_person"]) not in pairs(public)
    assert len(public["metrics"]["degree"]) == len(public["nodes"]["id"]) == 5

    client.force_login(world["coordinator"])
    member = get_data(client, program)
    assert world["person"].pk in member["nodes"]["id"]
    assert pair(world["with_person"]) in pairs(member)
    assert frozenset((a.pk, world["person"].pk)) in pairs(member)


def test_cached_data_is_not_shared_between_who_may_and_may_not_see_people(client, program, world):
    client.force_login(world["coordinator"])
    assert world["person"].pk in get_data(client, program)["nodes"]["id"]
    client.logout()
    assert world["person"].pk not in get_data(client, program)["nodes"]["id"]


# -- validator and cache -----------------------------------------------------------------------


def test_etag_follows_filters_cycle_and_snapshot(client, program, world):
    def etag(**query: Any) -> str:
        return client.get(data_url(program, **query))["ETag"]

    today = etag()
    assert len({today, etag(cycle=1), etag(type="funding"), etag(intensity=2)}) == 4
    assert client.get(data_url(program), headers={"If-None-Match": today}).status_code == 304
    snapshot_with_metrics(program, world["actors"])
    assert etag() != today
    changed = client.get(data_url(program), headers={"If-None-Match": today})
    assert changed.status_code == 200 and json.loads(changed.content)["metrics"] is not None


def test_built_data_is_served_from_the_cache(client, program, world):
    url = data_url(program, cycle=1)
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # Only the validator's reads (program, cycle, snapshot, actors, newest tie): no actor rows,
    # no ties.
    assert not any("network_actormetrics" in q["sql"] for q in queries.captured_queries)
    assert not any(
        '"network_tie"."intensity"' in q["sql"] or "`intensity`" in q["sql"]
        for q in queries.captured_queries
    )


def test_query_count_does_not_grow_with_the_indicators(client, program, world):
    snapshot_with_metrics(program, world["actors"], cycle=world["cycle1"])
    url = data_url(program, cycle=1, type=["collaboration", "funding"])
    client.get(url)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    few = count()
    more = ActorFactory.create_batch(30, program=program)
    snapshot_with_metrics(program, [*world["actors"], *more], cycle=world["cycle1"])
    # Session and user, program, cycle, snapshot, validator (2), actors, ties, territory names,
    # indicators.
    assert count() == few <= 11


# -- the page ----------------------------------------------------------------------------------


def page_html(client, program, **query: Any) -> str:
    url = reverse("network:map", args=[program.slug])
    parts = [f"{k}={v}" for k, v in query.items()]
    response = client.get(url + ("?" + "&".join(parts) if parts else ""))
    assert response.status_code == 200
    return response.content.decode()


def test_page_has_labelled_filters_and_appearance_controls(client, program, world):
    html = page_html(client, program)
    for control in ("map-cycle", "map-intensity", "map-size", "map-colour", "map-highlight"):
        assert f'<label for="{control}">' in html and f'id="{control}"' in html
    # Cycles that have begun, and today (selected).
    assert 'value="1"' in html and 'value="3"' in html and "(running)" in html
    assert '<option value="" selected>Today</option>' in html
    assert html.count('type="checkbox" name="type"') == len(TieType.values)
    assert 'type="range" id="map-cycle-range"' in html
    # Without JavaScript the form submits to the page itself.
    assert 'id="map-form" class="map-controls" method="get"' in html


def test_page_table_follows_the_filters_without_javascript(client, program, world):
    html = page_html(client, program, cycle="1", type="funding")
    table = html.split('id="map-table"')[1]
    assert "at the end of" in table and "only some ties" in table
    assert "Financiamiento" in table or "Funding" in table
    assert '<option value="1" selected>' in html
    assert 'value="funding" checked' in html and 'value="collaboration" checked' not in html
    # The data the script asks for carries the same filters.
    canvas = html.split('id="map-canvas"')[1].split(">")[0]
    assert "cycle=1" in canvas and "type=funding" in canvas
    # The view tabs keep them.
    assert "view=geographic&amp;cycle=1&amp;type=funding" in html


def test_page_renders_the_table_alone_for_the_script(client, program, world):
    url = reverse("network:map", args=[program.slug]) + "?intensity=4"
    response = client.get(url, headers={"HX-Request": "true", "HX-Target": "map-table"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="map-table"')
    assert "<html" not in html and 'id="map-canvas"' not in html
