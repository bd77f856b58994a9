"""`tejido learning`: the learning module from the command line.

    tejido learning digest [--program SLUG] [--dry-run] [--base-url URL]

`digest` e-mails each member of a program the digest of what is new in its learning community
when theirs is due (weekly unless they chose daily or never). Run it once a day from cron or a
scheduler; running it twice the same day sends nothing new. With `--dry-run` it only lists who
would receive what.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tejido.core.management.mailing import add_mailing_arguments, programs_option
from tejido.learning.community.digest import digest_send


class Command(BaseCommand):
    help = (
        "The learning module from the command line: 'digest' e-mails the members of each "
        "program what is new in its learning community, when their digest is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        digest = commands.add_parser(
            "digest",
            help="E-mail the due digests of what is new in the learning community.",
            description=(
                "Send each member whose digest is due (weekly by default, daily or never as "
                "they chose) an e-mail with what is new since their last one, only when there "
                "is something. Safe to run several times a day."
            ),
        )
        add_mailing_arguments(digest)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "digest":
            self.digest(options)

    def digest(self, options: dict[str, Any]) -> None:
        programs = programs_option(options)
        dry_run = bool(options.get("dry_run"))
        report = digest_send(programs=programs, dry_run=dry_run, base_url=options["base_url"])
        for email, slug, digest in report.sent:
            self.stdout.write(
                f"{'would send' if dry_run else 'sent'} {slug} → {email}: "
                f"{len(digest.experiences)} experiences, {len(digest.questions)} questions "
                f"and answers, {len(digest.library_items)} library items, "
                f"{len(digest.sessions)} sessions"
            )
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(
            f"{len(report.sent)} digests {verb}; {report.skipped} members not due or with "
            "nothing new."
        )
