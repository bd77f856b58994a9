"""Read a scorecard's values from a CSV or XLSX file into rows of cells, and parse numbers.

The file's layout: the first column names the territory (its official code or its name), then
one column per criterion, headed with the criterion's name, and optionally a column headed
"<criterion name> (evidence)" with where each value comes from. Blank cells leave the value as
it is. Numbers may use a decimal comma or a decimal point ("12,5" and "12.5" are the same); when
a number has both, the last one is the decimal separator ("1.234,5" and "1,234.5").

Problems that stop the whole file (not UTF-8, damaged workbook, empty file) raise `FileError`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tejido.network.transfer.readers import FileError, decode_text, is_workbook

DELIMITERS = (",", ";", "\t")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line or row number in the file, cells)


def read_table(data: bytes, *, name: str) -> Sheet:
    """The first table of the file: a CSV file, or the first sheet of a workbook."""
    if not data.strip():
        raise FileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileError(
            _(
                "The file is too large (more than %(size)s MB): a scorecard needs one row per"
                " territory."
            )
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    sheet = _read_workbook(data) if is_workbook(data, name=name) else _read_csv(data)
    if len(sheet.rows) > MAX_ROWS:
        raise FileError(
            _("The file has more than %(count)s rows: a scorecard needs one row per territory.")
            % {"count": MAX_ROWS}
        )
    return sheet


def _read_csv(data: bytes) -> Sheet:
    text = decode_text(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    last = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in record):
                records.append((start, record))
    except csv.Error as exc:
        raise FileError(
            _("The file cannot be read as CSV near line %(line)s.") % {"line": reader.line_num}
        ) from exc
    if not records:
        raise FileError(_("The file is empty."))
    (_line, headers), rows = records[0], records[1:]
    return Sheet(headers=[str(h).strip() for h in headers], rows=rows)


def _read_workbook(data: bytes) -> Sheet:
    import openpyxl  # imported here: only workbooks need it, and it is slow to load

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileError(
            _(
                "This Excel file is damaged or is not an .xlsx workbook. Open it in your "
                "spreadsheet program and save it again."
            )
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileError(_("The file is empty."))
        records = [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(v is not None and str(v).strip() for v in values)
        ]
    finally:
        workbook.close()
    if not records:
        raise FileError(_("The file is empty."))
    (_line, headers), rows = records[0], records[1:]
    return Sheet(headers=["" if h is None else str(h).strip() for h in headers], rows=rows)


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_number(cell: Any) -> Decimal:
    """A number from a cell or a form field; raises ValueError when it is not one."""
    if isinstance(cell, bool | datetime.date | datetime.time):
        raise ValueError(cell)
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    text = "".join(str(cell).split()).replace("\u2212", "-")  # spaces, and the minus sign
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "")
    if text.count(",") + text.count(".") > 1 or not _NUMBER.match(text):
        raise ValueError(cell)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(cell) from exc


def cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())
