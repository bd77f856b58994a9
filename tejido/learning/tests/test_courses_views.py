# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Training pages: who sees and does what (anonymous, stranger, member, representative,
coordinator), what each sees of people, and the fixed number of queries of the listings."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.learning.models import (
    Cohort,
    CohortStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    Module,
    Session,
)

from .factories import (
    AttendanceFactory,
    CertificateFactory,
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    ExperienceFactory,
    LibraryItemFactory,
    ModuleFactory,
    SessionFactory,
    coordinator_of,
    member_of,
    person_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _url(name: str, *args: object) -> str:
    return reverse(f"learning:{name}", args=args)


def _client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world():
    program = ProgramFactory(is_public=True)
    organization = ActorFactory(program=program, name="Junta de Vecinos Villa Esperanza")
    course = CourseFactory(program=program, title="Escuela de dirigentes")
    cohort = CohortFactory(course=course, capacity=10)
    session = SessionFactory(cohort=cohort, starts_at=timezone.now() + datetime.timedelta(days=2))
    person = person_in(organization, name="Rosa Quispe")
    enrolment = EnrolmentFactory(cohort=cohort, person=person, organization=organization)
    return {
        "program": program,
        "organization": organization,
        "course": course,
        "cohort": cohort,
        "session": session,
        "person": person,
        "enrolment": enrolment,
        "coordinator": coordinator_of(program),
        "representative": representative_of(organization),
        "member": member_of(program),
        "stranger": UserFactory(),
    }


ROLES = ["anonymous", "stranger", "member", "representative", "coordinator"]


def _user(world, role):
    return None if role == "anonymous" else world[role]


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_public_program_pages_are_readable_by_all(client, world, role):
    slug = world["program"].slug
    _client_for(client, _user(world, role))
    for url in (
        _url("hub", slug),
        _url("courses", slug),
        _url("course", slug, world["course"].pk),
        _url("cohort", slug, world["cohort"].pk),
        _url("calendar", slug),
        _url("cohort_ics", slug, world["cohort"].pk),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("stranger", 404),
        ("member", 200),
        ("representative", 200),
        ("coordinator", 200),
    ],
)
def test_private_program_pages_only_for_members(client, world, role, status):
    program = world["program"]
    program.is_public = False
    program.save()
    _client_for(client, _user(world, role))
    for url in (
        _url("hub", program.slug),
        _url("cohort", program.slug, world["cohort"].pk),
        _url("cohort_ics", program.slug, world["cohort"].pk),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 404), ("coordinator", 200)]
)
def test_unpublished_course_only_for_coordinators(client, world, role, status):
    course = world["course"]
    Course.objects.filter(pk=course.pk).update(is_published=False)
    _client_for(client, _user(world, role))
    slug = world["program"].slug
    assert client.get(_url("course", slug, course.pk)).status_code == status
    assert client.get(_url("cohort", slug, world["cohort"].pk)).status_code == status
    listing = client.get(_url("courses", slug)).content.decode()
    assert (course.title in listing) is (role == "coordinator")


def test_people_names_only_for_members_visitors_see_counts(client, world):
    url = _url("cohort", world["program"].slug, world["cohort"].pk)
    page = client.get(url).content.decode()
    assert "Rosa Quispe" not in page
    assert world["organization"].name in page
    client.force_login(world["member"])
    assert "Rosa Quispe" in client.get(url).content.decode()


def test_representative_sees_their_people_with_withdraw(client, world):
    client.force_login(world["representative"])
    page = client.get(_url("cohort", world["program"].slug, world["cohort"].pk)).content.decode()
    assert 'id="your-people"' in page
    assert _url("enrolment_withdraw", world["program"].slug, world["enrolment"].pk) in page
    assert _url("enrol", world["program"].slug, world["cohort"].pk) in page


# -- managing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("member", 403),
        ("representative", 403),
        ("coordinator", 200),
    ],
)
def test_management_pages_only_for_coordinators(client, world, role, status):
    slug = world["program"].slug
    _client_for(client, _user(world, role))
    for url in (
        _url("course_create", slug),
        _url("course_edit", slug, world["course"].pk),
        _url("competencies", slug),
        _url("cohort_create", slug, world["course"].pk),
        _url("cohort_edit", slug, world["cohort"].pk),
        _url("session_add", slug, world["cohort"].pk),
        _url("session_edit", slug, world["session"].pk),
    ):
        assert client.get(url).status_code == status, url


def test_coordinator_creates_a_course_with_modules_and_a_cohort(client, world):
    program = world["program"]
    client.force_login(world["coordinator"])
    response = client.post(
        _url("course_create", program.slug),
        {
            "title": "Gestión de proyectos",
            "learning_goals": "Formular\nPresupuestar",
            "new_competencies": "Formulación de proyectos",
            "hours": "20",
            "min_attendance_percent": "70",
            "is_published": "on",
        },
    )
    course = Course.objects.get(title="Gestión de proyectos")
    assert response.status_code == 302
    assert response["Location"].endswith(_url("course", program.slug, course.pk) + "#modules")
    assert [c.name for c in course.competencies.all()] == ["Formulación de proyectos"]

    client.post(_url("module_add", program.slug, course.pk), {"title": "Uno", "hours": "4"})
    client.post(_url("module_add", program.slug, course.pk), {"title": "Dos", "hours": "4"})
    second = Module.objects.get(course=course, title="Dos")
    client.post(_url("module_move", program.slug, second.pk), {"to": "up"})
    assert list(course.modules.order_by("position").values_list("title", flat=True)) == [
        "Dos",
        "Uno",
    ]
    # A move without a direction moves nothing (it used to mean "down").
    stray = client.post(_url("module_move", program.slug, second.pk), follow=True)
    assert "nothing was changed" in stray.text
    assert list(course.modules.order_by("position").values_list("title", flat=True)) == [
        "Dos",
        "Uno",
    ]
    bad = client.post(_url("module_add", program.slug, course.pk), {"title": "", "hours": "x"})
    assert bad.status_code == 400
    assert course.modules.count() == 2

    response = client.post(
        _url("cohort_create", program.slug, course.pk),
        {
            "name": "Cohorte primavera",
            "starts_on": "2026-09-01",
            "ends_on": "2026-08-01",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    assert not Cohort.objects.filter(course=course).exists()
    response = client.post(
        _url("cohort_create", program.slug, course.pk),
        {
            "name": "Cohorte primavera",
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-01",
            "status": "planned",
            "enrolment_open": "on",
            "capacity": "25",
        },
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(course=course)
    assert (cohort.capacity, cohort.enrolment_open, cohort.program) == (25, True, program)


def test_session_form_refuses_end_before_start_and_remove_refuses_attendance(client, world):
    slug = world["program"].slug
    cohort = world["cohort"]
    client.force_login(world["coordinator"])
    response = client.post(
        _url("session_add", slug, cohort.pk),
        {"title": "Taller", "starts_at": "2026-10-01T18:00", "ends_at": "2026-10-01T17:00"},
    )
    assert response.status_code == 400
    assert Session.objects.filter(cohort=cohort).count() == 1

    AttendanceFactory(session=world["session"], enrolment=world["enrolment"])
    response = client.post(_url("session_remove", slug, world["session"].pk), follow=True)
    assert Session.objects.filter(pk=world["session"].pk).exists()
    assert "Attendance was already taken" in response.content.decode()


# -- enrolment --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("member", 403),
        ("representative", 200),
        ("coordinator", 200),
    ],
)
def test_enrol_page_permissions(client, world, role, status):
    _client_for(client, _user(world, role))
    url = _url("enrol", world["program"].slug, world["cohort"].pk)
    assert client.get(url).status_code == status


def test_representative_enrols_a_member_and_a_new_person(client, world):
    slug = world["program"].slug
    cohort, organization = world["cohort"], world["organization"]
    member = person_in(organization, name="Luis Araya")
    client.force_login(world["representative"])
    url = _url("enrol", slug, cohort.pk)
    page = client.get(url).content.decode()
    assert "Luis Araya" in page
    response = client.post(url, {"organization": organization.pk, "person": member.pk})
    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=cohort, person=member).exists()

    response = client.post(
        url, {"organization": organization.pk, "new_name": "Marta Puig", "then": "another"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?organization={organization.pk}")
    assert Enrolment.objects.filter(cohort=cohort, person__name="Marta Puig").exists()

    before = Enrolment.objects.count()
    response = client.post(url, {"organization": organization.pk})
    assert response.status_code == 400
    other = ActorFactory(program=world["program"])
    response = client.post(url, {"organization": other.pk, "new_name": "Ana Soto"})
    assert response.status_code == 400
    assert Enrolment.objects.count() == before


def test_enrol_on_a_full_cohort_is_refused_with_a_message(client, world):
    cohort = world["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
    client.force_login(world["representative"])
    response = client.post(
        _url("enrol", world["program"].slug, cohort.pk),
        {"organization": world["organization"].pk, "new_name": "Ana Soto"},
    )
    assert response.status_code == 400
    assert "full" in response.content.decode()
    assert not Enrolment.objects.filter(person__name="Ana Soto").exists()


@pytest.mark.parametrize(
    ("role", "withdrawn"),
    [("stranger", False), ("member", False), ("representative", True), ("coordinator", True)],
)
def test_withdraw_permissions(client, world, role, withdrawn):
    _client_for(client, _user(world, role))
    enrolment = world["enrolment"]
    client.post(_url("enrolment_withdraw", world["program"].slug, enrolment.pk))
    enrolment.refresh_from_db()
    assert (enrolment.status == EnrolmentStatus.WITHDRAWN) is withdrawn


def test_closed_cohort_has_no_enrol_page(client, world):
    Cohort.objects.filter(pk=world["cohort"].pk).update(status=CohortStatus.CLOSED)
    client.force_login(world["representative"])
    response = client.get(_url("enrol", world["program"].slug, world["cohort"].pk))
    assert response.status_code == 302


# -- query counts -----------------------------------------------------------------------------


def _grow(world, times: int) -> None:
    program = world["program"]
    for n in range(times):
        organization = ActorFactory(program=program)
        course = CourseFactory(program=program)
        ModuleFactory(course=course)
        cohort = CohortFactory(course=course, status=CohortStatus.RUNNING)
        SessionFactory(cohort=cohort, starts_at=timezone.now() + datetime.timedelta(days=n + 1))
        enrolment = EnrolmentFactory(
            cohort=cohort, organization=organization, status=EnrolmentStatus.COMPLETED
        )
        EnrolmentFactory(cohort=world["cohort"], organization=world["organization"])
        CertificateFactory(enrolment=enrolment)
        ExperienceFactory(program=program, organization=organization)
        LibraryItemFactory(program=program)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["anonymous", "representative", "coordinator"])
def test_pages_read_in_a_fixed_number_of_queries(client, world, role):
    _client_for(client, _user(world, role))
    slug = world["program"].slug
    urls = [
        _url("hub", slug),
        _url("courses", slug),
        _url("course", slug, world["course"].pk),
        _url("cohort", slug, world["cohort"].pk),
        _url("calendar", slug),
    ]
    _grow(world, 1)
    for url in urls:  # warm up: the first visit of the calendar creates the program's settings
        client.get(url)
    small = [_queries(client, url) for url in urls]
    _grow(world, 6)
    large = [_queries(client, url) for url in urls]
    assert large == small
    assert small[0] <= 20
