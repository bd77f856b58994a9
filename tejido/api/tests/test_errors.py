# mypy: disable-error-code="return-value"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Bad input always gets a 4xx with a message, never a 500, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tejido.actors.models import Actor
from tejido.core.models import AuditEntry
from tejido.network.models import Tie, TieType
from tejido.network.tests.factories import TieFactory

from .conftest import BASE, Api, World

HUGE = 10**30

# Bodies that are not a JSON object at all, or not what any endpoint accepts.
MALFORMED: list[str | bytes] = [
    "{",
    "{'name': 'single quotes'}",
    "nul",
    "[]",
    "null",
    "123",
    '"a string"',
    "[{}]",
    b"\xff\xfe\x00garbage",
    "[" * 50_000,  # deep nesting: json gives up with RecursionError
    '{"a": NaN}',
]

# Field values that are wrong for any actor write (create or update).
BAD_ACTOR_FIELDS: list[dict[str, Any]] = [
    {"name": 123},
    {"name": ["list"]},
    {"name": {"nested": "object"}},
    {"name": ""},
    {"name": "   "},
    {"name": "x" * 201},
    {"name": "x" * 1_000_000},
    {"name": "nul\x00byte"},
    {"name": "lone \ud800 surrogate"},
    {"kind": "robot"},
    {"kind": ["organization"]},
    {"sector": "bakery"},
    {"sector": ""},
    {"stance": "meh"},
    {"size": "huge"},
    {"power": 0},
    {"power": 6},
    {"power": -1},
    {"power": HUGE},
    {"power": "high"},
    {"power": 3.5},
    {"interest": 99},
    {"founded_year": 1066},
    {"founded_year": 99_999},
    {"territory_id": 0},
    {"territory_id": -1},
    {"territory_id": HUGE},
    {"territory_id": 987_654},
    {"territory_id": "abc"},
    {"territory_id": "other program"},
    {"territories_served_ids": "1"},
    {"territories_served_ids": [0]},
    {"territories_served_ids": [HUGE]},
    {"territories_served_ids": [987_654]},
    {"territories_served_ids": list(range(1, 300))},
    {"territories_served_ids": "other program"},
    {"theme_ids": [987_654]},
    {"theme_ids": [1, "x"]},
    {"theme_ids": list(range(1, 60))},
    {"email": "not-an-email"},
    {"website": "javascript:alert(1)"},
    {"phone": "9" * 41},
    {"gender": "woman"},
    {"program": "reservado"},
    {"id": 1},
    {"search_text": "x"},
    {"created_by": 1},
]

BAD_TIE_FIELDS: list[dict[str, Any]] = [
    {"tie_type": "friendship"},
    {"tie_type": None},
    {"intensity": 5},
    {"intensity": -1},
    {"intensity": "strong"},
    {"intensity": HUGE},
    {"trust": 0},
    {"trust": 6},
    {"value": 99},
    {"provenance": "rumour"},
    {"started_on": "2024-13-01"},
    {"started_on": "not a date"},
    {"started_on": "2024-02-30"},
    {"started_on": "2025-02-01", "ended_on": "2025-01-01"},
    {"cycle": 0},
    {"cycle": 99},
    {"cycle": HUGE},
    {"note": "x" * 10_001},
    {"note": "\x00"},
    {"recorded_by": 1},
    {"superseded_at": "2025-01-01T00:00:00Z"},
]

BAD_TIE_CREATE_FIELDS: list[dict[str, Any]] = [
    *BAD_TIE_FIELDS,
    {"source_id": 987_654},
    {"source_id": HUGE},
    {"source_id": "x"},
    {"target_id": "self"},
    {"target_id": "other program"},
    {"source_id": None},
]

BAD_TIE_PATCH_FIELDS: list[dict[str, Any]] = [
    *BAD_TIE_FIELDS,
    {"intensity": None},
    {"source_id": 1},
    {"tie_type": "funding"},
    {"directed": True},
    {"ended_on": "1999-01-01"},  # before the tie started
]

BAD_END: list[dict[str, Any]] = [
    {"ended_on": "yesterday"},
    {"ended_on": "1999-01-01"},
    {"ended_on": 12},
    {"extra": 1},
]


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(Actor.objects.values_list("pk", "name", "power", "territory_id", "updated_at")),
        sorted(Tie.objects.values_list("pk", "intensity", "superseded_at", "ended_on")),
        AuditEntry.objects.count(),
    )


def resolve(world: World, payload: dict[str, Any]) -> dict[str, Any]:
    """Fill in the placeholders that need the world's ids."""
    result = {}
    for key, value in payload.items():
        if value == "other program":
            value = world.elsewhere.pk if "territor" in key else world.private_actor.pk
            value = [value] if key.endswith("_ids") else value
        elif value == "self":
            value = world.org.pk
        result[key] = value
    return result


def assert_refused(response: Any, before: tuple[Any, ...]) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    body = response.json()
    assert body["detail"], body
    if isinstance(body["detail"], list):
        for error in body["detail"]:
            assert set(error) == {"field", "message", "code"} and error["message"]
    assert snapshot() == before


@pytest.fixture
def tie(world: World) -> Tie:
    return TieFactory(
        source=world.org,
        target=world.other_org,
        tie_type=TieType.COLLABORATION,
        started_on="2024-03-01",
    )


def _endpoints(world: World, tie: Tie) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each write endpoint: method, path and a valid payload to spoil field by field."""
    return {
        "create actor": (
            "post",
            "/programs/barrios/actors",
            {"kind": "organization", "name": "Nueva", "sector": "community"},
        ),
        "update actor": ("patch", f"/actors/{world.org.pk}", {}),
        "create tie": (
            "post",
            "/programs/barrios/ties",
            {"source_id": world.org.pk, "target_id": world.other_org.pk, "tie_type": "support"},
        ),
        "update tie": ("patch", f"/ties/{tie.pk}", {}),
        "end tie": ("post", f"/ties/{tie.pk}/end", {}),
    }


BATTERIES = {
    "create actor": BAD_ACTOR_FIELDS,
    "update actor": BAD_ACTOR_FIELDS,
    "create tie": BAD_TIE_CREATE_FIELDS,
    "update tie": BAD_TIE_PATCH_FIELDS,
    "end tie": BAD_END,
}


@pytest.mark.parametrize("endpoint", list(BATTERIES))
def test_bad_payloads_are_refused_without_writing(world, tie, endpoint):
    method, path, valid = _endpoints(world, tie)[endpoint]
    api = world.api("coordinator")
    send = getattr(api, method)
    before = snapshot()
    for raw in MALFORMED:
        if endpoint == "end tie" and raw == "null":
            continue  # "no body" is a valid way to end a tie today
        assert_refused(send(path, raw=raw), before)
    for bad in BATTERIES[endpoint]:
        payload = {**valid, **resolve(world, bad)}
        # json.dumps would refuse the lone surrogate; send it as the escape a client would.
        assert_refused(send(path, raw=json.dumps(payload, ensure_ascii=True)), before)


@pytest.mark.parametrize("endpoint", list(BATTERIES))
def test_write_endpoints_refuse_bad_ids_and_methods(world, tie, endpoint):
    method, path, valid = _endpoints(world, tie)[endpoint]
    api = world.api("coordinator")
    send = getattr(api, method)
    before = snapshot()
    bad_paths = [
        path.replace(str(world.org.pk), "987654").replace(str(tie.pk), "987654"),
        path.replace(str(world.org.pk), "0").replace(str(tie.pk), "0"),
        path.replace(str(world.org.pk), "abc").replace(str(tie.pk), "abc"),
        path.replace(str(world.org.pk), str(HUGE)).replace(str(tie.pk), str(HUGE)),
        path.replace("barrios", "no-such-program"),
        path.replace("barrios", "%00"),
        path.replace("barrios", "reservado"),
    ]
    for bad_path in bad_paths:
        if bad_path == path:
            continue
        assert_refused(send(bad_path, valid), before)
    # A method the endpoint does not take.
    response = api.client.put(BASE + path, "{}", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert snapshot() == before


def test_too_large_body_is_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot()
    response = world.api("coordinator").post(
        "/programs/barrios/actors",
        {"kind": "organization", "name": "Grande", "sector": "public", "description": "x" * 2000},
    )
    assert response.status_code == 413
    assert snapshot() == before


@pytest.mark.parametrize(
    "path",
    [
        "/programs?limit=-5",
        "/programs?limit=abc",
        "/programs?offset=-1",
        "/territories?level=9",
        "/territories?parent=abc",
        f"/territories?parent={HUGE}",
        "/territories?program=reservado",
        "/territories?program=%00",
        f"/territories/{HUGE}",
        "/territories/0",
        "/territories/987654",
        "/programs/barrios/actors?q=%00",
        "/programs/barrios/actors?q=" + "x" * 500,
        "/programs/barrios/ties?active_on=2024-99-99",
        "/programs/barrios/ties?intensity_min=-1",
        f"/actors/{HUGE}",
        f"/ties/{HUGE}",
        "/ties/0",
    ],
)
def test_bad_reads_are_4xx(world, path):
    response = Api().get(path)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]


def test_validation_error_shape_and_language(world):
    payload = {"kind": "robot", "name": "X", "sector": "public", "power": 9, "gender": "woman"}
    response = world.api("coordinator", language="en").post("/programs/barrios/actors", payload)
    assert response.status_code == 422
    detail = sorted(response.json()["detail"], key=lambda e: e["field"])
    assert detail == [
        {"field": "gender", "message": "Unknown field.", "code": "extra_forbidden"},
        {
            "field": "kind",
            "message": "Unknown value. Expected one of: 'organization', 'informal_group' or "
            "'person'.",
            "code": "enum",
        },
        {"field": "power", "message": "Enter a value of at most 5.", "code": "less_than_equal"},
    ]


def test_domain_errors_use_the_api_field_names_and_the_callers_language(world):
    response = world.api("coordinator", language="es").post(
        "/programs/barrios/actors",
        {"kind": "organization", "name": "", "sector": "public", "website": "no es url"},
    )
    assert response.status_code == 422
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail["name"] == "Este campo no puede estar vacío."
    assert detail["website"] == "Introduzca una URL válida."


def test_malformed_json_message(world):
    response = world.api("coordinator").post("/programs/barrios/actors", raw="{")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


def test_forbidden_and_not_found_shapes(world):
    response = world.api("evaluator").post(
        "/programs/barrios/actors", {"kind": "person", "name": "X", "sector": "public"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}
    response = world.api("evaluator").get("/programs/reservado")
    assert response.json() == {"detail": "Not found."}


def test_unauthenticated_write_shape(world):
    response = Api().patch(f"/actors/{world.org.pk}", {"name": "X"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in or send an API token to do this."}
