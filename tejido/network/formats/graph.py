"""The neutral graph every format is read into and written from. Pure: no Django here.

A `Graph` is nodes and edges with typed attributes. Structural fields (ids, label, ends,
direction, weight) are fields of `Node` and `Edge`; everything else is in `attrs`, keyed by the
attribute's name in the file and typed by `Graph.node_attributes` / `Graph.edge_attributes`.
Writers take `nodes` and `edges` as iterables, so a program of 100,000 actors streams from the
database to the file without being held in memory; readers return lists.

Tejido's own exports use the attribute names of `TEJIDO_NODE_ATTRIBUTES` and
`TEJIDO_EDGE_ATTRIBUTES`, the column names of the CSV import, so that every format imports back
through the same checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

STRING = "string"
INTEGER = "integer"
DOUBLE = "double"
BOOLEAN = "boolean"
TYPES = (STRING, INTEGER, DOUBLE, BOOLEAN)

# Several values in one attribute (themes, territories served) are written as one string
# joined by this separator in the XML and CSV formats, and as a JSON array in Kumu blueprints.
LIST_SEPARATOR = "; "
LIST_ATTRIBUTES = frozenset({"themes", "territories_served", "tags"})

# Tejido's attributes, in the order they are written. Values missing or empty are left out.
TEJIDO_NODE_ATTRIBUTES: dict[str, str] = {
    "kind": STRING,
    "sector": STRING,
    "legal_form": STRING,
    "description": STRING,
    "territory": STRING,  # the territory's short name (slug)
    "territories_served": STRING,
    "themes": STRING,
    "email": STRING,
    "phone": STRING,
    "website": STRING,
    "address": STRING,
    "size": STRING,
    "founded_year": INTEGER,
    "power": INTEGER,
    "interest": INTEGER,
    "stance": STRING,
}
CONTACT_ATTRIBUTES = ("email", "phone", "website", "address")
TEJIDO_EDGE_ATTRIBUTES: dict[str, str] = {
    # "directed" is written as an attribute too: see `DIRECTED_ATTRIBUTE`.
    "tie_type": STRING,
    "intensity": INTEGER,
    "trust": INTEGER,
    "value": INTEGER,
    "since": STRING,  # ISO dates: neither GraphML nor networkx's GEXF reader has a date type
    "until": STRING,
    "note": STRING,
    "provenance": STRING,
    "cycle": INTEGER,  # the number of the program's cycle
}
# A boolean edge attribute that says whether each tie has a direction. GEXF and GraphML mark
# direction per edge, but networkx and igraph refuse a file that mixes directed and undirected
# edges; so the graph's default is "directed" when any tie is, and this attribute tells which.
DIRECTED_ATTRIBUTE = "directed"
WEIGHT_ATTRIBUTE = "weight"


class GraphFormatError(Exception):
    """The file cannot be read as a graph. `line` points at the fault when it is known."""

    def __init__(self, message: str, *, line: int | None = None, part: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.part = part  # NODES_PART when the fault is in the node list of a CSV edge list


NODES_PART = "nodes"


@dataclass(slots=True)
class Node:
    id: str
    label: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # where the node is in the file, for messages; not compared

    def key(self) -> tuple[Any, ...]:
        return (self.id, self.label, self.attrs)


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    directed: bool | None = None  # None: the graph's default
    weight: float | None = None
    id: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.id, self.source, self.target, self.directed, self.weight, self.attrs)


@dataclass
class Graph:
    nodes: Iterable[Node] = field(default_factory=list)
    edges: Iterable[Edge] = field(default_factory=list)
    node_attributes: dict[str, str] = field(default_factory=dict)  # name → one of TYPES
    edge_attributes: dict[str, str] = field(default_factory=dict)
    directed: bool = False  # the direction of edges that do not say
    name: str = ""

    def is_directed(self, edge: Edge) -> bool:
        return self.directed if edge.directed is None else edge.directed

    def materialized(self) -> Graph:
        """The same graph with its nodes and edges in lists (for comparing, in tests)."""
        return Graph(
            nodes=list(self.nodes),
            edges=list(self.edges),
            node_attributes=dict(self.node_attributes),
            edge_attributes=dict(self.edge_attributes),
            directed=self.directed,
            name=self.name,
        )

    def same_as(self, other: Graph) -> bool:
        """Same nodes, edges, attributes and types, in the same order (lines are not compared).

        Edges are compared with their direction resolved, so a file that states it per edge
        and one that relies on the default describe the same graph."""
        mine, theirs = self.materialized(), other.materialized()
        return (
            mine.node_attributes == theirs.node_attributes
            and mine.edge_attributes == theirs.edge_attributes
            and [n.key() for n in mine.nodes] == [n.key() for n in theirs.nodes]
            and [_resolved(mine, e) for e in mine.edges]
            == [_resolved(theirs, e) for e in theirs.edges]
        )


def _resolved(graph: Graph, edge: Edge) -> tuple[Any, ...]:
    return (edge.id, edge.source, edge.target, graph.is_directed(edge), edge.weight, edge.attrs)


# --- values --------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?\d+")
TRUE_TEXT = frozenset({"true", "1", "yes"})
FALSE_TEXT = frozenset({"false", "0", "no"})


def format_value(value: Any, kind: str) -> str:
    """A value as XML or CSV text."""
    if kind == STRING and isinstance(value, str):
        return value
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == DOUBLE:
        number = float(value)
        return repr(number) if math.isfinite(number) else str(number)
    return str(value)


def parse_value(text: str, kind: str) -> Any:
    """Text from a file as a value of `kind`; raises ValueError."""
    text = text.strip() if kind != STRING else text
    if kind == STRING:
        return text
    if kind == INTEGER:
        if _INTEGER.fullmatch(text):
            return int(text)
        number = float(text)  # "3.0" written by a tool that only has doubles
        if number.is_integer():
            return int(number)
        raise ValueError(text)
    if kind == DOUBLE:
        return float(text)
    if kind == BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_TEXT:
            return True
        if lowered in FALSE_TEXT:
            return False
        raise ValueError(text)
    raise ValueError(kind)


def infer_type(values: Iterable[str]) -> str:
    """The narrowest type that reads every non-empty text (for CSV columns)."""
    kinds = [INTEGER, DOUBLE, BOOLEAN]
    seen = False
    for text in values:
        if text == "":
            continue
        seen = True
        for kind in list(kinds):
            try:
                parse_value(text, kind)
            except ValueError:
                kinds.remove(kind)
        if not kinds:
            return STRING
    if not seen:
        return STRING
    return kinds[0]


def python_type_name(value: Any) -> str:
    """The attribute type of a JSON value."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return DOUBLE
    return STRING


def merge_types(first: str | None, second: str) -> str:
    """One type for two values of an attribute (integers and doubles make doubles)."""
    if first is None or first == second:
        return second
    if {first, second} == {INTEGER, DOUBLE}:
        return DOUBLE
    return STRING


def clean_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes without the missing and empty values (which no format writes)."""
    return {k: v for k, v in attrs.items() if v is not None and v != ""}
