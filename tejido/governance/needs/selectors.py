"""Reads of the needs register and of prioritization sessions, shaped for their pages.

Every page reads in a fixed number of queries however many needs, sessions or inputs there are:
the needs page counts its facets from one grouped query and reads one page of needs; a session
page reads its needs, criteria, inputs and participants once each.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tejido.accounts.models import ProgramRole, Role
from tejido.core.models import Program, Territory, Theme

from .. import voting
from ..models import (
    AgendaItem,
    Body,
    Meeting,
    MeetingStatus,
    Need,
    NeedSource,
    NeedStatus,
    Objective,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
    SessionCriterion,
    SessionStatus,
)

NEEDS_PER_PAGE = 50
HANLON_SCALE_MAX = 10

# The Hanlon method: priority = (size + 2 × seriousness) × effectiveness × PEARL, where PEARL is
# 1 only when every feasibility factor (propriety, economics, acceptability, resources, legality)
# is "yes". Labels are translated when shown; the codes are what inputs store.
HANLON_LABELS: dict[str, Promise] = {
    "size": _("Size"),
    "seriousness": _("Seriousness"),
    "effectiveness": _("Effectiveness of the solution"),
    "propriety": _("Propriety"),
    "economics": _("Economics"),
    "acceptability": _("Acceptability"),
    "resources": _("Resources"),
    "legality": _("Legality"),
}
HANLON_HELP: dict[str, Promise] = {
    "size": _("How many people it affects (0: very few, 10: most of the territory)."),
    "seriousness": _("How grave it is for those affected (0: mild, 10: very grave)."),
    "effectiveness": _("How well the available solutions would work (0: not at all, 10: fully)."),
    "propriety": _("Is it ours to address?"),
    "economics": _("Does it make economic sense to address it?"),
    "acceptability": _("Will the community accept the solution?"),
    "resources": _("Are there, or could there be, resources for it?"),
    "legality": _("Can it be done within the law?"),
}
HANLON_ABBREVIATIONS = {"size": "A", "seriousness": "B", "effectiveness": "C"}


def hanlon_criteria_specs() -> list[dict[str, Any]]:
    """The fixed criteria of a Hanlon session: three scores 0–10 and five yes/no factors."""
    scores = [
        {
            "code": code,
            "name": str(HANLON_LABELS[code]),
            "weight": 1,
            "scale_min": 0,
            "scale_max": HANLON_SCALE_MAX,
        }
        for code in voting.HANLON_FACTORS
    ]
    pearl = [
        {
            "code": code,
            "name": str(HANLON_LABELS[code]),
            "weight": 1,
            "scale_min": 0,
            "scale_max": 1,
        }
        for code in voting.PEARL_FACTORS
    ]
    return scores + pearl


def criterion_label(criterion: SessionCriterion) -> str:
    label = HANLON_LABELS.get(criterion.code)
    return str(label) if label is not None else criterion.name


def is_pearl(criterion: SessionCriterion) -> bool:
    return criterion.code in voting.PEARL_FACTORS


# -- the program's area -----------------------------------------------------------------------


def program_area(program: Program) -> QuerySet[Territory]:
    """Territories a need of the program may be in: the program's territories and the places
    within them, or every territory when the program lists none."""
    paths = list(program.territories.values_list("path", flat=True))
    if not paths:
        return Territory.objects.order_by("path")
    within = functools.reduce(operator.or_, (Q(path__startswith=p) for p in paths))
    return Territory.objects.filter(within).order_by("path")


def in_program_area(program: Program, territory: Territory) -> bool:
    # As for actors: one of the program's territories, a place within one, or a place above one
    # (a need of the whole comuna the program works in).
    paths = list(program.territories.values_list("path", flat=True))
    if not paths:
        return True
    return any(territory.path.startswith(p) or p.startswith(territory.path) for p in paths)


def program_meetings(program: Program, *, limit: int = 300) -> QuerySet[Meeting]:
    """Meetings a need can have been raised at, most recent first."""
    return (
        Meeting.objects.filter(body__program=program)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("-starts_at", "-pk")[:limit]
    )


# -- the needs page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFilters:
    territory: Territory | None = None
    theme: Theme | None = None
    no_theme: bool = False
    status: str = ""
    source: str = ""
    query: str = ""

    def is_empty(self) -> bool:
        return not (
            self.territory
            or self.theme
            or self.no_theme
            or self.status
            or self.source
            or self.query
        )


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0


@dataclass
class NeedsPage:
    page: Page
    total: int
    territories: list[FacetOption]
    themes: list[FacetOption]
    statuses: list[FacetOption]
    sources: list[FacetOption]
    sessions: list[PrioritizationSession] = field(default_factory=list)


def _search(needs: QuerySet[Need], query: str) -> QuerySet[Need]:
    for word in query.split()[:8]:
        needs = needs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return needs


def needs_page(
    program: Program,
    filters: NeedFilters,
    *,
    page_number: int | str = 1,
    per_page: int = NEEDS_PER_PAGE,
    show_drafts: bool = False,
) -> NeedsPage:
    """One page of needs with the counts per territory (subtree included), theme, status and
    source. Each facet counts as if its own filter were not set, so its options stay usable."""
    searched = _search(Need.objects.filter(program=program), filters.query)
    cube = list(
        searched.order_by()
        .values_list("territory_id", "theme_id", "status", "source")
        .annotate(n=Count("*"))
        .values_list("territory_id", "theme_id", "status", "source", "n")
    )
    territory_ids = {row[0] for row in cube}
    # The places of the needs and their ancestors, for counts that include the whole subtree.
    paths = Territory.objects.filter(pk__in=territory_ids).values_list("path", flat=True)
    lineage = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    places = {
        pk: (name, path)
        for pk, name, path in Territory.objects.filter(pk__in=lineage).values_list(
            "pk", "name", "path"
        )
    }
    selected_path = filters.territory.path if filters.territory else ""
    theme_id = filters.theme.pk if filters.theme else None

    by_territory: Counter[int] = Counter()
    by_theme: Counter[int | None] = Counter()
    by_status: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    total = 0
    for territory_id, row_theme, status, source, n in cube:
        name_path = places.get(territory_id)
        path = name_path[1] if name_path else ""
        t_ok = not selected_path or path.startswith(selected_path)
        th_ok = row_theme is None if filters.no_theme else theme_id is None or row_theme == theme_id
        st_ok = not filters.status or status == filters.status
        so_ok = not filters.source or source == filters.source
        if th_ok and st_ok and so_ok:
            for part in path.strip("/").split("/"):
                if part:
                    by_territory[int(part)] += n
        if t_ok and st_ok and so_ok:
            by_theme[row_theme] += n
        if t_ok and th_ok and so_ok:
            by_status[status] += n
        if t_ok and th_ok and st_ok:
            by_source[source] += n
            total += n

    territories = sorted(
        (
            FacetOption(
                value=str(pk),
                label=places[pk][0],
                count=count,
                selected=filters.territory is not None and filters.territory.pk == pk,
                depth=0,
            )
            for pk, count in by_territory.items()
            if pk in places
        ),
        key=lambda o: places[int(o.value)][1],
    )
    # Depth relative to the shallowest place listed, for the indented tree.
    if territories:
        top = min(places[int(o.value)][1].count("/") for o in territories)
        for option in territories:
            option.depth = places[int(option.value)][1].count("/") - top
        # Keep the tree readable: names sort within their parent because paths are ids.
        territories = _tree_order(territories, places)

    theme_names = {
        theme.pk: theme.label for theme in Theme.objects.filter(pk__in=[k for k in by_theme if k])
    }
    themes = sorted(
        (
            FacetOption(value=str(pk), label=theme_names[pk], count=count, selected=pk == theme_id)
            for pk, count in by_theme.items()
            if pk in theme_names
        ),
        key=lambda o: o.label.casefold(),
    )
    if by_theme.get(None):
        themes.append(
            FacetOption(
                value="none",
                label=str(_("No theme")),
                count=by_theme[None],
                selected=filters.no_theme,
            )
        )
    statuses = [
        FacetOption(value, str(label), by_status[value], selected=filters.status == value)
        for value, label in NeedStatus.choices
        if by_status[value] or filters.status == value
    ]
    sources = [
        FacetOption(value, str(label), by_source[value], selected=filters.source == value)
        for value, label in NeedSource.choices
        if by_source[value] or filters.source == value
    ]

    needs = searched
    if filters.territory is not None:
        needs = needs.filter(territory__path__startswith=filters.territory.path)
    if filters.no_theme:
        needs = needs.filter(theme__isnull=True)
    elif filters.theme is not None:
        needs = needs.filter(theme=filters.theme)
    if filters.status:
        needs = needs.filter(status=filters.status)
    if filters.source:
        needs = needs.filter(source=filters.source)
    needs = needs.select_related("territory", "theme").order_by("territory__path", "title", "pk")
    paginator = Paginator(needs, per_page)
    # The count is known from the facets: the paginator must not ask again.
    paginator.__dict__["count"] = total
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)

    sessions = session_list(program, limit=5, show_drafts=show_drafts)
    return NeedsPage(
        page=page,
        total=total,
        territories=territories,
        themes=themes,
        statuses=statuses,
        sources=sources,
        sessions=sessions,
    )


def _tree_order(
    options: list[FacetOption], places: Mapping[int, tuple[str, str]]
) -> list[FacetOption]:
    """Depth-first, children by name under their parent."""
    by_pk = {int(o.value): o for o in options}
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk in by_pk:
        parts = [int(p) for p in places[pk][1].strip("/").split("/") if p]
        parent = next((p for p in reversed(parts[:-1]) if p in by_pk), None)
        children[parent].append(pk)
    # Skip the places above the first fork ("Chile › Región Metropolitana › ..."): they repeat
    # the same count and push the useful choices down a phone's screen.
    root: int | None = None
    while len(children.get(root, [])) == 1:
        only = children[root][0]
        below = children.get(only, [])
        if by_pk[only].selected or sum(by_pk[c].count for c in below) != by_pk[only].count:
            break
        root = only
    ordered: list[FacetOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk in sorted(children.get(parent, []), key=lambda p: places[p][0].casefold()):
            by_pk[pk].depth = depth
            ordered.append(by_pk[pk])
            walk(pk, depth + 1)

    walk(root, 0)
    return ordered


# -- one need ---------------------------------------------------------------------------------


@dataclass
class NeedPlace:
    """A session a need was in, and where it ended up there."""

    session: PrioritizationSession
    position: int | None = None
    tied: bool = False
    score: float | None = None
    excluded: bool = False
    prioritized: bool = False


@dataclass
class NeedDetail:
    need: Need
    sessions: list[NeedPlace]
    objectives: list[Objective]
    agenda_items: list[AgendaItem]


def need_get(program: Program, pk: int) -> Need:
    return Need.objects.select_related(
        "program", "territory", "theme", "source_meeting__body__program", "created_by"
    ).get(program=program, pk=pk)


def need_detail(need: Need, *, show_drafts: bool = False) -> NeedDetail:
    sessions = need.sessions.select_related("territory", "body").order_by("-created_at", "-pk")
    if not show_drafts:
        sessions = sessions.exclude(status=SessionStatus.DRAFT)
    places: list[NeedPlace] = []
    for session in sessions:
        place = NeedPlace(session=session)
        result = session.result or {}
        if session.status == SessionStatus.CLOSED and result:
            place.excluded = need.pk in result.get("excluded", [])
            score = result.get("scores", {}).get(str(need.pk))
            place.score = float(score) if score is not None else None
            place.prioritized = need.pk in result.get("prioritized", [])
            if not place.excluded:
                ranked = [n for n in result.get("order", []) if n not in result.get("excluded", [])]
                if need.pk in ranked:
                    place.position = ranked.index(need.pk) + 1
                place.tied = any(
                    need.pk in group and len(group) > 1 for group in result.get("ranking", [])
                )
        places.append(place)
    objectives = list(
        need.objectives.select_related("plan").order_by("plan__created_at", "position", "pk")
    )
    agenda_items = list(
        need.agenda_items.select_related("meeting__body__program").order_by(
            "-meeting__starts_at", "pk"
        )
    )
    return NeedDetail(need=need, sessions=places, objectives=objectives, agenda_items=agenda_items)


# -- sessions ---------------------------------------------------------------------------------


def session_list(
    program: Program, *, limit: int | None = None, show_drafts: bool = False
) -> list[PrioritizationSession]:
    sessions = (
        PrioritizationSession.objects.filter(program=program)
        .select_related("territory", "body")
        .annotate(
            need_count=Count("needs", distinct=True), input_count=Count("inputs", distinct=True)
        )
        .order_by("-created_at", "-pk")
    )
    if not show_drafts:
        sessions = sessions.exclude(status=SessionStatus.DRAFT)
    return list(sessions[:limit] if limit else sessions)


def session_get(program: Program, pk: int) -> PrioritizationSession:
    return PrioritizationSession.objects.select_related(
        "program",
        "territory",
        "body__territory",
        "body__program",
        "meeting__body__program",
        "cycle",
        "created_by",
    ).get(program=program, pk=pk)


def open_needs_in(program: Program, territory: Territory) -> QuerySet[Need]:
    """Needs a new session may take: open needs of the territory and the places within it."""
    return (
        Need.objects.filter(
            program=program, status=NeedStatus.OPEN, territory__path__startswith=territory.path
        )
        .select_related("territory", "theme")
        .order_by("territory__path", "title", "pk")
    )


# -- participants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """Someone who may give an input. With a body: a seat's holder or alternate."""

    user_id: int
    mandate_id: int | None = None
    organization: str = ""
    seat: str = ""
    is_alternate: bool = False


PARTICIPANT_ROLES = (Role.COORDINATOR, Role.DIRECTORATE_MEMBER)


def session_participants(
    session: PrioritizationSession, day: datetime.date | None = None
) -> list[Participant]:
    """Who may give an input on `day`: the current voting seats' holders and alternates when
    the session has a body, otherwise the program's coordinators and directorate members."""
    day = day or timezone.localdate()
    if session.body_id is not None:
        from ..bodies.selectors import mandates_on

        body: Body = session.body  # type: ignore[assignment]
        participants: list[Participant] = []
        for mandate in mandates_on(body, day):
            for user_id, alternate in (
                (mandate.holder_user_id, False),
                (mandate.alternate_user_id, True),
            ):
                if user_id is not None:
                    participants.append(
                        Participant(
                            user_id=user_id,
                            mandate_id=mandate.pk,
                            organization=mandate.organization.name,
                            seat=mandate.seat.label,
                            is_alternate=alternate,
                        )
                    )
        return participants
    user_ids = (
        ProgramRole.objects.filter(
            program_id=session.program_id, role__in=PARTICIPANT_ROLES, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return [Participant(user_id=pk) for pk in user_ids]


def participant_for(
    session: PrioritizationSession, user: Any, day: datetime.date | None = None
) -> Participant | None:
    """The user as a participant of the session on `day` (None: not one). Cached on the user
    object for the request, as the permission check and the page both ask."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    day = day or timezone.localdate()
    cache: dict[tuple[int, datetime.date], Participant | None] = user.__dict__.setdefault(
        "_tejido_session_participant", {}
    )
    key = (session.pk, day)
    if key not in cache:
        found = [p for p in session_participants(session, day) if p.user_id == user.pk]
        # Holding a seat as holder comes before acting as someone's alternate.
        found.sort(key=lambda p: p.is_alternate)
        cache[key] = found[0] if found else None
    return cache[key]


# -- a session's page -------------------------------------------------------------------------


@dataclass
class RankedNeed:
    need: Need
    position: int
    score: float
    tied: bool
    prioritized: bool
    # How the score was made: Hanlon's mean size (A), seriousness (B) and effectiveness (C);
    # each criterion's mean on 0..100 for a criteria matrix. (label, value) pairs.
    breakdown: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ExcludedNeed:
    need: Need
    score: float | None
    # Feasibility factors a majority answered "no" to: (label, noes, answers).
    reasons: list[tuple[str, int, int]]


@dataclass
class InputRow:
    label: str
    organization: str
    submitted_at: datetime.datetime
    cells: list[str]
    is_own: bool = False


@dataclass
class SessionView:
    session: PrioritizationSession
    needs: list[Need]
    criteria: list[SessionCriterion]
    inputs: list[PrioritizationInput]
    participants: list[Participant]
    own_input: PrioritizationInput | None
    participant: Participant | None
    seat_taken: bool
    # Filled once closed:
    ranking: list[RankedNeed] = field(default_factory=list)
    excluded: list[ExcludedNeed] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    input_rows: list[InputRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        """How many inputs the session can get: one per seat, or one per member."""
        seats = {p.mandate_id for p in self.participants if p.mandate_id is not None}
        return len(seats) if self.session.body_id else len(self.participants)

    @property
    def given(self) -> int:
        return len(self.inputs)


def session_view(
    session: PrioritizationSession,
    user: Any,
    *,
    show_names: bool,
    day: datetime.date | None = None,
) -> SessionView:
    from ..explain import explain_priority

    needs = list(session.needs.select_related("territory", "theme").order_by("title", "pk"))
    criteria = list(session.criteria.all())
    inputs = list(session.inputs.select_related("participant").order_by("submitted_at", "pk"))
    participants = session_participants(session, day)
    participant = participant_for(session, user, day)
    own = next((i for i in inputs if i.participant_id == getattr(user, "pk", None)), None)
    seat_taken = False
    if participant is not None and own is None and participant.mandate_id is not None:
        mates = {
            p.user_id
            for p in participants
            if p.mandate_id == participant.mandate_id and p.user_id != participant.user_id
        }
        seat_taken = any(i.participant_id in mates for i in inputs)
    view = SessionView(
        session=session,
        needs=needs,
        criteria=criteria,
        inputs=inputs,
        participants=participants,
        own_input=own,
        participant=participant,
        seat_taken=seat_taken,
    )
    view.input_rows = _input_rows(
        session, needs, criteria, inputs, participants, show_names=show_names, user=user
    )
    if session.status == SessionStatus.CLOSED and session.result:
        priority = voting.Priority.from_dict(session.result)
        by_pk = {n.pk: n for n in needs}
        labels = {n.pk: n.title for n in needs}
        view.explanation = explain_priority(priority, labels)
        excluded = set(priority.excluded)
        prioritized = set(session.result.get("prioritized", []))
        tied = {n for group in priority.ranking if len(group) > 1 for n in group}
        position = 0
        for need_id in priority.order:
            if need_id in excluded or need_id not in by_pk:
                continue
            position += 1
            view.ranking.append(
                RankedNeed(
                    need=by_pk[need_id],
                    position=position,
                    score=priority.scores.get(need_id, 0.0),
                    tied=need_id in tied,
                    prioritized=need_id in prioritized,
                    breakdown=_breakdown(session, criteria, priority.details.get(need_id, {})),
                )
            )
        view.excluded = [
            ExcludedNeed(
                need=by_pk[need_id],
                score=priority.scores.get(need_id),
                reasons=_exclusion_reasons(need_id, criteria, inputs),
            )
            for need_id in priority.excluded
            if need_id in by_pk
        ]
    return view


def _breakdown(
    session: PrioritizationSession,
    criteria: Iterable[SessionCriterion],
    details: Mapping[str, float],
) -> list[tuple[str, float]]:
    if session.method == PrioritizationMethod.HANLON:
        return [
            (HANLON_ABBREVIATIONS[code], details[code])
            for code in voting.HANLON_FACTORS
            if code in details
        ]
    if session.method == PrioritizationMethod.CRITERIA:
        return [(c.name, details[str(c.pk)]) for c in criteria if str(c.pk) in details]
    return []


def _exclusion_reasons(
    need_id: int, criteria: Iterable[SessionCriterion], inputs: Iterable[PrioritizationInput]
) -> list[tuple[str, int, int]]:
    reasons = []
    answers = [i.content.get("scores", {}).get(str(need_id), {}) for i in inputs]
    for criterion in criteria:
        if not is_pearl(criterion):
            continue
        given = [row[criterion.code] for row in answers if criterion.code in row]
        noes = sum(1 for value in given if int(value) == 0)
        if given and noes * 2 > len(given):
            reasons.append((criterion_label(criterion), noes, len(given)))
    return reasons


def _input_rows(
    session: PrioritizationSession,
    needs: list[Need],
    criteria: list[SessionCriterion],
    inputs: list[PrioritizationInput],
    participants: list[Participant],
    *,
    show_names: bool,
    user: Any,
) -> list[InputRow]:
    organizations = {p.user_id: p.organization for p in participants}
    rows: list[InputRow] = []
    for number, entry in enumerate(inputs, start=1):
        if show_names:
            label = entry.participant.get_full_name() or entry.participant.email
        else:
            label = str(_("Participant %(number)s")) % {"number": number}
        rows.append(
            InputRow(
                label=label,
                organization=organizations.get(entry.participant_id, "") if show_names else "",
                submitted_at=entry.submitted_at,
                cells=[input_cell(session, entry.content, need, criteria) for need in needs],
                is_own=entry.participant_id == getattr(user, "pk", None),
            )
        )
    return rows


def input_cell(
    session: PrioritizationSession,
    content: Mapping[str, Any],
    need: Need,
    criteria: list[SessionCriterion],
) -> str:
    """One participant's input on one need, in a few characters."""
    method = session.method
    if method == PrioritizationMethod.DOTS:
        return str(content.get("dots", {}).get(str(need.pk), 0))
    if method == PrioritizationMethod.RANKED:
        ranking = [int(n) for n in content.get("ranking", [])]
        return str(ranking.index(need.pk) + 1) if need.pk in ranking else "–"
    row = content.get("scores", {}).get(str(need.pk), {})
    if method == PrioritizationMethod.HANLON:
        parts = [
            f"{HANLON_ABBREVIATIONS[c.code]} {row.get(c.code, '–')}"
            for c in criteria
            if c.code in HANLON_ABBREVIATIONS
        ]
        noes = [c for c in criteria if is_pearl(c) and int(row.get(c.code, 1)) == 0]
        text = " · ".join(parts)
        if noes:
            text += " · " + str(_("no: %(factors)s")) % {
                "factors": ", ".join(criterion_label(c) for c in noes)
            }
        return text
    return " · ".join(str(row.get(str(c.pk), "–")) for c in criteria)
