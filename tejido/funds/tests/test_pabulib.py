"""The Pabulib reader and writer: every sample file round-trips unchanged and reads the same as
pabutools' own parser (the independent reference); each vote type; quoting; and each problem
reported with its line."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import parse_pabulib
from pabutools.election.pabulib import parse_pabulib_from_string

from tejido.funds import pabulib
from tejido.funds.opendata.messages import MESSAGES, pb_error_message
from tejido.funds.pabulib import PbError, PbInstance, PbProject, read_pb, write_pb

SAMPLES = Path(__file__).resolve().parent / "data" / "pabulib"
SAMPLE_FILES = sorted(SAMPLES.glob("*.pb"))


def _fraction(value: Any) -> Fraction:
    return Fraction(str(value))


def test_the_samples_are_there() -> None:
    assert len(SAMPLE_FILES) >= 20


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem[:40])
def test_sample_round_trips_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    written = write_pb(read_pb(text))
    expected = text.replace("\r\n", "\n")
    if not expected.endswith("\n"):
        expected += "\n"
    assert written == expected
    # And reading what we wrote gives the same instance.
    assert read_pb(written) == read_pb(text)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem[:40])
def test_sample_reads_as_pabutools_does(path: Path) -> None:
    ours = read_pb(path.read_text(encoding="utf-8-sig"))
    instance, profile = parse_pabulib(str(path))
    assert _fraction(ours.budget) == _fraction(instance.budget_limit)
    assert ours.vote_type == instance.meta["vote_type"]
    assert ours.meta == instance.meta
    theirs = {p.name: p for p in instance}
    # pabutools keeps projects in a set: compare the ids, not their order.
    assert sorted(p.project_id for p in ours.projects) == sorted(p.name for p in instance)
    assert len(ours.projects) == len(instance)
    for project in ours.projects:
        reference = theirs[project.project_id]
        assert _fraction(project.cost) == _fraction(reference.cost)
        meta = instance.project_meta[reference]
        for column in ("votes", "score", "selected"):
            expected = meta.get(column)
            ours_value = getattr(project, column)
            if expected is None:
                assert ours_value is None
            else:
                assert _fraction(ours_value) == _fraction(expected)
        assert project.name == meta.get("name", "")
    assert len(ours.votes) == profile.num_ballots()
    # Each ballot holds the same projects (and points), ballot by ballot.
    for ballot, theirs_ballot in zip(ours.votes, profile, strict=True):
        assert ballot.voter_id == theirs_ballot.meta["voter_id"]
        if ours.vote_type in ("cumulative", "scoring"):
            assert {p: _fraction(v) for p, v in zip(ballot.vote, ballot.points, strict=True)} == {
                p.name: _fraction(v) for p, v in theirs_ballot.items()
            }
        else:
            assert set(ballot.vote) == {p.name for p in theirs_ballot}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem[:40])
def test_tally_counts_the_ballots_as_pabutools(path: Path) -> None:
    ours = read_pb(path.read_text(encoding="utf-8-sig"))
    _instance, profile = parse_pabulib(str(path))
    supporters: Counter[str] = Counter()
    points: dict[str, Fraction] = {}
    for ballot in profile:
        for project in ballot:
            supporters[project.name] += 1
            value = ballot[project] if ours.vote_type in ("cumulative", "scoring") else 1
            points[project.name] = points.get(project.name, Fraction(0)) + _fraction(value)
    for project_id, (count, total) in ours.tally().items():
        assert count == supporters[project_id]
        assert _fraction(total) == points.get(project_id, Fraction(0))


def test_a_files_votes_column_matches_its_ballots() -> None:
    # A real approval file: the published votes are the number of approvals.
    path = SAMPLES / "Poland_Warszawa_2017_CentrumWola_GrzybowskaGroszowka.pb"
    ours = read_pb(path.read_text(encoding="utf-8"))
    tally = ours.tally()
    assert all(tally[p.project_id][0] == p.votes for p in ours.projects)
    assert ours.project("532") is not None and ours.project("532").selected == 1  # type: ignore[union-attr]
    assert ours.project("nope") is None


# --- the format -------------------------------------------------------------------------------

BASIC = """META
key;value
description;Fondo de prueba
budget;1000
vote_type;{vote_type}
PROJECTS
{project_header}
{projects}
VOTES
{vote_header}
{votes}
"""


def _file(
    vote_type: str = "approval",
    project_header: str = "project_id;cost;name",
    projects: str = "1;600;Plaza\n2;300;Huerto\n3;200;Mural",
    vote_header: str = "voter_id;vote",
    votes: str = "v1;1,2\nv2;2",
) -> str:
    return BASIC.format(
        vote_type=vote_type,
        project_header=project_header,
        projects=projects,
        vote_header=vote_header,
        votes=votes,
    )


def test_columns_in_any_order_and_unknown_ones_kept() -> None:
    text = _file(
        project_header="name;barrio;cost;project_id",
        projects="Plaza;Centro;600;1\nHuerto;Norte;300;2\nMural;Sur;200;3",
    )
    instance = read_pb(text)
    assert instance.project_columns == ["name", "barrio", "cost", "project_id"]
    plaza = instance.project("1")
    assert plaza is not None
    assert plaza.cost == Decimal(600) and plaza.name == "Plaza"
    assert plaza.fields["barrio"] == "Centro"
    assert write_pb(instance) == text


def test_quoted_fields_with_semicolons_and_quotes() -> None:
    text = _file(projects='1;600;"Plaza; juegos y ""sombra"""\n2;300;Huerto\n3;200;Mural')
    instance = read_pb(text)
    assert instance.projects[0].name == 'Plaza; juegos y "sombra"'
    written = write_pb(instance)
    assert written == text
    # pabutools reads our quoting the same way.
    theirs, _profile = parse_pabulib_from_string(written)
    assert theirs.project_meta[theirs.get_project("1")]["name"] == 'Plaza; juegos y "sombra"'


def test_a_byte_order_mark_and_windows_line_ends_are_accepted() -> None:
    text = _file()
    instance = read_pb("\ufeff" + text.replace("\n", "\r\n"))
    assert write_pb(instance) == text


def test_approval_and_choose_one() -> None:
    approval = read_pb(_file(votes="v1;1,2\nv2;2\nv3;"))
    assert [v.vote for v in approval.votes] == [("1", "2"), ("2",), ()]
    assert approval.tally() == {
        "1": (1, Decimal(1)),
        "2": (2, Decimal(2)),
        "3": (0, Decimal(0)),
    }
    choose = read_pb(_file(vote_type="choose-1", votes="v1;1\nv2;3"))
    assert choose.tally()["3"] == (1, Decimal(1))


def test_a_project_named_twice_in_an_approval_ballot_counts_once() -> None:
    # Real files have this (Warszawa 2026, line 118); pabutools reads the ballot as a set.
    instance = read_pb(_file(votes="v1;1,1,2"))
    assert instance.tally()["1"] == (1, Decimal(1))


@pytest.mark.parametrize("vote_type", ["cumulative", "scoring"])
def test_points(vote_type: str) -> None:
    instance = read_pb(
        _file(
            vote_type=vote_type,
            vote_header="voter_id;vote;points",
            votes="v1;1,2;3,1.5\nv2;2;2",
        )
    )
    assert instance.votes[0].points == (Decimal(3), Decimal("1.5"))
    assert instance.tally()["2"] == (2, Decimal("3.5"))
    _theirs, profile = parse_pabulib_from_string(write_pb(instance))
    assert profile.num_ballots() == 2


def test_ordinal_ballots_keep_their_order() -> None:
    instance = read_pb(_file(vote_type="ordinal", votes="v1;3,1,2\nv2;1"))
    assert instance.votes[0].vote == ("3", "1", "2")
    # Borda: n-1 points for a first place among 3 projects.
    assert instance.tally() == {
        "1": (2, Decimal(3)),
        "2": (1, Decimal(0)),
        "3": (1, Decimal(2)),
    }
    _theirs, profile = parse_pabulib_from_string(write_pb(instance))
    assert [p.name for p in profile[0]] == ["3", "1", "2"]


def test_votes_are_optional() -> None:
    text = "META\nkey;value\nbudget;500\nPROJECTS\nproject_id;cost\na;100\n"
    instance = read_pb(text)
    assert instance.votes == [] and instance.vote_type == ""
    assert write_pb(instance) == text + "VOTES\nvoter_id;vote\n"


def test_built_instance_reads_back_and_in_pabutools() -> None:
    projects = [
        PbProject.build(
            "FC-2026-0001", Decimal("1500000.00"), name="Plaza", score=81.256, selected=1
        ),
        PbProject.build("FC-2026-0002", Decimal("990000.50"), name="Huerto", votes=12, barrio=None),
    ]
    instance = PbInstance(
        meta={"description": "Fondo", "budget": "2500000", "vote_type": "scoring"},
        project_columns=pabulib.columns_of(projects),
        projects=projects,
    )
    assert instance.project_columns == [
        "project_id",
        "cost",
        "name",
        "score",
        "selected",
        "votes",
        "barrio",
    ]
    text = write_pb(instance)
    again = read_pb(text)
    assert again.projects[0].cost == Decimal(1500000)
    assert again.projects[0].fields["cost"] == "1500000"
    assert again.projects[1].cost == Decimal("990000.5")
    assert again.projects[0].score == Decimal("81.256")
    assert again.projects[1].votes == 12 and again.projects[1].selected is None
    theirs, _profile = parse_pabulib_from_string(text)
    assert theirs.budget_limit == 2500000


def test_number_text() -> None:
    assert pabulib.number_text(Decimal("1500.00")) == "1500"
    assert pabulib.number_text(Decimal("1E+3")) == "1000"
    assert pabulib.number_text(Decimal("0.50")) == "0.5"
    assert pabulib.number_text(2.25) == "2.25"
    assert pabulib.parse_number("1500,5") == Decimal("1500.5")
    with pytest.raises(ValueError):
        pabulib.parse_number("NaN")


# --- problems -------------------------------------------------------------------------------

PROBLEMS: list[tuple[str, str, str, int | None]] = [
    ("empty", "  \n", "empty_file", None),
    ("no section", "key;value\nbudget;1\n", "no_section", 1),
    ("no projects section", "META\nkey;value\nbudget;1\n", "missing_section", None),
    ("no meta section", "PROJECTS\nproject_id;cost\n1;2\n", "missing_section", None),
    ("twice", _file() + "VOTES\n", "repeated_section", 15),
    ("order", "PROJECTS\nproject_id;cost\n1;2\nMETA\nkey;value\n", "section_order", 4),
    ("no header", "META\nkey;value\nbudget;5\nPROJECTS\nVOTES\n", "missing_header", 5),
    ("no budget", _file().replace("budget;1000\n", ""), "no_budget", None),
    ("bad budget", _file().replace("budget;1000", "budget;mil"), "bad_budget", None),
    ("zero budget", _file().replace("budget;1000", "budget;0"), "bad_budget", None),
    ("meta key twice", _file().replace("budget;1000", "budget;1000\nbudget;9"), "repeated_key", 5),
    ("no cost column", _file(project_header="project_id;name"), "missing_column", 7),
    ("unnamed column", _file(project_header="project_id;;cost"), "unnamed_column", 7),
    ("column twice", _file(project_header="project_id;cost;cost"), "repeated_column", 7),
    ("short row", _file(projects="1;600;Plaza\n2;300"), "row_length", 9),
    ("bad cost", _file(projects="1;600;Plaza\n2;mucho;Huerto"), "bad_number", 9),
    ("negative cost", _file(projects="1;-600;Plaza"), "negative", 8),
    (
        "bad selected",
        _file(project_header="project_id;cost;selected", projects="1;600;0.5"),
        "not_whole",
        8,
    ),
    ("project twice", _file(projects="1;600;Plaza\n1;300;Huerto"), "repeated_project", 9),
    ("no project id", _file(projects=";600;Plaza"), "no_project_id", 8),
    ("comma in id", _file(projects='"1,2";600;Plaza'), "comma_in_id", 8),
    ("no projects", _file(projects="", votes=""), "no_projects", 7),
    ("unknown vote type", _file(vote_type="borda"), "vote_type", 13),
    ("votes without type", _file().replace("vote_type;approval\n", ""), "no_vote_type", 12),
    ("unknown project", _file(votes="v1;1,9"), "unknown_project", 13),
    ("voter twice", _file(votes="v1;1\nv1;2"), "repeated_voter", 14),
    ("no voter id", _file(votes=";1"), "no_voter_id", 13),
    ("two choices", _file(vote_type="choose-1", votes="v1;1,2"), "choose_one", 13),
    ("ranked twice", _file(vote_type="ordinal", votes="v1;1,2,1"), "repeated_choice", 13),
    ("no points column", _file(vote_type="cumulative", votes="v1;1"), "missing_column", 13),
    (
        "points count",
        _file(vote_type="cumulative", vote_header="voter_id;vote;points", votes="v1;1,2;3"),
        "points_count",
        13,
    ),
    (
        "bad points",
        _file(vote_type="scoring", vote_header="voter_id;vote;points", votes="v1;1;x"),
        "bad_points",
        13,
    ),
    (
        "negative points",
        _file(vote_type="cumulative", vote_header="voter_id;vote;points", votes="v1;1;-1"),
        "negative_points",
        13,
    ),
    ("bad quoting", _file(projects='1;600;"Plaza"x'), "bad_csv", 8),
]


@pytest.mark.parametrize(
    ("text", "code", "line"), [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS]
)
def test_problem_is_reported_with_its_line(text: str, code: str, line: int | None) -> None:
    with pytest.raises(PbError) as caught:
        read_pb(text)
    assert caught.value.code == code
    assert caught.value.line == line
    # Every problem reads as a full sentence in the user's language, with its place.
    message = pb_error_message(caught.value, "fondo.pb")
    assert "%(" not in message
    if line:
        assert message.startswith(f"fondo.pb, line {line}: ")


def test_every_problem_code_has_a_message() -> None:
    source = Path(pabulib.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'PbError\(\s*"([a-z_]+)"', source))
    codes |= set(re.findall(r'"(negative|not_whole)"', source))
    assert codes and codes <= set(MESSAGES)
