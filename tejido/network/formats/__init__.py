"""Graph formats: GEXF 1.3, GraphML, Kumu JSON blueprints and CSV edge lists.

Every format is read into, and written from, the neutral `graph.Graph`. `program.py` turns a
program's network into a Graph (export) and a Graph into actors and ties (import, through the
checks and bulk writes of the CSV/XLSX import); `cli.py` turns a Graph into the input of
`analysis.analyze` for `tejido network analyze`. docs/graph-formats.md documents the formats
for users: keep it in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .csvlist import read_edge_list, write_edges_csv, write_nodes_csv
from .gexf import read_gexf, write_gexf
from .graph import NODES_PART, Graph, GraphFormatError
from .graphml import read_graphml, write_graphml
from .kumu import read_kumu, write_kumu

GEXF = "gexf"
GRAPHML = "graphml"
KUMU = "kumu"
CSV = "csv"


@dataclass(frozen=True)
class Format:
    code: str
    label: object  # lazily translated
    extension: str
    content_type: str
    write: Callable[..., Iterator[str]]


FORMATS: dict[str, Format] = {
    GEXF: Format(GEXF, gettext_lazy("GEXF (Gephi)"), "gexf", "application/gexf+xml", write_gexf),
    GRAPHML: Format(
        GRAPHML, gettext_lazy("GraphML"), "graphml", "application/graphml+xml", write_graphml
    ),
    KUMU: Format(
        KUMU, gettext_lazy("Kumu (JSON blueprint)"), "json", "application/json", write_kumu
    ),
    CSV: Format(
        CSV,
        gettext_lazy("CSV edge list and node list"),
        "csv",
        "text/csv; charset=utf-8",
        write_edges_csv,
    ),
}
EXTENSIONS = {
    ".gexf": GEXF,
    ".graphml": GRAPHML,
    ".xml": None,  # decided by the content
    ".json": KUMU,
    ".csv": CSV,
    ".tsv": CSV,
    ".txt": CSV,
}


def detect_format(data: bytes, name: str = "") -> str:
    """The format of a file, from its content first (names lie), then its name."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        if b"<gexf" in head:
            return GEXF
        if b"<graphml" in head:
            return GRAPHML
        lowered = name.lower()
        if lowered.endswith(".gexf"):
            return GEXF
        if lowered.endswith(".graphml"):
            return GRAPHML
        raise GraphFormatError(
            _("This XML file is neither GEXF nor GraphML: Tejido cannot read it as a network.")
        )
    if head.startswith((b"{", b"[")):
        return KUMU
    return CSV


def read_graph(
    data: bytes, *, name: str = "", nodes: bytes | None = None, fmt: str | None = None
) -> Graph:
    """Read a graph file (and, for a CSV edge list, its node list). Raises GraphFormatError."""
    if not data.strip():
        raise GraphFormatError(_("The file is empty."))
    fmt = fmt or detect_format(data, name)
    if fmt == GEXF:
        return read_gexf(data)
    if fmt == GRAPHML:
        return read_graphml(data)
    if fmt == KUMU:
        return read_kumu(data)
    if fmt == CSV:
        return read_edge_list(data, nodes)
    raise GraphFormatError(_("Unknown graph format “%(format)s”.") % {"format": fmt})


__all__ = [
    "CSV",
    "EXTENSIONS",
    "FORMATS",
    "GEXF",
    "GRAPHML",
    "KUMU",
    "NODES_PART",
    "Format",
    "Graph",
    "GraphFormatError",
    "detect_format",
    "read_graph",
    "write_nodes_csv",
]
