"""Put one benchmark's section into BENCHMARKS.md: replace the section of the same title, or
append it, leaving every other section as it is."""

from __future__ import annotations

import re
from pathlib import Path

REPORT = Path(__file__).resolve().parent / "BENCHMARKS.md"


def write_section(text: str, report: Path = REPORT) -> None:
    title = text.strip().splitlines()[0]
    if not title.startswith("## "):
        raise ValueError("A section starts with a level-two heading.")
    previous = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    body = text.strip() + "\n\n"
    if pattern.search(previous):
        updated = pattern.sub(lambda _m: body, previous, count=1)
    else:
        updated = previous.rstrip("\n") + "\n\n" + body
    report.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
