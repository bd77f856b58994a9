"""The sharing part of the cooperation demo."""

from __future__ import annotations

import datetime
import random
from typing import Any

from tejido.core.models import Program


def demo_sharing(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    """Filled in by the sharing area."""
