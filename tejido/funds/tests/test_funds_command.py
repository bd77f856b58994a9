# mypy: disable-error-code="attr-defined,arg-type"
"""`tejido funds`: allocate a Pabulib file (checked against the cities' real results and against
pabutools), export awards as 360Giving, send the reminders."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, max_additive_utilitarian_welfare

from tejido.core.tests.factories import ProgramFactory
from tejido.funds.models import CallStatus, Milestone

from .factories import representative_of
from .factories_opendata import decided_call
from .test_giving360 import errors_of
from .test_pabulib import SAMPLE_FILES, SAMPLES


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("funds", *args, stdout=out)
    return out.getvalue()


def allocate_json(path: Path, rule: str = "greedy") -> dict[str, Any]:
    return json.loads(run("allocate", str(path), "--rule", rule, "--format", "json"))


# No database fixture here: pytest-django refuses any query, so these prove that `allocate`
# never touches the database.


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem[:40])
def test_greedy_is_the_citys_result_and_pabutools(path: Path) -> None:
    report = allocate_json(path)
    instance, profile = parse_pabulib(str(path))
    comparison = report["file_selected"]
    if instance.meta["rule"] == "greedy" and comparison is not None:
        # The real outcome: the projects the city funded by its greedy rule.
        assert comparison["matches"], comparison
        assert comparison["only_here"] == comparison["only_in_file"] == []
    if instance.meta["vote_type"] in ("approval", "choose-1"):
        # Votes are the approvals, so the greedy order is pabutools' greedy welfare.
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        assert set(report["selected"]) == {p.name for p in theirs}
    spent = sum(
        (float(p["amount"]) for p in report["projects"] if p["project_id"] in report["selected"]),
        0.0,
    )
    assert spent == pytest.approx(float(report["total"])) and spent <= float(report["budget"])
    assert all(p["explanation"] for p in report["projects"])


SMALL_APPROVAL = [
    p
    for p in SAMPLE_FILES
    if "Toulouse_2022" in p.name or "Gdynia" in p.name or "Poznan_2025_13" in p.name
]


@pytest.mark.parametrize("path", SMALL_APPROVAL, ids=lambda p: p.stem[:40])
def test_optimal_reaches_pabutools_max_welfare(path: Path) -> None:
    report = allocate_json(path, "optimal")
    instance, profile = parse_pabulib(str(path))
    best = max_additive_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat)
    best_votes = sum(profile.approval_score(p) for p in best)
    ours = sum(p["score"] for p in report["projects"] if p["project_id"] in report["selected"])
    assert ours == best_votes
    assert ours >= sum(
        p["score"]
        for p in allocate_json(path)["projects"]
        if p["project_id"] in allocate_json(path)["selected"]
    )


def test_text_output() -> None:
    text = run(
        "allocate",
        str(SAMPLES / "Poland_Warszawa_2017_CentrumWola_GrzybowskaGroszowka.pb"),
        "--rule",
        "greedy",
    )
    assert "Rule: Greedy by score" in text
    assert (
        "Budget: 143,007.00\u00a0PLN · selected: 141,571.00\u00a0PLN · left: 1,436.00\u00a0PLN"
        in text
    )
    assert "Selected (5 projects):" in text
    assert "  5. 1629 · Życzliwość wobec kobiet w ciąży dla mieszkanek Wesołej." in text
    assert "Not funded: when its turn came only 20,167.00\u00a0PLN of the budget was left" in text
    assert text.rstrip().endswith("The file's “selected” column: the same projects.")


def test_json_output_and_other_money() -> None:
    path = (
        SAMPLES
        / "Poland_Poznan_2025_11_-_Fabianowo-Kotowo_Gorczyn_Junikowo_Kwiatowe_Lawica__large.pb"
    )
    report = allocate_json(path)
    assert report["rule"] == "greedy" and report["currency"] == "PLN"
    assert report["score_source"] == "votes" and report["voters"] == 3652
    assert report["file_selected"]["other_money"] == ["RD-XI.4"]
    first = report["projects"][0]
    assert set(first) == {
        "project_id",
        "name",
        "cost",
        "score",
        "outcome",
        "amount",
        "rank",
        "explanation",
    }


def test_scores_from_the_ballots_when_there_is_no_votes_column(tmp_path: Path) -> None:
    path = tmp_path / "ballots.pb"
    path.write_text(
        "META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name\n"
        "a;60;A\nb;50;B\nc;40;C\nVOTES\nvoter_id;vote;points\n1;a,b;1,4\n2;c;3\n3;a;1\n",
        encoding="utf-8",
    )
    report = allocate_json(path)
    assert report["score_source"] == "ballots"
    assert {p["project_id"]: p["score"] for p in report["projects"]} == {
        "a": 2.0,
        "b": 4.0,
        "c": 3.0,
    }
    assert report["selected"] == ["b", "c"]
    assert report["file_selected"] is None


def test_explanations_in_another_language() -> None:
    path = SAMPLES / "Poland_Gdynia_2020_Orlowo__large.pb"
    english = run("allocate", str(path), "--rule", "optimal")
    spanish = run("allocate", str(path), "--rule", "optimal", "--language", "es")
    assert "376,020.00\u00a0PLN" in english
    assert "376,020.00" not in spanish
    assert "376.020,00\u00a0PLN" in spanish or "376\u00a0020,00\u00a0PLN" in spanish


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        (b"\xff\xfe", "The file is not UTF-8 text"),
        (b"META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;x\n", "bad.pb, line 6: "),
    ],
)
def test_file_problems(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.pb"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run("allocate", str(path), "--rule", "greedy")


def test_unknown_rule() -> None:
    with pytest.raises(CommandError):
        run("allocate", str(SAMPLE_FILES[0]), "--rule", "lottery")


# --- export-360giving -----------------------------------------------------------------------


@pytest.mark.django_db
def test_export_all_published_calls() -> None:
    world = decided_call()
    decided_call(program=world.program, status=CallStatus.DECIDED, slug="b", title="B", prefix="X")
    data = json.loads(run("export-360giving", "--base-url", "https://tejido.example.org"))
    assert errors_of(data) == []
    assert [g["id"] for g in data["grants"]] == [a.identifier for a in world.awards]
    assert data["publisher"]["name"] == "Barrios en Red"
    assert data["grants"][0]["dataSource"].startswith("https://tejido.example.org/p/")


@pytest.mark.django_db
def test_export_named_calls() -> None:
    world = decided_call()
    other = decided_call(
        program=ProgramFactory(),
        slug="otro",
        title="Otro fondo",
        prefix="Y",
        funded=1,
        not_funded=0,
    )
    by_id = json.loads(run("export-360giving", str(world.call.pk)))
    assert len(by_id["grants"]) == 2 and by_id["title"] == "Grants of “Fondo Barrial 2026”"
    both = json.loads(run("export-360giving", "fondo-barrial-2026", f"{other.program.slug}/otro"))
    assert len(both["grants"]) == 3 and both["publisher"] == {"name": "Tejido"}
    assert errors_of(both) == []


@pytest.mark.django_db
def test_export_private_program_only_when_named() -> None:
    world = decided_call()
    world.program.is_public = False
    world.program.save()
    with pytest.raises(CommandError, match="There are no awards to export"):
        run("export-360giving")
    assert len(json.loads(run("export-360giving", str(world.call.pk)))["grants"]) == 2


@pytest.mark.django_db
def test_export_errors() -> None:
    world = decided_call(status=CallStatus.DECIDED)
    with pytest.raises(CommandError, match="has not published its results"):
        run("export-360giving", str(world.call.pk))
    with pytest.raises(CommandError, match="Unknown call “nada”"):
        run("export-360giving", "nada")
    with pytest.raises(CommandError, match="Unknown call “999999”"):
        run("export-360giving", "999999")
    decided_call(program=ProgramFactory(), slug=world.call.slug, prefix="Z")  # same slug
    with pytest.raises(CommandError, match="Several programs have a call"):
        run("export-360giving", world.call.slug)


# --- remind ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_remind_sends_once_a_day(django_capture_on_commit_callbacks: Any) -> None:
    world = decided_call(funded=1, not_funded=0)
    award = world.awards[0]
    representative_of(award.application.applicant)
    late = award.awarded_on - datetime.timedelta(days=1)
    Milestone.objects.create(award=award, title="Taller de verano", due_on=late)
    today = award.awarded_on.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        first = run("remind", "--date", today)
    assert len(mail.outbox) == 1
    assert first.strip() == "1 reminder sent."
    with django_capture_on_commit_callbacks(execute=True):
        assert run("remind", "--date", today).strip() == "0 reminders sent."
    assert len(mail.outbox) == 1
