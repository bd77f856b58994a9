"""Every write of the awards and their follow-up.

The life of an award
--------------------
The committee's decision creates one award per funded application (`awards_create`, called by
the ranking's `call_decide`): the amount the allocation run gave it, project dates (six months
from the award), a final report due thirty days after the project ends, and a default payment
schedule: 70 % on signing the agreement and 30 % once the final report is accepted. The award
records a funding tie from the call's funder to the grantee and collaboration ties among the
consortium's members, and the grantee's representatives get the award letter by e-mail.

Then the coordinators keep the schedule (its amounts always add up to the award) and mark
payments made; the grantee plans and reaches milestones, reports expenses against the
application's budget lines with a receipt, and submits the final report. Accepting the final
report completes the award and makes the last payment payable.

Rows two people may change at once (the award with its schedule and final report, an expense
under review) are locked while they change.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import Actor, Representative
from tejido.core.audit import audit_log
from tejido.core.mail import DEFAULT_EMAIL_LANGUAGE, recipient_language
from tejido.core.uploads import RECEIPT_EXTENSIONS, check_document
from tejido.governance.plans.money import DECIMALS, money
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from ..models import (
    AllocationRun,
    Application,
    Award,
    AwardStatus,
    BudgetLine,
    Call,
    Disbursement,
    ExpenseReport,
    ExpenseStatus,
    FinalReport,
    Milestone,
    Partner,
)
from .selectors import (
    CONDITION_DATE,
    CONDITION_FINAL_REPORT,
    CONDITION_SIGNING,
    condition_label,
    is_payable,
)

FUNDED_OUTCOMES = ("funded", "partial")
IDENTIFIER_PREFIX = "360G-tejido-"
DEFAULT_PROJECT_MONTHS = 6
FINAL_REPORT_DAYS = 30
FIRST_PAYMENT_SHARE = Decimal("0.70")
TIE_INTENSITY = Intensity.COORDINATION
CONDITIONS = (CONDITION_SIGNING, CONDITION_DATE, CONDITION_FINAL_REPORT)
MAX_AMOUNT = Decimal("999999999999.99")

MANAGE = "funds.manage_award"
REPORT = "funds.report_on_award"


# -- helpers ----------------------------------------------------------------------------------


def _day(value: datetime.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _locked_award(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("application__call__program", "application__applicant")
        .get(pk=award.pk)
    )


def _require_active(award: Award) -> None:
    if award.status == AwardStatus.COMPLETED:
        raise ValidationError(
            _("This award is completed: its follow-up can no longer change."), code="completed"
        )
    if award.status == AwardStatus.CANCELLED:
        raise ValidationError(
            _("This award was cancelled: its follow-up can no longer change."), code="cancelled"
        )


def _audit(user: Any, verb: str, target: Any, award: Award, /, **data: Any) -> None:
    audit_log(
        user=user,
        action=f"funds.{verb}",
        target=target,
        program=award.application.call.program,
        data={"award": award.pk, **data},
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def default_project_dates(
    awarded_on: datetime.date,
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Start, end and final-report due date of a new award."""
    starts_on = awarded_on
    ends_on = add_months(starts_on, DEFAULT_PROJECT_MONTHS) - datetime.timedelta(days=1)
    return starts_on, ends_on, ends_on + datetime.timedelta(days=FINAL_REPORT_DAYS)


def default_schedule(
    amount: Decimal, currency: str, awarded_on: datetime.date, final_report_due_on: datetime.date
) -> list[dict[str, Any]]:
    """70 % on signing and the rest once the final report is accepted, in whole units of the
    currency (whole pesos for CLP); one payment when the amount is too small to split."""
    step = Decimal(1).scaleb(-DECIMALS.get(currency, 2))
    first = (amount * FIRST_PAYMENT_SHARE).quantize(step)
    second = amount - first
    if first <= 0 or second <= 0:
        return [{"due_on": awarded_on, "amount": amount, "condition": CONDITION_SIGNING}]
    return [
        {"due_on": awarded_on, "amount": first, "condition": CONDITION_SIGNING},
        {"due_on": final_report_due_on, "amount": second, "condition": CONDITION_FINAL_REPORT},
    ]


def award_identifier(application: Application, program_slug: str) -> str:
    return f"{IDENTIFIER_PREFIX}{program_slug}-{application.reference}"


def _clean_amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount.")}) from exc
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Enter an amount.")})
    if amount <= 0:
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _clean_text(value: str, field: str, message: str, max_length: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": max_length, "length": len(value)}
            }
        )
    return value


def grantee_recipients(organization_id: int) -> list[tuple[str, str, str]]:
    """(e-mail, language, name) of the active representatives of an organization with an
    e-mail address, each address once; the organization's own address when none has one."""
    recipients: dict[str, tuple[str, str, str]] = {}
    for rep in (
        Representative.objects.filter(organization_id=organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ):
        user = rep.user
        if user.email:
            name = user.get_full_name() or ""
            recipients.setdefault(user.email.lower(), (user.email, recipient_language(user), name))
    if not recipients:
        email = (
            Actor.objects.filter(pk=organization_id).values_list("email", flat=True).first() or ""
        )
        if email:
            recipients[email.lower()] = (email, DEFAULT_EMAIL_LANGUAGE, "")
    return list(recipients.values())


def award_url(award: Award, base_url: str = "") -> str:
    path = reverse("funds:award", args=[award.application.call.program.slug, award.pk])
    return base_url.rstrip("/") + path if base_url else path


# -- creating the awards ----------------------------------------------------------------------


def _funded_rows(run: AllocationRun) -> dict[int, Decimal]:
    """Application id → amount for every funded or partly funded application of the run."""
    funded: dict[int, Decimal] = {}
    applications = (run.outcome or {}).get("applications") or {}
    if not isinstance(applications, dict):
        raise ValidationError(_("This allocation run has no outcome to award."))
    for key, row in applications.items():
        if not isinstance(row, dict) or row.get("outcome") not in FUNDED_OUTCOMES:
            continue
        try:
            application_id = int(key)
            amount = Decimal(str(row.get("amount")))
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise ValidationError(
                _("The allocation run's outcome for application %(id)s is malformed.") % {"id": key}
            ) from exc
        if not amount.is_finite() or amount <= 0:
            raise ValidationError(
                _("The allocation run gives application %(id)s no money to award.") % {"id": key}
            )
        funded[application_id] = amount.quantize(Decimal("0.01"))
    return funded


def _strengthen(
    user: Any,
    existing: dict[tuple[int, int, str], Tie],
    *,
    source: Actor,
    target: Actor,
    tie_type: str,
    directed: bool,
    day: datetime.date,
    note: str,
) -> Tie:
    """Record the tie, or raise an existing one to the award's intensity: never weaker, its
    scores and its note kept."""
    ends = (source.pk, target.pk) if directed or source.pk < target.pk else (target.pk, source.pk)
    tie = existing.get((*ends, tie_type))
    if tie is None:
        new = tie_create(
            user=user,
            source=source,
            target=target,
            tie_type=tie_type,
            directed=directed,
            intensity=TIE_INTENSITY,
            started_on=day,
            provenance=Provenance.FUND,
            note=note,
        )
    else:
        new = tie_create(
            user=user,
            source=source,
            target=target,
            tie_type=tie_type,
            directed=tie.directed,
            intensity=max(tie.intensity, TIE_INTENSITY),
            trust=tie.trust,
            value=tie.value,
            provenance=Provenance.FUND,
        )
    existing[(*ends, tie_type)] = new
    return new


def _record_ties(
    user: Any, call: Call, applications: Sequence[Application], day: datetime.date
) -> int:
    """The funding tie from the call's funder to each grantee and the collaboration ties among
    each consortium's members. Returns the number of ties recorded or strengthened."""
    members: dict[int, list[Actor]] = {}
    for application in applications:
        people = [application.applicant, *(p.organization for p in application.partners.all())]
        unique = {a.pk: a for a in people if a.program_id == call.program_id}
        members[application.pk] = sorted(unique.values(), key=lambda a: a.pk)
    ids = {a.pk for group in members.values() for a in group}
    funder = call.funder if call.funder_id else None
    if funder is not None:
        ids.add(funder.pk)
    existing = {
        (t.source_id, t.target_id, t.tie_type): t
        for t in Tie.objects.current().filter(
            tie_type__in=(TieType.FUNDING, TieType.COLLABORATION),
            source_id__in=ids,
            target_id__in=ids,
        )
    }
    count = 0
    for application in applications:
        grantee = application.applicant
        if (
            funder is not None
            and funder.pk != grantee.pk
            and funder.program_id == grantee.program_id
        ):
            _strengthen(
                user,
                existing,
                source=funder,
                target=grantee,
                tie_type=TieType.FUNDING,
                directed=True,
                day=day,
                note=_("Grant of the call “%(call)s” for “%(title)s”.")
                % {"call": call.title, "title": application.title},
            )
            count += 1
        note = _("Consortium of “%(title)s”, funded by the call “%(call)s”.") % {
            "title": application.title,
            "call": call.title,
        }
        for source, target in itertools.combinations(members[application.pk], 2):
            _strengthen(
                user,
                existing,
                source=source,
                target=target,
                tie_type=TieType.COLLABORATION,
                directed=False,
                day=day,
                note=note,
            )
            count += 1
    return count


@transaction.atomic
def awards_create(*, actor: Any, call: Call, run: AllocationRun, base_url: str = "") -> list[Award]:
    """One award per application the run funds (fully or in part), with the run's amount,
    default dates and payment schedule, the ties it creates, and the award letter e-mailed to
    each grantee's representatives once the decision commits."""
    _require(actor, "funds.allocate", call, _("Only the program's coordinators award grants."))
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("program", "funder")
        .get(pk=call.pk)
    )
    if run.call_id != call.pk:
        raise ValidationError(_("This allocation run belongs to another call."))
    if run.is_what_if:
        raise ValidationError(
            _("A what-if run cannot be awarded: run the allocation for real first.")
        )
    funded = _funded_rows(run)
    if not funded:
        raise ValidationError(
            _("This allocation run funds no application: there is nothing to award.")
        )
    applications = list(
        Application.objects.filter(call=call, pk__in=funded)
        .select_related("applicant")
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.select_related("organization"))
        )
        .order_by("reference", "pk")
    )
    missing = sorted(set(funded) - {a.pk for a in applications})
    if missing:
        raise ValidationError(
            _("The allocation run funds applications that are not in this call: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in missing)}
        )
    already = list(
        Award.objects.filter(application__in=applications)
        .select_related("application")
        .order_by("application__reference")
    )
    if already:
        raise ValidationError(
            ngettext(
                "This application already has an award: %(references)s.",
                "These applications already have awards: %(references)s.",
                len(already),
            )
            % {"references": ", ".join(a.application.reference for a in already)}
        )
    today = timezone.localdate()
    starts_on, ends_on, report_due = default_project_dates(today)
    awards = Award.objects.bulk_create(
        [
            Award(
                application=application,
                run=run,
                amount=funded[application.pk],
                awarded_on=today,
                starts_on=starts_on,
                ends_on=ends_on,
                final_report_due_on=report_due,
                status=AwardStatus.ACTIVE,
                identifier=award_identifier(application, call.program.slug),
            )
            for application in applications
        ]
    )
    Disbursement.objects.bulk_create(
        [
            Disbursement(award=award, position=position, **row)
            for award in awards
            for position, row in enumerate(
                default_schedule(award.amount, call.currency, today, report_due)
            )
        ]
    )
    ties = _record_ties(actor, call, applications, today)
    for award, application in zip(awards, applications, strict=True):
        award.application = application
        application.call = call
        audit_log(
            user=actor,
            action="funds.award.create",
            target=award,
            program=call.program,
            data={
                "call": call.pk,
                "run": run.pk,
                "application": application.pk,
                "amount": str(award.amount),
            },
        )
    audit_log(
        user=actor,
        action="funds.awards.create",
        target=call,
        program=call.program,
        data={"run": run.pk, "awards": [a.pk for a in awards], "ties": ties},
    )
    award_ids = [a.pk for a in awards]
    transaction.on_commit(lambda: send_award_notifications(award_ids, base_url=base_url))
    return awards


# -- the award letter by e-mail ---------------------------------------------------------------


def award_for_letter(award_id: int) -> Award:
    """An award with everything its letter shows."""
    return (
        Award.objects.select_related(
            "application__call__program",
            "application__call__funder",
            "application__applicant",
            "application__territory",
        )
        .prefetch_related(
            Prefetch(
                "application__partners",
                queryset=Partner.objects.select_related("organization").order_by("id"),
            ),
            Prefetch("disbursements", queryset=Disbursement.objects.order_by("due_on", "position")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "position")),
        )
        .get(pk=award_id)
    )


def letter_pdf_for(award: Award) -> bytes:
    from .pdf import award_letter_pdf

    return award_letter_pdf(award, list(award.disbursements.all()), list(award.milestones.all()))


def award_messages(award: Award, *, base_url: str = "") -> list[EmailMessage]:
    """The notification of an award to each of the grantee's recipients, in their language,
    with the award letter (in that language) attached."""
    messages = []
    application = award.application
    call = application.call
    url = award_url(award, base_url)
    for email, language, name in grantee_recipients(application.applicant_id):
        with translation.override(language):
            context = {
                "award": award,
                "application": application,
                "call": call,
                "program": call.program,
                "amount": money(award.amount, call.currency),
                "schedule": [
                    (money(d.amount, call.currency), condition_label(d.condition), d.due_on)
                    for d in award.disbursements.all()
                ],
                "url": url,
                "name": name,
            }
            subject = render_to_string("funds/awards/email/award_subject.txt", context)
            text = render_to_string("funds/awards/email/award.txt", context)
            pdf = letter_pdf_for(award)
            filename = _("award-letter-%(reference)s.pdf") % {"reference": application.reference}
        message = EmailMessage(" ".join(subject.split()), text, to=[email])
        message.attach(filename, pdf, "application/pdf")
        messages.append(message)
    return messages


def send_award_notifications(award_ids: Iterable[int], *, base_url: str = "") -> int:
    """E-mail the award letters (after the decision has committed) and note when each award
    was notified. Returns the number of e-mails sent."""
    sent = 0
    for award_id in award_ids:
        award = award_for_letter(award_id)
        messages = award_messages(award, base_url=base_url)
        if messages:
            mailers.default.send_messages(messages)
            sent += len(messages)
            Award.objects.filter(pk=award_id).update(notified_at=timezone.now())
    return sent


# -- dates and payment schedule (coordinators) ------------------------------------------------


@transaction.atomic
def award_dates_update(
    *,
    actor: Any,
    award: Award,
    starts_on: datetime.date,
    ends_on: datetime.date,
    final_report_due_on: datetime.date,
) -> Award:
    """Change the project's dates and the final report's due date."""
    _require(actor, MANAGE, award, _("Only the program's coordinators change an award's dates."))
    award = _locked_award(award)
    _require_active(award)
    if not starts_on:
        raise ValidationError({"starts_on": _("Enter the date the project starts.")})
    if not ends_on:
        raise ValidationError({"ends_on": _("Enter the date the project ends.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})
    if not final_report_due_on:
        raise ValidationError({"final_report_due_on": _("Enter the final report's due date.")})
    if final_report_due_on < ends_on:
        raise ValidationError(
            {"final_report_due_on": _("The final report is due after the project ends.")}
        )
    previous = {
        "starts_on": str(award.starts_on),
        "ends_on": str(award.ends_on),
        "final_report_due_on": str(award.final_report_due_on),
    }
    award.starts_on, award.ends_on = starts_on, ends_on
    # An unpaid payment waiting for the final report follows the report's date.
    award.disbursements.filter(condition=CONDITION_FINAL_REPORT, paid_on__isnull=True).update(
        due_on=final_report_due_on
    )
    award.final_report_due_on = final_report_due_on
    award.save(update_fields=["starts_on", "ends_on", "final_report_due_on", "updated_at"])
    _audit(actor, "award.dates", award, award, previous=previous)
    return award


@transaction.atomic
def disbursements_replace(
    *, actor: Any, award: Award, rows: Sequence[dict[str, Any]]
) -> list[Disbursement]:
    """Replace the payment schedule with `rows` ({"id" (optional), "due_on", "amount",
    "condition"}). Payments already made stay as they are and must be among the rows; the
    amounts must add up to the award."""
    _require(
        actor, MANAGE, award, _("Only the program's coordinators change the payment schedule.")
    )
    award = _locked_award(award)
    _require_active(award)
    currency = award.application.call.currency
    current = {d.pk: d for d in award.disbursements.all()}
    paid = {pk for pk, d in current.items() if d.paid_on is not None}
    errors: list[ValidationError] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        pk = row.get("id") or None
        if pk is not None:
            pk = int(pk)
            if pk not in current or pk in seen:
                errors.append(
                    ValidationError(
                        _("Payment %(number)s is not part of this award's schedule.")
                        % {"number": number}
                    )
                )
                continue
            seen.add(pk)
        try:
            amount = _clean_amount(row.get("amount"), "amount")
        except ValidationError:
            errors.append(
                ValidationError(
                    _("Payment %(number)s: enter an amount greater than zero.") % {"number": number}
                )
            )
            continue
        due_on = row.get("due_on")
        if not isinstance(due_on, datetime.date):
            errors.append(
                ValidationError(_("Payment %(number)s: enter its due date.") % {"number": number})
            )
            continue
        condition = (row.get("condition") or CONDITION_DATE).strip()
        if len(condition) > 200:
            errors.append(
                ValidationError(
                    _("Payment %(number)s: keep the condition under 200 characters.")
                    % {"number": number}
                )
            )
            continue
        if pk in paid:
            made = current[pk]
            if made.amount != amount or made.due_on != due_on:
                errors.append(
                    ValidationError(
                        _(
                            "Payment %(number)s was already paid on %(day)s: its amount and"
                            " date cannot change."
                        )
                        % {"number": number, "day": _day(made.paid_on)}
                    )
                )
                continue
        cleaned.append({"id": pk, "due_on": due_on, "amount": amount, "condition": condition})
    dropped_paid = paid - seen
    if dropped_paid:
        errors.append(
            ValidationError(
                _("A payment already made cannot be removed from the schedule."), code="paid"
            )
        )
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("The schedule needs at least one payment."), code="empty")
    total = sum((row["amount"] for row in cleaned), Decimal(0))
    if total != award.amount:
        difference = award.amount - total
        raise ValidationError(
            _(
                "The payments add up to %(total)s but the award is %(amount)s: %(difference)s"
                " %(direction)s."
            )
            % {
                "total": money(total, currency),
                "amount": money(award.amount, currency),
                "difference": money(abs(difference), currency),
                "direction": _("missing") if difference > 0 else _("too many"),
            },
            code="total",
        )
    cleaned.sort(key=lambda row: (row["due_on"], row["id"] or 0))
    keep = {row["id"] for row in cleaned if row["id"]}
    award.disbursements.exclude(pk__in=keep).delete()
    result = []
    for position, row in enumerate(cleaned):
        if row["id"]:
            disbursement = current[row["id"]]
            disbursement.position = position
            disbursement.due_on = row["due_on"]
            disbursement.amount = row["amount"]
            disbursement.condition = row["condition"]
            disbursement.save(update_fields=["position", "due_on", "amount", "condition"])
        else:
            disbursement = Disbursement.objects.create(
                award=award,
                position=position,
                due_on=row["due_on"],
                amount=row["amount"],
                condition=row["condition"],
            )
        result.append(disbursement)
    _audit(
        actor,
        "award.schedule",
        award,
        award,
        payments=[[str(r.due_on), str(r.amount), r.condition] for r in result],
    )
    return result


@transaction.atomic
def disbursement_mark_paid(
    *, actor: Any, disbursement: Disbursement, paid_on: datetime.date | None = None
) -> Disbursement:
    """Record that a payment was made (today unless `paid_on` says otherwise)."""
    award = disbursement.award
    _require(actor, MANAGE, award, _("Only the program's coordinators record payments."))
    award = _locked_award(award)
    if award.status == AwardStatus.CANCELLED:
        raise ValidationError(_("This award was cancelled: no payment can be recorded."))
    current = (
        Disbursement.objects.select_for_update().filter(pk=disbursement.pk, award=award).first()
    )
    if current is None:
        raise ValidationError(_("This payment is no longer in the schedule. Reload the page."))
    today = timezone.localdate()
    paid_on = paid_on or today
    if current.paid_on is not None:
        raise ValidationError(
            _("This payment was already recorded as paid on %(day)s.")
            % {"day": _day(current.paid_on)},
            code="already_paid",
        )
    if paid_on > today:
        raise ValidationError({"paid_on": _("A payment cannot be recorded in the future.")})
    if paid_on < award.awarded_on:
        raise ValidationError({"paid_on": _("A payment cannot be made before the award.")})
    accepted = FinalReport.objects.filter(award=award, accepted_at__isnull=False).exists()
    if not is_payable(current, report_accepted=accepted, today=today):
        raise ValidationError(
            _("This payment is made once the final report is accepted.")
            if current.condition == CONDITION_FINAL_REPORT
            else _("This payment is not due yet.")
        )
    current.paid_on = paid_on
    current.save(update_fields=["paid_on"])
    _audit(
        actor, "disbursement.paid", current, award, amount=str(current.amount), paid_on=str(paid_on)
    )
    return current


# -- milestones (the grantee) -----------------------------------------------------------------


def _clean_milestone(
    title: str, due_on: datetime.date | None, award: Award
) -> tuple[str, datetime.date]:
    title = _clean_text(title, "title", _("Say what will be reached."), 200)
    if not due_on:
        raise ValidationError({"due_on": _("Enter the date it is due.")})
    if due_on < award.awarded_on:
        raise ValidationError({"due_on": _("A milestone cannot be due before the award.")})
    if award.final_report_due_on and due_on > award.final_report_due_on:
        raise ValidationError(
            {
                "due_on": _("A milestone is due before the final report (%(day)s).")
                % {"day": _day(award.final_report_due_on)}
            }
        )
    return title, due_on


@transaction.atomic
def milestone_create(*, actor: Any, award: Award, title: str, due_on: datetime.date) -> Milestone:
    _require(actor, REPORT, award, _("Only the grantee's representatives plan milestones."))
    award = _locked_award(award)
    _require_active(award)
    title, due_on = _clean_milestone(title, due_on, award)
    top = award.milestones.aggregate(top=Max("position"))["top"]
    milestone = Milestone.objects.create(
        award=award, position=0 if top is None else top + 1, title=title, due_on=due_on
    )
    _audit(actor, "milestone.create", milestone, award, title=title, due_on=str(due_on))
    return milestone


def _locked_milestone(milestone: Milestone) -> tuple[Milestone, Award]:
    award = _locked_award(milestone.award)
    current = Milestone.objects.select_for_update().filter(pk=milestone.pk, award=award).first()
    if current is None:
        raise ValidationError(_("This milestone no longer exists. Reload the page."))
    return current, award


@transaction.atomic
def milestone_update(
    *, actor: Any, milestone: Milestone, title: str, due_on: datetime.date
) -> Milestone:
    _require(
        actor, REPORT, milestone.award, _("Only the grantee's representatives edit milestones.")
    )
    milestone, award = _locked_milestone(milestone)
    _require_active(award)
    title, due_on = _clean_milestone(title, due_on, award)
    milestone.title, milestone.due_on = title, due_on
    milestone.save(update_fields=["title", "due_on"])
    _audit(actor, "milestone.update", milestone, award, title=title, due_on=str(due_on))
    return milestone


@transaction.atomic
def milestone_reach(
    *, actor: Any, milestone: Milestone, done_on: datetime.date | None = None, note: str = ""
) -> Milestone:
    """Mark a milestone reached on a day (today by default), with a note on what was done."""
    _require(
        actor, REPORT, milestone.award, _("Only the grantee's representatives mark milestones.")
    )
    milestone, award = _locked_milestone(milestone)
    _require_active(award)
    today = timezone.localdate()
    done_on = done_on or today
    if milestone.done_on is not None:
        raise ValidationError(
            _("This milestone was already marked reached on %(day)s.")
            % {"day": _day(milestone.done_on)}
        )
    if done_on > today:
        raise ValidationError({"done_on": _("A milestone cannot be reached in the future.")})
    if done_on < award.awarded_on:
        raise ValidationError({"done_on": _("A milestone cannot be reached before the award.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say briefly what was done.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2,000 characters.")})
    milestone.done_on, milestone.note = done_on, note
    milestone.save(update_fields=["done_on", "note"])
    _audit(actor, "milestone.reach", milestone, award, done_on=str(done_on))
    return milestone


@transaction.atomic
def milestone_remove(*, actor: Any, milestone: Milestone) -> None:
    _require(
        actor, REPORT, milestone.award, _("Only the grantee's representatives edit milestones.")
    )
    milestone, award = _locked_milestone(milestone)
    _require_active(award)
    if milestone.done_on is not None:
        raise ValidationError(_("A milestone already reached cannot be removed."))
    _audit(actor, "milestone.remove", milestone, award, title=milestone.title)
    milestone.delete()


# -- expenses ---------------------------------------------------------------------------------


@transaction.atomic
def expense_report(
    *,
    actor: Any,
    award: Award,
    budget_line: BudgetLine,
    spent_on: datetime.date,
    amount: Any,
    description: str,
    receipt: UploadedFile,
) -> ExpenseReport:
    """Report an expense against one of the application's budget lines, with its receipt. An
    expense over what is left on the line is accepted for review and flagged on the page."""
    _require(actor, REPORT, award, _("Only the grantee's representatives report expenses."))
    award = _locked_award(award)
    _require_active(award)
    if budget_line is None or budget_line.application_id != award.application_id:
        raise ValidationError({"budget_line": _("Choose one of the project's budget lines.")})
    amount = _clean_amount(amount, "amount")
    description = _clean_text(description, "description", _("Say what was bought or paid."), 300)
    today = timezone.localdate()
    if not spent_on:
        raise ValidationError({"spent_on": _("Enter the date of the expense.")})
    if spent_on > today:
        raise ValidationError({"spent_on": _("An expense cannot be in the future.")})
    start = award.starts_on or award.awarded_on
    if spent_on < start:
        raise ValidationError(
            {
                "spent_on": _("The project started on %(day)s: expenses before it do not count.")
                % {"day": _day(start)}
            }
        )
    if receipt is None:
        raise ValidationError({"receipt": _("Attach the receipt.")})
    try:
        content_type = check_document(receipt, allowed=RECEIPT_EXTENSIONS)
    except ValidationError as error:
        raise ValidationError({"receipt": error.messages}) from error
    expense = ExpenseReport(
        award=award,
        budget_line=budget_line,
        spent_on=spent_on,
        amount=amount,
        description=description,
        receipt_name=(receipt.name or "receipt")[-200:],
        receipt_content_type=content_type,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    expense.receipt.save(receipt.name or "receipt", receipt, save=False)
    expense.save()
    _audit(
        actor,
        "expense.report",
        expense,
        award,
        budget_line=budget_line.pk,
        amount=str(amount),
    )
    return expense


@transaction.atomic
def expense_review(
    *, actor: Any, expense: ExpenseReport, accept: bool, note: str = ""
) -> ExpenseReport:
    """Accept or reject a reported expense (a rejection says why)."""
    _require(actor, MANAGE, expense.award, _("Only the program's coordinators review expenses."))
    award = _locked_award(expense.award)
    _require_active(award)
    current = ExpenseReport.objects.select_for_update().filter(pk=expense.pk, award=award).first()
    if current is None:
        raise ValidationError(_("This expense no longer exists. Reload the page."))
    if current.status != ExpenseStatus.SUBMITTED:
        raise ValidationError(
            _("This expense was already %(status)s.")
            % {"status": current.get_status_display().lower()},
            code="reviewed",
        )
    note = " ".join((note or "").split())
    if not accept and not note:
        raise ValidationError({"note": _("Say why the expense is rejected.")})
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    current.status = ExpenseStatus.ACCEPTED if accept else ExpenseStatus.REJECTED
    current.review_note = note
    current.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    current.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    _audit(actor, f"expense.{current.status}", current, award, note=note)
    return current


# -- the final report -------------------------------------------------------------------------


@transaction.atomic
def final_report_submit(
    *,
    actor: Any,
    award: Award,
    summary: str,
    results: str = "",
    beneficiaries_women: int = 0,
    beneficiaries_men: int = 0,
    beneficiaries_other: int = 0,
) -> FinalReport:
    """Submit the final report, or a new text of it while it is not accepted yet."""
    _require(actor, REPORT, award, _("Only the grantee's representatives submit the final report."))
    award = _locked_award(award)
    _require_active(award)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what the project did.")})
    results = (results or "").strip()
    counts = {
        "beneficiaries_women": beneficiaries_women,
        "beneficiaries_men": beneficiaries_men,
        "beneficiaries_other": beneficiaries_other,
    }
    for field, value in counts.items():
        if value is None or int(value) < 0:
            raise ValidationError({field: _("Enter a number of people, zero or more.")})
    if not any(int(v) for v in counts.values()):
        raise ValidationError(
            {"beneficiaries_women": _("Say how many people the project reached.")}
        )
    report = FinalReport.objects.select_for_update().filter(award=award).first()
    if report is not None and report.accepted_at is not None:
        raise ValidationError(_("The final report was already accepted."), code="accepted")
    verb = "final_report.resubmit" if report is not None else "final_report.submit"
    report = report or FinalReport(award=award)
    report.summary = summary
    report.results = results
    for field, value in counts.items():
        setattr(report, field, int(value))
    report.submitted_at = timezone.now()
    report.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    report.save()
    _audit(actor, verb, report, award)
    return report


@transaction.atomic
def final_report_accept(*, actor: Any, award: Award) -> FinalReport:
    """Accept the final report: the award is completed and the payments waiting for the report
    become payable today. Expenses still waiting for review must be reviewed first."""
    _require(actor, MANAGE, award, _("Only the program's coordinators accept the final report."))
    award = _locked_award(award)
    report = FinalReport.objects.select_for_update().filter(award=award).first()
    if report is None:
        raise ValidationError(_("The grantee has not submitted the final report yet."))
    if report.accepted_at is not None:
        raise ValidationError(_("The final report was already accepted."), code="accepted")
    _require_active(award)
    pending = award.expenses.filter(status=ExpenseStatus.SUBMITTED).count()
    if pending:
        raise ValidationError(
            ngettext(
                "One expense is still waiting for review: accept or reject it first.",
                "%(count)s expenses are still waiting for review: accept or reject them first.",
                pending,
            )
            % {"count": pending},
            code="pending_expenses",
        )
    now = timezone.now()
    report.accepted_at = now
    report.accepted_by = actor if getattr(actor, "is_authenticated", False) else None
    report.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    today = timezone.localdate()
    award.disbursements.filter(condition=CONDITION_FINAL_REPORT, paid_on__isnull=True).update(
        due_on=today
    )
    award.status = AwardStatus.COMPLETED
    award.save(update_fields=["status", "updated_at"])
    _audit(actor, "final_report.accept", report, award)
    return report
