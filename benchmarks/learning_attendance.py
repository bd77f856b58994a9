"""Benchmark of the attendance page: a cohort of 500 people × 12 sessions (6,000 attendance
marks, ten sessions recorded) on SQLite and PostgreSQL, read by a coordinator through Django's
test client (server time, no network). The query count is measured for 50 and for 500 people:
the page reads in a fixed number of queries whatever the cohort's size.

    python -m benchmarks.learning_attendance            # prints the section
    python -m benchmarks.learning_attendance --write    # and writes it to BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 500
SMALL = 50
SESSIONS = 12
RECORDED = 10
REQUESTS = 30
TARGET_MS = 300.0
SECTION_TITLE = "## Attendance page"
PG_URL = os.environ.get(
    "TEJIDO_BENCH_ATTENDANCE_PG_URL",
    "postgres://postgres@127.0.0.1:5432/tejido_bench_attendance",
)


def page_worker(database: str, requests: int) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["TEJIDO_BENCH_DATABASE"] = database
    os.environ["TEJIDO_BENCH_PG_URL"] = PG_URL
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return _measure(database, requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _build(people: int) -> tuple[Any, Any]:
    """A cohort of `people` with SESSIONS sessions, the first RECORDED recorded (about 85 %
    present), and consented gender for everyone (the coordinator's aggregate)."""
    from django.utils import timezone

    from tejido.actors.models import Gender, SensitiveData
    from tejido.learning.models import Attendance
    from tejido.learning.tests.attendance_helpers import big_cohort
    from tejido.learning.tests.factories import coordinator_of

    cohort, enrolments, sessions = big_cohort(people, SESSIONS, organizations=40, past=RECORDED)
    coordinator = coordinator_of(cohort.program)
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                enrolment=enrolment,
                present=(i * 7 + s * 3) % 20 > 2,
                recorded_by=coordinator,
            )
            for s, session in enumerate(sessions[:RECORDED])
            for i, enrolment in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    genders = [Gender.WOMAN, Gender.MAN, Gender.WOMAN, Gender.NON_BINARY]
    SensitiveData.objects.bulk_create(
        [
            SensitiveData(person_id=e.person_id, gender=genders[i % 4], consent_given_at=now)
            for i, e in enumerate(enrolments)
        ]
    )
    return cohort, coordinator


def _counted(connection: Any, client: Any, url: str) -> tuple[list[str], Any]:
    """The response and the SQL it ran (counted by a wrapper: with DEBUG off Django keeps no
    query log)."""
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    return queries, response


def _measure(database: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    result: dict[str, Any] = {"database": database, "vendor": connection.vendor}
    for people in (SMALL, PEOPLE):
        start = time.perf_counter()
        cohort, coordinator = _build(people)
        build = time.perf_counter() - start
        client = Client()
        client.force_login(coordinator)
        url = reverse("learning:attendance", args=[cohort.program.slug, cohort.pk])
        client.get(url)
        client.get(url)
        queries, response = _counted(connection, client, url)
        assert response.status_code == 200, response.status_code
        cells = response.content.decode().count('class="att-cell')
        assert cells == people * SESSIONS, cells
        times = []
        for _ in range(requests if people == PEOPLE else max(5, requests // 3)):
            begin = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        result[str(people)] = {
            "queries": len(queries),
            "times": times,
            "build": build,
            "bytes": len(response.content),
        }
    return result


def page(database: str, requests: int) -> dict[str, Any] | None:
    command = [sys.executable, "-m", "benchmarks.learning_attendance", "--page-worker", database]
    command += ["--requests", str(requests)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def render(rows: list[dict[str, Any]], requests: int) -> str:
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    lines = [
        SECTION_TITLE,
        "",
        f"Machine: {machine}. A cohort of {PEOPLE} people × {SESSIONS} sessions ({RECORDED}"
        f" recorded), read by a coordinator (names, rates, the completion rule, totals per"
        f" session and the gender aggregate) through Django's test client; {requests} requests"
        " after a warm-up, server time.",
        "",
        _row(
            "database",
            f"queries, {SMALL} people",
            f"queries, {PEOPLE} people",
            "p50",
            "p95",
            "page size",
            "target",
        ),
        _row("---", "---:", "---:", "---:", "---:", "---:", "---"),
    ]
    for row in rows:
        large, small = row[str(PEOPLE)], row[str(SMALL)]
        fixed = large["queries"] == small["queries"]
        ninety_five = p95(large["times"])
        verdict = "met" if fixed and ninety_five < TARGET_MS else "MISSED"
        lines.append(
            _row(
                row["vendor"],
                small["queries"],
                large["queries"],
                f"{statistics.median(large['times']):.0f} ms",
                f"{ninety_five:.0f} ms",
                f"{large['bytes'] / 1024:.0f} KiB",
                f"same queries, p95 < {TARGET_MS:.0f} ms: {verdict}",
            )
        )
    lines += [
        "",
        "The page reads the cohort, its sessions, its enrolments (with person and organization)"
        " and its attendance marks in one query each, plus one for the gender aggregate, and"
        " renders each of the 6,000 cells from a constant string.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--page-worker", choices=("sqlite", "postgresql"))
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.page_worker:
        print(json.dumps(page_worker(args.page_worker, args.requests)))
        return 0
    sys.path.insert(0, str(ROOT))
    rows = [r for d in args.databases.split(",") if (r := page(d, args.requests)) is not None]
    text = render(rows, args.requests)
    print(text)
    if args.write:
        from benchmarks.sections import write_section

        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
