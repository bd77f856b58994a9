"""Reads for ranking and allocation: the allocation problem of a call (its applications with
their scores, groups and quotas), the runs, and the ranking page.

The ranking page reads the scores from the latest run's snapshot when there is one (a few
queries, whatever the size of the call); before the first run it computes them from the reviews.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet

from tejido.core.models import Territory
from tejido.governance.models import Body, BodyKind, Poll, PollStatus
from tejido.governance.plans.money import DECIMALS

from .. import allocation as alloc
from ..models import (
    AllocationRun,
    Application,
    ApplicationStatus,
    Assignment,
    Award,
    Call,
    CallStatus,
    Criterion,
    Quota,
    QuotaKind,
    RankingSource,
)

PAGE_SIZE = 50
# The what-if overrides problem_for_call understands (and "rule", for the caller).
OVERRIDES = ("budget", "rule", "partial", "min_partial_share", "threshold", "quota_shares")


def territory_group(territory_id: int) -> str:
    return f"territory:{territory_id}"


def theme_group(theme_id: int) -> str:
    return f"theme:{theme_id}"


def quota_group(quota: Quota) -> str:
    if quota.territory_id is not None:
        return territory_group(quota.territory_id)
    return theme_group(quota.theme_id or 0)


def quota_label(quota: Quota) -> str:
    place = quota.territory if quota.territory_id is not None else quota.theme
    return str(getattr(place, "name", "") or place or "")


def money_unit(currency: str) -> Decimal:
    """The smallest amount a partial grant is rounded to: whole pesos, cents of a euro."""
    return Decimal(1).scaleb(-DECIMALS.get(currency, 2))


def _territory_ancestors(territories: Iterable[Territory | None]) -> dict[int, list[int]]:
    """Territory id → its id and its ancestors' (from the materialized path)."""
    ancestors: dict[int, list[int]] = {}
    for territory in territories:
        if territory is None or territory.pk in ancestors:
            continue
        ids = [int(part) for part in (territory.path or "").strip("/").split("/") if part]
        if territory.pk not in ids:
            ids.append(territory.pk)
        ancestors[territory.pk] = ids
    return ancestors


def _quotas(call: Call) -> list[Quota]:
    return list(call.quotas.select_related("territory", "theme").order_by("kind", "pk"))


def group_quotas(
    call: Call,
    quotas: list[Quota],
    budget: Decimal,
    shares: Mapping[int, Decimal] | None = None,
) -> list[alloc.GroupQuota]:
    """The call's quotas as amounts of `budget` (each share overridable by quota id)."""
    shares = shares or {}
    result = []
    for quota in quotas:
        share = Decimal(str(shares.get(quota.pk, quota.share)))
        amount = (budget * share).quantize(money_unit(call.currency))
        result.append(
            alloc.GroupQuota(
                group=quota_group(quota),
                label=quota_label(quota),
                minimum=amount if quota.kind == QuotaKind.MINIMUM else None,
                maximum=amount if quota.kind == QuotaKind.MAXIMUM else None,
            )
        )
    return result


@dataclass
class ScoreRow:
    """What the ranking shows of an application's reviews."""

    score: float | None
    raw: float | None = None
    reviews: int = 0
    disagreement: bool = False
    criteria: list[tuple[str, float]] = field(default_factory=list)
    disqualified_by: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "raw": self.raw,
            "reviews": self.reviews,
            "disagreement": self.disagreement,
            "criteria": [[name, mean] for name, mean in self.criteria],
            "disqualified_by": self.disqualified_by,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreRow:
        return cls(
            score=data.get("score"),
            raw=data.get("raw"),
            reviews=int(data.get("reviews") or 0),
            disagreement=bool(data.get("disagreement")),
            criteria=[(str(name), float(mean)) for name, mean in data.get("criteria") or []],
            disqualified_by=list(data.get("disqualified_by") or []),
        )


def _submitted(call: Call) -> QuerySet[Application]:
    return Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)


def call_scores(
    call: Call, applications: list[Application], criteria: list[Criterion]
) -> tuple[dict[int, ScoreRow], dict[int, tuple[alloc.Shortfall, ...]]]:
    """Each application's score for the ranking: the reviewers' (from the reviews area) or,
    when the call ranks by a public vote, the imported vote score (or votes)."""
    rows: dict[int, ScoreRow] = {}
    shortfalls: dict[int, tuple[alloc.Shortfall, ...]] = {}
    if call.ranking_source == RankingSource.PUBLIC_VOTE:
        for application in applications:
            value: Any = application.public_score
            if value is None:
                value = application.public_votes
            rows[application.pk] = ScoreRow(score=None if value is None else float(value))
        return rows, shortfalls
    from ..reviews.selectors import scores_for_call

    names = {c.pk: c.name for c in criteria}
    by_id = {c.pk: c for c in criteria}
    for application_id, summary in scores_for_call(call).items():
        rows[application_id] = ScoreRow(
            score=summary.total,
            raw=summary.raw_total,
            reviews=summary.review_count,
            disagreement=summary.disagreement,
            criteria=[
                (names[cid], round(mean, 2))
                for cid, mean in summary.criterion_means.items()
                if cid in names
            ],
            disqualified_by=[names[cid] for cid in summary.disqualified_by if cid in names],
        )
        shortfalls[application_id] = tuple(
            alloc.Shortfall(
                criterion=by_id[cid].name,
                mean=round(summary.criterion_means.get(cid, 0.0), 2),
                minimum=float(by_id[cid].minimum or 0),
                scale=by_id[cid].scale_max,
            )
            for cid in summary.disqualified_by
            if cid in by_id
        )
    return rows, shortfalls


@dataclass
class CallProblem:
    """A call's allocation problem with what the page and the run need to remember."""

    problem: alloc.Problem
    scores: dict[int, ScoreRow]
    quotas: list[Quota]
    parameters: dict[str, Any]


def call_problem(call: Call, **overrides: Any) -> CallProblem:
    """The allocation problem of `call`: every submitted application (the ineligible ones too,
    so that they get an explanation), scored, in its territory (and the places around it) and
    theme, with the call's quotas and grant range. What-if overrides: budget, partial,
    min_partial_share, threshold, quota_shares ({quota id: share}); "rule" is ignored here."""
    unknown = set(overrides) - set(OVERRIDES)
    if unknown:
        raise TypeError(f"Unknown allocation overrides: {', '.join(sorted(unknown))}")
    applications = list(
        _submitted(call).select_related("territory", "theme", "applicant").order_by("pk")
    )
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    scores, shortfalls = call_scores(call, applications, criteria)
    ancestors = _territory_ancestors(a.territory for a in applications)
    budget = Decimal(str(overrides.get("budget") or call.budget))
    partial = bool(overrides.get("partial", call.allow_partial_funding))
    share = float(overrides.get("min_partial_share") or call.min_partial_share)
    public_vote = call.ranking_source == RankingSource.PUBLIC_VOTE
    if "threshold" in overrides:
        threshold = overrides["threshold"]
        threshold = None if threshold is None or threshold == "" else float(threshold)
    else:
        threshold = None if public_vote else float(call.score_threshold)
    quotas = _quotas(call)
    group_quota_list = group_quotas(call, quotas, budget, overrides.get("quota_shares"))
    projects = []
    for application in applications:
        groups: set[str] = set()
        if application.territory_id is not None:
            groups.update(territory_group(t) for t in ancestors[application.territory_id])
        if application.theme_id is not None:
            groups.add(theme_group(application.theme_id))
        row = scores.get(application.pk)
        score = row.score if row is not None and row.score is not None else 0.0
        projects.append(
            alloc.Project(
                id=str(application.pk),
                cost=application.requested_amount,
                score=float(score),
                groups=frozenset(groups),
                name=application.title,
                eligible=application.is_eligible,
                disqualified_by=tuple(row.disqualified_by) if row is not None else (),
                shortfalls=shortfalls.get(application.pk, ()),
            )
        )
    problem = alloc.Problem(
        budget=budget,
        projects=tuple(projects),
        quotas=tuple(group_quota_list),
        min_grant=call.min_grant,
        max_grant=call.max_grant,
        score_threshold=threshold,
        partial=partial,
        min_partial_share=share,
        unit=money_unit(call.currency),
    )
    parameters = {
        "budget": str(budget),
        "currency": call.currency,
        "partial": partial,
        "min_partial_share": share,
        "threshold": threshold,
        "min_grant": str(call.min_grant),
        "max_grant": str(call.max_grant),
        "ranking_source": call.ranking_source,
        "quotas": [
            {
                "id": quota.pk,
                "group": gq.group,
                "label": gq.label,
                "kind": quota.kind,
                "share": str(
                    Decimal(str((overrides.get("quota_shares") or {}).get(quota.pk, quota.share)))
                ),
                "amount": str(gq.minimum if gq.minimum is not None else gq.maximum),
            }
            for quota, gq in zip(quotas, group_quota_list, strict=True)
        ],
        "scores": {str(pk): row.as_json() for pk, row in scores.items()},
    }
    return CallProblem(problem, scores, quotas, parameters)


def problem_for_call(call: Call, **overrides: Any) -> alloc.Problem:
    """The allocation problem of `call` (see `call_problem`)."""
    return call_problem(call, **overrides).problem


# -- runs -------------------------------------------------------------------------------------


def latest_run(call: Call, *, what_if: bool = False) -> AllocationRun | None:
    """The newest run (its JSON left unread: see `run_data`)."""
    return (
        AllocationRun.objects.filter(call=call, is_what_if=what_if)
        .select_related("created_by")
        .defer("parameters", "outcome")
        .order_by("-created_at", "-pk")
        .first()
    )


def decided_run(call: Call) -> AllocationRun | None:
    """The run the committee's decision awarded (the run of the call's awards)."""
    award = (
        Award.objects.filter(application__call=call)
        .select_related("run__created_by")
        .defer("run__parameters", "run__outcome")
        .first()
    )
    return award.run if award is not None else None


# A run never changes once written, so its decoded JSON is kept (a few runs per process): for
# a call of 2,000 applications, decoding it is most of the ranking page's time.
_RUN_DATA: OrderedDict[tuple[int, Any], tuple[dict[str, Any], dict[str, Any]]] = OrderedDict()
RUN_DATA_KEPT = 4


def run_data(run: AllocationRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameters, outcome) of `run`, decoded once per process."""
    key = (run.pk, run.created_at)
    data = _RUN_DATA.get(key)
    if data is None:
        deferred = run.get_deferred_fields()
        if "parameters" in deferred or "outcome" in deferred:
            row = AllocationRun.objects.filter(pk=run.pk).values("parameters", "outcome").get()
            data = (row["parameters"] or {}, row["outcome"] or {})
        else:
            data = (run.parameters or {}, run.outcome or {})
        _RUN_DATA[key] = data
        while len(_RUN_DATA) > RUN_DATA_KEPT:
            _RUN_DATA.popitem(last=False)
    else:
        _RUN_DATA.move_to_end(key)
    return data


def run_decisions(run: AllocationRun | None) -> dict[str, alloc.Decision]:
    if run is None:
        return {}
    entries = run_data(run)[1].get("applications") or {}
    return {pid: alloc.Decision.from_json(pid, data) for pid, data in entries.items()}


def reviews_changed_since(call: Call, run: AllocationRun | None) -> bool:
    """Whether a review was submitted (or changed) after the run: its scores are stale."""
    if run is None or call.ranking_source != RankingSource.REVIEWS:
        return False
    last = Assignment.objects.filter(application__call=call, submitted_at__isnull=False).aggregate(
        last=Max("updated_at")
    )["last"]
    return last is not None and last > run.created_at


def directorate_polls(call: Call) -> list[Poll]:
    """Closed polls of the program's directorates, newest first: the decisions a committee's
    decision may be linked to."""
    return list(
        Poll.objects.filter(
            body__program_id=call.program_id,
            body__kind=BodyKind.DIRECTORATE,
            status=PollStatus.CLOSED,
        )
        .select_related("body")
        .order_by("-closed_at", "-pk")[:50]
    )


def poll_approves(poll: Poll) -> bool:
    """A closed motion of a directorate that passed."""
    result = poll.result or {}
    return poll.status == PollStatus.CLOSED and result.get("passed") is True


def is_directorate(body: Body) -> bool:
    return body.kind == BodyKind.DIRECTORATE


# -- the ranking page -------------------------------------------------------------------------


@dataclass
class RankingRow:
    application: Application
    rank: int | None
    score: ScoreRow | None
    decision: alloc.Decision | None

    @property
    def funded(self) -> bool:
        return self.decision is not None and self.decision.funded


@dataclass
class QuotaBar:
    label: str
    kind: str
    amount: Decimal
    used: Decimal
    percent: int
    met: bool


@dataclass
class RankingPage:
    call: Call
    run: AllocationRun | None
    decided: AllocationRun | None
    rows: list[RankingRow]
    total_rows: int
    page: int
    pages: int
    show: str
    counts: dict[str, int]
    used: Decimal
    used_percent: int
    quota_bars: list[QuotaBar]
    stale: bool
    notes: list[str]
    outcome: dict[str, Any]


SHOW_CHOICES = ("all", "funded", "not_funded", "ineligible")


def _order_key(row: tuple[int, int | None, float | None]) -> tuple[float, float, int]:
    pk, rank, score = row
    return (
        rank if rank is not None else math.inf,
        -(score if score is not None else -math.inf),
        pk,
    )


def ranking_page(call: Call, *, page: int = 1, show: str = "all") -> RankingPage:
    """The call's submitted applications in rank order (of the latest run, else by score),
    a page at a time, with the totals of the run. A handful of queries whatever the size."""
    show = show if show in SHOW_CHOICES else "all"
    decided = decided_run(call) if call.status != CallStatus.PUBLISHED else None
    run = decided or latest_run(call)
    # Raw JSON entries for all; Decision and ScoreRow objects only for the page shown.
    parameters, outcome = run_data(run) if run is not None else ({}, {})
    entries: dict[str, Any] = outcome.get("applications") or {}
    raw_scores: dict[str, Any]
    if run is not None:
        raw_scores = parameters.get("scores") or {}
    else:
        applications = list(_submitted(call).order_by("pk"))
        criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
        live, _shortfalls = call_scores(call, applications, criteria)
        raw_scores = {str(pk): row.as_json() for pk, row in live.items()}
    base = list(
        _submitted(call).values_list("pk", "eligibility", "eligibility_override", named=False)
    )
    funded_outcomes = {str(o) for o in alloc.FUNDED_OUTCOMES}
    keys = []
    counts = dict.fromkeys(SHOW_CHOICES, 0)
    for pk, eligibility, override in base:
        eligible = override if override is not None else eligibility == "eligible"
        entry = entries.get(str(pk))
        funded = entry is not None and entry.get("outcome") in funded_outcomes
        counts["all"] += 1
        counts["funded" if funded else "not_funded"] += 1
        if not eligible:
            counts["ineligible"] += 1
        if (
            show == "all"
            or (show == "funded" and funded)
            or (show == "not_funded" and not funded)
            or (show == "ineligible" and not eligible)
        ):
            score = (raw_scores.get(str(pk)) or {}).get("score") if eligible else None
            keys.append((pk, entry.get("rank") if entry is not None else None, score))
    keys.sort(key=_order_key)
    pages = max(1, math.ceil(len(keys) / PAGE_SIZE))
    page = min(max(1, page), pages)
    window = keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    by_pk = {
        a.pk: a
        for a in Application.objects.filter(pk__in=[k[0] for k in window])
        .select_related("applicant", "territory", "theme")
        .defer("summary", "problem", "activities", "eligibility_results")
    }
    rows = []
    for pk, rank, _score in window:
        entry = entries.get(str(pk))
        data = raw_scores.get(str(pk))
        rows.append(
            RankingRow(
                application=by_pk[pk],
                rank=rank,
                score=ScoreRow.from_json(data) if data is not None else None,
                decision=alloc.Decision.from_json(str(pk), entry) if entry is not None else None,
            )
        )
    used = Decimal(str(outcome.get("total") or "0"))
    budget = Decimal(str(parameters.get("budget") or call.budget))
    quota_totals = outcome.get("quota_totals") or {}
    bars = []
    for quota in parameters.get("quotas") or []:
        amount = Decimal(str(quota["amount"]))
        spent = Decimal(str(quota_totals.get(quota["group"], "0")))
        met = spent >= amount if quota["kind"] == QuotaKind.MINIMUM else spent <= amount
        bars.append(
            QuotaBar(
                label=quota["label"],
                kind=quota["kind"],
                amount=amount,
                used=spent,
                percent=min(100, int(spent * 100 / amount)) if amount else 100,
                met=met,
            )
        )
    return RankingPage(
        call=call,
        run=run,
        decided=decided,
        rows=rows,
        total_rows=len(keys),
        page=page,
        pages=pages,
        show=show,
        counts=counts,
        used=used,
        used_percent=min(100, int(used * 100 / budget)) if budget else 0,
        quota_bars=bars,
        stale=reviews_changed_since(call, run) if decided is None else False,
        notes=list(outcome.get("notes") or []),
        outcome=outcome,
    )


@dataclass
class WhatIfChange:
    application: Application
    before: alloc.Decision | None
    after: alloc.Decision


@dataclass
class WhatIfResult:
    run: AllocationRun
    base: AllocationRun | None
    entered: list[WhatIfChange]
    left: list[WhatIfChange]
    changed: list[WhatIfChange]
    total_before: Decimal
    total_after: Decimal
    funded_before: int
    funded_after: int


def what_if_result(what_if: AllocationRun, base: AllocationRun | None) -> WhatIfResult:
    """Who enters, who leaves and whose grant changes from `base` to the what-if run."""
    before = run_decisions(base)
    after = run_decisions(what_if)
    moves = alloc.changes(before, after)
    ids = [int(pk) for group in moves.values() for pk in group]
    applications = {
        a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("applicant")
    }

    def changes_of(key: str) -> list[WhatIfChange]:
        items = [
            WhatIfChange(applications[int(pk)], before.get(pk), after[pk])
            for pk in moves[key]
            if int(pk) in applications and pk in after
        ]
        items.sort(key=lambda c: (c.after.rank or 10**9, c.application.pk))
        return items

    return WhatIfResult(
        run=what_if,
        base=base,
        entered=changes_of("entered"),
        left=changes_of("left"),
        changed=changes_of("changed"),
        total_before=Decimal(str((run_data(base)[1] if base else {}).get("total") or "0")),
        total_after=Decimal(str(run_data(what_if)[1].get("total") or "0")),
        funded_before=sum(1 for d in before.values() if d.funded),
        funded_after=sum(1 for d in after.values() if d.funded),
    )
