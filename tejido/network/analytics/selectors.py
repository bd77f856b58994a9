"""Reads of the stored analysis: the current snapshot, an actor's indicators, opportunities,
and the fingerprint that says whether the stored figures still match the ties."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Count, Max

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program

from ..models import ActorMetrics, AnalysisRun, AnalysisStatus, NetworkSnapshot, Tie

# The ActorMetrics fields handed to pages and other apps as a plain dict.
METRIC_FIELDS = tuple(
    field.name
    for field in ActorMetrics._meta.concrete_fields
    if field.name not in {"id", "snapshot", "actor"}
)


def latest_snapshot(program: Program, cycle: Cycle | None = None) -> NetworkSnapshot | None:
    """The current figures of the program's network today (no cycle) or at a cycle's end: the
    newest snapshot, since older ones are kept, never overwritten."""
    return (
        NetworkSnapshot.objects.filter(program=program, cycle=cycle)
        .order_by("-computed_at", "-id")
        .first()
    )


def metrics_by_actor(program: Program, cycle: Cycle | None = None) -> dict[int, dict[str, Any]]:
    """Actor id → its indicators in the latest snapshot; empty when nothing is computed yet."""
    snapshot = latest_snapshot(program, cycle)
    if snapshot is None:
        return {}
    return metrics_of_snapshot(snapshot)


def metrics_of_snapshot(snapshot: NetworkSnapshot) -> dict[int, dict[str, Any]]:
    rows = ActorMetrics.objects.filter(snapshot=snapshot).values_list("actor_id", *METRIC_FIELDS)
    return {row[0]: dict(zip(METRIC_FIELDS, row[1:], strict=True)) for row in rows}


def ties_version(program: Program, cycle: Cycle | None = None) -> str:
    """A cheap fingerprint of what the analysis reads: it changes whenever a tie is recorded,
    changed or ended (each writes a new row) and when actors are added or removed.

    The day is part of it for today's network, because ties start and end with the calendar.
    """
    # Both aggregates read an index alone (tie_program_current, actor_program_edited).
    ties = Tie.objects.filter(program=program).aggregate(last=Max("id"), count=Count("*"))
    # An actor's sector or territory shapes its bonding/bridging mix: its last edit counts too.
    actors = Actor.objects.filter(program=program).aggregate(
        last=Max("id"), count=Count("*"), edited=Max("updated_at")
    )
    # Ended ties are new rows too (a new version), so max id and count capture every change
    # of the tie table; the cycle's end moment fixes the rest for cycle snapshots.
    from .graph import as_of_day

    day = as_of_day(cycle)
    # To the microsecond: two edits within one second are two versions.
    edited = actors["edited"].isoformat() if actors["edited"] else ""
    fingerprint = (
        f"t{ties['last'] or 0}.{ties['count']}-a{actors['last'] or 0}.{actors['count']}"
        f"-e{edited}-d{day.isoformat()}"
    )
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


def active_run(program: Program, cycle: Cycle | None = None) -> AnalysisRun | None:
    """The computation queued or running for this network, if any."""
    return (
        AnalysisRun.objects.filter(
            program=program,
            cycle=cycle,
            status__in=(AnalysisStatus.QUEUED, AnalysisStatus.RUNNING),
        )
        .order_by("-requested_at", "-id")
        .first()
    )


def last_run(program: Program, cycle: Cycle | None = None) -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(program=program, cycle=cycle)
        .order_by("-requested_at", "-id")
        .first()
    )
