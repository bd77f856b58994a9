"""The options shared by the commands that e-mail members on a schedule (the learning digest,
the missions' follow-ups): which program, a dry run, the site's address for links."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from tejido.core.models import Program


def add_mailing_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--program", metavar="SLUG", help="Only this program.")
    parser.add_argument(
        "--dry-run", action="store_true", help="List who would receive what; send nothing."
    )
    parser.add_argument(
        "--base-url", default="", metavar="URL", help="The site's address, for links."
    )


def programs_option(options: dict[str, Any]) -> list[Program] | None:
    """The program named by --program (None: all of them); an unknown one stops the command."""
    if not options.get("program"):
        return None
    program = Program.objects.filter(slug=options["program"]).first()
    if program is None:
        raise CommandError(f"No program with the short name {options['program']!r}.")
    return [program]
