"""Bad input to the program and territory writes: always a 4xx with a message, nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tejido.accounts.models import ProgramRole
from tejido.core.models import AuditEntry, Cycle, Program, Territory

from .conftest import BASE, World
from .test_errors import HUGE, MALFORMED

TEXT_BATTERY: list[Any] = [
    123,
    ["list"],
    {"nested": "object"},
    "nul\x00byte",
    "lone \ud800 surrogate",
]

BAD_NAMES: list[dict[str, Any]] = [
    *({"name": value} for value in TEXT_BATTERY),
    {"name": ""},
    {"name": "   "},
    {"name": None},
    {"name": "x" * 201},
    {"name": "x" * 1_000_000},
]

BAD_PROGRAM_FIELDS: list[dict[str, Any]] = [
    *BAD_NAMES,
    {"description": "x" * 10_001},
    {"description": "\x00"},
    {"description": 5},
    {"is_public": "maybe"},
    {"is_public": 2},
    {"is_public": None},
    {"territory_ids": "1"},
    {"territory_ids": [0]},
    {"territory_ids": [-1]},
    {"territory_ids": [HUGE]},
    {"territory_ids": [987_654]},
    {"territory_ids": [1, "x"]},
    {"territory_ids": list(range(1, 300))},
    {"territory_ids": None},
    {"id": 1},
    {"created_at": "2025-01-01T00:00:00Z"},
    {"cycles": []},
    {"permissions": ["core.change_program"]},
]

BAD_PROGRAM_CREATE_FIELDS: list[dict[str, Any]] = [
    *BAD_PROGRAM_FIELDS,
    {"starts_on": None},
    {"starts_on": "2025-13-01"},
    {"starts_on": "2025-02-30"},
    {"starts_on": "next spring"},
    {"starts_on": "0001-01-01"},
    {"starts_on": "9999-12-31"},
    {"starts_on": 20250101},
    {"cycle_count": 0},
    {"cycle_count": 13},
    {"cycle_count": -1},
    {"cycle_count": HUGE},
    {"cycle_count": "four"},
    {"cycle_count": 2.5},
    {"cycle_count": None},
    {"cycle_length_days": 0},
    {"cycle_length_days": -365},
    {"cycle_length_days": 1831},
    {"cycle_length_days": HUGE},
    {"slug": ""},
    {"slug": "   "},
    {"slug": "con espacios"},
    {"slug": "ñandú"},
    {"slug": "a/b"},
    {"slug": "x" * 81},
    {"slug": "barrios"},  # taken
    {"slug": "reservado"},  # taken by a program the caller may not even know of
    {"slug": 7},
]

BAD_PROGRAM_PATCH_FIELDS: list[dict[str, Any]] = [
    *BAD_PROGRAM_FIELDS,
    {"slug": "nuevo"},  # the slug is in every link: it never changes
    {"starts_on": "2025-01-01"},
    {"cycle_count": 2},
]

BAD_TERRITORY_FIELDS: list[dict[str, Any]] = [
    *BAD_NAMES,
    {"code": "x" * 41},
    {"code": "\x00"},
    {"code": 13201},
    {"description": "x" * 10_001},
    {"latitude": 90.5},
    {"latitude": -91},
    {"latitude": "north"},
    {"latitude": HUGE},
    {"latitude": [1]},
    {"longitude": 180.0001},
    {"longitude": -181},
    {"longitude": "1e400"},
    {"id": 1},
    {"slug": "otro"},
    {"path": "/1/"},
    {"children": []},
]

BAD_TERRITORY_CREATE_FIELDS: list[dict[str, Any]] = [
    *BAD_TERRITORY_FIELDS,
    {"level": None},
    {"level": -1},
    {"level": 4},
    {"level": HUGE},
    {"level": "region"},
    {"level": 2.5},
    {"level": 2},  # not below its parent, a comuna (level 2)
    {"parent_id": 0},
    {"parent_id": -1},
    {"parent_id": HUGE},
    {"parent_id": 987_654},
    {"parent_id": "abc"},
    {"parent_id": "neighbourhood"},  # level 3: nothing is below a neighbourhood
    {"name": "Bajos de Mena"},  # already there
    {"name": "BAJOS DE MENA"},
]

BAD_TERRITORY_PATCH_FIELDS: list[dict[str, Any]] = [
    *BAD_TERRITORY_FIELDS,
    {"parent_id": "elsewhere"},
    {"parent_id": None},
    {"parent_id": 987_654},
    {"parent_id": 0},
    {"level": 3},
    {"level": 9},
    {"level": None},
    {"name": "La Ligua", "parent_id": "elsewhere"},
]

# Bodies with non-finite numbers, which Python's JSON parser accepts.
NON_FINITE = ["NaN", "Infinity", "-Infinity"]


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(Program.objects.values_list("pk", "name", "slug", "description", "is_public")),
        sorted(Program.objects.values_list("pk", "updated_at")),
        sorted(Program.territories.through.objects.values_list("program_id", "territory_id")),
        sorted(Cycle.objects.values_list("pk", "program_id", "starts_on", "ends_on")),
        ProgramRole.objects.count(),
        sorted(
            Territory.objects.values_list(
                "pk",
                "name",
                "code",
                "latitude",
                "longitude",
                "description",
                "parent_id",
                "level",
                "path",
                "updated_at",
            )
        ),
        AuditEntry.objects.count(),
    )


def resolve(world: World, payload: dict[str, Any]) -> dict[str, Any]:
    places = {"neighbourhood": world.neighbourhood.pk, "elsewhere": world.elsewhere.pk}
    return {
        key: places.get(value, value) if isinstance(value, str) and key == "parent_id" else value
        for key, value in payload.items()
    }


def assert_refused(response: Any, before: tuple[Any, ...]) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    body = response.json()
    assert body["detail"], body
    if isinstance(body["detail"], list):
        for error in body["detail"]:
            assert set(error) == {"field", "message", "code"} and error["message"]
    assert snapshot() == before


def _endpoints(world: World) -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    """Each write: who may call it, method, path and a valid payload to spoil field by field."""
    return {
        "create program": (
            "superuser",
            "post",
            "/programs",
            {"name": "Nuevo", "starts_on": "2025-01-01"},
        ),
        "update program": ("superuser", "patch", "/programs/barrios", {"name": "Otro nombre"}),
        "create territory": (
            "coordinator",
            "post",
            "/territories",
            {"name": "Villa Nueva", "level": 3, "parent_id": world.territory.pk},
        ),
        "update territory": (
            "coordinator",
            "patch",
            f"/territories/{world.territory.pk}",
            {"name": "Otro nombre"},
        ),
    }


BATTERIES = {
    "create program": BAD_PROGRAM_CREATE_FIELDS,
    "update program": BAD_PROGRAM_PATCH_FIELDS,
    "create territory": BAD_TERRITORY_CREATE_FIELDS,
    "update territory": BAD_TERRITORY_PATCH_FIELDS,
}


@pytest.mark.parametrize("endpoint", list(BATTERIES))
def test_bad_payloads_are_refused_without_writing(world, endpoint):
    who, method, path, valid = _endpoints(world)[endpoint]
    send = getattr(world.api(who), method)
    before = snapshot()
    for raw in MALFORMED:
        assert_refused(send(path, raw=raw), before)
    for bad in BATTERIES[endpoint]:
        payload = {**valid, **resolve(world, bad)}
        # json.dumps would refuse the lone surrogate; send it as the escape a client would.
        assert_refused(send(path, raw=json.dumps(payload, ensure_ascii=True)), before)
    if "territory" in endpoint:
        for number in NON_FINITE:
            for key in ("latitude", "longitude"):
                raw = json.dumps(valid)[:-1] + f', "{key}": {number}}}'
                assert_refused(send(path, raw=raw), before)
    # The valid payload is accepted: the battery did not fail for a reason of its own.
    assert send(path, valid).status_code in (200, 201)


@pytest.mark.parametrize("endpoint", ["update program", "update territory"])
def test_bad_paths_and_methods(world, endpoint):
    who, method, path, valid = _endpoints(world)[endpoint]
    api = world.api(who if endpoint == "update territory" else "administrator")
    send = getattr(api, method)
    before = snapshot()
    pk = str(world.territory.pk)
    bad_paths = (
        [path.replace(pk, other) for other in ("0", "-1", "abc", "987654", str(HUGE))]
        if endpoint == "update territory"
        else [
            path.replace("barrios", other)
            for other in ("no-such-program", "%00", "reservado", "x" * 81, "a%2Fb")
        ]
    )
    for bad_path in bad_paths:
        assert_refused(send(bad_path, valid), before)
    response = api.client.put(BASE + path, "{}", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert api.client.delete(BASE + path).status_code in (401, 404, 405)
    assert snapshot() == before


def test_too_large_body_is_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot()
    response = world.api("superuser").post(
        "/programs", {"name": "Grande", "starts_on": "2025-01-01", "description": "x" * 2000}
    )
    assert response.status_code == 413
    assert snapshot() == before


def test_errors_name_the_fields_in_the_callers_language(world):
    api = world.api("superuser", language="es")
    # Schema errors come alone: the domain rules run on well-formed input only.
    response = api.post(
        "/programs", {"name": "", "starts_on": "2025-01-01", "cycle_count": 20, "slug": "a b"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["cycle_count"]
    response = api.post("/programs", {"name": "", "starts_on": "2025-01-01", "slug": "a b"})
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert set(detail) == {"name", "slug"}
    assert detail["name"] == "Este campo no puede estar vacío."
    assert "slug" in detail["slug"]


def test_length_messages_speak_of_characters_for_text_and_items_for_lists(world):
    api = world.api("superuser")
    response = api.post(
        "/programs",
        {"name": "x" * 201, "slug": "", "starts_on": "2025-01-01", "territory_ids": [1] * 201},
    )
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail == {
        "name": "Enter at most 200 characters.",
        "slug": "This field cannot be empty.",
        "territory_ids": "Enter at most 200 items.",
    }
    response = world.api("coordinator").post(
        "/territories", {"name": "X", "level": 0, "latitude": 90.5, "longitude": [1]}
    )
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail == {"latitude": "Enter a value of at most 90.", "longitude": "Enter a number."}
