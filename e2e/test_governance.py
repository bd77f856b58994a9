"""A local directorate's meeting, in a real browser, through the pages only.

The coordinator schedules the meeting (the agreement still open from the last meeting is carried
into the agenda), two members check in from their phones and the coordinator completes the
attendance sheet, a secret poll is held and closed, the last meeting's minutes are approved at
this one, and the next meeting carries the agreement still open.

The pages are not translated yet while this is written: every text the test looks for is taken
from the code's own messages in Spanish, so the test keeps passing once they are.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from e2e.conftest import (
    Tracked,
    axe_violations,
    log_in,
    no_sideways_scroll,
    screenshot,
)
from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import Program, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.bodies.services import body_create, mandate_assign, seat_create
from tejido.governance.decisions import services as decisions
from tejido.governance.meetings import services as meetings
from tejido.governance.models import (
    AgendaItemKind,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotReceipt,
    BodyKind,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Poll,
    PollStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)

# (sector, seat, organization, holder): each holder has an account, miembro<n>@example.org
SEATS = [
    (Sector.COMMUNITY, "Juntas de vecinos", "Junta de Vecinos Villa Ñuble", "Rosa Huenchumilla"),
    (Sector.COMMUNITY, "Organizaciones deportivas", "Club Deportivo Estrella", "Luis Paredes"),
    (Sector.COMMUNITY, "Personas mayores", "Club de Adulto Mayor Renacer", "Elena Soto"),
    (Sector.PUBLIC, "Salud", "CESFAM Bajos de Mena", "Patricio Rojas"),
    (Sector.PRIVATE, "Comercio local", "Almacenes Unidos de Bajos de Mena", "Jorge Vidal"),
]
OPEN_AGREEMENT = "Pedir al municipio la reparación de las luminarias del pasaje Los Aromos"
DONE_AGREEMENT = "Enviar al CESFAM la lista de personas mayores sin control de salud"
QUESTION = "¿Postulamos la reparación de luminarias del pasaje Los Aromos al fondo concursable?"


def es(message: Any) -> str:
    """A message of the code as a Spanish-speaking user reads it."""
    with translation.override("es"):
        return str(message)


def es_text(text: str, context: str = "") -> str:
    with translation.override("es"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def shot(page: Any, name: str) -> None:
    screenshot(page, f"governance-{name}")


def local_slot(
    now: datetime.datetime | None = None,
) -> tuple[datetime.date, datetime.time, datetime.time]:
    """Today's meeting, already started (so members can check in and it can be held), on one
    calendar day whatever the hour, since the form takes one date and two times."""
    now = now or timezone.now()
    local = timezone.localtime(now).replace(second=0, microsecond=0)
    # Half an hour ago, counted in real time so the local time exists even on a DST change.
    starts = timezone.localtime(now - datetime.timedelta(minutes=30)).replace(
        second=0, microsecond=0
    )
    if starts.date() != local.date():
        starts = local
    ends = min(local + datetime.timedelta(hours=2), local.replace(hour=23, minute=59))
    return local.date(), starts.time(), ends.time()


@pytest.fixture
def directorate() -> dict[str, Any]:
    """A local directorate of five seats, each held for an organization by a member with an
    account, and its last meeting: held, minutes not written yet, one agreement still open and
    one done."""
    program = cast(Program, ProgramFactory(name="Barrios en Red", slug="barrios-en-red"))
    territory = cast(Territory, TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena"))
    program.territories.add(territory)
    coordinator = UserFactory(
        email="coordinacion@example.org", first_name="Carolina", last_name="Muñoz"
    )
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    body = body_create(
        user=coordinator,
        program=program,
        kind=BodyKind.DIRECTORATE,
        name="Directorio local Bajos de Mena",
        territory=territory,
    )
    today = timezone.localdate()
    mandates = []
    for index, (sector, label, organization, holder) in enumerate(SEATS):
        first_name, last_name = holder.split(maxsplit=1)
        user = UserFactory(
            email=f"miembro{index}@example.org", first_name=first_name, last_name=last_name
        )
        ProgramRoleFactory(user=user, program=program, role=Role.DIRECTORATE_MEMBER)
        mandates.append(
            mandate_assign(
                user=coordinator,
                seat=seat_create(user=coordinator, body=body, sector=sector, label=label),
                organization=cast(
                    Actor,
                    ActorFactory(
                        program=program, name=organization, sector=sector, territory=territory
                    ),
                ),
                holder=cast(
                    Actor, PersonFactory(program=program, name=holder, territory=territory)
                ),
                holder_user=user,
                starts_on=today - datetime.timedelta(days=300),
            )
        )
    last_month = timezone.localtime().replace(
        hour=19, minute=0, second=0, microsecond=0
    ) - datetime.timedelta(days=28)
    previous = meetings.meeting_schedule(
        user=coordinator,
        body=body,
        title="Sesión de diagnóstico",
        starts_at=last_month,
        ends_at=last_month + datetime.timedelta(hours=2),
        place="Sede de la Junta de Vecinos Villa Ñuble",
        agenda=[{"title": "Diagnóstico de las luminarias del barrio", "duration_minutes": 40}],
    )
    for mandate in mandates[:4]:
        meetings.attendance_record(user=coordinator, meeting=previous, mandate=mandate)
    meetings.meeting_hold(user=coordinator, meeting=previous)
    still_open = meetings.agreement_create(
        user=coordinator,
        body=body,
        meeting=previous,
        text=OPEN_AGREEMENT,
        responsible=[mandates[0].organization],
        due_on=today + datetime.timedelta(days=21),
    )
    done = meetings.agreement_create(
        user=coordinator,
        body=body,
        meeting=previous,
        text=DONE_AGREEMENT,
        responsible=[mandates[3].organization],
    )
    meetings.agreement_note_add(
        user=coordinator,
        agreement=done,
        text="La lista se entregó a la directora del CESFAM.",
        new_status=AgreementStatus.DONE,
    )
    return {
        "program": program,
        "body": body,
        "coordinator": coordinator,
        "mandates": mandates,
        "previous": previous,
        "open_agreement": still_open,
    }


def member_phone(browsers: Any, email: str) -> tuple[Tracked, Any]:
    tracked = browsers(phone=True)
    page = tracked.new_page()
    log_in(page, email)
    return tracked, page


def schedule_meeting(
    page: Any,
    body_url: str,
    *,
    title: str,
    day: datetime.date,
    starts: datetime.time,
    ends: datetime.time,
    agenda: list[tuple[str, str, int]],
) -> None:
    """From the body's page: the meeting form, filled and sent."""
    page.goto(body_url)
    page.locator("main a[href$='/meetings/new/']").first.click()
    form = page.locator("form.gm-meeting-form")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=day]").fill(day.isoformat())
    form.locator("input[name=starts_at]").fill(starts.strftime("%H:%M"))
    form.locator("input[name=ends_at]").fill(ends.strftime("%H:%M"))
    form.locator("input[name=place]").fill("Sede de la Junta de Vecinos Villa Ñuble")
    for row, (item, kind, minutes) in enumerate(agenda):
        form.locator(f"input[name='agenda-{row}-title']").fill(item)
        form.locator(f"select[name='agenda-{row}-kind']").select_option(kind)
        form.locator(f"input[name='agenda-{row}-duration_minutes']").fill(str(minutes))
    form.locator(".form-actions button[type=submit]").click()
    page.wait_for_url(re.compile(r"/governance/meetings/\d+/"))


def assert_carried_over(page: Any, agreement_text: str) -> None:
    """The agenda holds the open agreement once, marked as carried over; not the done one."""
    agenda = page.locator("#agenda ol.gm-agenda")
    follow_ups = agenda.locator("li.gm-kind-follow_up")
    expect(follow_ups).to_have_count(1)
    expect(follow_ups).to_contain_text(agreement_text)
    expect(follow_ups.locator(".gm-tag-carried")).to_have_count(1)
    expect(agenda).not_to_contain_text(DONE_AGREEMENT)


def test_a_directorate_meets_votes_in_secret_approves_minutes_and_carries_agreements(
    browsers, directorate
):
    program, body = directorate["program"], directorate["body"]
    mandates, previous = directorate["mandates"], directorate["previous"]
    slug = program.slug
    # reverse() also loads the URLconf in this process, which the live server's threads share:
    # the first page then does not wait for every app's views to import (seconds on a busy CI).
    hub_url = reverse("governance:hub", args=[slug])
    body_url = reverse("governance:body", args=[slug, body.pk])

    # 1. The coordinator schedules today's meeting from the body's page, with two items of
    # their own; the platform adds the approval of the last minutes and the open agreement.
    coordinator = browsers(phone=False).new_page()
    log_in(coordinator, directorate["coordinator"].email)
    coordinator.goto(hub_url)
    assert axe_violations(coordinator) == [], "hub"
    shot(coordinator, "1-hub")
    coordinator.locator(f"main a[href='{body_url}']").first.click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(body.name)
    assert axe_violations(coordinator) == [], "body page"
    shot(coordinator, "1-body")

    day, starts, ends = local_slot()
    schedule_meeting(
        coordinator,
        body_url,
        title="Sesión ordinaria",
        day=day,
        starts=starts,
        ends=ends,
        agenda=[
            ("Cuenta de la coordinación", AgendaItemKind.INFORMATION, 10),
            ("Postulación al fondo concursable", AgendaItemKind.DECISION, 20),
        ],
    )
    meeting = Meeting.objects.get(body=body, title="Sesión ordinaria")
    meeting_url = reverse("governance:meeting", args=[slug, meeting.pk])
    assert coordinator.url.endswith(meeting_url)
    agenda = coordinator.locator("#agenda ol.gm-agenda > li")
    expect(agenda).to_have_count(4)
    expect(agenda.nth(0)).to_have_class(re.compile(r"\bgm-kind-minutes\b"))
    expect(agenda.nth(0)).to_contain_text(previous.title)
    expect(agenda.nth(1)).to_have_class(re.compile(r"\bgm-kind-follow_up\b"))
    assert_carried_over(coordinator, OPEN_AGREEMENT)
    expect(agenda.nth(2)).to_contain_text("Cuenta de la coordinación")
    expect(agenda.nth(3)).to_contain_text("Postulación al fondo concursable")
    assert axe_violations(coordinator) == [], "meeting page"
    shot(coordinator, "1-meeting-scheduled")

    # 2. Two members check themselves in from their phones.
    phones: dict[int, tuple[Tracked, Any]] = {}
    for index in (0, 1):
        phones[index] = member_phone(browsers, f"miembro{index}@example.org")
        phone = phones[index][1]
        phone.goto(meeting_url)
        phone.locator("#check-in button[type=submit]").tap()
        expect(phone.locator("#check-in .gm-checked-in")).to_contain_text(
            mandates[index].organization.name
        )
        assert no_sideways_scroll(phone), "the meeting page must not scroll sideways on a phone"
    assert axe_violations(phones[0][1]) == [], "meeting page, checked in on a phone"
    shot(phones[0][1], "2-phone-checked-in")
    checked_in = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT)
    assert {(a.mandate_id, a.recorded_by.email) for a in checked_in} == {
        (mandates[0].pk, "miembro0@example.org"),
        (mandates[1].pk, "miembro1@example.org"),
    }

    # The coordinator completes the sheet: two of five is no quorum, a third present makes it.
    coordinator.goto(meeting_url)
    coordinator.locator("#attendance a[href$='/attendance/']").click()
    sheet = coordinator.locator("form.gm-sheet")
    for mandate in mandates[:2]:
        expect(sheet.locator(f"input[name=seat_{mandate.pk}][value=present]")).to_be_checked()
    expect(sheet.locator("#quorum")).to_have_class(re.compile(r"\bgm-quorum-missing\b"))
    sheet.locator(f"input[name=seat_{mandates[2].pk}][value=present]").check()
    expect(sheet.locator("#quorum")).to_have_class(re.compile(r"\bgm-quorum-met\b"))
    sheet.locator(f"input[name=seat_{mandates[3].pk}][value=excused]").check()
    sheet.locator(f"input[name=seat_{mandates[4].pk}][value=absent]").check()
    shot(coordinator, "2-attendance-sheet")
    sheet.locator(".form-actions button[type=submit]").click()
    coordinator.wait_for_url(re.compile(rf"{re.escape(meeting_url)}(#attendance)?$"))
    expect(coordinator.locator("#attendance .gm-quorum")).to_have_class(
        re.compile(r"\bgm-quorum-met\b")
    )
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("mandate_id", "status"))
    assert statuses == {
        mandates[0].pk: "present",
        mandates[1].pk: "present",
        mandates[2].pk: "present",
        mandates[3].pk: "excused",
        mandates[4].pk: "absent",
    }

    # 3. A secret poll on the decision item: created, opened, two votes, a second try refused.
    decision_item = coordinator.locator("#agenda li.gm-kind-decision")
    decision_item.locator("a.gm-new-poll").click()
    poll_form = coordinator.locator("form.poll-form")
    expect(poll_form.locator("input[name=question]")).to_have_value(
        "Postulación al fondo concursable"
    )
    poll_form.locator("input[name=question]").fill(QUESTION)
    poll_form.locator("input[name=method][value=majority]").check()
    poll_form.locator("input[name=secret]").check()
    expect(poll_form.locator("select[name=meeting]")).to_have_value(str(meeting.pk))
    poll_form.locator(".form-actions button[type=submit]").click()
    coordinator.wait_for_url(re.compile(r"/governance/polls/\d+/$"))
    poll = Poll.objects.get(body=body)
    assert (poll.secret, poll.meeting_id, poll.status) == (True, meeting.pk, PollStatus.DRAFT)
    assert poll.agenda_item is not None and poll.agenda_item.kind == AgendaItemKind.DECISION
    poll_url = reverse("governance:poll", args=[slug, poll.pk])
    coordinator.locator("form[action$='/open/'] button[type=submit]").click()
    expect(coordinator.locator(".poll-status-open")).to_be_visible()

    # The first member finds the vote waiting on the governance page, on the phone.
    phone_a = phones[0][1]
    phone_a.goto(hub_url)
    phone_a.locator(f"main a.button[href='{poll_url}']").tap()
    ballot = phone_a.locator("form.ballot-form")
    expect(ballot).to_be_visible()
    assert no_sideways_scroll(phone_a), "the ballot must not scroll sideways on a phone"
    assert axe_violations(phone_a) == [], "poll page, ballot form"
    shot(phone_a, "3-phone-ballot")
    # A second tab with the same ballot still open: the member will send it again later.
    stale = phones[0][0].new_page()
    stale.goto(poll_url)
    expect(stale.locator("form.ballot-form")).to_be_visible()

    ballot.locator("label[for=id_choice_0]").tap()  # yes
    ballot.locator("button[type=submit]").tap()
    expect(phone_a.locator("#ballot .vote-recorded")).to_be_visible()
    expect(phone_a.locator("form.ballot-form")).to_have_count(0)

    phone_b = phones[1][1]
    phone_b.goto(poll_url)
    phone_b.locator("form.ballot-form label[for=id_choice_2]").tap()  # abstain
    phone_b.locator("form.ballot-form button[type=submit]").tap()
    expect(phone_b.locator("#ballot .vote-recorded")).to_be_visible()

    stale.locator("form.ballot-form label[for=id_choice_1]").tap()  # no, the second time
    stale.locator("form.ballot-form button[type=submit]").tap()
    expect(stale.locator(".messages .message-error")).to_have_text(es(decisions.ALREADY_VOTED))
    expect(stale.locator("#ballot .vote-recorded")).to_be_visible()
    shot(stale, "3-phone-voted-twice")
    assert BallotReceipt.objects.filter(poll=poll).count() == 2
    assert list(Ballot.objects.filter(poll=poll).values_list("mandate_id", flat=True)) == [
        None,
        None,
    ]

    # The coordinator closes it: the count and how it was made, and who voted, never what.
    coordinator.goto(poll_url)
    coordinator.locator("form[action$='/close/'] button[type=submit]").click()
    result = coordinator.locator(".result-card")
    expect(result).to_be_visible()
    expect(result.locator(".result-headline")).to_have_class(re.compile(r"\bresult-yes\b"))
    totals = {
        row.locator("th").inner_text().split("\n")[0].strip(): row.locator("td.num").inner_text()
        for row in result.locator(".totals-table tbody tr").all()
    }
    yes, no, abstain = (
        es_text("Yes", "ballot"),
        es_text("No", "ballot"),
        es_text("Abstain", "ballot"),
    )
    assert totals == {yes: "1", no: "0", abstain: "1"}
    expect(result.locator("ol.explanation li").first).to_be_visible()
    assert result.locator("ol.explanation li").count() >= 2
    expect(coordinator.locator("#ballots-title")).to_have_count(0)
    expect(coordinator.locator(".ballots-table")).to_have_count(0)
    voters = coordinator.locator("#voters .voter-list li")
    expect(voters).to_have_count(2)
    choice_words = re.compile(rf"\b({re.escape(yes)}|{re.escape(no)}|{re.escape(abstain)})\b")
    for voter in voters.all():
        assert not choice_words.search(voter.inner_text()), voter.inner_text()
    assert axe_violations(coordinator) == [], "poll page, results"
    shot(coordinator, "3-poll-result")
    poll.refresh_from_db()
    assert (poll.status, poll.quorum_met) == (PollStatus.CLOSED, True)
    # A member reads the same result, with nothing more about the ballots.
    phone_b.goto(poll_url)
    expect(phone_b.locator(".result-card .result-headline")).to_have_class(
        re.compile(r"\bresult-yes\b")
    )
    expect(phone_b.locator(".ballots-table")).to_have_count(0)

    # 4. The first item: the last meeting's minutes, written and approved at this meeting.
    coordinator.goto(meeting_url)
    previous_url = reverse("governance:meeting", args=[slug, previous.pk])
    coordinator.locator("#agenda li.gm-kind-minutes a").click()
    coordinator.wait_for_url(re.compile(rf"{re.escape(previous_url)}(#minutes)?$"))
    coordinator.locator("#minutes a[href$='/minutes/']").click()
    coordinator.locator("textarea[name=text]").fill(
        "1. Diagnóstico de las luminarias del barrio\n\n"
        "Se revisaron los 14 puntos sin luz del pasaje Los Aromos y sus alrededores. "
        "Se acuerda pedir su reparación al municipio."
    )
    coordinator.locator("form.gm-main button[type=submit]").click()
    coordinator.wait_for_url(f"**{previous_url}#minutes")
    expect(coordinator.locator("#minutes .gm-minutes-text")).to_contain_text("14 puntos sin luz")
    approve = coordinator.locator("form.gm-approve")
    approve.locator("select[name=approved_in]").select_option(str(meeting.pk))
    approve.locator("button[type=submit]").click()
    expect(coordinator.locator(f"#minutes .gm-approval a[href='{meeting_url}']")).to_be_visible()
    shot(coordinator, "4-previous-minutes-approved")
    previous.refresh_from_db()
    assert (previous.minutes_status, previous.minutes_approved_in_id) == (
        MinutesStatus.APPROVED,
        meeting.pk,
    )
    pdf_href = coordinator.locator("a[href$='/minutes.pdf']").first.get_attribute("href")
    response = coordinator.request.get(pdf_href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    coordinator.goto(meeting_url)
    expect(coordinator.locator(f"#minutes a[href='{previous_url}']")).to_be_visible()
    # The meeting ends: held (attendance closes), with its own draft minutes.
    coordinator.locator("form[action$='/held/'] button[type=submit]").click()
    expect(coordinator.locator("form[action$='/held/']")).to_have_count(0)
    expect(coordinator.locator("#attendance a[href$='/attendance/']")).to_have_count(0)
    coordinator.locator("#minutes a[href$='/minutes/']").click()
    coordinator.locator("textarea[name=text]").fill(
        "Se aprobó el acta anterior. Se votó en secreto postular las luminarias al fondo."
    )
    coordinator.locator("form.gm-main button[type=submit]").click()
    coordinator.wait_for_url(f"**{meeting_url}#minutes")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_status) == (MeetingStatus.HELD, MinutesStatus.DRAFT)

    # 5. The next meeting: today's minutes to approve first, the agreement still open follows.
    schedule_meeting(
        coordinator,
        body_url,
        title="Sesión de seguimiento",
        day=timezone.localdate() + datetime.timedelta(days=28),
        starts=datetime.time(19, 0),
        ends=datetime.time(21, 0),
        agenda=[("Avance de la postulación", AgendaItemKind.INFORMATION, 15)],
    )
    agenda = coordinator.locator("#agenda ol.gm-agenda > li")
    expect(agenda).to_have_count(3)
    expect(agenda.nth(0)).to_have_class(re.compile(r"\bgm-kind-minutes\b"))
    expect(agenda.nth(0)).to_contain_text("Sesión ordinaria")
    assert_carried_over(coordinator, OPEN_AGREEMENT)
    shot(coordinator, "5-next-meeting")
    upcoming = Meeting.objects.get(body=body, title="Sesión de seguimiento")
    assert upcoming.agenda_items.get(carried_over=True).agreement == directorate["open_agreement"]
