# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""People's names are for the program's members: the two home pages.

The platform's home counts a program's actors as the visitor sees them (without people for those
who may not see people); a program's home leaves people out of its figures and its recently
added actors, and gives their number only from five up.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.dashboards.selectors import program_overview
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

ROSA = "Rosa Huenchumilla"
NOTE = "The names of people are shown only to the members of the program."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program(db):
    program = ProgramFactory(name="Barrios", slug="barrios", is_public=True)
    place = TerritoryFactory(name="Lo Hermida", slug="lo-hermida")
    program.territories.set([place])
    junta = ActorFactory(program=program, name="Junta de Vecinos Lo Hermida", territory=place)
    rosa = PersonFactory(program=program, name=ROSA, territory=place)  # the latest actor
    TieFactory(source=junta, target=rosa)
    return program


def viewer(program, who):
    if who == "anonymous":
        return None
    if who == "no_role":
        return UserFactory()
    if who == "superuser":
        return UserFactory(is_superuser=True)
    return ProgramRoleFactory(program=program, role=who).user


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def home_url(program):
    return reverse("dashboards:program", args=[program.slug])


@pytest.mark.parametrize("who", ["anonymous", "no_role"])
def test_program_home_leaves_people_out_for_the_public(client, program, who):
    response = get(client, viewer(program, who), home_url(program))
    html = response.content.decode()
    assert ROSA not in html
    overview = response.context["overview"]
    assert overview.actor_count == 1
    assert [code for code, _label, _n in overview.by_kind] == ["organization"]
    assert [(t.slug, n) for t, n in overview.territories] == [("lo-hermida", 1)]
    assert [a.name for a in overview.recent_actors] == ["Junta de Vecinos Lo Hermida"]
    assert overview.people_hidden and overview.people_count is None  # one is too few to tell
    assert NOTE in html
    assert "?kind=person" not in html


def test_program_home_counts_people_from_five(client, program):
    for n in range(4):
        PersonFactory(program=program, name=f"Vecina {n}")
    overview = program_overview(program, viewer=AnonymousUser())
    assert overview.people_count == 5 and overview.actor_count == 1
    html = client.get(home_url(program)).content.decode()
    assert "5 people also take part" in html and "Vecina 0" not in html


@pytest.mark.parametrize("who", [Role.EVALUATOR, Role.COORDINATOR, "superuser"])
def test_program_home_shows_people_to_members(client, program, who):
    response = get(client, viewer(program, who), home_url(program))
    html = response.content.decode()
    assert ROSA in html and NOTE not in html
    overview = response.context["overview"]
    assert overview.actor_count == 2 and not overview.people_hidden
    assert {code: n for code, _label, n in overview.by_kind} == {
        "organization": 1,
        "person": 1,
    }
    assert overview.recent_actors[0].name == ROSA


def test_program_home_queries_are_the_same_for_the_public_and_members(client, program):
    member = viewer(program, Role.EVALUATOR)

    def count(user):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            program_overview(program, viewer=user, today=datetime.date(2025, 6, 1))
        return len(ctx.captured_queries)

    count(member)  # the member's roles are read once, beforehand
    assert count(AnonymousUser()) == count(member)


@pytest.mark.parametrize(("who", "actors"), [("anonymous", 1), ("no_role", 1), ("evaluator", 2)])
def test_platform_home_counts_actors_as_the_visitor_sees_them(client, program, who, actors):
    response = get(client, viewer(program, who), reverse("core:home"))
    card = next(c for c in response.context["cards"] if c["program"].slug == "barrios")
    assert card["actor_count"] == actors
    assert ROSA not in response.content.decode()
