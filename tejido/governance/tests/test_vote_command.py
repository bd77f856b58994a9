"""`tejido vote count FILE --method M` with call_command.

None of these tests has database access (no `db` fixture): pytest-django would fail any query,
so passing them shows the command never touches the database.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tejido.governance import voting

RANKED = "Plaza,Sede,Cancha\n1,2,3\n2,1,\n1,,2\n3,2,1\n2,3,1\n"
RANKED_BALLOTS = [[0, 1, 2], [1, 0], [0, 2], [2, 1, 0], [2, 0, 1]]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("vote", "count", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ranked_csv(tmp_path):
    path = tmp_path / "ranked.csv"
    path.write_text(RANKED, encoding="utf-8")
    return path


def test_json_matches_the_pure_count(ranked_csv):
    data = json.loads(run(str(ranked_csv), "--method", "irv", "--format", "json", "--seed", "s"))
    counted = voting.count("irv", 3, RANKED_BALLOTS, seed="s")
    assert data["method"] == "irv"
    assert data["format"] == "csv"
    assert data["options"] == ["Plaza", "Sede", "Cancha"]
    assert data["ballots"] == 5
    assert data["seed"] == "s"
    assert data["ranking"] == counted.ranking
    assert data["ranking_labels"] == [
        [["Plaza", "Sede", "Cancha"][o] for o in group] for group in counted.ranking
    ]
    assert data["winner"] == {
        "option": counted.winner,
        "label": ["Plaza", "Sede", "Cancha"][counted.winner],
    }
    assert [w["option"] for w in data["tied_winners"]] == counted.tied_winners
    assert data["tie_broken"] is counted.tie_broken
    assert data["passed"] is None
    assert [t["total"] for t in data["totals"]] == [counted.totals[o] for o in range(3)]
    assert [
        {t["option"]: t["votes"] for t in round_["tallies"]} for round_ in data["rounds"]
    ] == counted.rounds
    assert [e["code"] for e in data["explanation"]] == [s.code for s in counted.explanation]
    assert all(e["sentence"] for e in data["explanation"])
    assert data["explanation"][0]["params"] == {"method": "irv"}


def test_default_seed_is_the_files_sha256(ranked_csv):
    data = json.loads(run(str(ranked_csv), "--method", "borda", "--format", "json"))
    assert data["seed"] == hashlib.sha256(RANKED.encode()).hexdigest()
    again = json.loads(run(str(ranked_csv), "--method", "borda", "--format", "json"))
    assert again == data


def test_text_output(ranked_csv):
    text = run(str(ranked_csv), "--method", "borda", "--language", "en", "--seed", "x")
    counted = voting.count("borda", 3, RANKED_BALLOTS, seed="x")
    # Borda: Plaza 2+1+2+0+1 = 6, Sede 1+2+0+1+0 = 4, Cancha 0+0+1+2+2 = 5.
    assert counted.totals == {0: 6, 1: 4, 2: 5}
    assert "Method: Ranked ballot, Borda count" in text
    assert "File: ranked.csv (csv, 5 ballots, 3 options)" in text
    assert "  1. Plaza — 6\n  2. Cancha — 5\n  3. Sede — 4" in text
    assert "Winner: Plaza" in text
    assert "How the count went:" in text
    assert "  - Plaza: 6 points." in text
    assert "Plaza wins with 6 points." in text


def test_text_follows_the_language(tmp_path):
    path = tmp_path / "motion.csv"
    path.write_text("choice\nyes\nyes\nno\n", encoding="utf-8")
    english = run(str(path), "--method", "qualified", "--language", "en")
    spanish = run(str(path), "--method", "qualified", "--language", "es")
    assert "66.7 %" in english
    assert "66,7 %" in spanish  # the decimal comma of Spanish
    assert "  1. Yes — 2" in english
    assert "  1. Sí — 2" in spanish
    tie = tmp_path / "tie.csv"
    tie.write_text("choice\nSede\nPlaza\n", encoding="utf-8")
    assert "Sede and Plaza" in run(str(tie), "--method", "plurality", "--language", "en")
    assert "Sede y Plaza" in run(str(tie), "--method", "plurality", "--language", "es")


def test_tie_in_text(tmp_path):
    path = tmp_path / "tie.csv"
    path.write_text("choice\nSede\nPlaza\n", encoding="utf-8")
    text = run(str(path), "--method", "plurality", "--language", "en", "--seed", "k")
    winner = ["Sede", "Plaza"][voting.lot_order("k", [0, 1])[0]]
    assert "  1. Sede, Plaza (tied) — 1" in text
    assert f"Winner: {winner} (by lot among Sede, Plaza)" in text
    assert "The tie is broken by lot" in text
    assert "“k:”" in text or '"k:"' in text


def test_motion(tmp_path):
    path = tmp_path / "motion.csv"
    path.write_text("choice\nyes\nyes\nno\nabstain\n", encoding="utf-8")
    text = run(str(path), "--method", "qualified", "--threshold", "2/3", "--language", "en")
    assert "Passed: yes" in text
    assert "  1. Yes — 2" in text
    data = json.loads(
        run(str(path), "--method", "qualified", "--threshold", "0.75", "--format", "json")
    )
    assert data["passed"] is False
    assert data["winner"] is None
    assert data["totals"][0]["total"] == 2
    majority = json.loads(run(str(path), "--method", "majority", "--format", "json"))
    assert majority["passed"] is True


def test_method_parameters(tmp_path):
    dots = tmp_path / "dots.csv"
    dots.write_text("A,B\n7,3\n", encoding="utf-8")
    data = json.loads(run(str(dots), "--method", "cumulative", "--dots", "10", "--format", "json"))
    assert [t["total"] for t in data["totals"]] == [7, 3]
    with pytest.raises(CommandError, match=r"dots\.csv, line 2"):
        run(str(dots), "--method", "cumulative", "--language", "en")
    scores = tmp_path / "scores.csv"
    scores.write_text("A,B\n9,10\n", encoding="utf-8")
    data = json.loads(
        run(str(scores), "--method", "score", "--score-max", "10", "--format", "json")
    )
    assert data["winner"]["label"] == "B"
    approvals = tmp_path / "approval.csv"
    approvals.write_text("A,B,C\n1,1,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="at most 2 options"):
        run(str(approvals), "--method", "approval", "--max-choices", "2", "--language", "en")


def test_preflib_file(tmp_path):
    path = tmp_path / "votes.soc"
    path.write_text(
        "# ALTERNATIVE NAME 1: Luz\n# ALTERNATIVE NAME 2: Agua\n3: 2, 1\n1: 1, 2\n",
        encoding="utf-8",
    )
    data = json.loads(run(str(path), "--method", "irv", "--format", "json"))
    assert data["format"] == "soc"
    assert data["winner"] == {"option": 1, "label": "Agua"}
    assert len(data["rounds"]) == 1


@pytest.mark.parametrize(
    ("content", "name", "args", "message"),
    [
        (None, "missing.csv", ["--method", "borda"], "No such file"),
        ("A,B\n1,1\n", "t.csv", ["--method", "borda"], "t.csv, line 2: “A” and “B” share rank 1"),
        ("A,B\n1,2\n", "t.xlsx", ["--method", "borda"], "Unknown file type"),
        ("A,B\n1,2\n", "t.csv", ["--method", "condorcet"], "Unknown method “condorcet”"),
        ("", "t.csv", ["--method", "borda"], "t.csv: The file is empty."),
        ("A,B\n1,2\n", "t.csv", ["--method", "qualified", "--threshold", "1.5"], "at most 1"),
        ("A,B\n1,2\n", "t.csv", ["--method", "qualified", "--threshold", "two"], "such as 0.6"),
        ("A,B\n1,2\n", "t.csv", ["--method", "cumulative", "--dots", "0"], "--dots must"),
        ("A,B\n1,2\n", "t.csv", ["--method", "approval", "--max-choices", "-1"], "negative"),
        ("# NUMBER ALTERNATIVES: 2\n1: {1, 2}\n", "t.toc", ["--method", "irv"], "tied in place 1"),
        ("# NUMBER ALTERNATIVES: 2\n1: 1, 2\n", "t.soc", ["--method", "score"], "PrefLib"),
        ("choice\nperhaps\n", "t.csv", ["--method", "majority"], "line 2: “perhaps” is not"),
    ],
)
def test_clear_errors(tmp_path, content, name, args, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(str(path), *args, "--language", "en")
    assert message in str(raised.value)


def test_every_file_error_code_has_a_message(tmp_path):
    """The command's message table covers every code ballot_files raises."""
    import re
    from pathlib import Path

    from tejido.governance import ballot_files
    from tejido.governance.management.commands import vote

    source = Path(ballot_files.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'BallotFileError\(\s*"([a-z_]+)"', source))
    handled = set(re.findall(r'code == "([a-z_]+)"', Path(vote.__file__).read_text()))
    # bad_line, bad_count and bad_alternative share the closing "count: ranking" sentence;
    # unknown_method is caught before the file is read.
    assert codes - handled <= {"bad_line", "bad_count", "bad_alternative", "unknown_method"}
    assert {"bad_line", "bad_count", "bad_alternative"} <= codes
