"""Helpers of the attendance tests: a cohort of many people built in bulk."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.utils import timezone

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.learning.models import Cohort, Enrolment, Session

from .factories import CohortFactory


def big_cohort(
    people: int,
    sessions: int,
    *,
    organizations: int = 10,
    cohort: Cohort | None = None,
    past: int | None = None,
    **cohort_fields: Any,
) -> tuple[Cohort, list[Enrolment], list[Session]]:
    """A cohort with `people` enrolled (for `organizations` organizations) and `sessions`
    sessions, the first `past` of them (all by default) held, a week apart."""
    if cohort is None:
        cohort = cast(Cohort, CohortFactory(**cohort_fields))
    program = cohort.program
    orgs = Actor.objects.bulk_create(
        [
            Actor(
                program=program,
                kind=ActorKind.ORGANIZATION,
                name=f"Organización {cohort.pk}-{i}",
                sector=Sector.COMMUNITY,
            )
            for i in range(organizations)
        ]
    )
    persons = Actor.objects.bulk_create(
        [
            Actor(program=program, kind=ActorKind.PERSON, name=f"Persona {cohort.pk}-{i:04d}")
            for i in range(people)
        ]
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(cohort=cohort, person=person, organization=orgs[i % organizations])
            for i, person in enumerate(persons)
        ]
    )
    now = timezone.now()
    past = sessions if past is None else past
    # The first `past` sessions have started; the next starts in an hour.
    first = now - datetime.timedelta(days=7 * past) + datetime.timedelta(hours=1)
    made = Session.objects.bulk_create(
        [
            Session(
                cohort=cohort,
                title=f"Sesión {i + 1}",
                starts_at=first + datetime.timedelta(days=7 * i),
                ends_at=first + datetime.timedelta(days=7 * i, hours=3),
            )
            for i in range(sessions)
        ]
    )
    return cohort, enrolments, made
