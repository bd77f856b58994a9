"""Import needs from a CSV or XLSX file: every row or none.

Columns (headers in English, Spanish or Catalan; accents, case, "_" and "-" do not matter):
territory (its official code, short name or name), need (the title), description, theme,
source (diagnosis, meeting, survey, import, other; "import" when empty) and people affected.
Every row is checked first; when any row is wrong nothing is written and each problem is
reported with its line and column.

Reuses the network import's readers (`tejido.network.transfer.readers`: encodings, delimiters,
line numbers), cell helpers (`columns.cell_text`, `parse_int`, `normalize_key`) and row error
(`validation.RowError`).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tejido.core.audit import audit_log
from tejido.core.models import Program, Territory, Theme
from tejido.core.text import normalize_for_search
from tejido.network.transfer.columns import cell_text, normalize_key, parse_int
from tejido.network.transfer.readers import ZIP_SIGNATURE, FileError, read_source
from tejido.network.transfer.validation import RowError

from ..models import Need, NeedSource
from .selectors import program_area

MAX_ROWS = 5000
ERRORS_SHOWN = 200

COLUMNS: dict[str, tuple[str, ...]] = {
    "territory": (
        "territory",
        "territorio",
        "territori",
        "territory code",
        "código territorio",
        "codi territori",
        "código",
        "codi",
        "code",
        "comuna",
        "barrio",
        "lugar",
        "place",
    ),
    "title": (
        "title",
        "need",
        "necesidad",
        "necessitat",
        "título",
        "títol",
        "nombre",
        "nom",
        "problema",
        "problem",
    ),
    "description": ("description", "descripción", "descripció", "detalle", "detail"),
    "theme": ("theme", "tema", "temática", "temàtica", "ámbito", "àmbit"),
    "source": ("source", "fuente", "origen", "font", "procedencia"),
    "people_affected": (
        "people affected",
        "personas afectadas",
        "persones afectades",
        "afectados",
        "afectadas",
        "afectats",
        "people",
        "personas",
        "persones",
    ),
}
REQUIRED = ("territory", "title")
SHEET_NAMES = {normalize_key(n) for n in ("needs", "necesidades", "necessitats")}

SOURCE_WORDS: dict[str, str] = {
    **{
        normalize_key(w): NeedSource.DIAGNOSIS
        for w in ("diagnosis", "diagnóstico", "diagnòstic", "diagnostico territorial")
    },
    **{normalize_key(w): NeedSource.MEETING for w in ("meeting", "reunión", "reunió", "asamblea")},
    **{normalize_key(w): NeedSource.SURVEY for w in ("survey", "encuesta", "enquesta")},
    **{normalize_key(w): NeedSource.IMPORT for w in ("import", "importación", "importació")},
    **{normalize_key(w): NeedSource.OTHER for w in ("other", "otra", "otro", "altra", "altre")},
}


def _column_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in COLUMNS.items():
        for alias in (name, *aliases):
            index.setdefault(normalize_key(alias), name)
    return index


@dataclass
class NeedImportReport:
    check_only: bool
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> bool:
        return self.ok and not self.check_only and self.created > 0


Row = tuple[int, list[Any]]


def _workbook_rows(data: bytes, name: str) -> tuple[str, Iterator[Row]]:
    """The sheet called needs/necesidades/necessitats, or else the first with data."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileError(
            _(
                "This Excel file is damaged or is not an .xlsx workbook. Open it in your "
                "spreadsheet program and save it again as .xlsx or “CSV UTF-8”."
            )
        ) from exc
    sheets = workbook.worksheets
    chosen = next((s for s in sheets if normalize_key(s.title) in SHEET_NAMES), None)

    def rows(sheet: Any) -> Iterator[Row]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(v is not None and str(v).strip() for v in values):
                yield number, list(values)

    try:
        if chosen is None:
            for sheet in sheets:
                peek = rows(sheet)
                first = next(peek, None)
                if first is not None:
                    collected = [first, *peek]
                    return f"{name} › {sheet.title}", iter(collected)
            raise FileError(_("The workbook has no sheet with data."))
        return f"{name} › {chosen.title}", iter(list(rows(chosen)))
    finally:
        workbook.close()


def _read(data: bytes, name: str) -> tuple[str, Iterator[Row]]:
    if data.startswith(ZIP_SIGNATURE):
        return _workbook_rows(data, name)
    source = read_source(data, name=name, slot="needs")
    table = source.tables[0]
    header: Row = (table.header_line, table.headers)
    return table.source, _prepend(header, table.rows)


def _prepend(first: Row, rest: Iterator[Row]) -> Iterator[Row]:
    yield first
    yield from rest


def _add_problem(
    problems: list[tuple[str, str, str]],
    headers: Mapping[str, str],
    field_name: str,
    value: str,
    message: str,
) -> None:
    problems.append((headers.get(field_name, field_name), value, message))


_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+$")


def _people(text: str) -> int:
    """A count: "1.200", "1,200" and "1 200" are a thousand two hundred; "3.0" is 3."""
    if _THOUSANDS.match(text):
        return int(re.sub(r"\D", "", text))
    return parse_int(text)


class _References:
    """Territories of the program's area and themes, looked up by code, short name or name."""

    def __init__(self, program: Program) -> None:
        self.by_code: dict[str, list[Territory]] = {}
        self.by_name: dict[str, list[Territory]] = {}
        self.by_slug: dict[str, Territory] = {}
        for territory in program_area(program):
            if territory.code:
                self.by_code.setdefault(territory.code.strip().casefold(), []).append(territory)
            self.by_name.setdefault(normalize_key(territory.name), []).append(territory)
            self.by_slug[territory.slug.casefold()] = territory
        self.themes: dict[str, Theme] = {}
        self.theme_names: list[str] = []
        for theme in Theme.objects.order_by("name"):
            self.theme_names.append(theme.label)
            for key in (theme.slug, theme.name, theme.label, theme.transition):
                if key:
                    self.themes.setdefault(normalize_key(key), theme)

    def territory(self, text: str) -> tuple[Territory | None, str]:
        matches = self.by_code.get(text.casefold())
        if matches and len(matches) == 1:
            return matches[0], ""
        slug = self.by_slug.get(text.casefold())
        if slug is not None:
            return slug, ""
        named = self.by_name.get(normalize_key(text), [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1 or (matches and len(matches) > 1):
            options = named or matches or []
            return None, _(
                "Several territories are called “%(name)s”: write the official code or the "
                "short name of one: %(options)s."
            ) % {
                "name": text,
                "options": ", ".join(t.code or t.slug for t in options),
            }
        return None, _(
            "Unknown territory “%(name)s”: write the official code or the name of a territory "
            "of this program."
        ) % {"name": text}

    def theme(self, text: str) -> tuple[Theme | None, str]:
        theme = self.themes.get(normalize_key(text))
        if theme is not None:
            return theme, ""
        shown = ", ".join(self.theme_names[:12]) + (" …" if len(self.theme_names) > 12 else "")
        return None, _("Unknown theme “%(name)s”. Known themes: %(themes)s.") % {
            "name": text,
            "themes": shown,
        }


def import_needs(
    *,
    user: Any,
    program: Program,
    data: bytes,
    name: str,
    check_only: bool = False,
) -> NeedImportReport:
    """Check every row and, unless `check_only` or any row is wrong, write them all."""
    report = NeedImportReport(check_only=check_only)
    try:
        source, rows = _read(data, name)
        header_line, headers = next(rows)
    except FileError as error:
        report.errors.append(RowError(name, error.line, "", "", error.message))
        return report
    except StopIteration:
        report.errors.append(RowError(name, None, "", "", _("The file is empty.")))
        return report

    index = _column_index()
    columns: dict[str, int] = {}
    for position, header in enumerate(headers):
        field_name = index.get(normalize_key(cell_text(header)))
        if field_name is None:
            continue
        if field_name in columns:
            report.errors.append(
                RowError(
                    source,
                    header_line,
                    cell_text(header),
                    "",
                    _("Two columns mean the same thing; keep one of them."),
                )
            )
            continue
        columns[field_name] = position
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        names = {"territory": _("Territory"), "title": _("Need")}
        for field_name in missing:
            report.errors.append(
                RowError(
                    source,
                    header_line,
                    str(names[field_name]),
                    "",
                    _("The file has no “%(column)s” column (a header in the first row).")
                    % {"column": names[field_name]},
                )
            )
    if report.errors:
        return report

    references = _References(program)
    existing = {
        (territory_id, normalize_for_search(title))
        for territory_id, title in Need.objects.filter(program=program).values_list(
            "territory_id", "title"
        )
    }
    seen: dict[tuple[int, str], int] = {}
    planned: list[Need] = []
    headers_text = {f: cell_text(headers[i]) for f, i in columns.items()}

    def cell(values: list[Any], field_name: str) -> str:
        position = columns.get(field_name)
        if position is None or position >= len(values):
            return ""
        return cell_text(values[position])

    for line, values in rows:
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.errors.append(
                RowError(
                    source,
                    line,
                    "",
                    "",
                    _("A file may hold at most %(max)s needs: split it into smaller files.")
                    % {"max": MAX_ROWS},
                )
            )
            break
        problems: list[tuple[str, str, str]] = []
        problem = functools.partial(_add_problem, problems, headers_text)

        title = " ".join(cell(values, "title").split())
        if not title:
            problem("title", "", _("Write the need."))
        elif len(title) > 200:
            problem("title", title[:40] + "…", _("Keep the need under 200 characters."))
        territory: Territory | None = None
        raw_territory = cell(values, "territory")
        if not raw_territory:
            problem("territory", "", _("Write the territory of the need."))
        else:
            territory, message = references.territory(raw_territory)
            if message:
                problem("territory", raw_territory, message)
        theme: Theme | None = None
        raw_theme = cell(values, "theme")
        if raw_theme:
            theme, message = references.theme(raw_theme)
            if message:
                problem("theme", raw_theme, message)
        raw_source = cell(values, "source")
        source_value = NeedSource.IMPORT.value
        if raw_source:
            found_source = SOURCE_WORDS.get(normalize_key(raw_source))
            if found_source is None:
                problem(
                    "source",
                    raw_source,
                    _("Unknown source “%(value)s”: write %(choices)s.")
                    % {
                        "value": raw_source,
                        "choices": ", ".join(str(label) for label in NeedSource.labels),
                    },
                )
            else:
                source_value = found_source
        people: int | None = None
        raw_people = cell(values, "people_affected")
        if raw_people:
            try:
                people = _people(raw_people)
                if not 0 <= people <= 2_147_483_647:
                    raise ValueError(people)
            except ValueError:
                problem(
                    "people_affected",
                    raw_people,
                    _("Write the number of people affected as a whole number, 0 or more."),
                )
        description = cell(values, "description")
        if len(description) > 5000:
            problem("description", "", _("Keep the description under 5,000 characters."))
        if territory is not None and title:
            key = (territory.pk, normalize_for_search(title))
            if key in existing:
                problem(
                    "title",
                    title,
                    _("This need is already in the register for %(territory)s.")
                    % {"territory": territory.name},
                )
            elif key in seen:
                problem(
                    "title",
                    title,
                    _("The same need for the same territory is on line %(line)s too.")
                    % {"line": seen[key]},
                )
            else:
                seen[key] = line
        if problems:
            for column, value, message in problems:
                if len(report.errors) < ERRORS_SHOWN:
                    report.errors.append(RowError(source, line, column, value, message))
            continue
        assert territory is not None
        planned.append(
            Need(
                program=program,
                territory=territory,
                theme=theme,
                title=title,
                description=description,
                source=source_value,
                people_affected=people,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
        )
    if not report.errors and not planned:
        report.errors.append(RowError(source, None, "", "", _("The file has no needs in it.")))
    if report.errors:
        return report
    report.preview = [
        {
            "title": need.title,
            "territory": need.territory.name,
            "theme": need.theme.label if need.theme else "",
            "source": need.get_source_display(),
            "people_affected": need.people_affected,
        }
        for need in planned[:20]
    ]
    if check_only:
        return report
    with transaction.atomic():
        Need.objects.bulk_create(planned, batch_size=500)
        audit_log(
            user=user,
            action="governance.need_import",
            target=program,
            program=program,
            data={"file": name, "needs": len(planned)},
        )
    report.created = len(planned)
    return report
