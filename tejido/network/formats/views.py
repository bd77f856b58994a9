"""Graph export and import pages (upload → check → confirm). Coordinators only.

They sit next to the CSV/XLSX pages and share their machinery: the upload size limit, the
preview page, the pending files kept between the check and the confirmation.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from tejido.core.http import program_for_request, require_perm
from tejido.core.models import Program
from tejido.network.transfer.importer import ImportReport
from tejido.network.transfer.pending import (
    pending_discard,
    pending_get,
    pending_read,
    pending_save,
)
from tejido.network.transfer.validation import RowError
from tejido.network.transfer.views import SizeLimitHandler, announce_import, render_preview

from . import CSV, FORMATS, GraphFormatError, detect_format, read_graph, write_nodes_csv
from .forms import GraphExportForm, GraphImportForm
from .graph import NODES_PART
from .program import export_filename, import_graph, program_graph, record_graph_export

EXPORT_PERMS = ("network.export_ties", "actors.export_actors")
IMPORT_PERMS = ("network.import_ties", "actors.import_actors")
GRAPH, NODES = "graph", "nodes"


def _program_with(request: HttpRequest, slug: str, perms: tuple[str, ...]) -> Program:
    """The program, if the user holds every perm: a graph file holds actors and ties."""
    program = program_for_request(request, slug)
    for perm in perms:
        require_perm(request, perm, program)
    return program


# --- export ------------------------------------------------------------------------------


@require_GET
def graph_export(request: HttpRequest, program: str) -> HttpResponseBase:
    """The form; submitted (GET, so the file is a plain download), the file itself."""
    program_obj = _program_with(request, program, EXPORT_PERMS)
    form = GraphExportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "network/formats/export.html",
            {"program": program_obj, "form": form},
            status=400 if form.is_bound else 200,
        )
    fmt = FORMATS[form.cleaned_data["file_format"]]
    contact = form.cleaned_data["contact"]
    record_graph_export(
        user=request.user, program=program_obj, file_format=fmt.code, contact=contact
    )
    if fmt.code == CSV:
        return _csv_zip(program_obj, contact=contact)
    description = _("The network of %(program)s, exported from Tejido.") % {
        "program": program_obj.name
    }
    chunks = fmt.write(program_graph(program_obj, contact=contact), description=description)
    response = StreamingHttpResponse(_encoded(chunks), content_type=fmt.content_type)
    name = export_filename(program_obj, fmt.extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def _csv_zip(program: Program, *, contact: bool) -> FileResponse:
    """The edge list and the node list, two files in one zip written to a temporary file."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part, writer in (("nodes", write_nodes_csv), ("edges", FORMATS[CSV].write)):
            graph = program_graph(program, contact=contact)
            with archive.open(export_filename(program, "csv", part=part), "w") as member:
                for chunk in writer(graph):
                    member.write(chunk.encode("utf-8"))
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=export_filename(program, "zip"),
        content_type="application/zip",
    )


# --- import ------------------------------------------------------------------------------


@csrf_exempt
def graph_import(request: HttpRequest, program: str) -> HttpResponse:
    """Upload form; a POST checks the file (a dry run) and shows the preview."""
    handler = SizeLimitHandler(request, settings.TEJIDO_MAX_UPLOAD_BYTES)
    # In place before anything reads the body (the CSRF check does: csrf_protect follows).
    request.upload_handlers.insert(0, handler)
    return _graph_import(request, program, handler)


@csrf_protect
def _graph_import(request: HttpRequest, slug: str, handler: SizeLimitHandler) -> HttpResponse:
    program = _program_with(request, slug, IMPORT_PERMS)
    if request.method == "POST":
        form = GraphImportForm(request.POST, request.FILES, too_large=handler.too_large)
        if form.is_valid():
            uploads = {GRAPH: form.cleaned_data["graph_file"]}
            if form.cleaned_data.get("nodes_file"):
                uploads[NODES] = form.cleaned_data["nodes_file"]
            update_existing = form.cleaned_data["update_existing"]
            files = {slot: (_read_upload(upload), upload.name) for slot, upload in uploads.items()}
            report = _run_import(
                request, program, files, update_existing=update_existing, dry_run=True
            )
            token = ""
            if report.ok:
                token = pending_save(
                    request, program=program, uploads=uploads, update_existing=update_existing
                )
            return _preview(request, program, report, token=token)
    else:
        form = GraphImportForm()
    return render(
        request,
        "network/formats/import.html",
        {"program": program, "form": form, "limit": settings.TEJIDO_MAX_UPLOAD_BYTES},
        status=400 if request.method == "POST" else 200,
    )


def _read_upload(upload: Any) -> bytes:
    upload.seek(0)
    return bytes(upload.read())


def _run_import(
    request: HttpRequest,
    program: Program,
    files: dict[str, tuple[bytes, str]],
    *,
    update_existing: bool,
    dry_run: bool,
) -> ImportReport:
    data, name = files[GRAPH]
    nodes = files.get(NODES)
    try:
        fmt = detect_format(data, name)
        graph = read_graph(data, name=name, nodes=nodes[0] if nodes else None, fmt=fmt)
    except GraphFormatError as exc:
        report = ImportReport(dry_run=dry_run)
        report.sources = [name] + ([nodes[1]] if nodes else [])
        source = nodes[1] if nodes and exc.part == NODES_PART else name
        report.errors.append(RowError(source, exc.line, "", "", exc.message))
        return report
    return import_graph(
        program=program,
        graph=graph,
        source=nodes[1] if nodes else name,
        edges_source=name if nodes else None,
        file_format=fmt,
        user=request.user,
        dry_run=dry_run,
        update_existing=update_existing,
    )


@require_POST
def graph_import_confirm(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = _program_with(request, program, IMPORT_PERMS)
    token = request.POST.get("token", "")
    entry = pending_get(request, program=program_obj, token=token)
    if entry is None or GRAPH not in entry["files"]:
        messages.error(
            request, _("This preview has expired or was already used. Upload the file again.")
        )
        return redirect("network:graph_import", program=program_obj.slug)
    try:
        files = {}
        for slot in (GRAPH, NODES):
            stored = pending_read(entry, slot)
            if stored is not None:
                files[slot] = stored
        report = _run_import(
            request,
            program_obj,
            files,
            update_existing=entry["update_existing"],
            dry_run=False,
        )
    finally:
        pending_discard(request, token)
    if not report.imported:
        return _preview(request, program_obj, report, token="")
    announce_import(request, report)
    return redirect("network:graph_import", program=program_obj.slug)


@require_POST
def graph_import_cancel(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = _program_with(request, program, IMPORT_PERMS)
    pending_discard(request, request.POST.get("token", ""))
    messages.info(request, _("The import was cancelled. Nothing was imported."))
    return redirect("network:graph_import", program=program_obj.slug)


def _preview(
    request: HttpRequest, program: Program, report: ImportReport, *, token: str
) -> HttpResponse:
    return render_preview(
        request,
        program,
        report,
        token=token,
        extra={
            "upload_url": reverse("network:graph_import", args=[program.slug]),
            "confirm_url": reverse("network:graph_import_confirm", args=[program.slug]),
            "cancel_url": reverse("network:graph_import_cancel", args=[program.slug]),
            "command": "tejido network import --dry-run",
        },
    )
