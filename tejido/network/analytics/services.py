"""Every write of the network analytics: requesting and computing an analysis (snapshots are
added, never overwritten) and deciding on suggested introductions."""

from __future__ import annotations

import datetime
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory

from ..analysis import (
    AnalysisResult,
    GraphInput,
    analyze,
    network_indicators,
    subgraph,
)
from ..formats.indicators import INDICATOR_COLUMNS, indicator_columns
from ..models import (
    ActorMetrics,
    AnalysisRun,
    AnalysisStatus,
    Intensity,
    NetworkSnapshot,
    Opportunity,
    OpportunityStatus,
    Provenance,
    Tie,
    TieType,
)
from ..services import tie_create
from ..weaving import Suggestion, suggest_introductions
from .graph import LoadedNetwork, as_of_day, load_network
from .selectors import active_run, last_run, latest_snapshot, ties_version

logger = logging.getLogger(__name__)

# A run queued or running for longer than this lost its worker (a restart): it no longer blocks
# new requests.
STALE_RUN_AFTER = datetime.timedelta(hours=2)
# Sub-networks (a territory, a theme) get their own figures from this many actors, and at most
# this many of each kind are computed (the largest), so the summary stays small.
MIN_SCOPE_ACTORS = 5
MAX_SCOPES = 60
# An actor counts as a broker when it lies on at least this share of the shortest paths between
# other actors (normalized betweenness).
BROKER_THRESHOLD = 0.05
# Kept in a snapshot's summary for the pages: the network's critical ties and its communities.
MAX_BRIDGES = 200
MAX_COMMUNITIES = 50
METRICS_BATCH = 2000

# Progress of a computation: (start, end) percent of each stage, and the step codes the pages
# turn into words (see explain.STEPS).
_ANALYZE_SPAN = (5, 75)


# --- requesting ------------------------------------------------------------------------------


@transaction.atomic
def analysis_request(*, user: Any, program: Program, cycle: Cycle | None = None) -> AnalysisRun:
    """Ask for the network to be (re)computed in the background.

    While a computation for the same program and cycle is waiting or running, that one is
    returned instead of queuing another: asking twice, or from two pages at once, costs one run.
    """
    if cycle is not None and cycle.program_id != program.pk:
        raise ValidationError(_("This cycle belongs to another program."))
    # Requests for one program take turns, so two of them cannot both find no run and queue two.
    Program.objects.select_for_update().filter(pk=program.pk).values_list("pk").first()
    AnalysisRun.objects.filter(
        program=program,
        cycle=cycle,
        status__in=(AnalysisStatus.QUEUED, AnalysisStatus.RUNNING),
        requested_at__lt=timezone.now() - STALE_RUN_AFTER,
    ).update(
        status=AnalysisStatus.FAILED,
        finished_at=timezone.now(),
        error="The computation did not finish in time (the worker stopped?).",
    )
    existing = active_run(program, cycle)
    if existing is not None:
        return existing
    run = AnalysisRun.objects.create(
        program=program,
        cycle=cycle,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        ties_version=ties_version(program, cycle),
    )
    audit_log(
        user=user,
        action="network.analysis_request",
        target=run,
        program=program,
        data={"cycle": cycle.number if cycle else None},
    )
    from .tasks import compute_analysis

    transaction.on_commit(partial(compute_analysis.enqueue, run.pk))
    return run


def analysis_refresh_if_stale(
    *, user: Any, program: Program, cycle: Cycle | None = None, version: str | None = None
) -> AnalysisRun | None:
    """Request a computation when the stored figures no longer match the ties (or none exist).

    Pages call this and show what is stored meanwhile; they never wait. A computation that
    failed on the current ties is not retried automatically (a coordinator can ask again).
    """
    # A page that also shows whether its figures are stale passes the fingerprint it read:
    # on a large network each reading scans the program's ties.
    version = version if version is not None else ties_version(program, cycle)
    snapshot = latest_snapshot(program, cycle)
    if snapshot is not None and snapshot.ties_version == version:
        return None
    running = active_run(program, cycle)
    if running is not None:
        return running
    previous = last_run(program, cycle)
    if (
        previous is not None
        and previous.status == AnalysisStatus.FAILED
        and previous.ties_version == version
    ):
        return None
    return analysis_request(user=user, program=program, cycle=cycle)


# --- computing -------------------------------------------------------------------------------


class _ProgressReporter:
    """Writes the run's progress in short separate updates, so a page can follow it."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last: tuple[int, str] | None = None

    def __call__(self, percent: int, step: str) -> None:
        percent = max(0, min(100, int(percent)))
        step = step[:40]
        if self.last is not None and self.last == (percent, step):
            return
        self.last = (percent, step)
        AnalysisRun.objects.filter(pk=self.run_id).update(progress=percent, step=step)

    def within(self, start: int, end: int) -> Any:
        def report(percent: int, step: str) -> None:
            # The end of a stage is not the end of the computation.
            step = "indicators" if step == "done" else step
            self(start + (end - start) * max(0, min(100, percent)) // 100, step)

        return report


def analysis_compute(run: AnalysisRun) -> NetworkSnapshot:
    """Compute the run's network and store a new snapshot (what the background task calls).

    The heavy part runs outside any transaction, reporting its progress; the results (snapshot,
    actor indicators, refreshed suggestions) are then written in one transaction. A failure
    marks the run failed with the error and stores nothing.
    """
    program, cycle = run.program, run.cycle
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=AnalysisStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        step="loading",
        error="",
    )
    report = _ProgressReporter(run.pk)
    try:
        # Read the fingerprint before the ties: a change during loading makes the result stale
        # (and recomputed), never wrongly fresh.
        version = ties_version(program, cycle)
        loaded = load_network(program, cycle)
        report(_ANALYZE_SPAN[0], "indicators")
        result = analyze(loaded.graph, progress=report.within(*_ANALYZE_SPAN))
        report(76, "networks")
        networks = _network_figures(loaded, result)
        suggestions: list[Suggestion] | None = None
        if cycle is None:
            # Introductions are about today's network; a past cycle's snapshot suggests nothing.
            report(86, "opportunities")
            exclude = _decided_pairs(program, loaded.actor_ids)
            suggestions = suggest_introductions(loaded.graph, result, exclude=exclude)
        report(93, "saving")
        with transaction.atomic():
            snapshot = _store_snapshot(run, loaded, result, networks, version)
            if suggestions is not None:
                _refresh_opportunities(program, snapshot, loaded.actor_ids, suggestions)
            AnalysisRun.objects.filter(pk=run.pk).update(
                status=AnalysisStatus.DONE,
                progress=100,
                step="done",
                finished_at=timezone.now(),
                ties_version=version,
            )
    except Exception as exc:
        logger.exception("Network analysis %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    run.refresh_from_db()
    return snapshot


def _number(value: Any) -> float | None:
    """A JSON- and database-friendly float (NaN and infinities become None)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, tuples and NaN turned into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(value)
    return value


def _actor_aggregates(result: AnalysisResult, mask: np.ndarray | None) -> dict[str, Any]:
    """Counts over the actors of a (sub-)network, read from the whole network's indicators."""
    actors = result.actors

    def pick(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values)
        return values if mask is None else values[mask]

    reach = pick(actors.two_step_reach).astype(float)
    return {
        "isolates": int(np.count_nonzero(pick(actors.is_isolate))),
        "peripheral": int(np.count_nonzero(pick(actors.is_peripheral))),
        "critical": int(np.count_nonzero(pick(actors.is_critical))),
        "brokers": int(np.count_nonzero(pick(actors.betweenness) >= BROKER_THRESHOLD)),
        "mean_reach": _number(reach.mean()) if reach.size else None,
    }


def _figures(graph: GraphInput) -> dict[str, Any]:
    figures = _plain(network_indicators(graph).as_dict())
    figures.pop("bridges", None)
    return figures


def _territory_masks(loaded: LoadedNetwork) -> list[tuple[str, np.ndarray]]:
    """Each territory (with everything inside it) that holds enough actors to be a network."""
    own = loaded.graph.territories or [None] * loaded.graph.size
    paths = dict(
        Territory.objects.filter(pk__in={t for t in own if t is not None}).values_list("pk", "path")
    )
    members: dict[int, list[int]] = defaultdict(list)
    for vertex, territory_id in enumerate(own):
        if territory_id is None:
            continue
        ancestors = [
            int(part) for part in paths.get(territory_id, "").strip("/").split("/") if part
        ]
        for place in ancestors or [territory_id]:
            members[place].append(vertex)
    return _masks(members, loaded.graph.size)


def _theme_masks(loaded: LoadedNetwork) -> list[tuple[str, np.ndarray]]:
    members: dict[int, list[int]] = defaultdict(list)
    for vertex, themes in enumerate(loaded.graph.themes or ()):
        for theme_id in themes:
            members[theme_id].append(vertex)
    return _masks(members, loaded.graph.size)


def _masks(members: dict[int, list[int]], size: int) -> list[tuple[str, np.ndarray]]:
    # The largest groups first; one holding the whole network adds nothing to the "all" figures.
    groups = sorted(
        (
            (key, vertices)
            for key, vertices in members.items()
            if MIN_SCOPE_ACTORS <= len(vertices) < size
        ),
        key=lambda item: (-len(item[1]), item[0]),
    )[:MAX_SCOPES]
    masks = []
    for key, vertices in groups:
        mask = np.zeros(size, dtype=bool)
        mask[vertices] = True
        masks.append((str(key), mask))
    return masks


def _network_figures(loaded: LoadedNetwork, result: AnalysisResult) -> list[dict[str, Any]]:
    """The figures of the whole network, each territory, each theme and each tie type."""
    graph = loaded.graph
    whole = _plain(result.network.as_dict())
    whole.pop("bridges", None)
    entries: list[dict[str, Any]] = [
        {"scope": "all", "key": "", "metrics": whole, "actors": _actor_aggregates(result, None)}
    ]
    for scope, masks in (("territory", _territory_masks(loaded)), ("theme", _theme_masks(loaded))):
        for key, mask in masks:
            entries.append(
                {
                    "scope": scope,
                    "key": key,
                    "metrics": _figures(subgraph(graph, vertices=mask)),
                    "actors": _actor_aggregates(result, mask),
                }
            )
    types = np.asarray(loaded.tie_types, dtype=object)
    for tie_type in TieType.values:
        tie_mask = types == tie_type
        if not tie_mask.any():
            continue
        # The actors with a tie of this type, and those ties only.
        vertices = np.zeros(graph.size, dtype=bool)
        vertices[np.asarray(graph.sources)[tie_mask]] = True
        vertices[np.asarray(graph.targets)[tie_mask]] = True
        entries.append(
            {
                "scope": "tie_type",
                "key": tie_type,
                "metrics": _figures(subgraph(graph, vertices=vertices, ties=tie_mask)),
                "actors": _actor_aggregates(result, vertices),
            }
        )
    return entries


def _communities(loaded: LoadedNetwork, result: AnalysisResult) -> list[dict[str, Any]]:
    """The largest communities with their size and sectors (actors without ties are left out:
    each would be a community of one)."""
    membership = np.asarray(result.actors.community)
    isolated = np.asarray(result.actors.is_isolate, dtype=bool)
    sectors = loaded.graph.sectors or [""] * loaded.graph.size
    by_community: dict[int, Counter[str]] = defaultdict(Counter)
    for vertex, community in enumerate(membership.tolist()):
        if not isolated[vertex]:
            by_community[int(community)][sectors[vertex]] += 1
    largest = sorted(by_community.items(), key=lambda item: (-item[1].total(), item[0]))
    return [
        {"id": community, "size": counts.total(), "sectors": dict(counts.most_common())}
        for community, counts in largest[:MAX_COMMUNITIES]
    ]


def _store_snapshot(
    run: AnalysisRun,
    loaded: LoadedNetwork,
    result: AnalysisResult,
    networks: list[dict[str, Any]],
    version: str,
) -> NetworkSnapshot:
    actor_ids = loaded.actor_ids
    bridges = [sorted((actor_ids[int(a)], actor_ids[int(b)])) for a, b in result.network.bridges][
        :MAX_BRIDGES
    ]
    snapshot = NetworkSnapshot.objects.create(
        program_id=run.program_id,
        cycle_id=run.cycle_id,
        run=run,
        as_of=as_of_day(run.cycle),
        ties_version=version,
        actor_count=loaded.graph.size,
        tie_count=len(loaded.tie_types),
        summary={
            "networks": networks,
            "bridges": bridges,
            "bridge_count": len(result.network.bridges),
            "communities": _communities(loaded, result),
            "broker_threshold": BROKER_THRESHOLD,
            "betweenness_top_error": _number(result.betweenness_top_error),
        },
        betweenness_sampled=bool(result.betweenness_sampled),
        betweenness_error=_number(result.betweenness_error),
    )
    _insert_many(ActorMetrics, METRIC_COLUMNS, _actor_metric_rows(snapshot, actor_ids, result))
    return snapshot


# The columns written per actor: the indicators `tejido network analyze` prints (one list for
# both), a brokerage role's count stored in the field named after the role.
METRIC_COLUMNS = (
    "snapshot",
    "actor",
    *(name.removeprefix("brokerage_") for name in INDICATOR_COLUMNS),
)


def _metric_value(field: Any) -> Callable[[Any], Any]:
    """How a computed value is stored in `field`: NaN as None where the field allows it, else 0."""
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.FloatField):
        return _number if field.null else (lambda value: _number(value) or 0.0)
    return int


def _actor_metric_rows(
    snapshot: NetworkSnapshot, actor_ids: Sequence[int], result: AnalysisResult
) -> Iterable[tuple[Any, ...]]:
    """One row per actor, in METRIC_COLUMNS order, built column by column."""
    columns = [
        list(map(_metric_value(ActorMetrics._meta.get_field(field)), values.tolist()))
        for field, values in zip(
            METRIC_COLUMNS[2:], indicator_columns(result).values(), strict=True
        )
    ]
    return zip(repeat(snapshot.pk), actor_ids, *columns, strict=False)


def _insert_many(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows with one prepared statement per batch.

    A snapshot writes one row per actor and a refresh one per suggestion: hundreds of thousands
    on a large network, where building a model instance per row (bulk_create) costs more than
    the computation itself. The rows are built here from trusted values, in `fields` order.
    """
    opts = model._meta
    columns = _concrete_fields(model, fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(opts.db_table),
        ", ".join(quote(field.column) for field in columns),
        ", ".join(["%s"] * len(columns)),
    )
    _execute_many(sql, columns, rows)


def _update_many(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Update many rows by primary key; each row is the new values of `fields`, then the pk."""
    opts = model._meta
    columns = _concrete_fields(model, fields)
    pk = _concrete_fields(model, [opts.pk.name])[0]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(opts.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(pk.column),
    )
    _execute_many(sql, [*columns, pk], rows)


def _concrete_fields(model: type[models.Model], names: Sequence[str]) -> list[Any]:
    fields = [model._meta.get_field(name) for name in names]
    if not all(isinstance(field, models.Field) and field.column for field in fields):
        raise ValueError(f"{model.__name__}: {names} must all be columns")
    return fields


def _execute_many(sql: str, columns: Sequence[Any], rows: Iterable[tuple[Any, ...]]) -> None:
    # Values that the driver cannot take as they are (JSON, dates) go through their field.
    prepared = [
        i
        for i, field in enumerate(columns)
        if isinstance(field, (models.JSONField, models.DateTimeField))
    ]
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            if prepared:
                values = list(row)
                for i in prepared:
                    values[i] = columns[i].get_db_prep_save(values[i], connection)
                row = tuple(values)
            batch.append(row)
            if len(batch) >= METRICS_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _decided_pairs(program: Program, actor_ids: Sequence[int]) -> set[tuple[int, int]]:
    """Vertex pairs already decided on (accepted, introduced, dismissed): never suggested again."""
    index = {actor_id: i for i, actor_id in enumerate(actor_ids)}
    pairs = set()
    for a_id, b_id in (
        Opportunity.objects.filter(program=program)
        .exclude(status=OpportunityStatus.OPEN)
        .values_list("actor_a_id", "actor_b_id")
    ):
        if a_id in index and b_id in index:
            a, b = sorted((index[a_id], index[b_id]))
            pairs.add((a, b))
    return pairs


def _reasons_with_ids(
    reasons: Iterable[dict[str, object]], actor_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The weaving module names actors by vertex index; stored reasons name them by actor id."""
    stored = []
    for reason in reasons:
        plain = _plain(dict(reason))
        if "via" in plain:
            plain["via"] = [actor_ids[int(v)] for v in plain["via"] or ()]
        if plain.get("broker") is not None:
            plain["broker"] = actor_ids[int(plain["broker"])]
        stored.append(plain)
    return stored


def _refresh_opportunities(
    program: Program,
    snapshot: NetworkSnapshot,
    actor_ids: Sequence[int],
    suggestions: Sequence[Suggestion],
) -> None:
    """Bring the open suggestions in line with the latest computation.

    Open suggestions are updated or added; those no longer suggested (a tie now exists, the
    network changed) are removed; decided ones are left alone and never reopened.
    """
    fresh: dict[tuple[int, int], Suggestion] = {}
    reasons: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for suggestion in sorted(suggestions, key=lambda s: -s.score):
        pair = tuple(sorted((actor_ids[suggestion.a], actor_ids[suggestion.b])))
        key = (int(pair[0]), int(pair[1]))
        # One row per pair: the strongest kind leads, the other kinds' reasons are added to it.
        fresh.setdefault(key, suggestion)
        reasons[key].extend(_reasons_with_ids(suggestion.reasons, actor_ids))

    # What is stored, to write only what changed: recomputing an unchanged network (or one
    # with a few new ties) rewrites a few suggestions, not all of them.
    existing = {
        (a, b): (pk, status, (kind, score, stored_reasons))
        for pk, a, b, status, kind, score, stored_reasons in Opportunity.objects.filter(
            program=program
        ).values_list("pk", "actor_a_id", "actor_b_id", "status", "kind", "score", "reasons")
    }
    stale = [
        pk
        for pair, (pk, status, _stored) in existing.items()
        if status == OpportunityStatus.OPEN and pair not in fresh
    ]
    to_update: list[tuple[Any, ...]] = []
    to_create: list[tuple[Any, ...]] = []
    now = timezone.now()
    for pair, suggestion in fresh.items():
        content = (suggestion.kind, _number(suggestion.score) or 0.0, reasons[pair])
        if pair in existing:
            pk, status, stored = existing[pair]
            # Decided pairs are never touched; open ones only when their content changed, and
            # then they point to the snapshot that changed them.
            if status == OpportunityStatus.OPEN and stored != content:
                to_update.append((*content, snapshot.pk, pk))
        else:
            to_create.append(
                (
                    *content,
                    snapshot.pk,
                    program.pk,
                    pair[0],
                    pair[1],
                    OpportunityStatus.OPEN,
                    now,
                    "",
                )
            )
    for start in range(0, len(stale), METRICS_BATCH):
        Opportunity.objects.filter(pk__in=stale[start : start + METRICS_BATCH]).delete()
    changed = ("kind", "score", "reasons", "snapshot")
    _update_many(Opportunity, changed, to_update)
    _insert_many(
        Opportunity,
        (*changed, "program", "actor_a", "actor_b", "status", "created_at", "note"),
        to_create,
    )


# --- deciding on suggested introductions -----------------------------------------------------


def _decide(
    *, user: Any, opportunity: Opportunity, status: str, allowed_from: Sequence[str], note: str
) -> Opportunity:
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "decided_at": now}
    if getattr(user, "is_authenticated", False):
        changes["decided_by"] = user
    if note:
        changes["note"] = note
    # A conditional update: of two clicks at once, one changes the row and the other sees it done.
    updated = Opportunity.objects.filter(pk=opportunity.pk, status__in=allowed_from).update(
        **changes
    )
    opportunity.refresh_from_db()
    if not updated:
        if opportunity.status == status:
            return opportunity  # the same decision twice (a double click): nothing more to do
        raise ValidationError(
            _("This suggestion was already marked “%(status)s”.")
            % {"status": opportunity.get_status_display()}
        )
    audit_log(
        user=user,
        action=f"network.opportunity_{status}",
        target=opportunity,
        program=opportunity.program,
        data={"actors": [opportunity.actor_a_id, opportunity.actor_b_id]},
    )
    return opportunity


@transaction.atomic
def opportunity_accept(*, user: Any, opportunity: Opportunity, note: str = "") -> Opportunity:
    """A coordinator takes the suggestion on: someone will introduce the two actors."""
    return _decide(
        user=user,
        opportunity=opportunity,
        status=OpportunityStatus.ACCEPTED,
        allowed_from=(OpportunityStatus.OPEN,),
        note=note,
    )


@transaction.atomic
def opportunity_dismiss(*, user: Any, opportunity: Opportunity, note: str = "") -> Opportunity:
    """The suggestion does not fit: it is never suggested again."""
    return _decide(
        user=user,
        opportunity=opportunity,
        status=OpportunityStatus.DISMISSED,
        allowed_from=(OpportunityStatus.OPEN, OpportunityStatus.ACCEPTED),
        note=note,
    )


@transaction.atomic
def opportunity_introduce(
    *,
    user: Any,
    opportunity: Opportunity,
    tie_type: str = TieType.COLLABORATION,
    intensity: int = Intensity.AWARENESS,
    started_on: datetime.date | None = None,
    note: str = "",
) -> Opportunity:
    """The introduction happened: record the new tie (provenance "introduction") and link it."""
    current = (
        Opportunity.objects.select_for_update()
        .select_related("program", "actor_a", "actor_b")
        .get(pk=opportunity.pk)
    )
    if current.status == OpportunityStatus.INTRODUCED:
        return current  # recorded a moment ago (a double click): do not write a second version
    if current.status == OpportunityStatus.DISMISSED:
        raise ValidationError(_("This suggestion was dismissed; it cannot be recorded."))
    if tie_type not in TieType.values:
        raise ValidationError({"tie_type": [_("Choose a valid type of tie.")]})
    tie: Tie = tie_create(
        user=user,
        source=current.actor_a,
        target=current.actor_b,
        tie_type=tie_type,
        directed=False,
        intensity=intensity,
        started_on=started_on or timezone.localdate(),
        provenance=Provenance.INTRODUCTION,
        note=note,
    )
    current.status = OpportunityStatus.INTRODUCED
    current.tie = tie
    current.decided_at = timezone.now()
    if getattr(user, "is_authenticated", False):
        current.decided_by = user
    if note:
        current.note = note
    current.save(update_fields=["status", "tie", "decided_at", "decided_by", "note"])
    audit_log(
        user=user,
        action="network.opportunity_introduced",
        target=current,
        program=current.program,
        data={"tie": tie.pk, "actors": [current.actor_a_id, current.actor_b_id]},
    )
    return current
