"""Every indicator of `tejido.network.analysis` against networkx's own implementation.

On the classic real networks networkx ships (Zachary's karate club, the Florentine families,
Davis' southern women, Les Misérables, the last two weighted ones with weights) and on seeded
random graphs with isolated actors. Exact indicators must agree within 1e-9; the sampled
betweenness within the error bound the analysis states.
"""

from __future__ import annotations

import math
import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from tejido.network.analysis import (
    GraphInput,
    _average_distance,
    _Betweenness,
    _sampled_betweenness,
    analyze,
    betweenness_error_bound,
    network_indicators,
)

TOLERANCE = 1e-9
SECTORS = ("community", "public", "private", "third_sector")


def _with_isolates(graph: nx.Graph, count: int) -> nx.Graph:
    graph = nx.Graph(graph)
    start = graph.number_of_nodes()
    graph.add_nodes_from(range(start, start + count))
    return graph


def _weighted_random(graph: nx.Graph, seed: int) -> nx.Graph:
    rng = random.Random(seed)
    for a, b in graph.edges():
        graph[a][b]["weight"] = rng.randint(1, 5)
    return graph


GRAPHS = {
    "karate": lambda: nx.karate_club_graph(),  # weighted (number of shared contexts)
    "florentine": lambda: nx.florentine_families_graph(),
    "davis": lambda: nx.davis_southern_women_graph(),
    "les_miserables": lambda: nx.les_miserables_graph(),  # weighted (co-appearances)
    "gnp": lambda: _with_isolates(nx.gnp_random_graph(150, 0.04, seed=7), 5),
    "gnp_sparse": lambda: nx.gnp_random_graph(200, 0.008, seed=3),  # many components
    "barabasi_albert": lambda: _weighted_random(
        _with_isolates(nx.barabasi_albert_graph(250, 2, seed=11), 4), seed=5
    ),
}


class Case:
    def __init__(self, name: str) -> None:
        self.name = name
        self.nx = GRAPHS[name]()
        self.nodes = list(self.nx.nodes())
        index = {node: i for i, node in enumerate(self.nodes)}
        edges = list(self.nx.edges(data=True))
        self.weighted = any("weight" in data for _a, _b, data in edges)
        self.weight = "weight" if self.weighted else None
        rng = random.Random(name)
        self.sectors = [rng.choice(SECTORS) for _ in self.nodes]
        for node, sector in zip(self.nodes, self.sectors, strict=True):
            self.nx.nodes[node]["sector"] = sector
        self.input = GraphInput(
            node_ids=self.nodes,
            sources=np.array([index[a] for a, _b, _d in edges], dtype=np.int64),
            targets=np.array([index[b] for _a, b, _d in edges], dtype=np.int64),
            weights=(
                np.array([d.get("weight", 1) for _a, _b, d in edges], dtype=np.float64)
                if self.weighted
                else None
            ),
            sectors=self.sectors,
        )
        self.result = analyze(self.input)

    def by_node(self, values: dict) -> np.ndarray:
        return np.array([values[node] for node in self.nodes], dtype=np.float64)


_CASES: dict[str, Case] = {}


@pytest.fixture(params=sorted(GRAPHS))
def case(request: pytest.FixtureRequest) -> Case:
    if request.param not in _CASES:
        _CASES[request.param] = Case(request.param)
    return _CASES[request.param]


def _close(ours: np.ndarray, theirs: np.ndarray, tolerance: float = TOLERANCE) -> None:
    """Equal within the tolerance, NaN exactly where networkx has NaN."""
    ours = np.asarray(ours, dtype=np.float64)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=tolerance, equal_nan=True)


def test_partners(case: Case) -> None:
    actors = case.result.actors
    _close(actors.degree, case.by_node(dict(case.nx.degree())))
    _close(actors.strength, case.by_node(dict(case.nx.degree(weight="weight"))))


def test_two_step_reach(case: Case) -> None:
    n = len(case.nodes)
    expected = {
        node: (len(nx.single_source_shortest_path_length(case.nx, node, cutoff=2)) - 1) / (n - 1)
        for node in case.nodes
    }
    _close(case.result.actors.two_step_reach, case.by_node(expected))


def test_betweenness_is_exact_and_normalized_like_networkx(case: Case) -> None:
    assert not case.result.betweenness_sampled
    assert case.result.betweenness_error is None
    _close(case.result.actors.betweenness, case.by_node(nx.betweenness_centrality(case.nx)))


def test_effective_size(case: Case) -> None:
    _close(case.result.actors.effective_size, case.by_node(nx.effective_size(case.nx)))


def test_constraint_weighted_by_tie_strength(case: Case) -> None:
    expected = nx.constraint(case.nx, weight=case.weight)
    _close(case.result.actors.constraint, case.by_node(expected))


def test_core_isolates_periphery_and_critical_points(case: Case) -> None:
    actors = case.result.actors
    core = case.by_node(nx.core_number(case.nx))
    _close(actors.coreness, core)
    isolates = set(nx.isolates(case.nx))
    assert actors.is_isolate.tolist() == [node in isolates for node in case.nodes]
    degree = case.by_node(dict(case.nx.degree()))
    assert actors.is_peripheral.tolist() == ((degree > 0) & (core <= 1)).tolist()
    articulation = set(nx.articulation_points(case.nx))
    assert actors.is_critical.tolist() == [node in articulation for node in case.nodes]


def test_bridges(case: Case) -> None:
    ours = {frozenset((case.nodes[a], case.nodes[b])) for a, b in case.result.network.bridges}
    assert ours == {frozenset(edge) for edge in nx.bridges(case.nx)}
    assert len(ours) == len(case.result.network.bridges)


def test_network_figures(case: Case) -> None:
    network = case.result.network
    graph = case.nx
    assert network.size == graph.number_of_nodes()
    assert network.ties == graph.number_of_edges()
    assert network.density == pytest.approx(nx.density(graph), abs=TOLERANCE)
    assert network.components == nx.number_connected_components(graph)
    largest = max(nx.connected_components(graph), key=len)
    assert network.largest_component_share == pytest.approx(len(largest) / len(graph))
    assert network.clustering == pytest.approx(nx.transitivity(graph), abs=TOLERANCE)
    assert not network.average_distance_sampled
    assert network.average_distance == pytest.approx(
        nx.average_shortest_path_length(graph.subgraph(largest)), abs=TOLERANCE
    )
    assert network.sector_assortativity == pytest.approx(
        nx.attribute_assortativity_coefficient(graph, "sector"), abs=TOLERANCE
    )
    crossing = [graph.nodes[a]["sector"] != graph.nodes[b]["sector"] for a, b in graph.edges()]
    assert network.cross_sector_share == pytest.approx(sum(crossing) / len(crossing))
    assert network.stage in ("fragmented", "single_hub", "multi_hub", "core_periphery")


def test_modularity_matches_networkx_and_is_not_below_louvain(case: Case) -> None:
    community = case.result.actors.community
    groups = [{case.nodes[i] for i in np.flatnonzero(community == c)} for c in np.unique(community)]
    theirs = nx.community.modularity(case.nx, groups, weight=case.weight)
    assert case.result.network.modularity == pytest.approx(theirs, abs=TOLERANCE)
    louvain = nx.community.louvain_communities(case.nx, weight=case.weight, seed=1)
    best = nx.community.modularity(case.nx, louvain, weight=case.weight)
    assert case.result.network.modularity >= best - 0.02
    assert case.result.network.communities == sum(1 for g in groups if len(g) >= 2)
    # Numbered by decreasing size.
    sizes = np.bincount(community)
    assert list(sizes) == sorted(sizes, reverse=True)


def test_network_indicators_alone_match_the_full_analysis(case: Case) -> None:
    alone = network_indicators(case.input)
    # Measured directly there, from the betweenness sums in `analyze`.
    assert alone.average_distance == pytest.approx(
        case.result.network.average_distance, abs=TOLERANCE
    )
    alone.average_distance = case.result.network.average_distance
    assert alone == case.result.network


def test_sub_networks_sample_distances_on_large_components() -> None:
    graph = nx.barabasi_albert_graph(700, 2, seed=9)
    edges = np.array(graph.edges(), dtype=np.int64)
    data = GraphInput(node_ids=list(graph.nodes()), sources=edges[:, 0], targets=edges[:, 1])
    exact = nx.average_shortest_path_length(graph)
    assert network_indicators(data).average_distance == pytest.approx(exact, abs=TOLERANCE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tejido.network.analysis.EXACT_DISTANCE_LIMIT", 500)
        sampled = network_indicators(data)
    assert sampled.average_distance_sampled
    assert sampled.average_distance == pytest.approx(exact, rel=0.03)


# --- sampled betweenness ---------------------------------------------------------------


def test_sampling_every_source_gives_the_exact_values() -> None:
    graph = nx.barabasi_albert_graph(120, 2, seed=4)
    g = ig.Graph(n=120, edges=list(graph.edges()))
    sampled = _sampled_betweenness(g, 120, seed=0)
    exact = nx.betweenness_centrality(graph)
    _close(sampled.values, np.array([exact[i] for i in range(120)]))
    assert sampled.error == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampled_betweenness_is_within_the_stated_bound(seed: int) -> None:
    graph = _with_isolates(nx.barabasi_albert_graph(400, 2, seed=seed), 10)
    edges = np.array(graph.edges(), dtype=np.int64)
    data = GraphInput(node_ids=list(graph.nodes()), sources=edges[:, 0], targets=edges[:, 1])
    result = analyze(data, exact_betweenness_limit=200, betweenness_samples=100, seed=seed)
    assert result.betweenness_sampled
    assert result.betweenness_samples == 100
    n = graph.number_of_nodes()
    bound = n / (n - 1) * math.sqrt(math.log(2 * n / 0.05) / (2 * 100))
    assert result.betweenness_error == pytest.approx(bound)
    assert result.betweenness_error == betweenness_error_bound(n, 100)
    exact = nx.betweenness_centrality(graph)
    errors = np.abs(result.actors.betweenness - np.array([exact[i] for i in range(n)]))
    assert errors.max() <= bound
    # The bound holds for every actor at once; the typical error is far smaller, and the
    # estimator is unbiased: the largest brokers come out on top.
    assert errors.mean() < bound / 20
    top = max(exact, key=exact.get)
    assert result.actors.betweenness[top] == result.actors.betweenness.max()
    # The average distance comes from the same sampled sources.
    assert result.network.average_distance_sampled
    largest = graph.subgraph(max(nx.connected_components(graph), key=len))
    assert result.network.average_distance == pytest.approx(
        nx.average_shortest_path_length(largest), rel=0.03
    )
    # Everything else stays exact.
    _close(result.actors.effective_size, np.array([nx.effective_size(graph)[i] for i in range(n)]))


def test_the_main_brokers_confidence_interval_covers_the_exact_values() -> None:
    # The leading brokers' stated relative error (95% intervals from batch means) covers the
    # gap to networkx's exact figure for most of them, and is far tighter than the uniform
    # bound: the figure users read ("within ±x%") means what it says.
    graph = nx.barabasi_albert_graph(2000, 2, seed=7)
    edges = np.array(graph.edges(), dtype=np.int64)
    data = GraphInput(node_ids=list(graph.nodes()), sources=edges[:, 0], targets=edges[:, 1])
    result = analyze(data, exact_betweenness_limit=500, betweenness_samples=400, seed=3)
    relative = result.betweenness_top_error
    assert relative is not None and 0 < relative < 0.5
    exact = nx.betweenness_centrality(graph)
    estimates = result.actors.betweenness
    top = np.argsort(-estimates)[:10]
    misses = [abs(estimates[v] - exact[int(v)]) / estimates[v] for v in top]
    assert sum(miss <= relative for miss in misses) >= 8
    assert result.betweenness_error is not None
    assert relative * estimates[top].min() < result.betweenness_error / 2


def test_exact_betweenness_states_no_relative_error() -> None:
    graph = nx.karate_club_graph()
    edges = np.array(graph.edges(), dtype=np.int64)
    data = GraphInput(node_ids=list(graph.nodes()), sources=edges[:, 0], targets=edges[:, 1])
    assert analyze(data).betweenness_top_error is None


def test_average_distance_when_no_sampled_source_lies_in_the_largest_component() -> None:
    graph = nx.disjoint_union(nx.barabasi_albert_graph(200, 2, seed=1), nx.path_graph(3))
    g = ig.Graph(n=203, edges=list(graph.edges()))
    # Pretend the sample fell entirely in the small piece.
    sampled = _Betweenness(np.zeros(203), np.zeros(203), np.array([200, 201]))
    average, flagged = _average_distance(g, np.arange(200), sampled, seed=0)
    assert flagged
    exact = nx.average_shortest_path_length(graph.subgraph(range(200)))
    assert average == pytest.approx(exact, rel=0.05)
