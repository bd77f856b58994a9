"""Weaving opportunities: introductions that would strengthen a network, each with why.

Pure: no Django here. Works on the same `GraphInput` as `analysis`, using its result.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .analysis import AnalysisResult, GraphInput

KINDS = ("shared_partners", "complementary", "bring_in", "redundancy")


@dataclass(frozen=True)
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
) -> list[Suggestion]:
    """Suggestions for every actor (at most `per_actor` each) and for the whole network.

    `exclude` holds vertex pairs (a < b) never to suggest again (dismissed or decided).
    """
    raise NotImplementedError
