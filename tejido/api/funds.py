"""Competitive funds: a program's published calls and, once their results are published, the
grants they awarded (the same data as the call pages and the 360Giving files)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from tejido.actors.models import ActorKind
from tejido.core.http import optional_url
from tejido.core.models import Program, Territory
from tejido.funds.models import (
    AllocationRule,
    Award,
    AwardStatus,
    Call,
    CallPhase,
    CallStatus,
    Partner,
    QuotaKind,
    RankingSource,
)
from tejido.funds.opendata.selectors import may_download

from .access import can, program_for_api
from .auth import PUBLIC_READ, READ_AUTH, request_user
from .pagination import PageOut, PageParams, paginate
from .schemas import MAX_ID, READ_ERRORS, ActorRef, TerritoryRef, ThemeRef, choices_doc

router = Router(tags=["funds"])

PHASE_DOC = choices_doc(CallPhase, "Where the call stands today:")
RULE_DOC = choices_doc(AllocationRule, "How the budget is shared among the ranked applications:")
SOURCE_DOC = choices_doc(RankingSource, "What ranks the applications:")
AWARD_STATUS_DOC = choices_doc(AwardStatus)
MONEY_DOC = "in the call's currency"


# --- output ---------------------------------------------------------------------------------


class CallOut(Schema):
    id: int
    program: str = Field(description="Slug of the program.")
    slug: str
    title: str
    summary: str
    phase: CallPhase = Field(description=PHASE_DOC)
    phase_label: str = Field(description="The phase in the language of the request.")
    currency: str = Field(description="ISO 4217 code of every amount of the call.")
    budget: float = Field(description=f"The budget envelope, {MONEY_DOC}.")
    min_grant: float = Field(description=f"The smallest grant, {MONEY_DOC}.")
    max_grant: float = Field(description=f"The largest grant, {MONEY_DOC}.")
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    evaluation_ends_on: datetime.date | None
    results_on: datetime.date | None
    appeals_until: datetime.date | None
    url: str = Field(description="The call's page, or '' if the site has none.")


class CriterionOut(Schema):
    name: str
    guidance: str
    weight: float
    scale_max: int = Field(description="Reviewers score from 0 to this.")
    minimum: float | None = Field(
        description="An application whose mean score on this criterion is lower is not funded."
    )


class QuotaOut(Schema):
    kind: QuotaKind = Field(description=choices_doc(QuotaKind))
    share: float = Field(ge=0, le=1, description="Share of the budget, 0 to 1.")
    amount: float = Field(description=f"The share as an amount, {MONEY_DOC}.")
    territory: TerritoryRef | None
    theme: ThemeRef | None


class ObjectiveRef(Schema):
    id: int
    title: str


class OpenDataLinks(Schema):
    giving360_json: str | None = Field(
        description="The call's grants as a 360Giving JSON package (none before the awards)."
    )
    giving360_csv: str | None = Field(
        description="The same grants as a 360Giving CSV file (none before the awards)."
    )
    pabulib: str = Field(description="The call's projects as a Pabulib (.pb) file.")


class CallDetailOut(CallOut):
    description: str
    funder: ActorRef | None = Field(description="The organization that funds the awards.")
    allocation_rule: AllocationRule = Field(description=RULE_DOC)
    ranking_source: RankingSource = Field(description=SOURCE_DOC)
    allow_partial_funding: bool
    min_partial_share: float = Field(description="Smallest share of a request funded, 0 to 1.")
    score_threshold: float = Field(description="Applications scoring lower (0-100) are not funded.")
    eligible_sectors: list[str] = Field(description="Applicant sectors accepted; [] means any.")
    eligible_kinds: list[str] = Field(description="Kinds of applicant accepted; [] means any.")
    eligible_territories: list[TerritoryRef] = Field(
        description="Applicants must serve one of these (or a place inside one); [] means any."
    )
    require_legal_document: bool
    legal_document_max_age_days: int
    require_no_overdue_reports: bool
    one_application_per_organization: bool
    reviewers_per_application: int
    criteria: list[CriterionOut]
    quotas: list[QuotaOut]
    objectives: list[ObjectiveRef] = Field(description="Objectives of the plan the call serves.")
    decided_at: datetime.datetime | None
    results_published_at: datetime.datetime | None
    open_data: OpenDataLinks | None = Field(
        description="Downloads of the call's open data; null until you may download them "
        "(results published, or you coordinate the program)."
    )


class CallPage(PageOut):
    items: list[CallOut]


class AwardOut(Schema):
    id: str = Field(description="The grant's identifier, as in the 360Giving files.")
    reference: str = Field(description="The application's reference.")
    title: str
    summary: str
    applicant: ActorRef | None = Field(
        description="The organization that leads the project; null for a person, unless you "
        "may see the program's people."
    )
    partners: list[ActorRef] = Field(description="The consortium's other organizations.")
    currency: str
    amount_requested: float
    amount: float = Field(description=f"The amount awarded, {MONEY_DOC}.")
    amount_disbursed: float = Field(description=f"Paid so far, {MONEY_DOC}.")
    awarded_on: datetime.date
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    territory: TerritoryRef | None = Field(description="The territory the project serves.")
    theme: ThemeRef | None
    status: AwardStatus = Field(description=AWARD_STATUS_DOC)
    status_label: str
    milestones: int
    milestones_reached: int
    progress: int = Field(ge=0, le=100, description="Milestones reached, as a percentage.")


class AwardPage(PageOut):
    items: list[AwardOut]


# --- helpers --------------------------------------------------------------------------------


def _money(value: Decimal) -> float:
    return float(value)


def _call_url(call: Call, program: Program) -> str:
    return optional_url("funds:call", program.slug, call.pk)


def call_out(call: Call, program: Program, cls: type[CallOut] = CallOut, **extra: Any) -> Any:
    phase = call.phase()
    return cls(
        id=call.pk,
        program=program.slug,
        slug=call.slug,
        title=call.title,
        summary=call.summary,
        phase=CallPhase(phase),
        phase_label=str(CallPhase(phase).label),
        currency=call.currency,
        budget=_money(call.budget),
        min_grant=_money(call.min_grant),
        max_grant=_money(call.max_grant),
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        evaluation_ends_on=call.evaluation_ends_on,
        results_on=call.results_on,
        appeals_until=call.appeals_until,
        url=_call_url(call, program),
        **extra,
    )


def _visible_calls(request: HttpRequest, program: Program) -> QuerySet[Call]:
    calls = Call.objects.filter(program=program).published()
    if not can(request, "funds.view_funds", program):
        return calls.none()
    return calls


def _call_for_api(request: HttpRequest, slug: str, call_id: int) -> Call:
    program = program_for_api(request, slug)
    call = _visible_calls(request, program).filter(pk=call_id).first()
    if call is None or not can(request, "funds.view_call", call):
        raise Http404
    call.program = program
    return call


def _phase_filter(phase: CallPhase, now: datetime.datetime) -> Q:
    published = Q(status=CallStatus.PUBLISHED)
    return {
        CallPhase.UPCOMING: published & Q(opens_at__gt=now),
        CallPhase.OPEN: published & Q(opens_at__lte=now, closes_at__gt=now),
        CallPhase.EVALUATION: published & Q(closes_at__lte=now),
        CallPhase.DECIDED: Q(status=CallStatus.DECIDED),
        CallPhase.RESULTS: Q(status=CallStatus.RESULTS_PUBLISHED),
        CallPhase.DRAFT: Q(pk__in=[]),
    }[phase]


# --- calls ----------------------------------------------------------------------------------


class CallFilters(PageParams):
    phase: CallPhase | None = Field(None, description=PHASE_DOC)


@router.get(
    "/programs/{slug}/calls",
    response={200: CallPage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="List the calls of a program",
)
def list_calls(request: HttpRequest, slug: str, filters: Query[CallFilters]) -> dict[str, object]:
    """The program's published calls (drafts are never listed), newest first."""
    program = program_for_api(request, slug)
    calls = _visible_calls(request, program)
    if filters.phase:
        calls = calls.filter(_phase_filter(filters.phase, timezone.now()))
    return paginate(
        request,
        calls.order_by("-opens_at", "title", "id"),
        filters,
        lambda page: [call_out(c, program) for c in page],
    )


@router.get(
    "/programs/{slug}/calls/{call_id}",
    response={200: CallDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="Get a call",
)
def get_call(
    request: HttpRequest, slug: str, call_id: int = Path(..., ge=1, le=MAX_ID)
) -> CallDetailOut:
    """A published call with its rules: money, dates, eligibility, criteria, quotas and the
    plan objectives it serves. Drafts answer 404."""
    call = _call_for_api(request, slug, call_id)
    program = call.program
    call = (
        Call.objects.select_related("funder")
        .prefetch_related(
            "criteria",
            "quotas__territory",
            "quotas__theme",
            Prefetch("eligible_territories", queryset=Territory.objects.order_by("path")),
            "objectives",
        )
        .get(pk=call.pk)
    )
    call.program = program
    links = None
    if may_download(request_user(request), call):
        # 360Giving describes grants: before the awards there is nothing to publish in it.
        has_awards = Award.objects.filter(application__call=call).exists()
        links = OpenDataLinks(
            giving360_json=(
                optional_url("funds:opendata_call_360giving", program.slug, call.pk)
                if has_awards
                else None
            ),
            giving360_csv=(
                optional_url("funds:opendata_call_csv", program.slug, call.pk)
                if has_awards
                else None
            ),
            pabulib=optional_url("funds:opendata_call_pb", program.slug, call.pk),
        )
    detail: CallDetailOut = call_out(
        call,
        program,
        CallDetailOut,
        description=call.description,
        funder=ActorRef.model_validate(call.funder) if call.funder else None,
        allocation_rule=AllocationRule(call.allocation_rule),
        ranking_source=RankingSource(call.ranking_source),
        allow_partial_funding=call.allow_partial_funding,
        min_partial_share=float(call.min_partial_share),
        score_threshold=float(call.score_threshold),
        eligible_sectors=list(call.eligible_sectors),
        eligible_kinds=list(call.eligible_kinds),
        eligible_territories=[
            TerritoryRef.model_validate(t) for t in call.eligible_territories.all()
        ],
        require_legal_document=call.require_legal_document,
        legal_document_max_age_days=call.legal_document_max_age_days,
        require_no_overdue_reports=call.require_no_overdue_reports,
        one_application_per_organization=call.one_application_per_organization,
        reviewers_per_application=call.reviewers_per_application,
        criteria=[
            CriterionOut(
                name=c.name,
                guidance=c.guidance,
                weight=float(c.weight),
                scale_max=c.scale_max,
                minimum=None if c.minimum is None else float(c.minimum),
            )
            for c in call.criteria.all()
        ],
        quotas=[
            QuotaOut(
                kind=QuotaKind(q.kind),
                share=float(q.share),
                amount=_money(q.share * call.budget),
                territory=TerritoryRef.model_validate(q.territory) if q.territory else None,
                theme=ThemeRef.model_validate(q.theme) if q.theme else None,
            )
            for q in call.quotas.all()
        ],
        objectives=[ObjectiveRef(id=o.pk, title=o.title) for o in call.objectives.all()],
        decided_at=call.decided_at,
        results_published_at=call.results_published_at,
        open_data=links,
    )
    return detail


# --- awards ---------------------------------------------------------------------------------


def award_out(award: Award, *, show_people: bool) -> AwardOut:
    application = award.application

    def ref(actor: Any) -> ActorRef | None:
        if actor.kind == ActorKind.PERSON and not show_people:
            return None
        return ActorRef.model_validate(actor)

    milestones = list(award.milestones.all())
    reached = sum(1 for m in milestones if m.done_on is not None)
    partners = [ref(p.organization) for p in application.partners.all()]
    return AwardOut(
        id=award.identifier,
        reference=application.reference,
        title=application.title,
        summary=application.summary,
        applicant=ref(application.applicant),
        partners=[p for p in partners if p is not None],
        currency=application.call.currency,
        amount_requested=_money(application.requested_amount),
        amount=_money(award.amount),
        amount_disbursed=_money(
            sum((d.amount for d in award.disbursements.all() if d.paid_on), Decimal(0))
        ),
        awarded_on=award.awarded_on,
        starts_on=award.starts_on,
        ends_on=award.ends_on,
        territory=(
            TerritoryRef.model_validate(application.territory) if application.territory else None
        ),
        theme=ThemeRef.model_validate(application.theme) if application.theme else None,
        status=AwardStatus(award.status),
        status_label=str(award.get_status_display()),
        milestones=len(milestones),
        milestones_reached=reached,
        progress=round(100 * reached / len(milestones)) if milestones else 0,
    )


@router.get(
    "/programs/{slug}/calls/{call_id}/awards",
    response={200: AwardPage, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra=PUBLIC_READ,
    summary="List the grants of a call",
)
def list_awards(
    request: HttpRequest,
    slug: str,
    filters: Query[PageParams],
    call_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, object]:
    """The call's grants, by application reference, with their progress. They answer 404
    until the call's results are published; the program's coordinators see them as soon as
    the committee decides (cancelled grants included, which the public never sees)."""
    call = _call_for_api(request, slug, call_id)
    user = request_user(request)
    if not may_download(user, call):
        raise Http404
    awards = Award.objects.filter(application__call=call)
    if not user.has_perm("funds.manage_call", call):
        awards = awards.exclude(status=AwardStatus.CANCELLED)
    awards = awards.select_related(
        "application__call",
        "application__applicant",
        "application__territory",
        "application__theme",
    ).prefetch_related(
        Prefetch("application__partners", queryset=Partner.objects.select_related("organization")),
        "milestones",
        "disbursements",
    )
    show_people = can(request, "actors.view_people", call.program)
    return paginate(
        request,
        awards.order_by("application__reference", "id"),
        filters,
        lambda page: [award_out(a, show_people=show_people) for a in page],
    )
