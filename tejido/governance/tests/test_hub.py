"""The governance hub: the program's bodies with their figures, the reader's seats and the open
polls waiting for their vote, links to the other parts of the cycle, a fixed query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.core.http import optional_url, url_maker
from tejido.core.tests.factories import ProgramFactory
from tejido.governance.bodies.selectors import hub
from tejido.governance.models import AgreementStatus, BallotReceipt, MeetingStatus, PollStatus
from tejido.governance.tests.factories import (
    AgreementFactory,
    BodyFactory,
    MandateFactory,
    MeetingFactory,
    PollFactory,
    PollOptionFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


def hub_url(program):
    return reverse("governance:hub", args=[program.slug])


def test_bodies_with_their_figures(client, program):
    today = timezone.localdate()
    body = BodyFactory(program=program, name="Directorio Local de La Ligua")
    MandateFactory(seat=SeatFactory(body=body))
    MandateFactory(seat=SeatFactory(body=body))
    SeatFactory(body=body)  # vacant
    MandateFactory(seat=SeatFactory(body=body), ends_on=today - datetime.timedelta(days=1))
    AgreementFactory(body=body, due_on=today - datetime.timedelta(days=2))
    AgreementFactory(body=body, due_on=today + datetime.timedelta(days=2))
    AgreementFactory(body=body, status=AgreementStatus.DONE, due_on=today - datetime.timedelta(1))
    soon = MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=3))
    MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=40))
    MeetingFactory(
        body=body,
        status=MeetingStatus.CANCELLED,
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    empty = BodyFactory(program=program, name="Mesa Barrial")
    BodyFactory(name="De otro programa")

    data = hub(program, UserFactory(), today)
    rows = {row.body.name: row for row in data.bodies}
    assert set(rows) == {"Directorio Local de La Ligua", "Mesa Barrial"}
    row = rows[body.name]
    assert (row.seats_total, row.seats_filled) == (4, 2)
    assert (row.open_agreements, row.overdue_agreements) == (2, 1)
    assert row.next_meeting_id == soon.pk
    assert rows[empty.name].seats_total == 0 and rows[empty.name].next_meeting_id is None

    page = client.get(hub_url(program)).text
    assert "2 of 4 filled" in page and "1 overdue" in page and "Mesa Barrial" in page
    assert "De otro programa" not in page


def test_your_seats_and_open_polls_waiting_for_your_vote(client, program):
    body = BodyFactory(program=program, name="Directorio Local de San Bernardo")
    holder, alternate = UserFactory(), UserFactory()
    mine = MandateFactory(seat=SeatFactory(body=body), holder_user=holder, alternate_user=alternate)
    other = MandateFactory(seat=SeatFactory(body=body))
    elsewhere = BodyFactory(program=program)

    waiting = PollFactory(body=body, question="¿Aprobamos el plan?", status=PollStatus.OPEN)
    voted = PollFactory(body=body, question="¿Ya votada?", status=PollStatus.OPEN)
    BallotReceipt.objects.create(poll=voted, mandate=mine)
    others_vote = PollFactory(body=body, question="¿Votó otro?", status=PollStatus.OPEN)
    BallotReceipt.objects.create(poll=others_vote, mandate=other)
    PollFactory(body=body, question="¿Borrador?", status=PollStatus.DRAFT)
    PollFactory(body=body, question="¿Cerrada?", status=PollStatus.CLOSED, closed_at=timezone.now())
    overdue = PollFactory(
        body=body,
        question="¿Vencida?",
        status=PollStatus.OPEN,
        closes_at=timezone.now() - datetime.timedelta(hours=1),
    )
    # An open poll has its options (the hub closes this one, counting them).
    PollOptionFactory(poll=overdue, position=0)
    PollOptionFactory(poll=overdue, position=1)
    PollFactory(body=elsewhere, question="¿De otra mesa?", status=PollStatus.OPEN)

    today = timezone.localdate()
    for user in (holder, alternate):
        data = hub(program, user, today)
        assert [m.pk for m in data.my_mandates] == [mine.pk]
        assert {p.question for p in data.polls_waiting} == {waiting.question, others_vote.question}

    client.force_login(alternate)
    page = client.get(hub_url(program)).text
    assert "Your seats" in page and "Alternate" in page and "¿Aprobamos el plan?" in page
    assert "¿Ya votada?" not in page and "¿De otra mesa?" not in page

    # Once the seat has voted (by holder or alternate), the poll no longer waits for either.
    BallotReceipt.objects.create(poll=waiting, mandate=mine)
    assert [p.question for p in hub(program, holder, today).polls_waiting] == ["¿Votó otro?"]

    # Someone without a seat, or an ended mandate, has nothing waiting.
    assert hub(program, UserFactory(), today).polls_waiting == []
    mine.ends_on = today - datetime.timedelta(days=1)
    mine.save()
    data = hub(program, holder, today)
    assert data.my_mandates == [] and data.polls_waiting == []


def test_hub_query_count_is_fixed(client, program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.DIRECTORATE_MEMBER)
    client.force_login(user)

    def grow(n):
        for _ in range(n):
            body = BodyFactory(program=program)
            mandate = MandateFactory(seat=SeatFactory(body=body), holder_user=user)
            for _ in range(3):
                MandateFactory(seat=SeatFactory(body=body))
                AgreementFactory(body=body, due_on=timezone.localdate())
                MeetingFactory(body=body)
            PollFactory(body=body, status=PollStatus.OPEN)
            BallotReceipt.objects.create(
                poll=PollFactory(body=body, status=PollStatus.OPEN), mandate=mandate
            )

    counts = []
    for n in (1, 8):
        grow(n)
        client.get(hub_url(program))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(hub_url(program))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 8, counts
    assert response.text.count("Vote<span") == 9


def test_links_to_the_other_parts_of_the_cycle_do_not_break_the_hub(client, program):
    """The selection, needs and plans pages are built by others: a name that does not resolve
    yet leaves its link out instead of failing the page."""
    page = client.get(hub_url(program)).text
    for name, label in (
        ("governance:scorecards", "Territory selection"),
        ("governance:needs", "Needs and prioritization"),
        ("governance:plans", "Improvement plans"),
    ):
        try:
            url = reverse(name, args=[program.slug])
        except NoReverseMatch:
            assert label not in page
        else:
            assert f'href="{url}"' in page and label in page
    assert optional_url("governance:no_such_page", program.slug) == ""
    assert url_maker("governance:no_such_page", program) is None
    make = url_maker("governance:body", program)
    assert make is not None and make(7) == reverse("governance:body", args=[program.slug, 7])


def test_hub_nav_item(client, program):
    page = client.get(hub_url(program)).text
    assert f'<a href="{hub_url(program)}">Governance</a>' in page


def test_new_body_button_for_coordinators(client):
    program = ProgramFactory()
    assert "New body" not in client.get(hub_url(program)).text
    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    client.force_login(coordinator)
    page = client.get(hub_url(program)).text
    assert reverse("governance:body_create", args=[program.slug]) in page


def test_hub_closes_the_polls_whose_time_has_passed_in_the_bodies_shown(client, program):
    body = BodyFactory(program=program)
    hidden = BodyFactory(program=program, is_public=False)
    past = timezone.now() - datetime.timedelta(minutes=5)
    due, hidden_due, running = (
        PollFactory(body=b, status=PollStatus.OPEN, closes_at=when)
        for b, when in (
            (body, past),
            (hidden, past),
            (body, timezone.now() + datetime.timedelta(days=1)),
        )
    )
    for poll in (due, hidden_due, running):
        PollOptionFactory(poll=poll, position=0)
        PollOptionFactory(poll=poll, position=1)
    client.force_login(UserFactory())  # a visitor of the public program sees the public body
    assert client.get(hub_url(program)).status_code == 200
    for poll in (due, hidden_due, running):
        poll.refresh_from_db()
    assert due.status == PollStatus.CLOSED and due.result
    assert hidden_due.status == PollStatus.OPEN  # not shown to this visitor: left for its page
    assert running.status == PollStatus.OPEN


def test_the_program_cycle_comes_before_the_bodies(client, program):
    """Selection, needs and plans are the program's path: the hub shows them first."""
    BodyFactory(program=program, name="Directorio Local de La Ligua")
    page = client.get(hub_url(program)).text
    assert page.index('id="cycle-heading"') < page.index('id="bodies-heading"')
    assert page.index('id="bodies-heading"') < page.index("Directorio Local de La Ligua")


def test_overdue_agreements_read_as_a_danger_tag_with_words(client, program):
    body = BodyFactory(program=program)
    AgreementFactory(body=body, due_on=timezone.localdate() - datetime.timedelta(days=2))
    page = client.get(hub_url(program)).text
    tag = page[page.index('class="tag tag-danger"') :]
    assert tag.index('class="tag-icon"') < tag.index("1 overdue") < tag.index("</span>", 1)
