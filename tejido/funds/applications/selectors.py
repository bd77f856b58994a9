"""Reads for the applications pages: an organization's applications, the application page with
everything it shows, the snapshot kept at each submission, the call's applications with their
eligibility, and the organizations a representative may apply for or take as partners.

Every list is a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.actors.selectors import actor_search
from tejido.core.models import Program, Territory
from tejido.governance.models import Objective
from tejido.governance.plans.money import money

from .. import eligibility
from ..models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    AttachmentKind,
    BudgetCategory,
    BudgetLine,
    Call,
    CallPhase,
    Eligibility,
    Partner,
)

PARTNER_OPTIONS = 12
ELIGIBILITY_PAGE_SIZE = 50


def applications_for_user(user: Any, program: Program) -> list[Application]:
    """The applications of the program that the user's organizations lead or are partners in,
    newest first (drafts and withdrawn ones included), with their call and applicant."""
    mine = represented_ids(user)
    if not mine:
        return []
    return list(
        Application.objects.filter(call__program=program)
        .filter(Q(applicant_id__in=mine) | Q(partners__organization_id__in=mine))
        .distinct()
        .select_related("call", "applicant", "territory")
        .order_by("-created_at", "-pk")
    )


@dataclass
class MyApplication:
    application: Application
    role: str  # "lead" or "partner"
    amount_text: str
    can_edit: bool
    phase_label: str


def my_application_rows(user: Any, program: Program) -> list[MyApplication]:
    mine = represented_ids(user)
    now = timezone.now()
    rows = []
    for application in applications_for_user(user, program):
        lead = application.applicant_id in mine
        rows.append(
            MyApplication(
                application=application,
                role="lead" if lead else "partner",
                amount_text=money(application.requested_amount, application.call.currency),
                can_edit=lead and application.call.is_open(now),
                phase_label=str(CallPhase(application.call.phase(now)).label),
            )
        )
    return rows


def organizations_to_apply(user: Any, call: Call) -> list[tuple[Actor, Application | None]]:
    """The organizations of the call's program the user speaks for, each with its application
    to this call if it has one (the latest)."""
    mine = represented_ids(user)
    if not mine:
        return []
    organizations = list(
        Actor.objects.organizations().filter(program_id=call.program_id, pk__in=mine)
    )
    existing: dict[int, Application] = {}
    for application in Application.objects.filter(
        call=call, applicant_id__in=[o.pk for o in organizations]
    ).order_by("created_at", "pk"):
        existing[application.applicant_id] = application
    return [(organization, existing.get(organization.pk)) for organization in organizations]


def partner_candidates(application: Application, query: str) -> tuple[list[Actor], bool]:
    """Organizations of the program matching `query` that could join the consortium (not the
    applicant, not a partner already); and whether there are more than shown."""
    taken = set(application.partners.values_list("organization_id", flat=True))
    taken.add(application.applicant_id)
    actors = (
        Actor.objects.organizations()
        .filter(program_id=application.call.program_id)
        .exclude(pk__in=taken)
        .select_related("territory")
    )
    if not query.strip():
        return [], False
    found = list(actor_search(actors, query).order_by("name", "pk")[: PARTNER_OPTIONS + 1])
    return found[:PARTNER_OPTIONS], len(found) > PARTNER_OPTIONS


def territory_choices(call: Call) -> QuerySet[Territory]:
    """The places an application may say it serves: the call's territories and the places
    inside them; without any, the program's territories and the places inside those."""
    areas = list(call.eligible_territories.all()) or list(call.program.territories.all())
    if not areas:
        return Territory.objects.all()
    condition = Q()
    for area in areas:
        condition |= Q(path__startswith=area.path)
    return Territory.objects.filter(condition).order_by("path")


def objective_choices(call: Call) -> QuerySet[Objective]:
    return call.objectives.select_related("plan__territory").order_by(
        "plan__territory__name", "plan_id", "position", "pk"
    )


# -- the snapshot of a submission --------------------------------------------------------------


def application_snapshot(application: Application) -> dict[str, Any]:
    """Everything the applicant submitted, as plain JSON: fields, objectives, place, budget
    lines, partners and the names of the attachments (the files themselves stay where they
    are)."""
    lines = list(application.budget_lines.order_by("position", "pk"))
    partners = list(
        application.partners.select_related("organization", "commitment_letter").order_by("pk")
    )
    attachments = list(application.attachments.order_by("kind", "pk"))
    objectives = list(application.objectives.order_by("plan_id", "position", "pk"))
    territory = application.territory
    theme = application.theme
    return {
        "reference": application.reference,
        "title": application.title,
        "summary": application.summary,
        "problem": application.problem,
        "activities": application.activities,
        "currency": application.call.currency,
        "applicant": {"id": application.applicant_id, "name": application.applicant.name},
        "objectives": [{"id": o.pk, "title": o.title} for o in objectives],
        "territory": {"id": territory.pk, "name": territory.name} if territory else None,
        "theme": {"id": theme.pk, "name": theme.name} if theme else None,
        "beneficiaries": {
            "women": application.beneficiaries_women,
            "men": application.beneficiaries_men,
            "other": application.beneficiaries_other,
        },
        "requested_amount": str(application.requested_amount),
        "co_funding_amount": str(application.co_funding_amount),
        "lines": [
            {
                "category": line.category,
                "description": line.description,
                "amount": str(line.amount),
                "co_funding": str(line.co_funding),
            }
            for line in lines
        ],
        "partners": [
            {
                "organization_id": partner.organization_id,
                "organization": partner.organization.name,
                "role": partner.role,
                "budget_share": str(partner.budget_share),
                "letter": partner.commitment_letter.name if partner.commitment_letter else None,
            }
            for partner in partners
        ],
        "attachments": [
            {
                "kind": attachment.kind,
                "name": attachment.name,
                "size": attachment.size,
                "issued_on": attachment.issued_on.isoformat() if attachment.issued_on else None,
            }
            for attachment in attachments
        ],
    }


# -- the application page ----------------------------------------------------------------------


@dataclass
class LineRow:
    category: str
    category_label: str
    description: str
    amount_text: str
    co_funding_text: str


@dataclass
class Totals:
    requested: Decimal
    co_funding: Decimal
    requested_text: str
    co_funding_text: str
    total_text: str
    partner_shares_text: str = ""
    partner_shares_over: bool = False


@dataclass
class ResultRow:
    rule: str
    label: str
    passed: bool
    text: str


@dataclass
class ApplicationPage:
    application: Application
    lines: list[LineRow]
    totals: Totals
    partners: list[Partner]
    attachments: list[Attachment]
    objectives: list[Objective]
    versions: list[ApplicationVersion]
    results: list[ResultRow] = field(default_factory=list)


def _line_rows(lines: Sequence[BudgetLine], currency: str) -> list[LineRow]:
    labels = dict(BudgetCategory.choices)
    return [
        LineRow(
            category=line.category,
            category_label=str(labels.get(line.category, line.category)),
            description=line.description,
            amount_text=money(line.amount, currency),
            co_funding_text=money(line.co_funding, currency) if line.co_funding else "—",
        )
        for line in lines
    ]


def totals_for(
    requested: Decimal, co_funding: Decimal, currency: str, shares: Decimal | None = None
) -> Totals:
    totals = Totals(
        requested=requested,
        co_funding=co_funding,
        requested_text=money(requested, currency),
        co_funding_text=money(co_funding, currency),
        total_text=money(requested + co_funding, currency),
    )
    if shares is not None:
        totals.partner_shares_text = money(shares, currency)
        totals.partner_shares_over = shares > requested
    return totals


def result_rows(results: Sequence[dict[str, Any]]) -> list[ResultRow]:
    return [
        ResultRow(
            rule=str(result.get("rule", "")),
            label=eligibility.rule_label(str(result.get("rule", ""))),
            passed=bool(result.get("passed")),
            text=eligibility.describe(result),
        )
        for result in results
    ]


def application_page(application: Application) -> ApplicationPage:
    """The application with its lines, partners, attachments, objectives and versions, loaded
    in a fixed number of queries."""
    currency = application.call.currency
    lines = list(application.budget_lines.order_by("position", "pk"))
    partners = list(
        application.partners.select_related("organization", "commitment_letter").order_by("pk")
    )
    attachments = list(application.attachments.order_by("kind", "pk"))
    objectives = list(
        application.objectives.select_related("plan__territory").order_by(
            "plan_id", "position", "pk"
        )
    )
    versions = list(
        application.versions.select_related("submitted_by").defer("snapshot").order_by("-number")
    )
    for partner in partners:
        partner.budget_share_text = money(partner.budget_share, currency)  # type: ignore[attr-defined]
    shares = sum((p.budget_share for p in partners), Decimal(0))
    return ApplicationPage(
        application=application,
        lines=_line_rows(lines, currency),
        totals=totals_for(
            application.requested_amount,
            application.co_funding_amount,
            currency,
            shares if partners else None,
        ),
        partners=partners,
        attachments=attachments,
        objectives=objectives,
        versions=versions,
        results=result_rows(application.eligibility_results or []),
    )


@dataclass
class VersionPage:
    version: ApplicationVersion
    snapshot: dict[str, Any]
    lines: list[LineRow]
    totals: Totals
    partners: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    beneficiaries_total: int


def version_page(version: ApplicationVersion, currency: str) -> VersionPage:
    snapshot = dict(version.snapshot or {})
    labels = dict(BudgetCategory.choices)
    kinds = dict(AttachmentKind.choices)

    def amount(value: Any) -> Decimal:
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return Decimal(0)

    lines = [
        LineRow(
            category=str(line.get("category", "")),
            category_label=str(labels.get(line.get("category", ""), line.get("category", ""))),
            description=str(line.get("description", "")),
            amount_text=money(amount(line.get("amount", 0)), currency),
            co_funding_text=money(amount(line.get("co_funding", 0)), currency)
            if amount(line.get("co_funding", 0))
            else "—",
        )
        for line in snapshot.get("lines", [])
    ]
    partners = [
        {**partner, "budget_share_text": money(amount(partner.get("budget_share", 0)), currency)}
        for partner in snapshot.get("partners", [])
    ]
    attachments = [
        {
            **attachment,
            "kind_label": str(kinds.get(attachment.get("kind", ""), attachment.get("kind", ""))),
            "issued": datetime.date.fromisoformat(attachment["issued_on"])
            if attachment.get("issued_on")
            else None,
        }
        for attachment in snapshot.get("attachments", [])
    ]
    shares = sum((amount(p.get("budget_share", 0)) for p in partners), Decimal(0))
    people = snapshot.get("beneficiaries") or {}
    return VersionPage(
        version=version,
        snapshot=snapshot,
        lines=lines,
        totals=totals_for(
            amount(snapshot.get("requested_amount", 0)),
            amount(snapshot.get("co_funding_amount", 0)),
            currency,
            shares if partners else None,
        ),
        partners=partners,
        attachments=attachments,
        beneficiaries_total=sum(int(people.get(k, 0) or 0) for k in ("women", "men", "other")),
    )


# -- a call's applications and their eligibility -----------------------------------------------


@dataclass
class EligibilityRow:
    application: Application
    amount_text: str
    failed: list[ResultRow]
    override_by: str


@dataclass
class EligibilityList:
    page: Page[Application]
    rows: list[EligibilityRow]
    counts: dict[str, int]
    requested_text: str
    show: str


ELIGIBILITY_FILTERS = ("all", "eligible", "ineligible", "pending", "overridden")


def eligibility_list(call: Call, *, show: str = "all", page: int | str = 1) -> EligibilityList:
    """The call's submitted applications with their eligibility, a page at a time, and the
    counts per state (drafts and withdrawn applications are only counted)."""
    base = Application.objects.filter(call=call)
    counts = base.aggregate(
        submitted=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
        drafts=Count("pk", filter=Q(status=ApplicationStatus.DRAFT)),
        withdrawn=Count("pk", filter=Q(status=ApplicationStatus.WITHDRAWN)),
        eligible=Count(
            "pk",
            filter=Q(status=ApplicationStatus.SUBMITTED)
            & (
                Q(eligibility_override=True)
                | Q(eligibility_override__isnull=True, eligibility=Eligibility.ELIGIBLE)
            ),
        ),
        ineligible=Count(
            "pk",
            filter=Q(status=ApplicationStatus.SUBMITTED)
            & (
                Q(eligibility_override=False)
                | Q(eligibility_override__isnull=True, eligibility=Eligibility.INELIGIBLE)
            ),
        ),
        pending=Count(
            "pk",
            filter=Q(
                status=ApplicationStatus.SUBMITTED,
                eligibility_override__isnull=True,
                eligibility=Eligibility.PENDING,
            ),
        ),
        overridden=Count(
            "pk",
            filter=Q(status=ApplicationStatus.SUBMITTED, eligibility_override__isnull=False),
        ),
        requested=Sum("requested_amount", filter=Q(status=ApplicationStatus.SUBMITTED)),
    )
    submitted = base.filter(status=ApplicationStatus.SUBMITTED)
    requested = counts.pop("requested") or Decimal(0)
    if show == "eligible":
        submitted = submitted.filter(
            Q(eligibility_override=True)
            | Q(eligibility_override__isnull=True, eligibility=Eligibility.ELIGIBLE)
        )
    elif show == "ineligible":
        submitted = submitted.filter(
            Q(eligibility_override=False)
            | Q(eligibility_override__isnull=True, eligibility=Eligibility.INELIGIBLE)
        )
    elif show == "pending":
        submitted = submitted.filter(
            eligibility_override__isnull=True, eligibility=Eligibility.PENDING
        )
    elif show == "overridden":
        submitted = submitted.filter(eligibility_override__isnull=False)
    else:
        show = "all"
    queryset = submitted.select_related(
        "applicant", "territory", "eligibility_override_by"
    ).order_by("reference", "pk")
    paginator = Paginator(queryset, ELIGIBILITY_PAGE_SIZE)
    current = paginator.get_page(page)
    rows = []
    for application in current.object_list:
        who = application.eligibility_override_by
        rows.append(
            EligibilityRow(
                application=application,
                amount_text=money(application.requested_amount, call.currency),
                failed=[r for r in result_rows(application.eligibility_results) if not r.passed],
                override_by=(who.get_full_name() or who.email) if who else "",
            )
        )
    return EligibilityList(
        page=current,
        rows=rows,
        counts={k: int(v or 0) for k, v in counts.items()},
        requested_text=money(requested, call.currency),
        show=show,
    )
