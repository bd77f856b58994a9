"""The ego-network layout: pure geometry, no database."""

from __future__ import annotations

import itertools
import math

from tejido.network.ego import (
    LABEL_LINE,
    RADIUS,
    EgoPartner,
    _spread,
    edge_width,
    ego_layout,
    shorten,
)

SECTORS = ["community", "public", "private"]


def partner(i, sector="community", intensity=2, name=None):
    return EgoPartner(
        id=i, name=name or f"Actor {i:02d}", sector=sector, url=f"/a/{i}/", intensity=intensity
    )


def test_empty_layout():
    layout = ego_layout([])
    assert layout.nodes == [] and layout.alter_edges == []


def test_partners_sit_on_a_circle_grouped_by_sector():
    partners = [partner(i, SECTORS[i % 3]) for i in range(9)]
    layout = ego_layout(partners, sector_order=SECTORS)
    for node in layout.nodes:
        distance = math.hypot(node.x - layout.cx, node.y - layout.cy)
        assert abs(distance - RADIUS) < 0.2
    sectors = [n.partner.sector for n in layout.nodes]
    assert sectors == ["community"] * 3 + ["public"] * 3 + ["private"] * 3


def test_layout_is_deterministic_whatever_the_input_order():
    partners = [partner(i, SECTORS[i % 3]) for i in range(12)]
    one = ego_layout(partners, sector_order=SECTORS)
    two = ego_layout(list(reversed(partners)), sector_order=SECTORS)
    assert [(n.partner.id, n.x, n.y, n.label_y) for n in one.nodes] == [
        (n.partner.id, n.x, n.y, n.label_y) for n in two.nodes
    ]


def test_labels_never_overlap_and_stay_inside():
    layout = ego_layout([partner(i) for i in range(24)])
    for side in ("start", "end"):
        ys = sorted(n.label_y for n in layout.nodes if n.anchor == side)
        assert all(b - a >= LABEL_LINE - 0.01 for a, b in itertools.pairwise(ys))
        assert ys[0] > 0 and ys[-1] < layout.height
    for node in layout.nodes:
        assert (node.anchor == "start") == (node.label_x > layout.cx)


def test_ties_among_partners_are_drawn_once_and_unknown_ones_dropped():
    layout = ego_layout([partner(1), partner(2), partner(3)], [(1, 2), (2, 1), (2, 99), (3, 3)])
    assert len(layout.alter_edges) == 1


def test_edge_width_grows_with_intensity():
    widths = [edge_width(i) for i in range(5)]
    assert widths == sorted(widths) and widths[0] == 1.0
    assert edge_width(9) == edge_width(4) and edge_width(-1) == edge_width(0)


def test_shorten_and_spread():
    assert shorten("Junta de Vecinos Villa Los Héroes de la Concepción", 20).endswith("…")
    assert len(shorten("x" * 50, 20)) == 20
    assert shorten("  Corto   nombre ") == "Corto nombre"
    assert _spread([10, 10, 10], 0, 100, 15) == [10, 25, 40]
    assert _spread([90, 95, 99], 0, 100, 15) == [70, 85, 100]
