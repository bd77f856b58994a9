# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""People's names are for the program's members: profiles, ego-networks, ties and the map.

For a viewer without a role in the (public) program a person's profile does not exist, an
organization's profile lists no tie with a person (only how many), draws none, names no member
or post holder; the map and its table leave people and their ties out, and the map data's ETag
differs between what members and the public get.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Post
from tejido.actors.tests.factories import ActorFactory, MembershipFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.selectors import (
    MapView,
    map_data,
    map_fingerprint,
    map_scope,
    map_summary,
    map_territory_options,
    ties_for_actor,
)
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

ROSA = "Rosa Huenchumilla"
TODAY = datetime.date(2025, 6, 1)


@pytest.fixture
def world(db):
    place = TerritoryFactory(name="Lo Hermida", slug="lo-hermida", level=2)
    theme = ThemeFactory(name="Vivienda", slug="vivienda")
    program = ProgramFactory(name="Barrios", slug="barrios", is_public=True)
    junta = ActorFactory(program=program, name="Junta de Vecinos Lo Hermida", territory=place)
    club = ActorFactory(program=program, name="Club Deportivo Unión", territory=place)
    rosa = PersonFactory(program=program, name=ROSA, territory=place)
    for actor in (junta, club, rosa):
        actor.themes.add(theme)
    ties = {
        "junta-club": TieFactory(source=junta, target=club, intensity=2),
        "junta-rosa": TieFactory(source=junta, target=rosa, intensity=4),
        "club-rosa": TieFactory(source=club, target=rosa),
    }
    post = Post.objects.create(organization=junta, label="Presidenta")
    MembershipFactory(person=rosa, organization=junta, post=post, role="")
    return {
        "program": program,
        "place": place,
        "theme": theme,
        "junta": junta,
        "club": club,
        "rosa": rosa,
        "ties": ties,
    }


def viewer(program, who):
    if who == "anonymous":
        return AnonymousUser()
    if who == "no_role":
        return UserFactory()
    if who == "superuser":
        return UserFactory(is_superuser=True)
    return ProgramRoleFactory(program=program, role=who).user


HIDDEN_FROM = ("anonymous", "no_role")
SHOWN_TO = (Role.EVALUATOR, Role.COORDINATOR, "superuser")


def get(client, user, url, **extra):
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    return client.get(url, **extra)


def profile_url(actor):
    return reverse("network:actor", args=[actor.program.slug, actor.pk])


# ---------------------------------------------------------------------------------------------
# Profiles


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_a_persons_profile_does_not_exist_for_the_public(client, world, who):
    response = get(client, viewer(world["program"], who), profile_url(world["rosa"]))
    assert response.status_code == 404
    assert ROSA not in response.content.decode()


@pytest.mark.parametrize("who", SHOWN_TO)
def test_a_persons_profile_is_shown_to_members(client, world, who):
    response = get(client, viewer(world["program"], who), profile_url(world["rosa"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ROSA in html and "Junta de Vecinos Lo Hermida" in html and "Presidenta" in html


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_an_organizations_profile_leaves_people_out_for_the_public(client, world, who):
    response = get(client, viewer(world["program"], who), profile_url(world["junta"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ROSA not in html  # not in the ties, the ego-network, the members nor the posts
    assert profile_url(world["rosa"]) not in html
    assert "Club Deportivo Unión" in html  # organizations stay
    ties = response.context["ties"]
    assert ties.current_count == 1 and [r.other_name for r in ties.rows] == ["Club Deportivo Unión"]
    assert ties.people_ties_count == 1 and ties.people_ties_public is None
    assert "Ties with people are not shown publicly." in html
    ego = response.context["ego"]
    assert [n.partner.name for n in ego.nodes] == ["Club Deportivo Unión"]
    profile = response.context["profile"]
    assert profile.people_hidden and profile.memberships == []
    assert profile.memberships_count == 1 and profile.members_count_public is None
    assert [(p.post.label, p.holders) for p in profile.posts] == [("Presidenta", [])]
    assert "Presidenta" in html  # the post, without who holds it
    assert "Who holds each post is shown only to the members of the program." in html
    section = get(
        client,
        viewer(world["program"], who),
        profile_url(world["junta"]) + "?section=network",
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert ROSA not in section


def test_an_organizations_ties_with_people_are_counted_from_five(client, world):
    junta = world["junta"]
    for n in range(4):
        TieFactory(source=junta, target=PersonFactory(program=junta.program, name=f"Vecina {n}"))
    for _ in range(5):
        MembershipFactory(organization=junta, person=PersonFactory(program=junta.program))
    response = client.get(profile_url(junta))
    html = response.content.decode()
    assert "5 ties with people are not shown publicly." in html
    assert "6 members are recorded" in html
    assert "Vecina 0" not in html and ROSA not in html


@pytest.mark.parametrize("who", SHOWN_TO)
def test_an_organizations_profile_shows_people_to_members(client, world, who):
    response = get(client, viewer(world["program"], who), profile_url(world["junta"]))
    html = response.content.decode()
    ties = response.context["ties"]
    assert ties.current_count == 2 and ties.people_ties_count == 0 and not ties.people_hidden
    assert ROSA in html.split('id="members-heading"')[1]  # a member, holding a post
    assert ROSA in html.split('class="ego-list"')[1]  # in the ego-network
    assert "not shown publicly" not in html


def test_profile_queries_do_not_depend_on_people_or_ties(client, world):
    """The public profile reads a fixed number of queries, whatever the ties and members."""
    program = world["program"]

    def build(n):
        org = ActorFactory(program=program)
        for i in range(n):
            TieFactory(source=org, target=ActorFactory(program=program))
            TieFactory(source=org, target=PersonFactory(program=program))
            MembershipFactory(organization=org, person=PersonFactory(program=program))
            Post.objects.create(organization=org, label=f"Vocal {i}")
        return org

    small, large = build(2), build(30)  # two partners at least: the drawing links them
    client.get(profile_url(small))  # warm caches

    def count(actor):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(profile_url(actor)).status_code == 200
        return len(ctx.captured_queries)

    assert count(small) == count(large)


def test_ties_for_actor_query_count_is_the_same_for_the_public(world):
    member = viewer(world["program"], Role.EVALUATOR)
    ties_for_actor(world["junta"], viewer=member, today=TODAY)  # roles load once
    with CaptureQueriesContext(connection) as public:
        ties_for_actor(world["junta"], viewer=AnonymousUser(), today=TODAY)
    with CaptureQueriesContext(connection) as members:
        ties_for_actor(world["junta"], viewer=member, today=TODAY)
    assert len(public) == len(members) == 3


def test_ended_ties_with_people_are_left_out_too(world):
    junta = world["junta"]
    TieFactory(source=junta, target=world["rosa"], tie_type="funding", ended_on=TODAY.replace(2024))
    public = ties_for_actor(junta, viewer=AnonymousUser(), today=TODAY)
    assert public.past == [] and public.past_count == 0
    member = ties_for_actor(junta, viewer=viewer(world["program"], Role.EVALUATOR), today=TODAY)
    assert [r.other_name for r in member.past] == [ROSA]


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_the_history_of_a_tie_with_a_person_is_not_found(client, world, who):
    tie = world["ties"]["junta-rosa"]
    url = reverse("network:tie_history", args=[world["program"].slug, tie.pk])
    response = get(client, viewer(world["program"], who), url)
    assert response.status_code == 404
    other = world["ties"]["junta-club"]
    url = reverse("network:tie_history", args=[world["program"].slug, other.pk])
    assert get(client, viewer(world["program"], who), url).status_code == 200


def test_the_history_of_a_tie_with_a_person_is_shown_to_members(client, world):
    tie = world["ties"]["junta-rosa"]
    url = reverse("network:tie_history", args=[world["program"].slug, tie.pk])
    response = get(client, viewer(world["program"], Role.EVALUATOR), url)
    assert response.status_code == 200 and ROSA in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The map


def data_url(program, **query):
    url = reverse("network:map_data", args=[program.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


VIEWS = [
    {"view": "multisector"},
    {"view": "geographic", "territory": "lo-hermida"},
    {"view": "thematic", "theme": "vivienda"},
]


@pytest.mark.parametrize("query", VIEWS)
@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_map_data_leaves_people_and_their_ties_out_for_the_public(client, world, who, query):
    response = get(client, viewer(world["program"], who), data_url(world["program"], **query))
    assert response.status_code == 200
    data = response.json()
    assert ROSA not in response.content.decode()
    rosa = world["rosa"].pk
    ids = data["nodes"]["id"]
    assert rosa not in ids
    # Edges name their ends by position in the node columns: each is a shown actor.
    ends = data["edges"]["source"] + data["edges"]["target"]
    assert all(0 <= i < len(ids) for i in ends)
    assert data["meta"]["counts"]["actors"] == 2 and data["meta"]["counts"]["ties"] == 1


@pytest.mark.parametrize("query", VIEWS)
@pytest.mark.parametrize("who", SHOWN_TO)
def test_map_data_shows_people_to_members(client, world, who, query):
    response = get(client, viewer(world["program"], who), data_url(world["program"], **query))
    data = response.json()
    assert world["rosa"].pk in data["nodes"]["id"]
    assert data["meta"]["counts"]["actors"] == 3 and data["meta"]["counts"]["ties"] == 3


def test_map_etag_differs_between_the_public_and_members(client, world):
    url = data_url(world["program"])
    public = client.get(url)
    etag = public["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.force_login(viewer(world["program"], Role.EVALUATOR))
    member = client.get(url, HTTP_IF_NONE_MATCH=etag)
    # A member holding the public copy must get the data with people, not "not modified".
    assert member.status_code == 200 and member["ETag"] != etag
    assert ROSA in member.content.decode()
    assert "Cookie" in member["Vary"] and "private" in member["Cache-Control"]


def test_fingerprint_varies_with_people_even_when_the_counts_agree(world):
    program = world["program"]
    member = viewer(program, Role.EVALUATOR)
    world["rosa"].delete()  # no person left: the same actors either way
    public = map_scope(program, viewer=AnonymousUser(), view=MapView.MULTISECTOR)
    members = map_scope(program, viewer=member, view=MapView.MULTISECTOR)
    assert map_fingerprint(public, today=TODAY) != map_fingerprint(members, today=TODAY)


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_map_page_and_its_table_leave_people_out_for_the_public(client, world, who):
    url = reverse("network:map", args=[world["program"].slug])
    for query in VIEWS:
        response = get(client, viewer(world["program"], who), url, query_params=query)
        html = response.content.decode()
        assert ROSA not in html
        summary = response.context["summary"]
        assert summary.actor_count == 2 and summary.tie_count == 1
        assert {a.name: n for a, n in summary.actors} == {
            "Club Deportivo Unión": 1,
            "Junta de Vecinos Lo Hermida": 1,
        }
    html = get(client, viewer(world["program"], who), url).content.decode()
    assert "The names of people are shown only to the members of the program." in html


def test_map_page_shows_people_to_members(client, world):
    url = reverse("network:map", args=[world["program"].slug])
    response = get(client, viewer(world["program"], Role.EVALUATOR), url)
    assert ROSA in response.content.decode()
    assert response.context["summary"].actor_count == 3


def test_territory_options_count_what_the_viewer_sees(world):
    program = world["program"]
    public = map_territory_options(program, AnonymousUser())
    members = map_territory_options(program, viewer(program, Role.EVALUATOR))
    assert [o.actor_count for o in public] == [2]
    assert [o.actor_count for o in members] == [3]


def test_map_queries_are_the_same_for_the_public_and_members(world):
    program = world["program"]
    member = viewer(program, Role.EVALUATOR)
    map_scope(program, viewer=member, view=MapView.MULTISECTOR)  # roles load once

    def count(user, view, **slugs):
        with CaptureQueriesContext(connection) as ctx:
            scope = map_scope(program, viewer=user, view=view, **slugs)
            map_data(scope, url_for=str, today=TODAY)
            map_summary(scope, today=TODAY)
            map_fingerprint(scope, today=TODAY)
        return len(ctx.captured_queries)

    for view, slugs in (
        (MapView.MULTISECTOR, {}),
        (MapView.GEOGRAPHIC, {"territory_slug": "lo-hermida"}),
        (MapView.THEMATIC, {"theme_slug": "vivienda"}),
    ):
        assert count(AnonymousUser(), view, **slugs) == count(member, view, **slugs)
