"""Reads of the attendance area: the grid of a cohort (people × sessions), one session's
checklist, what closing a cohort will do, a leader's record and the actor-profile panel.

Every page reads in a fixed number of queries whatever the cohort's size: the sessions, the
enrolments (with person and organization) and the attendance rows of the cohort are three
queries, and everything else (rates, totals, the completion rule) is computed in Python.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, Gender, SensitiveData
from tejido.actors.rules import can_view_people
from tejido.actors.selectors import PEOPLE_COUNT_MIN

from ..models import (
    Attendance,
    Certificate,
    Cohort,
    CompetencyRecord,
    Enrolment,
    EnrolmentStatus,
    LearningSettings,
    Session,
    TrainingTies,
)

# A session may be recorded from this long before it starts (the day's list, taken at the door).
RECORD_AHEAD = datetime.timedelta(days=1)

PRESENT = "p"
ABSENT = "a"
NOT_RECORDED = "n"


def meets_rule(attended: int, held: int, percent: int) -> bool:
    """The course's completion rule: at least `percent` % of the sessions held (integer
    arithmetic, so that exactly the threshold completes). Nothing held completes nobody."""
    return held > 0 and attended * 100 >= percent * held


def sessions_needed(held: int, percent: int) -> int:
    """How many sessions someone must attend to complete, of `held`."""
    return -(-percent * held // 100)


def is_held(session: Session, now: datetime.datetime, recorded: bool) -> bool:
    """A session counts as held once it has started, or once its attendance is recorded."""
    return session.starts_at <= now or recorded


# -- the facts every page shares ---------------------------------------------------------------


@dataclass
class PersonFacts:
    enrolment: Enrolment
    attended: int = 0
    marks: dict[int, bool] = field(default_factory=dict)  # session id → present

    @property
    def active(self) -> bool:
        return self.enrolment.status != EnrolmentStatus.WITHDRAWN


@dataclass
class CohortFacts:
    cohort: Cohort
    sessions: list[Session]
    held_ids: set[int]
    people: list[PersonFacts]  # not withdrawn, in name order
    withdrawn: int
    percent: int

    @property
    def held(self) -> int:
        return len(self.held_ids)

    @property
    def needed(self) -> int:
        return sessions_needed(self.held, self.percent)

    def completes(self, person: PersonFacts) -> bool:
        return meets_rule(person.attended, self.held, self.percent)


def cohort_facts(cohort: Cohort, *, with_people: bool = True, lean: bool = False) -> CohortFacts:
    """Sessions, enrolments and attendance of `cohort`: three queries. `cohort.course` must be
    loaded (select_related). `lean` loads only the names of people and organizations (for
    pages that show them, not for services that write)."""
    now = timezone.now()
    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at", "id"))
    related = ["organization", "person"] if with_people else ["organization"]
    enrolments_query = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related(*related)
        .order_by("person__name", "id")
    )
    if lean:
        fields = ["status", "person_id", "organization_id", "organization__name"]
        enrolments_query = enrolments_query.only(
            *fields, *(["person__name"] if with_people else [])
        )
    enrolments = list(enrolments_query)
    marks = Attendance.objects.filter(session__cohort=cohort).values_list(
        "enrolment_id", "session_id", "present"
    )
    people = {e.pk: PersonFacts(e) for e in enrolments}
    recorded: set[int] = set()
    for enrolment_id, session_id, present in marks:
        recorded.add(session_id)
        person = people.get(enrolment_id)
        if person is not None:
            person.marks[session_id] = present
    held_ids = {s.pk for s in sessions if is_held(s, now, s.pk in recorded)}
    for session in sessions:
        session.is_held = session.pk in held_ids  # type: ignore[attr-defined]
    for person in people.values():
        person.attended = sum(
            1 for sid, present in person.marks.items() if present and sid in held_ids
        )
    active = [p for p in people.values() if p.active]
    return CohortFacts(
        cohort=cohort,
        sessions=sessions,
        held_ids=held_ids,
        people=active,
        withdrawn=len(people) - len(active),
        percent=cohort.course.min_attendance_percent,
    )


# -- gender, only in aggregate ------------------------------------------------------------------


@dataclass
class GenderAggregate:
    people: int  # everyone counted (attended at least once)
    groups: list[tuple[str, int]]  # label, count; only groups of PEOPLE_COUNT_MIN or more
    suppressed: bool  # some group was left out for being small
    unknown: int  # without consented data


def gender_aggregate(person_ids: list[int]) -> GenderAggregate:
    """Gender of these people in aggregate: only consented rows, groups under five left out.
    One query."""
    counts = dict(
        SensitiveData.objects.filter(person_id__in=person_ids, consent_given_at__isnull=False)
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
    known = sum(counts.values())
    return GenderAggregate(
        people=len(person_ids),
        groups=groups,
        suppressed=suppressed,
        unknown=len(person_ids) - known,
    )


# -- the attendance grid -----------------------------------------------------------------------


@dataclass
class GridRow:
    enrolment: Enrolment
    label: str
    organization: str
    attended: int
    rate: int | None  # percent of the sessions held
    meets: bool
    cells: SafeString
    html: SafeString | str = ""  # the whole <tr>, built once here (see `_row_html`)


@dataclass
class GridColumn:
    session: Session
    held: bool
    present: int
    absent: int
    can_take: bool  # not more than a day ahead
    url: str = ""


@dataclass
class AttendanceGrid:
    cohort: Cohort
    columns: list[GridColumn]
    rows: list[GridRow]
    held: int
    needed: int
    percent: int
    meeting: int
    withdrawn: int
    show_people: bool
    gender: GenderAggregate | None = None

    @property
    def total(self) -> int:
        return len(self.rows)


def _cell_html() -> dict[str, str]:
    # Built once per page: the grid has one cell per person and session (6,000 for a large
    # cohort), so each is a constant string rather than a template loop.
    return {
        PRESENT: '<td class="att-cell att-present"><span aria-hidden="true">✓</span>'
        f'<span class="visually-hidden">{escape(_("present"))}</span></td>',
        ABSENT: '<td class="att-cell att-absent"><span aria-hidden="true">✗</span>'
        f'<span class="visually-hidden">{escape(_("absent"))}</span></td>',
        NOT_RECORDED: '<td class="att-cell att-unknown"><span aria-hidden="true">·</span>'
        f'<span class="visually-hidden">{escape(_("not recorded"))}</span></td>',
    }


def _row_html(row: GridRow, meets_label: str) -> SafeString:
    """One row of the grid. A cohort of 500 people has 500 rows of 15 cells or more: built as
    one string each, the page renders in milliseconds instead of looping in the template."""
    rate = "—" if row.rate is None else f"{row.attended} · {row.rate} %"
    if row.meets:
        rate += (
            '<span class="att-ok" aria-hidden="true"> ✓</span>'
            f'<span class="visually-hidden"> {meets_label}</span>'
        )
    meets = " att-meets" if row.meets else ""
    # Every value in it is escaped.
    return mark_safe(
        f'<tr><th scope="row" class="att-name">{escape(row.label)}'
        f'<span class="att-org">{escape(row.organization)}</span></th>'
        f'<td class="att-rate{meets}">{rate}</td>{row.cells}</tr>'
    )


def attendance_grid(cohort: Cohort, user: Any) -> AttendanceGrid:
    """The grid of `cohort` for `user`: names only for those who may see people, the gender
    aggregate only for those who may see sensitive data. Three queries, four with gender."""
    show_people = can_view_people(user, cohort.program)
    facts = cohort_facts(cohort, with_people=show_people, lean=True)
    html = _cell_html()
    meets_label = escape(_("meets the completion rule"))
    column_ids = [s.pk for s in facts.sessions]
    present_by_session: Counter[int] = Counter()
    absent_by_session: Counter[int] = Counter()
    rows = []
    for number, person in enumerate(facts.people, start=1):
        cells = []
        for sid in column_ids:
            mark = person.marks.get(sid)
            if mark is None:
                cells.append(html[NOT_RECORDED])
            elif mark:
                present_by_session[sid] += 1
                cells.append(html[PRESENT])
            else:
                absent_by_session[sid] += 1
                cells.append(html[ABSENT])
        enrolment = person.enrolment
        label = (
            enrolment.person.name
            if show_people
            else _("Participant %(number)s") % {"number": number}
        )
        rows.append(
            GridRow(
                enrolment=enrolment,
                label=label,
                organization=enrolment.organization.name,
                attended=person.attended,
                rate=round(100 * person.attended / facts.held) if facts.held else None,
                meets=facts.completes(person),
                cells=mark_safe("".join(cells)),
            )
        )
        rows[-1].html = _row_html(rows[-1], meets_label)
    soon = timezone.now() + RECORD_AHEAD
    columns = [
        GridColumn(
            session=s,
            held=s.pk in facts.held_ids,
            present=present_by_session[s.pk],
            absent=absent_by_session[s.pk],
            can_take=s.starts_at <= soon,
        )
        for s in facts.sessions
    ]
    gender = None
    if user.has_perm("actors.view_sensitive", cohort.program):
        attendees = [p.enrolment.person_id for p in facts.people if p.attended]
        gender = gender_aggregate(attendees)
    return AttendanceGrid(
        cohort=cohort,
        columns=columns,
        rows=rows,
        held=facts.held,
        needed=facts.needed,
        percent=facts.percent,
        meeting=sum(1 for r in rows if r.meets),
        withdrawn=facts.withdrawn,
        show_people=show_people,
        gender=gender,
    )


# -- one session's checklist ---------------------------------------------------------------------


@dataclass
class ChecklistRow:
    enrolment: Enrolment
    label: str
    organization: str
    present: bool | None  # None: not recorded yet


def session_checklist(session: Session, user: Any) -> list[ChecklistRow]:
    """The people to mark for one session (withdrawn ones left out), with what is recorded.
    Two queries."""
    cohort = session.cohort
    show_people = can_view_people(user, cohort.program)
    related = ["organization", "person"] if show_people else ["organization"]
    enrolments = (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related(*related)
        .order_by("person__name", "id")
    )
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    return [
        ChecklistRow(
            enrolment=e,
            label=e.person.name
            if show_people
            else _("Participant %(number)s") % {"number": number},
            organization=e.organization.name,
            present=marks.get(e.pk),
        )
        for number, e in enumerate(enrolments, start=1)
    ]


# -- closing ----------------------------------------------------------------------------------


@dataclass
class ClosePlan:
    facts: CohortFacts
    completing: list[PersonFacts]
    not_completing: list[PersonFacts]
    tie_policy: str
    tie_organizations: list[Actor]
    intensity: int
    unrecorded: list[Session]  # held, but nobody's attendance recorded: all count as absent
    upcoming: list[Session]  # not held yet: they will not count

    @property
    def tie_pairs(self) -> int:
        n = len(self.tie_organizations)
        return n * (n - 1) // 2


def learning_settings(program: Any) -> LearningSettings | None:
    return LearningSettings.objects.filter(program=program).first()


def close_plan(cohort: Cohort, settings: LearningSettings | None = None) -> ClosePlan:
    """What closing `cohort` would decide: who completes, who does not, which organizations
    get tied. `settings` None means the program's (read here) or the defaults."""
    facts = cohort_facts(cohort, with_people=True)
    completing = [p for p in facts.people if facts.completes(p)]
    not_completing = [p for p in facts.people if not facts.completes(p)]
    if settings is None:
        settings = learning_settings(cohort.program_id) or LearningSettings()
    policy = settings.training_ties
    if policy == TrainingTies.COMPLETED:
        chosen = completing
    elif policy == TrainingTies.ATTENDED:
        chosen = [p for p in facts.people if p.attended]
    else:
        chosen = []
    organizations = {
        p.enrolment.organization_id: p.enrolment.organization
        for p in chosen
        if p.enrolment.organization.program_id == cohort.program_id
    }
    recorded = {sid for p in facts.people for sid in p.marks}
    return ClosePlan(
        facts=facts,
        unrecorded=[s for s in facts.sessions if s.pk in facts.held_ids and s.pk not in recorded],
        upcoming=[s for s in facts.sessions if s.pk not in facts.held_ids],
        completing=completing,
        not_completing=not_completing,
        tie_policy=policy,
        tie_organizations=sorted(organizations.values(), key=lambda a: a.pk),
        intensity=settings.training_tie_intensity,
    )


# -- a leader's record and the actor panel ------------------------------------------------------


@dataclass
class PersonRecord:
    person: Actor
    competencies: list[CompetencyRecord]
    certificates: list[Certificate]


def person_record(person: Actor) -> PersonRecord:
    """Competencies gained (with course and date) and certificates of one person. Two
    queries."""
    competencies = list(
        CompetencyRecord.objects.filter(person=person)
        .select_related("competency", "enrolment__cohort__course")
        .order_by("-gained_on", "competency__name", "id")
    )
    certificates = list(
        Certificate.objects.filter(enrolment__person=person)
        .select_related("enrolment__cohort")
        .order_by("-completed_on", "-id")
    )
    for certificate in certificates:
        # The permission rules read the program from the enrolment.
        certificate.enrolment.program_id = certificate.enrolment.cohort.program_id  # type: ignore[attr-defined]
    return PersonRecord(person=person, competencies=competencies, certificates=certificates)


@dataclass
class CourseCompletions:
    course_id: int
    title: str
    people: int
    last_on: datetime.date | None


def organization_completions(organization: Actor) -> list[CourseCompletions]:
    """How many of the organization's people completed each course, and when last. One
    query."""
    rows = (
        Enrolment.objects.filter(organization=organization, status=EnrolmentStatus.COMPLETED)
        .order_by()
        .values("cohort__course_id", "cohort__course__title")
        .annotate(people=Count("person", distinct=True), last_on=Max("cohort__ends_on"))
    )
    return sorted(
        (
            CourseCompletions(
                course_id=row["cohort__course_id"],
                title=row["cohort__course__title"],
                people=row["people"],
                last_on=row["last_on"],
            )
            for row in rows
        ),
        key=lambda c: (-c.people, c.title),
    )
