# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Services of accounts (roles, API tokens, profile) and of representatives (actors)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.accounts.models import ApiToken, ProgramRole, Role
from tejido.accounts.services import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    role_grant,
    role_revoke,
    token_digest,
    user_profile_update,
)
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Representative
from tejido.actors.services import (
    representative_add,
    representative_remove,
    representative_role_revoke,
)
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


# Roles


def test_role_grant_creates_once_and_audits_once():
    program, admin, user = ProgramFactory(), UserFactory(), UserFactory()
    first = role_grant(actor=admin, user=user, program=program, role=Role.COORDINATOR)
    again = role_grant(actor=admin, user=user, program=program, role=Role.COORDINATOR)
    assert first.pk == again.pk
    assert ProgramRole.objects.filter(user=user).count() == 1
    entry = AuditEntry.objects.get(action="role.grant")
    assert (entry.user, entry.program, entry.data) == (admin, program, {"role": "coordinator"})


def test_role_grant_refreshes_the_cached_roles_of_that_user_object():
    program, user = ProgramFactory(), UserFactory()
    assert not user.has_perm("actors.add_actor", program)  # caches "no roles"
    role_grant(actor=None, user=user, program=program, role=Role.COORDINATOR)
    assert user.has_perm("actors.add_actor", program)
    role_revoke(actor=None, user=user, program=program, role=Role.COORDINATOR)
    assert not user.has_perm("actors.add_actor", program)


def test_role_grant_refuses_an_unknown_role():
    with pytest.raises(ValidationError):
        role_grant(actor=None, user=UserFactory(), program=ProgramFactory(), role="king")
    assert not ProgramRole.objects.exists()


def test_role_revoke_audits_only_what_it_removed():
    program, user = ProgramFactory(), UserFactory()
    role_revoke(actor=None, user=user, program=program, role=Role.EVALUATOR)
    assert not AuditEntry.objects.filter(action="role.revoke").exists()
    ProgramRoleFactory(user=user, program=program, role=Role.EVALUATOR)
    role_revoke(actor=None, user=user, program=program, role=Role.EVALUATOR)
    assert AuditEntry.objects.filter(action="role.revoke", program=program).count() == 1


def test_a_program_keeps_at_least_one_administrator():
    program, first, second = ProgramFactory(), UserFactory(), UserFactory()
    ProgramRoleFactory(user=first, program=program, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        role_revoke(actor=first, user=first, program=program, role=Role.ADMINISTRATOR)
    ProgramRoleFactory(user=second, program=program, role=Role.ADMINISTRATOR)
    role_revoke(actor=first, user=first, program=program, role=Role.ADMINISTRATOR)
    assert list(ProgramRole.objects.filter(program=program).values_list("user", flat=True)) == [
        second.pk
    ]


# API tokens


def test_api_token_is_stored_as_a_digest_and_shown_once():
    user = UserFactory()
    token, secret = api_token_create(user=user, name="Encuesta")
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert secret.startswith(token.prefix) and len(token.prefix) == len(TOKEN_PREFIX) + 6
    assert AuditEntry.objects.filter(action="api_token.create", user=user).exists()


def test_api_token_authenticates_its_user_and_records_use():
    user = UserFactory()
    token, secret = api_token_create(user=user, name="x")
    assert api_token_authenticate(secret) == user
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert api_token_authenticate(secret + "x") is None
    assert api_token_authenticate("") is None


def test_last_use_is_written_at_most_once_a_minute():
    token, secret = api_token_create(user=UserFactory(), name="x")
    recent = timezone.now() - datetime.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - datetime.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > old


def test_revoked_tokens_and_inactive_users_do_not_authenticate():
    user = UserFactory()
    token, secret = api_token_create(user=user, name="x")
    _other_token, other_secret = api_token_create(user=user, name="y")
    api_token_revoke(user=user, token=token)
    assert api_token_authenticate(secret) is None
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()
    user.is_active = False
    user.save()
    assert api_token_authenticate(other_secret) is None


# Profile


def test_profile_update_and_its_audit():
    user = UserFactory()
    user_profile_update(user=user, first_name=" Rosa ", last_name="Díaz", preferred_language="en")
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == ("Rosa", "Díaz", "en")
    assert AuditEntry.objects.filter(action="user.profile_update", user=user).exists()
    with pytest.raises(ValidationError):
        user_profile_update(user=user, first_name="", last_name="", preferred_language="fr")


# Representatives (actors.services)


def test_representative_add_grants_the_role_and_audits():
    admin, user = UserFactory(), UserFactory()
    organization = ActorFactory()
    representative = representative_add(user=user, actor=admin, organization=organization)
    assert representative.organization == organization
    assert ProgramRole.objects.filter(
        user=user, program=organization.program, role=Role.ORGANIZATION_REPRESENTATIVE
    ).exists()
    entry = AuditEntry.objects.get(action="representative.add")
    assert (entry.user, entry.program) == (admin, organization.program)
    assert user.has_perm("actors.change_actor", organization)
    # Adding it again changes nothing.
    representative_add(user=user, actor=admin, organization=organization)
    assert Representative.objects.count() == 1
    assert AuditEntry.objects.filter(action="representative.add").count() == 1


def test_a_person_cannot_be_represented():
    with pytest.raises(ValidationError):
        representative_add(user=UserFactory(), actor=None, organization=PersonFactory())
    assert not Representative.objects.exists() and not ProgramRole.objects.exists()


def test_representative_remove_revokes_the_role_with_the_last_organization():
    admin, user = UserFactory(), UserFactory()
    program = ProgramFactory()
    first, second = ActorFactory(program=program), ActorFactory(program=program)
    representative_add(user=user, actor=admin, organization=first)
    representative_add(user=user, actor=admin, organization=second)
    representative_remove(user=user, actor=admin, organization=first)
    assert not user.has_perm("actors.change_actor", first)
    assert user.has_perm("actors.change_actor", second)
    representative_remove(user=user, actor=admin, organization=second)
    assert not ProgramRole.objects.filter(user=user).exists()
    assert not user.has_perm("actors.change_actor", second)
    assert AuditEntry.objects.filter(action="representative.remove").count() == 2


def test_representative_role_revoke_clears_only_that_program():
    admin, user = UserFactory(), UserFactory()
    here, elsewhere = ActorFactory(), ActorFactory()
    representative_add(user=user, actor=admin, organization=here)
    representative_add(user=user, actor=admin, organization=elsewhere)
    representative_role_revoke(user=user, actor=admin, program=here.program)
    assert list(Representative.objects.values_list("organization", flat=True)) == [elsewhere.pk]
    assert not user.has_perm("actors.change_actor", here)
    assert user.has_perm("actors.change_actor", elsewhere)
