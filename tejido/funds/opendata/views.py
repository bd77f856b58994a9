"""Open data of the funds: the awards of a call (or of the whole program) in the 360Giving
standard as JSON and CSV, a call as a Pabulib file, and the import of a public vote.

Downloads are public once a call's results are published; the program's coordinators may
download them at any time, to check them before publishing. Before that, the data does not
exist for anyone else (404; an anonymous visitor is asked to log in).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from tejido.core.http import LoginRequired, optional_url, program_for_request
from tejido.core.models import Program

from .. import giving360
from ..calls.navigation import call_tabs
from ..http import MANAGE_CALL, call_for_request
from ..models import Application, ApplicationStatus, Call, RankingSource
from ..pabulib import write_pb
from . import selectors, services
from .exports import call_as_pb, pb_file_name
from .forms import VotesImportForm

VIEW_FUNDS = "funds.view_funds"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _downloadable_call(request: HttpRequest, slug: str, pk: int) -> Call:
    call = call_for_request(request, slug, pk)
    if not selectors.may_download(request.user, call):
        if not request.user.is_authenticated:
            raise LoginRequired
        raise Http404
    return call


def _download(content: str, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _json(data: dict[str, Any], file_name: str) -> HttpResponse:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _download(text, "application/json; charset=utf-8", file_name)


def _publisher(program: Program) -> dict[str, str]:
    return {"name": program.name, "identifier": giving360.program_id(program)}


def _call_grants(request: HttpRequest, call: Call) -> list[dict[str, Any]]:
    grants = giving360.grants_for_awards(
        selectors.open_data_awards([call]), base_url=_base_url(request)
    )
    if not grants:
        raise Http404
    return grants


@require_safe
def call_360giving(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = _downloadable_call(request, program, pk)
    data = giving360.package(
        _call_grants(request, call),
        title=_("Grants of “%(call)s”, %(program)s")
        % {"call": call.title, "program": call.program.name},
        description=call.summary,
        identifier=f"{giving360.PREFIX}{call.program.slug}-{call.slug}",
        publisher=_publisher(call.program),
        download_url=request.build_absolute_uri(),
    )
    return _json(data, f"{call.program.slug}_{call.slug}_360giving.json")


@require_safe
def call_csv(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = _downloadable_call(request, program, pk)
    # A byte-order mark, so that spreadsheets read the accents right.
    text = "\ufeff" + giving360.csv_rows(_call_grants(request, call))
    return _download(
        text, "text/csv; charset=utf-8", f"{call.program.slug}_{call.slug}_360giving.csv"
    )


@require_safe
def call_pb(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = _downloadable_call(request, program, pk)
    return _download(write_pb(call_as_pb(call)), "text/plain; charset=utf-8", pb_file_name(call))


@require_safe
def program_360giving(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW_FUNDS)
    calls = selectors.calls_with_open_data(program_obj, request.user)
    grants = giving360.grants_for_awards(
        selectors.open_data_awards(calls), base_url=_base_url(request)
    )
    if not grants:
        raise Http404
    data = giving360.package(
        grants,
        title=_("Grants of %(program)s") % {"program": program_obj.name},
        description=program_obj.description,
        identifier=f"{giving360.PREFIX}{program_obj.slug}",
        publisher=_publisher(program_obj),
        download_url=request.build_absolute_uri(),
    )
    return _json(data, f"{program_obj.slug}_360giving.json")


@require_safe
def opendata_index(request: HttpRequest, program: str) -> HttpResponse:
    """Every file the user may download, per call, and the calls whose public vote a
    coordinator may import."""
    program_obj = program_for_request(request, program, VIEW_FUNDS)
    calls = selectors.calls_with_open_data(program_obj, request.user)
    counts = selectors.award_counts(calls)
    manages = request.user.has_perm(MANAGE_CALL, program_obj)
    return render(
        request,
        "funds/opendata/index.html",
        {
            "program": program_obj,
            "rows": [selectors.CallData(call, counts.get(call.pk)) for call in calls],
            "has_grants": bool(counts),
            "manages": manages,
            "import_calls": selectors.calls_for_vote_import(program_obj) if manages else [],
            "hub_url": optional_url("funds:hub", program_obj.slug),
        },
    )


@require_http_methods(["GET", "POST"])
def import_votes(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    form = VotesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.call_import_votes(
            actor=request.user,
            call=call,
            text=form.text,
            file_name=upload.name or "",
            check_only=form.cleaned_data["check_only"],
        )
        if report.imported:
            messages.success(
                request,
                ngettext(
                    "The votes of %(count)s project were imported; the call is now ranked by "
                    "the public vote.",
                    "The votes of %(count)s projects were imported; the call is now ranked by "
                    "the public vote.",
                    len(report.rows),
                )
                % {"count": len(report.rows)},
            )
            return redirect("funds:opendata_import_votes", call.program.slug, call.pk)
    current = []
    if call.ranking_source == RankingSource.PUBLIC_VOTE:
        current = [
            services.ImportedVotes(a, a.public_votes, a.public_score)
            for a in Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
            .order_by(F("public_votes").desc(nulls_last=True), "reference")
            .only("call_id", "reference", "title", "public_votes", "public_score")
        ]
    return render(
        request,
        "funds/opendata/import.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "ranking"),
            "form": form,
            "report": report,
            "phase_problem": services.phase_problem(call),
            "current": current,
            "current_scores": any(row.score is not None for row in current),
            "report_scores": bool(report and any(row.score is not None for row in report.rows)),
            "ranking_url": optional_url("funds:ranking", call.program.slug, call.pk),
            "hub_url": optional_url("funds:hub", call.program.slug),
        },
    )
