"""`tejido demo`: load the demo programs, or a large synthetic network with --scale N."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tejido.accounts.models import Role
from tejido.dashboards.demo.content import DEMO_PASSWORD
from tejido.dashboards.demo.loader import demo_accounts, demo_is_loaded, demo_load, demo_reset
from tejido.dashboards.demo.network import compute_queued_analyses
from tejido.dashboards.demo.scale import (
    DEFAULT_SEED,
    MAX_SCALE,
    scale_exists,
    scale_generate,
    scale_reset,
    scale_slug,
)


class Command(BaseCommand):
    help = _(
        "Load the demo: two programs with realistic actors, people, ties over three cycles and "
        "one account per role. With --scale N, generate a synthetic network of N actors instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete the demo programs (or the synthetic network) first and load again."),
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help=_("Generate a synthetic network of N actors (about five ties each)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed of the synthetic network (the same seed gives the same network)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] is not None:
            self.scale(options["scale"], seed=options["seed"], reset=options["reset"])
        elif options["seed"] != DEFAULT_SEED:
            # The demo is one fixed story; only synthetic networks vary with the seed.
            raise CommandError(_("--seed applies only to --scale."))
        else:
            self.demo(reset=options["reset"])

    def demo(self, *, reset: bool) -> None:
        if demo_is_loaded():
            if not reset:
                self.stdout.write(
                    _(
                        "The demo is already loaded; nothing was changed "
                        "(use --reset to load it again)."
                    )
                )
                self.accounts_table()
                return
            demo_reset()
            self.stdout.write(_("Deleted the previous demo programs and demo accounts."))
        summary = demo_load()
        # Surveys answered while loading asked, once committed, for the indicators to follow:
        # answer those requests now, so the demo opens with nothing waiting for the worker.
        compute_queued_analyses(summary.programs)
        for program in summary.programs:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Loaded “%(name)s” (/p/%(slug)s/).")
                    % {
                        "name": program.name,
                        "slug": program.slug,
                    }
                )
            )
        self.stdout.write(
            _(
                "%(actors)s actors (%(people)s people), %(ties)s ties with %(versions)s "
                "recorded versions, %(memberships)s memberships, %(genders)s genders recorded "
                "with consent, in %(seconds).1f s."
            )
            % {
                "actors": summary.actors,
                "people": summary.people,
                "ties": summary.ties,
                "versions": summary.tie_versions,
                "memberships": summary.memberships,
                "genders": summary.consented_genders,
                "seconds": summary.seconds,
            }
        )
        for governance in summary.governance:
            self.stdout.write(
                _(
                    "Governance: territories selected by a scorecard, %(bodies)s bodies, "
                    "%(meetings)s meetings, %(polls)s decisions, %(plans)s improvement plans."
                )
                % {
                    "bodies": len(governance.bodies),
                    "meetings": governance.meetings,
                    "polls": len(governance.polls),
                    "plans": len(governance.plans),
                }
            )
        for funds in summary.funds:
            self.stdout.write(
                _(
                    "Competitive funds: %(calls)s calls, %(applications)s applications, "
                    "%(awards)s awards with their follow-up."
                )
                % {
                    "calls": len(funds.calls),
                    "applications": funds.applications,
                    "awards": funds.awards,
                }
            )
        for learning in summary.learning:
            self.stdout.write(
                _(
                    "Training and learning: %(courses)s courses, %(cohorts)s cohorts, "
                    "%(certificates)s certificates, %(items)s library items, "
                    "%(experiences)s experiences, %(exchanges)s exchange meetings."
                )
                % {
                    "courses": learning.courses,
                    "cohorts": learning.cohorts,
                    "certificates": learning.certificates,
                    "items": learning.library_items,
                    "experiences": learning.experiences,
                    "exchanges": learning.exchanges,
                }
            )
        for cooperation in summary.cooperation:
            self.stdout.write(
                _(
                    "Intercooperation: %(listings)s shared services offered or needed, "
                    "%(agreements)s agreements, %(consortia)s consortia, %(projects)s joint "
                    "projects, %(spaces)s reflection spaces, %(missions)s study missions."
                )
                % {
                    "listings": cooperation.listings,
                    "agreements": cooperation.agreements,
                    "consortia": cooperation.consortia,
                    "projects": cooperation.projects,
                    "spaces": cooperation.spaces,
                    "missions": cooperation.missions,
                }
            )
        self.accounts_table()

    def accounts_table(self) -> None:
        labels = dict(Role.choices)
        rows = [
            (
                account.email,
                DEMO_PASSWORD,
                str(_("Superuser (all programs)"))
                if account.role == "superuser"
                else str(labels[account.role]),
                programs or "—",
            )
            for account, programs in demo_accounts()
        ]
        header = (_("E-mail"), _("Password"), _("Role"), _("Program"))
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

        def fmt(row: tuple[str, ...]) -> str:
            return (
                "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            )

        self.stdout.write("")
        self.stdout.write(_("Demo accounts:"))
        self.stdout.write(line)
        self.stdout.write(fmt(tuple(str(h) for h in header)))
        self.stdout.write(line.replace("-", "="))
        for row in rows:
            self.stdout.write(fmt(row))
        self.stdout.write(line)

    def scale(self, size: int, *, seed: int, reset: bool) -> None:
        if not 1 <= size <= MAX_SCALE:
            raise CommandError(
                _("--scale must be between 1 and %(max)s.") % {"max": f"{MAX_SCALE:,}"}
            )
        slug = scale_slug(size)
        if scale_exists(size):
            if not reset:
                self.stdout.write(
                    _(
                        "The synthetic network “%(slug)s” already exists; nothing was changed "
                        "(use --reset to generate it again)."
                    )
                    % {"slug": slug}
                )
                return
            seconds = scale_reset(size)
            self.stdout.write(
                _("Deleted the synthetic network “%(slug)s” in %(seconds).1f s.")
                % {"slug": slug, "seconds": seconds}
            )
        result = scale_generate(size=size, seed=seed, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Generated “%(slug)s”: %(actors)s actors, %(ties)s ties (%(versions)s "
                    "versions) in %(territories)s territories, in %(seconds).1f s."
                )
                % {
                    "slug": slug,
                    "actors": f"{result.actors:,}",
                    "ties": f"{result.ties:,}",
                    "versions": f"{result.tie_rows:,}",
                    "territories": f"{result.territories:,}",
                    "seconds": result.seconds,
                }
            )
        )
