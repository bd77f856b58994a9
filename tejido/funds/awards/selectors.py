"""Reads of the awards and their follow-up, shaped for the pages: the public list of a call's
funded projects, one award's page (schedule, milestones, spending per budget line), the
coordinators' status dashboard, and an organization's awards for its profile.

Each reads what it needs in a fixed number of queries, whatever the number of awards.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.governance.plans.money import money

from ..models import (
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    BudgetLine,
    Call,
    CallStatus,
    Disbursement,
    ExpenseReport,
    ExpenseStatus,
    FinalReport,
    Milestone,
    Partner,
)

ZERO = Decimal("0")

# Disbursement conditions stored as codes (the coordinator may also write a condition in
# words, which is shown as written).
CONDITION_SIGNING = "signing"
CONDITION_FINAL_REPORT = "final_report"
CONDITION_DATE = "date"


def condition_label(condition: str) -> str:
    """A disbursement's condition in the reader's language."""
    labels = {
        CONDITION_SIGNING: _("On signing the grant agreement"),
        CONDITION_FINAL_REPORT: _("When the final report is accepted"),
        CONDITION_DATE: _("On the date due"),
    }
    return labels.get(condition, condition)


def percent(part: int | Decimal, whole: int | Decimal) -> int:
    """`part` of `whole` as a whole percentage (0 when there is no whole), never over 100."""
    if not whole:
        return 0
    return max(0, min(100, round(Decimal(part) * 100 / Decimal(whole))))


# -- the public list of a call's funded projects ----------------------------------------------


@dataclass(frozen=True)
class PublicAward:
    """One funded project as the public sees it once a call's results are published."""

    award_id: int
    identifier: str
    reference: str
    title: str
    applicant_id: int
    applicant_name: str
    partner_names: tuple[str, ...]
    amount: Decimal
    currency: str
    amount_text: str
    territory_name: str  # "" when the application names no territory
    theme: str  # the theme's name, "" when none
    milestones_reached: int
    milestones_total: int
    # Milestones reached over all milestones (100 once the award is completed; 0 while the
    # grantee has not planned any).
    progress_percent: int
    status: str  # an AwardStatus value
    status_label: str


def public_awards_for_call(call: Call) -> list[PublicAward]:
    """The awards of `call` in the order of their application's reference, once its results
    are published (an empty list before). Two queries."""
    if call.status != CallStatus.RESULTS_PUBLISHED:
        return []
    awards = (
        Award.objects.filter(application__call=call)
        .select_related("application__applicant", "application__territory", "application__theme")
        .annotate(
            milestones_total=Count("milestones"),
            milestones_reached=Count("milestones", filter=Q(milestones__done_on__isnull=False)),
        )
        .prefetch_related(
            Prefetch(
                "application__partners",
                queryset=Partner.objects.select_related("organization").order_by("id"),
            )
        )
        .order_by("application__reference", "pk")
    )
    rows = []
    for award in awards:
        application = award.application
        total = award.milestones_total
        reached = award.milestones_reached
        progress = 100 if award.status == AwardStatus.COMPLETED else percent(reached, total)
        rows.append(
            PublicAward(
                award_id=award.pk,
                identifier=award.identifier,
                reference=application.reference,
                title=application.title,
                applicant_id=application.applicant_id,
                applicant_name=application.applicant.name,
                partner_names=tuple(p.organization.name for p in application.partners.all()),
                amount=award.amount,
                currency=call.currency,
                amount_text=money(award.amount, call.currency),
                territory_name=application.territory.name if application.territory else "",
                theme=application.theme.name if application.theme else "",
                milestones_reached=reached,
                milestones_total=total,
                progress_percent=progress,
                status=award.status,
                status_label=award.get_status_display(),
            )
        )
    return rows


def is_payable(disbursement: Disbursement, *, report_accepted: bool, today: datetime.date) -> bool:
    """Whether a payment's condition is met: on signing at once, a final-report payment once
    the report is accepted, any other once its date has come."""
    if disbursement.condition == CONDITION_SIGNING:
        return True
    if disbursement.condition == CONDITION_FINAL_REPORT:
        return report_accepted
    return disbursement.due_on <= today


def final_report_of(award: Award) -> FinalReport | None:
    try:
        return award.final_report
    except FinalReport.DoesNotExist:
        return None


# -- one award's page -------------------------------------------------------------------------


@dataclass
class PaymentRow:
    disbursement: Disbursement
    amount_text: str
    condition_text: str
    payable: bool
    overdue: bool  # payable, unpaid, and its date has passed

    @property
    def state(self) -> str:
        if self.disbursement.paid_on:
            return "paid"
        if self.overdue:
            return "overdue"
        return "payable" if self.payable else "waiting"


@dataclass
class MilestoneRow:
    milestone: Milestone
    overdue: bool


@dataclass
class LineRow:
    line: BudgetLine
    budgeted: Decimal
    reported: Decimal  # submitted or accepted (not rejected)
    accepted: Decimal
    remaining: Decimal  # budgeted − reported (negative when over)
    over_budget: bool
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class AwardPage:
    award: Award
    application: Application
    call: Call
    partners: list[Partner]
    payments: list[PaymentRow]
    milestones: list[MilestoneRow]
    lines: list[LineRow]
    expenses: list[ExpenseReport]
    final_report: FinalReport | None
    today: datetime.date
    can_manage: bool
    can_report: bool
    scheduled: Decimal
    paid: Decimal
    reported: Decimal
    accepted: Decimal
    budgeted: Decimal
    final_report_overdue: bool
    pending_expenses: int
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def overdue_milestones(self) -> int:
        return sum(1 for row in self.milestones if row.overdue)

    @property
    def overdue_payments(self) -> int:
        return sum(1 for row in self.payments if row.overdue)

    @property
    def overdue_count(self) -> int:
        return (
            self.overdue_milestones
            + int(self.final_report_overdue)
            + (self.overdue_payments if self.can_manage else 0)
        )

    @property
    def milestones_reached(self) -> int:
        return sum(1 for row in self.milestones if row.milestone.done_on)

    @property
    def is_active(self) -> bool:
        return self.award.status == AwardStatus.ACTIVE

    @property
    def over_award(self) -> bool:
        return self.reported > self.award.amount

    @property
    def partial(self) -> bool:
        return self.award.amount < self.application.requested_amount


def award_get(program_id: int, pk: int) -> Award:
    """The award with its application, call, grantee, territory and final report."""
    return (
        Award.objects.select_related(
            "application__call__program",
            "application__call__funder",
            "application__applicant",
            "application__territory",
            "application__theme",
            "final_report",
        )
        .filter(application__call__program_id=program_id)
        .get(pk=pk)
    )


def award_page(award: Award, user: Any, today: datetime.date) -> AwardPage:
    """Everything the award's page shows; five queries after the award itself."""
    application = award.application
    call = application.call
    currency = call.currency
    report = final_report_of(award)
    accepted_report = report is not None and report.accepted_at is not None
    partners = list(application.partners.select_related("organization").order_by("id"))
    payments = []
    for disbursement in award.disbursements.order_by("due_on", "position", "id"):
        payable = is_payable(disbursement, report_accepted=accepted_report, today=today)
        payments.append(
            PaymentRow(
                disbursement=disbursement,
                amount_text=money(disbursement.amount, currency),
                condition_text=condition_label(disbursement.condition),
                payable=payable,
                overdue=payable and disbursement.paid_on is None and disbursement.due_on < today,
            )
        )
    milestones = [
        MilestoneRow(milestone=m, overdue=m.done_on is None and m.due_on < today)
        for m in award.milestones.order_by("due_on", "position", "id")
    ]
    expenses = list(
        award.expenses.select_related("budget_line", "submitted_by", "reviewed_by").order_by(
            "-spent_on", "-id"
        )
    )
    reported_by_line: dict[int, Decimal] = defaultdict(Decimal)
    accepted_by_line: dict[int, Decimal] = defaultdict(Decimal)
    for expense in expenses:
        expense.amount_text = money(expense.amount, currency)  # type: ignore[attr-defined]
        if expense.status != ExpenseStatus.REJECTED:
            reported_by_line[expense.budget_line_id] += expense.amount
        if expense.status == ExpenseStatus.ACCEPTED:
            accepted_by_line[expense.budget_line_id] += expense.amount
    lines = []
    for line in application.budget_lines.order_by("position", "id"):
        reported = reported_by_line[line.pk]
        accepted = accepted_by_line[line.pk]
        row = LineRow(
            line=line,
            budgeted=line.amount,
            reported=reported,
            accepted=accepted,
            remaining=line.amount - reported,
            over_budget=reported > line.amount,
        )
        row.texts = {
            "budgeted": money(line.amount, currency),
            "reported": money(reported, currency),
            "accepted": money(accepted, currency),
            "remaining": money(line.amount - reported, currency),
            "over": money(reported - line.amount, currency),
        }
        lines.append(row)
    scheduled = sum((p.disbursement.amount for p in payments), ZERO)
    paid = sum((p.disbursement.amount for p in payments if p.disbursement.paid_on), ZERO)
    reported = sum(reported_by_line.values(), ZERO)
    accepted = sum(accepted_by_line.values(), ZERO)
    budgeted = sum((row.budgeted for row in lines), ZERO)
    page = AwardPage(
        award=award,
        application=application,
        call=call,
        partners=partners,
        payments=payments,
        milestones=milestones,
        lines=lines,
        expenses=expenses,
        final_report=report,
        today=today,
        can_manage=user.has_perm("funds.manage_award", award),
        can_report=user.has_perm("funds.report_on_award", award),
        scheduled=scheduled,
        paid=paid,
        reported=reported,
        accepted=accepted,
        budgeted=budgeted,
        final_report_overdue=(
            award.status == AwardStatus.ACTIVE
            and report is None
            and award.final_report_due_on is not None
            and award.final_report_due_on < today
        ),
        pending_expenses=sum(1 for e in expenses if e.status == ExpenseStatus.SUBMITTED),
    )
    page.texts = {
        "amount": money(award.amount, currency),
        "requested": money(application.requested_amount, currency),
        "scheduled": money(scheduled, currency),
        "paid": money(paid, currency),
        "to_pay": money(award.amount - paid, currency),
        "reported": money(reported, currency),
        "accepted": money(accepted, currency),
        "budgeted": money(budgeted, currency),
        "remaining": money(budgeted - reported, currency),
        "over_award": money(reported - award.amount, currency),
    }
    return page


# -- the coordinators' dashboard of a call's awards -------------------------------------------

SORT_KEYS = (
    "reference",
    "grantee",
    "amount",
    "disbursed",
    "reported",
    "accepted",
    "milestones",
    "next_due",
    "overdue",
)


@dataclass
class DashboardRow:
    award: Award
    amount: Decimal
    disbursed: Decimal
    reported: Decimal
    accepted: Decimal
    milestones_reached: int
    milestones_total: int
    next_due: datetime.date | None
    next_due_what: str
    overdue_milestones: int
    final_report_overdue: bool
    payments_due: int
    pending_expenses: int
    report_state: str  # "none", "submitted", "accepted"
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def overdue(self) -> int:
        return self.overdue_milestones + int(self.final_report_overdue) + self.payments_due

    @property
    def progress_percent(self) -> int:
        if self.award.status == AwardStatus.COMPLETED:
            return 100
        return percent(self.milestones_reached, self.milestones_total)


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    sort: str
    descending: bool
    totals: dict[str, str]
    overdue_awards: int


def _sort_value(row: DashboardRow, key: str) -> Any:
    values: dict[str, Any] = {
        "reference": row.award.application.reference,
        "grantee": row.award.application.applicant.name.casefold(),
        "amount": row.amount,
        "disbursed": row.disbursed,
        "reported": row.reported,
        "accepted": row.accepted,
        "milestones": row.progress_percent,
        "next_due": row.next_due or datetime.date.max,
        "overdue": row.overdue,
    }
    return values[key]


def awards_dashboard(
    call: Call, today: datetime.date, sort: str = "reference", descending: bool = False
) -> Dashboard:
    """Every award of the call with its money, milestones, next date due and overdue items,
    sorted; and the totals. Five queries whatever the number of awards."""
    if sort not in SORT_KEYS:
        sort, descending = "reference", False
    currency = call.currency
    awards = list(
        Award.objects.filter(application__call=call)
        .select_related("application__applicant", "final_report")
        .order_by("application__reference", "pk")
    )
    ids = [a.pk for a in awards]
    disbursements: dict[int, list[Disbursement]] = defaultdict(list)
    for d in Disbursement.objects.filter(award_id__in=ids).order_by("due_on", "position", "id"):
        disbursements[d.award_id].append(d)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(award_id__in=ids).order_by("due_on", "position", "id"):
        milestones[m.award_id].append(m)
    spending: dict[tuple[int, str], Decimal] = {}
    pending: dict[int, int] = defaultdict(int)
    for entry in (
        ExpenseReport.objects.filter(award_id__in=ids)
        .values("award_id", "status")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    ):
        spending[(entry["award_id"], entry["status"])] = entry["total"] or ZERO
        if entry["status"] == ExpenseStatus.SUBMITTED:
            pending[entry["award_id"]] = entry["count"]
    rows = []
    for award in awards:
        report = final_report_of(award)
        accepted_report = report is not None and report.accepted_at is not None
        payments = disbursements[award.pk]
        steps = milestones[award.pk]
        disbursed = sum((d.amount for d in payments if d.paid_on), ZERO)
        accepted = spending.get((award.pk, ExpenseStatus.ACCEPTED), ZERO)
        reported = accepted + spending.get((award.pk, ExpenseStatus.SUBMITTED), ZERO)
        payments_due = sum(
            1
            for d in payments
            if d.paid_on is None
            and d.due_on < today
            and is_payable(d, report_accepted=accepted_report, today=today)
        )
        active = award.status == AwardStatus.ACTIVE
        upcoming: list[tuple[datetime.date, str]] = []
        if active:
            upcoming += [(m.due_on, m.title) for m in steps if m.done_on is None]
            if report is None and award.final_report_due_on:
                upcoming.append((award.final_report_due_on, _("Final report")))
        upcoming += [
            (d.due_on, _("Payment of %(amount)s") % {"amount": money(d.amount, currency)})
            for d in payments
            if d.paid_on is None
        ]
        upcoming.sort(key=lambda item: item[0])
        next_due, next_what = upcoming[0] if upcoming else (None, "")
        row = DashboardRow(
            award=award,
            amount=award.amount,
            disbursed=disbursed,
            reported=reported,
            accepted=accepted,
            milestones_reached=sum(1 for m in steps if m.done_on),
            milestones_total=len(steps),
            next_due=next_due,
            next_due_what=next_what,
            overdue_milestones=(
                sum(1 for m in steps if m.done_on is None and m.due_on < today) if active else 0
            ),
            final_report_overdue=bool(
                active
                and report is None
                and award.final_report_due_on
                and award.final_report_due_on < today
            ),
            payments_due=payments_due,
            pending_expenses=pending[award.pk],
            report_state="accepted" if accepted_report else ("submitted" if report else "none"),
        )
        row.texts = {
            "amount": money(row.amount, currency),
            "disbursed": money(disbursed, currency),
            "reported": money(reported, currency),
            "accepted": money(accepted, currency),
        }
        rows.append(row)
    rows.sort(
        key=lambda r: (_sort_value(r, sort), r.award.application.reference), reverse=descending
    )
    totals = {
        "amount": money(sum((r.amount for r in rows), ZERO), currency),
        "disbursed": money(sum((r.disbursed for r in rows), ZERO), currency),
        "reported": money(sum((r.reported for r in rows), ZERO), currency),
        "accepted": money(sum((r.accepted for r in rows), ZERO), currency),
        "milestones": f"{sum(r.milestones_reached for r in rows)} / "
        f"{sum(r.milestones_total for r in rows)}",
        "overdue": str(sum(r.overdue for r in rows)),
    }
    return Dashboard(
        rows=rows,
        sort=sort,
        descending=descending,
        totals=totals,
        overdue_awards=sum(1 for r in rows if r.overdue > 0),
    )


# -- an organization's funds, for its profile -------------------------------------------------


@dataclass
class ActorFundsRow:
    application: Application
    role: str  # "applicant" or "partner"
    award: Award | None
    amount_text: str
    public: bool  # shown because the call's results are published


@dataclass
class ActorFunds:
    rows: list[ActorFundsRow]
    full: bool  # the reader sees applications too, not only published awards

    @property
    def awards(self) -> list[ActorFundsRow]:
        return [r for r in self.rows if r.award is not None]


def actor_funds(actor: Actor, user: Any) -> ActorFunds:
    """The applications an organization leads or partners in, with their awards. The
    organization's representatives and the program's coordinators see every submitted
    application (representatives also drafts); everyone else sees only the awards of calls
    whose results are published. Two queries."""
    full = bool(
        user.has_perm("funds.manage_call", actor.program) or actor.pk in represented_ids(user)
    )
    involved = Q(applicant=actor) | Q(partners__organization=actor)
    applications = Application.objects.filter(involved, call__program_id=actor.program_id)
    if full:
        if actor.pk in represented_ids(user):
            applications = applications.exclude(status=ApplicationStatus.WITHDRAWN)
        else:
            applications = applications.filter(status=ApplicationStatus.SUBMITTED)
    else:
        applications = applications.filter(
            call__status=CallStatus.RESULTS_PUBLISHED, award__isnull=False
        )
    found = list(
        applications.select_related("call", "award")
        .distinct()
        .order_by("-call__opens_at", "reference")
    )
    rows = []
    for application in found:
        award = getattr(application, "award", None) if _has_award(application) else None
        rows.append(
            ActorFundsRow(
                application=application,
                role="applicant" if application.applicant_id == actor.pk else "partner",
                award=award,
                amount_text=money(
                    award.amount if award else application.requested_amount,
                    application.call.currency,
                ),
                public=application.call.status == CallStatus.RESULTS_PUBLISHED,
            )
        )
    return ActorFunds(rows=rows, full=full)


def _has_award(application: Application) -> bool:
    try:
        application.award  # noqa: B018
    except Award.DoesNotExist:
        return False
    return True
