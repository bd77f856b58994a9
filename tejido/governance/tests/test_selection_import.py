# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Importing a scorecard's values from CSV and XLSX: all or nothing, each problem named by row
and column."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from tejido.governance.models import CriterionKind, CriterionValue
from tejido.governance.selection import importer, services
from tejido.governance.tests.test_selection_support import (
    criteria_by_kind,
    make_scorecard,
    make_world,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "Territorio;Vulnerability index;Local-government support (0–3);"
    "Local-government support (0–3) (evidence)\n"
)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def scorecard(world):
    return make_scorecard(world, values=False)


def values(scorecard):
    by_kind = criteria_by_kind(scorecard)
    names = {c.pk: c.territory.name for c in scorecard.candidates.select_related("territory")}
    kinds = {c.pk: k for k, c in by_kind.items()}
    return {
        (names[v.candidate_id], kinds[v.criterion_id]): (v.value, v.evidence)
        for v in CriterionValue.objects.filter(candidate__scorecard=scorecard)
    }


def run(world, scorecard, text: str | bytes, name: str = "valores.csv"):
    data = text.encode() if isinstance(text, str) else text
    return services.values_import(
        user=world.coordinator, scorecard=scorecard, data=data, filename=name
    )


def problems(excinfo) -> list[str]:
    return list(excinfo.value.messages)


def test_import_csv_by_code_and_name_with_decimal_comma_and_evidence(world, scorecard):
    text = (
        HEADER
        + "13201;78,4;3;Convenio municipal, decreto N° 1.872\n"
        + "san bernardo;64.1;2;Carta del alcalde, oficio N° 245\n"
        + "PENALOLEN;1.234,5;0;\n"  # no accents or case needed; thousands and decimal comma
    )
    result = run(world, scorecard, text)
    assert result.rows == 3 and result.written == 6
    got = values(scorecard)
    assert got["Puente Alto", CriterionKind.VULNERABILITY] == (Decimal("78.4"), "")
    assert got["Puente Alto", CriterionKind.LOCAL_SUPPORT] == (
        Decimal(3),
        "Convenio municipal, decreto N° 1.872",
    )
    assert got["San Bernardo", CriterionKind.VULNERABILITY][0] == Decimal("64.1")
    assert got["Peñalolén", CriterionKind.VULNERABILITY][0] == Decimal("1234.5")
    assert got["Peñalolén", CriterionKind.LOCAL_SUPPORT] == (Decimal(0), "")
    assert ("La Pintana", CriterionKind.VULNERABILITY) not in got


def test_import_blank_cells_leave_values_and_evidence_as_they_are(world, scorecard):
    run(world, scorecard, HEADER + "13201;70;2;Carta del alcalde\n")
    run(world, scorecard, "Territorio,Local-government support (0–3)\nPuente Alto,3\n13401,\n")
    got = values(scorecard)
    # The evidence on record still supports the new value; the vulnerability is untouched.
    assert got["Puente Alto", CriterionKind.LOCAL_SUPPORT] == (Decimal(3), "Carta del alcalde")
    assert got["Puente Alto", CriterionKind.VULNERABILITY] == (Decimal(70), "")
    assert ("San Bernardo", CriterionKind.LOCAL_SUPPORT) not in got


def test_import_is_all_or_nothing_with_each_problem_named(world, scorecard):
    run(world, scorecard, HEADER + "13201;70;2;Carta\n")
    before = values(scorecard)
    text = (
        HEADER
        + "13201;71;3;Convenio\n"  # valid, but the file is refused as a whole
        + "Valparaíso;50;1;Carta\n"
        + "13401;muy alta;1;Carta\n"
        + "13122;60;5;Carta\n"
        + "La Pintana;60;2;\n"
        + "13201;72;1;Carta\n"
        + ";1;1;x\n"
    )
    with pytest.raises(ValidationError) as excinfo:
        run(world, scorecard, text)
    found = problems(excinfo)
    assert any(p.startswith("Row 3:") and "“Valparaíso” is not one" in p for p in found)
    assert any(
        p.startswith("Row 4, column “Vulnerability index”") and "“muy alta” is not a number" in p
        for p in found
    )
    assert any(
        p.startswith("Row 5, column “Local-government") and "0 (none) to 3" in p for p in found
    )
    assert any(p.startswith("Row 6,") and "where the support comes from" in p for p in found)
    assert any(p.startswith("Row 7:") and "already appears on row 2" in p for p in found)
    assert any(p.startswith("Row 8:") and "first column" in p for p in found)
    assert len(found) == 6
    assert values(scorecard) == before


def test_import_refusals_of_the_whole_file(world, scorecard):
    cases = [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Old Excel"),
        (b"Territorio;Poblaci\xf3n\n", "not UTF-8"),
        (b"Territorio;Otra cosa\n13201;4\n", "No column"),
        (b"Territorio;Vulnerability index\n", "no values"),
        (
            b"Territorio;Vulnerability index;vulnerability INDEX\n13201;1;2\n",
            "Two columns",
        ),
        (
            "t;Local-government support (0–3) (evidence);Vulnerability index\n13201;x;3\n".encode(),
            "evidence for",
        ),
    ]
    for data, text in cases:
        with pytest.raises(ValidationError) as excinfo:
            run(world, scorecard, data)
        assert text in " ".join(problems(excinfo)), data
    with pytest.raises(ValidationError) as excinfo:
        run(world, scorecard, b"not a workbook", name="valores.xlsx")
    assert "not one" in " ".join(problems(excinfo))
    assert not CriterionValue.objects.exists()


def test_import_skips_the_counted_column_and_reports_unknown_ones(world, scorecard):
    text = "Código;Vulnerability index;Active community organizations;Notas\n13201;55;12;x\n"
    result = run(world, scorecard, text)
    assert result.written == 1
    assert result.skipped_columns == ["Active community organizations"]
    assert result.ignored_columns == ["Notas"]
    assert set(values(scorecard)) == {("Puente Alto", CriterionKind.VULNERABILITY)}


def test_import_matches_renamed_and_custom_criteria(world, scorecard):
    services.criterion_add(
        user=world.coordinator, scorecard=scorecard, name="Distancia (km)", higher_is_better=False
    )
    vulnerability = criteria_by_kind(scorecard)[CriterionKind.VULNERABILITY]
    vulnerability.name = "IPS 2024"
    vulnerability.save()
    text = "t,ips 2024,IPS 2024 (evidence),distancia (KM)\n13201,66,Seremi RM,24\n"
    run(world, scorecard, text)
    got = values(scorecard)
    assert got["Puente Alto", CriterionKind.VULNERABILITY] == (Decimal(66), "Seremi RM")
    assert got["Puente Alto", CriterionKind.CUSTOM] == (Decimal(24), "")


def test_import_xlsx_with_numeric_cells(world, scorecard):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "Territorio",
            "Vulnerability index",
            "Local-government support (0–3)",
            "Local-government support (0–3) (evidence)",
        ]
    )
    sheet.append([13201, 78.4, 3, "Convenio"])
    sheet.append(["La Pintana", 81, None, None])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(world, scorecard, buffer.getvalue(), name="valores.xlsx")
    assert result.rows == 2 and result.written == 3
    got = values(scorecard)
    assert got["Puente Alto", CriterionKind.VULNERABILITY][0] == Decimal("78.4")
    assert got["Puente Alto", CriterionKind.LOCAL_SUPPORT] == (Decimal(3), "Convenio")
    assert got["La Pintana", CriterionKind.VULNERABILITY][0] == Decimal(81)


def test_import_refuses_a_name_shared_by_two_candidates(world, scorecard):
    from tejido.core.tests.factories import TerritoryFactory

    twin = TerritoryFactory(name="Puente Alto", parent=None)
    services.scorecard_update(
        user=world.coordinator,
        scorecard=scorecard,
        title=scorecard.title,
        seats_to_fill=2,
        territories=[*world.comunas, twin],
    )
    with pytest.raises(ValidationError) as excinfo:
        run(world, scorecard, "t;Vulnerability index\nPuente Alto;3\n")
    assert "several territories" in " ".join(problems(excinfo))
    run(world, scorecard, "t;Vulnerability index\n13201;3\n")
    assert values(scorecard)["Puente Alto", CriterionKind.VULNERABILITY][0] == 3


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        (" 1 234,5 ", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("-3", Decimal(-3)),
        ("\u22123,5", Decimal("-3.5")),
        (",5", Decimal("0.5")),
        (7, Decimal(7)),
        (2.5, Decimal("2.5")),
    ],
)
def test_parse_number_accepts(cell, number):
    assert importer.parse_number(cell) == number


@pytest.mark.parametrize("cell", ["", "abc", "1,2,3", "1.2.3", "12 %", "1e5", "--1", True])
def test_parse_number_refuses(cell):
    with pytest.raises(ValueError):
        importer.parse_number(cell)
