"""Running service calls at the same moment, for the race tests (PostgreSQL only: SQLite
serializes writers, so a race there proves nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(*targets: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the targets in threads released together, each on its own database connection;
    their results and errors, in the order they finished."""
    start = threading.Barrier(len(targets))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(target: Callable[[], Any]) -> None:
        try:
            start.wait()
            results.append(target())
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
