"""Check every row of an import and plan the writes, without writing anything.

`Validator` reads the tables one row at a time, collects every error (line, column, value and
a translated reason) and, for the rows that are fine, keeps compact tuples of what to write.
Everything it needs from the database (territories, themes, the program's actors, its cycles
and current ties) is loaded once into dictionaries, so the checks cost no query per row.

Actors are referred to by a small integer "ref": an existing actor's id times two, or a new
actor's position in the file times two plus one. `BAD` marks a row that had errors, so that the
ties pointing at it do not repeat the error.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.core.text import normalize_for_search
from tejido.network.models import Intensity, Tie, TieType

from .columns import (
    ACTORS,
    COLUMNS,
    EXPORT_ONLY,
    FALSE_WORDS,
    REQUIRED,
    SENSITIVE_HEADERS,
    TIES,
    TRUE_WORDS,
    cell_text,
    field_for_header,
    lookup,
    normalize_key,
    parse_date,
    parse_int,
    size_from_people,
    split_list,
)
from .readers import Table

BAD = -1
PREVIEW_ROWS = 10

# The order of the values kept for each new actor (see importer.write_plan).
ACTOR_VALUE_FIELDS = (
    "kind",
    "name",
    "sector",
    "legal_form",
    "description",
    "territory_id",
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
# Columns of the actors file and the actor fields they set (for updates of existing actors).
_COLUMN_FIELDS = {
    "legal_form": "legal_form",
    "description": "description",
    "territory": "territory_id",
    "email": "email",
    "phone": "phone",
    "website": "website",
    "address": "address",
    "size": "size",
    "founded_year": "founded_year",
    "power": "power",
    "interest": "interest",
    "stance": "stance",
}
_TYPE_CODES = {code: n for n, code in enumerate(TieType.values)}

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True, slots=True)
class RowError:
    source: str
    line: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where = _("%(source)s, line %(line)s") % {"source": where, "line": self.line}
        if self.column:
            where = f"{where}, {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ActorUpdate:
    pk: int
    line: int
    fields: dict[str, Any]
    themes: list[int] | None
    territories_served: list[int] | None


@dataclass
class Plan:
    """What an import would write. Tuples, not model instances: a plan can hold 500,000 ties."""

    new_actors: list[tuple[Any, ...]] = field(default_factory=list)
    new_actor_themes: list[tuple[int, int]] = field(default_factory=list)  # (new index, theme)
    new_actor_served: list[tuple[int, int]] = field(default_factory=list)  # (new index, terr.)
    actor_updates: list[ActorUpdate] = field(default_factory=list)
    # (source ref, target ref, type, directed, intensity, trust, value, since, until, note)
    new_ties: list[tuple[Any, ...]] = field(default_factory=list)
    # (old tie id, intensity, trust, value, since, until, note)
    tie_versions: list[tuple[Any, ...]] = field(default_factory=list)
    ties_unchanged: int = 0
    preview_actors: list[dict[str, Any]] = field(default_factory=list)
    preview_ties: list[dict[str, Any]] = field(default_factory=list)


class Validator:
    def __init__(self, *, program: Program, update_existing: bool = False) -> None:
        self.program = program
        self.update_existing = update_existing
        self.errors: list[RowError] = []
        self.notices: list[str] = []
        self.plan = Plan()
        self.actor_columns: set[str] = set()
        self._load_reference_data()
        # Actors named by the actors file, for the ties: external id → ref, name → refs.
        self._file_ids: dict[str, int] = {}
        self._file_names: dict[str, list[int]] = defaultdict(list)
        self._actor_lines: dict[tuple[str, str], tuple[int, str]] = {}
        self._updated_pks: dict[int, int] = {}
        # Ties seen in the file, by packed key (see _tie_key): line of first appearance.
        self._ties_seen: dict[int, int] = {}
        self._existing_ties: dict[tuple[int, int, str], tuple[Any, ...]] | None = None
        self._resolved_sources: dict[tuple[Any, Any], tuple[int | None, str, str, str]] = {}
        self._resolved_targets: dict[tuple[Any, Any], list[tuple[int | None, str, str, str]]] = {}
        self._caches: dict[str, dict[Any, tuple[Any, str]]] = defaultdict(dict)
        self._parsers = self._make_parsers()

    # --- reference data ------------------------------------------------------------------

    def _load_reference_data(self) -> None:
        self._territory_by_slug: dict[str, int] = {}
        self._territory_by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._territory_names: dict[int, str] = {}
        for pk, slug, name in Territory.objects.values_list("pk", "slug", "name"):
            self._territory_by_slug[slug.lower()] = pk
            self._territory_by_name[normalize_key(name)].append((pk, slug))
            self._territory_names[pk] = name
        self._theme_by_key: dict[str, int] = {}
        for theme in Theme.objects.all():
            for key in (theme.slug, theme.name, theme.transition):
                if key:
                    self._theme_by_key.setdefault(normalize_key(key), theme.pk)
            self._theme_by_key.setdefault(normalize_key(theme.slug.lower()), theme.pk)
            if theme.transition:
                for code, _name in settings.LANGUAGES:
                    with translation.override(code):
                        self._theme_by_key.setdefault(normalize_key(theme.label), theme.pk)
        self._theme_slugs = sorted(Theme.objects.values_list("slug", flat=True))
        self._existing_by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._existing_by_name: dict[str, list[int]] = defaultdict(list)
        self._existing_names: dict[int, str] = {}
        for pk, name, kind in Actor.objects.filter(program=self.program).values_list(
            "pk", "name", "kind"
        ):
            key = normalize_for_search(name)
            self._existing_by_key[(key, kind)].append(pk)
            self._existing_by_name[key].append(pk)
            self._existing_names[pk] = name
        self._cycles = list(
            Cycle.objects.filter(program=self.program)
            .order_by("starts_on")
            .values_list("pk", "starts_on", "ends_on")
        )

    def _load_existing_ties(self) -> dict[tuple[int, int, str], tuple[Any, ...]]:
        if self._existing_ties is None:
            self._existing_ties = {
                (s, t, tt): (pk, intensity, trust, value, since, until, note)
                for pk, s, t, tt, intensity, trust, value, since, until, note in Tie.objects.filter(
                    program=self.program
                )
                .current()
                .values_list(
                    "pk",
                    "source_id",
                    "target_id",
                    "tie_type",
                    "intensity",
                    "trust",
                    "value",
                    "started_on",
                    "ended_on",
                    "note",
                )
            }
        return self._existing_ties

    # --- headers -------------------------------------------------------------------------

    def _map_headers(self, table: Table) -> dict[str, int] | None:
        """Column field → position; None (with file errors) if the table cannot be read."""
        kind = table.kind
        mapping: dict[str, int] = {}
        left_out: list[str] = []
        failed = False
        for position, header in enumerate(table.headers):
            text = cell_text(header)
            if not text:
                continue
            key = normalize_key(text)
            column = field_for_header(kind, text)
            if column is None:
                if key in SENSITIVE_HEADERS:
                    self.notices.append(
                        _(
                            "%(source)s: the column “%(column)s” was left out. Gender is never "
                            "imported: it needs each person's recorded consent, entered in "
                            "Tejido."
                        )
                        % {"source": table.source, "column": text}
                    )
                elif key not in EXPORT_ONLY[kind]:
                    left_out.append(text)
                continue
            if column in mapping:
                self._file_error(
                    table,
                    _(
                        "The columns “%(first)s” and “%(second)s” mean the same thing; keep "
                        "only one of them."
                    )
                    % {"first": cell_text(table.headers[mapping[column]]), "second": text},
                )
                failed = True
                continue
            mapping[column] = position
        for required in REQUIRED[kind]:
            if required not in mapping and not (kind == TIES and f"{required}_id" in mapping):
                self._file_error(table, _missing_column_message(kind, required))
                failed = True
        if (
            kind == ACTORS
            and "sector" not in mapping
            and "type" not in mapping
            and not self.update_existing  # updates keep the sector; new rows say it is missing
        ):
            self._file_error(table, _missing_column_message(kind, "sector"))
            failed = True
        if left_out:
            self.notices.append(
                _("%(source)s: these columns were left out, Tejido does not know them: %(columns)s")
                % {"source": table.source, "columns": ", ".join(f"“{c}”" for c in left_out)}
            )
        return None if failed else mapping

    def _file_error(self, table: Table, message: str) -> None:
        self.errors.append(RowError(table.source, table.header_line, "", "", message))

    # --- actors --------------------------------------------------------------------------

    def validate_actors(self, table: Table) -> None:
        mapping = self._map_headers(table)
        if mapping is None:
            return
        self.actor_columns = set(mapping)
        width = len(table.headers)
        positions = [mapping.get(name) for name in _ACTOR_COLUMN_ORDER]
        headers = {name: cell_text(table.headers[p]) for name, p in mapping.items()}
        line = 0
        for line, cells in table.rows:
            if not self._check_width(table, line, cells, width):
                continue
            size = len(cells)
            values = [cells[p] if p is not None and p < size else None for p in positions]
            self._actor_row(table.source, headers, line, values)
        if not line:
            self._file_error(table, _("The file has column names but no rows below them."))

    def _actor_row(
        self, source: str, headers: dict[str, str], line: int, values: list[Any]
    ) -> None:
        raw = dict(zip(_ACTOR_COLUMN_ORDER, values, strict=True))
        problems: list[tuple[str, Any, str]] = []
        parse = self._parse

        name = cell_text(raw["name"])
        if not name:
            problems.append(("name", "", _("The name is required.")))
        elif len(name) > 200:
            problems.append(("name", name, _("The name is longer than 200 characters.")))
        kind, message = parse("kind", raw["kind"])
        if message:
            problems.append(("kind", raw["kind"], message))
        sector, message = parse("sector", raw["sector"])
        sector_reported = bool(message)
        if message:
            problems.append(("sector", raw["sector"], message))
        typed, message = parse("type", raw["type"])
        if message:
            sector_reported = True
            problems.append(("type", raw["type"], message))
        elif typed is not None:
            # Kumu's Type holds a kind of actor or a sector; it fills whichever it names.
            which, typed_value = typed
            if which == "kind":
                if kind is not None and kind != typed_value:
                    problems.append(
                        ("type", raw["type"], _conflict_message(raw["type"], raw["kind"]))
                    )
                kind = typed_value
            else:
                if sector is not None and sector != typed_value:
                    problems.append(
                        ("type", raw["type"], _conflict_message(raw["type"], raw["sector"]))
                    )
                sector = typed_value
        kind_given = kind is not None
        kind = kind or ActorKind.ORGANIZATION.value

        fields: dict[str, Any] = {"kind": kind, "name": name, "sector": sector}
        for column, limit in (("legal_form", 120), ("phone", 40), ("address", 255)):
            text = cell_text(raw[column])
            if len(text) > limit:
                problems.append(
                    (
                        column,
                        text,
                        _("This is longer than %(limit)s characters.") % {"limit": limit},
                    )
                )
            fields[column] = text
        fields["description"] = cell_text(raw["description"])
        fields["email"] = email = cell_text(raw["email"])
        if email:
            try:
                validate_email(email)
                if len(email) > 254:
                    raise ValidationError("too long")
            except ValidationError:
                problems.append(
                    ("email", email, _("“%(value)s” is not an e-mail address.") % {"value": email})
                )
        fields["website"], message = _parse_website(raw["website"])
        if message:
            problems.append(("website", raw["website"], message))
        for column, model_field in (
            ("size", "size"),
            ("founded_year", "founded_year"),
            ("power", "power"),
            ("interest", "interest"),
            ("stance", "stance"),
            ("territory", "territory_id"),
        ):
            fields[model_field], message = parse(column, raw[column])
            if message:
                problems.append((column, raw[column], message))
        served, message = parse("territories_served", raw["territories_served"])
        if message:
            problems.append(("territories_served", raw["territories_served"], message))
        themes, message = parse("themes", raw["themes"])
        if message:
            problems.append(("themes", raw["themes"], message))

        # Identity: the same name and kind twice is a duplicate, unless the file gives the two
        # rows different ids (two people can share a name).
        ext_id = cell_text(raw["id"])
        normalized = normalize_for_search(name)
        key = (normalized, kind)
        if ext_id and ext_id in self._file_ids:
            problems.append(
                (
                    "id",
                    ext_id,
                    _("The id “%(id)s” is used on an earlier line too.") % {"id": ext_id},
                )
            )
        if name:
            earlier = self._actor_lines.get(key)
            if earlier is not None and not (ext_id and earlier[1] and ext_id != earlier[1]):
                problems.append(
                    (
                        "name",
                        name,
                        _("Duplicate row: line %(line)s already has the %(kind)s “%(name)s”.")
                        % {"line": earlier[0], "kind": _kind_word(kind), "name": name},
                    )
                )
            else:
                self._actor_lines.setdefault(key, (line, ext_id))
        update_pk = None
        existing = self._existing_by_key.get(key) if name else None
        if existing:
            if not self.update_existing:
                problems.append(
                    (
                        "name",
                        name,
                        _(
                            "The %(kind)s “%(name)s” is already in this program. Remove the "
                            "row, or choose to update existing actors."
                        )
                        % {"kind": _kind_word(kind), "name": name},
                    )
                )
            elif len(existing) > 1:
                problems.append(
                    (
                        "name",
                        name,
                        _(
                            "This program has %(count)s actors called “%(name)s”: Tejido cannot "
                            "tell which one to update. Edit them in Tejido first."
                        )
                        % {"count": len(existing), "name": name},
                    )
                )
            elif existing[0] in self._updated_pks:
                problems.append(
                    (
                        "name",
                        name,
                        _("Line %(line)s already updates “%(name)s”.")
                        % {"line": self._updated_pks[existing[0]], "name": name},
                    )
                )
            else:
                update_pk = existing[0]
        if sector is None and update_pk is None and not sector_reported:
            problems.append(
                (
                    "sector",
                    "",
                    _("The sector is required: one of %(sectors)s.")
                    % {"sectors": _choices_text(Sector)},
                )
            )

        if problems:
            self._row_errors(source, headers, line, problems)
            # Ties naming this row are not blamed again; but a row repeating an earlier
            # actor leaves the ties to that actor alone.
            repeated = normalized in self._file_names
            self._register_actor("" if repeated else normalized, ext_id, BAD)
            return

        if update_pk is not None:
            changes: dict[str, Any] = {"name": name}
            if kind_given:
                changes["kind"] = kind
            if sector is not None:
                changes["sector"] = sector
            for column, model_field in _COLUMN_FIELDS.items():
                if column in self.actor_columns:
                    changes[model_field] = fields[model_field]
            self.plan.actor_updates.append(
                ActorUpdate(
                    pk=update_pk,
                    line=line,
                    fields=changes,
                    themes=list(themes) if "themes" in self.actor_columns else None,
                    territories_served=(
                        list(served) if "territories_served" in self.actor_columns else None
                    ),
                )
            )
            self._updated_pks[update_pk] = line
            ref = update_pk * 2
            action = "update"
        else:
            index = len(self.plan.new_actors)
            self.plan.new_actors.append(tuple(fields[f] for f in ACTOR_VALUE_FIELDS))
            self.plan.new_actor_themes.extend((index, t) for t in themes)
            self.plan.new_actor_served.extend((index, t) for t in served)
            ref = index * 2 + 1
            action = "create"
        self._register_actor(normalized, ext_id, ref)
        if len(self.plan.preview_actors) < PREVIEW_ROWS:
            self.plan.preview_actors.append(
                {
                    "line": line,
                    "action": action,
                    "name": name,
                    "kind": ActorKind(kind).label,
                    "sector": Sector(sector).label if sector else "",
                    "territory": self._territory_names.get(fields["territory_id"], ""),
                }
            )

    def _register_actor(self, normalized_name: str, ext_id: str, ref: int) -> None:
        if ext_id:
            self._file_ids.setdefault(ext_id, ref)
        if normalized_name:
            self._file_names[normalized_name].append(ref)

    # --- ties ----------------------------------------------------------------------------

    def validate_ties(self, table: Table) -> None:
        mapping = self._map_headers(table)
        if mapping is None:
            return
        width = len(table.headers)
        headers = {name: cell_text(table.headers[p]) for name, p in mapping.items()}
        positions = [mapping.get(name) for name in _TIE_COLUMN_ORDER]
        line = 0
        for line, cells in table.rows:
            if not self._check_width(table, line, cells, width):
                continue
            size = len(cells)
            values = [cells[p] if p is not None and p < size else None for p in positions]
            self._tie_row(table.source, headers, line, values)
        if not line:
            self._file_error(table, _("The file has column names but no rows below them."))

    def _tie_row(
        self, source_name: str, headers: dict[str, str], line: int, values: list[Any]
    ) -> None:
        (
            raw_from,
            raw_to,
            raw_from_id,
            raw_to_id,
            raw_type,
            raw_directed,
            raw_intensity,
            raw_trust,
            raw_value,
            raw_since,
            raw_until,
            raw_note,
        ) = values
        problems: list[tuple[str, Any, str]] = []
        parse = self._parse

        source, column, shown, message = self._resolve_source(raw_from, raw_from_id)
        if message:
            problems.append((column, shown, message))
        targets = self._resolve_targets(raw_to, raw_to_id)
        for _ref, shown, column, message in targets:
            if message:
                problems.append((column, shown, message))

        def parsed(field: str, column: str, raw: Any) -> Any:
            value, message = parse(field, raw)
            if message:
                problems.append((column, raw, message))
            return value

        tie_type = parsed("tie_type", "type", raw_type)
        directed = parsed("directed", "directed", raw_directed)
        intensity = parsed("intensity", "intensity", raw_intensity)
        trust = parsed("trust", "trust", raw_trust)
        value = parsed("value", "value", raw_value)
        since = parsed("started_on", "started_on", raw_since)
        until = parsed("ended_on", "ended_on", raw_until)
        if since and until and until < since:
            problems.append(
                (
                    "ended_on",
                    raw_until,
                    _("The tie ends (%(until)s) before it starts (%(since)s).")
                    % {"until": until.isoformat(), "since": since.isoformat()},
                )
            )
        if problems or source is None or source == BAD:
            if problems:
                self._row_errors(source_name, headers, line, problems)
            return
        note = cell_text(raw_note)
        for target, target_name, _column, _message in targets:
            if target is None or target == BAD:
                continue
            if target == source:
                problems.append(("to", target_name, _("An actor cannot have a tie with itself.")))
                continue
            earlier = self._seen_tie(line, source, target, tie_type, directed)
            if earlier is not None:
                problems.append(
                    (
                        "to",
                        target_name,
                        _(
                            "Duplicate row: line %(line)s already has a tie of this type "
                            "between these actors."
                        )
                        % {"line": earlier},
                    )
                )
                continue
            row = (source, target, tie_type, directed, intensity, trust, value, since, until, note)
            action = self._plan_tie(row)
            if len(self.plan.preview_ties) < PREVIEW_ROWS:
                self.plan.preview_ties.append(
                    {
                        "line": line,
                        "action": action,
                        "source": cell_text(raw_from) or cell_text(raw_from_id),
                        "target": target_name,
                        "type": TieType(tie_type).label,
                        "directed": directed,
                        "intensity": Intensity(intensity).label,
                    }
                )
        if problems:
            self._row_errors(source_name, headers, line, problems)

    def _seen_tie(
        self, line: int, source: int, target: int, tie_type: str, directed: bool
    ) -> int | None:
        """The line of an earlier row of the file with the same tie, or None (and remember
        this one). "The same tie" is the database's rule: same type and ends, a mutual tie
        stored with the lower id first. New actors will get ids above every existing actor,
        in the order of the file, so the rule can be applied before they have them."""
        first, second = _id_order(source), _id_order(target)
        if not directed and first > second:
            first, second = second, first
        key = _tie_key(first, second, _TYPE_CODES[tie_type])
        earlier = self._ties_seen.get(key)
        if earlier is None:
            self._ties_seen[key] = line
        return earlier

    def _plan_tie(self, row: tuple[Any, ...]) -> str:
        source, target, tie_type, directed, intensity, trust, value, since, until, note = row
        if source % 2 == 0 and target % 2 == 0:
            # Both actors exist: the pair may already have a current tie of this type. Then,
            # as when a tie is recorded by hand, the import writes a new version of it.
            s, t = source // 2, target // 2
            if not directed and s > t:
                s, t = t, s
            existing = self._load_existing_ties().get((s, t, tie_type))
            if existing is not None:
                old_pk, *old = existing
                new = (intensity, trust, value, since or old[3], until, note or old[5])
                if tuple(old) == new:
                    self.plan.ties_unchanged += 1
                    return "unchanged"
                self.plan.tie_versions.append((old_pk, *new))
                return "version"
        self.plan.new_ties.append(row)
        return "create"

    def _resolve_source(self, raw_name: Any, raw_id: Any) -> tuple[int | None, str, str, str]:
        """(ref, column, value shown in an error, error message) for a From cell."""
        key = (raw_name, raw_id)
        cached = self._resolved_sources.get(key)
        if cached is None:
            name, ext_id = cell_text(raw_name), cell_text(raw_id)
            ref, message = self._resolve(name, ext_id)
            by_id = bool(ext_id) and not name
            cached = (ref, "from_id" if by_id else "from", ext_id if by_id else name, message)
            self._resolved_sources[key] = cached
        return cached

    def _resolve_targets(
        self, raw_name: Any, raw_id: Any
    ) -> list[tuple[int | None, str, str, str]]:
        key = (raw_name, raw_id)
        cached = self._resolved_targets.get(key)
        if cached is None:
            name, ext_id = cell_text(raw_name), cell_text(raw_id)
            # Kumu draws one connection to each actor of a "To" cell separated by "|".
            names = split_list(name) if "|" in name and not ext_id else [name]
            cached = []
            for part in names:
                ref, message = self._resolve(part, ext_id)
                cached.append((ref, part or ext_id, "to" if part else "to_id", message))
            self._resolved_targets[key] = cached
        return cached

    def _resolve(self, name: str, ext_id: str) -> tuple[int | None, str]:
        if ext_id:
            ref = self._file_ids.get(ext_id)
            if ref is not None:
                return ref, ""
            if ext_id.isdigit() and int(ext_id) in self._existing_names:
                return int(ext_id) * 2, ""
            if not name:
                return None, _(
                    "No actor has the id “%(id)s”, neither in the actors file nor in this program."
                ) % {"id": ext_id}
            # An export of another program: its ids mean nothing here, its names may.
        if not name:
            return None, _("The actor is missing.")
        ref = self._file_ids.get(name)
        if ref is not None:
            return ref, ""
        key = normalize_for_search(name)
        refs = self._file_names.get(key)
        if refs:
            if len(refs) == 1:
                return refs[0], ""
            return None, _(
                "The actors file has %(count)s actors called “%(name)s”: give the actors an id "
                "column and use it in the ties."
            ) % {"count": len(refs), "name": name}
        pks = self._existing_by_name.get(key)
        if pks:
            if len(pks) == 1:
                return pks[0] * 2, ""
            return None, _(
                "This program has %(count)s actors called “%(name)s”: use a from_id / to_id "
                "column with their Tejido ids (see an export)."
            ) % {"count": len(pks), "name": name}
        return None, _(
            "Unknown actor “%(name)s”: it is neither in the actors file nor in this program."
        ) % {"name": name}

    # --- rows and cells ------------------------------------------------------------------

    def _row_errors(
        self,
        source: str,
        headers: dict[str, str],
        line: int,
        problems: list[tuple[str, Any, str]],
    ) -> None:
        for column, value, message in problems:
            self.errors.append(
                RowError(source, line, headers.get(column, column), cell_text(value), message)
            )

    def _check_width(self, table: Table, line: int, cells: list[Any], width: int) -> bool:
        if len(cells) > width and any(cell_text(c) for c in cells[width:]):
            self.errors.append(
                RowError(
                    table.source,
                    line,
                    "",
                    "",
                    _(
                        "This row has %(count)s values but the header has %(width)s columns. A "
                        "value probably contains the separator: put it between double quotes."
                    )
                    % {"count": len(cells), "width": width},
                )
            )
            return False
        return True

    def _parse(self, column: str, raw: Any) -> tuple[Any, str]:
        """(value, error message) for a cell of a column with few distinct values: each
        distinct value is parsed once, however many rows repeat it."""
        cache = self._caches[column]
        try:
            return cache[raw]
        except KeyError:
            result = self._parsers[column](raw)
            if len(cache) < 100_000:
                cache[raw] = result
            return result

    def _make_parsers(self) -> dict[str, Any]:
        def vocabulary_parser(name: str, default: Any = None) -> Any:
            def parse(raw: Any) -> tuple[Any, str]:
                text = cell_text(raw)
                if not text:
                    return default, ""
                value = lookup(name, text)
                if value is None:
                    return None, _unknown_message(name, text)
                return value, ""

            return parse

        def number_parser(low: int, high: int) -> Any:
            def parse(raw: Any) -> tuple[int | None, str]:
                if not cell_text(raw):
                    return None, ""
                try:
                    number = parse_int(raw)
                except ValueError:
                    number = None
                if number is None or not low <= number <= high:
                    return None, _("Write a whole number from %(low)s to %(high)s.") % {
                        "low": low,
                        "high": high,
                    }
                return number, ""

            return parse

        def many(resolve: Any) -> Any:
            def parse(raw: Any) -> tuple[list[int], str]:
                found, messages = [], []
                for part in split_list(cell_text(raw)):
                    pk, message = resolve(part)
                    if message:
                        messages.append(message)
                    elif pk not in found:
                        found.append(pk)
                return found, " ".join(messages)

            return parse

        return {
            "kind": vocabulary_parser("kind"),
            "sector": vocabulary_parser("sector"),
            "type": self._parse_actor_type,
            "stance": vocabulary_parser("stance", ""),
            "size": _parse_size,
            "founded_year": number_parser(1800, 2100),
            "power": number_parser(1, 5),
            "interest": number_parser(1, 5),
            "territory": self._parse_territory,
            "territories_served": many(self._territory),
            "themes": many(self._theme),
            "tie_type": vocabulary_parser("tie_type", TieType.COLLABORATION.value),
            "directed": _parse_directed,
            "intensity": _parse_intensity,
            "trust": number_parser(1, 5),
            "value": number_parser(1, 5),
            "started_on": _parse_date_cell,
            "ended_on": _parse_date_cell,
        }

    def _parse_actor_type(self, raw: Any) -> tuple[tuple[str, str] | None, str]:
        text = cell_text(raw)
        if not text:
            return None, ""
        kind = lookup("kind", text)
        if kind is not None:
            return ("kind", kind), ""
        sector = lookup("sector", text)
        if sector is not None:
            return ("sector", sector), ""
        return None, _(
            "Unknown type “%(value)s”: write a kind of actor (%(kinds)s) or a sector (%(sectors)s)."
        ) % {"value": text, "kinds": _choices_text(ActorKind), "sectors": _choices_text(Sector)}

    def _parse_territory(self, raw: Any) -> tuple[int | None, str]:
        text = cell_text(raw)
        return self._territory(text) if text else (None, "")

    def _territory(self, text: str) -> tuple[int | None, str]:
        pk = self._territory_by_slug.get(text.lower())
        if pk is not None:
            return pk, ""
        matches = self._territory_by_name.get(normalize_key(text), [])
        if len(matches) == 1:
            return matches[0][0], ""
        if matches:
            return None, _(
                "Several territories are called “%(name)s”: write the short name of one: %(slugs)s."
            ) % {"name": text, "slugs": ", ".join(slug for _pk, slug in matches)}
        return None, _(
            "Unknown territory “%(name)s”. Write the name or short name of a territory already "
            "in Tejido (an administrator adds new ones)."
        ) % {"name": text}

    def _theme(self, text: str) -> tuple[int | None, str]:
        pk = self._theme_by_key.get(normalize_key(text))
        if pk is not None:
            return pk, ""
        shown = ", ".join(self._theme_slugs[:12]) + (" …" if len(self._theme_slugs) > 12 else "")
        return None, _("Unknown theme “%(name)s”. Known themes: %(themes)s.") % {
            "name": text,
            "themes": shown,
        }

    # --- cycles (used by the importer) ---------------------------------------------------

    def cycle_for(self, day: datetime.date) -> int | None:
        for pk, starts_on, ends_on in self._cycles:
            if starts_on <= day <= ends_on:
                return pk
        return None


_ACTOR_COLUMN_ORDER = (
    "id",
    "name",
    "kind",
    "type",
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
_TIE_COLUMN_ORDER = (
    "from",
    "to",
    "from_id",
    "to_id",
    "type",
    "directed",
    "intensity",
    "trust",
    "value",
    "started_on",
    "ended_on",
    "note",
)


def _parse_website(raw: Any) -> tuple[str, str]:
    text = cell_text(raw)
    if not text:
        return "", ""
    website = text if "://" in text else f"https://{text}"
    try:
        _url_validator(website)
    except ValidationError:
        return "", _("“%(value)s” is not a web address.") % {"value": text}
    if len(website) > 200:
        return "", _("This is longer than %(limit)s characters.") % {"limit": 200}
    return website, ""


def _parse_size(raw: Any) -> tuple[str, str]:
    text = cell_text(raw)
    if not text:
        return "", ""
    try:
        return size_from_people(parse_int(raw)), ""
    except ValueError:
        pass
    size = lookup("size", text)
    if size is None:
        return "", _unknown_message("size", text)
    return str(size), ""


def _parse_directed(raw: Any) -> tuple[bool, str]:
    text = cell_text(raw)
    if not text:
        return False, ""
    key = normalize_key(text)
    if key in TRUE_WORDS:
        return True, ""
    if key in FALSE_WORDS:
        return False, ""
    return False, _("Write “yes” for a tie that goes one way, “no” for a mutual one.")


def _parse_intensity(raw: Any) -> tuple[int, str]:
    text = cell_text(raw)
    if not text:
        return Intensity.COOPERATION.value, ""
    found = lookup("intensity", text)
    if found is None:
        try:
            found = parse_int(raw)
        except ValueError:
            found = None
        if found not in Intensity.values:
            found = None
    if found is None:
        return Intensity.COOPERATION.value, _(
            "The intensity must be a number from 0 to 4 or one of: %(words)s."
        ) % {"words": _choices_text(Intensity)}
    return found, ""


def _parse_date_cell(raw: Any) -> tuple[datetime.date | None, str]:
    try:
        return parse_date(raw), ""
    except ValueError:
        return None, _("“%(value)s” is not a date: write it as 2024-03-31 or 31/03/2024.") % {
            "value": cell_text(raw)
        }


def _kind_word(kind: str) -> str:
    return str(ActorKind(kind).label).lower()


_NEW_ACTOR_BASE = 1 << 40


def _id_order(ref: int) -> int:
    """Where an actor's id will sort: existing ids as they are, new actors after them all."""
    return ref // 2 if ref % 2 == 0 else _NEW_ACTOR_BASE + ref // 2


def _tie_key(a: int, b: int, type_code: int) -> int:
    # Ids stay below 2^40 (a million million rows); packing the pair and the type into one int
    # keeps the half-million keys of a large import small in memory.
    return ((a + 1) << 44 | (b + 1)) << 4 | type_code


def _choices_text(choices: Any) -> str:
    return ", ".join(f"{member.value} ({member.label})" for member in choices)


def _unknown_message(vocabulary_name: str, value: str) -> str:
    names = {
        "kind": (_("Unknown kind of actor “%(value)s”. Use one of: %(choices)s."), ActorKind),
        "sector": (_("Unknown sector “%(value)s”. Use one of: %(choices)s."), Sector),
        "tie_type": (_("Unknown type of tie “%(value)s”. Use one of: %(choices)s."), TieType),
        "stance": (_("Unknown stance “%(value)s”. Use one of: %(choices)s."), None),
        "size": (_("Unknown size “%(value)s”. Use one of: %(choices)s."), None),
    }
    message, choices = names[vocabulary_name]
    if choices is None:
        from tejido.actors.models import SizeBand, Stance

        choices = Stance if vocabulary_name == "stance" else SizeBand
    return message % {"value": value, "choices": _choices_text(choices)}


def _conflict_message(first: str, second: str) -> str:
    return _("“%(first)s” contradicts “%(second)s” on the same row.") % {
        "first": first,
        "second": second,
    }


def _missing_column_message(kind: str, field_name: str) -> str:
    column = next((c for c in COLUMNS[kind] if c.field == field_name), None)
    aliases = ", ".join(f"“{a}”" for a in (field_name, *(column.aliases[:4] if column else ())))
    if kind == ACTORS and field_name == "sector":
        aliases += ", “Type”"
    return _("A required column is missing: %(field)s (its header may be %(aliases)s).") % {
        "field": field_name,
        "aliases": aliases,
    }
