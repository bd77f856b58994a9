"""Programs and territories, and the API documentation."""

from __future__ import annotations

from tejido.core.models import Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory

from .conftest import Api


def test_program_detail_has_cycles_territories_and_permissions(world):
    body = Api().get("/programs/barrios").json()
    assert body["slug"] == "barrios" and body["is_public"] is True
    assert [c["number"] for c in body["cycles"]] == [1, 2, 3, 4]
    assert body["cycles"][0]["starts_on"] == "2024-01-01"
    assert [t["name"] for t in body["territories"]] == ["Puente Alto"]
    assert body["permissions"] == ["actors.view_actor", "network.view_map"]
    coordinator = world.api("coordinator").get("/programs/barrios").json()
    assert {"actors.add_actor", "network.add_tie", "actors.view_sensitive"} <= set(
        coordinator["permissions"]
    )


def test_program_list_search_and_pagination(world):
    for n in range(4):
        ProgramFactory(name=f"Red Norte {n}")
    body = Api().get("/programs", {"q": "norte", "limit": 3}).json()
    assert body["count"] == 4 and len(body["items"]) == 3 and body["next"]
    assert "Programa Reservado" not in Api().get("/programs", {"limit": 200}).content.decode()


def test_unknown_program_is_404_like_a_private_one(world):
    unknown = Api().get("/programs/no-existe")
    private = Api().get("/programs/reservado")
    assert unknown.status_code == private.status_code == 404
    assert unknown.json() == private.json()


def test_territory_list_filters(world):
    api = Api()
    everything = api.get("/territories").json()
    assert everything["count"] == 4
    # Hierarchy order: each territory followed by the places within it.
    assert [t["name"] for t in everything["items"]][:3] == [
        "Región Metropolitana",
        "Puente Alto",
        "Bajos de Mena",
    ]
    children = api.get("/territories", {"parent": world.territory.pk}).json()["items"]
    assert [t["name"] for t in children] == ["Bajos de Mena"]
    level = api.get("/territories", {"level": Territory.Level.MUNICIPALITY}).json()["items"]
    assert {t["name"] for t in level} == {"Puente Alto", "La Ligua"}
    program = api.get("/territories", {"program": "barrios"}).json()["items"]
    assert [t["name"] for t in program] == ["Puente Alto", "Bajos de Mena"]
    assert [t["name"] for t in api.get("/territories", {"q": "mena"}).json()["items"]] == [
        "Bajos de Mena"
    ]


def test_territories_of_a_private_program_are_404_to_outsiders(world):
    assert Api().get("/territories", {"program": "reservado"}).status_code == 404
    assert world.api("superuser").get("/territories", {"program": "reservado"}).status_code == 200


def test_territory_detail(world):
    TerritoryFactory(name="Villa Nueva", parent=world.territory, level=3)
    body = Api().get(f"/territories/{world.territory.pk}").json()
    assert body["name"] == "Puente Alto" and body["level"] == 2
    assert body["level_label"] == "Municipality / comuna"
    assert [t["name"] for t in body["ancestors"]] == ["Región Metropolitana"]
    assert [t["name"] for t in body["children"]] == ["Bajos de Mena", "Villa Nueva"]
    assert body["path"] == world.territory.path


def test_docs_and_openapi_render(world):
    docs = Api().get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    response = Api().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/api/v1/programs": {"get", "post"},
        "/api/v1/programs/{slug}": {"get", "patch"},
        "/api/v1/territories": {"get", "post"},
        "/api/v1/territories/{territory_id}": {"get", "patch"},
        "/api/v1/programs/{slug}/actors": {"get", "post"},
        "/api/v1/actors/{actor_id}": {"get", "patch"},
        "/api/v1/programs/{slug}/ties": {"get", "post"},
        "/api/v1/ties/{tie_id}": {"get", "patch"},
        "/api/v1/ties/{tie_id}/end": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    # Reads say they work anonymously too; writes do not.
    assert {} in paths["/api/v1/programs/{slug}/actors"]["get"]["security"]
    assert {} not in paths["/api/v1/programs/{slug}/actors"]["post"]["security"]
    components = schema["components"]["schemas"]
    assert components["Sector"]["enum"] == [
        "community",
        "public",
        "private",
        "third_sector",
        "academia",
        "international",
    ]
    assert set(components["TieType"]["enum"]) >= {"collaboration", "funding", "agreement"}
    assert components["Provenance"]["enum"][0] == "manual"
    intensity = components["TieIn"]["properties"]["intensity"]
    assert (intensity["minimum"], intensity["maximum"]) == (0, 4)
    assert "Awareness" in intensity["description"]
    assert components["ActorIn"]["additionalProperties"] is False
    # The sensitive block is documented (for coordinators) on the detail, not on lists.
    assert "sensitive" in components["ActorDetailOut"]["properties"]
    assert "sensitive" not in components["ActorOut"]["properties"]
    assert "422" in paths["/api/v1/programs/{slug}/actors"]["post"]["responses"]


def test_unknown_api_paths_get_a_json_404(world):
    for path in ("/programs/", "/nothing-here", "/api/v2/programs"):
        response = Api().get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert Api().post("/actors/1/unknown", {}).status_code == 404
    assert Api().get("/api/")["Location"] == "/api/docs"
