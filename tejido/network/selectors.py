"""Reads of the tie graph shaped for pages: the actor profile and the network map.

Both must stay fast with 100,000 actors and 500,000 ties in the database, with a number of
queries that does not grow with the data:

* The profile reads an actor's current ties through the (source, superseded_at) and
  (target, superseded_at) indexes, strongest first, at most one page of them, with both ends
  joined in the same query; the counts per type come from one aggregate.
* The map reads plain values (no model instances): one query for the actors of the view and one
  for the ties among them, the view's actors appearing in the tie query as sub-selects so that
  the database, not Python, does the join.

People's names are personal data. A viewer who may not see people (`can_view_people`: not a
member of the program) gets no person in any list, map or drawing, and no tie with one; ties
with people are only counted, and counts of people are shown from PEOPLE_COUNT_MIN up.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Membership, Post, Sector, SensitiveData
from tejido.actors.selectors import actor_search, can_view_people, people_count_public
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.core.text import normalize_for_search

from .ego import EgoLayout, EgoPartner, ego_layout
from .models import ActorMetrics, Intensity, NetworkSnapshot, Tie, TieType

TIES_PAGE_SIZE = 200
PAST_TIES_LIMIT = 30
EGO_MAX_PARTNERS = 24
MEMBERS_LIMIT = 100
PARTNER_SEARCH_LIMIT = 20
# Beyond this many actors a view is not drawn (the layout would take too long on a modest
# laptop; 20,000 pan and zoom smoothly, see benchmarks/BENCHMARKS.md); the reader is asked to
# narrow it to a territory or a theme. TEJIDO_MAP_MAX_NODES overrides it.
MAP_MAX_NODES = 25_000
MAP_TABLE_PAGE_SIZE = 50

# What a profile shows of a tie and of its two ends, read as plain values: building 250 rows
# from tuples takes a fraction of the time of instantiating 750 model objects.
_ROW_COLUMNS = (
    "id",
    "program_id",
    "source_id",
    "target_id",
    "tie_type",
    "directed",
    "intensity",
    "trust",
    "value",
    "started_on",
    "ended_on",
    "provenance",
    "previous_id",
    "source__name",
    "source__sector",
    "target__name",
    "target__sector",
)


def _active_q(today: datetime.date) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gte=today)


# A tie with a person at either end (the ends are joined by primary key).
_PERSON_END = Q(source__kind=ActorKind.PERSON) | Q(target__kind=ActorKind.PERSON)


def ties_without_people[T: QuerySet[Tie]](ties: T, program: Program | int) -> T:
    """Ties with no person at either end, for reads over a whole program: the program's people
    are one sub-select (the (program, kind) index) that the database hashes once, where joining
    both ends would look up two actors for every tie."""
    people = Actor.objects.filter(program=program, kind=ActorKind.PERSON).order_by().values("pk")
    return ties.exclude(source_id__in=people).exclude(target_id__in=people)


# ---------------------------------------------------------------------------------------------
# The actor profile


@dataclass(slots=True)
class TieRow:
    """A current tie seen from one of its ends, as the profile lists it."""

    pk: int
    program_id: int
    source_id: int
    target_id: int
    tie_type: str
    directed: bool
    intensity: int
    trust: int | None
    value: int | None
    started_on: datetime.date | None
    ended_on: datetime.date | None
    provenance: str
    previous_id: int | None
    other_id: int
    other_name: str
    sector: str  # the other actor's
    # "both" for an undirected tie, "out" when it goes from the profile's actor to the other,
    # "in" when it comes from the other.
    direction: str
    ended: bool = False
    can_change: bool = False
    # Links and ready-made text, filled in by the view: a profile can list 250 ties, and
    # building each row's words once in Python costs a fraction of doing it in the template.
    other_url: str = ""
    history_url: str = ""
    edit_url: str = ""
    end_url: str = ""
    sector_label: str = ""
    intensity_label: str = ""
    scores_text: str = ""
    meta_text: str = ""
    direction_text: str = ""
    about: str = ""
    dom_id: str = ""
    arrow: str = ""
    intensity_text: str = ""

    def as_tie(self) -> Tie:
        """A Tie carrying what permission rules look at (program and ends)."""
        return Tie(
            pk=self.pk,
            program_id=self.program_id,
            source_id=self.source_id,
            target_id=self.target_id,
            tie_type=self.tie_type,
            directed=self.directed,
        )


@dataclass
class TieGroup:
    tie_type: str
    label: str
    count: int  # all current ties of this type, also those beyond the page shown
    rows: list[TieRow]


@dataclass
class ActorTies:
    groups: list[TieGroup]
    past: list[TieRow]
    current_count: int
    past_count: int
    page: int
    page_size: int
    # Current ties with a person, left out for a viewer who may not see people (and then only
    # told from PEOPLE_COUNT_MIN up: `people_ties_public`).
    people_ties_count: int = 0
    people_hidden: bool = False

    @property
    def shown_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.current_count / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.current_count else 0

    @property
    def end_index(self) -> int:
        return min(self.page * self.page_size, self.current_count)

    @property
    def past_hidden_count(self) -> int:
        return max(0, self.past_count - len(self.past))

    @property
    def people_ties_public(self) -> int | None:
        return people_count_public(self.people_ties_count)

    @property
    def rows(self) -> list[TieRow]:
        return [row for group in self.groups for row in group.rows]


def _tie_rows(
    values: Iterable[tuple[Any, ...]], actor_id: int, today: datetime.date
) -> list[TieRow]:
    rows = []
    for (
        pk,
        program_id,
        source_id,
        target_id,
        tie_type,
        directed,
        intensity,
        trust,
        value,
        started_on,
        ended_on,
        provenance,
        previous_id,
        source_name,
        source_sector,
        target_name,
        target_sector,
    ) in values:
        if source_id == actor_id:
            other_id, other_name, sector, direction = target_id, target_name, target_sector, "out"
        else:
            other_id, other_name, sector, direction = source_id, source_name, source_sector, "in"
        rows.append(
            TieRow(
                pk=pk,
                program_id=program_id,
                source_id=source_id,
                target_id=target_id,
                tie_type=tie_type,
                directed=directed,
                intensity=intensity,
                trust=trust,
                value=value,
                started_on=started_on,
                ended_on=ended_on,
                provenance=provenance,
                previous_id=previous_id,
                other_id=other_id,
                other_name=other_name,
                sector=sector,
                direction=direction if directed else "both",
                ended=bool(ended_on and ended_on < today),
            )
        )
    return rows


def _mark_changeable(rows: list[TieRow], actor: Actor, viewer: Any) -> None:
    """Which rows the viewer may correct or end, asking the rules as few times as possible.

    Whoever may change a tie of this actor whatever its other end (a coordinator, the
    directorate, the actor's representative) may change all of them: one question. Anyone else
    may at most change the ties whose other end they speak for: one question per row.
    """
    if not rows or not getattr(viewer, "is_authenticated", False):
        return
    probe = Tie(program_id=actor.program_id, source_id=actor.pk, target_id=actor.pk)
    if viewer.has_perm("network.change_tie", probe):
        for row in rows:
            row.can_change = True
        return
    for row in rows:
        row.can_change = bool(viewer.has_perm("network.change_tie", row.as_tie()))


def ties_for_actor(
    actor: Actor,
    *,
    viewer: Any,
    page: int = 1,
    page_size: int = TIES_PAGE_SIZE,
    today: datetime.date | None = None,
) -> ActorTies:
    """An actor's current ties grouped by type, strongest first, and its recently ended ones.

    A `viewer` who may not see people gets no tie with a person, only their number
    (`people_ties_count`).

    Three queries whatever the number of ties: the counts, one page of current ties (at most
    `page_size`) and the latest ended ties (at most PAST_TIES_LIMIT).
    """
    today = today or timezone.localdate()
    active, ended = _active_q(today), Q(ended_on__lt=today)
    base = Tie.objects.current().involving(actor).order_by()
    hidden: dict[str, Count] = {}
    people_hidden = not can_view_people(viewer, actor)
    if people_hidden:
        # The counts of the ties shown leave people out; those with people get their own.
        hidden["people"] = Count("pk", filter=active & _PERSON_END)
        active, ended = active & ~_PERSON_END, ended & ~_PERSON_END
    counts = base.aggregate(
        past=Count("pk", filter=ended),
        **{
            f"type_{code}": Count("pk", filter=active & Q(tie_type=code)) for code in TieType.values
        },
        **hidden,
    )
    current_count = sum(counts[f"type_{code}"] or 0 for code in TieType.values)
    num_pages = max(1, math.ceil(current_count / page_size))
    page = min(max(1, page), num_pages)
    start = (page - 1) * page_size

    current = _tie_rows(
        base.filter(active)
        .order_by("-intensity", "-recorded_at", "-id")
        .values_list(*_ROW_COLUMNS)[start : start + page_size],
        actor.pk,
        today,
    )
    past = _tie_rows(
        base.filter(ended)
        .order_by("-ended_on", "-id")
        .values_list(*_ROW_COLUMNS)[:PAST_TIES_LIMIT],
        actor.pk,
        today,
    )
    _mark_changeable([*current, *past], actor, viewer)

    by_type: dict[str, list[TieRow]] = defaultdict(list)
    for row in current:
        by_type[row.tie_type].append(row)
    groups = []
    for code, label in TieType.choices:
        rows = by_type.get(code)
        if not rows:
            continue
        rows.sort(key=lambda r: (-r.intensity, r.other_name.casefold(), r.other_id))
        groups.append(TieGroup(code, str(label), counts[f"type_{code}"] or 0, rows))
    return ActorTies(
        groups=groups,
        past=past,
        current_count=current_count,
        past_count=counts["past"] or 0,
        page=page,
        page_size=page_size,
        people_ties_count=counts.get("people") or 0,
        people_hidden=people_hidden,
    )


def ego_network(
    actor: Actor,
    rows: Iterable[TieRow],
    *,
    url_for: Callable[[int], str],
    today: datetime.date | None = None,
) -> tuple[EgoLayout, int]:
    """The actor's strongest partners laid out around it, and how many partners it has shown.

    Built from the tie rows already read for the page, plus one query for the ties among the
    partners (skipped when there are fewer than two).
    """
    today = today or timezone.localdate()
    strongest: dict[int, int] = {}
    tie_count: Counter[int] = Counter()
    others: dict[int, TieRow] = {}
    for row in rows:
        pid = row.other_id
        others[pid] = row
        tie_count[pid] += 1
        strongest[pid] = max(strongest.get(pid, 0), row.intensity)
    chosen = sorted(
        others,
        key=lambda pid: (-strongest[pid], -tie_count[pid], others[pid].other_name.casefold(), pid),
    )[:EGO_MAX_PARTNERS]
    partners = [
        EgoPartner(
            id=pid,
            name=others[pid].other_name,
            sector=others[pid].sector,
            url=url_for(pid),
            intensity=strongest[pid],
            tie_count=tie_count[pid],
        )
        for pid in chosen
    ]
    pairs: list[tuple[int, int]] = []
    if len(chosen) > 1:
        pairs = list(
            Tie.objects.active(today)
            .filter(program_id=actor.program_id, source_id__in=chosen, target_id__in=chosen)
            .order_by()
            .values_list("source_id", "target_id")
            .distinct()
        )
    return ego_layout(partners, pairs, sector_order=Sector.values), len(others)


@dataclass
class PostHolders:
    post: Post
    holders: list[Membership]


@dataclass
class ActorProfile:
    actor: Actor
    ties: ActorTies
    ego: EgoLayout
    ego_partner_count: int  # distinct partners among the ties on the page
    # A person's memberships, or an organization's members, most recent first.
    memberships: list[Membership] = field(default_factory=list)
    memberships_count: int = 0
    posts: list[PostHolders] = field(default_factory=list)
    gender: str | None = None
    # For a viewer who may not see people: members and post holders are not read, only how
    # many members there are (shown from PEOPLE_COUNT_MIN up: `members_count_public`).
    people_hidden: bool = False
    can_view_contact: bool = False
    can_view_sensitive: bool = False
    can_edit: bool = False
    can_add_tie: bool = False

    @property
    def has_contact(self) -> bool:
        a = self.actor
        return bool(a.email or a.phone or a.website or a.address)

    @property
    def sector_label(self) -> str:
        return str(Sector(self.actor.sector).label) if self.actor.sector in Sector.values else ""

    @property
    def members_count_public(self) -> int | None:
        return people_count_public(self.memberships_count)


def actor_get(program: Program, pk: int) -> Actor:
    """The actor with its territory, themes and territories served (three queries)."""
    actor = (
        Actor.objects.select_related("territory")
        .prefetch_related("themes", "territories_served")
        .get(program=program, pk=pk)
    )
    actor.program = program  # already loaded: rules read it without another query
    return actor


def actor_profile(
    actor: Actor,
    viewer: Any,
    *,
    url_for: Callable[[int], str],
    ties_page: int = 1,
    today: datetime.date | None = None,
) -> ActorProfile:
    """Everything the profile shows about an actor, in a fixed number of queries.

    Contact details and gender are only read for viewers allowed to see them: data that a page
    does not show is data that cannot leak from it. For the same reason a viewer who may not see
    people gets none: no tie with a person, no partner in the drawing, no member or post holder
    (their number only).
    """
    today = today or timezone.localdate()
    ties = ties_for_actor(actor, viewer=viewer, page=ties_page, today=today)
    ego, partner_count = ego_network(actor, ties.rows, url_for=url_for, today=today)
    profile = ActorProfile(
        actor=actor,
        ties=ties,
        ego=ego,
        ego_partner_count=partner_count,
        people_hidden=ties.people_hidden,
        can_view_contact=viewer.has_perm("actors.view_contact", actor),
        can_view_sensitive=viewer.has_perm("actors.view_sensitive", actor),
        can_edit=viewer.has_perm("actors.change_actor", actor),
        can_add_tie=viewer.has_perm("network.add_tie_for_actor", actor),
    )
    if profile.people_hidden:
        # Members are people: how many, and the posts of an organization without their holders.
        if actor.kind != ActorKind.PERSON:
            profile.memberships_count = Membership.objects.filter(organization=actor).count()
            profile.posts = [
                PostHolders(post, [])
                for post in Post.objects.filter(organization=actor).order_by("label")
            ]
        return profile
    if actor.kind == ActorKind.PERSON:
        memberships = (
            Membership.objects.filter(person=actor)
            .select_related("organization", "post")
            .order_by("-start_date", "organization__name", "pk")
        )
    else:
        memberships = (
            Membership.objects.filter(organization=actor)
            .select_related("person", "post")
            .order_by("-start_date", "person__name", "pk")
        )
        posts = list(Post.objects.filter(organization=actor).order_by("label"))
    profile.memberships = list(memberships[: MEMBERS_LIMIT + 1])
    if len(profile.memberships) > MEMBERS_LIMIT:
        profile.memberships = profile.memberships[:MEMBERS_LIMIT]
        profile.memberships_count = memberships.count()
    else:
        profile.memberships_count = len(profile.memberships)
    if actor.kind != ActorKind.PERSON:
        holders: dict[int, list[Membership]] = defaultdict(list)
        for m in profile.memberships:
            if m.post_id and _membership_current(m, today):
                holders[m.post_id].append(m)
        profile.posts = [PostHolders(post, holders.get(post.pk, [])) for post in posts]
    if profile.can_view_sensitive and actor.kind == ActorKind.PERSON:
        profile.gender = (
            SensitiveData.objects.filter(person=actor)
            .exclude(gender="")
            .values_list("gender", flat=True)
            .first()
        )
    return profile


def _membership_current(m: Membership, today: datetime.date) -> bool:
    return (m.start_date is None or m.start_date <= today) and (
        m.end_date is None or m.end_date >= today
    )


def tie_versions(tie: Tie) -> list[Tie]:
    """Every version of a tie, newest first, with who recorded each (one query)."""
    return list(
        Tie.objects.filter(
            program_id=tie.program_id,
            source_id=tie.source_id,
            target_id=tie.target_id,
            tie_type=tie.tie_type,
        )
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )


def tie_current_version(tie: Tie) -> Tie | None:
    """The version now on record of the tie `tie` is a version of (itself if current)."""
    if tie.superseded_at is None:
        return tie
    return (
        Tie.objects.current()
        .filter(source_id=tie.source_id, target_id=tie.target_id, tie_type=tie.tie_type)
        .first()
    )


def partner_options(
    program: Program,
    actor: Actor,
    query: str,
    *,
    selected: int | None = None,
    kinds: Iterable[str] = (),
) -> tuple[list[Actor], bool]:
    """Actors of the program matching `query` that `actor` could have a tie with (only those
    of `kinds` when given).

    Returns at most PARTNER_SEARCH_LIMIT actors, those whose name matches first (the one
    already `selected` before all), and whether more matched. An empty query finds nothing:
    a list of 100,000 names helps no one.
    """
    found: list[Actor] = []
    more = False
    fields = ("pk", "name", "sector", "kind", "program_id", "territory__name")
    if query.strip():
        # Words may match a description too; a few more rows than shown let names that match
        # come first, those that start with the query before all.
        candidates = Actor.objects.filter(program=program).exclude(pk=actor.pk)
        if kinds:
            candidates = candidates.filter(kind__in=list(kinds))
        matches = list(
            actor_search(candidates, query)
            .select_related("territory")
            .only(*fields)
            .order_by("name", "pk")[: PARTNER_SEARCH_LIMIT * 3 + 1]
        )
        more = len(matches) > PARTNER_SEARCH_LIMIT
        wanted = normalize_for_search(query)

        def rank(candidate: Actor) -> tuple[int, int]:
            name = normalize_for_search(candidate.name)
            return (not name.startswith(wanted), wanted not in name)

        found = sorted(matches, key=rank)[:PARTNER_SEARCH_LIMIT]
    if selected and selected != actor.pk and all(a.pk != selected for a in found):
        chosen = (
            Actor.objects.filter(program=program, pk=selected)
            .select_related("territory")
            .only(*fields)
            .first()
        )
        if chosen is not None:
            found.insert(0, chosen)
    return found, more


# ---------------------------------------------------------------------------------------------
# The network map


class MapView:
    MULTISECTOR = "multisector"
    GEOGRAPHIC = "geographic"
    THEMATIC = "thematic"
    ALL = (MULTISECTOR, GEOGRAPHIC, THEMATIC)


# The per-actor indicators the map can size nodes by, in the order of the ActorMetrics fields,
# read from the snapshot of the view's cycle (or today's) when one has been computed.
MAP_METRICS = (
    "degree",
    "strength",
    "two_step_reach",
    "betweenness",
    "effective_size",
    "coreness",
    "community",
)
# Flags packed into one small integer per actor: isolated, peripheral, critical point.
MAP_FLAG_ISOLATE = 1
MAP_FLAG_PERIPHERAL = 2
MAP_FLAG_CRITICAL = 4
# The format of the map data; the script refuses another (a page left open across a deploy).
MAP_DATA_FORMAT = 2


def map_max_nodes() -> int:
    return int(getattr(settings, "TEJIDO_MAP_MAX_NODES", MAP_MAX_NODES))


@dataclass
class MapScope:
    """Which actors and ties a map view shows.

    Actors: the view's (all, a territory's, a theme's). Ties: those in force today, or at the
    end of `cycle` as they were recorded then, with both ends in the view, of the chosen types
    (all when empty) and at least `min_intensity`. People are part of the view only when
    `include_people` (the viewer may see people).
    """

    program: Program
    view: str
    territory: Territory | None = None
    theme: Theme | None = None
    include_people: bool = False
    cycle: Cycle | None = None
    tie_types: tuple[str, ...] = ()
    min_intensity: int = 0
    # Ids read once per scope: the territory's subtree and the actors serving it from outside.
    _subtree: dict[int, str] | None = field(default=None, repr=False)
    _serving: list[int] | None = field(default=None, repr=False)

    def subtree_paths(self) -> dict[int, str]:
        """The territory and all those inside it, id to materialized path."""
        if self._subtree is None:
            self._subtree = (
                dict(
                    Territory.objects.filter(path__startswith=self.territory.path).values_list(
                        "pk", "path"
                    )
                )
                if self.territory is not None
                else {}
            )
        return self._subtree

    def subtree_ids(self) -> list[int]:
        return list(self.subtree_paths())

    def serving_ids(self) -> list[int]:
        if self._serving is None:
            self._serving = list(
                Actor.territories_served.through.objects.filter(
                    territory_id__in=self.subtree_ids(), actor__program=self.program
                )
                .values_list("actor_id", flat=True)
                .distinct()
            )
        return self._serving

    def actors(self) -> QuerySet[Actor]:
        """The view's actors. Territory and serving ids are plain lists, not sub-selects: with
        them PostgreSQL walks the (program, territory) index instead of scanning every actor."""
        actors = Actor.objects.filter(program=self.program)
        if not self.include_people:
            actors = actors.organizations()
        if self.view == MapView.GEOGRAPHIC:
            if self.territory is None:
                return actors.none()
            # Actors based in the territory, and those that work there from elsewhere (a
            # municipality's office, a regional foundation): both are part of its network.
            based = Q(territory_id__in=self.subtree_ids())
            serving = self.serving_ids()
            return actors.filter(based | Q(pk__in=serving) if serving else based)
        if self.view == MapView.THEMATIC:
            if self.theme is None:
                return actors.none()
            themed = Actor.themes.through.objects.filter(theme_id=self.theme.pk).values("actor_id")
            return actors.filter(pk__in=themed)
        return actors

    def program_ties(self, today: datetime.date) -> QuerySet[Tie]:
        """The program's ties at the scope's moment, of its types and intensity, without those
        the viewer may not see; not yet restricted to the view's actors."""
        if self.cycle is not None:
            from .analytics.graph import ties_at

            ties: QuerySet[Tie] = ties_at(self.program, self.cycle)
        else:
            ties = Tie.objects.active(today).filter(program=self.program)
        if self.tie_types:
            ties = ties.filter(tie_type__in=self.tie_types)
        if self.min_intensity:
            ties = ties.filter(intensity__gte=self.min_intensity)
        return self.without_hidden_ends(ties)

    def ties(self, today: datetime.date) -> QuerySet[Tie]:
        """The scope's ties with both ends in the view.

        The ends are matched against the view's actors as a sub-select, not as a list of their
        ids: both databases then drive the query from the actor side (the (program, territory)
        or theme index) and read only those actors' ties by the (target, superseded_at) index.
        Given a list of 5,000 ids, SQLite (which keeps one average per index, not per program)
        walked the (program, superseded_at) index through all the program's current ties
        instead: 500,000 rows to keep 20,000, 160 ms where this takes 45.
        """
        ties = self.program_ties(today)
        if self.view == MapView.MULTISECTOR:
            return ties
        # The view's actors leave out the people the viewer may not see, and their ties with them.
        ids = self.actors().order_by().values("pk")
        return ties.filter(source_id__in=ids, target_id__in=ids)

    def without_hidden_ends(self, ties: QuerySet[Tie]) -> QuerySet[Tie]:
        """`ties` without those with a person at either end, unless the view includes people."""
        return ties if self.include_people else ties_without_people(ties, self.program)

    @property
    def filtered(self) -> bool:
        """Whether ties are left out by type or intensity."""
        return bool(self.tie_types) or self.min_intensity > 0

    @property
    def label(self) -> str:
        if self.view == MapView.GEOGRAPHIC and self.territory is not None:
            label = _("Geographic network: %(territory)s") % {"territory": self.territory.name}
        elif self.view == MapView.THEMATIC and self.theme is not None:
            label = _("Thematic network: %(theme)s") % {"theme": self.theme.label}
        else:
            label = _("Multi-sector network")
        if self.cycle is not None:
            return _("%(network)s, at the end of %(cycle)s") % {
                "network": label,
                "cycle": self.cycle,
            }
        return label

    def query(self) -> dict[str, Any]:
        """The scope as the map's query parameters (a list value repeats its key)."""
        query: dict[str, Any] = {"view": self.view}
        if self.territory is not None:
            query["territory"] = self.territory.slug
        if self.theme is not None:
            query["theme"] = self.theme.slug
        if self.cycle is not None:
            query["cycle"] = self.cycle.number
        if self.tie_types:
            query["type"] = list(self.tie_types)
        if self.min_intensity:
            query["intensity"] = self.min_intensity
        return query


@dataclass
class TerritoryOption:
    territory: Territory
    depth: int
    actor_count: int

    @property
    def indent(self) -> str:
        """Non-breaking spaces: a select's options cannot be styled, but they can be indented."""
        return "\u00a0\u00a0\u00a0" * self.depth


def map_territory_options(program: Program, viewer: Any) -> list[TerritoryOption]:
    """Territories where the program's actors are based, with their ancestors, in tree order.

    The counts are of the actors `viewer` may see (people only for those who may see people).
    Two queries: the actors per base territory (an index scan), then those territories and all
    their ancestors at once.
    """
    per_territory = dict(
        Actor.objects.visible_to(viewer, program)
        .filter(territory__isnull=False)
        .order_by()
        .values_list("territory_id")
        .annotate(n=Count("pk"))
        .values_list("territory_id", "n")
    )
    program_territory_ids = list(program.territories.values_list("pk", flat=True))
    wanted = set(per_territory) | set(program_territory_ids)
    if not wanted:
        return []
    paths = Territory.objects.filter(pk__in=wanted).values_list("path", flat=True)
    ancestor_ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    territories = {
        t.pk: t
        for t in Territory.objects.filter(pk__in=ancestor_ids | wanted).only(
            "pk", "name", "slug", "level", "parent_id", "path"
        )
    }
    counts: Counter[int] = Counter()
    for tid, n in per_territory.items():
        if tid in territories:
            for ancestor in _path_ids(territories[tid].path):
                counts[ancestor] += n
    children: dict[int | None, list[Territory]] = defaultdict(list)
    for t in territories.values():
        parent = t.parent_id if t.parent_id in territories else None
        children[parent].append(t)
    options: list[TerritoryOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for t in sorted(children.get(parent, []), key=lambda t: t.name.casefold()):
            options.append(TerritoryOption(t, depth, counts.get(t.pk, 0)))
            walk(t.pk, depth + 1)

    walk(None, 0)
    return options


def default_territory(options: list[TerritoryOption]) -> Territory | None:
    """The first territory where there is a choice to make: a program working in one region of
    one country opens on that region, not on the whole country."""
    if not options:
        return None
    top = [o for o in options if o.depth == 0]
    current = top[0]
    while True:
        below = [
            o
            for o in options
            if o.depth == current.depth + 1 and o.territory.parent_id == current.territory.pk
        ]
        if len(top) == 1 and len(below) == 1:
            current, top = below[0], below
            continue
        return current.territory


def map_theme_options() -> list[Theme]:
    themes = list(Theme.objects.all())
    return sorted(themes, key=lambda t: (not t.transition, t.label.casefold()))


def map_cycle_options(program: Program, *, today: datetime.date | None = None) -> list[Cycle]:
    """The program's cycles that have begun, in order: the map can show the network at the end
    of each (a cycle still running shows it as recorded so far)."""
    today = today or timezone.localdate()
    return list(Cycle.objects.filter(program=program, starts_on__lte=today).order_by("number"))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def map_scope(
    program: Program,
    *,
    viewer: Any,
    view: str,
    territory_slug: str = "",
    theme_slug: str = "",
    cycle_number: str = "",
    tie_types: Iterable[str] = (),
    min_intensity: str | int = "",
    territory_options: list[TerritoryOption] | None = None,
    theme_options: list[Theme] | None = None,
    cycle_options: list[Cycle] | None = None,
) -> MapScope:
    """Resolve the view and its parameters; unknown values fall back to a sensible default.

    Options already loaded for the page's selects are reused; without them a slug is looked up
    directly, and the options are only read when a default has to be chosen. The view holds
    people only if `viewer` may see them. An unknown cycle means today; unknown tie types are
    ignored (none left means all types).
    """
    if view not in MapView.ALL:
        view = MapView.MULTISECTOR
    scope = MapScope(program=program, view=view, include_people=can_view_people(viewer, program))
    if view == MapView.GEOGRAPHIC:
        territory = None
        if territory_slug:
            if territory_options is not None:
                territory = next(
                    (o.territory for o in territory_options if o.territory.slug == territory_slug),
                    None,
                )
            if territory is None:
                territory = Territory.objects.filter(slug=territory_slug).first()
        if territory is None:
            if territory_options is None:
                territory_options = map_territory_options(program, viewer)
            territory = default_territory(territory_options)
        scope.territory = territory
    elif view == MapView.THEMATIC:
        if theme_options is None:
            theme = Theme.objects.filter(slug=theme_slug).first() if theme_slug else None
            scope.theme = theme or next(iter(map_theme_options()), None)
        else:
            by_slug = {t.slug: t for t in theme_options}
            scope.theme = by_slug.get(theme_slug) or next(iter(theme_options), None)
    number = _int_or_none(cycle_number)
    if number is not None:
        if cycle_options is not None:
            scope.cycle = next((c for c in cycle_options if c.number == number), None)
        else:
            scope.cycle = Cycle.objects.filter(
                program=program, number=number, starts_on__lte=timezone.localdate()
            ).first()
    known = set(TieType.values)
    chosen = {t for t in tie_types if t in known}
    # Every type ticked is the same view as none: one canonical form, one cache entry.
    if chosen and chosen != known:
        scope.tie_types = tuple(t for t in TieType.values if t in chosen)
    intensity = _int_or_none(min_intensity) or 0
    scope.min_intensity = min(max(intensity, 0), max(Intensity.values))
    return scope


def map_snapshot(scope: MapScope) -> NetworkSnapshot | None:
    """The snapshot whose indicators the map shows: the latest of the scope's cycle (or of
    today's network)."""
    from .analytics.selectors import latest_snapshot

    return latest_snapshot(scope.program, scope.cycle)


def map_fingerprint(
    scope: MapScope,
    *,
    today: datetime.date,
    snapshot: NetworkSnapshot | None = None,
    extra: str = "",
) -> str:
    """A validator for the map data, cheap to compute: the view and its filters, whether it
    holds people (the same URL answers members and the public differently), the day (ties end
    at midnight), the view's actors (count and last change), the newest tie version of the
    program (every change to a tie writes a new row, so a higher id) and the snapshot whose
    indicators are sent."""
    actors = scope.actors().order_by().aggregate(n=Count("pk"), changed=Max("updated_at"))
    newest_tie = (
        Tie.objects.filter(program=scope.program)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    raw = "|".join(
        str(part)
        for part in (
            MAP_DATA_FORMAT,
            scope.program.pk,
            scope.view,
            scope.territory.pk if scope.territory else "",
            scope.theme.pk if scope.theme else "",
            "people" if scope.include_people else "public",
            scope.cycle.pk if scope.cycle else "today",
            ",".join(scope.tie_types),
            scope.min_intensity,
            today.isoformat(),
            actors["n"],
            actors["changed"].isoformat() if actors["changed"] else "",
            newest_tie or 0,
            snapshot.pk if snapshot else "",
            extra,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _compact(value: float | None) -> float | int | None:
    """Four significant digits: enough to size a circle, a third of the bytes of a full float."""
    if value is None:
        return None
    if value == 0:
        return 0
    return float(f"{value:.4g}")


def map_data(
    scope: MapScope,
    *,
    url_for: Callable[[int], str],
    today: datetime.date | None = None,
    max_nodes: int | None = None,
    snapshot: NetworkSnapshot | None = None,
) -> dict[str, Any]:
    """The view as compact plain data for the map, in a fixed number of queries.

    Nodes and edges travel as parallel arrays (columns), not as one object per item: a view of
    20,000 actors and 50,000 ties is then about half the size, and the browser reads it faster.
    An edge names its ends by their position in the node arrays; sectors, kinds and tie types
    by their position in the lists of `meta`. With a `snapshot`, every node's indicators come
    along (`metrics`, null where the actor was added after it was computed), with the critical
    ties among the view's actors.

    A view with more than `max_nodes` actors returns no nodes and `meta.too_large`: a browser
    cannot draw it usefully, and the reader is asked to choose a territory or a theme.
    """
    today = today or timezone.localdate()
    max_nodes = max_nodes or map_max_nodes()
    sectors = [code for code, _label in Sector.choices]
    kinds = [code for code, _label in ActorKind.choices]
    tie_types = [code for code, _label in TieType.choices]
    marker = 987654321
    meta: dict[str, Any] = {
        "format": MAP_DATA_FORMAT,
        "view": scope.view,
        "label": scope.label,
        "territory": scope.territory.slug if scope.territory else None,
        "theme": scope.theme.slug if scope.theme else None,
        "cycle": scope.cycle.number if scope.cycle else None,
        "tie_types_shown": list(scope.tie_types),
        "min_intensity": scope.min_intensity,
        "too_large": False,
        "max_nodes": max_nodes,
        "actor_url": url_for(marker).replace(str(marker), "{id}"),
        "sectors": [{"code": c, "label": str(label)} for c, label in Sector.choices],
        "kinds": [{"code": c, "label": str(label)} for c, label in ActorKind.choices],
        "tie_types": [{"code": c, "label": str(label)} for c, label in TieType.choices],
        "intensities": [{"value": v, "label": str(label)} for v, label in Intensity.choices],
        "snapshot": None,
    }
    empty: dict[str, Any] = {
        "nodes": {"id": [], "label": [], "sector": [], "kind": [], "territory": []},
        "edges": {"source": [], "target": [], "type": [], "intensity": []},
        "metrics": None,
        "critical_ties": {"source": [], "target": []},
    }
    rows = list(
        scope.actors()
        .order_by("pk")
        .values_list("pk", "name", "sector", "kind", "territory_id")[: max_nodes + 1]
    )
    if len(rows) > max_nodes:
        meta["too_large"] = True
        meta["counts"] = {"actors": scope.actors().count(), "ties": None, "by_sector": {}}
        return {**empty, "meta": meta}

    index = {row[0]: i for i, row in enumerate(rows)}
    sector_index = {code: i for i, code in enumerate(sectors)}
    kind_index = {code: i for i, code in enumerate(kinds)}
    type_index = {code: i for i, code in enumerate(tie_types)}
    tie_rows = (
        scope.ties(today).order_by().values_list("source_id", "target_id", "tie_type", "intensity")
    )
    sources: list[int] = []
    targets: list[int] = []
    types: list[int] = []
    intensities: list[int] = []
    for source, target, tie_type, intensity in tie_rows:
        # Both ends are in the view by construction, except in a multi-sector view with more
        # actors than drawn (never: that view is too large) or a tie to a deleted actor.
        s = index.get(source)
        t = index.get(target)
        if s is None or t is None:
            continue
        sources.append(s)
        targets.append(t)
        types.append(type_index[tie_type])
        intensities.append(intensity)

    # In a geographic view, actors cluster by the part of the territory they are based in
    # (the first level below the chosen one); elsewhere by sector. The browser seeds its
    # layout from these clusters, so the same data always draws the same picture.
    nodes: dict[str, list[Any]] = {
        "id": [row[0] for row in rows],
        "label": [row[1] for row in rows],
        "sector": [sector_index.get(row[2], 0) for row in rows],
        "kind": [kind_index.get(row[3], 0) for row in rows],
        "territory": [row[4] for row in rows],
    }
    territory_ids = {row[4] for row in rows if row[4] is not None}
    if scope.view == MapView.GEOGRAPHIC and scope.territory is not None:
        cut = len(_path_ids(scope.territory.path))
        clusters: dict[int | None, str] = {}
        for tid, path in scope.subtree_paths().items():
            parts = _path_ids(path)
            clusters[tid] = str(parts[cut]) if len(parts) > cut else "here"
        # Based elsewhere (or nowhere recorded) but serving the territory: "elsewhere".
        nodes["cluster"] = [clusters.get(row[4], "elsewhere") for row in rows]
    meta["territories"] = (
        {
            str(pk): name
            for pk, name in Territory.objects.filter(pk__in=territory_ids).values_list("pk", "name")
        }
        if territory_ids
        else {}
    )
    by_sector: Counter[str] = Counter(row[2] for row in rows)
    meta["counts"] = {
        "actors": len(rows),
        "ties": len(sources),
        "by_sector": dict(by_sector),
    }
    data: dict[str, Any] = {
        **empty,
        "nodes": nodes,
        "edges": {"source": sources, "target": targets, "type": types, "intensity": intensities},
        "meta": meta,
    }
    if snapshot is not None:
        data["metrics"], data["critical_ties"] = _map_metrics(snapshot, rows, index)
        meta["snapshot"] = {
            "id": snapshot.pk,
            "computed_at": snapshot.computed_at.isoformat(),
            "as_of": snapshot.as_of.isoformat(),
            "betweenness_sampled": snapshot.betweenness_sampled,
        }
    return data


def _map_metrics(
    snapshot: NetworkSnapshot, rows: list[tuple[Any, ...]], index: dict[int, int]
) -> tuple[dict[str, list[Any]], dict[str, list[int]]]:
    """The view's actors' indicators from `snapshot`, one column per indicator in node order,
    and the snapshot's critical ties with both ends in the view. One query: the snapshot's rows
    are read whole by its index, then matched to the view in Python (a list of 20,000 ids in
    the query would cost more than the rows it leaves out)."""
    columns: dict[str, list[Any]] = {name: [None] * len(rows) for name in MAP_METRICS}
    flags: list[int | None] = [None] * len(rows)
    for actor_id, *values, isolate, peripheral, critical in ActorMetrics.objects.filter(
        snapshot=snapshot
    ).values_list("actor_id", *MAP_METRICS, "is_isolate", "is_peripheral", "is_critical"):
        i = index.get(actor_id)
        if i is None:
            continue
        for name, value in zip(MAP_METRICS, values, strict=True):
            columns[name][i] = _compact(value) if isinstance(value, float) else value
        flags[i] = (
            (MAP_FLAG_ISOLATE if isolate else 0)
            | (MAP_FLAG_PERIPHERAL if peripheral else 0)
            | (MAP_FLAG_CRITICAL if critical else 0)
        )
    metrics: dict[str, list[Any]] = {**columns, "flags": flags}
    critical_ties: dict[str, list[int]] = {"source": [], "target": []}
    bridges = snapshot.summary.get("bridges", []) if isinstance(snapshot.summary, dict) else []
    for pair in bridges:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue
        s, t = index.get(pair[0]), index.get(pair[1])
        if s is not None and t is not None:
            critical_ties["source"].append(s)
            critical_ties["target"].append(t)
    return metrics, critical_ties


@dataclass
class MapSummary:
    """The view as numbers and a list: the map's text alternative."""

    actor_count: int
    tie_count: int | None  # None when the view is too large to count its ties
    by_sector: list[tuple[str, str, int]]
    by_type: list[tuple[str, str, int]]
    actors: list[tuple[Actor, int]]  # one page, with how many ties each has in the view
    page: int
    num_pages: int
    too_large: bool = False


def map_summary(
    scope: MapScope,
    *,
    page: int = 1,
    page_size: int = MAP_TABLE_PAGE_SIZE,
    today: datetime.date | None = None,
) -> MapSummary:
    """Counts by sector and by tie type, and one page of the view's actors (a fixed number of
    queries: at most six, plus the territory ids a geographic view reads once)."""
    today = today or timezone.localdate()
    actors = scope.actors()
    sector_rows = dict(
        actors.order_by().values_list("sector").annotate(n=Count("pk")).values_list("sector", "n")
    )
    actor_count = sum(sector_rows.values())
    too_large = actor_count > map_max_nodes()
    type_rows: dict[str, int] = {}
    view_ids: list[int] | None = None
    if not too_large:
        # Counting the ties of a view costs as much as reading them; a view too large to draw
        # shows its actors only.
        if scope.view != MapView.MULTISECTOR:
            view_ids = list(actors.order_by().values_list("pk", flat=True))
        type_rows = dict(
            scope.ties(today)
            .order_by()
            .values_list("tie_type")
            .annotate(n=Count("pk"))
            .values_list("tie_type", "n")
        )
    num_pages = max(1, math.ceil(actor_count / page_size))
    page = min(max(1, page), num_pages)
    start = (page - 1) * page_size
    page_actors = list(
        actors.select_related("territory")
        .only("pk", "name", "sector", "kind", "program_id", "territory__name", "territory__slug")
        .order_by("name", "pk")[start : start + page_size]
    )
    ids = [a.pk for a in page_actors]
    degree: Counter[int] = Counter()
    if ids and not too_large:
        # The page's ties, read by its 50 actors, and counted when the other end is in view.
        on_page = set(ids)
        in_view = set(view_ids) if view_ids is not None else None
        for source, target in (
            scope.program_ties(today)
            .filter(Q(source_id__in=ids) | Q(target_id__in=ids))
            .order_by()
            .values_list("source_id", "target_id")
        ):
            if source in on_page and (in_view is None or target in in_view):
                degree[source] += 1
            if target in on_page and (in_view is None or source in in_view):
                degree[target] += 1
    return MapSummary(
        actor_count=actor_count,
        tie_count=sum(type_rows.values()) if not too_large else None,
        by_sector=[
            (code, str(label), sector_rows[code])
            for code, label in Sector.choices
            if sector_rows.get(code)
        ],
        by_type=[
            (code, str(label), type_rows[code])
            for code, label in TieType.choices
            if type_rows.get(code)
        ],
        actors=[(a, degree[a.pk]) for a in page_actors],
        page=page,
        num_pages=num_pages,
        too_large=too_large,
    )
