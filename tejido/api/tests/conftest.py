# mypy: disable-error-code="arg-type,attr-defined"
# (factory_boy types a factory call as the factory, not the model it creates)
"""A small world for API tests: a public and a private program, one user per role, tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tejido.accounts.models import Role
from tejido.accounts.services import api_token_create
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, Sector
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.models import Program, Territory, Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory

BASE = "/api/v1"


class Api:
    """A test client speaking JSON to /api/v1 with an optional bearer token and language."""

    def __init__(
        self, token: str | None = None, language: str = "en", client: Client | None = None
    ) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _url(self, path: str) -> str:
        return path if path.startswith(("/api/", "http")) else BASE + path

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.get(self._url(path), params or {}, headers=self.headers, **kw)

    def _send(self, method: str, path: str, data: Any, raw: str | bytes | None) -> Any:
        body = raw if raw is not None else json.dumps(data)
        send = getattr(self.client, method)
        return send(self._url(path), body, content_type="application/json", headers=self.headers)

    def post(self, path: str, data: Any = None, raw: str | bytes | None = None) -> Any:
        return self._send("post", path, {} if data is None else data, raw)

    def patch(self, path: str, data: Any = None, raw: str | bytes | None = None) -> Any:
        return self._send("patch", path, {} if data is None else data, raw)


@dataclass
class World:
    program: Program
    private: Program
    territory: Territory
    neighbourhood: Territory
    elsewhere: Territory
    theme: Theme
    org: Actor
    other_org: Actor
    private_actor: Actor
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def api(self, who: str = "anonymous", language: str = "en") -> Api:
        return Api(self.tokens.get(who), language=language)


ROLES = {
    "administrator": Role.ADMINISTRATOR,
    "coordinator": Role.COORDINATOR,
    "directorate": Role.DIRECTORATE_MEMBER,
    "representative": Role.ORGANIZATION_REPRESENTATIVE,
    "evaluator": Role.EVALUATOR,
}


@pytest.fixture
def world(db: Any) -> World:
    program = ProgramFactory(name="Barrios en Red", slug="barrios")
    private = ProgramFactory(name="Programa Reservado", slug="reservado", is_public=False)
    region = TerritoryFactory(name="Región Metropolitana", level=Territory.Level.REGION)
    territory = TerritoryFactory(name="Puente Alto", parent=region)
    neighbourhood = TerritoryFactory(
        name="Bajos de Mena", parent=territory, level=Territory.Level.NEIGHBOURHOOD
    )
    elsewhere = TerritoryFactory(name="La Ligua", level=Territory.Level.MUNICIPALITY)
    program.territories.add(territory)
    private.territories.add(elsewhere)
    theme = ThemeFactory(name="Huertos urbanos")
    org = ActorFactory(
        program=program,
        name="Junta de Vecinos Álamos",
        territory=neighbourhood,
        email="alamos@example.org",
        phone="+56 2 2345 6789",
    )
    other_org = ActorFactory(program=program, name="Centro Cultural Mena", sector=Sector.PUBLIC)
    private_actor = ActorFactory(program=private, name="Agrupación Secreta")
    w = World(
        program=program,
        private=private,
        territory=territory,
        neighbourhood=neighbourhood,
        elsewhere=elsewhere,
        theme=theme,
        org=org,
        other_org=other_org,
        private_actor=private_actor,
    )
    for who, role in ROLES.items():
        user = UserFactory(email=f"{who}@example.org")
        ProgramRoleFactory(user=user, program=program, role=role)
        w.users[who] = user
        w.tokens[who] = api_token_create(user=user, name="tests")[1]
    RepresentativeFactory(user=w.users["representative"], organization=org)
    outsider = UserFactory(email="outsider@example.org")
    w.users["outsider"] = outsider
    w.tokens["outsider"] = api_token_create(user=outsider, name="tests")[1]
    superuser = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    w.users["superuser"] = superuser
    w.tokens["superuser"] = api_token_create(user=superuser, name="tests")[1]
    return w
