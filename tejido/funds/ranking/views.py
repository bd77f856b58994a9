"""Ranking pages (coordinators): the ranked applications with the outcome of the latest run and
why, running the allocation, a what-if panel, the committee's decision and the publication of
the results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import add_service_error
from tejido.core.http import is_htmx
from tejido.governance.plans.money import money

from ..calls.navigation import call_tabs
from ..explain import explain, explain_notes, outcome_label, outcome_tone
from ..http import call_for_request
from ..models import Call, CallPhase
from . import selectors, services
from .forms import DecideForm, RunForm, WhatIfForm

ALLOCATE = "funds.allocate"
WHATIF_RESULT = "funds/ranking/_whatif_result.html"


def _score(value: float | None, separator: str) -> str:
    """A score with up to two decimals, trailing zeros dropped, in the reader's notation."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", separator)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _ranking_url(call: Call, anchor: str = "") -> str:
    url = reverse("funds:ranking", args=[call.program.slug, call.pk])
    return f"{url}#{anchor}" if anchor else url


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _context(request: HttpRequest, call: Call, **extra: Any) -> dict[str, Any]:
    page = selectors.ranking_page(
        call, page=_page_number(request), show=request.GET.get("show", "all")
    )
    # Formatted here rather than by template filters: on a page of fifty rows it is cheaper.
    amounts: dict[Any, str] = {}

    def amount(value: Any) -> str:
        if value not in amounts:
            amounts[value] = money(value, call.currency)
        return amounts[value]

    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    for row in page.rows:
        decision = row.decision
        row.requested_text = amount(row.application.requested_amount)  # type: ignore[attr-defined]
        row.amount_text = amount(decision.amount) if decision else ""  # type: ignore[attr-defined]
        score = row.score
        row.score_text = _score(score.score, separator) if score else ""  # type: ignore[attr-defined]
        row.criteria_text = (  # type: ignore[attr-defined]
            [(name, _score(mean, separator)) for name, mean in score.criteria] if score else []
        )
        row.explanation = explain(decision, currency=call.currency) if decision else ""  # type: ignore[attr-defined]
        row.label = outcome_label(decision.outcome) if decision else ""  # type: ignore[attr-defined]
        row.tone = outcome_tone(decision.outcome) if decision else ""  # type: ignore[attr-defined]
    phase = call.phase()
    polls = selectors.directorate_polls(call)
    run = page.run
    context: dict[str, Any] = {
        "program": call.program,
        "call": call,
        "tabs": call_tabs(request.user, call, "ranking"),
        "page": page,
        "phase": phase,
        "evaluation": phase == CallPhase.EVALUATION,
        "run_form": RunForm(initial={"rule": call.allocation_rule}),
        "decide_form": DecideForm(call=call, polls=polls, initial={"run": run.pk if run else None}),
        "polls": polls,
        "filters": selectors.SHOW_CHOICES,
        "notes": explain_notes(page.outcome, currency=call.currency) if page.outcome else [],
    }
    context.update(extra)
    return context


@require_safe
def ranking(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, ALLOCATE)
    return render(request, "funds/ranking/ranking.html", _context(request, call))


@require_POST
def allocation_run(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, ALLOCATE)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.allocation_run(
                actor=request.user, call=call, rule=form.cleaned_data["rule"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            funded = run.outcome.get("counts", {})
            count = int(funded.get("funded", 0)) + int(funded.get("partial", 0))
            messages.success(
                request,
                ngettext(
                    "The allocation funds %(count)s application.",
                    "The allocation funds %(count)s applications.",
                    count,
                )
                % {"count": count},
            )
            return redirect(_ranking_url(call, "ranking-table"))
    context = _context(request, call, run_form=form)
    return render(request, "funds/ranking/ranking.html", context, status=400)


@require_http_methods(["GET", "POST"])
def allocation_whatif(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Try other settings and see who enters and who leaves against the current run, without
    touching the call."""
    call = call_for_request(request, program, pk, ALLOCATE)
    quotas = list(call.quotas.select_related("territory", "theme").order_by("kind", "pk"))
    form = WhatIfForm(request.POST or None, call=call, quotas=quotas)
    base = selectors.decided_run(call) or selectors.latest_run(call)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.allocation_run(
                    actor=request.user,
                    call=call,
                    rule=form.cleaned_data["rule"],
                    what_if=True,
                    **form.overrides(),
                )
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
            else:
                result = selectors.what_if_result(run, base)
                for change in (*result.entered, *result.left, *result.changed):
                    after = change.after
                    change.explanation = explain(after, currency=call.currency)  # type: ignore[attr-defined]
                    change.label = outcome_label(after.outcome)  # type: ignore[attr-defined]
                    change.tone = outcome_tone(after.outcome)  # type: ignore[attr-defined]
        else:
            status = 400
    context = {
        "program": call.program,
        "call": call,
        "tabs": call_tabs(request.user, call, "ranking"),
        "form": form,
        "result": result,
        "base": base,
    }
    if is_htmx(request) and request.method == "POST":
        return render(request, WHATIF_RESULT, context, status=status)
    return render(request, "funds/ranking/whatif.html", context, status=status)


@require_POST
def call_decide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, ALLOCATE)
    polls = selectors.directorate_polls(call)
    form = DecideForm(request.POST, call=call, polls=polls)
    if form.is_valid():
        try:
            awards = services.call_decide(
                actor=request.user,
                call=call,
                run=form.cleaned_data["run"],
                note=form.cleaned_data["note"],
                poll=form.cleaned_data.get("poll"),
                base_url=_base_url(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Decision recorded: %(count)s award created and its grantee notified.",
                    "Decision recorded: %(count)s awards created and their grantees notified.",
                    len(awards),
                )
                % {"count": len(awards)},
            )
            return redirect(_ranking_url(call))
    call.refresh_from_db()
    context = _context(request, call, decide_form=form)
    return render(request, "funds/ranking/ranking.html", context, status=400)


@require_POST
def call_publish_results(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, ALLOCATE)
    try:
        services.call_publish_results(actor=request.user, call=call, base_url=_base_url(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_ranking_url(call))
    messages.success(
        request,
        _("Results published: every applicant is being told its outcome and why."),
    )
    return redirect(reverse("funds:call", args=[call.program.slug, call.pk]))
