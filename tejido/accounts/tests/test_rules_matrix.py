# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""The permission matrix: every rule of core, actors and network, for every kind of user.

Each table says, for each user, whether they hold the permission on a public program's object
and on a private program's object: `(public, private)`. The tables are written out in full on
purpose: a change to a rule must change a line here, where a reviewer sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from rules.permissions import permissions

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, PersonFactory, RepresentativeFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

T, F = True, False

USERS = (
    "anonymous",
    "no_role",
    "administrator",
    "coordinator",
    "directorate_member",
    "representative",  # of the organization the rule is checked on
    "other_representative",  # of another organization of the same program
    "evaluator",
    "superuser",
    "other_program_coordinator",
)

# (permission, object it is checked on) → {user: (public program, private program)}
MATRIX: dict[tuple[str, str], dict[str, tuple[bool, bool]]] = {
    ("core.view_program", "program"): {
        "anonymous": (T, F),
        "no_role": (T, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (T, F),
    },
    ("core.change_program", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (F, F),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("core.manage_roles", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (F, F),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("core.view_program_internal", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.view_actor", "organization"): {
        "anonymous": (T, F),
        "no_role": (T, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (T, F),
    },
    # A person is an actor only for those who may see people (actors.view_people).
    ("actors.view_actor", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.view_actor", "program"): {
        "anonymous": (T, F),
        "no_role": (T, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (T, F),
    },
    # People's names are personal data: members of the program (any role) and superusers, never
    # the public, even of a public program.
    ("actors.view_people", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # On an object of the program (its program_id), the same answer.
    ("actors.view_people", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.view_people", "tie"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.add_actor", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.change_actor", "organization"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (T, T),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.change_actor", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.change_actor", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # An organization's contact details are institutional: every member of the program.
    ("actors.view_contact", "organization"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # A person's contact details are personal data: not evaluators, not representatives.
    ("actors.view_contact", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # On the program: everyone's contact details, so the stricter answer.
    ("actors.view_contact", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.view_sensitive", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.change_sensitive", "person"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.import_actors", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("actors.export_actors", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.view_map", "program"): {
        "anonymous": (T, F),
        "no_role": (T, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (T, F),
    },
    ("network.add_tie", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.add_tie_for_actor", "organization"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.add_tie_for_actor", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # The tie joins the representative's organization to a third, unrepresented one.
    ("network.change_tie", "tie"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.import_ties", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.export_ties", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.view_analysis", "program"): {
        "anonymous": (T, F),
        "no_role": (T, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (T, F),
    },
    ("network.view_actor_analysis", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.view_opportunities", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (T, T),
        "representative": (T, T),
        "other_representative": (T, T),
        "evaluator": (T, T),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.run_analysis", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.manage_opportunities", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    # Network surveys: run by coordinators; answered from the platform by the organization's
    # representatives (or a coordinator typing in a paper questionnaire).
    ("network.manage_surveys", "program"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (F, F),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
    ("network.answer_survey", "organization"): {
        "anonymous": (F, F),
        "no_role": (F, F),
        "administrator": (T, T),
        "coordinator": (T, T),
        "directorate_member": (F, F),
        "representative": (T, T),
        "other_representative": (F, F),
        "evaluator": (F, F),
        "superuser": (T, T),
        "other_program_coordinator": (F, F),
    },
}

# Permissions registered by tejido/{accounts,actors,network}/rules.py.
RULE_PREFIXES = ("core.", "actors.", "network.")


@dataclass
class World:
    """One program with a user per role, and the objects the rules are checked on."""

    users: dict[str, Any]
    targets: dict[str, Any]


def build_world(*, is_public: bool) -> World:
    program = ProgramFactory(is_public=is_public)
    other_program = ProgramFactory(is_public=is_public)
    organization = ActorFactory(program=program)
    other_organization = ActorFactory(program=program)
    third_organization = ActorFactory(program=program)
    person = PersonFactory(program=program)
    tie = TieFactory(source=organization, target=third_organization)

    def with_role(role: str, in_program: Any = program) -> Any:
        user = UserFactory()
        ProgramRoleFactory(user=user, program=in_program, role=role)
        return user

    representative = with_role(Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=representative, organization=organization)
    other_representative = with_role(Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=other_representative, organization=other_organization)
    users = {
        "anonymous": AnonymousUser(),
        "no_role": UserFactory(),
        "administrator": with_role(Role.ADMINISTRATOR),
        "coordinator": with_role(Role.COORDINATOR),
        "directorate_member": with_role(Role.DIRECTORATE_MEMBER),
        "representative": representative,
        "other_representative": other_representative,
        "evaluator": with_role(Role.EVALUATOR),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "other_program_coordinator": with_role(Role.COORDINATOR, other_program),
    }
    targets = {
        "program": program,
        "organization": organization,
        "person": person,
        "tie": tie,
    }
    return World(users=users, targets=targets)


@pytest.fixture
def worlds() -> dict[bool, World]:
    return {True: build_world(is_public=True), False: build_world(is_public=False)}


def test_every_registered_permission_has_a_table():
    registered = {name for name in permissions if name.startswith(RULE_PREFIXES)}
    tabled = {perm for perm, _target in MATRIX}
    assert registered - tabled == set(), "write the matrix of the new permission"
    assert tabled - registered == set(), "a tabled permission is no longer registered"


@pytest.mark.parametrize("table", MATRIX.values(), ids=[f"{p}@{t}" for p, t in MATRIX])
def test_every_table_names_every_user(table):
    assert tuple(table) == USERS


@pytest.mark.parametrize(("perm", "target"), list(MATRIX), ids=[f"{p}@{t}" for p, t in MATRIX])
def test_permission_matrix(worlds, perm, target):
    expected = MATRIX[(perm, target)]
    actual = {
        user_key: tuple(
            worlds[is_public].users[user_key].has_perm(perm, worlds[is_public].targets[target])
            for is_public in (True, False)
        )
        for user_key in USERS
    }
    assert actual == expected
