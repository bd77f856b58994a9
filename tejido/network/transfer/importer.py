"""Import actors and ties from CSV or XLSX files: all rows or none.

`import_files` reads the files, checks every row (`validation.Validator`) and, unless it is a
dry run or some row is wrong, writes everything in one transaction. Writes go in batches
(`bulk_create`), never one query per row: an import of 100,000 actors and 500,000 ties has to
finish in under a minute on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Program
from tejido.core.text import normalize_for_search
from tejido.network.models import Provenance, Tie

from .bulk import adapt_date, adapt_datetime, insert_rows, insert_rows_returning_pks
from .columns import ACTORS, TIES
from .readers import FileError, Source, Table, read_source
from .validation import ACTOR_VALUE_FIELDS, Plan, RowError, Validator

FileInput = str | Path | bytes | IO[bytes]

logger = logging.getLogger(__name__)

ACTOR_BATCH = 2000
TIE_BATCH = 5000


@dataclass
class ImportReport:
    """What an import found and did. `errors` empty and `imported` true: it was written."""

    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    actors_created: int = 0
    actors_updated: int = 0
    ties_created: int = 0
    ties_updated: int = 0
    ties_unchanged: int = 0
    preview_actors: list[dict[str, Any]] = field(default_factory=list)
    preview_ties: list[dict[str, Any]] = field(default_factory=list)
    imported: bool = False
    seconds: float = 0.0
    # Seconds spent in each phase (read, check, actors, ties, commit), for benchmarks.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "actors_created": self.actors_created,
            "actors_updated": self.actors_updated,
            "ties_created": self.ties_created,
            "ties_updated": self.ties_updated,
            "ties_unchanged": self.ties_unchanged,
        }


def import_files(
    *,
    program: Program,
    actors_file: FileInput | None = None,
    ties_file: FileInput | None = None,
    user: Any = None,
    dry_run: bool = False,
    update_existing: bool = False,
    max_bytes: int | None = None,
    actors_name: str | None = None,
    ties_name: str | None = None,
) -> ImportReport:
    """Check, and unless `dry_run` or any error, import actors and ties into `program`.

    Files are paths, bytes or binary file objects, CSV (UTF-8) or XLSX; a workbook may hold
    both tables as sheets. With `update_existing`, a row naming an actor already in the program
    (same name and kind) updates it instead of being refused as a duplicate. Ties between
    actors that already have a current tie of the same type write a new version of that tie.
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    sources: list[Source] = []
    try:
        with _timed(report.timings, "read"):
            tables = _open_tables(
                report,
                sources,
                [(actors_file, actors_name, ACTORS), (ties_file, ties_name, TIES)],
                max_bytes,
            )
        if report.errors:
            return report
        if not tables:
            report.errors.append(RowError("", None, "", "", _("Choose a file to import.")))
            return report
        if dry_run:
            with _timed(report.timings, "check"):
                check_tables(report, tables, program=program, update_existing=update_existing)
        else:
            try:
                commit = _Stopwatch()
                with commit, transaction.atomic():
                    with _timed(report.timings, "check"):
                        validator = check_tables(
                            report, tables, program=program, update_existing=update_existing
                        )
                    if report.errors:
                        return report
                    write_plan(validator, program=program, user=user, timings=report.timings)
                    audit_log(
                        user=user,
                        action="network.import",
                        target=program,
                        program=program,
                        data={**report.counts(), "files": report.sources},
                    )
                    report.imported = True
                    commit.start()
                report.timings["commit"] = commit.seconds
                if report.imported:
                    _refresh_planner_statistics()
            except (IntegrityError, DataError):
                # Someone recorded a tie in the program while we were writing (or a value
                # slipped past the checks): the transaction is rolled back, nothing is kept.
                logger.exception("import into %s rolled back", program.slug)
                report.errors.append(
                    RowError(
                        "",
                        None,
                        "",
                        "",
                        _(
                            "The database refused the import, so nothing was imported: the "
                            "program probably changed meanwhile. Try again; if it happens "
                            "again, tell an administrator."
                        ),
                    )
                )
                report.imported = False
        return report
    finally:
        for source in sources:
            source.close()
        report.seconds = time.perf_counter() - started


def check_tables(
    report: ImportReport, tables: dict[str, Table], *, program: Program, update_existing: bool
) -> Validator:
    """Validate the actors table, then the ties table (each when present, keyed by kind), and
    put the errors, notices and counts of the plan in `report`. Writes nothing."""
    validator = Validator(program=program, update_existing=update_existing)
    for kind, validate in ((ACTORS, validator.validate_actors), (TIES, validator.validate_ties)):
        if kind not in tables:
            continue
        try:
            validate(tables[kind])
        except FileError as exc:  # a row the CSV or XLSX reader could not read at all
            validator.errors.append(RowError(tables[kind].source, exc.line, "", "", exc.message))
    plan = validator.plan
    report.errors.extend(validator.errors)
    report.notices.extend(validator.notices)
    report.actors_created = len(plan.new_actors)
    report.actors_updated = len(plan.actor_updates)
    report.ties_created = len(plan.new_ties)
    report.ties_updated = len(plan.tie_versions)
    report.ties_unchanged = plan.ties_unchanged
    report.preview_actors = plan.preview_actors
    report.preview_ties = plan.preview_ties
    return validator


def _open_tables(
    report: ImportReport,
    sources: list[Source],
    files: Sequence[tuple[FileInput | None, str | None, str]],
    max_bytes: int | None,
) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for file, name, slot in files:
        if file is None:
            continue
        name = name or _name_of(file, slot)
        try:
            data = _read_bytes(file, max_bytes)
            source = read_source(data, name=name, slot=slot)
        except FileError as exc:
            report.errors.append(RowError(name, exc.line, "", "", exc.message))
            continue
        sources.append(source)
        report.sources.append(name)
        report.notices.extend(source.notices)
        for table in source.tables:
            if not table.kind:
                report.errors.append(
                    RowError(
                        table.source,
                        table.header_line,
                        "",
                        "",
                        _(
                            "Tejido cannot tell whether this table holds actors or ties: actors "
                            "need a name column, ties From and To columns."
                        ),
                    )
                )
            elif table.kind in tables:
                report.errors.append(
                    RowError(
                        table.source,
                        table.header_line,
                        "",
                        "",
                        _(
                            "%(kind)s come from two places (%(first)s and %(second)s): import "
                            "one of them."
                        )
                        % {
                            "kind": _("Actors") if table.kind == ACTORS else _("Ties"),
                            "first": tables[table.kind].source,
                            "second": table.source,
                        },
                    )
                )
            else:
                tables[table.kind] = table
    return tables


def _name_of(file: FileInput, slot: str) -> str:
    if isinstance(file, str | Path):
        return Path(file).name
    name = getattr(file, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else slot


def _read_bytes(file: FileInput, max_bytes: int | None) -> bytes:
    if isinstance(file, bytes):
        data = file
    elif isinstance(file, str | Path):
        path = Path(file)
        if not path.is_file():
            raise FileError(_("There is no file at %(path)s.") % {"path": path})
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise FileError(too_large_message(path.stat().st_size, max_bytes))
        data = path.read_bytes()
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise FileError(too_large_message(len(data), max_bytes))
    return data


def too_large_message(size: int, limit: int) -> str:
    return _(
        "The file is larger than %(limit)s, the most that can be imported here (it is "
        "%(size)s). Split it into smaller files, or ask an administrator to import it with "
        "the “tejido import” command."
    ) % {"limit": _megabytes(limit), "size": _megabytes(size)}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- writing -------------------------------------------------------------------------------


def write_plan(
    validator: Validator, *, program: Program, user: Any, timings: dict[str, float] | None = None
) -> None:
    """Write a checked plan. Runs inside the caller's transaction."""
    plan = validator.plan
    timings = {} if timings is None else timings
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    with _timed(timings, "actors"):
        new_pks = _create_actors(plan, program=program, user_id=user_id, now=now)
        _update_actors(plan, now=now)
    with _timed(timings, "ties"):
        _version_ties(plan, now=now, user_id=user_id)
        _create_ties(plan, validator, new_pks, program=program, now=now, user_id=user_id)


@contextlib.contextmanager
def _timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[phase] = round(timings.get(phase, 0.0) + time.perf_counter() - started, 3)


class _Stopwatch:
    """Measures from `start()` to the end of the `with` block (the commit of a transaction)."""

    def __init__(self) -> None:
        self._started: float | None = None
        self.seconds = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()

    def __enter__(self) -> _Stopwatch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started is not None:
            self.seconds = round(time.perf_counter() - self._started, 3)


def _create_actors(
    plan: Plan, *, program: Program, user_id: int | None, now: datetime.datetime
) -> list[int]:
    stamp = adapt_datetime(now)
    name_at = ACTOR_VALUE_FIELDS.index("name")
    legal_form_at = ACTOR_VALUE_FIELDS.index("legal_form")
    description_at = ACTOR_VALUE_FIELDS.index("description")
    rows = [
        (
            program.pk,
            user_id,
            normalize_for_search(values[name_at], values[legal_form_at], values[description_at]),
            stamp,
            stamp,
            *values,
        )
        for values in plan.new_actors
    ]
    new_pks = insert_rows_returning_pks(
        Actor,
        (
            "program_id",
            "created_by_id",
            "search_text",
            "created_at",
            "updated_at",
            *ACTOR_VALUE_FIELDS,
        ),
        rows,
    )
    del rows
    insert_rows(
        Actor.themes.through,
        ("actor_id", "theme_id"),
        ((new_pks[i], theme) for i, theme in plan.new_actor_themes),
    )
    insert_rows(
        Actor.territories_served.through,
        ("actor_id", "territory_id"),
        ((new_pks[i], territory) for i, territory in plan.new_actor_served),
    )
    return new_pks


def _update_actors(plan: Plan, *, now: datetime.datetime) -> None:
    themes_through = Actor.themes.through
    served_through = Actor.territories_served.through
    for batch in _chunks(plan.actor_updates, ACTOR_BATCH):
        actors = Actor.objects.in_bulk([u.pk for u in batch])
        changed_fields: set[str] = {"search_text", "updated_at"}
        for update in batch:
            actor = actors[update.pk]
            for name, value in update.fields.items():
                setattr(actor, name, value)
            changed_fields.update(update.fields)
            actor.search_text = normalize_for_search(
                actor.name, actor.legal_form, actor.description
            )
            actor.updated_at = now
        Actor.objects.bulk_update(list(actors.values()), sorted(changed_fields))
        with_themes = [u for u in batch if u.themes is not None]
        if with_themes:
            themes_through.objects.filter(actor_id__in=[u.pk for u in with_themes]).delete()
            insert_rows(
                themes_through,
                ("actor_id", "theme_id"),
                [(u.pk, t) for u in with_themes for t in u.themes or ()],
            )
        with_served = [u for u in batch if u.territories_served is not None]
        if with_served:
            served_through.objects.filter(actor_id__in=[u.pk for u in with_served]).delete()
            insert_rows(
                served_through,
                ("actor_id", "territory_id"),
                [(u.pk, t) for u in with_served for t in u.territories_served or ()],
            )


TIE_FIELDS = (
    "program_id",
    "source_id",
    "target_id",
    "tie_type",
    "directed",
    "intensity",
    "trust",
    "value",
    "started_on",
    "ended_on",
    "provenance",
    "cycle_id",
    "note",
    "recorded_at",
    "recorded_by_id",
    "previous_id",
)


def _version_ties(plan: Plan, *, now: datetime.datetime, user_id: int | None) -> None:
    """New versions of existing ties, as `network.services.tie_update` writes them."""
    stamp = adapt_datetime(now)
    for batch in _chunks(plan.tie_versions, TIE_BATCH):
        old = {
            row[0]: row[1:]
            for row in Tie.objects.filter(pk__in=[v[0] for v in batch]).values_list(
                "pk", "program_id", "source_id", "target_id", "tie_type", "directed", "cycle_id"
            )
        }
        # The old version stops being current first: one current version per pair and type.
        Tie.objects.filter(pk__in=list(old)).update(superseded_at=now)
        rows = []
        for old_pk, intensity, trust, value, since, until, note in batch:
            program_id, source_id, target_id, tie_type, directed, cycle_id = old[old_pk]
            rows.append(
                (
                    program_id,
                    source_id,
                    target_id,
                    tie_type,
                    directed,
                    intensity,
                    trust,
                    value,
                    adapt_date(since),
                    adapt_date(until),
                    Provenance.IMPORT.value,
                    cycle_id,
                    note,
                    stamp,
                    user_id,
                    old_pk,
                )
            )
        insert_rows(Tie, TIE_FIELDS, rows)


def _create_ties(
    plan: Plan,
    validator: Validator,
    new_pks: list[int],
    *,
    program: Program,
    now: datetime.datetime,
    user_id: int | None,
) -> None:
    today = timezone.localdate()
    stamp = adapt_datetime(now)
    provenance = Provenance.IMPORT.value
    dates: dict[datetime.date | None, tuple[Any, int | None]] = {}

    def date_and_cycle(day: datetime.date | None) -> tuple[Any, int | None]:
        # The tie belongs to the cycle running when it started (or today, if undated).
        if day not in dates:
            dates[day] = (adapt_date(day), validator.cycle_for(day or today))
        return dates[day]

    def pk_of(ref: int) -> int:
        return ref // 2 if ref % 2 == 0 else new_pks[ref // 2]

    def first_end(row: tuple[Any, ...]) -> int:
        source, target = pk_of(row[0]), pk_of(row[1])
        return source if row[3] or source < target else target

    # Rows in the order of their first actor fill the tie indexes page by page instead of
    # all over: a third faster on SQLite for half a million ties.
    plan.new_ties.sort(key=first_end)

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in plan.new_ties:
            source, target, tie_type, directed, intensity, trust, value, since, until, note = row
            source, target = pk_of(source), pk_of(target)
            if not directed and source > target:
                source, target = target, source
            since_value, cycle_id = date_and_cycle(since)
            yield (
                program.pk,
                source,
                target,
                tie_type,
                directed,
                intensity,
                trust,
                value,
                since_value,
                date_and_cycle(until)[0] if until else None,
                provenance,
                cycle_id,
                note,
                stamp,
                user_id,
                None,
            )

    insert_rows(Tie, TIE_FIELDS, rows())


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _refresh_planner_statistics() -> None:
    """Let SQLite re-analyse the tables a large import changed.

    SQLite's planner relies on statistics that nothing refreshes by itself (PostgreSQL's
    autovacuum does); without them, the map and the directory can pick a slow index after a
    big import. `PRAGMA optimize` analyses only the tables that need it.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
