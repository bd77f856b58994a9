from typing import Any

import factory

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, ActorKind, Membership, Representative, Sector
from tejido.core.tests.factories import ProgramFactory
from tejido.core.text import normalize_for_search


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    program = factory.SubFactory(ProgramFactory)
    kind = ActorKind.ORGANIZATION
    name = factory.Sequence(lambda n: f"Junta de Vecinos {n}")
    sector = Sector.COMMUNITY
    search_text = factory.LazyAttribute(
        lambda o: normalize_for_search(o.name, o.legal_form, o.description)
    )
    legal_form = ""
    description = ""


class PersonFactory(ActorFactory):
    kind = ActorKind.PERSON
    name = factory.Sequence(lambda n: f"María González {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(
        ActorFactory, program=factory.SelfAttribute("..person.program")
    )
    role = "Presidenta"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory("tejido.accounts.tests.factories.UserFactory")
    organization = factory.SubFactory(ActorFactory)


def representative_of(organization: Any, user: Any = None) -> Any:
    """A user who speaks for `organization` (with the representative role in its program)."""
    user = user or UserFactory()
    Representative.objects.create(user=user, organization=organization)
    ProgramRoleFactory(
        user=user, program=organization.program, role=Role.ORGANIZATION_REPRESENTATIVE
    )
    return user


def coordinator_of(program: Any) -> Any:
    """A user with the coordinator role in `program`."""
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.COORDINATOR)
    return user


def member_of(program: Any, role: str = Role.DIRECTORATE_MEMBER) -> Any:
    """A user with some role in `program`."""
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    return user
