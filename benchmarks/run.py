"""Benchmarks of the pages that must stay fast as the network grows.

    python -m benchmarks.run                          # the full run, writes BENCHMARKS.md
    python -m benchmarks.run --scale 20000 --only directory,profile   # a quick look

For each database (SQLite file under benchmarks/.data/, PostgreSQL database tejido_bench), a
worker process builds the data once with `tejido demo --scale N` (and a 1,000-actor network to
compare query counts), then measures real URLs in process with Django's test client: server
time from request to response, without the network. Each scenario runs a few warm-up requests,
then `--repeat` timed ones with the cache cleared before each; one more request counts the SQL
queries. A page that misses its target is explained with its slowest queries and their plans.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "benchmarks" / ".data"
REPORT = ROOT / "benchmarks" / "BENCHMARKS.md"
DEFAULT_SCALE = 100_000
SMALL_SCALE = 1_000
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/tejido_bench"
GROUPS = ("directory", "profile", "map", "import", "analysis", "voting")
DATABASES = ("sqlite", "postgresql")
SEED = 1

TARGET_PAGE_MS = 100.0
TARGET_MAP_MS = 300.0
TARGET_IMPORT_S = 60.0
MAP_TERRITORY_ACTORS = 5_000


class Missing(Exception):
    """A page or function the benchmark needs does not exist (yet)."""


@dataclass
class Measure:
    group: str
    name: str
    url: str = ""
    target_ms: float = TARGET_PAGE_MS
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    queries_small: int | None = None
    size_bytes: int | None = None
    sql_ms: float | None = None  # time spent in SQL during one request
    passed: bool | None = None
    problem: str = ""
    slow_queries: list[dict[str, Any]] = field(default_factory=list)
    hot_functions: list[str] = field(default_factory=list)
    detail: str = ""


# --- the worker: one database, in its own process -----------------------------------------


def worker(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["TEJIDO_BENCH_DATABASE"] = args.database
    os.environ["TEJIDO_BENCH_PG_URL"] = args.pg_url
    if args.database == "postgresql":
        _ensure_pg_database(args.pg_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    build: dict[str, Any] = {}
    for size in (args.scale, SMALL_SCALE):
        build[str(size)] = _ensure_network(size, rebuild=args.rebuild)
    env = _environment(connection)
    bench = _Bench(args, build)
    results: list[Measure] = []
    for group in args.only:
        results.extend(getattr(bench, "import_" if group == "import" else group)())
    return {
        "database": args.database,
        "scale": args.scale,
        "environment": env,
        "build": build,
        "results": [asdict(r) for r in results],
        "seconds": time.perf_counter() - started,
    }


def _ensure_pg_database(url: str) -> None:
    import psycopg
    from dj_database_url import parse

    config = parse(url)
    name = config["NAME"]
    admin = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:  # type: ignore[arg-type]
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _ensure_network(size: int, *, rebuild: bool) -> dict[str, Any]:
    from tejido.dashboards.demo.scale import scale_exists, scale_generate, scale_reset

    if scale_exists(size) and not rebuild:
        return {"generated": False}
    if scale_exists(size):
        scale_reset(size)
    _log(f"  generating a network of {size:,} actors")
    result = scale_generate(size=size, seed=SEED, progress=_log)
    return {
        "generated": True,
        "seconds": result.seconds,
        "actors": result.actors,
        "ties": result.ties,
        "tie_rows": result.tie_rows,
        "timings": result.timings,
    }


def _environment(connection: Any) -> dict[str, Any]:
    import sqlite3

    import django

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            engine = f"SQLite {sqlite3.sqlite_version}"
    return {"engine": engine, "django": django.get_version()}


class _Bench:
    def __init__(self, args: argparse.Namespace, build: dict[str, Any]) -> None:
        from django.test import Client

        from tejido.accounts.models import Role, User
        from tejido.accounts.services import role_grant
        from tejido.core.models import Program
        from tejido.dashboards.demo.scale import scale_slug

        self.args = args
        self.program = Program.objects.get(slug=scale_slug(args.scale))
        self.small = Program.objects.get(slug=scale_slug(SMALL_SCALE))
        self.user, _created = User.objects.get_or_create(
            email="benchmark@tejido.bench", defaults={"first_name": "Benchmark"}
        )
        # A coordinator sees the most on every page: the heaviest honest case.
        for program in (self.program, self.small):
            role_grant(actor=None, user=self.user, program=program, role=Role.COORDINATOR)
        self.client = Client(HTTP_ACCEPT_LANGUAGE="es", HTTP_ACCEPT_ENCODING="gzip")
        self.client.force_login(self.user)

    # -- measuring ---------------------------------------------------------------------

    def measure(
        self,
        group: str,
        name: str,
        url_for: Callable[[Any], str],
        *,
        target_ms: float = TARGET_PAGE_MS,
        repeat: int | None = None,
    ) -> Measure:
        from django.core.cache import cache
        from django.db import connection

        measure = Measure(group, name, target_ms=target_ms)
        try:
            measure.url = url_for(self.program)
            small_url = url_for(self.small)
        except Missing as missing:
            measure.problem = str(missing)
            _log(f"  {name}: MISSING — {missing}")
            return measure
        for _warm in range(3):
            response = self.client.get(measure.url)
            if response.status_code != 200:
                measure.problem = f"GET {measure.url} answered {response.status_code}"
                _log(f"  {name}: FAILED — {measure.problem}")
                return measure
        times = []
        for _run in range(repeat or self.args.repeat):
            cache.clear()
            t0 = time.perf_counter()
            response = self.client.get(measure.url)
            times.append((time.perf_counter() - t0) * 1000)
        measure.size_bytes = len(response.content)
        measure.median_ms = statistics.median(times)
        measure.p95_ms = _percentile(times, 95)
        cache.clear()
        captured = _QueryTimer()
        with connection.execute_wrapper(captured):
            self.client.get(measure.url)
        measure.queries = len(captured.queries)
        measure.sql_ms = captured.total * 1000
        cache.clear()
        small = _QueryTimer()
        with connection.execute_wrapper(small):
            small_response = self.client.get(small_url)
        if small_response.status_code == 200:
            measure.queries_small = len(small.queries)
        measure.passed = measure.p95_ms <= target_ms and (
            measure.queries_small is None or measure.queries == measure.queries_small
        )
        if measure.p95_ms > target_ms:
            measure.slow_queries = _explain(captured.queries, connection)
            measure.hot_functions = self._profile(measure.url)
        _log(
            f"  {name}: median {measure.median_ms:.1f} ms, p95 {measure.p95_ms:.1f} ms, "
            f"{measure.queries} queries ({measure.queries_small} at {SMALL_SCALE:,})"
        )
        return measure

    def _profile(self, url: str) -> list[str]:
        """Where the time of one request goes: the functions with the most time of their own."""
        import cProfile
        import pstats

        from django.core.cache import cache

        cache.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        self.client.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        rows = []
        for (filename, line, function), (_cc, calls, own, total, _callers) in sorted(
            stats.stats.items(),  # type: ignore[attr-defined]
            key=lambda item: item[1][2],
            reverse=True,
        )[:12]:
            where = filename.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
            rows.append(
                f"{own * 1000:.1f} ms own, {total * 1000:.1f} ms total, {calls} calls: "
                f"{function} ({where}:{line})"
            )
        return rows

    # -- scenarios ---------------------------------------------------------------------

    def directory(self) -> list[Measure]:
        from tejido.dashboards.demo.scale import COMMON_WORD, RARE_WORDS

        def page(query: dict[str, str]) -> Callable[[Any], str]:
            def url(program: Any) -> str:
                return _url("actors:directory", program.slug, query=query)

            return url

        def facets(program: Any) -> str:
            comuna = self._comuna_near(program, 0)
            return _url(
                "actors:directory",
                program.slug,
                query={
                    "sector": "community",
                    "kind": "organization",
                    "territory": comuna.slug,
                    "theme": "seguridad",
                },
            )

        return [
            self.measure("directory", "Directory, first page", page({})),
            self.measure(
                "directory", f"Directory, common word “{COMMON_WORD}”", page({"q": COMMON_WORD})
            ),
            self.measure(
                "directory", f"Directory, rare word “{RARE_WORDS[0]}”", page({"q": RARE_WORDS[0]})
            ),
            self.measure(
                "directory",
                "Directory, facets (sector + kind + comuna + theme)",
                facets,
            ),
            self.measure("directory", "Directory, page 40", page({"page": "40"})),
            self.measure(
                "directory",
                "Directory, common word, page 40",
                page({"q": COMMON_WORD, "page": "40"}),
            ),
        ]

    def profile(self) -> list[Measure]:
        def actor(which: str) -> Callable[[Any], str]:
            def url(program: Any) -> str:
                return _url("network:actor", program.slug, self._actor_by_degree(program, which))

            return url

        return [
            self.measure("profile", "Actor profile, the most connected actor", actor("max")),
            self.measure(
                "profile", "Actor profile, a typical actor (median ties)", actor("median")
            ),
            self.measure("profile", "Actor profile, an actor with one tie", actor("min")),
        ]

    def map(self) -> list[Measure]:
        def data(program: Any) -> str:
            comuna = self._comuna_near(program, MAP_TERRITORY_ACTORS)
            return _url(
                "network:map_data",
                program.slug,
                query={"view": "geographic", "territory": comuna.slug},
            )

        comuna = self._comuna_near(self.program, MAP_TERRITORY_ACTORS)
        count = self._actors_in(comuna)
        measure = self.measure(
            "map",
            f"Map data, a comuna of {count:,} actors",
            data,
            target_ms=TARGET_MAP_MS,
            repeat=max(5, self.args.repeat // 2),
        )
        measure.detail = f"territory “{comuna.name}” ({comuna.slug}), gzip"
        return [measure]

    def import_(self) -> list[Measure]:
        return [self._import()]

    def _import(self) -> Measure:
        from django.db import transaction

        from tejido.core.services import program_create
        from tejido.dashboards.demo.scale import program_bulk_delete

        measure = Measure(
            "import",
            f"CSV import of {self.args.scale:,} actors and their ties",
            target_ms=TARGET_IMPORT_S * 1000,
        )
        try:
            from tejido.network.transfer.importer import import_files
        except ImportError as error:
            measure.problem = f"tejido.network.transfer.importer.import_files is missing ({error})"
            return measure
        with tempfile.TemporaryDirectory(dir=DATA_DIR) as folder:
            actors_csv, ties_csv = Path(folder) / "actors.csv", Path(folder) / "ties.csv"
            actor_rows, tie_rows = _export_csv(self.program, actors_csv, ties_csv)
            measure.name = f"CSV import of {actor_rows:,} actors and {tie_rows:,} ties"
            slug = f"bench-import-{self.args.scale}"
            self._drop_program(slug)
            program = program_create(
                user=None,
                name=f"Importación {self.args.scale}",
                slug=slug,
                starts_on=self.program.cycles.order_by("number")[0].starts_on,
                is_public=False,
            )
            _log(f"  importing {actor_rows:,} actors and {tie_rows:,} ties")
            t0 = time.perf_counter()
            report = import_files(
                program=program, actors_file=actors_csv, ties_file=ties_csv, user=self.user
            )
            seconds = time.perf_counter() - t0
        ok = bool(getattr(report, "imported", False)) and not getattr(report, "errors", None)
        measure.median_ms = measure.p95_ms = seconds * 1000
        measure.passed = ok and seconds <= TARGET_IMPORT_S
        counts = report.counts() if hasattr(report, "counts") else {}
        measure.detail = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        if not ok:
            errors = getattr(report, "errors", [])[:5]
            measure.problem = "import refused: " + "; ".join(str(e) for e in errors)
        _log(f"  import: {seconds:.1f} s ({measure.detail}) {measure.problem}")
        with transaction.atomic():
            program_bulk_delete(program)
        _reclaim_after_bulk_delete()
        return measure

    def _drop_program(self, slug: str) -> None:
        from tejido.core.models import Program
        from tejido.dashboards.demo.scale import program_bulk_delete

        for program in Program.objects.filter(slug=slug):
            program_bulk_delete(program)

    # -- picking what to measure -------------------------------------------------------

    def _comuna_near(self, program: Any, actors: int) -> Any:
        """The comuna of the program whose actor count is closest to `actors`."""
        from tejido.core.models import Territory

        # A synthetic network's root territory has the program's slug.
        root = Territory.objects.get(slug=program.slug)
        comunas = Territory.objects.filter(path__startswith=root.path, level=2)
        counted = [(abs(self._actors_in(c) - actors), c.pk, c) for c in comunas]
        return min(counted)[2]

    def _actors_in(self, territory: Any) -> int:
        from tejido.actors.models import Actor

        return Actor.objects.filter(territory__path__startswith=territory.path).count()

    def _actor_by_degree(self, program: Any, which: str) -> int:
        from django.db import connection

        from tejido.network.models import Tie

        table = connection.ops.quote_name(Tie._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT actor, COUNT(*) AS degree FROM (
                    SELECT source_id AS actor FROM {table}
                    WHERE program_id = %s AND superseded_at IS NULL
                    UNION ALL
                    SELECT target_id FROM {table}
                    WHERE program_id = %s AND superseded_at IS NULL
                ) AS ends GROUP BY actor ORDER BY degree, actor
                """,
                [program.pk, program.pk],
            )
            rows = cursor.fetchall()
        if not rows:
            raise Missing(f"the program {program.slug} has no ties")
        if which == "max":
            return int(rows[-1][0])
        if which == "min":
            return int(rows[0][0])
        return int(rows[len(rows) // 2][0])


def _url(name: str, *args: Any, query: dict[str, str] | None = None) -> str:
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name, args=args)
    except NoReverseMatch as error:
        raise Missing(f"the URL “{name}” does not exist yet ({error})") from error
    return f"{url}?{urlencode(query)}" if query else url


def _export_csv(program: Any, actors_path: Path, ties_path: Path) -> tuple[int, int]:
    """The program's actors and current ties as CSV files the importer reads (ids link them)."""
    from tejido.actors.models import Actor
    from tejido.network.models import Tie

    themes: dict[int, list[str]] = {}
    for actor_id, slug in Actor.themes.through.objects.filter(actor__program=program).values_list(
        "actor_id", "theme__slug"
    ):
        themes.setdefault(actor_id, []).append(slug)
    actors = 0
    with actors_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "name",
                "kind",
                "sector",
                "legal_form",
                "description",
                "territory",
                "themes",
                "size",
                "founded_year",
                "power",
                "interest",
                "stance",
            ]
        )
        query = (
            Actor.objects.filter(program=program)
            .order_by("pk")
            .values_list(
                "pk",
                "name",
                "kind",
                "sector",
                "legal_form",
                "description",
                "territory__slug",
                "size",
                "founded_year",
                "power",
                "interest",
                "stance",
            )
        )
        for pk, name, kind, sector, legal, description, territory, *rest in query.iterator(
            chunk_size=20_000
        ):
            writer.writerow(
                [
                    pk,
                    name,
                    kind,
                    sector,
                    legal,
                    description,
                    territory or "",
                    "|".join(themes.get(pk, ())),
                    *("" if v is None else v for v in rest),
                ]
            )
            actors += 1
    ties = 0
    with ties_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "from_id",
                "to_id",
                "type",
                "directed",
                "intensity",
                "trust",
                "value",
                "started_on",
                "ended_on",
            ]
        )
        tie_query = (
            Tie.objects.filter(program=program)
            .current()
            .order_by("pk")
            .values_list(
                "source_id",
                "target_id",
                "tie_type",
                "directed",
                "intensity",
                "trust",
                "value",
                "started_on",
                "ended_on",
            )
        )
        for (
            source,
            target,
            tie_type,
            directed,
            intensity,
            trust,
            value,
            start,
            end,
        ) in tie_query.iterator(chunk_size=50_000):
            writer.writerow(
                [
                    source,
                    target,
                    tie_type,
                    "yes" if directed else "no",
                    intensity,
                    "" if trust is None else trust,
                    "" if value is None else value,
                    start.isoformat() if start else "",
                    end.isoformat() if end else "",
                ]
            )
            ties += 1
    return actors, ties


class _QueryTimer:
    """An execute wrapper that times every query of a request, with its parameters."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, Any]] = []
        self.total = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.total += spent
            self.queries.append((spent, sql, None if many else params))


def _explain(queries: list[tuple[float, str, Any]], connection: Any) -> list[dict[str, Any]]:
    """The three slowest queries of a request with the database's plan for each."""
    explained = []
    for spent, sql, params in sorted(queries, key=lambda q: q[0], reverse=True)[:3]:
        prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        try:
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                rows = cursor.fetchall()
                shown = connection.ops.last_executed_query(
                    cursor.cursor, prefix + sql, params
                ).removeprefix(prefix)
            plan = "\n".join(" ".join(str(c) for c in row) for row in rows)
        except Exception as error:  # a statement that cannot be explained (e.g. a write)
            plan, shown = f"(no plan: {error})", sql
        explained.append({"ms": spent * 1000, "sql": shown, "plan": plan})
    return explained


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the runner: a worker per database, then the report -----------------------------------


def run(args: argparse.Namespace) -> int:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    groups = list(args.only)
    # The network analysis needs no database: it runs on its own (benchmarks/analysis.py) and
    # writes its own section of the report.
    args.only = [g for g in groups if g not in ("analysis", "voting")]
    status = _run_databases(args, full=set(groups) == set(GROUPS)) if args.only else 0
    if "analysis" in groups:
        from benchmarks import analysis

        output = Path(args.output) if args.output else REPORT
        status = max(status, analysis.run_and_write(output, log=_log))
    if "voting" in groups:
        # The vote count is pure Python too (benchmarks/voting.py), with its own section.
        from benchmarks import voting

        output = Path(args.output) if args.output else REPORT
        status = max(status, voting.run_and_write(output, log=_log))
    return status


def _run_databases(args: argparse.Namespace, *, full: bool) -> int:
    reports = []
    failed: list[str] = []
    started = time.perf_counter()
    for database in args.databases:
        _log(f"{database}: {args.scale:,} actors")
        with tempfile.NamedTemporaryFile(suffix=".json", dir=DATA_DIR, delete=False) as out:
            result_path = Path(out.name)
        command = [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--worker",
            "--database",
            database,
            "--scale",
            str(args.scale),
            "--only",
            ",".join(args.only),
            "--repeat",
            str(args.repeat),
            "--pg-url",
            args.pg_url,
            "--json",
            str(result_path),
        ] + (["--rebuild"] if args.rebuild else [])
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        done = subprocess.run(command, cwd=ROOT, env=env)
        if done.returncode != 0:
            # Go on with the other database; the report says which one could not be measured.
            _log(f"{database}: the benchmark failed (exit {done.returncode}); see above.")
            failed.append(database)
            result_path.unlink(missing_ok=True)
            continue
        reports.append(json.loads(result_path.read_text()))
        result_path.unlink()
    if not reports:
        return 1
    elapsed = time.perf_counter() - started
    # The raw numbers, to compare runs or render the report again.
    (DATA_DIR / "last-run.json").write_text(json.dumps(reports, indent=1), encoding="utf-8")
    text = render(reports, args, elapsed, failed)
    print(text)
    full = full and args.scale == DEFAULT_SCALE
    if args.output or full:
        output = Path(args.output) if args.output else REPORT
        from benchmarks.analysis import keep_section

        previous = output.read_text(encoding="utf-8") if output.exists() else ""
        from benchmarks.voting import keep_section as keep_voting_section

        kept = keep_voting_section(previous, keep_section(previous, text))
        output.write_text(kept, encoding="utf-8")
        _log(f"Wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    problems = [r for rep in reports for r in rep["results"] if r["problem"]]
    return 1 if problems or failed else 0


def render(
    reports: list[dict[str, Any]],
    args: argparse.Namespace,
    elapsed: float,
    failed: list[str] | None = None,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Server time of real pages measured in process with Django's test client (request to "
        "response, no network), as a logged-in coordinator, with the cache cleared before each "
        "request. Medians are the numbers to compare between runs; the 95th percentile shows "
        "the tail on a machine that may be busy. *SQL time* is the time spent executing the "
        "queries of one request (the rest is Python: views, templates, JSON); SQLite computes "
        "rows as they are fetched, so there part of the database work shows up as `fetchmany` "
        "in the profiles below instead.",
        "",
        "## Machine and run",
        "",
        *_machine_lines(reports, elapsed, args.repeat),
        "",
        *_summary(reports),
    ]
    for report in reports:
        env = report["environment"]
        lines += [
            f"## {env['engine']} — {report['scale']:,} actors",
            "",
            "| Scenario | Median | p95 | SQL time | Queries (1,000 actors) | Queries "
            f"({report['scale']:,}) | Target | Pass |",
            "|---|---:|---:|---:|---:|---:|---|:---:|",
        ]
        for r in report["results"]:
            lines.append(_row(r))
        details = [r for r in report["results"] if r["detail"]]
        if details:
            lines.append("")
            lines += [f"- {r['name']}: {r['detail']}" for r in details]
        build = report["build"].get(str(report["scale"]), {})
        if build.get("generated"):
            timings = ", ".join(f"{k} {v:.1f} s" for k, v in build["timings"].items())
            lines += [
                "",
                f"Data built with `tejido demo --scale {report['scale']}` in "
                f"{build['seconds']:.1f} s: {build['actors']:,} actors, {build['ties']:,} ties "
                f"({build['tie_rows']:,} versions); {timings}.",
            ]
        lines.append("")
    lines += _comparison(reports)
    misses = [(rep, r) for rep in reports for r in rep["results"] if r["slow_queries"]]
    if misses:
        lines += ["## Pages that miss their target", ""]
        for report, r in misses:
            lines += [f"### {r['name']} ({report['environment']['engine']})", ""]
            lines.append(
                f"`GET {r['url']}` — median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
                f"of which SQL {r['sql_ms']:.0f} ms in {r['queries']} queries. Slowest queries:"
            )
            lines.append("")
            for q in r["slow_queries"]:
                sql = q["sql"] if len(q["sql"]) < 1200 else q["sql"][:1200] + " …"
                lines += [
                    f"- {q['ms']:.1f} ms",
                    "",
                    "  ```sql",
                    f"  {sql}",
                    "  ```",
                    "",
                    "  ```",
                    *(f"  {line}" for line in q["plan"].splitlines()[:25]),
                    "  ```",
                    "",
                ]
            if r["hot_functions"]:
                lines += [
                    "Functions with the most time of their own in one profiled request:",
                    "",
                    "```",
                    *r["hot_functions"],
                    "```",
                    "",
                ]
    problems = [(rep, r) for rep in reports for r in rep["results"] if r["problem"]]
    if problems or failed:
        lines += ["## Not measured", ""]
        for database in failed or []:
            lines.append(f"- Everything on {database}: the run failed (its error is in the log).")
        for report, r in problems:
            lines.append(f"- {r['name']} ({report['environment']['engine']}): {r['problem']}")
        lines.append("")
    lines += [
        "## How to reproduce",
        "",
        "```sh",
        "make bench   # = uv run python -m benchmarks.run: the full run, writes this file",
        "uv run python -m benchmarks.run --scale 20000 --only directory,profile  # a quick look",
        "uv run python -m benchmarks.run --databases sqlite --rebuild  # build the data again",
        "```",
        "",
        "The SQLite database is `benchmarks/.data/bench.sqlite3` (git-ignored); PostgreSQL uses "
        f"`{DEFAULT_PG_URL}` (created if missing; `--pg-url` to change). Each is built once with "
        "`tejido demo --scale N` (seed 1) together with a 1,000-actor network used to check that "
        "the number of queries of a page does not grow with the data; `--rebuild` builds them "
        "again. The import benchmark exports the large network to CSV, imports it into a new "
        "program with `tejido.network.transfer.importer.import_files` and deletes that program.",
        "",
    ]
    return "\n".join(lines)


def _summary(reports: list[dict[str, Any]]) -> list[str]:
    results = [(rep, r) for rep in reports for r in rep["results"]]
    if not results:
        return []
    passed = sum(1 for _rep, r in results if r["passed"])
    lines = ["## Summary", "", f"{passed} of {len(results)} measurements meet their target."]
    misses = [(rep, r) for rep, r in results if not r["passed"]]
    if misses:
        lines.append("")
        for report, r in misses:
            engine = report["environment"]["engine"].split(" (")[0]
            if r["median_ms"] is None:
                lines.append(f"- {r['name']} ({engine}): not measured — {r['problem']}")
                continue
            if r["group"] == "import":
                lines.append(
                    f"- {r['name']} ({engine}): {r['median_ms'] / 1000:.1f} s against "
                    f"{r['target_ms'] / 1000:.0f} s ({_mark(r)[2:]})"
                )
                continue
            lines.append(
                f"- {r['name']} ({engine}): median {r['median_ms']:.0f} ms, p95 "
                f"{r['p95_ms']:.0f} ms against {r['target_ms']:.0f} ms ({_mark(r)[2:]})"
            )
    queries = all(
        r["queries_small"] is None or r["queries"] == r["queries_small"] for _rep, r in results
    )
    lines += [
        "",
        "Every page makes the same number of queries with 1,000 and with "
        f"{reports[0]['scale']:,} actors."
        if queries
        else "Some pages make more queries as the data grows: see the tables.",
        "",
    ]
    return lines


def _row(r: dict[str, Any]) -> str:
    if r["problem"] and r["median_ms"] is None:
        return f"| {r['name']} | — | — | — | — | — | {_target(r)} | ✗ {r['problem']} |"
    if r["group"] == "import":
        median = f"{r['median_ms'] / 1000:.1f} s"
        return f"| {r['name']} | {median} | {median} | — | — | — | {_target(r)} | {_mark(r)} |"
    small = "—" if r["queries_small"] is None else str(r["queries_small"])
    return (
        f"| {r['name']} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | "
        f"{r['sql_ms']:.0f} ms | {small} | "
        f"{r['queries']} | {_target(r)} | {_mark(r)} |"
    )


def _target(r: dict[str, Any]) -> str:
    if r["group"] == "import":
        return f"< {r['target_ms'] / 1000:.0f} s"
    return f"p95 < {r['target_ms']:.0f} ms, fixed queries"


def _mark(r: dict[str, Any]) -> str:
    if r["passed"]:
        return "✓"
    if r["problem"]:
        return f"✗ {r['problem']}"
    reasons = []
    if r["p95_ms"] is not None and r["p95_ms"] > r["target_ms"]:
        reasons.append("too slow")
    if r["queries_small"] is not None and r["queries"] != r["queries_small"]:
        reasons.append("queries grow with data")
    return "✗ " + ", ".join(reasons)


def _comparison(reports: list[dict[str, Any]]) -> list[str]:
    if len(reports) < 2:
        return []
    first, second = reports[0], reports[1]
    by_name = {r["name"]: r for r in second["results"]}
    rows = []
    for r in first["results"]:
        other = by_name.get(r["name"])
        if r["median_ms"] and other and other["median_ms"]:
            rows.append(f"| {r['name']} | {other['median_ms'] / r['median_ms']:.2f} |")
    if not rows:
        return []
    return [
        f"## {second['environment']['engine']} against {first['environment']['engine']}",
        "",
        f"Ratio of medians (above 1: slower on {second['environment']['engine'].split()[0]}).",
        "",
        "| Scenario | Ratio |",
        "|---|---:|",
        *rows,
        "",
    ]


def _machine_lines(reports: list[dict[str, Any]], elapsed: float, repeat: int) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    engines = ", ".join(r["environment"]["engine"] for r in reports)
    django = reports[0]["environment"]["django"] if reports else ""
    load = ""
    with contextlib.suppress(OSError):
        load = f"; load average at the end {os.getloadavg()[0]:.1f}"
    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}{load}",
        f"- Software: Python {platform.python_version()}, Django {django}, {engines}",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}",
        f"- Run: {elapsed / 60:.1f} minutes, {reports[0]['scale'] if reports else 0:,} actors, "
        f"{repeat} timed requests per scenario after three warm-up requests (map data: half "
        "as many)",
    ]


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="actors in the network")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated groups among {', '.join(GROUPS)}",
    )
    parser.add_argument(
        "--databases",
        default=",".join(DATABASES),
        help="comma-separated: sqlite, postgresql",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per scenario")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEJIDO_BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL database for the benchmark (created if missing)",
    )
    parser.add_argument(
        "--output", help="write the report here (default: BENCHMARKS.md on a full run)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(args.only) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(args.databases) - set(DATABASES):
        parser.error("databases are sqlite and postgresql")
    if not 1_000 <= args.scale <= 1_000_000:
        parser.error("--scale must be between 1,000 and 1,000,000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        result = worker(args)
        Path(args.json).write_text(json.dumps(result), encoding="utf-8")
        return 0
    return run(args)


def _reclaim_after_bulk_delete() -> None:
    """Leave the database as the generator built it, for the runs that follow.

    Deleting the imported program leaves hundreds of thousands of dead rows; on PostgreSQL they
    clear the visibility map, and index-only scans of the directory then read the table.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (
                "actors_actor",
                "actors_actor_themes",
                "actors_actor_territories_served",
                "network_tie",
                "core_auditentry",
            ):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")


if __name__ == "__main__":
    sys.exit(main())
