# mypy: disable-error-code="arg-type,assignment,attr-defined,misc,union-attr"
"""Decision pages: who may see and do what, the ballot forms of every method, the editor, the
results, and query counts that do not grow with the ballots."""

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
from tejido.actors.tests.factories import RepresentativeFactory
from tejido.governance.decisions import services
from tejido.governance.models import AgendaItem, Ballot, BallotReceipt, Poll, PollStatus
from tejido.governance.tests.factories import MandateFactory, MeetingFactory, SeatFactory
from tejido.governance.tests.test_decisions_services import (
    World,
    close,
    make_world,
    open_poll,
    vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def url(name: str, world: World, pk: int) -> str:
    return reverse(f"governance:{name}", args=[world.program.slug, pk])


def users(world: World) -> dict[str, Any]:
    """One user per role of the permission matrix."""
    representative = ProgramRoleFactory(
        program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE
    ).user
    RepresentativeFactory(user=representative, organization=world.mandates[0].organization)
    return {
        "anonymous": None,
        "visitor": UserFactory(),
        "representative": representative,
        "directorate": ProgramRoleFactory(program=world.program, role=Role.DIRECTORATE_MEMBER).user,
        "holder": world.mandates[0].holder_user,
        "coordinator": world.coordinator,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def as_user(client, user) -> Any:
    if user is not None:
        client.force_login(user)
    return client


# -- permission matrix -------------------------------------------------------------------------

VIEWERS_PUBLIC = {
    "anonymous": 200,
    "visitor": 200,
    "representative": 200,
    "directorate": 200,
    "holder": 200,
    "coordinator": 200,
    "superuser": 200,
}
VIEWERS_PRIVATE = {**VIEWERS_PUBLIC, "anonymous": 302, "visitor": 404}
MANAGERS = {
    "anonymous": 302,
    "visitor": 403,
    "representative": 403,
    "directorate": 403,
    "holder": 403,
    "coordinator": 200,
    "superuser": 200,
}
DRAFT_VIEWERS = {**MANAGERS, "anonymous": 404, "visitor": 404, "representative": 404}
DRAFT_VIEWERS.update(directorate=404, holder=404)


@pytest.mark.parametrize("role", list(VIEWERS_PUBLIC))
def test_poll_page_and_list_of_a_public_body(client, world, role):
    poll = open_poll(world)
    user = users(world)[role]
    as_user(client, user)
    assert client.get(url("poll", world, poll.pk)).status_code == VIEWERS_PUBLIC[role]
    assert client.get(url("polls", world, world.body.pk)).status_code == VIEWERS_PUBLIC[role]


@pytest.mark.parametrize("role", list(VIEWERS_PRIVATE))
def test_poll_page_of_a_private_program(client, world, role):
    world.program.is_public = False
    world.program.save()
    poll = open_poll(world)
    user = users(world)[role]
    as_user(client, user)
    assert client.get(url("poll", world, poll.pk)).status_code == VIEWERS_PRIVATE[role]
    assert client.get(url("polls", world, world.body.pk)).status_code == VIEWERS_PRIVATE[role]


@pytest.mark.parametrize("role", list(VIEWERS_PUBLIC))
def test_private_body_of_a_public_program(client, world, role):
    world.body.is_public = False
    world.body.save()
    poll = open_poll(world)
    as_user(client, users(world)[role])
    expected = {"anonymous": 302, "visitor": 403}.get(role, 200)
    assert client.get(url("poll", world, poll.pk)).status_code == expected


@pytest.mark.parametrize("role", list(MANAGERS))
def test_only_coordinators_create_edit_open_and_close(client, world, role):
    draft = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    user = users(world)[role]
    as_user(client, user)
    assert client.get(url("poll_create", world, world.body.pk)).status_code == MANAGERS[role]
    assert client.get(url("poll_edit", world, draft.pk)).status_code == DRAFT_VIEWERS[role]
    assert client.get(url("poll", world, draft.pk)).status_code == DRAFT_VIEWERS[role]
    response = client.post(url("poll_open", world, draft.pk))
    draft.refresh_from_db()
    if MANAGERS[role] == 200:
        assert response.status_code == 302 and draft.status == PollStatus.OPEN
        response = client.post(url("poll_close", world, draft.pk))
        draft.refresh_from_db()
        assert response.status_code == 302 and draft.status == PollStatus.CLOSED
    else:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert "/login" in response["Location"]
        assert draft.status == PollStatus.DRAFT


@pytest.mark.parametrize("role", list(VIEWERS_PUBLIC))
def test_only_seat_holders_vote(client, world, role):
    poll = open_poll(world)
    user = users(world)[role]
    as_user(client, user)
    response = client.post(url("poll_vote", world, poll.pk), {"choice": "0"})
    voted = BallotReceipt.objects.filter(poll=poll).exists()
    if role == "holder":
        assert response.status_code == 302 and voted
    else:
        assert not voted
        if role == "anonymous":
            assert "/login" in response["Location"]
        else:
            assert response.status_code == 302
            page = client.get(response["Location"])
            assert "Only the body&#x27;s members can vote." in page.content.decode()


def test_poll_of_another_program_is_not_found(client, world):
    other = make_world()
    poll = open_poll(other)
    client.force_login(world.coordinator)
    assert client.get(url("poll", world, poll.pk)).status_code == 404
    assert client.get(url("polls", world, other.body.pk)).status_code == 404


# -- voting through the page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "data", "stored"),
    [
        ("majority", {"choice": "0"}, 0),
        ("qualified", {"choice": "1"}, 1),
        ("consent", {"choice": "2"}, 2),
        ("plurality", {"choice": "3"}, 3),
        ("approval", {"choices": ["0", "2"]}, [0, 2]),
        ("borda", {"rank_0": "2", "rank_1": "", "rank_2": "1", "rank_3": "3"}, [2, 0, 3]),
        ("irv", {"rank_1": "1"}, [1]),
        ("cumulative", {"dots_0": "2", "dots_3": "3", "dots_1": ""}, {"0": 2, "3": 3}),
        ("score", {"score_0": "5", "score_1": "0", "score_2": "3"}, {"0": 5, "2": 3}),
    ],
)
def test_every_ballot_form_works_without_javascript(client, world, method, data, stored):
    kw = {"threshold": 0.75} if method == "qualified" else {}
    poll = open_poll(world, method, **kw)
    holder = world.mandates[0].holder_user
    client.force_login(holder)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    action = f'action="{url("poll_vote", world, poll.pk)}"'
    assert action in page
    response = client.post(url("poll_vote", world, poll.pk), data)
    assert response.status_code == 302
    assert Ballot.objects.get(poll=poll).content == stored
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Your vote is recorded" in page
    assert action not in page


@pytest.mark.parametrize(
    ("method", "data", "error"),
    [
        ("majority", {}, "Choose one option."),
        ("borda", {"rank_0": "1", "rank_1": "1"}, "Two options have the same place"),
        ("irv", {}, "Rank at least one option"),
        ("cumulative", {"dots_0": "4", "dots_1": "3"}, "You placed 7 dots but have 5."),
        ("score", {"score_0": "9"}, "Ensure this value is less than or equal to 5."),
        ("approval", {}, "The ballot is empty"),
    ],
)
def test_ballot_form_errors_are_shown_and_nothing_is_written(client, world, method, data, error):
    poll = open_poll(world, method)
    client.force_login(world.mandates[0].holder_user)
    response = client.post(url("poll_vote", world, poll.pk), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not BallotReceipt.objects.exists() and not Ballot.objects.exists()


def test_voting_twice_through_the_page(client, world):
    poll = open_poll(world)
    client.force_login(world.mandates[0].holder_user)
    client.post(url("poll_vote", world, poll.pk), {"choice": "0"})
    response = client.post(url("poll_vote", world, poll.pk), {"choice": "1"}, follow=True)
    assert "This seat has already voted." in response.content.decode()
    assert Ballot.objects.get(poll=poll).content == 0


def test_voting_after_close_through_the_page(client, world):
    poll = open_poll(world)
    close(world, poll)
    client.force_login(world.mandates[0].holder_user)
    response = client.post(url("poll_vote", world, poll.pk), {"choice": "0"}, follow=True)
    assert "Voting has closed." in response.content.decode()
    assert not Ballot.objects.exists()


def test_dot_voting_page_says_how_many_dots_are_left(client, world):
    poll = open_poll(world, "cumulative", dots_per_voter=7)
    client.force_login(world.mandates[0].holder_user)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "You have 7 dots." in page
    assert 'data-dots-total="7"' in page and "data-dots-left" in page
    assert 'max="7"' in page


def test_ranked_ballot_offers_a_place_per_option(client, world):
    poll = open_poll(world, "irv")
    client.force_login(world.mandates[0].holder_user)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    for i in range(4):
        assert f'name="rank_{i}"' in page
    assert "Not ranked" in page


# -- what the page shows -------------------------------------------------------------------------


def test_open_poll_shows_who_voted_organizations_to_the_public(client, world):
    poll = open_poll(world, secret=True)
    vote(poll, world.mandates[0], 0)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert world.mandates[0].organization.name in page
    assert world.mandates[0].holder.name not in page  # people only for members
    assert "1 of 5 seats have voted" in page
    assert "Still to vote: 4 seats" in page
    client.force_login(world.coordinator)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert world.mandates[0].holder.name in page


def test_voters_partial_for_htmx(client, world):
    poll = open_poll(world)
    vote(poll, world.mandates[1], 0)
    response = client.get(
        url("poll", world, poll.pk) + "?partial=voters", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card voters-card"')
    assert "<h1" not in html
    assert 'hx-trigger="every 20s"' in html


def test_voters_partial_reloads_the_page_once_the_poll_closes(client, world):
    poll = open_poll(world, closes_at=timezone.now() + datetime.timedelta(hours=1))
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(
        url("poll", world, poll.pk) + "?partial=voters", headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.CLOSED


def test_closed_open_ballot_page_shows_results_and_who_voted_what(client, world):
    poll = open_poll(world, "plurality")
    for mandate, choice in zip(world.mandates, [1, 1, 0, 2, 1], strict=True):
        vote(poll, mandate, choice)
    close(world, poll)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Chosen" in page and "Sede" in page
    assert "Who voted what" in page
    assert "Quorum met: 5 of 5 voting seats voted (3 needed)." in page
    assert "Verified: the ballots have not changed since closing." in page
    assert Poll.objects.get(pk=poll.pk).ballots_digest in page
    assert "How the votes were counted" in page
    assert "hx-trigger" not in page  # nothing polls a closed page


def test_closed_secret_ballot_never_shows_what(client, world):
    poll = open_poll(world, "majority", secret=True)
    for mandate, choice in zip(world.mandates, [0, 1, 0, 0, 2], strict=True):
        vote(poll, mandate, choice)
    close(world, poll)
    client.force_login(world.coordinator)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Who voted what" not in page
    assert "Passed" in page
    for mandate in world.mandates:
        assert mandate.organization.name in page  # who voted is public


def test_motion_without_quorum_says_it_does_not_pass(client, world):
    poll = open_poll(world)
    vote(poll, world.mandates[0], 0)
    close(world, poll)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Not passed" in page
    assert "The motion had the votes to pass, but without quorum it does not pass." in page


def test_tampered_ballots_are_flagged_on_the_page(client, world):
    poll = open_poll(world)
    for mandate in world.mandates[:3]:
        vote(poll, mandate, 1)
    close(world, poll)
    Ballot.objects.filter(poll=poll).update(content=0)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "no longer match" in page
    assert "Verified" not in page


def test_irv_page_shows_the_rounds(client, world):
    poll = open_poll(world, "irv")
    for mandate, ranking in zip(world.mandates, [[0, 3], [0, 3], [1], [1], [2, 1]], strict=True):
        vote(poll, mandate, ranking)
    close(world, poll)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Votes in each round of the instant runoff" in page
    assert "Round</span> 3" in page


def test_opening_the_page_closes_a_due_poll(client, world):
    poll = open_poll(world, closes_at=timezone.now() + datetime.timedelta(hours=1))
    for mandate in world.mandates[:3]:
        vote(poll, mandate, 0)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.CLOSED
    assert "Passed" in page


def test_list_closes_due_polls_and_shows_outcomes(client, world):
    poll = open_poll(world, closes_at=timezone.now() + datetime.timedelta(hours=1))
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    services.poll_create(
        user=world.coordinator, body=world.body, question="Borrador", method="majority"
    )
    page = client.get(url("polls", world, world.body.pk)).content.decode()
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.CLOSED
    assert "Not passed: no quorum" in page
    assert "Borrador" not in page
    client.force_login(world.coordinator)
    page = client.get(url("polls", world, world.body.pk)).content.decode()
    assert "Borrador" in page and "New poll" in page


# -- the editor ----------------------------------------------------------------------------------


def post_data(**kw: Any) -> dict[str, Any]:
    return {"question": "¿Dónde hacemos la fiesta?", "method": "plurality", **kw}


def test_create_a_poll_with_options(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        url("poll_create", world, world.body.pk),
        post_data(options=["Plaza", "", "Sede", "Cancha"]),
    )
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"] == url("poll", world, poll.pk)
    assert [o.label for o in poll.options.all()] == ["Plaza", "Sede", "Cancha"]
    assert poll.status == PollStatus.DRAFT and poll.created_by == world.coordinator


def test_create_a_qualified_secret_online_poll(client, world):
    client.force_login(world.coordinator)
    closes = timezone.localtime() + datetime.timedelta(days=3)
    client.post(
        url("poll_create", world, world.body.pk),
        post_data(
            method="qualified",
            threshold="3/4",
            secret="on",
            closes_at=closes.strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    poll = Poll.objects.get()
    assert (poll.method, str(poll.threshold), poll.secret) == ("qualified", "0.750", True)
    assert poll.closes_at is not None
    assert abs((poll.closes_at - closes).total_seconds()) < 60


def test_create_form_errors(client, world):
    client.force_login(world.coordinator)
    response = client.post(url("poll_create", world, world.body.pk), post_data(options=["Una"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give at least two options to choose from." in html
    assert 'value="Una"' in html  # what was typed is kept
    response = client.post(
        url("poll_create", world, world.body.pk), post_data(method="qualified", question="")
    )
    html = response.content.decode()
    assert "This field is required." in html and "Choose the share of the votes needed." in html
    response = client.post(
        url("poll_create", world, world.body.pk),
        post_data(method="majority", closes_at="2001-01-01T10:00"),
    )
    assert "The closing time must be in the future." in response.content.decode()
    assert not Poll.objects.exists()


def test_more_option_lines_without_javascript(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        url("poll_create", world, world.body.pk),
        post_data(options=["A", "B", "C", "D"], more_options="1"),
    )
    html = response.content.decode()
    assert not Poll.objects.exists()
    assert html.count('name="options"') == 10  # four typed, six empty


def test_create_form_in_a_meeting_with_an_agenda_item(client, world):
    meeting = MeetingFactory(body=world.body)
    item = AgendaItem.objects.create(meeting=meeting, title="Aprobar la fecha de la feria")
    client.force_login(world.coordinator)
    base = url("poll_create", world, world.body.pk)
    page = client.get(f"{base}?meeting={meeting.pk}&agenda_item={item.pk}").content.decode()
    assert "Aprobar la fecha de la feria" in page
    assert f'<option value="{meeting.pk}" selected' in page
    for method in ("majority", "irv", "cumulative"):
        assert f'value="{method}"' in page
    client.post(base, post_data(method="majority", meeting=meeting.pk, agenda_item=item.pk))
    poll = Poll.objects.get()
    assert poll.meeting == meeting and poll.agenda_item == item
    # Every method has its plain-language line.
    assert page.count('class="field-help" id="id_method_') == 9


def test_edit_a_draft_then_open_it(client, world):
    poll = services.poll_create(
        user=world.coordinator,
        body=world.body,
        question="¿Lugar?",
        method="plurality",
        options=["A", "B"],
    )
    client.force_login(world.coordinator)
    page = client.get(url("poll_edit", world, poll.pk)).content.decode()
    assert 'value="A"' in page and 'value="B"' in page
    client.post(
        url("poll_edit", world, poll.pk),
        post_data(method="approval", options=["A", "B", "C"], max_choices="2"),
    )
    poll.refresh_from_db()
    assert poll.method == "approval" and poll.max_choices == 2 and poll.options.count() == 3
    client.post(url("poll_open", world, poll.pk))
    response = client.get(url("poll_edit", world, poll.pk))
    assert response.status_code == 302  # an open poll cannot be edited


def test_delete_a_draft(client, world):
    poll = services.poll_create(
        user=world.coordinator, body=world.body, question="¿?", method="majority"
    )
    client.force_login(world.coordinator)
    response = client.post(url("poll_delete", world, poll.pk))
    assert response["Location"] == url("polls", world, world.body.pk)
    assert not Poll.objects.exists()


def test_open_without_options_reports_the_problem(client, world):
    poll = services.poll_create(
        user=world.coordinator,
        body=world.body,
        question="¿?",
        method="plurality",
        options=["A", "B"],
    )
    poll.options.filter(position=1).delete()
    client.force_login(world.coordinator)
    response = client.post(url("poll_open", world, poll.pk), follow=True)
    assert "Give at least two options before opening the poll." in response.content.decode()


# -- query counts --------------------------------------------------------------------------------


def _world_with_ballots(size: int) -> tuple[World, Poll, Poll]:
    world = make_world(sectors=("community",))
    mandates = [world.mandates[0]] + [
        MandateFactory(seat=SeatFactory(body=world.body)) for _ in range(size - 1)
    ]
    world.mandates = mandates
    open_one = open_poll(world, "approval")
    closed_one = open_poll(world, "irv")
    for i, mandate in enumerate(mandates):
        vote(open_one, mandate, [i % 4, (i + 1) % 4])
        vote(closed_one, mandate, [i % 4, (i + 2) % 4])
    close(world, closed_one)
    return world, open_one, closed_one


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "holder"])
def test_poll_pages_do_not_grow_with_ballots(client, role, django_assert_max_num_queries):
    counts = []
    for size in (10, 200):
        world, open_one, closed_one = _world_with_ballots(size)
        client.logout()
        user = {"anonymous": None, "coordinator": world.coordinator}.get(
            role, world.mandates[0].holder_user
        )
        as_user(client, user)
        with django_assert_max_num_queries(16):
            open_count = _queries(client, url("poll", world, open_one.pk))
        with django_assert_max_num_queries(16):
            closed_count = _queries(client, url("poll", world, closed_one.pk))
        with django_assert_max_num_queries(12):
            list_count = _queries(client, url("polls", world, world.body.pk))
        counts.append((open_count, closed_count, list_count))
    assert counts[0] == counts[1]


def test_list_tells_members_where_their_vote_is_awaited(client, world):
    open_poll(world)
    done = open_poll(world, "plurality")
    vote(done, world.mandates[0], 1)
    client.force_login(world.mandates[0].holder_user)
    page = client.get(url("polls", world, world.body.pk)).content.decode()
    assert page.count("Your vote is awaited") == 1 and page.count("You voted") == 1
    client.force_login(world.coordinator)
    page = client.get(url("polls", world, world.body.pk)).content.decode()
    assert "Your vote is awaited" not in page


def test_motion_result_shows_shares_of_yes_and_no_and_abstentions_apart(client, world):
    poll = open_poll(world, "majority")
    vote(poll, world.mandates[0], 0)
    vote(poll, world.mandates[1], 2)
    close(world, poll)
    client.force_login(world.coordinator)
    html = client.get(url("poll", world, poll.pk)).content.decode()
    assert "100%" in html and "50%" not in html
    assert "counts for neither side" in html


# -- review: the plan a poll approves, one list of voters ---------------------------------------


def test_poll_page_links_back_to_the_plan_it_approves(client):
    """The poll page says which plan it approves, in one query, with a link for those who may
    see the plan (members while it is a draft; everyone once approved in a public program)."""
    from tejido.governance.plans import services as plans
    from tejido.governance.tests import test_plans_services as plan_world

    world = plan_world.make_world()
    poll = plans.plan_submit_for_approval(user=world.coordinator, plan=world.plan)
    plan_url = reverse("governance:plan", args=[world.program.slug, world.plan.pk])
    link = f'<a href="{plan_url}">«{world.plan.title}»</a>'
    poll_url = reverse("governance:poll", args=[world.program.slug, poll.pk])

    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(poll_url).content.decode()
    assert "This vote approves the plan" in page and link in page
    plan_queries = [q for q in ctx.captured_queries if '"governance_plan"' in q["sql"]]
    assert len(plan_queries) == 1

    plan_world.vote(world, poll)
    client.logout()
    page = client.get(poll_url).content.decode()
    assert f"This vote approves the plan «{world.plan.title}»." in page  # a draft: no link
    assert link not in page

    plans.plan_approve(user=world.coordinator, plan=world.plan)
    page = client.get(poll_url).content.decode()
    assert link in page

    other = open_poll(make_world())
    page = client.get(
        reverse("governance:poll", args=[other.body.program.slug, other.pk])
    ).content.decode()
    assert "This vote approves the plan" not in page


def test_closed_open_ballot_lists_the_voters_once(client, world):
    """After closing, an open ballot's table of who voted what is the list of voters; the
    separate "who voted" list stays for secret ballots and while the poll is open."""
    poll = open_poll(world, "plurality")
    for mandate, choice in zip(world.mandates, [1, 1, 0, 2, 1], strict=True):
        vote(poll, mandate, choice)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert 'id="voters"' in page  # open: who has voted so far
    close(world, poll)
    page = client.get(url("poll", world, poll.pk)).content.decode()
    assert "Who voted what" in page and "5 seats voted" in page
    assert 'id="voters"' not in page
    for mandate in world.mandates:
        assert page.count(mandate.organization.name) == 1

    secret = open_poll(world, "plurality", secret=True)
    vote(secret, world.mandates[0], 1)
    close(world, secret)
    page = client.get(url("poll", world, secret.pk)).content.decode()
    assert 'id="voters"' in page and "Who voted what" not in page


def test_closed_reads_the_same_on_every_poll(client, world):
    """ "Closed" has one look (the shared success tone) whether the motion passed or not, on the
    poll page and in the list; the outcome is told in words."""
    passed, rejected = open_poll(world), open_poll(world)
    for mandate in world.mandates:
        vote(passed, mandate, 0)
        vote(rejected, mandate, 1)
    close(world, passed)
    close(world, rejected)
    still_open = open_poll(world)
    closed_tag = 'class="tag tag-success poll-status poll-status-closed"'
    for poll in (passed, rejected):
        page = client.get(url("poll", world, poll.pk)).content.decode()
        assert page.count(closed_tag) == 1
    page = client.get(url("poll", world, still_open.pk)).content.decode()
    assert 'class="tag tag-current poll-status poll-status-open"' in page and closed_tag not in page
    listing = client.get(url("polls", world, world.body.pk)).content.decode()
    assert listing.count(closed_tag) == 2
