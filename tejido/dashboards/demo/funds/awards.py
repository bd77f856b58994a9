"""Demo: the follow-up of a decided call's awards, some six weeks into the projects.

`demo_follow_up` takes the awards the committee's decision created and sets them back to the
day they were made (a fortnight after the call closed, at most six weeks ago), then tells what
happened since through the services: the coordination paid the first instalment of almost every
grant; each grantee planned three or four milestones and reached those already due, except one
that is overdue; grantees reported expenses against their budget lines with small generated PDF
receipts, which the coordination accepted (one rejected, a few still waiting); and the smallest
project, a short one, finished: its final report was submitted and accepted, and its last
payment made. Deterministic: a `random.Random` seeded with the call's short name.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen import canvas

from tejido.accounts.models import User
from tejido.actors.models import Representative
from tejido.actors.services import representative_add
from tejido.funds.awards import services
from tejido.funds.awards.selectors import CONDITION_FINAL_REPORT, CONDITION_SIGNING
from tejido.funds.models import Award, BudgetCategory, BudgetLine, Call, Disbursement
from tejido.governance.plans.money import money

MILESTONES = (
    "Lanzamiento del proyecto en asamblea con la comunidad",
    "Compra y recepción de los materiales",
    "Primera jornada de trabajo comunitario",
    "Talleres realizados con vecinas y vecinos",
    "Obra terminada e inauguración abierta al barrio",
    "Rendición de cuentas a la asamblea con registro fotográfico",
)
REACHED_NOTES = (
    "Participaron {n} vecinas y vecinos; quedó acta firmada y lista de asistencia.",
    "Se recibió todo lo comprado; quedó guardado en la sede de la junta.",
    "Jornada de sábado con {n} personas; se avanzó más de lo previsto.",
    "Se hicieron los talleres comprometidos con {n} participantes en total.",
)
EXPENSES: dict[str, tuple[str, str]] = {
    BudgetCategory.MATERIALS: ("Pintura, brochas y rodillos", "Ferretería El Maestro"),
    BudgetCategory.EQUIPMENT: ("Compra de herramientas para el taller", "Comercial Santa Rosa"),
    BudgetCategory.SERVICES: ("Arriendo de amplificación para la jornada", "Sonido y Eventos Sur"),
    BudgetCategory.PERSONNEL: ("Honorarios de la monitora del taller", "Boleta de honorarios"),
    BudgetCategory.TRAVEL: ("Flete de materiales a la sede", "Fletes Don Lucho"),
    BudgetCategory.DISSEMINATION: ("Impresión de afiches y volantes", "Imprenta Gráfica Sur"),
    BudgetCategory.WORKS: ("Mano de obra de instalación", "Construcciones Los Robles"),
    BudgetCategory.OTHER: ("Colaciones para la jornada comunitaria", "Almacén La Esquina"),
}
REJECTION = "La boleta está a nombre de otra organización: pedir una nueva a nombre del proyecto."
SUMMARY = (
    "Se realizaron todas las actividades comprometidas: lanzamiento en asamblea, compra de"
    " materiales, dos jornadas de trabajo comunitario y la inauguración abierta al barrio."
)
RESULTS = (
    "El espacio quedó recuperado y en uso; la junta formó una comisión que lo cuidará y"
    " programará actividades mensuales. Aprendimos a coordinarnos con la escuela vecina."
)
DEMO_DOMAIN = "organizaciones.tejido.demo"


def receipt_pdf(
    number: int, supplier: str, description: str, amount: str, day: datetime.date
) -> bytes:
    """A small receipt, as a grantee would scan or download it."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A6)
    _width, height = A6
    page.setTitle(f"Boleta {number}")
    page.setFont("Helvetica-Bold", 11)
    page.drawString(20, height - 30, supplier)
    page.setFont("Helvetica", 9)
    page.drawString(20, height - 48, f"Boleta electrónica N.º {number}")
    page.drawString(20, height - 62, f"Fecha: {day:%d-%m-%Y}")
    page.drawString(20, height - 86, description[:60])
    page.setFont("Helvetica-Bold", 10)
    page.drawString(20, height - 110, f"Total: {amount}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _reporter(award: Award, coordinator: Any) -> User:
    """Who writes for the grantee: its first representative, or one made for the demo."""
    applicant = award.application.applicant
    rep = (
        Representative.objects.filter(organization=applicant, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if rep is not None:
        return rep.user
    email = f"representante.{applicant.pk}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, None, first_name="Representante", last_name=applicant.name[:100]
        )
        user.set_unusable_password()
        user.preferred_language = "es"
        user.save()
    representative_add(user=user, actor=coordinator, organization=applicant)
    return user


def _set_back(awards: list[Award], call: Call, today: datetime.date) -> datetime.date:
    """Move the awards to the day the decision happened, with their default dates."""
    closed = timezone.localdate(call.closes_at)
    awarded_on = min(
        max(closed + datetime.timedelta(days=14), today - datetime.timedelta(days=42)), today
    )
    starts_on, ends_on, report_due = services.default_project_dates(awarded_on)
    ids = [a.pk for a in awards]
    Award.objects.filter(pk__in=ids).update(
        awarded_on=awarded_on, starts_on=starts_on, ends_on=ends_on, final_report_due_on=report_due
    )
    Disbursement.objects.filter(award_id__in=ids, condition=CONDITION_SIGNING).update(
        due_on=awarded_on
    )
    Disbursement.objects.filter(award_id__in=ids, condition=CONDITION_FINAL_REPORT).update(
        due_on=report_due
    )
    moment = timezone.make_aware(datetime.datetime.combine(awarded_on, datetime.time(12)))
    if call.decided_at and call.decided_at > moment:
        Call.objects.filter(pk=call.pk).update(decided_at=moment)
    if call.results_published_at and call.results_published_at > moment:
        Call.objects.filter(pk=call.pk).update(
            results_published_at=moment + datetime.timedelta(days=3)
        )
    return awarded_on


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _report_expenses(
    rng: random.Random,
    award: Award,
    reporter: User,
    coordinator: Any,
    today: datetime.date,
    counter: list[int],
    *,
    reject_one: bool,
    leave_pending: int,
) -> None:
    lines = list(
        BudgetLine.objects.filter(application=award.application).order_by("position", "id")
    )
    if not lines:
        return
    currency = award.application.call.currency
    chosen = rng.sample(lines, k=min(len(lines), rng.randint(2, 4)))
    expenses = []
    for line in chosen:
        share = Decimal(rng.randint(20, 45)) / 100
        amount = (line.amount * share / 1000).quantize(Decimal(1)) * 1000
        if amount <= 0:
            continue
        description, supplier = EXPENSES.get(line.category, EXPENSES[BudgetCategory.OTHER])
        spent_on = _day_between(rng, award.starts_on or award.awarded_on, today)
        counter[0] += 1
        number = 1000 + counter[0] * 7
        pdf = receipt_pdf(number, supplier, description, money(amount, currency), spent_on)
        expenses.append(
            services.expense_report(
                actor=reporter,
                award=award,
                budget_line=line,
                spent_on=spent_on,
                amount=amount,
                description=description,
                receipt=SimpleUploadedFile(f"boleta-{number}.pdf", pdf, "application/pdf"),
            )
        )
    for index, expense in enumerate(expenses):
        if index >= len(expenses) - leave_pending:
            break
        if reject_one and index == 0:
            services.expense_review(
                actor=coordinator, expense=expense, accept=False, note=REJECTION
            )
        else:
            services.expense_review(actor=coordinator, expense=expense, accept=True)


def demo_follow_up(call: Call, *, coordinator: Any, today: datetime.date) -> None:
    rng = random.Random(f"tejido-demo-funds-awards:{call.slug}")
    awards = list(
        Award.objects.filter(application__call=call)
        .select_related("application__call__program", "application__applicant")
        .order_by("application__reference")
    )
    if not awards:
        return
    awarded_on = _set_back(awards, call, today)
    for award in awards:
        award.refresh_from_db()
    finished = min(awards, key=lambda a: (a.amount, a.application.reference))
    # One milestone overdue, where the projects have run long enough for it.
    overdue_award = next(
        (
            a
            for a in awards
            if a.pk != finished.pk and awarded_on <= today - datetime.timedelta(days=7)
        ),
        None,
    )
    # The last instalment signed is still waiting to be paid.
    unpaid_award = next((a for a in reversed(awards) if a.pk != finished.pk), None)
    rejected_award = next((a for a in awards if a.pk != finished.pk), None)
    counter = [0]
    for award in awards:
        reporter = _reporter(award, coordinator)
        # The first instalment, paid a few days after signing (one still waiting).
        if award != unpaid_award:
            first = award.disbursements.filter(
                condition=CONDITION_SIGNING, paid_on__isnull=True
            ).first()
            if first is not None:
                paid_on = min(awarded_on + datetime.timedelta(days=rng.randint(4, 12)), today)
                services.disbursement_mark_paid(
                    actor=coordinator, disbursement=first, paid_on=paid_on
                )
        if award == finished:
            # A short project: it ended last week and reported at once.
            services.award_dates_update(
                actor=coordinator,
                award=award,
                starts_on=awarded_on,
                ends_on=max(today - datetime.timedelta(days=7), awarded_on),
                final_report_due_on=max(today - datetime.timedelta(days=7), awarded_on)
                + datetime.timedelta(days=30),
            )
            award.refresh_from_db()
        # Milestones spread over the project; those already due were reached.
        picked = sorted(rng.sample(range(1, len(MILESTONES)), k=rng.randint(2, 3)))
        titles = [MILESTONES[0], *(MILESTONES[i] for i in picked)]
        # The launch a fortnight in; the others from the fifth week to the project's end.
        end = award.ends_on or award.awarded_on
        first_due = award.awarded_on + datetime.timedelta(days=rng.randint(10, 16))
        later = min(award.awarded_on + datetime.timedelta(days=35), end)
        step = max((end - later).days, 0) // max(len(titles) - 2, 1)
        for position, title in enumerate(titles, start=1):
            if position == 1:
                due_on = first_due
            else:
                due_on = later + datetime.timedelta(days=step * (position - 2))
            if award == overdue_award and position == 2:
                due_on = today - datetime.timedelta(days=6)  # the overdue one
            due_on = min(due_on, award.final_report_due_on or due_on)
            milestone = services.milestone_create(
                actor=reporter, award=award, title=title, due_on=due_on
            )
            if due_on <= today and not (award == overdue_award and position == 2):
                done_on = min(due_on + datetime.timedelta(days=rng.randint(-3, 2)), today)
                done_on = max(done_on, award.awarded_on)
                note = rng.choice(REACHED_NOTES).format(n=rng.randint(12, 45))
                services.milestone_reach(
                    actor=reporter, milestone=milestone, done_on=done_on, note=note
                )
        _report_expenses(
            rng,
            award,
            reporter,
            coordinator,
            today,
            counter,
            reject_one=award == rejected_award,
            leave_pending=0 if award == finished else rng.choice((0, 1)),
        )
        if award == finished:
            application = award.application
            services.final_report_submit(
                actor=reporter,
                award=award,
                summary=SUMMARY,
                results=RESULTS,
                beneficiaries_women=max(application.beneficiaries_women, 18),
                beneficiaries_men=max(application.beneficiaries_men, 14),
                beneficiaries_other=application.beneficiaries_other,
            )
            services.final_report_accept(actor=coordinator, award=award)
            last = award.disbursements.filter(paid_on__isnull=True).first()
            if last is not None:
                services.disbursement_mark_paid(actor=coordinator, disbursement=last, paid_on=today)
