"""Quorum: is a meeting (or an online poll) entitled to decide? Pure Python.

Overall rule: of the filled voting seats, present ones must reach `share` (strictly more than
the share when `strict`, e.g. "half plus one"; at least the share otherwise). Per-sector rules:
at least `minimum` seats of that sector present. Both must hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    seats: int
    present: int
    required: int
    # Sectors whose own minimum is not reached: sector -> seats still missing.
    sector_shortfalls: dict[str, int] = field(default_factory=dict)


def required_present(seats: int, share: float, *, strict: bool) -> int:
    """The fewest present seats that satisfy the overall rule."""
    if seats <= 0:
        return 0
    exact = seats * share
    if strict:
        return min(seats, math.floor(exact) + 1)
    return math.ceil(exact - 1e-9)


def check_quorum(
    *,
    seats_by_sector: Mapping[str, int],
    present_by_sector: Mapping[str, int],
    share: float,
    strict: bool,
    sector_minimums: Mapping[str, int] | None = None,
) -> QuorumResult:
    seats = sum(seats_by_sector.values())
    present = sum(present_by_sector.get(sector, 0) for sector in seats_by_sector)
    required = required_present(seats, share, strict=strict)
    shortfalls = {
        sector: minimum - present_by_sector.get(sector, 0)
        for sector, minimum in (sector_minimums or {}).items()
        if present_by_sector.get(sector, 0) < minimum
    }
    met = seats > 0 and present >= required and not shortfalls
    return QuorumResult(
        met=met, seats=seats, present=present, required=required, sector_shortfalls=shortfalls
    )
