"""Turn an uploaded CSV or XLSX file into tables of cells, with the line number of every row.

The format is recognized from the content, not the file name: an XLSX workbook is a zip file,
an old .xls file starts with the OLE signature, and anything else is read as delimited text.
Problems that stop the whole file (not UTF-8, damaged workbook, empty file) raise `FileError`
with a message for the user and, where it helps, the line at fault.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .columns import ACTOR_SHEETS, ACTORS, TIE_SHEETS, TIES, field_for_header, normalize_key

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t")

# csv refuses fields longer than 128 KB by default; a long description is still far shorter.
csv.field_size_limit(10 * 1024 * 1024)


class FileError(Exception):
    """The file cannot be read at all. `line` points at the fault when it is known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


Row = tuple[int, list[Any]]


@dataclass
class Table:
    """One table of a file: a CSV file, or one sheet of a workbook."""

    kind: str  # ACTORS or TIES
    source: str  # what to call it in messages: "actors.csv", "book.xlsx › Elements"
    headers: list[Any]
    header_line: int
    rows: Iterator[Row]


@dataclass
class Source:
    name: str
    tables: list[Table] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._closers:
            closer()
        self._closers.clear()


def read_source(data: bytes, *, name: str, slot: str) -> Source:
    """Read `data` (the whole file) into tables. `slot` (ACTORS or TIES) is what the user said
    the file holds; the headers and sheet names decide when they say otherwise."""
    if not data.strip():
        raise FileError(_("The file is empty."))
    if is_workbook(data, name=name):
        return _read_workbook(data, name=name, slot=slot)
    return _read_csv(data, name=name, slot=slot)


def is_workbook(data: bytes, *, name: str) -> bool:
    """Whether `data` is an .xlsx workbook (else it is read as text). Old .xls files and files
    named .xlsx that are not workbooks are refused with what to do about it."""
    if data.startswith(ZIP_SIGNATURE):
        return True
    if data.startswith(OLE_SIGNATURE):
        raise FileError(
            _(
                "Old Excel files (.xls) cannot be read. Save the file as an Excel workbook "
                "(.xlsx) or as “CSV UTF-8” and upload it again."
            )
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileError(
            _(
                "This file is named like an Excel workbook but is not one (it may be damaged). "
                "Open it in your spreadsheet program and save it again as .xlsx or “CSV UTF-8”."
            )
        )
    return False


# --- CSV ---------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or UTF-16 with a BOM; binary data
    and other encodings are refused with the line of the first fault."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" is UTF-16 with a byte-order mark: unambiguous, so accept it.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileError(_("The file is damaged: it is not valid UTF-16 text.")) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(
            _(
                "The file is not UTF-8 (the first wrong character is on line %(line)s). In "
                "your spreadsheet program choose “Save as” › “CSV UTF-8” and upload it again."
            )
            % {"line": line},
            line=line,
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileError(
            _("This is not a text file (it contains binary data on line %(line)s).")
            % {"line": line},
            line=line,
        )
    return text


def _first_line(text: str) -> str:
    """The first line with something on it (without splitting a 50 MB text into lines)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end].strip("\r")
        if line.strip():
            return line
        start = end + 1
    return ""


def _sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header into the most columns (comma when tied)."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([first_line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_csv(data: bytes, *, name: str, slot: str) -> Source:
    text = decode_text(data)
    delimiter = _sniff_delimiter(_first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _csv_rows(reader)
    try:
        header_line, headers = next(rows)
    except StopIteration as exc:
        raise FileError(_("The file is empty.")) from exc
    source = Source(name=name)
    source.tables.append(
        Table(
            kind=_kind_from_headers(headers, slot),
            source=name,
            headers=headers,
            header_line=header_line,
            rows=rows,
        )
    )
    return source


def _csv_rows(reader: Any) -> Iterator[Row]:
    """Non-blank records with the line they start on (a quoted cell may span several lines)."""
    last_line = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileError(
                _("The file cannot be read as CSV near line %(line)s: %(error)s")
                % {"line": reader.line_num, "error": exc},
                line=reader.line_num,
            ) from exc
        start, last_line = last_line + 1, reader.line_num
        if any(cell.strip() for cell in record):
            yield start, record


# --- XLSX --------------------------------------------------------------------------------


def _read_workbook(data: bytes, *, name: str, slot: str) -> Source:
    import openpyxl  # imported here: only workbooks need it, and it is slow to load

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileError(
            _(
                "This Excel file is damaged or is not an .xlsx workbook. Open it in your "
                "spreadsheet program and save it again as .xlsx or “CSV UTF-8”."
            )
        ) from exc
    except Exception as exc:  # openpyxl raises a zoo of parser errors on broken XML
        raise FileError(
            _("This Excel file cannot be read (%(error)s). Save it again as .xlsx or CSV UTF-8.")
            % {"error": type(exc).__name__}
        ) from exc
    source = Source(name=name, _closers=[workbook.close])
    try:
        sheets = []
        for sheet in workbook.worksheets:
            title = sheet.title
            if "(ignore)" in title.lower():  # Kumu's convention for sheets to leave out
                continue
            rows = _sheet_rows(sheet)
            first = next(rows, None)
            if first is None:
                continue
            sheets.append((title, first, rows))
        named = {
            ACTORS: [s for s in sheets if normalize_key(s[0]) in ACTOR_SHEETS],
            TIES: [s for s in sheets if normalize_key(s[0]) in TIE_SHEETS],
        }
        if named[ACTORS] or named[TIES]:
            chosen = [(ACTORS, s) for s in named[ACTORS]] + [(TIES, s) for s in named[TIES]]
        elif len(sheets) == 1:
            chosen = [(_kind_from_headers(sheets[0][1][1], slot), sheets[0])]
        else:
            chosen = [(_kind_from_headers(s[1][1], None), s) for s in sheets]
            chosen = [(kind, s) for kind, s in chosen if kind]
        used = {s[0] for _kind, s in chosen}
        for title, _first, _rows in sheets:
            if title not in used:
                source.notices.append(
                    _("The sheet “%(sheet)s” was left out: it is neither actors nor ties.")
                    % {"sheet": title}
                )
        for kind, (title, (header_line, headers), rows) in chosen:
            source.tables.append(
                Table(
                    kind=kind,
                    source=f"{name} › {title}",
                    headers=headers,
                    header_line=header_line,
                    rows=rows,
                )
            )
    except Exception:
        source.close()
        raise
    if not source.tables:
        source.close()
        raise FileError(_("The workbook has no sheet with data."))
    return source


def _sheet_rows(sheet: Any) -> Iterator[Row]:
    # Read-only sheets yield every row from the first, blank ones included, so counting from
    # 1 gives the row number the user sees in the spreadsheet.
    try:
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            if any(v is not None and str(v).strip() for v in values):
                yield number, list(values)
    except Exception as exc:
        raise FileError(
            _("This Excel file is damaged and cannot be read to the end. Save it again.")
        ) from exc


def _kind_from_headers(headers: list[Any], slot: str | None) -> str:
    """Ties have From and To columns; actors have a name. `slot` breaks the tie (or decides
    for a table that has neither, so that its missing columns are reported for what the user
    meant it to be)."""
    tie_fields = {field_for_header(TIES, h) for h in headers}
    actor_fields = {field_for_header(ACTORS, h) for h in headers}
    looks_like_ties = bool({"from", "to"} & tie_fields)
    looks_like_actors = "name" in actor_fields
    if looks_like_ties and not looks_like_actors:
        return TIES
    if looks_like_actors and not looks_like_ties:
        return ACTORS
    return slot or ""
