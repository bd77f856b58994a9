"""`tejido export`: the actors or ties of a program to a CSV or XLSX file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tejido.core.models import Program
from tejido.network.transfer.columns import ACTORS, TIES
from tejido.network.transfer.exporter import (
    header_and_rows,
    record_export,
    write_csv,
    write_xlsx,
)


class Command(BaseCommand):
    help = (
        "Export the actors or the ties of a program as CSV (UTF-8) or XLSX, in the columns "
        "the import reads (docs/import-format.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="Short name (slug) of the program.")
        parser.add_argument(
            "--what",
            choices=[ACTORS, TIES, "all"],
            default=ACTORS,
            help="actors, ties, or all (both, as two sheets of an XLSX workbook).",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help="File format (default: from the output file's extension, else csv).",
        )
        parser.add_argument(
            "--output", required=True, metavar="FILE", help="File to write; - for standard output."
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="Every version of every tie, not only the latest.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": options["program"]})
        output = options["output"]
        file_format = options["format"] or ("xlsx" if output.lower().endswith(".xlsx") else "csv")
        what, history = options["what"], options["history"]
        if file_format == "csv" and what == "all":
            raise CommandError(_("A CSV file holds one table: use --format xlsx with --what all."))
        if file_format == "xlsx" and output == "-":
            raise CommandError(_("Write XLSX to a file, not to the standard output."))
        kinds = [ACTORS, TIES] if what == "all" else [what]
        if file_format == "csv":
            header, rows = header_and_rows(program, what, history=history)
            if output == "-":
                write_csv(sys.stdout, header, rows)
            else:
                with Path(output).open("w", encoding="utf-8", newline="") as out:
                    write_csv(out, header, rows)
        else:
            with Path(output).open("wb") as binary:
                write_xlsx(
                    binary,
                    [(kind, *header_and_rows(program, kind, history=history)) for kind in kinds],
                )
        record_export(
            user=None, program=program, what=what, file_format=file_format, history=history
        )
        if output != "-":
            self.stdout.write(self.style.SUCCESS(_("Written: %(file)s") % {"file": output}))
