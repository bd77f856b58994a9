from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    # A request activates its language in the test's thread and leaves it active; start every
    # test in the source language so assertions on labels do not depend on the order of tests.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits, lockouts and cached figures are keyed by ids that repeat across rolled-back
    # tests: each test starts with an empty cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program(db):
    from tejido.core.tests.factories import ProgramFactory

    return ProgramFactory()
