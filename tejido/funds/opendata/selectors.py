"""What the open data of the funds publishes, and to whom.

Awards are public once their call's results are published; the program's coordinators see them
as soon as the committee decides (to check the files before publishing). Cancelled awards are
not published as grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from tejido.core.models import Program

from ..models import Award, AwardStatus, Call, CallStatus

MANAGE_CALL = "funds.manage_call"


def data_is_public(call: Call) -> bool:
    return call.status == CallStatus.RESULTS_PUBLISHED


def may_download(user: Any, call: Call) -> bool:
    """Whether `user` (who may see the call) may download its open data now."""
    return data_is_public(call) or bool(user.has_perm(MANAGE_CALL, call))


def open_data_awards(calls: Iterable[Call] | QuerySet[Call]) -> QuerySet[Award]:
    """The awards of `calls` that are published as grants, call by call, by reference."""
    return (
        Award.objects.filter(application__call__in=calls)
        .exclude(status=AwardStatus.CANCELLED)
        .select_related(
            "application__call__program",
            "application__call__funder",
            "application__applicant__territory",
            "application__territory",
            "application__theme",
        )
        .prefetch_related("disbursements")
        .order_by("application__call__opens_at", "application__call_id", "application__reference")
    )


def calls_with_open_data(program: Program, user: Any) -> list[Call]:
    """The program's calls whose awards `user` may download: results published, and for its
    coordinators also decided calls. Newest first."""
    statuses = [CallStatus.RESULTS_PUBLISHED]
    if user.has_perm(MANAGE_CALL, program):
        statuses.append(CallStatus.DECIDED)
    calls = Call.objects.filter(program=program, status__in=statuses).order_by("-opens_at", "title")
    result = list(calls)
    for call in result:
        call.program = program
    return result


def calls_for_vote_import(program: Program) -> list[Call]:
    """Published calls of the program whose ranking may still come from a public vote: closed
    for applications and not decided yet."""
    return list(
        Call.objects.closed()
        .filter(program=program, status=CallStatus.PUBLISHED)
        .order_by("-closes_at", "title")
    )


@dataclass(frozen=True)
class AwardCount:
    awards: int
    total: Decimal


def award_counts(calls: Iterable[Call]) -> dict[int, AwardCount]:
    """Per call id, how many awards are published as grants and their total (one query)."""
    rows = (
        Award.objects.filter(application__call__in=list(calls))
        .exclude(status=AwardStatus.CANCELLED)
        .values("application__call_id")
        .annotate(count=Count("id"), total=Sum("amount"))
    )
    return {
        row["application__call_id"]: AwardCount(row["count"], row["total"] or Decimal(0))
        for row in rows
    }


@dataclass(frozen=True)
class CallData:
    call: Call
    count: AwardCount | None
