"""Reads of meetings and of the agreements register, shaped for their pages.

Each page reads a fixed number of queries whatever the number of seats, attendees, agenda items
or agreements: related rows come with `select_related` / `prefetch_related`, counts with
annotations.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from tejido.actors.models import Actor, Sector
from tejido.core.models import Program

from ..bodies.selectors import poll_summary, quorum_for
from ..models import (
    OPEN_AGREEMENT_STATUSES,
    AgendaItem,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Poll,
    PollStatus,
)
from ..quorum import QuorumResult
from .services import current_mandates, meeting_day

# -- one meeting -------------------------------------------------------------------------------


def meeting_get(program: Program, pk: int) -> Meeting:
    """The meeting `pk` of a body of `program` (Meeting.DoesNotExist otherwise)."""
    return Meeting.objects.select_related(
        "body__program", "body__territory", "minutes_approved_in"
    ).get(pk=pk, body__program=program)


def body_get(program: Program, pk: int) -> Body:
    return Body.objects.select_related("program", "territory").get(pk=pk, program=program)


@dataclass
class SeatRow:
    """A seat of the attendance sheet: who holds it on the meeting's day, and whether they came."""

    mandate: Mandate
    attendance: Attendance | None

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""

    @property
    def present(self) -> bool:
        return self.status == AttendanceStatus.PRESENT

    @property
    def as_alternate(self) -> bool:
        return bool(self.attendance and self.attendance.as_alternate)

    @property
    def person(self) -> Actor | None:
        """Who came (or was expected): the alternate when they came instead of the holder."""
        if self.attendance is not None and self.attendance.person is not None:
            return self.attendance.person
        return self.mandate.alternate if self.as_alternate else self.mandate.holder


@dataclass
class AttendanceSheet:
    rows: list[SeatRow]
    guests: list[Attendance]
    quorum: QuorumResult
    day: datetime.date

    @property
    def present(self) -> int:
        return sum(1 for r in self.rows if r.present)

    @property
    def excused(self) -> int:
        return sum(1 for r in self.rows if r.status == AttendanceStatus.EXCUSED)

    @property
    def absent(self) -> int:
        return sum(1 for r in self.rows if r.status == AttendanceStatus.ABSENT)

    @property
    def unrecorded(self) -> int:
        return sum(1 for r in self.rows if not r.status)

    @property
    def recorded(self) -> bool:
        return any(r.status for r in self.rows) or bool(self.guests)

    def row_for_user(self, user: Any) -> SeatRow | None:
        """The seat `user` acts for (as holder first, else as alternate)."""
        if not getattr(user, "is_authenticated", False):
            return None
        mine = [
            r
            for r in self.rows
            if user.pk in (r.mandate.holder_user_id, r.mandate.alternate_user_id)
        ]
        mine.sort(key=lambda r: r.mandate.holder_user_id != user.pk)
        return mine[0] if mine else None


def quorum_of(body: Body, rows: list[SeatRow], day: datetime.date) -> QuorumResult:
    present = [r.mandate.pk for r in rows if r.present and r.mandate.seat.is_voting]
    return quorum_for(body, present, day)


def attendance_sheet(meeting: Meeting) -> AttendanceSheet:
    """Every seat held on the meeting's day with its attendance, the guests and the quorum.

    Queries: the mandates, the attendance rows, and the quorum's (two)."""
    day = meeting_day(meeting)
    mandates = current_mandates(meeting.body, day)
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("organization", "person"))
    by_mandate = {a.mandate_id: a for a in rows if a.mandate_id is not None}
    seat_rows = [SeatRow(m, by_mandate.get(m.pk)) for m in mandates]
    # A seat recorded under a mandate that has since been replaced still shows, as recorded.
    shown = {m.pk for m in mandates}
    stale = [a for a in rows if a.mandate_id is not None and a.mandate_id not in shown]
    if stale:
        old = {
            m.pk: m
            for m in Mandate.objects.filter(pk__in=[a.mandate_id for a in stale]).select_related(
                "seat", "organization", "holder", "alternate", "holder_user", "alternate_user"
            )
        }
        seat_rows.extend(SeatRow(old[a.mandate_id], a) for a in stale if a.mandate_id in old)
    guests = sorted(
        (a for a in rows if a.mandate_id is None), key=lambda a: a.organization.name.lower()
    )
    return AttendanceSheet(
        rows=seat_rows, guests=guests, quorum=quorum_of(meeting.body, seat_rows, day), day=day
    )


@dataclass
class PollLine:
    poll: Poll
    summary: str
    passed: bool | None


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaItem]
    sheet: AttendanceSheet
    agreements: list[Agreement]
    polls: list[PollLine]
    approved_here: list[Meeting]  # meetings whose minutes this meeting approved
    previous: Meeting | None
    next: Meeting | None
    today: datetime.date
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(item.duration_minutes for item in self.agenda)


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("need", "agreement")
        .prefetch_related(
            Prefetch(
                "polls",
                queryset=Poll.objects.order_by("created_at", "id").only(
                    "pk", "question", "status", "agenda_item_id", "method", "secret"
                ),
            )
        )
        .order_by("position", "id")
    )


def _agreements(meeting: Meeting, *, people: bool) -> list[Agreement]:
    responsible = Actor.objects.only("pk", "name", "kind", "sector", "program_id").order_by("name")
    if not people:
        responsible = responsible.organizations()
    return list(
        Agreement.objects.filter(meeting=meeting)
        .select_related("poll")
        .prefetch_related(Prefetch("responsible", queryset=responsible))
        .order_by("number")
    )


def meeting_polls(meeting: Meeting, *, include_drafts: bool) -> list[PollLine]:
    polls = Poll.objects.filter(meeting=meeting).prefetch_related("options")
    if not include_drafts:
        polls = polls.exclude(status=PollStatus.DRAFT)
    lines = []
    for poll in polls.order_by("created_at", "id"):
        summary, passed = poll_summary(poll)
        lines.append(PollLine(poll, summary, passed))
    return lines


def meeting_page(meeting: Meeting, *, people: bool, include_drafts: bool) -> MeetingPage:
    """Everything the meeting page shows. Queries: agenda (items, their polls), attendance
    (mandates, rows, quorum), agreements (rows, responsible), polls (rows, options), minutes
    approved here, previous and next meeting: a fixed number whatever the size."""
    body_meetings = Meeting.objects.filter(body_id=meeting.body_id).exclude(
        status=MeetingStatus.CANCELLED
    )
    previous = (
        body_meetings.filter(starts_at__lt=meeting.starts_at)
        .only("pk", "title", "starts_at", "minutes_status", "status", "body_id")
        .order_by("-starts_at", "-id")
        .first()
    )
    following = (
        body_meetings.filter(starts_at__gt=meeting.starts_at)
        .only("pk", "title", "starts_at", "status", "body_id")
        .order_by("starts_at", "id")
        .first()
    )
    return MeetingPage(
        meeting=meeting,
        agenda=_agenda(meeting),
        sheet=attendance_sheet(meeting),
        agreements=_agreements(meeting, people=people),
        polls=meeting_polls(meeting, include_drafts=include_drafts),
        approved_here=list(
            Meeting.objects.filter(minutes_approved_in=meeting)
            .only("pk", "title", "starts_at", "body_id")
            .order_by("starts_at")
        ),
        previous=previous,
        next=following,
        today=timezone.localdate(),
    )


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    return _agenda(meeting)


def approval_candidates(meeting: Meeting, now: datetime.datetime | None = None) -> list[Meeting]:
    """Meetings that can approve these minutes: later, not cancelled, already started."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            body_id=meeting.body_id, starts_at__gt=meeting.starts_at, starts_at__lte=now
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def minutes_to_approve(meeting: Meeting) -> list[Meeting]:
    """Earlier held meetings of the body whose draft minutes this meeting could approve."""
    return list(
        Meeting.objects.filter(
            body_id=meeting.body_id,
            starts_at__lt=meeting.starts_at,
            status=MeetingStatus.HELD,
            minutes_status=MinutesStatus.DRAFT,
        )
        .only("pk", "title", "starts_at", "body_id", "minutes_status", "status")
        .order_by("-starts_at")
    )


# -- the calendar feed -------------------------------------------------------------------------


def feed_meetings(body: Body) -> QuerySet[Meeting]:
    """The body's meetings for its calendar feed, with their agenda: three queries in all."""
    return (
        Meeting.objects.filter(body=body)
        .select_related("body")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "id"))
        )
        .order_by("starts_at", "id")
    )


# -- the agreements register -------------------------------------------------------------------


@dataclass
class RegisterFilters:
    status: str = ""  # one of AgreementStatus, "unresolved", or "" for all
    overdue: bool = False
    responsible: Actor | None = None


@dataclass
class Register:
    body: Body
    page: Page
    agreements: Sequence[Agreement]  # those of the page
    counts: dict[str, int]
    today: datetime.date


REGISTER_PAGE_SIZE = 40


def _flag(agreements: Sequence[Agreement], today: datetime.date) -> None:
    for agreement in agreements:
        agreement.is_overdue = (  # type: ignore[attr-defined]
            agreement.status in OPEN_AGREEMENT_STATUSES
            and agreement.due_on is not None
            and agreement.due_on < today
        )


def agreement_register(
    body: Body,
    filters: RegisterFilters,
    *,
    people: bool,
    today: datetime.date,
    page: int | str = 1,
) -> Register:
    """The body's agreements, filtered, a page at a time (newest first), with their counts by
    status. Queries: the counts, the page's size and rows (with their meeting and note count),
    the responsible actors."""
    agreements = Agreement.objects.filter(body=body)
    counts = agreements.aggregate(
        all=Count("pk"),
        open=Count("pk", filter=Q(status=AgreementStatus.OPEN)),
        in_progress=Count("pk", filter=Q(status=AgreementStatus.IN_PROGRESS)),
        done=Count("pk", filter=Q(status=AgreementStatus.DONE)),
        cancelled=Count("pk", filter=Q(status=AgreementStatus.CANCELLED)),
        overdue=Count("pk", filter=Q(status__in=OPEN_AGREEMENT_STATUSES, due_on__lt=today)),
    )
    rows = agreements
    if filters.status == "unresolved":
        rows = rows.filter(status__in=OPEN_AGREEMENT_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue:
        rows = rows.filter(status__in=OPEN_AGREEMENT_STATUSES, due_on__lt=today)
    if filters.responsible is not None:
        rows = rows.filter(responsible=filters.responsible)
    responsible = Actor.objects.only("pk", "name", "kind", "sector", "program_id").order_by("name")
    if not people:
        responsible = responsible.organizations()
    listed = Paginator(
        rows.select_related("meeting")
        .annotate(note_count=Count("notes"), last_note_at=Max("notes__written_at"))
        .prefetch_related(Prefetch("responsible", queryset=responsible))
        .order_by("-number"),
        REGISTER_PAGE_SIZE,
    ).get_page(page)
    shown: list[Agreement] = list(listed.object_list)
    _flag(shown, today)
    return Register(body=body, page=listed, agreements=shown, counts=counts, today=today)


def responsible_options(body: Body, *, people: bool) -> list[Actor]:
    """The actors responsible for some agreement of the body: the register's filter."""
    options = Actor.objects.filter(agreements__body=body).distinct().order_by("name")
    if not people:
        options = options.organizations()
    return list(options.only("pk", "name", "kind"))


def agreement_get(program: Program, pk: int, *, people: bool) -> Agreement:
    """One agreement with its body, meeting, decision, responsible actors and notes."""
    responsible = Actor.objects.only("pk", "name", "kind", "sector", "program_id").order_by("name")
    if not people:
        responsible = responsible.organizations()
    agreement = (
        Agreement.objects.select_related("body__program", "meeting", "poll")
        .prefetch_related(
            Prefetch("responsible", queryset=responsible),
            Prefetch(
                "notes",
                queryset=AgreementNote.objects.select_related("meeting", "author").order_by(
                    "written_at", "id"
                ),
            ),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("meeting").order_by(
                    "meeting__starts_at"
                ),
            ),
        )
        .get(pk=pk, body__program=program)
    )
    _flag([agreement], timezone.localdate())
    return agreement


def overdue_agreements(body: Body, today: datetime.date) -> QuerySet[Agreement]:
    """Unresolved agreements of the body past their due date, the oldest due first."""
    return Agreement.objects.overdue(today).filter(body=body).order_by(F("due_on").asc(), "number")


def body_meeting_choices(body: Body) -> QuerySet[Meeting]:
    """Meetings an agreement or a note can be tied to: the body's, not cancelled, latest first."""
    return (
        Meeting.objects.filter(body=body)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at", "-id")
    )


def sector_shortfalls(quorum: QuorumResult) -> list[tuple[str, int]]:
    """The sectors short of their own minimum, by their label: (sector, seats still missing)."""
    labels = dict(Sector.choices)
    return [(str(labels.get(s, s)), n) for s, n in sorted(quorum.sector_shortfalls.items())]
