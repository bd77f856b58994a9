# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Training services: courses, modules, competencies, cohorts, sessions and enrolment. Each
refusal changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, ActorKind, Membership
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry, Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.learning.courses import services
from tejido.learning.models import (
    Cohort,
    CohortStatus,
    Competency,
    Course,
    Enrolment,
    EnrolmentStatus,
    LearningSettings,
    Module,
    Session,
)

from .factories import (
    AttendanceFactory,
    CohortFactory,
    CompetencyFactory,
    CourseFactory,
    EnrolmentFactory,
    ModuleFactory,
    SessionFactory,
    coordinator_of,
    person_in,
    representative_of,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Course.objects.count(),
        Module.objects.count(),
        Competency.objects.count(),
        Cohort.objects.count(),
        Session.objects.count(),
        Enrolment.objects.count(),
        Actor.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.filter(action__startswith="learning.").count(),
    )


def _world(**cohort: object):
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    organization = ActorFactory(program=program)
    representative = representative_of(organization)
    course = CourseFactory(program=program)
    cohort_row = CohortFactory(course=course, **cohort)
    return program, coordinator, organization, representative, cohort_row


# -- settings ---------------------------------------------------------------------------------


def test_learning_settings_created_once_with_a_random_token():
    program = ProgramFactory()
    first = services.learning_settings_for(program)
    again = services.learning_settings_for(program)
    other = services.learning_settings_for(ProgramFactory())
    assert first.pk == again.pk
    assert len(first.calendar_token) >= 30
    assert first.calendar_token != other.calendar_token
    assert LearningSettings.objects.filter(program=program).count() == 1


# -- courses, competencies, modules -----------------------------------------------------------


def test_course_create_with_chosen_and_new_competencies_and_themes():
    program = ProgramFactory()
    user = coordinator_of(program)
    existing = CompetencyFactory(program=program, name="Liderazgo comunitario")
    social = Theme.objects.get_or_create(
        transition="social", defaults={"name": "Social", "slug": "t-social"}
    )[0]
    course = services.course_create(
        user=user,
        program=program,
        title="  Escuela de dirigentes ",
        summary="",
        learning_goals="Conducir asambleas\n\nRendir cuentas\n",
        hours=24,
        min_attendance_percent=80,
        is_published=False,
        competencies=[existing],
        new_competencies=["Trabajo en red", "liderazgo   COMUNITARIO", ""],
        themes=[social],
    )
    assert course.title == "Escuela de dirigentes"
    assert course.goals == ["Conducir asambleas", "Rendir cuentas"]
    # The differently typed name is the existing competency, not a new one.
    assert sorted(c.name for c in course.competencies.all()) == [
        "Liderazgo comunitario",
        "Trabajo en red",
    ]
    assert Competency.objects.filter(program=program).count() == 2
    assert list(course.themes.all()) == [social]


def test_course_refuses_another_programs_competency_and_a_bad_percent():
    program = ProgramFactory()
    user = coordinator_of(program)
    foreign = CompetencyFactory()
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.course_create(
            user=user, program=program, title="Curso", competencies=[foreign], hours=1
        )
    assert "competencies" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.course_create(
            user=user, program=program, title="Curso", min_attendance_percent=120
        )
    assert "min_attendance_percent" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.course_create(user=user, program=program, title="   ")
    assert _counts() == before


def test_competency_names_are_unique_in_a_program_whatever_the_case_and_accents():
    program = ProgramFactory()
    user = coordinator_of(program)
    services.competency_create(user=user, program=program, name="Gestión financiera")
    with pytest.raises(ValidationError) as error:
        services.competency_create(user=user, program=program, name="gestion  FINANCIERA")
    assert "name" in error.value.message_dict
    # Another program may use the same name.
    services.competency_create(user=user, program=ProgramFactory(), name="Gestión financiera")


def test_modules_are_added_in_order_moved_and_removed_without_gaps():
    course = CourseFactory()
    user = coordinator_of(course.program)
    a = services.module_add(user=user, course=course, title="Uno", hours=2)
    b = services.module_add(user=user, course=course, title="Dos", hours=3)
    c = services.module_add(user=user, course=course, title="Tres")
    assert [a.position, b.position, c.position] == [1, 2, 3]

    services.module_move(user=user, module=c, up=True)
    assert list(course.modules.order_by("position").values_list("title", flat=True)) == [
        "Uno",
        "Tres",
        "Dos",
    ]
    services.module_move(user=user, module=Module.objects.get(pk=a.pk), up=True)  # first: stays
    assert Module.objects.get(pk=a.pk).position == 1

    session = SessionFactory(cohort=CohortFactory(course=course), module=a)
    services.module_remove(user=user, module=a)
    assert list(course.modules.order_by("position").values_list("title", "position")) == [
        ("Tres", 1),
        ("Dos", 2),
    ]
    session.refresh_from_db()
    assert session.module is None  # the session stays, without its module

    services.module_update(user=user, module=b, title="Dos bis", hours=5)
    b.refresh_from_db()
    assert (b.title, b.hours) == ("Dos bis", 5)
    with pytest.raises(ValidationError):
        services.module_update(user=user, module=b, title=" ")


# -- cohorts ----------------------------------------------------------------------------------


def test_cohort_create_checks_dates_cycle_territory_and_facilitators():
    program = ProgramFactory()
    here, elsewhere = TerritoryFactory(), TerritoryFactory()
    program.territories.add(here)
    user = coordinator_of(program)
    course = CourseFactory(program=program)
    today = datetime.date(2026, 3, 1)
    base = {
        "name": "Cohorte 1",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=30),
        "territory": here,
    }
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.cohort_create(
            user=user, course=course, **{**base, "ends_on": today - datetime.timedelta(days=1)}
        )
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cohort_create(user=user, course=course, **{**base, "territory": elsewhere})
    assert "territory" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cohort_create(
            user=user, course=course, **base, cycle=ProgramFactory().cycles.first()
        )
    assert "cycle" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cohort_create(user=user, course=course, **base, facilitators=[UserFactory()])
    assert "facilitators" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cohort_create(user=user, course=course, **base, status=CohortStatus.CLOSED)
    assert "status" in error.value.message_dict
    assert _counts() == before

    facilitator = UserFactory()
    ProgramRoleFactory(user=facilitator, program=program, role=Role.DIRECTORATE_MEMBER)
    cohort = services.cohort_create(
        user=user, course=course, **base, capacity=20, facilitators=[facilitator]
    )
    assert cohort.program == program
    assert list(cohort.facilitators.all()) == [facilitator]


def test_cohort_capacity_cannot_drop_below_the_people_enrolled_and_closed_stays_closed():
    cohort = CohortFactory(capacity=10)
    user = coordinator_of(cohort.program)
    EnrolmentFactory.create_batch(3, cohort=cohort)
    with pytest.raises(ValidationError) as error:
        services.cohort_update(user=user, cohort=cohort, capacity=2)
    assert "capacity" in error.value.message_dict
    services.cohort_update(user=user, cohort=cohort, capacity=3)

    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.CLOSED, enrolment_open=False)
    with pytest.raises(ValidationError):
        services.cohort_update(user=user, cohort=cohort, status=CohortStatus.RUNNING)
    services.cohort_update(user=user, cohort=cohort, name="Cohorte renombrada")
    cohort.refresh_from_db()
    assert (cohort.name, cohort.status, cohort.enrolment_open) == (
        "Cohorte renombrada",
        CohortStatus.CLOSED,
        False,
    )


# -- sessions ---------------------------------------------------------------------------------


def test_session_rules():
    cohort = CohortFactory()
    user = coordinator_of(cohort.program)
    module = ModuleFactory(course=cohort.course)
    start = timezone.now() + datetime.timedelta(days=3)
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.session_add(
            user=user, cohort=cohort, title="Sesión", starts_at=start, ends_at=start
        )
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.session_add(
            user=user,
            cohort=cohort,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.session_add(
            user=user,
            cohort=cohort,
            module=ModuleFactory(),  # another course's module
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
    assert "module" in error.value.message_dict
    assert _counts()[4] == before[4]

    session = services.session_add(
        user=user,
        cohort=cohort,
        module=module,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        online_url="https://meet.example.org/escuela",
    )
    assert str(session) == module.title
    updated = services.session_update(
        user=user,
        session=session,
        place="Sede vecinal",
        ends_at=start + datetime.timedelta(hours=3),
    )
    assert updated.place == "Sede vecinal"
    with pytest.raises(ValidationError):
        services.session_update(
            user=user, session=session, ends_at=start - datetime.timedelta(hours=1)
        )
    session.refresh_from_db()
    assert session.ends_at == start + datetime.timedelta(hours=3)


def test_a_session_with_attendance_is_not_removed():
    attendance = AttendanceFactory()
    session = attendance.session
    user = coordinator_of(session.cohort.program)
    with pytest.raises(ValidationError) as error:
        services.session_remove(user=user, session=session)
    assert "Attendance was already taken" in error.value.messages[0]
    assert Session.objects.filter(pk=session.pk).exists()

    free = SessionFactory(cohort=session.cohort)
    services.session_remove(user=user, session=free)
    assert not Session.objects.filter(pk=free.pk).exists()


def test_sessions_of_a_closed_cohort_do_not_change():
    session = SessionFactory(cohort=CohortFactory(status=CohortStatus.CLOSED))
    user = coordinator_of(session.cohort.program)
    with pytest.raises(ValidationError):
        services.session_update(user=user, session=session, place="Otro lugar")
    with pytest.raises(ValidationError):
        services.session_remove(user=user, session=session)


# -- enrolment --------------------------------------------------------------------------------


def test_a_representative_enrols_a_member_of_their_organization():
    program, _coordinator, organization, representative, cohort = _world()
    person = person_in(organization)
    enrolment = services.enrolment_create(
        user=representative, cohort=cohort, person=person, organization=organization
    )
    assert (enrolment.status, enrolment.enrolled_by) == (EnrolmentStatus.ENROLLED, representative)
    entry = AuditEntry.objects.get(action="learning.enrolment_create")
    assert (entry.target_id, entry.program_id, entry.user_id) == (
        str(enrolment.pk),
        program.pk,
        representative.pk,
    )


@pytest.mark.parametrize(
    "case",
    [
        "cohort_closed",
        "enrolment_closed",
        "full",
        "already_enrolled",
        "not_their_organization",
        "not_a_member",
        "person_of_another_program",
        "organization_of_another_program",
        "a_person_as_organization",
    ],
)
def test_enrolment_refusals_change_nothing(case):
    program, _coordinator, organization, representative, cohort = _world(capacity=1)
    person = person_in(organization)
    other = ActorFactory(program=program)
    if case == "cohort_closed":
        Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.CLOSED)
    elif case == "enrolment_closed":
        Cohort.objects.filter(pk=cohort.pk).update(enrolment_open=False)
    elif case == "full":
        EnrolmentFactory(cohort=cohort)
    elif case == "already_enrolled":
        Cohort.objects.filter(pk=cohort.pk).update(capacity=None)
        EnrolmentFactory(cohort=cohort, person=person, organization=organization)
    elif case == "not_their_organization":
        organization = other
        person = person_in(other)
    elif case == "not_a_member":
        person = PersonFactory(program=program)
    elif case == "person_of_another_program":
        person = PersonFactory()
        Membership.objects.create(person=person, organization=organization)
    elif case == "organization_of_another_program":
        foreign = ActorFactory()
        representative_of(foreign, representative)
        organization = foreign
    elif case == "a_person_as_organization":
        organization = person_in(organization)
    cohort.refresh_from_db()
    before = _counts()
    with pytest.raises(ValidationError):
        services.enrolment_create(
            user=representative, cohort=cohort, person=person, organization=organization
        )
    assert _counts() == before


def test_a_coordinator_enrols_anyone_of_the_program_even_without_membership():
    program, coordinator, organization, _rep, cohort = _world()
    person = PersonFactory(program=program)
    enrolment = services.enrolment_create(
        user=coordinator, cohort=cohort, person=person, organization=organization
    )
    assert enrolment.person == person
    with pytest.raises(ValidationError):
        services.enrolment_create(
            user=coordinator, cohort=cohort, person=PersonFactory(), organization=organization
        )


def test_a_new_person_is_registered_as_member_and_enrolled():
    program, _coordinator, organization, representative, cohort = _world()
    enrolment = services.enrolment_create_new_person(
        user=representative,
        cohort=cohort,
        organization=organization,
        name="  Rosa   Quispe ",
        email="rosa@example.org",
    )
    person = enrolment.person
    assert (person.name, person.kind, person.program) == ("Rosa Quispe", ActorKind.PERSON, program)
    assert Membership.objects.current().filter(person=person, organization=organization).exists()


def test_a_new_person_is_not_created_when_the_enrolment_is_refused():
    _program, _coordinator, organization, representative, cohort = _world(capacity=1)
    EnrolmentFactory(cohort=cohort)
    existing = person_in(organization, name="José Pérez")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.enrolment_create_new_person(
            user=representative, cohort=cohort, organization=organization, name="Ana Soto"
        )
    assert "full" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.enrolment_create_new_person(
            user=representative, cohort=cohort, organization=organization, name="jose perez"
        )
    assert existing.name in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.enrolment_create_new_person(
            user=UserFactory(), cohort=cohort, organization=organization, name="Ana Soto"
        )
    assert _counts() == before


def test_withdrawal_frees_the_place_and_enrolling_again_reuses_the_row():
    _program, coordinator, organization, representative, cohort = _world(capacity=1)
    person = person_in(organization)
    enrolment = services.enrolment_create(
        user=representative, cohort=cohort, person=person, organization=organization
    )
    services.enrolment_withdraw(user=representative, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert AuditEntry.objects.filter(action="learning.enrolment_withdraw").count() == 1
    with pytest.raises(ValidationError):
        services.enrolment_withdraw(user=representative, enrolment=enrolment)

    again = services.enrolment_create(
        user=coordinator, cohort=cohort, person=person, organization=organization
    )
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.ENROLLED


def test_withdrawal_refused_to_strangers_and_after_closing():
    program, _coordinator, organization, representative, cohort = _world()
    enrolment = EnrolmentFactory(cohort=cohort, organization=organization)
    other_rep = representative_of(ActorFactory(program=program))
    with pytest.raises(ValidationError):
        services.enrolment_withdraw(user=other_rep, enrolment=enrolment)
    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.enrolment_withdraw(user=representative, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
