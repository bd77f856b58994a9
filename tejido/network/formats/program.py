"""A program's network as a Graph (export), and a Graph into a program (import).

Export streams the actors and the latest version of every tie (ended ones included, with their
end date) in chunks by primary key, as the CSV export does: a program of 100,000 actors is
never held in memory. Node ids are "a" + the actor's id, edge ids "t" + the tie's id.

Import turns the graph's nodes and edges into the tables of the CSV/XLSX import and runs its
checks and its bulk writes: the same vocabulary (codes, labels in any UI language, Kumu's
words), the same errors at the element's line, all elements or none, ties recorded with the
provenance "import" in the cycle running when they started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Program
from tejido.network.models import Tie
from tejido.network.transfer.columns import ACTORS, TIES, cell_text
from tejido.network.transfer.exporter import ACTOR_HEADER, actor_rows
from tejido.network.transfer.importer import ImportReport, check_tables, write_plan
from tejido.network.transfer.readers import Row, Table
from tejido.network.transfer.validation import RowError

from .graph import (
    CONTACT_ATTRIBUTES,
    TEJIDO_EDGE_ATTRIBUTES,
    TEJIDO_NODE_ATTRIBUTES,
    Edge,
    Graph,
    Node,
    clean_attrs,
)

logger = logging.getLogger(__name__)

ACTOR_PREFIX = "a"
TIE_PREFIX = "t"
ACTOR_CHUNK = 5000
# Columns of exporter.actor_rows after the id and the name, in order.
_ACTOR_ROW_ATTRIBUTES = ACTOR_HEADER[2:]


def program_graph(program: Program, *, contact: bool = False) -> Graph:
    """The program's network. Contact details (e-mail, phone, website, address) only with
    `contact`: most uses of a graph file (Gephi, a researcher) do not need them."""
    node_attributes = {
        name: kind
        for name, kind in TEJIDO_NODE_ATTRIBUTES.items()
        if contact or name not in CONTACT_ATTRIBUTES
    }
    directed = Tie.objects.filter(program=program, directed=True).current().exists()
    return Graph(
        nodes=_nodes(program, node_attributes),
        edges=_edges(program),
        node_attributes=node_attributes,
        edge_attributes=dict(TEJIDO_EDGE_ATTRIBUTES),
        directed=directed,
    )


def _nodes(program: Program, node_attributes: dict[str, str]) -> Iterator[Node]:
    for pk, name, *values in actor_rows(program):
        attrs = dict(zip(_ACTOR_ROW_ATTRIBUTES, values, strict=True))
        yield Node(
            id=f"{ACTOR_PREFIX}{pk}",
            label=name,
            attrs=clean_attrs({k: attrs[k] for k in node_attributes}),
        )


_TIE_FIELDS = (
    "pk",
    "source_id",
    "target_id",
    "tie_type",
    "directed",
    "intensity",
    "trust",
    "value",
    "started_on",
    "ended_on",
    "note",
    "provenance",
    "cycle__number",
)


def _edges(program: Program) -> Iterator[Edge]:
    """Current ties in the order of their ends and type (not of their ids, which an import
    assigns in another order), read a range of source actors at a time."""
    ties = (
        Tie.objects.filter(program=program)
        .current()
        .order_by("source_id", "target_id", "tie_type", "pk")
    )
    for first, last in _actor_ranges(program):
        for row in ties.filter(source_id__gte=first, source_id__lte=last).values_list(*_TIE_FIELDS):
            (
                pk,
                source_id,
                target_id,
                tie_type,
                directed,
                intensity,
                trust,
                value,
                started_on,
                ended_on,
                note,
                provenance,
                cycle,
            ) = row
            yield Edge(
                id=f"{TIE_PREFIX}{pk}",
                source=f"{ACTOR_PREFIX}{source_id}",
                target=f"{ACTOR_PREFIX}{target_id}",
                directed=bool(directed),
                # As the analysis weighs ties: intensity + 1, so that "awareness" still counts.
                weight=float(intensity + 1),
                attrs=clean_attrs(
                    {
                        "tie_type": tie_type,
                        "intensity": intensity,
                        "trust": trust,
                        "value": value,
                        "since": started_on.isoformat() if started_on else None,
                        "until": ended_on.isoformat() if ended_on else None,
                        "note": note,
                        "provenance": provenance,
                        "cycle": cycle,
                    }
                ),
            )


def _actor_ranges(program: Program) -> Iterator[tuple[int, int]]:
    """(first, last) actor ids of consecutive chunks of the program's actors."""
    last = 0
    while True:
        ids = list(
            Actor.objects.filter(program=program, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:ACTOR_CHUNK]
        )
        if not ids:
            return
        yield ids[0], ids[-1]
        last = ids[-1]


def export_filename(program: Program, extension: str, *, part: str = "") -> str:
    suffix = f"-{part}" if part else ""
    return f"{program.slug}-network{suffix}-{timezone.localdate().isoformat()}.{extension}"


def record_graph_export(*, user: Any, program: Program, file_format: str, contact: bool) -> None:
    audit_log(
        user=user,
        action="network.export",
        target=program,
        program=program,
        data={"what": "network", "format": file_format, "contact": contact},
    )


# --- import -------------------------------------------------------------------------------


def import_graph(
    *,
    program: Program,
    graph: Graph,
    source: str,
    file_format: str,
    user: Any = None,
    dry_run: bool = False,
    update_existing: bool = False,
    edges_source: str | None = None,
) -> ImportReport:
    """Check, and unless `dry_run` or any error, import the graph's nodes as actors and its
    edges as ties. `source` names the file in messages (`edges_source` the edge list, when it
    is another file). Lines in messages are the element's line in the file (for Kumu
    blueprints, its position in the list)."""
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    report.sources.append(source)
    if edges_source and edges_source != source:
        report.sources.append(edges_source)
    graph = graph.materialized()
    nodes: list[Node] = list(graph.nodes)
    edges: list[Edge] = list(graph.edges)
    actors_source, ties_source = _table_names(source, edges_source, file_format)
    if not nodes:
        report.errors.append(RowError(source, None, "", "", _("The file has no nodes (actors).")))
        report.seconds = time.perf_counter() - started
        return report
    labels = {node.id: node.label or node.id for node in nodes}
    known_edges = []
    for edge in edges:
        unknown = [(c, end) for c, end in (("source", edge.source), ("target", edge.target))]
        unknown = [(c, end) for c, end in unknown if end not in labels]
        for column, end in unknown:
            report.errors.append(
                RowError(
                    ties_source,
                    edge.line,
                    column,
                    end,
                    _("The tie refers to the node “%(id)s”, which is not in the file.")
                    % {"id": end},
                )
            )
        if not unknown:
            known_edges.append(edge)
    if any(edge.weight is not None for edge in edges) and "intensity" not in graph.edge_attributes:
        report.notices.append(
            _(
                "The weights of the edges were left out: Tejido records the intensity of a "
                "tie (0 to 4) instead. Add an “intensity” attribute to keep it."
            )
        )
    tables = {ACTORS: _actor_table(graph, nodes, actors_source)}
    if known_edges:
        tables[TIES] = _tie_table(graph, known_edges, labels, ties_source)
    try:
        if dry_run or report.errors:
            check_tables(report, tables, program=program, update_existing=update_existing)
            return report
        with transaction.atomic():
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
                data={**report.counts(), "files": report.sources, "format": file_format},
            )
            report.imported = True
    except (IntegrityError, DataError):
        logger.exception("graph import into %s rolled back", program.slug)
        report.imported = False
        report.errors.append(
            RowError(
                "",
                None,
                "",
                "",
                _(
                    "The database refused the import, so nothing was imported: the program "
                    "probably changed meanwhile. Try again; if it happens again, tell an "
                    "administrator."
                ),
            )
        )
    finally:
        report.seconds = time.perf_counter() - started
    return report


def _table_names(source: str, edges_source: str | None, file_format: str) -> tuple[str, str]:
    if edges_source:
        return source, edges_source
    if file_format == "kumu":
        return f"{source} › elements", f"{source} › connections"
    return source, source


def _actor_table(graph: Graph, nodes: list[Node], source: str) -> Table:
    attributes = list(graph.node_attributes)
    headers = ["id", "name", *attributes]

    def rows() -> Iterator[Row]:
        for position, node in enumerate(nodes, start=1):
            # A node without a label is called by its id, as Gephi shows it.
            name = node.label if node.label not in (None, "") else node.id
            yield (
                node.line or position,
                [node.id, name, *(_cell(node.attrs.get(a)) for a in attributes)],
            )

    return _table(ACTORS, source, headers, rows())


def _tie_table(graph: Graph, edges: list[Edge], labels: dict[str, str], source: str) -> Table:
    attributes = list(graph.edge_attributes)
    # The ends are found by the file's node ids ("source id", "target id"), never by name;
    # the names are there for the preview and the messages.
    headers = ["source id", "target id", "source", "target", "directed", *attributes]

    def rows() -> Iterator[Row]:
        for position, edge in enumerate(edges, start=1):
            yield (
                edge.line or position,
                [
                    edge.source,
                    edge.target,
                    labels[edge.source],
                    labels[edge.target],
                    "true" if graph.is_directed(edge) else "false",
                    *(_cell(edge.attrs.get(a)) for a in attributes),
                ],
            )

    return _table(TIES, source, headers, rows())


def _table(kind: str, source: str, headers: list[str], rows: Iterator[Row]) -> Table:
    table = Table(kind=kind, source=source, headers=list(headers), header_line=0, rows=rows)
    # Problems with the attributes as a whole (a missing sector) belong to no line: the
    # attributes of a graph file are declared once, not in a header row.
    table.header_line = None  # type: ignore[assignment]
    return table


def _cell(value: Any) -> str:
    return cell_text(value)
