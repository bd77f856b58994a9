"""Social-capital indicators of a network, computed with igraph. Pure: no Django here.

The caller builds a `GraphInput` (vertex i is `node_ids[i]`) and gets arrays indexed the same
way. Parallel ties between one pair (several types, or both directions) collapse into one
undirected edge whose weight is the largest; self-ties are ignored. Directed ties are kept apart
(as a simple directed graph) for the brokerage roles of Gould and Fernandez.

Definitions, where a choice had to be made:

- **Two-step reach**: the actors within two steps (partners and partners' partners), without
  the actor itself, as a share of the other `n - 1` actors (0 when alone).
- **Betweenness** is topological (weights ignored) and normalized as networkx does for
  undirected graphs: divided by `(n - 1)(n - 2) / 2`. Exact up to `exact_betweenness_limit`
  actors, estimated from a uniform sample of sources above (see `_sampled_betweenness`): the
  sources run in batches, and the result reports a uniform error bound
  (`AnalysisResult.betweenness_error`) and, from the spread of the batch estimates, the
  typical relative error of the leading brokers (`AnalysisResult.betweenness_top_error`).
- **Effective size** is Borgatti's unweighted form `d - 2t/d` (`d` partners, `t` ties among
  them), equal to networkx's `effective_size` without weights; NaN for isolated actors.
- **Constraint** is Burt's, weighted by tie strength (networkx `constraint(G, weight=...)`);
  NaN for isolated actors.
- **Bonding, bridging, linking**: every partner `u` of `v` (one per pair, whatever the number of
  tie types) is counted once. The tie is *linking* for `v` when `u` is a linking actor (a public
  body or a funder, `GraphInput.linking`) and `v` is not. Otherwise it is *bridging* when it
  crosses a known boundary (both sectors known and different, or both territories known and
  different) and *bonding* when it does not (same sector and same territory where known). The
  three are shares of `v`'s partners and add up to 1; NaN without partners.
- **Brokerage** (Gould and Fernandez 1989), on directed ties, groups given by sector (actors
  with an unknown sector form one group): for each two-path `a → b → c` with `a ≠ c` and no
  tie `a → c`, the middle actor `b` is a *coordinator* (a, b, c in one group), *gatekeeper*
  (a differs, b and c share a group), *representative* (a and b share a group, c differs),
  *consultant* (a and c share a group, b differs) or *liaison* (all three differ).
- **Peripheral**: has ties, coreness at most 1 (hangs on the network by a single thread).
  **Critical**: an articulation point (its loss splits a component). **Bridges**: ties whose
  loss splits a component.
- **Communities**: Leiden with the modularity objective on the tie weights, seeded (the same
  input and seed give the same partition), iterated until stable up to 20,000 actors and once
  above (the first iteration does nearly all of the work), numbered by decreasing size.
  `NetworkIndicators.communities` counts communities with at least two actors.
- **Average distance**: between the pairs of the largest component, derived from the
  betweenness sums (exact when the betweenness is exact, from its sampled sources otherwise,
  then flagged `average_distance_sampled`). **Clustering** is the global transitivity (0
  without any two-step path). **Sector assortativity** is Newman's nominal coefficient over
  ties whose ends have a known sector; None when undefined (one sector only).
- The network's **stage** follows `_stage` (documented there).
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
from scipy.stats import t as student_t

# Above this many actors the bridge role (betweenness) is estimated from a sample of sources.
EXACT_BETWEENNESS_LIMIT = 20_000
# The confidence of the stated betweenness error bound is 1 - BETWEENNESS_DELTA.
BETWEENNESS_DELTA = 0.05
# Above the limit, betweenness samples BETWEENNESS_BUDGET / (actors + ties) sources, at least
# MIN_BETWEENNESS_SAMPLES.
BETWEENNESS_BUDGET = 40_000_000
MIN_BETWEENNESS_SAMPLES = 32
# The sampled sources are split into this many batches: the spread of the batch estimates
# gives each actor's confidence interval (batch means).
BETWEENNESS_BATCHES = 8
# How many of the highest estimates the typical relative error is taken over.
BROKER_SAMPLE = 10
# Leiden iterates until stable up to this many actors, and runs LEIDEN_ITERATIONS above.
LEIDEN_STABLE_LIMIT = 20_000
LEIDEN_ITERATIONS = 1
# The sub-networks (`network_indicators`) measure distances directly: from every actor of the
# largest component up to this many, from DISTANCE_SAMPLES sources above.
EXACT_DISTANCE_LIMIT = 5_000
DISTANCE_SAMPLES = 64

# The codes of the network stages, explained in words by the pages.
STAGES = ("fragmented", "single_hub", "multi_hub", "core_periphery")
BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
# The steps reported to `progress`, in order.
STEPS = ("loading", "partners", "bridges", "brokerage", "communities", "network", "done")

# Thresholds of the stage rules (see `_stage`).
FRAGMENTED_LARGEST_SHARE = 0.5
SINGLE_HUB_CENTRALIZATION = 0.5
CORE_MAX_SHARE = 0.35
CORE_MIN_DENSITY = 0.5
CORE_MIN_TIE_SHARE = 0.75

Progress = Callable[[int, str], None]  # (percent 0–100, step code)


@dataclass(frozen=True)
class GraphInput:
    node_ids: Sequence[int | str]
    sources: np.ndarray  # int vertex indices, one per tie
    targets: np.ndarray
    weights: np.ndarray | None = None  # per tie, larger is stronger (intensity + 1: 1–5)
    directed: np.ndarray | None = None  # per tie, bool: the tie has a direction
    sectors: Sequence[str] | None = None  # per vertex
    territories: Sequence[int | None] | None = None  # per vertex
    # Per vertex: public bodies and funders, the far end of a "linking" tie.
    linking: np.ndarray | None = None
    # Per vertex: theme ids, for the complementary-pair suggestions.
    themes: Sequence[frozenset[int]] | None = None

    @property
    def size(self) -> int:
        return len(self.node_ids)


@dataclass
class ActorIndicators:
    """Arrays indexed by vertex."""

    degree: np.ndarray
    strength: np.ndarray
    two_step_reach: np.ndarray  # share (0–1) of the other actors within two steps
    betweenness: np.ndarray  # normalized as networkx does (0–1)
    effective_size: np.ndarray
    constraint: np.ndarray  # NaN for isolated actors
    bonding: np.ndarray  # shares of the actor's ties (0–1), NaN without ties
    bridging: np.ndarray
    linking: np.ndarray
    brokerage: dict[str, np.ndarray]  # role → count, for the roles in BROKERAGE_ROLES
    community: np.ndarray  # Leiden (modularity) membership
    coreness: np.ndarray
    is_isolate: np.ndarray
    is_peripheral: np.ndarray
    is_critical: np.ndarray  # articulation points


@dataclass
class NetworkIndicators:
    size: int
    ties: int
    density: float
    components: int
    largest_component_share: float
    cross_sector_share: float | None
    clustering: float  # global transitivity
    average_distance: float | None
    average_distance_sampled: bool
    sector_assortativity: float | None
    communities: int
    modularity: float | None
    stage: str  # one of STAGES
    bridges: list[tuple[int, int]] = field(default_factory=list)  # vertex pairs

    def as_dict(self, node_ids: Sequence[int | str] | None = None) -> dict[str, object]:
        """JSON-ready values: plain floats and ints, NaN as None, bridges as lists of two.

        With `node_ids`, the bridges name their ends by id instead of vertex index.
        """
        data: dict[str, object] = {}
        for name in (
            "size",
            "ties",
            "density",
            "components",
            "largest_component_share",
            "cross_sector_share",
            "clustering",
            "average_distance",
            "average_distance_sampled",
            "sector_assortativity",
            "communities",
            "modularity",
            "stage",
        ):
            data[name] = _plain(getattr(self, name))
        if node_ids is None:
            data["bridges"] = [[int(a), int(b)] for a, b in self.bridges]
        else:
            data["bridges"] = [[_plain(node_ids[a]), _plain(node_ids[b])] for a, b in self.bridges]
        return data


@dataclass
class AnalysisResult:
    actors: ActorIndicators
    network: NetworkIndicators
    betweenness_sampled: bool
    betweenness_error: float | None  # bound on the absolute error of a normalized value
    betweenness_samples: int | None = None  # sources sampled, when sampled
    # When sampled: the typical relative error of the leading brokers' estimates, the median
    # over the `BROKER_SAMPLE` highest of the half-width of a 95% confidence interval.
    betweenness_top_error: float | None = None


def _plain(value: object) -> object:
    """A numpy or float value as a JSON-ready Python value (NaN and infinities as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- the graphs ------------------------------------------------------------------------


@dataclass
class _Prepared:
    """The simple undirected graph (edges sorted by (u, v), u < v) and the directed one."""

    n: int
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray  # the largest weight among the pair's ties
    graph: ig.Graph
    du: np.ndarray  # directed ties, simple, no self-ties
    dv: np.ndarray

    @property
    def m(self) -> int:
        return len(self.u)


def _unique_pairs(
    a: np.ndarray, b: np.ndarray, n: int, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (a, b) pairs sorted, with the largest weight of each."""
    key = a.astype(np.int64) * max(n, 1) + b.astype(np.int64)
    if w is None:
        uniq = np.unique(key)
        weights = np.ones(len(uniq), dtype=np.float64)
    elif len(key):
        order = np.argsort(key)
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        uniq = key[starts]
        weights = np.maximum.reduceat(w[order].astype(np.float64), starts)
    else:
        uniq, weights = key, np.zeros(0, dtype=np.float64)
    return uniq // max(n, 1), uniq % max(n, 1), weights


def _tie_ends(graph: GraphInput) -> tuple[np.ndarray, np.ndarray]:
    """The ties' sources and targets as int64 arrays, checked against the vertices."""
    n = graph.size
    s = np.asarray(graph.sources, dtype=np.int64).ravel()
    t = np.asarray(graph.targets, dtype=np.int64).ravel()
    if len(s) != len(t):
        raise ValueError("sources and targets must have the same length")
    if len(s) and (min(s.min(), t.min()) < 0 or max(s.max(), t.max()) >= n):
        raise ValueError("a tie refers to a vertex outside the graph")
    return s, t


def simple_ties(graph: GraphInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The undirected simple network (see the module docstring): its ties (u, v, weight),
    sorted by (u, v) with u < v, the weight the largest among the pair's ties."""
    s, t = _tie_ends(graph)
    w = (
        np.ones(len(s), dtype=np.float64)
        if graph.weights is None
        else np.asarray(graph.weights, dtype=np.float64).ravel()
    )
    if len(w) != len(s):
        raise ValueError("weights must have one value per tie")
    keep = s != t
    return _unique_pairs(np.minimum(s, t)[keep], np.maximum(s, t)[keep], graph.size, w[keep])


def _prepare(graph: GraphInput) -> _Prepared:
    n = graph.size
    u, v, weights = simple_ties(graph)
    g = ig.Graph(n=n, edges=np.column_stack([u, v]) if len(u) else [], directed=False)
    if graph.directed is not None:
        s, t = _tie_ends(graph)
        mask = np.asarray(graph.directed, dtype=bool).ravel()
        if len(mask) != len(s):
            raise ValueError("directed must have one value per tie")
        mask = mask & (s != t)
        du, dv, _ = _unique_pairs(s[mask], t[mask], n)
    else:
        du = dv = np.empty(0, dtype=np.int64)
    return _Prepared(n=n, u=u, v=v, w=weights, graph=g, du=du, dv=dv)


_RNG_LOCK = threading.Lock()


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph's random numbers from a private seeded generator, for reproducible results.

    igraph draws from one process-wide Python generator (the `random` module unless changed):
    a lock keeps concurrent analyses from sharing it, and the default comes back afterwards.
    """
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


# --- per actor -----------------------------------------------------------------------


def _degrees(p: _Prepared) -> tuple[np.ndarray, np.ndarray]:
    degree = np.bincount(p.u, minlength=p.n) + np.bincount(p.v, minlength=p.n)
    strength = np.bincount(p.u, weights=p.w, minlength=p.n) + np.bincount(
        p.v, weights=p.w, minlength=p.n
    )
    return degree.astype(np.int64), strength.astype(np.float64)


def _two_step_reach(p: _Prepared) -> np.ndarray:
    if p.n < 2:
        return np.zeros(p.n)
    within = np.asarray(p.graph.neighborhood_size(order=2), dtype=np.float64) - 1
    return within / (p.n - 1)


def betweenness_sample_size(n: int, m: int) -> int:
    """Sources to sample for the betweenness of a network of n actors and m ties.

    Each source costs one breadth-first search and one accumulation, O(n + m): the sample is a
    fixed budget of `BETWEENNESS_BUDGET` vertex and edge visits (seconds on one core), at
    least `MIN_BETWEENNESS_SAMPLES` sources and at most n: about 70 sources at 100,000 actors
    with five ties each, the minimum at a million.
    """
    return int(min(n, max(MIN_BETWEENNESS_SAMPLES, BETWEENNESS_BUDGET // max(n + m, 1))))


def betweenness_error_bound(n: int, k: int, delta: float = BETWEENNESS_DELTA) -> float:
    """The bound ε of `_sampled_betweenness` for n actors and k sampled sources."""
    if n < 3 or k >= n:
        return 0.0
    return n / (n - 1) * math.sqrt(math.log(2 * n / delta) / (2 * k))


@dataclass
class _Betweenness:
    values: np.ndarray  # normalized, exact or estimated
    dependency: np.ndarray  # Σ over the sources used of Σ_t δ_st(v), per vertex
    sources: np.ndarray | None  # the sampled sources; None when every vertex was a source
    error: float | None = None
    top_error: float | None = None

    @property
    def sampled(self) -> bool:
        return self.sources is not None


def _exact_betweenness(g: ig.Graph) -> _Betweenness:
    n = g.vcount()
    if n < 3 or g.ecount() == 0:
        return _Betweenness(np.zeros(n), np.zeros(n), None)
    # igraph counts each unordered pair once: half the sum over ordered pairs.
    raw = np.asarray(g.betweenness(directed=False), dtype=np.float64)
    return _Betweenness(raw * 2 / ((n - 1) * (n - 2)), 2 * raw, None)


def _sampled_betweenness(g: ig.Graph, k: int, seed: int) -> _Betweenness:
    """Normalized betweenness estimated from k sources drawn uniformly without replacement.

    For a vertex v, let `Y_s` be the share of the n - 2 other targets t for which v lies on
    shortest s–t paths, weighted by the fraction of those paths through v (`δ_st(v)` summed
    over t, divided by n - 2; `Y_v = 0`). Each `Y_s` is in [0, 1] and the normalized
    betweenness is `n / (n - 1)` times the mean of `Y_s` over all n sources. The estimate uses
    the mean over the sample instead. Hoeffding's inequality, which also holds when sampling
    without replacement, bounds the chance of an error above t for one vertex by
    `2·exp(-2kt²)`; over all n vertices (union bound), every estimate is within
    `ε = n / (n - 1) · sqrt(ln(2n/δ) / (2k))` of the exact value with probability at least
    1 - δ (δ = 0.05). The bound is uniform and pessimistic: typical errors are far smaller
    (see the tests), and the estimate is unbiased.
    """
    n = g.vcount()
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=k, replace=False))
    # igraph's subset betweenness of an undirected graph counts each (s, t) pair once, with
    # half of δ_st(v) for every source s in the sample (a pair seen from both ends adds up).
    # The sources go in batches (same total work): the batch estimates' spread measures how
    # precise each actor's estimate is, which the uniform bound above cannot say.
    batches = [b for b in np.array_split(sample, min(BETWEENNESS_BATCHES, k)) if len(b)]
    scale = n / ((n - 1) * (n - 2))
    partials = [
        2
        * np.asarray(
            g.betweenness(directed=False, sources=batch.tolist(), targets=None), dtype=np.float64
        )
        for batch in batches
    ]
    total = np.sum(partials, axis=0)  # Σ_{s in sample} Σ_t δ_st(v)
    estimate = total / k * scale
    top_error = _top_relative_error(
        estimate, [p / len(b) * scale for p, b in zip(partials, batches, strict=True)]
    )
    return _Betweenness(
        np.clip(estimate, 0.0, 1.0), total, sample, betweenness_error_bound(n, k), top_error
    )


def _top_relative_error(estimate: np.ndarray, batch_estimates: list[np.ndarray]) -> float | None:
    """The median, over the highest estimates, of a 95% confidence interval's half-width
    relative to the estimate (batch means with Student's t): "the main brokers' figures are
    within ±x%"."""
    batches = len(batch_estimates)
    top = np.argsort(-estimate, kind="stable")[:BROKER_SAMPLE]
    top = top[estimate[top] > 0]
    if batches < 2 or len(top) == 0:
        return None
    spread = np.std(np.stack([b[top] for b in batch_estimates]), axis=0, ddof=1)
    half_width = float(student_t.ppf(0.975, batches - 1)) * spread / math.sqrt(batches)
    return float(np.median(half_width / estimate[top]))


def _betweenness(p: _Prepared, limit: int, seed: int, samples: int | None = None) -> _Betweenness:
    n = p.n
    if n <= limit or n < 3 or p.m == 0:
        return _exact_betweenness(p.graph)
    k = betweenness_sample_size(n, p.m) if samples is None else max(1, samples)
    if k >= n:
        return _exact_betweenness(p.graph)
    return _sampled_betweenness(p.graph, k, seed)


def _triangles(p: _Prepared, degree: np.ndarray) -> np.ndarray:
    """Ties among each actor's partners."""
    if p.m == 0:
        return np.zeros(p.n)
    local = np.asarray(p.graph.transitivity_local_undirected(mode="zero"), dtype=np.float64)
    return np.rint(local * degree * (degree - 1) / 2)


def _effective_size(degree: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        size = degree - 2 * triangles / degree
    return np.where(degree > 0, size, np.nan)


def _constraint(p: _Prepared, degree: np.ndarray) -> np.ndarray:
    if p.m == 0:
        return np.full(p.n, np.nan)
    values = np.asarray(p.graph.constraint(weights=p.w.tolist()), dtype=np.float64)
    return np.where(degree > 0, values, np.nan)


def _codes(values: Sequence[object] | None, n: int) -> np.ndarray:
    """Integer codes of a per-vertex attribute; -1 where unknown (None or empty)."""
    if values is None:
        return np.full(n, -1, dtype=np.int64)
    if len(values) != n:
        raise ValueError("a per-vertex attribute must have one value per vertex")
    # dict.fromkeys and map iterate in C: a million vertices take a fraction of a second.
    index = {value: i for i, value in enumerate(dict.fromkeys(values))}
    index[None] = index[""] = -1
    return np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=n)


def _capital(
    p: _Prepared, sector: np.ndarray, territory: np.ndarray, linking: np.ndarray, degree: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = p.n
    u, v = p.u, p.v
    crosses = ((sector[u] >= 0) & (sector[v] >= 0) & (sector[u] != sector[v])) | (
        (territory[u] >= 0) & (territory[v] >= 0) & (territory[u] != territory[v])
    )
    link_u = linking[v] & ~linking[u]  # linking for u: its partner v links, u does not
    link_v = linking[u] & ~linking[v]
    counts = {}
    for name, for_u, for_v in (
        ("linking", link_u, link_v),
        ("bridging", ~link_u & crosses, ~link_v & crosses),
        ("bonding", ~link_u & ~crosses, ~link_v & ~crosses),
    ):
        counts[name] = np.bincount(u[for_u], minlength=n) + np.bincount(v[for_v], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = {k: np.where(degree > 0, c / degree, np.nan) for k, c in counts.items()}
    return shares["bonding"], shares["bridging"], shares["linking"]


# Two-paths are classified in slices of about this many, to bound memory.
_BROKERAGE_CHUNK = 4_000_000


def _brokerage(p: _Prepared, group: np.ndarray) -> dict[str, np.ndarray]:
    """Gould–Fernandez role counts per vertex (see the module docstring), vectorized.

    Every two-path a → b → c is the pairing of an edge into b with an edge out of b: edges
    are sorted by their tail, and for each edge (a, b) the out-edges of b are a contiguous
    run. Runs are expanded in slices, closed triads (a → c exists) are found by binary search
    in the sorted edge keys.
    """
    n = p.n
    counts = {role: np.zeros(n, dtype=np.int64) for role in BROKERAGE_ROLES}
    a_all, b_all = p.du, p.dv  # edges a → b, sorted by (a, b)
    if len(a_all) < 2:
        return counts
    keys = a_all * n + b_all  # sorted
    out_start = np.searchsorted(a_all, np.arange(n + 1))  # out-edges of x: [start[x], start[x+1])
    out_degree = np.diff(out_start)
    lengths = out_degree[b_all]  # two-paths through each edge (a, b)
    total = int(lengths.sum())
    if total == 0:
        return counts
    bounds = np.cumsum(lengths)
    first = 0
    while first < len(a_all):
        # Take edges until about _BROKERAGE_CHUNK two-paths (at least one edge).
        offset = bounds[first - 1] if first else 0
        last = int(np.searchsorted(bounds, offset + _BROKERAGE_CHUNK, side="right"))
        last = max(last, first + 1)
        a = a_all[first:last]
        b = b_all[first:last]
        runs = lengths[first:last]
        first = last
        if runs.sum() == 0:
            continue
        a = np.repeat(a, runs)
        b_rep = np.repeat(b, runs)
        # Position within each run, then the out-edge index.
        starts = np.repeat(out_start[b], runs)
        within = np.arange(len(a)) - np.repeat(np.cumsum(runs) - runs, runs)
        c = b_all[starts + within]
        keep = a != c
        a, b_rep, c = a[keep], b_rep[keep], c[keep]
        closing = a * n + c
        pos = np.searchsorted(keys, closing)
        pos = np.minimum(pos, len(keys) - 1)
        open_ = keys[pos] != closing
        a, b_rep, c = a[open_], b_rep[open_], c[open_]
        ga, gb, gc = group[a], group[b_rep], group[c]
        roles = {
            "coordinator": (ga == gb) & (gb == gc),
            "gatekeeper": (ga != gb) & (gb == gc),
            "representative": (ga == gb) & (gb != gc),
            "consultant": (ga == gc) & (ga != gb),
            "liaison": (ga != gb) & (gb != gc) & (ga != gc),
        }
        for role, mask in roles.items():
            counts[role] += np.bincount(b_rep[mask], minlength=n)
    return counts


def _leiden(p: _Prepared, seed: int) -> np.ndarray:
    """Leiden communities (modularity objective, tie weights), numbered by decreasing size."""
    if p.n == 0:
        return np.zeros(0, dtype=np.int64)
    if p.m == 0:
        return np.arange(p.n, dtype=np.int64)
    with _seeded(seed):
        partition = p.graph.community_leiden(
            objective_function="modularity",
            weights=p.w.tolist(),
            n_iterations=-1 if p.n <= LEIDEN_STABLE_LIMIT else LEIDEN_ITERATIONS,
        )
    raw = np.asarray(partition.membership, dtype=np.int64)
    sizes = np.bincount(raw)
    first_member = np.full(len(sizes), p.n, dtype=np.int64)
    np.minimum.at(first_member, raw, np.arange(p.n))
    order = np.lexsort((first_member, -sizes))  # largest first, ties by first member
    rename = np.empty(len(sizes), dtype=np.int64)
    rename[order] = np.arange(len(sizes))
    return rename[raw]


# --- per network ---------------------------------------------------------------------


def _average_distance(
    g: ig.Graph, members: np.ndarray, between: _Betweenness | None, seed: int
) -> tuple[float | None, bool]:
    """Mean distance between pairs of the largest component, and whether it is sampled.

    From the betweenness sums when they are at hand: a shortest s–t path of length d has
    d - 1 inner vertices, so the dependencies of the component's vertices on a source s add
    up to `Σ_t (d_st - 1)` over the component's targets. With every source (exact
    betweenness) this gives the exact mean, with sampled sources the mean over the sampled
    sources of the component (unbiased). Without betweenness (the sub-networks), breadth-first
    searches: from every vertex up to `EXACT_DISTANCE_LIMIT`, from `DISTANCE_SAMPLES` sources
    above.
    """
    size = len(members)
    if size < 2:
        return None, False
    if between is None:
        if size <= EXACT_DISTANCE_LIMIT:
            sub = g.induced_subgraph(members.tolist()) if size < g.vcount() else g
            return float(sub.average_path_length(directed=False)), False
        return _sampled_distance(g, members, seed), True
    inside = np.zeros(g.vcount(), dtype=bool)
    inside[members] = True
    if between.sources is None:
        sources = size
    else:
        sources = int(inside[between.sources].sum())
        if sources == 0:
            return _sampled_distance(g, members, seed), True
    total = float(between.dependency[inside].sum())
    return 1.0 + total / (sources * (size - 1)), between.sampled


def _sampled_distance(g: ig.Graph, members: np.ndarray, seed: int) -> float:
    """The mean distance from `DISTANCE_SAMPLES` sources of a component to its other members."""
    rng = np.random.default_rng(seed + 1)
    k = min(len(members), DISTANCE_SAMPLES)
    sources = np.sort(rng.choice(members, size=k, replace=False))
    total = 0.0
    for chunk in np.array_split(sources, max(1, k // 8)):
        rows = np.asarray(g.distances(source=chunk.tolist()), dtype=np.float64)
        total += float(rows[np.isfinite(rows)].sum())
    return total / (k * (len(members) - 1))


def _stage(p: _Prepared, membership: np.ndarray, sizes: np.ndarray, coreness: np.ndarray) -> str:
    """The network's stage, by the first rule that applies.

    1. *fragmented*: no ties, or the largest component holds less than half of the actors.
    2. *single_hub*: within the largest component, Freeman's degree centralization
       `Σ (d_max - d_i) / ((N - 1)(N - 2))` is at least 0.5 (1 for a star, 0 for a ring):
       one actor holds it together.
    3. *core_periphery*: within the largest component, the innermost k-core (k ≥ 2) is a
       dense minority (at most 35% of the actors, density at least 0.5) that touches at least
       75% of the ties: the rest hangs on a core.
    4. *multi_hub*: otherwise: several hubs or a spread-out web.
    """
    n = p.n
    if n == 0 or p.m == 0 or len(sizes) == 0:
        return "fragmented"
    largest = int(np.argmax(sizes))
    size = int(sizes[largest])
    if size / n < FRAGMENTED_LARGEST_SHARE:
        return "fragmented"
    if size < 3:
        return "single_hub"  # one tie holding at least half of the network
    in_largest = membership == largest
    lc_edges = in_largest[p.u]  # both ends share a component
    u, v = p.u[lc_edges], p.v[lc_edges]
    degree = (np.bincount(u, minlength=n) + np.bincount(v, minlength=n))[in_largest]
    centralization = float((degree.max() - degree).sum() / ((size - 1) * (size - 2)))
    if centralization >= SINGLE_HUB_CENTRALIZATION:
        return "single_hub"
    k = int(coreness[in_largest].max())
    if k >= 2:
        in_core = in_largest & (coreness == k)
        core_size = int(in_core.sum())
        if core_size <= CORE_MAX_SHARE * size:
            inside = int((in_core[u] & in_core[v]).sum())
            touching = int((in_core[u] | in_core[v]).sum())
            density = inside / (core_size * (core_size - 1) / 2)
            if density >= CORE_MIN_DENSITY and touching >= CORE_MIN_TIE_SHARE * len(u):
                return "core_periphery"
    return "multi_hub"


def _network(
    p: _Prepared,
    sector: np.ndarray,
    community: np.ndarray,
    coreness: np.ndarray,
    bridges: list[tuple[int, int]],
    between: _Betweenness | None,
    seed: int,
) -> NetworkIndicators:
    n, m, g = p.n, p.m, p.graph
    if n == 0:
        return NetworkIndicators(
            size=0,
            ties=0,
            density=0.0,
            components=0,
            largest_component_share=0.0,
            cross_sector_share=None,
            clustering=0.0,
            average_distance=None,
            average_distance_sampled=False,
            sector_assortativity=None,
            communities=0,
            modularity=None,
            stage="fragmented",
            bridges=[],
        )
    membership = np.asarray(g.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(membership)
    known = (sector[p.u] >= 0) & (sector[p.v] >= 0)
    cross = None
    if known.any():
        cross = float((sector[p.u][known] != sector[p.v][known]).mean())
    clustering = g.transitivity_undirected() if m else 0.0
    if not math.isfinite(clustering):
        clustering = 0.0
    largest = np.flatnonzero(membership == np.argmax(sizes))
    average, sampled = _average_distance(g, largest, between, seed)
    community_sizes = np.bincount(community) if len(community) else np.zeros(0)
    modularity = g.modularity(community.tolist(), weights=p.w.tolist()) if m else None
    return NetworkIndicators(
        size=n,
        ties=m,
        density=float(2 * m / (n * (n - 1))) if n > 1 else 0.0,
        components=len(sizes),
        largest_component_share=float(sizes.max() / n),
        cross_sector_share=cross,
        clustering=float(clustering),
        average_distance=average,
        average_distance_sampled=sampled,
        sector_assortativity=_assortativity(p, sector),
        communities=int((community_sizes >= 2).sum()),
        modularity=None if modularity is None else float(modularity),
        stage=_stage(p, membership, sizes, coreness),
        bridges=bridges,
    )


def _assortativity(p: _Prepared, sector: np.ndarray) -> float | None:
    """Newman's nominal assortativity by sector over the ties whose ends have a known sector.

    `r = (Σ_i e_ii - Σ_i a_i²) / (1 - Σ_i a_i²)`, with `e_ij` the share of tie ends going from
    sector i to sector j (each tie counted in both directions) and `a_i = Σ_j e_ij`; undefined
    (None) when every tie stays within one sector.
    """
    known = (sector[p.u] >= 0) & (sector[p.v] >= 0)
    if not known.any():
        return None
    a, b = sector[p.u][known], sector[p.v][known]
    groups = int(max(a.max(), b.max())) + 1
    ends = np.bincount(a, minlength=groups) + np.bincount(b, minlength=groups)
    share = ends / ends.sum()
    within = float((a == b).sum()) / len(a)
    expected = float((share**2).sum())
    if expected >= 1.0 - 1e-12:
        return None
    return (within - expected) / (1.0 - expected)


def _bridges(p: _Prepared) -> list[tuple[int, int]]:
    if p.m == 0:
        return []
    ids = np.asarray(p.graph.bridges(), dtype=np.int64)
    return [(int(a), int(b)) for a, b in zip(p.u[ids].tolist(), p.v[ids].tolist(), strict=True)]


# --- the entry points ----------------------------------------------------------------


def analyze(
    graph: GraphInput,
    *,
    progress: Progress | None = None,
    exact_betweenness_limit: int = EXACT_BETWEENNESS_LIMIT,
    seed: int = 0,
    betweenness_samples: int | None = None,
) -> AnalysisResult:
    """Every indicator of every actor, and the network's own figures.

    Above `exact_betweenness_limit` actors the betweenness is estimated from
    `betweenness_samples` sources (default: `betweenness_sample_size`).
    """

    def report(percent: int, step: str) -> None:
        if progress is not None:
            progress(percent, step)

    report(0, "loading")
    p = _prepare(graph)
    n = p.n
    sector = _codes(graph.sectors, n)
    territory = _codes(graph.territories, n)
    linking = (
        np.zeros(n, dtype=bool)
        if graph.linking is None
        else np.asarray(graph.linking, dtype=bool).ravel()
    )
    if len(linking) != n:
        raise ValueError("linking must have one value per vertex")

    report(10, "partners")
    degree, strength = _degrees(p)
    reach = _two_step_reach(p)
    coreness = np.asarray(p.graph.coreness(), dtype=np.int64) if n else np.zeros(0, np.int64)

    report(25, "bridges")
    between = _betweenness(p, exact_betweenness_limit, seed, betweenness_samples)
    critical = np.zeros(n, dtype=bool)
    if p.m:
        critical[np.asarray(p.graph.articulation_points(), dtype=np.int64)] = True
    bridges = _bridges(p)

    report(55, "brokerage")
    triangles = _triangles(p, degree)
    effective = _effective_size(degree, triangles)
    constraint = _constraint(p, degree)
    bonding, bridging, linking_share = _capital(p, sector, territory, linking, degree)
    brokerage = _brokerage(p, sector)

    report(70, "communities")
    community = _leiden(p, seed)

    report(85, "network")
    network = _network(p, sector, community, coreness, bridges, between, seed)

    actors = ActorIndicators(
        degree=degree,
        strength=strength,
        two_step_reach=reach,
        betweenness=between.values,
        effective_size=effective,
        constraint=constraint,
        bonding=bonding,
        bridging=bridging,
        linking=linking_share,
        brokerage=brokerage,
        community=community,
        coreness=coreness,
        is_isolate=degree == 0,
        is_peripheral=(degree > 0) & (coreness <= 1),
        is_critical=critical,
    )
    report(100, "done")
    return AnalysisResult(
        actors=actors,
        network=network,
        betweenness_sampled=between.sampled,
        betweenness_error=between.error,
        betweenness_samples=None if between.sources is None else len(between.sources),
        betweenness_top_error=between.top_error,
    )


def network_indicators(graph: GraphInput, *, seed: int = 0) -> NetworkIndicators:
    """The per-network figures only, for the sub-networks (a territory, a theme, a type).

    The same figures as `analyze(...).network`, without the per-actor indicators; the
    average distance is measured directly (see `_average_distance`) instead of coming from
    the betweenness, so it is sampled above `EXACT_DISTANCE_LIMIT` actors.
    """
    p = _prepare(graph)
    sector = _codes(graph.sectors, p.n)
    coreness = np.asarray(p.graph.coreness(), dtype=np.int64) if p.n else np.zeros(0, np.int64)
    community = _leiden(p, seed)
    return _network(p, sector, community, coreness, _bridges(p), None, seed)


def subgraph(
    graph: GraphInput,
    *,
    vertices: np.ndarray | None = None,
    ties: np.ndarray | None = None,
) -> GraphInput:
    """The network restricted to a vertex mask and/or a tie mask, with vertices renumbered.

    A tie stays when it is in the tie mask and both of its ends are in the vertex mask.
    """
    n = graph.size
    s = np.asarray(graph.sources, dtype=np.int64).ravel()
    t = np.asarray(graph.targets, dtype=np.int64).ravel()
    keep_v = np.ones(n, dtype=bool) if vertices is None else np.asarray(vertices, dtype=bool)
    if len(keep_v) != n:
        raise ValueError("the vertex mask must have one value per vertex")
    keep_t = np.ones(len(s), dtype=bool) if ties is None else np.asarray(ties, dtype=bool)
    if len(keep_t) != len(s):
        raise ValueError("the tie mask must have one value per tie")
    keep_t = keep_t & keep_v[s] & keep_v[t]
    renumber = np.cumsum(keep_v) - 1
    kept = np.flatnonzero(keep_v)

    def pick(values: Sequence | None) -> list | None:
        return None if values is None else [values[i] for i in kept.tolist()]

    def pick_ties(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else np.asarray(values)[keep_t]

    return GraphInput(
        node_ids=[graph.node_ids[i] for i in kept.tolist()],
        sources=renumber[s[keep_t]],
        targets=renumber[t[keep_t]],
        weights=pick_ties(graph.weights),
        directed=pick_ties(graph.directed),
        sectors=pick(graph.sectors),
        territories=pick(graph.territories),
        linking=None if graph.linking is None else np.asarray(graph.linking, dtype=bool)[keep_v],
        themes=pick(graph.themes),
    )
