"""Closing a poll of 10,000 ballots in the platform, for every voting method.

`benchmarks/voting.py` times the pure count. This times what a coordinator waits for when they
press "close": `poll_close` locks the poll, reads every ballot and receipt from the database,
computes the digest, counts, checks the quorum and stores the result. The body has 10,000
voting seats, each with a ballot (written in bulk: casting them one by one is not what is
measured here).

    python -m benchmarks.poll_close                    # SQLite (in a temporary test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tejido python -m benchmarks.poll_close
    python -m benchmarks.poll_close --write            # also update benchmarks/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "benchmarks" / "BENCHMARKS.md"
BALLOTS = 10_000
OPTIONS = 8
REPEAT = 5
TARGET_S = 1.0
SECTION_TITLE = "## Closing a poll of 10,000 ballots"
SECTION = re.compile(rf"^{re.escape(SECTION_TITLE)}\n.*?(?=^## |\Z)", re.S | re.M)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_body(size: int):  # type: ignore[no-untyped-def]
    from tejido.actors.models import Actor, ActorKind, Sector
    from tejido.core.models import Program
    from tejido.governance.models import Body, BodyKind, Mandate, Seat

    program = Program.objects.create(name="Benchmark", slug="benchmark-polls")
    organization = Actor.objects.create(
        program=program, kind=ActorKind.ORGANIZATION, name="Asamblea", sector=Sector.COMMUNITY
    )
    body = Body.objects.create(program=program, kind=BodyKind.COUNCIL, name="Asamblea abierta")
    Seat.objects.bulk_create(
        Seat(body=body, sector=Sector.COMMUNITY, label=f"Puesto {n}", position=n)
        for n in range(size)
    )
    start = datetime.date.today() - datetime.timedelta(days=30)
    Mandate.objects.bulk_create(
        Mandate(seat=seat, organization=organization, starts_on=start)
        for seat in Seat.objects.filter(body=body)
    )
    return body, list(Mandate.objects.filter(seat__body=body).values_list("pk", flat=True))


def open_poll_with_ballots(body, mandate_ids, method: str, rng: random.Random):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from benchmarks.voting import ballots_for
    from tejido.governance import voting
    from tejido.governance.decisions.services import _json_safe
    from tejido.governance.models import Ballot, BallotReceipt, Poll, PollOption, PollStatus

    options = 3 if method in voting.MOTION_METHODS else OPTIONS
    poll = Poll.objects.create(
        body=body,
        question=f"Benchmark {method}",
        method=method,
        secret=True,
        status=PollStatus.OPEN,
        opened_at=timezone.now(),
        threshold=0.667 if method == "qualified" else 0.5,
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=n, label=f"Opción {n}") for n in range(options)
    )
    ballots = ballots_for(method, options, len(mandate_ids), rng)
    BallotReceipt.objects.bulk_create(
        BallotReceipt(poll=poll, mandate_id=mandate_id) for mandate_id in mandate_ids
    )
    Ballot.objects.bulk_create(
        Ballot(poll=poll, content=_json_safe(voting.validate_ballot(method, options, ballot)))
        for ballot in ballots
    )
    return poll


def measure(size: int = BALLOTS, repeat: int = REPEAT, log=print) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection

    from tejido.governance import voting
    from tejido.governance.decisions.services import poll_close
    from tejido.governance.models import Poll, PollStatus

    rng = random.Random(1)
    body, mandate_ids = build_body(size)
    rows = []
    for method in voting.METHODS:
        poll = open_poll_with_ballots(body, mandate_ids, method, rng)
        timings = []
        for _ in range(repeat):
            Poll.objects.filter(pk=poll.pk).update(
                status=PollStatus.OPEN, closed_at=None, result={}, ballots_digest=""
            )
            started = time.perf_counter()
            closed = poll_close(user=None, poll=Poll.objects.get(pk=poll.pk))
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        rows.append(
            {
                "method": method,
                "ballots": closed.result["count"]["ballot_count"],
                "median_s": median,
                "max_s": max(timings),
                "quorum_met": closed.quorum_met,
                "pass": median < TARGET_S,
            }
        )
        log(f"{method:<11} {median * 1000:8.1f} ms (max {max(timings) * 1000:.1f} ms)")
    vendor = connection.vendor
    version = (
        ".".join(str(part) for part in connection.Database.sqlite_version_info)
        if (vendor == "sqlite")
        else str(connection.cursor().connection.info.server_version)
    )
    return {"database": f"{vendor} {version}", "rows": rows, "repeat": repeat, "size": size}


def render(reports: list[dict]) -> str:
    lines = [
        SECTION_TITLE,
        "",
        "What a coordinator waits for on “close”: `poll_close` locks the poll, reads 10,000 "
        "ballots and receipts, computes their SHA-256 digest, counts them, checks the quorum "
        "and stores the result (`benchmarks/poll_close.py`; secret ballots; medians of "
        f"{reports[0]['repeat']} closings). Target: under {TARGET_S:.0f} s for every method.",
        "",
    ]
    for report in reports:
        lines += [
            f"### {report['database']}",
            "",
            "| Method | Ballots | Median | Slowest | Target | Pass |",
            "|---|---:|---:|---:|---|:---:|",
        ]
        for row in report["rows"]:
            lines.append(
                f"| {row['method']} | {row['ballots']:,} | {row['median_s'] * 1000:.0f} ms | "
                f"{row['max_s'] * 1000:.0f} ms | < {TARGET_S:.0f} s | "
                f"{'✓' if row['pass'] else '✗'} |"
            )
        lines.append("")
    lines.append(
        "Reproduce with `uv run python -m benchmarks.poll_close` (SQLite) and with "
        "`DATABASE_URL=postgres://postgres@127.0.0.1:5432/tejido` before it (PostgreSQL)."
    )
    return "\n".join(lines) + "\n\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=BALLOTS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    _setup_django()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        report = measure(args.size, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(render([report]))
    if args.write:
        text = REPORT.read_text(encoding="utf-8")
        section = render([report])
        if SECTION.search(text):
            text = SECTION.sub(lambda _m: section, text)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        REPORT.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return 0 if all(row["pass"] for row in report["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
