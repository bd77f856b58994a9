"""Weaving opportunities: introductions that would strengthen a network, each with why.

Pure: no Django here. Works on the same `GraphInput` as `analysis`, using its result.

Four kinds of suggestion, each with reasons as codes and parameters (actors named by vertex
index under "via", a list, or "broker", one) that the pages turn into sentences:

- ``shared_partners``: two actors without a tie who share partners, scored by the Adamic–Adar
  index (the sum of 1 / ln(partners of w) over their common partners w, in the undirected
  simple network). Reason ``{"code": "shared_partners", "count": n, "via": [w, ...]}``:
  ``count`` common partners, ``via`` up to three of them, strongest first (the largest sum of
  the two ties' weights, then the fewest partners, then the vertex index).
- ``complementary``: actors of different sectors who work in the same territory or share a
  theme, and who are far apart in the network (in different components, or else different
  communities) so they bring each other new information: the score is (shared themes + 1 for
  the same territory) × (1 apart, 0.75 other community, 0.5 same community). Reason
  ``{"code": "complementary", "sectors": [sector a, sector b], "themes": [theme ids],
  "same_territory": bool}``.
- ``bring_in``: for every isolated and peripheral actor (``result.actors.is_peripheral``), the
  well-connected actors of the largest component who share its territory or a theme and could
  bring it in. Score (0.1 + prominence) × 1.5 for another sector × 1.25 sharing both territory
  and a theme × (1 isolated, 0.5 peripheral), where prominence = partners / most partners +
  betweenness / largest betweenness; the candidates are, in each territory or theme and
  sector, its 2 × per_actor + 2 most prominent actors. Reason ``{"code": "bring_in",
  "isolated": bool, "shared": "territory" | "theme" | None, "themes": [theme ids],
  "broker": c}`` where ``broker`` is the well-connected actor of the pair (the other one is
  the one brought in) and ``shared`` is None only for an isolated actor who shares neither
  territory nor theme with anybody well connected (then the best-connected actors are
  suggested all the same).
- ``redundancy``: for the critical brokers (articulation points) whose loss would cut off the
  most actors, the tie between the broker's best-connected partner in each of the two largest
  pieces its loss would leave, which keeps those pieces together without the broker. Reason
  ``{"code": "redundancy", "broker": v, "sizes": [largest piece, second piece]}``.

Rules: an existing tie (any type, either direction) or an excluded pair is never suggested;
``a < b``; one suggestion per pair: when several kinds propose the same pair, the suggestion
takes the kind (and score) that comes first in ``MERGE_ORDER`` and the reasons of all of them,
in that order. Scores are compared rounded to ``SCORE_DECIMALS`` decimals, and equal scores are
broken by the smaller vertex index, so the result is deterministic; ``seed`` only drives the
sampling inside very large territory or theme groups (complementary pairs).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import igraph as ig
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from .analysis import AnalysisResult, GraphInput, simple_ties

KINDS = ("shared_partners", "complementary", "bring_in", "redundancy")

# When one pair is proposed by several kinds, the first of these gives the kind and score.
MERGE_ORDER = ("redundancy", "bring_in", "shared_partners", "complementary")

# Scores equal to this many decimals count as tied (then the smaller vertex index wins).
SCORE_DECIMALS = 9

# Shared partners: common partners with very many partners contribute little (1 / ln d) and
# a lot of work (d² pairs). The best-connected actors are left out as common partners, most
# partners first, until the partner-of-partner paths to add up fit in
# max(SHARED_PARTNERS_MIN_WORK, SHARED_PARTNERS_WORK_PER_TIE_END × 2 × ties). On sparse
# networks (random, about five ties each) nobody is left out and the scores are exact; in a
# network with a few hubs (a municipal office tied to hundreds), the hubs are left out.
SHARED_PARTNERS_WORK_PER_TIE_END = 16
SHARED_PARTNERS_MIN_WORK = 5_000_000
# Sparse product rows are computed in chunks of about this many partner-of-partner paths.
CHUNK_WORK = 8_000_000

# Complementary pairs: territory and theme groups up to this size are searched pair by pair;
# in larger groups each actor is compared at random with this many others of other sectors
# of the same territory and theme, and this many of the same territory or theme only.
GROUP_EXACT_LIMIT = 20
GROUP_SAMPLE_BOTH = 6
GROUP_SAMPLE_ONE = 3

# Redundancy: at most this many critical brokers, those whose loss cuts off the most actors.
MAX_BROKERS = 100


@dataclass(frozen=True, slots=True)
class Suggestion:
    a: int  # vertex indices, a < b
    b: int
    kind: str  # one of KINDS
    score: float  # larger first, comparable within a kind
    # Why, as codes with parameters; actors are named by vertex index under "via" (a list)
    # or "broker" (one), and the caller turns them into ids and sentences.
    reasons: tuple[dict[str, object], ...]


def suggest_introductions(
    graph: GraphInput,
    result: AnalysisResult,
    *,
    per_actor: int = 5,
    exclude: Collection[tuple[int, int]] = (),
    seed: int = 0,
    kinds: Collection[str] = KINDS,
    max_brokers: int = MAX_BROKERS,
    hub_degree: int | None = None,
) -> list[Suggestion]:
    """Suggestions for every actor (at most `per_actor` each) and for the whole network.

    `exclude` holds vertex pairs (a < b) never to suggest again (dismissed or decided).

    For each of the per-actor kinds (shared partners, complementary, bring in) every actor
    keeps its `per_actor` best pairs of that kind; a pair chosen by either of its actors is
    suggested once (so an actor chosen by many others appears more often). Redundancy
    suggestions are for the network as a whole: at most `max_brokers`. `kinds` limits the
    work to some of `KINDS`. `hub_degree` overrides the partner count above which a common
    partner is not counted by the shared-partners score (by default it follows from the
    network's size, see `SHARED_PARTNERS_WORK_PER_TIE_END`). The list comes sorted by kind in
    `MERGE_ORDER`, then by score (largest first), then by pair.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of suggestion: {sorted(unknown)}")
    net = _Network.build(graph, exclude)
    picks: list[_Picks] = []
    if net.n >= 2:
        if "redundancy" in kinds:
            picks.append(_redundancy(net, max_brokers))
        if per_actor > 0:
            context = _Context.build(graph)
            if "bring_in" in kinds:
                picks.append(_bring_in(net, context, result, per_actor))
            if "shared_partners" in kinds:
                picks.append(_shared_partners(net, per_actor, hub_degree))
            if "complementary" in kinds:
                picks.append(_complementary(net, context, result, per_actor, seed))
    return _merge(net, [p for p in picks if len(p.a)])


# --- The network ---------------------------------------------------------------------------


@dataclass
class _Network:
    """The undirected simple network of `analysis.simple_ties`: a symmetric CSR matrix of tie
    weights, plus the sorted pair keys (row × n + column) of ties and exclusions."""

    n: int
    weights: sparse.csr_array
    degree: np.ndarray
    tie_keys: np.ndarray  # sorted, both directions
    excluded: np.ndarray  # sorted keys a × n + b, a < b
    # Each tie once (a < b), sorted: the order of the igraph graph's edge ids.
    edges: tuple[np.ndarray, np.ndarray]

    @classmethod
    def build(cls, graph: GraphInput, exclude: Collection[tuple[int, int]]) -> _Network:
        n = graph.size
        lo, hi, w = simple_ties(graph)
        weights = sparse.csr_array(
            (np.concatenate([w, w]), (np.concatenate([lo, hi]), np.concatenate([hi, lo]))),
            shape=(n, n),
        )
        weights.sum_duplicates()
        weights.sort_indices()
        degree = np.diff(weights.indptr).astype(np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), degree)
        tie_keys = rows * n + weights.indices.astype(np.int64)
        pairs = np.array([(int(x), int(y)) for x, y in exclude], dtype=np.int64).reshape(-1, 2)
        pairs = pairs[(pairs >= 0).all(axis=1) & (pairs < n).all(axis=1)]
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        excluded = np.unique(pairs.min(axis=1) * n + pairs.max(axis=1))
        return cls(
            n=n,
            weights=weights,
            degree=degree,
            tie_keys=tie_keys,
            excluded=excluded,
            edges=(lo, hi),
        )

    @cached_property
    def _ints(self) -> list[int]:
        return list(range(self.n))

    def python_ints(self, vertices: np.ndarray) -> list[int]:
        """Vertex indices as Python ints shared by every suggestion that names them (millions
        of suggestions would otherwise hold millions of copies)."""
        return list(map(self._ints.__getitem__, vertices.tolist()))

    @property
    def ties(self) -> int:
        return len(self.tie_keys) // 2

    def binary(self) -> sparse.csr_array:
        ones = sparse.csr_array(self.weights, copy=True)
        ones.data = np.ones_like(ones.data)
        return ones

    def allowed(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Mask of the pairs (a ≠ b) that have no tie and are not excluded."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = lo * self.n + hi
        return (lo != hi) & ~_contains(self.tie_keys, key) & ~_contains(self.excluded, key)

    @cached_property
    def igraph(self) -> ig.Graph:
        return ig.Graph(n=self.n, edges=np.column_stack(self.edges).tolist())

    @cached_property
    def components(self) -> np.ndarray:
        if not self.ties:
            return np.arange(self.n, dtype=np.int64)
        # Numbered in the order of their first vertex.
        _, labels = csgraph.connected_components(self.weights, directed=False)
        return labels.astype(np.int64)

    def common_partners(
        self, a: np.ndarray, b: np.ndarray, *, limit: int = 3
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each pair, how many partners they share and up to `limit` of them (padded
        with -1), strongest first: the largest sum of both ties' weights, then the fewest
        partners, then the smaller index."""
        count = np.zeros(len(a), dtype=np.int64)
        via = np.full((len(a), limit), -1, dtype=np.int64)
        work = np.cumsum(self.degree[a] + self.degree[b])
        start = 0
        while start < len(a):
            base = work[start - 1] if start else 0
            stop = max(int(np.searchsorted(work, base + CHUNK_WORK, side="right")), start + 1)
            # Both actors' ties, row by row; kept where both have a tie to the same partner.
            left, right = self.weights[a[start:stop]], self.weights[b[start:stop]]
            both = left.multiply(right).tocsr()
            both.data = np.ones_like(both.data)
            both.eliminate_zeros()
            strength = (left.multiply(both) + right.multiply(both)).tocsr()
            strength.sort_indices()
            sizes = np.diff(strength.indptr)
            pair = np.repeat(np.arange(start, stop, dtype=np.int64), sizes)
            partner = strength.indices.astype(np.int64)
            count[start:stop] = sizes
            order = np.lexsort((partner, self.degree[partner], -strength.data, pair))
            pair, partner = pair[order], partner[order]
            rank = _rank_in_groups(pair)
            keep = rank < limit
            via[pair[keep], rank[keep]] = partner[keep]
            start = stop
        return count, via


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    loc = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[loc] == keys


def _quantized(scores: np.ndarray, decimals: int = SCORE_DECIMALS) -> np.ndarray:
    return np.rint(np.asarray(scores, dtype=np.float64) * 10.0**decimals).astype(np.int64)


def _rank_in_groups(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of an array sorted by group."""
    if not len(sorted_groups):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, len(sorted_groups)])
    return np.arange(len(sorted_groups), dtype=np.int64) - np.repeat(starts, lengths)


def _top_per_row(
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    k: int,
    *,
    decimals: int = SCORE_DECIMALS,
) -> np.ndarray:
    """Positions of each row's `k` best entries: largest score, then smallest column.
    (Scores known to be exact with fewer `decimals` make the sort cheaper.)"""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    quantized = _quantized(scores, decimals)
    worse = quantized.max() - quantized
    row_bits, col_bits = _bits(rows), _bits(cols)
    worse_bits = _bits(worse)
    if row_bits + worse_bits + col_bits <= 63:
        # One sort on the packed key (row, score, column).
        order = np.argsort((rows << (worse_bits + col_bits)) | (worse << col_bits) | cols)
    elif row_bits + col_bits <= 63 and row_bits + worse_bits <= 63:
        # By (row, column) unless already so (a canonical sparse matrix), then stably by
        # (row, score).
        by_column = (rows << col_bits) | cols
        if np.all(by_column[1:] > by_column[:-1]):
            order = np.arange(len(rows))
        else:
            order = np.argsort(by_column)
        packed = (rows[order] << worse_bits) | worse[order]
        order = order[np.argsort(packed, kind="stable")]
    else:
        order = np.lexsort((cols, worse, rows))
    return order[_rank_in_groups(rows[order]) < k]


def _bits(values: np.ndarray) -> int:
    """Bits needed by the largest of non-negative integers."""
    return int(values.max()).bit_length() if len(values) else 0


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique, faster on large integer arrays)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


# --- Picks of one kind, and their merge ----------------------------------------------------


@dataclass
class _Picks:
    kind: str
    a: np.ndarray  # a < b
    b: np.ndarray
    score: np.ndarray
    reasons: Callable[[], list[dict[str, object]]]  # one per pick, built when merging


def _empty(kind: str) -> _Picks:
    none = np.zeros(0, dtype=np.int64)
    return _Picks(kind, none, none, np.zeros(0), list)


def _unique_pairs(
    a: np.ndarray, b: np.ndarray, score: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair once, with its best score (the first given among equals): lo, hi,
    score, and the positions chosen."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * n + hi
    order = np.argsort(key, kind="stable")
    key, quantized = key[order], _quantized(score)[order]
    if not len(key):
        return lo, hi, score, order
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1
    best = np.maximum.reduceat(quantized, starts)
    candidates = np.flatnonzero(quantized == best[group])
    first = candidates[np.r_[True, group[candidates][1:] != group[candidates][:-1]]]
    chosen = order[first]
    return lo[chosen], hi[chosen], score[chosen], chosen


def _merge(net: _Network, picks: Sequence[_Picks]) -> list[Suggestion]:
    if not picks:
        return []
    n = net.n
    rank = {kind: i for i, kind in enumerate(MERGE_ORDER)}
    keys = np.concatenate([p.a * n + p.b for p in picks])
    source = np.concatenate([np.full(len(p.a), i) for i, p in enumerate(picks)])
    kind_rank = np.array([rank[p.kind] for p in picks])[source]
    scores = np.concatenate([p.score for p in picks])
    # Group the picks of one pair, the first kind in MERGE_ORDER first.
    order = np.lexsort((kind_rank, keys))
    head = np.r_[True, keys[order][1:] != keys[order][:-1]]
    starts = np.flatnonzero(head)
    sizes = np.diff(np.r_[starts, len(order)])
    heads = order[starts]
    # Present the suggestions by kind, then score, then pair.
    presented = np.lexsort((keys[heads], -_quantized(scores[heads]), kind_rank[heads]))
    heads, starts, sizes = heads[presented], starts[presented], sizes[presented]
    kinds = [p.kind for p in picks]
    # Building millions of small objects: the cyclic garbage collector would rescan them
    # over and over (none of them form cycles).
    collecting = gc.isenabled()
    gc.disable()
    try:
        reasons = [r for p in picks for r in p.reasons()]
        merged: list[tuple[dict[str, object], ...]] = [(reasons[h],) for h in heads.tolist()]
        for i in np.flatnonzero(sizes > 1).tolist():
            group = order[starts[i] : starts[i] + sizes[i]].tolist()
            merged[i] = tuple(reasons[p] for p in group)
        head_keys = keys[heads]
        return [
            _suggestion(a, b, kinds[k], score, why)
            for a, b, k, score, why in zip(
                net.python_ints(head_keys // n),
                net.python_ints(head_keys % n),
                source[heads].tolist(),
                scores[heads].tolist(),
                merged,
                strict=True,
            )
        ]
    finally:
        if collecting:
            gc.enable()


# A frozen dataclass's generated __init__ sets each field through object.__setattr__, which
# dominates building millions of them; the slots' own descriptors make the same object twice
# as fast.
_new_object = object.__new__
_set_fields = tuple(getattr(Suggestion, f).__set__ for f in ("a", "b", "kind", "score", "reasons"))


def _suggestion(
    a: int, b: int, kind: str, score: float, reasons: tuple[dict[str, object], ...]
) -> Suggestion:
    suggestion = _new_object(Suggestion)
    set_a, set_b, set_kind, set_score, set_reasons = _set_fields
    set_a(suggestion, a)
    set_b(suggestion, b)
    set_kind(suggestion, kind)
    set_score(suggestion, score)
    set_reasons(suggestion, reasons)
    return suggestion


# --- Shared partners (Adamic–Adar) ---------------------------------------------------------


def _hub_limit(degree: np.ndarray, ties: int, hub_degree: int | None) -> int:
    """Common partners with more partners than this are not counted."""
    if hub_degree is not None:
        return hub_degree
    budget = max(SHARED_PARTNERS_MIN_WORK, SHARED_PARTNERS_WORK_PER_TIE_END * 2 * ties)
    values, counts = np.unique(degree, return_counts=True)
    work = np.cumsum(counts * values.astype(np.float64) ** 2)
    fits = values[work <= budget]
    if len(fits) == len(values):
        return int(values[-1]) if len(values) else 0
    return int(fits[-1]) if len(fits) else 1


def _shared_partners(net: _Network, per_actor: int, hub_degree: int | None) -> _Picks:
    n, degree = net.n, net.degree
    limit = _hub_limit(degree, net.ties, hub_degree)
    counted = (degree >= 2) & (degree <= limit)
    if not counted.any():
        return _empty("shared_partners")
    inverse_log = np.zeros(n)
    inverse_log[counted] = 1.0 / np.log(degree[counted])
    ones = net.binary()
    scaled = sparse.csr_array(ones, copy=True)
    scaled.data = inverse_log[scaled.indices]
    scaled.eliminate_zeros()
    # Not to be suggested: a tie, an exclusion or oneself (added per chunk).
    mask = ones
    if len(net.excluded):
        lo, hi = net.excluded // n, net.excluded % n
        excluded = sparse.csr_array(
            (np.ones(2 * len(lo)), (np.r_[lo, hi], np.r_[hi, lo])), shape=(n, n)
        )
        mask = (ones + excluded).tocsr()
        mask.data = np.ones_like(mask.data)
    # Partner-of-partner paths per row, to cut the rows into chunks of similar work.
    paths = np.cumsum(
        sparse.csr_array((np.ones_like(scaled.data), scaled.indices, scaled.indptr), (n, n))
        @ degree.astype(np.float64)
    )
    rows_out, cols_out, scores_out = [], [], []
    start = 0
    while start < n:
        base = paths[start - 1] if start else 0.0
        stop = max(int(np.searchsorted(paths, base + CHUNK_WORK, side="right")), start + 1)
        stop = min(stop, n)
        size = stop - start
        product = (scaled[start:stop] @ ones).tocsr()
        itself = sparse.csr_array(
            (np.ones(size), (np.arange(size), np.arange(start, stop))), shape=(size, n)
        )
        blocked = (mask[start:stop] + itself).tocsr()
        blocked.data = np.ones_like(blocked.data)
        product = (product - product.multiply(blocked)).tocsr()
        product.eliminate_zeros()
        product.sort_indices()
        rows = np.repeat(np.arange(start, stop, dtype=np.int64), np.diff(product.indptr))
        cols = product.indices.astype(np.int64)
        keep = _top_per_row(rows, cols, product.data, per_actor)
        rows_out.append(rows[keep])
        cols_out.append(cols[keep])
        scores_out.append(product.data[keep])
        start = stop
    a, b, score, _ = _unique_pairs(
        np.concatenate(rows_out), np.concatenate(cols_out), np.concatenate(scores_out), n
    )
    count, via = net.common_partners(a, b)

    def reasons() -> list[dict[str, object]]:
        shown = np.minimum(count, via.shape[1])
        partners = net.python_ints(via[via >= 0])
        ends = np.cumsum(shown).tolist()
        return [
            {"code": "shared_partners", "count": c, "via": partners[end - k : end]}
            for c, k, end in zip(count.tolist(), shown.tolist(), ends, strict=True)
        ]

    return _Picks("shared_partners", a, b, score, reasons)


# --- Complementary pairs -------------------------------------------------------------------


@dataclass
class _Context:
    """Sectors, territories and themes as integer codes (-1: unknown)."""

    sector: np.ndarray
    sector_names: list[str]
    territory: np.ndarray
    theme_bits: np.ndarray  # vertex × words: theme j is bit j % 64 of word j // 64
    theme_rows: np.ndarray  # (vertex, theme code) of every theme of every actor
    theme_cols: np.ndarray
    theme_count: int
    theme_sets: list[frozenset[Any]]

    @classmethod
    def build(cls, graph: GraphInput) -> _Context:
        n = graph.size
        sector_names: list[str] = []
        sector = np.full(n, -1, dtype=np.int64)
        if graph.sectors is not None:
            sector_names = sorted({s for s in graph.sectors if s})
            code = {s: i for i, s in enumerate(sector_names)}
            sector = np.array([code.get(s, -1) if s else -1 for s in graph.sectors], np.int64)
        territory = np.full(n, -1, dtype=np.int64)
        if graph.territories is not None:
            places = sorted({t for t in graph.territories if t is not None})
            where = {t: i for i, t in enumerate(places)}
            territory = np.array(
                [where[t] if t is not None else -1 for t in graph.territories], np.int64
            )
        theme_sets = [frozenset(t) for t in graph.themes] if graph.themes is not None else []
        column = {t: j for j, t in enumerate(sorted({t for ts in theme_sets for t in ts}))}
        lengths = np.array([len(ts) for ts in theme_sets], dtype=np.int64)
        rows = np.repeat(np.arange(len(theme_sets), dtype=np.int64), lengths)
        cols = np.fromiter(
            (column[t] for ts in theme_sets for t in ts), dtype=np.int64, count=len(rows)
        )
        bits = np.zeros((n, max(1, -(-len(column) // 64))), dtype=np.uint64)
        np.bitwise_or.at(bits, (rows, cols // 64), np.uint64(1) << (cols % 64).astype(np.uint64))
        return cls(sector, sector_names, territory, bits, rows, cols, len(column), theme_sets)

    def shared_theme_counts(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """How many themes each pair shares."""
        count = np.zeros(len(a), dtype=np.int64)
        if self.theme_count:
            for word in range(self.theme_bits.shape[1]):
                column = self.theme_bits[:, word]
                count += np.bitwise_count(column[a] & column[b])
        return count

    def shared_themes(self, a: int, b: int) -> list[Any]:
        if not self.theme_sets:
            return []
        return sorted(self.theme_sets[a] & self.theme_sets[b])

    def groups(
        self, members: np.ndarray, *, combined: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The actors of `members` (a mask) grouped per territory, per theme, and (when
        `combined`) per territory and theme: flat arrays of (vertex, group label, whether the
        group is a combined one), one row per actor in a group."""
        vertices = np.flatnonzero(members & (self.territory >= 0))
        parts = [(vertices, self.territory[vertices], np.zeros(len(vertices), dtype=bool))]
        offset = int(self.territory.max()) + 1 if len(self.territory) else 0
        keep = members[self.theme_rows]
        v, t = self.theme_rows[keep], self.theme_cols[keep]
        parts.append((v, offset + t, np.zeros(len(v), dtype=bool)))
        if combined:
            placed = self.territory[v] >= 0
            v, t = v[placed], t[placed]
            label = offset + self.theme_count + self.territory[v] * self.theme_count + t
            parts.append((v, label, np.ones(len(v), dtype=bool)))
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )


def _group_layout(
    vertices: np.ndarray, labels: np.ndarray, within: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort the rows by (group, `within`, vertex); return the order, each row's group start
    and size, and where its run of equal `within` starts (in the group) and how long it is."""
    order = np.lexsort((vertices, within, labels))
    labels, within = labels[order], within[order]
    new_group = np.r_[True, labels[1:] != labels[:-1]] if len(labels) else np.zeros(0, bool)
    new_run = new_group | np.r_[True, within[1:] != within[:-1]] if len(labels) else new_group
    group_start = np.flatnonzero(new_group)
    group_size = np.diff(np.r_[group_start, len(labels)])
    run_start = np.flatnonzero(new_run)
    run_size = np.diff(np.r_[run_start, len(labels)])
    group = np.cumsum(new_group) - 1
    run = np.cumsum(new_run) - 1
    starts = group_start[group]
    return order, starts, group_size[group], run_start[run] - starts, run_size[run]


def _group_candidates(
    vertices: np.ndarray,
    labels: np.ndarray,
    both: np.ndarray,
    sector: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of different sectors in a group: all of them in groups up to GROUP_EXACT_LIMIT,
    else for each actor a random sample of others of other sectors (GROUP_SAMPLE_BOTH in a
    territory-and-theme group, GROUP_SAMPLE_ONE in a territory or theme group)."""
    order, start, size, own_start, own_size = _group_layout(vertices, labels, sector[vertices])
    vertices, both = vertices[order], both[order]
    others = size - own_size  # actors of other sectors in the group
    exact = np.flatnonzero((size <= GROUP_EXACT_LIMIT) & (others > 0))
    # Small groups: every member against every other of another sector.
    a = np.repeat(exact, size[exact])
    b = start[a] + _offsets(size[exact])
    other = sector[vertices[a]] != sector[vertices[b]]
    a, b = a[other], b[other]
    # Large groups: a sample; a draw below the own sector's run is kept, others skip it.
    sampled = np.flatnonzero((size > GROUP_EXACT_LIMIT) & (others > 0))
    draws = np.where(both[sampled], GROUP_SAMPLE_BOTH, GROUP_SAMPLE_ONE)
    c = np.repeat(sampled, draws)
    pick = (rng.random(len(c)) * others[c]).astype(np.int64)
    pick = np.where(pick >= own_start[c], pick + own_size[c], pick)
    d = start[c] + pick
    return vertices[np.r_[a, c]], vertices[np.r_[b, d]]


def _offsets(sizes: np.ndarray) -> np.ndarray:
    """0..size-1 for each size, concatenated."""
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _complementary(
    net: _Network, ctx: _Context, result: AnalysisResult, per_actor: int, seed: int
) -> _Picks:
    if len(ctx.sector_names) < 2:
        return _empty("complementary")
    n = net.n
    vertices, labels, both = ctx.groups(ctx.sector >= 0, combined=True)
    a, b = _group_candidates(vertices, labels, both, ctx.sector, np.random.default_rng(seed))
    key = _distinct(np.minimum(a, b) * n + np.maximum(a, b))
    a, b = key // n, key % n
    keep = net.allowed(a, b)
    a, b = a[keep], b[keep]
    if not len(a):
        return _empty("complementary")
    shared = ctx.shared_theme_counts(a, b)
    same_territory = (ctx.territory[a] == ctx.territory[b]) & (ctx.territory[a] >= 0)
    score = (shared + same_territory).astype(np.float64) * _novelty(net, result, a, b)
    # Each actor's best pairs, then each pair once.
    rows, cols = np.r_[a, b], np.r_[b, a]
    # Scores are multiples of 1/4: two decimals rank them exactly.
    chosen = _top_per_row(rows, cols, np.r_[score, score], per_actor, decimals=2)
    a, b, score, first = _unique_pairs(rows[chosen], cols[chosen], np.r_[score, score][chosen], n)
    same = np.r_[same_territory, same_territory][chosen][first]

    def reasons() -> list[dict[str, object]]:
        names = np.array(ctx.sector_names, dtype=object)
        return [
            {
                "code": "complementary",
                "sectors": [sa, sb],
                "themes": ctx.shared_themes(x, y),
                "same_territory": st,
            }
            for x, y, sa, sb, st in zip(
                a.tolist(),
                b.tolist(),
                names[ctx.sector[a]].tolist(),
                names[ctx.sector[b]].tolist(),
                same.tolist(),
                strict=True,
            )
        ]

    return _Picks("complementary", a, b, score, reasons)


def _novelty(net: _Network, result: AnalysisResult, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far apart a pair is: 1 in different components (or unconnected), 0.75 in the same
    component but different communities, 0.5 in the same community."""
    component = net.components
    novelty = np.where(component[a] != component[b], 1.0, 0.5)
    community = np.asarray(result.actors.community)
    near = novelty < 1
    novelty[near] += 0.25 * (community[a[near]] != community[b[near]])
    return novelty


# --- Bring in isolated and peripheral actors -----------------------------------------------


def _bring_in(net: _Network, ctx: _Context, result: AnalysisResult, per_actor: int) -> _Picks:
    n, degree = net.n, net.degree
    isolated = degree == 0
    targets = isolated | np.asarray(result.actors.is_peripheral, dtype=bool)
    if not targets.any():
        return _empty("bring_in")
    # Who could bring them in: the largest component (when there are ties), its best-connected
    # actors first: partners and bridge role, each relative to the network's largest.
    component = net.components
    sizes = np.bincount(component)
    pool = component == np.argmax(sizes) if sizes.max() >= 2 else np.ones(n, dtype=bool)
    betweenness = np.nan_to_num(np.asarray(result.actors.betweenness, dtype=np.float64))
    prominence = degree / max(int(degree.max()), 1)
    if betweenness.max() > 0:
        prominence = prominence + betweenness / betweenness.max()
    # Per group (territory, theme) and sector, its most prominent actors of the pool.
    keep = 2 * per_actor + 2
    vertices, labels, _ = ctx.groups(pool | targets, combined=False)
    in_pool = pool[vertices]
    order = np.lexsort(
        (
            vertices[in_pool],
            -_quantized(prominence[vertices[in_pool]]),
            ctx.sector[vertices[in_pool]],
            labels[in_pool],
        )
    )
    best, best_label = vertices[in_pool][order], labels[in_pool][order]
    rank = _rank_in_groups(best_label * (len(ctx.sector_names) + 1) + ctx.sector[best] + 1)
    best, best_label = best[rank < keep], best_label[rank < keep]
    # Every target against its groups' best.
    t, t_label = vertices[targets[vertices]], labels[targets[vertices]]
    low = np.searchsorted(best_label, t_label, side="left")
    count = np.searchsorted(best_label, t_label, side="right") - low
    c = best[np.repeat(low, count) + _offsets(count)]
    t = np.repeat(t, count)
    # An isolated actor who shares nothing with the pool: the best-connected actors, when
    # there are ties at all.
    alone = isolated & ~np.isin(np.arange(n), t)
    if alone.any() and degree.max() > 0:
        pooled = np.flatnonzero(pool)
        order = np.lexsort((pooled, -_quantized(prominence[pooled]), ctx.sector[pooled]))
        pooled = pooled[order]
        top = pooled[_rank_in_groups(ctx.sector[pooled]) < keep]
        lonely = np.flatnonzero(alone)
        t = np.r_[t, np.repeat(lonely, len(top))]
        c = np.r_[c, np.tile(top, len(lonely))]
    if not len(t):
        return _empty("bring_in")
    key = _distinct(t * n + c)
    t, c = key // n, key % n
    allowed = net.allowed(t, c)
    t, c = t[allowed], c[allowed]
    if not len(t):
        return _empty("bring_in")
    same_territory = (ctx.territory[t] == ctx.territory[c]) & (ctx.territory[t] >= 0)
    theme_count = ctx.shared_theme_counts(t, c)
    known = (ctx.sector[t] >= 0) & (ctx.sector[c] >= 0)
    other_sector = known & (ctx.sector[t] != ctx.sector[c])
    score = (
        (0.1 + prominence[c])
        * np.where(other_sector, 1.5, 1.0)
        * np.where(same_territory & (theme_count > 0), 1.25, 1.0)
        * np.where(isolated[t], 1.0, 0.5)
    )
    chosen = _top_per_row(t, c, score, per_actor)
    t, c, score = t[chosen], c[chosen], score[chosen]
    same_territory, theme_count = same_territory[chosen], theme_count[chosen]
    a, b, score, first = _unique_pairs(t, c, score, n)
    t, c = t[first], c[first]
    # What the pair has in common: the territory first, else a theme (else nothing).
    shared: list[str | None] = [
        "territory" if place else "theme" if theme else None
        for place, theme in zip(
            same_territory[first].tolist(), (theme_count[first] > 0).tolist(), strict=True
        )
    ]

    def reasons() -> list[dict[str, object]]:
        return [
            {
                "code": "bring_in",
                "isolated": alone,
                "shared": why,
                "themes": ctx.shared_themes(target, broker),
                "broker": broker,
            }
            for target, broker, alone, why in zip(
                t.tolist(), net.python_ints(c), isolated[t].tolist(), shared, strict=True
            )
        ]

    return _Picks("bring_in", a, b, score, reasons)


# --- Redundancy for critical brokers -------------------------------------------------------


def _redundancy(net: _Network, max_brokers: int) -> _Picks:
    """The block-cut forest gives, for every articulation point, the sizes of the pieces its
    loss would leave: vertices 0..n-1 and blocks n..n+B-1, a block linked to its vertices,
    rooted at a virtual vertex linked to one vertex of every component; a piece is the
    subtree of one of the articulation point's blocks (or the rest of its component)."""
    n = net.n
    if not net.ties or max_brokers <= 0:
        return _empty("redundancy")
    # Blocks as lists of edge ids (igraph's own vertex sets are built much more slowly).
    edge_blocks = ig.GraphBase.biconnected_components(net.igraph, False)
    lengths = np.array([len(b) for b in edge_blocks], dtype=np.int64)
    edge_ids = np.fromiter(
        itertools.chain.from_iterable(edge_blocks), dtype=np.int64, count=int(lengths.sum())
    )
    block_of_edge = np.repeat(np.arange(len(edge_blocks), dtype=np.int64), lengths)
    head, tail = net.edges
    keys = _distinct(np.r_[block_of_edge * n + head[edge_ids], block_of_edge * n + tail[edge_ids]])
    block_of, members = keys // n, keys % n
    block_count = len(edge_blocks)
    if not (np.bincount(members, minlength=n) >= 2).any():
        return _empty("redundancy")
    component = net.components
    comp_size = np.bincount(component)
    root = n + block_count
    _, representatives = np.unique(component[members], return_index=True)
    representatives = members[representatives]
    tree = ig.Graph(
        n=root + 1,
        edges=np.r_[
            np.column_stack([members, n + block_of]),
            np.column_stack([np.full(len(representatives), root), representatives]),
        ].tolist(),
    )
    order, _, parent = tree.bfs(root)
    # Actors below each node of the tree, leaves first.
    subtree = [1] * n + [0] * (block_count + 1)
    for node in reversed(order[1:]):
        subtree[parent[node]] += subtree[node]
    parent_arr = np.asarray(parent, dtype=np.int64)
    sub = np.asarray(subtree, dtype=np.int64)
    # Pieces: each child block's subtree, and the rest of the component above the vertex.
    biggest = np.zeros(n, dtype=np.int64)
    block_nodes = np.arange(n, n + block_count)
    np.maximum.at(biggest, parent_arr[block_nodes], sub[block_nodes])
    vertex = np.arange(n)
    above = np.where(parent_arr[vertex] == root, 0, comp_size[component] - sub[vertex])
    biggest = np.maximum(biggest, above)
    pieces = np.bincount(members, minlength=n)  # blocks per vertex: ≥ 2 for a broker
    cut_off = np.where(pieces >= 2, comp_size[component] - 1 - biggest, 0)
    brokers = np.flatnonzero(cut_off > 0)
    brokers = brokers[np.lexsort((brokers, -cut_off[brokers]))][:max_brokers]
    indptr, indices, degree = net.weights.indptr, net.weights.indices, net.degree
    a_out, b_out, score_out, reasons = [], [], [], []
    for v in brokers.tolist():
        partners = indices[indptr[v] : indptr[v + 1]].astype(np.int64)
        block = parent_arr[partners]
        below = parent_arr[block] == v
        piece = np.where(below, block, -1)
        size = np.where(below, sub[block], comp_size[component[v]] - sub[v])
        labels, first = np.unique(piece, return_index=True)
        sizes = size[first]
        ranked = np.lexsort((labels, -sizes))[:2]
        if len(ranked) < 2:
            continue
        sides = []
        for r in ranked:
            side = partners[piece == labels[r]]
            sides.append(side[np.lexsort((side, -degree[side]))])
        pair = _first_allowed(net, sides[0], sides[1])
        if pair is None:
            continue
        x, y = min(pair), max(pair)
        a_out.append(x)
        b_out.append(y)
        score_out.append(float(cut_off[v]))
        reasons.append(
            {
                "code": "redundancy",
                "broker": v,
                "sizes": [int(sizes[ranked[0]]), int(sizes[ranked[1]])],
            }
        )
    if not a_out:
        return _empty("redundancy")
    a, b, score, first = _unique_pairs(
        np.array(a_out, np.int64), np.array(b_out, np.int64), np.array(score_out), n
    )
    return _Picks("redundancy", a, b, score, lambda: [reasons[i] for i in first.tolist()])


def _first_allowed(net: _Network, left: np.ndarray, right: np.ndarray) -> tuple[int, int] | None:
    """The best pair not excluded among the ten best-connected partners of each side (in
    different pieces they never have a tie): by their worse rank, then their rank sum."""
    left, right = left[:10], right[:10]
    rank_i, rank_j = np.meshgrid(np.arange(len(left)), np.arange(len(right)), indexing="ij")
    i, j = rank_i.ravel(), rank_j.ravel()
    order = np.lexsort((i, i + j, np.maximum(i, j)))
    x, y = left[i[order]], right[j[order]]
    ok = np.flatnonzero(net.allowed(x, y))
    return (int(x[ok[0]]), int(y[ok[0]])) if len(ok) else None


__all__ = ["KINDS", "MERGE_ORDER", "Suggestion", "suggest_introductions"]
