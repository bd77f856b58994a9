"""Weaving opportunities, checked against networkx and brute force on small networks."""

from __future__ import annotations

import itertools
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest

from tejido.network import weaving
from tejido.network.analysis import AnalysisResult, GraphInput, analyze
from tejido.network.weaving import KINDS, MERGE_ORDER, Suggestion, suggest_introductions

SECTORS = ("community", "public", "private", "third_sector", "academia", "international")


def graph_input(g: nx.Graph, *, weight: str | None = None, **attributes) -> GraphInput:
    nodes = sorted(g)  # integer labels: vertex i is node i
    assert nodes == list(range(len(nodes)))
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in g.edges()], dtype=np.int64).reshape(-1, 2)
    weights = None
    if weight is not None:
        weights = np.array([d.get(weight, 1) for _, _, d in g.edges(data=True)], dtype=float)
    return GraphInput(
        node_ids=nodes, sources=edges[:, 0], targets=edges[:, 1], weights=weights, **attributes
    )


def result_for(graph: GraphInput) -> AnalysisResult:
    return analyze(graph, seed=0)


def as_nx(graph: GraphInput) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(graph.size))
    g.add_edges_from(
        (int(s), int(t)) for s, t in zip(graph.sources, graph.targets, strict=True) if s != t
    )
    return g


def by_pair(suggestions: list[Suggestion]) -> dict[tuple[int, int], Suggestion]:
    pairs = {(s.a, s.b): s for s in suggestions}
    assert len(pairs) == len(suggestions), "a pair is suggested twice"
    return pairs


def reason(s: Suggestion, code: str) -> dict:
    found = [r for r in s.reasons if r["code"] == code]
    assert len(found) == 1
    return found[0]


def top_per_actor(scores: dict[tuple[int, int], float], k: int) -> dict[tuple[int, int], float]:
    """Union of every actor's k best pairs: largest score (to 9 decimals), then smaller index."""
    per_actor: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (a, b), score in scores.items():
        per_actor[a].append((-round(score, 9), b))
        per_actor[b].append((-round(score, 9), a))
    chosen = {}
    for a, options in per_actor.items():
        for _, b in sorted(options)[:k]:
            pair = (min(a, b), max(a, b))
            chosen[pair] = scores[pair]
    return chosen


def random_graph(seed: int, n: int = 60, p: float = 0.06) -> nx.Graph:
    return nx.gnp_random_graph(n, p, seed=seed)


CLASSICS = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "les_miserables": nx.les_miserables_graph,
    "davis": nx.davis_southern_women_graph,
}


# --- Shared partners ------------------------------------------------------------------------


def adamic_adar_top(g: nx.Graph, k: int, exclude=()) -> dict[tuple[int, int], float]:
    excluded = {tuple(sorted(p)) for p in exclude}
    scores = {}
    for u, v, score in nx.adamic_adar_index(g):
        pair = (min(u, v), max(u, v))
        if score > 0 and pair not in excluded:
            scores[pair] = score
    return top_per_actor(scores, k)


@pytest.mark.parametrize("name", sorted(CLASSICS))
@pytest.mark.parametrize("per_actor", [1, 3, 5])
def test_shared_partners_match_networkx_adamic_adar(name, per_actor):
    g = nx.convert_node_labels_to_integers(CLASSICS[name](), ordering="sorted")
    graph = graph_input(g, weight="weight")
    suggestions = suggest_introductions(
        graph, result_for(graph), per_actor=per_actor, kinds=("shared_partners",)
    )
    expected = adamic_adar_top(g, per_actor)
    got = by_pair(suggestions)
    assert set(got) == set(expected)
    for pair, s in got.items():
        assert s.kind == "shared_partners"
        assert s.score == pytest.approx(expected[pair], rel=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_shared_partners_match_networkx_on_random_graphs(seed):
    g = random_graph(seed, n=80, p=0.02 + 0.01 * seed)
    graph = graph_input(g)
    suggestions = suggest_introductions(graph, result_for(graph), kinds=("shared_partners",))
    expected = adamic_adar_top(g, 5)
    got = by_pair(suggestions)
    assert set(got) == set(expected)
    for pair, s in got.items():
        assert s.score == pytest.approx(expected[pair], rel=1e-12)


def test_shared_partners_reasons_name_the_strongest_common_partners():
    g = nx.les_miserables_graph()
    g = nx.convert_node_labels_to_integers(g, ordering="sorted")
    graph = graph_input(g, weight="weight")
    suggestions = suggest_introductions(graph, result_for(graph), kinds=("shared_partners",))
    assert suggestions
    for s in suggestions:
        why = reason(s, "shared_partners")
        common = sorted(
            nx.common_neighbors(g, s.a, s.b),
            key=lambda w: (-(g[s.a][w]["weight"] + g[s.b][w]["weight"]), g.degree(w), w),
        )
        assert why["count"] == len(common)
        assert why["via"] == common[:3]


def test_shared_partners_skip_hubs_above_the_cap():
    # Two pairs: (1, 2) share only the hub 0; (3, 4) share the small partner 5.
    g = nx.star_graph(30)
    g.add_edges_from([(3, 5), (4, 5)])
    graph = graph_input(g)
    result = result_for(graph)
    capped = by_pair(
        suggest_introductions(graph, result, kinds=("shared_partners",), hub_degree=10)
    )
    assert set(capped) == {(3, 4)}
    assert capped[(3, 4)].score == pytest.approx(1 / np.log(3))
    # The common partners are all counted in the reasons, the hub too.
    assert reason(capped[(3, 4)], "shared_partners") == {
        "code": "shared_partners",
        "count": 2,
        "via": [5, 0],
    }
    uncapped = by_pair(suggest_introductions(graph, result, kinds=("shared_partners",)))
    assert (1, 2) in uncapped
    assert uncapped[(3, 4)].score == pytest.approx(1 / np.log(3) + 1 / np.log(30))


def test_default_hub_cap_follows_the_work_budget(monkeypatch):
    degree = np.array([1] * 100 + [3] * 10 + [50, 400])
    # Σ d² = 100 + 90 + 2,500 + 160,000: everybody fits in the default budget.
    assert weaving._hub_limit(degree, ties=300, hub_degree=None) == 400
    monkeypatch.setattr(weaving, "SHARED_PARTNERS_MIN_WORK", 10_000)
    monkeypatch.setattr(weaving, "SHARED_PARTNERS_WORK_PER_TIE_END", 1)
    assert weaving._hub_limit(degree, ties=300, hub_degree=None) == 50
    assert weaving._hub_limit(degree, ties=300, hub_degree=7) == 7


def test_shared_partners_in_small_chunks_match_one_chunk(monkeypatch):
    g = random_graph(3, n=150, p=0.04)
    graph = graph_input(g)
    result = result_for(graph)
    whole = suggest_introductions(graph, result, kinds=("shared_partners",))
    monkeypatch.setattr(weaving, "CHUNK_WORK", 40)
    assert suggest_introductions(graph, result, kinds=("shared_partners",)) == whole


# --- Complementary pairs -------------------------------------------------------------------


def attributed_network(seed: int, n: int = 24, p: float = 0.08):
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed)
    sectors = [SECTORS[i] for i in rng.integers(0, 4, n)]
    territories = [
        None if r < 0.1 else int(t)
        for r, t in zip(rng.random(n), rng.integers(1, 4, n), strict=True)
    ]
    themes = [
        frozenset(int(t) for t in rng.choice(6, rng.integers(0, 3), replace=False))
        for _ in range(n)
    ]
    graph = graph_input(g, sectors=sectors, territories=territories, themes=themes)
    return g, graph


def complementary_brute_force(g, graph, result, k, exclude=()):
    component = {v: i for i, comp in enumerate(nx.connected_components(g)) for v in comp}
    community = np.asarray(result.actors.community)
    excluded = set(exclude)
    scores, reasons = {}, {}
    for a, b in itertools.combinations(range(graph.size), 2):
        if g.has_edge(a, b) or (a, b) in excluded:
            continue
        sa, sb = graph.sectors[a], graph.sectors[b]
        if not sa or not sb or sa == sb:
            continue
        shared = graph.themes[a] & graph.themes[b]
        same = graph.territories[a] is not None and graph.territories[a] == graph.territories[b]
        if not shared and not same:
            continue
        if component[a] != component[b]:
            novelty = 1.0
        else:
            novelty = 0.75 if community[a] != community[b] else 0.5
        scores[(a, b)] = (len(shared) + same) * novelty
        reasons[(a, b)] = {
            "code": "complementary",
            "sectors": [sa, sb],
            "themes": sorted(shared),
            "same_territory": same,
        }
    chosen = top_per_actor(scores, k)
    return chosen, reasons


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("per_actor", [1, 5])
def test_complementary_matches_brute_force(seed, per_actor):
    g, graph = attributed_network(seed)
    result = result_for(graph)
    got = by_pair(
        suggest_introductions(graph, result, per_actor=per_actor, kinds=("complementary",))
    )
    expected, reasons = complementary_brute_force(g, graph, result, per_actor)
    assert set(got) == set(expected)
    for pair, s in got.items():
        assert s.kind == "complementary"
        assert s.score == pytest.approx(expected[pair])
        assert s.reasons == (reasons[pair],)


def test_complementary_samples_large_groups_deterministically(monkeypatch):
    monkeypatch.setattr(weaving, "GROUP_EXACT_LIMIT", 4)
    monkeypatch.setattr(weaving, "GROUP_SAMPLE_BOTH", 3)
    monkeypatch.setattr(weaving, "GROUP_SAMPLE_ONE", 2)
    g, graph = attributed_network(5, n=60, p=0.04)
    result = result_for(graph)
    first = suggest_introductions(graph, result, kinds=("complementary",), seed=1)
    assert first == suggest_introductions(graph, result, kinds=("complementary",), seed=1)
    assert first
    for s in first:
        why = reason(s, "complementary")
        assert graph.sectors[s.a] != graph.sectors[s.b]
        assert why["themes"] or why["same_territory"]
        assert not g.has_edge(s.a, s.b)
    # Sampled pairs are among the possible ones, each with its exact score and reason.
    _, reasons = complementary_brute_force(g, graph, result, 5)
    for s in first:
        assert s.reasons == (reasons[(s.a, s.b)],)


def test_complementary_needs_two_sectors():
    _, graph = attributed_network(1)
    graph = GraphInput(
        node_ids=graph.node_ids,
        sources=graph.sources,
        targets=graph.targets,
        sectors=["community"] * graph.size,
        territories=graph.territories,
        themes=graph.themes,
    )
    assert suggest_introductions(graph, result_for(graph), kinds=("complementary",)) == []


# --- Bring in isolated and peripheral actors -----------------------------------------------


def bring_in_brute_force(g, graph, result, k):
    n = graph.size
    degree = np.array([g.degree(v) for v in range(n)])
    isolated = degree == 0
    targets = isolated | np.asarray(result.actors.is_peripheral, dtype=bool)
    largest = max(nx.connected_components(g), key=lambda c: (len(c), -min(c)))
    pool = list(largest) if len(largest) >= 2 else list(range(n))
    betweenness = np.nan_to_num(np.asarray(result.actors.betweenness, dtype=float))
    prominence = degree / max(degree.max(), 1)
    if betweenness.max() > 0:
        prominence = prominence + betweenness / betweenness.max()
    expected = {}
    for t in np.flatnonzero(targets).tolist():
        options = []
        for c in pool:
            if c == t or g.has_edge(t, c):
                continue
            same = graph.territories[t] is not None and graph.territories[t] == graph.territories[c]
            themes = sorted(graph.themes[t] & graph.themes[c])
            if not same and not themes:
                continue
            score = (
                (0.1 + prominence[c])
                * (1.5 if graph.sectors[t] != graph.sectors[c] else 1.0)
                * (1.25 if same and themes else 1.0)
                * (1.0 if isolated[t] else 0.5)
            )
            why = {
                "code": "bring_in",
                "isolated": bool(isolated[t]),
                "shared": "territory" if same else "theme",
                "themes": themes,
                "broker": c,
            }
            options.append((-round(score, 9), c, score, why))
        if isolated[t] and not options and degree.max() > 0:
            # Sharing nothing with anybody well connected: the best-connected all the same.
            for c in pool:
                if c != t:
                    score = (0.1 + prominence[c]) * (
                        1.5 if graph.sectors[t] != graph.sectors[c] else 1.0
                    )
                    why = {
                        "code": "bring_in",
                        "isolated": True,
                        "shared": None,
                        "themes": sorted(graph.themes[t] & graph.themes[c]),
                        "broker": c,
                    }
                    options.append((-round(score, 9), c, score, why))
        for _, c, score, why in sorted(options, key=lambda o: o[:2])[:k]:
            pair = (min(t, c), max(t, c))
            if pair not in expected or expected[pair][0] < score - 1e-9:
                expected[pair] = (score, why)
    return expected, targets


@pytest.mark.parametrize("seed", range(10))
def test_bring_in_matches_brute_force(seed):
    g, graph = attributed_network(seed, n=30, p=0.05)
    result = result_for(graph)
    got = by_pair(suggest_introductions(graph, result, per_actor=3, kinds=("bring_in",)))
    expected, targets = bring_in_brute_force(g, graph, result, 3)
    assert set(got) == set(expected)
    for pair, s in got.items():
        score, why = expected[pair]
        assert s.score == pytest.approx(score)
        assert s.reasons == (why,)
    # Every isolated actor who shares a territory or theme with someone gets somebody.
    for t in np.flatnonzero(targets):
        if g.degree(t) == 0 and any(
            (graph.territories[t] is not None and graph.territories[t] == graph.territories[c])
            or graph.themes[t] & graph.themes[c]
            for c in range(graph.size)
            if c != t
        ):
            assert any(t in pair for pair in got)


def test_isolated_actors_get_suggestions_without_any_tie():
    n = 12
    graph = GraphInput(
        node_ids=list(range(n)),
        sources=np.zeros(0, dtype=np.int64),
        targets=np.zeros(0, dtype=np.int64),
        sectors=[SECTORS[i % 3] for i in range(n)],
        territories=[i % 2 for i in range(n)],
        themes=[frozenset() for _ in range(n)],
    )
    suggestions = suggest_introductions(graph, result_for(graph), per_actor=2)
    assert suggestions
    assert {v for s in suggestions for v in (s.a, s.b)} == set(range(n))
    for s in suggestions:
        assert s.kind in ("bring_in", "complementary")
        assert graph.territories[s.a] == graph.territories[s.b]
    bring_in = [s for s in suggestions if any(r["code"] == "bring_in" for r in s.reasons)]
    for s in bring_in:
        why = reason(s, "bring_in")
        assert why["isolated"] is True
        assert why["shared"] == "territory"
    # Every actor is brought in by somebody.
    assert {v for s in bring_in for v in (s.a, s.b)} == set(range(n))


def test_isolated_actor_sharing_nothing_is_offered_the_best_connected():
    g = nx.star_graph(5)  # 0 is the hub
    g.add_node(6)
    graph = graph_input(
        g,
        sectors=["public", "community", "community", "private", "private", "community", "private"],
        territories=[1, 1, 1, 1, 1, 1, 2],
        themes=[frozenset()] * 7,
    )
    got = by_pair(suggest_introductions(graph, result_for(graph), kinds=("bring_in",)))
    alone = {pair: s for pair, s in got.items() if 6 in pair}
    assert (0, 6) in alone
    why = reason(alone[(0, 6)], "bring_in")
    assert why["shared"] is None
    assert why["isolated"] is True
    assert why["broker"] == 0


# --- Redundancy ----------------------------------------------------------------------------


def pieces_without(g: nx.Graph, v: int) -> list[int]:
    h = g.copy()
    h.remove_node(v)
    component = nx.node_connected_component(g, v)
    return sorted((len(c) for c in nx.connected_components(h) if c <= component), reverse=True)


@pytest.mark.parametrize(
    "g",
    [
        nx.barbell_graph(5, 0),
        nx.barbell_graph(5, 1),
        nx.barbell_graph(4, 3),
        nx.lollipop_graph(5, 3),
    ],
    ids=["barbell", "barbell-1", "barbell-3", "lollipop"],
)
def test_redundancy_tie_removes_the_articulation_point(g):
    graph = graph_input(g)
    suggestions = suggest_introductions(graph, result_for(graph), kinds=("redundancy",))
    brokers = {reason(s, "redundancy")["broker"] for s in suggestions}
    assert brokers == set(nx.articulation_points(g))
    for s in suggestions:
        why = reason(s, "redundancy")
        v = why["broker"]
        sizes = pieces_without(g, v)
        assert why["sizes"] == sizes[:2]
        assert s.score == sum(sizes) - sizes[0]
        assert g.has_edge(v, s.a) and g.has_edge(v, s.b)
        if len(sizes) == 2:
            h = g.copy()
            h.add_edge(s.a, s.b)
            assert v not in set(nx.articulation_points(h))


def test_redundancy_picks_the_best_connected_partners_across_the_bridge():
    # Two cliques joined only through broker 10, tied to 0 and 1 on one side and 5 on the other.
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    g.add_edges_from([(0, 11), (1, 11), (10, 0), (10, 1), (10, 5)])
    g.add_edge(5, 12)
    graph = graph_input(nx.convert_node_labels_to_integers(g, ordering="sorted"))
    g = as_nx(graph)
    got = by_pair(suggest_introductions(graph, result_for(graph), kinds=("redundancy",)))
    [s] = [s for s in got.values() if reason(s, "redundancy")["broker"] == 10]
    # 0 and 1 both have degree 6 on their side: the smaller index wins; 5 on the other.
    assert (s.a, s.b) == (0, 5)
    h = g.copy()
    h.add_edge(0, 5)
    assert 10 not in set(nx.articulation_points(h))


@pytest.mark.parametrize("seed", range(6))
def test_redundancy_ranks_brokers_by_what_their_loss_cuts_off(seed):
    g = nx.random_labeled_tree(40, seed=seed)
    g.add_edges_from(nx.gnp_random_graph(40, 0.015, seed=seed).edges())
    graph = graph_input(nx.convert_node_labels_to_integers(g, ordering="sorted"))
    g = as_nx(graph)
    cap = 5
    got = suggest_introductions(graph, result_for(graph), kinds=("redundancy",), max_brokers=cap)
    cut_off = {}
    for v in nx.articulation_points(g):
        sizes = pieces_without(g, v)
        cut_off[v] = sum(sizes) - sizes[0]
    best = sorted(cut_off, key=lambda v: (-cut_off[v], v))[:cap]
    assert {reason(s, "redundancy")["broker"] for s in got} == set(best)
    assert [s.score for s in got] == sorted((cut_off[v] for v in best), reverse=True)
    for s in got:
        v = reason(s, "redundancy")["broker"]
        assert reason(s, "redundancy")["sizes"] == pieces_without(g, v)[:2]
        assert s.score == cut_off[v]


# --- Rules across kinds --------------------------------------------------------------------


def messy_network(seed: int) -> GraphInput:
    """Several tie types, both directions, self-ties, isolated actors, all attributes."""
    rng = np.random.default_rng(seed)
    n = 40
    m = 55
    sources = rng.integers(0, n - 4, m)
    targets = rng.integers(0, n - 4, m)
    # Repeat some ties reversed and with another weight, as other tie types would be.
    sources, targets = np.r_[sources, targets[:10]], np.r_[targets, sources[:10]]
    return GraphInput(
        node_ids=[f"actor-{i}" for i in range(n)],
        sources=sources,
        targets=targets,
        weights=rng.integers(1, 6, len(sources)).astype(float),
        directed=rng.random(len(sources)) < 0.3,
        sectors=[SECTORS[i] for i in rng.integers(0, 6, n)],
        territories=[int(t) for t in rng.integers(0, 3, n)],
        themes=[frozenset(int(t) for t in rng.choice(5, 2, replace=False)) for _ in range(n)],
    )


@pytest.mark.parametrize("seed", range(12))
def test_never_suggests_an_existing_tie(seed):
    graph = messy_network(seed)
    suggestions = suggest_introductions(graph, result_for(graph), per_actor=4)
    tied = {
        (min(s, t), max(s, t))
        for s, t in zip(graph.sources.tolist(), graph.targets.tolist(), strict=True)
    }
    assert suggestions
    pairs = by_pair(suggestions)
    assert not set(pairs) & tied
    for s in suggestions:
        assert 0 <= s.a < s.b < graph.size
        assert s.kind in KINDS
        assert s.reasons and s.reasons[0]["code"] == s.kind
        assert np.isfinite(s.score) and s.score > 0
        for r in s.reasons:
            for key in ("via",):
                assert all(0 <= v < graph.size for v in r.get(key, []))
            if "broker" in r:
                assert 0 <= r["broker"] < graph.size


@pytest.mark.parametrize("seed", range(6))
def test_exclusions_are_honoured(seed):
    graph = messy_network(seed)
    result = result_for(graph)
    first = suggest_introductions(graph, result)
    excluded = {(s.a, s.b) for s in first[::2]}
    # Pairs may come in either order; the function normalizes them.
    given = [(b, a) if i % 2 else (a, b) for i, (a, b) in enumerate(sorted(excluded))]
    again = suggest_introductions(graph, result, exclude=given)
    assert not {(s.a, s.b) for s in again} & excluded


def test_exclusions_bring_the_next_best_shared_partner():
    g = nx.karate_club_graph()
    graph = graph_input(g)
    result = result_for(graph)
    first = suggest_introductions(graph, result, per_actor=2, kinds=("shared_partners",))
    exclude = [(s.a, s.b) for s in first[:10]]
    got = by_pair(
        suggest_introductions(
            graph, result, per_actor=2, exclude=exclude, kinds=("shared_partners",)
        )
    )
    expected = adamic_adar_top(g, 2, exclude=exclude)
    assert set(got) == set(expected)


@pytest.mark.parametrize("seed", range(4))
def test_pairs_proposed_by_several_kinds_are_merged(seed):
    graph = messy_network(seed)
    result = result_for(graph)
    alone = {kind: by_pair(suggest_introductions(graph, result, kinds=(kind,))) for kind in KINDS}
    merged = by_pair(suggest_introductions(graph, result))
    assert set(merged) == set().union(*alone.values())
    for pair, s in merged.items():
        proposing = [kind for kind in MERGE_ORDER if pair in alone[kind]]
        assert s.kind == proposing[0]
        assert s.score == alone[s.kind][pair].score
        assert s.reasons == tuple(alone[kind][pair].reasons[0] for kind in proposing)


def test_result_is_sorted_and_deterministic():
    graph = messy_network(3)
    result = result_for(graph)
    suggestions = suggest_introductions(graph, result, seed=7)
    assert suggestions == suggest_introductions(graph, result, seed=7)
    keys = [(MERGE_ORDER.index(s.kind), -round(s.score, 9), s.a, s.b) for s in suggestions]
    assert keys == sorted(keys)


def test_empty_and_tiny_networks():
    empty = GraphInput(node_ids=[], sources=np.zeros(0, int), targets=np.zeros(0, int))
    assert suggest_introductions(empty, result_for(empty)) == []
    one = GraphInput(node_ids=[1], sources=np.zeros(0, int), targets=np.zeros(0, int))
    assert suggest_introductions(one, result_for(one)) == []
    pair = GraphInput(node_ids=[1, 2], sources=np.array([0]), targets=np.array([1]))
    assert suggest_introductions(pair, result_for(pair)) == []
    bare = GraphInput(node_ids=[1, 2, 3], sources=np.zeros(0, int), targets=np.zeros(0, int))
    # No ties and nothing known about the actors: nothing meaningful to suggest.
    assert suggest_introductions(bare, result_for(bare)) == []


def test_unknown_kind_is_an_error():
    g = nx.path_graph(3)
    graph = graph_input(g)
    with pytest.raises(ValueError, match="unknown"):
        suggest_introductions(graph, result_for(graph), kinds=("gossip",))


def test_redundancy_with_the_best_tie_excluded_suggests_the_next_best():
    g = nx.barbell_graph(5, 0)  # 4 and 5 are the brokers, tied to each other
    graph = graph_input(g)
    result = result_for(graph)
    first = by_pair(suggest_introductions(graph, result, kinds=("redundancy",)))
    again = by_pair(
        suggest_introductions(graph, result, kinds=("redundancy",), exclude=list(first))
    )
    assert len(again) == len(first) == 2
    assert not set(again) & set(first)
    for s in again.values():
        h = g.copy()
        h.add_edge(s.a, s.b)
        assert reason(s, "redundancy")["broker"] not in set(nx.articulation_points(h))
