"""Body pages: who may open what (the permission matrix), what each role sees, the forms, and
the body page's query count with six months and five years of meetings."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Gender, Sector, SensitiveData
from tejido.actors.tests.factories import (
    ActorFactory,
    MembershipFactory,
    PersonFactory,
    RepresentativeFactory,
)
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import (
    AgreementStatus,
    Body,
    Mandate,
    MeetingStatus,
    PollStatus,
    Seat,
    SectorQuorum,
)
from tejido.governance.tests.factories import (
    AgreementFactory,
    AttendanceFactory,
    BodyFactory,
    MandateFactory,
    MeetingFactory,
    PollFactory,
    PollOptionFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "visitor",
    "representative",
    "directorate",
    "holder",
    "coordinator",
    "superuser",
)


def member(program, role):
    return ProgramRoleFactory(program=program, role=role).user


class World:
    """A program with a body of three seats, and one user per role."""

    def __init__(self, *, public_program=True, public_body=True):
        self.program = ProgramFactory(is_public=public_program)
        self.body = BodyFactory(program=self.program, is_public=public_body)
        self.organization = ActorFactory(program=self.program, name="Junta de Vecinos El Sol")
        self.holder_person = PersonFactory(program=self.program, name="Rosa Huenchumilla")
        self.holder = UserFactory()
        self.mandate = MandateFactory(
            seat=SeatFactory(body=self.body, label="Comunitario 1"),
            organization=self.organization,
            holder=self.holder_person,
            holder_user=self.holder,
        )
        self.public_seat = SeatFactory(body=self.body, sector=Sector.PUBLIC, label="Salud")
        representative = member(self.program, Role.ORGANIZATION_REPRESENTATIVE)
        RepresentativeFactory(user=representative, organization=self.organization)
        self.users = {
            "anonymous": None,
            "visitor": UserFactory(),
            "representative": representative,
            "directorate": member(self.program, Role.DIRECTORATE_MEMBER),
            "holder": self.holder,
            "coordinator": member(self.program, Role.COORDINATOR),
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        }

    def url(self, name, *args):
        return reverse(f"governance:{name}", args=[self.program.slug, *args])


def fetch(client, user, url, method="get", data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data or {})


def outcome(response) -> str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "login"
    return str(response.status_code)


MANAGE = {
    "anonymous": "login",
    "visitor": "403",
    "representative": "403",
    "directorate": "403",
    "holder": "403",
    "coordinator": "200",
    "superuser": "200",
}


def test_hub_and_public_body_are_open_to_everyone(client):
    world = World()
    for role in ROLES:
        for url in (world.url("hub"), world.url("body", world.body.pk)):
            assert outcome(fetch(client, world.users[role], url)) == "200", (role, url)


def test_body_of_members_only(client):
    world = World(public_body=False)
    expected = {
        "anonymous": "login",
        "visitor": "404",
        "representative": "200",
        "directorate": "200",
        # No role in the program, but a seat: they vote in this body, so they see it (the
        # `governance.view_body` rule), and the hub lists and links it for them.
        "holder": "200",
        "coordinator": "200",
        "superuser": "200",
    }
    url = world.url("body", world.body.pk)
    assert {role: outcome(fetch(client, world.users[role], url)) for role in ROLES} == expected
    # The hub links it for exactly those who may open it.
    for role in ROLES:
        linked = f'href="{url}"' in fetch(client, world.users[role], world.url("hub")).text
        assert linked == (expected[role] == "200"), role


def test_private_program(client):
    world = World(public_program=False)
    expected = {
        "anonymous": "login",
        "visitor": "404",
        "representative": "200",
        "directorate": "200",
        "holder": "404",
        "coordinator": "200",
        "superuser": "200",
    }
    for url in (world.url("hub"), world.url("body", world.body.pk)):
        assert {role: outcome(fetch(client, world.users[role], url)) for role in ROLES} == expected


def test_management_pages_are_for_coordinators(client):
    world = World()
    seat, mandate = world.mandate.seat, world.mandate
    body = world.body.pk
    pages = [
        world.url("body_create"),
        world.url("body_edit", body),
        world.url("body_seats", body),
        world.url("seat_edit", body, seat.pk),
        world.url("seat_remove", body, world.public_seat.pk),
        world.url("mandate_assign", body, seat.pk),
        world.url("mandate_end", body, mandate.pk),
        world.url("mandate_remove", body, mandate.pk),
    ]
    for url in pages:
        got = {role: outcome(fetch(client, world.users[role], url)) for role in ROLES}
        assert got == MANAGE, url
    # Posts are refused before anything is read from the form.
    posts = [world.url("seat_create", body), world.url("sector_quorums", body)]
    for url in posts:
        for role in ROLES:
            expected = MANAGE[role]
            response = fetch(client, world.users[role], url, "post", {"label": ""})
            got = outcome(response)
            if expected == "200":
                assert got == "422", (role, url)  # an empty form, refused at the field
            else:
                assert got == expected, (role, url)
    assert Seat.objects.filter(body=world.body).count() == 2


def test_management_of_a_body_of_another_program_is_not_found(client):
    world = World()
    other = BodyFactory()
    client.force_login(world.users["coordinator"])
    assert client.get(world.url("body_edit", other.pk)).status_code == 404
    assert client.get(world.url("body", other.pk)).status_code == 404


# -- what each role sees ----------------------------------------------------------------------


def test_people_names_only_for_members(client):
    world = World()
    url = world.url("body", world.body.pk)
    visitor_page = fetch(client, world.users["visitor"], url).text
    assert "Junta de Vecinos El Sol" in visitor_page
    assert "Rosa Huenchumilla" not in visitor_page
    assert "shown only to the members of the program" in visitor_page
    member_page = fetch(client, world.users["directorate"], url).text
    assert "Rosa Huenchumilla" in member_page


def test_gender_balance_for_coordinators_only_and_small_groups_suppressed(client):
    world = World()
    now = timezone.now()
    people = [world.holder_person]
    for _ in range(6):
        mandate = MandateFactory(seat=SeatFactory(body=world.body))
        people.append(mandate.holder)
    for index, holder in enumerate(people):
        gender = Gender.WOMAN if index < 5 else Gender.MAN
        SensitiveData.objects.create(person=holder, gender=gender, consent_given_at=now)
    url = world.url("body", world.body.pk)
    page = fetch(client, world.users["coordinator"], url).text
    assert "Gender balance" in page
    assert "5 of 7 holders" in page  # women
    assert "Other answers are in groups too small to show." in page  # 2 men suppressed
    assert "2 of 7 holders" not in page
    for role in ("directorate", "representative", "visitor", "holder"):
        assert "Gender balance" not in fetch(client, world.users[role], url).text


def test_body_page_content(client):
    world = World()
    body = world.body
    SectorQuorum.objects.create(body=body, sector=Sector.PUBLIC, minimum_present=1)
    MandateFactory(seat=world.public_seat, organization=ActorFactory(program=world.program))
    today = timezone.localdate()
    overdue = AgreementFactory(
        body=body, text="Pedir la poda de árboles", due_on=today - datetime.timedelta(days=3)
    )
    overdue.responsible.add(world.organization)
    AgreementFactory(body=body, text="Pintar la sede", due_on=today + datetime.timedelta(days=9))
    AgreementFactory(body=body, text="Acuerdo cumplido", status=AgreementStatus.DONE)
    MeetingFactory(body=body, title="Sesión de julio")
    past = MeetingFactory(
        body=body,
        title="Sesión de marzo",
        status=MeetingStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2),
    )
    AttendanceFactory(meeting=past, mandate=world.mandate, organization=world.organization)
    closed = PollFactory(
        body=body,
        question="¿Dónde hacemos la feria?",
        status=PollStatus.CLOSED,
        closed_at=timezone.now(),
        quorum_met=True,
        result={"count": {"winner": 1, "ballot_count": 7}, "passed": None},
    )
    PollOptionFactory(poll=closed, position=0, label="En la plaza")
    PollOptionFactory(poll=closed, position=1, label="En la sede")
    PollFactory(body=body, question="Borrador secreto", status=PollStatus.DRAFT)

    page = fetch(client, world.users["visitor"], world.url("body", body.pk)).text
    assert "More than half of the 2 filled voting seats, and at least 1 seat of the public" in page
    assert "Sesión de julio" in page and "Sesión de marzo" in page
    assert "Pedir la poda de árboles" in page and "Pintar la sede" in page
    assert "Acuerdo cumplido" not in page
    assert "Overdue" in page and "1 overdue" in page
    assert "Chosen: En la sede · 7 ballots" in page
    assert "Borrador secreto" not in page  # drafts only for coordinators
    assert "Schedule a meeting" not in page and "Seats and mandates" not in page
    coordinator_page = fetch(client, world.users["coordinator"], world.url("body", body.pk)).text
    assert "Borrador secreto" in coordinator_page
    assert "Seats and mandates" in coordinator_page


def test_past_meetings_are_paginated_with_an_htmx_partial(client):
    world = World()
    start = timezone.now() - datetime.timedelta(days=800)
    for month in range(25):
        when = start + datetime.timedelta(days=30 * month)
        MeetingFactory(
            body=world.body,
            title=f"Sesión {month:02d}",
            starts_at=when,
            ends_at=when + datetime.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
    url = world.url("body", world.body.pk)
    first = fetch(client, world.users["visitor"], url).text
    assert "Sesión 24" in first and "Sesión 04" not in first and "Page 1 of 2" in first
    second = client.get(url, {"page": 2, "section": "past"}, headers={"HX-Request": "true"})
    assert second.status_code == 200
    assert "Sesión 04" in second.text and "Sesión 24" not in second.text
    assert "<html" not in second.text  # the partial only


def _monthly_history(body, months, mandates):
    """One held meeting a month with attendance, an agreement and a closed poll each."""
    now = timezone.now()
    for month in range(months):
        when = now - datetime.timedelta(days=30 * (months - month))
        meeting = MeetingFactory(
            body=body,
            starts_at=when,
            ends_at=when + datetime.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for mandate in mandates:
            AttendanceFactory(meeting=meeting, mandate=mandate, organization=mandate.organization)
        agreement = AgreementFactory(
            body=body, meeting=meeting, due_on=when.date() + datetime.timedelta(days=60)
        )
        agreement.responsible.add(mandates[0].organization)
        poll = PollFactory(
            body=body,
            meeting=meeting,
            status=PollStatus.CLOSED,
            closed_at=when,
            result={"count": {"winner": 0, "ballot_count": 3}},
        )
        PollOptionFactory(poll=poll, position=0)
        PollOptionFactory(poll=poll, position=1)
    MeetingFactory(body=body)  # and one coming


@pytest.mark.parametrize("role", ["visitor", "coordinator"])
def test_body_page_query_count_is_fixed(client, django_assert_num_queries, role):
    """Six months or five years of monthly meetings: the same number of queries."""
    program = ProgramFactory()
    viewer = UserFactory()
    if role == "coordinator":
        ProgramRoleFactory(user=viewer, program=program, role=Role.COORDINATOR)
    counts = []
    for months in (6, 60):
        body = BodyFactory(program=program)
        mandates = [MandateFactory(seat=SeatFactory(body=body)) for _ in range(4)]
        for mandate in mandates:
            SensitiveData.objects.create(
                person=mandate.holder, gender=Gender.WOMAN, consent_given_at=timezone.now()
            )
        SectorQuorum.objects.create(body=body, sector=Sector.COMMUNITY, minimum_present=1)
        _monthly_history(body, months, mandates)
        url = reverse("governance:body", args=[program.slug, body.pk])
        client.force_login(viewer)
        client.get(url)  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_num_queries(counts[1]):
        client.get(url)
    # The figure the report gives: see test_body_page_query_count_value.
    assert counts[1] <= 20


def test_body_page_query_count_value(client, django_assert_num_queries):
    """The exact number for a coordinator (the reader with the most to see)."""
    program = ProgramFactory()
    viewer = member(program, Role.COORDINATOR)
    body = BodyFactory(program=program)
    mandates = [MandateFactory(seat=SeatFactory(body=body)) for _ in range(3)]
    _monthly_history(body, 12, mandates)
    url = reverse("governance:body", args=[program.slug, body.pk])
    client.force_login(viewer)
    client.get(url)
    # session, user, program, roles, body, seats, mandates, gender, sector quorums, upcoming,
    # past count, past page, agreement counts, agreements, responsible, polls, options
    with django_assert_num_queries(17):
        client.get(url)


# -- forms --------------------------------------------------------------------------------------


def test_create_a_body_then_its_seats_and_a_mandate(client):
    world = World()
    client.force_login(world.users["coordinator"])
    territory = TerritoryFactory(name="Bajos de Mena")
    world.program.territories.add(territory)
    response = client.post(
        world.url("body_create"),
        {
            "name": "Directorio Local de Bajos de Mena",
            "kind": "directorate",
            "territory": territory.pk,
            "is_public": "on",
            "quorum_share": "0.5",
            "quorum_strict": "on",
            "meeting_ties": "on",
            "meeting_tie_type": "collaboration",
            "meeting_tie_intensity": "2",
        },
    )
    body = Body.objects.get(name="Directorio Local de Bajos de Mena")
    assert response.status_code == 302 and response["Location"] == world.url("body_seats", body.pk)
    assert body.territory == territory and body.is_public

    response = client.post(
        world.url("seat_create", body.pk),
        {"label": "Salud", "sector": "public", "is_voting": "on"},
    )
    assert response.status_code == 302
    seat = Seat.objects.get(body=body, label="Salud")

    cesfam = ActorFactory(
        program=world.program, name="CESFAM Cordillera Sur", sector="public", territory=territory
    )
    director = PersonFactory(program=world.program, name="Elena Soto")
    MembershipFactory(person=director, organization=cesfam)
    assign = world.url("mandate_assign", body.pk, seat.pk)
    # Step 1: the territory's organizations are offered without a search.
    page = client.get(assign).text
    assert "CESFAM Cordillera Sur" in page and "Junta de Vecinos El Sol" not in page
    assert "Junta de Vecinos El Sol" in client.get(assign, {"q": "sol"}).text
    # The htmx search returns only the options.
    partial = client.get(
        assign, {"q": "cesfam", "section": "options"}, headers={"HX-Request": "true"}
    )
    assert "CESFAM Cordillera Sur" in partial.text and "<html" not in partial.text
    # Step 2: the organization's members are offered as holder.
    page = client.get(assign, {"organization": cesfam.pk}).text
    assert "Elena Soto" in page
    account = UserFactory(email="elena@example.org")
    response = client.post(
        assign,
        {
            "organization": cesfam.pk,
            "holder": director.pk,
            "holder_user": "ELENA@example.org",
            "starts_on": "2025-03-01",
            "ends_on": "2027-02-28",
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(seat=seat)
    assert mandate.holder == director and mandate.holder_user == account

    # Quorum by sector: at least the public seat.
    response = client.post(world.url("sector_quorums", body.pk), {"public": "1"})
    assert response.status_code == 302
    assert SectorQuorum.objects.get(body=body).minimum_present == 1


def test_form_errors_are_shown_at_the_field(client):
    world = World()
    client.force_login(world.users["coordinator"])
    seat = world.public_seat
    assign = world.url("mandate_assign", world.body.pk, seat.pk)
    person = PersonFactory(program=world.program)
    # A person as the organization: back to the first step, with the reason.
    response = client.post(assign, {"organization": person.pk, "starts_on": "2025-03-01"})
    assert response.status_code == 422
    assert (
        "Select a valid choice" in response.text
        and "Choose the organization first" in response.text
    )
    # An unknown account, a term that ends before it starts.
    response = client.post(
        assign,
        {
            "organization": world.organization.pk,
            "holder_user": "nadie@example.org",
            "starts_on": "2025-03-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 422
    text = response.text
    assert "No active account uses this e-mail address" in text
    assert "The term must end after it starts." in text
    assert not Mandate.objects.filter(seat=seat).exists()

    # The service's refusal (one seat per person per body) lands at the holder field.
    organization = ActorFactory(program=world.program, sector="public")
    MembershipFactory(person=world.holder_person, organization=organization)
    response = client.post(
        assign,
        {
            "organization": organization.pk,
            "holder": world.holder_person.pk,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    assert "a person holds one seat per body" in response.text
    assert 'id="id_holder_error"' in response.text

    # A duplicate seat label.
    response = client.post(
        world.url("seat_create", world.body.pk), {"label": "salud", "sector": "public"}
    )
    assert response.status_code == 422 and "already has a seat called" in response.text


def test_seat_remove_and_mandate_end_pages(client):
    world = World()
    client.force_login(world.users["coordinator"])
    body = world.body.pk
    # A seat with a mandate that has started cannot be removed: the page says why.
    response = client.post(world.url("seat_remove", body, world.mandate.seat_id))
    assert response.status_code == 422 and "stays in the body" in response.text
    assert Seat.objects.filter(pk=world.mandate.seat_id).exists()
    response = client.post(world.url("seat_remove", body, world.public_seat.pk))
    assert response.status_code == 302 and not Seat.objects.filter(pk=world.public_seat.pk).exists()

    today = timezone.localdate()
    response = client.post(
        world.url("mandate_end", body, world.mandate.pk), {"ends_on": today.isoformat()}
    )
    assert response.status_code == 302
    world.mandate.refresh_from_db()
    assert world.mandate.ends_on == today


def test_seats_page_shows_history(client):
    world = World()
    client.force_login(world.users["coordinator"])
    seat = world.mandate.seat
    Mandate.objects.filter(pk=world.mandate.pk).update(
        starts_on=datetime.date(2023, 1, 1), ends_on=datetime.date(2024, 12, 31)
    )
    MandateFactory(
        seat=seat,
        organization=ActorFactory(program=world.program, name="Club Deportivo Unión Mena"),
        starts_on=datetime.date(2025, 1, 1),
    )
    page = client.get(world.url("body_seats", world.body.pk)).text
    assert "History (2 terms)" in page
    assert "Club Deportivo Unión Mena" in page and "Junta de Vecinos El Sol" in page


def test_calendar_link_carries_the_secret_only_for_members_only_bodies(client):
    public = World()
    page = fetch(client, public.users["visitor"], public.url("body", public.body.pk)).text
    feed = reverse("governance:body_calendar", args=[public.program.slug, public.body.pk])
    assert f'href="{feed}"' in page and public.body.feed_token not in page

    private = World(public_body=False)
    url = private.url("body", private.body.pk)
    page = fetch(client, private.users["directorate"], url).text
    assert f"token={private.body.feed_token}" in page


def test_edit_a_body_a_seat_and_the_quorum_rules(client):
    world = World()
    client.force_login(world.users["coordinator"])
    body = world.body
    response = client.post(
        world.url("body_edit", body.pk),
        {
            "name": "Directorio Local Renovado",
            "kind": "directorate",
            "quorum_share": "0.667",
            "meeting_tie_type": "collaboration",
            "meeting_tie_intensity": "3",
        },
    )
    assert response.status_code == 302 and response["Location"] == world.url("body", body.pk)
    body.refresh_from_db()
    assert body.name == "Directorio Local Renovado" and not body.is_public
    assert not body.quorum_strict and not body.meeting_ties and body.meeting_tie_intensity == 3
    # A share out of range is refused at the field, nothing changes.
    response = client.post(
        world.url("body_edit", body.pk),
        {
            "name": "Otro nombre",
            "kind": "directorate",
            "quorum_share": "1.5",
            "meeting_tie_type": "collaboration",
            "meeting_tie_intensity": "3",
        },
    )
    assert response.status_code == 422 and 'id="id_quorum_share_error"' in response.text
    body.refresh_from_db()
    assert body.name == "Directorio Local Renovado"

    seat = world.public_seat
    response = client.post(
        world.url("seat_edit", body.pk, seat.pk), {"label": "CESFAM", "sector": "public"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.label == "CESFAM" and not seat.is_voting

    # Two public seats would be needed: there is one (and it no longer votes).
    response = client.post(world.url("sector_quorums", body.pk), {"community": "2"})
    assert response.status_code == 422
    assert not SectorQuorum.objects.filter(body=body).exists()


def test_delete_a_mandate_recorded_by_mistake(client):
    world = World()
    client.force_login(world.users["coordinator"])
    mistake = MandateFactory(seat=world.public_seat)
    response = client.post(world.url("mandate_remove", world.body.pk, mistake.pk))
    assert response.status_code == 302 and not Mandate.objects.filter(pk=mistake.pk).exists()
    # One with attendance stays, and the page says why.
    AttendanceFactory(
        meeting=MeetingFactory(body=world.body),
        mandate=world.mandate,
        organization=world.organization,
    )
    response = client.post(world.url("mandate_remove", world.body.pk, world.mandate.pk))
    assert response.status_code == 422 and "end it instead" in response.text
    assert Mandate.objects.filter(pk=world.mandate.pk).exists()
    # A mandate of another body is not found.
    other = MandateFactory()
    assert client.post(world.url("mandate_remove", world.body.pk, other.pk)).status_code == 404


def test_agreement_numbers_read_the_same_on_every_page(client):
    world = World()
    meeting = MeetingFactory(body=world.body, title="Sesión de abril")
    agreement = AgreementFactory(
        body=world.body, meeting=meeting, text="Pedir luminarias para la plaza"
    )
    agreement.responsible.add(world.organization)
    label = f"No. {agreement.number}<"
    coordinator = world.users["coordinator"]
    pages = {
        "body": fetch(client, coordinator, world.url("body", world.body.pk)).text,
        "meeting": fetch(client, coordinator, world.url("meeting", meeting.pk)).text,
        "organization": fetch(
            client,
            coordinator,
            reverse("network:actor", args=[world.program.slug, world.organization.pk]),
        ).text,
    }
    for name, page in pages.items():
        assert "Pedir luminarias" in page, name
        assert label in page, name
        assert f"#{agreement.number}<" not in page, name


def _past_meetings_section(page: str) -> str:
    return page[page.index('id="past-meetings"') :]


def test_past_meetings_count_seats_and_guests_apart(client):
    """A body of two seats with one seat and two guests present says "1 seat and 2 guests",
    never "3 present", which would read as more people than the body has seats."""
    world = World()
    when = timezone.now() - datetime.timedelta(days=20)
    held = MeetingFactory(
        body=world.body,
        title="Sesión con invitados",
        status=MeetingStatus.HELD,
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
    )
    AttendanceFactory(meeting=held, mandate=world.mandate, organization=world.organization)
    AttendanceFactory(meeting=held, organization=ActorFactory(program=world.program))
    AttendanceFactory(meeting=held, organization=ActorFactory(program=world.program))
    AttendanceFactory(
        meeting=held, organization=ActorFactory(program=world.program), status="absent"
    )
    section = _past_meetings_section(
        fetch(client, world.users["visitor"], world.url("body", world.body.pk)).text
    )
    assert "1 seat" in section and "and 2 guests" in section
    assert ">3<" not in section


def test_body_page_reads_dates_one_way_and_statuses_as_tags(client):
    """One date format on the whole page (the terms, the due dates, the past meetings), the
    agreement statuses as tags like "Overdue", and the meeting's title as each past row's
    heading (on a phone the row header becomes the card's heading)."""
    from django.utils.formats import date_format

    world = World()
    today = timezone.localdate()
    world.mandate.starts_on = datetime.date(2024, 11, 1)
    world.mandate.ends_on = today + datetime.timedelta(days=400)
    world.mandate.save()
    AgreementFactory(body=world.body, text="Pintar la sede", status=AgreementStatus.IN_PROGRESS)
    when = timezone.now() - datetime.timedelta(days=20)
    held = MeetingFactory(
        body=world.body,
        title="Sesión de marzo",
        status=MeetingStatus.HELD,
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
    )
    page = fetch(client, world.users["visitor"], world.url("body", world.body.pk)).text
    assert date_format(datetime.date(2024, 11, 1), "DATE_FORMAT") in page
    assert date_format(datetime.date(2024, 11, 1), "SHORT_DATE_FORMAT") not in page
    local_day = timezone.localtime(held.starts_at).date()
    assert date_format(local_day, "SHORT_DATE_FORMAT") not in page
    assert date_format(local_day, "DATE_FORMAT") in _past_meetings_section(page)
    assert '<span class="tag tag-current">In progress</span>' in page
    meeting_url = reverse("governance:meeting", args=[world.program.slug, held.pk])
    assert f'<th scope="row"><a href="{meeting_url}">Sesión de marzo</a>' in page
