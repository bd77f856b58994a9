"""Factories for cooperation tests. Shared by every area: add, do not change what is here.

Users: `representative_of`, `coordinator_of` and `member_of` come from the actor factories.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.actors.tests.factories import coordinator_of as coordinator_of
from tejido.actors.tests.factories import member_of as member_of
from tejido.actors.tests.factories import representative_of as representative_of
from tejido.cooperation.models import (
    AgendaItem,
    Consortium,
    ConsortiumMember,
    ItemGroup,
    ItemKind,
    JointProject,
    ListingKind,
    MissionContact,
    MissionParticipant,
    ProjectPartner,
    ReflectionSpace,
    ServiceAgreement,
    ServiceCategory,
    ServiceListing,
    SpaceParticipant,
    StudyMission,
    Transfer,
    TransferKind,
    TransferOffer,
)
from tejido.core.tests.factories import ProgramFactory


class ServiceListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceListing

    program = factory.SubFactory(ProgramFactory)
    actor = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))
    kind = ListingKind.OFFER
    category = ServiceCategory.ACCOUNTING
    title = factory.Sequence(lambda n: f"Contabilidad compartida {n}")
    description = "Llevamos la contabilidad de organizaciones pequeñas del territorio."


class ServiceAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAgreement

    offer = factory.SubFactory(ServiceListingFactory)
    program = factory.SelfAttribute("offer.program")
    provider = factory.SelfAttribute("offer.actor")
    receiver = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))
    message = "Nos vendría muy bien vuestra ayuda con la contabilidad."


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consortium

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Licitación servicio de acompañamiento {n}")
    lead = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))
    contracting_body = "Municipalidad de Valparaíso"
    reference = factory.Sequence(lambda n: f"ID 2401-{n}-LE26")
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))


class ConsortiumMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumMember

    consortium = factory.SubFactory(ConsortiumFactory)
    actor = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..consortium.program"))


class JointProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointProject

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Huertos comunitarios en red {n}")
    goals = "Compartir semillas y saberes entre tres barrios."


class ProjectPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(JointProjectFactory)
    actor = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..project.program"))


class TransferOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransferOffer

    program = factory.SubFactory(ProgramFactory)
    provider = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))
    kind = TransferKind.METHOD
    title = factory.Sequence(lambda n: f"Método de diagnóstico participativo {n}")


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    offer = factory.SubFactory(TransferOfferFactory)
    program = factory.SelfAttribute("offer.program")
    receiver = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))


class ReflectionSpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionSpace

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Agenda social del territorio {n}")
    description = "Un espacio para pensar juntas los retos de los próximos años."


class SpaceParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpaceParticipant

    space = factory.SubFactory(ReflectionSpaceFactory)
    actor = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..space.program"))


class ItemGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemGroup

    space = factory.SubFactory(ReflectionSpaceFactory)
    title = factory.Sequence(lambda n: f"Vivienda y cuidados {n}")


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    space = factory.SubFactory(ReflectionSpaceFactory)
    raised_by = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..space.program"))
    kind = ItemKind.CHALLENGE
    title = factory.Sequence(lambda n: f"Soledad no deseada de personas mayores {n}")


class StudyMissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyMission

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Misión de estudio a Barcelona {n}")
    destination = "Barcelona"
    country = "ES"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=15))


class MissionParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionParticipant

    mission = factory.SubFactory(StudyMissionFactory)
    actor = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..mission.program"))


class MissionContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionContact

    participant = factory.SubFactory(MissionParticipantFactory)
    mission = factory.SelfAttribute("participant.mission")
    contact = factory.SubFactory(
        ActorFactory, program=factory.SelfAttribute("..participant.mission.program")
    )
