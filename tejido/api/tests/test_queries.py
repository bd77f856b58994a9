# mypy: disable-error-code="arg-type,attr-defined"
# (factory_boy types a factory call as the factory, not the model it creates)
"""List endpoints run a fixed number of queries whatever the page size (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import TieType
from tejido.network.services import tie_update
from tejido.network.tests.factories import TieFactory

from .conftest import Api, World


def grow(world: World, n: int) -> None:
    """Add n actors with every relation the lists show, n ties, and n programs and territories."""
    themes = [ThemeFactory(), ThemeFactory()]
    for i in range(n):
        territory = TerritoryFactory(parent=world.territory, level=3)
        factory = PersonFactory if i % 2 else ActorFactory
        actor = factory(program=world.program, territory=territory, email=f"a{i}@example.org")
        actor.themes.set(themes)
        actor.territories_served.set([territory, world.territory])
        tie = TieFactory(
            source=world.org if i % 3 else world.other_org,
            target=actor,
            tie_type=TieType.COLLABORATION,
        )
        if i % 4 == 0:
            tie_update(user=None, tie=tie, intensity=4)  # some history, too
        program = ProgramFactory(cycles=2)
        program.territories.add(territory)


def count_queries(call: Callable[[], object]) -> int:
    call()  # warm up: the token's "last used" is written at most once a minute
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


ENDPOINTS = {
    "programs": "/programs?limit=200",
    "territories": "/territories?limit=200",
    "program territories": "/territories?program=barrios&limit=200",
    "actors": "/programs/barrios/actors?limit=200",
    "actors filtered": "/programs/barrios/actors?limit=200&sector=community&q=a&theme=THEME",
    "ties": "/programs/barrios/ties?limit=200",
    "ties with history": "/programs/barrios/ties?limit=200&include_history=true&actor=ORG",
}


@pytest.mark.parametrize("who", ["anonymous", "coordinator", "representative", "evaluator"])
def test_list_query_count_does_not_grow_with_rows(world, who):
    api: Api = world.api(who)
    theme = ThemeFactory()

    def call(endpoint: str) -> Callable[[], object]:
        path = ENDPOINTS[endpoint].replace("THEME", str(theme.pk)).replace("ORG", str(world.org.pk))
        return lambda: api.get(path)

    def measure() -> dict[str, tuple[int, int]]:
        for actor in world.program.actors.all():
            actor.themes.add(theme)
        return {
            endpoint: (count_queries(call(endpoint)), call(endpoint)().json()["count"])
            for endpoint in ENDPOINTS
        }

    grow(world, 5)
    small = measure()
    grow(world, 45)
    large = measure()
    for endpoint in ENDPOINTS:
        (queries_small, rows_small), (queries_large, rows_large) = small[endpoint], large[endpoint]
        assert rows_large >= rows_small + 15, (endpoint, rows_small, rows_large)
        assert queries_small == queries_large, (
            f"{endpoint}: {queries_small} queries for {rows_small} rows, "
            f"{queries_large} for {rows_large}"
        )
        assert queries_large <= 10, (endpoint, queries_large)
