"""GraphML: write a graph as text chunks, read one from bytes.

Every attribute is a `<key>` whose `attr.name` is the attribute's name (networkx and igraph use
it as the attribute's name). The node label is the key "label". Direction: `edgedefault` is
"directed" when any edge is directed, and every edge carries a boolean `directed` key, because
networkx refuses a per-edge `directed="…"` that differs from the default. The weight is the
key "weight" (a double). The reader understands the XML `directed` attribute of edges too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from .graph import (
    BOOLEAN,
    DIRECTED_ATTRIBUTE,
    DOUBLE,
    INTEGER,
    STRING,
    WEIGHT_ATTRIBUTE,
    Graph,
    GraphFormatError,
    format_value,
)
from .xmlread import XmlGraphReader, parse_attribute
from .xmlwrite import Chunker, attr, text

NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
LABEL = "label"
_TYPE_NAMES = {STRING: "string", INTEGER: "int", DOUBLE: "double", BOOLEAN: "boolean"}
_READ_TYPES = {
    "int": INTEGER,
    "long": INTEGER,
    "float": DOUBLE,
    "double": DOUBLE,
    "boolean": BOOLEAN,
}


def _key_id(klass: str, name: str) -> str:
    return f"{klass[0]}_{name}"


def write_graphml(graph: Graph, *, description: str = "") -> Iterator[str]:
    out = Chunker()
    out.add('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.add(
        f'<graphml xmlns="{NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/1.0/graphml.xsd">\n'
    )
    if description:
        out.add(f"  <desc>{text(description)}</desc>\n")
    node_keys = {LABEL: STRING, **graph.node_attributes}
    edge_keys = {
        DIRECTED_ATTRIBUTE: BOOLEAN,
        WEIGHT_ATTRIBUTE: DOUBLE,
        **graph.edge_attributes,
    }
    for klass, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, kind in keys.items():
            out.add(
                f'  <key id={attr(_key_id(klass, name))} for="{klass}" '
                f'attr.name={attr(name)} attr.type="{_TYPE_NAMES[kind]}"/>\n'
            )
    default = "directed" if graph.directed else "undirected"
    graph_id = attr(graph.name or "G")
    out.add(f'  <graph id={graph_id} edgedefault="{default}">\n')
    for node in graph.nodes:
        values = {LABEL: node.label, **node.attrs}
        out.add(f"    <node id={attr(node.id)}>{_data('node', values, node_keys)}</node>\n")
        if out.element_done():
            yield out.take()
    for edge in graph.edges:
        values = {
            DIRECTED_ATTRIBUTE: graph.is_directed(edge),
            WEIGHT_ATTRIBUTE: edge.weight,
            **edge.attrs,
        }
        edge_id = f"id={attr(edge.id)} " if edge.id is not None else ""
        out.add(
            f"    <edge {edge_id}source={attr(edge.source)} target={attr(edge.target)}>"
            f"{_data('edge', values, edge_keys)}</edge>\n"
        )
        if out.element_done():
            yield out.take()
    out.add("  </graph>\n</graphml>\n")
    yield from out.drain()


def _data(klass: str, values: dict[str, Any], keys: dict[str, str]) -> str:
    return "".join(
        f"<data key={_key_attr(klass, name)}>{text(format_value(value, kind))}</data>"
        for name, kind in keys.items()
        if (value := values.get(name)) is not None and value != ""
    )


@functools.lru_cache(maxsize=1024)
def _key_attr(klass: str, name: str) -> str:
    return attr(_key_id(klass, name))


# --- reading ------------------------------------------------------------------------------


def read_graphml(data: bytes) -> Graph:
    return _Reader().read(data)


class _Reader(XmlGraphReader):
    root = "graphml"
    label_attribute = LABEL

    def __init__(self) -> None:
        super().__init__()
        self.graph_depth = 0
        # key id → (name, type), per class ("node", "edge"); "all" keys go in both
        self.keys: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
        self.key_in_progress: tuple[list[str], str, str] | None = None
        self.data_key: str | None = None
        self.data_line = 0

    def not_this_format(self, name: str) -> str:
        return _("This is not a GraphML file: it starts with <%(element)s>, not <graphml>.") % {
            "element": name
        }

    def start(self, name: str, attributes: dict[str, str], line: int) -> None:
        if self.check_root(name, line):
            return
        if name == "key":
            self._declare(attributes, line)
        elif name == "graph":
            self.graph_depth += 1
            if self.graph_depth == 1:
                if self.seen_graph:
                    raise GraphFormatError(
                        _("The file holds more than one graph; Tejido reads one."), line=line
                    )
                self.seen_graph = True
                self.graph.directed = attributes.get("edgedefault") == "directed"
                self.graph.name = attributes.get("id", "")
        elif name == "node":
            self.start_node(attributes, line, label=None)
        elif name == "edge":
            directed = {"true": True, "false": False}.get(attributes.get("directed", ""))
            self.start_edge(attributes, line, directed=directed)
        elif name == "hyperedge":
            raise GraphFormatError(
                _(
                    "The file has hyperedges (ties among more than two nodes): Tejido cannot "
                    "read them."
                ),
                line=line,
            )
        elif name == "data":
            self.data_key = attributes.get("key")
            self.data_line = line

    def end(self, name: str, content: str, line: int) -> None:
        if name == "default" and self.key_in_progress:
            classes, attribute, kind = self.key_in_progress
            value = parse_attribute(content, kind, attribute, line)
            for klass in classes:
                self.defaults[klass][attribute] = value
        elif name == "key":
            self.key_in_progress = None
        elif name == "graph":
            self.graph_depth -= 1
        elif name == "data":
            self._data(content)
            self.data_key = None
        else:
            self.end_element(name)

    def _declare(self, attributes: dict[str, str], line: int) -> None:
        key_id = attributes.get("id")
        if not key_id:
            raise GraphFormatError(_("A <key> has no id."), line=line)
        klass = attributes.get("for", "all")
        classes = ["node", "edge"] if klass == "all" else [klass] if klass in self.keys else []
        attribute = attributes.get("attr.name") or key_id
        kind = _READ_TYPES.get(attributes.get("attr.type", "string"), STRING)
        for target in classes:
            if target == "edge" and attribute in (DIRECTED_ATTRIBUTE, WEIGHT_ATTRIBUTE):
                kind = BOOLEAN if attribute == DIRECTED_ATTRIBUTE else DOUBLE
            elif target == "node" and attribute == LABEL:
                kind = STRING
            else:
                declared = (
                    self.graph.node_attributes if target == "node" else self.graph.edge_attributes
                )
                declared[attribute] = kind
            self.keys[target][key_id] = (attribute, kind)
        self.key_in_progress = (classes, attribute, kind)

    def _data(self, content: str) -> None:
        if self.current is None or self.data_key is None:
            return  # data of the graph itself, or of a port: not part of the network
        found = self.keys[self.current_class].get(self.data_key)
        if found is None:
            raise GraphFormatError(
                _("The value refers to the key “%(id)s”, which is not declared.")
                % {"id": self.data_key},
                line=self.data_line,
            )
        attribute, kind = found
        self.set_value(attribute, parse_attribute(content, kind, attribute, self.data_line))
