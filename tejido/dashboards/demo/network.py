"""The demo's network analysis: a snapshot per cycle so far, and suggestions already acted on.

Computed here, while loading, rather than left to the task worker: the evolution page, the
cycle slider of the map and the suggested introductions have their content the moment the
demo opens. A coordinator's decisions show the whole flow: some suggestions accepted, some
introductions already recorded as ties (provenance "introduction"), one dismissed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from itertools import zip_longest

from tejido.accounts.models import User
from tejido.core.models import Cycle, Program
from tejido.network.analytics.selectors import active_run
from tejido.network.analytics.services import (
    analysis_compute,
    opportunity_accept,
    opportunity_dismiss,
    opportunity_introduce,
)
from tejido.network.models import (
    AnalysisRun,
    AnalysisStatus,
    Intensity,
    Opportunity,
    OpportunityStatus,
)

INTRODUCED = 3
ACCEPTED = 3
DISMISSED = 1


def _compute(program: Program, cycle: Cycle | None, user: User) -> None:
    # A survey submitted while loading may have queued this computation already: take it.
    run = active_run(program, cycle) or AnalysisRun.objects.create(
        program=program, cycle=cycle, requested_by=user
    )
    analysis_compute(run)


def analyse_network(program: Program, user: User, today: datetime.date) -> None:
    """Snapshots of every cycle that has started, then today's with decisions taken on it."""
    for cycle in program.cycles.filter(starts_on__lte=today).order_by("number"):
        _compute(program, cycle, user)
    _compute(program, None, user)
    open_ones = list(
        Opportunity.objects.filter(program=program, status=OpportunityStatus.OPEN).order_by(
            "kind", "-score", "id"
        )
    )
    # Spread the decisions over the kinds of suggestion, strongest first within each kind.
    by_kind: dict[str, list[Opportunity]] = {}
    for opportunity in open_ones:
        by_kind.setdefault(opportunity.kind, []).append(opportunity)
    ordered = [o for group in zip_longest(*by_kind.values()) for o in group if o is not None]
    plan = ordered[: INTRODUCED + ACCEPTED + DISMISSED]
    for index, opportunity in enumerate(plan):
        if index < INTRODUCED:
            opportunity_accept(user=user, opportunity=opportunity)
            opportunity_introduce(
                user=user,
                opportunity=opportunity,
                intensity=Intensity.COOPERATION,
                started_on=today - datetime.timedelta(days=7 * (index + 1)),
            )
        elif index < INTRODUCED + ACCEPTED:
            opportunity_accept(user=user, opportunity=opportunity)
        else:
            opportunity_dismiss(user=user, opportunity=opportunity)
    if plan:
        # The introductions changed today's network: its figures follow.
        _compute(program, None, user)


def compute_queued_analyses(programs: Iterable[Program]) -> None:
    """Compute the analyses still waiting for these programs, here rather than in the worker."""
    for run in AnalysisRun.objects.filter(
        program__in=list(programs), status=AnalysisStatus.QUEUED
    ).select_related("program", "cycle"):
        analysis_compute(run)
