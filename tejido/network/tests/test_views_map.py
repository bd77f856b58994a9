"""The network map page, its table fallback and its JSON data."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.services import tie_update
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    """Built map data is cached under its validator; every test starts without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def network(program):
    region = TerritoryFactory(name="Valparaíso", slug="valparaiso", level=1)
    ligua = TerritoryFactory(name="La Ligua", slug="la-ligua", level=2, parent=region)
    theme = ThemeFactory(name="Agua", slug="agua")
    actors = [
        ActorFactory(program=program, name=f"Organización {i}", territory=ligua) for i in range(4)
    ]
    actors[0].themes.add(theme)
    actors[1].themes.add(theme)
    ties = [TieFactory(source=actors[i], target=actors[i + 1]) for i in range(3)]
    return {"actors": actors, "ties": ties, "territory": ligua, "theme": theme}


def map_url(program, **query):
    url = reverse("network:map", args=[program.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def data_url(program, **query):
    url = reverse("network:map_data", args=[program.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_map_page_has_a_text_alternative_and_a_table(client, program, network):
    response = client.get(map_url(program))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-canvas"' in html and 'role="img"' in html
    assert "<noscript>" in html
    assert 'href="#map-table"' in html and 'id="map-table"' in html
    for actor in network["actors"]:
        assert actor.name in html
    assert "dist/map.js" in html
    assert 'id="map-messages"' in html
    canvas = html.split('id="map-canvas"')[1].split(">")[0]
    assert f'data-url="{data_url(program)}?view=multisector"' in canvas


@pytest.mark.parametrize(
    ("query", "current"),
    [
        ({"view": "geographic", "territory": "la-ligua"}, "geographic"),
        ({"view": "thematic", "theme": "agua"}, "thematic"),
        ({"view": "bogus"}, "multisector"),
    ],
)
def test_map_views_render_with_their_selects(client, program, network, query, current):
    html = client.get(map_url(program, **query)).content.decode()
    assert f'data-view="{current}"' in html
    if current == "geographic":
        assert 'id="map-territory"' in html and 'value="la-ligua" selected' in html
    if current == "thematic":
        assert 'id="map-theme"' in html and 'value="agua" selected' in html
        assert "Organización 2" not in html.split('id="map-table"')[1]


def test_table_is_paged(client, program, network):
    ActorFactory.create_batch(60, program=program)
    html = client.get(map_url(program, page=2)).content.decode()
    assert "&amp;page=1#map-table" in html and "&amp;page=3#map-table" not in html


def test_private_program_map_is_for_members(client):
    private = ProgramFactory(is_public=False)
    assert client.get(map_url(private)).status_code == 302
    assert client.get(data_url(private)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(map_url(private)).status_code == 404
    client.force_login(ProgramRoleFactory(program=private, role=Role.EVALUATOR).user)
    assert client.get(map_url(private)).status_code == 200
    assert client.get(data_url(private)).status_code == 200


def test_map_data_is_json_with_nodes_edges_and_counts(client, program, network):
    response = client.get(data_url(program, view="geographic", territory="la-ligua"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    nodes, edges, meta = data["nodes"], data["edges"], data["meta"]
    # Columns, not one object per node: every column has one value per actor.
    assert {len(column) for column in nodes.values()} == {4}
    assert sorted(nodes["id"]) == sorted(a.pk for a in network["actors"])
    assert set(nodes) >= {"id", "label", "sector", "kind", "territory", "cluster"}
    # Sectors and tie types travel as positions in meta's lists.
    first = network["actors"][0]
    at = nodes["id"].index(first.pk)
    assert meta["sectors"][nodes["sector"][at]]["code"] == first.sector
    assert nodes["label"][at] == first.name
    assert meta["actor_url"].replace("{id}", str(first.pk)) == reverse(
        "network:actor", args=[program.slug, first.pk]
    )
    assert meta["territories"] == {str(network["territory"].pk): "La Ligua"}
    # Edges name their ends by position in the node columns.
    assert len(edges["source"]) == len(edges["target"]) == len(edges["intensity"]) == 3
    pairs = {
        frozenset((nodes["id"][s], nodes["id"][t]))
        for s, t in zip(edges["source"], edges["target"], strict=True)
    }
    assert pairs == {frozenset((t.source_id, t.target_id)) for t in network["ties"]}
    assert {meta["tie_types"][i]["code"] for i in edges["type"]} == {"collaboration"}
    assert meta["counts"]["actors"] == 4 and meta["counts"]["ties"] == 3
    assert meta["territory"] == "la-ligua" and meta["format"] == 2
    # No indicators computed yet: none sent.
    assert data["metrics"] is None and meta["snapshot"] is None


def test_map_data_etag_gives_304_until_something_changes(client, program, network):
    url = data_url(program)
    first = client.get(url)
    etag = first["ETag"]
    assert etag and "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    tie_update(user=None, tie=network["ties"][0], intensity=4)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_map_data_query_count_is_fixed(client, program, network):
    url = data_url(program, view="geographic", territory="la-ligua")
    client.get(url)  # warm the session

    def count():
        cache.clear()  # built from the database each time, not served from the cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(json.loads(response.content)["nodes"]["id"]), len(queries)

    nodes_before, few = count()
    more = ActorFactory.create_batch(40, program=program, territory=network["territory"])
    for left, right in itertools.pairwise(more):
        TieFactory(source=left, target=right)
    nodes_after, many = count()
    assert (nodes_before, nodes_after) == (4, 44)
    # Program, session and user; territory ids; snapshot; validator (2); nodes, ties and
    # territory names.
    assert many == few <= 11


def test_map_data_is_compressed_for_clients_that_accept_it(client, program, network):
    ActorFactory.create_batch(30, program=program)
    url = data_url(program)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == json.loads(plain.content)
    # One validator for both: a compressed copy revalidates like the plain one.
    assert packed["ETag"] == plain["ETag"] and packed["ETag"].startswith('W/"')
    assert client.get(url, headers={"If-None-Match": packed["ETag"]}).status_code == 304


def test_too_large_view_shows_actors_only(client, program, network, settings):
    settings.TEJIDO_MAP_MAX_NODES = 2
    html = client.get(map_url(program)).content.decode()
    assert "too many to draw" in html or "too large to draw" in html
    assert "active ties among them" not in html
