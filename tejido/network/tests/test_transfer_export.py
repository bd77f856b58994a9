"""Exports: what they contain, that they are safe to open in a spreadsheet, and that they
import back into another program unchanged (the round trip)."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest

from tejido.actors.models import Actor, ActorKind, Sector, SizeBand, Stance
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import Tie, TieType
from tejido.network.services import tie_create, tie_end, tie_update
from tejido.network.transfer.columns import ACTORS, TIES
from tejido.network.transfer.exporter import csv_chunks, header_and_rows, write_xlsx
from tejido.network.transfer.importer import import_files

pytestmark = pytest.mark.django_db


def export_csv(program, what, *, history=False) -> bytes:
    header, rows = header_and_rows(program, what, history=history)
    return "".join(csv_chunks(header, rows)).encode("utf-8")


def export_xlsx(program, kinds=(ACTORS, TIES)) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, [(kind, *header_and_rows(program, kind)) for kind in kinds])
    return out.getvalue()


@pytest.fixture
def registry(program):
    """A program with a bit of everything an export must carry."""
    comuna = TerritoryFactory(name="La Ligua", slug="la-ligua")
    barrio = TerritoryFactory(name="Valle Hermoso", slug="valle-hermoso", parent=comuna, level=3)
    huertos = ThemeFactory(name="Huertos", slug="huertos")
    social = Theme.objects.get(transition="social")
    junta = ActorFactory(
        program=program,
        name="Junta de Vecinos Valle Hermoso",
        sector=Sector.COMMUNITY,
        legal_form="Junta de vecinos",
        description='Sede "La Casona", talleres; huerto\ny feria',
        territory=barrio,
        email="junta@example.org",
        phone="+56 9 8765 4321",
        website="https://junta.example.org",
        address="Calle Larga 12",
        size=SizeBand.SMALL,
        founded_year=1979,
        power=2,
        interest=5,
        stance=Stance.CHAMPION,
    )
    junta.themes.set([social, huertos])
    junta.territories_served.set([comuna, barrio])
    municipio = ActorFactory(program=program, name="Municipalidad de La Ligua", sector="public")
    trickster = ActorFactory(
        program=program, name='=HYPERLINK("http://evil.example","clic")', sector="private"
    )
    grupo = ActorFactory(
        program=program, name="Colectivo Ñuke", kind=ActorKind.INFORMAL_GROUP, sector="community"
    )
    juan_1 = PersonFactory(program=program, name="Juan Pérez", sector="community")
    juan_2 = PersonFactory(program=program, name="Juan Pérez", sector="public")
    tie_create(
        user=None,
        source=junta,
        target=municipio,
        tie_type=TieType.FUNDING,
        directed=True,
        intensity=3,
        trust=4,
        value=5,
        started_on=datetime.date(2024, 2, 1),
        note="Fondo vecinal",
    )
    supported = tie_create(user=None, source=grupo, target=junta, tie_type=TieType.SUPPORT)
    tie_update(user=None, tie=supported, intensity=4)
    # A mutual tie and a one-way tie of the same type, which the database keeps apart
    # (the one-way tie starts from the actor with the higher id).
    tie_create(user=None, source=grupo, target=junta, tie_type=TieType.SUPPORT, directed=True)
    tie_create(user=None, source=municipio, target=junta, tie_type=TieType.FUNDING, directed=True)
    ended = tie_create(
        user=None,
        source=juan_1,
        target=juan_2,
        tie_type=TieType.INFORMATION,
        started_on=datetime.date(2024, 1, 1),
    )
    tie_end(user=None, tie=ended, ended_on=datetime.date(2024, 6, 30))
    tie_create(user=None, source=trickster, target=municipio, tie_type=TieType.AGREEMENT)
    return program


def actor_snapshot(program):
    return sorted(
        (
            a.name,
            a.kind,
            a.sector,
            a.legal_form,
            a.description,
            a.territory_id,
            tuple(sorted(a.territories_served.values_list("pk", flat=True))),
            tuple(sorted(a.themes.values_list("pk", flat=True))),
            a.email,
            a.phone,
            a.website,
            a.address,
            a.size,
            a.founded_year,
            a.power,
            a.interest,
            a.stance,
        )
        for a in Actor.objects.filter(program=program)
    )


def tie_snapshot(program):
    return sorted(
        (
            (t.source.name, t.source.sector),
            (t.target.name, t.target.sector),
            t.tie_type,
            t.directed,
            t.intensity,
            t.trust,
            t.value,
            t.started_on,
            t.ended_on,
            t.note,
        )
        for t in Tie.objects.current().filter(program=program).select_related("source", "target")
    )


def test_csv_export_imports_back_into_another_program_unchanged(registry):
    copy = ProgramFactory()
    report = import_files(
        program=copy,
        actors_file=export_csv(registry, ACTORS),
        ties_file=export_csv(registry, TIES),
    )
    assert report.errors == [], [str(e) for e in report.errors]
    assert report.notices == []  # every exported column is known to the import
    assert actor_snapshot(copy) == actor_snapshot(registry)
    assert tie_snapshot(copy) == tie_snapshot(registry)


def test_xlsx_workbook_export_imports_back_unchanged(registry):
    copy = ProgramFactory()
    report = import_files(program=copy, actors_file=export_xlsx(registry))
    assert report.errors == [], [str(e) for e in report.errors]
    assert actor_snapshot(copy) == actor_snapshot(registry)
    assert tie_snapshot(copy) == tie_snapshot(registry)


def test_ties_exported_from_a_program_import_back_as_unchanged(registry):
    report = import_files(program=registry, ties_file=export_csv(registry, TIES))
    assert report.errors == []
    assert (report.ties_created, report.ties_updated) == (0, 0)
    assert report.ties_unchanged == Tie.objects.current().filter(program=registry).count()


def test_csv_export_cannot_run_formulas_in_a_spreadsheet(registry):
    text = export_csv(registry, ACTORS).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","clic")' in names
    phones = {row[1]: row[10] for row in rows[1:]}
    assert phones["Junta de Vecinos Valle Hermoso"] == "'+56 9 8765 4321"


def test_xlsx_export_stores_formula_like_text_as_text(registry):
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(registry, (ACTORS,))))
    cells = [row[1] for row in book["actors"].iter_rows(min_row=2)]
    trick = next(c for c in cells if str(c.value).startswith("="))
    assert trick.data_type == "s"


def test_current_export_lists_each_tie_once_and_history_every_version(registry):
    header, rows = header_and_rows(registry, TIES)
    current = list(rows)
    assert len(current) == Tie.objects.current().filter(program=registry).count() == 6
    header, rows = header_and_rows(registry, TIES, history=True)
    history = [dict(zip(header, row, strict=True)) for row in rows]
    assert len(history) == Tie.objects.filter(program=registry).count() == 8
    assert sum(1 for row in history if row["current"]) == 6
    assert sum(1 for row in history if row["previous_id"]) == 2  # two ties changed once


def test_export_reads_in_chunks_with_a_fixed_number_of_queries(
    registry, django_assert_max_num_queries
):
    for n in range(30):
        ActorFactory(program=registry, name=f"Organización extra {n}")
    with django_assert_max_num_queries(6):  # 3 per chunk of 2,000 actors, then an empty read
        list(header_and_rows(registry, ACTORS)[1])
