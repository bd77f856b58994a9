# mypy: disable-error-code="attr-defined"
"""The funds endpoints: published calls and, once their results are published, their grants.
The permission matrix, what they return, and their queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tejido.accounts.services import api_token_create
from tejido.actors.models import ActorKind
from tejido.funds.models import AwardStatus, CallStatus, Criterion, Quota, QuotaKind
from tejido.funds.tests.factories import CallFactory, CriterionFactory
from tejido.funds.tests.factories_opendata import DecidedCall, decided_call
from tejido.funds.tests.test_opendata_views import WHO, People, people_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/programs"


def _get(people: People, who: str, path: str, **params: Any) -> Any:
    client = people.client(who)
    return client.get(path, params, headers={"Accept-Language": "en"})


def _statuses(people: People, path: str) -> dict[str, int]:
    return {who: _get(people, who, path).status_code for who in WHO}


def _urls(world: DecidedCall) -> dict[str, str]:
    slug, pk = world.program.slug, world.call.pk
    return {
        "calls": f"{BASE}/{slug}/calls",
        "call": f"{BASE}/{slug}/calls/{pk}",
        "awards": f"{BASE}/{slug}/calls/{pk}/awards",
    }


def test_matrix_results_published() -> None:
    world = decided_call()
    people = people_for(world)
    for url in _urls(world).values():
        assert _statuses(people, url) == dict.fromkeys(WHO, 200), url


def test_matrix_decided_not_published() -> None:
    world = decided_call(status=CallStatus.DECIDED)
    people = people_for(world)
    urls = _urls(world)
    assert _statuses(people, urls["call"]) == dict.fromkeys(WHO, 200)
    assert _statuses(people, urls["awards"]) == {
        **dict.fromkeys(WHO, 404),
        "coordinator": 200,
        "superuser": 200,
    }


def test_matrix_draft_call() -> None:
    world = decided_call(status=CallStatus.DRAFT)
    people = people_for(world)
    urls = _urls(world)
    for name in ("call", "awards"):
        assert _statuses(people, urls[name]) == dict.fromkeys(WHO, 404), name
    # Never listed, not even to coordinators (drafts are not published calls).
    listed = _get(people, "coordinator", urls["calls"]).json()
    assert listed["count"] == 0


def test_matrix_private_program() -> None:
    world = decided_call()
    world.program.is_public = False
    world.program.save()
    people = people_for(world)
    members = {**dict.fromkeys(WHO, 200), "anonymous": 404, "outsider": 404}
    for url in _urls(world).values():
        assert _statuses(people, url) == members, url


def test_token_reads_like_a_session() -> None:
    world = decided_call(status=CallStatus.DECIDED)
    people = people_for(world)
    token = api_token_create(user=people.users["coordinator"], name="tests")[1]
    response = Client().get(_urls(world)["awards"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["count"] == 2
    bad = Client().get(_urls(world)["awards"], headers={"Authorization": "Bearer tjd_nope"})
    assert bad.status_code == 401


def test_list_calls_and_phase_filter() -> None:
    world = decided_call()
    open_call = CallFactory(program=world.program, title="Fondo Juvenil", slug="juvenil")
    CallFactory(program=world.program, draft=True, slug="borrador")
    people = people_for(world)
    url = _urls(world)["calls"]
    data = _get(people, "anonymous", url).json()
    assert data["count"] == 2
    assert [c["slug"] for c in data["items"]] == ["juvenil", "fondo-barrial-2026"]
    juvenil = data["items"][0]
    assert juvenil["phase"] == "open" and juvenil["phase_label"] == "Open for applications"
    assert juvenil["budget"] == 10000000 and juvenil["currency"] == "CLP"
    assert juvenil["url"] in ("", f"/p/{world.program.slug}/funds/calls/{open_call.pk}/")
    only_open = _get(people, "anonymous", url, phase="open").json()
    assert [c["id"] for c in only_open["items"]] == [open_call.pk]
    results = _get(people, "anonymous", url, phase="results").json()
    assert [c["id"] for c in results["items"]] == [world.call.pk]
    bad = _get(people, "anonymous", url, phase="someday")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "phase"


def test_call_detail() -> None:
    world = decided_call()
    CriterionFactory(call=world.call, name="Participación", weight=2, minimum=2)
    Quota.objects.create(
        call=world.call, territory=world.territory, kind=QuotaKind.MINIMUM, share="0.3"
    )
    world.call.eligible_territories.add(world.territory)
    people = people_for(world)
    data = _get(people, "anonymous", _urls(world)["call"]).json()
    assert data["title"] == "Fondo Barrial 2026" and data["phase"] == "results"
    assert data["criteria"] == [
        {
            "name": "Participación",
            "guidance": "",
            "weight": 2.0,
            "scale_max": 5,
            "minimum": 2.0,
        }
    ]
    quota = data["quotas"][0]
    assert quota["kind"] == "min" and quota["share"] == 0.3 and quota["amount"] == 3000000
    assert quota["territory"]["name"] == "La Pintana" and quota["theme"] is None
    assert [t["name"] for t in data["eligible_territories"]] == ["La Pintana"]
    slug, pk = world.program.slug, world.call.pk
    assert data["open_data"] == {
        "giving360_json": f"/p/{slug}/funds/calls/{pk}/open-data/360giving.json",
        "giving360_csv": f"/p/{slug}/funds/calls/{pk}/open-data/360giving.csv",
        "pabulib": f"/p/{slug}/funds/calls/{pk}/open-data/call.pb",
    }
    assert Criterion.objects.count() == 1


def test_open_data_links_wait_for_the_results() -> None:
    world = decided_call(status=CallStatus.DECIDED)
    people = people_for(world)
    assert _get(people, "anonymous", _urls(world)["call"]).json()["open_data"] is None
    assert _get(people, "coordinator", _urls(world)["call"]).json()["open_data"] is not None


def test_awards() -> None:
    world = decided_call()
    people = people_for(world)
    data = _get(people, "anonymous", _urls(world)["awards"]).json()
    assert data["count"] == 2
    first = data["items"][0]
    award = world.awards[0]
    assert first["id"] == award.identifier and first["reference"] == "FC-2026-0001"
    assert first["amount"] == 1250000 and first["amount_disbursed"] == 875000
    assert first["applicant"]["name"] == award.application.applicant.name
    assert len(first["partners"]) == 1
    assert first["territory"]["name"] == "La Pintana"
    assert first["theme"]["slug"] == "espacios-publicos"
    assert (first["milestones"], first["milestones_reached"], first["progress"]) == (2, 1, 50)
    assert first["status"] == "active"


def test_cancelled_awards_only_for_coordinators() -> None:
    world = decided_call()
    world.awards[1].status = AwardStatus.CANCELLED
    world.awards[1].save()
    people = people_for(world)
    url = _urls(world)["awards"]
    assert _get(people, "anonymous", url).json()["count"] == 1
    assert _get(people, "coordinator", url).json()["count"] == 2


def test_a_person_is_named_only_to_members() -> None:
    world = decided_call(funded=1, not_funded=0)
    applicant = world.awards[0].application.applicant
    applicant.kind = ActorKind.PERSON
    applicant.save()
    people = people_for(world)
    url = _urls(world)["awards"]
    assert _get(people, "anonymous", url).json()["items"][0]["applicant"] is None
    member = _get(people, "applicant", url).json()["items"][0]["applicant"]
    assert member["id"] == applicant.pk


def test_queries_do_not_grow(django_assert_max_num_queries: Any) -> None:
    world = decided_call(funded=1, not_funded=0)
    people = people_for(world)
    client = people.client("anonymous")
    with django_assert_max_num_queries(20) as few:
        client.get(_urls(world)["awards"])
    big = decided_call(program=world.program, funded=6, not_funded=0, slug="b", prefix="X")
    for _i in range(5):
        CallFactory(program=world.program)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_urls(big)["awards"])
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(12):
        assert client.get(_urls(world)["calls"]).json()["count"] == 7
