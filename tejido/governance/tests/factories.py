"""Factories for governance tests. Shared by every area: add, do not change what is here."""

import datetime

import factory
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import (
    Agreement,
    Attendance,
    Body,
    BodyKind,
    Mandate,
    Meeting,
    Need,
    Plan,
    Poll,
    PollOption,
    Seat,
    VotingMethod,
)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    program = factory.SubFactory(ProgramFactory)
    territory = factory.SubFactory(TerritoryFactory)
    kind = BodyKind.DIRECTORATE
    name = factory.Sequence(lambda n: f"Directorio local {n}")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    sector = Sector.COMMUNITY
    label = factory.Sequence(lambda n: f"Asiento {n}")
    position = factory.Sequence(lambda n: n)


class MandateFactory(factory.django.DjangoModelFactory):
    """A current mandate whose holder has an account (`holder_user`) that can vote."""

    class Meta:
        model = Mandate

    seat = factory.SubFactory(SeatFactory)
    organization = factory.SubFactory(
        ActorFactory,
        program=factory.SelfAttribute("..seat.body.program"),
        sector=factory.SelfAttribute("..seat.sector"),
    )
    holder = factory.SubFactory(PersonFactory, program=factory.SelfAttribute("..seat.body.program"))
    holder_user = factory.SubFactory(UserFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))


def body_with_seats(
    *,
    program=None,
    sectors=(Sector.COMMUNITY,) * 3 + (Sector.PUBLIC, Sector.PRIVATE),
    **body_fields,
):
    """A body with one current, voting mandate per sector given (each with its own account)."""
    body = BodyFactory(**({"program": program} if program else {}), **body_fields)
    mandates = [MandateFactory(seat=SeatFactory(body=body, sector=sector)) for sector in sectors]
    return body, mandates


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Sesión ordinaria {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "Sede vecinal"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    mandate = None
    organization = factory.SubFactory(
        ActorFactory, program=factory.SelfAttribute("..meeting.body.program")
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    body = factory.SubFactory(BodyFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Acuerdo {n}: pedir al municipio la poda de árboles")


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll

    body = factory.SubFactory(BodyFactory)
    question = factory.Sequence(lambda n: f"Pregunta {n}")
    method = VotingMethod.PLURALITY


class PollOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollOption

    poll = factory.SubFactory(PollFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Opción {n}")


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    program = factory.SubFactory(ProgramFactory)
    territory = factory.SubFactory(TerritoryFactory)
    title = factory.Sequence(lambda n: f"Necesidad {n}: iluminación de la plaza")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    body = factory.SubFactory(BodyFactory)
    program = factory.SelfAttribute("body.program")
    territory = factory.SelfAttribute("body.territory")
    title = factory.Sequence(lambda n: f"Plan de mejoramiento {n}")
    purpose = "Mejorar la convivencia y los espacios públicos del barrio."
