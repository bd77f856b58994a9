# mypy: disable-error-code="attr-defined,arg-type,return-value"
"""Importing a public vote from a Pabulib file: all or nothing, every problem with its line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from tejido.core.models import AuditEntry
from tejido.funds.models import Application, Call, CallStatus, RankingSource
from tejido.funds.opendata.exports import call_as_pb
from tejido.funds.opendata.services import call_import_votes
from tejido.funds.pabulib import write_pb

from .factories import ApplicationFactory, CallFactory, coordinator_of

pytestmark = pytest.mark.django_db


def closed_call(**fields: Any) -> tuple[Call, list[Application]]:
    call = CallFactory(closed=True, budget=Decimal("5000000"), **fields)
    applications = [
        ApplicationFactory(
            call=call, reference=f"FC-2026-{n:04d}", requested_amount=Decimal(n * 1_000_000)
        )
        for n in (1, 2, 3)
    ]
    return call, applications


def vote_file(
    call: Call,
    rows: str = "FC-2026-0001;1000000;120\nFC-2026-0002;2000000;75\nFC-2026-0003;3000000;98",
    *,
    header: str = "project_id;cost;votes",
    meta: str = "",
    votes: str = "",
) -> str:
    return (
        f"META\nkey;value\ndescription;Votación\nbudget;{call.budget}\nvote_type;approval\n"
        f"currency;{call.currency}\n{meta}PROJECTS\n{header}\n{rows}\nVOTES\nvoter_id;vote\n{votes}"
    )


def run(call: Call, text: str, **kwargs: Any) -> Any:
    return call_import_votes(
        actor=coordinator_of(call.program), call=call, text=text, file_name="votos.pb", **kwargs
    )


def test_import_stores_votes_and_ranks_by_them() -> None:
    call, _applications = closed_call()
    report = run(call, vote_file(call))
    assert report.errors == [] and report.imported
    votes = dict(Application.objects.values_list("reference", "public_votes"))
    assert votes == {"FC-2026-0001": 120, "FC-2026-0002": 75, "FC-2026-0003": 98}
    call.refresh_from_db()
    assert call.ranking_source == RankingSource.PUBLIC_VOTE
    entry = AuditEntry.objects.get(action="funds.votes.imported")
    assert entry.data["projects"] == 3 and entry.data["file"] == "votos.pb"


def test_check_only_changes_nothing() -> None:
    call, _applications = closed_call()
    report = run(call, vote_file(call), check_only=True)
    assert report.errors == [] and not report.imported and len(report.rows) == 3
    assert not Application.objects.filter(public_votes__isnull=False).exists()
    call.refresh_from_db()
    assert call.ranking_source == RankingSource.REVIEWS


def test_scores_and_decimal_points() -> None:
    call, _applications = closed_call()
    text = vote_file(
        call,
        "FC-2026-0001;1000000;10;55.5\nFC-2026-0002;2000000;8;40,25\nFC-2026-0003;3000000;1;2",
        header="project_id;cost;votes;score",
    )
    assert run(call, text).imported
    scores = dict(Application.objects.values_list("reference", "public_score"))
    assert scores["FC-2026-0002"] == Decimal("40.25")


def test_votes_counted_from_the_ballots_when_no_column() -> None:
    call, _applications = closed_call()
    rows = "FC-2026-0001;1000000\nFC-2026-0002;2000000\nFC-2026-0003;3000000"
    text = vote_file(
        call, rows, header="project_id;cost", votes="a;FC-2026-0001,FC-2026-0003\nb;FC-2026-0001\n"
    )
    report = run(call, text)
    assert report.imported and report.voters == 2
    votes = dict(Application.objects.values_list("reference", "public_votes"))
    assert votes == {"FC-2026-0001": 2, "FC-2026-0002": 0, "FC-2026-0003": 1}


def test_the_calls_own_export_comes_back_in() -> None:
    call, applications = closed_call()
    instance = call_as_pb(call)
    for number, project in enumerate(instance.projects):
        project.fields["votes"] = str(10 * (number + 1))
    instance.project_columns.append("votes")
    assert run(call, write_pb(instance)).imported
    assert Application.objects.get(pk=applications[2].pk).public_votes == 30


def test_an_application_missing_from_the_file_loses_its_old_votes() -> None:
    call, applications = closed_call()
    Application.objects.filter(pk=applications[2].pk).update(public_votes=500)
    report = run(call, vote_file(call, "FC-2026-0001;1000000;120\nFC-2026-0002;2000000;75"))
    assert report.imported
    assert [a.reference for a in report.missing] == ["FC-2026-0003"]
    assert Application.objects.get(pk=applications[2].pk).public_votes is None


def _problems(report: Any) -> list[tuple[int | None, str, str]]:
    return [(e.line, e.project, e.message) for e in report.errors]


def test_every_bad_row_is_reported_and_nothing_changes() -> None:
    call, _applications = closed_call()
    other = ApplicationFactory(reference="FC-2026-0099")  # of another call
    text = vote_file(
        call,
        "FC-2026-0001;1000000;120\nFC-2026-0002;2500000;75\nFC-2026-0003;3000000;\n"
        f"{other.reference};1000000;4\nFC-2026-0004;1000000;9",
    )
    report = run(call, text)
    assert not report.imported
    assert _problems(report) == [
        (
            10,
            "FC-2026-0002",
            "The file's cost is $2,500,000, but the application asks for $2,000,000.",
        ),
        (11, "FC-2026-0003", "This project has neither votes nor a score."),
        (
            12,
            "FC-2026-0099",
            "No submitted application of this call has the reference FC-2026-0099.",
        ),
        (
            13,
            "FC-2026-0004",
            "No submitted application of this call has the reference FC-2026-0004.",
        ),
    ]
    assert not Application.objects.filter(public_votes__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="funds.votes.imported").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"meta_budget": "4000000"},
            "The file's budget is $4,000,000, but the call's is $5,000,000.",
        ),
        ({"currency": "EUR"}, "The file's currency is EUR, but the call's is CLP."),
        (
            {"header": "project_id;cost;name"},
            "The file gives no votes: its PROJECTS section needs a “votes” or “score” column, "
            "or its VOTES section the ballots.",
        ),
    ],
)
def test_file_level_problems(change: dict[str, str], message: str) -> None:
    call, _applications = closed_call()
    text = vote_file(call, header=change.get("header", "project_id;cost;votes"))
    if "meta_budget" in change:
        text = text.replace(f"budget;{call.budget}", f"budget;{change['meta_budget']}")
    if "currency" in change:
        text = text.replace("currency;CLP", f"currency;{change['currency']}")
    report = run(call, text)
    assert _problems(report) == [(None, "", message)]
    assert not Application.objects.filter(public_votes__isnull=False).exists()


def test_a_malformed_file_says_where() -> None:
    call, _applications = closed_call()
    report = run(call, vote_file(call, "FC-2026-0001;1000000;120\nFC-2026-0002;2000000"))
    assert _problems(report) == [
        (10, "", "This row has 2 cells, but the header row names 3 columns.")
    ]


def test_votes_must_be_whole() -> None:
    call, _applications = closed_call()
    report = run(call, vote_file(call, "FC-2026-0001;1000000;12.5"))
    assert report.errors[0].message.startswith("The votes must be a whole number")


def test_messages_follow_the_language() -> None:
    call, _applications = closed_call()
    with translation.override("es"):
        report = run(call, "")
    assert report.errors[0].message != "The file is empty."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"closed": False}, "Votes can be imported once the call has closed"),
        ({"status": CallStatus.DECIDED}, "The committee has already decided this call"),
        ({"status": CallStatus.RESULTS_PUBLISHED}, "The committee has already decided"),
    ],
)
def test_only_between_closing_and_the_decision(fields: dict[str, Any], expected: str) -> None:
    call = CallFactory(**{"closed": True, **fields})
    ApplicationFactory(call=call, reference="FC-2026-0001")
    report = run(call, vote_file(call, "FC-2026-0001;1000000;3"))
    assert report.errors[0].message.startswith(expected)
    assert not report.imported
    assert Application.objects.get().public_votes is None


def test_file_and_row_problems_show_together() -> None:
    call, _applications = closed_call()
    text = vote_file(call, "FC-2026-0001;1000000;120\nFC-2026-0008;2000000;75")
    report = run(call, text.replace(f"budget;{call.budget}", "budget;1"))
    assert [(e.line, e.project) for e in report.errors] == [(None, ""), (10, "FC-2026-0008")]
