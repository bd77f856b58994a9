# mypy: disable-error-code="arg-type,assignment,attr-defined,misc,union-attr"
"""Meeting pages: who may open and do what, forms and their errors, htmx partials, and query
counts that do not grow with the meeting."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.governance.meetings import services
from tejido.governance.meetings.services import AgendaEntry, SeatMark
from tejido.governance.models import (
    AgendaItem,
    Agreement,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from tejido.governance.tests.factories import MandateFactory, PollFactory, SeatFactory
from tejido.governance.tests.test_meetings import World, hold, make_world, schedule

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "visitor", "representative", "member", "holder", "coordinator", "superuser")


def user_for(role: str, world: World) -> Any:
    if role == "anonymous":
        return None
    if role == "visitor":
        return UserFactory()
    if role == "representative":
        user = UserFactory()
        ProgramRoleFactory(user=user, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE)
        RepresentativeFactory(user=user, organization=ActorFactory(program=world.program))
        return user
    if role == "member":
        user = UserFactory()
        ProgramRoleFactory(user=user, program=world.program, role=Role.DIRECTORATE_MEMBER)
        return user
    if role == "holder":
        user = world.mandates[0].holder_user
        ProgramRoleFactory(user=user, program=world.program, role=Role.DIRECTORATE_MEMBER)
        return user
    if role == "coordinator":
        return world.coordinator
    return UserFactory(is_superuser=True, is_staff=True)


def login(client, user) -> None:
    if user is not None:
        client.force_login(user)


def url(name: str, *args: Any) -> str:
    return reverse(f"governance:{name}", args=args)


# -- the permission matrix ---------------------------------------------------------------------

LOGIN = "login"  # anonymous visitors are sent to log in

# Pages of a public body of a public program: (url name, uses the body (not the meeting)),
# then the status for each role in ROLES order.
MATRIX = [
    ("meeting", False, (200, 200, 200, 200, 200, 200, 200)),
    ("meeting_ics", False, (200, 200, 200, 200, 200, 200, 200)),
    ("agreements", True, (200, 200, 200, 200, 200, 200, 200)),
    ("meeting_create", True, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("agreement_create", True, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("meeting_edit", False, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("meeting_agenda", False, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("meeting_attendance", False, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("meeting_minutes", False, (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("meeting_cancel", False, (LOGIN, 403, 403, 403, 403, 200, 200)),
]


@pytest.mark.parametrize(("name", "on_body", "expected"), MATRIX)
def test_permission_matrix_public_body(client, name, on_body, expected):
    world = make_world()
    meeting = schedule(world)
    for role, status in zip(ROLES, expected, strict=True):
        client.logout()
        login(client, user_for(role, world))
        target = url(name, world.program.slug, world.body.pk if on_body else meeting.pk)
        response = client.get(target)
        if status == LOGIN:
            assert response.status_code == 302 and "/login" in response["Location"], role
        else:
            assert response.status_code == status, (role, name)


@pytest.mark.parametrize(("name", "on_body"), [("meeting", False), ("agreements", True)])
def test_private_body_is_hidden_from_outsiders(client, name, on_body):
    world = make_world(is_public=False)
    meeting = schedule(world)
    target = url(name, world.program.slug, world.body.pk if on_body else meeting.pk)
    expected = (LOGIN, 404, 200, 200, 200, 200, 200)
    for role, status in zip(ROLES, expected, strict=True):
        client.logout()
        login(client, user_for(role, world))
        response = client.get(target)
        if status == LOGIN:
            assert response.status_code == 302, role
        else:
            assert response.status_code == status, role


def test_meeting_of_another_program_is_not_found(client):
    world = make_world()
    other = make_world()
    meeting = schedule(other)
    client.force_login(world.coordinator)
    assert client.get(url("meeting", world.program.slug, meeting.pk)).status_code == 404


# -- the meeting page --------------------------------------------------------------------------


def test_meeting_page_shows_agenda_attendance_and_links(client):
    world = make_world()
    meeting = schedule(
        world,
        days=0,
        agenda=[AgendaEntry("Seguridad en la plaza Los Aromos", duration_minutes=30)],
    )
    item = meeting.agenda_items.get()
    poll = PollFactory(body=world.body, meeting=meeting, agenda_item=item, question="¿Luminarias?")
    client.force_login(world.coordinator)
    response = client.get(url("meeting", world.program.slug, meeting.pk))
    html = response.content.decode()
    assert "Seguridad en la plaza Los Aromos" in html
    assert "Total: 30 min" in html
    assert url("meeting_ics", world.program.slug, meeting.pk) in html
    assert url("minutes_pdf", world.program.slug, meeting.pk) not in html  # nothing written yet
    assert url("poll", world.program.slug, poll.pk) in html
    create = url("poll_create", world.program.slug, world.body.pk)
    assert f"{create}?meeting={meeting.pk}&amp;agenda_item={item.pk}" in html
    assert "Send the invitations" in html
    assert html.count("<h1") == 1
    services.minutes_save(user=world.coordinator, meeting=meeting, text="Acta en borrador")
    html = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert url("minutes_pdf", world.program.slug, meeting.pk) in html


def test_people_names_only_for_those_who_may_see_people(client):
    world = make_world()
    meeting = schedule(world)
    hold_ready = [SeatMark(m.pk, "present") for m in world.mandates]
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(hours=2),
    )
    services.attendance_sheet_record(user=world.coordinator, meeting=meeting, seats=hold_ready)
    holder_name = world.mandates[0].holder.name
    organization = world.mandates[0].organization.name
    page = url("meeting", world.program.slug, meeting.pk)
    visitor = client.get(page).content.decode()
    assert organization in visitor and holder_name not in visitor
    client.force_login(user_for("member", world))
    assert holder_name in client.get(page).content.decode()


def test_draft_minutes_are_for_members_only(client):
    world = make_world()
    meeting = hold(world, schedule(world, days=-3))
    services.minutes_save(
        user=world.coordinator, meeting=meeting, text="Texto del acta en borrador"
    )
    page = url("meeting", world.program.slug, meeting.pk)
    assert "Texto del acta en borrador" not in client.get(page).content.decode()
    assert client.get(url("minutes_pdf", world.program.slug, meeting.pk)).status_code == 404
    client.force_login(user_for("member", world))
    assert "Texto del acta en borrador" in client.get(page).content.decode()
    assert client.get(url("minutes_pdf", world.program.slug, meeting.pk)).status_code == 200


def test_meeting_page_queries_do_not_grow(client):
    def build(size: int) -> tuple[World, Meeting]:
        world = make_world(sectors=(Sector.COMMUNITY,) * size)
        for mandate in world.mandates[::2]:
            mandate.alternate = ActorFactory(program=world.program, kind="person")
            mandate.save()
        meeting = schedule(
            world,
            days=-1,
            agenda=[AgendaEntry(f"Punto {n}") for n in range(size)],
        )
        items = list(meeting.agenda_items.all())
        for n in range(size):
            PollFactory(body=world.body, meeting=meeting, agenda_item=items[n])
            agreement = services.agreement_create(
                user=world.coordinator,
                body=world.body,
                text=f"Acuerdo {n}",
                meeting=meeting,
                responsible=[world.mandates[n].organization],
            )
            assert agreement.number == n + 1
        services.attendance_sheet_record(
            user=world.coordinator,
            meeting=meeting,
            seats=[
                SeatMark(m.pk, "present", as_alternate=bool(m.alternate)) for m in world.mandates
            ],
            guests=[ActorFactory(program=world.program) for _ in range(size // 5)],
        )
        return world, meeting

    counts = []
    for size in (5, 30):
        world, meeting = build(size)
        client.force_login(world.coordinator)
        page = url("meeting", world.program.slug, meeting.pk)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_register_queries_do_not_grow(client):
    counts = []
    for size in (3, 25):
        world = make_world()
        for n in range(size):
            agreement = services.agreement_create(
                user=world.coordinator,
                body=world.body,
                text=f"Acuerdo {n}",
                responsible=[m.organization for m in world.mandates[:2]],
                due_on=timezone.localdate() + datetime.timedelta(days=n),
            )
            services.agreement_note_add(user=world.coordinator, agreement=agreement, text="Avance")
        client.force_login(world.coordinator)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(url("agreements", world.program.slug, world.body.pk)).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# -- scheduling --------------------------------------------------------------------------------


def form_data(day: datetime.date, **extra: str) -> dict[str, str]:
    data = {
        "title": "Sesión ordinaria de abril",
        "day": day.isoformat(),
        "starts_at": "19:00",
        "ends_at": "21:00",
        "place": "Sede vecinal",
        "online_url": "",
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
        "agenda-0-title": "Operativo de salud con el CESFAM",
        "agenda-0-kind": "information",
        "agenda-0-duration_minutes": "20",
        "agenda-1-title": "",
        "agenda-1-kind": "discussion",
        "agenda-1-duration_minutes": "15",
    }
    data.update(extra)
    return data


def test_schedule_through_the_form(client):
    world = make_world()
    client.force_login(world.coordinator)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(url("meeting_create", world.program.slug, world.body.pk), form_data(day))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "meeting", world.program.slug, meeting.pk
    )
    assert timezone.localtime(meeting.starts_at).hour == 19
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Operativo de salud con el CESFAM"
    ]


def test_schedule_form_errors_at_the_field(client):
    world = make_world()
    client.force_login(world.coordinator)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        url("meeting_create", world.program.slug, world.body.pk),
        form_data(day, ends_at="18:00"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["The meeting must end after it starts."]
    assert not Meeting.objects.exists()


def test_more_rows_and_live_total(client):
    world = make_world()
    client.force_login(world.coordinator)
    day = timezone.localdate() + datetime.timedelta(days=10)
    target = url("meeting_create", world.program.slug, world.body.pk)
    response = client.post(target, form_data(day, more_rows="1"))
    assert response.status_code == 200 and len(response.context["agenda"].forms) == 5
    assert not Meeting.objects.exists()
    partial = client.post(
        f"{target}?total=1",
        form_data(day, **{"agenda-1-title": "Varios"}),
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert partial.content.decode().strip().startswith('<p id="agenda-total"')
    assert "35 min" in partial.content.decode()


def test_edit_sends_the_change(client, django_capture_on_commit_callbacks, mailoutbox):
    world = make_world()
    # Each member gets the change in their language (Spanish when they chose none).
    english = world.mandates[-1].holder_user
    english.preferred_language = "en"
    english.save(update_fields=["preferred_language"])
    meeting = schedule(world)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("meeting_invite", world.program.slug, meeting.pk))
    assert len(mailoutbox) == len(world.mandates)
    day = timezone.localtime(meeting.starts_at).date()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("meeting_edit", world.program.slug, meeting.pk),
            {
                "title": meeting.title,
                "day": day.isoformat(),
                "starts_at": "18:30",
                "ends_at": "20:30",
                "place": "Escuela",
                "online_url": "",
            },
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 2 * len(world.mandates)
    updates = {tuple(m.to): m.subject for m in mailoutbox[len(world.mandates) :]}
    assert updates.pop((english.email,)).startswith("Updated:")
    assert updates and all(subject.startswith("Actualizada:") for subject in updates.values())


def test_cancel_through_the_page(client):
    world = make_world()
    meeting = schedule(world)
    client.force_login(world.coordinator)
    response = client.post(url("meeting_cancel", world.program.slug, meeting.pk))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


# -- agenda editor -----------------------------------------------------------------------------


def test_agenda_editor_add_move_remove_without_javascript(client):
    world = make_world()
    meeting = schedule(world)
    client.force_login(world.coordinator)
    editor = url("meeting_agenda", world.program.slug, meeting.pk)
    for title in ("Uno", "Dos"):
        response = client.post(
            editor, {"title": title, "kind": "discussion", "duration_minutes": "10"}
        )
        assert response.status_code == 302
    one, two = meeting.agenda_items.order_by("position")
    page = client.get(editor)
    assert page.status_code == 200 and "Total: 20 min" in page.content.decode()
    response = client.post(
        url("agenda_reorder", world.program.slug, meeting.pk), {"order": f"{two.pk},{one.pk}"}
    )
    assert response.status_code == 302
    assert list(meeting.agenda_items.order_by("position").values_list("title", flat=True)) == [
        "Dos",
        "Uno",
    ]
    client.post(url("agenda_item_remove", world.program.slug, meeting.pk, one.pk))
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Dos"]


def test_agenda_editor_htmx_returns_the_list(client):
    world = make_world()
    meeting = schedule(world)
    a = services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Uno")
    b = services.agenda_item_add(user=world.coordinator, meeting=meeting, title="Dos")
    client.force_login(world.coordinator)
    response = client.post(
        url("agenda_reorder", world.program.slug, meeting.pk),
        {"order": f"{b.pk},{a.pk}"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith("<section")
    assert html.index("Dos") < html.index("Uno")


def test_agenda_item_form_errors(client):
    world = make_world()
    meeting = schedule(world)
    client.force_login(world.coordinator)
    response = client.post(
        url("meeting_agenda", world.program.slug, meeting.pk),
        {"title": "", "kind": "discussion", "duration_minutes": "0"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "duration_minutes"}
    assert not AgendaItem.objects.exists()


# -- attendance, check-in, holding -------------------------------------------------------------


def sheet_data(world: World, status: str = "present") -> dict[str, str]:
    return {f"seat_{m.pk}": status for m in world.mandates}


def test_attendance_sheet_saves_and_previews_the_quorum(client):
    world = make_world()
    meeting = schedule(world, days=0)
    client.force_login(world.coordinator)
    target = url("meeting_attendance", world.program.slug, meeting.pk)
    preview = client.post(
        target,
        {f"seat_{world.mandates[0].pk}": "present", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200 and "No quorum" in preview.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(target, sheet_data(world))
    assert response.status_code == 302
    assert Attendance.objects.filter(status=AttendanceStatus.PRESENT).count() == len(world.mandates)
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert "Quorum reached" in page


def test_attendance_sheet_form_error(client):
    world = make_world()
    meeting = schedule(world, days=0)
    client.force_login(world.coordinator)
    response = client.post(
        url("meeting_attendance", world.program.slug, meeting.pk),
        {f"seat_{world.mandates[0].pk}": "late"},
    )
    assert response.status_code == 200
    assert f"seat_{world.mandates[0].pk}" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_check_in_button(client):
    world = make_world()
    meeting = schedule(world, days=0)
    holder = user_for("holder", world)
    client.force_login(holder)
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert "I am here: check in" in page
    response = client.post(
        url("meeting_check_in", world.program.slug, meeting.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "You are checked in" in response.content.decode()
    row = Attendance.objects.get()
    assert row.mandate == world.mandates[0] and row.recorded_by == holder


def _attendance_row(html: str, organization: str) -> str:
    """The attendance table's row of one organization, as HTML."""
    start = html.index(f'<th scope="row">{organization}')
    return html[start : html.index("</tr>", start)]


def test_check_in_refreshes_the_attendance_table_at_once(client):
    world = make_world()
    meeting = schedule(world, days=0)
    client.force_login(user_for("holder", world))
    mine, other = (m.organization.name for m in world.mandates[:2])
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert "Not recorded" in _attendance_row(page, mine)
    response = client.post(
        url("meeting_check_in", world.program.slug, meeting.pk), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    # The check-in box, then the attendance card swapped out of band: the seat shows present.
    assert html.index('id="check-in"') < html.index('id="attendance"')
    assert 'id="attendance" aria-labelledby="attendance-heading" hx-swap-oob="true"' in html
    assert "Present" in _attendance_row(html, mine)
    assert "Not recorded" in _attendance_row(html, other)
    assert "1 present" in html


def test_held_meeting_says_why_attendance_is_closed_and_how_to_correct_it(client):
    world = make_world()
    meeting = hold(world, schedule(world, days=0, hours=0.5), present=world.mandates[1:])
    client.force_login(world.coordinator)
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert "To correct a mistake, say so in the minutes before they are approved." in page
    # The sheet's address does not show a form that can only be refused: it says why.
    response = client.get(url("meeting_attendance", world.program.slug, meeting.pk), follow=True)
    assert response.redirect_chain[-1][0].endswith("#attendance")
    assert "its attendance is closed" in response.content.decode()
    # The holder who did not check in is told too, rather than shown an empty box.
    client.force_login(user_for("holder", world))
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    check_in = page[
        page.index('id="check-in"') : page.index("</section>", page.index('id="check-in"'))
    ]
    assert "its attendance is closed" in check_in
    assert "To correct a mistake" not in page


@pytest.mark.parametrize("role", ["anonymous", "visitor", "member", "coordinator"])
def test_check_in_refused_without_a_seat(client, role):
    world = make_world()
    meeting = schedule(world, days=0)
    login(client, user_for(role, world))
    response = client.post(url("meeting_check_in", world.program.slug, meeting.pk))
    assert response.status_code in (302, 403) and not Attendance.objects.exists()
    if role == "anonymous":
        assert "/login" in response["Location"]
    else:
        assert response.status_code == 403


def test_check_in_outside_the_window_says_so(client):
    world = make_world()
    meeting = schedule(world, days=3)
    client.force_login(user_for("holder", world))
    response = client.post(url("meeting_check_in", world.program.slug, meeting.pk), follow=True)
    assert "Check-in opens an hour before" in response.content.decode()
    assert not Attendance.objects.exists()


def test_mark_held_through_the_page_reports_the_ties(client):
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE))
    meeting = schedule(world, days=-1)
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[SeatMark(m.pk, "present") for m in world.mandates],
    )
    client.force_login(world.coordinator)
    response = client.post(url("meeting_held", world.program.slug, meeting.pk), follow=True)
    assert "3 ties recorded among the 3 organizations present (3 new, 0 strengthened)" in (
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


# -- minutes -----------------------------------------------------------------------------------


def test_minutes_editor_saves_and_approval_form(client):
    world = make_world()
    first = hold(world, schedule(world, days=-40, agenda=[AgendaEntry("Plaza Los Aromos")]))
    client.force_login(world.coordinator)
    editor = url("meeting_minutes", world.program.slug, first.pk)
    page = client.get(editor)
    assert "1. Plaza Los Aromos" in page.context["form"].initial["text"]
    client.post(editor, {"text": "Acta de la sesión."})
    first.refresh_from_db()
    assert first.minutes_status == MinutesStatus.DRAFT
    second = schedule(world, days=-10)
    meeting_page = client.get(url("meeting", world.program.slug, first.pk))
    assert meeting_page.context["approval_candidates"] == [second]
    response = client.post(
        url("minutes_approve", world.program.slug, first.pk), {"approved_in": second.pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.minutes_status == MinutesStatus.APPROVED and first.minutes_approved_in == second
    # Approved minutes cannot be opened for editing.
    assert client.get(editor).status_code == 302


# -- agreements --------------------------------------------------------------------------------


def test_agreement_form_and_register_filters(client):
    world = make_world()
    meeting = schedule(world, days=-5)
    client.force_login(world.coordinator)
    junta = world.mandates[0].organization
    response = client.post(
        url("agreement_create", world.program.slug, world.body.pk) + f"?meeting={meeting.pk}",
        {
            "text": "Gestionar con el CESFAM un operativo de salud",
            "meeting": meeting.pk,
            "responsible": [junta.pk],
            "due_on": (services.meeting_day(meeting) - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "due_on" in response.context["form"].errors  # due before it was adopted
    response = client.post(
        url("agreement_create", world.program.slug, world.body.pk),
        {
            "text": "Gestionar con el CESFAM un operativo de salud",
            "meeting": meeting.pk,
            "responsible": [junta.pk],
            # Due the day after the meeting, four days ago: overdue now.
            "due_on": (services.meeting_day(meeting) + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    overdue = Agreement.objects.get()
    services.agreement_create(user=world.coordinator, body=world.body, text="Otro acuerdo")
    register = url("agreements", world.program.slug, world.body.pk)
    page = client.get(register).content.decode()
    assert "Overdue" in page and "Gestionar con el CESFAM" in page
    filtered = client.get(register, {"overdue": "on"})
    assert [a.pk for a in filtered.context["register"].agreements] == [overdue.pk]
    by_responsible = client.get(register, {"responsible": junta.pk})
    assert [a.pk for a in by_responsible.context["register"].agreements] == [overdue.pk]
    done = client.get(register, {"status": AgreementStatus.DONE})
    assert done.context["register"].agreements == []
    partial = client.get(register, {"status": "unresolved"}, headers={"HX-Request": "true"})
    assert partial.content.decode().strip().startswith('<section class="card" id="register"')


def test_agreement_page_and_notes(client):
    world = make_world()
    agreement = services.agreement_create(
        user=world.coordinator, body=world.body, text="Reponer luminarias"
    )
    page = url("agreement", world.program.slug, agreement.pk)
    assert client.get(page).status_code == 200  # public body: visitors read it
    client.force_login(user_for("holder", world))
    response = client.post(
        url("agreement_note", world.program.slug, agreement.pk),
        {"text": "Se envió el oficio al municipio", "new_status": "in_progress"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_PROGRESS
    response = client.post(url("agreement_note", world.program.slug, agreement.pk), {"text": ""})
    assert response.status_code == 400 and "text" in response.context["note_form"].errors
    client.force_login(UserFactory())
    response = client.post(
        url("agreement_note", world.program.slug, agreement.pk), {"text": "Intruso"}
    )
    assert response.status_code == 403
    assert agreement.notes.count() == 1


def test_invite_button_reports_the_unreachable(client, django_capture_on_commit_callbacks):
    world = make_world()
    MandateFactory(seat=SeatFactory(body=world.body), holder_user=None)
    meeting = schedule(world)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("meeting_invite", world.program.slug, meeting.pk), follow=True)
    html = response.content.decode()
    assert f"Invitations sent to {len(world.mandates)} people" in html
    assert "Without an e-mail address" in html
    page = client.get(url("meeting", world.program.slug, meeting.pk)).content.decode()
    assert "with the current agenda" in page
