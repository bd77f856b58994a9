# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""People's names are for the program's members: the directory and territory pages.

Anonymous visitors and users without a role in a public program see its organizations and
groups; people are left out of the lists and of every count shown next to them, and counted
only in aggregate from five up. Members (any role) and superusers see everyone.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.rules import roles_in
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, ActorKind
from tejido.actors.selectors import (
    PEOPLE_COUNT_MIN,
    DirectoryFilters,
    actor_directory,
    can_view_people,
    people_count_public,
    territory_summary,
    visible_actors,
)
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

ROSA = "Rosa Huenchumilla"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def place(db):
    region = TerritoryFactory(name="Región Metropolitana", slug="rm", level=1)
    return TerritoryFactory(name="Peñalolén", slug="penalolen", level=2, parent=region)


@pytest.fixture
def program(db, place):
    program = ProgramFactory(name="Barrios", slug="barrios", is_public=True)
    ActorFactory(program=program, name="Junta de Vecinos Lo Hermida", territory=place)
    ActorFactory(
        program=program, name="Comité de Allegados", kind=ActorKind.INFORMAL_GROUP, territory=place
    )
    PersonFactory(program=program, name=ROSA, territory=place, description="Dirigenta vecinal")
    return program


def viewer(program, who):
    """A user of each kind: the first two may not see people, the others may."""
    if who == "anonymous":
        return AnonymousUser()
    if who == "no_role":
        return UserFactory()
    if who == "other_program_coordinator":
        return ProgramRoleFactory(role=Role.COORDINATOR).user
    if who == "superuser":
        return UserFactory(is_superuser=True)
    return ProgramRoleFactory(program=program, role=who).user


HIDDEN_FROM = ("anonymous", "no_role", "other_program_coordinator")
SHOWN_TO = (Role.EVALUATOR, Role.ORGANIZATION_REPRESENTATIVE, Role.COORDINATOR, "superuser")


def get(client, user, url, **extra):
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    return client.get(url, **extra)


def names(directory):
    return [actor.name for actor in directory.page.actors]


# ---------------------------------------------------------------------------------------------
# The rule and the helpers


@pytest.mark.parametrize("who", HIDDEN_FROM + SHOWN_TO)
def test_can_view_people_and_visible_actors_agree(program, who):
    user = viewer(program, who)
    sees = who in SHOWN_TO
    assert can_view_people(user, program) is sees
    names_seen = set(visible_actors(program, user).values_list("name", flat=True))
    assert (ROSA in names_seen) is sees
    assert "Junta de Vecinos Lo Hermida" in names_seen
    assert set(Actor.objects.visible_to(user, program)) == set(visible_actors(program, user))


def test_a_private_programs_people_are_for_its_members_only(place):
    private = ProgramFactory(is_public=False)
    assert not can_view_people(UserFactory(), private)
    assert can_view_people(ProgramRoleFactory(program=private, role=Role.EVALUATOR).user, private)


def test_people_counts_are_suppressed_below_five():
    assert PEOPLE_COUNT_MIN == 5
    assert [people_count_public(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 12]


# ---------------------------------------------------------------------------------------------
# Directory


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_directory_hides_people_from_the_public(client, program, who):
    user = viewer(program, who)
    url = reverse("actors:directory", args=[program.slug])
    for params in ({}, {"q": "huenchumilla"}, {"kind": "person"}, {"q": "dirigenta"}):
        response = get(client, user, url, query_params=params)
        assert response.status_code == 200
        html = response.content.decode()
        assert ROSA not in html
        assert 'id="facet-kind-person"' not in html  # the kind facet has no "person"
    partial = get(client, user, url, query_params={"q": "rosa"}, **HTMX).content.decode()
    assert ROSA not in partial and 'id="facet-kind-person"' not in partial
    page = get(client, user, url).content.decode()
    assert "The names of people are shown only to the members of the program." in page
    result = get(client, user, url).context["directory"]
    assert result.page.count == 2
    assert {o.value: o.count for o in result.kind.options} == {
        "organization": 1,
        "informal_group": 1,
    }
    assert sum(o.count for o in result.sector.options) == 2
    assert [o.count for o in result.territory.options if o.value] == [2]


@pytest.mark.parametrize("who", SHOWN_TO)
def test_directory_shows_people_to_members(client, program, who):
    user = viewer(program, who)
    url = reverse("actors:directory", args=[program.slug])
    html = get(client, user, url).content.decode()
    assert ROSA in html and 'id="facet-kind-person"' in html
    found = get(client, user, url, query_params={"q": "huenchumilla"}).context["directory"]
    assert names(found) == [ROSA]
    result = get(client, user, url).context["directory"]
    assert result.page.count == 3
    assert {o.value: o.count for o in result.kind.options}["person"] == 1


def test_directory_kind_filter_cannot_reach_people(program):
    public = actor_directory(
        program=program,
        viewer=AnonymousUser(),
        filters=DirectoryFilters(kinds=frozenset({ActorKind.PERSON})),
    )
    # The filter is dropped (not a filter on nothing): the public sees every public actor.
    assert ROSA not in names(public) and public.page.count == 2
    assert all(not option.selected for option in public.kind.options)


@pytest.mark.parametrize("query", ["", "de"])
def test_directory_queries_are_the_same_for_the_public_and_members(program, place, query):
    member = viewer(program, Role.EVALUATOR)
    roles_in(member, program.pk)  # the member's roles are read once per request, beforehand

    def count_queries(user):
        with CaptureQueriesContext(connection) as ctx:
            actor_directory(program=program, viewer=user, query=query)
        return len(ctx.captured_queries)

    public, members = count_queries(AnonymousUser()), count_queries(member)
    assert public == members
    for n in range(30):
        PersonFactory(program=program, name=f"Persona {n} de Peñalolén", territory=place)
        ActorFactory(program=program, name=f"Club {n} de Peñalolén", territory=place)
    assert (count_queries(AnonymousUser()), count_queries(member)) == (public, members)


def test_directory_query_plan_keeps_the_facet_index(program):
    """The cube of the public directory is still read from the (program, sector, kind,
    territory) index alone: leaving people out is one more condition on an indexed column."""
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL picks its plan by statistics")
    with CaptureQueriesContext(connection) as ctx:
        actor_directory(program=program, viewer=AnonymousUser())
    cube = next(q["sql"] for q in ctx.captured_queries if "GROUP BY" in q["sql"])
    assert "person" in cube
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {cube}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX" in plan, plan


# ---------------------------------------------------------------------------------------------
# Territory pages


def territory_url(program, place):
    return reverse("actors:territory", args=[program.slug, place.slug])


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_territory_page_hides_people_from_the_public(client, program, place, who):
    user = viewer(program, who)
    response = get(client, user, territory_url(program, place))
    html = response.content.decode()
    assert ROSA not in html
    summary = response.context["summary"]
    assert summary.based_count == 2 and summary.page.count == 2
    assert sum(n for _code, _label, n in summary.by_sector) == 2
    # One person is too few to be told, even as a number.
    assert summary.people_hidden and summary.people_count is None
    assert "The names of people are shown only to the members of the program." in html
    parent = get(client, user, territory_url(program, place.parent)).context["summary"]
    assert [(child.slug, n) for child, n in parent.children] == [("penalolen", 2)]
    partial = get(client, user, territory_url(program, place), **HTMX).content.decode()
    assert ROSA not in partial


def test_territory_page_counts_people_from_five(client, program, place):
    for n in range(4):
        PersonFactory(program=program, name=f"Persona {n}", territory=place)
    served = PersonFactory(program=program, name="Persona que trabaja aquí")
    served.territories_served.add(place)
    summary = territory_summary(program=program, territory=place, viewer=AnonymousUser())
    assert summary.people_count == 5 and summary.based_count == 2
    assert summary.serving_count == 0
    html = client.get(territory_url(program, place)).content.decode()
    assert "5 people are also based here" in html
    assert "Persona 0" not in html and ROSA not in html


@pytest.mark.parametrize("who", SHOWN_TO)
def test_territory_page_shows_people_to_members(client, program, place, who):
    user = viewer(program, who)
    response = get(client, user, territory_url(program, place))
    assert ROSA in response.content.decode()
    summary = response.context["summary"]
    assert summary.based_count == 3 and not summary.people_hidden
    assert summary.people_count is None
    assert "The names of people are shown only" not in response.content.decode()


def test_territory_summary_queries_are_the_same_for_the_public_and_members(program, place):
    member = viewer(program, Role.EVALUATOR)
    roles_in(member, program.pk)

    def count_queries(user):
        with CaptureQueriesContext(connection) as ctx:
            territory_summary(program=program, territory=place, viewer=user)
        return len(ctx.captured_queries)

    assert count_queries(AnonymousUser()) == count_queries(member) == 7
