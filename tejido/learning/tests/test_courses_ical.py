# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Calendar files: one cohort's sessions and the program's feed, read back with icalendar."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tejido.core.tests.factories import ProgramFactory
from tejido.learning.courses import services
from tejido.learning.models import Course, LearningSettings

from .factories import (
    CohortFactory,
    CourseFactory,
    ModuleFactory,
    SessionFactory,
    coordinator_of,
)

pytestmark = pytest.mark.django_db


def _events(content: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _session(cohort, days: int, **extra):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=2), **extra
    )


def test_cohort_ics_has_every_session_in_the_program_time_zone(client):
    program = ProgramFactory(is_public=True)
    cohort = CohortFactory(course=CourseFactory(program=program, title="Escuela de dirigentes"))
    module = ModuleFactory(course=cohort.course, title="Participación y asambleas")
    first = _session(cohort, 3, module=module, title="", place="Sede vecinal")
    second = _session(cohort, 10, title="Cierre", place="", online_url="https://meet.example.org/x")
    response = client.get(reverse("learning:cohort_ics", args=[program.slug, cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) == {
        f"learning-session-{first.pk}@tejido",
        f"learning-session-{second.pk}@tejido",
    }
    event = events[f"learning-session-{first.pk}@tejido"]
    assert str(event["SUMMARY"]) == "Participación y asambleas · Escuela de dirigentes"
    assert str(event["LOCATION"]) == "Sede vecinal"
    start = event.decoded("DTSTART")
    assert start == first.starts_at
    assert str(start.tzinfo) == settings.TIME_ZONE
    assert event["DTSTART"].params["TZID"] == settings.TIME_ZONE
    calendar = Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [settings.TIME_ZONE]
    assert str(events[f"learning-session-{second.pk}@tejido"]["LOCATION"]).startswith("https://")


def test_a_changed_session_keeps_its_uid_and_raises_its_sequence(client):
    program = ProgramFactory(is_public=True)
    cohort = CohortFactory(course=CourseFactory(program=program))
    session = _session(cohort, 3)
    url = reverse("learning:cohort_ics", args=[program.slug, cohort.pk])
    before = _events(client.get(url).content)[f"learning-session-{session.pk}@tejido"]
    later = timezone.now() + datetime.timedelta(minutes=5)
    type(session).objects.filter(pk=session.pk).update(updated_at=later, place="Otra sede")
    after = _events(client.get(url).content)[f"learning-session-{session.pk}@tejido"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert str(after["LOCATION"]) == "Otra sede"


def test_feed_by_token_only_published_courses_and_no_facilitator_names(client):
    program = ProgramFactory(is_public=False)
    published = CohortFactory(course=CourseFactory(program=program))
    hidden = CohortFactory(course=CourseFactory(program=program, is_published=False))
    shown = _session(published, 2, facilitator_name="Carolina Muñoz")
    _session(hidden, 2)
    _session(CohortFactory(), 2)  # another program
    token = services.learning_settings_for(program).calendar_token
    response = client.get(reverse("learning:calendar_feed", args=[program.slug, token]))
    assert response.status_code == 200
    events = _events(response.content)
    assert list(events) == [f"learning-session-{shown.pk}@tejido"]
    assert "Carolina" not in response.content.decode()


@pytest.mark.parametrize("token", ["wrong", ""])
def test_feed_with_a_wrong_token_is_not_found(client, token):
    program = ProgramFactory()
    real = services.learning_settings_for(program).calendar_token
    other = ProgramFactory()
    services.learning_settings_for(other)
    assert (
        client.get(reverse("learning:calendar_feed", args=[program.slug, real])).status_code == 200
    )
    if token:
        assert (
            client.get(reverse("learning:calendar_feed", args=[program.slug, token])).status_code
            == 404
        )
    # A token of another program does not open this one.
    other_token = LearningSettings.objects.get(program=other).calendar_token
    assert (
        client.get(reverse("learning:calendar_feed", args=[program.slug, other_token])).status_code
        == 404
    )


def test_calendar_page_shows_the_subscription_link(client):
    program = ProgramFactory(is_public=True)
    coordinator = coordinator_of(program)
    client.force_login(coordinator)
    cohort = CohortFactory(course=CourseFactory(program=program))
    _session(cohort, 1, title="Taller de apertura")
    Course.objects.update(is_published=True)
    page = client.get(reverse("learning:calendar", args=[program.slug])).content.decode()
    token = LearningSettings.objects.get(program=program).calendar_token
    assert f"webcal://testserver/p/{program.slug}/learning/calendar/{token}.ics" in page
    assert "Taller de apertura" in page
    assert zoneinfo.ZoneInfo(settings.TIME_ZONE)
