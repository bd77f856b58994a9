"""Layout of the small ego-network drawn on an actor's profile. Pure computation, no Django.

The actor sits in the centre and its partners on a circle around it, grouped by sector so that
colours form arcs rather than confetti. Names sit in two columns, one each side, joined to their
node by a leader line: labels next to nodes on a circle collide near the top and bottom, labels
in a column only need to be spread vertically, which is a one-pass sweep.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WIDTH = 680
RADIUS = 118
CENTER_RADIUS = 16
NODE_RADIUS = 9
LABEL_GAP = 26  # from the circle to the label column
LABEL_LINE = 15  # vertical space per label
LABEL_CHARS = 27
MARGIN = 26


@dataclass(frozen=True)
class EgoPartner:
    id: int
    name: str
    sector: str
    url: str
    intensity: int  # strongest current tie with the centre, 0 to 4
    tie_count: int = 1


@dataclass
class EgoNode:
    partner: EgoPartner
    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: str  # "start" (right column) or "end" (left column)
    # Where the leader line meets the label column.
    leader_x: float = 0.0
    edge_width: float = 1.0


@dataclass
class EgoEdge:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class EgoLayout:
    width: int
    height: int
    cx: float
    cy: float
    nodes: list[EgoNode] = field(default_factory=list)
    # Ties among the partners themselves: they show whether the neighbourhood is a clique.
    alter_edges: list[EgoEdge] = field(default_factory=list)

    @property
    def center_radius(self) -> int:
        return CENTER_RADIUS

    @property
    def node_radius(self) -> int:
        return NODE_RADIUS


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def edge_width(intensity: int) -> float:
    """Stroke width for an intensity on the 0–4 scale: awareness is a hairline."""
    return round(1.0 + 1.25 * max(0, min(4, intensity)), 2)


def _spread(desired: list[float], top: float, bottom: float, gap: float) -> list[float]:
    """Positions as close as possible to `desired` (sorted), at least `gap` apart, in bounds."""
    placed: list[float] = []
    for y in desired:
        low = top if not placed else placed[-1] + gap
        placed.append(max(y, low))
    # If the sweep ran off the bottom, push the column back up from the end.
    overflow = placed[-1] - bottom if placed else 0
    if overflow > 0:
        placed[-1] = bottom
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def ego_layout(
    partners: Sequence[EgoPartner],
    alter_pairs: Iterable[tuple[int, int]] = (),
    *,
    sector_order: Sequence[str] = (),
) -> EgoLayout:
    """Place the centre, its partners and the ties among them; deterministic for equal input."""
    rank = {code: i for i, code in enumerate(sector_order)}
    ordered = sorted(
        partners, key=lambda p: (rank.get(p.sector, len(rank)), p.name.casefold(), p.id)
    )
    n = len(ordered)
    per_side = math.ceil(n / 2) if n else 0
    height = int(max(2 * RADIUS + 2 * MARGIN + 24, per_side * LABEL_LINE + 2 * MARGIN))
    cx, cy = WIDTH / 2, height / 2
    layout = EgoLayout(width=WIDTH, height=height, cx=cx, cy=cy)
    if not n:
        return layout

    nodes: list[EgoNode] = []
    for i, partner in enumerate(ordered):
        # Start at the top and go clockwise; half a step in so no node sits exactly at the top.
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / n
        x = cx + RADIUS * math.cos(angle)
        y = cy + RADIUS * math.sin(angle)
        right = math.cos(angle) >= 0
        column = cx + (RADIUS + LABEL_GAP) * (1 if right else -1)
        nodes.append(
            EgoNode(
                partner=partner,
                x=round(x, 1),
                y=round(y, 1),
                label=shorten(partner.name),
                label_x=round(column + (4 if right else -4), 1),
                label_y=round(y, 1),
                anchor="start" if right else "end",
                leader_x=round(column, 1),
                edge_width=edge_width(partner.intensity),
            )
        )
    for side in ("start", "end"):
        column_nodes = sorted((nd for nd in nodes if nd.anchor == side), key=lambda nd: nd.y)
        if not column_nodes:
            continue
        ys = _spread([nd.y for nd in column_nodes], MARGIN / 2 + 6, height - MARGIN / 2, LABEL_LINE)
        for nd, y in zip(column_nodes, ys, strict=True):
            nd.label_y = round(y, 1)
    layout.nodes = nodes

    where = {nd.partner.id: nd for nd in nodes}
    seen: set[tuple[int, int]] = set()
    for a, b in alter_pairs:
        key = (min(a, b), max(a, b))
        if key in seen or a not in where or b not in where or a == b:
            continue
        seen.add(key)
        na, nb = where[a], where[b]
        layout.alter_edges.append(EgoEdge(na.x, na.y, nb.x, nb.y))
    return layout
