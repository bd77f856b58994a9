"""Reads of consortia: the program's list and one consortium's page, each in a fixed number of
queries whatever the number of consortia, members, lots, steps and documents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.core.models import Program

from ..models import (
    ChecklistItem,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    MemberStatus,
)
from ..suggestions import PartnerCandidate, consortium_partner_suggestions

ACTIVE_STATUSES = (ConsortiumStatus.FORMING, ConsortiumStatus.SUBMITTED)


def days_left(
    deadline: datetime.datetime | None, now: datetime.datetime | None = None
) -> int | None:
    """Whole days from now to the deadline (negative once it has passed)."""
    if deadline is None:
        return None
    now = now or timezone.now()
    return (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days


def consortia_for_list(program: Program, *, status: str = "") -> list[Consortium]:
    """The program's consortia, forming ones first by deadline; each with `joined_count`,
    `member_count` and `days_left`."""
    queryset: QuerySet[Consortium] = (
        Consortium.objects.filter(program=program)
        .select_related("lead")
        .annotate(
            joined_count=Count("members", filter=Q(members__status=MemberStatus.JOINED)),
            invited_count=Count("members", filter=Q(members__status=MemberStatus.INVITED)),
        )
    )
    if status in ConsortiumStatus.values:
        queryset = queryset.filter(status=status)
    consortia = list(queryset)
    now = timezone.now()
    order = {s: i for i, s in enumerate(ConsortiumStatus.values)}
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    for consortium in consortia:
        consortium.days_left = days_left(consortium.deadline, now)  # type: ignore[attr-defined]
    consortia.sort(
        key=lambda c: (
            order.get(c.status, 9),
            c.deadline or far if c.status in ACTIVE_STATUSES else far,
            -c.pk,
        )
    )
    return consortia


def status_counts(program: Program) -> dict[str, int]:
    rows = (
        Consortium.objects.filter(program=program)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


@dataclass
class ConsortiumPage:
    consortium: Consortium
    members: list[ConsortiumMember]
    lots: list[Any]
    steps: list[ChecklistItem]
    documents: list[Any]
    themes: list[Any]
    days_left: int | None
    share_total: Decimal
    steps_done: int
    my_invitations: list[ConsortiumMember] = field(default_factory=list)
    joined: list[ConsortiumMember] = field(default_factory=list)


def consortium_page(consortium: Consortium, user: Any, *, documents: bool) -> ConsortiumPage:
    """Everything the consortium's page shows."""
    members = list(
        ConsortiumMember.objects.filter(consortium=consortium)
        .select_related("actor")
        .prefetch_related("lots")
        .order_by("status", "id")
    )
    rank = {MemberStatus.JOINED: 0, MemberStatus.INVITED: 1, MemberStatus.DECLINED: 2}
    members.sort(key=lambda m: (rank.get(m.status, 3), m.role != "lead", m.pk))  # type: ignore[call-overload]
    lots = list(consortium.lots.all())
    steps = list(
        ChecklistItem.objects.filter(consortium=consortium).select_related("responsible", "done_by")
    )
    docs = list(consortium.documents.select_related("uploaded_by")) if documents else []
    themes = list(consortium.themes.all())
    joined = [m for m in members if m.status == MemberStatus.JOINED]
    mine = represented_ids(user)
    return ConsortiumPage(
        consortium=consortium,
        members=members,
        lots=lots,
        steps=steps,
        documents=docs,
        themes=themes,
        days_left=days_left(consortium.deadline),
        share_total=sum((m.share or Decimal(0) for m in joined), Decimal(0)),
        steps_done=sum(1 for s in steps if s.done_at is not None),
        my_invitations=[
            m for m in members if m.status == MemberStatus.INVITED and m.actor_id in mine
        ],
        joined=joined,
    )


def checklist_progress(consortium: Consortium) -> tuple[int, int]:
    """(steps done, steps) of the consortium's checklist, in one query."""
    counts = ChecklistItem.objects.filter(consortium=consortium).aggregate(
        done=Count("pk", filter=Q(done_at__isnull=False)), total=Count("pk")
    )
    return counts["done"], counts["total"]


def invitable_organizations(consortium: Consortium) -> QuerySet[Actor]:
    """Organizations of the program that are not (or no longer) in the consortium."""
    taken = ConsortiumMember.objects.filter(consortium=consortium).exclude(
        status=MemberStatus.DECLINED
    )
    return (
        Actor.objects.organizations()
        .filter(program_id=consortium.program_id)
        .exclude(pk__in=taken.values("actor_id"))
        .order_by("name")
    )


def partner_suggestions(consortium: Consortium, *, limit: int = 10) -> list[PartnerCandidate]:
    """The suggested partners for the consortium, best first, with their reasons."""
    return consortium_partner_suggestions(consortium, limit=limit)
