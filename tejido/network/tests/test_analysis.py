"""Indicators checked by hand: brokerage roles, the social-capital mix, stages, edge cases."""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx
import numpy as np
import pytest

from tejido.network import analysis
from tejido.network.analysis import (
    BROKERAGE_ROLES,
    STAGES,
    GraphInput,
    analyze,
    network_indicators,
    subgraph,
)


def graph_of(
    n: int,
    ties: list[tuple[int, int]],
    *,
    directed: list[bool] | bool = False,
    weights: list[float] | None = None,
    sectors: list[str] | None = None,
    territories: list[int | None] | None = None,
    linking: list[bool] | None = None,
) -> GraphInput:
    pairs = np.array(ties, dtype=np.int64).reshape(-1, 2)
    flags = [directed] * len(ties) if isinstance(directed, bool) else directed
    return GraphInput(
        node_ids=[f"v{i}" for i in range(n)],
        sources=pairs[:, 0],
        targets=pairs[:, 1],
        weights=None if weights is None else np.array(weights, dtype=np.float64),
        directed=np.array(flags, dtype=bool),
        sectors=sectors,
        territories=territories,
        linking=None if linking is None else np.array(linking, dtype=bool),
    )


def roles_of(result: analysis.AnalysisResult) -> dict[str, list[int]]:
    return {role: result.actors.brokerage[role].tolist() for role in BROKERAGE_ROLES}


# --- Gould and Fernandez ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sectors", "role"),
    [
        (["x", "x", "x"], "coordinator"),
        (["y", "x", "x"], "gatekeeper"),
        (["x", "x", "y"], "representative"),
        (["x", "y", "x"], "consultant"),
        (["x", "y", "z"], "liaison"),
    ],
)
def test_each_brokerage_role_on_one_two_path(sectors: list[str], role: str) -> None:
    # a=0 → b=1 → c=2: only b brokers, once, in the role its groups give.
    result = analyze(graph_of(3, [(0, 1), (1, 2)], directed=True, sectors=sectors))
    expected = {r: [0, 0, 0] for r in BROKERAGE_ROLES}
    expected[role] = [0, 1, 0]
    assert roles_of(result) == expected


def test_a_closed_triad_counts_no_brokerage() -> None:
    # a → b → c and a → c: a already reaches c, nobody brokers.
    result = analyze(graph_of(3, [(0, 1), (1, 2), (0, 2)], directed=True, sectors=["x", "y", "z"]))
    assert all(sum(counts) == 0 for counts in roles_of(result).values())


def test_brokerage_ignores_reciprocal_and_undirected_ties() -> None:
    # 0 ⇄ 1 is no brokerage for anyone (a = c); 1 — 2 undirected is not a directed path.
    data = graph_of(
        3,
        [(0, 1), (1, 0), (1, 2)],
        directed=[True, True, False],
        sectors=["x", "y", "z"],
    )
    assert all(sum(counts) == 0 for counts in roles_of(analyze(data)).values())


def test_brokerage_counts_every_open_two_path() -> None:
    # A small organization chart: 0 and 1 (sector a) report to 2 (b), who reports to 3 and 4
    # (c and b). 0 also reports to 3 directly, which closes 0 → 2 → 3.
    data = graph_of(
        5,
        [(0, 2), (1, 2), (2, 3), (2, 4), (0, 3)],
        directed=True,
        sectors=["a", "a", "b", "c", "b"],
    )
    roles = roles_of(analyze(data))
    # Open two-paths through 2: 0→2→4 (a,b,b: gatekeeper), 1→2→3 (a,b,c: liaison),
    # 1→2→4 (gatekeeper). 0→2→3 is closed by 0→3.
    assert roles["gatekeeper"] == [0, 0, 2, 0, 0]
    assert roles["liaison"] == [0, 0, 1, 0, 0]
    assert roles["coordinator"] == roles["representative"] == roles["consultant"] == [0] * 5


def _brute_force_brokerage(n: int, arcs: set[tuple[int, int]], group: list[str]) -> dict:
    counts = {role: [0] * n for role in BROKERAGE_ROLES}
    for a, b, c in itertools.permutations(range(n), 3):
        if (a, b) in arcs and (b, c) in arcs and (a, c) not in arcs:
            ga, gb, gc = group[a], group[b], group[c]
            if ga == gb == gc:
                role = "coordinator"
            elif gb == gc:
                role = "gatekeeper"
            elif ga == gb:
                role = "representative"
            elif ga == gc:
                role = "consultant"
            else:
                role = "liaison"
            counts[role][b] += 1
    return counts


@pytest.mark.parametrize("chunk", [1, 7, 4_000_000])
def test_vectorized_brokerage_equals_brute_force(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis, "_BROKERAGE_CHUNK", chunk)
    rng = random.Random(3)
    n = 40
    arcs = {(a, b) for a in range(n) for b in range(n) if a != b and rng.random() < 0.08}
    group = [rng.choice("abc") for _ in range(n)]
    # Duplicates and self-ties must not count twice.
    ties = sorted(arcs) + sorted(arcs)[:10] + [(5, 5)]
    data = graph_of(n, ties, directed=True, sectors=group)
    assert roles_of(analyze(data)) == _brute_force_brokerage(n, arcs, group)


# --- bonding, bridging, linking --------------------------------------------------------


def test_bonding_bridging_linking_by_hand() -> None:
    # 0 community/T1, 1 community/T1, 2 private/T1, 3 community/T2, 4 public body (linking)
    # in T1, 5 with unknown sector and territory, 6 isolated.
    data = graph_of(
        7,
        [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 4), (4, 2), (2, 2)],
        sectors=["community", "community", "private", "community", "public", "", "community"],
        territories=[1, 1, 1, 2, 1, None, 1],
        linking=[False, False, False, False, True, False, False],
    )
    actors = analyze(data).actors
    # 0: 1 bonding (same sector and territory), 2 bridging (sector), 3 bridging (territory),
    # 4 linking, 5 bonding (nothing known crosses a boundary).
    assert actors.bonding[0] == pytest.approx(2 / 5)
    assert actors.bridging[0] == pytest.approx(2 / 5)
    assert actors.linking[0] == pytest.approx(1 / 5)
    # 1: 0 bonding, 4 linking.
    assert (actors.bonding[1], actors.bridging[1], actors.linking[1]) == (0.5, 0.0, 0.5)
    # 4, the public body, is linked to others, not linking itself: 0, 1, 2 all cross sectors.
    assert (actors.bonding[4], actors.bridging[4], actors.linking[4]) == (0.0, 1.0, 0.0)
    # 2: 0 bridging, 4 linking (its self-tie is ignored).
    assert (actors.bonding[2], actors.bridging[2], actors.linking[2]) == (0.0, 0.5, 0.5)
    assert (actors.bonding[5], actors.bridging[5], actors.linking[5]) == (1.0, 0.0, 0.0)
    assert np.isnan([actors.bonding[6], actors.bridging[6], actors.linking[6]]).all()
    with_ties = actors.degree > 0
    total = actors.bonding + actors.bridging + actors.linking
    np.testing.assert_allclose(total[with_ties], 1.0)


def test_ties_between_linking_actors_follow_sector_and_territory() -> None:
    data = graph_of(
        3,
        [(0, 1), (1, 2)],
        sectors=["public", "public", "private"],
        territories=[1, 1, 1],
        linking=[True, True, True],
    )
    actors = analyze(data).actors
    assert actors.bonding.tolist() == [1.0, 0.5, 0.0]
    assert actors.bridging.tolist() == [0.0, 0.5, 1.0]
    assert actors.linking.tolist() == [0.0, 0.0, 0.0]


# --- the graph itself ------------------------------------------------------------------


def test_parallel_ties_collapse_into_the_strongest() -> None:
    # Two types between 0 and 1 (weights 2 and 5), both directions of 1 → 2, a self-tie.
    data = graph_of(
        3,
        [(0, 1), (1, 0), (1, 2), (2, 1), (2, 2)],
        directed=[False, False, True, True, False],
        weights=[2, 5, 3, 1, 4],
    )
    result = analyze(data)
    assert result.actors.degree.tolist() == [1, 2, 1]
    assert result.actors.strength.tolist() == [5.0, 8.0, 3.0]
    assert result.network.ties == 2
    assert result.network.bridges == [(0, 1), (1, 2)]
    assert result.actors.is_critical.tolist() == [False, True, False]


def test_two_step_reach_by_hand() -> None:
    # A path 0 - 1 - 2 - 3 and an isolated 4.
    actors = analyze(graph_of(5, [(0, 1), (1, 2), (2, 3)])).actors
    assert actors.two_step_reach.tolist() == [2 / 4, 3 / 4, 3 / 4, 2 / 4, 0.0]


# --- stages ----------------------------------------------------------------------------


def _stage_of(graph: nx.Graph) -> str:
    nodes = list(graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in graph.edges()]
    return network_indicators(graph_of(len(nodes), edges)).stage


def test_many_small_pieces_are_fragmented() -> None:
    pieces = nx.disjoint_union_all([nx.complete_graph(3) for _ in range(10)])
    assert _stage_of(pieces) == "fragmented"
    # One piece with 40% of the actors is still fragmented.
    assert _stage_of(nx.disjoint_union(nx.path_graph(8), nx.empty_graph(12))) == "fragmented"
    assert _stage_of(nx.empty_graph(5)) == "fragmented"


def test_a_star_has_a_single_hub() -> None:
    assert _stage_of(nx.star_graph(20)) == "single_hub"
    # A few ties among the leaves do not change it.
    star = nx.star_graph(20)
    star.add_edges_from([(1, 2), (3, 4)])
    assert _stage_of(star) == "single_hub"


def test_several_linked_stars_have_many_hubs() -> None:
    graph = nx.Graph()
    hubs = [0, 100, 200, 300, 400]
    for hub in hubs:
        graph.add_edges_from((hub, hub + leaf) for leaf in range(1, 11))
    graph.add_edges_from(itertools.pairwise(hubs))
    assert _stage_of(graph) == "multi_hub"


def test_a_dense_core_with_a_periphery() -> None:
    graph = nx.complete_graph(8)
    leaf = 8
    for member in range(8):
        for _ in range(3):
            graph.add_edge(member, leaf)
            leaf += 1
    assert _stage_of(graph) == "core_periphery"


def test_random_webs_have_many_hubs() -> None:
    assert _stage_of(nx.gnp_random_graph(300, 0.02, seed=1)) == "multi_hub"
    assert _stage_of(nx.barabasi_albert_graph(300, 2, seed=1)) == "multi_hub"


# --- edge cases ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 6])
def test_no_ties(n: int) -> None:
    data = graph_of(n, [], sectors=["community"] * n, linking=[False] * n)
    result = analyze(data)
    actors, network = result.actors, result.network
    assert actors.degree.tolist() == [0] * n
    assert actors.two_step_reach.tolist() == [0.0] * n
    assert actors.betweenness.tolist() == [0.0] * n
    assert np.isnan(actors.constraint).all() and np.isnan(actors.effective_size).all()
    assert np.isnan(actors.bonding).all()
    assert actors.is_isolate.all() and not actors.is_peripheral.any()
    assert not actors.is_critical.any()
    assert len(set(actors.community.tolist())) == n
    assert network.size == n and network.ties == 0
    assert network.components == n
    assert network.largest_component_share == (1 / n if n else 0.0)
    assert network.density == 0.0 and network.clustering == 0.0
    assert network.average_distance is None
    assert network.cross_sector_share is None and network.sector_assortativity is None
    assert network.modularity is None and network.communities == 0
    assert network.stage == "fragmented"
    assert json.dumps(network.as_dict(), allow_nan=False)


def test_one_tie() -> None:
    result = analyze(graph_of(2, [(0, 1)], sectors=["public", "private"]))
    assert result.actors.two_step_reach.tolist() == [1.0, 1.0]
    assert result.network.average_distance == 1.0
    assert result.network.cross_sector_share == 1.0
    assert result.network.sector_assortativity == pytest.approx(-1.0)
    assert result.actors.constraint.tolist() == [1.0, 1.0]


def test_assortativity_is_none_when_every_actor_shares_a_sector() -> None:
    data = graph_of(3, [(0, 1), (1, 2)], sectors=["public"] * 3)
    assert analyze(data).network.sector_assortativity is None
    assert analyze(data).network.cross_sector_share == 0.0


def test_unknown_sectors_are_left_out_of_sector_figures() -> None:
    data = graph_of(4, [(0, 1), (1, 2), (2, 3)], sectors=["a", "b", "", "a"])
    network = analyze(data).network
    assert network.cross_sector_share == 1.0  # only 0 — 1 has both sectors known
    assert network.sector_assortativity == pytest.approx(-1.0)


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        analyze(graph_of(2, [(0, 2)]))
    with pytest.raises(ValueError, match="one value per vertex"):
        analyze(graph_of(2, [(0, 1)], sectors=["a"]))


# --- the contract ----------------------------------------------------------------------


def test_as_dict_is_plain_json() -> None:
    graph = nx.les_miserables_graph()
    nodes = list(graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in graph.edges()]
    data = graph_of(len(nodes), edges, sectors=["a"] * len(nodes))
    network = analyze(data).network
    plain = network.as_dict()
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain
    assert plain["sector_assortativity"] is None
    assert plain["stage"] in STAGES
    assert {type(plain[k]) for k in ("density", "clustering", "modularity")} == {float}
    assert {type(plain[k]) for k in ("size", "ties", "components", "communities")} == {int}
    named = network.as_dict(node_ids=nodes)
    assert named["bridges"] == [[nodes[a], nodes[b]] for a, b in network.bridges]
    assert ["Napoleon", "Myriel"] in named["bridges"] or ["Myriel", "Napoleon"] in named["bridges"]


def test_progress_reports_every_step_in_order() -> None:
    calls: list[tuple[int, str]] = []
    analyze(graph_of(4, [(0, 1), (1, 2)]), progress=lambda p, s: calls.append((p, s)))
    assert [s for _p, s in calls] == list(analysis.STEPS)
    percents = [p for p, _s in calls]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100


def test_results_are_reproducible_and_leave_random_alone() -> None:
    graph = nx.gnp_random_graph(400, 0.01, seed=5)
    data = graph_of(400, list(graph.edges()))
    random.seed(42)
    expected = random.random()
    random.seed(42)
    first = analyze(data, seed=3)
    assert random.random() == expected
    second = analyze(data, seed=3)
    assert first.actors.community.tolist() == second.actors.community.tolist()
    assert first.network == second.network


def test_subgraph_renumbers_and_keeps_attributes() -> None:
    data = GraphInput(
        node_ids=[10, 11, 12, 13],
        sources=np.array([0, 1, 2, 0]),
        targets=np.array([1, 2, 3, 3]),
        weights=np.array([1.0, 2.0, 3.0, 4.0]),
        directed=np.array([False, True, False, False]),
        sectors=["a", "b", "c", "d"],
        territories=[1, 2, None, 4],
        linking=np.array([False, True, False, True]),
        themes=[frozenset({1}), frozenset(), frozenset({2}), frozenset({1, 2})],
    )
    part = subgraph(data, vertices=np.array([False, True, True, True]))
    assert list(part.node_ids) == [11, 12, 13]
    assert part.sources.tolist() == [0, 1] and part.targets.tolist() == [1, 2]
    assert part.weights is not None and part.weights.tolist() == [2.0, 3.0]
    assert part.directed is not None and part.directed.tolist() == [True, False]
    assert part.sectors == ["b", "c", "d"] and part.territories == [2, None, 4]
    assert part.linking is not None and part.linking.tolist() == [True, False, True]
    assert part.themes == [frozenset(), frozenset({2}), frozenset({1, 2})]
    by_type = subgraph(data, ties=np.array([True, False, True, True]))
    assert by_type.size == 4 and by_type.sources.tolist() == [0, 2, 0]
    both = subgraph(
        data, vertices=np.array([True, True, False, True]), ties=~np.asarray(data.directed)
    )
    # Undirected ties among 10, 11 and 13: 10 — 11 and 10 — 13.
    assert both.sources.tolist() == [0, 0] and both.targets.tolist() == [1, 2]
    assert network_indicators(both).ties == 2
