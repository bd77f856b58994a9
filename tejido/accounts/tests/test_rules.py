# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Rules beyond the matrix: edge cases and the cost of checking many permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tejido.accounts.models import Role
from tejido.accounts.rules import programs_visible_to
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.rules import represents_actor
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


def test_a_representation_without_the_role_grants_nothing():
    organization = ActorFactory()
    user = UserFactory()
    RepresentativeFactory(user=user, organization=organization)
    assert not user.has_perm("actors.change_actor", organization)
    assert not user.has_perm("network.add_tie_for_actor", organization)
    tie = TieFactory(source=organization)
    assert not user.has_perm("network.change_tie", tie)


def test_represents_actor_only_matches_actors():
    # A program whose id equals a represented organization's id is not that organization.
    organization = ActorFactory()
    user = UserFactory()
    user._tejido_represents = frozenset({organization.program_id, organization.pk})
    assert represents_actor(user, organization)
    assert not represents_actor(user, organization.program)
    assert not represents_actor(user, None)


def test_inactive_accounts_exercise_no_role():
    program = ProgramFactory(is_public=False)
    user = UserFactory(is_active=False)
    ProgramRoleFactory(user=user, program=program, role=Role.ADMINISTRATOR)
    assert not user.has_perm("core.view_program", program)
    assert not user.has_perm("core.manage_roles", program)
    superuser = UserFactory(is_active=False, is_superuser=True)
    assert not superuser.has_perm("core.view_program", program)


def test_roles_are_loaded_once_per_user_object(django_assert_num_queries):
    programs = [ProgramFactory() for _n in range(5)]
    user = UserFactory()
    for program in programs:
        ProgramRoleFactory(user=user, program=program, role=Role.COORDINATOR)
    organizations = [ActorFactory(program=programs[0]) for _n in range(5)]
    with django_assert_num_queries(1):
        for program in programs:
            assert user.has_perm("actors.add_actor", program)
            assert user.has_perm("core.view_program_internal", program)
    # Representations are one more query, whatever the number of organizations checked.
    representative = UserFactory()
    ProgramRoleFactory(
        user=representative, program=programs[0], role=Role.ORGANIZATION_REPRESENTATIVE
    )
    RepresentativeFactory(user=representative, organization=organizations[0])
    with django_assert_num_queries(2):
        results = [representative.has_perm("actors.change_actor", o) for o in organizations]
    assert results == [True, False, False, False, False]


def test_checking_ties_does_not_load_their_ends(django_assert_num_queries):
    program = ProgramFactory()
    organization = ActorFactory(program=program)
    ties = [TieFactory(source=organization) for _n in range(5)]
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=organization)
    ties = [type(ties[0]).objects.get(pk=t.pk) for t in ties]
    with django_assert_num_queries(2):
        assert all(user.has_perm("network.change_tie", tie) for tie in ties)


def test_programs_visible_to():
    public, private, mine = (
        ProgramFactory(is_public=True),
        ProgramFactory(is_public=False),
        ProgramFactory(is_public=False),
    )
    user = UserFactory()
    ProgramRoleFactory(user=user, program=mine, role=Role.EVALUATOR)
    ProgramRoleFactory(user=user, program=mine, role=Role.COORDINATOR)
    assert set(programs_visible_to(AnonymousUser())) == {public}
    assert list(programs_visible_to(user).order_by("pk")) == [public, mine]
    assert set(programs_visible_to(UserFactory(is_superuser=True))) == {public, private, mine}
