"""Reminders of what is overdue in the follow-up of the awards, run once a day (`tejido funds
remind`, from cron or a scheduler).

The grantee's representatives are reminded of milestones past their date and not reached, and
of a final report past its due date and not submitted; the program's coordinators of payments
whose condition is met and whose date has come. Each item is reminded at most once a day: what
was sent is recorded in the audit trail (action `funds.reminder.sent`, with the day and the
items), and a second run on the same day skips what is there.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import translation

from tejido.accounts.models import ProgramRole, Role
from tejido.core.audit import audit_log
from tejido.core.mail import recipient_language
from tejido.core.models import AuditEntry, Program
from tejido.governance.plans.money import money

from ..models import Award, AwardStatus, Call, Disbursement, Milestone
from .selectors import CONDITION_FINAL_REPORT, final_report_of
from .services import award_url, grantee_recipients

ACTION = "funds.reminder.sent"


def _already_sent(day: datetime.date) -> set[str]:
    sent: set[str] = set()
    for data in AuditEntry.objects.filter(action=ACTION, data__day=day.isoformat()).values_list(
        "data", flat=True
    ):
        sent.update(data.get("items", []))
    return sent


def _grantee_reminders(
    today: datetime.date, sent: set[str], base_url: str
) -> list[tuple[Award, list[str], list[EmailMessage]]]:
    awards = (
        Award.objects.with_overdue_reports(today)
        .select_related("application__call__program", "application__applicant", "final_report")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.filter(due_on__lt=today, done_on__isnull=True).order_by(
                    "due_on", "position"
                ),
                to_attr="overdue_milestones",
            )
        )
        .order_by("pk")
    )
    result: list[tuple[Award, list[str], list[EmailMessage]]] = []
    for award in awards:
        milestones = [m for m in award.overdue_milestones if f"milestone:{m.pk}" not in sent]
        report_due = (
            final_report_of(award) is None
            and award.final_report_due_on is not None
            and award.final_report_due_on < today
            and f"final_report:{award.pk}" not in sent
        )
        if not milestones and not report_due:
            continue
        items = [f"milestone:{m.pk}" for m in milestones]
        if report_due:
            items.append(f"final_report:{award.pk}")
        application = award.application
        messages = []
        for email, language, name in grantee_recipients(application.applicant_id):
            with translation.override(language):
                context = {
                    "award": award,
                    "application": application,
                    "call": application.call,
                    "program": application.call.program,
                    "milestones": milestones,
                    "report_due": report_due,
                    "today": today,
                    "name": name,
                    "url": award_url(award, base_url),
                }
                subject = render_to_string("funds/awards/email/reminder_subject.txt", context)
                text = render_to_string("funds/awards/email/reminder.txt", context)
            messages.append(EmailMessage(" ".join(subject.split()), text, to=[email]))
        if messages:
            result.append((award, items, messages))
    return result


def _coordinator_reminders(
    today: datetime.date, sent: set[str], base_url: str
) -> list[tuple[Program, list[str], list[EmailMessage]]]:
    due = (
        Disbursement.objects.filter(
            paid_on__isnull=True,
            due_on__lte=today,
            award__status__in=(AwardStatus.ACTIVE, AwardStatus.COMPLETED),
        )
        .filter(
            ~Q(condition=CONDITION_FINAL_REPORT) | Q(award__final_report__accepted_at__isnull=False)
        )
        .select_related("award__application__call__program", "award__application__applicant")
        .order_by("award__application__call__program_id", "due_on", "pk")
    )
    by_program: dict[int, list[Disbursement]] = defaultdict(list)
    programs: dict[int, Program] = {}
    for disbursement in due:
        if f"disbursement:{disbursement.pk}" in sent:
            continue
        program = disbursement.award.application.call.program
        programs[program.pk] = program
        by_program[program.pk].append(disbursement)
    if not by_program:
        return []
    coordinators: dict[int, list[Any]] = defaultdict(list)
    for role in ProgramRole.objects.filter(
        program_id__in=by_program, role=Role.COORDINATOR, user__is_active=True
    ).select_related("user"):
        if role.user.email:
            coordinators[role.program_id].append(role.user)
    result = []
    for program_id, payments in by_program.items():
        program = programs[program_id]
        messages = []
        for user in coordinators[program_id]:
            with translation.override(recipient_language(user)):
                rows = [
                    {
                        "amount": money(d.amount, d.award.application.call.currency),
                        "due_on": d.due_on,
                        "grantee": d.award.application.applicant.name,
                        "title": d.award.application.title,
                        "reference": d.award.application.reference,
                        "url": award_url(d.award, base_url),
                    }
                    for d in payments
                ]
                context = {
                    "program": program,
                    "payments": rows,
                    "today": today,
                    "name": user.get_full_name(),
                }
                subject = render_to_string("funds/awards/email/payments_subject.txt", context)
                text = render_to_string("funds/awards/email/payments.txt", context)
            messages.append(EmailMessage(" ".join(subject.split()), text, to=[user.email]))
        if messages:
            result.append((program, [f"disbursement:{d.pk}" for d in payments], messages))
    return result


@transaction.atomic
def send_reminders(*, today: datetime.date, base_url: str = "") -> int:
    """E-mail today's reminders of overdue items (each at most once a day) once the records
    commit. Returns the number of e-mails sent."""
    # Two runs at once wait for each other here, so the second sees what the first recorded.
    with_awards = Call.objects.filter(applications__award__isnull=False).values("program_id")
    list(Program.objects.select_for_update().filter(pk__in=with_awards).values_list("pk"))
    sent = _already_sent(today)
    outgoing: list[EmailMessage] = []
    for award, items, messages in _grantee_reminders(today, sent, base_url):
        outgoing += messages
        audit_log(
            user=None,
            action=ACTION,
            target=award,
            program=award.application.call.program,
            data={
                "day": today.isoformat(),
                "items": items,
                "to": "grantee",
                "emails": len(messages),
            },
        )
    for program, items, messages in _coordinator_reminders(today, sent, base_url):
        outgoing += messages
        audit_log(
            user=None,
            action=ACTION,
            target=program,
            program=program,
            data={
                "day": today.isoformat(),
                "items": items,
                "to": "coordinators",
                "emails": len(messages),
            },
        )
    if outgoing:
        transaction.on_commit(lambda: mailers.default.send_messages(outgoing))
    return len(outgoing)
