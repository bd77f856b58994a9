"""GEXF 1.3 (Gephi's format): write a graph as text chunks, read one from bytes.

Attributes are declared once per class (`<attributes class="node">`), with the attribute's name
as both its id and its title; values missing on a node or an edge are simply not written.
Direction: the graph's `defaultedgetype` is "directed" when any edge is directed, and every
edge carries a boolean `directed` attribute (see graph.DIRECTED_ATTRIBUTE): networkx refuses
per-edge `type` values that differ from the default. The reader understands both.
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

NAMESPACE = "http://gexf.net/1.3"
_TYPE_NAMES = {STRING: "string", INTEGER: "integer", DOUBLE: "double", BOOLEAN: "boolean"}
_READ_TYPES = {
    "integer": INTEGER,
    "long": INTEGER,
    "short": INTEGER,
    "byte": INTEGER,
    "float": DOUBLE,
    "double": DOUBLE,
    "boolean": BOOLEAN,
}


def write_gexf(graph: Graph, *, description: str = "") -> Iterator[str]:
    out = Chunker()
    out.add('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.add(
        f'<gexf xmlns="{NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/gexf.xsd" version="1.3">\n'
    )
    out.add("  <meta>\n    <creator>Tejido</creator>\n")
    if description:
        out.add(f"    <description>{text(description)}</description>\n")
    out.add("  </meta>\n")
    default = "directed" if graph.directed else "undirected"
    name = f" name={attr(graph.name)}" if graph.name else ""
    out.add(f'  <graph defaultedgetype="{default}" mode="static"{name}>\n')
    edge_attributes = {**graph.edge_attributes, DIRECTED_ATTRIBUTE: BOOLEAN}
    for klass, attributes in (("node", graph.node_attributes), ("edge", edge_attributes)):
        out.add(f'    <attributes class="{klass}" mode="static">\n')
        for attribute, kind in attributes.items():
            out.add(
                f"      <attribute id={attr(attribute)} title={attr(attribute)} "
                f'type="{_TYPE_NAMES[kind]}"/>\n'
            )
        out.add("    </attributes>\n")
    out.add("    <nodes>\n")
    for node in graph.nodes:
        label = f" label={attr(node.label)}" if node.label is not None else ""
        values = _attvalues(node.attrs, graph.node_attributes)
        if values:
            out.add(f"      <node id={attr(node.id)}{label}>\n{values}      </node>\n")
        else:
            out.add(f"      <node id={attr(node.id)}{label}/>\n")
        if out.element_done():
            yield out.take()
    out.add("    </nodes>\n    <edges>\n")
    for edge in graph.edges:
        edge_id = f"id={attr(edge.id)} " if edge.id is not None else ""
        weight = f' weight="{format_value(edge.weight, DOUBLE)}"' if edge.weight is not None else ""
        values = _attvalues(
            {**edge.attrs, DIRECTED_ATTRIBUTE: graph.is_directed(edge)}, edge_attributes
        )
        out.add(
            f"      <edge {edge_id}source={attr(edge.source)} target={attr(edge.target)}"
            f"{weight}>\n{values}      </edge>\n"
        )
        if out.element_done():
            yield out.take()
    out.add("    </edges>\n  </graph>\n</gexf>\n")
    yield from out.drain()


def _attvalues(values: dict[str, Any], declared: dict[str, str]) -> str:
    parts = [
        f"          <attvalue for={_quoted(name)} value={attr(format_value(value, kind))}/>\n"
        for name, kind in declared.items()
        if (value := values.get(name)) is not None and value != ""
    ]
    if not parts:
        return ""
    return "        <attvalues>\n" + "".join(parts) + "        </attvalues>\n"


@functools.lru_cache(maxsize=1024)
def _quoted(name: str) -> str:
    return attr(name)


# --- reading ------------------------------------------------------------------------------


def read_gexf(data: bytes) -> Graph:
    return _Reader().read(data)


class _Reader(XmlGraphReader):
    root = "gexf"

    def __init__(self) -> None:
        super().__init__()
        self.attribute_class: str | None = None
        # attribute id → (name, type), per class
        self.declared: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
        self.last_declared = ""
        self.pending_default: tuple[str, str] | None = None  # (class, attribute id)

    def not_this_format(self, name: str) -> str:
        return _("This is not a GEXF file: it starts with <%(element)s>, not <gexf>.") % {
            "element": name
        }

    def start(self, name: str, attributes: dict[str, str], line: int) -> None:
        if self.check_root(name, line):
            return
        if name == "graph":
            if self.seen_graph:
                raise GraphFormatError(
                    _("The file holds more than one graph; Tejido reads one."), line=line
                )
            self.seen_graph = True
            default = attributes.get("defaultedgetype", "undirected")
            self.graph.directed = default == "directed"
            self.graph.name = attributes.get("name", "")
        elif name == "attributes":
            klass = attributes.get("class", "node")
            self.attribute_class = klass if klass in ("node", "edge") else None
        elif name == "attribute" and self.attribute_class:
            self._declare(attributes, line)
        elif name == "default" and self.attribute_class:
            self.pending_default = (self.attribute_class, self.last_declared)
        elif name == "node":
            self.start_node(attributes, line, label=attributes.get("label"))
        elif name == "edge":
            self._start_edge(attributes, line)
        elif name == "attvalue" and self.current is not None:
            self._attvalue(attributes, line)

    def end(self, name: str, content: str, line: int) -> None:
        if name == "default" and self.pending_default:
            klass, attribute_id = self.pending_default
            attribute, kind = self.declared[klass][attribute_id]
            self.defaults[klass][attribute] = parse_attribute(content, kind, attribute, line)
            self.pending_default = None
        elif name == "attributes":
            self.attribute_class = None
        else:
            self.end_element(name)

    def _declare(self, attributes: dict[str, str], line: int) -> None:
        klass = self.attribute_class or "node"
        attribute_id = attributes.get("id")
        if attribute_id is None:
            raise GraphFormatError(_("An <attribute> has no id."), line=line)
        attribute = attributes.get("title") or attribute_id
        kind = _READ_TYPES.get(attributes.get("type", "string"), STRING)
        if klass == "edge" and attribute in (DIRECTED_ATTRIBUTE, WEIGHT_ATTRIBUTE):
            kind = BOOLEAN if attribute == DIRECTED_ATTRIBUTE else DOUBLE
        else:
            target = self.graph.node_attributes if klass == "node" else self.graph.edge_attributes
            target[attribute] = kind
        self.declared[klass][attribute_id] = (attribute, kind)
        self.last_declared = attribute_id

    def _start_edge(self, attributes: dict[str, str], line: int) -> None:
        kind = attributes.get("type")
        directed = {"directed": True, "undirected": False, "mutual": False}.get(kind or "")
        edge = self.start_edge(attributes, line, directed=directed)
        weight = attributes.get("weight")
        if weight is not None:
            edge.weight = parse_attribute(weight, DOUBLE, "weight", line)
        label = attributes.get("label")
        if label is not None:
            self.graph.edge_attributes.setdefault("label", STRING)
            edge.attrs["label"] = label

    def _attvalue(self, attributes: dict[str, str], line: int) -> None:
        attribute_id = attributes.get("for", attributes.get("id"))
        found = self.declared[self.current_class].get(attribute_id or "")
        if found is None:
            raise GraphFormatError(
                _("The value refers to the attribute “%(id)s”, which is not declared.")
                % {"id": attribute_id or ""},
                line=line,
            )
        attribute, kind = found
        self.set_value(
            attribute, parse_attribute(attributes.get("value", ""), kind, attribute, line)
        )
