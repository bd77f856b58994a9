"""Reading ballots from files: CSV, and the PrefLib formats used by voting researchers.

Pure Python (no Django). `read_ballot_file(path, method)` (or `parse_ballots(text, method,
file_format=...)`) returns a `BallotFile`: the option labels in order and the ballots in the
shape `voting.count` takes, every ballot checked with `voting.validate_ballot`. A problem raises
`BallotFileError` with a stable `code`, its `params`, the `line` it is on (1 = first line of
the file) and an English message; the `tejido vote count` command translates it. The format is
also described for users in docs/ballot-files.md.

CSV (UTF-8, with or without BOM; separated by commas, semicolons or tabs)
-----------------------------------------------------------------------
The first row names the options; then one ballot per row. Blank lines are skipped; a row whose
cells are all empty is an empty ballot, which is an error.

- borda, irv: each cell is the rank the voter gave the option (1 = first choice); an empty
  cell leaves the option unranked (it shares the bottom). Ranks are whole numbers from 1 and
  may skip numbers (1, 2, 4 is read as 1, 2, 3); two options with the same rank are an error.
- approval: 1, x or X for an approved option; 0 or empty for one not approved.
- score: the score, a whole number from 0 to the highest score (`--score-max`); empty = 0.
- cumulative: the dots given to the option, a whole number; empty = 0.
- plurality: either one column named "choice" holding the chosen option's name (the options
  are then the names found, in order of first appearance), or one column per option with a
  single 1, x or X in each row.
- majority, qualified: one column "choice" with yes, no or abstain.
- consent: one column "choice" with consent, stand_aside (or "stand aside") or object.

Motion choices are read without regard to case.

PrefLib (https://preflib.github.io/PrefLib-Jekyll/format)
----------------------------------------------------------
Header lines start with "#"; "# ALTERNATIVE NAME i: name" names alternative i (without names,
"# NUMBER ALTERNATIVES: n" declares alternatives 1..n, named by their numbers). Options are
the alternatives in increasing number. Every other line is "count: ranking": `count` voters
cast the ranking, alternatives separated by commas, best first; `{a, b}` is a group of tied
alternatives (only in .toc and .toi). When the header says "# NUMBER VOTERS: n", the counts
must add up to n.

- .soc: strict complete orders (every alternative once, no ties).
- .soi: strict incomplete orders (the unranked alternatives share the bottom).
- .toc: complete orders with ties; .toi: incomplete orders with ties.

Our ballots rank strictly, so a tie can only be read where it changes nothing: a tie in the
last place of a ranking means those alternatives are unranked (they share the bottom, as in
Borda and instant runoff here). Any other tie (e.g. two alternatives tied first) is refused
with the line number. PrefLib files hold rankings, so they can be counted with borda, irv,
and plurality (each ballot's first choice); other methods need a CSV file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import voting

CSV_FORMATS = ("csv",)
PREFLIB_FORMATS = ("soc", "soi", "toc", "toi")
FORMATS = CSV_FORMATS + PREFLIB_FORMATS
PREFLIB_METHODS = ("plurality", "borda", "irv")
MARKS = {"1", "x"}
UNMARKS = {"", "0"}
MOTION_CHOICES = {
    "majority": {"yes": 0, "no": 1, "abstain": 2},
    "qualified": {"yes": 0, "no": 1, "abstain": 2},
    "consent": {"consent": 0, "stand_aside": 1, "stand aside": 1, "object": 2},
}


class BallotFileError(ValueError):
    """A ballots file that cannot be read. `line` is 1-based (None: the file as a whole);
    `ballot_error` is set when a ballot did not pass `voting.validate_ballot`."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        ballot_error: voting.BallotError | None = None,
        **params: Any,
    ) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.code = code
        self.message = message
        self.line = line
        self.ballot_error = ballot_error
        self.params = params


@dataclass(frozen=True)
class BallotFile:
    file_format: str
    labels: list[str]
    ballots: list[Any]


def file_format_for(path: str | Path) -> str:
    """The format from the file's extension (csv, soc, soi, toc, toi)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BallotFileError(
            "unknown_format",
            f"unknown file type {Path(path).suffix or '(none)'!r}: use .csv, .soc, .soi, .toc "
            "or .toi",
            suffix=Path(path).suffix,
        )
    return suffix


def read_ballot_file(
    path: str | Path,
    method: str,
    *,
    file_format: str | None = None,
    dots: int = 5,
    score_max: int = 5,
    max_choices: int = 0,
) -> BallotFile:
    """Read and check a ballots file for `method` (format from the extension by default)."""
    file_format = file_format or file_format_for(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise BallotFileError("not_found", f"no such file: {path}", path=str(path)) from error
    except IsADirectoryError as error:
        raise BallotFileError("not_found", f"{path} is a folder", path=str(path)) from error
    except UnicodeDecodeError as error:
        raise BallotFileError("not_utf8", f"{path} is not UTF-8 text", path=str(path)) from error
    except OSError as error:
        raise BallotFileError(
            "unreadable", f"cannot read {path}: {error.strerror}", path=str(path)
        ) from error
    return parse_ballots(
        text,
        method,
        file_format=file_format,
        dots=dots,
        score_max=score_max,
        max_choices=max_choices,
    )


def parse_ballots(
    text: str,
    method: str,
    *,
    file_format: str,
    dots: int = 5,
    score_max: int = 5,
    max_choices: int = 0,
) -> BallotFile:
    if method not in voting.METHODS:
        raise BallotFileError(
            "unknown_method",
            f"unknown method {method!r}: use one of {', '.join(voting.METHODS)}",
            method=method,
        )
    if file_format not in FORMATS:
        raise BallotFileError(
            "unknown_format", f"unknown file type {file_format!r}", suffix=file_format
        )
    text = text.removeprefix("\ufeff")
    options = {"dots": dots, "score_max": score_max, "max_choices": max_choices}
    if file_format == "csv":
        labels, rows = _read_csv(text, method)
    else:
        if method not in PREFLIB_METHODS:
            raise BallotFileError(
                "method_needs_csv",
                f"a PrefLib file holds rankings: count it with {', '.join(PREFLIB_METHODS)}, "
                f"or give the {method} ballots as a CSV file",
                method=method,
            )
        labels, rows = _read_preflib(text, method, file_format)
    ballots: list[Any] = []
    option_count = len(labels)
    checked: dict[Any, Any] = {}
    for line, raw, repeat in rows:
        key = _hashable(raw)
        if key not in checked:
            try:
                checked[key] = voting.validate_ballot(method, option_count, raw, **options)
            except voting.BallotError as error:
                raise BallotFileError(
                    "invalid_ballot",
                    f"invalid ballot ({error.code}, {error.params})",
                    line=line,
                    ballot_error=error,
                ) from error
        ballots.extend([checked[key]] * repeat)
    return BallotFile(file_format=file_format, labels=labels, ballots=ballots)


def _hashable(ballot: Any) -> Any:
    if isinstance(ballot, dict):
        return ("d", tuple(sorted(ballot.items())))
    if isinstance(ballot, list):
        return ("l", tuple(ballot))
    return ("v", ballot)


# --- CSV ---------------------------------------------------------------------------------------

Row = tuple[int, Any, int]  # line, raw ballot, how many voters cast it


def _read_csv(text: str, method: str) -> tuple[list[str], list[Row]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise BallotFileError("empty_file", "the file is empty")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    choice_labels: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header = _csv_header(record, method, line)
                continue
            if not record:
                continue  # a blank line
            if not any(cell.strip() for cell in record):
                raise BallotFileError("empty_ballot", "the ballot is empty", line=line)
            if len(record) != len(header):
                raise BallotFileError(
                    "row_length",
                    f"{len(record)} cells, but the first row names {len(header)} columns",
                    line=line,
                    cells=len(record),
                    columns=len(header),
                )
            cells = [cell.strip() for cell in record]
            rows.append((line, _csv_ballot(cells, header, method, line, choice_labels), 1))
    except csv.Error as error:
        raise BallotFileError("bad_csv", f"not valid CSV: {error}", line=reader.line_num) from error
    if header is None:
        raise BallotFileError("empty_file", "the file is empty")
    if header == ["choice"]:
        if method in voting.MOTION_METHODS:
            labels = list(voting.CONSENT_OPTIONS if method == "consent" else voting.MOTION_OPTIONS)
        else:
            labels = list(choice_labels)
            if not labels:
                raise BallotFileError("no_ballots", "the file has no ballots")
    else:
        labels = header
    return labels, rows


def _csv_header(record: list[str], method: str, line: int) -> list[str]:
    names = [cell.strip() for cell in record]
    if method in voting.MOTION_METHODS:
        if [n.lower() for n in names] != ["choice"]:
            raise BallotFileError(
                "motion_needs_choice",
                'a motion file has a single column named "choice"',
                line=line,
            )
        return ["choice"]
    if method == "plurality" and [n.lower() for n in names] == ["choice"]:
        return ["choice"]
    for position, name in enumerate(names):
        if not name:
            raise BallotFileError(
                "unnamed_column",
                f"column {position + 1} has no name",
                line=line,
                column=position + 1,
            )
        if name in names[:position]:
            raise BallotFileError(
                "duplicate_column", f"two columns are named {name!r}", line=line, name=name
            )
    return names


def _csv_ballot(
    cells: list[str], header: list[str], method: str, line: int, choice_labels: dict[str, int]
) -> Any:
    if header == ["choice"]:
        choice = cells[0]
        if method in MOTION_CHOICES:
            known = MOTION_CHOICES[method]
            key = choice.lower()
            if key not in known:
                raise BallotFileError(
                    "unknown_choice",
                    f"{choice!r} is not one of {', '.join(sorted(set(known) - {'stand aside'}))}",
                    line=line,
                    choice=choice,
                    choices=sorted(set(known) - {"stand aside"}),
                )
            return known[key]
        return choice_labels.setdefault(choice, len(choice_labels))
    if method in voting.RANKED_METHODS:
        ranks: dict[int, int] = {}
        for option, cell in enumerate(cells):
            if cell == "":
                continue
            rank = _whole(cell, line, header[option])
            if rank < 1:
                raise BallotFileError(
                    "bad_rank",
                    f"{header[option]!r}: a rank is a whole number from 1",
                    line=line,
                    column=header[option],
                    value=cell,
                )
            if rank in ranks:
                raise BallotFileError(
                    "tied_ranks",
                    f"{header[ranks[rank]]!r} and {header[option]!r} share rank {rank}; "
                    "rankings must be strict",
                    line=line,
                    first=header[ranks[rank]],
                    second=header[option],
                    rank=rank,
                )
            ranks[rank] = option
        return [ranks[rank] for rank in sorted(ranks)]
    if method in ("approval", "plurality"):
        marked = []
        for option, cell in enumerate(cells):
            value = cell.lower()
            if value in MARKS:
                marked.append(option)
            elif value not in UNMARKS:
                raise BallotFileError(
                    "bad_mark",
                    f"{header[option]!r}: write 1 or x to choose the option, 0 or nothing "
                    f"otherwise, not {cell!r}",
                    line=line,
                    column=header[option],
                    value=cell,
                )
        if method == "plurality":
            if len(marked) != 1:
                raise BallotFileError(
                    "plurality_one_mark",
                    f"a plurality ballot marks exactly one option ({len(marked)} marked)",
                    line=line,
                    marked=len(marked),
                )
            return marked[0]
        return marked
    # score, cumulative
    return {option: _whole(cell, line, header[option]) for option, cell in enumerate(cells) if cell}


def _whole(cell: str, line: int, column: str) -> int:
    try:
        return int(cell)
    except ValueError:
        try:
            value = float(cell.replace(",", "."))
        except ValueError:
            value = float("nan")
        if value.is_integer():
            return int(value)
        raise BallotFileError(
            "not_whole",
            f"{column!r}: {cell!r} is not a whole number",
            line=line,
            column=column,
            value=cell,
        ) from None


# --- PrefLib -------------------------------------------------------------------------------------

_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s?(.*)$")
_NUMBER = re.compile(r"^#\s*NUMBER (ALTERNATIVES|VOTERS)\s*:\s*(\d+)\s*$")
_TOKEN = re.compile(r"\{[^{}]*\}|[^,{}]+")


def _read_preflib(text: str, method: str, file_format: str) -> tuple[list[str], list[Row]]:
    names: dict[int, str] = {}
    declared: dict[str, int] = {}
    body: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if body:
                raise BallotFileError(
                    "header_after_data", "header lines (#) must come first", line=number
                )
            if match := _NAME.match(stripped):
                alternative = int(match.group(1))
                if alternative in names:
                    raise BallotFileError(
                        "duplicate_alternative",
                        f"alternative {alternative} is named twice",
                        line=number,
                        alternative=alternative,
                    )
                names[alternative] = match.group(2).strip() or str(alternative)
            elif match := _NUMBER.match(stripped):
                declared[match.group(1)] = int(match.group(2))
            continue
        body.append((number, stripped))
    if not names:
        count = declared.get("ALTERNATIVES")
        if not count:
            raise BallotFileError(
                "no_alternatives",
                'the header names no alternatives ("# ALTERNATIVE NAME 1: ..." or '
                '"# NUMBER ALTERNATIVES: n")',
            )
        names = {i: str(i) for i in range(1, count + 1)}
    elif "ALTERNATIVES" in declared and declared["ALTERNATIVES"] != len(names):
        raise BallotFileError(
            "alternative_count",
            f"the header declares {declared['ALTERNATIVES']} alternatives but names {len(names)}",
            declared=declared["ALTERNATIVES"],
            named=len(names),
        )
    alternatives = sorted(names)
    option_of = {alternative: option for option, alternative in enumerate(alternatives)}
    labels = [names[a] for a in alternatives]
    rows: list[Row] = []
    voters = 0
    for number, line in body:
        repeat, groups = _preflib_line(line, number, option_of, file_format)
        voters += repeat
        rows.append((number, _ranking_for(groups, method, number, labels), repeat))
    if not rows:
        raise BallotFileError("no_ballots", "the file has no ballots")
    if "VOTERS" in declared and declared["VOTERS"] != voters:
        raise BallotFileError(
            "voter_count",
            f"the header declares {declared['VOTERS']} voters but the lines add up to {voters}",
            declared=declared["VOTERS"],
            counted=voters,
        )
    return labels, rows


def _preflib_line(
    line: str, number: int, option_of: dict[int, int], file_format: str
) -> tuple[int, list[list[int]]]:
    head, colon, ranking = line.partition(":")
    if not colon:
        raise BallotFileError(
            "bad_line", 'a ballot line is "count: ranking"', line=number, text=line
        )
    try:
        repeat = int(head.strip())
    except ValueError:
        raise BallotFileError(
            "bad_count", f"{head.strip()!r} is not a number of voters", line=number
        ) from None
    if repeat < 1:
        raise BallotFileError("bad_count", "the number of voters must be at least 1", line=number)
    groups: list[list[int]] = []
    seen: set[int] = set()
    rest = ranking.strip()
    for token in _TOKEN.findall(rest):
        token = token.strip()
        if not token:
            continue
        tied = token.startswith("{")
        if tied and file_format in ("soc", "soi"):
            raise BallotFileError(
                "ties_in_strict_format",
                f"a .{file_format} file has no ties ({{...}}); use .toc or .toi",
                line=number,
            )
        group = []
        for item in token[1:-1].split(",") if tied else [token]:
            item = item.strip()
            if not item:
                continue
            try:
                alternative = int(item)
            except ValueError:
                raise BallotFileError(
                    "bad_alternative", f"{item!r} is not an alternative number", line=number
                ) from None
            if alternative not in option_of:
                raise BallotFileError(
                    "unknown_alternative",
                    f"alternative {alternative} is not in the header",
                    line=number,
                    alternative=alternative,
                )
            option = option_of[alternative]
            if option in seen:
                raise BallotFileError(
                    "repeated_alternative",
                    f"alternative {alternative} appears twice",
                    line=number,
                    alternative=alternative,
                )
            seen.add(option)
            group.append(option)
        if group:
            groups.append(group)
    if re.sub(r"\{[^{}]*\}|[^,{}]+|[,\s]", "", rest):
        raise BallotFileError("bad_line", "unbalanced braces in the ranking", line=number)
    if not groups:
        raise BallotFileError("empty_ballot", "the ranking is empty", line=number)
    if file_format in ("soc", "toc") and len(seen) != len(option_of):
        missing = sorted(set(range(len(option_of))) - seen)
        alternatives = sorted(option_of)
        raise BallotFileError(
            "incomplete_order",
            f"a .{file_format} ranking lists every alternative; missing "
            f"{', '.join(str(alternatives[o]) for o in missing)}",
            line=number,
            missing=[alternatives[o] for o in missing],
        )
    return repeat, groups


def _ranking_for(groups: Sequence[list[int]], method: str, line: int, labels: list[str]) -> Any:
    """A ranking with tie groups as our strict ballot: a tie in last place is unranked."""
    strict: list[int] = []
    for position, group in enumerate(groups):
        if len(group) == 1:
            strict.append(group[0])
            continue
        last = position == len(groups) - 1
        if last and position > 0:
            break  # tied last: unranked, sharing the bottom
        names = [labels[o] for o in group]
        raise BallotFileError(
            "ties_not_allowed",
            f"{', '.join(names)} are tied in place {position + 1}; {method} needs a strict "
            "ranking (only a tie in the last place can be read, as leaving those unranked)",
            line=line,
            options=names,
            place=position + 1,
            method=method,
        )
    if method == "plurality":
        return strict[0]
    return strict
