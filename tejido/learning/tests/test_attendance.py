"""Taking attendance and the attendance grid: the service's rules, the pages' permissions and
their fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Gender, SensitiveData
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.learning.attendance import selectors
from tejido.learning.attendance.services import attendance_record
from tejido.learning.models import Attendance, CohortStatus, EnrolmentStatus

from .attendance_helpers import big_cohort
from .factories import (
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db


def _rows(session):
    return dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))


# -- the completion rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attended", "held", "percent", "meets"),
    [
        (3, 4, 75, True),  # exactly the threshold
        (2, 4, 75, False),
        (8, 12, 67, False),  # 66.7 % < 67 %
        (9, 12, 75, True),
        (0, 0, 0, False),  # nothing held: nobody completes
        (0, 5, 0, True),
        (5, 5, 100, True),
        (4, 5, 100, False),
    ],
)
def test_completion_rule(attended, held, percent, meets):
    assert selectors.meets_rule(attended, held, percent) is meets


def test_sessions_needed_rounds_up():
    assert selectors.sessions_needed(12, 75) == 9
    assert selectors.sessions_needed(10, 75) == 8
    assert selectors.sessions_needed(0, 75) == 0


# -- recording ---------------------------------------------------------------------------------


def test_record_upserts_a_row_per_active_enrolment():
    cohort, enrolments, sessions = big_cohort(6, 2)
    coordinator = coordinator_of(cohort.program)
    enrolments[5].status = EnrolmentStatus.WITHDRAWN
    enrolments[5].save()
    session = sessions[0]
    recorded = attendance_record(
        user=coordinator, session=session, present={enrolments[0].pk, enrolments[1].pk}
    )
    assert recorded == 5
    rows = _rows(session)
    assert set(rows) == {e.pk for e in enrolments[:5]}  # the withdrawn person is left out
    assert sum(rows.values()) == 2
    # Saving again corrects, never duplicates.
    attendance_record(user=coordinator, session=session, present={enrolments[2].pk})
    rows = _rows(session)
    assert len(rows) == 5 and Attendance.objects.filter(session=session).count() == 5
    assert [pk for pk, present in rows.items() if present] == [enrolments[2].pk]
    assert AuditEntry.objects.filter(action="learning.attendance.record").count() == 2


def test_facilitator_records_and_stranger_cannot():
    cohort, enrolments, sessions = big_cohort(2, 1)
    facilitator = UserFactory()
    cohort.facilitators.add(facilitator)
    attendance_record(user=facilitator, session=sessions[0], present={enrolments[0].pk})
    with pytest.raises(PermissionDenied):
        attendance_record(user=UserFactory(), session=sessions[0], present=set())
    with pytest.raises(PermissionDenied):
        attendance_record(user=member_of(cohort.program), session=sessions[0], present=set())


def test_record_refuses_closed_cohort_future_session_and_foreign_ids():
    cohort, enrolments, sessions = big_cohort(3, 2, past=1)
    coordinator = coordinator_of(cohort.program)
    future = sessions[1]
    future.starts_at = timezone.now() + datetime.timedelta(days=3)
    future.ends_at = future.starts_at + datetime.timedelta(hours=2)
    future.save()
    with pytest.raises(ValidationError):
        attendance_record(user=coordinator, session=future, present=set())
    other = EnrolmentFactory(cohort=CohortFactory(course=cohort.course))
    with pytest.raises(ValidationError):
        attendance_record(user=coordinator, session=sessions[0], present={other.pk})
    withdrawn = enrolments[2]
    withdrawn.status = EnrolmentStatus.WITHDRAWN
    withdrawn.save()
    with pytest.raises(ValidationError):
        attendance_record(user=coordinator, session=sessions[0], present={withdrawn.pk})
    cohort.status = CohortStatus.CLOSED
    cohort.save()
    with pytest.raises(ValidationError):
        attendance_record(user=coordinator, session=sessions[0], present=set())
    assert Attendance.objects.count() == 0  # nothing changed by any refusal


def test_a_session_later_today_can_be_taken():
    cohort, enrolments, sessions = big_cohort(2, 1)
    session = sessions[0]
    session.starts_at = timezone.now() + datetime.timedelta(hours=5)
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save()
    attendance_record(
        user=coordinator_of(cohort.program), session=session, present={enrolments[0].pk}
    )
    facts = selectors.cohort_facts(cohort)
    assert facts.held == 1  # recorded, so it counts as held


# -- the grid ---------------------------------------------------------------------------------


def _grid_url(cohort):
    return reverse("learning:attendance", args=[cohort.program.slug, cohort.pk])


def test_grid_shows_rates_rule_and_totals(client):
    cohort, enrolments, sessions = big_cohort(4, 4)
    coordinator = coordinator_of(cohort.program)
    for session in sessions:
        attendance_record(
            user=coordinator,
            session=session,
            present={enrolments[0].pk, enrolments[1].pk}
            | ({enrolments[2].pk} if session == sessions[0] else set()),
        )
    grid = selectors.attendance_grid(cohort, coordinator)
    by_enrolment = {row.enrolment.pk: row for row in grid.rows}
    assert by_enrolment[enrolments[0].pk].rate == 100 and by_enrolment[enrolments[0].pk].meets
    assert by_enrolment[enrolments[2].pk].attended == 1
    assert not by_enrolment[enrolments[2].pk].meets
    assert [c.present for c in grid.columns] == [3, 2, 2, 2]
    assert grid.meeting == 2 and grid.needed == 3
    client.force_login(coordinator)
    response = client.get(_grid_url(cohort))
    assert response.status_code == 200
    assert enrolments[0].person.name in response.content.decode()


def test_grid_permissions(client):
    cohort, enrolments, _sessions = big_cohort(2, 1)
    url = _grid_url(cohort)
    assert client.get(url).status_code == 302  # anonymous: log in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403  # a public program's visitor sees it exists
    client.force_login(member_of(cohort.program))
    assert client.get(url).status_code == 403
    client.force_login(representative_of(enrolments[0].organization))
    assert client.get(url).status_code == 403
    facilitator = UserFactory()
    cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    assert client.get(url).status_code == 200
    client.force_login(coordinator_of(cohort.program))
    assert client.get(url).status_code == 200
    # Another program's cohort does not exist here.
    other = CohortFactory()
    assert (
        client.get(reverse("learning:attendance", args=[cohort.program.slug, other.pk])).status_code
        == 404
    )


def test_private_program_cohort_is_hidden_from_strangers(client):
    cohort, _e, _s = big_cohort(1, 1)
    cohort.program.is_public = False
    cohort.program.save()
    client.force_login(UserFactory())
    assert client.get(_grid_url(cohort)).status_code == 404


def test_names_only_for_those_who_may_see_people(client):
    cohort, enrolments, _sessions = big_cohort(2, 1)
    facilitator = UserFactory()  # not a member of the program
    cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    page = client.get(_grid_url(cohort)).content.decode()
    assert enrolments[0].person.name not in page
    assert enrolments[0].organization.name in page


def _grid_queries(client, people):
    cohort, enrolments, sessions = big_cohort(people, 12, organizations=20)
    coordinator = coordinator_of(cohort.program)
    for index, session in enumerate(sessions[:10]):
        attendance_record(
            user=coordinator,
            session=session,
            present={e.pk for i, e in enumerate(enrolments) if (i + index) % 5},
        )
    SensitiveData.objects.bulk_create(
        [
            SensitiveData(
                person_id=e.person_id, gender=Gender.values[i % 2], consent_given_at=timezone.now()
            )
            for i, e in enumerate(enrolments)
        ]
    )
    client.force_login(coordinator)
    url = _grid_url(cohort)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="att-cell') == people * 12
    return len(queries)


def test_grid_reads_in_a_fixed_number_of_queries(client):
    small = _grid_queries(client, 10)
    large = _grid_queries(client, 500)
    assert small == large
    assert large <= 12


def test_gender_aggregate_only_for_coordinators_with_small_groups_left_out(client):
    cohort, enrolments, sessions = big_cohort(9, 1)
    coordinator = coordinator_of(cohort.program)
    attendance_record(user=coordinator, session=sessions[0], present={e.pk for e in enrolments})
    now = timezone.now()
    genders = [Gender.WOMAN] * 6 + [Gender.MAN] * 2
    SensitiveData.objects.bulk_create(
        [
            SensitiveData(person_id=e.person_id, gender=g, consent_given_at=now)
            for e, g in zip(enrolments, genders, strict=False)
        ]
    )
    grid = selectors.attendance_grid(cohort, coordinator)
    assert grid.gender is not None
    assert [count for _label, count in grid.gender.groups] == [6]
    assert grid.gender.suppressed and grid.gender.unknown == 1
    facilitator = UserFactory()
    cohort.facilitators.add(facilitator)
    assert selectors.attendance_grid(cohort, facilitator).gender is None
    client.force_login(facilitator)
    with translation.override("en"):
        assert (
            "by gender"
            not in client.get(_grid_url(cohort), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )


# -- one session's page -------------------------------------------------------------------------


def _session_url(session):
    return reverse("learning:session_attendance", args=[session.cohort.program.slug, session.pk])


def test_session_page_saves_and_everyone_shortcut(client):
    cohort, enrolments, sessions = big_cohort(3, 1)
    client.force_login(coordinator_of(cohort.program))
    url = _session_url(sessions[0])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('name="present"') == 3
    response = client.post(url, {"present": [str(enrolments[1].pk)]})
    assert response.status_code == 302
    assert _rows(sessions[0]) == {
        enrolments[0].pk: False,
        enrolments[1].pk: True,
        enrolments[2].pk: False,
    }
    client.post(url, {"everyone": "on"})
    assert all(_rows(sessions[0]).values())


def test_session_page_refuses_foreign_ids_and_changes_nothing(client):
    cohort, _enrolments, sessions = big_cohort(2, 1)
    other = EnrolmentFactory()
    client.force_login(coordinator_of(cohort.program))
    response = client.post(_session_url(sessions[0]), {"present": [str(other.pk)]})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Attendance.objects.count() == 0
    response = client.post(_session_url(sessions[0]), {"present": ["abc"]})
    assert response.status_code == 200 and Attendance.objects.count() == 0


def test_session_page_permissions(client):
    cohort, enrolments, sessions = big_cohort(1, 1)
    url = _session_url(sessions[0])
    assert client.get(url).status_code == 302
    client.force_login(representative_of(enrolments[0].organization))
    assert client.get(url).status_code == 403
    assert client.post(url, {"everyone": "on"}).status_code == 403
    assert Attendance.objects.count() == 0
    other = SessionFactory()
    client.force_login(coordinator_of(cohort.program))
    assert (
        client.get(
            reverse("learning:session_attendance", args=[cohort.program.slug, other.pk])
        ).status_code
        == 404
    )


def test_two_facilitators_saving_at_once_leave_one_row_each():
    # The unique constraint is the last guard: a second upsert updates in place.
    cohort, enrolments, sessions = big_cohort(3, 1)
    first, second = UserFactory(), UserFactory()
    cohort.facilitators.add(first, second)
    attendance_record(user=first, session=sessions[0], present={enrolments[0].pk})
    attendance_record(user=second, session=sessions[0], present={enrolments[1].pk})
    assert Attendance.objects.filter(session=sessions[0]).count() == 3
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {second.pk}


def test_organization_actor_in_another_program_is_not_tied(client):
    # Guard for the helper: organizations are in the cohort's program.
    cohort, enrolments, _ = big_cohort(2, 1)
    assert ActorFactory().program_id != cohort.program_id
    assert {e.organization.program_id for e in enrolments} == {cohort.program_id}


def test_demo_records_past_sessions_and_closes_ended_cohorts():
    import random

    from tejido.dashboards.demo.learning.attendance import demo_attendance
    from tejido.learning.models import Certificate

    today = timezone.localdate()
    ended, _ended_enrolments, _ = big_cohort(
        20,
        4,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=3),
    )
    running, _running_enrolments, running_sessions = big_cohort(10, 4, past=2, course=ended.course)
    coordinator = coordinator_of(ended.program)
    demo_attendance([ended, running], coordinator=coordinator, today=today, rng=random.Random(1))
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == CohortStatus.CLOSED
    assert running.status != CohortStatus.CLOSED
    assert Attendance.objects.filter(session__cohort=ended).count() == 80
    assert Attendance.objects.filter(session__cohort=running).count() == 20
    assert not Attendance.objects.filter(session__in=running_sessions[2:]).exists()
    certificates = Certificate.objects.filter(enrolment__cohort=ended).count()
    assert 10 <= certificates <= 20  # most complete
