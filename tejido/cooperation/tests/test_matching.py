"""The needs-to-offers matching: each rule by hand, then against a plain reference."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from tejido.cooperation.matching import (
    DISTANCE_WEIGHTS,
    TERRITORY_WEIGHTS,
    Listing,
    Match,
    hop_distances,
    match_needs,
    match_offer,
    match_one,
    pair_distances,
    territory_relation,
)


def need(pk=1, actor=1, category="it", path="/1/2/3/"):
    return Listing(pk, actor, category, path)


def offer(pk, actor, category="it", path="/1/2/3/", capacity=None):
    return Listing(pk, actor, category, path, capacity)


def test_same_category_only():
    found = match_one(need(), [offer(10, 2, "legal"), offer(11, 3, "it")])
    assert [m.offer for m in found] == [11]


def test_never_own_entity():
    found = match_one(need(actor=1), [offer(10, 1), offer(11, 2)])
    assert [m.offer for m in found] == [11]


def test_served_triple_left_out_only_for_that_category_and_pair():
    offers = [offer(10, 2), offer(11, 3)]
    found = match_one(need(actor=1), offers, served=[(1, 2, "it"), (1, 3, "legal")])
    assert [m.offer for m in found] == [11]
    # The provider may still serve another receiver.
    assert [m.offer for m in match_one(need(pk=2, actor=4), offers, served=[(1, 2, "it")])] == [
        10,
        11,
    ]


def test_capacity_zero_left_out_and_none_is_no_limit():
    found = match_one(
        need(), [offer(10, 2, capacity=0), offer(11, 3, capacity=None), offer(12, 4, capacity=1)]
    )
    assert [m.offer for m in found] == [11, 12]


@pytest.mark.parametrize(
    ("need_path", "offer_path", "relation"),
    [
        ("/1/2/3/", "/1/2/3/", "same"),
        ("/1/2/3/", "/1/2/", "within"),
        ("/1/2/3/", "/1/", "within"),
        ("/1/2/", "/1/2/3/", "covers"),
        ("", "/1/2/3/", "anywhere"),
        ("/1/2/3/", "", "anywhere"),
        ("", "", "anywhere"),
        ("/1/2/3/", "/1/2/4/", "nearby"),
        ("/1/2/", "/1/5/", "nearby"),
        ("/1/2/3/", "/1/5/6/", None),
        ("/1/2/3/", "/1/5/", None),
        ("/1/", "/7/", None),
    ],
)
def test_territory_relations(need_path, offer_path, relation):
    assert territory_relation(need_path, offer_path) == relation
    found = match_one(need(path=need_path), [offer(10, 2, path=offer_path)])
    if relation is None:
        assert found == []
    else:
        assert found == [Match(1, 10, round(TERRITORY_WEIGHTS[relation] * 0.4, 9), relation, None)]


@pytest.mark.parametrize(
    ("ties", "distance"),
    [
        ([(1, 2)], 1),
        ([(1, 5), (5, 2)], 2),
        ([(1, 5), (5, 6), (6, 2)], 3),
        ([(1, 5), (5, 6), (6, 7), (7, 2)], None),
        ([], None),
        ([(2, 1), (1, 5), (5, 2)], 1),
    ],
)
def test_each_distance(ties, distance):
    [found] = match_one(need(actor=1), [offer(10, 2)], ties)
    assert found.distance == distance
    assert found.score == round(DISTANCE_WEIGHTS[distance or 0], 9)


def test_ordering_score_then_offer_id_and_per_need():
    offers = [
        offer(30, 5, path="/1/2/3/"),  # same, unconnected: 0.4
        offer(20, 6, path="/1/2/"),  # within, partner: 0.8
        offer(10, 7, path="/1/2/3/"),  # same, unconnected: 0.4, smaller id
        offer(40, 8, path="/1/2/4/"),  # nearby, partner: 0.3
    ]
    found = match_one(need(actor=1), offers, [(1, 6), (1, 8)], limit=3)
    assert [(m.offer, m.score) for m in found] == [(20, 0.8), (10, 0.4), (30, 0.4)]
    per_need = match_needs([need(actor=1), need(pk=2, actor=9)], offers, per_need=2)
    assert [m.offer for m in per_need[1]] == [10, 30]
    assert [m.offer for m in per_need[2]] == [10, 30]
    assert match_needs([need()], [], per_need=2) == {1: []}


def test_match_offer_ranks_needs():
    needs = [need(1, 1, path="/1/2/3/"), need(2, 2, path="/1/2/4/"), need(3, 3, path="/9/")]
    found = match_offer(offer(10, 5, path="/1/2/3/"), needs, [(5, 2)])
    assert [(m.need, m.territory, m.distance) for m in found] == [
        (1, "same", None),
        (2, "nearby", 1),
    ]


# Reference ---------------------------------------------------------------------------------


def random_graph(rng, n, edges):
    return [tuple(rng.sample(range(1, n + 1), 2)) for _ in range(edges)]


@pytest.mark.parametrize("seed", range(20))
def test_distances_against_networkx(seed):
    rng = random.Random(seed)
    n = rng.randint(5, 60)
    ties = random_graph(rng, n, rng.randint(0, 2 * n))
    graph = nx.Graph()
    graph.add_nodes_from(range(1, n + 1))
    graph.add_edges_from(ties)
    for source in rng.sample(range(1, n + 1), 5):
        expected = nx.single_source_shortest_path_length(graph, source, cutoff=3)
        expected.pop(source)
        assert hop_distances(ties, source) == expected
        pairs = [(source, t) for t in range(1, n + 1) if t != source]
        assert pair_distances(ties, pairs) == [expected.get(t) for _s, t in pairs]


PATHS = ["", "/1/", "/1/2/", "/1/3/", "/1/2/4/", "/1/2/5/", "/1/3/6/", "/1/3/7/", "/8/", "/8/9/"]


def random_listings(rng, count, actors, start):
    return [
        Listing(
            start + i,
            rng.randint(1, actors),
            rng.choice(["it", "legal", "premises"]),
            rng.choice(PATHS),
            rng.choice([None, None, 0, 1, 3]),
        )
        for i in range(count)
    ]


def brute_force(needs, offers, ties, served, per_need):
    graph = nx.Graph()
    graph.add_edges_from(ties)
    result = {}
    for n in needs:
        reach = (
            nx.single_source_shortest_path_length(graph, n.actor, cutoff=3)
            if n.actor in graph
            else {}
        )
        candidates = []
        for o in offers:
            if o.category != n.category or o.actor == n.actor or o.capacity == 0:
                continue
            if (n.actor, o.actor, n.category) in served:
                continue
            relation = territory_relation(n.territory_path, o.territory_path)
            if relation is None:
                continue
            distance = reach.get(o.actor)
            score = round(TERRITORY_WEIGHTS[relation] * DISTANCE_WEIGHTS[distance or 0], 9)
            candidates.append(Match(n.id, o.id, score, relation, distance))
        candidates.sort(key=lambda m: (-m.score, m.offer))
        result[n.id] = candidates[:per_need]
    return result


@pytest.mark.parametrize("seed", range(50))
def test_matching_against_brute_force(seed):
    rng = random.Random(seed)
    actors = rng.randint(3, 40)
    needs = random_listings(rng, rng.randint(1, 30), actors, 1)
    offers = random_listings(rng, rng.randint(0, 40), actors, 1000)
    ties = random_graph(rng, actors, rng.randint(0, 3 * actors))
    served = {
        (rng.randint(1, actors), rng.randint(1, actors), rng.choice(["it", "legal"]))
        for _ in range(rng.randint(0, 10))
    }
    per_need = rng.randint(1, 6)
    found = match_needs(needs, offers, ties, served, per_need=per_need)
    assert found == brute_force(needs, offers, ties, served, per_need)
    # Property: never its own entity, never an already served pair.
    for matches in found.values():
        for m in matches:
            n = next(x for x in needs if x.id == m.need)
            o = next(x for x in offers if x.id == m.offer)
            assert n.actor != o.actor
            assert (n.actor, o.actor, n.category) not in served
    if offers:
        one = offers[0]
        expected = sorted(
            (m for ms in brute_force(needs, [one], ties, served, 1).values() for m in ms),
            key=lambda m: (-m.score, m.need),
        )[:4]
        assert match_offer(one, needs, ties, served, limit=4) == expected


def test_chunks_give_the_same_answer(monkeypatch):
    from tejido.cooperation import matching

    rng = random.Random(7)
    needs = random_listings(rng, 200, 60, 1)
    offers = random_listings(rng, 200, 60, 1000)
    ties = random_graph(rng, 60, 150)
    whole = match_needs(needs, offers, ties, per_need=4)
    monkeypatch.setattr(matching, "CHUNK_PAIRS", 50)
    assert match_needs(needs, offers, ties, per_need=4) == whole
    assert whole == brute_force(needs, offers, ties, set(), 4)


def test_window_widens_past_own_served_and_partner_offers():
    # The first candidates of the group are the need's own offers, served ones, and
    # partners' offers (found in the ball); the window must reach further.
    own = [offer(100 + i, 1) for i in range(12)]
    served_offers = [offer(200 + i, 50 + i) for i in range(12)]
    partners = [offer(300 + i, 80 + i, path="/1/2/") for i in range(3)]
    rest = [offer(900, 99, path="/1/2/4/"), offer(901, 98, path="/1/2/4/")]
    served = {(1, 50 + i, "it") for i in range(12)}
    ties = [(1, 80 + i) for i in range(3)]
    offers = own + served_offers + partners + rest
    found = match_one(need(actor=1), offers, ties, served, limit=5)
    assert [(m.offer, m.distance) for m in found] == [
        (300, 1),
        (301, 1),
        (302, 1),
        (900, None),
        (901, None),
    ]
    assert found == brute_force([need(actor=1)], offers, ties, served, 5)[1]
