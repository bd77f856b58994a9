"""`tejido network analyze|export|import` on the command line.

`analyze` is checked against networkx on its classic graphs written to files in every format
the command reads."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.network.formats.indicators import INDICATOR_COLUMNS
from tejido.network.models import Tie, TieType
from tejido.network.services import tie_create

TOLERANCE = 1e-9


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("network", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_edge_list(graph: nx.Graph, path, *, weight: bool = True) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["source", "target", *(["weight"] if weight else [])])
        for u, v, w in graph.edges(data="weight", default=1):
            writer.writerow([u, v, *([w] if weight else [])])


@pytest.fixture
def karate_files(tmp_path):
    karate = nx.karate_club_graph()
    files = {
        "gexf": tmp_path / "karate.gexf",
        "graphml": tmp_path / "karate.graphml",
        "csv": tmp_path / "karate.csv",
    }
    nx.write_gexf(karate, files["gexf"])
    nx.write_graphml(karate, files["graphml"])
    write_edge_list(karate, files["csv"])
    return karate, files


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "csv"])
def test_degree_and_strength_match_networkx_in_every_format(karate_files, fmt):
    karate, files = karate_files
    out, _err = run("analyze", str(files[fmt]), "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert len(rows) == 34
    for node in karate:
        row = rows[str(node)]
        assert row["degree"] == karate.degree(node)
        assert row["strength"] == pytest.approx(karate.degree(node, weight="weight"))


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "csv"])
def test_betweenness_matches_networkx(tmp_path, fmt):
    florentine = nx.florentine_families_graph()  # unweighted: no question of what weighs
    path = tmp_path / f"florentine.{fmt}"
    if fmt == "gexf":
        nx.write_gexf(florentine, path)
    elif fmt == "graphml":
        nx.write_graphml(florentine, path)
    else:
        write_edge_list(florentine, path, weight=False)
    out, _err = run("analyze", str(path), "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    expected = nx.betweenness_centrality(florentine)
    assert set(rows) == set(expected)
    for family, value in expected.items():
        assert rows[family]["betweenness"] == pytest.approx(value, abs=TOLERANCE)
        assert rows[family]["degree"] == florentine.degree(family)


def test_csv_output_has_one_row_per_node_and_plain_column_names(karate_files, tmp_path):
    _karate, files = karate_files
    target = tmp_path / "out.csv"
    out, _err = run("analyze", str(files["gexf"]), "--output", str(target))
    assert out == ""
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == ["id", *INDICATOR_COLUMNS]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(34)]
    assert all(len(r) == len(rows[0]) for r in rows)
    header = rows[0]
    hub = dict(zip(header, rows[1 + 33], strict=True))
    assert hub["degree"] == "17"
    assert hub["is_isolate"] == "false"


def test_json_output_is_a_list_of_flat_rows(karate_files):
    _karate, files = karate_files
    out, _err = run("analyze", str(files["csv"]), "--format", "json")
    rows = json.loads(out)
    assert isinstance(rows, list)
    assert list(rows[0]) == ["id", *INDICATOR_COLUMNS]
    for row in rows:
        assert all(
            value is None or isinstance(value, bool | int | float | str) for value in row.values()
        )


def test_sectors_in_the_file_give_the_bonding_share(tmp_path):
    path = tmp_path / "sectors.gexf"
    graph = nx.Graph()
    graph.add_node("a", sector="community")
    graph.add_node("b", sector="community")
    graph.add_node("c", sector="community")
    graph.add_node("d", sector="academia")
    graph.add_edges_from([("a", "b"), ("a", "c"), ("c", "d")])
    nx.write_gexf(graph, path)
    out, _err = run("analyze", str(path), "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["a"]["bonding"] == pytest.approx(1.0)
    assert rows["a"]["bridging"] == pytest.approx(0.0)
    assert rows["d"]["bonding"] == pytest.approx(0.0)


def test_without_sectors_the_mix_columns_are_empty(karate_files):
    _karate, files = karate_files
    out, _err = run("analyze", str(files["csv"]), "--format", "json")
    rows = json.loads(out)
    assert all(row[c] is None for row in rows for c in ("bonding", "bridging", "linking"))


def test_a_node_list_adds_isolated_nodes_and_sectors(tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\na,b\n", encoding="utf-8")
    nodes = tmp_path / "nodes.csv"
    nodes.write_text(
        "id,label,sector\na,A,public\nb,B,community\nc,C,community\n", encoding="utf-8"
    )
    out, _err = run("analyze", str(edges), "--nodes", str(nodes), "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert set(rows) == {"a", "b", "c"}
    assert rows["c"]["degree"] == 0
    assert rows["c"]["is_isolate"] is True


def test_self_loops_are_left_out_with_a_note(tmp_path):
    path = tmp_path / "loops.csv"
    path.write_text("source,target\na,b\nb,b\n", encoding="utf-8")
    out, err = run("analyze", str(path), "--format", "json")
    assert "1 tie of a node with itself was left out" in err
    assert {row["id"]: row["degree"] for row in json.loads(out)} == {"a": 1, "b": 1}


@pytest.mark.django_db
def test_analyze_does_not_touch_the_database(karate_files, django_assert_num_queries):
    _karate, files = karate_files
    with django_assert_num_queries(0):
        run("analyze", str(files["graphml"]))


def test_a_kumu_blueprint_is_analyzed_too(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(
        json.dumps(
            {
                "elements": [{"label": "A"}, {"label": "B"}, {"label": "C"}],
                "connections": [{"from": "A", "to": "B"}, {"from": "B", "to": "C"}],
            }
        ),
        encoding="utf-8",
    )
    out, _err = run("analyze", str(path), "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["B"]["degree"] == 2
    assert rows["B"]["betweenness"] == pytest.approx(1.0)


def test_a_node_list_goes_with_an_edge_list_only(karate_files, tmp_path):
    _karate, files = karate_files
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id\n0\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--nodes goes with a CSV edge list only"):
        run("analyze", str(files["gexf"]), "--nodes", str(nodes))


def test_the_input_format_can_be_given(tmp_path):
    path = tmp_path / "network.dat"
    path.write_text("from;to\nx;y\n", encoding="utf-8")
    out, _err = run("analyze", str(path), "--input-format", "csv", "--format", "json")
    assert [row["id"] for row in json.loads(out)] == ["x", "y"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.gexf", "There is no file"),
        ("<gexf><graph><nodes>", "broken.gexf", "broken.gexf, line 1: The file is not well-formed"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><graphml/>',
            "evil.graphml",
            "refuses such files",
        ),
        ("source,target\n", "empty.csv", None),
        ("a,b\n1,2\n", "columns.csv", "needs a “source” and a “target”"),
        (
            "<gexf><graph><nodes><node id='a'/></nodes><edges><edge source='a' target='z'/>"
            "</edges></graph></gexf>",
            "dangling.gexf",
            "which the file does not declare",
        ),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    if message is None:  # an edge list with no edges: an empty network, not an error
        out, _err = run("analyze", str(path))
        assert out.strip() == ",".join(["id", *INDICATOR_COLUMNS])
        return
    with pytest.raises(CommandError, match=message):
        run("analyze", str(path))


def test_the_command_fails_with_a_non_zero_exit_status(tmp_path):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["tejido", "network", "analyze", str(tmp_path / "none.csv")])
    with pytest.raises(SystemExit) as caught:
        utility.execute()
    assert caught.value.code == 1


def test_help_is_in_english():
    from django.core.management import load_command_class

    command = load_command_class("tejido.network", "network")
    parser = command.create_parser("tejido", "network")
    text = parser.format_help()
    assert "analyze" in text and "export" in text and "import" in text


# --- export and import ------------------------------------------------------------------------


@pytest.fixture
def small_network(program):
    a = ActorFactory(program=program, name="Junta")
    b = ActorFactory(program=program, name="Liceo")
    c = ActorFactory(program=program, name="Club")
    tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION, intensity=3)
    tie_create(user=None, source=c, target=a, tie_type=TieType.FUNDING, directed=True)
    return program


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["gexf", "graphml", "json"])
def test_export_then_import_through_the_command(small_network, tmp_path, extension):
    path = tmp_path / f"red.{extension}"
    run("export", "--program", small_network.slug, "--output", str(path))
    assert path.stat().st_size > 0
    assert AuditEntry.objects.filter(action="network.export", program=small_network).exists()
    copy = ProgramFactory()
    out, _err = run("import", str(path), "--program", copy.slug, "--dry-run")
    assert "would create 3 actors" in out
    assert not Actor.objects.filter(program=copy).exists()
    out, _err = run("import", str(path), "--program", copy.slug)
    assert "3 actors created" in out
    assert Tie.objects.filter(program=copy).count() == 2


@pytest.mark.django_db
def test_export_csv_writes_the_edge_and_node_lists(small_network, tmp_path):
    edges, nodes = tmp_path / "edges.csv", tmp_path / "nodes.csv"
    run("export", "--program", small_network.slug, "--output", str(edges), "--nodes", str(nodes))
    assert edges.read_text(encoding="utf-8").startswith("source,target,id,directed,weight")
    assert nodes.read_text(encoding="utf-8").startswith("id,label,kind,sector")
    copy = ProgramFactory()
    out, _err = run("import", str(edges), "--nodes", str(nodes), "--program", copy.slug)
    assert "2 ties created" in out
    out, _err = run("analyze", str(edges), "--nodes", str(nodes), "--format", "json")
    assert len(json.loads(out)) == 3


@pytest.mark.django_db
def test_import_problems_are_listed_and_the_command_fails(program, tmp_path):
    path = tmp_path / "red.json"
    path.write_text(
        json.dumps(
            {
                "elements": [
                    {"id": "1", "label": "Junta", "sector": "community"},
                    {"id": "2", "label": "Liceo", "sector": "lunar"},
                ],
                "connections": [{"from": "1", "to": "3"}],
            }
        ),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems: nothing was imported"):
        call_command("network", "import", str(path), "--program", program.slug, stderr=err)
    assert "red.json › elements, line 2, sector: Unknown sector “lunar”" in err.getvalue()
    assert "red.json › connections, line 1, target" in err.getvalue()
    assert not Actor.objects.filter(program=program).exists()


@pytest.mark.django_db
def test_unknown_program_and_format_are_refused(small_network, tmp_path):
    with pytest.raises(CommandError, match="There is no program"):
        run("export", "--program", "nope", "--output", str(tmp_path / "x.gexf"))
    with pytest.raises(CommandError, match="Give --format"):
        run("export", "--program", small_network.slug, "--output", str(tmp_path / "x.dat"))
    with pytest.raises(CommandError, match="--nodes goes with"):
        run(
            "export",
            "--program",
            small_network.slug,
            "--output",
            str(tmp_path / "x.gexf"),
            "--nodes",
            str(tmp_path / "n.csv"),
        )
