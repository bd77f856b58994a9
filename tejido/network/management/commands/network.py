"""`tejido network`: network work from the command line.

    tejido network analyze FILE [--format csv|json] [--output F]
    tejido network export --program SLUG --output F [--format gexf|graphml|kumu|csv]
    tejido network import --program SLUG FILE [--nodes F] [--dry-run]

`analyze` reads a GEXF, GraphML, Kumu or CSV edge-list file and prints the per-actor
indicators without touching the database: for researchers, batch work and checks against other
tools. docs/graph-formats.md describes the formats.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.core.models import Program
from tejido.network.formats import (
    CSV,
    EXTENSIONS,
    FORMATS,
    GEXF,
    GRAPHML,
    KUMU,
    NODES_PART,
    Graph,
    GraphFormatError,
    detect_format,
    read_graph,
    write_nodes_csv,
)

INPUT_FORMATS = (GEXF, GRAPHML, KUMU, CSV)


class Command(BaseCommand):
    help = (
        "Network work from the command line: 'analyze' computes the per-actor indicators of a "
        "graph file (GEXF, GraphML, Kumu JSON or CSV edge list) without touching the database; "
        "'export' writes a program's network in one of these formats; 'import' reads one into "
        "a program, all of it or nothing. Run 'tejido network SUBCOMMAND --help' for details."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        analyze = subcommands.add_parser(
            "analyze",
            help="Per-actor indicators of a graph file, as CSV or JSON.",
            description=(
                "Read a GEXF, GraphML, Kumu JSON or CSV edge-list file and print one row per "
                "node, keyed by the file's node ids, with every per-actor indicator (degree, "
                "strength, two-step reach, betweenness, effective size, constraint, bonding/"
                "bridging/linking shares, brokerage roles, community, coreness, isolate, "
                "peripheral, critical). Edge weights are read from a 'weight' attribute or "
                "column, sectors from a 'sector' node attribute. The database is not used."
            ),
        )
        analyze.add_argument("file", metavar="FILE", help="The graph file.")
        analyze.add_argument(
            "--format",
            choices=["csv", "json"],
            default="csv",
            help="Output format (default csv).",
        )
        analyze.add_argument(
            "--output", metavar="F", help="Write to this file instead of the standard output."
        )
        analyze.add_argument(
            "--input-format",
            choices=INPUT_FORMATS,
            help="Format of FILE (default: from its content and extension).",
        )
        analyze.add_argument(
            "--nodes",
            metavar="F",
            help="For a CSV edge list: a node list (id, label, sector, ...) to go with it.",
        )
        analyze.add_argument(
            "--seed", type=int, default=0, help="Random seed (communities, sampling); default 0."
        )

        export = subcommands.add_parser(
            "export",
            help="Write a program's network as GEXF, GraphML, Kumu JSON or a CSV edge list.",
            description=(
                "Write the actors and the latest version of every tie of a program. Node ids "
                "are 'a' + the actor's id, edge ids 't' + the tie's id. Contact details are "
                "left out unless --contact is given."
            ),
        )
        export.add_argument("--program", required=True, help="Short name (slug) of the program.")
        export.add_argument(
            "--format",
            choices=list(FORMATS),
            help="File format (default: from the output file's extension).",
        )
        export.add_argument(
            "--output", required=True, metavar="F", help="File to write; - for standard output."
        )
        export.add_argument(
            "--nodes", metavar="F", help="With --format csv: also write the node list here."
        )
        export.add_argument(
            "--contact",
            action="store_true",
            help="Include the actors' e-mail, phone, website and address.",
        )

        load = subcommands.add_parser(
            "import",
            help="Read a graph file into a program: every node and edge, or nothing.",
            description=(
                "Create an actor for every node and a tie for every edge of a GEXF, GraphML, "
                "Kumu JSON or CSV edge-list file. Every element is checked first; if any is "
                "wrong, the problems are listed with their line numbers and nothing is "
                "imported (exit status 1). Ties are recorded with the provenance 'import'."
            ),
        )
        load.add_argument("file", metavar="FILE", help="The graph file (for CSV: the edge list).")
        load.add_argument("--program", required=True, help="Short name (slug) of the program.")
        load.add_argument("--nodes", metavar="F", help="For a CSV edge list: its node list.")
        load.add_argument("--input-format", choices=INPUT_FORMATS, help="Format of FILE.")
        load.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        load.add_argument(
            "--user", metavar="EMAIL", help="The account recorded as having made the import."
        )
        load.add_argument(
            "--update-existing",
            action="store_true",
            help="Nodes naming an actor already in the program (same name and kind) update it.",
        )
        load.add_argument(
            "--max-size",
            type=int,
            default=500,
            metavar="MB",
            help="Refuse files larger than this many megabytes (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "analyze":
                self.analyze(options)
            case "export":
                self.export(options)
            case "import":
                self.load(options)

    # --- analyze --------------------------------------------------------------------------

    def analyze(self, options: dict[str, Any]) -> None:
        from tejido.network.analysis import analyze
        from tejido.network.formats.csvlist import read_edge_arrays
        from tejido.network.formats.indicators import (
            graph_input,
            indicator_rows,
            network_input,
            write_rows_csv,
            write_rows_json,
        )

        started = time.perf_counter()
        path = Path(options["file"])
        nodes_path = options.get("nodes")
        data = _read_file(path, None)
        nodes = _read_file(Path(nodes_path), None) if nodes_path else None
        try:
            if not data.strip():
                raise GraphFormatError(_("The file is empty."))
            fmt = _input_format(path, data, options.get("input_format"), nodes=nodes)
            if fmt == CSV:
                # Edge lists, the usual form of large networks, are read column by column.
                network = network_input(read_edge_arrays(data, nodes))
            else:
                network = graph_input(read_graph(data, name=path.name, fmt=fmt))
        except GraphFormatError as exc:
            where = Path(nodes_path) if nodes_path and exc.part == NODES_PART else path
            raise CommandError(_where(where, exc)) from exc
        if network.self_loops:
            self.stderr.write(
                ngettext(
                    "%(count)s tie of a node with itself was left out.",
                    "%(count)s ties of a node with itself were left out.",
                    network.self_loops,
                )
                % {"count": network.self_loops}
            )
        read_seconds = time.perf_counter() - started
        result = analyze(network.graph, seed=options["seed"])
        if result.betweenness_sampled:
            self.stderr.write(
                _(
                    "The network is large: betweenness was estimated from a sample (absolute "
                    "error at most %(error)s)."
                )
                % {"error": f"{result.betweenness_error:.4f}" if result.betweenness_error else "?"}
            )
        rows = indicator_rows(result, network.node_ids, with_mix=network.graph.sectors is not None)
        write = write_rows_json if options["format"] == "json" else write_rows_csv
        with ExitStack() as stack:
            out = self._output(stack, options.get("output"))
            write(out, rows)
        if options["verbosity"] > 1:
            self.stderr.write(
                f"{network.graph.size} nodes, {len(network.graph.sources)} edges: read "
                f"{read_seconds:.1f} s, total {time.perf_counter() - started:.1f} s"
            )

    def _output(self, stack: ExitStack, output: str | None) -> IO[str]:
        if not output or output == "-":
            return self.stdout  # type: ignore[return-value]
        try:
            return stack.enter_context(Path(output).open("w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}
            ) from exc

    def _read(
        self,
        path: Path,
        input_format: str | None,
        nodes_path: str | None,
        max_bytes: int | None,
    ) -> tuple[Graph, str]:
        data = _read_file(path, max_bytes)
        nodes = _read_file(Path(nodes_path), max_bytes) if nodes_path else None
        try:
            fmt = _input_format(path, data, input_format, nodes=nodes)
            return read_graph(data, name=path.name, nodes=nodes, fmt=fmt), fmt
        except GraphFormatError as exc:
            raise CommandError(
                _where(Path(nodes_path) if nodes_path and exc.part == NODES_PART else path, exc)
            ) from exc

    # --- export ---------------------------------------------------------------------------

    def export(self, options: dict[str, Any]) -> None:
        from tejido.network.formats.program import program_graph, record_graph_export

        program = _program(options["program"])
        output = options["output"]
        fmt = options["format"] or EXTENSIONS.get(Path(output).suffix.lower())
        if fmt is None:
            raise CommandError(
                _("Give --format (%(formats)s): the output's extension does not say.")
                % {"formats": ", ".join(FORMATS)}
            )
        if options["nodes"] and fmt != CSV:
            raise CommandError(_("--nodes goes with --format csv only."))
        description = _("The network of %(program)s, exported from Tejido.") % {
            "program": program.name
        }
        with ExitStack() as stack:
            out = self._output(stack, output)
            graph = program_graph(program, contact=options["contact"])
            for chunk in FORMATS[fmt].write(
                graph, **({} if fmt == CSV else {"description": description})
            ):
                out.write(chunk)
        if options["nodes"]:
            with Path(options["nodes"]).open("w", encoding="utf-8", newline="") as nodes_out:
                for chunk in write_nodes_csv(program_graph(program, contact=options["contact"])):
                    nodes_out.write(chunk)
        record_graph_export(user=None, program=program, file_format=fmt, contact=options["contact"])
        if output != "-":
            self.stderr.write(self.style.SUCCESS(_("Written: %(file)s") % {"file": output}))

    # --- import ---------------------------------------------------------------------------

    def load(self, options: dict[str, Any]) -> None:
        from tejido.network.formats.program import import_graph

        program = _program(options["program"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user “%(email)s”.") % {"email": options["user"]})
        path = Path(options["file"])
        max_bytes = options["max_size"] * 1024 * 1024
        graph, fmt = self._read(path, options["input_format"], options["nodes"], max_bytes)
        nodes_path = Path(options["nodes"]) if options["nodes"] else None
        report = import_graph(
            program=program,
            graph=graph,
            source=nodes_path.name if nodes_path else path.name,
            edges_source=path.name if nodes_path else None,
            file_format=fmt,
            user=user,
            dry_run=options["dry_run"],
            update_existing=options["update_existing"],
        )
        for notice in report.notices:
            self.stdout.write(notice)
        for error in sorted(report.errors, key=lambda e: (e.source, e.line or 0)):
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)s problem: nothing was imported. Correct the file and run the "
                    "command again.",
                    "%(count)s problems: nothing was imported. Correct the file and run the "
                    "command again.",
                    len(report.errors),
                )
                % {"count": len(report.errors)}
            )
        if report.dry_run:
            summary = _(
                "Checked, no problems. The import would create %(actors_created)s actors and "
                "update %(actors_updated)s; create %(ties_created)s ties, write a new version "
                "of %(ties_updated)s and leave %(ties_unchanged)s unchanged."
            )
        else:
            summary = _(
                "Imported: %(actors_created)s actors created and %(actors_updated)s updated; "
                "%(ties_created)s ties created, %(ties_updated)s with a new version and "
                "%(ties_unchanged)s unchanged."
            )
        self.stdout.write(self.style.SUCCESS(summary % report.counts()))


def _input_format(path: Path, data: bytes, given: str | None, *, nodes: bytes | None) -> str:
    """The format given, else the one the extension says, else the one the content shows."""
    fmt = given or EXTENSIONS.get(path.suffix.lower()) or detect_format(data, path.name)
    if nodes is not None and fmt != CSV:
        raise CommandError(_("--nodes goes with a CSV edge list only."))
    return fmt


def _program(slug: str) -> Program:
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise CommandError(_("There is no program “%(slug)s”.") % {"slug": slug})
    return program


def _read_file(path: Path, max_bytes: int | None) -> bytes:
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            from tejido.network.transfer.importer import too_large_message

            raise CommandError(too_large_message(path.stat().st_size, max_bytes))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CommandError(_("There is no file at %(path)s.") % {"path": path}) from exc
    except IsADirectoryError as exc:
        raise CommandError(_("%(path)s is a folder, not a file.") % {"path": path}) from exc
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc


def _where(path: Path, exc: GraphFormatError) -> str:
    if exc.line is not None:
        return _("%(file)s, line %(line)s: %(message)s") % {
            "file": path.name,
            "line": exc.line,
            "message": exc.message,
        }
    return f"{path.name}: {exc.message}"
