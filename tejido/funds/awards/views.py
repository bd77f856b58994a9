"""Award pages: one award's follow-up (summary, payments, milestones, spending per budget line,
expenses, final report) for the grantee, its partners (read only) and the coordinators; the
award letter as a PDF; the receipts; and the coordinators' status dashboard of a call's awards.

Forms are full pages that work without JavaScript; with htmx, paying and reviewing refresh
their section of the award page in place.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import service_attempt
from tejido.core.http import is_htmx, optional_url, url_maker
from tejido.governance.plans.money import money

from ..http import award_for_request, call_for_request
from ..models import Award, Call, Disbursement, ExpenseReport, Milestone
from . import selectors, services
from .forms import (
    BasePaymentFormSet,
    DatesForm,
    ExpenseForm,
    FinalReportForm,
    MilestoneForm,
    PaidForm,
    PaymentFormSet,
    ReachForm,
    ReviewForm,
    schedule_initial,
)

VIEW = "funds.view_award"
MANAGE = "funds.manage_award"
REPORT = "funds.report_on_award"
PAGE = "funds/awards/award.html"
FORM_PAGE = "funds/awards/form.html"
CALL_HEADER = "funds/_call_header.html"


def _tabs(request: HttpRequest, call: Call, active: str) -> list[Any]:
    try:
        from tejido.funds.calls.navigation import call_tabs
    except ImportError:
        return []
    return call_tabs(request.user, call, active)


def _call_header() -> str:
    """The calls area's header of every call page, when it exists."""
    try:
        get_template(CALL_HEADER)
    except TemplateDoesNotExist:
        return ""
    return CALL_HEADER


def _award(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> Award:
    award_for_request(request, slug, pk, perm)
    return selectors.award_get(request.program.pk, pk)  # type: ignore[attr-defined]


def _award_url(award: Award, anchor: str = "") -> str:
    url = reverse("funds:award", args=[award.application.call.program.slug, award.pk])
    return f"{url}#{anchor}" if anchor else url


def _page_context(request: HttpRequest, award: Award, **extra: Any) -> dict[str, Any]:
    page = selectors.award_page(award, request.user, timezone.localdate())
    call = award.application.call
    program = call.program
    return {
        "program": program,
        "call": call,
        "award": award,
        "page": page,
        "tabs": _tabs(request, call, "awards"),
        "call_header": _call_header(),
        "call_url": optional_url("funds:call", program.slug, call.pk),
        "application_url": optional_url("funds:application", program.slug, award.application_id),
        "dashboard_url": (
            reverse("funds:awards_dashboard", args=[program.slug, call.pk])
            if page.can_manage
            else ""
        ),
        "hub_url": optional_url("funds:hub", program.slug),
        "grantee_url": optional_url("network:actor", program.slug, award.application.applicant_id),
        **extra,
    }


def _form_page(
    request: HttpRequest,
    award: Award,
    form: Any,
    *,
    heading: str,
    submit: str,
    anchor: str,
    intro: str = "",
    template: str = FORM_PAGE,
    **extra: Any,
) -> HttpResponse:
    call = award.application.call
    context = {
        "program": call.program,
        "call": call,
        "award": award,
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "award_url": _award_url(award),
        "cancel_url": _award_url(award, anchor),
        "multipart": form.is_multipart(),
        **extra,
    }
    return render(
        request, template, context, status=400 if form.is_bound and not form.is_valid() else 200
    )


def _section(
    request: HttpRequest, award: Award, section: str, message: str, *, error: bool = False
) -> HttpResponse:
    """After an action on the award page: the refreshed section for htmx, else the page."""
    if is_htmx(request):
        award = selectors.award_get(award.application.call.program_id, award.pk)
        context = _page_context(
            request, award, flash=message, flash_error=error, flash_section=section
        )
        return render(request, f"{PAGE}#{section}", context)
    if error:
        messages.error(request, message)
    else:
        messages.success(request, message)
    return redirect(_award_url(award, section))


# -- reading ----------------------------------------------------------------------------------


@require_safe
def award_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk)
    return render(request, PAGE, _page_context(request, award))


@require_safe
def award_letter(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The award letter (PDF), in the reader's language."""
    award_for_request(request, program, pk)
    award = services.award_for_letter(pk)
    pdf = services.letter_pdf_for(award)
    name = slugify(f"{_('award letter')} {award.application.reference}") or "award-letter"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_safe
def award_receipt(request: HttpRequest, program: str, pk: int, item: int) -> FileResponse:
    """A receipt, for those who may see the award (never from a public media address)."""
    award = award_for_request(request, program, pk)
    expense = get_object_or_404(ExpenseReport, pk=item, award=award)
    try:
        handle = expense.receipt.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=expense.receipt_name,
        content_type=expense.receipt_content_type or "application/octet-stream",
    )


@require_safe
def awards_dashboard(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    requested = request.GET.get("sort", "reference")
    descending = requested.startswith("-")
    sort = requested.lstrip("-")
    dashboard = selectors.awards_dashboard(call, timezone.localdate(), sort, descending)
    base = reverse("funds:awards_dashboard", args=[call.program.slug, call.pk])
    columns = []
    for key, label, numeric in (
        ("reference", _("Project"), False),
        ("grantee", _("Grantee"), False),
        ("amount", _("Awarded"), True),
        ("disbursed", _("Paid"), True),
        ("reported", pgettext("spending", "Reported"), True),
        ("accepted", pgettext("spending", "Accepted"), True),
        ("milestones", _("Milestones"), False),
        ("next_due", _("Next due"), False),
        ("overdue", _("Overdue"), False),
    ):
        current = dashboard.sort == key
        # A click on the current column turns its order; numbers start with the largest.
        flip = not dashboard.descending if current else numeric or key == "overdue"
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "current": current,
                "descending": dashboard.descending,
                "url": f"{base}?sort={'-' if flip else ''}{key}",
                "aria": (
                    ("descending" if dashboard.descending else "ascending") if current else "none"
                ),
            }
        )
    make_url = url_maker("funds:award", call.program)
    for row in dashboard.rows:
        row.url = make_url(row.award.pk) if make_url else ""  # type: ignore[attr-defined]
    return render(
        request,
        "funds/awards/dashboard.html",
        {
            "program": call.program,
            "call": call,
            "dashboard": dashboard,
            "columns": columns,
            "tabs": _tabs(request, call, "awards"),
            "call_header": _call_header(),
            "call_url": optional_url("funds:call", call.program.slug, call.pk),
            "hub_url": optional_url("funds:hub", call.program.slug),
            "today": timezone.localdate(),
        },
    )


# -- coordinators: dates, schedule, payments, reviews -----------------------------------------


@require_http_methods(["GET", "POST"])
def award_dates(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, MANAGE)
    form = DatesForm(
        request.POST or None,
        initial={
            "starts_on": award.starts_on,
            "ends_on": award.ends_on,
            "final_report_due_on": award.final_report_due_on,
        },
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.award_dates_update(actor=request.user, award=award, **form.cleaned_data),
    ):
        messages.success(request, _("Project dates saved."))
        return redirect(_award_url(award, "summary"))
    return _form_page(
        request,
        award,
        form,
        heading=_("Project dates"),
        submit=_("Save the dates"),
        anchor="summary",
    )


@require_http_methods(["GET", "POST"])
def award_schedule(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, MANAGE)
    current = list(award.disbursements.order_by("due_on", "position", "id"))
    paid = {d.pk: d for d in current if d.paid_on}
    formset = cast(
        BasePaymentFormSet,
        PaymentFormSet(
            request.POST or None,
            initial=schedule_initial(current),
            prefix="payments",
        ),
    )
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.disbursements_replace(actor=request.user, award=award, rows=formset.rows())
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Payment schedule saved."))
            return redirect(_award_url(award, "payments"))
    for form in formset.forms:
        if form.initial.get("id") in paid:
            form.mark_paid(paid[form.initial["id"]])
    call = award.application.call
    return render(
        request,
        "funds/awards/schedule.html",
        {
            "program": call.program,
            "call": call,
            "award": award,
            "formset": formset,
            "problems": problems,
            "amount_text": money(award.amount, call.currency),
            "award_url": _award_url(award),
            "cancel_url": _award_url(award, "payments"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def disbursement_paid(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    award = _award(request, program, pk, MANAGE)
    disbursement = get_object_or_404(Disbursement, pk=item, award=award)
    form = PaidForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        if not request.POST.get("paid_on"):
            form = PaidForm({"paid_on": timezone.localdate()})
        if service_attempt(
            form,
            lambda: services.disbursement_mark_paid(
                actor=request.user, disbursement=disbursement, **form.cleaned_data
            ),
        ):
            return _section(request, award, "payments", _("Payment recorded as made."))
        if is_htmx(request):
            problem = " ".join(str(e) for e in form.errors.get("__all__", [])) or " ".join(
                str(e) for errors in form.errors.values() for e in errors
            )
            return _section(request, award, "payments", problem, error=True)
    return _form_page(
        request,
        award,
        form,
        heading=_("Record the payment of %(amount)s")
        % {"amount": money(disbursement.amount, award.application.call.currency)},
        submit=_("Record the payment"),
        anchor="payments",
    )


@require_http_methods(["GET", "POST"])
def expense_review(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    award = _award(request, program, pk, MANAGE)
    expense = get_object_or_404(
        ExpenseReport.objects.select_related("budget_line"), pk=item, award=award
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if service_attempt(
            form,
            lambda: services.expense_review(
                actor=request.user,
                expense=expense,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            ),
        ):
            accepted = form.cleaned_data["decision"] == "accept"
            return _section(
                request,
                award,
                "expenses",
                _("Expense accepted.")
                if accepted
                else _("Expense rejected; the grantee sees why."),
            )
        if is_htmx(request):
            problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return _section(request, award, "expenses", problem, error=True)
    return _form_page(
        request,
        award,
        form,
        heading=_("Review the expense “%(description)s”") % {"description": expense.description},
        submit=_("Save the decision"),
        anchor=f"expense-{expense.pk}",
        expense=expense,
        expense_amount=money(expense.amount, award.application.call.currency),
        receipt_url=reverse("funds:award_receipt", args=[program, award.pk, expense.pk]),
    )


@require_POST
def final_report_accept(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, MANAGE)
    try:
        services.final_report_accept(actor=request.user, award=award)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Final report accepted. The award is completed and its last payment is payable."),
        )
    return redirect(_award_url(award, "final-report"))


# -- the grantee: milestones, expenses, final report ------------------------------------------


@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.milestone_create(actor=request.user, award=award, **form.cleaned_data),
    ):
        messages.success(request, _("Milestone added."))
        return redirect(_award_url(award, "milestones"))
    return _form_page(
        request,
        award,
        form,
        heading=_("New milestone"),
        submit=_("Add the milestone"),
        anchor="milestones",
        intro=_(
            "Milestones are the steps of the project that anyone could check: the coordination"
            " follows them, and the public page shows how many are reached."
        ),
    )


def _milestone(award: Award, item: int) -> Milestone:
    return get_object_or_404(Milestone, pk=item, award=award)


@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    milestone = _milestone(award, item)
    form = MilestoneForm(
        request.POST or None, initial={"title": milestone.title, "due_on": milestone.due_on}
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.milestone_update(
            actor=request.user, milestone=milestone, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Milestone saved."))
        return redirect(_award_url(award, f"milestone-{milestone.pk}"))
    return _form_page(
        request,
        award,
        form,
        heading=_("Edit the milestone"),
        submit=_("Save"),
        anchor=f"milestone-{milestone.pk}",
    )


@require_http_methods(["GET", "POST"])
def milestone_reach(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    milestone = _milestone(award, item)
    form = ReachForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.milestone_reach(
            actor=request.user, milestone=milestone, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Milestone marked as reached. Well done!"))
        return redirect(_award_url(award, f"milestone-{milestone.pk}"))
    return _form_page(
        request,
        award,
        form,
        heading=_("Mark “%(title)s” as reached") % {"title": milestone.title},
        submit=_("Mark as reached"),
        anchor=f"milestone-{milestone.pk}",
    )


@require_POST
def milestone_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    milestone = _milestone(award, item)
    try:
        services.milestone_remove(actor=request.user, milestone=milestone)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Milestone “%(title)s” removed.") % {"title": milestone.title})
    return redirect(_award_url(award, "milestones"))


@require_http_methods(["GET", "POST"])
def expense_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    form = ExpenseForm(
        request.POST or None,
        request.FILES or None,
        award=award,
        initial={"spent_on": timezone.localdate()},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.expense_report(actor=request.user, award=award, **form.cleaned_data),
    ):
        messages.success(request, _("Expense reported. The coordination will review it."))
        return redirect(_award_url(award, "spending"))
    page = selectors.award_page(award, request.user, timezone.localdate())
    return _form_page(
        request,
        award,
        form,
        heading=_("Report an expense"),
        submit=_("Report the expense"),
        anchor="spending",
        template="funds/awards/expense_form.html",
        page=page,
    )


@require_http_methods(["GET", "POST"])
def final_report(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    award = _award(request, program, pk, REPORT)
    report = selectors.final_report_of(award)
    initial: dict[str, Any] = {}
    if report is not None:
        initial = {
            "summary": report.summary,
            "results": report.results,
            "beneficiaries_women": report.beneficiaries_women,
            "beneficiaries_men": report.beneficiaries_men,
            "beneficiaries_other": report.beneficiaries_other,
        }
    else:
        application = award.application
        initial = {
            "beneficiaries_women": application.beneficiaries_women,
            "beneficiaries_men": application.beneficiaries_men,
            "beneficiaries_other": application.beneficiaries_other,
        }
    form = FinalReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.final_report_submit(actor=request.user, award=award, **form.cleaned_data),
    ):
        messages.success(request, _("Final report submitted. The coordination will review it."))
        return redirect(_award_url(award, "final-report"))
    return _form_page(
        request,
        award,
        form,
        heading=_("Final report") if report is None else _("Edit the final report"),
        submit=_("Submit the final report"),
        anchor="final-report",
        intro=_(
            "Tell what the project did, what came of it and how many people it reached. The"
            " planned numbers are filled in: change them to the real ones."
        )
        if report is None
        else _("You can change the report until the coordination accepts it."),
    )
