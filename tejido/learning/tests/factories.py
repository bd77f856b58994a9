"""Factories for learning tests. Shared by every area: add, do not change what is here."""

from __future__ import annotations

import datetime
import secrets
from typing import Any, cast

import factory
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor, ActorKind, Membership
from tejido.actors.tests.factories import (
    ActorFactory,
    PersonFactory,
)

# The user helpers live with the actor factories; re-exported here for the tests.
from tejido.actors.tests.factories import (
    coordinator_of as coordinator_of,
)
from tejido.actors.tests.factories import (
    member_of as member_of,
)
from tejido.actors.tests.factories import (
    representative_of as representative_of,
)
from tejido.core.tests.factories import ProgramFactory
from tejido.learning.models import (
    Attendance,
    Certificate,
    Cohort,
    Comment,
    Competency,
    Course,
    Enrolment,
    Exchange,
    Experience,
    ItemKind,
    LearningSettings,
    LibraryItem,
    Module,
    PublicationStatus,
    Reaction,
    Session,
)


class LearningSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningSettings

    program = factory.SubFactory(ProgramFactory)
    calendar_token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Liderazgo comunitario {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Escuela de líderes {n}")
    summary = "Herramientas para conducir organizaciones comunitarias."
    learning_goals = "Conducir una asamblea\nFormular un proyecto"
    hours = 24
    min_attendance_percent = 75
    is_published = True


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Módulo {n + 1}")
    hours = 4


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    program = factory.SelfAttribute("course.program")
    name = factory.Sequence(lambda n: f"Cohorte {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Sesión {n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    place = "Sede vecinal"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SubFactory(
        ActorFactory, program=factory.SelfAttribute("..cohort.program")
    )
    person = factory.SubFactory(PersonFactory, program=factory.SelfAttribute("..cohort.program"))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort")
    )
    present = True


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory)
    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    holder_name = factory.LazyAttribute(lambda o: o.enrolment.person.name)
    organization_name = factory.LazyAttribute(lambda o: o.enrolment.organization.name)
    course_title = factory.LazyAttribute(lambda o: o.enrolment.cohort.course.title)
    program_name = factory.LazyAttribute(lambda o: o.enrolment.cohort.program.name)
    hours = 24
    completed_on = factory.LazyFunction(timezone.localdate)
    issued_at = factory.LazyFunction(timezone.now)


class ExperienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experience

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..program"))
    title = factory.Sequence(lambda n: f"Huerta comunitaria {n}")
    context = "Un barrio con pocos espacios verdes y muchas organizaciones."
    what_was_done = "Las organizaciones vecinales recuperaron un sitio eriazo."
    what_happened = "Participaron cuarenta familias durante la primavera."
    lessons = "Conviene acordar turnos de riego desde el principio."
    status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    experience = factory.SubFactory(ExperienceFactory)
    author = factory.SubFactory(UserFactory)
    body = "¿Cómo organizaron los turnos?"


class ReactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reaction

    experience = factory.SubFactory(ExperienceFactory)
    user = factory.SubFactory(UserFactory)
    kind = "useful"


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Encuentro de territorios {n}")
    held_on = factory.LazyFunction(timezone.localdate)


class LibraryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryItem

    program = factory.SubFactory(ProgramFactory)
    kind = ItemKind.REPORT
    title = factory.Sequence(lambda n: f"Informe sobre organizaciones comunitarias {n}")
    abstract = "Un estudio de la organización comunitaria en los barrios."
    language = "es"
    status = PublicationStatus.PUBLISHED
    published_on = factory.LazyFunction(timezone.localdate)


def person_in(organization: Any, **extra: Any) -> Any:
    """A person who is a current member of `organization`."""
    person = cast(
        Actor, PersonFactory(program=organization.program, kind=ActorKind.PERSON, **extra)
    )
    Membership.objects.create(person=person, organization=organization, role="Socia")
    return person
