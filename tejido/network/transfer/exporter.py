"""Export the actor registry and the ties of a program as CSV or XLSX.

Exports use codes, not translated labels (a file made in Spanish reads the same in Catalan),
ISO dates, and the column names of the import format, so an export imports back cleanly into
another program. Rows are read in chunks by primary key, a few queries per thousand rows,
and streamed: a program of 500,000 ties is never held in memory.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.utils import timezone

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Program
from tejido.network.models import Tie

from .columns import ACTORS, FORMULA_START, TIES

ACTOR_HEADER = (
    "id",
    "name",
    "kind",
    "sector",
    "legal_form",
    "description",
    "territory",
    "territories_served",
    "themes",
    "email",
    "phone",
    "website",
    "address",
    "size",
    "founded_year",
    "power",
    "interest",
    "stance",
)
TIE_HEADER = (
    "id",
    "from_id",
    "from",
    "to_id",
    "to",
    "type",
    "directed",
    "intensity",
    "trust",
    "value",
    "since",
    "until",
    "note",
    "provenance",
    "cycle",
    "recorded_at",
)
TIE_HISTORY_HEADER = (*TIE_HEADER, "previous_id", "superseded_at", "current")

CHUNK = 2000
LIST_SEPARATOR = "; "


def actor_rows(program: Program) -> Iterator[list[Any]]:
    """One row per actor of the program, in the order of ACTOR_HEADER."""
    through_themes = Actor.themes.through
    through_served = Actor.territories_served.through
    last = 0
    while True:
        chunk = list(
            Actor.objects.filter(program=program, pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "name",
                "kind",
                "sector",
                "legal_form",
                "description",
                "territory__slug",
                "email",
                "phone",
                "website",
                "address",
                "size",
                "founded_year",
                "power",
                "interest",
                "stance",
            )[:CHUNK]
        )
        if not chunk:
            return
        ids = [row[0] for row in chunk]
        themes: dict[int, list[str]] = defaultdict(list)
        for actor_id, slug in (
            through_themes.objects.filter(actor_id__in=ids)
            .order_by("theme__slug")
            .values_list("actor_id", "theme__slug")
        ):
            themes[actor_id].append(slug)
        served: dict[int, list[str]] = defaultdict(list)
        for actor_id, slug in (
            through_served.objects.filter(actor_id__in=ids)
            .order_by("territory__slug")
            .values_list("actor_id", "territory__slug")
        ):
            served[actor_id].append(slug)
        for pk, *rest in chunk:
            fields = rest[:6]  # name … territory
            contact = rest[6:]  # email … stance
            yield [
                pk,
                *fields,
                LIST_SEPARATOR.join(served.get(pk, ())),
                LIST_SEPARATOR.join(themes.get(pk, ())),
                *contact,
            ]
        last = ids[-1]


def tie_rows(program: Program, *, history: bool = False) -> Iterator[list[Any]]:
    """Current ties (the latest version of each, ended ones included), or every version."""
    queryset = Tie.objects.filter(program=program)
    if not history:
        queryset = queryset.current()
    fields = [
        "pk",
        "source_id",
        "source__name",
        "target_id",
        "target__name",
        "tie_type",
        "directed",
        "intensity",
        "trust",
        "value",
        "started_on",
        "ended_on",
        "note",
        "provenance",
        "cycle__number",
        "recorded_at",
    ]
    if history:
        fields += ["previous_id", "superseded_at"]
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*fields)[:CHUNK])
        if not chunk:
            return
        for row in chunk:
            values = list(row)
            if history:
                values.append(row[-1] is None)
            yield values
        last = chunk[-1][0]


def header_and_rows(
    program: Program, what: str, *, history: bool = False
) -> tuple[Sequence[str], Iterator[list[Any]]]:
    if what == ACTORS:
        return ACTOR_HEADER, actor_rows(program)
    if what == TIES:
        return (TIE_HISTORY_HEADER if history else TIE_HEADER), tie_rows(program, history=history)
    raise ValueError(what)


# --- cell values -------------------------------------------------------------------------


def _text_value(value: Any) -> Any:
    """A value as the file shows it: ISO dates, yes/no, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def csv_value(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (the import
    takes it off again): names and notes come from many hands, and exports are opened in
    Excel."""
    value = _text_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in pieces of a few hundred rows, with a byte-order mark so that Excel reads
    it as UTF-8."""
    writer = csv.writer(_Echo())
    buffer = ["\ufeff", writer.writerow(header)]
    for row in rows:
        buffer.append(writer.writerow([csv_value(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    for chunk in csv_chunks(header, rows):
        out.write(chunk)


def write_xlsx(
    out: IO[bytes], tables: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """A workbook with one sheet per (title, header, rows), written row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in tables:
        sheet = workbook.create_sheet(title=title)
        sheet.freeze_panes = "A2"
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            values: list[Any] = []
            for value in row:
                if isinstance(value, bool):
                    value = "yes" if value else "no"
                elif isinstance(value, datetime.datetime):
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif isinstance(value, str) and value:
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    if value[0] in "=#":
                        # Stored as text, never as a formula or an error code.
                        cell = WriteOnlyCell(sheet, value=value)
                        cell.data_type = "s"
                        value = cell
                values.append(value)
            sheet.append(values)
    workbook.save(out)


def record_export(
    *, user: Any, program: Program, what: str, file_format: str, history: bool
) -> None:
    """Exports carry contact details: who took them, and when, goes to the audit trail."""
    audit_log(
        user=user,
        action="network.export",
        target=program,
        program=program,
        data={"what": what, "format": file_format, "history": history},
    )


def export_filename(program: Program, what: str, file_format: str, *, history: bool) -> str:
    suffix = "-history" if history and what == TIES else ""
    return f"{program.slug}-{what}{suffix}-{timezone.localdate().isoformat()}.{file_format}"
