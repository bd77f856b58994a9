# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The admin site: every model is there, writes go through the services, history is read-only."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from tejido.accounts.models import ProgramRole, Role, User
from tejido.accounts.services import api_token_create
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, Post, Representative, SensitiveData
from tejido.actors.services import person_record_gender
from tejido.actors.tests.factories import (
    ActorFactory,
    MembershipFactory,
    PersonFactory,
    RepresentativeFactory,
)
from tejido.core.models import AuditEntry, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import Tie
from tejido.network.services import tie_update
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "accounts", "actors", "network")


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def some_data(db):
    """One row of every model, so change pages have something to show."""
    program = ProgramFactory()
    organization = ActorFactory(program=program, territory=TerritoryFactory())
    organization.themes.add(ThemeFactory())
    post = Post.objects.create(organization=organization, label="Presidenta")
    membership = MembershipFactory(organization=organization, person__program=program, post=post)
    person_record_gender(
        user=None, person=membership.person, gender="woman", consent_text="Acepto."
    )
    RepresentativeFactory(organization=organization)
    ProgramRoleFactory(program=program)
    tie = TieFactory(source=organization)
    tie_update(user=None, tie=tie, intensity=4)
    api_token_create(user=UserFactory(), name="script")
    # A computed analysis: a run, its snapshot and indicators, and a suggested introduction.
    from tejido.network.analytics.services import analysis_compute
    from tejido.network.models import AnalysisRun, Opportunity

    analysis_compute(AnalysisRun.objects.create(program=program))
    a, b = sorted((ActorFactory(program=program), organization), key=lambda actor: actor.pk)
    Opportunity.objects.get_or_create(
        program=program, actor_a=a, actor_b=b, defaults={"kind": "complementary"}
    )
    # An open survey with an answer and a proposed actor.
    from tejido.network.surveys.services import answer_save, nomination_create
    from tejido.network.tests.factories import survey_world

    survey = survey_world(program)
    answer_save(user=None, invitation=survey.invitations[0], partner=survey.orgs[1], intensity=2)
    nomination_create(
        user=None,
        invitation=survey.invitations[0],
        name="Huerta",
        kind="informal_group",
        sector="community",
    )
    return program


def test_every_model_of_our_apps_is_registered():
    missing = [
        model._meta.label
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.parametrize(
    "model",
    [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()],
    ids=lambda m: m._meta.label,
)
def test_every_admin_page_opens(client, superuser, some_data, model):
    client.force_login(superuser)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200
    obj = model._default_manager.first()
    assert obj is not None
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    model_admin = admin.site.get_model_admin(model)
    request = type("R", (), {"user": superuser})()
    if model_admin.has_add_permission(request):
        assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [Actor, Tie, ProgramRole, Representative, AuditEntry])
def test_list_pages_cost_the_same_queries_whatever_the_rows(
    client, superuser, model, django_assert_max_num_queries
):
    program = ProgramFactory()

    def add_rows(count: int) -> None:
        for _n in range(count):
            organization = ActorFactory(program=program, territory=TerritoryFactory())
            TieFactory(source=organization)
            RepresentativeFactory(organization=organization)
            ProgramRoleFactory(program=program)

    client.force_login(superuser)
    add_rows(2)
    with django_assert_max_num_queries(30) as baseline:
        client.get(admin_url(model, "changelist"))
    add_rows(15)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(admin_url(model, "changelist"))


# Ties: a change writes a new version; history is read-only.


def test_saving_a_current_tie_writes_a_new_version(client, superuser):
    tie = TieFactory(intensity=1)
    client.force_login(superuser)
    response = client.get(admin_url(Tie, "change", tie.pk))
    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"intensity": "3", "note": "Mesa territorial"})
    response = client.post(admin_url(Tie, "change", tie.pk), data)
    assert response.status_code == 302
    tie.refresh_from_db()
    assert tie.superseded_at is not None and tie.intensity == 1
    newest = Tie.objects.current().get(source=tie.source, target=tie.target)
    assert (newest.intensity, newest.note, newest.previous_id) == (3, "Mesa territorial", tie.pk)
    assert response["Location"] == admin_url(Tie, "change", newest.pk)
    assert AuditEntry.objects.filter(action="tie.update", user=superuser).exists()


def test_replaced_versions_are_read_only(client, superuser):
    tie = TieFactory(intensity=1)
    tie_update(user=None, tie=tie, intensity=2)
    client.force_login(superuser)
    response = client.get(admin_url(Tie, "change", tie.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert 'name="_save"' not in response.content.decode()
    response = client.post(admin_url(Tie, "change", tie.pk), {"intensity": "4", "note": "x"})
    assert response.status_code == 403
    tie.refresh_from_db()
    assert tie.intensity == 1


def test_ties_are_neither_added_nor_deleted_in_the_admin(client, superuser):
    tie = TieFactory()
    client.force_login(superuser)
    assert client.get(admin_url(Tie, "add")).status_code == 403
    assert client.post(admin_url(Tie, "delete", tie.pk), {"post": "yes"}).status_code == 403
    assert Tie.objects.filter(pk=tie.pk).exists()


# Sensitive data: superusers only.


def test_sensitive_data_is_hidden_from_staff_even_with_model_permissions(client):
    person = PersonFactory()
    person_record_gender(user=None, person=person, gender="woman", consent_text="Acepto.")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="actors"))
    client.force_login(staff)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert admin_url(SensitiveData, "changelist") not in index.content.decode()
    assert admin_url(Actor, "changelist") in index.content.decode()
    assert client.get(admin_url(SensitiveData, "changelist")).status_code == 403
    data = SensitiveData.objects.get()
    assert client.get(admin_url(SensitiveData, "change", data.pk)).status_code == 403


def test_deleting_sensitive_data_withdraws_consent(client, superuser):
    person = PersonFactory()
    data = person_record_gender(user=None, person=person, gender="woman", consent_text="Acepto.")
    client.force_login(superuser)
    response = client.post(admin_url(SensitiveData, "delete", data.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not SensitiveData.objects.exists()
    assert AuditEntry.objects.filter(action="person.consent_withdrawn", user=superuser).exists()


# Actors: the search text stays right, and autocompletes offer the right kind.


def test_saving_an_actor_keeps_its_search_text(client, superuser):
    actor = ActorFactory(name="Junta Vecinal")
    client.force_login(superuser)
    response = client.get(admin_url(Actor, "change", actor.pk))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"name": "Cooperativa Ñuñoa Ávila", "themes": [], "territories_served": []})
    response = client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    actor.refresh_from_db()
    assert "cooperativa nunoa avila" in actor.search_text
    assert AuditEntry.objects.filter(action="actor.update", user=superuser).exists()


def test_actor_autocomplete_offers_people_or_organizations_as_the_field_needs(client, superuser):
    program = ProgramFactory()
    PersonFactory(program=program, name="Rosa Biblioteca")
    ActorFactory(program=program, name="Biblioteca Popular")
    client.force_login(superuser)

    def names(model_name: str, field_name: str) -> set[str]:
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "term": "biblioteca",
                "app_label": "actors",
                "model_name": model_name,
                "field_name": field_name,
            },
        )
        return {r["text"] for r in json.loads(response.content)["results"]}

    assert names("membership", "person") == {"Rosa Biblioteca"}
    assert names("membership", "organization") == {"Biblioteca Popular"}


# Roles and representatives through the services.


def test_granting_and_revoking_roles_in_the_admin_is_audited(client, superuser):
    program, user = ProgramFactory(), UserFactory()
    client.force_login(superuser)
    response = client.post(
        admin_url(ProgramRole, "add"),
        {"user": user.pk, "program": program.pk, "role": Role.EVALUATOR},
    )
    assert response.status_code == 302
    grant = ProgramRole.objects.get(user=user)
    assert AuditEntry.objects.filter(action="role.grant", user=superuser).exists()
    response = client.post(admin_url(ProgramRole, "delete", grant.pk), {"post": "yes"})
    assert not ProgramRole.objects.exists()
    assert AuditEntry.objects.filter(action="role.revoke", user=superuser).exists()


def test_the_last_administrator_survives_the_admin_too(client, superuser):
    grant = ProgramRoleFactory(role=Role.ADMINISTRATOR)
    client.force_login(superuser)
    client.post(admin_url(ProgramRole, "delete", grant.pk), {"post": "yes"})
    assert ProgramRole.objects.filter(pk=grant.pk).exists()


def test_adding_a_representative_in_the_admin_grants_the_role(client, superuser):
    organization, user = ActorFactory(), UserFactory()
    client.force_login(superuser)
    response = client.post(
        admin_url(Representative, "add"), {"user": user.pk, "organization": organization.pk}
    )
    assert response.status_code == 302
    assert user.has_perm("actors.change_actor", organization)
    person = PersonFactory()
    response = client.post(
        admin_url(Representative, "add"), {"user": user.pk, "organization": person.pk}
    )
    assert response.status_code == 200
    assert not Representative.objects.filter(organization=person).exists()


def test_users_are_created_by_email(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nueva@Example.org",
            "usable_password": "true",
            "password1": "una-clave-larga-789",
            "password2": "una-clave-larga-789",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="nueva@example.org").check_password("una-clave-larga-789")


# Territories: moving one moves its subtree.


def test_moving_a_territory_rewrites_the_paths_of_its_subtree(client, superuser):
    chile = TerritoryFactory(level=Territory.Level.COUNTRY, name="Chile")
    santiago = TerritoryFactory(level=Territory.Level.REGION, parent=chile)
    valparaiso = TerritoryFactory(level=Territory.Level.REGION, parent=chile)
    comuna = TerritoryFactory(level=Territory.Level.MUNICIPALITY, parent=santiago)
    barrio = TerritoryFactory(level=Territory.Level.NEIGHBOURHOOD, parent=comuna)
    client.force_login(superuser)
    response = client.post(
        admin_url(Territory, "change", comuna.pk),
        {"name": comuna.name, "slug": comuna.slug, "level": comuna.level, "parent": valparaiso.pk},
    )
    assert response.status_code == 302
    barrio.refresh_from_db()
    assert barrio.path == f"/{chile.pk}/{valparaiso.pk}/{comuna.pk}/{barrio.pk}/"
    response = client.post(
        admin_url(Territory, "change", santiago.pk),
        {"name": "x", "slug": santiago.slug, "level": santiago.level, "parent": santiago.pk},
    )
    assert response.status_code == 200  # not inside itself


def test_roles_granted_and_revoked_inline_on_the_user_go_through_the_services(client, superuser):
    user, program = UserFactory(), ProgramFactory()
    kept = ProgramRoleFactory(user=user, role=Role.EVALUATOR)
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if form[name].value() is None else form[name].value())
        for name in form.fields
        if name not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "is_active": "on",
            "preferred_language": "ca",
            "program_roles-TOTAL_FORMS": "2",
            "program_roles-INITIAL_FORMS": "1",
            "program_roles-0-id": kept.pk,
            "program_roles-0-user": user.pk,
            "program_roles-0-DELETE": "on",
            "program_roles-1-user": user.pk,
            "program_roles-1-program": program.pk,
            "program_roles-1-role": Role.COORDINATOR,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(ProgramRole.objects.filter(user=user).values_list("program", "role")) == [
        (program.pk, Role.COORDINATOR)
    ]
    assert AuditEntry.objects.filter(action="role.grant", user=superuser).exists()
    assert AuditEntry.objects.filter(action="role.revoke", user=superuser).exists()
    user.refresh_from_db()
    assert user.preferred_language == "ca"
