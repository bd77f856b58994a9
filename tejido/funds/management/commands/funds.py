"""`tejido funds`: the competitive funds from the command line.

    tejido funds allocate FILE.pb --rule greedy|optimal [--format text|json] [--language L]
    tejido funds export-360giving [CALL ...] [--base-url URL]
    tejido funds remind [--date YYYY-MM-DD] [--base-url URL]

`allocate` reads a Pabulib file and shares its budget among its projects with one of the
platform's allocation rules, explaining the outcome of every project, without touching the
database: anyone can check the platform's rules against a city's real results. A project's
score is its `votes` column, or its `score` column when it has no votes, or else what its
ballots add up to. When the file has a `selected` column, the command says whether the result
is the same (projects marked 2 or 3 were funded from other money and are listed apart).

`export-360giving` writes the awards of the named calls (by id, by slug, or as
`program/slug`), or of every call of a public program whose results are published, to standard
output as a 360Giving JSON package. `remind` e-mails the reminders of overdue follow-up items
of the awards (each at most once a day).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.funds import allocation, giving360
from tejido.funds.explain import explain, explain_notes
from tejido.funds.opendata.messages import pb_error_message
from tejido.funds.pabulib import SELECTED_BY_RULE, PbError, PbInstance, read_pb
from tejido.governance.plans.money import money

RULE_NAMES = {
    "greedy": lambda: _("Greedy by score"),
    "optimal": lambda: _("Optimal (best total score)"),
}


class Command(BaseCommand):
    help = (
        "The competitive funds from the command line: 'allocate' shares a Pabulib file's "
        "budget with an allocation rule and explains every project's outcome (no database "
        "needed); 'export-360giving' writes the awards of calls as a 360Giving JSON package; "
        "'remind' e-mails the reminders of overdue follow-up items."
    )
    # `allocate` needs no models, URLs or database: no system checks to run first.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        allocate = commands.add_parser(
            "allocate",
            help="Allocate a Pabulib file's budget and explain every project's outcome.",
            description=(
                "Read a Pabulib (.pb) file, share its budget among its projects with the "
                "greedy or the optimal rule, and print the selected projects, the reason for "
                "every project's outcome, the totals, and whether the result is the file's own "
                "(its 'selected' column). A project's score is its 'votes' column, else its "
                "'score' column, else the sum of its ballots. The database is not used."
            ),
        )
        allocate.add_argument("file", metavar="FILE", help="The Pabulib file.")
        allocate.add_argument(
            "--rule", required=True, choices=list(allocation.RULES), help="The allocation rule."
        )
        allocate.add_argument(
            "--format", choices=["text", "json"], default="text", help="Output (default text)."
        )
        allocate.add_argument(
            "--language",
            choices=["es", "ca", "en"],
            help="Language of the explanations (default: the platform's).",
        )
        export = commands.add_parser(
            "export-360giving",
            help="Write the awards of calls as a 360Giving JSON package.",
            description=(
                "Write the awards of the named calls (an id, a slug, or program/slug) to "
                "standard output as a 360Giving JSON package; with no call named, those of "
                "every call of a public program whose results are published. A named call "
                "must have published its results."
            ),
        )
        export.add_argument("calls", nargs="*", metavar="CALL", help="Calls to export.")
        export.add_argument(
            "--base-url",
            default="",
            metavar="URL",
            help="The site's address (https://…), to link each grant to its call's page.",
        )
        remind = commands.add_parser(
            "remind",
            help="E-mail the reminders of overdue follow-up items (once a day each).",
        )
        remind.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The day to remind as of (default today).",
        )
        remind.add_argument(
            "--base-url", default="", metavar="URL", help="The site's address, for links."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "allocate":
            language = options.get("language")
            if language:
                with translation.override(language):
                    self.allocate(options)
            else:
                self.allocate(options)
        elif subcommand == "export-360giving":
            self.export_360giving(options)
        else:
            self.remind(options)

    # --- allocate ---------------------------------------------------------------------------

    def allocate(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        instance = read_file(path)
        problem, source = problem_from_pb(instance)
        result = allocation.allocate(problem, options["rule"])
        report = allocation_report(instance, problem, result, source, path)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(as_text(report)))

    # --- export-360giving -------------------------------------------------------------------

    def export_360giving(self, options: dict[str, Any]) -> None:
        from tejido.funds.models import Call, CallStatus
        from tejido.funds.opendata.selectors import open_data_awards

        named: list[str] = options["calls"]
        if named:
            calls = [find_call(name) for name in named]
            for call in calls:
                if call.status != CallStatus.RESULTS_PUBLISHED:
                    raise CommandError(
                        _(
                            "The call “%(call)s” has not published its results: its awards "
                            "are not open data yet."
                        )
                        % {"call": call.title}
                    )
        else:
            calls = list(
                Call.objects.with_public_results()
                .filter(program__is_public=True)
                .select_related("program")
            )
        grants = giving360.grants_for_awards(open_data_awards(calls), base_url=options["base_url"])
        if not grants:
            raise CommandError(_("There are no awards to export."))
        programs = {call.program_id: call.program for call in calls}
        publisher = {"name": "Tejido"}
        identifier = f"{giving360.PREFIX}export"
        if len(programs) == 1:
            program = next(iter(programs.values()))
            publisher = {"name": program.name, "identifier": giving360.program_id(program)}
            identifier = f"{giving360.PREFIX}{program.slug}"
        title = (
            _("Grants of “%(call)s”") % {"call": calls[0].title}
            if len(calls) == 1
            else _("Grants of %(count)s calls") % {"count": len(calls)}
        )
        data = giving360.package(grants, title=title, identifier=identifier, publisher=publisher)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    # --- remind -----------------------------------------------------------------------------

    def remind(self, options: dict[str, Any]) -> None:
        from django.utils import timezone

        from tejido.funds.awards.reminders import send_reminders

        today = options["date"] or timezone.localdate()
        sent = send_reminders(today=today, base_url=options["base_url"])
        self.stdout.write(
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", sent)
            % {"count": sent}
        )


def read_file(path: Path) -> PbInstance:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("No such file: %(file)s") % {"file": path}) from None
    except OSError:
        raise CommandError(_("Cannot read %(file)s.") % {"file": path}) from None
    except UnicodeDecodeError:
        raise CommandError(
            f"{path.name}: " + _("The file is not UTF-8 text; save it as UTF-8 and try again.")
        ) from None
    try:
        return read_pb(text)
    except PbError as error:
        raise CommandError(pb_error_message(error, path.name)) from None


def problem_from_pb(instance: PbInstance) -> tuple[allocation.Problem, str]:
    """The allocation problem of a Pabulib instance, and which scores it used: "votes",
    "score" or "ballots"."""
    columns = set(instance.project_columns)
    tally = instance.tally()
    if "votes" in columns:
        source = "votes"
    elif "score" in columns:
        source = "score"
    else:
        source = "ballots"
    projects = []
    for project in instance.projects:
        if source == "votes":
            value = project.votes
        elif source == "score":
            value = project.score
        else:
            value = tally[project.project_id][1]
        projects.append(
            allocation.Project(
                id=project.project_id,
                cost=project.cost,
                score=float(value or 0),
                name=project.name,
            )
        )
    return allocation.Problem(budget=instance.budget, projects=tuple(projects)), source


def _amount(value: Decimal, currency: str) -> str:
    if currency:
        return money(value, currency)
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _score(value: float) -> str:
    return formats.number_format(value, 0 if float(value).is_integer() else 2, use_l10n=True)


def allocation_report(
    instance: PbInstance,
    problem: allocation.Problem,
    result: allocation.Allocation,
    source: str,
    path: Path,
) -> dict[str, Any]:
    """Everything the command prints, as JSON-ready data (explanations in the active language)."""
    currency = instance.currency
    scores = {p.id: p.score for p in problem.projects}
    projects = []
    for project in instance.projects:
        decision = result.decisions[project.project_id]
        projects.append(
            {
                "project_id": project.project_id,
                "name": project.name,
                "cost": str(project.cost),
                "score": scores[project.project_id],
                "outcome": str(decision.outcome),
                "amount": str(decision.amount),
                "rank": decision.rank,
                "explanation": explain(decision, currency=currency or None),
            }
        )
    funded = {p.project_id for p in instance.projects} & {
        pid for pid, d in result.decisions.items() if d.outcome in allocation.FUNDED_OUTCOMES
    }
    selected = [p["project_id"] for p in sorted(projects, key=_rank) if p["project_id"] in funded]
    comparison: dict[str, Any] | None = None
    if instance.has_selected:
        by_rule = {p.project_id for p in instance.projects if p.selected == SELECTED_BY_RULE}
        other_money = [
            p.project_id for p in instance.projects if (p.selected or 0) > SELECTED_BY_RULE
        ]
        comparison = {
            "matches": funded == by_rule,
            "only_here": [pid for pid in selected if pid not in by_rule],
            "only_in_file": [
                p.project_id for p in instance.projects if p.project_id in by_rule - funded
            ],
            "other_money": other_money,
        }
    return {
        "file": str(path),
        "rule": result.rule,
        "vote_type": instance.vote_type,
        "voters": len(instance.votes),
        "score_source": source,
        "currency": currency,
        "budget": str(problem.budget),
        "total": str(result.total),
        "remaining": str(problem.budget - result.total),
        "feasible": result.feasible,
        "notes": explain_notes(result, currency=currency or None),
        "selected": selected,
        "projects": projects,
        "file_selected": comparison,
    }


def _rank(project: dict[str, Any]) -> tuple[int, str]:
    rank = project["rank"]
    return (rank if rank is not None else 10**9, project["project_id"])


def as_text(report: dict[str, Any]) -> list[str]:
    currency = report["currency"]
    budget, total = Decimal(report["budget"]), Decimal(report["total"])
    by_id = {p["project_id"]: p for p in report["projects"]}
    source = {
        "votes": _("each project's votes (the “votes” column)"),
        "score": _("each project's score (the “score” column)"),
        "ballots": _("what each project's ballots add up to"),
    }[report["score_source"]]
    lines = [
        _("File: %(file)s (%(projects)s projects, %(voters)s ballots)")
        % {
            "file": Path(report["file"]).name,
            "projects": len(report["projects"]),
            "voters": report["voters"],
        },
        _("Rule: %(rule)s") % {"rule": RULE_NAMES[report["rule"]]()},
        _("Ranked by %(source)s.") % {"source": source},
        _("Budget: %(budget)s · selected: %(total)s · left: %(left)s")
        % {
            "budget": _amount(budget, currency),
            "total": _amount(total, currency),
            "left": _amount(budget - total, currency),
        },
        "",
        ngettext(
            "Selected (%(count)s project):",
            "Selected (%(count)s projects):",
            len(report["selected"]),
        )
        % {"count": len(report["selected"])},
    ]
    for number, project_id in enumerate(report["selected"], start=1):
        project = by_id[project_id]
        lines.append(
            f"  {number}. {project_id} · {project['name'] or '—'} — "
            f"{_amount(Decimal(project['amount']), currency)} "
            + _("(score %(score)s)")
            % {"score": _score(project["score"])}
        )
    if not report["selected"]:
        lines.append("  " + _("none"))
    lines += ["", _("Every project:")]
    for project in sorted(report["projects"], key=_rank):
        lines.append(f"  {project['project_id']} · {project['name'] or '—'}")
        lines.append(f"      {project['explanation']}")
    for note in report["notes"]:
        lines += ["", note]
    comparison = report["file_selected"]
    if comparison is not None:
        lines.append("")
        if comparison["matches"]:
            lines.append(_("The file's “selected” column: the same projects."))
        else:
            lines.append(_("The file's “selected” column: different projects."))
            if comparison["only_here"]:
                lines.append(
                    "  "
                    + _("Selected here, not in the file: %(ids)s")
                    % {"ids": ", ".join(comparison["only_here"])}
                )
            if comparison["only_in_file"]:
                lines.append(
                    "  "
                    + _("Selected in the file, not here: %(ids)s")
                    % {"ids": ", ".join(comparison["only_in_file"])}
                )
        if comparison["other_money"]:
            lines.append(
                "  "
                + _("Funded from other money in the file (marked 2 or 3): %(ids)s")
                % {"ids": ", ".join(comparison["other_money"])}
            )
    return lines


def find_call(name: str) -> Any:
    """A call by id, by `program/slug`, or by slug when only one program has it."""
    from tejido.funds.models import Call

    calls = Call.objects.select_related("program")
    if name.isdigit():
        found = list(calls.filter(pk=int(name)))
    elif "/" in name:
        program, _sep, slug = name.partition("/")
        found = list(calls.filter(program__slug=program, slug=slug))
    else:
        found = list(calls.filter(slug=name))
    if not found:
        raise CommandError(_("Unknown call “%(call)s”.") % {"call": name})
    if len(found) > 1:
        raise CommandError(
            _("Several programs have a call “%(call)s”: name it as %(example)s or by its id.")
            % {"call": name, "example": f"{found[0].program.slug}/{name}"}
        )
    return found[0]
