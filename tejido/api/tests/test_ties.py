"""Ties through the API: filters, versions, create, update (a new version) and end."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.network.models import Provenance, Tie, TieType
from tejido.network.services import tie_update
from tejido.network.tests.factories import TieFactory

from .conftest import Api

TODAY = timezone.localdate()


@pytest.fixture
def ties(world):
    third = ActorFactory(program=world.program, name="Escuela Básica")
    return {
        "collab": TieFactory(
            source=world.org,
            target=world.other_org,
            tie_type=TieType.COLLABORATION,
            intensity=3,
            started_on=datetime.date(2024, 3, 1),
        ),
        "funding": TieFactory(
            source=world.other_org,
            target=third,
            tie_type=TieType.FUNDING,
            directed=True,
            intensity=1,
            provenance=Provenance.FUND,
        ),
        "ended": TieFactory(
            source=world.org,
            target=third,
            tie_type=TieType.INFORMATION,
            intensity=0,
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2022, 12, 31),
        ),
        "private": TieFactory(
            source=world.private_actor,
            target=ActorFactory(program=world.private),
            tie_type=TieType.SUPPORT,
        ),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_list_shows_current_ties_of_the_program_only(world, ties):
    body = Api().get("/programs/barrios/ties").json()
    assert body["count"] == 3
    assert {t["id"] for t in body["items"]} == {ties[k].pk for k in ("collab", "funding", "ended")}
    funding = next(t for t in body["items"] if t["id"] == ties["funding"].pk)
    assert funding["source"]["name"] == "Centro Cultural Mena"
    assert funding["directed"] is True and funding["provenance"] == "fund"
    assert funding["is_current"] and funding["intensity_label"] == "Cooperation"


def test_filters(world, ties):
    api = Api()
    assert ids(api.get("/programs/barrios/ties", {"actor": world.org.pk})) == {
        ties["collab"].pk,
        ties["ended"].pk,
    }
    assert ids(api.get("/programs/barrios/ties", {"type": "funding"})) == {ties["funding"].pk}
    assert ids(api.get("/programs/barrios/ties", {"type": ["funding", "information"]})) == {
        ties["funding"].pk,
        ties["ended"].pk,
    }
    assert ids(api.get("/programs/barrios/ties", {"provenance": "fund"})) == {ties["funding"].pk}
    assert ids(api.get("/programs/barrios/ties", {"intensity_min": 3})) == {ties["collab"].pk}
    assert ids(api.get("/programs/barrios/ties", {"active_on": "2021-06-01"})) == {
        ties["funding"].pk,
        ties["ended"].pk,
    }
    assert ids(api.get("/programs/barrios/ties", {"active_on": TODAY.isoformat()})) == {
        ties["collab"].pk,
        ties["funding"].pk,
    }


def test_include_history_returns_replaced_versions(world, ties):
    newer = tie_update(user=None, tie=ties["collab"], intensity=4)
    assert ids(Api().get("/programs/barrios/ties", {"type": "collaboration"})) == {newer.pk}
    everything = Api().get(
        "/programs/barrios/ties", {"type": "collaboration", "include_history": "true"}
    )
    assert ids(everything) == {newer.pk, ties["collab"].pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"actor": 987_654}, "actor"),
        ({"type": "friendship"}, "type.0"),
        ({"provenance": "rumour"}, "provenance.0"),
        ({"active_on": "2024-02-30"}, "active_on"),
        ({"include_history": "maybe"}, "include_history"),
        ({"intensity_min": 7}, "intensity_min"),
    ],
)
def test_bad_filters_are_422(world, ties, params, field):
    response = Api().get("/programs/barrios/ties", params)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_actor_of_another_program_is_not_a_filter(world, ties):
    response = Api().get("/programs/barrios/ties", {"actor": world.private_actor.pk})
    assert response.status_code == 422
    assert "Agrupación" not in response.content.decode()


def test_private_tie_is_404(world, ties):
    assert Api().get(f"/ties/{ties['private'].pk}").status_code == 404
    assert world.api("outsider").get(f"/ties/{ties['private'].pk}").status_code == 404


def test_create_tie(world):
    response = world.api("coordinator").post(
        "/programs/barrios/ties",
        {
            "source_id": world.other_org.pk,
            "target_id": world.org.pk,
            "tie_type": "agreement",
            "intensity": 2,
            "trust": 4,
            "started_on": "2025-03-01",
            "provenance": "meeting",
            "note": "Convenio de uso de sede",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/ties/{body['id']}"
    tie = Tie.objects.get(pk=body["id"])
    # Undirected ties are stored with the smaller id first, whichever way they were sent.
    assert (tie.source_id, tie.target_id) == (world.org.pk, world.other_org.pk)
    assert tie.recorded_by == world.users["coordinator"]
    assert tie.cycle is not None and body["cycle"] == tie.cycle.number == 2
    assert body["previous_version_ids"] == [] and body["next_version_id"] is None
    assert AuditEntry.objects.filter(action="tie.create").count() == 1


def test_create_on_an_existing_pair_writes_a_new_version(world, ties):
    response = world.api("coordinator").post(
        "/programs/barrios/ties",
        {
            "source_id": world.org.pk,
            "target_id": world.other_org.pk,
            "tie_type": "collaboration",
            "intensity": 4,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["previous_id"] == ties["collab"].pk
    assert body["previous_version_ids"] == [ties["collab"].pk]
    assert Tie.objects.current().filter(tie_type=TieType.COLLABORATION).count() == 1


def test_create_with_an_explicit_cycle(world):
    response = world.api("coordinator").post(
        "/programs/barrios/ties",
        {"source_id": world.org.pk, "target_id": world.other_org.pk, "tie_type": "support",
         "cycle": 1},
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["cycle"] == 1


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"target_id": "private"}, ["target_id"]),
        ({"source_id": 987_654}, ["source_id"]),
        ({"cycle": 9}, ["cycle"]),
        ({"target_id": "self"}, [None]),
        ({"started_on": "2025-01-02", "ended_on": "2025-01-01"}, ["ended_on"]),
    ],
)
def test_create_refuses_bad_references(world, change, fields):
    payload = {"source_id": world.org.pk, "target_id": world.other_org.pk, "tie_type": "support"}
    payload.update(change)
    if payload["target_id"] == "private":
        payload["target_id"] = world.private_actor.pk
    if payload["target_id"] == "self":
        payload["target_id"] = world.org.pk
    response = world.api("coordinator").post("/programs/barrios/ties", payload)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]] == fields
    assert not Tie.objects.exists()


def test_update_writes_a_new_version_and_keeps_the_old(world, ties):
    old = ties["collab"]
    response = world.api("coordinator").patch(
        f"/ties/{old.pk}", {"intensity": 4, "trust": 5, "note": "Mesa barrial"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] != old.pk and body["previous_id"] == old.pk
    assert body["intensity"] == 4 and body["trust"] == 5 and body["note"] == "Mesa barrial"
    assert body["started_on"] == "2024-03-01"  # unchanged fields carry over
    assert body["previous_version_ids"] == [old.pk]
    old.refresh_from_db()
    assert old.intensity == 3 and old.superseded_at is not None
    old_body = Api().get(f"/ties/{old.pk}").json()
    assert old_body["is_current"] is False and old_body["next_version_id"] == body["id"]


def test_update_of_a_replaced_version_is_409(world, ties):
    old = ties["collab"]
    newer = tie_update(user=None, tie=old, intensity=4)
    response = world.api("coordinator").patch(f"/ties/{old.pk}", {"intensity": 0})
    assert response.status_code == 409
    assert str(newer.pk) in response.json()["detail"]
    assert Tie.objects.count() == 5


def test_update_clears_optional_fields_with_null(world, ties):
    tie = tie_update(user=None, tie=ties["collab"], trust=3)
    response = world.api("coordinator").patch(f"/ties/{tie.pk}", {"trust": None, "note": None})
    assert response.status_code == 200
    assert response.json()["trust"] is None and response.json()["note"] == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"intensity": None}, "intensity"),
        ({"provenance": None}, "provenance"),
        ({"intensity": 5}, "intensity"),
        ({"trust": 0}, "trust"),
        ({"value": 6}, "value"),
        ({"ended_on": "2024-01-01"}, "ended_on"),  # before the tie started
        ({"started_on": "2030-01-01", "ended_on": "2029-01-01"}, "ended_on"),
        ({"source_id": 1}, "source_id"),  # the ends define the tie: not changeable
        ({"tie_type": "funding"}, "tie_type"),
    ],
)
def test_update_refuses_bad_values(world, ties, payload, field):
    response = world.api("coordinator").patch(f"/ties/{ties['collab'].pk}", payload)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert Tie.objects.count() == 4


def test_end_tie_keeps_history(world, ties):
    tie = ties["collab"]
    response = world.api("representative").post(f"/ties/{tie.pk}/end", {"ended_on": "2025-06-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ended_on"] == "2025-06-30" and body["previous_version_ids"] == [tie.pk]
    assert body["is_active"] is False
    assert Tie.objects.filter(pk=tie.pk, ended_on__isnull=True).exists()


def test_end_tie_defaults_to_today_and_accepts_an_empty_body(world, ties):
    tie = ties["funding"]
    response = world.api("coordinator").post(f"/ties/{tie.pk}/end", raw="")
    assert response.status_code == 200, response.content
    assert response.json()["ended_on"] == TODAY.isoformat()


def test_end_before_start_is_422(world, ties):
    response = world.api("coordinator").post(
        f"/ties/{ties['collab'].pk}/end", {"ended_on": "2000-01-01"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "ended_on"
    assert Tie.objects.count() == 4


def test_notes_are_for_members_only(world, ties):
    tie = tie_update(user=None, tie=ties["collab"], note="Conflicto con la directiva")
    for who in ("anonymous", "outsider"):
        assert world.api(who).get(f"/ties/{tie.pk}").json()["note"] is None
        listing = world.api(who).get("/programs/barrios/ties").content.decode()
        assert "Conflicto" not in listing
    assert world.api("evaluator").get(f"/ties/{tie.pk}").json()["note"] == (
        "Conflicto con la directiva"
    )
