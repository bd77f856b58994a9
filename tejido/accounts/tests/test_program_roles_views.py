# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The program roles page: who may open it, granting, revoking, representatives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Representative
from tejido.actors.tests.factories import ActorFactory, PersonFactory, RepresentativeFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def roles_url(program) -> str:
    return reverse("accounts:program_roles", args=[program.slug])


def holds(user, program, role) -> bool:
    return ProgramRole.objects.filter(user=user, program=program, role=role).exists()


# Who may open the page


def test_anonymous_visitors_are_asked_to_log_in(client, program_with_admin):
    program, _admin = program_with_admin
    response = client.get(roles_url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "role",
    [Role.COORDINATOR, Role.DIRECTORATE_MEMBER, Role.ORGANIZATION_REPRESENTATIVE, Role.EVALUATOR],
)
def test_other_roles_are_forbidden_to_see_or_change_roles(client, program_with_admin, role):
    program, admin = program_with_admin
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)
    assert client.get(roles_url(program)).status_code == 403
    grant = ProgramRole.objects.get(user=admin)
    response = client.post(roles_url(program), {"email": user.email, "role": Role.ADMINISTRATOR})
    assert response.status_code == 403
    assert (
        client.post(
            reverse("accounts:program_role_revoke", args=[program.slug, grant.pk])
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("accounts:program_role_organizations", args=[program.slug])).status_code
        == 403
    )
    assert holds(admin, program, Role.ADMINISTRATOR)
    assert not holds(user, program, Role.ADMINISTRATOR)


def test_the_forbidden_page_is_ours(client, program_with_admin):
    program, _admin = program_with_admin
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.COORDINATOR)
    client.force_login(user)
    response = client.get(roles_url(program))
    assert "403.html" in [t.name for t in response.templates]


def test_an_administrator_of_another_program_is_forbidden(client, program_with_admin):
    program, _admin = program_with_admin
    outsider = UserFactory()
    ProgramRoleFactory(user=outsider, program=ProgramFactory(), role=Role.ADMINISTRATOR)
    client.force_login(outsider)
    assert client.get(roles_url(program)).status_code == 403


def test_a_private_program_does_not_exist_for_outsiders(client):
    program = ProgramFactory(is_public=False)
    client.force_login(UserFactory())
    assert client.get(roles_url(program)).status_code == 404


def test_administrators_and_superusers_open_the_page(client, program_with_admin):
    program, admin = program_with_admin
    client.force_login(admin)
    response = client.get(roles_url(program))
    assert response.status_code == 200
    assert admin.email in response.content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(roles_url(program)).status_code == 200


def test_the_page_costs_the_same_queries_whatever_the_number_of_holders(
    client, program_with_admin, django_assert_max_num_queries
):
    program, admin = program_with_admin

    def add_holders(count: int) -> None:
        for _n in range(count):
            user = UserFactory()
            ProgramRoleFactory(user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
            RepresentativeFactory(user=user, organization=ActorFactory(program=program))

    client.force_login(admin)
    add_holders(2)
    with django_assert_max_num_queries(12) as baseline:
        client.get(roles_url(program))
    add_holders(20)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(roles_url(program))


def test_the_list_filters_by_role_and_paginates(client, program_with_admin):
    program, admin = program_with_admin
    for _n in range(55):
        ProgramRoleFactory(program=program, role=Role.EVALUATOR)
    client.force_login(admin)
    response = client.get(roles_url(program), {"role": Role.ADMINISTRATOR})
    assert [row["grant"].user for row in response.context["rows"]] == [admin]
    response = client.get(roles_url(program), {"role": Role.EVALUATOR, "page": 2})
    assert len(response.context["rows"]) == 5


# Granting


def test_granting_a_role_by_email(client, program_with_admin):
    program, admin = program_with_admin
    person = UserFactory(email="luis@example.org")
    client.force_login(admin)
    response = client.post(
        roles_url(program), {"email": " Luis@Example.org ", "role": Role.COORDINATOR}
    )
    assert response.status_code == 302
    assert holds(person, program, Role.COORDINATOR)
    assert AuditEntry.objects.filter(action="role.grant", user=admin, program=program).exists()
    page = client.get(response["Location"])
    assert "luis@example.org" in page.content.decode()
    assert [str(m) for m in page.context["messages"]]


def test_an_unknown_email_gets_a_clear_error_and_changes_nothing(client, program_with_admin):
    program, admin = program_with_admin
    client.force_login(admin)
    response = client.post(
        roles_url(program), {"email": "nadie@example.org", "role": Role.COORDINATOR}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert "nadie@example.org" in errors[0]
    assert ProgramRole.objects.count() == 1


def test_an_unknown_role_is_refused(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    client.force_login(admin)
    response = client.post(roles_url(program), {"email": user.email, "role": "king"})
    assert response.context["form"].errors["role"]
    assert not ProgramRole.objects.filter(user=user).exists()


def test_granting_with_htmx_returns_the_panel(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    client.force_login(admin)
    response = client.post(
        roles_url(program), {"email": user.email, "role": Role.EVALUATOR}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="roles-panel"')
    assert response.context["notice"]
    assert user.email in html
    assert holds(user, program, Role.EVALUATOR)


def test_granting_a_representative_names_the_organization(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    organization = ActorFactory(program=program, name="Club Deportivo Los Halcones")
    ActorFactory(program=program, name="Junta de Vecinos El Sol")
    client.force_login(admin)
    response = client.post(
        roles_url(program),
        {
            "email": user.email,
            "role": Role.ORGANIZATION_REPRESENTATIVE,
            "organization_query": "halcones",
        },
    )
    assert response.status_code == 302
    assert holds(user, program, Role.ORGANIZATION_REPRESENTATIVE)
    assert Representative.objects.filter(user=user, organization=organization).exists()
    assert AuditEntry.objects.filter(action="representative.add").exists()
    assert user.has_perm("actors.change_actor", organization)


def test_a_representative_needs_an_organization(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    client.force_login(admin)
    response = client.post(
        roles_url(program), {"email": user.email, "role": Role.ORGANIZATION_REPRESENTATIVE}
    )
    assert response.context["form"].errors["organization_query"]
    assert not ProgramRole.objects.filter(user=user).exists()


def test_several_matching_organizations_are_offered_as_choices(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    first = ActorFactory(program=program, name="Junta de Vecinos Norte")
    ActorFactory(program=program, name="Junta de Vecinos Sur")
    client.force_login(admin)
    data = {
        "email": user.email,
        "role": Role.ORGANIZATION_REPRESENTATIVE,
        "organization_query": "junta de vecinos",
    }
    response = client.post(roles_url(program), data)
    form = response.context["form"]
    assert form.errors["organization"]
    assert {label for _pk, label in form.fields["organization"].choices} == {
        "Junta de Vecinos Norte",
        "Junta de Vecinos Sur",
    }
    assert 'type="radio"' in response.content.decode()
    assert not Representative.objects.exists()
    response = client.post(roles_url(program), {**data, "organization": first.pk})
    assert response.status_code == 302
    assert Representative.objects.get(user=user).organization == first


def test_an_exact_name_wins_over_longer_matches(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    exact = ActorFactory(program=program, name="Centro Cultural")
    ActorFactory(program=program, name="Centro Cultural Juvenil")
    client.force_login(admin)
    client.post(
        roles_url(program),
        {
            "email": user.email,
            "role": Role.ORGANIZATION_REPRESENTATIVE,
            "organization_query": "centro cultural",
        },
    )
    assert Representative.objects.get(user=user).organization == exact


@pytest.mark.parametrize("kind", ["person", "other_program"])
def test_only_organizations_of_the_program_can_be_represented(client, program_with_admin, kind):
    program, admin = program_with_admin
    user = UserFactory()
    target = PersonFactory(program=program) if kind == "person" else ActorFactory()
    client.force_login(admin)
    response = client.post(
        roles_url(program),
        {
            "email": user.email,
            "role": Role.ORGANIZATION_REPRESENTATIVE,
            "organization_query": target.name,
            "organization": target.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Representative.objects.exists()
    assert not ProgramRole.objects.filter(user=user).exists()


def test_an_organization_only_goes_with_the_representative_role(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    ActorFactory(program=program, name="Club Deportivo")
    client.force_login(admin)
    response = client.post(
        roles_url(program),
        {"email": user.email, "role": Role.COORDINATOR, "organization_query": "club"},
    )
    assert response.context["form"].errors["organization_query"]
    assert not ProgramRole.objects.filter(user=user).exists()


def test_organization_search_offers_matches(client, program_with_admin):
    program, admin = program_with_admin
    ActorFactory(program=program, name="Biblioteca Popular Lo Valledor")
    PersonFactory(program=program, name="Biblioteca Persona")
    ActorFactory(name="Biblioteca de otro programa")
    client.force_login(admin)
    url = reverse("accounts:program_role_organizations", args=[program.slug])
    response = client.get(url, {"organization_query": "bibliotéca"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Biblioteca Popular Lo Valledor" in html
    assert "Biblioteca Persona" not in html and "otro programa" not in html
    response = client.get(url, {"organization_query": "zzz"}, **HTMX)
    assert "zzz" in response.content.decode()


# Revoking


def test_revoking_a_role(client, program_with_admin):
    program, admin = program_with_admin
    grant = ProgramRoleFactory(program=program, role=Role.COORDINATOR)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:program_role_revoke", args=[program.slug, grant.pk]),
        {"role_filter": Role.COORDINATOR, "page": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{roles_url(program)}?role=coordinator&page=1"
    assert not ProgramRole.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoke").exists()


def test_revoking_with_htmx_returns_the_panel(client, program_with_admin):
    program, admin = program_with_admin
    grant = ProgramRoleFactory(program=program, role=Role.EVALUATOR)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:program_role_revoke", args=[program.slug, grant.pk]), **HTMX
    )
    assert response.status_code == 200
    assert response.context["notice"]
    assert grant.user.email not in response.content.decode()


def test_the_last_administrator_cannot_be_revoked(client, program_with_admin):
    program, admin = program_with_admin
    grant = ProgramRole.objects.get(user=admin, program=program)
    client.force_login(admin)
    response = client.post(reverse("accounts:program_role_revoke", args=[program.slug, grant.pk]))
    assert response.status_code == 302
    assert holds(admin, program, Role.ADMINISTRATOR)
    page = client.get(response["Location"])
    assert any(m.level_tag == "error" for m in page.context["messages"])
    response = client.post(
        reverse("accounts:program_role_revoke", args=[program.slug, grant.pk]), **HTMX
    )
    assert response.context["problem"]


def test_a_grant_of_another_program_cannot_be_revoked_from_here(client, program_with_admin):
    program, admin = program_with_admin
    elsewhere = ProgramRoleFactory(role=Role.COORDINATOR)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:program_role_revoke", args=[program.slug, elsewhere.pk])
    )
    assert response.status_code == 404
    assert ProgramRole.objects.filter(pk=elsewhere.pk).exists()


def test_revoking_the_representative_role_removes_the_representations(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    grant = ProgramRoleFactory(user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=ActorFactory(program=program))
    RepresentativeFactory(user=user, organization=ActorFactory(program=program))
    kept = RepresentativeFactory(user=user, organization=ActorFactory())  # another program
    client.force_login(admin)
    client.post(reverse("accounts:program_role_revoke", args=[program.slug, grant.pk]))
    assert list(Representative.objects.filter(user=user)) == [kept]
    assert not holds(user, program, Role.ORGANIZATION_REPRESENTATIVE)


def test_removing_one_representation_keeps_the_others(client, program_with_admin):
    program, admin = program_with_admin
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    first = RepresentativeFactory(user=user, organization=ActorFactory(program=program))
    second = RepresentativeFactory(user=user, organization=ActorFactory(program=program))
    client.force_login(admin)
    url = reverse("accounts:program_representative_remove", args=[program.slug, first.pk])
    assert client.post(url).status_code == 302
    assert list(Representative.objects.filter(user=user)) == [second]
    assert holds(user, program, Role.ORGANIZATION_REPRESENTATIVE)
    url = reverse("accounts:program_representative_remove", args=[program.slug, second.pk])
    client.post(url)
    assert not holds(user, program, Role.ORGANIZATION_REPRESENTATIVE)
