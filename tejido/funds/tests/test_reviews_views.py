# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Review pages: who sees and does what (anonymous, an unrelated user, the applicant's and a
partner's representatives, an assigned reviewer, a conflicted one, another pool reviewer, a
coordinator, a superuser), the review form without and with errors, two tabs, the pool, the
declaration, assignment, the extra review with htmx, and the queries of the list pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.funds.models import Assignment, CallReviewer, Conflict, Score

from .factories import ApplicationFactory, PartnerFactory, representative_of, reviewer_of
from .factories_reviews import ReviewWorld, review_world, submitted_review

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
WHO = (
    "anonymous",
    "visitor",
    "applicant",
    "partner",
    "assigned",
    "conflicted",
    "other_reviewer",
    "coordinator",
    "superuser",
)


@dataclass
class Matrix:
    world: ReviewWorld
    people: dict[str, Any]
    pending: Assignment  # the assigned reviewer's, not submitted
    submitted: Assignment  # the other reviewer's, submitted
    conflicted: Assignment  # the conflicted reviewer's, on the same application


def matrix_world(*, public: bool = True) -> Matrix:
    world = review_world(applications=2, reviewers=3, public=public)
    target = world.applications[0]
    partner = PartnerFactory(application=target).organization
    assigned, conflicted_reviewer, other = world.reviewers
    pending = Assignment.objects.create(application=target, reviewer=assigned)
    conflicted = submitted_review(world, conflicted_reviewer, target)
    Conflict.objects.create(
        reviewer=conflicted_reviewer, application=target, source="declared", detail={}
    )
    submitted = submitted_review(world, other, world.applications[1])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    people = {
        "anonymous": None,
        "visitor": UserFactory(),
        "applicant": representative_of(target.applicant),
        "partner": representative_of(partner),
        "assigned": assigned.user,
        "conflicted": conflicted_reviewer.user,
        "other_reviewer": other.user,
        "coordinator": world.coordinator,
        "superuser": superuser,
    }
    return Matrix(world, people, pending, submitted, conflicted)


def login(client, m: Matrix, who: str) -> None:
    user = m.people[who]
    if user is not None:
        client.force_login(user)


def status_of(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "login"
    return response.status_code


def call_url(m: Matrix, name: str, *args) -> str:
    return reverse(name, args=[m.world.program.slug, m.world.call.pk, *args])


COORDINATORS_ONLY = ("login", 403, 403, 403, 403, 403, 403, 200, 200)
EXPECTED_GET = {
    "my_reviews": ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    "pending_review": ("login", 404, 404, 404, 200, 404, 404, 404, 404),
    "submitted_review": ("login", 404, 404, 404, 404, 404, 200, 200, 200),
    # Its own reviewer no longer sees it; coordinators do (flagged, it does not count).
    "conflicted_review": ("login", 404, 404, 404, 404, 404, 404, 200, 200),
    "overview": COORDINATORS_ONLY,
    "pool": COORDINATORS_ONLY,
    "pool_edit": COORDINATORS_ONLY,
    "declare": ("login", 403, 403, 403, 200, 200, 200, 403, 403),
}


def get_url(m: Matrix, page: str) -> str:
    slug = m.world.program.slug
    return {
        "my_reviews": reverse("funds:my_reviews", args=[slug]),
        "pending_review": reverse("funds:review", args=[slug, m.pending.pk]),
        "submitted_review": reverse("funds:review", args=[slug, m.submitted.pk]),
        "conflicted_review": reverse("funds:review", args=[slug, m.conflicted.pk]),
        "overview": call_url(m, "funds:review_overview"),
        "pool": call_url(m, "funds:review_pool"),
        "pool_edit": call_url(m, "funds:review_pool_edit", m.world.reviewers[0].pk),
        "declare": call_url(m, "funds:review_declare"),
    }[page]


@pytest.mark.parametrize("page", list(EXPECTED_GET))
@pytest.mark.parametrize("who", WHO)
def test_who_opens_each_page(client, page, who):
    m = matrix_world()
    login(client, m, who)
    response = client.get(get_url(m, page))
    assert status_of(response) == EXPECTED_GET[page][WHO.index(who)]


@pytest.mark.parametrize("page", ["my_reviews", "pending_review", "overview", "declare"])
def test_a_private_program_hides_every_page_from_outsiders(client, page):
    m = matrix_world(public=False)
    assert status_of(client.get(get_url(m, page))) == "login"
    client.force_login(m.people["visitor"])
    assert client.get(get_url(m, page)).status_code == 404
    client.force_login(m.people["assigned"] if page != "overview" else m.people["coordinator"])
    assert client.get(get_url(m, page)).status_code == 200


@pytest.mark.parametrize("who", WHO)
def test_a_conflicted_reviewer_never_sees_the_application(client, who):
    m = matrix_world()
    try:
        url = reverse("funds:application", args=[m.world.program.slug, m.world.applications[0].pk])
    except NoReverseMatch:
        pytest.skip("the application page is not there yet")
    login(client, m, who)
    status = status_of(client.get(url))
    if who == "conflicted":
        assert status == 404
    if who == "assigned":
        assert status == 200


POSTS = ("assign", "conflicts", "extra", "pool_active", "pool_add")
POST_EXPECTED = ("login", 403, 403, 403, 403, 403, 403, 302, 302)


@pytest.mark.parametrize("action", POSTS)
@pytest.mark.parametrize("who", WHO)
def test_only_coordinators_act_on_the_reviews(client, action, who):
    m = matrix_world()
    world = m.world
    login(client, m, who)
    url, data = {
        "assign": (call_url(m, "funds:review_assign"), {}),
        "conflicts": (call_url(m, "funds:review_conflicts"), {}),
        "extra": (call_url(m, "funds:review_extra", world.applications[1].pk), {}),
        "pool_active": (
            call_url(m, "funds:review_pool_active", world.reviewers[2].pk),
            {"active": "0"},
        ),
        "pool_add": (call_url(m, "funds:review_pool"), {"email": UserFactory().email}),
    }[action]
    before = (
        Assignment.objects.count(),
        CallReviewer.objects.filter(is_active=True).count(),
        Conflict.objects.count(),
    )
    response = client.post(url, data)
    assert status_of(response) == POST_EXPECTED[WHO.index(who)]
    if response.status_code != 302:
        after = (
            Assignment.objects.count(),
            CallReviewer.objects.filter(is_active=True).count(),
            Conflict.objects.count(),
        )
        assert after == before


def test_a_pool_toggle_without_its_choice_withdraws_nobody(client):
    """The Remove / Bring back buttons post active=0 or 1; without it, nothing changes (it
    used to withdraw the reviewer and their open reviews)."""
    m = matrix_world()
    login(client, m, "coordinator")
    before = (
        Assignment.objects.count(),
        list(CallReviewer.objects.order_by("pk").values_list("pk", "is_active")),
    )
    url = call_url(m, "funds:review_pool_active", m.world.reviewers[2].pk)
    for data in ({}, {"active": "yes"}):
        response = client.post(url, data, follow=True)
        assert "nothing was changed" in response.text
    after = (
        Assignment.objects.count(),
        list(CallReviewer.objects.order_by("pk").values_list("pk", "is_active")),
    )
    assert after == before


def test_only_the_reviewer_posts_a_review(client):
    m = matrix_world()
    url = get_url(m, "submitted_review")
    client.force_login(m.people["coordinator"])
    assert client.post(url, {"comment": "Cambio", "submit": "1"}).status_code == 403
    client.force_login(m.people["assigned"])
    assert client.post(url, {"comment": "Cambio", "submit": "1"}).status_code == 404
    m.submitted.refresh_from_db()
    assert m.submitted.comment == "Buen proyecto."


# -- the review form --------------------------------------------------------------------------


def form_data(world: ReviewWorld, page, **values) -> dict[str, str]:
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    data = {"seen": seen}
    data.update(values)
    return data


def test_the_review_form_shows_the_application_and_each_criterion(client):
    world = review_world(applications=1, reviewers=1)
    world.criteria[0].guidance = "¿Responde a una necesidad priorizada del barrio?"
    world.criteria[0].save()
    assignment = Assignment.objects.create(
        application=world.applications[0], reviewer=world.reviewers[0]
    )
    client.force_login(world.reviewers[0].user)
    page = client.get(reverse("funds:review", args=[world.program.slug, assignment.pk]))
    html = page.content.decode()
    assert world.applications[0].title in html
    assert "¿Responde a una necesidad priorizada del barrio?" in html
    assert "An application whose mean score here is below 2 is not funded." in html
    for criterion in world.criteria:
        assert html.count(f'name="score_{criterion.pk}"') == 6  # 0 to 5
    assert "Save a draft" in html and "Submit the review" in html


def test_draft_then_errors_then_submission(client):
    world = review_world(applications=1, reviewers=1)
    reviewer = world.reviewers[0]
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    first, second = world.criteria
    client.force_login(reviewer.user)
    url = reverse("funds:review", args=[world.program.slug, assignment.pk])
    page = client.get(url)
    response = client.post(url, form_data(world, page, **{f"score_{first.pk}": "4", "save": "1"}))
    assert response.status_code == 302
    assert Score.objects.get(assignment=assignment).value == 4

    page = client.get(url)
    assert re.search(rf'name="score_{first.pk}" value="4"[^>]*checked', page.content.decode())
    response = client.post(url, form_data(world, page, **{f"score_{first.pk}": "5", "submit": "1"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a score from 0 to 5." in html
    assert "Write an overall comment" in html
    assert Score.objects.get(assignment=assignment).value == 4  # nothing changed

    response = client.post(
        url,
        form_data(
            world,
            page,
            **{
                f"score_{first.pk}": "5",
                f"score_{second.pk}": "3",
                f"comment_{second.pk}": "Falta convocar a los vecinos",
                "comment": "Un buen proyecto con un plan realista.",
                "submit": "1",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:my_reviews", args=[world.program.slug])
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None and assignment.total is not None


def test_a_second_tab_cannot_overwrite_a_submitted_review(client):
    world = review_world(applications=1, reviewers=1)
    reviewer = world.reviewers[0]
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    first, second = world.criteria
    client.force_login(reviewer.user)
    url = reverse("funds:review", args=[world.program.slug, assignment.pk])
    tab_one, tab_two = client.get(url), client.get(url)
    complete = {
        f"score_{first.pk}": "5",
        f"score_{second.pk}": "4",
        "comment": "Desde la primera pestaña",
        "submit": "1",
    }
    assert client.post(url, form_data(world, tab_one, **complete)).status_code == 302
    again = dict(complete, comment="Desde la segunda pestaña")
    response = client.post(url, form_data(world, tab_two, **again))
    assert response.status_code == 400
    assert "after you opened this page" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.comment == "Desde la primera pestaña"


def test_a_large_scale_is_typed(client):
    world = review_world(applications=1, reviewers=1)
    world.criteria[0].scale_max = 20
    world.criteria[0].save()
    assignment = Assignment.objects.create(
        application=world.applications[0], reviewer=world.reviewers[0]
    )
    client.force_login(world.reviewers[0].user)
    html = client.get(reverse("funds:review", args=[world.program.slug, assignment.pk])).content
    assert f'type="number" name="score_{world.criteria[0].pk}"'.encode() in html


# -- the reviewer's workspace and declarations ------------------------------------------------


def test_my_reviews_lists_pending_first_and_hides_conflicts(client, django_assert_max_num_queries):
    m = matrix_world()
    client.force_login(m.people["conflicted"])
    html = client.get(reverse("funds:my_reviews", args=[m.world.program.slug])).content.decode()
    assert m.world.applications[0].title not in html
    assert m.world.call.title in html
    client.force_login(m.people["assigned"])
    extra = ApplicationFactory(call=m.world.call)
    submitted_review(m.world, m.world.reviewers[0], extra)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("funds:my_reviews", args=[m.world.program.slug])).content.decode()
    assert html.index(m.world.applications[0].title) < html.index(extra.title)
    assert "1 of 2 reviews submitted" in html


def test_declaring_a_conflict_from_the_page(client):
    world = review_world(applications=2, reviewers=1)
    reviewer = world.reviewers[0]
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    client.force_login(reviewer.user)
    url = reverse("funds:review_declare", args=[world.program.slug, world.call.pk])
    page = client.get(url).content.decode()
    for application in world.applications:
        assert application.applicant.name in page
        assert application.title not in page  # names only
    response = client.post(url, {"organization": world.applications[0].applicant.pk, "reason": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"organization": world.applications[0].applicant.pk, "reason": "Fui su tesorera"}
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    review_url = reverse("funds:review", args=[world.program.slug, assignment.pk])
    assert client.get(review_url).status_code == 404


# -- the coordinators' pages ------------------------------------------------------------------


def test_adding_reviewers_by_choice_or_by_email(client):
    world = review_world(reviewers=0)
    evaluator = UserFactory(first_name="Tomás", last_name="Rojas")
    ProgramRoleFactory(user=evaluator, program=world.program, role=Role.EVALUATOR)
    stranger = UserFactory(email="lucia@example.org")
    client.force_login(world.coordinator)
    url = reverse("funds:review_pool", args=[world.program.slug, world.call.pk])
    page = client.get(url).content.decode()
    assert "Tomás Rojas" in page
    assert client.post(url, {"person": evaluator.pk}).status_code == 302
    response = client.post(url, {"email": "nadie@example.org"})
    assert response.status_code == 400
    assert "No account uses this address" in response.content.decode()
    response = client.post(url, {"person": "", "email": ""})
    assert response.status_code == 400
    assert client.post(url, {"email": "LUCIA@example.org", "max_load": "5"}).status_code == 302
    pool = CallReviewer.objects.filter(call=world.call)
    assert {r.user for r in pool} == {evaluator, stranger}
    assert pool.get(user=stranger).max_load == 5
    assert ProgramRole.objects.filter(user=stranger, role=Role.EVALUATOR).exists()
    edit = reverse(
        "funds:review_pool_edit",
        args=[world.program.slug, world.call.pk, pool.get(user=stranger).pk],
    )
    assert client.post(edit, {"max_load": "0"}).status_code == 400
    assert client.post(edit, {"max_load": ""}).status_code == 302
    assert pool.get(user=stranger).max_load is None


def test_assigning_from_the_overview(client, django_capture_on_commit_callbacks):
    world = review_world(applications=4, reviewers=3, per_application=2)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("funds:review_assign", args=[world.program.slug, world.call.pk]), follow=True
        )
    assert "8 reviews assigned" in response.content.decode()
    assert Assignment.objects.count() == 8
    assert len(mail.outbox) == 3
    assert "Reviewer pool (3)" in response.content.decode()


def test_assigning_an_open_call_is_refused_with_its_reason(client):
    world = review_world(closed=False)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("funds:review_assign", args=[world.program.slug, world.call.pk]), follow=True
    )
    assert "Reviews start once the call has closed" in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_overview_shows_scores_disagreement_and_conflicts_in_words(client):
    world = review_world(applications=2, reviewers=3, per_application=2)
    a, b, c = world.reviewers
    target = world.applications[0]
    submitted_review(world, a, target, (5, 5))
    submitted_review(world, b, target, (1, 2))
    c.user.first_name, c.user.last_name = "Tomás", "Vera"
    c.user.save()
    c.organization = world.applications[1].applicant
    c.save()
    client.force_login(world.coordinator)
    client.post(reverse("funds:review_conflicts", args=[world.program.slug, world.call.pk]))
    html = client.get(
        reverse("funds:review_overview", args=[world.program.slug, world.call.pk])
    ).content.decode()
    assert "Reviewers disagree" in html
    assert "Ask for one more review" in html
    assert f"Tomás Vera works at {world.applications[1].applicant.name}, the applicant." in html
    # The extra review with htmx answers the row only.
    response = client.post(
        reverse("funds:review_extra", args=[world.program.slug, world.call.pk, target.pk]), **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="application-{target.pk}"')
    assert "One more review of" in body
    assert Assignment.objects.filter(application=target, is_extra=True).count() == 1
    # Nobody left: the row says why.
    response = client.post(
        reverse("funds:review_extra", args=[world.program.slug, world.call.pk, target.pk]), **HTMX
    )
    assert "No reviewer is free" in response.content.decode()


def test_the_overview_keeps_a_fixed_number_of_queries(client, django_assert_num_queries):
    def measure(world) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(world.coordinator)
        url = reverse("funds:review_overview", args=[world.program.slug, world.call.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def fill(world) -> None:
        for index, application in enumerate(world.applications):
            for reviewer in world.reviewers[:2]:
                submitted_review(world, reviewer, application, (index % 5, 3))
        world.reviewers[2].organization = world.applications[0].applicant
        world.reviewers[2].save()
        Conflict.objects.create(
            reviewer=world.reviewers[2],
            application=world.applications[0],
            source="applicant",
            detail={"organization": world.applications[0].applicant.pk, "link": "works_at"},
        )

    small = review_world(applications=2, reviewers=3)
    fill(small)
    large = review_world(applications=12, reviewers=3)
    fill(large)
    assert measure(small) == measure(large)
    assert measure(large) <= 25


def test_the_pool_page_keeps_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 6):
        world = review_world(applications=2, reviewers=0)
        for _ in range(size):
            reviewer_of(world.call)
        client.force_login(world.coordinator)
        url = reverse("funds:review_pool", args=[world.program.slug, world.call.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
