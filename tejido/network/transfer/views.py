"""Import (upload → preview → confirm) and export pages. Coordinators only."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from tejido.core.http import program_for_request, require_perm
from tejido.core.models import Program

from .columns import ACTOR_COLUMNS, ACTORS, TIE_COLUMNS, TIES
from .exporter import (
    csv_chunks,
    export_filename,
    header_and_rows,
    record_export,
    write_xlsx,
)
from .forms import ExportForm, ImportForm
from .importer import ImportReport, import_files
from .pending import pending_discard, pending_get, pending_read, pending_save

IMPORT_PERMS = {ACTORS: "actors.import_actors", TIES: "network.import_ties"}
EXPORT_PERMS = {ACTORS: "actors.export_actors", TIES: "network.export_ties"}
# A preview lists this many errors; the command line (tejido import --dry-run) lists them all.
ERRORS_SHOWN = 1000
ACTION_LABELS = {
    "create": gettext_lazy("New"),
    "update": gettext_lazy("Update"),
    "version": gettext_lazy("New version"),
    "unchanged": gettext_lazy("Unchanged"),
}


class SizeLimitHandler(FileUploadHandler):
    """Skips an uploaded file as soon as it passes the limit, before it reaches the disk.

    The rest of the request is still read, so the page can say why instead of the browser
    reporting a broken connection.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.request_length = 0
        self.too_large: dict[str, tuple[str, int]] = {}

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *args: Any) -> None:
        self.request_length = content_length  # the best guess of the file's size we will have

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            size = max(self.request_length, start + len(raw_data))
            self.too_large[self.field_name] = (self.file_name or "", size)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _rights(request: HttpRequest, program: Program, perms: dict[str, str]) -> dict[str, bool]:
    return {kind: request.user.has_perm(perm, program) for kind, perm in perms.items()}


def _program_with(request: HttpRequest, slug: str, perms: dict[str, str]) -> Program:
    program = program_for_request(request, slug)
    if not any(_rights(request, program, perms).values()):
        require_perm(request, next(iter(perms.values())), program)  # raises
    return program


# --- import ------------------------------------------------------------------------------


@csrf_exempt
def import_start(request: HttpRequest, program: str) -> HttpResponse:
    """Upload form; a POST checks the files (a dry run) and shows the preview."""
    handler = SizeLimitHandler(request, settings.TEJIDO_MAX_UPLOAD_BYTES)
    # Must be in place before anything reads the request body (the CSRF check does, hence
    # csrf_exempt here and csrf_protect on the view that follows).
    request.upload_handlers.insert(0, handler)
    return _import_start(request, program, handler)


@csrf_protect
def _import_start(request: HttpRequest, slug: str, handler: SizeLimitHandler) -> HttpResponse:
    program = _program_with(request, slug, IMPORT_PERMS)
    rights = _rights(request, program, IMPORT_PERMS)
    if request.method == "POST":
        form = ImportForm(
            request.POST, request.FILES, too_large=handler.too_large, can_import=rights
        )
        if form.is_valid():
            uploads = {
                slot: form.cleaned_data[f"{slot}_file"]
                for slot in (ACTORS, TIES)
                if form.cleaned_data.get(f"{slot}_file")
            }
            update_existing = form.cleaned_data["update_existing"]
            report = import_files(
                program=program,
                actors_file=uploads.get(ACTORS),
                ties_file=uploads.get(TIES),
                actors_name=uploads[ACTORS].name if ACTORS in uploads else None,
                ties_name=uploads[TIES].name if TIES in uploads else None,
                user=request.user,
                dry_run=True,
                update_existing=update_existing,
                max_bytes=settings.TEJIDO_MAX_UPLOAD_BYTES,
            )
            token = ""
            if report.ok:
                token = pending_save(
                    request, program=program, uploads=uploads, update_existing=update_existing
                )
            return _preview(request, program, report, token=token)
    else:
        form = ImportForm(can_import=rights)
    return render(
        request,
        "network/transfer/import.html",
        {
            "program": program,
            "form": form,
            "rights": rights,
            "limit": settings.TEJIDO_MAX_UPLOAD_BYTES,
            "actor_columns": _column_help(ACTOR_COLUMNS),
            "tie_columns": _column_help(TIE_COLUMNS),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def import_confirm(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = _program_with(request, program, IMPORT_PERMS)
    token = request.POST.get("token", "")
    entry = pending_get(request, program=program_obj, token=token)
    if entry is None:
        messages.error(
            request, _("This preview has expired or was already used. Upload the file again.")
        )
        return redirect("network:import", program=program_obj.slug)
    rights = _rights(request, program_obj, IMPORT_PERMS)
    files = {slot: pending_read(entry, slot) for slot in (ACTORS, TIES)}
    try:
        if any(files[slot] is not None and not rights[slot] for slot in files):
            require_perm(request, IMPORT_PERMS[ACTORS], program_obj)  # rights changed: refuse
        actors, ties = files[ACTORS], files[TIES]
        report = import_files(
            program=program_obj,
            actors_file=actors[0] if actors else None,
            actors_name=actors[1] if actors else None,
            ties_file=ties[0] if ties else None,
            ties_name=ties[1] if ties else None,
            user=request.user,
            update_existing=entry["update_existing"],
        )
    finally:
        pending_discard(request, token)
    if not report.imported:
        # The program changed since the preview (someone added one of the actors, say).
        return _preview(request, program_obj, report, token="")
    announce_import(request, report)
    return redirect("network:import", program=program_obj.slug)


@require_POST
def import_cancel(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = _program_with(request, program, IMPORT_PERMS)
    pending_discard(request, request.POST.get("token", ""))
    messages.info(request, _("The import was cancelled. Nothing was imported."))
    return redirect("network:import", program=program_obj.slug)


def announce_import(request: HttpRequest, report: ImportReport) -> None:
    messages.success(
        request,
        _(
            "Import finished: %(actors_created)s actors created and %(actors_updated)s updated; "
            "%(ties_created)s ties created and %(ties_updated)s updated with a new version."
        )
        % report.counts(),
    )


def _preview(
    request: HttpRequest, program: Program, report: ImportReport, *, token: str
) -> HttpResponse:
    return render_preview(request, program, report, token=token)


def render_preview(
    request: HttpRequest,
    program: Program,
    report: ImportReport,
    *,
    token: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The check of an import before it is confirmed: every error, and what would change.
    `extra` gives the page other upload, confirm and cancel addresses (the graph import)."""
    errors = sorted(report.errors, key=lambda e: (e.source, e.line or 0))
    for row in (*report.preview_actors, *report.preview_ties):
        row["action_label"] = ACTION_LABELS.get(row["action"], row["action"])
    return render(
        request,
        "network/transfer/preview.html",
        {
            "program": program,
            "report": report,
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "token": token,
            **(extra or {}),
        },
        status=200 if report.ok else 422,
    )


@require_GET
def import_template(request: HttpRequest, program: str, what: str) -> HttpResponseBase:
    """An example file to start from, with every column the import knows."""
    _program_with(request, program, IMPORT_PERMS)
    if what == ACTORS:
        header: list[str] = [c.field for c in ACTOR_COLUMNS if c.field != "type"]
        rows = [
            {
                "id": "1",
                "name": "Junta de Vecinos Villa Esperanza",
                "kind": "organization",
                "sector": "community",
                "legal_form": "Junta de vecinos",
                "themes": "social; democratic",
                "founded_year": "1998",
                "power": "3",
                "interest": "5",
                "stance": "champion",
            },
            {
                "id": "2",
                "name": "Centro de Salud Familiar Norte",
                "kind": "organization",
                "sector": "public",
                "size": "50-249",
                "themes": "social",
            },
        ]
    elif what == TIES:
        header = [c.field for c in TIE_COLUMNS if c.field not in ("from_id", "to_id")]
        rows = [
            {
                "from": "Junta de Vecinos Villa Esperanza",
                "to": "Centro de Salud Familiar Norte",
                "type": "collaboration",
                "directed": "no",
                "intensity": "2",
                "trust": "4",
                "started_on": "2024-03-01",
                "note": "Operativo de salud en la sede vecinal",
            }
        ]
    else:
        return HttpResponse(status=404)
    response = StreamingHttpResponse(
        csv_chunks(header, ([row.get(h, "") for h in header] for row in rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="tejido-{what}-template.csv"'
    return response


def _column_help(columns: Any) -> list[dict[str, Any]]:
    return [{"field": c.field, "aliases": c.aliases} for c in columns]


# --- export ------------------------------------------------------------------------------


@require_GET
def export(request: HttpRequest, program: str) -> HttpResponseBase:
    """The export form; submitted (GET, so the file is a plain download), the file itself."""
    program_obj = _program_with(request, program, EXPORT_PERMS)
    rights = _rights(request, program_obj, EXPORT_PERMS)
    form = ExportForm(request.GET or None, can_export=rights)
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "network/transfer/export.html",
            {"program": program_obj, "form": form, "rights": rights},
            status=400 if form.is_bound else 200,
        )
    what = form.cleaned_data["what"]
    file_format = form.cleaned_data["file_format"]
    history = form.cleaned_data["history"]
    record_export(
        user=request.user, program=program_obj, what=what, file_format=file_format, history=history
    )
    kinds = [ACTORS, TIES] if what == ExportForm.ALL else [what]
    if file_format == "csv":
        header, rows = header_and_rows(program_obj, what, history=history)
        response = StreamingHttpResponse(
            csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
        )
        name = export_filename(program_obj, what, "csv", history=history)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # openpyxl writes the workbook to a temporary file (write-only mode keeps memory flat).
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    write_xlsx(
        out,
        [(kind, *header_and_rows(program_obj, kind, history=history)) for kind in kinds],
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=export_filename(program_obj, what, "xlsx", history=history),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
