"""The actor profile: what each role sees, its ties, its ego-network, its query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Gender, Post, Sector, SensitiveData
from tejido.actors.tests.factories import (
    ActorFactory,
    MembershipFactory,
    PersonFactory,
    RepresentativeFactory,
)
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import Intensity, TieType
from tejido.network.services import tie_create, tie_end, tie_update
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


def profile_url(actor):
    return reverse("network:actor", args=[actor.program.slug, actor.pk])


def member(program, role):
    return ProgramRoleFactory(program=program, role=role).user


def representative_of(organization):
    user = member(organization.program, Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=organization)
    return user


@pytest.fixture
def person(program):
    person = PersonFactory(
        program=program,
        name="Rosa Huenchumilla",
        email="rosa@example.org",
        phone="+56 9 1234 5678",
    )
    SensitiveData.objects.create(
        person=person, gender=Gender.WOMAN, consent_given_at=timezone.now()
    )
    return person


def test_profile_shows_the_actor_and_links_its_territory(client, program):
    territory = TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena")
    theme = ThemeFactory(name="Huertos urbanos")
    actor = ActorFactory(
        program=program,
        name="Junta de Vecinos Villa Esperanza",
        sector=Sector.COMMUNITY,
        legal_form="Junta de vecinos (Ley 19.418)",
        territory=territory,
        founded_year=1987,
        power=4,
        interest=5,
        stance="champion",
    )
    actor.themes.add(theme)
    actor.territories_served.add(territory)
    response = client.get(profile_url(actor))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Junta de Vecinos Villa Esperanza" in html
    assert "Junta de vecinos (Ley 19.418)" in html
    assert "Huertos urbanos" in html
    assert "1987" in html  # not "1.987"
    assert 'class="tag sector sector-community"' in html
    # The edit link depends on actors:edit; the territory link on actors:territory.
    assert "bajos-de-mena" in html


def test_contacts_and_gender_are_shown_only_to_those_allowed(client, program, person):
    url = profile_url(person)
    anonymous = client.get(url)
    assert anonymous.status_code == 404  # a person's profile is for the program's members
    assert "Rosa Huenchumilla" not in anonymous.content.decode()

    client.force_login(member(program, Role.EVALUATOR))
    evaluator = client.get(url).content.decode()
    assert "Rosa Huenchumilla" in evaluator
    assert "rosa@example.org" not in evaluator
    assert "+56 9 1234 5678" not in evaluator
    assert 'id="sensitive-heading"' not in evaluator

    client.force_login(member(program, Role.DIRECTORATE_MEMBER))
    directorate = client.get(url).content.decode()
    assert "rosa@example.org" in directorate  # they convene people
    assert 'id="sensitive-heading"' not in directorate

    client.force_login(member(program, Role.COORDINATOR))
    coordinator = client.get(url).content.decode()
    assert "rosa@example.org" in coordinator
    assert 'id="sensitive-heading"' in coordinator
    assert str(Gender.WOMAN.label) in coordinator


def test_private_program_profile_is_hidden(client):
    private = ProgramFactory(is_public=False)
    actor = ActorFactory(program=private)
    response = client.get(profile_url(actor))
    assert response.status_code == 302  # anonymous: log in first
    client.force_login(UserFactory())
    assert client.get(profile_url(actor)).status_code == 404


def test_actor_of_another_program_is_not_found(client, program):
    other = ActorFactory()
    url = reverse("network:actor", args=[program.slug, other.pk])
    assert client.get(url).status_code == 404


def test_ties_are_grouped_by_type_with_intensity_and_ended_ones_apart(client, program):
    actor = ActorFactory(program=program, name="Centro Cultural Raíces")
    partner = ActorFactory(program=program, name="Municipalidad de Puente Alto")
    funder = ActorFactory(program=program, name="Fundación Techo Digno")
    old = ActorFactory(program=program, name="Club Deportivo Los Halcones")
    tie_create(
        user=None,
        source=actor,
        target=partner,
        tie_type=TieType.COLLABORATION,
        intensity=3,
        trust=4,
        started_on=datetime.date(2023, 3, 1),
    )
    tie_create(
        user=None,
        source=funder,
        target=actor,
        tie_type=TieType.FUNDING,
        directed=True,
        intensity=2,
    )
    ended = tie_create(user=None, source=actor, target=old, tie_type=TieType.SUPPORT)
    tie_end(user=None, tie=ended, ended_on=datetime.date(2024, 1, 31))

    response = client.get(profile_url(actor))
    html = response.content.decode()
    assert 'id="ties-collaboration"' in html and 'id="ties-funding"' in html
    with translation.override(response["Content-Language"]):  # the page's language
        assert str(Intensity.COLLABORATION.label) in html  # intensity 3, labelled
    assert "(3/4)" in html
    assert "4/5" in html  # trust
    past = html.split('class="past-ties"')[1]
    assert "Club Deportivo Los Halcones" in past
    assert (
        "Club Deportivo Los Halcones"
        not in html.split('class="past-ties"')[0].split('class="tie-groups"')[1]
    )
    # The ego-network is an accessible SVG with the partners and a text listing.
    assert 'role="img"' in html and 'aria-labelledby="ego-title ego-desc"' in html
    ego = html.split('class="ego"')[1].split("</svg>")[0]
    assert "Municipalidad de Puente Alto" in ego and "Fundación Techo Digno" in ego
    assert "Club Deportivo" not in ego  # ended ties are not drawn
    assert 'class="ego-list"' in html


def test_svg_coordinates_are_not_localized(client, program):
    actor = ActorFactory(program=program)
    for _ in range(3):
        TieFactory(source=actor, target=ActorFactory(program=program))
    html = client.get(profile_url(actor), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    svg = html.split('class="ego"')[1].split("</svg>")[0]
    assert 'viewBox="0 0 680 ' in svg
    assert "," not in svg.split('cx="')[1].split('"')[0]


def test_superseded_versions_are_not_listed_but_history_is_offered(client, program):
    actor, partner = ActorFactory(program=program), ActorFactory(program=program, name="Liceo A-12")
    tie = tie_create(
        user=None, source=actor, target=partner, tie_type=TieType.INFORMATION, intensity=1
    )
    newer = tie_update(user=None, tie=tie, intensity=4)
    html = client.get(profile_url(actor)).content.decode()
    assert html.count('<li class="tie') == 1
    history_url = reverse("network:tie_history", args=[program.slug, newer.pk])
    assert history_url in html

    response = client.get(history_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<li class="tie-version') == 2


def test_tie_history_partial_for_htmx(client, program):
    tie = TieFactory(source=ActorFactory(program=program), target=ActorFactory(program=program))
    newer = tie_update(user=None, tie=tie, intensity=4)
    url = reverse("network:tie_history", args=[program.slug, newer.pk])
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body
    assert body.count('<li class="tie-version') == 2


def test_tie_history_hides_notes_and_recorders_from_visitors(client, program):
    coordinator = member(program, Role.COORDINATOR)
    coordinator.first_name, coordinator.last_name = "Camila", "Rojas"
    coordinator.save()
    tie = tie_create(
        user=coordinator,
        source=ActorFactory(program=program),
        target=ActorFactory(program=program),
        tie_type=TieType.SUPPORT,
        note="Conversación en la sede",
    )
    url = reverse("network:tie_history", args=[program.slug, tie.pk])
    public = client.get(url).content.decode()
    assert "Conversación en la sede" not in public and "Camila Rojas" not in public
    client.force_login(coordinator)
    internal = client.get(url).content.decode()
    assert "Conversación en la sede" in internal and "Camila Rojas" in internal


def test_buttons_follow_permissions(client, program):
    actor = ActorFactory(program=program)
    create_url = reverse("network:tie_create", args=[program.slug, actor.pk])
    TieFactory(source=actor, target=ActorFactory(program=program))

    html = client.get(profile_url(actor)).content.decode()
    assert create_url not in html
    assert "/edit/?from=" not in html

    client.force_login(representative_of(actor))
    html = client.get(profile_url(actor)).content.decode()
    assert create_url in html
    assert "/edit/?from=" in html and "/end/?from=" in html

    client.force_login(member(program, Role.EVALUATOR))
    html = client.get(profile_url(actor)).content.decode()
    assert create_url not in html


def test_person_shows_posts_and_organization_members(client, program):
    org = ActorFactory(program=program, name="Comité de Agua Potable Rural")
    post = Post.objects.create(organization=org, label="Tesorera")
    Post.objects.create(organization=org, label="Secretaria")
    person = PersonFactory(program=program, name="Ana Quispe")
    MembershipFactory(
        person=person, organization=org, post=post, start_date=datetime.date(2022, 1, 1)
    )

    client.force_login(member(program, Role.EVALUATOR))  # people are for members to see
    person_html = client.get(profile_url(person)).content.decode()
    assert "Comité de Agua Potable Rural" in person_html and "Tesorera" in person_html

    response = client.get(profile_url(org))
    org_html = response.content.decode()
    members = org_html.split('id="members-heading"')[1]
    assert "Ana Quispe" in members
    posts = org_html.split('id="posts-heading"')[1]
    with translation.override(response["Content-Language"]):  # the page's language
        vacant = gettext("Vacant")
    assert "Tesorera" in posts and "Secretaria" in posts and vacant in posts


def test_query_count_does_not_grow_with_ties(client, program, django_assert_max_num_queries):
    """The profile reads a fixed number of queries whether an actor has 2 ties or 60."""
    coordinator = member(program, Role.COORDINATOR)
    client.force_login(coordinator)

    def build(n):
        actor = ActorFactory(program=program)
        actor.themes.add(ThemeFactory())
        actor.territories_served.add(TerritoryFactory())
        partners = [ActorFactory(program=program) for _ in range(n)]
        for i, partner in enumerate(partners):
            TieFactory(source=actor, target=partner, tie_type=TieType.values[i % 6])
            if i and i % 3 == 0:
                TieFactory(source=partners[i - 1], target=partner)
        for _ in range(min(n, 5)):
            MembershipFactory(organization=actor, person=PersonFactory(program=program))
        return actor

    small, large = build(2), build(60)
    client.get(profile_url(small))  # warm caches (session, content types)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(profile_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(profile_url(large)).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 20


def test_many_ties_are_paged_and_counted(client, program):
    from tejido.network.selectors import ties_for_actor

    actor = ActorFactory(program=program)
    for i in range(7):
        TieFactory(source=actor, target=ActorFactory(program=program), intensity=i % 5)
    viewer = UserFactory()
    ties = ties_for_actor(actor, viewer=viewer, page_size=5)
    assert ties.current_count == 7 and ties.shown_count == 5 and ties.has_next
    assert [r.intensity for r in ties.rows] == sorted(
        (r.intensity for r in ties.rows), reverse=True
    )
    second = ties_for_actor(actor, viewer=viewer, page=2, page_size=5)
    assert second.shown_count == 2 and not second.has_next
    response = client.get(profile_url(actor) + "?ties_page=99")
    assert response.status_code == 200  # clamped to the last page


def test_htmx_network_section(client, program):
    actor = ActorFactory(program=program)
    TieFactory(source=actor, target=ActorFactory(program=program))
    response = client.get(profile_url(actor) + "?section=network", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="actor-network"')
    assert "<html" not in body
