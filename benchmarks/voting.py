"""Benchmark of the vote count: 10,000 ballots with every method, against pref_voting.

    python -m benchmarks.run --only voting          # writes its section of BENCHMARKS.md
    python -m benchmarks.voting                     # a quick look: prints the section
    python -m benchmarks.voting --write --repeat 9  # updates BENCHMARKS.md

No database and no Django (`voting` is pure Python): the ballots are random (seeded) and
counted in process. Our time is
`tejido.governance.voting.count` on the raw ballots, which checks every ballot with
`validate_ballot` before counting. pref_voting's time is its method on a profile already built
from the same ballots (building the profile is not timed), so the comparison favours
pref_voting. Both are the median of `--repeat` runs after one warm-up run. The winner sets
(before any tie-break) are compared too: a benchmark that counted differently would be
meaningless. Motions (majority, qualified, consent) have no pref_voting counterpart.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "benchmarks" / "BENCHMARKS.md"
BALLOTS = 10_000
OPTIONS = 8
DOTS = 5
SCORE_MAX = 5
SEED = 1
REPEAT = 7
LOT_SEED = "benchmark"
TARGET_S = 1.0

SECTION_TITLE = "## Vote counting"
SECTION = re.compile(rf"^{re.escape(SECTION_TITLE)}\n.*?(?=^## |\Z)", re.S | re.M)


# --- the ballots ---------------------------------------------------------------------------------


def ballots_for(method: str, options: int, count: int, rng: random.Random) -> list[Any]:
    """Random ballots in the shape `voting.count` takes (and JSON would store: str keys)."""
    if method in ("majority", "qualified", "consent"):
        return [rng.choices((0, 1, 2), weights=(5, 3, 2))[0] for _ in range(count)]
    if method == "plurality":
        return [rng.randrange(options) for _ in range(count)]
    if method == "approval":
        return [sorted(rng.sample(range(options), rng.randint(1, options))) for _ in range(count)]
    if method in ("borda", "irv"):
        return [rng.sample(range(options), options) for _ in range(count)]
    if method == "cumulative":
        ballots = []
        for _ in range(count):
            points: dict[str, int] = {}
            for _dot in range(DOTS):
                key = str(rng.randrange(options))
                points[key] = points.get(key, 0) + 1
            ballots.append(points)
        return ballots
    return [{str(o): rng.randint(0, SCORE_MAX) for o in range(options)} for _ in range(count)]


def truncated_rankings(options: int, count: int, rng: random.Random) -> list[list[int]]:
    return [rng.sample(range(options), rng.randint(1, options)) for _ in range(count)]


# --- pref_voting on the same ballots -----------------------------------------------------------


def reference(method: str, options: int, ballots: list[Any]) -> tuple[str, Callable[[], Any]]:
    """pref_voting's function name and a call counting the ballots (profile built here)."""
    from pref_voting.grade_methods import approval, cumulative_voting, score_voting
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.iterative_methods import instant_runoff_tb
    from pref_voting.profiles import Profile
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import plurality

    candidates = list(range(options))
    if method == "plurality":
        profile = Profile([[b, *(c for c in candidates if c != b)] for b in ballots])
        return "plurality", lambda: plurality(profile)
    if method == "borda":
        from pref_voting.scoring_methods import borda

        ranked = Profile(ballots)
        return "borda", lambda: borda(ranked)
    if method == "irv":
        from tejido.governance.voting import lot_order

        # pref_voting eliminates tie_breaker[0] first; our lot eliminates the last drawn.
        tie_breaker = list(reversed(lot_order(LOT_SEED, candidates)))
        if all(len(b) == options for b in ballots):
            full = Profile(ballots)
            return "instant_runoff_tb", lambda: instant_runoff_tb(full, tie_breaker=tie_breaker)
        partial = ProfileWithTies(
            [{c: r for r, c in enumerate(b, start=1)} for b in ballots], candidates=candidates
        )
        return "instant_runoff_tb", lambda: instant_runoff_tb(partial, tie_breaker=tie_breaker)
    if method == "approval":
        grades = GradeProfile(
            [{c: int(c in b) for c in candidates} for b in ballots], [0, 1], candidates=candidates
        )
        return "approval", lambda: approval(grades)
    if method == "score":
        scored = GradeProfile(
            [{int(k): v for k, v in b.items()} for b in ballots],
            list(range(SCORE_MAX + 1)),
            candidates=candidates,
        )
        return "score_voting", lambda: score_voting(scored, ungraded_score=0)
    if method == "cumulative":
        dots = GradeProfile(
            [{c: b.get(str(c), 0) for c in candidates} for b in ballots],
            list(range(DOTS + 1)),
            candidates=candidates,
        )
        return "cumulative_voting", lambda: cumulative_voting(dots, max_total_grades=DOTS)
    raise KeyError(method)


# --- measuring ---------------------------------------------------------------------------------


def _median_seconds(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = call()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def cases() -> list[tuple[str, str, int, Callable[[random.Random], list[Any]]]]:
    """(method, description, options, ballots) for every row of the table."""
    from tejido.governance import voting

    rows: list[tuple[str, str, int, Callable[[random.Random], list[Any]]]] = []
    for method in voting.METHODS:
        options = 3 if method in voting.MOTION_METHODS else OPTIONS

        def make(rng: random.Random, method: str = method, options: int = options) -> list[Any]:
            return ballots_for(method, options, BALLOTS, rng)

        rows.append((method, "", options, make))
    rows.append(
        (
            "irv",
            "truncated rankings, 20 options",
            20,
            lambda rng: truncated_rankings(20, BALLOTS, rng),
        )
    )
    rows.append(
        (
            "borda",
            "truncated rankings, 20 options",
            20,
            lambda rng: truncated_rankings(20, BALLOTS, rng),
        )
    )
    return rows


def measure(repeat: int = REPEAT, *, reference_library: bool = True, log: Any = print) -> dict:
    from tejido.governance import voting

    started = time.perf_counter()
    rows = []
    for method, description, options, make in cases():
        rng = random.Random(f"{SEED}-{method}-{options}")
        ballots = make(rng)

        def ours(method: str = method, options: int = options, ballots: list = ballots) -> Any:
            return voting.count(
                method,
                options,
                ballots,
                threshold=2 / 3,
                dots=DOTS,
                score_max=SCORE_MAX,
                seed=LOT_SEED,
            )

        ours_s, counted = _median_seconds(ours, repeat)
        row: dict[str, Any] = {
            "method": method,
            "description": description,
            "options": options,
            "ballots": len(ballots),
            "ours_s": ours_s,
            "winners": counted.tied_winners,
        }
        if reference_library and method not in voting.MOTION_METHODS:
            if method == "borda" and description:
                name, call = _domination_borda(options, ballots)
            else:
                name, call = reference(method, options, ballots)
            theirs_s, winners = _median_seconds(call, repeat)
            mine = [counted.winner] if method == "irv" else counted.tied_winners
            row.update(
                reference=name,
                reference_s=theirs_s,
                same_winners=[int(w) for w in winners] == mine,
            )
        row["passed"] = ours_s < TARGET_S and row.get("same_winners", True)
        log(
            f"  {method} {description}: {ours_s * 1000:.1f} ms"
            + (f", pref_voting {row['reference_s'] * 1000:.1f} ms" if "reference_s" in row else "")
        )
        rows.append(row)
    return {
        "rows": rows,
        "repeat": repeat,
        "seconds": time.perf_counter() - started,
        "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": _machine(),
    }


def _domination_borda(options: int, ballots: list[list[int]]) -> tuple[str, Callable[[], Any]]:
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import borda_for_profile_with_ties, domination_borda_scores

    profile = ProfileWithTies(
        [{c: r for r, c in enumerate(b, start=1)} for b in ballots],
        candidates=list(range(options)),
    )
    return "borda_for_profile_with_ties (domination)", lambda: borda_for_profile_with_ties(
        profile, borda_scores=domination_borda_scores
    )


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ""
    with contextlib.suppress(OSError):
        load = f"; load average at the end {os.getloadavg()[0]:.1f}"
    try:
        version = metadata.version("pref_voting")
    except metadata.PackageNotFoundError:
        version = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"pref_voting {version}{load}"
    )


# --- the report --------------------------------------------------------------------------------


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def render(report: dict) -> str:
    rows = report["rows"]
    passed = sum(1 for r in rows if r["passed"])
    lines = [
        SECTION_TITLE,
        "",
        f"`tejido.governance.voting.count` on {BALLOTS:,} random ballots (seeded) per method, "
        "against pref_voting on the same ballots in the same run (see `benchmarks/voting.py`). "
        "Our time includes checking every ballot (`validate_ballot`); pref_voting's is its "
        "method on a profile already built from the ballots. Medians of "
        f"{report['repeat']} runs after a warm-up. *Same winners*: the tied winners (IRV: the "
        "winner with the same tie-breaking order) agree with pref_voting's.",
        "",
        f"- Machine: {report['machine']}",
        f"- Date: {report['date']}; whole run {report['seconds']:.1f} s",
        f"- {passed} of {len(rows)} counts meet the target.",
        "",
        "| Method | Ballots | Options | Ours (median) | pref_voting (median) | pref_voting "
        "function | Same winners | Target | Pass |",
        "|---|---:|---:|---:|---:|---|:---:|---|:---:|",
    ]
    for r in rows:
        name = r["method"] + (f" ({r['description']})" if r["description"] else "")
        same = "—" if "same_winners" not in r else ("✓" if r["same_winners"] else "✗")
        lines.append(
            f"| {name} | {r['ballots']:,} | {r['options']} | {_time(r['ours_s'])} | "
            f"{_time(r.get('reference_s'))} | {r.get('reference', 'no counterpart')} | {same} | "
            f"< {TARGET_S:.0f} s | {'✓' if r['passed'] else '✗'} |"
        )
    lines += [
        "",
        "Reproduce with `uv run python -m benchmarks.run --only voting` (updates this section) "
        "or `uv run python -m benchmarks.voting` (prints it).",
        "",
    ]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """The report with the vote counting section replaced (or appended)."""
    if SECTION.search(text):
        return SECTION.sub(lambda _m: section.rstrip("\n") + "\n\n", text, count=1)
    return text.rstrip("\n") + "\n\n" + section


def keep_section(previous: str, text: str) -> str:
    """A newly rendered report keeping the vote counting section of the previous one."""
    found = SECTION.search(previous)
    if not found or SECTION_TITLE in text:
        return text
    return text.rstrip("\n") + "\n\n" + found.group(0).rstrip("\n") + "\n"


def write_report(report: dict, path: Path = REPORT) -> None:
    previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(previous, render(report)), encoding="utf-8")


def run_and_write(path: Path = REPORT, *, repeat: int = REPEAT, log: Any = print) -> int:
    """Measure, print and write the section; 1 when a count misses its target."""
    report = measure(repeat, log=log)
    section = render(report)
    print(section)
    write_report(report, path)
    log(f"Wrote the vote counting section of {path.name}")
    return 0 if all(r["passed"] for r in report["rows"]) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.voting")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed runs per count")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument(
        "--no-reference", action="store_true", help="do not run pref_voting (ours only)"
    )
    args = parser.parse_args(argv)
    report = measure(
        args.repeat,
        reference_library=not args.no_reference,
        log=lambda m: print(m, file=sys.stderr),
    )
    print(render(report))
    if args.write:
        write_report(report)
    return 0 if all(r["passed"] for r in report["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
