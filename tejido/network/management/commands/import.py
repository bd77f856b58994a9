"""`tejido import`: actors and ties from CSV or XLSX files into a program, all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.core.models import Program
from tejido.network.transfer.importer import import_files


class Command(BaseCommand):
    help = (
        "Import actors and ties from CSV (UTF-8) or XLSX files into a program. Every row is "
        "checked first; if any is wrong, the problems are listed with their line numbers and "
        "nothing is imported (exit status 1). Columns: docs/import-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="Short name (slug) of the program.")
        parser.add_argument(
            "--actors", metavar="FILE", help="Actors file (an XLSX workbook may hold ties too)."
        )
        parser.add_argument("--ties", metavar="FILE", help="Ties file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the files and report; write nothing."
        )
        parser.add_argument(
            "--user", metavar="EMAIL", help="The account recorded as having made the import."
        )
        parser.add_argument(
            "--update-existing",
            action="store_true",
            help="Rows naming an actor already in the program (same name and kind) update it.",
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=500,
            metavar="MB",
            help="Refuse files larger than this many megabytes (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            known = ", ".join(Program.objects.values_list("slug", flat=True)[:20])
            raise CommandError(
                _("There is no program “%(slug)s”. Programs: %(known)s")
                % {"slug": options["program"], "known": known or "-"}
            )
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user “%(email)s”.") % {"email": options["user"]})
        if not options["actors"] and not options["ties"]:
            raise CommandError(_("Give --actors FILE, --ties FILE, or both."))
        for path in (options["actors"], options["ties"]):
            if path and not Path(path).is_file():
                raise CommandError(_("There is no file at %(path)s.") % {"path": path})
        report = import_files(
            program=program,
            actors_file=options["actors"],
            ties_file=options["ties"],
            user=user,
            dry_run=options["dry_run"],
            update_existing=options["update_existing"],
            max_bytes=options["max_size"] * 1024 * 1024,
        )
        for notice in report.notices:
            self.stdout.write(notice)
        for error in sorted(report.errors, key=lambda e: (e.source, e.line or 0)):
            self.stderr.write(str(error))
        counts = report.counts()
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)s problem: nothing was imported. Correct the files and run the "
                    "command again.",
                    "%(count)s problems: nothing was imported. Correct the files and run the "
                    "command again.",
                    len(report.errors),
                )
                % {"count": len(report.errors)}
            )
        if report.dry_run:
            summary = _(
                "Checked, no problems. The import would create %(actors_created)s actors and "
                "update %(actors_updated)s; create %(ties_created)s ties, write a new version "
                "of %(ties_updated)s and leave %(ties_unchanged)s unchanged."
            )
        else:
            summary = _(
                "Imported: %(actors_created)s actors created and %(actors_updated)s updated; "
                "%(ties_created)s ties created, %(ties_updated)s with a new version and "
                "%(ties_unchanged)s unchanged."
            )
        self.stdout.write(self.style.SUCCESS(summary % counts))
        if options["verbosity"] > 1:
            timings = ", ".join(
                f"{phase} {seconds:.1f} s" for phase, seconds in report.timings.items()
            )
            self.stdout.write(f"{report.seconds:.1f} s ({timings})")
