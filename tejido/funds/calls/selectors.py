"""Reads of the calls pages: the funds hub (calls grouped by where they stand), a call's phase
and dates in words, its quotas, eligibility rules and criteria in plain sentences, the plan
objectives it serves, and what other areas of the funds add when they exist (the user's
applications and reviews, the funded projects)."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import ActorKind, Sector
from tejido.actors.rules import represented_ids
from tejido.core.http import optional_url
from tejido.core.models import Program, Territory
from tejido.governance.models import Objective, Plan
from tejido.governance.plans.money import money

from ..models import (
    AllocationRule,
    Application,
    ApplicationStatus,
    Award,
    Call,
    CallPhase,
    CallStatus,
    Criterion,
    Quota,
    QuotaKind,
    RankingSource,
)

# How each phase looks (see governance/_status_tag.html).
PHASE_TONES = {
    CallPhase.DRAFT: "",
    CallPhase.UPCOMING: "warning",
    CallPhase.OPEN: "current",
    CallPhase.EVALUATION: "muted",
    CallPhase.DECIDED: "muted",
    CallPhase.RESULTS: "success",
}


def call_phase_label(call: Call, at: datetime.datetime | None = None) -> str:
    """Where the call stands, in the reader's language ("Open for applications")."""
    return str(CallPhase(call.phase(at)).label)


def optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function another area of the funds provides, or None while its module does not
    exist yet (an error inside an existing module is not hidden)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise
    found = getattr(loaded, name, None)
    return found if callable(found) else None


# -- dates ------------------------------------------------------------------------------------


def date_text(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def moment_text(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT", use_l10n=True)


def short_date_text(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)


@dataclass(frozen=True)
class KeyDate:
    key: str  # opens, closes, evaluation, results, appeals
    label: str
    day: datetime.date
    text: str  # the date (and time, for opening and closing) in the reader's format
    short: str
    state: str  # "done", "next" or "later"


@dataclass(frozen=True)
class CallSummary:
    """A call's phase, its next step in words and its dates: the face of every call page."""

    phase: str
    label: str
    tone: str
    headline: str
    dates: list[KeyDate]


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _headline(call: Call, phase: str, at: datetime.datetime) -> str:
    today = timezone.localtime(at).date()
    if phase == CallPhase.DRAFT:
        return _("Draft: only the program's coordinators see it.")
    if phase == CallPhase.UPCOMING:
        days = (timezone.localtime(call.opens_at).date() - today).days
        if days <= 0:
            return _("Opens today at %(time)s") % {
                "time": formats.time_format(timezone.localtime(call.opens_at), "TIME_FORMAT")
            }
        return _("Opens on %(date)s, in %(days)s") % {
            "date": date_text(call.opens_at),
            "days": _days(days),
        }
    if phase == CallPhase.OPEN:
        days = (timezone.localtime(call.closes_at).date() - today).days
        if days <= 0:
            return _("Last day: closes today at %(time)s") % {
                "time": formats.time_format(timezone.localtime(call.closes_at), "TIME_FORMAT")
            }
        return ngettext(
            "Closes on %(date)s: %(count)s day left",
            "Closes on %(date)s: %(count)s days left",
            days,
        ) % {"date": date_text(call.closes_at), "count": days}
    if phase == CallPhase.EVALUATION:
        if call.results_on and call.results_on >= today:
            return _("Closed on %(date)s; results expected on %(results)s") % {
                "date": date_text(call.closes_at),
                "results": date_text(call.results_on),
            }
        return _("Closed on %(date)s; the applications are being evaluated") % {
            "date": date_text(call.closes_at)
        }
    if phase == CallPhase.DECIDED:
        if call.decided_at:
            return _("Decided on %(date)s; the results will be published soon") % {
                "date": date_text(call.decided_at)
            }
        return _("Decided; the results will be published soon")
    published = call.results_published_at or call.decided_at
    if published:
        return _("Results published on %(date)s") % {"date": date_text(published)}
    return _("Results published")


def key_dates(call: Call, at: datetime.datetime | None = None) -> list[KeyDate]:
    """The call's dates in order, each marked done, next (the first still to come) or later."""
    at = at or timezone.now()
    today = timezone.localtime(at).date()
    items: list[tuple[str, str, datetime.date | datetime.datetime, bool]] = [
        ("opens", _("Opens"), call.opens_at, call.opens_at <= at),
        ("closes", _("Closes"), call.closes_at, call.closes_at <= at),
    ]
    if call.evaluation_ends_on:
        items.append(
            (
                "evaluation",
                _("Evaluation ends"),
                call.evaluation_ends_on,
                call.evaluation_ends_on < today or call.status != CallStatus.PUBLISHED,
            )
        )
    if call.results_published_at:
        items.append(("results", _("Results"), call.results_published_at, True))
    elif call.results_on:
        items.append(("results", _("Results"), call.results_on, False))
    if call.appeals_until:
        items.append(
            (
                "appeals",
                _("Appeals until"),
                call.appeals_until,
                call.appeals_until < today and call.status == CallStatus.RESULTS_PUBLISHED,
            )
        )
    dates: list[KeyDate] = []
    seen_next = False
    for key, label, value, done in items:
        if done:
            state = "done"
        elif not seen_next:
            state, seen_next = "next", True
        else:
            state = "later"
        if isinstance(value, datetime.datetime) and key in ("opens", "closes"):
            text = moment_text(value)
        else:
            text = date_text(value)
        day = timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value
        dates.append(KeyDate(key, label, day, text, short_date_text(value), state))
    return dates


def call_summary(call: Call, at: datetime.datetime | None = None) -> CallSummary:
    at = at or timezone.now()
    phase = call.phase(at)
    return CallSummary(
        phase=phase,
        label=str(CallPhase(phase).label),
        tone=PHASE_TONES[CallPhase(phase)],
        headline=_headline(call, phase, at),
        dates=key_dates(call, at),
    )


# -- money, quotas, rules and criteria in words -----------------------------------------------


def percent_text(share: Decimal | float) -> str:
    percent = (Decimal(str(share)) * 100).normalize()
    places = 0 if percent == percent.to_integral_value() else 1
    return formats.number_format(percent, places, use_l10n=True) + "\u00a0%"


def grant_range_text(call: Call) -> str:
    if call.min_grant > 0:
        return _("%(low)s to %(high)s") % {
            "low": money(call.min_grant, call.currency),
            "high": money(call.max_grant, call.currency),
        }
    return _("up to %(high)s") % {"high": money(call.max_grant, call.currency)}


def quota_group(quota: Quota) -> str:
    if quota.territory_id is not None and quota.territory is not None:
        return quota.territory.name
    return quota.theme.label if quota.theme is not None else ""


def quota_sentence(quota: Quota, call: Call) -> str:
    """ "At least 30 % of the budget ($18.000.000) for projects in La Pintana"."""
    values = {
        "share": percent_text(quota.share),
        "amount": money(call.budget * quota.share, call.currency),
        "group": quota_group(quota),
    }
    if quota.territory_id is not None:
        if quota.kind == QuotaKind.MINIMUM:
            return _("At least %(share)s of the budget (%(amount)s) for projects in %(group)s") % (
                values
            )
        return _("At most %(share)s of the budget (%(amount)s) for projects in %(group)s") % values
    if quota.kind == QuotaKind.MINIMUM:
        return _("At least %(share)s of the budget (%(amount)s) for projects on %(group)s") % values
    return _("At most %(share)s of the budget (%(amount)s) for projects on %(group)s") % values


def _names(labels: list[str]) -> str:
    return ", ".join(labels)


def eligibility_rules(call: Call, territories: list[Territory] | None = None) -> list[str]:
    """The call's eligibility rules as sentences an applicant understands."""
    rules: list[str] = []
    sectors = [str(Sector(code).label) for code in call.eligible_sectors if code in Sector.values]
    if sectors:
        rules.append(
            _("The applicant organization belongs to one of these sectors: %(sectors)s.")
            % {"sectors": _names(sectors)}
        )
    else:
        rules.append(_("Organizations of any sector may apply."))
    kinds = set(call.eligible_kinds)
    if kinds == {ActorKind.ORGANIZATION}:
        rules.append(_("Only formally constituted organizations may apply, not informal groups."))
    elif kinds == {ActorKind.INFORMAL_GROUP}:
        rules.append(_("Only informal groups may apply."))
    else:
        rules.append(_("Organizations and informal groups may apply."))
    if territories is None:
        territories = list(call.eligible_territories.all())
    if territories:
        rules.append(
            _("The project serves %(places)s, or a place inside them.")
            % {"places": _names([t.name for t in territories])}
            if len(territories) > 1
            else _("The project serves %(place)s, or a place inside it.")
            % {"place": territories[0].name}
        )
    if call.require_legal_document:
        rules.append(
            ngettext(
                "A legal-status certificate issued at most %(count)s day before the call closes.",
                "A legal-status certificate issued at most %(count)s days before the call closes.",
                call.legal_document_max_age_days,
            )
            % {"count": call.legal_document_max_age_days}
        )
    if call.require_no_overdue_reports:
        rules.append(_("No overdue reports from earlier grants of this program."))
    if call.one_application_per_organization:
        rules.append(_("One application per organization, as lead applicant."))
    return rules


def funding_rules(call: Call) -> list[str]:
    """How the money is decided, in words."""
    rules = [
        _("Applications scoring below %(threshold)s out of 100 are not funded.")
        % {"threshold": formats.number_format(call.score_threshold.normalize(), use_l10n=True)}
    ]
    if call.ranking_source == RankingSource.PUBLIC_VOTE:
        rules.append(_("Applications are ranked by the results of a public vote."))
    if call.allocation_rule == AllocationRule.GREEDY:
        rules.append(_("The best-scored applications are funded in order while the budget lasts."))
    else:
        rules.append(
            _(
                "The committee funds the combination of applications with the best total score"
                " that fits the budget and the quotas."
            )
        )
    if call.allow_partial_funding:
        rules.append(
            _("A request may be funded in part, down to %(share)s of what it asks for.")
            % {"share": percent_text(call.min_partial_share)}
        )
    if call.requires_directorate_decision:
        rules.append(_("The program's directorate approves the awards."))
    return rules


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    share: str  # of the total weight, "40 %"
    weight: str
    scale: str
    minimum: str  # "" when the criterion does not disqualify


def criterion_rows(criteria: list[Criterion]) -> list[CriterionRow]:
    total = sum((c.weight for c in criteria), Decimal(0))
    rows = []
    for criterion in criteria:
        share = criterion.weight / total if total else Decimal(0)
        minimum = ""
        if criterion.minimum is not None:
            minimum = _("A mean below %(minimum)s of %(scale)s rules the application out.") % {
                "minimum": formats.number_format(criterion.minimum.normalize(), use_l10n=True),
                "scale": criterion.scale_max,
            }
        rows.append(
            CriterionRow(
                criterion=criterion,
                share=percent_text(share.quantize(Decimal("0.001"))),
                weight=formats.number_format(criterion.weight.normalize(), use_l10n=True),
                scale=_("0 to %(top)s") % {"top": criterion.scale_max},
                minimum=minimum,
            )
        )
    return rows


@dataclass
class PlanObjectives:
    plan: Plan
    objectives: list[Objective]
    url: str


def objectives_by_plan(call: Call, objectives: list[Objective]) -> list[PlanObjectives]:
    """The objectives a call serves, under their plan (with a link to the plan's page)."""
    groups: dict[int, PlanObjectives] = {}
    for objective in objectives:
        plan = objective.plan
        if plan.pk not in groups:
            groups[plan.pk] = PlanObjectives(
                plan=plan,
                objectives=[],
                url=optional_url("governance:plan", call.program.slug, plan.pk),
            )
        groups[plan.pk].objectives.append(objective)
    return list(groups.values())


def _objectives_query() -> QuerySet[Objective]:
    return Objective.objects.select_related("plan__territory").order_by(
        "plan__territory__name", "plan_id", "position", "id"
    )


def _territories_query() -> QuerySet[Territory]:
    return Territory.objects.only("pk", "name", "path", "parent_id", "level").order_by("name")


# -- the hub ----------------------------------------------------------------------------------


@dataclass
class CallCard:
    call: Call
    summary: CallSummary
    url: str
    budget: str
    grants: str
    territories: list[str]
    objectives: list[Objective]


@dataclass
class Hub:
    open: list[CallCard] = field(default_factory=list)
    upcoming: list[CallCard] = field(default_factory=list)
    evaluation: list[CallCard] = field(default_factory=list)
    results: list[CallCard] = field(default_factory=list)
    drafts: list[CallCard] = field(default_factory=list)

    @property
    def published_count(self) -> int:
        return len(self.open) + len(self.upcoming) + len(self.evaluation) + len(self.results)


def _call_url(program: Program) -> Callable[[int], str]:
    marker = 987654321
    url = optional_url("funds:call", program.slug, marker)
    head, tail = url.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def hub(program: Program, *, include_drafts: bool, at: datetime.datetime | None = None) -> Hub:
    """The program's calls grouped by phase: open (closing soonest first), upcoming (opening
    soonest first), under evaluation or decided (latest first), with results (latest first),
    and the drafts when asked. Three queries, however many calls."""
    at = at or timezone.now()
    calls = Call.objects.filter(program=program).prefetch_related(
        Prefetch("eligible_territories", queryset=_territories_query()),
        Prefetch("objectives", queryset=_objectives_query()),
    )
    if not include_drafts:
        calls = calls.exclude(status=CallStatus.DRAFT)
    url_for = _call_url(program)
    result = Hub()
    for call in calls:
        call.program = program
        summary = call_summary(call, at)
        card = CallCard(
            call=call,
            summary=summary,
            url=url_for(call.pk),
            budget=money(call.budget, call.currency),
            grants=grant_range_text(call),
            territories=[t.name for t in call.eligible_territories.all()],
            objectives=list(call.objectives.all()),
        )
        if summary.phase == CallPhase.DRAFT:
            result.drafts.append(card)
        elif summary.phase == CallPhase.OPEN:
            result.open.append(card)
        elif summary.phase == CallPhase.UPCOMING:
            result.upcoming.append(card)
        elif summary.phase == CallPhase.RESULTS:
            result.results.append(card)
        else:
            result.evaluation.append(card)
    result.open.sort(key=lambda c: (c.call.closes_at, c.call.pk))
    result.upcoming.sort(key=lambda c: (c.call.opens_at, c.call.pk))
    result.evaluation.sort(key=lambda c: (c.call.closes_at, c.call.pk), reverse=True)
    result.results.sort(
        key=lambda c: (c.call.results_published_at or c.call.closes_at, c.call.pk), reverse=True
    )
    result.drafts.sort(key=lambda c: (c.call.updated_at, c.call.pk), reverse=True)
    return result


@dataclass
class LinkedItem:
    title: str
    detail: str
    status: str
    url: str


def my_applications(user: Any, program: Program) -> list[LinkedItem] | None:
    """The applications of the user's organizations (None while that area does not exist)."""
    applications_for_user = optional("tejido.funds.applications.selectors", "applications_for_user")
    if applications_for_user is None or not getattr(user, "is_authenticated", False):
        return None
    items = []
    for application in applications_for_user(user, program):
        items.append(
            LinkedItem(
                title=application.title,
                detail=f"{application.reference} · {application.call.title}",
                status=application.get_status_display(),
                url=optional_url("funds:application", program.slug, application.pk),
            )
        )
    return items


def reviews_waiting(user: Any, program: Program) -> list[LinkedItem] | None:
    """The reviews the user has still to submit (None while that area does not exist)."""
    assignments_for_user = optional("tejido.funds.reviews.selectors", "assignments_for_user")
    if assignments_for_user is None or not getattr(user, "is_authenticated", False):
        return None
    items = []
    for assignment in assignments_for_user(user, program):
        if assignment.submitted_at is not None:
            continue
        application = assignment.application
        items.append(
            LinkedItem(
                title=application.title,
                detail=f"{application.reference} · {application.call.title}",
                status=_("Extra review") if assignment.is_extra else "",
                url=optional_url("funds:review", program.slug, assignment.pk),
            )
        )
    return items


# -- a call's page ----------------------------------------------------------------------------


@dataclass
class MyApplication:
    application: Application
    is_lead: bool
    url: str
    edit_url: str


@dataclass
class FundedTotals:
    count: int
    amount: str
    share: str  # of the budget


@dataclass
class CallPage:
    summary: CallSummary
    budget: str
    grants: str
    territories: list[Territory]
    quotas: list[str]
    eligibility: list[str]
    funding: list[str]
    criteria: list[CriterionRow]
    plans: list[PlanObjectives]
    awards: list[Any] | None = None  # PublicAward rows, once results are published
    totals: FundedTotals | None = None
    open_data: list[tuple[str, str]] = field(default_factory=list)


def call_get(program: Program, pk: int) -> Call:
    """The call with everything its page shows (criteria, quotas, territories, objectives)."""
    call = (
        Call.objects.select_related("funder", "cycle", "plan")
        .prefetch_related(
            Prefetch("eligible_territories", queryset=_territories_query()),
            Prefetch("objectives", queryset=_objectives_query()),
            Prefetch("criteria", queryset=Criterion.objects.order_by("position", "id")),
            Prefetch("quotas", queryset=Quota.objects.select_related("territory", "theme")),
        )
        .get(program=program, pk=pk)
    )
    call.program = program
    return call


def open_data_links(call: Call) -> list[tuple[str, str]]:
    links = []
    # 360Giving describes grants: before the awards there is nothing to publish in it.
    has_awards = Award.objects.filter(application__call=call).exists()
    names = (
        ("funds:opendata_call_360giving", _("Awards in 360Giving (JSON)"), has_awards),
        ("funds:opendata_call_csv", _("Awards as a spreadsheet (CSV)"), has_awards),
        ("funds:opendata_call_pb", _("Projects and results in Pabulib (.pb)"), True),
    )
    for name, label, available in names:
        if not available:
            continue
        url = optional_url(name, call.program.slug, call.pk)
        if url:
            links.append((label, url))
    return links


def call_page(call: Call, *, with_open_data: bool, at: datetime.datetime | None = None) -> CallPage:
    """What the public page of a call shows. `call` comes from `call_get`."""
    territories = list(call.eligible_territories.all())
    page = CallPage(
        summary=call_summary(call, at),
        budget=money(call.budget, call.currency),
        grants=grant_range_text(call),
        territories=territories,
        quotas=[quota_sentence(q, call) for q in _sorted_quotas(list(call.quotas.all()))],
        eligibility=eligibility_rules(call, territories),
        funding=funding_rules(call),
        criteria=criterion_rows(list(call.criteria.all())),
        plans=objectives_by_plan(call, list(call.objectives.all())),
    )
    if call.status == CallStatus.RESULTS_PUBLISHED:
        public_awards_for_call = optional("tejido.funds.awards.selectors", "public_awards_for_call")
        if public_awards_for_call is not None:
            page.awards = list(public_awards_for_call(call))
            total = sum((Decimal(a.amount) for a in page.awards), Decimal(0))
            page.totals = FundedTotals(
                count=len(page.awards),
                amount=money(total, call.currency),
                share=percent_text((total / call.budget).quantize(Decimal("0.001"))),
            )
    if with_open_data:
        page.open_data = open_data_links(call)
    return page


def _sorted_quotas(quotas: list[Quota]) -> list[Quota]:
    return sorted(
        quotas,
        key=lambda q: (q.territory_id is None, q.kind != QuotaKind.MINIMUM, quota_group(q), q.pk),
    )


def applications_in_call(call: Call, user: Any) -> list[MyApplication]:
    """The applications to `call` of the organizations the user speaks for, as lead or partner."""
    mine = represented_ids(user)
    if not mine:
        return []
    applications = (
        Application.objects.filter(call=call)
        .filter(Q(applicant_id__in=mine) | Q(partners__organization_id__in=mine))
        .select_related("applicant")
        .distinct()
        .order_by("-created_at", "-pk")
    )
    rows = []
    for application in applications:
        is_lead = application.applicant_id in mine
        rows.append(
            MyApplication(
                application=application,
                is_lead=is_lead,
                url=optional_url("funds:application", call.program.slug, application.pk),
                edit_url=optional_url("funds:application_edit", call.program.slug, application.pk)
                if is_lead and call.is_open()
                else "",
            )
        )
    return rows


def may_still_apply(call: Call, user: Any, mine: list[MyApplication]) -> bool:
    """Whether one of the user's organizations could start an application: with one
    application per organization, not when every one of them already leads one."""
    if not call.one_application_per_organization:
        return True
    from tejido.actors.models import Actor

    organizations = set(
        Actor.objects.organizations()
        .filter(pk__in=represented_ids(user), program_id=call.program_id)
        .values_list("pk", flat=True)
    )
    applied = {
        row.application.applicant_id
        for row in mine
        if row.is_lead and row.application.status != ApplicationStatus.WITHDRAWN
    }
    return bool(organizations - applied)


# -- the criteria and quotas editor -----------------------------------------------------------


@dataclass
class QuotaRow:
    quota: Quota
    sentence: str


def editor_rows(call: Call) -> tuple[list[CriterionRow], list[QuotaRow], str]:
    """The call's criteria, quotas and the share of the budget the at-least quotas reserve."""
    criteria = list(call.criteria.order_by("position", "id"))
    quotas = _sorted_quotas(list(call.quotas.select_related("territory", "theme")))
    reserved = sum((q.share for q in quotas if q.kind == QuotaKind.MINIMUM), Decimal(0))
    return (
        criterion_rows(criteria),
        [QuotaRow(q, quota_sentence(q, call)) for q in quotas],
        percent_text(reserved),
    )
