"""Benchmark of the library's full-text search: 100,000 items in Spanish and Catalan on SQLite
(FTS5 over Python-stemmed words) and PostgreSQL (tsvector + GIN).

    python -m benchmarks.learning_search                  # both databases, prints the section
    python -m benchmarks.learning_search --write          # and puts it in BENCHMARKS.md
    python -m benchmarks.learning_search --databases sqlite --items 20000   # a quick look
    python -m benchmarks.learning_search --rebuild        # build the data again

A worker process per database builds the items once (kept for the next run in
benchmarks/.data/search.sqlite3 and the PostgreSQL database tejido_bench_search; rebuilt when
the count or --rebuild says so): four programs, 70 % Spanish and 30 % Catalan, a title of 4-9
words and an abstract plus body of 80-150 words drawn from a vocabulary with a Zipf-like
frequency (a few words in most items, a long tail of rare ones), inflected (singular/plural,
verb forms) so that a query rarely has the document's exact form. Items are written with
bulk_create and indexed with `search.reindex` in batches of 2,000.

Then 200 seeded queries of one to three words (common, middling and rare words, in another
inflection than the one indexed, some typed without accents, the last word sometimes cut
short), each as the library page would run it: the program's published items, half the time
only the public ones, `search.matching`, the total count, and the first page of 20 ordered by
rank. Times are server-side in process, after 20 warm-up queries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 100_000
PROGRAMS = 4
QUERIES = 200
WARM_UP = 20
PAGE_SIZE = 20
BATCH = 2_000
SEED = 6
TARGET_MS = 100.0
SECTION_TITLE = "## Full-text search"
PG_URL = os.environ.get(
    "TEJIDO_BENCH_SEARCH_PG_URL", "postgres://postgres@127.0.0.1:5432/tejido_bench_search"
)

# Lemma → inflected forms. The first form is what a document most often has; queries pick
# another form where there is one.
SPANISH = {
    "organización": ["organización", "organizaciones", "organizar", "organizamos", "organizada"],
    "comunidad": ["comunidad", "comunidades", "comunitario", "comunitarias"],
    "vecino": ["vecinos", "vecino", "vecinal", "vecinales", "vecina"],
    "barrio": ["barrio", "barrios"],
    "territorio": ["territorio", "territorios", "territorial"],
    "participación": ["participación", "participar", "participaron", "participantes"],
    "mujer": ["mujeres", "mujer"],
    "joven": ["jóvenes", "joven", "juventud"],
    "formación": ["formación", "formaciones", "formar", "formamos"],
    "taller": ["taller", "talleres"],
    "huerto": ["huertos", "huerto", "huerta", "huertas"],
    "agua": ["agua", "aguas"],
    "vivienda": ["vivienda", "viviendas"],
    "salud": ["salud", "saludable"],
    "escuela": ["escuela", "escuelas", "escolar"],
    "cuidado": ["cuidados", "cuidado", "cuidar", "cuidadoras"],
    "red": ["red", "redes"],
    "fondo": ["fondo", "fondos"],
    "proyecto": ["proyecto", "proyectos"],
    "municipio": ["municipio", "municipios", "municipal"],
    "cooperativa": ["cooperativa", "cooperativas", "cooperación", "cooperar"],
    "alimentación": ["alimentación", "alimentos", "alimentaria"],
    "energía": ["energía", "energías", "energética"],
    "transición": ["transición", "transiciones"],
    "digital": ["digital", "digitales"],
    "democracia": ["democracia", "democrática", "democráticas"],
    "ecología": ["ecológica", "ecológico", "ecología"],
    "liderazgo": ["liderazgo", "líderes", "lideresa"],
    "confianza": ["confianza", "confiar"],
    "acuerdo": ["acuerdos", "acuerdo", "acordaron"],
    "asamblea": ["asamblea", "asambleas"],
    "junta": ["junta", "juntas"],
    "evaluación": ["evaluación", "evaluar", "evaluaciones"],
    "presupuesto": ["presupuesto", "presupuestos", "presupuestario"],
    "aprendizaje": ["aprendizaje", "aprender", "aprendimos", "aprendizajes"],
    "experiencia": ["experiencia", "experiencias"],
    "migrante": ["migrantes", "migrante", "migración"],
    "reciclaje": ["reciclaje", "reciclar", "reciclamos"],
    "compostaje": ["compostaje", "compost"],
    "sequía": ["sequía", "sequías"],
    "incendio": ["incendios", "incendio"],
    "biblioteca": ["biblioteca", "bibliotecas"],
    "cultura": ["cultura", "cultural", "culturales"],
    "deporte": ["deporte", "deportes", "deportiva"],
    "empleo": ["empleo", "empleos", "emprendimiento", "emprendimientos"],
    "contabilidad": ["contabilidad", "contable", "contables"],
    "entrevista": ["entrevista", "entrevistas", "entrevistamos"],
    "informe": ["informe", "informes"],
    "guía": ["guía", "guías"],
    "herramienta": ["herramienta", "herramientas"],
}
CATALAN = {
    "organització": ["organització", "organitzacions", "organitzar", "organitzada"],
    "comunitat": ["comunitat", "comunitats", "comunitari", "comunitàries"],
    "veí": ["veïns", "veí", "veïnal", "veïnals", "veïna"],
    "barri": ["barri", "barris"],
    "territori": ["territori", "territoris", "territorial"],
    "participació": ["participació", "participar", "participants"],
    "dona": ["dones", "dona"],
    "jove": ["joves", "jove", "joventut"],
    "formació": ["formació", "formacions", "formar"],
    "taller": ["taller", "tallers"],
    "hort": ["horts", "hort"],
    "aigua": ["aigua", "aigües"],
    "habitatge": ["habitatge", "habitatges"],
    "salut": ["salut", "saludable"],
    "escola": ["escola", "escoles", "escolar"],
    "cura": ["cures", "cura", "cuidadores"],
    "xarxa": ["xarxa", "xarxes"],
    "projecte": ["projecte", "projectes"],
    "municipi": ["municipi", "municipis", "municipal"],
    "cooperativa": ["cooperativa", "cooperatives", "cooperació"],
    "alimentació": ["alimentació", "aliments", "alimentària"],
    "energia": ["energia", "energies", "energètica"],
    "transició": ["transició", "transicions"],
    "democràcia": ["democràcia", "democràtica"],
    "lideratge": ["lideratge", "líders"],
    "confiança": ["confiança", "confiar"],
    "acord": ["acords", "acord"],
    "assemblea": ["assemblea", "assemblees"],
    "avaluació": ["avaluació", "avaluar", "avaluacions"],
    "pressupost": ["pressupost", "pressupostos"],
    "aprenentatge": ["aprenentatge", "aprendre", "aprenentatges"],
    "experiència": ["experiència", "experiències"],
    "col·lectiu": ["col·lectiu", "col·lectius", "col·lectiva"],
    "reciclatge": ["reciclatge", "reciclar"],
    "biblioteca": ["biblioteca", "biblioteques"],
    "cultura": ["cultura", "cultural", "culturals"],
    "ocupació": ["ocupació", "ocupacions"],
    "entrevista": ["entrevista", "entrevistes"],
    "informe": ["informe", "informes"],
    "eina": ["eina", "eines"],
}
GLUE = {
    "es": str.split("de la el en y a los del las por un para con una su al como más que se sus"),
    "ca": str.split("de la el en i a els del les per un per amb una seva al com més que es seus"),
}
SYLLABLES = "ba be bi bo ca ce co cu da de di do fa ga la le li lo ma me mi mo na ne no pa pe "
SYLLABLES += "pi po ra re ri ro sa se si so ta te ti to va ve vi lla rra cha que gua"


def _rare_words(rng: random.Random, n: int) -> list[str]:
    # Place names and surnames: words no stemmer knows, each in few items.
    parts = SYLLABLES.split()
    found: set[str] = set()
    while len(found) < n:
        found.add("".join(rng.choice(parts) for _ in range(rng.randint(3, 4))))
    return sorted(found)


class Corpus:
    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        self.lemmas = {"es": list(SPANISH), "ca": list(CATALAN)}
        self.forms = {"es": SPANISH, "ca": CATALAN}
        self.rare = _rare_words(rng, 20_000)
        # One pool of words per language with cumulative weights: function words 45 % of the
        # text, the lemmas' forms 48 % with a Zipf-like law over the lemmas (the first are in
        # most items), rare words 7 % with a long tail.
        self.pool: dict[str, list[str]] = {}
        self.cumulative: dict[str, list[float]] = {}
        for lang, lemmas in self.lemmas.items():
            entries: list[tuple[str, float]] = [(w, 0.45 / len(GLUE[lang])) for w in GLUE[lang]]
            zipf = [1.0 / (rank + 1) ** 0.9 for rank in range(len(lemmas))]
            for lemma, weight in zip(lemmas, zipf, strict=True):
                forms = self.forms[lang][lemma]
                share = 0.48 * weight / sum(zipf) / len(forms)
                entries += [(form, share) for form in forms]
            tail = [1.0 / (rank + 1) for rank in range(len(self.rare))]
            entries += [(w, 0.07 * t / sum(tail)) for w, t in zip(self.rare, tail, strict=True)]
            self.pool[lang] = [w for w, _ in entries]
            total = 0.0
            self.cumulative[lang] = []
            for _, weight in entries:
                total += weight
                self.cumulative[lang].append(total)

    def words(self, rng: random.Random, lang: str, n: int) -> str:
        return " ".join(rng.choices(self.pool[lang], cum_weights=self.cumulative[lang], k=n))

    def item(self, rng: random.Random, lang: str) -> tuple[str, str, str]:
        title = self.words(rng, lang, rng.randint(4, 9)).capitalize()
        abstract = self.words(rng, lang, rng.randint(25, 40)).capitalize() + "."
        body = self.words(rng, lang, rng.randint(55, 110)).capitalize() + "."
        return title, abstract, body

    def queries(self, rng: random.Random, n: int) -> list[tuple[str, str]]:
        """(kind, query) pairs: words in a form other than the lemma, sometimes unaccented,
        sometimes with the last word cut short."""
        found = []
        for i in range(n):
            lang = "es" if rng.random() < 0.7 else "ca"
            lemmas = self.lemmas[lang]
            size = rng.choice((1, 1, 2, 2, 3))
            kind = ("common", "middling", "rare")[i % 3]
            words = []
            for _ in range(size):
                if kind == "common":
                    lemma = rng.choice(lemmas[:6])
                elif kind == "middling":
                    lemma = rng.choice(lemmas[6:])
                else:
                    lemma = ""
                if lemma:
                    forms = self.forms[lang][lemma]
                    words.append(rng.choice(forms[1:] or forms))
                else:
                    words.append(rng.choice(self.rare[:2000]))
            if kind == "rare" and size > 1:
                # A rare word with common ones, as people search ("huertos villarrica").
                words[0] = rng.choice(self.forms[lang][rng.choice(lemmas[:10])])
            if rng.random() < 0.2:
                from tejido.learning.search.text import fold

                words = [fold(w) for w in words]
            if rng.random() < 0.15 and len(words[-1]) > 6:
                words[-1] = words[-1][: rng.randint(4, len(words[-1]) - 2)]
            found.append((kind, " ".join(words)))
        return found


# --- the worker (one process per database) -------------------------------------------------


def _database(database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["TEJIDO_BENCH_DATABASE"] = database
    os.environ["TEJIDO_BENCH_PG_URL"] = PG_URL
    if database == "postgresql":
        import psycopg

        name = PG_URL.rsplit("/", 1)[1]
        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
            exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                pg.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if database == "sqlite":
        connection.settings_dict["NAME"] = str(Path(settings.DATA_DIR) / "search.sqlite3")  # type: ignore[misc]


def _build(items: int) -> float:
    import datetime

    from tejido.core.models import Program
    from tejido.core.tests.factories import ProgramFactory
    from tejido.learning import search
    from tejido.learning.models import LibraryItem

    LibraryItem.objects.all().delete()
    programs: list[Any] = [
        Program.objects.filter(slug=f"busqueda-{n}").first()
        or ProgramFactory(slug=f"busqueda-{n}", name=f"Búsqueda {n}")
        for n in range(PROGRAMS)
    ]
    rng = random.Random(SEED)
    corpus = Corpus()
    start = time.perf_counter()
    today = datetime.date(2026, 11, 1)
    for first in range(0, items, BATCH):
        rows = []
        for _ in range(min(BATCH, items - first)):
            lang = "es" if rng.random() < 0.7 else "ca"
            title, abstract, body = corpus.item(rng, lang)
            rows.append(
                LibraryItem(
                    program=rng.choice(programs),
                    kind=rng.choice(["report", "interview", "guide", "tool", "dataset"]),
                    title=title[:300],
                    abstract=abstract,
                    body=body,
                    language=lang,
                    visibility="public" if rng.random() < 0.7 else "members",
                    status="published" if rng.random() < 0.9 else "draft",
                    published_on=today - datetime.timedelta(days=rng.randrange(3650)),
                )
            )
        created = LibraryItem.objects.bulk_create(rows)
        search.reindex(created)
    return time.perf_counter() - start


def worker(database: str, items: int, rebuild: bool) -> dict[str, Any]:
    _database(database)
    from django.core.management import call_command
    from django.db import connection

    from tejido.learning import search
    from tejido.learning.models import LibraryItem

    call_command("migrate", verbosity=0)
    build_s = None
    if rebuild or LibraryItem.objects.count() != items:
        build_s = _build(items)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE learning_libraryitem")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    programs = list(LibraryItem.objects.values_list("program_id", flat=True).distinct())
    programs.sort()
    rng = random.Random(SEED + 1)
    queries = Corpus().queries(rng, QUERIES + WARM_UP)

    def run(query: str, program: int, public_only: bool) -> tuple[float, int, int]:
        start = time.perf_counter()
        rows = LibraryItem.objects.published().filter(program_id=program)
        if public_only:
            rows = rows.filter(visibility="public")
        found: Any = search.matching(rows, query)
        total = found.count()
        page = list(found.order_by("-search_rank", "-id")[:PAGE_SIZE])
        return (time.perf_counter() - start) * 1000, total, len(page)

    samples = []
    for i, (kind, query) in enumerate(queries):
        ms, total, _shown = run(query, rng.choice(programs), rng.random() < 0.5)
        if i >= WARM_UP:
            samples.append({"kind": kind, "query": query, "ms": ms, "total": total})
    return {
        "vendor": connection.vendor,
        "version": _server_version(connection),
        "items": LibraryItem.objects.count(),
        "build_s": build_s,
        "samples": samples,
    }


def _server_version(connection: Any) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def run_worker(database: str, items: int, rebuild: bool) -> dict[str, Any] | None:
    command = [sys.executable, "-m", "benchmarks.learning_search", "--worker", database]
    command += ["--items", str(items)] + (["--rebuild"] if rebuild else [])
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the report ----------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def design_note() -> str:
    from tejido.learning import search
    from tejido.learning.search import postgres

    limit = search.MAX_MATCHES
    window = postgres.WINDOW_FACTOR * limit
    return (
        f"How a common word stays bounded: a query considers at most `search.MAX_MATCHES` "
        f"({limit:,}) rows, the newest that pass the page's filters. SQLite walks its FTS5 index "
        f"newest first (rowid order) joined by primary key to the filters and stops at "
        f"{limit:,}, computing bm25 only for those; PostgreSQL first tests the newest "
        f"{window:,} filtered rows, and only if they hold fewer than {limit:,} matches asks the "
        f"GIN index. The page then selects those rows by key (the count is exact up to "
        f"{limit:,}, shown as “{limit:,} or more” beyond), and ranks them: ts_rank on "
        "PostgreSQL, the bm25 scores carried in a CASE binary search on SQLite. Without the "
        "bound a word in 84 % of the items cost 400-700 ms (bm25 or ts_rank on every match); "
        "with 1,000 instead of 500, PostgreSQL's p95 was 124 ms on the same machine."
    )


def render(results: list[dict[str, Any]]) -> str:
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    lines = [
        SECTION_TITLE,
        "",
        f"Machine: {machine}, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end of the run (other work shared the machine). "
        f"`python -m benchmarks.learning_search` ({QUERIES} queries after {WARM_UP} warm-up "
        "ones; each query counts the matches and fetches the first page of 20 by rank, within "
        "one program's published items, half of the time only the public ones).",
        "",
        _row(
            "database",
            "items",
            "build + index",
            "p50",
            "p95",
            "max",
            "p95 by kind (common / middling / rare)",
            "median matches",
            "target",
        ),
        _row("---", "---:", "---:", "---:", "---:", "---:", "---", "---:", "---"),
    ]
    for r in results:
        ms = [s["ms"] for s in r["samples"]]
        by_kind = " / ".join(
            f"{p95([s['ms'] for s in r['samples'] if s['kind'] == k]):.0f} ms"
            for k in ("common", "middling", "rare")
        )
        build = f"{r['build_s']:.0f} s" if r["build_s"] is not None else "(kept)"
        verdict = "met" if p95(ms) < TARGET_MS else "MISSED"
        lines.append(
            _row(
                r["version"],
                f"{r['items']:,}",
                build,
                f"{statistics.median(ms):.1f} ms",
                f"{p95(ms):.1f} ms",
                f"{max(ms):.0f} ms",
                by_kind,
                f"{statistics.median(s['total'] for s in r['samples']):,.0f}",
                f"p95 < {TARGET_MS:.0f} ms: {verdict}",
            )
        )
    slowest = sorted(
        ((s["ms"], r["version"], s["query"], s["total"]) for r in results for s in r["samples"]),
        reverse=True,
    )[:5]
    lines += ["", design_note(), "", "Slowest queries:", ""]
    lines += [f"- {v}: “{q}”, {t:,} matches, {ms:.0f} ms" for ms, v, q, t in slowest]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=("sqlite", "postgresql"))
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.items, args.rebuild)))
        return 0
    results = []
    for database in args.databases.split(","):
        result = run_worker(database, args.items, args.rebuild)
        if result is not None:
            results.append(result)
    text = render(results)
    print(text)
    if args.write:
        from benchmarks.sections import write_section

        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
