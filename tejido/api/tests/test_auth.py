"""Bearer tokens, browser sessions with CSRF, and anonymous reads."""

from __future__ import annotations

import pytest
from django.test import Client

from tejido.accounts.models import ApiToken
from tejido.accounts.services import api_token_revoke
from tejido.actors.models import Actor

from .conftest import BASE, Api

NEW_ACTOR = {"kind": "organization", "name": "Club Deportivo Nuevo", "sector": "community"}


def test_bearer_token_identifies_the_user(world):
    response = world.api("coordinator").get("/programs/barrios")
    assert response.status_code == 200
    assert "actors.add_actor" in response.json()["permissions"]


def test_token_lets_a_coordinator_write(world):
    response = world.api("coordinator").post("/programs/barrios/actors", NEW_ACTOR)
    assert response.status_code == 201, response.content
    assert Actor.objects.filter(name="Club Deportivo Nuevo").exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer tjd_not-a-real-token", "Bearer ", "bearer nonsense", "Bearer a b c"],
)
def test_bad_token_is_401_even_on_public_reads(world, header):
    response = Client().get(f"{BASE}/programs", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(world):
    user = world.users["coordinator"]
    token = ApiToken.objects.get(user=user)
    api_token_revoke(user=user, token=token)
    api = world.api("coordinator")
    assert api.get("/programs/barrios").status_code == 401
    assert api.post("/programs/barrios/actors", NEW_ACTOR).status_code == 401
    assert not Actor.objects.filter(name=NEW_ACTOR["name"]).exists()


def test_token_of_an_inactive_user_is_401(world):
    user = world.users["coordinator"]
    user.is_active = False
    user.save()
    assert world.api("coordinator").get("/programs").status_code == 401


def test_anonymous_write_is_401_and_writes_nothing(world):
    response = Api().post("/programs/barrios/actors", NEW_ACTOR)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not Actor.objects.filter(name=NEW_ACTOR["name"]).exists()


def test_anonymous_may_read_public_programs(world):
    response = Api().get("/programs")
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["items"]] == ["barrios"]


def test_session_reads_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coordinator"])
    response = client.get(f"{BASE}/programs/reservado")
    assert response.status_code == 404  # coordinator of another program: private stays hidden
    response = client.get(f"{BASE}/programs/barrios")
    assert response.status_code == 200
    assert "actors.add_actor" in response.json()["permissions"]


def test_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coordinator"])
    api = Api(client=client)
    response = api.post("/programs/barrios/actors", NEW_ACTOR)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Actor.objects.filter(name=NEW_ACTOR["name"]).exists()

    # A browser sends back, in a header, the secret it holds in the CSRF cookie.
    secret = "k" * 32
    client.cookies["csrftoken"] = secret
    api.headers["X-CSRFToken"] = secret
    response = api.post("/programs/barrios/actors", NEW_ACTOR)
    assert response.status_code == 201, response.content
    assert Actor.objects.filter(name=NEW_ACTOR["name"]).count() == 1


def test_token_write_does_not_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    api = Api(world.tokens["coordinator"], client=client)
    assert api.post("/programs/barrios/actors", NEW_ACTOR).status_code == 201


def test_token_wins_over_a_session_of_someone_else(world):
    client = Client()
    client.force_login(world.users["coordinator"])
    api = Api(world.tokens["evaluator"], client=client)
    assert api.post("/programs/barrios/actors", NEW_ACTOR).status_code == 403
