"""The demo's library: a few hundred varied, searchable items, written fast and the same way
every time for the same random seed."""

from __future__ import annotations

import datetime
import random
import time

import pytest

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.learning import search
from tejido.learning.models import LibraryItem

from .factories import coordinator_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def _program():
    program = ProgramFactory()
    places = [TerritoryFactory(name=name) for name in ("Renca", "Lota", "Sants")]
    for n in range(8):
        ActorFactory(program=program, name=f"Junta de Vecinos {n}", territory=places[n % 3])
    return program


def test_demo_library_is_large_varied_and_searchable():
    from tejido.dashboards.demo.learning.library import demo_library

    program = _program()
    started = time.perf_counter()
    items = demo_library(
        program, coordinator=coordinator_of(program), today=TODAY, rng=random.Random(3)
    )
    assert time.perf_counter() - started < 30  # about 2 s alone; generous for a busy machine
    assert 250 <= len(items) <= 350
    rows = LibraryItem.objects.filter(program=program)
    assert set(rows.values_list("language", flat=True)) == {"es", "ca", "en"}
    assert set(rows.values_list("kind", flat=True)) == {
        "report",
        "interview",
        "guide",
        "tool",
        "dataset",
    }
    assert rows.filter(status="draft").exists()
    assert rows.filter(visibility="members").exists()
    assert all(i.authors.exists() for i in rows[:20])
    assert search.matching(rows, "organizaciones").count() > 50
    assert search.matching(rows.filter(language="ca"), "organització").count() > 5
    pdfs = [f for i in rows for f in i.files.all() if f.name.endswith(".pdf")]
    assert pdfs and pdfs[0].file.open("rb").read(5) == b"%PDF-"
    assert rows.filter(files__name__endswith=".csv").count() == 1
    assert rows.filter(links__isnull=False).exists()


def test_demo_library_is_deterministic():
    from tejido.dashboards.demo.learning.library import demo_library

    titles = []
    for _ in range(2):
        program = _program()
        demo_library(program, coordinator=None, today=TODAY, rng=random.Random(5))
        titles.append(
            list(LibraryItem.objects.filter(program=program).order_by("pk").values_list("title"))
        )
    assert titles[0] == titles[1]
