"""Bringing the results of a public vote into a call, from a Pabulib file.

The file's project ids are the call's application references (as the call's own `.pb` export
writes them). Each project's votes (the `votes` column) and score (the `score` column) are
stored on its application; without those columns they are counted from the file's ballots.
The call is then ranked by the vote. Everything is checked first: if anything is wrong,
nothing changes and every problem is listed with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tejido.core.audit import audit_log
from tejido.governance.plans.money import money

from ..models import Application, ApplicationStatus, Call, CallPhase, CallStatus, RankingSource
from ..pabulib import PbError, PbInstance, read_pb
from .messages import pb_error_text

MAX_VOTES = 2_147_483_647  # the largest value the votes column of the database holds
MAX_SCORE = Decimal("999999999999.99")


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    project: str
    message: str


@dataclass(frozen=True)
class ImportedVotes:
    application: Application
    votes: int | None
    score: Decimal | None


@dataclass
class VoteImport:
    """What an import found and did. `imported` is False when only checking or on errors."""

    errors: list[ImportProblem] = field(default_factory=list)
    rows: list[ImportedVotes] = field(default_factory=list)
    # Submitted applications the file does not list: their votes are cleared.
    missing: list[Application] = field(default_factory=list)
    voters: int = 0
    imported: bool = False


def phase_problem(call: Call) -> str | None:
    """Why votes cannot be imported into the call now, or None."""
    phase = call.phase()
    if call.status in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED):
        return _("The committee has already decided this call: its ranking can no longer change.")
    if phase != CallPhase.EVALUATION:
        return _(
            "Votes can be imported once the call has closed for applications (it closes on "
            "%(date)s)."
        ) % {"date": date_format(timezone.localtime(call.closes_at), "DATE_FORMAT")}
    return None


def _has_votes(instance: PbInstance) -> bool:
    return bool(set(instance.project_columns) & {"votes", "score"} or instance.votes)


def _file_problems(call: Call, instance: PbInstance) -> list[ImportProblem]:
    problems = []
    if instance.budget != call.budget:
        problems.append(
            ImportProblem(
                None,
                "",
                _("The file's budget is %(file)s, but the call's is %(call)s.")
                % {
                    "file": money(instance.budget, call.currency),
                    "call": money(call.budget, call.currency),
                },
            )
        )
    if instance.currency and instance.currency != call.currency.upper():
        problems.append(
            ImportProblem(
                None,
                "",
                _("The file's currency is %(file)s, but the call's is %(call)s.")
                % {"file": instance.currency, "call": call.currency},
            )
        )
    if not _has_votes(instance):
        problems.append(
            ImportProblem(
                None,
                "",
                _(
                    "The file gives no votes: its PROJECTS section needs a “votes” or “score” "
                    "column, or its VOTES section the ballots."
                ),
            )
        )
    return problems


def _check_rows(
    call: Call, instance: PbInstance, report: VoteImport
) -> dict[int, tuple[int | None, Decimal | None]]:
    applications = {
        a.reference: a
        for a in Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
        .select_for_update()
        .order_by("reference")
    }
    columns = set(instance.project_columns)
    tally = instance.tally() if not columns & {"votes", "score"} else {}
    counted_score = instance.vote_type in ("cumulative", "scoring", "ordinal")
    found: dict[int, tuple[int | None, Decimal | None]] = {}
    for project in instance.projects:
        reference = project.project_id
        line = project.line or None
        application = applications.get(reference)
        if application is None:
            report.errors.append(
                ImportProblem(
                    line,
                    reference,
                    _("No submitted application of this call has the reference %(reference)s.")
                    % {"reference": reference},
                )
            )
            continue
        problems = []
        if project.cost != application.requested_amount:
            problems.append(
                _("The file's cost is %(file)s, but the application asks for %(asked)s.")
                % {
                    "file": money(project.cost, call.currency),
                    "asked": money(application.requested_amount, call.currency),
                }
            )
        if tally:
            count, points = tally[reference]
            votes: Decimal | None = Decimal(count)
            score = points if counted_score else None
        else:
            votes, score = project.votes, project.score
            if votes is None and score is None:
                problems.append(_("This project has neither votes nor a score."))
        if votes is not None and (votes != votes.to_integral_value() or votes > MAX_VOTES):
            problems.append(
                _("The votes must be a whole number up to %(max)s, not %(value)s.")
                % {"max": MAX_VOTES, "value": votes}
            )
        if score is not None and abs(score) > MAX_SCORE:
            problems.append(_("The score %(value)s is too large.") % {"value": score})
        if problems:
            report.errors.extend(ImportProblem(line, reference, p) for p in problems)
            continue
        stored_votes = int(votes) if votes is not None else None
        stored_score = score.quantize(Decimal("0.01")) if score is not None else None
        found[application.pk] = (stored_votes, stored_score)
        report.rows.append(ImportedVotes(application, stored_votes, stored_score))
    listed = {p.project_id for p in instance.projects}
    report.missing = [a for ref, a in applications.items() if ref not in listed]
    return found


@transaction.atomic
def call_import_votes(
    *, actor: Any, call: Call, text: str, file_name: str = "", check_only: bool = False
) -> VoteImport:
    """Store the public vote of a Pabulib file on the call's applications and rank the call
    by it. All or nothing: the report lists every problem when there is any."""
    call = Call.objects.select_for_update().select_related("program").get(pk=call.pk)
    report = VoteImport()
    problem = phase_problem(call)
    if problem:
        report.errors.append(ImportProblem(None, "", problem))
        return report
    try:
        instance = read_pb(text)
    except PbError as error:
        report.errors.append(ImportProblem(error.line, "", pb_error_text(error)))
        return report
    report.voters = len(instance.votes)
    report.errors.extend(_file_problems(call, instance))
    if not _has_votes(instance):
        return report
    # Also list the rows' problems, so that one upload shows everything to fix.
    found = _check_rows(call, instance, report)
    if report.errors or check_only:
        return report
    updated = []
    for row in report.rows:
        row.application.public_votes = row.votes
        row.application.public_score = row.score
        updated.append(row.application)
    for application in report.missing:
        application.public_votes = None
        application.public_score = None
        updated.append(application)
    Application.objects.bulk_update(updated, ["public_votes", "public_score"])
    call.ranking_source = RankingSource.PUBLIC_VOTE
    call.save(update_fields=["ranking_source", "updated_at"])
    audit_log(
        user=actor,
        action="funds.votes.imported",
        target=call,
        program=call.program,
        data={
            "file": file_name,
            "projects": len(found),
            "voters": report.voters,
            "cleared": [a.reference for a in report.missing],
        },
    )
    report.imported = True
    return report
