"""Reading and writing Pabulib's `.pb` files, the open format of participatory-budgeting data.

Pure Python (no Django), so the command line and the tests use it anywhere. A file has three
sections, each a line with its name followed by a header row and `;`-separated rows (CSV with
`"` quoting):

- `META`: `key;value` pairs. `budget` is required; `vote_type` (approval, choose-1,
  cumulative, scoring, ordinal) is required when the file has votes.
- `PROJECTS`: one project per row, columns in any order. `project_id` and `cost` are required;
  `name`, `votes`, `score` and `selected` are read when present (`selected`: 1 funded by the
  rule, 0 not funded; some cities mark 2 or 3 for projects funded from other money).
- `VOTES` (optional here, as our own exports carry no ballots): one ballot per row with
  `voter_id` and `vote` (project ids separated by commas; ordinal ballots list them best
  first) and, for cumulative and scoring ballots, `points` (one number per project in `vote`).

Every column is kept as text, including those this module does not know, so `write_pb(read_pb(
text))` gives the same file back (line endings become `\\n`, a byte-order mark is dropped).
An empty cell or `None` means "no value", as in Pabulib and pabutools.

A problem raises `PbError` with a stable `code`, its `params`, the `line` it is on (1 = the
file's first line) and an English message; `tejido.funds.opendata.messages` translates it.
The format is described at pabulib.org/format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
# Ballots whose `points` column gives a number per project.
POINT_VOTE_TYPES = ("cumulative", "scoring")
SECTIONS = ("meta", "projects", "votes")
# Values of the `selected` column.
SELECTED_BY_RULE = 1
NOT_SELECTED = 0


class PbError(ValueError):
    """A `.pb` file that cannot be read. `line` is 1-based (None: the file as a whole)."""

    def __init__(self, code: str, message: str, *, line: int | None = None, **params: Any):
        self.code = code
        self.line = line
        self.params = params
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{message % params if params else message}")


def _is_empty(text: str) -> bool:
    return text == "" or text.lower() == "none"


def parse_number(text: str) -> Decimal:
    """A number as Pabulib writes it: `1500`, `1500.0`, or with a decimal comma `1500,5`."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def number_text(value: Decimal | int | float) -> str:
    """A number written plainly: no exponent, and no decimals when it is whole."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


@dataclass
class PbProject:
    """One row of `PROJECTS`. `fields` holds every column's text, as in the file; `line` is
    where the row is in the file it was read from (0 when built)."""

    fields: dict[str, str]
    line: int = field(default=0, compare=False)

    @classmethod
    def build(
        cls,
        project_id: str,
        cost: Decimal | int,
        *,
        name: str = "",
        votes: Decimal | int | None = None,
        score: Decimal | int | float | None = None,
        selected: int | None = None,
        **extra: Any,
    ) -> PbProject:
        """A project from typed values (for exports); `extra` adds columns as text."""
        fields = {"project_id": str(project_id), "cost": number_text(cost)}
        if name:
            fields["name"] = name
        if votes is not None:
            fields["votes"] = number_text(votes)
        if score is not None:
            fields["score"] = number_text(score)
        if selected is not None:
            fields["selected"] = str(selected)
        for key, value in extra.items():
            if value is None:
                fields[key] = ""
            elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                fields[key] = number_text(value)
            else:
                fields[key] = str(value)
        return cls(fields)

    def _optional(self, column: str) -> str | None:
        text = self.fields.get(column, "")
        return None if _is_empty(text) else text

    @property
    def project_id(self) -> str:
        return self.fields["project_id"]

    @property
    def cost(self) -> Decimal:
        return parse_number(self.fields["cost"])

    @property
    def name(self) -> str:
        return self._optional("name") or ""

    @property
    def votes(self) -> Decimal | None:
        text = self._optional("votes")
        return None if text is None else parse_number(text)

    @property
    def score(self) -> Decimal | None:
        text = self._optional("score")
        return None if text is None else parse_number(text)

    @property
    def selected(self) -> int | None:
        text = self._optional("selected")
        return None if text is None else int(parse_number(text))


@dataclass
class PbVote:
    """One row of `VOTES`: the projects a voter chose (best first for ordinal ballots) and, for
    cumulative and scoring ballots, the points given to each."""

    fields: dict[str, str]
    vote: tuple[str, ...] = ()
    points: tuple[Decimal, ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def voter_id(self) -> str:
        return self.fields.get("voter_id", "")


@dataclass
class PbInstance:
    meta: dict[str, str] = field(default_factory=dict)
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost"])
    projects: list[PbProject] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])
    votes: list[PbVote] = field(default_factory=list)

    @property
    def budget(self) -> Decimal:
        return parse_number(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "").strip().lower()

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "")

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "").strip().upper()

    @property
    def has_selected(self) -> bool:
        return "selected" in self.project_columns

    def project(self, project_id: str) -> PbProject | None:
        for project in self.projects:
            if project.project_id == project_id:
                return project
        return None

    def tally(self) -> dict[str, tuple[int, Decimal]]:
        """Per project id, from the ballots: how many voters chose it, and its points (the
        sum of points for cumulative and scoring ballots; for ordinal ballots a Borda count,
        n-1 points for a first place among n projects; otherwise the number of voters)."""
        counts = {p.project_id: 0 for p in self.projects}
        points = {p.project_id: Decimal(0) for p in self.projects}
        size = len(self.projects)
        for ballot in self.votes:
            chosen = ballot.vote
            if self.vote_type not in POINT_VOTE_TYPES:
                chosen = tuple(dict.fromkeys(chosen))
            for position, project_id in enumerate(chosen):
                counts[project_id] += 1
                if self.vote_type in POINT_VOTE_TYPES:
                    points[project_id] += ballot.points[position]
                elif self.vote_type == "ordinal":
                    points[project_id] += size - 1 - position
                else:
                    points[project_id] += 1
        return {pid: (counts[pid], points[pid]) for pid in counts}


# --- reading -----------------------------------------------------------------------------------


def read_pb(text: str) -> PbInstance:
    """Parse the text of a `.pb` file, checking it whole; raise `PbError` on the first problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise PbError("empty_file", "The file is empty.")
    # Without a VOTES section (or with an empty one), the columns Pabulib requires.
    instance = PbInstance(project_columns=[])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    section = ""
    seen: list[str] = []
    header: list[str] | None = None
    projects_line = 0
    project_ids: dict[str, int] = {}
    voter_ids: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            name = cells[0].lower()
            if name in SECTIONS and not any(cells[1:]):
                if name in seen:
                    raise PbError(
                        "repeated_section",
                        "Section %(section)s appears twice.",
                        line=line,
                        section=name.upper(),
                    )
                if seen and SECTIONS.index(name) < SECTIONS.index(seen[-1]):
                    raise PbError(
                        "section_order",
                        "Section %(section)s must come before %(previous)s.",
                        line=line,
                        section=name.upper(),
                        previous=seen[-1].upper(),
                    )
                if header is None and section:
                    raise PbError(
                        "missing_header",
                        "Section %(section)s has no header row.",
                        line=line,
                        section=section.upper(),
                    )
                seen.append(name)
                section, header = name, None
                continue
            if not section:
                raise PbError(
                    "no_section",
                    "The file must start with a section name such as META.",
                    line=line,
                )
            if header is None:
                header = _header(cells, section, line)
                if section == "projects":
                    instance.project_columns, projects_line = header, line
                elif section == "votes":
                    instance.vote_columns = header
                continue
            if section == "meta":
                _meta_row(instance, cells, line)
            elif section == "projects":
                project = PbProject(_row(cells, header, line), line=line)
                _check_project(project, line, project_ids)
                project_ids[project.project_id] = line
                instance.projects.append(project)
            else:
                vote = _vote(instance, _row(cells, header, line), line, project_ids)
                if vote.voter_id in voter_ids:
                    raise PbError(
                        "repeated_voter",
                        "Voter %(voter)s already voted on line %(first)s.",
                        line=line,
                        voter=vote.voter_id,
                        first=voter_ids[vote.voter_id],
                    )
                voter_ids[vote.voter_id] = line
                instance.votes.append(vote)
    except csv.Error as error:
        raise PbError(
            "bad_csv",
            "This is not valid CSV (%(detail)s).",
            line=reader.line_num,
            detail=str(error),
        ) from None
    if header is None and section in ("meta", "projects"):
        raise PbError(
            "missing_header", "Section %(section)s has no header row.", section=section.upper()
        )
    for required in ("meta", "projects"):
        if required not in seen:
            raise PbError(
                "missing_section", "The file has no %(section)s section.", section=required.upper()
            )
    _check_meta(instance)
    if not instance.projects:
        raise PbError("no_projects", "The PROJECTS section lists no projects.", line=projects_line)
    return instance


def _header(cells: list[str], section: str, line: int) -> list[str]:
    names: list[str] = []
    for position, name in enumerate(cells, start=1):
        if not name:
            raise PbError(
                "unnamed_column", "Column %(column)s has no name.", line=line, column=position
            )
        if name in names:
            raise PbError(
                "repeated_column", "Two columns are named “%(name)s”.", line=line, name=name
            )
        names.append(name)
    required = {
        "meta": ("key", "value"),
        "projects": ("project_id", "cost"),
        "votes": ("voter_id", "vote"),
    }[section]
    if section == "meta":
        # Pabulib writes "key;value"; the names themselves do not matter.
        if len(names) < 2:
            raise PbError("meta_header", "The META section's header is “key;value”.", line=line)
        return names
    for name in required:
        if name not in names:
            raise PbError(
                "missing_column",
                "The %(section)s section has no “%(column)s” column.",
                line=line,
                section=section.upper(),
                column=name,
            )
    return names


def _row(cells: list[str], header: list[str], line: int) -> dict[str, str]:
    if len(cells) != len(header):
        raise PbError(
            "row_length",
            "This row has %(cells)s cells, but the header names %(columns)s columns.",
            line=line,
            cells=len(cells),
            columns=len(header),
        )
    return dict(zip(header, cells, strict=True))


def _meta_row(instance: PbInstance, cells: list[str], line: int) -> None:
    key = cells[0]
    if not key:
        raise PbError("meta_key", "A META row needs a key in its first cell.", line=line)
    if key in instance.meta:
        raise PbError("repeated_key", "META key “%(key)s” appears twice.", line=line, key=key)
    # A value holding unquoted semicolons reads as more cells: join them back.
    instance.meta[key] = ";".join(cells[1:]).strip()


def _check_project(project: PbProject, line: int, known: Mapping[str, int]) -> None:
    project_id = project.project_id
    if not project_id:
        raise PbError("no_project_id", "This project has no project_id.", line=line)
    if "," in project_id:
        raise PbError(
            "comma_in_id",
            "A project_id cannot contain a comma: “%(id)s”.",
            line=line,
            id=project_id,
        )
    if project_id in known:
        raise PbError(
            "repeated_project",
            "Project %(id)s is already listed on line %(first)s.",
            line=line,
            id=project_id,
            first=known[project_id],
        )
    for column, whole in (("cost", False), ("votes", False), ("score", False), ("selected", True)):
        text = project.fields.get(column, "")
        if column != "cost" and _is_empty(text):
            continue
        try:
            value = parse_number(text)
        except ValueError:
            raise PbError(
                "bad_number",
                "Project %(id)s: “%(value)s” in column %(column)s is not a number.",
                line=line,
                id=project_id,
                column=column,
                value=text,
            ) from None
        if value < 0 or (whole and value != value.to_integral_value()):
            raise PbError(
                "negative" if value < 0 else "not_whole",
                "Project %(id)s: column %(column)s cannot be “%(value)s”.",
                line=line,
                id=project_id,
                column=column,
                value=text,
            )


def _vote(
    instance: PbInstance, fields: dict[str, str], line: int, projects: Mapping[str, int]
) -> PbVote:
    vote_type = instance.vote_type
    if not vote_type:
        raise PbError(
            "no_vote_type",
            "META must give the vote_type (%(types)s) of the votes.",
            line=line,
            types=", ".join(VOTE_TYPES),
        )
    if vote_type not in VOTE_TYPES:
        raise PbError(
            "vote_type",
            "Unknown vote_type “%(value)s”: use one of %(types)s.",
            line=line,
            value=instance.meta.get("vote_type", ""),
            types=", ".join(VOTE_TYPES),
        )
    voter = fields["voter_id"]
    if _is_empty(voter):
        raise PbError("no_voter_id", "This vote has no voter_id.", line=line)
    raw = fields["vote"]
    chosen = () if _is_empty(raw) else tuple(p.strip() for p in raw.split(","))
    for project_id in chosen:
        if project_id not in projects:
            raise PbError(
                "unknown_project",
                "Voter %(voter)s votes for project “%(id)s”, which PROJECTS does not list.",
                line=line,
                voter=voter,
                id=project_id,
            )
    # Approval ballots are sets: a project named twice (real files have a few) counts once.
    # Points and rankings named twice are ambiguous.
    if len(set(chosen)) != len(chosen) and vote_type not in ("approval", "choose-1"):
        raise PbError(
            "repeated_choice", "Voter %(voter)s names a project twice.", line=line, voter=voter
        )
    if vote_type == "choose-1" and len(set(chosen)) > 1:
        raise PbError(
            "choose_one",
            "Voter %(voter)s chose %(count)s projects; this vote allows one.",
            line=line,
            voter=voter,
            count=len(set(chosen)),
        )
    points: tuple[Decimal, ...] = ()
    if vote_type in POINT_VOTE_TYPES:
        raw_points = fields.get("points", "")
        if "points" not in fields:
            raise PbError(
                "missing_column",
                "The %(section)s section has no “%(column)s” column.",
                line=line,
                section="VOTES",
                column="points",
            )
        texts = [] if _is_empty(raw_points) else [p.strip() for p in raw_points.split(",")]
        if len(texts) != len(chosen):
            raise PbError(
                "points_count",
                "Voter %(voter)s gives %(points)s points for %(projects)s projects.",
                line=line,
                voter=voter,
                points=len(texts),
                projects=len(chosen),
            )
        try:
            points = tuple(parse_number(t) for t in texts)
        except ValueError as error:
            raise PbError(
                "bad_points",
                "Voter %(voter)s: “%(value)s” is not a number of points.",
                line=line,
                voter=voter,
                value=str(error),
            ) from None
        if vote_type == "cumulative" and any(p < 0 for p in points):
            raise PbError(
                "negative_points", "Voter %(voter)s gives negative points.", line=line, voter=voter
            )
    return PbVote(fields=fields, vote=chosen, points=points, line=line)


def _check_meta(instance: PbInstance) -> None:
    if "budget" not in instance.meta:
        raise PbError("no_budget", "META has no budget.")
    try:
        budget = instance.budget
    except ValueError:
        raise PbError(
            "bad_budget", "The budget “%(value)s” is not a number.", value=instance.meta["budget"]
        ) from None
    if budget <= 0:
        raise PbError(
            "bad_budget", "The budget “%(value)s” is not a number.", value=instance.meta["budget"]
        )
    if instance.vote_type and instance.vote_type not in VOTE_TYPES:
        raise PbError(
            "vote_type",
            "Unknown vote_type “%(value)s”: use one of %(types)s.",
            value=instance.meta.get("vote_type", ""),
            types=", ".join(VOTE_TYPES),
        )


# --- writing -----------------------------------------------------------------------------------


def _rows(writer: Any, header: list[str], rows: Iterable[Mapping[str, str]]) -> None:
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])


def write_pb(instance: PbInstance) -> str:
    """The `.pb` text of `instance`: META, PROJECTS and VOTES (with its header even when there
    are no ballots, as Pabulib requires the section)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in instance.meta.items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    _rows(writer, instance.project_columns, (p.fields for p in instance.projects))
    writer.writerow(["VOTES"])
    _rows(writer, instance.vote_columns, (v.fields for v in instance.votes))
    return buffer.getvalue()


def columns_of(projects: Iterable[PbProject]) -> list[str]:
    """Every column used by `projects`, `project_id` and `cost` first, then in first use."""
    columns = ["project_id", "cost"]
    for project in projects:
        for key in project.fields:
            if key not in columns:
                columns.append(key)
    return columns
