"""Load a program's network from the database into the pure `GraphInput` of `analysis`.

Everything is read with `values_list` (no model instances): a program of 100,000 actors loads
in a handful of queries and a few seconds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from tejido.actors.models import Actor, Sector
from tejido.core.models import Cycle, Program

from ..analysis import GraphInput
from ..models import Tie, TieQuerySet, TieType


def as_of_day(cycle: Cycle | None) -> datetime.date:
    """The day whose network a snapshot shows: today, or the end of a cycle already over."""
    today = timezone.localdate()
    if cycle is None:
        return today
    return min(today, cycle.ends_on)


def _end_moment(cycle: Cycle) -> datetime.datetime:
    """The last moment of the cycle (or now, if it has not ended yet)."""
    after_end = datetime.datetime.combine(
        cycle.ends_on + datetime.timedelta(days=1), datetime.time()
    )
    moment = timezone.make_aware(after_end) - datetime.timedelta(microseconds=1)
    return min(moment, timezone.now())


def ties_at(program: Program, cycle: Cycle | None = None) -> TieQuerySet:
    """The ties in force when the cycle ended, as they were recorded then.

    Without a cycle: the ties in force today. With one: the tie versions on record at the end
    of the cycle (a later correction does not rewrite the past) that had started and not yet
    ended on that day.
    """
    if cycle is None:
        return Tie.objects.active().filter(program=program)
    day = as_of_day(cycle)
    return (
        Tie.objects.as_of(_end_moment(cycle))
        .filter(program=program)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    )


@dataclass(frozen=True)
class LoadedNetwork:
    graph: GraphInput
    actor_ids: list[int]  # vertex i is actor actor_ids[i]
    tie_types: list[str]  # tie j of the graph has type tie_types[j]


def load_graph(program: Program, cycle: Cycle | None = None) -> tuple[GraphInput, list[int]]:
    """The program's network (all its actors, the ties in force) and the actor id of each
    vertex, in vertex order."""
    loaded = load_network(program, cycle)
    return loaded.graph, loaded.actor_ids


def load_network(program: Program, cycle: Cycle | None = None) -> LoadedNetwork:
    """`load_graph` plus the type of every tie, read in the same queries.

    Weights are intensity + 1 (1–5, so that "awareness" still counts); linking actors are the
    public bodies and whoever is at the source end of a funding tie.
    """
    actor_rows = list(
        Actor.objects.filter(program=program)
        .order_by("pk")
        .values_list("pk", "sector", "territory_id")
    )
    actor_ids = [row[0] for row in actor_rows]
    index = {actor_id: i for i, actor_id in enumerate(actor_ids)}
    tie_rows = list(
        ties_at(program, cycle)
        .order_by()
        .values_list("source_id", "target_id", "intensity", "directed", "tie_type")
    )
    # An actor created after the snapshot's day is not in `actor_rows` only if it was deleted;
    # ties to such actors cannot exist (cascade), so every end is indexed.
    tie_rows = [row for row in tie_rows if row[0] in index and row[1] in index]
    count = len(tie_rows)
    sources = np.fromiter((index[row[0]] for row in tie_rows), dtype=np.int64, count=count)
    targets = np.fromiter((index[row[1]] for row in tie_rows), dtype=np.int64, count=count)
    weights = np.fromiter((row[2] + 1 for row in tie_rows), dtype=np.float64, count=count)
    directed = np.fromiter((bool(row[3]) for row in tie_rows), dtype=bool, count=count)

    linking = np.fromiter(
        (row[1] == Sector.PUBLIC for row in actor_rows), dtype=bool, count=len(actor_rows)
    )
    for source_id, _target, _intensity, is_directed, tie_type in tie_rows:
        if tie_type == TieType.FUNDING and is_directed:
            linking[index[source_id]] = True

    themes_of: dict[int, set[int]] = defaultdict(set)
    through = Actor.themes.through
    for actor_id, theme_id in through.objects.filter(actor__program=program).values_list(
        "actor_id", "theme_id"
    ):
        themes_of[actor_id].add(theme_id)

    graph = GraphInput(
        node_ids=actor_ids,
        sources=sources,
        targets=targets,
        weights=weights,
        directed=directed,
        sectors=[row[1] for row in actor_rows],
        territories=[row[2] for row in actor_rows],
        linking=linking,
        themes=[frozenset(themes_of.get(actor_id, ())) for actor_id in actor_ids],
    )
    return LoadedNetwork(graph, actor_ids, [row[4] for row in tie_rows])
