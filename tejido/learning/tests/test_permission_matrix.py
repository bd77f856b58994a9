# mypy: disable-error-code="arg-type,attr-defined,list-item,misc,union-attr"
"""The permission matrix of the whole learning module: every page (`learning:*`, read from the
URL resolver so that a new view without a row fails), for eight kinds of user, in a public
program and (for the pages where it matters) in a program that is not public.

Cells, as a user reads them:
    200    the page (or file)
    302    a redirect that is not the login (e.g. enrolling in a closed cohort)
    login  anonymous visitor sent to log in
    400    the request itself is wrong (a malformed certificate code)
    403    forbidden: the user sees the thing but may not do this
    404    hidden: for this user the thing does not exist
    ok     POST-only action the user may do (not sent: the matrix checks refusals only)

Rows marked POST also send a POST (empty form) as every user refused on GET: the answer must
be the same refusal and nothing may change (rows of every learning model, the audit log, the
ties, the mail outbox).

The world (one per test): a program with two organizations, A and B, each with a
representative; a person of A enrolled (for A) in a planned cohort and in a closed cohort where
she completed and holds a certificate; a facilitator of both cohorts (a trainer from outside,
with no role in the program); a published course with a module and a draft course; a
competency; a draft, a published public and a published members-only experience told by A
(the members-only one with an evidence file), a comment; an exchange meeting; published public,
published members-only and draft library items, each with a file (the public one with a link).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Program
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.core.tests.matrix import client_for, fingerprint, outcome, url_names
from tejido.learning import search
from tejido.learning.attendance import codes
from tejido.learning.models import (
    Attendance,
    CohortStatus,
    EnrolmentStatus,
    EvidenceFile,
    ItemFile,
    ItemLink,
    PublicationStatus,
    Visibility,
)

from .factories import (
    CertificateFactory,
    CohortFactory,
    CommentFactory,
    CompetencyFactory,
    CourseFactory,
    EnrolmentFactory,
    ExchangeFactory,
    ExperienceFactory,
    LearningSettingsFactory,
    LibraryItemFactory,
    ModuleFactory,
    SessionFactory,
    coordinator_of,
    member_of,
    person_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

USERS = ("anon", "stranger", "member", "rep", "other", "facil", "coord", "su")
REFUSALS = {"login", "403", "404"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Learning:
    """The world of one test: who is who and the objects the URLs name."""

    program: Program
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.program.slug

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def build(state: str) -> Learning:
    cache.clear()  # the public verification counts misses per address
    program = ProgramFactory(is_public=state == "public")
    territory = TerritoryFactory(name="La Pintana")
    org_a = ActorFactory(program=program, name="Junta de Vecinos El Roble", territory=territory)
    org_b = ActorFactory(program=program, name="Olla Común Los Aromos", territory=territory)
    rep = representative_of(org_a)
    other = representative_of(org_b)
    coord = coordinator_of(program)
    facil = UserFactory(first_name="Tomás", last_name="Facilitador")
    users = {
        "anon": None,
        "stranger": UserFactory(),
        "member": member_of(program),
        "rep": rep,
        "other": other,
        "facil": facil,
        "coord": coord,
        "su": UserFactory(is_superuser=True, is_staff=True),
    }
    settings_row = LearningSettingsFactory(program=program)
    competency = CompetencyFactory(program=program)
    course = CourseFactory(program=program)
    course.competencies.add(competency)
    module = ModuleFactory(course=course)
    draft_course = CourseFactory(program=program, is_published=False, title="Curso en preparación")
    person = person_in(org_a, name="Rosa Huenchumilla")

    today = timezone.localdate()
    planned = CohortFactory(
        course=course,
        name="Cohorte de otoño",
        starts_on=today + datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
    )
    planned.facilitators.add(facil)
    session = SessionFactory(
        cohort=planned, starts_at=timezone.now() + datetime.timedelta(days=10), module=module
    )
    enrolment = EnrolmentFactory(cohort=planned, person=person, organization=org_a)

    closed = CohortFactory(course=course, name="Cohorte de verano", status=CohortStatus.CLOSED)
    closed.facilitators.add(facil)
    held = SessionFactory(cohort=closed)
    completed = EnrolmentFactory(
        cohort=closed, person=person, organization=org_a, status=EnrolmentStatus.COMPLETED
    )
    Attendance.objects.create(session=held, enrolment=completed, present=True)
    certificate = CertificateFactory(enrolment=completed, code=codes.new_code())

    draft_experience = ExperienceFactory(
        program=program,
        organization=org_a,
        author=rep,
        status=PublicationStatus.DRAFT,
        published_at=None,
        title="Borrador de una feria",
    )
    public_experience = ExperienceFactory(program=program, organization=org_a, author=rep)
    members_experience = ExperienceFactory(
        program=program, organization=org_a, author=rep, visibility=Visibility.MEMBERS
    )
    evidence = EvidenceFile.objects.create(
        experience=members_experience,
        file=ContentFile(PDF, name="acta.pdf"),
        name="acta.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    comment = CommentFactory(experience=public_experience, author=users["member"])
    exchange = ExchangeFactory(program=program)
    exchange.participants.add(org_a, org_b)

    items = {
        "public_item": LibraryItemFactory(program=program, created_by=coord),
        "members_item": LibraryItemFactory(
            program=program, created_by=coord, visibility=Visibility.MEMBERS
        ),
        "draft_item": LibraryItemFactory(
            program=program, created_by=rep, status=PublicationStatus.DRAFT, published_on=None
        ),
    }
    files = {
        f"{name}_file": ItemFile.objects.create(
            item=row,
            file=ContentFile(PDF, name="informe.pdf"),
            name="informe.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
        for name, row in items.items()
    }
    search.reindex([*items.values()])
    search.reindex([draft_experience, public_experience, members_experience])
    link = ItemLink.objects.create(
        item=items["public_item"], url="https://example.org/informe", label="Informe en línea"
    )
    mail.outbox.clear()
    return Learning(
        program=program,
        users=users,
        objects={
            "settings": settings_row,
            "competency": competency,
            "course": course,
            "module": module,
            "draft_course": draft_course,
            "person": person,
            "planned": planned,
            "session": session,
            "enrolment": enrolment,
            "closed": closed,
            "held": held,
            "completed": completed,
            "certificate": certificate,
            "draft_experience": draft_experience,
            "public_experience": public_experience,
            "members_experience": members_experience,
            "evidence": evidence,
            "comment": comment,
            "exchange": exchange,
            "link": link,
            **items,
            **files,
        },
    )


# -- the matrix -------------------------------------------------------------------------------

Args = Callable[[Learning], dict[str, Any]]


def _p(w: Learning) -> dict[str, Any]:
    return {"program": w.slug}


def _pk(name: str, **extra: Callable[[Learning], Any]) -> Args:
    return lambda w: {"program": w.slug, "pk": w[name].pk, **{k: f(w) for k, f in extra.items()}}


def _code(value: Callable[[Learning], str]) -> Args:
    return lambda w: {"code": value(w)}


def _forged() -> str:
    """A well-formed code (its check character is right) that no certificate holds."""
    return codes.new_code()


@dataclass(frozen=True)
class Row:
    name: str  # URL name without "learning:"
    method: str  # GET, GET+POST (GET, then POST as the refused), POST (POST-only)
    cells: str  # a key of CELLS
    args: Args
    note: str = ""
    state: str = "public"
    query: str = ""

    @property
    def expected(self) -> dict[str, str]:
        codes_ = CELLS[self.cells].split()
        assert len(codes_) == len(USERS), f"{self.name}: {len(codes_)} cells"
        return dict(zip(USERS, codes_, strict=True))

    @property
    def id(self) -> str:
        return f"{self.name}[{self.state}{'-' + self.note if self.note else ''}]"


# Who gets what, by kind of page. One line per user kind, in the order of USERS.
# fmt: off
CELLS = {
    #                     anon   strgr  membr  rep    other  facil  coord  super
    "everyone":          "200    200    200    200    200    200    200    200",
    "nobody":            "404    404    404    404    404    404    404    404",
    "malformed":         "400    400    400    400    400    400    400    400",
    # Members-only content, and what the program's members alone may do.
    "members":           "login  404    200    200    200    404    200    200",
    "members post":      "login  404    ok     ok     ok     404    ok     ok",
    "take part":         "login  403    200    200    200    403    200    200",
    "take part post":    "login  403    ok     ok     ok     403    ok     ok",
    # What coordinators (and superusers) run.
    "manager":           "login  403    403    403    403    403    200    200",
    "manager post":      "login  403    403    403    403    403    ok     ok",
    # A draft course exists only for those who manage the program's training.
    "draft course":      "login  404    404    404    404    404    200    200",
    # Representatives speak for their organizations (enrol, tell an experience, add an item).
    "speakers":          "login  403    403    200    200    403    200    200",
    "speakers closed":   "login  403    403    302    302    403    302    302",
    # The facilitators take attendance with the coordinators.
    "attendance":        "login  403    403    403    403    200    200    200",
    # A person's enrolment in organization A and its certificate. The cohort's facilitator sees
    # the enrolment (she takes its attendance) but neither withdraws it (the service refuses,
    # the view redirects to the cohort with the reason) nor reads or revokes the certificate.
    "enrolment post":    "login  404    404    ok     404    302    ok     ok",
    "certificate":       "login  404    404    200    404    403    200    200",
    "revoke":            "login  404    404    403    404    403    200    200",
    # Organization A's experience (told by its representative), and a draft of it.
    "own edit":          "login  403    403    200    403    403    200    200",
    "own draft":         "login  404    404    200    404    404    200    200",
    "own draft post":    "login  404    404    ok     404    404    ok     ok",
    # A program that is not public: only its members (and superusers) know it exists.
    "private":           "login  404    200    200    200    404    200    200",
    "private manager":   "login  404    403    403    403    404    200    200",
    "private draft":     "login  404    404    200    404    404    200    200",
}
# fmt: on

ROWS: list[Row] = [
    # -- training ------------------------------------------------------------------------------
    Row("hub", "GET", "everyone", _p),
    Row("courses", "GET", "everyone", _p),
    Row("course_create", "GET+POST", "manager", _p),
    Row("course", "GET", "everyone", _pk("course")),
    Row("course", "GET", "draft course", _pk("draft_course"), "draft"),
    Row("course_edit", "GET+POST", "manager", _pk("course")),
    Row("course_edit", "GET+POST", "draft course", _pk("draft_course"), "draft"),
    Row("module_add", "POST", "manager post", _pk("course")),
    Row("module_edit", "GET+POST", "manager", _pk("module")),
    Row("module_remove", "POST", "manager post", _pk("module")),
    Row("module_move", "POST", "manager post", _pk("module")),
    Row("competencies", "GET+POST", "manager", _p),
    Row("competency_edit", "GET+POST", "manager", _pk("competency")),
    Row("cohort_create", "GET+POST", "manager", _pk("course")),
    Row("cohort", "GET", "everyone", _pk("planned")),
    Row("cohort", "GET", "everyone", _pk("closed"), "closed"),
    Row("cohort_edit", "GET+POST", "manager", _pk("planned")),
    Row("session_add", "GET+POST", "manager", _pk("planned")),
    Row("session_edit", "GET+POST", "manager", _pk("session")),
    Row("session_remove", "POST", "manager post", _pk("session")),
    Row("enrol", "GET+POST", "speakers", _pk("planned")),
    Row("enrol", "GET+POST", "speakers closed", _pk("closed"), "closed"),
    Row("enrolment_withdraw", "POST", "enrolment post", _pk("enrolment")),
    Row("cohort_ics", "GET", "everyone", _pk("planned")),
    Row("calendar", "GET", "everyone", _p),
    Row(
        "calendar_feed",
        "GET",
        "everyone",
        lambda w: {"program": w.slug, "token": w["settings"].calendar_token},
    ),
    Row(
        "calendar_feed",
        "GET",
        "nobody",
        lambda w: {"program": w.slug, "token": w["settings"].calendar_token[:-1] + "x"},
        "wrong token",
    ),
    # -- attendance and certificates -----------------------------------------------------------
    Row("attendance", "GET", "attendance", _pk("planned")),
    Row("session_attendance", "GET+POST", "attendance", _pk("session")),
    Row("cohort_close", "GET+POST", "manager", _pk("planned")),
    Row("certificate_pdf", "GET", "certificate", _pk("completed")),
    Row("certificate_revoke", "GET+POST", "revoke", _pk("completed")),
    Row("person_record", "GET", "members", _pk("person")),
    Row("settings", "GET+POST", "manager", _p),
    Row("verify", "GET", "everyone", lambda w: {}),
    Row("verify", "GET", "malformed", lambda w: {}, "malformed", query="code=TJD-1234"),
    Row("verify_code", "GET", "everyone", _code(lambda w: w["certificate"].code)),
    Row("verify_code", "GET", "nobody", _code(lambda w: _forged()), "forged"),
    Row("verify_code", "GET", "malformed", _code(lambda w: "TJD-0000-0000-000X"), "malformed"),
    # -- the learning community ----------------------------------------------------------------
    Row("experiences", "GET", "everyone", _p),
    Row("experience_create", "GET+POST", "speakers", _p),
    Row("experience", "GET", "everyone", _pk("public_experience")),
    Row("experience", "GET", "members", _pk("members_experience"), "members"),
    Row("experience", "GET", "own draft", _pk("draft_experience"), "draft"),
    Row("experience_edit", "GET+POST", "own edit", _pk("public_experience")),
    Row("experience_edit", "GET+POST", "own draft", _pk("draft_experience"), "draft"),
    Row("experience_publish", "POST", "own draft post", _pk("draft_experience"), "draft"),
    Row(
        "evidence_file",
        "GET",
        "members",
        _pk("members_experience", file=lambda w: w["evidence"].pk),
    ),
    Row("comment_add", "POST", "take part post", _pk("public_experience")),
    Row("comment_add", "POST", "members post", _pk("members_experience"), "members"),
    Row("react", "POST", "take part post", _pk("public_experience")),
    Row("react", "POST", "members post", _pk("members_experience"), "members"),
    Row("comment_hide", "POST", "manager post", _pk("comment")),
    Row("exchanges", "GET", "everyone", _p),
    Row("exchange_create", "GET+POST", "manager", _p),
    Row("exchange", "GET", "everyone", _pk("exchange")),
    Row("exchange_edit", "GET+POST", "manager", _pk("exchange")),
    Row("digest", "GET+POST", "take part", _p),
    # -- the knowledge library -----------------------------------------------------------------
    Row("library", "GET", "everyone", _p),
    Row("item_create", "GET+POST", "speakers", _p),
    Row("item", "GET", "everyone", _pk("public_item")),
    Row("item", "GET", "members", _pk("members_item"), "members"),
    Row("item", "GET", "own draft", _pk("draft_item"), "draft"),
    Row("item_edit", "GET+POST", "manager", _pk("public_item")),
    Row("item_edit", "GET+POST", "own draft", _pk("draft_item"), "draft"),
    Row("item_publish", "POST", "manager post", _pk("public_item")),
    Row("item_publish", "POST", "own draft post", _pk("draft_item"), "draft"),
    Row(
        "item_file",
        "GET",
        "everyone",
        _pk("public_item", file_pk=lambda w: w["public_item_file"].pk),
    ),
    Row(
        "item_file",
        "GET",
        "members",
        _pk("members_item", file_pk=lambda w: w["members_item_file"].pk),
        "members",
    ),
    Row(
        "item_file",
        "GET",
        "own draft",
        _pk("draft_item", file_pk=lambda w: w["draft_item_file"].pk),
        "draft",
    ),
    Row(
        "item_file_remove",
        "POST",
        "manager post",
        _pk("public_item", file_pk=lambda w: w["public_item_file"].pk),
    ),
    Row(
        "item_link_remove",
        "POST",
        "manager post",
        _pk("public_item", link_pk=lambda w: w["link"].pk),
    ),
    # -- a program that is not public ----------------------------------------------------------
    Row("hub", "GET", "private", _p, state="private"),
    Row("course", "GET", "private", _pk("course"), state="private"),
    Row("cohort", "GET", "private", _pk("planned"), state="private"),
    Row("cohort_ics", "GET", "private", _pk("planned"), state="private"),
    Row("course_edit", "GET+POST", "private manager", _pk("course"), state="private"),
    Row("experiences", "GET", "private", _p, state="private"),
    # Told as public, but the program is not: members only.
    Row("experience", "GET", "private", _pk("public_experience"), state="private"),
    Row("experience", "GET", "private draft", _pk("draft_experience"), "draft", state="private"),
    Row("comment_add", "POST", "members post", _pk("public_experience"), state="private"),
    Row("exchange", "GET", "private", _pk("exchange"), state="private"),
    Row("library", "GET", "private", _p, state="private"),
    Row("item", "GET", "private", _pk("public_item"), state="private"),
    Row(
        "item_file",
        "GET",
        "private",
        _pk("public_item", file_pk=lambda w: w["public_item_file"].pk),
        state="private",
    ),
    # Calendar applications cannot log in: the secret in the address opens the feed.
    Row(
        "calendar_feed",
        "GET",
        "everyone",
        lambda w: {"program": w.slug, "token": w["settings"].calendar_token},
        state="private",
    ),
    # A certificate is checked by anyone who holds its code, whatever its program.
    Row("verify_code", "GET", "everyone", _code(lambda w: w["certificate"].code), state="private"),
]


# -- how a cell is checked --------------------------------------------------------------------


def _check(row: Row, world: Learning, url: str) -> None:
    expected = row.expected
    got: dict[str, str] = {}
    if row.method != "POST":
        for who in USERS:
            got[who] = outcome(client_for(world.users[who]).get(url))
    else:
        got = {who: "ok" for who, code in expected.items() if code == "ok"}
    if row.method in ("POST", "GET+POST"):
        before = fingerprint("learning")
        posted: dict[str, str] = {}
        for who, code in expected.items():
            # POST-only rows send every cell but "ok"; a 302 there is a refusal the view
            # answers with a message (and the fingerprint proves nothing changed).
            if code in REFUSALS or (row.method == "POST" and code != "ok"):
                posted[who] = outcome(client_for(world.users[who]).post(url, {}))
        if row.method == "POST":
            got.update(posted)
        else:
            wrong = {who: code for who, code in posted.items() if code != expected[who]}
            assert not wrong, f"POST {url}: {wrong} (GET refusals were {expected})"
        assert fingerprint("learning") == before, f"a refused POST to {url} changed something"
    mismatches = {
        who: f"got {got[who]}, expected {expected[who]}"
        for who in USERS
        if got[who] != expected[who]
    }
    assert not mismatches, f"{row.method} {url}: {mismatches}"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_page(row: Row) -> None:
    world = build(row.state)
    url = reverse(f"learning:{row.name}", kwargs=row.args(world))
    if row.query:
        url = f"{url}?{row.query}"
    _check(row, world, url)


# -- nothing left out -------------------------------------------------------------------------


def test_every_learning_page_has_a_row() -> None:
    names = url_names("learning")
    assert len(names) > 40, names
    assert names - {row.name for row in ROWS} == set()
    assert {row.name for row in ROWS} - names == set(), "rows of pages that do not exist"


# -- what each kind of user reads ------------------------------------------------------------


def test_names_of_people_only_for_members() -> None:
    """The cohort page is public; the names of the people enrolled are not."""
    world = build("public")
    url = reverse("learning:cohort", kwargs=_pk("planned")(world))
    name = world["person"].name
    for who, shown in (("anon", False), ("stranger", False), ("member", True), ("coord", True)):
        page = client_for(world.users[who]).get(url).content.decode()
        assert (name in page) is shown, who


def test_the_listings_show_only_what_each_user_may_read() -> None:
    world = build("public")
    experiences = reverse("learning:experiences", kwargs=_p(world))
    library = reverse("learning:library", kwargs=_p(world))
    draft_experience = world["draft_experience"].title
    members_item = world["members_item"].title
    draft_item = world["draft_item"].title
    for who in USERS:
        listed = client_for(world.users[who]).get(experiences).content.decode()
        # Drafts are listed only to those who may finish them: their organization.
        assert (draft_experience in listed) is (who == "rep"), who
        shelf = client_for(world.users[who]).get(library).content.decode()
        member = who in ("member", "rep", "other", "coord", "su")
        assert (members_item in shelf) is member, who
        assert (draft_item in shelf) is (who in ("rep", "coord", "su")), who


def test_a_refused_certificate_download_says_nothing_of_the_holder() -> None:
    world = build("public")
    url = reverse("learning:certificate_pdf", kwargs=_pk("completed")(world))
    response = client_for(world.users["other"]).get(url)
    assert response.status_code == 404
    assert world["person"].name not in response.content.decode()
    assert world["certificate"].code not in response.content.decode()
