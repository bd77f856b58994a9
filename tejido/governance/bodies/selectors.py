"""Reads of governance bodies shaped for pages and for the other governance areas.

Contract for the other areas: `mandates_on`, `quorum_for`, `acting_mandate`.
Pages: `hub` (the program's bodies and what waits for the reader), `body_page` (one body),
`composition`, `seat_management` and `actor_governance` (the actor profile's panel).

Every page reads a fixed number of queries whatever the body's history: counts come from
subqueries or one grouped query, lists are limited or paginated, and related rows are loaded
with `select_related` / `prefetch_related`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import Actor, Gender, Sector, SensitiveData
from tejido.actors.selectors import PEOPLE_COUNT_MIN, actor_search, can_view_people
from tejido.core.models import Program, Territory

from ..models import (
    OPEN_AGREEMENT_STATUSES,
    Agreement,
    AttendanceStatus,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Poll,
    PollStatus,
    Seat,
    SectorQuorum,
)
from ..quorum import QuorumResult, check_quorum, required_present

PAST_MEETINGS_PAGE_SIZE = 20
UPCOMING_MEETINGS_SHOWN = 5
OPEN_AGREEMENTS_SHOWN = 25
RECENT_POLLS_SHOWN = 10


# -- the contract for the other areas ------------------------------------------------------------


def exact_share(share: Decimal | float) -> float:
    """The share a stored quorum share stands for: shares are kept with three decimals, so two
    thirds is stored as 0.667, which of 12 seats would ask 8.004, hence 9, not 8. A stored share
    within rounding (half a thousandth) of a simple fraction (denominator up to 12) is read as
    that fraction."""
    value = Fraction(Decimal(str(share)))
    simple = value.limit_denominator(12)
    if abs(simple - value) < Fraction(1, 2000):
        return float(simple)
    return float(value)


def _current_voting(body: Body | int, day: datetime.date) -> QuerySet[Mandate]:
    body_id = body.pk if isinstance(body, Body) else body
    return Mandate.objects.current(day).filter(seat__body_id=body_id, seat__is_voting=True)


def mandates_on(body: Body, day: datetime.date) -> list[Mandate]:
    """The body's voting mandates running on `day`, in seat order, with seat, organization,
    holder and alternate loaded."""
    return list(
        _current_voting(body, day)
        .select_related("seat", "organization", "holder", "alternate")
        .order_by("seat__position", "seat_id")
    )


def quorum_for(body: Body, present_mandate_ids: Iterable[int], day: datetime.date) -> QuorumResult:
    """Whether the mandates present make a quorum of `body` on `day`.

    Seats counted are the filled voting seats (a vacant seat does not count against the
    quorum); ids that are not a current voting mandate of the body are ignored. Two queries.
    """
    present_ids = set(present_mandate_ids)
    seats: Counter[str] = Counter()
    present: Counter[str] = Counter()
    for pk, sector in _current_voting(body, day).values_list("pk", "seat__sector"):
        seats[sector] += 1
        if pk in present_ids:
            present[sector] += 1
    minimums = dict(SectorQuorum.objects.filter(body=body).values_list("sector", "minimum_present"))
    return check_quorum(
        seats_by_sector=seats,
        present_by_sector=present,
        share=exact_share(body.quorum_share),
        strict=body.quorum_strict,
        sector_minimums=minimums,
    )


def acting_mandate(user: Any, body: Body, day: datetime.date) -> Mandate | None:
    """The current mandate of `body` that `user` acts for (as holder, else as alternate)."""
    if not getattr(user, "is_authenticated", False):
        return None
    mandates = list(
        Mandate.objects.current(day)
        .for_user(user)
        .filter(seat__body=body)
        .select_related("seat", "organization", "holder", "alternate")
        .order_by("seat__position", "seat_id")
    )
    for mandate in mandates:
        if mandate.holder_user_id == user.pk:
            return mandate
    return mandates[0] if mandates else None


# -- words ---------------------------------------------------------------------------------------


def _share_words(share: Decimal, strict: bool) -> str:
    share = Decimal(str(share)).quantize(Decimal("0.001"))
    if share >= 1:
        return _("all")
    named = {
        Decimal("0.500"): (_("more than half"), _("at least half")),
        Decimal("0.667"): (_("more than two thirds"), _("at least two thirds")),
        Decimal("0.666"): (_("more than two thirds"), _("at least two thirds")),
        Decimal("0.333"): (_("more than a third"), _("at least a third")),
        Decimal("0.750"): (_("more than three quarters"), _("at least three quarters")),
        Decimal("0.250"): (_("more than a quarter"), _("at least a quarter")),
    }
    if share in named:
        return named[share][0 if strict else 1]
    percent = number_format(share * 100, decimal_pos=1 if (share * 100) % 1 else 0)
    if strict:
        return _("more than %(percent)s %%") % {"percent": percent}
    return _("at least %(percent)s %%") % {"percent": percent}


def sector_rule_words(sector: str, minimum: int) -> str:
    label = str(dict(Sector.choices).get(sector, sector)).lower()
    return ngettext(
        "at least %(count)s seat of the %(sector)s sector",
        "at least %(count)s seats of the %(sector)s sector",
        minimum,
    ) % {"count": minimum, "sector": label}


def quorum_rule_text(
    *, share: Decimal, strict: bool, filled: int, sector_minimums: dict[str, int]
) -> str:
    """The quorum rule in words, e.g. "More than half of the 9 filled voting seats, and at
    least 1 seat of the public sector"."""
    share_words = _share_words(share, strict)
    overall = ngettext(
        "%(share)s of the %(count)s filled voting seat",
        "%(share)s of the %(count)s filled voting seats",
        filled,
    ) % {"share": share_words, "count": filled}
    sectors = [
        sector_rule_words(code, sector_minimums[code])
        for code, _label in Sector.choices
        if sector_minimums.get(code)
    ]
    if not sectors:
        text = overall
    else:
        text = _("%(overall)s, and %(sectors)s") % {
            "overall": overall,
            "sectors": _(", ").join(sectors),
        }
    return text[:1].upper() + text[1:]


# -- composition ---------------------------------------------------------------------------------


@dataclass
class SeatRow:
    seat: Seat
    mandate: Mandate | None

    @property
    def filled(self) -> bool:
        return self.mandate is not None


@dataclass
class SectorGroup:
    code: str
    label: str
    rows: list[SeatRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def filled(self) -> int:
        return sum(1 for row in self.rows if row.filled)


@dataclass
class GenderBalance:
    """Gender of the current holders, in aggregate: only consented data, groups under
    PEOPLE_COUNT_MIN left out."""

    holders: int
    groups: list[tuple[str, int]]
    suppressed: bool

    @property
    def shown(self) -> bool:
        return bool(self.groups)


@dataclass
class Composition:
    groups: list[SectorGroup]
    show_people: bool
    gender: GenderBalance | None = None

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def filled(self) -> int:
        return sum(g.filled for g in self.groups)

    @property
    def voting_filled(self) -> int:
        return sum(1 for g in self.groups for r in g.rows if r.filled and r.seat.is_voting)

    @property
    def filled_by_sector(self) -> dict[str, int]:
        return {g.code: g.filled for g in self.groups}

    @property
    def shares(self) -> list[tuple[str, str, int, float]]:
        """Seats by sector with their share of all seats, for the sector bar."""
        total = self.total or 1
        return [(g.code, g.label, g.total, round(100 * g.total / total, 1)) for g in self.groups]


def _gender_balance(holder_ids: list[int]) -> GenderBalance:
    counts = dict(
        SensitiveData.objects.filter(person_id__in=holder_ids, consent_given_at__isnull=False)
        .exclude(gender="")
        .order_by()
        .values_list("gender")
        .annotate(n=Count("*"))
        .values_list("gender", "n")
    )
    labels = dict(Gender.choices)
    groups = [
        (str(labels[code]), counts[code])
        for code in Gender.values
        if counts.get(code, 0) >= PEOPLE_COUNT_MIN
    ]
    suppressed = any(0 < n < PEOPLE_COUNT_MIN for n in counts.values())
    return GenderBalance(holders=len(holder_ids), groups=groups, suppressed=suppressed)


def composition(body: Body, day: datetime.date, user: Any) -> Composition:
    """The seats of `body` by sector with who holds each on `day`.

    People's names are loaded for the template only when `user` may see people; the gender
    balance is computed only for those who may see sensitive data (coordinators). Two queries,
    three with the gender balance.
    """
    show_people = can_view_people(user, body.program)
    seats = list(Seat.objects.filter(body=body).order_by("position", "id"))
    related = ["organization"] + (["holder", "alternate"] if show_people else [])
    current = {
        m.seat_id: m
        for m in Mandate.objects.current(day)
        .filter(seat__body=body)
        .select_related(*related)
        .order_by("starts_on")
    }
    by_sector: dict[str, list[SeatRow]] = {}
    for seat in seats:
        by_sector.setdefault(seat.sector, []).append(SeatRow(seat, current.get(seat.pk)))
    groups = [
        SectorGroup(code, str(label), by_sector[code])
        for code, label in Sector.choices
        if code in by_sector
    ]
    gender = None
    if user.has_perm("actors.view_sensitive", body.program):
        holder_ids = [m.holder_id for m in current.values() if m.holder_id]
        gender = _gender_balance(holder_ids)
    return Composition(groups=groups, show_people=show_people, gender=gender)


# -- the body page -------------------------------------------------------------------------------


@dataclass
class QuorumRule:
    text: str
    required: int
    filled: int
    sector_minimums: dict[str, int]


def quorum_rule(body: Body, voting_filled: int) -> QuorumRule:
    """The body's quorum rule in words and numbers for its `voting_filled` filled seats."""
    minimums = {
        rule.sector: rule.minimum_present
        for rule in SectorQuorum.objects.filter(body=body).order_by("sector")
    }
    return QuorumRule(
        text=quorum_rule_text(
            share=body.quorum_share,
            strict=body.quorum_strict,
            filled=voting_filled,
            sector_minimums=minimums,
        ),
        required=required_present(
            voting_filled, float(body.quorum_share), strict=body.quorum_strict
        ),
        filled=voting_filled,
        sector_minimums=minimums,
    )


@dataclass
class AgreementsSummary:
    open: list[Agreement]
    open_count: int
    overdue_count: int
    today: datetime.date

    @property
    def more(self) -> int:
        return max(0, self.open_count - len(self.open))


@dataclass
class PollRow:
    poll: Poll
    summary: str
    passed: bool | None
    url: str = ""


@dataclass
class BodyPage:
    body: Body
    today: datetime.date
    composition: Composition
    quorum: QuorumRule
    upcoming: list[Meeting]
    past: Page
    agreements: AgreementsSummary
    polls: list[PollRow]
    can_manage: bool
    show_people: bool


def _meetings_with_attendance(body: Body) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(body=body)
        .annotate(
            # Seats and guests apart, so the count never reads more than the body's seats:
            # a seat counts once however many of its people came (holder and alternate).
            seats_present=Count(
                "attendances__mandate__seat",
                distinct=True,
                filter=Q(
                    attendances__status=AttendanceStatus.PRESENT,
                    attendances__mandate__isnull=False,
                ),
            ),
            guests_present=Count(
                "attendances",
                filter=Q(
                    attendances__status=AttendanceStatus.PRESENT,
                    attendances__mandate__isnull=True,
                ),
            ),
        )
        .only(
            "pk",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "status",
            "minutes_status",
            "body_id",
        )
    )


def open_agreements(body: Body, user: Any, today: datetime.date) -> AgreementsSummary:
    """The body's unresolved agreements, those due earliest first (overdue on top). Three
    queries: the counts, the first OPEN_AGREEMENTS_SHOWN, their responsible actors."""
    unresolved = Agreement.objects.filter(body=body, status__in=OPEN_AGREEMENT_STATUSES)
    counts = unresolved.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    responsible = Actor.objects.only("pk", "name", "kind", "sector", "program_id")
    if not can_view_people(user, body.program):
        responsible = responsible.organizations()
    rows = list(
        unresolved.select_related("meeting")
        .prefetch_related(Prefetch("responsible", queryset=responsible.order_by("name")))
        .order_by(F("due_on").asc(nulls_last=True), "number")[:OPEN_AGREEMENTS_SHOWN]
    )
    for agreement in rows:
        agreement.is_overdue = agreement.due_on is not None and agreement.due_on < today  # type: ignore[attr-defined]
    return AgreementsSummary(
        open=rows, open_count=counts["open"], overdue_count=counts["overdue"], today=today
    )


def poll_summary(poll: Poll) -> tuple[str, bool | None]:
    """A closed poll's outcome in a few words, and whether a motion passed (None otherwise).

    Options must be prefetched (`poll.options.all()`)."""
    if poll.status == PollStatus.DRAFT:
        return _("Not open yet"), None
    if poll.status == PollStatus.OPEN:
        if poll.closes_at is None:
            return _("Open until the coordination closes it"), None
        return _("Closes %(when)s") % {
            "when": date_format(timezone.localtime(poll.closes_at), "DATETIME_FORMAT")
        }, None
    result = poll.result or {}
    count = result.get("count") or {}
    ballots = count.get("ballot_count", result.get("receipts", 0)) or 0
    votes = ngettext("%(count)s ballot", "%(count)s ballots", ballots) % {"count": ballots}
    passed = result.get("passed")
    quorum_note = _("no quorum") if poll.quorum_met is False else ""
    if passed is not None:
        outcome = _("Approved") if passed else _("Not approved")
    else:
        winner = count.get("winner")
        labels = {option.position: option.label for option in poll.options.all()}
        ordered = sorted(labels)
        if winner is None or not isinstance(winner, int) or winner >= len(ordered):
            outcome = _("No option chosen")
        else:
            outcome = _("Chosen: %(option)s") % {"option": labels[ordered[winner]]}
    parts = [outcome, votes] + ([quorum_note] if quorum_note else [])
    return " · ".join(parts), passed if isinstance(passed, bool) else None


def recent_polls(body: Body, *, include_drafts: bool) -> list[PollRow]:
    polls = Poll.objects.filter(body=body)
    if not include_drafts:
        polls = polls.exclude(status=PollStatus.DRAFT)
    rows = []
    for poll in polls.prefetch_related("options").order_by("-created_at", "-id")[
        :RECENT_POLLS_SHOWN
    ]:
        summary, passed = poll_summary(poll)
        rows.append(PollRow(poll, summary, passed))
    return rows


def body_page(
    body: Body,
    user: Any,
    today: datetime.date,
    *,
    now: datetime.datetime | None = None,
    past_page: int | str = 1,
) -> BodyPage:
    """Everything the body page shows, in a fixed number of queries whatever the history.

    Queries: seats, current mandates, [gender balance], sector quorums, upcoming meetings,
    past meetings (count and page), agreements (counts, rows, responsible actors), polls and
    their options.
    """
    now = now or timezone.now()
    can_manage = user.has_perm("governance.manage_body", body)
    comp = composition(body, today, user)
    rule = quorum_rule(body, comp.voting_filled)
    meetings = _meetings_with_attendance(body)
    # A cancelled meeting stays in the list, marked: members may have planned to come.
    upcoming = list(
        meetings.filter(ends_at__gte=now).order_by("starts_at", "id")[:UPCOMING_MEETINGS_SHOWN]
    )
    past = Paginator(
        meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id"),
        PAST_MEETINGS_PAGE_SIZE,
    ).get_page(past_page)
    return BodyPage(
        body=body,
        today=today,
        composition=comp,
        quorum=rule,
        upcoming=upcoming,
        past=past,
        agreements=open_agreements(body, user, today),
        polls=recent_polls(body, include_drafts=can_manage),
        can_manage=can_manage,
        show_people=comp.show_people,
    )


# -- the seats page (coordinators) ---------------------------------------------------------------


@dataclass
class SeatHistory:
    seat: Seat
    mandates: list[Mandate]
    current: Mandate | None
    upcoming: Mandate | None
    has_history: bool
    removable_ids: set[int]
    edit_url: str = ""
    assign_url: str = ""
    remove_url: str = ""


def seat_management(body: Body, today: datetime.date) -> list[SeatHistory]:
    """Every seat with its whole mandate history, newest first. Three queries."""
    seats = list(
        Seat.objects.filter(body=body)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.select_related(
                    "organization", "holder", "alternate", "holder_user", "alternate_user"
                ).order_by("-starts_on", "-id"),
            )
        )
    )
    # Mandates with attendance or a ballot on record: they stay in the history.
    used = set(
        Mandate.objects.filter(seat__body=body)
        .filter(Q(attendances__isnull=False) | Q(receipts__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
    )
    rows = []
    for seat in seats:
        mandates = list(seat.mandates.all())
        current = next((m for m in mandates if m.is_current(today)), None)
        upcoming = next((m for m in reversed(mandates) if m.starts_on > today), None)
        has_history = any(m.pk in used or m.starts_on <= today for m in mandates)
        removable = {m.pk for m in mandates if m.pk not in used}
        rows.append(SeatHistory(seat, mandates, current, upcoming, has_history, removable))
    return rows


# -- the hub -------------------------------------------------------------------------------------


@dataclass
class HubBody:
    body: Body
    seats_total: int
    seats_filled: int
    next_meeting_id: int | None
    next_meeting_at: datetime.datetime | None
    open_agreements: int
    overdue_agreements: int
    url: str = ""
    meeting_url: str = ""


@dataclass
class Hub:
    program: Program
    bodies: list[HubBody]
    my_mandates: list[Mandate]
    polls_waiting: list[Poll]

    @property
    def visible_ids(self) -> set[int]:
        return {row.body.pk for row in self.bodies}


def _count_subquery(queryset: QuerySet[Any], key: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(**{key: OuterRef("pk")})
            .order_by()
            .values(key)
            .annotate(n=Count("*"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def bodies_visible(program: Program, user: Any) -> QuerySet[Body]:
    """The program's bodies `user` may see (as the `governance.view_body` rule says): every one
    for the program's members, public ones for everyone else, and the bodies where the user
    holds a seat today."""
    bodies = Body.objects.filter(program=program)
    if not user.has_perm("core.view_program_internal", program):
        visible = Q(is_public=True)
        if getattr(user, "is_authenticated", False):
            seats = Mandate.objects.current().for_user(user).values("seat__body_id")
            visible |= Q(pk__in=seats)
        bodies = bodies.filter(visible)
    return bodies


def bodies_with_polls_due(program: Program, user: Any, now: datetime.datetime) -> list[Body]:
    """The bodies `user` sees that have an open poll whose closing time has passed (one query)."""
    due = Poll.objects.open().filter(closes_at__lte=now).values("body_id")
    return list(bodies_visible(program, user).filter(pk__in=due))


def hub(
    program: Program, user: Any, today: datetime.date, *, now: datetime.datetime | None = None
) -> Hub:
    """The governance hub: the program's bodies with their figures, and for a seat holder
    their seats and the open polls still waiting for their vote. Three queries (one without
    an account)."""
    now = now or timezone.now()
    next_meeting = (
        Meeting.objects.filter(body=OuterRef("pk"), ends_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "id")
    )
    unresolved = Agreement.objects.filter(status__in=OPEN_AGREEMENT_STATUSES)
    rows = (
        bodies_visible(program, user)
        .select_related("territory")
        .annotate(
            seats_total=_count_subquery(Seat.objects.all(), "body"),
            seats_filled=_count_subquery(
                Seat.objects.filter(pk__in=Mandate.objects.current(today).values("seat_id")),
                "body",
            ),
            next_meeting_id=Subquery(next_meeting.values("pk")[:1]),
            next_meeting_at=Subquery(next_meeting.values("starts_at")[:1]),
            open_agreements=_count_subquery(unresolved, "body"),
            overdue_agreements=_count_subquery(unresolved.filter(due_on__lt=today), "body"),
        )
        .order_by("name", "id")
    )
    bodies = [
        HubBody(
            body=b,
            seats_total=b.seats_total,
            seats_filled=b.seats_filled,
            next_meeting_id=b.next_meeting_id,
            next_meeting_at=b.next_meeting_at,
            open_agreements=b.open_agreements,
            overdue_agreements=b.overdue_agreements,
        )
        for b in rows
    ]
    my_mandates: list[Mandate] = []
    polls: list[Poll] = []
    if getattr(user, "is_authenticated", False):
        my_mandates = list(
            Mandate.objects.current(today)
            .for_user(user)
            .filter(seat__body__program=program)
            .select_related("seat__body", "organization")
            .order_by("seat__body__name", "seat__position")
        )
    if my_mandates:
        mine = [m.pk for m in my_mandates]
        polls = list(
            Poll.objects.open()
            .filter(body_id__in={m.seat.body_id for m in my_mandates})
            .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
            .exclude(receipts__mandate_id__in=mine)
            .select_related("body", "meeting")
            .order_by(F("closes_at").asc(nulls_last=True), "-opened_at", "-id")
        )
    return Hub(program=program, bodies=bodies, my_mandates=my_mandates, polls_waiting=polls)


# -- the actor profile's panel -------------------------------------------------------------------


@dataclass
class ActorGovernance:
    mandates: list[Mandate]
    agreements: list[Agreement]
    today: datetime.date

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.agreements if a.due_on is not None and a.due_on < self.today)


def actor_governance(actor: Actor, user: Any, today: datetime.date) -> ActorGovernance:
    """The seats an organization (or a person) holds today and the unresolved agreements it is
    responsible for, in bodies `user` may see. Two queries."""
    visible = bodies_visible(actor.program, user)
    mandates = list(
        Mandate.objects.current(today)
        .filter(Q(organization=actor) | Q(holder=actor) | Q(alternate=actor))
        .filter(seat__body__in=visible)
        .select_related("seat__body", "organization")
        .order_by("seat__body__name", "seat__position", "seat_id")
    )
    agreements = list(
        Agreement.objects.filter(
            responsible=actor, status__in=OPEN_AGREEMENT_STATUSES, body__in=visible
        )
        .select_related("body")
        .order_by(F("due_on").asc(nulls_last=True), "body__name", "number")
    )
    for agreement in agreements:
        agreement.is_overdue = agreement.due_on is not None and agreement.due_on < today  # type: ignore[attr-defined]
    return ActorGovernance(mandates=mandates, agreements=agreements, today=today)


# -- the organization picker of the mandate form -------------------------------------------------

ORGANIZATION_OPTIONS_LIMIT = 30


def organization_options(
    body: Body, query: str, *, sector: str = "", selected: int | None = None
) -> tuple[list[Actor], bool, bool]:
    """Organizations and groups that could hold a seat of `body`: those matching `query`, or,
    without one, those based in or serving the body's territory (and its subtree). Those of
    `sector` (the seat's) come first.

    Returns at most ORGANIZATION_OPTIONS_LIMIT actors (the `selected` one first), whether more
    matched, and whether the list is the territory's (no query). Two queries at most.
    """
    candidates = (
        Actor.objects.filter(program_id=body.program_id)
        .organizations()
        .select_related("territory")
        .only("pk", "name", "kind", "sector", "program_id", "territory__name")
    )
    local = False
    if query.strip():
        found = actor_search(candidates, query)
    elif body.territory is not None:
        local = True
        subtree = Territory.objects.filter(path__startswith=body.territory.path).values("pk")
        serving = Actor.territories_served.through.objects.filter(territory_id__in=subtree).values(
            "actor_id"
        )
        found = candidates.filter(Q(territory_id__in=subtree) | Q(pk__in=serving))
    else:
        found = candidates.none()
    first = Case(When(sector=sector, then=Value(0)), default=Value(1), output_field=IntegerField())
    options = list(found.order_by(first, "name", "pk")[: ORGANIZATION_OPTIONS_LIMIT + 1])
    more = len(options) > ORGANIZATION_OPTIONS_LIMIT
    options = options[:ORGANIZATION_OPTIONS_LIMIT]
    if selected and all(a.pk != selected for a in options):
        chosen = candidates.filter(pk=selected).first()
        if chosen is not None:
            options.insert(0, chosen)
    return options, more, local
