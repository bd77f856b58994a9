import factory

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
