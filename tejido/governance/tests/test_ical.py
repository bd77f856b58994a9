# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Meetings as iCalendar, read back with the icalendar library: the meeting's own file, the
invitation, the cancellation, and the body's feed with its secret address."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.governance.meetings import ical, services
from tejido.governance.meetings.services import AgendaEntry
from tejido.governance.tests.test_meetings import make_world, schedule

pytestmark = pytest.mark.django_db


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def test_meeting_file_round_trips():
    world = make_world()
    starts = timezone.make_aware(datetime.datetime(2031, 7, 1, 18, 30))
    meeting = services.meeting_schedule(
        user=world.coordinator,
        body=world.body,
        title="Sesión ordinaria",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=150),
        place="Sede vecinal, pasaje Los Aromos 123",
        online_url="https://meet.example.org/directorio",
        agenda=[
            AgendaEntry("Seguridad en la plaza Los Aromos", duration_minutes=45),
            AgendaEntry("Postulación a fondos municipales", duration_minutes=30),
        ],
    )
    content = ical.meeting_ics(
        meeting, agenda=list(meeting.agenda_items.all()), url="https://tejido.example/m/1/"
    )
    calendar = parse(content)
    assert calendar.method == "PUBLISH"
    (event,) = calendar.events
    assert str(event.uid) == str(meeting.uid)
    assert event.sequence == 0
    # Written in UTC; the same instants as stored.
    assert event.start == meeting.starts_at and event.end == meeting.ends_at
    assert event.start.utcoffset() == datetime.timedelta(0)
    assert b"DTSTART:" in content and b"Z\r\n" in content
    assert str(event.location) == "Sede vecinal, pasaje Los Aromos 123"
    assert str(event.url) == "https://tejido.example/m/1/"
    assert event.status == "CONFIRMED"
    description = str(event.description)
    assert "1. Seguridad en la plaza Los Aromos (45 min)" in description
    assert "2. Postulación a fondos municipales (30 min)" in description
    assert "Total: 1 h 15 min" in description
    assert "https://meet.example.org/directorio" in description
    assert world.body.name in str(event.summary)


def test_invitation_and_cancellation_share_uid_and_grow_the_sequence():
    world = make_world()
    meeting = schedule(world)
    agenda = list(meeting.agenda_items.all())
    request = parse(
        ical.invitation_ics(
            meeting, agenda=agenda, url="", method="REQUEST", attendee=("ana@example.org", "Ana")
        )
    )
    cancelled = services.meeting_cancel(user=world.coordinator, meeting=meeting)
    cancel = parse(
        ical.invitation_ics(
            cancelled, agenda=agenda, url="", method="CANCEL", attendee=("ana@example.org", "Ana")
        )
    )
    assert (request.method, cancel.method) == ("REQUEST", "CANCEL")
    first, second = request.events[0], cancel.events[0]
    assert str(first.uid) == str(second.uid) == str(meeting.uid)
    assert (first.sequence, second.sequence) == (0, 1)
    assert second.status == "CANCELLED"
    assert str(first.organizer).startswith("mailto:")
    assert [str(a) for a in first.attendees] == ["mailto:ana@example.org"]


def feed_url(world, token=None):
    url = reverse("governance:body_calendar", args=[world.program.slug, world.body.pk])
    return f"{url}?token={token}" if token is not None else url


def test_feed_lists_meetings_and_marks_cancelled_ones(client):
    world = make_world()
    kept = schedule(world, days=7, agenda=[AgendaEntry("Operativo de salud con el CESFAM")])
    dropped = services.meeting_cancel(user=world.coordinator, meeting=schedule(world, days=14))
    other = schedule(make_world())
    response = client.get(feed_url(world, world.body.feed_token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    events = {str(e.uid): e for e in calendar.events}
    assert set(events) == {str(kept.uid), str(dropped.uid)}
    assert str(other.uid) not in events
    assert events[str(kept.uid)].status == "CONFIRMED"
    assert events[str(dropped.uid)].status == "CANCELLED"
    assert events[str(dropped.uid)].sequence == 1
    assert "Operativo de salud con el CESFAM" in str(events[str(kept.uid)].description)
    assert str(events[str(kept.uid)].url).endswith(
        reverse("governance:meeting", args=[world.program.slug, kept.pk])
    )
    assert calendar.method == "PUBLISH" and world.body.name in str(calendar.calendar_name)


def test_feed_token_rules(client):
    public = make_world()
    private = make_world(is_public=False)
    for world in (public, private):
        schedule(world)
    assert client.get(feed_url(public)).status_code == 200
    assert client.get(feed_url(public, "wrong")).status_code == 404
    assert client.get(feed_url(private)).status_code == 404
    assert client.get(feed_url(private, "wrong")).status_code == 404
    assert client.get(feed_url(private, public.body.feed_token)).status_code == 404
    assert client.get(feed_url(private, private.body.feed_token)).status_code == 200
    member = UserFactory()
    ProgramRoleFactory(user=member, program=private.program, role=Role.DIRECTORATE_MEMBER)
    client.force_login(member)
    assert client.get(feed_url(private)).status_code == 200


def test_feed_of_a_private_program_opens_with_the_token_only(client):
    world = make_world()
    world.program.is_public = False
    world.program.save()
    schedule(world)
    assert client.get(feed_url(world)).status_code == 404
    assert client.get(feed_url(world, world.body.feed_token)).status_code == 200


def test_feed_queries_do_not_grow(client, django_assert_max_num_queries):
    world = make_world()
    for n in range(12):
        schedule(world, days=7 + 30 * n, agenda=[AgendaEntry(f"Punto {n}"), AgendaEntry("Varios")])
    with django_assert_max_num_queries(3):
        response = client.get(feed_url(world, world.body.feed_token))
    assert len(parse(response.content).events) == 12


def test_meeting_ics_download(client):
    world = make_world()
    meeting = schedule(world)
    response = client.get(reverse("governance:meeting_ics", args=[world.program.slug, meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    event = parse(response.content).events[0]
    assert str(event.uid) == str(meeting.uid)
    assert str(event.url).startswith("http://testserver/p/")


def test_duration_words():
    assert ical.duration_text(45) == "45 min"
    assert ical.duration_text(60) == "1 h"
    assert ical.duration_text(135) == "2 h 15 min"
