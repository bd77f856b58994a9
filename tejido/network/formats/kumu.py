"""Kumu JSON blueprints: `{"elements": [...], "connections": [...]}`.

Elements carry "id", "label" and the attributes under their own names; connections "id",
"from", "to" (element ids), "direction" ("directed" or "undirected") and their attributes.
Kumu wants ids unique across elements and connections, which Tejido's exports guarantee ("a…"
for actors, "t…" for ties). Attributes holding several values (themes, territories served,
Kumu's tags) are JSON arrays; the reader joins arrays with "; ", as the other formats write
them. Reading, connections may name elements by id or, as Kumu allows, by label.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from .graph import (
    BOOLEAN,
    DOUBLE,
    LIST_ATTRIBUTES,
    LIST_SEPARATOR,
    STRING,
    WEIGHT_ATTRIBUTE,
    Edge,
    Graph,
    GraphFormatError,
    Node,
    format_value,
    merge_types,
    python_type_name,
)
from .xmlwrite import CHUNK_ELEMENTS

ELEMENTS = "elements"
CONNECTIONS = "connections"
_DIRECTIONS = {"directed": True, "undirected": False, "mutual": False}


def write_kumu(graph: Graph, *, description: str = "") -> Iterator[str]:
    del description  # blueprints have no place for it
    parts: list[str] = ['{\n  "elements": [']
    first = True
    for count, node in enumerate(graph.nodes, start=1):
        element: dict[str, Any] = {"id": node.id}
        if node.label is not None:
            element["label"] = node.label
        element.update(_values(node.attrs, graph.node_attributes))
        parts.append(("\n    " if first else ",\n    ") + _dumps(element))
        first = False
        if count % CHUNK_ELEMENTS == 0:
            yield "".join(parts)
            parts.clear()
    parts.append('\n  ],\n  "connections": [')
    first = True
    for count, edge in enumerate(graph.edges, start=1):
        connection: dict[str, Any] = {}
        if edge.id is not None:
            connection["id"] = edge.id
        connection["from"] = edge.source
        connection["to"] = edge.target
        connection["direction"] = "directed" if graph.is_directed(edge) else "undirected"
        if edge.weight is not None:
            connection[WEIGHT_ATTRIBUTE] = edge.weight
        connection.update(_values(edge.attrs, graph.edge_attributes))
        parts.append(("\n    " if first else ",\n    ") + _dumps(connection))
        first = False
        if count % CHUNK_ELEMENTS == 0:
            yield "".join(parts)
            parts.clear()
    parts.append("\n  ]\n}\n")
    yield "".join(parts)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _values(attrs: dict[str, Any], declared: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in declared:
        value = attrs.get(name)
        if value is None or value == "":
            continue
        if name in LIST_ATTRIBUTES and isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        values[name] = value
    return values


# --- reading ------------------------------------------------------------------------------


def read_kumu(data: bytes) -> Graph:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise GraphFormatError(_("The file is not UTF-8 text.")) from exc
    except RecursionError as exc:  # "[[[[…" nested deeper than any blueprint
        raise GraphFormatError(_("The file is nested too deeply to be a Kumu blueprint.")) from exc
    except json.JSONDecodeError as exc:
        raise GraphFormatError(
            _("The file is not valid JSON (line %(line)s, column %(column)s: %(error)s).")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
            line=exc.lineno,
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get(ELEMENTS, []), list):
        raise GraphFormatError(
            _(
                "This is not a Kumu blueprint: it should be an object with a list of "
                "“elements” and a list of “connections”."
            )
        )
    elements = document.get(ELEMENTS, [])
    connections = document.get(CONNECTIONS, [])
    if not isinstance(connections, list):
        raise GraphFormatError(_("“connections” should be a list."))
    graph = Graph(nodes=[], edges=[])
    nodes: list[Node] = []
    by_id: dict[str, str] = {}
    by_label: dict[str, list[str]] = defaultdict(list)
    node_types: dict[str, str] = {}
    for position, element in enumerate(elements, start=1):
        if not isinstance(element, dict):
            raise GraphFormatError(
                _("Element %(position)s is not an object.") % {"position": position},
                line=position,
            )
        element = _flattened(element)
        label = element.get("label")
        raw_id = element.get("id", element.get("_id"))
        node_id = _text(raw_id) if raw_id not in (None, "") else _text(label or "")
        if not node_id:
            raise GraphFormatError(
                _("Element %(position)s has neither an id nor a label.") % {"position": position},
                line=position,
            )
        if node_id in by_id:
            raise GraphFormatError(
                _("The element id “%(id)s” is used twice.") % {"id": node_id}, line=position
            )
        by_id[node_id] = node_id
        if label is not None:
            by_label[_text(label)].append(node_id)
        attrs = _attributes(element, ("id", "_id", "label"), node_types)
        nodes.append(
            Node(
                id=node_id,
                label=_text(label) if label is not None else None,
                attrs=attrs,
                line=position,
            )
        )
    edges: list[Edge] = []
    edge_types: dict[str, str] = {}
    for position, connection in enumerate(connections, start=1):
        if not isinstance(connection, dict):
            raise GraphFormatError(
                _("Connection %(position)s is not an object.") % {"position": position},
                line=position,
            )
        connection = _flattened(connection)
        if "connection type" in connection and "type" not in connection:
            connection["type"] = connection.pop("connection type")
        ends = []
        for end in ("from", "to"):
            raw = connection.get(end)
            if raw in (None, ""):
                raise GraphFormatError(
                    _("Connection %(position)s has no “%(end)s”.")
                    % {"position": position, "end": end},
                    line=position,
                )
            ends.append(_resolve(_text(raw), by_id, by_label))
        direction = connection.get("direction")
        directed = _DIRECTIONS.get(str(direction).lower()) if direction is not None else None
        if direction is not None and directed is None:
            raise GraphFormatError(
                _(
                    "Connection %(position)s has the direction “%(value)s”: write directed, "
                    "undirected or mutual."
                )
                % {"position": position, "value": direction},
                line=position,
            )
        weight = connection.get(WEIGHT_ATTRIBUTE)
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
            raise GraphFormatError(
                _("Connection %(position)s has a weight that is not a number.")
                % {"position": position},
                line=position,
            )
        raw_id = connection.get("id", connection.get("_id"))
        edges.append(
            Edge(
                source=ends[0],
                target=ends[1],
                directed=directed,
                weight=float(weight) if weight is not None else None,
                id=_text(raw_id) if raw_id not in (None, "") else None,
                attrs=_attributes(
                    connection,
                    ("id", "_id", "from", "to", "direction", WEIGHT_ATTRIBUTE),
                    edge_types,
                ),
                line=position,
            )
        )
    _coerce(nodes, node_types)
    _coerce(edges, edge_types)
    graph.nodes, graph.edges = nodes, edges
    graph.node_attributes, graph.edge_attributes = node_types, edge_types
    return graph


def _coerce(items: list[Node] | list[Edge], types: dict[str, str]) -> None:
    """Values of an attribute whose elements disagree on the type get the common type."""
    for item in items:
        for name, value in item.attrs.items():
            kind = types[name]
            if kind == STRING and not isinstance(value, str):
                item.attrs[name] = format_value(value, BOOLEAN if isinstance(value, bool) else kind)
            elif kind == DOUBLE and not isinstance(value, float):
                item.attrs[name] = float(value)


def _flattened(item: dict[str, Any]) -> dict[str, Any]:
    """Kumu's own exports keep the fields under "attributes"; blueprints written by hand put
    them next to the id. Both read the same."""
    nested = item.get("attributes")
    if not isinstance(nested, dict):
        return item
    return {**{k: v for k, v in item.items() if k != "attributes"}, **nested}


def _resolve(reference: str, by_id: dict[str, str], by_label: dict[str, list[str]]) -> str:
    if reference in by_id:
        return reference
    labelled = by_label.get(reference, [])
    if len(labelled) == 1:
        return labelled[0]
    # Unknown (or ambiguous) ends are left as they are; the checks that follow say so.
    return reference


def _attributes(
    item: dict[str, Any], skip: tuple[str, ...], types: dict[str, str]
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for name, value in item.items():
        if name in skip or value is None or value == "":
            continue
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(_text(v) for v in value if v not in (None, ""))
        elif isinstance(value, dict):
            value = _dumps(value)
        types[name] = merge_types(types.get(name), python_type_name(value))
        attrs[name] = value
    return attrs


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
