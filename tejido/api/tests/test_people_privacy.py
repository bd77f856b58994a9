# mypy: disable-error-code="arg-type,attr-defined"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The API applies the pages' rule on people: their names are for the program's members.

Anonymous callers and tokens of users without a role in the (public) program get no person in
any list, a 404 for a person or a tie with one, and "no such actor" when filtering by one.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tejido.actors.tests.factories import PersonFactory
from tejido.network.tests.factories import TieFactory

from .conftest import Api, World

ROSA = "Rosa Huenchumilla"
HIDDEN_FROM = ("anonymous", "outsider")
SHOWN_TO = ("evaluator", "representative", "coordinator", "superuser")


@pytest.fixture
def rosa(world: World):
    person = PersonFactory(program=world.program, name=ROSA, territory=world.neighbourhood)
    tie = TieFactory(source=world.org, target=person)
    TieFactory(source=world.org, target=world.other_org)
    return {"person": person, "tie": tie}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_actor_lists_leave_people_out(world, rosa, who):
    api: Api = world.api(who)
    everyone = api.get("/programs/barrios/actors")
    assert ROSA not in everyone.content.decode()
    assert everyone.json()["count"] == 2
    for params in ({"kind": "person"}, {"q": "huenchumilla"}, {"territory": world.territory.pk}):
        assert ROSA not in names(api.get("/programs/barrios/actors", params))


@pytest.mark.parametrize("who", SHOWN_TO)
def test_actor_lists_show_people_to_members(world, rosa, who):
    api: Api = world.api(who)
    assert names(api.get("/programs/barrios/actors", {"kind": "person"})) == [ROSA]
    assert api.get("/programs/barrios/actors").json()["count"] == 3


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_a_person_and_a_tie_with_one_are_not_found(world, rosa, who):
    api: Api = world.api(who)
    for path in (f"/actors/{rosa['person'].pk}", f"/ties/{rosa['tie'].pk}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert ROSA not in response.content.decode()
    assert api.get(f"/actors/{world.org.pk}").status_code == 200


@pytest.mark.parametrize("who", SHOWN_TO)
def test_a_person_and_a_tie_with_one_are_shown_to_members(world, rosa, who):
    api: Api = world.api(who)
    assert api.get(f"/actors/{rosa['person'].pk}").json()["name"] == ROSA
    assert ROSA in api.get(f"/ties/{rosa['tie'].pk}").content.decode()


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_tie_lists_leave_ties_with_people_out(world, rosa, who):
    api: Api = world.api(who)
    for params in ({}, {"include_history": "true"}, {"actor": world.org.pk}):
        response = api.get("/programs/barrios/ties", params)
        assert response.status_code == 200
        assert ROSA not in response.content.decode()
        assert response.json()["count"] == 1
    # Filtering by a person answers as for an actor that does not exist.
    by_person = api.get("/programs/barrios/ties", {"actor": rosa["person"].pk})
    unknown = api.get("/programs/barrios/ties", {"actor": 999_999})
    assert by_person.status_code == unknown.status_code == 422
    pk = str(rosa["person"].pk)
    assert by_person.content.decode().replace(pk, "ID") == unknown.content.decode().replace(
        "999999", "ID"
    )


@pytest.mark.parametrize("who", SHOWN_TO)
def test_tie_lists_show_ties_with_people_to_members(world, rosa, who):
    api: Api = world.api(who)
    assert api.get("/programs/barrios/ties").json()["count"] == 2
    by_person = api.get("/programs/barrios/ties", {"actor": rosa["person"].pk})
    assert by_person.json()["count"] == 1 and ROSA in by_person.content.decode()


def test_program_permissions_tell_who_sees_people(world):
    assert "actors.view_people" not in world.api().get("/programs/barrios").json()["permissions"]
    member = world.api("evaluator").get("/programs/barrios").json()
    assert "actors.view_people" in member["permissions"]


def test_list_queries_are_the_same_for_the_public_and_members(world, rosa):
    def count(who: str, path: str) -> int:
        api = world.api(who)
        api.get(path)  # warm up: the token's "last used" is written at most once a minute
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200
        return len(queries)

    for path in ("/programs/barrios/actors", "/programs/barrios/ties"):
        # A token costs its own look-up; an outsider's token and a member's cost the same.
        assert count("outsider", path) == count("evaluator", path), path
