# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The permission matrix of the whole funds module: every page (`funds:*`, read from the URL
resolver so that a new view without a row fails) and every funds API endpoint, for nine kinds
of user, in the state of the call where the page makes sense.

Cells, as a user reads them:
    200    the page (or file)
    302    a redirect that is not the login (e.g. the editor after the call closed)
    login  anonymous visitor sent to log in
    403    forbidden: the user sees the thing but may not do this
    404    hidden: for this user the thing does not exist
    ok     POST-only action the user may do (not sent: the matrix checks refusals only)

Rows marked POST also send a POST (empty form) as every user refused on GET: the answer must
be the same refusal and nothing in the database may change.

The world (one per test): a public program with an approved plan; an open call with two
criteria, a quota and a draft call; the applicant organization's application, submitted with a
partner (and its letter of commitment), a legal-status certificate and budget lines; a third
organization with its own representative; a reviewer pool of two. Further states build on it:
    closed     the call closed; the pool reviewer's review submitted, the conflicted reviewer
               assigned earlier and then found in conflict (he works at the partner)
    decided    an allocation run decided by the committee: the award, with its payments, a
               milestone, an expense with its receipt and a final report
    published  the results published
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.api.funds import router as funds_router
from tejido.core.tests.matrix import client_for, fingerprint, outcome, url_names
from tejido.funds.awards import services as award_services
from tejido.funds.models import (
    Application,
    Assignment,
    Award,
    Call,
    CallReviewer,
    Conflict,
    ConflictSource,
    Criterion,
    Quota,
    QuotaKind,
    Score,
)
from tejido.funds.ranking import services as ranking_services

from .factories import CallFactory, CriterionFactory, reviewer_of
from .factories_applications import (
    World,
    complete,
    make_world,
    pdf_upload,
    with_legal_document,
    with_partner,
)

pytestmark = pytest.mark.django_db

USERS = (
    "anon",
    "stranger",
    "applicant",
    "partner",
    "other",
    "reviewer",
    "conflicted",
    "coord",
    "su",
)
STATES = ("open", "closed", "decided", "published")
REFUSALS = {"login", "403", "404"}


@dataclass
class Funds:
    """The world of one test: who is who and the objects the URLs name."""

    base: World
    call: Call
    draft_call: Call
    application: Application
    criterion: Criterion
    quota: Quota
    reviewer: CallReviewer
    conflicted: CallReviewer
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.base.program.slug


def _open_world() -> Funds:
    base = make_world(require_legal_document=True, reviewers_per_application=1)
    call = base.call
    criteria = [
        CriterionFactory(call=call, name="Pertinencia", weight=Decimal("2"), scale_max=5),
        CriterionFactory(
            call=call, name="Participación", weight=Decimal("1"), scale_max=5, minimum=Decimal(2)
        ),
    ]
    quota = Quota.objects.create(call=call, territory=base.comuna, kind=QuotaKind.MAXIMUM, share=1)
    draft_call = CallFactory(program=base.program, draft=True, title="Fondo en preparación")

    from tejido.funds.applications import services as application_services

    application = complete(base)
    partner = with_partner(base, application)
    attachment = with_legal_document(base, application)
    application = application_services.application_submit(
        actor=base.representative, application=application
    )
    reviewer = reviewer_of(call)
    # The conflicted reviewer works at the partner organization.
    conflicted = reviewer_of(call, organization=base.partner)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    users = {
        "anon": None,
        "stranger": UserFactory(),
        "applicant": base.representative,
        "partner": base.partner_representative,
        "other": base.stranger_representative,
        "reviewer": reviewer.user,
        "conflicted": conflicted.user,
        "coord": base.coordinator,
        "su": superuser,
    }
    return Funds(
        base=base,
        call=call,
        draft_call=draft_call,
        application=application,
        criterion=criteria[0],
        quota=quota,
        reviewer=reviewer,
        conflicted=conflicted,
        users=users,
        objects={"partner": partner, "attachment": attachment, "criteria": criteria},
    )


def _close(world: Funds) -> None:
    now = timezone.now()
    Call.objects.filter(pk=world.call.pk).update(
        closes_at=now - datetime.timedelta(hours=1),
        evaluation_ends_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    world.call.refresh_from_db()
    application = world.application
    # The reviewer's review, submitted.
    review = Assignment.objects.create(
        application=application, reviewer=world.reviewer, comment="Un buen proyecto."
    )
    for criterion in world.objects["criteria"]:
        Score.objects.create(assignment=review, criterion=criterion, value=Decimal(4))
    review.total = Decimal("80.00")
    review.submitted_at = now
    review.save()
    # Assigned before the conflict was found: he must still never see it.
    stale = Assignment.objects.create(application=application, reviewer=world.conflicted)
    Conflict.objects.create(
        reviewer=world.conflicted,
        application=application,
        source=ConflictSource.PARTNER,
        detail={"organization": world.base.partner.pk},
    )
    world.objects.update(review=review, stale=stale)


def _decide(world: Funds) -> None:
    coordinator = world.users["coord"]
    run = ranking_services.allocation_run(actor=coordinator, call=world.call, rule="greedy")
    awards = ranking_services.call_decide(
        actor=coordinator, call=world.call, run=run, note="El comité financia lo mejor evaluado."
    )
    assert len(awards) == 1, run.outcome
    award = Award.objects.get(pk=awards[0].pk)
    applicant = world.users["applicant"]
    milestone = award_services.milestone_create(
        actor=applicant,
        award=award,
        title="Jornada de limpieza de la plaza",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    expense = award_services.expense_report(
        actor=applicant,
        award=award,
        budget_line=world.application.budget_lines.first(),
        spent_on=timezone.localdate(),
        amount=Decimal("150000"),
        description="Pintura para el mural",
        receipt=pdf_upload("boleta.pdf"),
    )
    award_services.final_report_submit(
        actor=applicant,
        award=award,
        summary="Se pintó el mural con 40 vecinos.",
        beneficiaries_women=25,
        beneficiaries_men=15,
    )
    world.call.refresh_from_db()
    world.objects.update(
        award=award,
        disbursement=award.disbursements.order_by("due_on", "position").first(),
        milestone=milestone,
        expense=expense,
    )


def _publish(world: Funds) -> None:
    ranking_services.call_publish_results(actor=world.users["coord"], call=world.call)
    world.call.refresh_from_db()


def build(state: str) -> Funds:
    world = _open_world()
    steps = {
        "closed": [_close],
        "decided": [_close, _decide],
        "published": [_close, _decide, _publish],
    }
    for step in steps.get(state, []):
        step(world)
    return world


# -- the matrix -------------------------------------------------------------------------------

Args = Callable[[Funds], dict[str, Any]]


def _c(w: Funds) -> dict[str, Any]:
    return {"program": w.slug, "pk": w.call.pk}


def _d(w: Funds) -> dict[str, Any]:
    return {"program": w.slug, "pk": w.draft_call.pk}


def _a(w: Funds) -> dict[str, Any]:
    return {"program": w.slug, "pk": w.application.pk}


def _aw(w: Funds) -> dict[str, Any]:
    return {"program": w.slug, "pk": w.objects["award"].pk}


def _p(w: Funds) -> dict[str, Any]:
    return {"program": w.slug}


def _with(base: Args, **extra: Callable[[Funds], Any]) -> Args:
    return lambda w: {**base(w), **{key: make(w) for key, make in extra.items()}}


@dataclass(frozen=True)
class Row:
    name: str  # URL name without "funds:", or an API path
    state: str
    method: str  # GET, GET+POST (GET, then POST as the refused), POST (POST-only)
    cells: str  # a key of CELLS
    args: Args = _c
    note: str = ""

    @property
    def expected(self) -> dict[str, str]:
        codes = CELLS[self.cells].split()
        assert len(codes) == len(USERS), f"{self.name}: {len(codes)} cells"
        return dict(zip(USERS, codes, strict=True))

    @property
    def id(self) -> str:
        return f"{self.name}[{self.state}{'-' + self.note if self.note else ''}]"


# Who gets what, by kind of page. One line per user kind, in the order of USERS.
# fmt: off
CELLS = {
    #                     anon   strgr  appl   partn  other  revwr  confl  coord  super
    "everyone":          "200    200    200    200    200    200    200    200    200",
    "members":           "login  200    200    200    200    200    200    200    200",
    "manager":           "login  403    403    403    403    403    403    200    200",
    "manager post":      "login  403    403    403    403    403    403    ok     ok",
    # A draft call exists only for those who manage the program's calls.
    "draft":             "login  404    404    404    404    404    404    200    200",
    "draft post":        "login  404    404    404    404    404    404    ok     ok",
    "draft apply":       "login  404    404    404    404    404    404    403    200",
    # Any representative of an organization of the program may apply (superusers may all).
    "apply":             "login  403    200    200    200    403    403    403    200",
    # An application: the applicant edits, partners read, the assigned reviewer reads once the
    # call closed, never the conflicted one; coordinators read and decide eligibility.
    "app view":          "login  404    200    200    404    404    404    200    200",
    "app view reviewed": "login  404    200    200    404    200    404    200    200",
    "app edit":          "login  404    200    403    404    404    404    403    200",
    "app edit redirect": "login  404    302    403    404    404    404    403    302",
    "app closed edit":   "login  404    302    403    404    403    404    403    302",
    "app edit post":     "login  404    ok     403    404    404    404    403    ok",
    "app decide":        "login  404    403    403    404    403    404    200    200",
    "app versions":      "login  404    200    403    404    403    404    200    200",
    # Reviews: the submitted review of the pool reviewer; the conflicted reviewer's stale one.
    "review":            "login  404    404    404    404    200    404    200    200",
    "review stale":      "login  404    404    404    404    404    404    404    404",
    "declare":           "login  403    403    403    403    200    200    403    403",
    # An award: the grantee reports, partners read, coordinators manage.
    "award view":        "login  404    200    200    404    404    404    200    200",
    "award manage":      "login  404    403    403    404    404    404    200    200",
    "award manage post": "login  404    403    403    404    404    404    ok     ok",
    "award report":      "login  404    200    403    404    404    404    403    200",
    "award report post": "login  404    ok     403    404    404    404    403    ok",
    # Open data before the results are published: only coordinators know it exists.
    "unpublished data":  "login  404    404    404    404    404    404    200    200",
    "unpublished all":   "404    404    404    404    404    404    404    200    200",
    "api hidden":        "404    404    404    404    404    404    404    200    200",
    "api nowhere":       "404    404    404    404    404    404    404    404    404",
}
# fmt: on

_item = {"item": lambda w: w.criterion.pk}
_quota = {"item": lambda w: w.quota.pk}
_partner = {"item": lambda w: w.objects["partner"].pk}
_attachment = {"item": lambda w: w.objects["attachment"].pk}

ROWS: list[Row] = [
    # -- calls ---------------------------------------------------------------------------------
    Row("hub", "open", "GET", "everyone", _p),
    Row("call_create", "open", "GET+POST", "manager", _p),
    Row("call", "open", "GET", "everyone"),
    Row("call", "open", "GET", "draft", _d, "draft"),
    Row("call", "decided", "GET", "everyone"),
    Row("call_edit", "open", "GET+POST", "manager"),
    Row("call_edit", "open", "GET+POST", "draft", _d, "draft"),
    Row("call_publish", "open", "POST", "draft post", _d, "draft"),
    Row("call_unpublish", "open", "POST", "manager post"),
    Row("call_delete", "open", "POST", "draft post", _d, "draft"),
    Row("call_criteria", "open", "GET", "manager"),
    Row("call_criteria", "open", "GET", "draft", _d, "draft"),
    Row("criterion_add", "open", "GET+POST", "manager"),
    Row("criterion_edit", "open", "GET+POST", "manager", _with(_c, **_item)),
    Row("criterion_remove", "open", "POST", "manager post", _with(_c, **_item)),
    Row("criterion_move", "open", "POST", "manager post", _with(_c, **_item)),
    Row("quota_add", "open", "GET+POST", "manager"),
    Row("quota_edit", "open", "GET+POST", "manager", _with(_c, **_quota)),
    Row("quota_remove", "open", "POST", "manager post", _with(_c, **_quota)),
    # -- applications --------------------------------------------------------------------------
    # Any representative of an organization of the program may apply (and superusers).
    Row(
        "apply",
        "open",
        "GET+POST",
        "apply",
    ),
    Row(
        "apply",
        "open",
        "GET+POST",
        "draft apply",
        _d,
        "draft",
    ),
    Row("my_applications", "open", "GET", "members", _p),
    Row("eligibility", "closed", "GET", "manager"),
    Row("eligibility_check", "closed", "POST", "manager post"),
    Row("application", "open", "GET", "app view", _a),
    Row("application", "closed", "GET", "app view reviewed", _a),
    Row("application", "published", "GET", "app view reviewed", _a),
    Row("application_edit", "open", "GET+POST", "app edit", _a),
    # After closing the editor sends the applicant to the application's page.
    Row(
        "application_edit",
        "closed",
        "GET+POST",
        "app closed edit",
        _a,
    ),
    Row("application_submit", "open", "GET+POST", "app edit redirect", _a),
    Row("application_withdraw", "open", "POST", "app edit post", _a),
    Row("eligibility_override", "closed", "GET+POST", "app decide", _a),
    Row(
        "application_version",
        "closed",
        "GET",
        "app versions",
        _with(_a, number=lambda w: 1),
    ),
    Row("application_partner_search", "open", "GET", "app edit redirect", _a),
    Row("application_partner_add", "open", "POST", "app edit post", _a),
    Row("application_partner_edit", "open", "POST", "app edit post", _with(_a, **_partner)),
    Row("application_partner_remove", "open", "POST", "app edit post", _with(_a, **_partner)),
    Row("application_attachment_add", "open", "POST", "app edit post", _a),
    Row("attachment", "closed", "GET", "app view reviewed", _with(_a, **_attachment)),
    Row("application_attachment_remove", "open", "POST", "app edit post", _with(_a, **_attachment)),
    # -- reviews -------------------------------------------------------------------------------
    Row("my_reviews", "closed", "GET", "members", _p),
    # The reviewer's submitted review: its reviewer writes, coordinators read.
    Row(
        "review",
        "closed",
        "GET",
        "review",
        _with(_p, assignment=lambda w: w.objects["review"].pk),
    ),
    # Assigned before the conflict was found, not submitted: nobody sees it, him least of all.
    Row(
        "review",
        "closed",
        "GET+POST",
        "review stale",
        _with(_p, assignment=lambda w: w.objects["stale"].pk),
        "conflicted",
    ),
    Row("review_overview", "closed", "GET", "manager"),
    Row("review_assign", "closed", "POST", "manager post"),
    Row("review_conflicts", "closed", "POST", "manager post"),
    Row(
        "review_extra",
        "closed",
        "POST",
        "manager post",
        _with(_c, application=lambda w: w.application.pk),
    ),
    # Pool members declare conflicts; a superuser outside the pool has nothing to declare.
    Row(
        "review_declare",
        "closed",
        "GET+POST",
        "declare",
    ),
    Row("review_pool", "closed", "GET+POST", "manager"),
    Row(
        "review_pool_edit",
        "closed",
        "GET+POST",
        "manager",
        _with(_c, reviewer=lambda w: w.reviewer.pk),
    ),
    Row(
        "review_pool_active",
        "closed",
        "POST",
        "manager post",
        _with(_c, reviewer=lambda w: w.reviewer.pk),
    ),
    # -- ranking -------------------------------------------------------------------------------
    Row("ranking", "closed", "GET", "manager"),
    Row("ranking", "published", "GET", "manager"),
    Row("allocation_run", "closed", "POST", "manager post"),
    Row("allocation_whatif", "closed", "GET+POST", "manager"),
    Row("call_decide", "closed", "POST", "manager post"),
    Row("call_publish_results", "decided", "POST", "manager post"),
    # -- awards --------------------------------------------------------------------------------
    Row("awards_dashboard", "decided", "GET", "manager"),
    Row("award", "decided", "GET", "award view", _aw),
    Row("award", "published", "GET", "award view", _aw),
    Row("award_letter", "decided", "GET", "award view", _aw),
    Row("award_dates", "decided", "GET+POST", "award manage", _aw),
    Row("award_schedule", "decided", "GET+POST", "award manage", _aw),
    Row(
        "disbursement_paid",
        "decided",
        "GET+POST",
        "award manage",
        _with(_aw, item=lambda w: w.objects["disbursement"].pk),
    ),
    Row("milestone_add", "decided", "GET+POST", "award report", _aw),
    Row(
        "milestone_edit",
        "decided",
        "GET+POST",
        "award report",
        _with(_aw, item=lambda w: w.objects["milestone"].pk),
    ),
    Row(
        "milestone_reach",
        "decided",
        "GET+POST",
        "award report",
        _with(_aw, item=lambda w: w.objects["milestone"].pk),
    ),
    Row(
        "milestone_remove",
        "decided",
        "POST",
        "award report post",
        _with(_aw, item=lambda w: w.objects["milestone"].pk),
    ),
    Row("expense_add", "decided", "GET+POST", "award report", _aw),
    Row(
        "expense_review",
        "decided",
        "GET+POST",
        "award manage",
        _with(_aw, item=lambda w: w.objects["expense"].pk),
    ),
    Row(
        "award_receipt",
        "decided",
        "GET",
        "award view",
        _with(_aw, item=lambda w: w.objects["expense"].pk),
    ),
    Row("final_report", "decided", "GET+POST", "award report", _aw),
    Row("final_report_accept", "decided", "POST", "award manage post", _aw),
    # -- open data -----------------------------------------------------------------------------
    Row("opendata", "decided", "GET", "everyone", _p),
    Row("opendata_program_360giving", "decided", "GET", "unpublished all", _p),
    Row("opendata_program_360giving", "published", "GET", "everyone", _p),
    Row("opendata_call_360giving", "decided", "GET", "unpublished data"),
    Row("opendata_call_360giving", "published", "GET", "everyone"),
    Row("opendata_call_csv", "decided", "GET", "unpublished data"),
    Row("opendata_call_csv", "published", "GET", "everyone"),
    Row("opendata_call_pb", "decided", "GET", "unpublished data"),
    Row("opendata_call_pb", "published", "GET", "everyone"),
    Row("opendata_import_votes", "closed", "GET+POST", "manager"),
]

API = "/api/v1/programs/{slug}/calls"
API_ROWS: list[Row] = [
    Row(API, "open", "GET", "everyone"),
    Row(API + "/{call_id}", "open", "GET", "everyone"),
    # Drafts do not exist in the API, not even for coordinators.
    Row(API + "/{call_id}", "open", "GET", "api nowhere", note="draft"),
    Row(API + "/{call_id}", "decided", "GET", "everyone"),
    Row(API + "/{call_id}/awards", "decided", "GET", "api hidden"),
    Row(API + "/{call_id}/awards", "published", "GET", "everyone"),
]


# -- how a cell is checked --------------------------------------------------------------------


def _check(row: Row, world: Funds, url: str) -> None:
    expected = row.expected
    got: dict[str, str] = {}
    if row.method != "POST":
        for who in USERS:
            got[who] = outcome(client_for(world.users[who]).get(url))
    else:
        got = {who: "ok" for who, code in expected.items() if code == "ok"}
    if row.method in ("POST", "GET+POST"):
        before = fingerprint("funds", ties=False)
        posted: dict[str, str] = {}
        for who, code in expected.items():
            if code in REFUSALS:
                posted[who] = outcome(client_for(world.users[who]).post(url, {}))
        if row.method == "POST":
            got.update(posted)
        else:
            wrong = {who: code for who, code in posted.items() if code != expected[who]}
            assert not wrong, f"POST {url}: {wrong} (GET refusals were {expected})"
        assert fingerprint("funds", ties=False) == before, (
            f"a refused POST to {url} changed something"
        )
    mismatches = {
        who: f"got {got[who]}, expected {expected[who]}"
        for who in USERS
        if got[who] != expected[who]
    }
    assert not mismatches, f"{row.method} {url}: {mismatches}"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_page(row: Row) -> None:
    world = build(row.state)
    url = reverse(f"funds:{row.name}", kwargs=row.args(world))
    _check(row, world, url)


@pytest.mark.parametrize("row", API_ROWS, ids=[row.id for row in API_ROWS])
def test_api(row: Row) -> None:
    world = build(row.state)
    call = world.draft_call if row.note == "draft" else world.call
    url = row.name.format(slug=world.slug, call_id=call.pk)
    _check(row, world, url)


# -- nothing left out -------------------------------------------------------------------------


def test_every_funds_page_has_a_row() -> None:
    names = url_names("funds")
    assert len(names) > 50, names
    assert names - {row.name for row in ROWS} == set()
    assert {row.name for row in ROWS} - names == set(), "rows of pages that do not exist"


def test_every_funds_api_endpoint_has_a_row() -> None:
    paths = {
        f"/api/v1{path}"
        for path, view in funds_router.path_operations.items()
        for operation in view.operations
        if "GET" in operation.methods
    }
    other = {
        operation.methods[0]
        for view in funds_router.path_operations.values()
        for operation in view.operations
        if "GET" not in operation.methods
    }
    assert not other, "write endpoints need POST rows"
    assert paths == {row.name for row in API_ROWS}


# -- what the public reads before and after the results ---------------------------------------


@pytest.mark.parametrize("state", ["decided", "published"])
def test_the_public_reads_the_results_only_once_published(state: str) -> None:
    world = build(state)
    award = world.objects["award"]
    page = client_for(world.users["anon"]).get(reverse("funds:call", kwargs=_c(world)))
    assert page.status_code == 200
    api = client_for(world.users["stranger"]).get(
        API.format(slug=world.slug) + f"/{world.call.pk}/awards"
    )
    shown = world.application.title in page.content.decode()
    if state == "published":
        assert shown, "the published call page lists the funded project"
        assert api.status_code == 200 and api.json()["items"][0]["amount"] == float(award.amount)
    else:
        assert not shown, "the call page shows a result the committee has not published"
        assert api.status_code == 404
