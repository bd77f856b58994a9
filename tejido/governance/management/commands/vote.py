"""`tejido vote`: voting from the command line.

    tejido vote count FILE --method M [--format text|json] [--threshold X] [--dots N]
                                      [--score-max N] [--max-choices N] [--seed S]
                                      [--language es|ca|en]

`count` reads a ballots file (CSV, or the PrefLib formats .soc, .soi, .toc, .toi; see
docs/ballot-files.md), counts it with one of the platform's methods and prints the ranking,
the winner(s), whether a motion passed, and the explanation of the count. It never touches the
database: researchers and members can re-count a poll, or check the platform against other
tools, on any computer.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.governance import voting
from tejido.governance.ballot_files import BallotFileError, read_ballot_file
from tejido.governance.explain import ballot_error_message, explain_count

METHOD_NAMES = {
    "majority": lambda: _("Simple majority"),
    "qualified": lambda: _("Qualified majority"),
    "consent": lambda: _("Consent (objections)"),
    "plurality": lambda: _("Plurality (one choice)"),
    "approval": lambda: _("Approval"),
    "borda": lambda: _("Ranked ballot, Borda count"),
    "irv": lambda: _("Ranked ballot, instant runoff"),
    "cumulative": lambda: _("Dot voting"),
    "score": lambda: _("Score"),
}


class Command(BaseCommand):
    help = (
        "Voting from the command line: 'count' counts a ballots file (CSV or PrefLib .soc, "
        ".soi, .toc, .toi) with one of the platform's methods and explains the count, without "
        "touching the database. Run 'tejido vote count --help' for details."
    )
    # Pure counting: no models, URLs or database involved, so no system checks to run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        count = subcommands.add_parser(
            "count",
            help="Count a ballots file and explain the count.",
            description=(
                "Count a ballots file and print the ranking, the winner(s), whether a motion "
                "passed, and the count step by step. CSV: a first row naming the options, one "
                "ballot per row (ranks for borda/irv, 1 or x for approval, numbers for score "
                "and cumulative, a single column 'choice' for plurality and motions). PrefLib "
                ".soc/.soi/.toc/.toi files count with plurality, borda or irv. Ties are broken "
                "by the documented lot: SHA-256 of 'SEED:option' (option numbers from 0), "
                "smallest first. docs/ballot-files.md describes the formats."
            ),
        )
        count.add_argument("file", metavar="FILE", help="The ballots file.")
        count.add_argument(
            "--method", required=True, metavar="M", help=f"One of: {', '.join(voting.METHODS)}."
        )
        count.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="Output format (default text).",
        )
        count.add_argument(
            "--threshold",
            default="2/3",
            metavar="X",
            help="Qualified majority: the share of yes among yes and no, as 0.6 or 2/3 "
            "(default 2/3).",
        )
        count.add_argument(
            "--dots", type=int, default=5, metavar="N", help="Dot voting: dots per voter (5)."
        )
        count.add_argument(
            "--score-max", type=int, default=5, metavar="N", help="Score: the highest score (5)."
        )
        count.add_argument(
            "--max-choices",
            type=int,
            default=0,
            metavar="N",
            help="Approval: the most options a ballot may approve (0 = any).",
        )
        count.add_argument(
            "--seed",
            metavar="S",
            help="Seed of the tie-break lot (default: the SHA-256 of the file, so anyone "
            "re-running the count gets the same draw).",
        )
        count.add_argument(
            "--language",
            choices=["es", "ca", "en"],
            help="Language of the text (default: the platform's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "count":
            language = options.get("language")
            if language:
                with translation.override(language):
                    self.count(options)
            else:
                self.count(options)

    # --- count ------------------------------------------------------------------------------

    def count(self, options: dict[str, Any]) -> None:
        method = options["method"]
        if method not in voting.METHODS:
            raise CommandError(
                _("Unknown method “%(method)s”. Use one of: %(methods)s.")
                % {"method": method, "methods": ", ".join(voting.METHODS)}
            )
        threshold = _threshold(options["threshold"])
        for name in ("dots", "score_max"):
            if options[name] < 1:
                raise CommandError(
                    _("--%(option)s must be at least 1.") % {"option": name.replace("_", "-")}
                )
        if options["max_choices"] < 0:
            raise CommandError(_("--max-choices cannot be negative."))
        path = Path(options["file"])
        try:
            ballot_file = read_ballot_file(
                path,
                method,
                dots=options["dots"],
                score_max=options["score_max"],
                max_choices=options["max_choices"],
            )
        except BallotFileError as error:
            raise CommandError(file_error_message(error, path)) from error
        seed = options["seed"]
        if seed is None:
            seed = hashlib.sha256(path.read_bytes()).hexdigest()
        labels = ballot_file.labels
        if method in voting.MOTION_METHODS:
            labels = [_motion_label(code) for code in labels]
        counted = voting.count(
            method,
            len(labels),
            ballot_file.ballots,
            threshold=threshold,
            dots=options["dots"],
            score_max=options["score_max"],
            max_choices=options["max_choices"],
            seed=seed,
        )
        sentences = explain_count(counted, labels)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    _as_json(counted, labels, sentences, path, ballot_file.file_format, seed),
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(
                "\n".join(_as_text(counted, labels, sentences, path, ballot_file.file_format))
            )


def _threshold(text: str) -> Fraction:
    try:
        value = Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise CommandError(
            _("--threshold must be a share such as 0.6 or 2/3, not “%(value)s”.") % {"value": text}
        ) from None
    if not 0 < value <= 1:
        raise CommandError(_("--threshold must be above 0 and at most 1."))
    return value


def _motion_label(code: str) -> str:
    return {
        "yes": _("Yes"),
        "no": _("No"),
        "abstain": _("Abstain"),
        "consent": _("Consent"),
        "stand_aside": _("Stand aside"),
        "object": _("Object"),
    }.get(code, code)


def _as_text(
    counted: voting.Count, labels: list[str], sentences: list[str], path: Path, file_format: str
) -> list[str]:
    lines = [
        _("Method: %(method)s") % {"method": METHOD_NAMES[counted.method]()},
        ngettext(
            "File: %(file)s (%(format)s, %(ballots)s ballot, %(options)s options)",
            "File: %(file)s (%(format)s, %(ballots)s ballots, %(options)s options)",
            counted.ballot_count,
        )
        % {
            "file": path.name,
            "format": file_format,
            "ballots": counted.ballot_count,
            "options": counted.option_count,
        },
        "",
        _("Ranking:"),
    ]
    place = 1
    for group in counted.ranking:
        names = ", ".join(labels[o] for o in group)
        total = counted.totals.get(group[0], 0) if counted.method != "irv" else None
        tied = _(" (tied)") if len(group) > 1 else ""
        if total is None:
            lines.append(f"  {place}. {names}{tied}")
        else:
            lines.append(f"  {place}. {names}{tied} — {_number(total)}")
        place += len(group)
    lines.append("")
    if counted.passed is not None:
        lines.append(_("Passed: yes") if counted.passed else _("Passed: no"))
    elif counted.winner is None:
        lines.append(_("Winner: none (no valid ballots)"))
    elif counted.tie_broken:
        lines.append(
            _("Winner: %(winner)s (by lot among %(tied)s)")
            % {
                "winner": labels[counted.winner],
                "tied": ", ".join(labels[o] for o in counted.tied_winners),
            }
        )
    else:
        lines.append(_("Winner: %(winner)s") % {"winner": labels[counted.winner]})
    lines += ["", _("How the count went:")]
    lines += [f"  - {sentence}" for sentence in sentences]
    return lines


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _as_json(
    counted: voting.Count,
    labels: list[str],
    sentences: list[str],
    path: Path,
    file_format: str,
    seed: str,
) -> dict[str, Any]:
    def option(number: int | None) -> dict[str, Any] | None:
        return None if number is None else {"option": number, "label": labels[number]}

    return {
        "file": str(path),
        "format": file_format,
        "method": counted.method,
        "options": labels,
        "ballots": counted.ballot_count,
        "seed": seed,
        "totals": [
            {"option": o, "label": labels[o], "total": counted.totals.get(o, 0)}
            for o in range(counted.option_count)
        ],
        "ranking": [list(group) for group in counted.ranking],
        "ranking_labels": [[labels[o] for o in group] for group in counted.ranking],
        "winner": option(counted.winner),
        "tied_winners": [option(o) for o in counted.tied_winners],
        "tie_broken": counted.tie_broken,
        "passed": counted.passed,
        "rounds": [
            {
                "round": number,
                "tallies": [
                    {"option": o, "label": labels[o], "votes": votes} for o, votes in tally.items()
                ],
            }
            for number, tally in enumerate(counted.rounds, start=1)
        ],
        "explanation": [
            {"code": step.code, "params": step.params, "sentence": sentence}
            for step, sentence in zip(counted.explanation, sentences, strict=True)
        ],
    }


def file_error_message(error: BallotFileError, path: Path) -> str:
    """The problem with a ballots file, in the active language, with its line number."""
    p = error.params
    where = (
        _("%(file)s, line %(line)s") % {"file": path.name, "line": error.line}
        if error.line
        else path.name
    )
    code = error.code
    if code == "invalid_ballot" and error.ballot_error is not None:
        text = ballot_error_message(error.ballot_error)
    elif code == "not_found":
        return _("No such file: %(file)s") % {"file": path}
    elif code == "not_utf8":
        text = _("The file is not UTF-8 text; save it as UTF-8 and try again.")
    elif code == "unreadable":
        return _("Cannot read %(file)s.") % {"file": path}
    elif code == "unknown_format":
        text = _("Unknown file type: use .csv, .soc, .soi, .toc or .toi.")
    elif code == "empty_file":
        text = _("The file is empty.")
    elif code == "no_ballots":
        text = _("The file has no ballots.")
    elif code == "empty_ballot":
        text = _("The ballot is empty.")
    elif code == "bad_csv":
        text = _("This is not valid CSV.")
    elif code == "row_length":
        text = _("This row has %(cells)s cells, but the first row names %(columns)s columns.") % p
    elif code == "motion_needs_choice":
        text = _("A motion's ballots file has a single column named “choice”.")
    elif code == "unnamed_column":
        text = _("Column %(column)s has no name.") % p
    elif code == "duplicate_column":
        text = _("Two columns are named “%(name)s”.") % p
    elif code == "unknown_choice":
        text = _("“%(choice)s” is not a valid choice; use %(choices)s.") % {
            "choice": p["choice"],
            "choices": ", ".join(p["choices"]),
        }
    elif code == "bad_rank":
        text = _("“%(column)s”: a rank is a whole number from 1.") % p
    elif code == "tied_ranks":
        text = _("“%(first)s” and “%(second)s” share rank %(rank)s; a ranking must be strict.") % p
    elif code == "bad_mark":
        text = _("“%(column)s”: write 1 or x to choose the option, 0 or nothing otherwise.") % p
    elif code == "plurality_one_mark":
        text = _("A plurality ballot marks exactly one option (this one marks %(marked)s).") % p
    elif code == "not_whole":
        text = _("“%(column)s”: “%(value)s” is not a whole number.") % p
    elif code == "method_needs_csv":
        text = _(
            "A PrefLib file holds rankings: count it with plurality, borda or irv, or give "
            "these ballots as a CSV file."
        )
    elif code == "ties_not_allowed":
        text = _(
            "%(options)s are tied in place %(place)s; this method needs a strict ranking (only "
            "a tie in the last place can be read, as leaving those options unranked)."
        ) % {"options": ", ".join(p["options"]), "place": p["place"]}
    elif code == "ties_in_strict_format":
        text = _("This file type has no ties ({…}); use .toc or .toi.")
    elif code == "incomplete_order":
        text = _("This file type ranks every alternative; missing: %(missing)s.") % {
            "missing": ", ".join(str(m) for m in p["missing"])
        }
    elif code == "unknown_alternative":
        text = _("Alternative %(alternative)s is not in the header.") % p
    elif code == "repeated_alternative":
        text = _("Alternative %(alternative)s appears twice.") % p
    elif code == "duplicate_alternative":
        text = _("Alternative %(alternative)s is named twice.") % p
    elif code == "no_alternatives":
        text = _(
            "The header names no alternatives (“# ALTERNATIVE NAME 1: …” or “# NUMBER "
            "ALTERNATIVES: n”)."
        )
    elif code == "alternative_count":
        text = _("The header declares %(declared)s alternatives but names %(named)s.") % p
    elif code == "voter_count":
        text = _("The header declares %(declared)s voters but the lines add up to %(counted)s.") % p
    elif code == "header_after_data":
        text = _("Header lines (#) must come before the ballots.")
    else:  # bad_line, bad_count, bad_alternative
        text = _("This line is not “count: ranking” (for example “3: 2, 1, 3”).")
    return f"{where}: {text}"
