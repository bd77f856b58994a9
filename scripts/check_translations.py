"""Fail if a translatable string lacks a Spanish or Catalan translation, or one is fuzzy.

English is the source language, so its catalogue may leave msgstr empty. The strings are
extracted afresh from the code into a copy of the catalogues (the tree is not touched), so a
string added to the code but never translated fails here too. `make messages` updates the
real catalogues.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "tejido" / "locale"
REQUIRED = ("es", "ca")
ENTRY = re.compile(r"\n\n(?=#|msgid)")


def untranslated(po_file: Path) -> list[str]:
    problems = []
    text = po_file.read_text(encoding="utf-8")
    for block in ENTRY.split(text):
        if "msgid" not in block or block.lstrip().startswith('msgid ""\nmsgstr ""\n"'):
            continue
        if block.startswith("#~"):
            continue  # obsolete
        msgid = _field(block, "msgid")
        if not msgid:
            continue
        if "#, fuzzy" in block:
            problems.append(f"fuzzy: {msgid!r}")
            continue
        if "msgid_plural" in block:
            forms = re.findall(r'msgstr\[\d+\] ((?:".*"\n?)+)', block)
            if not forms or any(not _join(f) for f in forms):
                problems.append(f"missing plural: {msgid!r}")
        elif not _field(block, "msgstr"):
            problems.append(f"missing: {msgid!r}")
    return problems


def _field(block: str, name: str) -> str:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block, re.MULTILINE)
    return _join(match.group(1)) if match else ""


def _join(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def extract_into_copy() -> Path:
    """Extract the strings of a copy of the sources into that copy's catalogues.

    makemessages writes each file's strings to the nearest `locale` folder above it, so it must
    run on a copy of the code, not merely with a copy of the catalogues.
    """
    root = LOCALE_DIR.parent.parent
    copy = Path(tempfile.mkdtemp(prefix="tejido-messages-"))
    skip = shutil.ignore_patterns("dist", "__pycache__", "*.mo")
    for name in ("tejido", "config"):
        shutil.copytree(root / name, copy / name, ignore=skip)
    env = {**os.environ, "PYTHONPATH": str(copy)}
    for domain in ("django", "djangojs"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tejido.cli",
                "makemessages",
                "-d",
                domain,
                *(f"-l{lang}" for lang in REQUIRED),
                "--no-obsolete",
                "--no-location",
            ],
            check=True,
            env=env,
            capture_output=True,
            cwd=copy,
        )
    return copy / "tejido" / "locale"


def main() -> int:
    locale_copy = extract_into_copy()
    try:
        return report(locale_copy)
    finally:
        shutil.rmtree(locale_copy.parent.parent)


def report(locale_dir: Path) -> int:
    failed = False
    for language in REQUIRED:
        catalogues = sorted((locale_dir / language / "LC_MESSAGES").glob("*.po"))
        if not catalogues:
            failed = True
            print(f"No catalogue for {language}.")
        for po_file in catalogues:
            problems = untranslated(po_file)
            if problems:
                failed = True
                print(f"{language}/{po_file.name}: {len(problems)} problems")
                for problem in problems[:50]:
                    print(f"  {problem}")
    if not failed:
        print("Translations complete for: " + ", ".join(REQUIRED))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
