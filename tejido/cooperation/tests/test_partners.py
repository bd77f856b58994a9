"""Partner suggestions: each part of the score by hand, then against a plain reference."""

from __future__ import annotations

import random

import pytest

from tejido.cooperation import partners as p
from tejido.cooperation.partners import Entity, Registry, Suggestion, suggest_partners


def registry(entities, ties=()):
    return Registry.from_entities(entities, ties)


LEAD = Entity(1, "community", (1, 2), "/1/2/3/")


def test_never_a_member_nor_the_lead():
    entities = [LEAD, Entity(2, "public", (1,), "/1/2/3/"), Entity(3, "public", (1,), "/1/2/3/")]
    found = suggest_partners(registry(entities), members=[1, 2])
    assert [s.actor for s in found] == [3]


def test_only_candidates_with_a_theme_or_territory_fit():
    entities = [
        LEAD,
        Entity(2, "public", (9,), "/1/5/6/"),  # another sector, a tie, but no fit
        Entity(3, "community", (9,), "/1/2/9/"),  # same region only
    ]
    found = suggest_partners(registry(entities, [(1, 2)]), members=[1])
    assert [(s.actor, s.score) for s in found] == [(3, p.SAME_REGION)]
    assert found[0].reasons == ({"code": "territory", "relation": "region"},)


def test_sector_bonus_complementary_and_wanted():
    entities = [
        LEAD,
        Entity(2, "community", (), "/1/2/3/"),
        Entity(3, "public", (), "/1/2/3/"),
        Entity(4, "academia", (), "/1/2/3/"),
    ]
    found = suggest_partners(registry(entities), members=[1], sectors_wanted=["academia"])
    assert [(s.actor, s.score) for s in found] == [(4, 1.75), (3, 1.5), (2, 1.0)]
    assert found[0].reasons[0] == {"code": "sector", "sector": "academia", "wanted": True}
    assert found[1].reasons[0] == {"code": "sector", "sector": "public", "wanted": False}
    # A wanted sector a member already has still counts as wanted.
    again = suggest_partners(registry(entities), members=[1], sectors_wanted=["community"])
    assert {s.actor: s.score for s in again}[2] == 1.75


def test_themes_wanted_or_the_members_themes():
    entities = [
        LEAD,
        Entity(2, "community", (1, 2, 3), ""),
        Entity(3, "community", (3,), ""),
        Entity(4, "community", (1,), ""),
    ]
    found = suggest_partners(registry(entities), members=[1])
    assert [(s.actor, s.score) for s in found] == [(2, 1.0), (4, 0.5)]
    assert found[0].reasons == ({"code": "themes", "themes": [1, 2]},)
    wanted = suggest_partners(registry(entities), members=[1], theme_ids=[3, 4])
    assert [(s.actor, s.score) for s in wanted] == [(2, 0.5), (3, 0.5)]


def test_territory_given_or_the_leads():
    entities = [
        LEAD,
        Entity(2, "community", (), "/1/2/3/10/"),  # inside the lead's comuna: same
        Entity(3, "community", (), "/1/2/4/"),  # same region
        Entity(4, "community", (), "/1/7/8/"),
    ]
    found = suggest_partners(registry(entities), members=[1])
    assert [(s.actor, s.score) for s in found] == [(2, 1.0), (3, 0.5)]
    elsewhere = suggest_partners(registry(entities), members=[1], territory_path="/1/7/")
    assert [(s.actor, s.score) for s in elsewhere] == [(4, 1.0)]


def test_past_collaboration_and_partner_of_partner():
    entities = [
        LEAD,
        Entity(2, "community", (), "/1/2/3/"),
        Entity(3, "community", (), "/1/2/3/"),
        Entity(4, "community", (), "/1/2/3/"),
        Entity(5, "community", (), "/9/"),
    ]
    found = suggest_partners(registry(entities, [(1, 2), (2, 3), (5, 3)]), members=[1])
    assert [(s.actor, s.score) for s in found] == [(2, 1.5), (3, 1.25), (4, 1.0)]
    assert found[0].reasons[-1] == {"code": "past", "partners": [1]}
    assert found[1].reasons[-1] == {"code": "near", "via": [2]}


def test_unknown_members_and_empty_registry():
    assert suggest_partners(registry([]), members=[1]) == []
    found = suggest_partners(registry([Entity(2, "public", (1,), "")]), members=[99], theme_ids=[1])
    assert found == [
        Suggestion(
            2,
            1.5,
            (
                {"code": "sector", "sector": "public", "wanted": False},
                {"code": "themes", "themes": [1]},
            ),
        )
    ]


# Reference ---------------------------------------------------------------------------------

SECTORS = ["community", "public", "private", "academia"]
PATHS = ["", "/1/", "/1/2/", "/1/3/", "/1/2/4/", "/1/2/5/", "/1/3/6/", "/8/", "/8/9/"]


def parts(path):
    return tuple(x for x in path.strip("/").split("/") if x)


def brute_force(entities, ties, members, sectors_wanted, theme_ids, territory_path, limit):
    by_id = {e.id: e for e in entities}
    member_set = {m for m in members if m in by_id}
    neighbours = {e.id: set() for e in entities}
    for a, b in ties:
        if a in by_id and b in by_id and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    wanted = set(theme_ids) or {t for m in member_set for t in by_id[m].themes}
    target = parts(territory_path)
    if not target and members and members[0] in by_id:
        target = parts(by_id[members[0]].territory_path)
    member_sectors = {by_id[m].sector for m in member_set}
    first = set().union(*(neighbours[m] for m in member_set)) if member_set else set()
    second = set().union(*(neighbours[f] for f in first)) if first else set()
    result = []
    for e in entities:
        if e.id in member_set:
            continue
        themes = wanted & set(e.themes)
        theme_score = len(themes) / len(wanted) if wanted else 0.0
        mine = parts(e.territory_path)
        territory = None
        if target and mine[: len(target)] == target:
            territory = "same"
        elif target and len(target) > 1 and len(mine) > 1 and mine[:2] == target[:2]:
            territory = "region"
        fit = theme_score + {"same": 1.0, "region": 0.5, None: 0.0}[territory]
        if fit <= 0:
            continue
        wanted_sector = e.sector in sectors_wanted
        sector = 0.75 if wanted_sector else (0.0 if e.sector in member_sectors else 0.5)
        collaboration = 0.5 if e.id in first else (0.25 if e.id in second else 0.0)
        score = round(fit * (1 + sector) + collaboration, 9)
        reasons = []
        if sector:
            reasons.append({"code": "sector", "sector": e.sector, "wanted": wanted_sector})
        if themes:
            reasons.append({"code": "themes", "themes": sorted(themes)})
        if territory:
            reasons.append({"code": "territory", "relation": territory})
        if e.id in first:
            reasons.append({"code": "past", "partners": sorted(neighbours[e.id] & member_set)})
        elif e.id in second:
            reasons.append({"code": "near", "via": sorted(neighbours[e.id] & first)[:3]})
        result.append(Suggestion(e.id, score, tuple(reasons)))
    result.sort(key=lambda s: (-s.score, s.actor))
    return result[:limit]


@pytest.mark.parametrize("seed", range(50))
def test_against_brute_force(seed):
    rng = random.Random(seed)
    count = rng.randint(1, 60)
    entities = [
        Entity(
            10 + 3 * i,
            rng.choice(SECTORS),
            tuple(rng.sample(range(1, 8), rng.randint(0, 3))),
            rng.choice(PATHS),
        )
        for i in range(count)
    ]
    ids = [e.id for e in entities]
    ties = (
        [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2 * count))] if count > 1 else []
    )
    members = rng.sample(ids, rng.randint(1, min(4, count)))
    kwargs = {
        "sectors_wanted": rng.sample(SECTORS, rng.randint(0, 2)),
        "theme_ids": rng.sample(range(1, 10), rng.choice([0, 0, 1, 2])),
        "territory_path": rng.choice(["", "", *PATHS]),
        "limit": rng.randint(1, 12),
    }
    found = suggest_partners(Registry.from_entities(entities, ties), members=members, **kwargs)
    assert found == brute_force(entities, ties, members, **kwargs)
    # Property: never a member, never the lead.
    assert not {s.actor for s in found} & set(members)
