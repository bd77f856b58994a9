"""Territory selection pages: the list of scorecards, a scorecard's ranking with its what-if
panel and decision, and the coordinators' pages to set it up (details, criteria, values, import).

Who sees what: the program's members see every scorecard; visitors of a public program see only
decided ones (a draft is a working document). Coordinators change a scorecard until it is
decided; then it is a read-only record.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.http import is_htmx, program_for_request
from tejido.core.models import Program

from ..models import Criterion, CriterionKind, Scorecard, ScorecardStatus
from . import selectors, services
from .forms import (
    CriteriaForm,
    CriterionAddForm,
    DecisionForm,
    ImportForm,
    ScorecardForm,
    ValuesForm,
    WhatIfForm,
    local_number,
    plain_number,
)

VIEW = "governance.view_selection"
MANAGE = "governance.manage_selection"
TEMPLATES = "governance/selection"


def _sees_drafts(request: HttpRequest, program: Program) -> bool:
    return bool(request.user.has_perm("core.view_program_internal", program))


def _scorecard(
    request: HttpRequest, slug: str, pk: int, perm: str = VIEW
) -> tuple[Program, Scorecard]:
    program = program_for_request(request, slug, perm)
    try:
        scorecard = selectors.scorecard_get(
            program, pk, include_drafts=_sees_drafts(request, program)
        )
    except Scorecard.DoesNotExist as exc:
        raise Http404 from exc
    return program, scorecard


def _detail_url(scorecard: Scorecard, anchor: str = "") -> str:
    url = reverse("governance:scorecard", args=[scorecard.program.slug, scorecard.pk])
    return f"{url}#{anchor}" if anchor else url


def _before_decision(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """For the pages that change a scorecard: coordinators only, and only until the decision.
    A decided scorecard is a record: back to it, saying why nothing can change."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, program: str, pk: int, **kwargs: Any) -> HttpResponse:
        program_obj, scorecard = _scorecard(request, program, pk, MANAGE)
        if scorecard.status == ScorecardStatus.DECIDED:
            messages.error(request, services.decided_message(scorecard))
            return redirect(_detail_url(scorecard))
        return view(request, program_obj, scorecard, **kwargs)

    return wrapped


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _add_error(form: Any, error: ValidationError) -> None:
    """A service's refusal on the form: at the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        form.add_error(None, error)


# -- list and create -------------------------------------------------------------------------


@require_safe
def scorecard_list(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW)
    drafts = _sees_drafts(request, program_obj)
    return render(
        request,
        f"{TEMPLATES}/list.html",
        {
            "program": program_obj,
            "scorecards": selectors.scorecard_list(program_obj, include_drafts=drafts),
            "manages": request.user.has_perm(MANAGE, program_obj),
            "sees_drafts": drafts,
        },
    )


@require_http_methods(["GET", "POST"])
def scorecard_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, MANAGE)
    form = ScorecardForm(request.POST or None, program=program_obj)
    if request.method == "GET":
        cycle = program_obj.current_cycle()
        form.initial = {"cycle": cycle.pk if cycle else None, "source": ScorecardForm.PICK}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scorecard = services.scorecard_create(
                user=request.user,
                program=program_obj,
                title=data["title"],
                description=data["description"],
                cycle=data["cycle"],
                seats_to_fill=data["seats_to_fill"],
                territories=data["chosen"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Scorecard created with the three usual criteria. Enter the values, or count"
                    " the organizations from the registry."
                ),
            )
            return redirect(_detail_url(scorecard))
    return render(
        request,
        f"{TEMPLATES}/form.html",
        {"program": program_obj, "form": form, "scorecard": None},
    )


@require_http_methods(["GET", "POST"])
@_before_decision
def scorecard_edit(
    request: HttpRequest, program_obj: Program, scorecard: Scorecard
) -> HttpResponse:
    current = list(scorecard.candidates.values_list("territory_id", flat=True))
    form = ScorecardForm(
        request.POST or None,
        program=program_obj,
        current=current,
        initial={
            "title": scorecard.title,
            "description": scorecard.description,
            "cycle": scorecard.cycle_id,
            "seats_to_fill": scorecard.seats_to_fill,
            "source": ScorecardForm.PICK,
            "territories": current,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scorecard_update(
                user=request.user,
                scorecard=scorecard,
                title=data["title"],
                description=data["description"],
                cycle=data["cycle"],
                seats_to_fill=data["seats_to_fill"],
                territories=data["chosen"],
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Scorecard saved."))
            return redirect(_detail_url(scorecard))
    return render(
        request,
        f"{TEMPLATES}/form.html",
        {"program": program_obj, "form": form, "scorecard": scorecard},
    )


# -- the scorecard ---------------------------------------------------------------------------


def _decision_record(request: HttpRequest, scorecard: Scorecard) -> dict[str, Any] | None:
    if scorecard.status != ScorecardStatus.DECIDED:
        return None
    snapshot = scorecard.decision_snapshot or {}
    chosen_outside, top_left_out = services.departures(snapshot)
    # The person who decided is named only to those who may see the program's people.
    by = scorecard.decided_by
    names_people = request.user.has_perm("actors.view_people", scorecard.program)
    return {
        "by": (by.get_full_name() or by.email) if by and names_people else "",
        "criteria": [
            {**c, "percent": round(float(c.get("share", 0)) * 100, 1)}
            for c in snapshot.get("criteria", [])
        ],
        "ranking": snapshot.get("ranking", []),
        "selected": [r for r in snapshot.get("ranking", []) if r.get("selected")],
        "chosen_outside": chosen_outside,
        "top_left_out": top_left_out,
    }


def _render_scorecard(
    request: HttpRequest,
    program: Program,
    scorecard: Scorecard,
    *,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    criteria = selectors.criteria_of(scorecard)
    asks = WhatIfForm.asks(request.GET)
    whatif_form = WhatIfForm(request.GET if asks else None, criteria=criteria)
    trying = asks and whatif_form.is_valid() and whatif_form.differs_from_saved()
    weights = {pk: float(w) for pk, w in whatif_form.weights().items()} if trying else None
    board = selectors.scorecard_board(scorecard, criteria=criteria, weights=weights)
    draft = scorecard.status == ScorecardStatus.DRAFT
    manages = draft and request.user.has_perm(MANAGE, program)
    context: dict[str, Any] = {
        "program": program,
        "scorecard": scorecard,
        "board": board,
        "whatif_form": whatif_form,
        "whatif_rows": [
            (column.criterion, whatif_form[f"w{column.criterion.pk}"], saved, column.colour)
            for column, saved in zip(
                board.columns, [plain_number(c.weight) for c in criteria], strict=True
            )
        ],
        "trying": trying,
        "tried_weights": (
            [(f"w{pk}", plain_number(w)) for pk, w in whatif_form.weights().items()]
            if trying
            else []
        ),
        "manages": manages,
        "draft": draft,
        "decision": _decision_record(request, scorecard),
        "has_organizations": any(c.kind == CriterionKind.ORGANIZATIONS for c in criteria),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "whatif-result":
        return render(request, f"{TEMPLATES}/detail.html#whatif-update", context)
    if manages:
        # The decision follows the saved weights, whatever weights are being tried.
        saved = board.saved_ranking
        candidates = {row.candidate.pk: row.candidate for row in board.rows}
        form = decision_form or DecisionForm(candidates=list(candidates.values()))
        if form.is_bound:
            checked = {str(v) for v in form["selected"].value() or []}
        else:
            checked = {str(r.key) for r in saved.rows[: board.top_n] if r.rank <= board.top_n}
        context["decision_form"] = form
        context["decision_rows"] = [
            (candidates[r.key], r, str(r.key) in checked)  # type: ignore[index]
            for r in saved.rows
        ]
    return render(request, f"{TEMPLATES}/detail.html", context, status=status)


@require_safe
def scorecard_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, scorecard = _scorecard(request, program, pk)
    return _render_scorecard(request, program_obj, scorecard)


@require_POST
@_before_decision
def scorecard_decide(
    request: HttpRequest, program_obj: Program, scorecard: Scorecard
) -> HttpResponse:
    form = DecisionForm(request.POST, candidates=selectors.candidates_of(scorecard))
    if form.is_valid():
        try:
            services.scorecard_decide(
                user=request.user,
                scorecard=scorecard,
                selected=form.territories(),
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "decided":
                messages.error(request, " ".join(error.messages))
                return redirect(_detail_url(scorecard))
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Decision recorded. The chosen territories are now the program's."),
            )
            return redirect(_detail_url(scorecard, "decision"))
    return _render_scorecard(request, program_obj, scorecard, decision_form=form)


@require_POST
def scorecard_weights(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Save the weights tried in the what-if panel."""
    _program, scorecard = _scorecard(request, program, pk, MANAGE)
    form = WhatIfForm(request.POST, criteria=selectors.criteria_of(scorecard))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        tried = {k: str(v) for k, v in request.POST.items() if WhatIfForm.asks([k])}
        return redirect(f"{_detail_url(scorecard)}?{urlencode(tried)}#whatif")
    try:
        services.weights_set(user=request.user, scorecard=scorecard, weights=form.weights())
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Weights saved: the ranking now uses them."))
    return redirect(_detail_url(scorecard, "ranking"))


@require_POST
def scorecard_organizations(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Count the organizations again from the actor registry."""
    _program, scorecard = _scorecard(request, program, pk, MANAGE)
    try:
        counts = services.organizations_refresh(user=request.user, scorecard=scorecard)
    except ValidationError as error:
        _refusal(request, error)
    else:
        total = sum(counts.values())
        messages.success(
            request,
            ngettext(
                "Counted again from the registry: %(count)s organization across the territories.",
                "Counted again from the registry: %(count)s organizations across the territories.",
                total,
            )
            % {"count": total},
        )
    return redirect(_detail_url(scorecard, "ranking"))


# -- criteria --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_before_decision
def scorecard_criteria(
    request: HttpRequest, program_obj: Program, scorecard: Scorecard
) -> HttpResponse:
    criteria = selectors.criteria_of(scorecard)
    form = CriteriaForm(
        request.POST if request.POST.get("action") == "save" else None, criteria=criteria
    )
    add_form = CriterionAddForm(
        request.POST if request.POST.get("action") == "add" else None,
        present_kinds=[c.kind for c in criteria],
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            services.criteria_update(user=request.user, scorecard=scorecard, changes=form.changes())
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Criteria saved."))
            return redirect(_detail_url(scorecard, "ranking"))
    if request.method == "POST" and add_form.is_bound and add_form.is_valid():
        data = add_form.cleaned_data
        try:
            services.criterion_add(
                user=request.user,
                scorecard=scorecard,
                name=data["name"],
                kind=data["kind"],
                weight=data["weight"],
                higher_is_better=data["higher_is_better"],
            )
        except ValidationError as error:
            _add_error(add_form, error)
        else:
            messages.success(request, _("Criterion added. Enter its values for each territory."))
            return redirect("governance:scorecard_criteria", program_obj.slug, scorecard.pk)
    return render(
        request,
        f"{TEMPLATES}/criteria.html",
        {"program": program_obj, "scorecard": scorecard, "form": form, "add_form": add_form},
    )


@require_POST
def scorecard_criterion_remove(
    request: HttpRequest, program: str, pk: int, criterion: int
) -> HttpResponse:
    program_obj, scorecard = _scorecard(request, program, pk, MANAGE)
    item = get_object_or_404(Criterion, pk=criterion, scorecard=scorecard)
    try:
        services.criterion_remove(user=request.user, criterion=item)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(
            request, _("Criterion “%(name)s” removed, with its values.") % {"name": item.name}
        )
    return redirect("governance:scorecard_criteria", program_obj.slug, scorecard.pk)


# -- values ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_before_decision
def scorecard_values(
    request: HttpRequest, program_obj: Program, scorecard: Scorecard
) -> HttpResponse:
    form = ValuesForm(
        request.POST or None,
        criteria=selectors.criteria_of(scorecard),
        candidates=selectors.candidates_of(scorecard),
        values=selectors.values_of(scorecard),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.values_set(
                user=request.user, scorecard=scorecard, entries=form.entries()
            )
        except ValidationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Values saved: %(written)s written, %(cleared)s cleared.")
                % {"written": saved.written, "cleared": saved.cleared},
            )
            return redirect(_detail_url(scorecard, "ranking"))
    return render(
        request,
        f"{TEMPLATES}/values.html",
        {"program": program_obj, "scorecard": scorecard, "form": form},
    )


@require_http_methods(["GET", "POST"])
@_before_decision
def scorecard_import(
    request: HttpRequest, program_obj: Program, scorecard: Scorecard
) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.values_import(
                user=request.user, scorecard=scorecard, data=upload.read(), filename=upload.name
            )
        except ValidationError as error:
            problems = list(error.messages)
        else:
            text = ngettext(
                "Imported %(count)s value.", "Imported %(count)s values.", result.written
            ) % {"count": result.written}
            if result.skipped_columns:
                text += " " + _(
                    "The column %(columns)s is counted from the actor registry and was not"
                    " imported."
                ) % {"columns": ", ".join(f"“{c}”" for c in result.skipped_columns)}
            if result.ignored_columns:
                text += " " + _("Columns that name no criterion were left out: %(columns)s.") % {
                    "columns": ", ".join(f"“{c}”" for c in result.ignored_columns)
                }
            messages.success(request, text)
            return redirect(_detail_url(scorecard, "ranking"))
    criteria = [
        c for c in selectors.criteria_of(scorecard) if c.kind != CriterionKind.ORGANIZATIONS
    ]
    return render(
        request,
        f"{TEMPLATES}/import.html",
        {
            "program": program_obj,
            "scorecard": scorecard,
            "form": form,
            "problems": problems,
            "criteria": criteria,
            "evidence_headers": [services.evidence_header(c.name) for c in criteria],
        },
    )


@require_safe
def scorecard_template(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """A CSV to fill in: one row per territory, the values already entered, in the reader's
    language (headers and decimal comma)."""
    _program, scorecard = _scorecard(request, program, pk, MANAGE)
    criteria = [
        c for c in selectors.criteria_of(scorecard) if c.kind != CriterionKind.ORGANIZATIONS
    ]
    values = selectors.values_of(scorecard)
    buffer = io.StringIO()
    # Semicolons: spreadsheet programs set to Spanish or Catalan read them as columns.
    writer = csv.writer(buffer, delimiter=";")
    header = [_("Territory")]
    for criterion in criteria:
        header += [criterion.name, services.evidence_header(criterion.name)]
    writer.writerow(header)
    candidates = selectors.candidates_of(scorecard)
    names = [c.territory.name.casefold() for c in candidates]
    for candidate in candidates:
        territory = candidate.territory
        # The name reads best; the official code where two territories share a name.
        shared = names.count(territory.name.casefold()) > 1
        row = [territory.code if shared and territory.code else territory.name]
        for criterion in criteria:
            current = values.get((candidate.pk, criterion.pk))
            row += [local_number(current.value), current.evidence] if current else ["", ""]
        writer.writerow(row)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scorecard-{scorecard.pk}.csv"'
    return response
