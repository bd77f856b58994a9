"""What the GEXF and GraphML readers share: typed values with messages that name the attribute
and the line, and the base reader that builds the Graph from the parser's events.

A format's reader says which element is the root and how attributes are declared; the base
checks node ids, the ends of edges, puts each value where it belongs (direction and weight on
the edge, a label on the node) and fills what an element did not say from the defaults.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import xmlsafe
from .graph import (
    BOOLEAN,
    DIRECTED_ATTRIBUTE,
    DOUBLE,
    INTEGER,
    STRING,
    WEIGHT_ATTRIBUTE,
    Edge,
    Graph,
    GraphFormatError,
    Node,
    parse_value,
)


def parse_attribute(raw: str, kind: str, attribute: str, line: int) -> Any:
    """An attribute's value in its declared type, or an error naming the attribute and line."""
    try:
        return parse_value(raw, kind)
    except ValueError as exc:
        raise GraphFormatError(
            _("“%(value)s” is not a valid %(type)s value for “%(attribute)s”.")
            % {"value": raw, "type": type_word(kind), "attribute": attribute},
            line=line,
        ) from exc


def type_word(kind: str) -> str:
    return {
        STRING: _("text"),
        INTEGER: _("whole number"),
        DOUBLE: _("number"),
        BOOLEAN: _("true/false"),
    }[kind]


class XmlGraphReader:
    """Subclasses set `root`, give `start`/`end` for their own elements (calling `check_root`,
    `start_node`, `start_edge`, `set_value` and `end_element`) and say when they saw the graph
    (`seen_graph`)."""

    root = ""
    # The attribute that is the node's label rather than one of its attrs (GraphML's key).
    label_attribute: str | None = None

    def __init__(self) -> None:
        self.graph = Graph(nodes=[], edges=[])
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.seen_root = False
        self.seen_graph = False
        self.defaults: dict[str, dict[str, Any]] = {"node": {}, "edge": {}}
        self.current: Node | Edge | None = None
        self.current_class = ""
        self.node_ids: set[str] = set()

    def read(self, data: bytes) -> Graph:
        xmlsafe.parse(data, start=self.start, end=self.end)
        if not self.seen_graph:
            raise GraphFormatError(_("The file has no <graph> element."))
        self.graph.nodes = self.nodes
        self.graph.edges = self.edges
        return self.graph

    def start(self, name: str, attributes: dict[str, str], line: int) -> None:
        raise NotImplementedError

    def end(self, name: str, content: str, line: int) -> None:
        raise NotImplementedError

    def not_this_format(self, name: str) -> str:
        """The message for a file whose root element is `name`, not `root`."""
        raise NotImplementedError

    def check_root(self, name: str, line: int) -> bool:
        """True for the root element (checked, then nothing more to do with it)."""
        if self.seen_root:
            return False
        if name != self.root:
            raise GraphFormatError(self.not_this_format(name), line=line)
        self.seen_root = True
        return True

    def start_node(self, attributes: dict[str, str], line: int, *, label: str | None) -> None:
        node_id = attributes.get("id")
        if not node_id:
            raise GraphFormatError(_("A <node> has no id."), line=line)
        if node_id in self.node_ids:
            raise GraphFormatError(
                _("The node id “%(id)s” is used twice.") % {"id": node_id}, line=line
            )
        self.node_ids.add(node_id)
        node = Node(id=node_id, label=label, line=line)
        self.nodes.append(node)
        self.current, self.current_class = node, "node"

    def start_edge(self, attributes: dict[str, str], line: int, *, directed: bool | None) -> Edge:
        source, target = attributes.get("source"), attributes.get("target")
        if not source or not target:
            raise GraphFormatError(_("An <edge> lacks its source or its target."), line=line)
        edge = Edge(
            source=source,
            target=target,
            directed=directed,
            id=attributes.get("id"),
            line=line,
        )
        self.edges.append(edge)
        self.current, self.current_class = edge, "edge"
        return edge

    def set_value(self, attribute: str, value: Any) -> None:
        """Put a value of the current node or edge where it belongs."""
        current = self.current
        if isinstance(current, Node) and attribute == self.label_attribute:
            current.label = value
        elif isinstance(current, Edge) and attribute == DIRECTED_ATTRIBUTE:
            current.directed = value
        elif isinstance(current, Edge) and attribute == WEIGHT_ATTRIBUTE:
            current.weight = value
        elif current is not None:
            current.attrs[attribute] = value

    def end_element(self, name: str) -> None:
        """At the end of a node or an edge, its class's defaults fill what it did not say."""
        current = self.current
        if name not in ("node", "edge") or current is None or self.current_class != name:
            return
        for attribute, value in self.defaults[name].items():
            if isinstance(current, Node) and attribute == self.label_attribute:
                if current.label is None:
                    current.label = value
            else:
                current.attrs.setdefault(attribute, value)
        self.current = None
