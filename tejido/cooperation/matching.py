"""Shared services: which open offers answer which open needs, each with how well and why.

Pure: no Django here. The selectors in `tejido.cooperation.suggestions` load the listings, the
program's ties and the live agreements and turn the matches back into objects.

Rules, for a need N (of entity a) and an offer O (of entity b):

- Same category only. Never an offer of the need's own entity (a ≠ b). Never a
  (receiver a, provider b, category) that already has a live agreement (``served``). Offers
  with ``capacity`` 0 (no place left) are left out; ``None`` means no limit said.
- Territory, from the need's point of view, on the materialized paths ("/1/4/9/", "" for
  anywhere): ``same`` (equal paths) 1.0; ``within`` (the need's place lies inside the offer's
  area: the offer's path is a proper prefix of the need's) 0.8; ``covers`` (the offer's place
  lies inside the need's area) 0.6; ``anywhere`` (either has no territory) 0.5; ``nearby``
  (both have the same parent territory) 0.3; anything else is no match.
- Trust travels along ties: the number of hops between a and b in the network of ties
  (undirected, any type), up to ``MAX_HOPS``: 1 → 1.0, 2 → 0.8, 3 → 0.6, farther or
  unconnected → 0.4 (``distance`` None).
- ``score`` = territory weight × distance weight, rounded to ``SCORE_DECIMALS`` decimals;
  larger first, equal scores by the smaller offer id (for one offer's needs: the smaller need
  id), so the result is deterministic.

How it scales (`match_needs`): the territory relations are computed once between the distinct
paths (a few hundred), as a table. A need's candidates fall in two parts. (1) The offers of
the entities within ``MAX_HOPS`` of the need's entity, its "ball": for a chunk of need
entities S (``CHUNK_PAIRS`` / 400 of them), the entities reached in one, two and three steps
are the nonzeros of S·A, S·A², S·A³ (A the sparse adjacency matrix, counts reset to 1 after
every step; the last product only over the columns of offering entities), joined to the
offers of the need's category by a sorted key. (2) Every other candidate has the distance
weight 0.4, so its order (territory weight, then offer id) is the same for every need of the
(category, territory) group: the group's candidates are sorted once, and each need takes the
first ones of that list that are neither its own, nor served, nor in its ball (a window of
``per_need`` + 4, widened fourfold for the needs where that is not enough). The best
``per_need`` of both parts are the best of all. `match_offer` (one offer, a page) scores
every candidate pair with the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

SAME = "same"
WITHIN = "within"
COVERS = "covers"
ANYWHERE = "anywhere"
NEARBY = "nearby"

TERRITORY_WEIGHTS: dict[str, float] = {
    SAME: 1.0,
    WITHIN: 0.8,
    COVERS: 0.6,
    ANYWHERE: 0.5,
    NEARBY: 0.3,
}
RELATIONS = tuple(TERRITORY_WEIGHTS)
MAX_HOPS = 3
# Index = hops (0 stands for farther than MAX_HOPS or unconnected).
DISTANCE_WEIGHTS = (0.4, 1.0, 0.8, 0.6)
SCORE_DECIMALS = 9
CHUNK_PAIRS = 2_000_000


@dataclass(frozen=True, slots=True)
class Listing:
    id: int
    actor: int
    category: str
    territory_path: str = ""  # materialized path "/1/4/9/", "" for anywhere
    capacity: int | None = None  # places left; None: no limit said


@dataclass(frozen=True, slots=True)
class Match:
    need: int  # listing ids
    offer: int
    score: float  # 0..1, larger first
    territory: str  # one of RELATIONS
    distance: int | None  # hops between the two entities (1..MAX_HOPS), None: farther


def parse_path(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def territory_relation(need_path: str, offer_path: str) -> str | None:
    """How the offer's territory stands to the need's (see the module's rules)."""
    need, offer = parse_path(need_path), parse_path(offer_path)
    if not need or not offer:
        return ANYWHERE
    if need == offer:
        return SAME
    if len(offer) < len(need) and need[: len(offer)] == offer:
        return WITHIN
    if len(need) < len(offer) and offer[: len(need)] == need:
        return COVERS
    if len(need) == len(offer) >= 2 and need[:-1] == offer[:-1]:
        return NEARBY
    return None


def score_of(relation: str, distance: int | None) -> float:
    weight = DISTANCE_WEIGHTS[distance or 0]
    return round(TERRITORY_WEIGHTS[relation] * weight, SCORE_DECIMALS)


class _Network:
    """The undirected network of ties over dense indices of actor ids."""

    def __init__(self, ties: Iterable[tuple[int, int]], extra_ids: Iterable[int] = ()) -> None:
        pairs = np.asarray(list(ties), dtype=np.int64).reshape(-1, 2)
        ids = np.unique(np.concatenate([pairs.ravel(), np.fromiter(extra_ids, dtype=np.int64)]))
        self.ids = ids
        n = len(ids)
        self.size = n
        if len(pairs):
            u = np.searchsorted(ids, pairs[:, 0])
            v = np.searchsorted(ids, pairs[:, 1])
            keep = u != v
            u, v = u[keep], v[keep]
            rows = np.concatenate([u, v])
            cols = np.concatenate([v, u])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
        matrix = sparse.csr_array(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n)
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        self.adjacency = matrix

    def index(self, actor_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, actor_ids)

    def distances(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Hops (1..MAX_HOPS, 0 = farther) between the entities of each pair, by index."""
        result = np.zeros(len(sources), dtype=np.int8)
        if not len(sources) or not self.adjacency.nnz:
            return result
        rows, row_of = np.unique(sources, return_inverse=True)
        cols, col_of = np.unique(targets, return_inverse=True)
        adjacency = self.adjacency
        selector = sparse.csr_array(
            (np.ones(len(rows), dtype=np.float32), (np.arange(len(rows)), rows)),
            shape=(len(rows), self.size),
        )
        found = np.zeros(len(sources), dtype=bool)
        reach = selector
        for hops in range(1, MAX_HOPS + 1):
            if hops < MAX_HOPS:
                reach = _ones(reach @ adjacency)
                step = reach[:, cols]
            else:
                # The last step only for the target columns.
                step = reach @ adjacency[:, cols]
            values = np.asarray(step[row_of, col_of]).ravel()
            hit = (values > 0) & ~found
            result[hit] = hops
            found |= hit
        return result

    def distances_from(self, source: int, max_hops: int = MAX_HOPS) -> dict[int, int]:
        """Actor id → hops (1..max_hops) from actor `source` (for checks and small pages)."""
        position = np.searchsorted(self.ids, source)
        if position >= self.size or self.ids[position] != source:
            return {}
        seen = {int(position): 0}
        frontier = np.array([position])
        indptr, indices = self.adjacency.indptr, self.adjacency.indices
        for hops in range(1, max_hops + 1):
            if not len(frontier):
                break
            reached = np.unique(
                np.concatenate([indices[indptr[i] : indptr[i + 1]] for i in frontier])
            )
            fresh = [int(i) for i in reached if int(i) not in seen]
            for i in fresh:
                seen[i] = hops
            frontier = np.array(fresh, dtype=np.int64)
        return {int(self.ids[i]): d for i, d in seen.items() if d > 0}


def _ones(matrix: sparse.csr_array) -> sparse.csr_array:
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def hop_distances(ties: Iterable[tuple[int, int]], source: int) -> dict[int, int]:
    """Actor id → hops (1..MAX_HOPS) from `source` over the ties (undirected)."""
    return _Network(ties).distances_from(source)


def pair_distances(
    ties: Iterable[tuple[int, int]], pairs: Sequence[tuple[int, int]]
) -> list[int | None]:
    """Hops between the actors of each pair (None: farther than MAX_HOPS or unconnected)."""
    array = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    network = _Network(ties, array.ravel().tolist())
    hops = network.distances(network.index(array[:, 0]), network.index(array[:, 1]))
    return [int(h) or None for h in hops]


def _scored_pairs(
    needs: Sequence[Listing],
    offers: Sequence[Listing],
    ties: Iterable[tuple[int, int]],
    served: Iterable[tuple[int, int, str]],
) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Chunks of (need positions, offer positions, relation codes, hops, scores) of every
    allowed pair, a chunk holding all the pairs of its needs."""
    offers = [offer for offer in offers if offer.capacity is None or offer.capacity > 0]
    if not needs or not offers:
        return
    categories = sorted({listing.category for listing in (*needs, *offers)})
    category_code = {category: i for i, category in enumerate(categories)}
    paths = sorted({listing.territory_path for listing in (*needs, *offers)})
    path_code = {path: i for i, path in enumerate(paths)}

    need_actor = np.fromiter((n.actor for n in needs), dtype=np.int64, count=len(needs))
    need_category = np.fromiter(
        (category_code[n.category] for n in needs), dtype=np.int64, count=len(needs)
    )
    need_path = np.fromiter(
        (path_code[n.territory_path] for n in needs), dtype=np.int64, count=len(needs)
    )
    offer_actor = np.fromiter((o.actor for o in offers), dtype=np.int64, count=len(offers))
    offer_id = np.fromiter((o.id for o in offers), dtype=np.int64, count=len(offers))
    offer_category = np.fromiter(
        (category_code[o.category] for o in offers), dtype=np.int64, count=len(offers)
    )
    offer_path = np.fromiter(
        (path_code[o.territory_path] for o in offers), dtype=np.int64, count=len(offers)
    )

    # Offers grouped by (category, path), by offer id inside a group.
    offer_groups: dict[tuple[int, int], np.ndarray] = {}
    order = np.lexsort((offer_id, offer_path, offer_category))
    keys = offer_category[order] * len(paths) + offer_path[order]
    bounds = np.flatnonzero(np.diff(keys)) + 1
    for chunk in np.split(order, bounds):
        offer_groups[(int(offer_category[chunk[0]]), int(offer_path[chunk[0]]))] = chunk
    offer_paths_by_category: dict[int, list[int]] = {}
    for category, path in offer_groups:
        offer_paths_by_category.setdefault(category, []).append(path)

    # Candidates of each (category, need path) group, as one flat array with offsets.
    relation_cache: dict[tuple[int, int], str | None] = {}
    group_key = need_category * len(paths) + need_path
    groups, need_group = np.unique(group_key, return_inverse=True)
    group_offers: list[np.ndarray] = []
    group_relations: list[np.ndarray] = []
    for key in groups.tolist():
        category, path = divmod(key, len(paths))
        parts: list[np.ndarray] = []
        relation_parts: list[np.ndarray] = []
        for other in offer_paths_by_category.get(category, ()):
            pair = (path, other)
            if pair not in relation_cache:
                relation_cache[pair] = territory_relation(paths[path], paths[other])
            relation = relation_cache[pair]
            if relation is None:
                continue
            members = offer_groups[(category, other)]
            parts.append(members)
            relation_parts.append(np.full(len(members), RELATIONS.index(relation), np.int8))
        group_offers.append(np.concatenate(parts) if parts else np.zeros(0, np.int64))
        group_relations.append(
            np.concatenate(relation_parts) if relation_parts else np.zeros(0, np.int8)
        )
    sizes = np.array([len(g) for g in group_offers], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat_offers = np.concatenate(group_offers)
    flat_relations = np.concatenate(group_relations)

    network = _Network(ties, np.concatenate([need_actor, offer_actor]).tolist())
    need_index = network.index(need_actor)
    offer_index = network.index(offer_actor)
    served_keys = np.unique(
        np.array(
            [
                (int(r) * network.size + int(p)) * len(categories) + category_code[c]
                for r, p, c in _known(served, network, category_code)
            ],
            dtype=np.int64,
        )
    )

    territory_weights = np.array([TERRITORY_WEIGHTS[r] for r in RELATIONS])
    distance_weights = np.array(DISTANCE_WEIGHTS)

    # Needs by entity, so a chunk's entities (the rows of its sparse products) are few.
    need_order = np.argsort(need_index, kind="stable")
    pair_counts = sizes[need_group[need_order]]
    cumulative = np.cumsum(pair_counts)
    cut_points = np.searchsorted(
        cumulative, np.arange(CHUNK_PAIRS, int(cumulative[-1]) + 1, CHUNK_PAIRS), side="right"
    )
    for chunk in np.split(need_order, np.unique(cut_points)):
        if not len(chunk):
            continue
        counts = sizes[need_group[chunk]]
        total = int(counts.sum())
        if not total:
            continue
        need_pos = np.repeat(chunk, counts)
        offsets = np.repeat(starts[need_group[chunk]] - (np.cumsum(counts) - counts), counts)
        flat = offsets + np.arange(total)
        offer_pos = flat_offers[flat]
        relation = flat_relations[flat]
        keep = need_actor[need_pos] != offer_actor[offer_pos]
        if len(served_keys):
            pair_keys = (need_index[need_pos] * network.size + offer_index[offer_pos]) * len(
                categories
            ) + need_category[need_pos]
            keep &= ~np.isin(pair_keys, served_keys)
        need_pos, offer_pos, relation = need_pos[keep], offer_pos[keep], relation[keep]
        hops = network.distances(need_index[need_pos], offer_index[offer_pos])
        scores = np.round(territory_weights[relation] * distance_weights[hops], SCORE_DECIMALS)
        yield need_pos, offer_pos, relation, hops, scores


def _known(
    served: Iterable[tuple[int, int, str]], network: _Network, category_code: dict[str, int]
) -> Iterable[tuple[int, int, str]]:
    """Served triples whose actors and category occur in the listings, by actor index."""
    for receiver, provider, category in served:
        if category not in category_code:
            continue
        r, p = network.index(np.array([receiver, provider]))
        if (
            r < network.size
            and p < network.size
            and network.ids[r] == receiver
            and network.ids[p] == provider
        ):
            yield int(r), int(p), category


def _relation_of_parts(need: tuple[int, ...], offer: tuple[int, ...]) -> str | None:
    if not need or not offer:
        return ANYWHERE
    if need == offer:
        return SAME
    if len(offer) < len(need) and need[: len(offer)] == offer:
        return WITHIN
    if len(need) < len(offer) and offer[: len(need)] == need:
        return COVERS
    if len(need) == len(offer) >= 2 and need[:-1] == offer[:-1]:
        return NEARBY
    return None


def _member(sorted_values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Whether each query is in `sorted_values` (sorted), by binary search."""
    if not len(sorted_values):
        return np.zeros(len(queries), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_values, queries), len(sorted_values) - 1)
    return sorted_values[position] == queries


def _ragged(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(start, start + count) for each pair, vectorized."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total)


def match_needs(
    needs: Sequence[Listing],
    offers: Sequence[Listing],
    ties: Iterable[tuple[int, int]] = (),
    served: Iterable[tuple[int, int, str]] = (),
    *,
    per_need: int = 5,
) -> dict[int, list[Match]]:
    """Need id → its best `per_need` matches among `offers`, best first.

    `ties` are pairs of actor ids (undirected); `served` holds (receiver actor, provider
    actor, category) triples that already have a live agreement. Every need is a key, with
    an empty list when nothing fits.

    A need's candidates fall in two parts. The offers of entities within ``MAX_HOPS`` of the
    need's entity come from the sparse products (the need's "ball"), each with its distance.
    Every other candidate has the distance weight 0.4, so its order (territory weight, then
    offer id) is the same for every need of the (category, territory) group: the group's
    candidates are sorted once, and each need takes the first ones of that list that are
    neither its own, nor served, nor in its ball (a window of ``per_need`` + 4, widened for
    the few needs where that is not enough). The best `per_need` of both parts are the
    best of all.
    """
    result: dict[int, list[Match]] = {need.id: [] for need in needs}
    offers = [offer for offer in offers if offer.capacity is None or offer.capacity > 0]
    if per_need <= 0 or not needs or not offers:
        return result
    categories = sorted({listing.category for listing in (*needs, *offers)})
    category_code = {category: i for i, category in enumerate(categories)}
    n_categories = len(categories)
    paths = sorted({listing.territory_path for listing in (*needs, *offers)})
    path_code = {path: i for i, path in enumerate(paths)}
    parsed = [parse_path(path) for path in paths]
    relation_table = np.full((len(paths), len(paths)), -1, dtype=np.int8)
    need_paths = sorted({path_code[n.territory_path] for n in needs})
    offer_paths = sorted({path_code[o.territory_path] for o in offers})
    for a in need_paths:
        for b in offer_paths:
            relation = _relation_of_parts(parsed[a], parsed[b])
            if relation is not None:
                relation_table[a, b] = RELATIONS.index(relation)
    territory_weights = np.array([TERRITORY_WEIGHTS[r] for r in RELATIONS])
    distance_weights = np.array(DISTANCE_WEIGHTS)

    def column(values: Iterable[int], count: int) -> np.ndarray:
        return np.fromiter(values, dtype=np.int64, count=count)

    need_actor = column((n.actor for n in needs), len(needs))
    need_category = column((category_code[n.category] for n in needs), len(needs))
    need_path = column((path_code[n.territory_path] for n in needs), len(needs))
    offer_actor = column((o.actor for o in offers), len(offers))
    offer_id = column((o.id for o in offers), len(offers))
    offer_category = column((category_code[o.category] for o in offers), len(offers))
    offer_path = column((path_code[o.territory_path] for o in offers), len(offers))

    network = _Network(ties, np.concatenate([need_actor, offer_actor]).tolist())
    size = network.size
    need_index = network.index(need_actor)
    offer_index = network.index(offer_actor)
    served_list = list(served)
    if served_list:
        receivers = np.array([r for r, _p, _c in served_list], dtype=np.int64)
        providers = np.array([p for _r, p, _c in served_list], dtype=np.int64)
        codes = np.array([category_code.get(c, -1) for _r, _p, c in served_list], np.int64)
        r_pos = np.minimum(network.index(receivers), size - 1)
        p_pos = np.minimum(network.index(providers), size - 1)
        known = (codes >= 0) & (network.ids[r_pos] == receivers) & (network.ids[p_pos] == providers)
        served_keys = np.unique(((r_pos * size + p_pos) * n_categories + codes)[known])
    else:
        served_keys = np.zeros(0, dtype=np.int64)

    def allowed(need_pos: np.ndarray, offer_pos: np.ndarray) -> np.ndarray:
        ok = need_actor[need_pos] != offer_actor[offer_pos]
        if len(served_keys):
            keys = (need_index[need_pos] * size + offer_index[offer_pos]) * n_categories
            ok &= ~_member(served_keys, keys + need_category[need_pos])
        return ok

    # Every group's candidates, best territory first, then by offer id.
    group_key = need_category * len(paths) + need_path
    groups, need_group = np.unique(group_key, return_inverse=True)
    group_parts: list[np.ndarray] = []
    by_category = {
        c: np.flatnonzero(offer_category == c) for c in np.unique(offer_category).tolist()
    }
    for key in groups.tolist():
        category, path = divmod(key, len(paths))
        members = by_category.get(category, np.zeros(0, dtype=np.int64))
        relation = relation_table[path, offer_path[members]]
        members, relation = members[relation >= 0], relation[relation >= 0]
        order = np.lexsort((offer_id[members], -territory_weights[relation]))
        group_parts.append(members[order])
    sizes = np.array([len(g) for g in group_parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    flat_offers = np.concatenate(group_parts) if group_parts else np.zeros(0, np.int64)

    # Offers by (entity column, category), for the ball's lookups.
    offer_columns, offer_column = np.unique(offer_index, return_inverse=True)
    offer_keys = offer_column * n_categories + offer_category
    offers_by_key = np.argsort(offer_keys, kind="stable")
    sorted_keys = offer_keys[offers_by_key]
    adjacency = network.adjacency
    to_offer_columns = adjacency[:, offer_columns].tocsr()

    # Needs by entity, a chunk of entities at a time.
    entities, need_entity = np.unique(need_index, return_inverse=True)
    needs_by_entity = np.argsort(need_entity, kind="stable")
    entity_starts = np.searchsorted(need_entity[needs_by_entity], np.arange(len(entities)))
    entity_counts = np.bincount(need_entity, minlength=len(entities))
    chunk_size = max(1, CHUNK_PAIRS // 400)
    for first in range(0, len(entities), chunk_size):
        rows = entities[first : first + chunk_size]
        chunk_count = int(entity_counts[first : first + len(rows)].sum())
        chunk_needs = needs_by_entity[entity_starts[first] : entity_starts[first] + chunk_count]
        # The ball: (row, offer column, hops) up to MAX_HOPS.
        found_rows, found_cols, found_hops = [], [], []
        if adjacency.nnz:
            reach = sparse.csr_array(
                (np.ones(len(rows), dtype=np.float32), (np.arange(len(rows)), rows)),
                shape=(len(rows), size),
            )
            for hops in range(1, MAX_HOPS + 1):
                if hops < MAX_HOPS:
                    reach = _ones(reach @ adjacency)
                    step = reach[:, offer_columns].tocoo()
                else:
                    step = (reach @ to_offer_columns).tocoo()
                found_rows.append(step.row.astype(np.int64))
                found_cols.append(step.col.astype(np.int64))
                found_hops.append(np.full(len(step.row), hops, dtype=np.int8))
        if found_rows:
            ball_row = np.concatenate(found_rows)
            ball_col = np.concatenate(found_cols)
            ball_hops = np.concatenate(found_hops)
            ball_key = ball_row * len(offer_columns) + ball_col
            order = np.lexsort((ball_hops, ball_key))
            ball_key, ball_hops = ball_key[order], ball_hops[order]
            keep = np.ones(len(ball_key), dtype=bool)
            keep[1:] = ball_key[1:] != ball_key[:-1]
            ball_key, ball_hops = ball_key[keep], ball_hops[keep]
        else:
            ball_key = np.zeros(0, dtype=np.int64)
            ball_hops = np.zeros(0, dtype=np.int8)
        ball_row, ball_col = np.divmod(ball_key, len(offer_columns))
        # Each (entity, offering entity) pair to the needs of the one and the offers of the
        # other in the same category.
        row_needs = _ragged(entity_starts[first + ball_row], entity_counts[first + ball_row])
        pair_of = np.repeat(np.arange(len(ball_row)), entity_counts[first + ball_row])
        b_need = needs_by_entity[row_needs]
        query = ball_col[pair_of] * n_categories + need_category[b_need]
        low = np.searchsorted(sorted_keys, query, side="left")
        high = np.searchsorted(sorted_keys, query, side="right")
        b_offer = offers_by_key[_ragged(low, high - low)]
        b_need = np.repeat(b_need, high - low)
        b_hops = np.repeat(ball_hops[pair_of], high - low)
        b_relation = relation_table[need_path[b_need], offer_path[b_offer]]
        keep = (b_relation >= 0) & allowed(b_need, b_offer)
        b_need, b_offer, b_hops, b_relation = (
            b_need[keep],
            b_offer[keep],
            b_hops[keep],
            b_relation[keep],
        )
        # Sorted already: rows and offer columns are increasing, keys sorted by (row, col).
        in_ball = rows[ball_row].astype(np.int64) * size + offer_columns[ball_col].astype(np.int64)

        # The rest: each need's first candidates of its group outside its ball.
        w_need_parts, w_offer_parts = [], []
        pending = chunk_needs
        window = per_need + 4
        while len(pending):
            group = need_group[pending]
            take = np.minimum(sizes[group], window)
            w_need = np.repeat(pending, take)
            w_offer = flat_offers[_ragged(starts[group], take)]
            ok = allowed(w_need, w_offer)
            if len(in_ball):
                ok &= ~_member(in_ball, need_index[w_need] * size + offer_index[w_offer])
            survivors = np.bincount(
                np.repeat(np.arange(len(pending)), take), weights=ok, minlength=len(pending)
            )
            done = (survivors >= per_need) | (take == sizes[group])
            keep = ok & np.repeat(done, take)
            w_need_parts.append(w_need[keep])
            w_offer_parts.append(w_offer[keep])
            pending = pending[~done]
            window *= 4
        w_need = np.concatenate(w_need_parts)
        w_offer = np.concatenate(w_offer_parts)
        w_relation = relation_table[need_path[w_need], offer_path[w_offer]]

        need_pos = np.concatenate([b_need, w_need])
        offer_pos = np.concatenate([b_offer, w_offer])
        relation = np.concatenate([b_relation, w_relation]).astype(np.int64)
        hops = np.concatenate([b_hops, np.zeros(len(w_need), dtype=np.int8)]).astype(np.int64)
        scores = np.round(territory_weights[relation] * distance_weights[hops], SCORE_DECIMALS)
        order = np.lexsort((offer_id[offer_pos], -scores, need_pos))
        sorted_needs = need_pos[order]
        starts_here = np.ones(len(order), dtype=bool)
        starts_here[1:] = sorted_needs[1:] != sorted_needs[:-1]
        group_start = np.maximum.accumulate(np.where(starts_here, np.arange(len(order)), 0))
        chosen = order[(np.arange(len(order)) - group_start) < per_need]
        for n, o, r, h, s in zip(
            need_pos[chosen].tolist(),
            offer_pos[chosen].tolist(),
            relation[chosen].tolist(),
            hops[chosen].tolist(),
            scores[chosen].tolist(),
            strict=True,
        ):
            result[needs[n].id].append(
                Match(needs[n].id, int(offer_id[o]), s, RELATIONS[r], h or None)
            )
    return result


def match_one(
    need: Listing,
    offers: Sequence[Listing],
    ties: Iterable[tuple[int, int]] = (),
    served: Iterable[tuple[int, int, str]] = (),
    *,
    limit: int = 5,
) -> list[Match]:
    """The best `limit` offers for one need (the same rules as `match_needs`)."""
    return match_needs([need], offers, ties, served, per_need=limit)[need.id]


def match_offer(
    offer: Listing,
    needs: Sequence[Listing],
    ties: Iterable[tuple[int, int]] = (),
    served: Iterable[tuple[int, int, str]] = (),
    *,
    limit: int = 5,
) -> list[Match]:
    """The needs one offer answers best (larger score first, then the smaller need id)."""
    matches: list[Match] = []
    for need_pos, _offer_pos, relation, hops, scores in _scored_pairs(needs, [offer], ties, served):
        for n, r, h, s in zip(
            need_pos.tolist(), relation.tolist(), hops.tolist(), scores.tolist(), strict=True
        ):
            matches.append(Match(needs[n].id, offer.id, s, RELATIONS[r], h or None))
    matches.sort(key=lambda m: (-m.score, m.need))
    return matches[: max(limit, 0)]
