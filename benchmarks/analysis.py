"""Benchmark of the network analysis: the full indicator set and the weaving opportunities.

    python -m benchmarks.run --only analysis            # every size, writes BENCHMARKS.md
    python -m benchmarks.analysis --sizes 1000,5000     # a quick look, prints the table

No database: each size is a synthetic network built in memory like `tejido demo --scale N`
(about five ties per actor, so an average of about ten partners: most ties inside a
neighbourhood of ~100 actors, some across the comuna of ~1,000, some to actors of the same
sector anywhere, a few at random, and a municipal office per comuna gathering linking ties;
funding ties are directed). Each size runs in its own process, so that its peak memory
(`ru_maxrss` of that process: building the network plus the analysis) is its own.

networkx computes the same per-actor and per-network set in another process, with a 10-minute
limit: degree, strength, two-step reach, betweenness (sampled from as many sources as ours when
ours is sampled), effective size, constraint, Louvain communities, core numbers, articulation
points, bridges, transitivity and the average distance of the largest component (sampled like
ours above its limit). networkx has no brokerage roles nor bonding/bridging/linking mix, so it
does less than `analyze`: the speed-ups are if anything understated.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "benchmarks" / "BENCHMARKS.md"
SIZES = (1_000, 5_000, 10_000, 100_000, 1_000_000)
TIES_PER_ACTOR = 5.0
SEED = 1
NETWORKX_TIMEOUT_S = 600.0
# Timed repeats of `analyze` and of the suggestions: the median is reported.
REPEAT_SMALL, SMALL_LIMIT = 3, 10_000

TARGET_SPEEDUP_AT = 5_000
TARGET_SPEEDUP = 30.0
TARGET_SECONDS = {100_000: 15.0, 1_000_000: 180.0}
TARGET_PEAK_GB = {1_000_000: 12.0}

SECTION_TITLE = "## Network analysis"
# The section in BENCHMARKS.md: from its title up to the next section or the end.
SECTION = re.compile(rf"^{re.escape(SECTION_TITLE)}\n.*?(?=^## |\Z)", re.S | re.M)
SECTORS = ("community", "third_sector", "private", "public", "academia", "international")
SECTOR_SHARES = (0.45, 0.2, 0.12, 0.08, 0.08, 0.07)
NEIGHBOURHOOD = 100  # actors per neighbourhood (the territory of an actor)
COMUNA = 10  # neighbourhoods per comuna


# --- the synthetic network -----------------------------------------------------------------


def generate(n: int, seed: int = SEED) -> Any:
    """A GraphInput like `tejido demo --scale n`, built with numpy in seconds."""
    from tejido.network.analysis import GraphInput

    rng = np.random.default_rng(seed)
    sector = rng.choice(len(SECTORS), size=n, p=SECTOR_SHARES)
    neighbourhood = np.arange(n) // NEIGHBOURHOOD
    comuna = neighbourhood // COMUNA
    comuna_start = comuna * NEIGHBOURHOOD * COMUNA
    comuna_size = np.minimum(NEIGHBOURHOOD * COMUNA, n - comuna_start)
    hood_start = neighbourhood * NEIGHBOURHOOD
    hood_size = np.minimum(NEIGHBOURHOOD, n - hood_start)
    # The first actor of each comuna is its municipal office: public, and a hub.
    office = comuna_start
    sector[np.unique(office)] = SECTORS.index("public")

    # Lognormal activity with a mean of about TIES_PER_ACTOR.
    wanted = np.maximum(1, np.rint(rng.lognormal(math.log(TIES_PER_ACTOR) - 0.3, 0.8, n)))
    source = np.repeat(np.arange(n), wanted.astype(np.int64))
    m = len(source)
    roll = rng.random(m)
    target = np.empty(m, dtype=np.int64)
    pick = rng.random(m)
    near = roll < 0.62
    target[near] = hood_start[source[near]] + (pick[near] * hood_size[source[near]]).astype(int)
    in_comuna = (roll >= 0.62) & (roll < 0.77)
    target[in_comuna] = comuna_start[source[in_comuna]] + (
        pick[in_comuna] * comuna_size[source[in_comuna]]
    ).astype(int)
    # Same sector anywhere (standing in for a shared theme).
    same = (roll >= 0.77) & (roll < 0.87)
    by_sector = np.argsort(sector, kind="stable")
    starts = np.searchsorted(sector[by_sector], np.arange(len(SECTORS)))
    counts = np.bincount(sector, minlength=len(SECTORS))
    s = sector[source[same]]
    target[same] = by_sector[starts[s] + (pick[same] * counts[s]).astype(int)]
    anywhere = (roll >= 0.87) & (roll < 0.92)
    target[anywhere] = (pick[anywhere] * n).astype(int)
    hub = roll >= 0.92
    target[hub] = office[source[hub]]

    keep = source != target
    source, target = source[keep], target[keep]
    lo, hi = np.minimum(source, target), np.maximum(source, target)
    _, first = np.unique(lo * n + hi, return_index=True)
    source, target = source[first], target[first]
    m = len(source)
    # Funding from public and private actors to community ones has a direction.
    funders = np.isin(sector, [SECTORS.index("public"), SECTORS.index("private")])
    community = sector == SECTORS.index("community")
    directed = np.zeros(m, dtype=bool)
    funding = funders[source] & community[target] & (rng.random(m) < 0.5)
    directed[funding] = True
    reverse = funders[target] & community[source] & (rng.random(m) < 0.5)
    directed[reverse] = True
    source[reverse], target[reverse] = target[reverse], source[reverse].copy()
    linking = funders & (sector == SECTORS.index("public"))
    return GraphInput(
        node_ids=range(n),
        sources=source,
        targets=target,
        weights=rng.integers(1, 6, m).astype(np.float64),
        directed=directed,
        sectors=[SECTORS[i] for i in sector.tolist()],
        territories=neighbourhood.tolist(),
        linking=linking,
    )


# --- one size, in its own process ------------------------------------------------------------


def _peak_gb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def measure_ours(n: int) -> dict[str, Any]:
    from tejido.network.analysis import analyze

    started = time.perf_counter()
    graph = generate(n)
    built = time.perf_counter() - started
    repeat = REPEAT_SMALL if n <= SMALL_LIMIT else 1
    times, steps = [], {}
    result = None
    for _ in range(repeat):
        marks: list[tuple[float, str]] = []

        def mark(_percent: int, step: str, marks: list[tuple[float, str]] = marks) -> None:
            marks.append((time.perf_counter(), step))

        t0 = time.perf_counter()
        result = analyze(graph, progress=mark)
        times.append(time.perf_counter() - t0)
        steps = {step: round(marks[i + 1][0] - at, 3) for i, (at, step) in enumerate(marks[:-1])}
    assert result is not None
    out: dict[str, Any] = {
        "n": n,
        "ties": int(result.network.ties),
        "directed_ties": int(np.count_nonzero(graph.directed)),
        "build_s": built,
        "analyze_s": statistics.median(times),
        "analyze_runs": times,
        "steps_s": steps,
        "betweenness_samples": result.betweenness_samples,
        "betweenness_error": result.betweenness_error,
        "betweenness_top_error": result.betweenness_top_error,
        "average_distance_sampled": result.network.average_distance_sampled,
        "network": result.network.as_dict() | {"bridges": len(result.network.bridges)},
    }
    out["suggestions_s"], out["suggestions"] = _suggestions(graph, result, repeat)
    out["peak_gb"] = _peak_gb()
    return out


def _suggestions(graph: Any, result: Any, repeat: int) -> tuple[float, int]:
    from tejido.network.weaving import suggest_introductions

    times = []
    count = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        count = len(suggest_introductions(graph, result))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), count


def measure_networkx(n: int, samples: int | None, distance_sources: int | None) -> dict[str, Any]:
    """networkx computing the same set; `samples` sources for betweenness when ours samples."""
    import networkx as nx

    graph = generate(n)
    started = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    pairs: dict[tuple[int, int], float] = {}
    for a, b, w in zip(
        graph.sources.tolist(), graph.targets.tolist(), graph.weights.tolist(), strict=True
    ):
        key = (a, b) if a < b else (b, a)
        pairs[key] = max(w, pairs.get(key, 0.0))
    g.add_weighted_edges_from((a, b, w) for (a, b), w in pairs.items())
    timings: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        value = fn()
        timings[name] = time.perf_counter() - t0
        return value

    timed("degree", lambda: dict(g.degree()))
    timed("strength", lambda: dict(g.degree(weight="weight")))
    timed(
        "two_step_reach",
        lambda: {v: len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1 for v in g},
    )
    timed(
        "betweenness",
        lambda: (
            nx.betweenness_centrality(g, k=samples, seed=SEED)
            if samples
            else nx.betweenness_centrality(g)
        ),
    )
    timed("effective_size", lambda: nx.effective_size(g))
    timed("constraint", lambda: nx.constraint(g, weight="weight"))
    timed("louvain", lambda: nx.community.louvain_communities(g, weight="weight", seed=SEED))
    timed("core_number", lambda: nx.core_number(g))
    timed("articulation_points", lambda: list(nx.articulation_points(g)))
    timed("bridges", lambda: list(nx.bridges(g)))
    timed("transitivity", lambda: nx.transitivity(g))

    def average_distance() -> float:
        largest = g.subgraph(max(nx.connected_components(g), key=len))
        if not distance_sources:
            return float(nx.average_shortest_path_length(largest))
        rng = np.random.default_rng(SEED)
        nodes = list(largest)
        chosen = rng.choice(len(nodes), size=distance_sources, replace=False)
        total = sum(
            sum(nx.single_source_shortest_path_length(largest, nodes[i]).values()) for i in chosen
        )
        return total / (distance_sources * (len(nodes) - 1))

    timed("average_distance", average_distance)
    return {
        "n": n,
        "seconds": time.perf_counter() - started,
        "steps_s": {k: round(v, 3) for k, v in timings.items()},
        "peak_gb": _peak_gb(),
    }


def _child(kind: str, n: int, extra: list[str], timeout: float | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.analysis", "--child", kind, "--sizes", str(n)]
    command += extra
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"problem": f"did not finish in {(timeout or 0) / 60:.0f} min"}
    if done.returncode != 0:
        return {"problem": f"failed: {done.stderr.strip().splitlines()[-1:]}"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(sizes: list[int], *, networkx: bool = True, log: Any = print) -> dict[str, Any]:
    started = time.perf_counter()
    rows = []
    skip_networkx_from: int | None = None
    for n in sizes:
        log(f"analysis: {n:,} actors")
        ours = _child("ours", n, [], None)
        theirs: dict[str, Any] = {"problem": "not run"}
        if networkx and "problem" not in ours:
            if skip_networkx_from is not None:
                theirs = {"problem": f"not run: did not finish in 10 min at {skip_networkx_from:,}"}
            else:
                extra = []
                if ours.get("betweenness_samples"):
                    extra += ["--samples", str(ours["betweenness_samples"])]
                if ours.get("average_distance_sampled"):
                    # Ours comes from the sampled betweenness sources: as many for networkx.
                    extra += ["--distance-sources", str(ours["betweenness_samples"])]
                log(f"analysis: networkx, {n:,} actors (at most 10 minutes)")
                theirs = _child("networkx", n, extra, NETWORKX_TIMEOUT_S)
                if "problem" in theirs and theirs["problem"].startswith("did not finish"):
                    skip_networkx_from = n
        rows.append({"ours": ours, "networkx": theirs})
        log(f"analysis: {json.dumps(rows[-1])}")
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "machine": _machine(),
        "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
    }


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    with contextlib.suppress(OSError):
        load = f"; load average at the end {os.getloadavg()[0]:.1f}"
    import igraph
    import networkx

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"igraph {igraph.__version__}, networkx {networkx.__version__}, numpy "
        f"{np.__version__}{load}"
    )


# --- the report ------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def render(report: dict[str, Any]) -> str:
    rows = report["rows"]
    lines = [
        SECTION_TITLE,
        "",
        "`tejido.network.analysis.analyze` (every per-actor and per-network indicator) and "
        "`tejido.network.weaving.suggest_introductions` on synthetic networks built like "
        "`tejido demo --scale N` (about five ties per actor: ten partners on average; a "
        "tenth of them directed), against networkx computing the same set in another process "
        "with a 10-minute limit (see `benchmarks/analysis.py`). Each size runs in its own "
        "process; *peak memory* is that process's maximum resident size (building the "
        "network, the analysis and the suggestions). Times are medians of "
        f"{REPEAT_SMALL} runs up to {SMALL_LIMIT:,} actors, one run above.",
        "",
        f"- Machine: {report['machine']}",
        f"- Date: {report['date']}; whole run {report['seconds'] / 60:.1f} minutes",
        "",
        "| Actors | Ties | `analyze` | Suggestions | Peak memory | networkx | Speed-up | "
        "Betweenness | Target | Pass |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|:---:|",
    ]
    notes = []
    for row in rows:
        ours, theirs = row["ours"], row["networkx"]
        if "problem" in ours:
            lines.append(
                f"| {ours.get('n', '?')} | — | — | — | — | — | — | — | — | ✗ {ours['problem']} |"
            )
            continue
        n = ours["n"]
        speedup, at_least = None, ""
        if "seconds" in theirs:
            speedup = theirs["seconds"] / ours["analyze_s"]
            nx_cell = _seconds(theirs["seconds"])
        else:
            nx_cell = theirs["problem"]
            if theirs["problem"].startswith("did not finish"):
                # networkx needed more than the limit: the speed-up is at least this.
                speedup, at_least = NETWORKX_TIMEOUT_S / ours["analyze_s"], "> "
        if ours["betweenness_samples"]:
            between = (
                f"sampled, {ours['betweenness_samples']} sources, ε ≤ "
                f"{ours['betweenness_error']:.3f}"
            )
            if ours.get("betweenness_top_error") is not None:
                between += f", main brokers ±{ours['betweenness_top_error']:.0%}"
        else:
            between = "exact"
        targets, passed = [], True
        if n == TARGET_SPEEDUP_AT:
            targets.append(f"≥ {TARGET_SPEEDUP:.0f}× networkx")
            passed &= speedup is not None and speedup >= TARGET_SPEEDUP
        if n in TARGET_SECONDS:
            targets.append(f"< {_seconds(TARGET_SECONDS[n])}")
            passed &= ours["analyze_s"] < TARGET_SECONDS[n]
        if n in TARGET_PEAK_GB:
            targets.append(f"< {TARGET_PEAK_GB[n]:.0f} GB")
            passed &= ours["peak_gb"] < TARGET_PEAK_GB[n]
        suggestions = (
            f"{_seconds(ours['suggestions_s'])} ({ours['suggestions']:,})"
            if ours.get("suggestions_s") is not None
            else "—"
        )
        lines.append(
            f"| {n:,} | {ours['ties']:,} | {_seconds(ours['analyze_s'])} | {suggestions} | "
            f"{ours['peak_gb']:.2f} GB | {nx_cell} | "
            f"{'—' if speedup is None else f'{at_least}{speedup:.0f}×'} | {between} | "
            f"{', '.join(targets) or '—'} | {('✓' if passed else '✗') if targets else ''} |"
        )
        steps = ", ".join(f"{k} {_seconds(v)}" for k, v in ours["steps_s"].items())
        note = f"- {n:,} actors: `analyze` by step: {steps}."
        if "steps_s" in theirs:
            nx_steps = ", ".join(f"{k} {_seconds(v)}" for k, v in theirs["steps_s"].items())
            note += f" networkx ({theirs['peak_gb']:.2f} GB peak): {nx_steps}."
        notes.append(note)
    lines += [
        "",
        "Suggestions: time of `suggest_introductions` after the analysis (number of "
        "suggestions in brackets). Betweenness is exact up to 20,000 actors and estimated "
        "above from a sample of sources; ε bounds the absolute error of every normalized "
        "value at once with 95% confidence (Hoeffding and a union bound, see "
        "`tejido/network/analysis.py`); ± is the typical relative error of the ten highest "
        "values (95% confidence intervals from the spread of batches of sources). networkx "
        "samples as many sources when ours is sampled, and its average distance uses as many "
        "sources as ours.",
        "",
        *notes,
        "",
        "Reproduce with `uv run python -m benchmarks.run --only analysis` (all sizes, updates "
        "this section) or `uv run python -m benchmarks.analysis --sizes 1000,5000` (prints it).",
        "",
    ]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """The report with the network analysis section replaced (or appended)."""
    if SECTION.search(text):
        return SECTION.sub(lambda _m: section.rstrip("\n") + "\n\n", text, count=1)
    return text.rstrip("\n") + "\n\n" + section


def keep_section(previous: str, text: str) -> str:
    """A newly rendered report keeping the network analysis section of the previous one."""
    found = SECTION.search(previous)
    if not found or SECTION_TITLE in text:
        return text
    return text.rstrip("\n") + "\n\n" + found.group(0).rstrip("\n") + "\n"


def write_report(report: dict[str, Any], path: Path = REPORT) -> None:
    previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(previous, render(report)), encoding="utf-8")


def run_and_write(path: Path = REPORT, *, log: Any = print) -> int:
    """Every size, then the section of the report; 1 when a size could not be measured."""
    report = run(list(SIZES), log=log)
    (ROOT / "benchmarks" / ".data").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / ".data" / "analysis.json").write_text(json.dumps(report, indent=1))
    section = render(report)
    print(section)
    write_report(report, path)
    log(f"Wrote the network analysis section of {path.name}")
    return 1 if any("problem" in row["ours"] for row in report["rows"]) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analysis")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="update BENCHMARKS.md and save the run"
    )
    parser.add_argument("--from-json", help="render (and --write) a saved run again")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace these sizes in the saved run (benchmarks/.data/analysis.json)",
    )
    parser.add_argument("--child", choices=("ours", "networkx"), help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--distance-sources", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.child == "ours":
        print(json.dumps(measure_ours(sizes[0])))
        return 0
    if args.child == "networkx":
        print(json.dumps(measure_networkx(sizes[0], args.samples, args.distance_sources)))
        return 0
    if args.from_json:
        report = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        print(render(report))
        if args.write:
            write_report(report)
        return 0
    report = run(sizes, networkx=not args.no_networkx, log=lambda m: print(m, file=sys.stderr))
    saved = ROOT / "benchmarks" / ".data" / "analysis.json"
    if args.merge and saved.exists():
        previous = json.loads(saved.read_text(encoding="utf-8"))
        fresh = {row["ours"].get("n"): row for row in report["rows"]}
        rows = []
        for row in previous["rows"]:
            new = fresh.pop(row["ours"].get("n"), None)
            if new is not None and new["networkx"].get("problem") == "not run":
                new["networkx"] = row["networkx"]  # networkx was not run again: keep it
            rows.append(new or row)
        rows += fresh.values()
        rows.sort(key=lambda row: row["ours"].get("n", 0))
        report["rows"] = rows
        report["seconds"] += previous["seconds"]
    if args.write or args.merge:
        # A quick look (neither) keeps the saved run that --merge and --from-json use.
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(report, indent=1))
    print(render(report))
    if args.write:
        write_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
