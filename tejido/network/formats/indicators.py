"""A graph file's network as the input of `analysis.analyze`, and its per-actor indicators as
rows: what `tejido network analyze FILE` prints. Nothing here touches the database."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from django.utils.translation import gettext as _

from tejido.network.analysis import BROKERAGE_ROLES, AnalysisResult, GraphInput

from .csvlist import EdgeArrays
from .graph import Graph, GraphFormatError

SECTOR_ATTRIBUTE = "sector"
TIE_TYPE_ATTRIBUTES = ("tie_type", "type")

# The per-actor columns, in order, after the node id.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "degree",
    "strength",
    "two_step_reach",
    "betweenness",
    "effective_size",
    "constraint",
    "bonding",
    "bridging",
    "linking",
    *(f"brokerage_{role}" for role in BROKERAGE_ROLES),
    "community",
    "coreness",
    "is_isolate",
    "is_peripheral",
    "is_critical",
)


@dataclass
class FileNetwork:
    graph: GraphInput
    node_ids: list[str]
    self_loops: int  # ties of a node with itself, left out


def graph_input(graph: Graph) -> FileNetwork:
    """The GraphInput of a graph read from a file (vertex i is `node_ids[i]`).

    Weights are the edges' weights when the file has any (1 where an edge has none); sectors
    come from a "sector" node attribute, and the public sector's actors and the sources of
    directed funding ties are the linking actors, as for a program's network. Raises
    GraphFormatError for an edge to a node the file does not declare."""
    nodes = list(graph.nodes)
    node_ids = [node.id for node in nodes]
    index = {node_id: i for i, node_id in enumerate(node_ids)}
    if len(index) != len(node_ids):
        raise GraphFormatError(_("Two nodes of the file have the same id."))
    sources: list[int] = []
    targets: list[int] = []
    weights: list[float] = []
    directed: list[bool] = []
    tie_types: list[str] = []
    has_weights = False
    for edge in graph.edges:
        try:
            source, target = index[edge.source], index[edge.target]
        except KeyError as exc:
            raise GraphFormatError(
                _("An edge refers to the node “%(id)s”, which the file does not declare.")
                % {"id": exc.args[0]},
                line=edge.line,
            ) from exc
        sources.append(source)
        targets.append(target)
        weights.append(1.0 if edge.weight is None else edge.weight)
        has_weights = has_weights or edge.weight is not None
        directed.append(graph.is_directed(edge))
        tie_type = next((edge.attrs[a] for a in TIE_TYPE_ATTRIBUTES if a in edge.attrs), "")
        tie_types.append(str(tie_type))
    sectors = None
    if any(SECTOR_ATTRIBUTE in node.attrs for node in nodes):
        sectors = [str(node.attrs.get(SECTOR_ATTRIBUTE, "")) for node in nodes]
    return network_input(
        EdgeArrays(
            node_ids=node_ids,
            sources=np.array(sources, dtype=np.int64),
            targets=np.array(targets, dtype=np.int64),
            weights=np.array(weights, dtype=np.float64) if has_weights else None,
            directed=np.array(directed, dtype=bool),
            tie_types=tie_types if any(tie_types) else None,
            sectors=sectors,
        )
    )


def network_input(arrays: EdgeArrays) -> FileNetwork:
    """The GraphInput of a network read as arrays, ties of a node with itself left out."""
    from tejido.network.transfer.columns import lookup

    keep = arrays.sources != arrays.targets
    self_loops = int((~keep).sum())
    sectors: list[str] | None = None
    linking: np.ndarray | None = None
    if arrays.sectors is not None:
        codes = {value: lookup("sector", value) or value for value in set(arrays.sectors)}
        sectors = [codes[value] for value in arrays.sectors]
        linking = np.fromiter((s == "public" for s in sectors), dtype=bool, count=len(sectors))
        if arrays.tie_types is not None:
            kinds = {value: lookup("tie_type", value) for value in set(arrays.tie_types)}
            funding = np.fromiter(
                (kinds[value] == "funding" for value in arrays.tie_types),
                dtype=bool,
                count=len(arrays.tie_types),
            )
            linking[arrays.sources[funding & arrays.directed & keep]] = True
    return FileNetwork(
        graph=GraphInput(
            node_ids=arrays.node_ids,
            sources=arrays.sources[keep],
            targets=arrays.targets[keep],
            weights=arrays.weights[keep] if arrays.weights is not None else None,
            directed=arrays.directed[keep],
            sectors=sectors,
            linking=linking,
        ),
        node_ids=arrays.node_ids,
        self_loops=self_loops,
    )


def indicator_columns(result: AnalysisResult) -> dict[str, np.ndarray]:
    actors = result.actors
    columns: dict[str, np.ndarray] = {}
    for name in INDICATOR_COLUMNS:
        if name.startswith("brokerage_"):
            columns[name] = np.asarray(actors.brokerage[name.removeprefix("brokerage_")])
        else:
            columns[name] = np.asarray(getattr(actors, name))
    return columns


def _plain(value: Any) -> Any:
    """A numpy value as a plain Python one; NaN (undefined, e.g. constraint of an isolate)
    becomes None."""
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        if math.isnan(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


MIX_COLUMNS = ("bonding", "bridging", "linking")


def indicator_rows(
    result: AnalysisResult, node_ids: Sequence[str], *, with_mix: bool = True
) -> Iterator[dict[str, Any]]:
    """One row per node. Without sectors in the file (`with_mix` false) the bonding, bridging
    and linking shares mean nothing and are left empty."""
    columns = indicator_columns(result)
    lists = {name: column.tolist() for name, column in columns.items()}
    blank = set(MIX_COLUMNS) if not with_mix else set()
    for i, node_id in enumerate(node_ids):
        row: dict[str, Any] = {"id": node_id}
        for name in INDICATOR_COLUMNS:
            row[name] = None if name in blank else _plain(lists[name][i])
        yield row


def write_rows_csv(out: IO[str], rows: Iterator[dict[str, Any]]) -> None:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *INDICATOR_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                ""
                if value is None
                else ("true" if value is True else "false" if value is False else value)
                for value in row.values()
            ]
        )


def write_rows_json(out: IO[str], rows: Iterator[dict[str, Any]]) -> None:
    out.write("[")
    for i, row in enumerate(rows):
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False))
    out.write("\n]\n")
