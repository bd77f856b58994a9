"""Social-capital indicators of a network, computed with igraph. Pure: no Django here.

The caller builds a `GraphInput` (vertex i is `node_ids[i]`) and gets arrays indexed the same
way. Parallel ties between one pair (several types, or both directions) collapse into one
undirected edge whose weight is the largest; directed ties are kept apart for the brokerage
roles of Gould and Fernandez.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

# Above this many actors the bridge role (betweenness) is estimated from a sample of sources.
EXACT_BETWEENNESS_LIMIT = 20_000

# The codes of the network stages, explained in words by the pages.
STAGES = ("fragmented", "single_hub", "multi_hub", "core_periphery")
BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")

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

    def as_dict(self) -> dict[str, object]:
        raise NotImplementedError


@dataclass
class AnalysisResult:
    actors: ActorIndicators
    network: NetworkIndicators
    betweenness_sampled: bool
    betweenness_error: float | None  # bound on the absolute error of a normalized value


def analyze(
    graph: GraphInput,
    *,
    progress: Progress | None = None,
    exact_betweenness_limit: int = EXACT_BETWEENNESS_LIMIT,
    seed: int = 0,
) -> AnalysisResult:
    raise NotImplementedError


def network_indicators(graph: GraphInput, *, seed: int = 0) -> NetworkIndicators:
    """The per-network figures only, for the sub-networks (a territory, a theme, a type)."""
    raise NotImplementedError


def subgraph(
    graph: GraphInput,
    *,
    vertices: np.ndarray | None = None,
    ties: np.ndarray | None = None,
) -> GraphInput:
    """The network restricted to a vertex mask and/or a tie mask, with vertices renumbered."""
    raise NotImplementedError
