# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Importing needs from CSV and XLSX: every row or none, with each problem at its line."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tejido.core.models import AuditEntry, Theme
from tejido.governance.models import Need, NeedSource
from tejido.governance.needs.importer import import_needs

from .test_needs_support import make_world

pytestmark = pytest.mark.django_db


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _xlsx(rows: list[list[object]], *, sheets: tuple[str, ...] = ("Hoja1",)) -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = sheets[0]
    for title in sheets[1:]:
        sheet = workbook.create_sheet(title)
        sheet.append(["Nada que ver"])
        sheet.append(["otra cosa"])
    target = workbook[sheets[-1]] if len(sheets) > 1 else first
    if len(sheets) > 1:
        target.delete_rows(1, 2)
    for row in rows:
        target.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_spanish_csv_with_codes_and_names_is_imported():
    world = make_world(needs=0)
    social = Theme.objects.get(transition="social")
    data = _csv(
        "Territorio;Necesidad;Descripción;Tema;Fuente;Personas afectadas\n"
        "13112-01;Luminarias apagadas en pasaje Los Aromos;Cuatro apagadas;Transición social;"
        "reunión;1.200\n"
        "San Ricardo;Microbasurales en el sitio eriazo;;;;\n"
        "la pintana;Atención de salud mental en el CESFAM;;transicion-social;Diagnóstico;900\n"
    )
    report = import_needs(user=world.coordinator, program=world.program, data=data, name="n.csv")
    assert report.errors == [] and report.created == 3 and report.imported
    needs = {n.title: n for n in Need.objects.filter(program=world.program)}
    lights = needs["Luminarias apagadas en pasaje Los Aromos"]
    assert (lights.territory, lights.theme, lights.source) == (world.barrio, social, "meeting")
    assert lights.people_affected == 1200 and lights.description == "Cuatro apagadas"
    dump = needs["Microbasurales en el sitio eriazo"]
    assert dump.territory == world.other_barrio and dump.source == NeedSource.IMPORT
    assert dump.people_affected is None and dump.theme is None
    assert needs["Atención de salud mental en el CESFAM"].territory == world.comuna
    assert AuditEntry.objects.get(action="governance.need_import").data["needs"] == 3


def test_an_english_xlsx_with_its_needs_on_a_named_sheet():
    world = make_world(needs=0)
    data = _xlsx(
        [
            ["Territory", "Need", "People affected"],
            ["13112-02", "Stray dogs at the sports court", 300.0],
            ["Villa El Esfuerzo", "Community hall without ramps", 120],
        ],
        sheets=("Intro", "Necesidades"),
    )
    report = import_needs(user=world.coordinator, program=world.program, data=data, name="n.xlsx")
    assert report.errors == [] and report.created == 2
    assert Need.objects.get(title="Stray dogs at the sports court").people_affected == 300


def test_check_only_writes_nothing_and_previews():
    world = make_world(needs=0)
    data = _csv("territory,need\n13112-01,Paradero sin techo\n")
    report = import_needs(
        user=world.coordinator, program=world.program, data=data, name="n.csv", check_only=True
    )
    assert report.ok and not report.imported and report.rows == 1
    assert report.preview[0]["title"] == "Paradero sin techo"
    assert not Need.objects.exists()


def test_one_wrong_row_and_nothing_is_imported():
    world = make_world(needs=1)
    existing = world.needs[0].title
    data = _csv(
        "territorio,necesidad,tema,fuente,personas afectadas\n"
        "13112-01,Paradero sin techo,,,\n"  # fine
        "Valparaíso,Veredas quebradas,,,\n"  # outside the program
        "Atlantis,Inundaciones,,,\n"  # unknown
        "13112-01,,,,\n"  # no title
        "13112-01,Canil municipal,Astrología,rumor,muchas\n"  # theme, source, people
        f"13112-01,{existing},,,\n"  # already registered
        "13112-01,paradero  sin TECHO,,,\n"  # repeats line 2
    )
    report = import_needs(user=world.coordinator, program=world.program, data=data, name="n.csv")
    assert not report.ok and report.created == 0
    found = {(e.line, e.column) for e in report.errors}
    assert found == {
        (3, "territorio"),
        (4, "territorio"),
        (5, "necesidad"),
        (6, "tema"),
        (6, "fuente"),
        (6, "personas afectadas"),
        (7, "necesidad"),
        (8, "necesidad"),
    }
    messages = {(e.line, e.column): e.message for e in report.errors}
    assert "Unknown territory “Valparaíso”" in messages[(3, "territorio")]
    assert "already in the register" in messages[(7, "necesidad")]
    assert "on line 2 too" in messages[(8, "necesidad")]
    assert Need.objects.count() == 1
    assert not AuditEntry.objects.filter(action="governance.need_import").exists()


def test_missing_columns_and_unreadable_files_are_explained():
    world = make_world(needs=0)
    cases = [
        (b"", "n.csv", "The file is empty."),
        (b"tema,fuente\nsalud,encuesta\n", "n.csv", "no “Territory” column"),
        (b"territorio,necesidad\n", "n.csv", "no needs in it"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "n.xls", "Old Excel files"),
        (b"PK\x03\x04broken", "n.xlsx", "damaged"),
        ("territorio,necesidad\nñ,x\n".encode("latin-1"), "n.csv", "not UTF-8"),
        (b"territorio,territory,necesidad\n1,2,3\n", "n.csv", "Two columns mean the same"),
    ]
    for data, name, message in cases:
        report = import_needs(user=world.coordinator, program=world.program, data=data, name=name)
        assert not report.ok, name
        assert message in str(report.errors[0]), (name, report.errors)
    assert not Need.objects.exists()


def test_a_name_shared_by_two_territories_asks_for_the_code():
    world = make_world(needs=0)
    from tejido.core.tests.factories import TerritoryFactory

    TerritoryFactory(name="Villa El Esfuerzo", parent=world.comuna, level=3, code="13112-09")
    report = import_needs(
        user=world.coordinator,
        program=world.program,
        data=_csv("territorio,necesidad\nVilla El Esfuerzo,Plaza\n13112-09,Plaza\n"),
        name="n.csv",
    )
    assert [e.line for e in report.errors] == [2]
    assert "13112-01" in report.errors[0].message and "13112-09" in report.errors[0].message
    assert not Need.objects.exists()
