# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""Directory, actor forms, posts and territory pages, per role."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, ActorKind, Membership, SensitiveData
from tejido.actors.tests.factories import (
    ActorFactory,
    PersonFactory,
    RepresentativeFactory,
)
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def program(db):
    return ProgramFactory(name="Barrios", slug="barrios")


@pytest.fixture
def private_program(db):
    return ProgramFactory(name="Interno", slug="interno", is_public=False)


def member(program, role):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    return user


@pytest.fixture
def coordinator(program):
    return member(program, Role.COORDINATOR)


@pytest.fixture
def place(db):
    chile = TerritoryFactory(name="Chile", slug="chile", level=0)
    rm = TerritoryFactory(name="Región Metropolitana", slug="rm", level=1, parent=chile)
    return TerritoryFactory(name="Peñalolén", slug="penalolen", level=2, parent=rm)


def directory_url(program):
    return reverse("actors:directory", args=[program.slug])


# ---------------------------------------------------------------------------------------------
# Directory


def test_public_directory_is_open_to_visitors(client, program, place):
    ActorFactory(program=program, name="Junta de Vecinos Peñalolén", territory=place)
    response = client.get(directory_url(program))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Junta de Vecinos Peñalolén" in content
    assert reverse("network:actor", args=[program.slug, program.actors.get().pk]) in content
    assert reverse("actors:create", args=[program.slug]) not in content


def test_private_directory(client, private_program):
    url = directory_url(private_program)
    # Visitors are asked to log in; logged-in outsiders do not learn it exists.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(member(private_program, Role.EVALUATOR))
    assert client.get(url).status_code == 200


def test_unknown_program_is_404(client):
    assert client.get(reverse("actors:directory", args=["nada"])).status_code == 404


def test_search_ignores_accents_and_filters_combine(client, program, place):
    ActorFactory(program=program, name="Junta de Vecinos Peñalolén", territory=place)
    ActorFactory(program=program, name="Municipalidad de Peñalolén", sector="public")
    ActorFactory(program=program, name="Club Deportivo")
    response = client.get(directory_url(program), {"q": "penalolen", "sector": "community"})
    content = " ".join(response.content.decode().split())
    assert "Junta de Vecinos Peñalolén" in content
    assert "Municipalidad de Peñalolén" not in content
    assert "Club Deportivo" not in content
    # The form remembers the choices, and a chip can remove the sector again.
    assert 'value="community" id="facet-sector-community" checked' in content
    assert 'href="?q=penalolen"' in content


def test_htmx_gets_the_results_fragment(client, program):
    ActorFactory(program=program, name="Centro Cultural")
    response = client.get(directory_url(program), {"q": "cultural"}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="directory-results"' in content
    assert 'id="directory-facets" class="facet-groups" hx-swap-oob="true"' in content
    assert "Centro Cultural" in content


def test_history_restore_gets_the_whole_page(client, program):
    response = client.get(
        directory_url(program), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_bad_parameters_fall_back_to_defaults(client, program):
    ActorFactory(program=program, name="Centro Cultural")
    response = client.get(
        directory_url(program),
        {"page": "abc", "sector": "martian", "territory": "no such place", "sort": "x"},
    )
    assert response.status_code == 200
    assert "Centro Cultural" in response.content.decode()


def test_pagination_links(client, program):
    for n in range(30):
        ActorFactory(program=program, name=f"Agrupación {n:02d}")
    first = client.get(directory_url(program)).content.decode()
    assert "Agrupación 24" in first and "Agrupación 25" not in first
    assert 'href="?page=2"' in first
    second = client.get(directory_url(program), {"page": 2}).content.decode()
    assert "Agrupación 25" in second and "Agrupación 24" not in second


def test_directory_query_count_does_not_grow(client, program, place, coordinator):
    client.force_login(coordinator)
    theme = ThemeFactory()

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(directory_url(program), {"q": "a"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            actor = ActorFactory(program=program, name=f"Agrupación {i}", territory=place)
            actor.themes.set([theme])

    add(3)
    few = queries()
    add(40)
    assert queries() == few


# ---------------------------------------------------------------------------------------------
# Create


def create_url(program):
    return reverse("actors:create", args=[program.slug])


def test_create_needs_login_and_the_right(client, program):
    response = client.get(create_url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    for role in (Role.EVALUATOR, Role.DIRECTORATE_MEMBER, Role.ORGANIZATION_REPRESENTATIVE):
        client.force_login(member(program, role))
        assert client.get(create_url(program)).status_code == 403
    client.force_login(member(program, Role.COORDINATOR))
    assert client.get(create_url(program)).status_code == 200


def test_coordinator_adds_an_organization(client, program, coordinator, place):
    theme = ThemeFactory(name="Vivienda")
    client.force_login(coordinator)
    response = client.post(
        create_url(program),
        {
            "kind": ActorKind.ORGANIZATION,
            "name": "  Comité  de Vivienda Esperanza ",
            "sector": "community",
            "legal_form": "Ley 19.418",
            "territory": place.pk,
            "territories_served": [place.pk],
            "themes": [theme.pk],
            "power": "4",
            "interest": "",
            "stance": "supporter",
            "founded_year": "1998",
        },
    )
    actor = Actor.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == reverse("network:actor", args=[program.slug, actor.pk])
    assert actor.name == "Comité de Vivienda Esperanza"
    assert actor.search_text == "comite de vivienda esperanza ley 19.418"
    assert (actor.power, actor.interest, actor.founded_year) == (4, None, 1998)
    assert list(actor.themes.all()) == [theme]
    assert list(actor.territories_served.all()) == [place]
    assert actor.created_by == coordinator
    assert AuditEntry.objects.filter(action="actor.create", target_id=str(actor.pk)).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_invalid_input_is_shown_at_the_field_and_saves_nothing(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(
        create_url(program),
        {
            "kind": ActorKind.ORGANIZATION,
            "name": "   ",
            "sector": "martian",
            "power": "9",
            "founded_year": "1492",
            "email": "not-an-email",
        },
    )
    assert response.status_code == 200
    assert not Actor.objects.exists()
    form = response.context["form"]
    assert set(form.errors) >= {"name", "sector", "power", "founded_year", "email"}
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'id="id_name_error"' in content
    assert 'aria-invalid="true"' in content


def test_a_person_has_no_legal_form_or_size(client, program, coordinator):
    client.force_login(coordinator)
    client.post(
        create_url(program),
        {
            "kind": ActorKind.PERSON,
            "name": "Rosa Muñoz",
            "sector": "community",
            "legal_form": "Ley 19.418",
            "size": "1-9",
        },
    )
    person = Actor.objects.get()
    assert (person.kind, person.legal_form, person.size) == ("person", "", "")


def test_gender_needs_a_confirmed_consent(client, program, coordinator):
    client.force_login(coordinator)
    data = {
        "kind": ActorKind.PERSON,
        "name": "Rosa Muñoz",
        "sector": "community",
        "sensitive-gender": "woman",
        "sensitive-consent_text": "Aceptó en la asamblea del 3 de mayo.",
    }
    response = client.post(create_url(program), data)
    assert response.status_code == 200
    assert not Actor.objects.exists()
    assert "consent_confirmed" in response.context["sensitive_form"].errors

    response = client.post(create_url(program), {**data, "sensitive-consent_confirmed": "on"})
    assert response.status_code == 302
    sensitive = SensitiveData.objects.get(person__name="Rosa Muñoz")
    assert sensitive.gender == "woman"
    assert sensitive.consent_recorded_by == coordinator
    assert sensitive.consent_text == "Aceptó en la asamblea del 3 de mayo."


# ---------------------------------------------------------------------------------------------
# Edit


def edit_url(actor):
    return reverse("actors:edit", args=[actor.program.slug, actor.pk])


def test_edit_permissions(client, program):
    organization = ActorFactory(program=program)
    other = ActorFactory(program=program)
    url = edit_url(organization)
    assert client.get(url).status_code == 302
    client.force_login(member(program, Role.EVALUATOR))
    assert client.get(url).status_code == 403
    representative = member(program, Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=representative, organization=organization)
    client.force_login(representative)
    assert client.get(url).status_code == 200
    assert client.get(edit_url(other)).status_code == 403
    # An actor of another program is not found through this one.
    stranger = ActorFactory()
    client.force_login(member(program, Role.COORDINATOR))
    assert client.get(reverse("actors:edit", args=[program.slug, stranger.pk])).status_code == 404


def test_edit_saves_and_redirects_to_the_profile(client, program, coordinator):
    organization = ActorFactory(program=program, name="Club Deportivo", power=2)
    client.force_login(coordinator)
    form = client.get(edit_url(organization)).content.decode()
    assert 'value="2" class="score-choices" id="id_power_2" checked' in form
    response = client.post(
        edit_url(organization),
        {"kind": "organization", "name": "Club Deportivo Estrella", "sector": "community"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("network:actor", args=[program.slug, organization.pk])
    organization.refresh_from_db()
    assert organization.name == "Club Deportivo Estrella"
    assert organization.power is None


def test_only_coordinators_see_gender(client, program, coordinator):
    person = PersonFactory(program=program)
    SensitiveData.objects.create(
        person=person, gender="woman", consent_given_at="2025-01-01T00:00Z"
    )
    client.force_login(coordinator)
    content = client.get(edit_url(person)).content.decode()
    assert 'name="sensitive-gender"' in content
    assert 'value="woman" selected' in content
    admin = member(program, Role.ADMINISTRATOR)
    client.force_login(admin)
    assert 'name="sensitive-gender"' in client.get(edit_url(person)).content.decode()
    # A representative edits their organization and never meets the section.
    organization = ActorFactory(program=program)
    representative = member(program, Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=representative, organization=organization)
    client.force_login(representative)
    content = client.get(edit_url(organization)).content.decode()
    assert "sensitive-gender" not in content
    assert "Mujer" not in content and "Woman" not in content


def test_emptying_gender_withdraws_the_consent(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    SensitiveData.objects.create(
        person=person, gender="woman", consent_given_at="2025-01-01T00:00Z"
    )
    client.force_login(coordinator)
    data = {"kind": "person", "name": "Rosa", "sector": "community"}
    # Unchanged gender: nothing to confirm again.
    response = client.post(edit_url(person), {**data, "sensitive-gender": "woman"})
    assert response.status_code == 302
    assert SensitiveData.objects.get(person=person).gender == "woman"
    response = client.post(edit_url(person), {**data, "sensitive-gender": ""})
    assert response.status_code == 302
    assert not SensitiveData.objects.filter(person=person).exists()
    assert AuditEntry.objects.filter(action="person.consent_withdrawn").exists()


def test_a_person_with_posts_stays_a_person(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    Membership.objects.create(person=person, organization=ActorFactory(program=program))
    client.force_login(coordinator)
    response = client.post(
        edit_url(person), {"kind": "organization", "name": "Rosa", "sector": "community"}
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    person.refresh_from_db()
    assert person.kind == "person"


# ---------------------------------------------------------------------------------------------
# Posts


def test_add_a_post_without_javascript(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    organization = ActorFactory(program=program, name="Junta de Vecinos Las Rosas")
    ActorFactory(name="Junta de Vecinos de otro programa")
    client.force_login(coordinator)
    url = reverse("actors:membership_add", args=[program.slug, person.pk])
    response = client.post(
        url,
        {"organization_query": "las rosas", "post_label": "Presidenta", "start_date": "2024-03-01"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(person=person)
    assert membership.organization == organization
    assert membership.post.label == "Presidenta"
    assert str(membership.start_date) == "2024-03-01"


def test_post_errors_change_nothing(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    ActorFactory(program=program, name="Junta de Vecinos Norte")
    ActorFactory(program=program, name="Junta de Vecinos Sur")
    client.force_login(coordinator)
    url = reverse("actors:membership_add", args=[program.slug, person.pk])
    # Ambiguous name: the matches are offered as choices.
    response = client.post(url, {"organization_query": "junta"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="organization"' in content and "Junta de Vecinos Sur" in content
    # Dates the wrong way round.
    response = client.post(
        url,
        {"organization_query": "norte", "start_date": "2024-03-01", "end_date": "2023-01-01"},
        **HTMX,
    )
    assert "end_date" in response.context["membership_form"].errors
    assert "<html" not in response.content.decode()
    assert not Membership.objects.exists()


def test_add_a_post_with_htmx(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    organization = ActorFactory(program=program, name="Junta de Vecinos Norte")
    client.force_login(coordinator)
    options = client.get(
        reverse("actors:organization_options", args=[program.slug, person.pk]),
        {"organization_query": "norte"},
        **HTMX,
    ).content.decode()
    assert f'value="{organization.pk}"' in options
    response = client.post(
        reverse("actors:membership_add", args=[program.slug, person.pk]),
        {"organization": organization.pk, "post_label": "Tesorera"},
        **HTMX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="posts"' in content and "Tesorera" in content and "<html" not in content
    assert Membership.objects.get().organization == organization


def test_the_same_post_is_not_recorded_twice(client, program, coordinator):
    person = PersonFactory(program=program, name="Rosa")
    organization = ActorFactory(program=program, name="Junta de Vecinos Norte")
    client.force_login(coordinator)
    url = reverse("actors:membership_add", args=[program.slug, person.pk])
    data = {"organization": organization.pk, "post_label": "Tesorera", "start_date": "2024-01-01"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["membership_form"].non_field_errors()
    assert Membership.objects.count() == 1


def test_posts_are_for_people_only(client, program, coordinator):
    organization = ActorFactory(program=program)
    client.force_login(coordinator)
    url = reverse("actors:membership_add", args=[program.slug, organization.pk])
    assert client.post(url, {"organization_query": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Territory page


def test_territory_page(client, program, place):
    neighbourhood = TerritoryFactory(
        name="Lo Hermida", slug="lo-hermida", level=3, parent=place, latitude="-33.48"
    )
    neighbourhood.longitude = "-70.55"
    neighbourhood.save()
    ActorFactory(program=program, name="Junta Lo Hermida", territory=neighbourhood)
    ActorFactory(program=program, name="Municipalidad", territory=place, sector="public")
    ActorFactory(name="De otro programa", territory=place)
    response = client.get(reverse("actors:territory", args=[program.slug, "penalolen"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("actors:territory", args=[program.slug, "rm"]) in content  # breadcrumbs
    assert reverse("actors:territory", args=[program.slug, "lo-hermida"]) in content  # children
    assert "Junta Lo Hermida" in content and "De otro programa" not in content
    assert (
        reverse("network:map", args=[program.slug]) + "?view=geographic&amp;territory=penalolen"
        in content
    )
    assert response.context["summary"].based_count == 2
    leaf = client.get(reverse("actors:territory", args=[program.slug, "lo-hermida"]))
    assert "-33.4800, -70.5500" in leaf.content.decode()


def test_territory_page_permissions(client, private_program, place):
    url = reverse("actors:territory", args=[private_program.slug, place.slug])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(member(private_program, Role.EVALUATOR))
    assert client.get(url).status_code == 200
    assert client.get(reverse("actors:territory", args=["interno", "nowhere"])).status_code == 404
