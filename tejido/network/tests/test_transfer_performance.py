"""A large-ish import, timed only as a sanity bound: the real benchmark (100,000 actors and
500,000 ties under 60 s) runs with `make bench`."""

from __future__ import annotations

import csv
import io
import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tejido.actors.models import Actor
from tejido.network.models import Tie
from tejido.network.transfer.importer import import_files

pytestmark = pytest.mark.django_db

SECTORS = ["community", "public", "private", "third_sector", "academia", "international"]
TYPES = ["collaboration", "funding", "information", "support", "membership", "agreement"]


def synthetic_files(actors: int, ties: int, seed: int = 1) -> tuple[bytes, bytes]:
    rng = random.Random(seed)
    actor_file = io.StringIO()
    writer = csv.writer(actor_file)
    writer.writerow(["id", "nombre", "tipo", "sector", "temas", "poder"])
    for n in range(actors):
        writer.writerow(
            [
                f"A{n}",
                f"Organización número {n}",
                rng.choice(["organización", "persona", "grupo informal"]),
                rng.choice(SECTORS),
                rng.choice(["", "social", "social|digital", "ecological"]),
                rng.randint(1, 5),
            ]
        )
    tie_file = io.StringIO()
    writer = csv.writer(tie_file)
    writer.writerow(["From", "To", "Type", "Direction", "intensity", "since"])
    seen: set[tuple[int, int, str]] = set()
    while len(seen) < ties:
        a = rng.randrange(actors)
        b = (a + 1 + rng.randrange(200)) % actors
        tie_type = rng.choice(TYPES)
        key = (min(a, b), max(a, b), tie_type)
        if key in seen:
            continue
        seen.add(key)
        writer.writerow([f"A{a}", f"A{b}", tie_type, "undirected", rng.randint(0, 4), "2025-03-01"])
    return actor_file.getvalue().encode(), tie_file.getvalue().encode()


def test_5000_actors_and_25000_ties_import_quickly_in_few_queries(program):
    actors, ties = synthetic_files(5_000, 25_000)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = import_files(program=program, actors_file=actors, ties_file=ties)
    elapsed = time.perf_counter() - started

    assert report.errors == [] and report.imported
    assert Actor.objects.filter(program=program).count() == 5_000
    assert Tie.objects.filter(program=program).count() == 25_000
    assert Actor.themes.through.objects.filter(actor__program=program).exists()
    # Batches, not a query per row: a few dozen statements for 30,000 rows.
    assert len(queries) < 100, len(queries)
    assert elapsed < 60, f"{elapsed:.1f} s"  # about 2 s on a laptop; a generous bound for CI
