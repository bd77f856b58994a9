"""Benchmark of the cooperation suggestions: needs to offers for 100,000 entities, and partner
suggestions for one entity among 100,000; against plain references in the same run.

    python -m benchmarks.cooperation_matching              # prints the section
    python -m benchmarks.cooperation_matching --write      # and puts it in BENCHMARKS.md
    python -m benchmarks.cooperation_matching --database   # also the selector on SQLite

The data (seed 11, numpy): 100,000 entities in 346 comunas of 16 regions of one country
(paths "/1/<region>/<comuna>/"; 90 % based in a comuna, 7 % in a region, 3 % without a
territory), six sectors, one to four of 40 themes each, about five ties each (60 % inside
the entity's region, the rest anywhere). 30,000 needs and 30,000 offers over the 10 service
categories, on random entities: 70 % in the entity's comuna, 15 % its region, 10 % anywhere,
5 % another comuna of the region; a fifth of the offers with a capacity (0 to 3 places
left); 5,000 served (receiver, provider, category) triples.

Timed (medians, wall clock and the process's CPU time, in process): `matching.match_needs`
on everything (5 per need); `partners.Registry` built from the lists;
`partners.suggest_partners` for 50 leads (each with two random partners as members, its own
themes and territory); and ours against the references of the tests
(`tests/test_matching.py` and `tests/test_partners.py`: every pair, networkx distances) with
the answers compared, on a dataset of the same shape with 2,000 entities. With
``--database``, a SQLite database of 100,000 actors (bulk_create) and the whole
`suggestions.partner_suggestions` selector.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np

ENTITIES = 100_000
NEEDS = 30_000
OFFERS = 30_000
REGIONS = 16
COMUNAS = 346
THEMES = 40
TIES_PER_ENTITY = 5
SERVED = 5_000
SUBSET = 2_000
LEADS = 50
SEED = 11
SECTORS = ("community", "public", "private", "third_sector", "academia", "international")
CATEGORIES = (
    "accounting",
    "labour_tax",
    "risk_prevention",
    "quality",
    "it",
    "legal",
    "communication",
    "premises",
    "purchasing",
    "other",
)
TARGET_MATCH_S = 30.0
TARGET_PARTNERS_MS = 200.0
SECTION_TITLE = "## Cooperation: service matching and partner suggestions"


def dataset(entities: int = ENTITIES, seed: int = SEED) -> dict[str, Any]:
    from tejido.cooperation.matching import Listing

    rng = np.random.default_rng(seed)
    # Territory ids: 1 the country, 2..17 the regions, then the comunas.
    comuna_region = np.sort(rng.integers(0, REGIONS, COMUNAS))
    comuna_region[:REGIONS] = np.arange(REGIONS)  # every region has comunas
    region_ids = 2 + np.arange(REGIONS)
    comuna_ids = 2 + REGIONS + np.arange(COMUNAS)
    comuna_path = [f"/1/{region_ids[r]}/{comuna_ids[c]}/" for c, r in enumerate(comuna_region)]
    region_path = [f"/1/{r}/" for r in region_ids]

    comuna = rng.integers(0, COMUNAS, entities)
    region = comuna_region[comuna]
    kind = rng.random(entities)
    paths = [
        comuna_path[c] if k < 0.90 else (region_path[r] if k < 0.97 else "")
        for c, r, k in zip(comuna.tolist(), region.tolist(), kind.tolist(), strict=True)
    ]
    ids = np.arange(1, entities + 1)
    sectors = [SECTORS[s] for s in rng.integers(0, len(SECTORS), entities).tolist()]
    counts = rng.integers(1, 5, entities)
    themes = [
        tuple(sorted(set((rng.integers(1, THEMES + 1, c)).tolist()))) for c in counts.tolist()
    ]

    # Ties: 60 % inside the region (the other end drawn among the region's entities).
    total = entities * TIES_PER_ENTITY
    source = rng.integers(0, entities, total)
    target = rng.integers(0, entities, total)
    local = rng.random(total) < 0.6
    by_region = np.argsort(region, kind="stable")
    starts = np.searchsorted(region[by_region], np.arange(REGIONS))
    ends = np.searchsorted(region[by_region], np.arange(REGIONS), side="right")
    r = region[source[local]]
    target[local] = by_region[
        starts[r] + (rng.random(int(local.sum())) * (ends[r] - starts[r])).astype(np.int64)
    ]
    keep = source != target
    ties = list(zip((ids[source[keep]]).tolist(), (ids[target[keep]]).tolist(), strict=True))

    def listings(count: int, start: int, offers: bool) -> list[Listing]:
        owner = rng.integers(0, entities, count)
        where = rng.random(count)
        other = rng.integers(0, COMUNAS, count)
        category = rng.integers(0, len(CATEGORIES), count)
        capacity = rng.integers(0, 4, count)
        limited = rng.random(count) < 0.2
        result = []
        for i in range(count):
            o = int(owner[i])
            w = where[i]
            if w < 0.70:
                path = paths[o]
            elif w < 0.85:
                path = region_path[region[o]]
            elif w < 0.95:
                path = ""
            else:
                same_region = np.flatnonzero(comuna_region == region[o])
                path = comuna_path[int(same_region[int(other[i]) % len(same_region)])]
            result.append(
                Listing(
                    start + i,
                    int(ids[o]),
                    CATEGORIES[int(category[i])],
                    path,
                    int(capacity[i]) if offers and limited[i] else None,
                )
            )
        return result

    needs = listings(NEEDS * entities // ENTITIES, 1, offers=False)
    offers = listings(OFFERS * entities // ENTITIES, 1_000_001, offers=True)
    served = {
        (
            int(ids[rng.integers(0, entities)]),
            int(ids[rng.integers(0, entities)]),
            CATEGORIES[int(rng.integers(0, len(CATEGORIES)))],
        )
        for _ in range(SERVED)
    }
    # A few served triples that really occur among the listings.
    for n, o in zip(needs[:500], offers[:500], strict=True):
        served.add((n.actor, o.actor, n.category))
    return {
        "ids": ids.tolist(),
        "sectors": sectors,
        "themes": themes,
        "paths": paths,
        "ties": ties,
        "needs": needs,
        "offers": offers,
        "served": served,
    }


CPU: dict[str, list[float]] = {}


def timed(function: Callable[[], Any], repeat: int, name: str = "") -> tuple[list[float], Any]:
    """Wall-clock times of `repeat` calls and the last result; the process's CPU times go
    to CPU[name] (the machine may be shared: CPU time is what a quiet machine would take)."""
    times, result = [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        CPU.setdefault(name, []).append(time.process_time() - cpu)
    return times, result


def measure(repeat: int, database: bool) -> dict[str, Any]:
    from tejido.cooperation import matching, partners
    from tejido.cooperation.tests import test_matching, test_partners

    began = time.perf_counter()
    data = dataset()
    row: dict[str, Any] = {"ties": len(data["ties"])}

    # Matching everything.
    times, found = timed(
        lambda: matching.match_needs(
            data["needs"], data["offers"], data["ties"], data["served"], per_need=5
        ),
        repeat,
        "match",
    )
    row["match_times"] = times
    row["matches"] = sum(len(m) for m in found.values())
    row["needs_matched"] = sum(1 for m in found.values() if m)

    # Partner suggestions.
    def build() -> partners.Registry:
        return partners.Registry(
            data["ids"], data["sectors"], data["themes"], data["paths"], data["ties"]
        )

    times, registry = timed(build, repeat, "registry")
    row["registry_times"] = times
    rng = np.random.default_rng(SEED + 1)
    leads = rng.choice(len(data["ids"]), LEADS, replace=False).tolist()
    calls = []
    for lead in leads:
        members = [data["ids"][lead], *rng.choice(data["ids"], 2).tolist()]
        calls.append(
            {
                "members": members,
                "theme_ids": list(data["themes"][lead]),
                "territory_path": data["paths"][lead],
                "sectors_wanted": [SECTORS[lead % len(SECTORS)]],
            }
        )

    def suggest(call: dict[str, Any]) -> Callable[[], Any]:
        return lambda: partners.suggest_partners(registry, **call)

    suggest(calls[0])()  # warm-up
    row["partner_times"] = [timed(suggest(call), 1, "partners")[0][0] for call in calls]

    # A smaller dataset of the same shape against the references.
    sub = dataset(SUBSET, seed=SEED + 2)
    needs, offers, ties, served = sub["needs"], sub["offers"], sub["ties"], sub["served"]

    def ours_small() -> Any:
        return matching.match_needs(needs, offers, ties, served, per_need=5)

    ours_times, ours = timed(ours_small, repeat)
    reference_times, reference = timed(
        lambda: test_matching.brute_force(needs, offers, ties, served, 5), 1
    )
    row["subset"] = {
        "needs": len(needs),
        "offers": len(offers),
        "ties": len(ties),
        "ours": statistics.median(ours_times),
        "reference": reference_times[0],
        "same": ours == reference,
    }
    entities = [
        partners.Entity(i, sub["sectors"][i - 1], sub["themes"][i - 1], sub["paths"][i - 1])
        for i in sub["ids"]
    ]
    small_registry = partners.Registry.from_entities(entities, ties)
    same = True
    ours_total = reference_total = 0.0
    for lead in range(1, SUBSET + 1, SUBSET // LEADS):
        call = {
            "members": [lead, lead + 1],
            "sectors_wanted": [SECTORS[lead % len(SECTORS)]],
            "theme_ids": list(sub["themes"][lead - 1]),
            "territory_path": sub["paths"][lead - 1],
            "limit": 10,
        }
        start = time.perf_counter()
        mine = partners.suggest_partners(small_registry, **call)
        ours_total += time.perf_counter() - start
        start = time.perf_counter()
        expected = test_partners.brute_force(entities, ties, **call)
        reference_total += time.perf_counter() - start
        same &= mine == expected
    row["subset_partners"] = {
        "calls": LEADS,
        "ours": ours_total / LEADS,
        "reference": reference_total / LEADS,
        "same": same,
    }
    if database:
        row["database"] = measure_database(data)
    row["whole_s"] = time.perf_counter() - began
    row["cpu"] = {name: statistics.median(times) for name, times in CPU.items()}
    return row


def measure_database(data: dict[str, Any]) -> dict[str, Any]:
    """The whole selector on a throwaway SQLite database of 100,000 actors."""
    import tempfile

    os.environ["TEJIDO_BENCH_DATA"] = tempfile.mkdtemp(prefix="tejido-coop-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tejido.actors.models import Actor, ActorKind
    from tejido.cooperation import suggestions
    from tejido.core.models import Program, Territory, Theme
    from tejido.network.models import Tie

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    program = Program.objects.create(name="Bench", slug="bench-coop")
    territories: dict[str, Territory] = {}
    for path in sorted({p for p in data["paths"] if p}, key=lambda p: (p.count("/"), p)):
        parts = path.strip("/").split("/")
        parent = territories.get("/" + "/".join(parts[:-1]) + "/") if len(parts) > 1 else None
        if parent is None and len(parts) > 1:
            parent = Territory.objects.create(name="Chile", slug="bench-1", level=0, path="/1/")
            territories["/1/"] = parent
        territory = Territory.objects.create(
            name=f"T{parts[-1]}",
            slug=f"bench-{parts[-1]}",
            level=len(parts) - 1,
            parent=parent,
            path="",
        )
        territory.path = f"{parent.path if parent else '/'}{territory.pk}/"
        territory.save(update_fields=["path"])
        territories[path] = territory
    themes = Theme.objects.bulk_create(
        [Theme(name=f"Tema {i}", slug=f"bench-tema-{i}") for i in range(1, THEMES + 1)]
    )
    actors = Actor.objects.bulk_create(
        [
            Actor(
                program=program,
                kind=ActorKind.ORGANIZATION,
                name=f"Org {i}",
                sector=sector,
                territory=territories.get(path),
            )
            for i, sector, path in zip(data["ids"], data["sectors"], data["paths"], strict=True)
        ],
        batch_size=5_000,
    )
    through = Actor.themes.through
    through.objects.bulk_create(
        [
            through(actor_id=actor.pk, theme_id=themes[t - 1].pk)
            for actor, row in zip(actors, data["themes"], strict=True)
            for t in row
        ],
        batch_size=10_000,
    )
    seen = set()
    rows = []
    for a, b in data["ties"]:
        u, v = sorted((actors[a - 1].pk, actors[b - 1].pk))
        if (u, v) not in seen:
            seen.add((u, v))
            rows.append(Tie(program=program, source_id=u, target_id=v, tie_type="collaboration"))
    Tie.objects.bulk_create(rows, batch_size=10_000)
    build_s = time.perf_counter() - start

    # The first call builds the program's registry and caches it; the others find it there,
    # as every call does until a tie, an actor or a theme changes.
    times, queries = [], []
    for actor in actors[:: len(actors) // 20][:20]:
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            suggestions.partner_suggestions(
                program,
                members=[actor.pk],
                territory=territories.get(data["paths"][0]) or None,
            )
            times.append(time.perf_counter() - begin)
        queries.append(len(captured))
    return {
        "build_s": build_s,
        "cold": times[0],
        "cold_queries": queries[0],
        "times": times[1:],
        "queries": queries[-1],
    }


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def section(row: dict[str, Any], repeat: int) -> str:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("numpy", "scipy"))
    match = statistics.median(row["match_times"])
    registry = statistics.median(row["registry_times"])
    partner = statistics.median(row["partner_times"])
    subset, subset_p = row["subset"], row["subset_partners"]
    load = os.getloadavg()[0]
    lines = [
        SECTION_TITLE,
        "",
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}, {versions}; load average {load:.1f} at the end (other"
        f" work shared the machine). `python -m benchmarks.cooperation_matching` (seed {SEED};"
        f" {ENTITIES:,} entities in {COMUNAS} comunas of {REGIONS} regions, {row['ties']:,}"
        f" ties, {NEEDS:,} needs and {OFFERS:,} offers over {len(CATEGORIES)} categories;"
        f" medians of {repeat} runs, partner suggestions over {LEADS} leads).",
        "",
        "| what | median | CPU time (median) | runs | target |",
        "| --- | ---: | ---: | --- | --- |",
        f"| `matching.match_needs`, all needs × all offers (5 per need) | {fmt(match)} |"
        f" {fmt(row['cpu']['match'])} |"
        f" {', '.join(fmt(t) for t in row['match_times'])} | < {TARGET_MATCH_S:.0f} s:"
        f" {'met' if match < TARGET_MATCH_S else 'MISSED'} |",
        f"| `partners.Registry` built from the lists | {fmt(registry)} |"
        f" {fmt(row['cpu']['registry'])} |"
        f" {', '.join(fmt(t) for t in row['registry_times'])} | |",
        f"| `partners.suggest_partners`, one lead | {partner * 1000:.1f} ms |"
        f" {row['cpu']['partners'] * 1000:.1f} ms |"
        f" max {max(row['partner_times']) * 1000:.1f} ms | < {TARGET_PARTNERS_MS:.0f} ms:"
        f" {'met' if partner * 1000 < TARGET_PARTNERS_MS else 'MISSED'} |",
    ]
    if "database" in row:
        db = row["database"]
        warm = statistics.median(db["times"])
        verdict = "met" if warm * 1000 < TARGET_PARTNERS_MS else "MISSED"
        lines += [
            f"| `suggestions.partner_suggestions`, registry cached (SQLite, {ENTITIES:,}"
            f" actors) | {fmt(warm)} | | {db['queries']} queries, max {fmt(max(db['times']))} |"
            f" < {TARGET_PARTNERS_MS:.0f} ms: {verdict} |",
            f"| the same, first call after a change (builds the registry) | {fmt(db['cold'])} |"
            f" | {db['cold_queries']} queries | |",
        ]
    lines += [
        "",
        "The targets are judged on the wall-clock median; the CPU time of the process is"
        " given too, since the machine was shared (with a load above the number of cores,"
        " wall time is several times the CPU time).",
        "",
        f"{row['matches']:,} matches for {row['needs_matched']:,} of the needs.",
        "",
        f"Against the plain references of the tests, on a dataset of the same shape with"
        f" {SUBSET:,} entities (seed {SEED + 2}):",
        "",
        "| what | ours | reference | ratio | same answer |",
        "| --- | ---: | ---: | ---: | :---: |",
        f"| matching ({subset['needs']:,} needs, {subset['offers']:,} offers,"
        f" {subset['ties']:,} ties; every pair, networkx distances) | {fmt(subset['ours'])} |"
        f" {fmt(subset['reference'])} | {subset['reference'] / subset['ours']:.0f}× |"
        f" {'yes' if subset['same'] else 'NO'} |",
        f"| partner suggestions, one lead (mean of {subset_p['calls']}) |"
        f" {subset_p['ours'] * 1000:.2f} ms | {subset_p['reference'] * 1000:.2f} ms |"
        f" {subset_p['reference'] / subset_p['ours']:.0f}× |"
        f" {'yes' if subset_p['same'] else 'NO'} |",
        "",
        f"Whole run {row['whole_s']:.0f} s.",
        "",
        "Reproduce with `uv run python -m benchmarks.cooperation_matching` (prints it;"
        " `--write` updates this section, `--database` adds the selector on a throwaway"
        " SQLite database, about ten more minutes).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", action="store_true", help="also the selector on SQLite")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    row = measure(args.repeat, args.database)
    text = section(row, args.repeat)
    print(text)
    if args.write:
        from benchmarks.sections import write_section

        write_section(text)


if __name__ == "__main__":
    main()
