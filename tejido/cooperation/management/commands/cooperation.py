"""`tejido cooperation`: the intercooperation module from the command line.

    tejido cooperation followups [--program SLUG] [--dry-run] [--base-url URL]

`followups` e-mails the representatives of the participating entities of every study mission
whose six-month follow-up is due, each in their language, with a link to the follow-up page.
Run it once a day; a mission's reminder goes out once (running it twice sends nothing new).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tejido.cooperation.missions.services import followups_send
from tejido.core.management.mailing import add_mailing_arguments, programs_option


class Command(BaseCommand):
    help = (
        "The intercooperation module from the command line: 'followups' e-mails the "
        "participants of study missions whose six-month follow-up is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        followups = commands.add_parser(
            "followups",
            help="E-mail the due follow-ups of study missions.",
            description=(
                "Send the representatives of each participating entity of a mission whose "
                "follow-up is due a link to say what came of its contacts. Each mission's "
                "reminder is sent once. Safe to run several times a day."
            ),
        )
        add_mailing_arguments(followups)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "followups":
            self.followups(options)

    def followups(self, options: dict[str, Any]) -> None:
        programs = programs_option(options)
        dry_run = bool(options.get("dry_run"))
        report = followups_send(programs=programs, dry_run=dry_run, base_url=options["base_url"])
        for email, title in report.sent:
            self.stdout.write(f"{'would send' if dry_run else 'sent'} {title} → {email}")
        verb = "would be reminded" if dry_run else "reminded"
        self.stdout.write(f"{report.missions} missions {verb}; {len(report.sent)} e-mails.")
