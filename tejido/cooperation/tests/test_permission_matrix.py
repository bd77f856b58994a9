# mypy: disable-error-code="arg-type,attr-defined,list-item,misc,union-attr"
"""The permission matrix of the whole cooperation module: every page (`cooperation:*`, read
from the URL resolver so that a new view without a row fails), for eight kinds of user, in a
public program and (for the pages where it matters) in a program that is not public.

Cells, as a user reads them:
    200    the page (or file)
    302    a redirect that is not the login (the view refuses with a message, or goes on)
    login  anonymous visitor sent to log in
    403    forbidden: the user sees the thing but may not do this
    404    hidden: for this user the thing does not exist
    405    the page takes no GET
    ok     POST-only action the user may do (not sent: the matrix checks refusals only)

Rows marked GET+POST also send a POST (empty form) as every user refused on GET: the answer
must be the same refusal. POST rows send a POST from every user whose cell is not "ok". Either
way nothing may change: rows of every cooperation model, the ties, the audit log, the outbox.

Users: anonymous; a stranger (logged in, no role); a member of the program (a role, no
organization); the representative of organization A (the entity every object belongs to:
listing, agreement's provider, consortium's lead, project's lead partner, transfer offer's
provider, the space's and the mission's participant); the representative of organization B
(another entity of the program, no part in anything); the program's coordinator; the
coordinator of another program; a superuser.

The world (one per test): organizations A, B and C of the program (C has its own
representative, outside the matrix: it receives A's service and A's transfer, and is invited to
A's consortium); an offer of A; an agreement A→C; a consortium led by A (created by A's
representative) with C invited, a step and a document; a joint project led by A with C as
partner; a transfer offer of A and a transfer to C; a reflection space (created by the
coordinator) where A takes part, with an item and a group; a published space; a study mission
(created by the coordinator, over) where A took part, with a contact.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import (
    ChecklistItem,
    ConsortiumDocument,
    MemberRole,
    MemberStatus,
    PartnerRole,
    SpaceStatus,
)
from tejido.core.models import Program
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.core.tests.matrix import client_for, fingerprint, outcome, url_names

from .factories import (
    AgendaItemFactory,
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ItemGroupFactory,
    JointProjectFactory,
    MissionContactFactory,
    MissionParticipantFactory,
    ProjectPartnerFactory,
    ReflectionSpaceFactory,
    ServiceAgreementFactory,
    ServiceListingFactory,
    SpaceParticipantFactory,
    StudyMissionFactory,
    TransferFactory,
    TransferOfferFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db

USERS = ("anon", "stranger", "member", "rep", "other", "coord", "ocoord", "su")
REFUSALS = {"login", "403", "404"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """The world of one test: who is who and the objects the URLs name."""

    program: Program
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.program.slug

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def build(state: str) -> World:
    program = ProgramFactory(is_public=state == "public")
    territory = TerritoryFactory(name="Valparaíso")
    program.territories.add(territory)
    org_a = ActorFactory(program=program, name="Junta de Vecinos Cerro Alegre", territory=territory)
    org_b = ActorFactory(program=program, name="Olla Común Los Aromos", territory=territory)
    org_c = ActorFactory(
        program=program, name="CESFAM Cordillera", territory=territory, sector=Sector.PUBLIC
    )
    rep = representative_of(org_a)
    representative_of(org_c)
    coord = coordinator_of(program)
    other_program = ProgramFactory()
    users = {
        "anon": None,
        "stranger": UserFactory(),
        "member": member_of(program),
        "rep": rep,
        "other": representative_of(org_b),
        "coord": coord,
        "ocoord": coordinator_of(other_program),
        "su": UserFactory(is_superuser=True, is_staff=True),
    }
    offer = ServiceListingFactory(program=program, actor=org_a, territory=territory, created_by=rep)
    agreement = ServiceAgreementFactory(offer=offer, receiver=org_c)

    consortium = ConsortiumFactory(program=program, lead=org_a, created_by=rep)
    lead_member = ConsortiumMemberFactory(
        consortium=consortium, actor=org_a, role=MemberRole.LEAD, status=MemberStatus.JOINED
    )
    invitation = ConsortiumMemberFactory(
        consortium=consortium, actor=org_c, role=MemberRole.PARTNER, status=MemberStatus.INVITED
    )
    step = ChecklistItem.objects.create(consortium=consortium, label="Cartas de compromiso")
    document = ConsortiumDocument.objects.create(
        consortium=consortium, title="Anexo técnico", file=ContentFile(PDF, name="anexo.pdf")
    )

    project = JointProjectFactory(program=program, created_by=rep)
    ProjectPartnerFactory(project=project, actor=org_a, role=PartnerRole.LEAD)
    partner = ProjectPartnerFactory(project=project, actor=org_c, role=PartnerRole.PARTNER)
    transfer_offer = TransferOfferFactory(program=program, provider=org_a)
    transfer = TransferFactory(offer=transfer_offer, receiver=org_c)

    space = ReflectionSpaceFactory(program=program, created_by=coord)
    SpaceParticipantFactory(space=space, actor=org_a)
    group = ItemGroupFactory(space=space)
    item = AgendaItemFactory(space=space, raised_by=org_a)
    published = ReflectionSpaceFactory(
        program=program,
        created_by=coord,
        status=SpaceStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    SpaceParticipantFactory(space=published, actor=org_a)

    today = timezone.localdate()
    mission = StudyMissionFactory(
        program=program,
        created_by=coord,
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today - datetime.timedelta(days=15),
    )
    participant = MissionParticipantFactory(mission=mission, actor=org_a)
    contact = MissionContactFactory(participant=participant, contact=org_b)
    mail.outbox.clear()
    return World(
        program=program,
        users=users,
        objects={
            "org_a": org_a,
            "org_b": org_b,
            "org_c": org_c,
            "offer": offer,
            "agreement": agreement,
            "consortium": consortium,
            "lead_member": lead_member,
            "invitation": invitation,
            "step": step,
            "document": document,
            "project": project,
            "partner": partner,
            "transfer_offer": transfer_offer,
            "transfer": transfer,
            "space": space,
            "group": group,
            "item": item,
            "published": published,
            "mission": mission,
            "participant": participant,
            "contact": contact,
        },
    )


# -- the matrix -------------------------------------------------------------------------------

Args = Callable[[World], dict[str, Any]]


def _p(w: World) -> dict[str, Any]:
    return {"program": w.slug}


def _pk(name: str, **extra: str) -> Args:
    """The object `name` as `pk`, and other objects of the world as further arguments."""
    return lambda w: {"program": w.slug, "pk": w[name].pk, **{k: w[v].pk for k, v in extra.items()}}


def _actor(name: str) -> Args:
    return lambda w: {"program": w.slug, "actor": w[name].pk}


ARGS: dict[str, Args] = {
    "hub": _p,
    "board": _p,
    "entity_board": _actor("org_a"),
    "services": _p,
    "service_new": _p,
    "service": _pk("offer"),
    "service_edit": _pk("offer"),
    "service_status": _pk("offer"),
    "service_request": _pk("offer"),
    "agreement": _pk("agreement"),
    "agreement_decide": _pk("agreement"),
    "consortia": _p,
    "consortium_new": _p,
    "consortium": _pk("consortium"),
    "consortium_edit": _pk("consortium"),
    "consortium_partners": _pk("consortium"),
    "consortium_member": _pk("consortium", member="invitation"),
    "consortium_answer": _pk("consortium", member="invitation"),
    "consortium_member_remove": _pk("consortium", member="invitation"),
    "consortium_step_add": _pk("consortium"),
    "consortium_step_toggle": _pk("consortium", step="step"),
    "consortium_step_remove": _pk("consortium", step="step"),
    "consortium_document_add": _pk("consortium"),
    "consortium_document": _pk("consortium", document="document"),
    "consortium_submit": _pk("consortium"),
    "consortium_outcome": _pk("consortium"),
    "consortium_withdraw": _pk("consortium"),
    "projects": _p,
    "project_new": _p,
    "project": _pk("project"),
    "project_edit": _pk("project"),
    "project_status": _pk("project"),
    "project_partner_add": _pk("project"),
    "project_partner_edit": _pk("project", partner="partner"),
    "project_partner_remove": _pk("project", partner="partner"),
    "transfers": _p,
    "transfer_offer_new": _p,
    "transfer_offer": _pk("transfer_offer"),
    "transfer_offer_open": _pk("transfer_offer"),
    "transfer_request": _pk("transfer_offer"),
    "transfer_decide": _pk("transfer"),
    "transfer_complete": _pk("transfer"),
    "agendas": _p,
    "agenda_new": _p,
    "agenda": _pk("space"),
    "agenda_join": _pk("space"),
    "agenda_item_new": _pk("space"),
    "agenda_item_assign": _pk("space", item="item"),
    "agenda_group_new": _pk("space"),
    "agenda_group_edit": _pk("space", group="group"),
    "agenda_comment": _pk("space", group="group"),
    "agenda_prioritize_open": _pk("space"),
    "agenda_input": _pk("space"),
    "agenda_prioritize_close": _pk("space"),
    "agenda_publish": _pk("space"),
    "agenda_published": _pk("published"),
    "agenda_endorse": _pk("published"),
    "agenda_pdf": _pk("published"),
    "missions": _p,
    "mission_new": _p,
    "mission": _pk("mission"),
    "mission_edit": _pk("mission"),
    "mission_travellers": _pk("mission"),
    "mission_contacts": _pk("mission"),
    "mission_follow_up": _pk("mission"),
}


@dataclass(frozen=True)
class Row:
    name: str  # URL name without "cooperation:"
    method: str  # GET, GET+POST (GET, then POST as the refused), POST (POST-only)
    cells: str  # a key of CELLS
    args: Args | None = None  # ARGS[name] unless given
    note: str = ""

    def expected(self, state: str) -> dict[str, str]:
        codes = CELLS[self.cells].split()
        assert len(codes) == len(USERS), f"{self.name}: {len(codes)} cells"
        cells = dict(zip(USERS, codes, strict=True))
        if state == "private":
            # A program that is not public: only its members (and superusers) know it exists.
            cells["anon"] = "login"
            cells["stranger"] = cells["ocoord"] = "404"
        return cells

    def id(self, state: str) -> str:
        return f"{self.name}[{state}{'-' + self.note if self.note else ''}]"


# Who gets what, by kind of page, in a public program (`Row.expected` derives the private
# program's cells). One column per user kind, in the order of USERS.
# fmt: off
CELLS = {
    #                      anon   strgr  membr  rep    other  coord  ocoord super
    "everyone":           "200    200    200    200    200    200    200    200",
    # The program's members only (the program board, the list of consortia).
    "members":            "login  403    200    200    200    200    403    200",
    # What representatives of any organization of the program (and coordinators) start.
    "speakers":           "login  403    403    200    200    200    403    200",
    # Organization A's own things: its board, its listing, the project it leads, the mission
    # it took part in; its representative and the coordinators.
    "entity":             "login  403    403    200    403    200    403    200",
    "entity post":        "login  403    403    ok     403    ok     403    ok",
    # What only the coordinators run (missions, a space's groups).
    "manager":            "login  403    403    403    403    200    403    200",
    "manager post":       "login  403    403    403    403    ok     403    ok",
    # An agreement exists only for its two parties and the coordinators.
    "agreement":          "login  404    404    200    404    200    404    200",
    # A consortium: its existence for the program's members, its work for its members.
    "consortium":         "login  404    200    200    200    200    404    200",
    "consortium manage":  "login  404    403    200    403    200    404    200",
    "consortium post":    "login  404    403    ok     403    ok     404    ok",
    # -- POST-only rows: the answer to an empty form ---------------------------------------
    # Requesting someone's service: A may not ask its own offer (a message at the form).
    "request":            "login  403    403    400    400    400    403    400",
    "transfer request":   "login  403    403    400    400    403    403    400",
    # An empty decision names no action: the parties are sent back with a message.
    "decide":             "login  404    404    302    404    302    404    302",
    "decide transfer":    "login  403    403    302    403    302    403    302",
    # The invitation is C's to answer (superusers may do anything).
    "answer":             "login  404    403    403    403    403    404    ok",
    "consortium 400":     "login  404    403    400    403    400    404    400",
    "consortium 302":     "login  404    403    302    403    302    404    302",
    "entity 400":         "login  403    403    400    403    400    403    400",
    "entity 302":         "login  403    403    302    403    302    403    302",
    "manager 400":        "login  403    403    403    403    400    403    400",
    # Joining a space or endorsing its agenda: any organization's representative.
    "any speaker 400":    "login  403    403    400    400    403    403    400",
    # Taking part in a space: its participants (A) only.
    "participant 400":    "login  403    403    400    403    403    403    400",
    # Dots are given while the space prioritizes (this one still collects items).
    "not prioritizing":   "login  403    403    403    403    403    403    403",
    # An agenda not published has no public page.
    "unpublished":        "login  404    404    404    404    404    404    404",
}
# fmt: on

ROWS: list[Row] = [
    # -- the hub and the boards ----------------------------------------------------------------
    Row("hub", "GET", "everyone"),
    Row("board", "GET", "members"),
    Row("entity_board", "GET", "entity"),
    # -- shared services -----------------------------------------------------------------------
    Row("services", "GET", "everyone"),
    Row("service_new", "GET+POST", "speakers"),
    Row("service", "GET", "everyone"),
    Row("service_edit", "GET+POST", "entity"),
    Row("service_status", "POST", "entity post"),
    Row("service_request", "POST", "request"),
    Row("agreement", "GET", "agreement"),
    Row("agreement_decide", "POST", "decide"),
    # -- consortia -----------------------------------------------------------------------------
    Row("consortia", "GET", "members"),
    Row("consortium_new", "GET+POST", "speakers"),
    Row("consortium", "GET", "consortium"),
    Row("consortium_edit", "GET+POST", "consortium manage"),
    Row("consortium_partners", "GET+POST", "consortium manage"),
    Row("consortium_member", "GET+POST", "consortium manage"),
    Row("consortium_answer", "POST", "answer"),
    Row("consortium_member_remove", "POST", "consortium post"),
    Row("consortium_step_add", "POST", "consortium 400"),
    Row("consortium_step_toggle", "POST", "consortium 302"),
    Row("consortium_step_remove", "POST", "consortium post"),
    Row("consortium_document_add", "POST", "consortium 400"),
    Row("consortium_document", "GET", "consortium manage"),
    Row("consortium_submit", "POST", "consortium 302"),
    Row("consortium_outcome", "POST", "consortium 400"),
    Row("consortium_withdraw", "POST", "consortium post"),
    # -- joint projects and transfers ----------------------------------------------------------
    Row("projects", "GET", "everyone"),
    Row("project_new", "GET+POST", "speakers"),
    Row("project", "GET", "everyone"),
    Row("project_edit", "GET+POST", "entity"),
    Row("project_status", "POST", "entity 302"),
    Row("project_partner_add", "POST", "entity 400"),
    Row("project_partner_edit", "GET+POST", "entity"),
    Row("project_partner_remove", "POST", "entity post"),
    Row("transfers", "GET", "everyone"),
    Row("transfer_offer_new", "GET+POST", "speakers"),
    Row("transfer_offer", "GET", "everyone"),
    Row("transfer_offer_open", "POST", "entity post"),
    Row("transfer_request", "POST", "transfer request"),
    Row("transfer_decide", "POST", "decide transfer"),
    Row("transfer_complete", "POST", "entity 302"),
    # -- shared social agendas -----------------------------------------------------------------
    Row("agendas", "GET", "everyone"),
    Row("agenda_new", "GET+POST", "speakers"),
    Row("agenda", "GET", "everyone"),
    Row("agenda_join", "POST", "any speaker 400"),
    Row("agenda_item_new", "POST", "participant 400"),
    Row("agenda_item_assign", "POST", "manager post"),
    Row("agenda_group_new", "POST", "manager 400"),
    Row("agenda_group_edit", "GET+POST", "manager"),
    Row("agenda_comment", "POST", "participant 400"),
    Row("agenda_prioritize_open", "POST", "manager 400"),
    Row("agenda_input", "POST", "not prioritizing"),
    Row("agenda_prioritize_close", "POST", "manager 400"),
    Row("agenda_publish", "POST", "manager 400"),
    Row("agenda_published", "GET", "everyone"),
    Row("agenda_published", "GET", "unpublished", _pk("space"), "unpublished"),
    Row("agenda_endorse", "POST", "any speaker 400"),
    Row("agenda_pdf", "GET", "everyone"),
    Row("agenda_pdf", "GET", "unpublished", _pk("space"), "unpublished"),
    # -- study missions ------------------------------------------------------------------------
    Row("missions", "GET", "everyone"),
    Row("mission_new", "GET+POST", "manager"),
    Row("mission", "GET", "everyone"),
    Row("mission_edit", "GET+POST", "manager"),
    Row("mission_travellers", "POST", "entity 302"),
    Row("mission_contacts", "GET+POST", "entity"),
    Row("mission_follow_up", "GET+POST", "entity"),
]
CASES = [(row, state) for row in ROWS for state in ("public", "private")]


def _check(row: Row, state: str, world: World, url: str) -> None:
    expected = row.expected(state)
    got: dict[str, str] = {}
    if row.method != "POST":
        for who in USERS:
            got[who] = outcome(client_for(world.users[who]).get(url))
    else:
        got = {who: "ok" for who, code in expected.items() if code == "ok"}
    if row.method in ("POST", "GET+POST"):
        before = fingerprint("cooperation", actors=True)
        posted: dict[str, str] = {}
        for who, code in expected.items():
            # POST-only rows send every cell but "ok": a 302 or a 400 there is the view's
            # answer to an empty form (the fingerprint proves nothing changed).
            if code in REFUSALS or (row.method == "POST" and code != "ok"):
                posted[who] = outcome(client_for(world.users[who]).post(url, {}))
        if row.method == "POST":
            got.update(posted)
        else:
            wrong = {who: code for who, code in posted.items() if code != expected[who]}
            assert not wrong, f"POST {url}: {wrong} (GET refusals were {expected})"
        assert fingerprint("cooperation", actors=True) == before, (
            f"a refused POST to {url} changed something"
        )
    mismatches = {
        who: f"got {got[who]}, expected {expected[who]}"
        for who in USERS
        if got[who] != expected[who]
    }
    assert not mismatches, f"{row.method} {url}: {mismatches}"


@pytest.mark.parametrize(("row", "state"), CASES, ids=[row.id(state) for row, state in CASES])
def test_page(row: Row, state: str) -> None:
    world = build(state)
    args = row.args or ARGS[row.name]
    url = reverse(f"cooperation:{row.name}", kwargs=args(world))
    _check(row, state, world, url)


# -- nothing left out -------------------------------------------------------------------------


def test_every_cooperation_page_has_a_row() -> None:
    names = url_names("cooperation")
    assert len(names) > 60, names
    assert names - {row.name for row in ROWS} == set(), "pages without a row"
    assert {row.name for row in ROWS} - names == set(), "rows of pages that do not exist"
    assert set(ARGS) == names
