"""CSV edge lists, with an optional node list: the tables Gephi, igraph and pandas read.

Edges: `source,target,id,directed,weight,<attributes…>`; nodes: `id,label,<attributes…>`. The
reader takes Gephi's spreadsheet conventions too: "Source"/"Target" in any case, "from"/"to",
a "Type" column of Directed/Undirected, and a "Label" or "name" for nodes. Values are typed by
Tejido's attribute list for the attributes it knows, and otherwise guessed from the column
(whole numbers, numbers, true/false or text). Without a node list, the nodes are the ends of
the edges in the order they first appear.

Text that a spreadsheet would run as a formula is written with a leading apostrophe, as in
Tejido's other CSV exports, and read back without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from .graph import (
    BOOLEAN,
    DIRECTED_ATTRIBUTE,
    DOUBLE,
    NODES_PART,
    STRING,
    TEJIDO_EDGE_ATTRIBUTES,
    TEJIDO_NODE_ATTRIBUTES,
    WEIGHT_ATTRIBUTE,
    Edge,
    Graph,
    GraphFormatError,
    Node,
    format_value,
    infer_type,
    parse_value,
)
from .xmlread import type_word

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SOURCE_HEADERS = frozenset({"source", "from", "source id", "from id"})
TARGET_HEADERS = frozenset({"target", "to", "target id", "to id"})
NODE_ID_HEADERS = frozenset({"id", "node", "node id"})
LABEL_HEADERS = frozenset({"label", "name"})
_DIRECTION_WORDS = {"directed": True, "undirected": False, "mutual": False}
DELIMITERS = (",", ";", "\t")

csv.field_size_limit(10 * 1024 * 1024)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    text = format_value(value, kind)
    if kind == STRING and text.startswith(FORMULA_START):
        return "'" + text
    return text


def write_edges_csv(graph: Graph) -> Iterator[str]:
    writer = csv.writer(_Echo())
    attributes = graph.edge_attributes
    buffer = [
        writer.writerow(
            ["source", "target", "id", DIRECTED_ATTRIBUTE, WEIGHT_ATTRIBUTE, *attributes]
        )
    ]
    for edge in graph.edges:
        buffer.append(
            writer.writerow(
                [
                    edge.source,
                    edge.target,
                    edge.id or "",
                    "true" if graph.is_directed(edge) else "false",
                    _cell(edge.weight, DOUBLE),
                    *(_cell(edge.attrs.get(name), kind) for name, kind in attributes.items()),
                ]
            )
        )
        if len(buffer) >= 1000:
            yield "".join(buffer)
            buffer.clear()
    yield "".join(buffer)


def write_nodes_csv(graph: Graph) -> Iterator[str]:
    writer = csv.writer(_Echo())
    attributes = graph.node_attributes
    buffer = [writer.writerow(["id", "label", *attributes])]
    for node in graph.nodes:
        buffer.append(
            writer.writerow(
                [
                    node.id,
                    _cell(node.label, STRING),
                    *(_cell(node.attrs.get(name), kind) for name, kind in attributes.items()),
                ]
            )
        )
        if len(buffer) >= 1000:
            yield "".join(buffer)
            buffer.clear()
    yield "".join(buffer)


# --- reading ------------------------------------------------------------------------------


def _decode(data: bytes, what: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GraphFormatError(
            _("The %(what)s is not UTF-8 text (the first wrong character is on line %(line)s).")
            % {"what": what, "line": line},
            line=line,
        ) from exc
    if "\x00" in text:
        raise GraphFormatError(_("The %(what)s is not a text file.") % {"what": what})
    return text


def _rows(text: str, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(DELIMITERS, key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        last = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise GraphFormatError(
                    _("The %(what)s cannot be read as CSV near line %(line)s: %(error)s")
                    % {"what": what, "line": reader.line_num, "error": exc},
                    line=reader.line_num,
                ) from exc
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in record):
                yield start, record

    iterator = rows()
    try:
        _line, header = next(iterator)
    except StopIteration as exc:
        raise GraphFormatError(_("The %(what)s is empty.") % {"what": what}) from exc
    return [h.strip() for h in header], iterator


def _uncell(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


def _find(header: Sequence[str], names: frozenset[str]) -> int | None:
    for position, name in enumerate(header):
        if name.lower().replace("_", " ") in names:
            return position
    return None


def read_edge_list(edges: bytes, nodes: bytes | None = None) -> Graph:
    """Read an edge list (and a node list). Raises GraphFormatError."""
    what = _("edge list")
    header, rows = _rows(_decode(edges, what), what)
    source_at, target_at = _find(header, SOURCE_HEADERS), _find(header, TARGET_HEADERS)
    if source_at is None or target_at is None:
        raise GraphFormatError(
            _(
                "The edge list needs a “source” and a “target” column (or “from” and “to”); "
                "its columns are: %(columns)s."
            )
            % {"columns": ", ".join(header)},
            line=1,
        )
    lowered = [h.lower() for h in header]
    id_at = lowered.index("id") if "id" in lowered else None
    directed_at = lowered.index(DIRECTED_ATTRIBUTE) if DIRECTED_ATTRIBUTE in lowered else None
    type_at = lowered.index("type") if "type" in lowered else None
    weight_at = lowered.index(WEIGHT_ATTRIBUTE) if WEIGHT_ATTRIBUTE in lowered else None
    structural = {source_at, target_at, id_at, directed_at, weight_at}
    attribute_at = [(p, name) for p, name in enumerate(header) if p not in structural and name]
    width = len(header)
    raw_edges: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        raw_edges.append((line, cells))
    # A Gephi "Type" column holds the direction; any other "type" column is an attribute.
    type_is_direction = type_at is not None and all(
        cells[type_at].strip().lower() in _DIRECTION_WORDS or not cells[type_at].strip()
        for _line, cells in raw_edges
    )
    if type_is_direction:
        attribute_at = [(p, name) for p, name in attribute_at if p != type_at]
    types = _column_types(attribute_at, [c for _l, c in raw_edges], TEJIDO_EDGE_ATTRIBUTES)
    graph = Graph(nodes=[], edges=[], edge_attributes=dict(types))
    edge_list: list[Edge] = []
    for line, cells in raw_edges:
        source, target = cells[source_at].strip(), cells[target_at].strip()
        if not source or not target:
            raise GraphFormatError(
                _("Line %(line)s lacks its source or its target.") % {"line": line}, line=line
            )
        directed = None
        if directed_at is not None and cells[directed_at].strip():
            directed = _parse(cells[directed_at], BOOLEAN, DIRECTED_ATTRIBUTE, line)
        elif type_is_direction and type_at is not None and cells[type_at].strip():
            directed = _DIRECTION_WORDS[cells[type_at].strip().lower()]
        weight = None
        if weight_at is not None and cells[weight_at].strip():
            weight = _parse(cells[weight_at], DOUBLE, WEIGHT_ATTRIBUTE, line)
        edge_list.append(
            Edge(
                source=source,
                target=target,
                directed=directed,
                weight=weight,
                id=(cells[id_at].strip() or None) if id_at is not None else None,
                attrs=_attrs(cells, attribute_at, types, line),
                line=line,
            )
        )
    graph.edges = edge_list
    if nodes is None:
        seen: dict[str, None] = {}
        for edge in edge_list:
            seen.setdefault(edge.source)
            seen.setdefault(edge.target)
        graph.nodes = [Node(id=node_id) for node_id in seen]
        return graph
    try:
        graph.nodes, graph.node_attributes = _read_nodes(nodes)
    except GraphFormatError as exc:
        exc.part = NODES_PART
        raise
    return graph


def _read_nodes(data: bytes) -> tuple[list[Node], dict[str, str]]:
    what = _("node list")
    header, rows = _rows(_decode(data, what), what)
    id_at = _find(header, NODE_ID_HEADERS)
    if id_at is None:
        raise GraphFormatError(
            _("The node list needs an “id” column; its columns are: %(columns)s.")
            % {"columns": ", ".join(header)},
            line=1,
        )
    label_at = _find(header, LABEL_HEADERS)
    attribute_at = [
        (p, name) for p, name in enumerate(header) if p not in (id_at, label_at) and name
    ]
    width = len(header)
    raw = [(line, cells + [""] * (width - len(cells))) for line, cells in rows]
    types = _column_types(attribute_at, [c for _l, c in raw], TEJIDO_NODE_ATTRIBUTES)
    nodes: list[Node] = []
    seen: set[str] = set()
    for line, cells in raw:
        node_id = cells[id_at].strip()
        if not node_id:
            raise GraphFormatError(
                _("Line %(line)s of the node list has no id.") % {"line": line}, line=line
            )
        if node_id in seen:
            raise GraphFormatError(
                _("The node id “%(id)s” is used twice.") % {"id": node_id}, line=line
            )
        seen.add(node_id)
        label = _uncell(cells[label_at]) if label_at is not None and cells[label_at] else None
        nodes.append(
            Node(id=node_id, label=label, attrs=_attrs(cells, attribute_at, types, line), line=line)
        )
    return nodes, dict(types)


def _column_types(
    attribute_at: Iterable[tuple[int, str]], rows: list[list[str]], known: dict[str, str]
) -> dict[str, str]:
    types: dict[str, str] = {}
    for position, name in attribute_at:
        types[name] = known.get(name) or infer_type(_uncell(row[position].strip()) for row in rows)
    return types


def _attrs(
    cells: list[str], attribute_at: list[tuple[int, str]], types: dict[str, str], line: int
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for position, name in attribute_at:
        text = cells[position]
        if text == "" or (types[name] != STRING and not text.strip()):
            continue
        attrs[name] = _parse(_uncell(text), types[name], name, line)
    return attrs


def _parse(text: str, kind: str, name: str, line: int) -> Any:
    try:
        return parse_value(text, kind)
    except ValueError as exc:
        raise GraphFormatError(
            _("Line %(line)s: “%(value)s” is not a valid %(type)s value for “%(attribute)s”.")
            % {"line": line, "value": text, "type": type_word(kind), "attribute": name},
            line=line,
        ) from exc


# --- the fast path of `tejido network analyze` -------------------------------------------------


@dataclass
class EdgeArrays:
    """An edge list as arrays: what the analysis needs, for files of millions of edges."""

    node_ids: list[str]
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray | None
    directed: np.ndarray
    tie_types: list[str] | None
    sectors: list[str] | None


def read_edge_arrays(edges: bytes, nodes: bytes | None = None) -> EdgeArrays:
    """The ends, weights and directions of an edge list (and the nodes and sectors of its node
    list), column by column: no object per edge. Raises GraphFormatError."""
    what = _("edge list")
    header, rows = _rows(_decode(edges, what), what)
    source_at, target_at = _find(header, SOURCE_HEADERS), _find(header, TARGET_HEADERS)
    if source_at is None or target_at is None:
        raise GraphFormatError(
            _(
                "The edge list needs a “source” and a “target” column (or “from” and “to”); "
                "its columns are: %(columns)s."
            )
            % {"columns": ", ".join(header)},
            line=1,
        )
    lowered = [h.lower() for h in header]
    weight_at = lowered.index(WEIGHT_ATTRIBUTE) if WEIGHT_ATTRIBUTE in lowered else None
    directed_at = lowered.index(DIRECTED_ATTRIBUTE) if DIRECTED_ATTRIBUTE in lowered else None
    type_at = next((lowered.index(n) for n in ("tie_type", "type") if n in lowered), None)
    width = len(header)
    lines: list[int] = []
    records: list[list[str]] = []
    for line, cells in rows:
        lines.append(line)
        records.append(cells if len(cells) >= width else cells + [""] * (width - len(cells)))
    columns = list(zip(*records, strict=False)) if records else [()] * width
    del records
    source_ids = [cell.strip() for cell in columns[source_at]]
    target_ids = [cell.strip() for cell in columns[target_at]]
    for position, (source, target) in enumerate(zip(source_ids, target_ids, strict=True)):
        if not source or not target:
            raise GraphFormatError(
                _("Line %(line)s lacks its source or its target.") % {"line": lines[position]},
                line=lines[position],
            )
    sectors: list[str] | None = None
    if nodes is not None:
        try:
            node_list, _types = _read_nodes(nodes)
        except GraphFormatError as exc:
            exc.part = NODES_PART
            raise
        node_ids = [node.id for node in node_list]
        if any("sector" in node.attrs for node in node_list):
            sectors = [str(node.attrs.get("sector", "")) for node in node_list]
    else:
        node_ids = list(
            dict.fromkeys(chain.from_iterable(zip(source_ids, target_ids, strict=True)))
        )
    index = {node_id: i for i, node_id in enumerate(node_ids)}
    count = len(source_ids)
    try:
        sources = np.fromiter(map(index.__getitem__, source_ids), dtype=np.int64, count=count)
        targets = np.fromiter(map(index.__getitem__, target_ids), dtype=np.int64, count=count)
    except KeyError as exc:
        missing = exc.args[0]
        position = (source_ids + target_ids).index(missing) % count
        raise GraphFormatError(
            _("An edge refers to the node “%(id)s”, which the node list does not declare.")
            % {"id": missing},
            line=lines[position],
        ) from exc
    weights = None
    if weight_at is not None:
        weights = _number_column(columns[weight_at], lines, WEIGHT_ATTRIBUTE)
    directed = np.zeros(count, dtype=bool)
    if directed_at is not None:
        for position, cell in enumerate(columns[directed_at]):
            if cell.strip():
                directed[position] = _parse(cell, BOOLEAN, DIRECTED_ATTRIBUTE, lines[position])
    tie_types = None
    if type_at is not None:
        values = [cell.strip().lower() for cell in columns[type_at]]
        if all(v in _DIRECTION_WORDS or not v for v in values):
            directed |= np.fromiter((_DIRECTION_WORDS.get(v, False) for v in values), bool, count)
        else:
            tie_types = [_uncell(cell.strip()) for cell in columns[type_at]]
    return EdgeArrays(node_ids, sources, targets, weights, directed, tie_types, sectors)


def _number_column(cells: Sequence[str], lines: list[int], name: str) -> np.ndarray:
    """A column of numbers, blanks read as 1 (the weight of an unweighted edge)."""
    text = np.array([cell.strip() or "1" for cell in cells])
    try:
        return text.astype(np.float64)
    except ValueError:
        for position, cell in enumerate(text.tolist()):
            _parse(cell, DOUBLE, name, lines[position])  # raises at the first bad one
        raise
