"""Reads of joint projects and transfer offers, each in a fixed number of queries."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.core.models import Program, Theme
from tejido.governance.plans.money import money

from ..models import (
    JointProject,
    PartnerRole,
    ProjectPartner,
    ProjectStatus,
    Transfer,
    TransferOffer,
    TransferStatus,
)

PAGE_SIZE = 20
LIVE = (TransferStatus.REQUESTED, TransferStatus.AGREED, TransferStatus.COMPLETED)


def _partners() -> Prefetch[Any]:
    return Prefetch(
        "partners",
        queryset=ProjectPartner.objects.select_related("actor").order_by("role", "id"),
    )


def _page(queryset: QuerySet[Any], number: Any) -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def project_listing(
    program: Program, *, status: str = "", theme: Theme | None = None, page: Any = 1
) -> Page[JointProject]:
    projects = JointProject.objects.filter(program=program).prefetch_related(_partners(), "themes")
    if status:
        projects = projects.filter(status=status)
    if theme is not None:
        projects = projects.filter(themes=theme)
    result = _page(projects.order_by("-created_at", "-id"), page)
    for project in result.object_list:
        partners = list(project.partners.all())
        project.partner_list = partners
        project.lead = next((p.actor for p in partners if p.role == PartnerRole.LEAD), None)
        project.budget_text = money(project.budget, project.currency) if project.budget else ""
    return result


def status_counts(program: Program) -> dict[str, int]:
    rows = JointProject.objects.filter(program=program).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


@dataclass
class PartnerRow:
    partner: ProjectPartner
    actor: Actor
    share_text: str
    percent: int | None


@dataclass
class ProjectPage:
    partners: list[PartnerRow]
    themes: list[Theme]
    budget_text: str
    shared_text: str
    left_text: str
    shared: Decimal
    over: bool
    lead: Actor | None
    partner_ids: list[int] = field(default_factory=list)


def project_page(project: JointProject) -> ProjectPage:
    partners = list(
        ProjectPartner.objects.filter(project=project)
        .select_related("actor", "actor__territory")
        .order_by("role", "id")
    )
    themes = list(project.themes.all())
    currency = project.currency
    shared = sum((p.budget_share or Decimal(0) for p in partners), Decimal(0))
    budget = project.budget
    rows = []
    for partner in partners:
        share = partner.budget_share
        percent = None
        if share is not None and budget:
            percent = round(share / budget * 100)
        rows.append(
            PartnerRow(
                partner=partner,
                actor=partner.actor,
                share_text=money(share, currency) if share is not None else "",
                percent=percent,
            )
        )
    return ProjectPage(
        partners=rows,
        themes=themes,
        budget_text=money(budget, currency) if budget is not None else "",
        shared_text=money(shared, currency),
        left_text=money(budget - shared, currency) if budget is not None else "",
        shared=shared,
        over=budget is not None and shared > budget,
        lead=next((p.actor for p in partners if p.role == PartnerRole.LEAD), None),
        partner_ids=[p.actor_id for p in partners],
    )


def partner_suggestions(
    project: JointProject, partner_ids: list[int], *, limit: int = 5
) -> list[Any]:
    """Entities that could join, from the network (empty while suggestions are not available)."""
    if project.status not in (ProjectStatus.PLANNED, ProjectStatus.RUNNING):
        return []
    try:
        suggestions = importlib.import_module("tejido.cooperation.suggestions")
    except ImportError:
        return []
    suggest = getattr(suggestions, "partner_suggestions", None)
    if suggest is None:
        return []
    theme_ids = [t.pk for t in project.themes.all()]
    return list(suggest(project.program, members=partner_ids, theme_ids=theme_ids, limit=limit))


# -- transfer offers --------------------------------------------------------------------------


def offer_listing(
    program: Program,
    *,
    kind: str = "",
    theme: Theme | None = None,
    open_only: bool = False,
    page: Any = 1,
) -> Page[TransferOffer]:
    offers = (
        TransferOffer.objects.filter(program=program)
        .select_related("provider")
        .prefetch_related("themes")
        .annotate(
            completed_count=Count(
                "transfers", filter=Q(transfers__status=TransferStatus.COMPLETED)
            ),
            live_count=Count(
                "transfers",
                filter=Q(transfers__status__in=[TransferStatus.REQUESTED, TransferStatus.AGREED]),
            ),
        )
    )
    if kind:
        offers = offers.filter(kind=kind)
    if theme is not None:
        offers = offers.filter(themes=theme)
    if open_only:
        offers = offers.filter(is_open=True)
    return _page(offers.order_by("-is_open", "-created_at", "-id"), page)


def recent_offers(program: Program, *, limit: int = 3) -> list[TransferOffer]:
    return list(
        TransferOffer.objects.filter(program=program, is_open=True)
        .select_related("provider")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class OfferPage:
    transfers: list[Transfer]  # what this user may see of the requests
    completed: int
    live: int
    may_see_all: bool
    mine: Transfer | None  # the user's own live request, if any


def offer_page(offer: TransferOffer, user: Any) -> OfferPage:
    """The requests: all of them for the provider and coordinators; for others, their own
    entities' requests and the transfers done (entities only, never who asked)."""
    transfers = list(
        Transfer.objects.filter(offer=offer)
        .select_related("receiver", "requested_by")
        .order_by("-created_at", "-id")
    )
    may_see_all = user.has_perm("cooperation.decide_transfer", offer)
    mine_ids = represented_ids(user)
    visible = [
        t
        for t in transfers
        if may_see_all or t.receiver_id in mine_ids or t.status == TransferStatus.COMPLETED
    ]
    mine = next((t for t in transfers if t.receiver_id in mine_ids and t.status in LIVE), None)
    return OfferPage(
        transfers=visible,
        completed=sum(1 for t in transfers if t.status == TransferStatus.COMPLETED),
        live=sum(
            1 for t in transfers if t.status in (TransferStatus.REQUESTED, TransferStatus.AGREED)
        ),
        may_see_all=may_see_all,
        mine=mine,
    )
