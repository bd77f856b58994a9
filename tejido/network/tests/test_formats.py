"""Graph formats without the database: writers, readers, other tools reading our files, and
files that must be refused."""

from __future__ import annotations

import io
import json

import igraph as ig
import networkx as nx
import pytest

from tejido.network.formats import (
    CSV,
    FORMATS,
    GEXF,
    GRAPHML,
    KUMU,
    GraphFormatError,
    detect_format,
    read_graph,
    write_nodes_csv,
)
from tejido.network.formats.graph import (
    DOUBLE,
    INTEGER,
    STRING,
    TEJIDO_EDGE_ATTRIBUTES,
    TEJIDO_NODE_ATTRIBUTES,
    Edge,
    Graph,
    Node,
    infer_type,
)


def tejido_graph() -> Graph:
    """A graph shaped like a program's export, with text that needs escaping."""
    return Graph(
        nodes=[
            Node(
                "a1",
                'Junta de Vecinos <Villa> & "Esperanza"',
                {
                    "kind": "organization",
                    "sector": "community",
                    "themes": "democratic; social",
                    "description": "Sede vecinal.\nAbierta\tlos martes ñandú",
                    "power": 3,
                    "interest": 5,
                    "stance": "champion",
                },
            ),
            Node(
                "a2",
                "Municipalidad",
                {"kind": "organization", "sector": "public", "founded_year": 1891},
            ),
            Node("a3", "=Ana Pérez", {"kind": "person", "sector": "community"}),
            Node("a4", "Fundación Aislada", {"kind": "organization", "sector": "third_sector"}),
        ],
        edges=[
            Edge(
                "a1",
                "a2",
                False,
                3.0,
                "t1",
                {
                    "tie_type": "collaboration",
                    "intensity": 2,
                    "trust": 4,
                    "since": "2024-03-01",
                    "note": "=cmd|' /C calc'!A0\nsegunda línea",
                    "provenance": "survey",
                    "cycle": 1,
                },
            ),
            Edge(
                "a2",
                "a3",
                True,
                1.0,
                "t2",
                {"tie_type": "funding", "intensity": 0, "until": "2025-01-31", "cycle": 2},
            ),
            Edge("a1", "a3", False, 5.0, "t3", {"tie_type": "support", "intensity": 4}),
        ],
        node_attributes=dict(TEJIDO_NODE_ATTRIBUTES),
        edge_attributes=dict(TEJIDO_EDGE_ATTRIBUTES),
        directed=True,
        name="demo",
    )


def write(graph: Graph, fmt: str) -> bytes:
    return "".join(FORMATS[fmt].write(graph.materialized())).encode("utf-8")


def write_to(tmp_path, graph: Graph, fmt: str):
    path = tmp_path / f"network.{FORMATS[fmt].extension}"
    path.write_bytes(write(graph, fmt))
    return path


def used_attributes(graph: Graph) -> Graph:
    """The graph without the declared attributes no element has (Kumu has no schema)."""
    graph = graph.materialized()
    nodes, edges = list(graph.nodes), list(graph.edges)
    graph.node_attributes = {
        a: t for a, t in graph.node_attributes.items() if any(a in n.attrs for n in nodes)
    }
    graph.edge_attributes = {
        a: t for a, t in graph.edge_attributes.items() if any(a in e.attrs for e in edges)
    }
    return graph


# --- write → read gives the same graph -------------------------------------------------


@pytest.mark.parametrize("fmt", [GEXF, GRAPHML])
def test_xml_formats_read_back_the_same_graph(fmt):
    graph = tejido_graph()
    back = read_graph(write(graph, fmt))
    assert back.same_as(graph)
    assert back.directed is True


def test_kumu_reads_back_the_same_graph_with_its_used_attributes():
    graph = tejido_graph()
    back = read_graph(write(graph, KUMU))
    assert back.same_as(used_attributes(graph))
    # Several values are arrays, as Kumu's tags are.
    element = json.loads(write(graph, KUMU))["elements"][0]
    assert element["themes"] == ["democratic", "social"]


def test_csv_edge_list_with_node_list_reads_back_the_same_graph():
    graph = tejido_graph()
    nodes = "".join(write_nodes_csv(graph.materialized())).encode()
    back = read_graph(write(graph, CSV), nodes=nodes)
    assert back.same_as(graph)


def test_csv_protects_spreadsheet_formulas_and_reads_them_back():
    graph = tejido_graph()
    edges_text = write(graph, CSV).decode()
    nodes_text = "".join(write_nodes_csv(graph.materialized()))
    assert "'=cmd" in edges_text
    assert "'=Ana Pérez" in nodes_text
    back = read_graph(edges_text.encode(), nodes=nodes_text.encode()).materialized()
    assert list(back.nodes)[2].label == "=Ana Pérez"


@pytest.mark.parametrize("fmt", [GEXF, GRAPHML, KUMU, CSV])
def test_an_empty_graph_round_trips(fmt):
    graph = Graph(nodes=[Node("x")], edges=[], node_attributes={}, edge_attributes={})
    if fmt == CSV:
        back = read_graph(write(graph, fmt), nodes=b"id\nx\n")
    else:
        back = read_graph(write(graph, fmt))
    assert [n.id for n in back.materialized().nodes] == ["x"]


def test_streaming_writers_accept_generators():
    def nodes():
        for i in range(1200):
            yield Node(f"a{i}", f"Actor {i}", {"power": i % 5 + 1})

    def edges():
        for i in range(1199):
            yield Edge(f"a{i}", f"a{i + 1}", None, 1.0, f"t{i}", {})

    graph = Graph(nodes=nodes(), edges=edges(), node_attributes={"power": INTEGER})
    chunks = list(FORMATS[GEXF].write(graph))
    assert len(chunks) > 2  # written in pieces, not as one string
    back = read_graph("".join(chunks).encode())
    assert len(list(back.nodes)) == 1200
    assert len(list(back.edges)) == 1199


# --- other tools read our files --------------------------------------------------------


def test_networkx_reads_our_gexf_with_every_attribute_and_type(tmp_path):
    path = write_to(tmp_path, tejido_graph(), GEXF)
    graph = nx.read_gexf(path)
    assert graph.is_directed()
    assert graph.nodes["a1"]["label"] == 'Junta de Vecinos <Villa> & "Esperanza"'
    assert graph.nodes["a1"]["description"] == "Sede vecinal.\nAbierta\tlos martes ñandú"
    assert graph.nodes["a1"]["power"] == 3
    assert graph.nodes["a2"]["founded_year"] == 1891
    assert graph.nodes["a1"]["themes"] == "democratic; social"
    data = graph.edges["a1", "a2"]
    assert data["weight"] == 3.0
    assert data["directed"] is False
    assert data["intensity"] == 2
    assert data["tie_type"] == "collaboration"
    assert data["note"] == "=cmd|' /C calc'!A0\nsegunda línea"
    assert data["cycle"] == 1
    assert graph.edges["a2", "a3"]["directed"] is True


def test_networkx_reads_our_graphml_with_every_attribute_and_type(tmp_path):
    path = write_to(tmp_path, tejido_graph(), GRAPHML)
    graph = nx.read_graphml(path)
    assert graph.is_directed()
    assert graph.nodes["a1"] == {
        "label": 'Junta de Vecinos <Villa> & "Esperanza"',
        "kind": "organization",
        "sector": "community",
        "description": "Sede vecinal.\nAbierta\tlos martes ñandú",
        "themes": "democratic; social",
        "power": 3,
        "interest": 5,
        "stance": "champion",
    }
    data = graph.edges["a1", "a2"]
    assert data["weight"] == 3.0
    assert data["directed"] is False
    assert data["trust"] == 4
    assert data["since"] == "2024-03-01"


def test_igraph_reads_our_graphml_with_every_attribute_and_type(tmp_path):
    path = write_to(tmp_path, tejido_graph(), GRAPHML)
    graph = ig.Graph.Read_GraphML(str(path))
    assert graph.vcount() == 4
    assert graph.ecount() == 3
    assert graph.is_directed()
    assert graph.vs["id"] == ["a1", "a2", "a3", "a4"]
    assert graph.vs["label"][0] == 'Junta de Vecinos <Villa> & "Esperanza"'
    assert set(TEJIDO_NODE_ATTRIBUTES) <= set(graph.vs.attributes())
    assert set(TEJIDO_EDGE_ATTRIBUTES) | {"weight", "directed"} <= set(graph.es.attributes())
    assert graph.vs["power"][0] == 3
    assert graph.es["weight"] == [3.0, 1.0, 5.0]
    assert graph.es["directed"] == [False, True, False]
    assert graph.es["tie_type"] == ["collaboration", "funding", "support"]


def test_undirected_networks_stay_undirected_for_other_tools(tmp_path):
    graph = tejido_graph().materialized()
    graph.edges = [e for e in graph.edges if not e.directed]
    graph.directed = False
    assert not nx.read_gexf(write_to(tmp_path, graph, GEXF)).is_directed()
    assert not nx.read_graphml(write_to(tmp_path, graph, GRAPHML)).is_directed()
    assert not ig.Graph.Read_GraphML(str(write_to(tmp_path, graph, GRAPHML))).is_directed()


# --- we read other tools' files --------------------------------------------------------


def test_reads_networkx_gexf_and_graphml_of_the_karate_club(tmp_path):
    karate = nx.karate_club_graph()
    nx.write_gexf(karate, tmp_path / "karate.gexf")
    nx.write_graphml(karate, tmp_path / "karate.graphml")
    for name in ("karate.gexf", "karate.graphml"):
        graph = read_graph((tmp_path / name).read_bytes(), name=name).materialized()
        nodes, edges = list(graph.nodes), list(graph.edges)
        assert len(nodes) == 34
        assert len(edges) == 78
        assert graph.node_attributes["club"] == STRING
        assert {n.attrs["club"] for n in nodes} == {"Mr. Hi", "Officer"}
        assert all(e.weight is not None for e in edges)
        assert sum(e.weight for e in edges) == sum(w for *_e, w in karate.edges(data="weight"))


def test_reads_igraph_graphml(tmp_path):
    graph = ig.Graph.Famous("Zachary")
    graph.vs["sector"] = ["public" if v.index % 3 == 0 else "community" for v in graph.vs]
    graph.es["weight"] = [1.5] * graph.ecount()
    path = tmp_path / "zachary.graphml"
    graph.write_graphml(str(path))
    back = read_graph(path.read_bytes()).materialized()
    assert len(list(back.nodes)) == 34
    assert back.node_attributes["sector"] == STRING
    assert back.edge_attributes == {}  # the weight is structural
    assert {e.weight for e in back.edges} == {1.5}


def test_reads_a_gephi_style_gexf_with_mixed_directions_and_defaults():
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected" mode="static">
    <attributes class="node">
      <attribute id="0" title="sector" type="string"><default>community</default></attribute>
      <attribute id="1" title="score" type="float"/>
    </attributes>
    <nodes>
      <node id="n0" label="A"><attvalues><attvalue for="0" value="public"/></attvalues></node>
      <node id="n1" label="B"><attvalues><attvalue for="1" value="2.5"/></attvalues></node>
    </nodes>
    <edges>
      <edge id="e0" source="n0" target="n1" type="directed" weight="2"/>
      <edge id="e1" source="n1" target="n0"/>
    </edges>
  </graph>
</gexf>"""
    graph = read_graph(data).materialized()
    nodes, edges = list(graph.nodes), list(graph.edges)
    assert nodes[0].attrs == {"sector": "public"}
    assert nodes[1].attrs == {"sector": "community", "score": 2.5}
    assert graph.node_attributes == {"sector": STRING, "score": DOUBLE}
    assert [graph.is_directed(e) for e in edges] == [True, False]
    assert edges[0].weight == 2.0


def test_reads_a_kumu_blueprint_with_labels_as_references():
    data = json.dumps(
        {
            "elements": [
                {"label": "A", "type": "Organization", "tags": ["salud", "educación"]},
                {"label": "B", "Favorite Dessert": "shave ice", "score": 1},
                {"label": "C", "score": 2.5},
            ],
            "connections": [
                {"from": "A", "to": "B", "type": "likes", "direction": "mutual"},
                {"from": "B", "to": "C", "direction": "directed"},
            ],
        }
    ).encode()
    graph = read_graph(data).materialized()
    nodes, edges = list(graph.nodes), list(graph.edges)
    assert [n.id for n in nodes] == ["A", "B", "C"]
    assert nodes[0].attrs == {"type": "Organization", "tags": "salud; educación"}
    assert graph.node_attributes["score"] == DOUBLE
    assert nodes[1].attrs["score"] == 1.0
    assert [(e.source, e.target, e.directed) for e in edges] == [
        ("A", "B", False),
        ("B", "C", True),
    ]


def test_reads_a_kumu_project_export_with_nested_attributes():
    data = json.dumps(
        {
            "elements": [
                {"_id": "elem-1", "attributes": {"label": "A", "element type": "Public"}},
                {"_id": "elem-2", "attributes": {"label": "B", "tags": ["x"]}},
            ],
            "connections": [
                {
                    "_id": "conn-1",
                    "from": "elem-1",
                    "to": "elem-2",
                    "direction": "directed",
                    "attributes": {"connection type": "funding"},
                }
            ],
        }
    ).encode()
    graph = read_graph(data).materialized()
    nodes, edges = list(graph.nodes), list(graph.edges)
    assert [(n.id, n.label, n.attrs) for n in nodes] == [
        ("elem-1", "A", {"element type": "Public"}),
        ("elem-2", "B", {"tags": "x"}),
    ]
    assert [(e.id, e.source, e.directed, e.attrs) for e in edges] == [
        ("conn-1", "elem-1", True, {"type": "funding"})
    ]


def test_reads_a_gephi_edge_table_without_node_list():
    data = b"Source;Target;Type;Weight;kind\nx;y;Directed;2;a\ny;z;Undirected;1,0;b\n"
    with pytest.raises(GraphFormatError, match="Line 3"):
        read_graph(data)  # "1,0" is not a number
    data = b"Source;Target;Type;Weight;kind\nx;y;Directed;2;a\ny;z;Undirected;1;b\n"
    graph = read_graph(data).materialized()
    assert [n.id for n in graph.nodes] == ["x", "y", "z"]
    assert [(e.directed, e.weight, e.attrs) for e in graph.edges] == [
        (True, 2.0, {"kind": "a"}),
        (False, 1.0, {"kind": "b"}),
    ]


def test_csv_column_types_are_guessed_for_unknown_columns():
    assert infer_type(["1", "2", ""]) == INTEGER
    assert infer_type(["1", "2.5"]) == DOUBLE
    assert infer_type(["true", "false"]) == "boolean"
    assert infer_type(["1", "x"]) == STRING
    assert infer_type([]) == STRING


def test_detects_the_format_from_the_content():
    graph = tejido_graph()
    assert detect_format(write(graph, GEXF), "file.xml") == GEXF
    assert detect_format(write(graph, GRAPHML), "renamed.gexf") == GRAPHML
    assert detect_format(write(graph, KUMU)) == KUMU
    assert detect_format(write(graph, CSV)) == CSV
    with pytest.raises(GraphFormatError, match="neither GEXF nor GraphML"):
        detect_format(b"<?xml version='1.0'?><svg/>", "drawing.xml")


# --- refused files -------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph><nodes>
<node id="a" label="&lol3;"/></nodes></graph></gexf>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE graphml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">
<node id="&secret;"/></graph></graphml>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_declarations_are_refused_before_any_expansion(data):
    with pytest.raises(GraphFormatError, match="refuses such files") as caught:
        read_graph(data, name="x.xml")
    assert caught.value.line == 2


def test_a_doctype_in_another_encoding_is_refused_by_the_parser():
    data = BILLION_LAUGHS.replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>'
    )
    data = data.decode().encode("utf-16")
    with pytest.raises(GraphFormatError):
        read_graph(data, name="x.gexf", fmt=GEXF)


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"<gexf><graph><nodes><node id='a'></nodes></graph></gexf>", "not well-formed", 1),
        (
            b"<gexf>\n<graph>\n<attributes class='node'><attribute id='p' title='power' "
            b"type='integer'/></attributes>\n<nodes><node id='a'><attvalues>"
            b"<attvalue for='p' value='high'/></attvalues></node></nodes></graph></gexf>",
            "not a valid whole number value for “power”",
            4,
        ),
        (
            b"<gexf><graph><nodes><node id='a'><attvalues><attvalue for='x' value='1'/>"
            b"</attvalues></node></nodes></graph></gexf>",
            "not declared",
            1,
        ),
        (b"<gexf><graph><nodes><node id='a'/>\n<node id='a'/></nodes></graph></gexf>", "twice", 2),
        (b"<gexf><graph><edges><edge source='a'/></edges></graph></gexf>", "source or", 1),
        (b"<gexf/>", "no <graph>", None),
        (b"<graphml><graph><hyperedge/></graph></graphml>", "hyperedges", 1),
        (b"<svg/>", "neither GEXF nor GraphML", None),
        (b'{"elements": [{"label": "A"}, {"label": "A"}]}', "used twice", 2),
        (b'{"elements": [], "connections": [{"from": "A"}]}', "has no “to”", 1),
        (b'{"elements": [1]}', "not an object", 1),
        (
            b'{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "A", '
            b'"direction": "sideways"}]}',
            "sideways",
            1,
        ),
        (b'{"elements": ', "not valid JSON", 1),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply", None),
        (b"a,b\nx,y\n", "needs a “source” and a “target”", 1),
        (b"source,target\nx\n", "lacks its source or its target", 2),
        (b"source,target\n\xe9,y\n", "not UTF-8", 2),
        (b"   ", "empty", None),
    ],
)
def test_malformed_files_raise_clear_errors(data, message, line):
    with pytest.raises(GraphFormatError, match=message) as caught:
        read_graph(data, name="file.gexf" if data.startswith(b"<gexf") else "file")
    assert caught.value.line == line


def test_node_list_errors_say_they_are_in_the_node_list():
    with pytest.raises(GraphFormatError, match="node list") as caught:
        read_graph(b"source,target\na,b\n", nodes=b"id,label\n,x\n")
    assert caught.value.part == "nodes"


def test_other_languages_are_used_for_messages():
    from django.utils import translation

    with translation.override("es"), pytest.raises(GraphFormatError) as caught:
        read_graph(b"   ")
    assert caught.value.message  # translated when the catalog has it; never empty


def test_streamed_output_is_valid_utf8_xml_with_illegal_characters_dropped():
    graph = Graph(nodes=[Node("a", "bell\x07 and form\x0cfeed")], edges=[])
    back = read_graph(write(graph, GRAPHML)).materialized()
    assert next(iter(back.nodes)).label == "bell and formfeed"
    io.BytesIO(write(graph, GEXF))  # bytes, whole
