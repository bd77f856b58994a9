"""Key figures of a program, read in a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.selectors import can_view_people, people_count_public, visible_actors
from tejido.core.models import Cycle, Program, Territory
from tejido.network.models import Tie

# Above this many tie versions, the share of cross-sector ties is estimated from an evenly
# spread sample of about this many ties (every n-th id): two actor look-ups per sampled tie
# instead of per tie keeps the page fast with hundreds of thousands of ties.
CROSS_SECTOR_SAMPLE = 5_000
MIN_SAMPLE = 500
RECENT_ACTORS = 6
# Tie figures are recomputed when a tie changes; an actor changing sector shows within this.
TIE_FIGURES_SECONDS = 600


@dataclass
class SectorFigure:
    code: str
    label: str
    count: int
    percent: float


@dataclass
class CycleFigure:
    cycle: Cycle
    state: str  # "past", "running" or "future"
    is_current: bool  # the running cycle, or the last one that ran


@dataclass
class ProgramOverview:
    actor_count: int
    by_kind: list[tuple[str, str, int]]
    by_sector: list[SectorFigure]
    active_ties: int
    # Percentage of active ties joining actors of different sectors (None without ties).
    cross_sector_percent: float | None
    cross_sector_estimated: bool
    territories: list[tuple[Territory, int]]
    cycles: list[CycleFigure]
    current_cycle: Cycle | None
    recent_actors: list[Actor] = field(default_factory=list)
    # For a viewer who may not see people, who are then left out of every figure above: how
    # many people take part, from PEOPLE_COUNT_MIN up (None below, and for those who see them).
    people_count: int | None = None
    people_hidden: bool = False

    @property
    def sector_shares(self) -> list[tuple[str, str, int, float]]:
        return [(s.code, s.label, s.count, s.percent) for s in self.by_sector]


def program_overview(
    program: Program, *, viewer: Any, today: datetime.date | None = None
) -> ProgramOverview:
    """Actors by kind and sector, ties, territories, cycles and the latest actors.

    People are left out of the actor figures and the latest actors for a `viewer` who may not
    see people; they are only counted, in `people_count`. Tie figures are program-wide numbers
    that name no one, the same for everyone.

    Seven queries: the actor cube (kind, sector, territory), the territories' paths, the
    program's territories, the latest tie id, cycles, the most recent actors, and (when the
    ties changed since they were last counted) one pass over the ties.
    """
    today = today or timezone.localdate()
    include_people = can_view_people(viewer, program)

    # 1. One grouped read of the actors gives the kind and sector figures and, through the
    # territories' paths, the actors under each of the program's territories.
    cube = list(
        Actor.objects.filter(program=program)
        .order_by()
        .values_list("kind", "sector", "territory_id")
        .annotate(n=Count("pk"))
        .values_list("kind", "sector", "territory_id", "n")
    )
    by_kind_counts: dict[str, int] = defaultdict(int)
    by_sector_counts: dict[str, int] = defaultdict(int)
    by_territory: dict[int, int] = defaultdict(int)
    people = 0
    for kind, sector, territory_id, n in cube:
        if kind == ActorKind.PERSON and not include_people:
            people += n
            continue
        by_kind_counts[kind] += n
        by_sector_counts[sector] += n
        if territory_id is not None:
            by_territory[territory_id] += n
    actor_count = sum(by_kind_counts.values())
    by_kind = [
        (code, str(label), by_kind_counts[code])
        for code, label in ActorKind.choices
        if by_kind_counts[code]
    ]
    by_sector = [
        SectorFigure(code, str(label), n, round(100 * n / actor_count, 1))
        for code, label in Sector.choices
        if (n := by_sector_counts[code])
    ]

    # 2-3. The program's territories, each with the actors based anywhere beneath it.
    paths = dict(Territory.objects.filter(pk__in=list(by_territory)).values_list("pk", "path"))
    program_territories = list(program.territories.order_by("name"))
    territories = [
        (
            place,
            sum(n for pk, n in by_territory.items() if paths.get(pk, "").startswith(place.path)),
        )
        for place in program_territories
    ]

    # 4-5. Ties: the active ones, and the share joining different sectors.
    active_ties, cross_percent, estimated = _tie_figures(program, today)

    # 6. Cycles, and which one is running (or the last one that ran).
    cycles = list(program.cycles.order_by("number"))
    current = next((c for c in cycles if c.starts_on <= today <= c.ends_on), None)
    if current is None:
        past = [c for c in cycles if c.ends_on < today]
        current = past[-1] if past else None

    # 7. The latest actors: ids grow with time, and the program index keeps them in order.
    recent_from = (
        Actor.objects.filter(program=program) if include_people else visible_actors(program, viewer)
    )
    recent = list(recent_from.select_related("territory").order_by("-id")[:RECENT_ACTORS])
    return ProgramOverview(
        actor_count=actor_count,
        by_kind=by_kind,
        by_sector=by_sector,
        active_ties=active_ties,
        cross_sector_percent=cross_percent,
        cross_sector_estimated=estimated,
        territories=territories,
        cycles=[
            CycleFigure(
                cycle=cycle,
                state=(
                    "past"
                    if cycle.ends_on < today
                    else "future"
                    if cycle.starts_on > today
                    else "running"
                ),
                is_current=cycle == current,
            )
            for cycle in cycles
        ],
        current_cycle=current,
        recent_actors=recent,
        people_count=None if include_people else people_count_public(people),
        people_hidden=not include_people,
    )


def _tie_figures(program: Program, today: datetime.date) -> tuple[int, float | None, bool]:
    """Active ties, the percentage of them across sectors, and whether that is an estimate.

    Counting active ties reads every tie of the program, so the figures are cached. Every
    change to a tie writes a new version row with a new id, so the program's highest tie id
    (one index look-up) tells when they must be counted again.
    """
    latest = (
        Tie.objects.filter(program=program).order_by("-id").values_list("id", flat=True).first()
    )
    if latest is None:
        return 0, None, False
    stamp = program.created_at.timestamp()
    key = f"dashboards:ties:{program.pk}:{stamp}:{latest}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _count_ties(program, today, step=max(1, -(-latest // CROSS_SECTOR_SAMPLE)))
        cache.set(key, figures, TIE_FIGURES_SECONDS)
    return figures


def _count_ties(
    program: Program, today: datetime.date, *, step: int
) -> tuple[int, float | None, bool]:
    """One pass over the active ties: how many, and the cross-sector share of every
    `step`-th id (ids carry no meaning, so every n-th one is an even sample)."""
    active = Tie.objects.filter(program=program).active(today).order_by()
    # The ends' sectors are read per sampled tie only (a CASE evaluates its branch lazily),
    # not joined for every tie.
    source_sector = Subquery(
        Actor.objects.filter(pk=OuterRef("source_id")).order_by().values("sector")
    )
    target_sector = Subquery(
        Actor.objects.filter(pk=OuterRef("target_id")).order_by().values("sector")
    )
    in_sample: Q | Exact = Q(pk__isnull=False)
    if step > 1:
        in_sample = Exact(Mod("id", step), 0)
    cross = Case(When(in_sample, then=Case(When(~Exact(source_sector, target_sector), then=1))))
    figures = active.aggregate(
        active=Count("pk"),
        sampled=Count(Case(When(in_sample, then=1))),
        cross=Count(cross),
    )
    count, sampled = figures["active"] or 0, figures["sampled"] or 0
    if step > 1 and sampled < MIN_SAMPLE and count > sampled:
        # Ids spread over other programs left too few here to sample: count them all.
        return _count_ties(program, today, step=1)
    if not sampled:
        return count, None, False
    percent = round(100 * (figures["cross"] or 0) / sampled, 1)
    return count, percent, step > 1
