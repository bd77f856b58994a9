# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The "my account" page: details, roles, and API tokens (with and without htmx)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tejido.accounts.models import ApiToken, Role
from tejido.accounts.services import api_token_authenticate, api_token_create
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/me/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"


def test_profile_shows_details_roles_with_program_links_and_representations(client, user):
    program = ProgramFactory(name="Barrios que Tejen")
    ProgramRoleFactory(user=user, program=program, role=Role.COORDINATOR)
    ProgramRoleFactory(user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    organization = ActorFactory(program=program, name="Junta de Vecinos Las Acacias")
    RepresentativeFactory(user=user, organization=organization)
    client.force_login(user)
    response = client.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert user.email in html
    assert reverse("dashboards:program", args=[program.slug]) in html
    assert "Junta de Vecinos Las Acacias" in html
    assert [m.role_labels for m in response.context["memberships"]] == [
        [str(Role.COORDINATOR.label), str(Role.ORGANIZATION_REPRESENTATIVE.label)]
    ]
    # Only administrators get the link to manage roles.
    assert reverse("accounts:program_roles", args=[program.slug]) not in html


def test_administrators_see_a_link_to_manage_roles(client, program_with_admin):
    program, admin = program_with_admin
    client.force_login(admin)
    html = client.get(PROFILE).content.decode()
    assert reverse("accounts:program_roles", args=[program.slug]) in html


def test_profile_query_count_does_not_grow_with_roles(client, user, django_assert_max_num_queries):
    client.force_login(user)
    for _n in range(2):
        ProgramRoleFactory(user=user, program=ProgramFactory())
        api_token_create(user=user, name="script")
    with django_assert_max_num_queries(8) as few:
        client.get(PROFILE)
    for _n in range(10):
        ProgramRoleFactory(user=user, program=ProgramFactory())
        api_token_create(user=user, name="script")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PROFILE)


def test_profile_update_saves_name_and_language(client, user):
    client.force_login(user)
    response = client.post(
        PROFILE, {"first_name": " Ana ", "last_name": "Rojas", "preferred_language": "ca"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == ("Ana", "Rojas", "ca")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ca"


def test_profile_update_refuses_an_unknown_language(client, user):
    client.force_login(user)
    response = client.post(
        PROFILE, {"first_name": "Ana", "last_name": "Rojas", "preferred_language": "xx"}
    )
    assert response.status_code == 200
    assert response.context["profile_form"].errors["preferred_language"]
    user.refresh_from_db()
    assert user.preferred_language == ""


# API tokens


def test_creating_a_token_shows_its_secret_once_and_never_caches_it(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:token_create"), {"name": "Encuesta 2025"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("tjd_")
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    assert token.name == "Encuesta 2025"
    assert secret not in (token.digest, token.prefix)
    assert api_token_authenticate(secret) == user
    # Reloading the account page does not show it again.
    assert secret not in client.get(PROFILE).content.decode()


def test_creating_a_token_with_htmx_returns_only_the_tokens_section(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:token_create"), {"name": "Mapa"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card api-tokens" id="api-tokens"')
    assert "<html" not in html
    assert response.context["new_secret"] in html


def test_a_token_needs_a_name(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:token_create"), {"name": "   "})
    assert response.status_code == 200
    assert response.context["token_form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_limited(client, user):
    client.force_login(user)
    for n in range(20):
        api_token_create(user=user, name=f"t{n}")
    response = client.post(reverse("accounts:token_create"), {"name": "one more"})
    assert response.context["token_form"].non_field_errors()
    assert ApiToken.objects.filter(user=user).count() == 20


def test_token_list_shows_prefix_created_and_last_used(client, user):
    token, secret = api_token_create(user=user, name="Importador")
    api_token_authenticate(secret)
    client.force_login(user)
    html = client.get(PROFILE).content.decode()
    assert token.prefix in html and "Importador" in html
    assert list(client.get(PROFILE).context["tokens"]) == [token]


def test_revoking_a_token(client, user):
    token, secret = api_token_create(user=user, name="Viejo")
    client.force_login(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(secret) is None
    assert "Viejo" not in client.get(PROFILE).content.decode().split("api-tokens")[1]


def test_revoking_a_token_with_htmx(client, user):
    token, _secret = api_token_create(user=user, name="Viejo")
    client.force_login(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.context["token_message"]


def test_nobody_revokes_someone_elses_token(client, user):
    token, secret = api_token_create(user=UserFactory(), name="Ajeno")
    client.force_login(user)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert api_token_authenticate(secret) is not None


def test_token_endpoints_take_only_posts_from_logged_in_users(client, user):
    token, _secret = api_token_create(user=user, name="x")
    assert client.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 302
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    client.force_login(user)
    assert client.get(reverse("accounts:token_create")).status_code == 405
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
