"""A program's network in graph formats: export, import, round trips, and the web pages."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import zipfile

import networkx as nx
import pytest
from django.urls import reverse

from tejido.accounts.tests.factories import ProgramRoleFactory as RoleFactory
from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor, ActorKind, Sector, SizeBand, Stance
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.formats import CSV, FORMATS, GEXF, GRAPHML, KUMU, read_graph, write_nodes_csv
from tejido.network.formats.program import import_graph, program_graph
from tejido.network.models import Provenance, Tie, TieType
from tejido.network.services import tie_create, tie_end

pytestmark = pytest.mark.django_db

ALL_FORMATS = [GEXF, GRAPHML, KUMU, CSV]


@pytest.fixture
def network(program):
    """Five actors with every attribute kind, and ties of every shape: mutual and directed,
    ended, with and without scores, in two cycles."""
    territory = TerritoryFactory(name="La Pintana", slug="la-pintana")
    other = TerritoryFactory(name="El Bosque", slug="el-bosque")
    social, digital = ThemeFactory(slug="social-t"), ThemeFactory(slug="digital-t")
    junta = ActorFactory(
        program=program,
        name='Junta de Vecinos "Villa Esperanza" & Co.',
        legal_form="Junta de vecinos",
        description="Sede vecinal <abierta>\nlos martes",
        territory=territory,
        email="junta@example.org",
        phone="+56 2 2345 6789",
        website="https://junta.example.org",
        address="Calle 1",
        size=SizeBand.SMALL,
        founded_year=1998,
        power=3,
        interest=5,
        stance=Stance.CHAMPION,
    )
    junta.themes.set([social, digital])
    junta.territories_served.set([territory, other])
    municipality = ActorFactory(program=program, name="Municipalidad", sector=Sector.PUBLIC)
    school = ActorFactory(
        program=program, name="=Liceo Bicentenario", sector=Sector.PUBLIC, territory=other
    )
    person = PersonFactory(program=program, name="Ana Pérez")
    ActorFactory(program=program, name="Fundación Aislada", sector=Sector.THIRD_SECTOR)
    cycles = {c.number: c for c in program.cycles.all()}
    tie_create(
        user=None,
        source=junta,
        target=municipality,
        tie_type=TieType.COLLABORATION,
        intensity=3,
        trust=4,
        value=5,
        started_on=datetime.date(2024, 3, 1),
        cycle=cycles[1],
        note="Operativo de salud\n«segunda línea»",
    )
    tie_create(
        user=None,
        source=municipality,
        target=junta,
        tie_type=TieType.FUNDING,
        directed=True,
        intensity=2,
        started_on=datetime.date(2025, 2, 1),
        cycle=cycles[2],
    )
    ended = tie_create(
        user=None,
        source=school,
        target=person,
        tie_type=TieType.SUPPORT,
        intensity=0,
        started_on=datetime.date(2024, 5, 1),
        cycle=cycles[1],
        provenance=Provenance.SURVEY,
    )
    tie_end(user=None, tie=ended, ended_on=datetime.date(2025, 1, 31))
    tie_create(
        user=None,
        source=junta,
        target=school,
        tie_type=TieType.INFORMATION,
        intensity=1,
        started_on=datetime.date(2025, 6, 1),
        cycle=cycles[2],
    )
    return program


def export(program, fmt, *, contact=True) -> bytes:
    return "".join(FORMATS[fmt].write(program_graph(program, contact=contact))).encode()


def export_nodes(program, *, contact=True) -> bytes:
    return "".join(write_nodes_csv(program_graph(program, contact=contact))).encode()


def import_into(program, fmt, data, nodes=None, **options):
    graph = read_graph(data, nodes=nodes, fmt=fmt)
    return import_graph(
        program=program, graph=graph, source=f"red.{fmt}", file_format=fmt, **options
    )


def renumbered(text: str) -> str:
    """The file with Tejido's ids ("a12", "t34") replaced by their order of appearance."""
    seen: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in seen:
            prefix = key[0]
            seen[key] = f"{prefix}#{sum(1 for k in seen if k[0] == prefix) + 1}"
        return seen[key]

    return re.sub(r"(?<![\w#])[at]\d+(?!\w)", number, text)


# --- export --------------------------------------------------------------------------------


def test_the_export_holds_every_actor_and_tie_with_their_attributes(network):
    graph = program_graph(network, contact=True).materialized()
    nodes = {n.label: n for n in graph.nodes}
    assert len(nodes) == 5
    junta = nodes['Junta de Vecinos "Villa Esperanza" & Co.']
    assert junta.attrs == {
        "kind": "organization",
        "sector": "community",
        "legal_form": "Junta de vecinos",
        "description": "Sede vecinal <abierta>\nlos martes",
        "territory": "la-pintana",
        "territories_served": "el-bosque; la-pintana",
        "themes": "digital-t; social-t",
        "email": "junta@example.org",
        "phone": "+56 2 2345 6789",
        "website": "https://junta.example.org",
        "address": "Calle 1",
        "size": SizeBand.SMALL.value,
        "founded_year": 1998,
        "power": 3,
        "interest": 5,
        "stance": "champion",
    }
    edges = list(graph.edges)
    assert len(edges) == 4
    funding = next(e for e in edges if e.attrs["tie_type"] == "funding")
    assert funding.directed is True
    assert funding.source == f"a{Actor.objects.get(name='Municipalidad').pk}"
    assert funding.weight == 3.0
    assert funding.attrs == {
        "tie_type": "funding",
        "intensity": 2,
        "since": "2025-02-01",
        "provenance": "manual",
        "cycle": 2,
    }
    ended = next(e for e in edges if e.attrs["tie_type"] == "support")
    assert ended.attrs["until"] == "2025-01-31"
    assert ended.attrs["provenance"] == "survey"
    assert graph.directed is True


def test_contact_details_are_left_out_unless_asked_for(network):
    graph = program_graph(network).materialized()
    assert "email" not in graph.node_attributes
    assert all("email" not in n.attrs and "phone" not in n.attrs for n in graph.nodes)
    assert b"junta@example.org" not in export(network, GEXF, contact=False)


def test_networkx_reads_a_program_export(network, tmp_path):
    path = tmp_path / "red.gexf"
    path.write_bytes(export(network, GEXF))
    graph = nx.read_gexf(path)
    assert graph.number_of_nodes() == 5
    assert graph.number_of_edges() == 4
    junta = next(n for n, d in graph.nodes(data=True) if d["label"].startswith("Junta"))
    assert graph.nodes[junta]["power"] == 3
    assert graph.nodes[junta]["themes"] == "digital-t; social-t"


def test_the_export_reads_a_few_queries_whatever_the_size(program, django_assert_max_num_queries):
    actors = ActorFactory.create_batch(30, program=program)
    for a, b in itertools.pairwise(actors):
        tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION)
    with django_assert_max_num_queries(12):
        data = export(program, GRAPHML)
    assert data.count(b"<node ") == 30
    assert data.count(b"<edge ") == 29


def test_the_export_streams_in_chunks_across_which_nothing_is_lost(program, monkeypatch):
    from tejido.network.formats import program as program_module
    from tejido.network.transfer import exporter

    monkeypatch.setattr(program_module, "ACTOR_CHUNK", 7)
    monkeypatch.setattr(exporter, "CHUNK", 7)
    actors = ActorFactory.create_batch(30, program=program)
    for a, b in itertools.pairwise(actors):
        tie_create(user=None, source=b, target=a, tie_type=TieType.FUNDING, directed=True)
        tie_create(user=None, source=a, target=b, tie_type=TieType.SUPPORT)
    graph = program_graph(program)
    nodes = graph.nodes
    assert not isinstance(nodes, list)  # a generator: rows are read as the file is written
    graph = graph.materialized()
    assert [n.id for n in graph.nodes] == [f"a{a.pk}" for a in actors]
    edges = [(e.source, e.target) for e in graph.edges]
    assert len(edges) == 58
    assert edges == sorted(edges, key=lambda pair: (int(pair[0][1:]), int(pair[1][1:])))


# --- import --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_export_import_export_gives_the_same_file(network, fmt):
    """Modulo ids; the importing program records its own provenance ("import") and puts each
    tie in its own cycle running at the tie's start date (the same dates here)."""
    first = export(network, fmt)
    nodes = export_nodes(network) if fmt == CSV else None
    copy = ProgramFactory()
    report = import_into(copy, fmt, first, nodes)
    assert report.errors == []
    assert report.imported
    assert (report.actors_created, report.ties_created) == (5, 4)
    assert set(Tie.objects.filter(program=copy).values_list("provenance", flat=True)) == {
        Provenance.IMPORT
    }
    second = export(copy, fmt)
    provenance = re.compile(r"(manual|survey)(?=\W)")
    assert renumbered(second.decode()) == provenance.sub("import", renumbered(first.decode()))
    if fmt == CSV:
        assert renumbered(export_nodes(copy).decode()) == renumbered(nodes.decode())
    # From then on the file is a fixed point.
    again = ProgramFactory()
    assert import_into(again, fmt, second, export_nodes(copy) if fmt == CSV else None).imported
    assert renumbered(export(again, fmt).decode()) == renumbered(second.decode())


def test_import_records_ties_with_the_import_provenance_the_cycle_and_the_user(network):
    user = UserFactory()
    copy = ProgramFactory()
    report = import_into(copy, GEXF, export(network, GEXF), user=user)
    assert report.imported
    funding = Tie.objects.get(program=copy, tie_type=TieType.FUNDING)
    assert funding.directed
    assert funding.source.name == "Municipalidad"
    assert funding.cycle.number == 2
    assert funding.recorded_by == user
    junta = Actor.objects.get(program=copy, name__startswith="Junta")
    assert junta.territory.slug == "la-pintana"
    assert sorted(junta.themes.values_list("slug", flat=True)) == ["digital-t", "social-t"]
    assert Actor.objects.get(program=copy, name="Ana Pérez").kind == ActorKind.PERSON
    entry = AuditEntry.objects.get(action="network.import", program=copy)
    assert entry.data["format"] == GEXF
    assert entry.data["ties_created"] == 4


def test_a_dry_run_writes_nothing(network):
    copy = ProgramFactory()
    report = import_into(copy, GRAPHML, export(network, GRAPHML), dry_run=True)
    assert report.ok
    assert report.actors_created == 5
    assert not report.imported
    assert not Actor.objects.filter(program=copy).exists()


GEXF_WITH_PROBLEMS = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <attributes class="node">
      <attribute id="sector" title="sector" type="string"/>
      <attribute id="power" title="power" type="integer"/>
    </attributes>
    <attributes class="edge">
      <attribute id="tie_type" title="tie_type" type="string"/>
    </attributes>
    <nodes>
      <node id="n1" label="Junta de Vecinos">
        <attvalues><attvalue for="sector" value="comunitario"/></attvalues></node>
      <node id="n2" label="Liceo">
        <attvalues><attvalue for="sector" value="interplanetario"/></attvalues></node>
      <node id="n3" label="Centro">
        <attvalues><attvalue for="sector" value="public"/><attvalue for="power" value="9"/>
        </attvalues></node>
      <node id="n4" label="Club">
        <attvalues><attvalue for="sector" value="community"/></attvalues></node>
    </nodes>
    <edges>
      <edge source="n1" target="n4">
        <attvalues><attvalue for="tie_type" value="amistad"/></attvalues></edge>
      <edge source="n1" target="n99"/>
      <edge source="n4" target="n4"/>
      <edge source="n1" target="n4"/>
    </edges>
  </graph>
</gexf>
"""


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_every_problem_is_reported_at_its_line_and_nothing_is_imported(program):
    report = import_into(program, GEXF, GEXF_WITH_PROBLEMS.encode())
    assert not report.imported
    found = {(e.line, e.column, e.value) for e in report.errors}
    # Lines are those of the element's start tag.
    text = GEXF_WITH_PROBLEMS
    assert (line_of(text, '<node id="n2"'), "sector", "interplanetario") in found
    assert (line_of(text, '<node id="n3"'), "power", "9") in found
    assert (line_of(text, '<edge source="n1" target="n4">'), "tie_type", "amistad") in found
    assert (line_of(text, 'target="n99"'), "target", "n99") in found  # not in the file
    assert (line_of(text, 'target="n4"/>'), "target", "Club") in found  # a tie with itself
    assert len(report.errors) == 5
    messages = " ".join(e.message for e in report.errors)
    assert "Unknown sector “interplanetario”" in messages
    assert "which is not in the file" in messages
    assert "cannot have a tie with itself" in messages
    assert not Actor.objects.filter(program=program).exists()
    assert not Tie.objects.filter(program=program).exists()


def test_problems_are_reported_in_the_users_language(program):
    from django.utils import translation

    with translation.override("es"):
        report = import_into(program, GEXF, GEXF_WITH_PROBLEMS.encode())
    english = import_into(program, GEXF, GEXF_WITH_PROBLEMS.encode())
    assert len(report.errors) == len(english.errors)


def test_nodes_that_are_already_in_the_program_are_refused_unless_updating(network):
    data = export(network, GRAPHML)
    report = import_into(network, GRAPHML, data)
    assert not report.imported
    assert any("already in this program" in e.message for e in report.errors)
    report = import_into(network, GRAPHML, data, update_existing=True)
    assert report.imported
    assert report.actors_updated == 5
    assert report.ties_unchanged == 4


def test_a_foreign_graph_without_labels_uses_the_node_ids_as_names(program):
    data = b"source,target,weight\nJunta,Liceo,2\n"
    nodes = b"id,sector\nJunta,community\nLiceo,public\n"
    report = import_into(program, CSV, data, nodes)
    assert report.imported
    assert sorted(Actor.objects.filter(program=program).values_list("name", flat=True)) == [
        "Junta",
        "Liceo",
    ]
    assert any("weights of the edges were left out" in n for n in report.notices)


def test_a_graph_without_sectors_says_the_sector_is_required(program):
    karate = nx.karate_club_graph()
    buffer = io.BytesIO()
    nx.write_graphml(karate, buffer)
    report = import_into(program, GRAPHML, buffer.getvalue())
    assert not report.imported
    assert any("sector" in e.message for e in report.errors)


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def coordinator(network):

    user = UserFactory()
    RoleFactory(user=user, program=network, role="coordinator")
    return user


def test_the_export_page_offers_the_formats_and_downloads_each(client, network, coordinator):
    client.force_login(coordinator)
    url = reverse("network:graph_export", args=[network.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "GEXF" in page.content.decode()
    for fmt in (GEXF, GRAPHML, KUMU):
        response = client.get(url, {"file_format": fmt})
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert read_graph(body).same_as(read_graph(export(network, fmt, contact=False)))
        assert response["Content-Disposition"].endswith(f'.{FORMATS[fmt].extension}"')
    response = client.get(url, {"file_format": CSV, "contact": "on"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 2 and "edges" in names[0] and "nodes" in names[1]
    assert b"junta@example.org" in archive.read(names[1])
    assert AuditEntry.objects.filter(action="network.export", program=network).count() == 4


def test_only_coordinators_may_export_or_import_network_files(client, network):

    user = UserFactory()
    RoleFactory(user=user, program=network, role="evaluator")
    client.force_login(user)
    for name in ("network:graph_export", "network:graph_import"):
        assert client.get(reverse(name, args=[network.slug])).status_code == 403


def test_upload_check_and_confirm_imports_the_file(client, network, coordinator):
    target = ProgramFactory()

    RoleFactory(user=coordinator, program=target, role="coordinator")
    client.force_login(coordinator)
    url = reverse("network:graph_import", args=[target.slug])
    assert client.get(url).status_code == 200
    upload = io.BytesIO(export(network, GEXF))
    upload.name = "red.gexf"
    preview = client.post(url, {"graph_file": upload})
    assert preview.status_code == 200
    assert not Actor.objects.filter(program=target).exists()
    token = preview.context["token"]
    assert token
    content = preview.content.decode()
    assert reverse("network:graph_import_confirm", args=[target.slug]) in content
    done = client.post(
        reverse("network:graph_import_confirm", args=[target.slug]), {"token": token}
    )
    assert done.status_code == 302
    assert Actor.objects.filter(program=target).count() == 5
    assert Tie.objects.filter(program=target).count() == 4


def test_a_file_with_problems_shows_them_and_cannot_be_confirmed(client, network, coordinator):
    client.force_login(coordinator)
    upload = io.BytesIO(GEXF_WITH_PROBLEMS.encode())
    upload.name = "red.gexf"
    response = client.post(
        reverse("network:graph_import", args=[network.slug]), {"graph_file": upload}
    )
    assert response.status_code == 422
    assert response.context["token"] == ""
    assert "interplanetario" in response.content.decode()


def test_a_malformed_or_unsafe_file_is_refused_with_a_clear_message(client, network, coordinator):
    client.force_login(coordinator)
    url = reverse("network:graph_import", args=[network.slug])
    for content, message in (
        (b"<gexf><graph><nodes>", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x "y">]><gexf/>',
            "refuses such files",
        ),
    ):
        upload = io.BytesIO(content)
        upload.name = "red.gexf"
        response = client.post(url, {"graph_file": upload})
        assert response.status_code == 422
        assert message in response.content.decode()


def test_files_over_the_size_limit_are_refused(client, network, coordinator, settings):
    settings.TEJIDO_MAX_UPLOAD_BYTES = 100
    client.force_login(coordinator)
    upload = io.BytesIO(export(network, GEXF))
    upload.name = "red.gexf"
    response = client.post(
        reverse("network:graph_import", args=[network.slug]), {"graph_file": upload}
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_an_edge_list_and_its_node_list_import_from_the_page(client, network, coordinator):
    target = ProgramFactory()
    RoleFactory(user=coordinator, program=target, role="coordinator")
    client.force_login(coordinator)
    edges = io.BytesIO(export(network, CSV))
    edges.name = "edges.csv"
    nodes = io.BytesIO(export_nodes(network))
    nodes.name = "nodes.csv"
    url = reverse("network:graph_import", args=[target.slug])
    preview = client.post(url, {"graph_file": edges, "nodes_file": nodes})
    assert preview.status_code == 200
    assert preview.context["report"].actors_created == 5
    confirm = reverse("network:graph_import_confirm", args=[target.slug])
    client.post(confirm, {"token": preview.context["token"]})
    assert Tie.objects.filter(program=target).count() == 4


def test_a_node_list_goes_with_an_edge_list_only(client, network, coordinator):
    client.force_login(coordinator)
    graph_file = io.BytesIO(export(network, GEXF))
    graph_file.name = "red.gexf"
    nodes = io.BytesIO(export_nodes(network))
    nodes.name = "nodes.csv"
    response = client.post(
        reverse("network:graph_import", args=[network.slug]),
        {"graph_file": graph_file, "nodes_file": nodes},
    )
    assert response.status_code == 400
    assert "CSV edge list only" in response.content.decode()
