"""Partner suggestions for a consortium or a joint project: who could join, and why.

Pure: no Django here. A `Registry` holds the program's entities (organizations and informal
groups: id, sector, theme ids, territory path) and its ties, built once; `suggest_partners`
ranks every entity that is not already a member for a group of ``members`` (the first one is
the lead).

Score of a candidate c (document of record; ``SCORE_DECIMALS`` decimals, larger first, equal
scores by the smaller actor id):

    score = fit × (1 + sector) + collaboration

- ``fit`` = themes + territory, and only candidates with ``fit > 0`` are suggested:
  - themes: the share of the wanted themes c works on (``theme_ids``, or when none are given
    the themes of the members), 0..1;
  - territory, against ``territory_path`` (or the lead's territory when none is given):
    1.0 when c is based in that territory or inside it ("same"), 0.5 when c is in the same
    region ("region": the same region, the first ancestor of the path among ``region_ids``
    when the registry is given them, else the ancestor at depth ``region_depth``, 1 = the
    children of the root, the regions of a country), else 0.
- ``sector``: 0.5 for a complementary sector (one no member has), 0.75 (× 1.5) when the
  sector is among ``sectors_wanted`` (wanted even if a member has it already), else 0.
- ``collaboration``: 0.5 when c already has a tie with a member ("past"), else 0.25 when c is
  a partner of a member's partner ("near", two steps), else 0. Trust helps, but does not make
  a partner fit by itself.

Reasons, as codes with parameters the pages turn into sentences, in this order:
``{"code": "sector", "sector": code, "wanted": bool}``, ``{"code": "themes", "themes": [theme
ids]}``, ``{"code": "territory", "relation": "same" | "region"}``, then ``{"code": "past",
"partners": [member ids]}`` or ``{"code": "near", "via": [up to 3 actor ids]}``.

Never a member, never the lead: the members (the lead included) are left out before ranking.
Every step is a numpy operation over the whole registry (theme counts from an inverted index,
territories by index of the distinct paths, the two-step neighbourhood of the members from
the sparse adjacency), so one call costs a few milliseconds for 100,000 entities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

SCORE_DECIMALS = 9
THEME_WEIGHT = 1.0
SAME_TERRITORY = 1.0
SAME_REGION = 0.5
COMPLEMENTARY_SECTOR = 0.5
WANTED_SECTOR = 0.75  # 1.5 × the complementary bonus
PAST_TIE = 0.5
PARTNER_OF_PARTNER = 0.25
MAX_VIA = 3


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    sector: str
    themes: tuple[int, ...] = ()
    territory_path: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    actor: int
    score: float
    reasons: tuple[dict[str, Any], ...]


def _parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip("/").split("/") if part)


class Registry:
    """The entities and ties of a program, as arrays (build once, query many times)."""

    def __init__(
        self,
        ids: Sequence[int],
        sectors: Sequence[str],
        themes: Sequence[Sequence[int]],
        territory_paths: Sequence[str],
        ties: Iterable[tuple[int, int]] = (),
        *,
        region_depth: int = 1,
        region_ids: Iterable[int] | None = None,
    ) -> None:
        n = len(ids)
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        if n and np.any(self.ids[1:] == self.ids[:-1]):
            raise ValueError("An entity appears twice in the registry.")
        self.size = n
        self.region_depth = region_depth
        self.region_ids = None if region_ids is None else {str(i) for i in region_ids}

        self.sector_names = sorted(set(sectors))
        sector_code = {name: i for i, name in enumerate(self.sector_names)}
        codes = np.fromiter((sector_code[s] for s in sectors), dtype=np.int32, count=n)
        self.sector = codes[order]

        # Territories: index of the distinct paths, and of their regions.
        self.paths = sorted(set(territory_paths))
        path_code = {path: i for i, path in enumerate(self.paths)}
        self.path_parts = [_parts(p) for p in self.paths]
        regions = sorted(
            {parts[: region_depth + 1] for parts in self.path_parts if len(parts) > region_depth}
        )
        region_code = {region: i for i, region in enumerate(regions)}
        self.path_region = np.array(
            [
                region_code.get(parts[: region_depth + 1], -1) if len(parts) > region_depth else -1
                for parts in self.path_parts
            ],
            dtype=np.int64,
        )
        self.territory = np.fromiter(
            (path_code[p] for p in territory_paths), dtype=np.int64, count=n
        )[order]
        self.region = self.path_region[self.territory] if n else np.zeros(0, np.int64)

        # Themes: one CSR per entity (row) and its transpose (theme → entities).
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        theme_rows = np.repeat(position, [len(t) for t in themes]) if n else np.zeros(0, np.int64)
        theme_cols = np.fromiter(
            (t for row in themes for t in row), dtype=np.int64, count=len(theme_rows)
        )
        self.theme_ids = np.unique(theme_cols)
        theme_matrix = sparse.csr_array(
            (
                np.ones(len(theme_rows), dtype=np.float32),
                (theme_rows, np.searchsorted(self.theme_ids, theme_cols)),
            ),
            shape=(n, len(self.theme_ids)),
        )
        theme_matrix.sum_duplicates()
        theme_matrix.data[:] = 1.0
        self.themes = theme_matrix
        self.themes_by_theme = theme_matrix.T.tocsr()

        # Ties between registered entities (undirected, no loops).
        pairs = np.asarray(list(ties), dtype=np.int64).reshape(-1, 2)
        u, known_u = self._positions(pairs[:, 0])
        v, known_v = self._positions(pairs[:, 1])
        keep = known_u & known_v & (u != v)
        u, v = u[keep], v[keep]
        adjacency = sparse.csr_array(
            (
                np.ones(2 * len(u), dtype=np.float32),
                (np.concatenate([u, v]), np.concatenate([v, u])),
            ),
            shape=(n, n),
        )
        adjacency.sum_duplicates()
        adjacency.data[:] = 1.0
        self.adjacency = adjacency

    @classmethod
    def from_entities(
        cls, entities: Sequence[Entity], ties: Iterable[tuple[int, int]] = (), **kwargs: Any
    ) -> Registry:
        return cls(
            [e.id for e in entities],
            [e.sector for e in entities],
            [e.themes for e in entities],
            [e.territory_path for e in entities],
            ties,
            **kwargs,
        )

    def region_of(self, parts: tuple[str, ...]) -> tuple[str, ...] | None:
        """The path of the region a territory lies in (itself for a region), if any."""
        if self.region_ids is not None:
            for depth, part in enumerate(parts):
                if part in self.region_ids:
                    return parts[: depth + 1]
            return None
        return parts[: self.region_depth + 1] if len(parts) > self.region_depth else None

    def _positions(self, actor_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of `actor_ids` and whether each is registered."""
        if not self.size:
            return np.zeros(len(actor_ids), np.int64), np.zeros(len(actor_ids), bool)
        positions = np.minimum(np.searchsorted(self.ids, actor_ids), self.size - 1)
        return positions, self.ids[positions] == actor_ids

    def neighbours(self, positions: np.ndarray) -> np.ndarray:
        indptr, indices = self.adjacency.indptr, self.adjacency.indices
        if not len(positions):
            return np.zeros(0, dtype=np.int64)
        return np.unique(
            np.concatenate([indices[indptr[p] : indptr[p + 1]] for p in positions.tolist()])
        ).astype(np.int64)


def suggest_partners(
    registry: Registry,
    *,
    members: Sequence[int],
    sectors_wanted: Sequence[str] = (),
    theme_ids: Sequence[int] = (),
    territory_path: str = "",
    limit: int = 10,
) -> list[Suggestion]:
    """The `limit` best entities to invite, never one of `members` (the first is the lead)."""
    n = registry.size
    if not n or limit <= 0:
        return []
    member_pos, known = registry._positions(np.asarray(list(members), dtype=np.int64))
    lead_known = bool(len(known) and known[0])
    lead_pos = int(member_pos[0]) if lead_known else -1
    member_pos = np.unique(member_pos[known])
    excluded = np.zeros(n, dtype=bool)
    excluded[member_pos] = True

    # Themes: the share of the wanted themes each entity works on.
    wanted = np.unique(np.asarray(list(theme_ids), dtype=np.int64))
    if not len(wanted) and len(member_pos):
        wanted = registry.theme_ids[np.unique(registry.themes[member_pos].indices)]
    theme_cols = np.searchsorted(registry.theme_ids, wanted)
    if len(registry.theme_ids):
        theme_cols = theme_cols[
            (theme_cols < len(registry.theme_ids))
            & (registry.theme_ids[np.minimum(theme_cols, len(registry.theme_ids) - 1)] == wanted)
        ]
    else:
        theme_cols = theme_cols[:0]
    shared = np.zeros(n, dtype=np.int64)
    if len(theme_cols):
        by_theme = registry.themes_by_theme
        hits = np.concatenate(
            [by_theme.indices[by_theme.indptr[c] : by_theme.indptr[c + 1]] for c in theme_cols]
        )
        shared = np.bincount(hits, minlength=n)
    theme_score = THEME_WEIGHT * shared / len(wanted) if len(wanted) else np.zeros(n)

    # Territory: same (or inside), same region.
    target = territory_path
    if not _parts(target) and lead_pos >= 0:
        target = registry.paths[registry.territory[lead_pos]]
    target_parts = _parts(target)
    territory_score = np.zeros(n)
    same = np.zeros(n, dtype=bool)
    region_match = np.zeros(n, dtype=bool)
    if target_parts:
        depth = len(target_parts)
        inside = np.array(
            [parts[:depth] == target_parts for parts in registry.path_parts], dtype=bool
        )
        same = inside[registry.territory]
        target_region = registry.region_of(target_parts)
        if target_region is not None:
            region_paths = np.array(
                [registry.region_of(parts) == target_region for parts in registry.path_parts],
                dtype=bool,
            )
            region_match = region_paths[registry.territory] & ~same
        territory_score = np.where(same, SAME_TERRITORY, np.where(region_match, SAME_REGION, 0.0))

    fit = theme_score + territory_score

    # Sector: complementary, wanted.
    sector_code = {name: i for i, name in enumerate(registry.sector_names)}
    member_sectors = np.zeros(len(registry.sector_names), dtype=bool)
    member_sectors[registry.sector[member_pos]] = True
    wanted_sectors = np.zeros(len(registry.sector_names), dtype=bool)
    for name in sectors_wanted:
        if name in sector_code:
            wanted_sectors[sector_code[name]] = True
    sector_bonus_by_code = np.where(
        wanted_sectors, WANTED_SECTOR, np.where(member_sectors, 0.0, COMPLEMENTARY_SECTOR)
    )
    sector_bonus = sector_bonus_by_code[registry.sector] if len(sector_bonus_by_code) else 0.0

    # Collaboration: a tie with a member, or a partner of a member's partner.
    first = registry.neighbours(member_pos)
    past = np.zeros(n, dtype=bool)
    past[first] = True
    near = np.zeros(n, dtype=bool)
    if len(first):
        near[registry.neighbours(first)] = True
    near &= ~past
    collaboration = np.where(past, PAST_TIE, np.where(near, PARTNER_OF_PARTNER, 0.0))

    score = np.round(fit * (1.0 + sector_bonus) + collaboration, SCORE_DECIMALS)
    eligible = np.flatnonzero((fit > 0) & ~excluded)
    if not len(eligible):
        return []
    if len(eligible) > limit:
        # Every candidate scoring at least the limit-th best, then the exact order.
        cut = np.partition(score[eligible], len(eligible) - limit)[len(eligible) - limit]
        eligible = eligible[score[eligible] >= cut]
    order = eligible[np.lexsort((registry.ids[eligible], -score[eligible]))][:limit]

    member_set = set(member_pos.tolist())
    theme_set = set(theme_cols.tolist())
    result = []
    for p in order.tolist():
        reasons: list[dict[str, Any]] = []
        sector_index = int(registry.sector[p])
        if sector_bonus_by_code[sector_index] > 0:
            reasons.append(
                {
                    "code": "sector",
                    "sector": registry.sector_names[sector_index],
                    "wanted": bool(wanted_sectors[sector_index]),
                }
            )
        row = registry.themes.indices[registry.themes.indptr[p] : registry.themes.indptr[p + 1]]
        common = sorted(int(registry.theme_ids[c]) for c in row.tolist() if c in theme_set)
        if common:
            reasons.append({"code": "themes", "themes": common})
        if same[p]:
            reasons.append({"code": "territory", "relation": "same"})
        elif region_match[p]:
            reasons.append({"code": "territory", "relation": "region"})
        partners = registry.neighbours(np.array([p]))
        if past[p]:
            ids = sorted(int(registry.ids[q]) for q in partners.tolist() if q in member_set)
            reasons.append({"code": "past", "partners": ids})
        elif near[p]:
            first_set = set(first.tolist())
            via = sorted(int(registry.ids[q]) for q in partners.tolist() if q in first_set)
            reasons.append({"code": "near", "via": via[:MAX_VIA]})
        result.append(Suggestion(int(registry.ids[p]), float(score[p]), tuple(reasons)))
    return result
