"""A call as a Pabulib file: the projects that competed, what they asked for, their score or
votes, and which were funded. Researchers and other platforms read it as any Pabulib
instance; a public vote run elsewhere on these projects comes back in with the same ids (see
`services.call_import_votes`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from tejido.core.models import Territory

from ..models import AllocationRun, Application, AwardStatus, Call, CallStatus, RankingSource
from ..pabulib import PbInstance, PbProject, columns_of, number_text

COMMENT = (
    "#1: Exported by Tejido. project_id is the application's reference; cost is the amount "
    "requested. #2: score is the overall score (0 to 100) of the run the committee decided on "
    "(reviewers' weighted scores), or the imported public vote. #3: selected is 1 for the "
    "funded projects and awarded the amount granted (less than cost when partly funded)."
)


def _pabulib_date(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y")


def _decision_run(call: Call) -> AllocationRun | None:
    """The run the awards come from, or the latest run that is not a what-if."""
    runs = call.allocation_runs.all()
    decided = runs.filter(awards__isnull=False).order_by("-created_at").first()
    return decided or runs.filter(is_what_if=False).order_by("-created_at").first()


def _country(call: Call) -> str:
    territories = list(call.program.territories.all()[:1])
    if not territories:
        return ""
    # The territory and the places it is part of (its path lists their ids, its own last).
    ids = [int(part) for part in territories[0].path.strip("/").split("/") if part]
    country = (
        Territory.objects.filter(pk__in=ids, level=Territory.Level.COUNTRY)
        .values_list("name", flat=True)
        .first()
    )
    return country or ""


def call_as_pb(call: Call) -> PbInstance:
    """The call's eligible applications as a Pabulib instance (no ballots: VOTES is empty)."""
    applications = list(
        Application.objects.eligible()
        .filter(call=call)
        .select_related("territory", "theme", "award")
        .order_by("reference")
    )
    decided = call.status in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED)
    public_vote = call.ranking_source == RankingSource.PUBLIC_VOTE
    outcome: dict[str, Any] = {}
    if not public_vote:
        run = _decision_run(call)
        if run is not None:
            outcome = (run.outcome or {}).get("applications", {})
    projects = []
    for application in applications:
        extra: dict[str, Any] = {}
        if public_vote:
            votes: Decimal | int | None = application.public_votes
            score: Decimal | float | None = application.public_score
        else:
            votes = None
            score = (outcome.get(str(application.pk)) or {}).get("score")
            if score is not None:
                score = round(float(score), 2)
        award = getattr(application, "award", None)
        if award is not None and award.status == AwardStatus.CANCELLED:
            award = None
        selected = None
        if decided:
            selected = 1 if award is not None else 0
            extra["awarded"] = award.amount if award is not None else None
        if application.theme is not None:
            extra["category"] = application.theme.name
        if application.territory is not None:
            extra["territory"] = application.territory.name
        projects.append(
            PbProject.build(
                application.reference,
                application.requested_amount,
                name=application.title,
                votes=votes,
                score=score,
                selected=selected,
                **extra,
            )
        )
    columns = columns_of(projects)
    # Every project has every column, in the same order (empty where it has no value).
    for project in projects:
        project.fields = {column: project.fields.get(column, "") for column in columns}
    meta = {"description": call.title}
    country = _country(call)
    if country:
        meta["country"] = country
    meta.update(
        {
            "unit": call.program.name,
            "instance": str(call.opens_at.year),
            "num_projects": str(len(projects)),
            "num_votes": "0",
            "budget": number_text(call.budget),
            "vote_type": "approval" if public_vote else "scoring",
            "rule": call.allocation_rule,
            "date_begin": _pabulib_date(call.opens_at),
            "date_end": _pabulib_date(call.closes_at),
            "language": settings.LANGUAGE_CODE.split("-")[0],
            "currency": call.currency,
            "min_project_cost": number_text(call.min_grant),
            "max_project_cost": number_text(call.max_grant),
            "comment": COMMENT,
        }
    )
    return PbInstance(meta=meta, project_columns=columns, projects=projects)


def pb_file_name(call: Call) -> str:
    return f"{call.program.slug}_{call.slug}.pb"
