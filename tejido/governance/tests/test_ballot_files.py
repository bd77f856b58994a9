"""`ballot_files`: CSV and PrefLib ballots files, checked against preflibtools.

PrefLib files are written by preflibtools (installed with pref_voting) from random profiles and
read back by both parsers; the sample .soc files shipped in pref_voting's package are read by
both too and counted against pref_voting.
"""

from __future__ import annotations

import random
from pathlib import Path

import pref_voting
import pytest
from pref_voting.profiles import Profile
from pref_voting.scoring_methods import borda
from preflibtools.instances import OrdinalInstance

from tejido.governance import voting
from tejido.governance.ballot_files import (
    BallotFileError,
    file_format_for,
    parse_ballots,
    read_ballot_file,
)

SAMPLES = sorted((Path(pref_voting.__file__).parent / "data" / "examples").rglob("*.soc"))


def csv_ballots(text: str, method: str, **options):
    return parse_ballots(text, method, file_format="csv", **options)


def refused(text: str, method: str, file_format: str = "csv", **options) -> BallotFileError:
    with pytest.raises(BallotFileError) as raised:
        parse_ballots(text, method, file_format=file_format, **options)
    return raised.value


# --- CSV -------------------------------------------------------------------------------------


def test_csv_ranks():
    text = "Plaza,Sede,Cancha\n1,2,3\n2,1,\n,,1\n1,3,2\n3,1,2\n"
    read = csv_ballots(text, "borda")
    assert read.labels == ["Plaza", "Sede", "Cancha"]
    assert read.ballots == [[0, 1, 2], [1, 0], [2], [0, 2, 1], [1, 2, 0]]
    assert read.file_format == "csv"
    # Gaps in the ranks keep the order.
    assert csv_ballots("A,B,C\n1,4,2\n", "irv").ballots == [[0, 2, 1]]


def test_csv_semicolons_bom_quotes_and_blank_lines():
    text = '\ufeff"Plaza, central";Sede;"Cancha"\r\n\r\n1;2;\r\n2;1;3\r\n'
    read = csv_ballots(text, "irv")
    assert read.labels == ["Plaza, central", "Sede", "Cancha"]
    assert read.ballots == [[0, 1], [1, 0, 2]]
    tabs = csv_ballots("A\tB\n1\t2\n", "borda")
    assert tabs.ballots == [[0, 1]]


def test_csv_approval_marks():
    read = csv_ballots("A,B,C\n1,0,x\nX,,\n0,1,0\n", "approval")
    assert read.ballots == [[0, 2], [0], [1]]
    error = refused("A,B\n1,yes\n", "approval")
    assert (error.code, error.line, error.params["value"]) == ("bad_mark", 2, "yes")


def test_csv_approval_max_choices():
    error = refused("A,B,C\n1,1,1\n", "approval", max_choices=2)
    assert error.code == "invalid_ballot"
    assert error.ballot_error is not None and error.ballot_error.code == "too_many_choices"
    assert error.line == 2


def test_csv_score_and_cumulative():
    assert csv_ballots("A,B,C\n5,0,\n,3,4\n", "score").ballots == [{0: 5, 1: 0}, {1: 3, 2: 4}]
    assert csv_ballots("A,B,C\n10,,\n", "score", score_max=10).ballots == [{0: 10}]
    assert csv_ballots("A,B\n3,2\n0,5\n", "cumulative").ballots == [{0: 3, 1: 2}, {1: 5}]
    assert csv_ballots("A,B\n3.0,2\n", "cumulative").ballots == [{0: 3, 1: 2}]
    error = refused("A,B\n1,1\n4,3\n", "cumulative", dots=5)
    assert (error.code, error.line, error.ballot_error.code) == (
        "invalid_ballot",
        3,
        "too_many_points",
    )
    error = refused("A,B\n2.5,1\n", "score")
    assert (error.code, error.line) == ("not_whole", 2)
    error = refused("A,B\n6,1\n", "score")
    assert error.ballot_error is not None and error.ballot_error.code == "score_out_of_range"


def test_csv_plurality_both_shapes():
    read = csv_ballots("choice\nSede\nPlaza\nSede\n", "plurality")
    assert read.labels == ["Sede", "Plaza"]
    assert read.ballots == [0, 1, 0]
    wide = csv_ballots("Plaza,Sede\n,x\n1,0\n", "plurality")
    assert wide.labels == ["Plaza", "Sede"]
    assert wide.ballots == [1, 0]
    error = refused("Plaza,Sede\nx,x\n", "plurality")
    assert (error.code, error.line, error.params["marked"]) == ("plurality_one_mark", 2, 2)


def test_csv_motions():
    read = csv_ballots("Choice\nyes\nNO\nabstain\nYes\n", "majority")
    assert read.labels == ["yes", "no", "abstain"]
    assert read.ballots == [0, 1, 2, 0]
    consent = csv_ballots("choice\nconsent\nstand aside\nstand_aside\nobject\n", "consent")
    assert consent.labels == ["consent", "stand_aside", "object"]
    assert consent.ballots == [0, 1, 1, 2]
    error = refused("choice\nyes\nmaybe\n", "qualified")
    assert (error.code, error.line, error.params["choice"]) == ("unknown_choice", 3, "maybe")
    assert refused("A,B\n1,2\n", "majority").code == "motion_needs_choice"


@pytest.mark.parametrize(
    ("text", "method", "code", "line"),
    [
        ("", "borda", "empty_file", None),
        ("\n\n", "borda", "empty_file", None),
        ("A,B\n1,2,3\n", "borda", "row_length", 2),
        ("A,B\n1\n", "borda", "row_length", 2),
        ("A,A\n1,2\n", "borda", "duplicate_column", 1),
        ("A,\n1,2\n", "borda", "unnamed_column", 1),
        ("A,B\n1,1\n", "irv", "tied_ranks", 2),
        ("A,B\n1,2\n0,1\n", "irv", "bad_rank", 3),
        ("A,B\n1,b\n", "borda", "not_whole", 2),
        ("A,B\n1,2\n,\n", "borda", "empty_ballot", 3),
        ("A,B\n,\n", "approval", "empty_ballot", 2),
        ("A,B\n0,0\n", "approval", "invalid_ballot", 2),
        ("choice\n", "plurality", "no_ballots", None),
        ('A,B\n"1,2\n', "borda", "row_length", 2),
    ],
)
def test_csv_errors_with_line_numbers(text, method, code, line):
    error = refused(text, method)
    assert error.code == code
    assert error.line == line
    if line:
        assert str(error).startswith(f"line {line}: ")


def test_csv_every_method_round_trips_through_count():
    read = csv_ballots("A,B,C\n1,2,3\n3,1,2\n1,3,2\n", "borda")
    counted = voting.count("borda", len(read.labels), read.ballots)
    assert counted.totals == {0: 2 + 0 + 2, 1: 1 + 2 + 0, 2: 0 + 1 + 1}


# --- PrefLib ---------------------------------------------------------------------------------


def write_instance(path: Path, orders, names: dict[int, str], data_type: str) -> Path:
    instance = OrdinalInstance()
    instance.alternatives_name = dict(names)
    instance.append_order_list(orders)
    instance.data_type = data_type
    instance.file_name = path.name
    instance.write(str(path))
    return path


def expected_from_preflibtools(path: Path) -> tuple[list[str], list[list[int]]]:
    """Our reading of the file, derived from preflibtools' parse of it."""
    instance = OrdinalInstance(str(path))
    alternatives = sorted(instance.alternatives_name)
    index = {a: i for i, a in enumerate(alternatives)}
    ballots = []
    for order in instance.full_profile():
        strict = []
        for position, group in enumerate(order):
            if len(group) > 1:
                assert position == len(order) - 1  # only last-place ties in these tests
                break
            strict.append(index[group[0]])
        ballots.append(strict)
    return [instance.alternatives_name[a] for a in alternatives], ballots


def random_orders(rng: random.Random, n: int, data_type: str):
    alternatives = list(range(1, n + 1))
    orders = []
    for _ in range(rng.randint(1, 30)):
        ranking = rng.sample(alternatives, n)
        if data_type == "soi":
            ranking = ranking[: rng.randint(1, n)]
        if data_type == "toc" and n > 2 and rng.random() < 0.5:
            cut = rng.randint(1, n - 2)
            orders.append((*((a,) for a in ranking[:cut]), tuple(ranking[cut:])))
            continue
        orders.append(tuple((a,) for a in ranking))
    return orders


@pytest.mark.parametrize("data_type", ["soc", "soi", "toc"])
def test_preflib_files_read_like_preflibtools(tmp_path, data_type):
    rng = random.Random(data_type)
    for trial in range(60):
        n = rng.randint(2, 6)
        names = {a: f"Opción {a} · “{trial}”" for a in range(1, n + 1)}
        path = write_instance(
            tmp_path / f"t{trial}.{data_type}", random_orders(rng, n, data_type), names, data_type
        )
        labels, ballots = expected_from_preflibtools(path)
        for method in ("borda", "irv"):
            read = read_ballot_file(path, method)
            assert read.labels == labels
            assert read.ballots == ballots
            assert read.file_format == data_type
        plurality = read_ballot_file(path, "plurality")
        assert plurality.ballots == [b[0] for b in ballots]


def test_preflib_alternatives_need_not_start_at_one(tmp_path):
    text = (
        "# DATA TYPE: soc\n# ALTERNATIVE NAME 0: Cero\n# ALTERNATIVE NAME 1: Uno\n"
        "# ALTERNATIVE NAME 2: Dos\n2: 1, 2, 0\n1: 2, 0, 1\n"
    )
    read = parse_ballots(text, "borda", file_format="soc")
    assert read.labels == ["Cero", "Uno", "Dos"]
    assert read.ballots == [[1, 2, 0], [1, 2, 0], [2, 0, 1]]


def test_preflib_numbers_only_header():
    read = parse_ballots("# NUMBER ALTERNATIVES: 3\n1: 3,1\n", "irv", file_format="soi")
    assert read.labels == ["1", "2", "3"]
    assert read.ballots == [[2, 0]]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_pref_voting_sample_files(sample):
    labels, ballots = expected_from_preflibtools(sample)
    read = read_ballot_file(sample, "borda")
    assert (read.labels, read.ballots) == (labels, ballots)
    counted = voting.count("borda", len(read.labels), read.ballots)
    assert counted.tied_winners == borda(Profile(read.ballots))


def test_pref_voting_ships_sample_files():
    assert len(SAMPLES) >= 10


def header(n: int = 3, data_type: str = "soc") -> str:
    lines = [f"# DATA TYPE: {data_type}", f"# NUMBER ALTERNATIVES: {n}"]
    lines += [f"# ALTERNATIVE NAME {a}: Alt {a}" for a in range(1, n + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("body", "data_type", "method", "code", "line"),
    [
        ("2: 1, 2\n", "soc", "borda", "incomplete_order", 6),
        ("1: {1, 2}, 3\n", "soc", "borda", "ties_in_strict_format", 6),
        ("1: {1, 2}\n", "soi", "irv", "ties_in_strict_format", 6),
        ("1: {1, 2}, 3\n", "toc", "borda", "ties_not_allowed", 6),
        ("1: 1, {2, 3}\n1: {1, 2}, 3\n", "toc", "irv", "ties_not_allowed", 7),
        ("1: {1, 2, 3}\n", "toc", "plurality", "ties_not_allowed", 6),
        ("1: 1, 4, 2\n", "soi", "borda", "unknown_alternative", 6),
        ("1: 1, 1, 2\n", "soi", "borda", "repeated_alternative", 6),
        ("1: 1, x\n", "soi", "borda", "bad_alternative", 6),
        ("one: 1, 2, 3\n", "soc", "borda", "bad_count", 6),
        ("0: 1, 2, 3\n", "soc", "borda", "bad_count", 6),
        ("1, 2, 3\n", "soc", "borda", "bad_line", 6),
        ("1: {1, 2, 3\n", "toc", "borda", "bad_line", 6),
        ("1:\n", "soi", "borda", "empty_ballot", 6),
        ("", "soc", "borda", "no_ballots", None),
        ("1: 1, 2, 3\n# TITLE: late\n", "soc", "borda", "header_after_data", 7),
        ("1: 1, 2, 3\n", "soc", "approval", "method_needs_csv", None),
        ("1: 1, 2, 3\n", "soc", "majority", "method_needs_csv", None),
    ],
)
def test_preflib_errors_with_line_numbers(body, data_type, method, code, line):
    error = refused(header(3, data_type) + body, method, data_type)
    assert error.code == code
    assert error.line == line


def test_preflib_tie_in_last_place_reads_as_unranked():
    text = header(4, "toc") + "3: 2, 1, {3, 4}\n1: {1, 2, 3, 4}\n"
    with pytest.raises(BallotFileError) as raised:
        parse_ballots(text, "borda", file_format="toc")
    assert raised.value.code == "ties_not_allowed"  # a tie of everything is not a ranking
    text = header(4, "toi") + "3: 2, 1, {3, 4}\n2: 4\n"
    read = parse_ballots(text, "borda", file_format="toi")
    assert read.ballots == [[1, 0]] * 3 + [[3]] * 2


def test_preflib_header_consistency():
    text = "# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 5\n# ALTERNATIVE NAME 1: A\n"
    text += "# ALTERNATIVE NAME 2: B\n3: 1, 2\n"
    error = refused(text, "borda", "soc")
    assert (error.code, error.params) == ("voter_count", {"declared": 5, "counted": 3})
    error = refused("# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n1: 1\n", "irv", "soi")
    assert error.code == "alternative_count"
    assert refused("1: 1, 2\n", "irv", "soi").code == "no_alternatives"
    error = refused("# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 1: B\n1: 1\n", "irv", "soi")
    assert (error.code, error.line) == ("duplicate_alternative", 2)


def test_multiplicity_expands_to_voters():
    read = parse_ballots(header(2) + "4000: 1, 2\n1: 2, 1\n", "irv", file_format="soc")
    assert len(read.ballots) == 4001
    assert voting.count("irv", 2, read.ballots).winner == 0


# --- files -----------------------------------------------------------------------------------


def test_file_format_from_extension(tmp_path):
    assert file_format_for("a/b.CSV") == "csv"
    assert file_format_for("x.toc") == "toc"
    with pytest.raises(BallotFileError) as raised:
        file_format_for("ballots.xlsx")
    assert raised.value.code == "unknown_format"


def test_file_problems(tmp_path):
    with pytest.raises(BallotFileError) as raised:
        read_ballot_file(tmp_path / "missing.csv", "borda")
    assert raised.value.code == "not_found"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Opción,Sede\n1,2\n".encode("latin-1"))
    with pytest.raises(BallotFileError) as raised:
        read_ballot_file(latin, "borda")
    assert raised.value.code == "not_utf8"
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(BallotFileError) as raised:
        read_ballot_file(folder, "borda")
    assert raised.value.code == "not_found"


def test_unknown_method_and_format():
    assert refused("A\n1\n", "condorcet").code == "unknown_method"
    assert refused("A\n1\n", "borda", "xlsx").code == "unknown_format"
