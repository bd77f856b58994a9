# mypy: disable-error-code="arg-type,attr-defined"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Opening and changing programs, adding and correcting territories: who may, and what it does."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.services import api_token_create
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.core.models import AuditEntry, Program, Territory
from tejido.core.tests.factories import TerritoryFactory

from .conftest import Api, World

NEW_PROGRAM = {"name": "Red de Huertos", "starts_on": "2025-03-01"}


def new_territory(w: World) -> dict[str, Any]:
    return {"name": "Villa Nueva", "level": 3, "parent_id": w.territory.pk}


# --- programs -------------------------------------------------------------------------------


def test_superuser_opens_a_program_with_four_yearly_cycles_and_becomes_its_administrator(world):
    response = world.api("superuser").post("/programs", NEW_PROGRAM)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == "/api/v1/programs/red-de-huertos"
    assert body["slug"] == "red-de-huertos" and body["is_public"] is True
    assert body["description"] == "" and body["territories"] == []
    assert [(c["number"], c["starts_on"], c["ends_on"]) for c in body["cycles"]] == [
        (1, "2025-03-01", "2026-02-28"),
        (2, "2026-03-01", "2027-02-28"),
        (3, "2027-03-01", "2028-02-28"),
        (4, "2028-02-29", "2029-02-27"),
    ]
    program = Program.objects.get(slug="red-de-huertos")
    superuser = world.users["superuser"]
    assert ProgramRole.objects.filter(
        user=superuser, program=program, role=Role.ADMINISTRATOR
    ).exists()
    assert set(AuditEntry.objects.filter(program=program).values_list("action", flat=True)) == {
        "program.create",
        "role.grant",
    }
    assert "core.change_program" in body["permissions"]
    # The Location answers, and the new program is listed.
    assert world.api("superuser").get(response["Location"]).json() == body
    assert Api().get("/programs", {"q": "huertos"}).json()["count"] == 1


def test_program_with_every_option(world):
    payload = {
        "name": "  Cooperació Catalana  ",
        "slug": "coop-cat",
        "description": "Entitats socials i socis.",
        "is_public": False,
        "starts_on": "2024-01-01",
        "cycle_count": 2,
        "cycle_length_days": 180,
        "territory_ids": [world.elsewhere.pk, world.territory.pk, world.elsewhere.pk],
    }
    response = world.api("superuser").post("/programs", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["slug"], body["is_public"]) == (
        "Cooperació Catalana",
        "coop-cat",
        False,
    )
    assert [(c["starts_on"], c["ends_on"]) for c in body["cycles"]] == [
        ("2024-01-01", "2024-06-28"),
        ("2024-06-29", "2024-12-25"),
    ]
    assert {t["id"] for t in body["territories"]} == {world.elsewhere.pk, world.territory.pk}
    # Private: hidden from the public, visible to its new administrator.
    assert Api().get("/programs/coop-cat").status_code == 404
    assert world.api("superuser").get("/programs/coop-cat").status_code == 200
    actions = AuditEntry.objects.filter(program__slug="coop-cat").values_list("action", flat=True)
    assert sorted(actions) == ["program.create", "program.update", "role.grant"]


def test_same_name_gets_a_distinct_slug_but_a_taken_slug_is_refused(world):
    api = world.api("superuser")
    assert api.post("/programs", {**NEW_PROGRAM, "name": "Barrios"}).json()["slug"] == "barrios-2"
    before = Program.objects.count()
    response = api.post("/programs", {**NEW_PROGRAM, "slug": "barrios"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["slug"]
    assert Program.objects.count() == before


def test_administrator_changes_a_program(world):
    api = world.api("administrator")
    response = api.patch(
        "/programs/barrios",
        {"name": "Barrios en Red 2", "description": "Nueva etapa.", "territory_ids": []},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"], body["territories"]) == (
        "Barrios en Red 2",
        "Nueva etapa.",
        [],
    )
    assert body["slug"] == "barrios"  # links to the program keep working
    entry = AuditEntry.objects.get(action="program.update")
    assert entry.user == world.users["administrator"] and entry.program == world.program
    assert entry.data == {
        "fields": ["description", "name", "territories"],
        "territories_added": [],
        "territories_removed": [world.territory.pk],
    }
    # Replacing the territories, and null clears the description.
    body = api.patch(
        "/programs/barrios",
        {"territory_ids": [world.neighbourhood.pk, world.elsewhere.pk], "description": None},
    ).json()
    assert {t["name"] for t in body["territories"]} == {"Bajos de Mena", "La Ligua"}
    assert set(world.program.territories.values_list("pk", flat=True)) == {
        world.neighbourhood.pk,
        world.elsewhere.pk,
    }
    assert body["description"] == ""


def test_unchanged_program_is_not_saved_nor_logged(world):
    updated_at = world.program.updated_at
    response = world.api("administrator").patch(
        "/programs/barrios",
        {"name": "Barrios en Red", "is_public": True, "territory_ids": [world.territory.pk]},
    )
    assert response.status_code == 200
    world.program.refresh_from_db()
    assert world.program.updated_at == updated_at
    assert not AuditEntry.objects.filter(action="program.update").exists()


def test_making_a_program_private_hides_it(world):
    assert (
        world.api("administrator")
        .patch("/programs/barrios", {"is_public": False})
        .json()["is_public"]
        is False
    )
    assert Api().get("/programs/barrios").status_code == 404
    assert Api().get("/programs/barrios/actors").status_code == 404
    assert world.api("evaluator").get("/programs/barrios").status_code == 200


def test_unknown_territories_are_named(world):
    response = world.api("administrator").patch(
        "/programs/barrios", {"territory_ids": [world.territory.pk, 987_654, 987_655]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "territory_ids",
            "message": "Unknown territory: 987654, 987655.",
            "code": "invalid",
        }
    ]
    assert list(world.program.territories.all()) == [world.territory]


# --- territories ----------------------------------------------------------------------------


def test_coordinator_adds_a_territory(world):
    response = world.api("coordinator").post(
        "/territories",
        {
            **new_territory(world),
            "code": "13201-7",
            "latitude": -33.5789123456,
            "longitude": -70.6,
            "description": "Sector sur.",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    territory = Territory.objects.get(name="Villa Nueva")
    assert response["Location"] == f"/api/v1/territories/{territory.pk}"
    assert body["path"] == f"{world.territory.path}{territory.pk}/" == territory.path
    assert (body["level"], body["parent_id"], body["code"]) == (3, world.territory.pk, "13201-7")
    assert (body["latitude"], body["longitude"]) == (-33.578912, -70.6)
    assert body["description"] == "Sector sur."
    assert [t["name"] for t in body["ancestors"]] == ["Región Metropolitana", "Puente Alto"]
    assert body["slug"] == f"{world.territory.slug}-villa-nueva"
    entry = AuditEntry.objects.get(action="territory.create")
    assert (entry.target_id, entry.user) == (str(territory.pk), world.users["coordinator"])
    assert not AuditEntry.objects.filter(action="territory.update").exists()
    # It is a place within the program's territory now.
    names = [t["name"] for t in Api().get("/territories", {"program": "barrios"}).json()["items"]]
    assert "Villa Nueva" in names


def test_top_level_territory(world):
    response = world.api("administrator").post("/territories", {"name": "Argentina", "level": 0})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_id"] is None and body["ancestors"] == []
    assert body["path"] == f"/{body['id']}/"


def test_coordinator_of_a_private_program_only_may_add_territories(world):
    user = UserFactory(email="lejos@example.org")
    ProgramRoleFactory(user=user, program=world.private, role=Role.COORDINATOR)
    api = Api(api_token_create(user=user, name="t")[1])
    assert api.post("/territories", new_territory(world)).status_code == 201
    # A deactivated account exercises no role.
    user.is_active = False
    user.save()
    assert api.post("/territories", {"name": "Otra", "level": 0}).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"name": "Otra comuna", "level": 2},  # parent of level 2 (Puente Alto)
            "parent_id",
            "A territory must be part of a territory of a higher level.",
        ),
        (
            {"name": "bajos de mená", "level": 3},  # a sibling, but for case and accents
            "name",
            "There is already a territory called Bajos de Mena here",
        ),
        (
            {"name": "X", "level": 3, "parent_id": 987_654},
            "parent_id",
            "Unknown territory: 987654.",
        ),
    ],
)
def test_territory_rules(world, payload, field, message):
    before = Territory.objects.count()
    response = world.api("coordinator").post(
        "/territories", {"parent_id": world.territory.pk, **payload}
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["field"] == field and error["message"].startswith(message)
    assert Territory.objects.count() == before


def test_same_name_elsewhere_is_fine(world):
    # Another comuna may well have its own "Bajos de Mena".
    response = world.api("coordinator").post(
        "/territories", {"name": "Bajos de Mena", "level": 3, "parent_id": world.elsewhere.pk}
    )
    assert response.status_code == 201, response.content


def test_coordinator_corrects_a_territory(world):
    world.territory.latitude = -33.6
    world.territory.save()
    response = world.api("coordinator").patch(
        f"/territories/{world.territory.pk}",
        {"name": "Comuna de Puente Alto", "code": "13201", "latitude": None, "description": "Sur."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["code"], body["latitude"], body["description"]) == (
        "Comuna de Puente Alto",
        "13201",
        None,
        "Sur.",
    )
    assert body["slug"] == world.territory.slug  # links keep working
    assert body["path"] == world.territory.path
    entry = AuditEntry.objects.get(action="territory.update")
    assert entry.data == {"fields": ["code", "description", "latitude", "name"]}
    assert entry.target_id == str(world.territory.pk)
    assert entry.user == world.users["coordinator"]


def test_unchanged_territory_is_not_saved_nor_logged(world):
    response = world.api("coordinator").patch(
        f"/territories/{world.territory.pk}",
        {
            "name": "Puente Alto",
            "parent_id": world.territory.parent_id,
            "level": world.territory.level,
        },
    )
    assert response.status_code == 200, response.content
    assert not AuditEntry.objects.filter(action="territory.update").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parent_id": "elsewhere"}, "parent_id"),
        ({"parent_id": None}, "parent_id"),  # to the top of a hierarchy of its own
        ({"level": 3}, "level"),
    ],
)
def test_a_territory_is_not_moved(world, change, field):
    if change.get("parent_id") == "elsewhere":
        change["parent_id"] = world.elsewhere.pk
    paths = dict(Territory.objects.values_list("pk", "path"))
    response = world.api("coordinator").patch(
        f"/territories/{world.territory.pk}", {"name": "Cambiado", **change}
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert (error["field"], error["code"]) == (field, "move_not_allowed")
    assert "platform administrator" in error["message"]
    # Nothing changed, not even the name sent along.
    assert dict(Territory.objects.values_list("pk", "path")) == paths
    assert not Territory.objects.filter(name="Cambiado").exists()
    assert not AuditEntry.objects.filter(action="territory.update").exists()


def test_renaming_to_a_siblings_name_is_refused(world):
    sibling = TerritoryFactory(name="Villa Sur", parent=world.territory, level=3)
    response = world.api("coordinator").patch(
        f"/territories/{sibling.pk}", {"name": "Bajos  de  Mena"}
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert (error["field"], error["code"]) == ("name", "duplicate")
    assert str(world.neighbourhood.pk) in error["message"]
    sibling.refresh_from_db()
    assert sibling.name == "Villa Sur"
    # Changing the case of its own name is a correction, not a duplicate.
    response = world.api("coordinator").patch(
        f"/territories/{world.neighbourhood.pk}", {"name": "BAJOS DE MENA"}
    )
    assert response.status_code == 200, response.content


# --- who may --------------------------------------------------------------------------------

Action = Callable[[World, Api], Any]

ACTIONS: dict[str, Action] = {
    "open program": lambda w, a: a.post("/programs", NEW_PROGRAM),
    "change program": lambda w, a: a.patch("/programs/barrios", {"name": "Cambiado"}),
    "change private program": lambda w, a: a.patch("/programs/reservado", {"name": "Cambiado"}),
    "add territory": lambda w, a: a.post("/territories", new_territory(w)),
    "change territory": lambda w, a: a.patch(
        f"/territories/{w.territory.pk}", {"name": "Cambiado"}
    ),
    "change other program's territory": lambda w, a: a.patch(
        f"/territories/{w.elsewhere.pk}", {"name": "Cambiado"}
    ),
}

EVERYONE = (
    "anonymous",
    "outsider",
    "evaluator",
    "representative",
    "directorate",
    "coordinator",
    "administrator",
    "superuser",
)


def row(*allowed: str, ok: int, **others: int) -> dict[str, int]:
    """Status per caller: `ok` for the allowed ones, 401 anonymous, 403 for the rest."""
    statuses = {who: ok if who in allowed else 403 for who in EVERYONE}
    return {**statuses, "anonymous": 401, **others}


MATRIX: dict[str, dict[str, int]] = {
    "open program": row("superuser", ok=201),
    "change program": row("administrator", "superuser", ok=200),
    # Nobody in `barrios` holds a role in the private program: it does not exist for them.
    "change private program": row("superuser", ok=200, **dict.fromkeys(EVERYONE[1:-1], 404)),
    "add territory": row("coordinator", "administrator", "superuser", ok=201),
    "change territory": row("coordinator", "administrator", "superuser", ok=200),
    "change other program's territory": row("coordinator", "administrator", "superuser", ok=200),
}

CASES = [(action, who, status) for action, r in MATRIX.items() for who, status in r.items()]


def written() -> tuple[Any, ...]:
    return (
        sorted(Program.objects.values_list("pk", "name", "updated_at")),
        sorted(Territory.objects.values_list("pk", "name", "updated_at")),
        ProgramRole.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("action", "who", "status"), CASES, ids=[f"{a}-{w}" for a, w, _ in CASES])
def test_permission_matrix(world, action, who, status):
    before = written()
    response = ACTIONS[action](world, world.api(who))
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["detail"]
        assert written() == before
    else:
        assert written() != before


def test_session_writes_need_the_csrf_token(world, client):
    client.force_login(world.users["superuser"])
    api = Api(client=client)
    client.handler.enforce_csrf_checks = True
    response = api.post("/programs", NEW_PROGRAM)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF check failed")
    assert not Program.objects.filter(name=NEW_PROGRAM["name"]).exists()


def test_openapi_documents_the_writes(world):
    schema = Api().get("/api/openapi.json").json()
    paths = schema["paths"]  # which methods exist: test_docs_and_openapi_render
    components = schema["components"]["schemas"]
    for name in ("ProgramIn", "ProgramPatch", "TerritoryIn", "TerritoryPatch"):
        assert components[name]["additionalProperties"] is False, name
    cycles = components["ProgramIn"]["properties"]["cycle_count"]
    assert (cycles["minimum"], cycles["maximum"], cycles["default"]) == (1, 12, 4)
    assert "description" in cycles
    assert {} not in paths["/api/v1/territories"]["post"]["security"]
    assert "201" in paths["/api/v1/territories"]["post"]["responses"]


def test_cycle_dates_stay_in_the_calendar(world):
    response = world.api("superuser").post(
        "/programs",
        {**NEW_PROGRAM, "starts_on": "2100-12-31", "cycle_count": 12, "cycle_length_days": 1830},
    )
    assert response.status_code == 201, response.content
    last = response.json()["cycles"][-1]["ends_on"]
    assert datetime.date.fromisoformat(last).year == 2161
