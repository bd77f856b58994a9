"""The network indicators page, its computation status and the evolution by cycle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tejido.core.http import is_htmx, program_for_request
from tejido.core.models import Cycle, Program, Territory

from ..analytics import explain
from ..analytics.pages import evolution, network_overview, runs_in_progress
from ..analytics.selectors import last_run, latest_snapshot, ties_version
from ..analytics.services import analysis_refresh_if_stale, analysis_request
from ..models import AnalysisRun, AnalysisStatus, NetworkSnapshot


def _status_context(
    request: HttpRequest,
    program: Program,
    *,
    shown: int | None,
    runs: list[AnalysisRun],
    latest: NetworkSnapshot | None,
) -> dict[str, Any]:
    """What the progress area says: the computations under way, or that new figures are ready
    (when the page shows an older snapshot than `latest`), or that the last one failed."""
    previous = last_run(program)
    return {
        "program": program,
        "runs": [
            {
                "run": run,
                "step": explain.step_text(run.step),
                "label": str(run.cycle) if run.cycle else _("today's network"),
            }
            for run in runs
        ],
        "polling": bool(runs),
        "ready": latest is not None and shown is not None and latest.pk != shown,
        "failed": previous is not None and previous.status == AnalysisStatus.FAILED and not runs,
        "shown": shown,
        "status_url": reverse("network:analysis_status", args=[program.slug]),
        "can_run": request.user.has_perm("network.run_analysis", program),
    }


@require_safe
def network_analysis(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.view_analysis")
    # Stored figures are shown at once; if the ties changed since, a recomputation is asked for
    # in the background and the page says so.
    version = ties_version(program_obj)
    analysis_refresh_if_stale(user=request.user, program=program_obj, version=version)
    snapshot = latest_snapshot(program_obj)
    overview = network_overview(program_obj, request.user, snapshot) if snapshot else None
    runs = [r for r in runs_in_progress(program_obj) if r.cycle_id is None]
    context = {
        "program": program_obj,
        "overview": overview,
        "snapshot": snapshot,
        "stale": snapshot is not None and snapshot.ties_version != version,
        "can_run": request.user.has_perm("network.run_analysis", program_obj),
        "can_view_opportunities": request.user.has_perm("network.view_opportunities", program_obj),
        "key_figures_title": _("Key figures"),
        **_status_context(
            request,
            program_obj,
            shown=snapshot.pk if snapshot else None,
            runs=runs,
            latest=snapshot,
        ),
    }
    return render(request, "network/analytics/network.html", context)


@require_safe
def analysis_status(request: HttpRequest, program: str) -> HttpResponse:
    """The small progress area the page polls while a computation runs."""
    program_obj = program_for_request(request, program, "network.view_analysis")
    try:
        shown = int(request.GET.get("shown", ""))
    except ValueError:
        shown = None
    scope = request.GET.get("scope", "")
    runs = runs_in_progress(program_obj)
    if scope != "evolution":
        runs = [r for r in runs if r.cycle_id is None]
    context = _status_context(
        request, program_obj, shown=shown, runs=runs, latest=latest_snapshot(program_obj)
    )
    context["scope"] = scope
    if scope == "evolution":
        context["ready"] = False
        context["evolution_ready"] = not runs and request.GET.get("waiting") == "1"
    response = render(request, "network/analytics/status.html", context)
    if not runs:
        # Polling stops when nothing is under way (htmx stops on 286).
        response.status_code = 286 if is_htmx(request) else 200
    return response


@require_POST
def analysis_recompute(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.run_analysis")
    cycle = None
    if request.POST.get("cycle"):
        cycle = Cycle.objects.filter(program=program_obj, number=request.POST["cycle"]).first()
        if cycle is None:
            return _refuse(request, program_obj, _("There is no such cycle in this program."))
    analysis_request(user=request.user, program=program_obj, cycle=cycle)
    if is_htmx(request):
        snapshot = latest_snapshot(program_obj)
        runs = [r for r in runs_in_progress(program_obj) if r.cycle_id is None]
        context = _status_context(
            request,
            program_obj,
            shown=snapshot.pk if snapshot else None,
            runs=runs,
            latest=snapshot,
        )
        return render(request, "network/analytics/status.html", context)
    messages.success(request, _("The network is being recomputed. The figures will update."))
    return redirect("network:analysis", program_obj.slug)


def _refuse(request: HttpRequest, program: Program, message: str) -> HttpResponse:
    if is_htmx(request):
        return HttpResponse(
            format_html('<p class="message message-error" role="alert">{}</p>', message),
            status=400,
        )
    messages.error(request, message)
    return redirect("network:analysis", program.slug)


def _territory(request: HttpRequest) -> tuple[Territory | None, str]:
    raw = request.GET.get("territory", "")
    if not raw:
        return None, ""
    try:
        return Territory.objects.get(pk=int(raw)), ""
    except (ValueError, Territory.DoesNotExist):
        return None, _("That territory does not exist; the whole network is shown.")


@require_safe
def network_evolution(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.view_analysis")
    territory, problem = _territory(request)
    data = evolution(program_obj, territory=territory)
    runs = [r for r in runs_in_progress(program_obj) if r.cycle_id is not None]
    context = {
        "program": program_obj,
        "evolution": data,
        "territory": territory,
        "problem": problem,
        "chart_data": data.chart,
        "can_run": request.user.has_perm("network.run_analysis", program_obj),
        "scope": "evolution",
        # This page shows no snapshot of today's network, so none is "ready" to switch to.
        **_status_context(request, program_obj, shown=None, runs=runs, latest=None),
        "today": timezone.localdate(),
    }
    return render(request, "network/analytics/evolution.html", context)


@require_POST
def evolution_compute(request: HttpRequest, program: str) -> HttpResponse:
    """Compute, in the background, the snapshot of every cycle that has started and has none
    (or, with `all`, recompute every started cycle)."""
    program_obj = program_for_request(request, program, "network.run_analysis")
    today = timezone.localdate()
    cycles = Cycle.objects.filter(program=program_obj, starts_on__lte=today).order_by("number")
    data_missing = {c.pk for c in evolution_missing(program_obj)}
    recompute_all = request.POST.get("all") == "1"
    requested = 0
    for cycle in cycles:
        if recompute_all or cycle.pk in data_missing:
            try:
                analysis_request(user=request.user, program=program_obj, cycle=cycle)
            except ValidationError as exc:  # pragma: no cover - cycles are the program's own
                messages.error(request, " ".join(exc.messages))
                continue
            requested += 1
    if requested:
        messages.success(
            request, _("The cycles are being computed in the background. This page will update.")
        )
    else:
        messages.info(request, _("Every cycle that has started already has its figures."))
    url = reverse("network:evolution", args=[program_obj.slug])
    territory = request.POST.get("territory", "")
    return redirect(f"{url}?territory={territory}" if territory.isdigit() else url)


def evolution_missing(program: Program) -> list[Cycle]:
    from ..analytics.pages import latest_cycle_snapshots

    have = latest_cycle_snapshots(program)
    today = timezone.localdate()
    return [
        c
        for c in Cycle.objects.filter(program=program, starts_on__lte=today).order_by("number")
        if c.pk not in have
    ]


__all__ = [
    "analysis_recompute",
    "analysis_status",
    "evolution_compute",
    "network_analysis",
    "network_evolution",
]
