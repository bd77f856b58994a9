# mypy: disable-error-code="return-value"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The permission matrix of the pages, through the API: who may read and write what.

Private programs answer 404 to anyone without a role in them (never 403, which would confirm
they exist); a visible program answers 403 to a write the caller's role does not allow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tejido.actors.models import Actor
from tejido.network.models import Tie, TieType
from tejido.network.tests.factories import TieFactory

from .conftest import Api, World

Action = Callable[[World, Api], Any]


def _tie_between_others(w: World) -> Tie:
    third = Actor.objects.create(
        program=w.program, kind="organization", name="Tercero", sector="private"
    )
    return TieFactory(source=w.other_org, target=third, tie_type=TieType.FUNDING)


def _tie_of_org(w: World) -> Tie:
    return TieFactory(source=w.org, target=w.other_org, tie_type=TieType.COLLABORATION)


ACTIONS: dict[str, Action] = {
    "read program": lambda w, a: a.get("/programs/barrios"),
    "read private program": lambda w, a: a.get("/programs/reservado"),
    "list actors": lambda w, a: a.get("/programs/barrios/actors"),
    "list private actors": lambda w, a: a.get("/programs/reservado/actors"),
    "read actor": lambda w, a: a.get(f"/actors/{w.org.pk}"),
    "read private actor": lambda w, a: a.get(f"/actors/{w.private_actor.pk}"),
    "list ties": lambda w, a: a.get("/programs/barrios/ties"),
    "list private ties": lambda w, a: a.get("/programs/reservado/ties"),
    "read tie": lambda w, a: a.get(f"/ties/{_tie_of_org(w).pk}"),
    "create actor": lambda w, a: a.post(
        "/programs/barrios/actors", {"kind": "person", "name": "Rosa", "sector": "community"}
    ),
    "create private actor": lambda w, a: a.post(
        "/programs/reservado/actors", {"kind": "person", "name": "Rosa", "sector": "community"}
    ),
    "change own org": lambda w, a: a.patch(f"/actors/{w.org.pk}", {"power": 4}),
    "change other org": lambda w, a: a.patch(f"/actors/{w.other_org.pk}", {"power": 4}),
    "change private actor": lambda w, a: a.patch(f"/actors/{w.private_actor.pk}", {"power": 4}),
    "tie from own org": lambda w, a: a.post(
        "/programs/barrios/ties",
        {"source_id": w.org.pk, "target_id": w.other_org.pk, "tie_type": "support"},
    ),
    "tie from other org": lambda w, a: a.post(
        "/programs/barrios/ties",
        {"source_id": w.other_org.pk, "target_id": w.org.pk, "tie_type": "support"},
    ),
    "change tie of own org": lambda w, a: a.patch(f"/ties/{_tie_of_org(w).pk}", {"intensity": 4}),
    "change tie of others": lambda w, a: a.patch(
        f"/ties/{_tie_between_others(w).pk}", {"intensity": 4}
    ),
    "end tie of own org": lambda w, a: a.post(f"/ties/{_tie_of_org(w).pk}/end", {}),
}

# Expected status per action and caller. "representative" represents `org`.
MATRIX: dict[str, dict[str, int]] = {
    "read program": {
        "anonymous": 200,
        "outsider": 200,
        "evaluator": 200,
        "representative": 200,
        "coordinator": 200,
    },
    "read private program": {
        "anonymous": 404,
        "outsider": 404,
        "coordinator": 404,  # a coordinator of another program
        "superuser": 200,
    },
    "list actors": {"anonymous": 200, "outsider": 200, "evaluator": 200},
    "list private actors": {"anonymous": 404, "outsider": 404, "superuser": 200},
    "read actor": {"anonymous": 200, "evaluator": 200},
    "read private actor": {"anonymous": 404, "outsider": 404, "coordinator": 404},
    "list ties": {"anonymous": 200, "evaluator": 200},
    "list private ties": {"anonymous": 404, "outsider": 404},
    "read tie": {"anonymous": 200, "outsider": 200},
    "create actor": {
        "anonymous": 401,
        "outsider": 403,
        "evaluator": 403,
        "representative": 403,
        "directorate": 403,
        "coordinator": 201,
        "administrator": 201,
        "superuser": 201,
    },
    "create private actor": {"anonymous": 401, "outsider": 404, "coordinator": 404},
    "change own org": {
        "anonymous": 401,
        "outsider": 403,
        "evaluator": 403,
        "directorate": 403,
        "representative": 200,
        "coordinator": 200,
    },
    "change other org": {"representative": 403, "evaluator": 403, "coordinator": 200},
    "change private actor": {"anonymous": 401, "outsider": 404, "coordinator": 404},
    "tie from own org": {
        "anonymous": 401,
        "outsider": 403,
        "evaluator": 403,
        "representative": 201,
        "directorate": 201,
        "coordinator": 201,
    },
    "tie from other org": {"representative": 403, "evaluator": 403, "directorate": 201},
    "change tie of own org": {
        "anonymous": 401,
        "evaluator": 403,
        "outsider": 403,
        "directorate": 200,  # whoever may record any tie may correct one
        "representative": 200,
        "coordinator": 200,
    },
    "change tie of others": {
        "representative": 403,
        "evaluator": 403,
        "directorate": 200,
        "coordinator": 200,
    },
    "end tie of own org": {"anonymous": 401, "evaluator": 403, "representative": 200},
}

CASES = [(action, who, status) for action, row in MATRIX.items() for who, status in row.items()]


@pytest.mark.parametrize(("action", "who", "status"), CASES, ids=[f"{a}-{w}" for a, w, _ in CASES])
def test_permission_matrix(world, action, who, status):
    response = ACTIONS[action](world, world.api(who))
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["detail"]
        # A refused write changes nothing: no new actor, no edited actor, no new tie version.
        assert not Actor.objects.filter(name="Rosa").exists()
        assert not Actor.objects.filter(power=4).exists()
        assert not Tie.objects.filter(superseded_at__isnull=False).exists()
        assert not Tie.objects.filter(tie_type=TieType.SUPPORT).exists()


def test_private_program_is_not_listed_to_outsiders_but_is_to_members(world):
    from tejido.accounts.models import Role
    from tejido.accounts.tests.factories import ProgramRoleFactory

    assert [p["slug"] for p in world.api("outsider").get("/programs").json()["items"]] == [
        "barrios"
    ]
    ProgramRoleFactory(user=world.users["outsider"], program=world.private, role=Role.EVALUATOR)
    slugs = {p["slug"] for p in world.api("outsider").get("/programs").json()["items"]}
    assert slugs == {"barrios", "reservado"}


def test_evaluator_cannot_write_anything(world):
    api = world.api("evaluator")
    tie = _tie_of_org(world)
    responses = [
        api.post("/programs/barrios/actors", {"kind": "person", "name": "X", "sector": "public"}),
        api.patch(f"/actors/{world.org.pk}", {"name": "Cambiado"}),
        api.post(
            "/programs/barrios/ties",
            {"source_id": world.org.pk, "target_id": world.other_org.pk, "tie_type": "funding"},
        ),
        api.patch(f"/ties/{tie.pk}", {"intensity": 0}),
        api.post(f"/ties/{tie.pk}/end", {}),
    ]
    assert [r.status_code for r in responses] == [403] * 5
    world.org.refresh_from_db()
    assert world.org.name == "Junta de Vecinos Álamos"
    assert Tie.objects.count() == 1
