"""Every write of territory selection: the scorecard, its criteria and weights, the values (typed
in a grid, imported from a file, or counted from the actor registry) and the decision.

A decided scorecard is a record of why the program chose its territories: every service here
refuses to change it, and the decision keeps a copy of the weights and the ranking as they stood
(`Scorecard.decision_snapshot`), so nothing done later rewrites the reasons.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory
from tejido.core.text import normalize_for_search

from ..models import (
    Candidate,
    Criterion,
    CriterionKind,
    CriterionValue,
    Scorecard,
    ScorecardStatus,
)
from . import importer, selectors

MAX_CANDIDATES = 500
MAX_CRITERIA = 12
LOCAL_SUPPORT_MAX = 3
WEIGHT_MAX = Decimal("9999.99")
VALUE_LIMIT = Decimal("100000000")  # the value field holds 8 digits before the decimal point
SNAPSHOT_VERSION = 1
# Criteria with a fixed meaning: at most one of each per scorecard.
FIXED_KINDS = (
    CriterionKind.VULNERABILITY,
    CriterionKind.ORGANIZATIONS,
    CriterionKind.LOCAL_SUPPORT,
)


def default_criteria() -> list[tuple[str, str, Decimal]]:
    """The three criteria every new scorecard starts with: (kind, name, weight), named in the
    language of the person creating it. Higher is better for all three: a more vulnerable
    territory, more organizations to form a directorate with, firmer local support."""
    return [
        (CriterionKind.VULNERABILITY, _("Vulnerability index"), Decimal(50)),
        (CriterionKind.ORGANIZATIONS, _("Active community organizations"), Decimal(25)),
        (CriterionKind.LOCAL_SUPPORT, _("Local-government support (0–3)"), Decimal(25)),
    ]


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def decided_message(scorecard: Scorecard) -> str:
    when = scorecard.decided_at or timezone.now()
    return _("This scorecard was decided on %(date)s: it can no longer be changed.") % {
        "date": formats.date_format(timezone.localtime(when), "DATE_FORMAT")
    }


def _lock_draft(scorecard: Scorecard) -> Scorecard:
    """The scorecard's row, locked for this transaction; refused once decided."""
    locked = (
        Scorecard.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=scorecard.pk)
    )
    if locked.status == ScorecardStatus.DECIDED:
        raise ValidationError(decided_message(locked), code="decided")
    return locked


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give the scorecard a title.")})
    return title[:200]


def _check_cycle(program: Program, cycle: Cycle | None) -> None:
    if cycle is not None and cycle.program_id != program.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this program.")})


def _check_seats(seats_to_fill: int, candidates: int) -> None:
    if seats_to_fill < 1:
        raise ValidationError(
            {"seats_to_fill": _("The program must select at least one territory.")}
        )
    if candidates and seats_to_fill > candidates:
        raise ValidationError(
            {
                "seats_to_fill": ngettext(
                    "There is only %(count)s candidate territory: select at most that many.",
                    "There are only %(count)s candidate territories: select at most that many.",
                    candidates,
                )
                % {"count": candidates}
            }
        )


def _territory_list(territories: Iterable[Territory]) -> list[Territory]:
    unique = list({t.pk: t for t in territories}.values())
    if not unique:
        raise ValidationError({"territories": _("Choose at least one candidate territory.")})
    if len(unique) > MAX_CANDIDATES:
        raise ValidationError(
            {
                "territories": _("A scorecard can weigh at most %(count)s territories.")
                % {"count": MAX_CANDIDATES}
            }
        )
    return unique


# -- the scorecard ---------------------------------------------------------------------------


@transaction.atomic
def scorecard_create(
    *,
    user: Any,
    program: Program,
    title: str,
    territories: Iterable[Territory],
    seats_to_fill: int = 1,
    cycle: Cycle | None = None,
    description: str = "",
    with_default_criteria: bool = True,
) -> Scorecard:
    """A draft scorecard weighing `territories`, with the three default criteria."""
    title = _clean_title(title)
    _check_cycle(program, cycle)
    chosen = _territory_list(territories)
    _check_seats(seats_to_fill, len(chosen))
    scorecard = Scorecard.objects.create(
        program=program,
        cycle=cycle,
        title=title,
        description=description.strip(),
        seats_to_fill=seats_to_fill,
    )
    Candidate.objects.bulk_create(Candidate(scorecard=scorecard, territory=t) for t in chosen)
    if with_default_criteria:
        Criterion.objects.bulk_create(
            Criterion(scorecard=scorecard, kind=kind, name=name, weight=weight, position=index)
            for index, (kind, name, weight) in enumerate(default_criteria())
        )
    audit_log(
        user=user,
        action="selection.create",
        target=scorecard,
        program=program,
        data={"territories": sorted(t.pk for t in chosen), "seats_to_fill": seats_to_fill},
    )
    return scorecard


@transaction.atomic
def scorecard_update(
    *,
    user: Any,
    scorecard: Scorecard,
    title: str,
    seats_to_fill: int,
    cycle: Cycle | None = None,
    description: str = "",
    territories: Iterable[Territory] | None = None,
) -> Scorecard:
    """Change the scorecard's details and, with `territories`, the territories it weighs: new
    ones join without values, dropped ones leave with theirs."""
    scorecard = _lock_draft(scorecard)
    title = _clean_title(title)
    _check_cycle(scorecard.program, cycle)
    chosen = None if territories is None else _territory_list(territories)
    _check_seats(seats_to_fill, scorecard.candidates.count() if chosen is None else len(chosen))
    scorecard.title, scorecard.description = title, description.strip()
    scorecard.seats_to_fill, scorecard.cycle = seats_to_fill, cycle
    scorecard.save(update_fields=["title", "description", "seats_to_fill", "cycle", "updated_at"])
    data: dict[str, Any] = {"seats_to_fill": seats_to_fill}
    if chosen is not None:
        wanted = {t.pk for t in chosen}
        existing = set(scorecard.candidates.values_list("territory_id", flat=True))
        scorecard.candidates.exclude(territory_id__in=wanted).delete()
        Candidate.objects.bulk_create(
            Candidate(scorecard=scorecard, territory=t) for t in chosen if t.pk not in existing
        )
        data.update(added=sorted(wanted - existing), removed=sorted(existing - wanted))
    audit_log(
        user=user, action="selection.update", target=scorecard, program=scorecard.program, data=data
    )
    return scorecard


# -- criteria and weights --------------------------------------------------------------------


def _clean_weight(weight: Any, field_name: str) -> Decimal:
    try:
        value = Decimal(weight)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({field_name: _("Enter the weight as a number.")}) from exc
    if not value.is_finite() or value < 0 or value > WEIGHT_MAX:
        raise ValidationError(
            {
                field_name: _("Enter a weight from 0 to %(max)s.")
                % {"max": formats.number_format(WEIGHT_MAX, decimal_pos=0)}
            }
        )
    return value.quantize(Decimal("0.01"))


def _clean_criterion_name(scorecard: Scorecard, name: str, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())[:120]
    if not name:
        raise ValidationError({"name": _("Give the criterion a name.")})
    taken = {
        normalize_for_search(n)
        for pk, n in scorecard.criteria.values_list("pk", "name")
        if pk != exclude
    }
    if normalize_for_search(name) in taken:
        raise ValidationError({"name": _("This scorecard already has a criterion with that name.")})
    return name


@transaction.atomic
def criterion_add(
    *,
    user: Any,
    scorecard: Scorecard,
    name: str,
    kind: str = CriterionKind.CUSTOM,
    weight: Decimal | int | str = 1,
    higher_is_better: bool = True,
) -> Criterion:
    """Add a criterion. The fixed kinds (vulnerability, organizations, local support) at most
    once each; any number of custom ones."""
    scorecard = _lock_draft(scorecard)
    if kind not in CriterionKind.values:
        raise ValidationError({"kind": _("Choose a kind of criterion from the list.")})
    if kind in FIXED_KINDS and scorecard.criteria.filter(kind=kind).exists():
        raise ValidationError(
            {
                "kind": _("This scorecard already has the criterion “%(kind)s”.")
                % {"kind": CriterionKind(kind).label}
            }
        )
    if scorecard.criteria.count() >= MAX_CRITERIA:
        raise ValidationError(
            _("A scorecard can have at most %(count)s criteria.") % {"count": MAX_CRITERIA}
        )
    clean_name = _clean_criterion_name(scorecard, name)
    clean_weight = _clean_weight(weight, "weight")
    last = scorecard.criteria.order_by("-position").values_list("position", flat=True).first()
    criterion = Criterion.objects.create(
        scorecard=scorecard,
        kind=kind,
        name=clean_name,
        weight=clean_weight,
        higher_is_better=higher_is_better,
        position=0 if last is None else last + 1,
    )
    audit_log(
        user=user,
        action="selection.criterion.add",
        target=scorecard,
        program=scorecard.program,
        data={"criterion": criterion.pk, "kind": kind, "name": clean_name},
    )
    return criterion


@dataclass(frozen=True)
class CriterionChange:
    name: str
    weight: Decimal
    higher_is_better: bool


def _check_some_weight(weights: Iterable[Decimal]) -> None:
    weights = list(weights)
    if weights and not any(w > 0 for w in weights):
        raise ValidationError(
            _(
                "Give at least one criterion a weight above zero: otherwise every territory"
                " scores 0."
            )
        )


@transaction.atomic
def criteria_update(
    *, user: Any, scorecard: Scorecard, changes: Mapping[int, CriterionChange]
) -> list[Criterion]:
    """Rename criteria and change their weights and directions, all at once or not at all.
    `changes` maps criterion ids to their new settings; criteria not named stay as they are."""
    scorecard = _lock_draft(scorecard)
    criteria = {c.pk: c for c in scorecard.criteria.all()}
    unknown = set(changes) - set(criteria)
    if unknown:
        raise ValidationError(_("One of the criteria no longer exists: reload the page."))
    errors: dict[str, list[str]] = {}
    names: dict[str, int] = {}
    for pk, criterion in criteria.items():
        change = changes.get(pk)
        if change is None:
            names[normalize_for_search(criterion.name)] = pk
            continue
        try:
            name = " ".join(change.name.split())[:120]
            if not name:
                raise ValidationError({f"name_{pk}": _("Give the criterion a name.")})
            key = normalize_for_search(name)
            if key in names:
                raise ValidationError({f"name_{pk}": _("Two criteria cannot have the same name.")})
            names[key] = pk
            weight = _clean_weight(change.weight, f"weight_{pk}")
        except ValidationError as error:
            for name_, messages in error.message_dict.items():
                errors.setdefault(name_, []).extend(messages)
            continue
        criterion.name, criterion.weight = name, weight
        criterion.higher_is_better = change.higher_is_better
    if errors:
        raise ValidationError(errors)
    _check_some_weight(c.weight for c in criteria.values())
    Criterion.objects.bulk_update(list(criteria.values()), ["name", "weight", "higher_is_better"])
    audit_log(
        user=user,
        action="selection.criteria",
        target=scorecard,
        program=scorecard.program,
        data={
            "criteria": {
                str(c.pk): [c.name, str(c.weight), c.higher_is_better] for c in criteria.values()
            }
        },
    )
    return sorted(criteria.values(), key=lambda c: (c.position, c.pk))


@transaction.atomic
def weights_set(*, user: Any, scorecard: Scorecard, weights: Mapping[int, Decimal]) -> Scorecard:
    """Save weights tried in the what-if panel (criteria not named keep theirs)."""
    scorecard = _lock_draft(scorecard)
    criteria = {c.pk: c for c in scorecard.criteria.all()}
    if set(weights) - set(criteria):
        raise ValidationError(_("One of the criteria no longer exists: reload the page."))
    errors: dict[str, list[str]] = {}
    for pk, weight in weights.items():
        try:
            criteria[pk].weight = _clean_weight(weight, f"w{pk}")
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    _check_some_weight(c.weight for c in criteria.values())
    Criterion.objects.bulk_update(list(criteria.values()), ["weight"])
    audit_log(
        user=user,
        action="selection.weights",
        target=scorecard,
        program=scorecard.program,
        data={"weights": {str(pk): str(c.weight) for pk, c in criteria.items()}},
    )
    return scorecard


@transaction.atomic
def criterion_remove(*, user: Any, criterion: Criterion) -> None:
    scorecard = _lock_draft(criterion.scorecard)
    criterion = Criterion.objects.get(pk=criterion.pk, scorecard=scorecard)
    remaining = scorecard.criteria.exclude(pk=criterion.pk).values_list("weight", flat=True)
    if not remaining:
        raise ValidationError(_("A scorecard needs at least one criterion."))
    _check_some_weight(remaining)
    data = {"criterion": criterion.pk, "name": criterion.name, "kind": criterion.kind}
    criterion.delete()
    audit_log(
        user=user,
        action="selection.criterion.remove",
        target=scorecard,
        program=scorecard.program,
        data=data,
    )


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueEntry:
    """One value as entered: `value` None clears it (the territory then has no value)."""

    value: Decimal | None
    evidence: str = ""
    evidence_url: str = ""


def _check_value(criterion: Criterion, entry: ValueEntry) -> list[tuple[str, str]]:
    """What is wrong with one value for this criterion, as (part, message) with part "value",
    "evidence" or "evidence_url" (nothing wrong: an empty list)."""
    problems: list[tuple[str, str]] = []
    value = entry.value
    if value is not None:
        whole = value.is_finite() and value == value.to_integral_value()
        if not value.is_finite() or abs(value) >= VALUE_LIMIT:
            problems.append(("value", _("Enter a number smaller than a hundred million.")))
        elif criterion.kind == CriterionKind.LOCAL_SUPPORT and (
            not whole or not 0 <= value <= LOCAL_SUPPORT_MAX
        ):
            problems.append(
                (
                    "value",
                    _(
                        "Local support is a whole number from 0 (none) to %(max)s (formal"
                        " commitment)."
                    )
                    % {"max": LOCAL_SUPPORT_MAX},
                )
            )
        elif criterion.kind == CriterionKind.LOCAL_SUPPORT and value > 0 and not entry.evidence:
            problems.append(
                (
                    "evidence",
                    _(
                        "Say where the support comes from: a letter, an agreement, a council"
                        " minute."
                    ),
                )
            )
        elif criterion.kind == CriterionKind.ORGANIZATIONS and (not whole or value < 0):
            problems.append(
                ("value", _("The number of organizations is a whole number, 0 or more."))
            )
    if entry.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(entry.evidence_url)
        except ValidationError:
            problems.append(
                ("evidence_url", _("Enter the evidence link as a full web address (https://…)."))
            )
    return problems


def _write_values(
    scorecard: Scorecard, entries: Mapping[tuple[int, int], ValueEntry | None]
) -> tuple[int, int]:
    """Write checked entries keyed by (candidate id, criterion id): (written, cleared)."""
    existing = selectors.values_of(scorecard)
    to_create: list[CriterionValue] = []
    to_update: list[CriterionValue] = []
    to_delete: list[int] = []
    for (candidate_id, criterion_id), entry in entries.items():
        current = existing.get((candidate_id, criterion_id))
        if entry is None or entry.value is None:
            if current is not None:
                to_delete.append(current.pk)
            continue
        value = entry.value.quantize(Decimal("0.0001"))
        evidence, url = entry.evidence.strip(), entry.evidence_url.strip()
        if current is None:
            to_create.append(
                CriterionValue(
                    candidate_id=candidate_id,
                    criterion_id=criterion_id,
                    value=value,
                    evidence=evidence,
                    evidence_url=url,
                )
            )
        elif (current.value, current.evidence, current.evidence_url) != (value, evidence, url):
            current.value, current.evidence, current.evidence_url = value, evidence, url
            to_update.append(current)
    if to_delete:
        CriterionValue.objects.filter(pk__in=to_delete).delete()
    try:
        with transaction.atomic():
            CriterionValue.objects.bulk_create(to_create)
    except IntegrityError as exc:
        # Another coordinator saved a value for the same cell a moment ago.
        raise ValidationError(
            _("Someone else saved values at the same moment: reload the page and try again.")
        ) from exc
    CriterionValue.objects.bulk_update(to_update, ["value", "evidence", "evidence_url"])
    return len(to_create) + len(to_update), len(to_delete)


@dataclass(frozen=True)
class ValuesSaved:
    written: int
    cleared: int


@transaction.atomic
def values_set(
    *,
    user: Any,
    scorecard: Scorecard,
    entries: Mapping[tuple[int, int], ValueEntry | None],
) -> ValuesSaved:
    """Save a grid of values keyed by (candidate id, criterion id), all or nothing. A refusal
    names each wrong cell as "v_<candidate>_<criterion>" (or "u_…" for the evidence link)."""
    scorecard = _lock_draft(scorecard)
    criteria = {c.pk: c for c in scorecard.criteria.all()}
    candidates = set(scorecard.candidates.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for (candidate_id, criterion_id), entry in entries.items():
        if candidate_id not in candidates or criterion_id not in criteria:
            raise ValidationError(
                _("The list of territories or criteria changed: reload the page.")
            )
        criterion = criteria[criterion_id]
        if criterion.kind == CriterionKind.ORGANIZATIONS and entry is not None:
            errors.setdefault(f"v_{candidate_id}_{criterion_id}", []).append(
                _("This number is counted from the actor registry: use “Count again”.")
            )
            continue
        if entry is None:
            continue
        for part, problem in _check_value(criterion, entry):
            prefix = {"value": "v", "evidence": "e", "evidence_url": "u"}[part]
            errors.setdefault(f"{prefix}_{candidate_id}_{criterion_id}", []).append(problem)
    if errors:
        raise ValidationError(errors)
    written, cleared = _write_values(scorecard, entries)
    audit_log(
        user=user,
        action="selection.values",
        target=scorecard,
        program=scorecard.program,
        data={"written": written, "cleared": cleared},
    )
    return ValuesSaved(written=written, cleared=cleared)


@transaction.atomic
def organizations_refresh(
    *, user: Any, scorecard: Scorecard, today: datetime.date | None = None
) -> dict[int, int]:
    """Count each candidate's active community organizations in the actor registry and store the
    counts as the organizations criterion's values. Returns the counts by candidate id."""
    scorecard = _lock_draft(scorecard)
    criterion = scorecard.criteria.filter(kind=CriterionKind.ORGANIZATIONS).first()
    if criterion is None:
        raise ValidationError(
            _("This scorecard has no “active community organizations” criterion to count.")
        )
    candidates = list(scorecard.candidates.select_related("territory"))
    counts = selectors.organization_counts(scorecard.program, [c.territory for c in candidates])
    day = formats.date_format(today or timezone.localdate(), "SHORT_DATE_FORMAT")
    note = _("Counted in the actor registry on %(date)s.") % {"date": day}
    entries: dict[tuple[int, int], ValueEntry | None] = {}
    for candidate in candidates:
        count = counts[candidate.territory_id]
        entries[candidate.pk, criterion.pk] = ValueEntry(value=Decimal(count), evidence=note)
    _write_values(scorecard, entries)
    by_candidate = {c.pk: counts[c.territory_id] for c in candidates}
    audit_log(
        user=user,
        action="selection.organizations",
        target=scorecard,
        program=scorecard.program,
        data={"counts": {str(k): v for k, v in by_candidate.items()}},
    )
    return by_candidate


# -- import ----------------------------------------------------------------------------------

MAX_IMPORT_ERRORS = 30


def evidence_header(criterion_name: str) -> str:
    return _("%(criterion)s (evidence)") % {"criterion": criterion_name}


def _header_keys(criterion: Criterion) -> tuple[set[str], set[str]]:
    """The headers that name this criterion's value and evidence columns, in every language."""
    values, evidence = {normalize_for_search(criterion.name)}, set()
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            evidence.add(normalize_for_search(evidence_header(criterion.name)))
            if criterion.kind != CriterionKind.CUSTOM:
                label = str(CriterionKind(criterion.kind).label)
                values.add(normalize_for_search(label))
                evidence.add(normalize_for_search(evidence_header(label)))
    return values, evidence


@dataclass
class ImportResult:
    rows: int = 0
    written: int = 0
    skipped_columns: list[str] = field(default_factory=list)  # counted from the registry
    ignored_columns: list[str] = field(default_factory=list)  # not a criterion


def _row_label(line: int) -> str:
    return _("Row %(line)s") % {"line": line}


@transaction.atomic
def values_import(*, user: Any, scorecard: Scorecard, data: bytes, filename: str) -> ImportResult:
    """Import values from a CSV or XLSX file (see `importer` for its layout), all or nothing:
    any wrong row or cell refuses the whole file with a message for each problem."""
    scorecard = _lock_draft(scorecard)
    try:
        sheet = importer.read_table(data, name=filename)
    except importer.FileError as error:
        raise ValidationError(error.message, code="file") from error
    criteria = list(scorecard.criteria.order_by("position", "pk"))
    candidates = list(scorecard.candidates.select_related("territory"))
    existing = selectors.values_of(scorecard)
    by_code: dict[str, list[Candidate]] = {}
    by_name: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.territory.code:
            by_code.setdefault(normalize_for_search(candidate.territory.code), []).append(candidate)
        by_name.setdefault(normalize_for_search(candidate.territory.name), []).append(candidate)

    result = ImportResult()
    value_columns: dict[int, Criterion] = {}
    evidence_columns: dict[int, Criterion] = {}
    keys = {c.pk: _header_keys(c) for c in criteria}
    for index, header in enumerate(sheet.headers[1:], start=1):
        key = normalize_for_search(header)
        if not key:
            continue
        match = next((c for c in criteria if key in keys[c.pk][0]), None)
        evidence_match = next((c for c in criteria if key in keys[c.pk][1]), None)
        if match is not None and match.kind == CriterionKind.ORGANIZATIONS:
            result.skipped_columns.append(header)
        elif match is not None:
            if match in value_columns.values():
                raise ValidationError(
                    _("Two columns name the criterion “%(name)s”: keep only one.")
                    % {"name": match.name}
                )
            value_columns[index] = match
        elif evidence_match is not None and evidence_match.kind != CriterionKind.ORGANIZATIONS:
            evidence_columns[index] = evidence_match
        else:
            result.ignored_columns.append(header)
    if not value_columns:
        names = ", ".join(f"“{c.name}”" for c in criteria if c.kind != CriterionKind.ORGANIZATIONS)
        raise ValidationError(
            _(
                "No column of the file names a criterion of this scorecard. The first row must"
                " hold the column names: the territory first, then %(names)s."
            )
            % {"names": names}
        )
    orphan = [c.name for c in evidence_columns.values() if c not in value_columns.values()]
    if orphan:
        raise ValidationError(
            _("The file has evidence for “%(name)s” but no column with its values.")
            % {"name": orphan[0]}
        )

    errors: list[str] = []
    entries: dict[tuple[int, int], ValueEntry | None] = {}
    seen: dict[int, int] = {}
    for line, cells in sheet.rows:
        result.rows += 1
        label = importer.cell_text(cells[0] if cells else "")
        if not label:
            errors.append(
                _("%(row)s: the first column must name the territory (its code or its name).")
                % {"row": _row_label(line)}
            )
            continue
        key = normalize_for_search(label)
        found = by_code.get(key) or by_name.get(key) or []
        if len(found) != 1:
            message = (
                _(
                    "%(row)s: “%(territory)s” is not one of this scorecard's territories. Use its"
                    " official code or its name as listed on the scorecard."
                )
                if not found
                else _(
                    "%(row)s: several territories are called “%(territory)s”: use the official"
                    " code instead."
                )
            )
            errors.append(message % {"row": _row_label(line), "territory": label})
            continue
        candidate = found[0]
        if candidate.pk in seen:
            errors.append(
                _("%(row)s: “%(territory)s” already appears on row %(first)s.")
                % {"row": _row_label(line), "territory": label, "first": seen[candidate.pk]}
            )
            continue
        seen[candidate.pk] = line
        evidence_for = {
            criterion.pk: importer.cell_text(cells[index]) if index < len(cells) else ""
            for index, criterion in evidence_columns.items()
        }
        for index, criterion in value_columns.items():
            cell = cells[index] if index < len(cells) else None
            if importer.is_blank(cell):
                continue
            where = _("%(row)s, column “%(column)s”") % {
                "row": _row_label(line),
                "column": sheet.headers[index],
            }
            try:
                number = importer.parse_number(cell)
            except ValueError:
                errors.append(
                    _("%(where)s: “%(value)s” is not a number.")
                    % {"where": where, "value": importer.cell_text(cell)}
                )
                continue
            current = existing.get((candidate.pk, criterion.pk))
            # A blank evidence cell, or no evidence column, keeps the evidence on record.
            entry = ValueEntry(
                value=number,
                evidence=evidence_for.get(criterion.pk) or (current.evidence if current else ""),
                evidence_url=current.evidence_url if current else "",
            )
            errors.extend(
                f"{where}: {problem}" for _part, problem in _check_value(criterion, entry)
            )
            entries[candidate.pk, criterion.pk] = entry
    if errors:
        shown = errors[:MAX_IMPORT_ERRORS]
        if len(errors) > MAX_IMPORT_ERRORS:
            more = len(errors) - MAX_IMPORT_ERRORS
            shown.append(
                ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
                % {"count": more}
            )
        raise ValidationError(shown, code="rows")
    if not entries:
        raise ValidationError(_("The file has no values to import."))
    written, _cleared = _write_values(scorecard, entries)
    result.written = written
    audit_log(
        user=user,
        action="selection.import",
        target=scorecard,
        program=scorecard.program,
        data={"file": filename[:200], "rows": result.rows, "written": written},
    )
    return result


# -- the decision ----------------------------------------------------------------------------


def decision_snapshot(scorecard: Scorecard, selected_ids: set[int]) -> dict[str, Any]:
    """The weights and the ranking as they stand: stored with the decision."""
    board = selectors.scorecard_board(scorecard)
    top = {row.candidate.pk for row in board.rows if row.in_top}
    return {
        "version": SNAPSHOT_VERSION,
        "seats_to_fill": scorecard.seats_to_fill,
        "criteria": [
            {
                "id": column.criterion.pk,
                "kind": column.criterion.kind,
                "name": column.criterion.name,
                "weight": str(column.criterion.weight),
                "share": round(column.share, 6),
                "higher_is_better": column.criterion.higher_is_better,
            }
            for column in board.columns
        ],
        "ranking": [
            {
                "candidate": row.candidate.pk,
                "territory": row.candidate.territory_id,
                "name": row.candidate.territory.name,
                "code": row.candidate.territory.code,
                "rank": row.ranked.rank,
                "score": round(row.ranked.score, 4),
                "selected": row.candidate.territory_id in selected_ids,
                "in_top": row.candidate.pk in top,
                "values": [
                    {
                        "criterion": cell.criterion.pk,
                        "value": None if cell.value is None else str(cell.value.value.normalize()),
                        "evidence": "" if cell.value is None else cell.value.evidence,
                        "points": round(cell.contribution.points, 4),
                    }
                    for cell in row.cells
                ],
            }
            for row in board.rows
        ],
    }


@transaction.atomic
def scorecard_decide(
    *, user: Any, scorecard: Scorecard, selected: Iterable[Territory], reasons: str
) -> Scorecard:
    """Record which territories the program takes on and why. The scorecard becomes read-only,
    keeps the weights and ranking of this moment, and the chosen territories join the program's.
    Two coordinators deciding at once: the first decision stands, the second is refused."""
    scorecard = _lock_draft(scorecard)
    chosen = list({t.pk: t for t in selected}.values())
    reasons = reasons.strip()
    errors: dict[str, str] = {}
    candidates = {c.territory_id: c for c in scorecard.candidates.select_related("territory")}
    if not chosen:
        errors["selected"] = _("Select the territories the program will work in.")
    elif any(t.pk not in candidates for t in chosen):
        errors["selected"] = _("Select only territories weighed in this scorecard.")
    elif len(chosen) > scorecard.seats_to_fill:
        errors["selected"] = ngettext(
            "The program can take on %(count)s territory: select at most %(count)s, or change"
            " how many to select.",
            "The program can take on %(count)s territories: select at most %(count)s, or change"
            " how many to select.",
            scorecard.seats_to_fill,
        ) % {"count": scorecard.seats_to_fill}
    if not reasons:
        errors["reasons"] = _(
            "Write the reasons for the decision: they are the record of why these territories"
            " were chosen."
        )
    if errors:
        raise ValidationError(errors)
    if not scorecard.criteria.exists():
        raise ValidationError(_("Add at least one criterion before deciding."))
    selected_ids = {t.pk for t in chosen}
    snapshot = decision_snapshot(scorecard, selected_ids)
    now = timezone.now()
    scorecard.status = ScorecardStatus.DECIDED
    scorecard.decided_at = now
    scorecard.decided_by = _user(user)
    scorecard.decision_reasons = reasons
    scorecard.decision_snapshot = snapshot
    scorecard.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reasons",
            "decision_snapshot",
            "updated_at",
        ]
    )
    Candidate.objects.filter(scorecard=scorecard).update(selected=False)
    Candidate.objects.filter(scorecard=scorecard, territory_id__in=selected_ids).update(
        selected=True
    )
    scorecard.program.territories.add(*chosen)
    audit_log(
        user=user,
        action="selection.decide",
        target=scorecard,
        program=scorecard.program,
        data={
            "selected": sorted(selected_ids),
            "outside_ranking": sorted(
                r["territory"] for r in snapshot["ranking"] if r["selected"] and not r["in_top"]
            ),
        },
    )
    return scorecard


def departures(snapshot: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Territories chosen outside the top of the recorded ranking, and those of the top left
    out: what the reasons must explain."""
    rows: Sequence[Mapping[str, Any]] = snapshot.get("ranking", [])
    chosen_outside = [r["name"] for r in rows if r.get("selected") and not r.get("in_top")]
    top_left_out = [r["name"] for r in rows if r.get("in_top") and not r.get("selected")]
    return chosen_outside, top_left_out


__all__ = [
    "CriterionChange",
    "ImportResult",
    "ValueEntry",
    "ValuesSaved",
    "criteria_update",
    "criterion_add",
    "criterion_remove",
    "decided_message",
    "decision_snapshot",
    "default_criteria",
    "departures",
    "evidence_header",
    "organizations_refresh",
    "scorecard_create",
    "scorecard_decide",
    "scorecard_update",
    "values_import",
    "values_set",
    "weights_set",
]
