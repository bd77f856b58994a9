# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two representatives taking the last place of a cohort at once: one gets it, the other is told
the cohort is full. Needs two connections to one database: PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.concurrency import race
from tejido.core.tests.factories import ProgramFactory
from tejido.learning.courses import services
from tejido.learning.models import Cohort, Enrolment

from .factories import CohortFactory, CourseFactory, person_in, representative_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def test_two_representatives_taking_the_last_place_at_once_one_gets_it():
    program = ProgramFactory()
    cohort = CohortFactory(course=CourseFactory(program=program), capacity=1)
    first_org, second_org = ActorFactory(program=program), ActorFactory(program=program)
    first_rep, second_rep = representative_of(first_org), representative_of(second_org)
    first_person, second_person = person_in(first_org), person_in(second_org)

    def enrol(user: Any, person: Any, organization: Any) -> Callable[[], Any]:
        return lambda: services.enrolment_create(
            user=user,
            cohort=Cohort.objects.get(pk=cohort.pk),
            person=person,
            organization=organization,
        )

    results, errors = race(
        enrol(first_rep, first_person, first_org), enrol(second_rep, second_person, second_org)
    )
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "full" in errors[0].messages[0]
    assert Enrolment.objects.filter(cohort=cohort).count() == 1


def test_many_representatives_never_overfill_a_cohort():
    program = ProgramFactory()
    cohort = CohortFactory(course=CourseFactory(program=program), capacity=3)
    calls = []
    for _ in range(6):
        organization = ActorFactory(program=program)
        user, person = representative_of(organization), person_in(organization)
        calls.append(
            lambda u=user, p=person, o=organization: services.enrolment_create(
                user=u, cohort=Cohort.objects.get(pk=cohort.pk), person=p, organization=o
            )
        )
    results, errors = race(*calls)
    assert (len(results), len(errors)) == (3, 3)
    assert Enrolment.objects.filter(cohort=cohort).count() == 3
