# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""The program list: who sees which programs, with counts read in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def cards(response):
    return {card["program"].slug: card for card in response.context["cards"]}


def test_visitors_see_public_programs_with_counts(client):
    public = ProgramFactory(name="Barrios", slug="barrios")
    public.territories.set([TerritoryFactory(), TerritoryFactory()])
    for _ in range(3):
        ActorFactory(program=public)
    ProgramFactory(slug="interno", is_public=False)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    shown = cards(response)
    assert set(shown) == {"barrios"}
    program = shown["barrios"]["program"]
    assert (program.actor_count, program.territory_count) == (3, 2)
    assert reverse("dashboards:program", args=["barrios"]) in response.content.decode()


def test_members_also_see_their_private_programs_once(client):
    private = ProgramFactory(slug="interno", is_public=False)
    ProgramFactory(slug="publico")
    user = UserFactory()
    # Two roles in one program must not list it twice.
    ProgramRoleFactory(user=user, program=private, role=Role.COORDINATOR)
    ProgramRoleFactory(user=user, program=private, role=Role.EVALUATOR)
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert [card["program"].slug for card in response.context["cards"]] == ["interno", "publico"]
    assert len(cards(response)["interno"]["role_labels"]) == 2


def test_empty_state(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert reverse("accounts:login") in response.content.decode()


def test_query_count_does_not_grow_with_programs(client):
    user = UserFactory()
    client.force_login(user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("core:home"))
        return len(ctx.captured_queries)

    ProgramFactory()
    few = queries()
    for _ in range(5):
        program = ProgramFactory()
        ProgramRoleFactory(user=user, program=program)
        ActorFactory(program=program)
        program.territories.add(TerritoryFactory())
    assert queries() == few
