"""Benchmark of the reviewer assignment: 2,000 applications, 100 reviewers, 3 reviewers per
application, about 5 % of the pairs in conflict; against networkx in the same run.

    python -m benchmarks.funds_assignment               # prints the section
    python -m benchmarks.funds_assignment --repeat 9    # more runs for the median

No database and no Django (`tejido.funds.assignment` is pure). Our time is
`assignment.assign` on the whole problem: building the pairs, the search on the common cap with
SciPy's maximum flow, and the HiGHS linear program that balances the loads. The reference is
networkx on the same problem: the smallest maximum load by a search on the cap with
`maximum_flow_value`, then `max_flow_min_cost` with the same convex cost per load step, timed
once. Both answers are compared (number of assignments, maximum load, sum of squared loads): a
benchmark that assigned differently would be meaningless. The section is printed and written
to /tmp/bench-reviews.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

APPLICATIONS = 2_000
REVIEWERS = 100
PER_APPLICATION = 3
CONFLICT_SHARE = 0.05
SEED = 1
REPEAT = 5
TARGET_S = 5.0
SECTION_TITLE = "## Reviewer assignment"


def problem(seed: int = SEED) -> Any:
    from tejido.funds.assignment import ApplicationNeed, Problem, ReviewerSlot

    rng = random.Random(seed)
    applications = tuple(ApplicationNeed(10_000 + i, PER_APPLICATION) for i in range(APPLICATIONS))
    reviewers = tuple(
        # A few reviewers with a limit of their own, as in a real pool.
        ReviewerSlot(100 + j, max_load=40 if j % 10 == 0 else None)
        for j in range(REVIEWERS)
    )
    conflicts = frozenset(
        (r.id, a.id) for r in reviewers for a in applications if rng.random() < CONFLICT_SHARE
    )
    return Problem(applications, reviewers, conflicts=conflicts)


def reference(problem: Any) -> tuple[int, int, int]:
    """(assignments, smallest max load, least Σ load²) by networkx."""
    import networkx as nx

    def network(cap: int | None) -> Any:
        graph = nx.DiGraph()
        for application in problem.applications:
            graph.add_edge("s", ("a", application.id), capacity=application.wanted)
            for reviewer in problem.reviewers:
                if (reviewer.id, application.id) not in problem.conflicts:
                    graph.add_edge(("a", application.id), ("r", reviewer.id), capacity=1)
        for reviewer in problem.reviewers:
            limits = [x for x in (reviewer.max_load, cap) if x is not None]
            room = min(limits) if limits else len(problem.applications)
            graph.add_edge(("r", reviewer.id), "t", capacity=room)
        return graph

    most = nx.maximum_flow_value(network(None), "s", "t")
    cap = -(-most // len(problem.reviewers))
    while nx.maximum_flow_value(network(cap), "s", "t") < most:
        cap += 1
    graph = network(cap)
    for reviewer in problem.reviewers:
        node = ("r", reviewer.id)
        room = graph[node]["t"]["capacity"]
        graph.remove_edge(node, "t")
        for k in range(1, room + 1):
            graph.add_edge(node, ("step", reviewer.id, k), capacity=1, weight=2 * k - 1)
            graph.add_edge(("step", reviewer.id, k), "t", capacity=1, weight=0)
    flow = nx.max_flow_min_cost(graph, "s", "t")
    return most, cap, nx.cost_of_flow(graph, flow)


def _median(call: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def measure(repeat: int = REPEAT, *, with_reference: bool = True) -> dict[str, Any]:
    from tejido.funds.assignment import assign

    built = problem()
    ours_s, times, result = _median(lambda: assign(built), repeat)
    squares = sum(v * v for v in result.loads.values())
    row: dict[str, Any] = {
        "ours_s": ours_s,
        "times": times,
        "assignments": len(result.new),
        "max_load": result.max_load,
        "min_load": min(result.loads.values()),
        "squares": squares,
        "short": sum(result.short.values()),
        "conflicts": len(built.conflicts),
    }
    if with_reference:
        started = time.perf_counter()
        most, cap, reference_squares = reference(built)
        row["reference_s"] = time.perf_counter() - started
        row["reference"] = (most, cap, reference_squares)
        row["same"] = (most, cap, reference_squares) == (len(result.new), result.max_load, squares)
    return row


def section(row: dict[str, Any], repeat: int) -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("scipy", "numpy", "networkx")
    )
    passed = row["ours_s"] < TARGET_S
    lines = [
        SECTION_TITLE,
        "",
        f"{APPLICATIONS:,} applications × {REVIEWERS} reviewers, {PER_APPLICATION} reviewers per"
        f" application, {row['conflicts']:,} conflicted pairs (~{CONFLICT_SHARE:.0%}); ten"
        " reviewers with a limit of 40. Python "
        f"{platform.python_version()}, {versions}; {platform.machine()}, seed {SEED}.",
        "",
        "| | time | assignments | max load | min load | Σ load² |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `tejido.funds.assignment.assign` (median of {repeat}) | {row['ours_s']:.2f} s |"
        f" {row['assignments']:,} | {row['max_load']} | {row['min_load']} |"
        f" {row['squares']:,} |",
    ]
    if "reference" in row:
        most, cap, squares = row["reference"]
        lines.append(
            f"| networkx max-flow search + `max_flow_min_cost` (once) |"
            f" {row['reference_s']:.2f} s | {most:,} | {cap} | — | {squares:,} |"
        )
    lines += [
        "",
        f"Target: under {TARGET_S:.0f} s — {'met' if passed else 'NOT met'}"
        + (
            f"; same optimum as networkx: {'yes' if row['same'] else 'NO'}."
            if "same" in row
            else "."
        ),
        f"Runs: {', '.join(f'{t:.2f}' for t in row['times'])} s.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    row = measure(args.repeat, with_reference=not args.no_reference)
    text = section(row, args.repeat)
    print(text)
    if args.write:
        from benchmarks.sections import write_section

        write_section(text)


if __name__ == "__main__":
    main()
