"""`tejido import` and `tejido export` on the command line."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.network.models import Tie, TieType
from tejido.network.services import tie_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    actors = tmp_path / "actores.csv"
    actors.write_text(
        "nombre,sector\nJunta de Vecinos Las Rosas,comunitario\nLiceo Bicentenario,público\n",
        encoding="utf-8",
    )
    ties = tmp_path / "vinculos.csv"
    ties.write_text(
        "origen,destino,tipo\nJunta de Vecinos Las Rosas,Liceo Bicentenario,colaboración\n",
        encoding="utf-8",
    )
    return actors, ties


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_import_command_imports_and_records_the_user(program, files):
    actors, ties = files
    user = UserFactory(email="coordinadora@example.org")
    out, _err = run(
        "import",
        program=program.slug,
        actors=str(actors),
        ties=str(ties),
        user="Coordinadora@example.org",
    )
    assert "2 actors created" in out
    assert Actor.objects.filter(program=program, created_by=user).count() == 2
    assert Tie.objects.get(program=program).recorded_by == user


def test_dry_run_reports_and_writes_nothing(program, files):
    actors, ties = files
    out, _err = run(
        "import", program=program.slug, actors=str(actors), ties=str(ties), dry_run=True
    )
    assert "would create 2 actors" in out
    assert not Actor.objects.exists()


def test_errors_are_printed_with_line_numbers_and_the_command_fails(program, tmp_path, files):
    _actors, ties = files
    bad = tmp_path / "malos.csv"
    bad.write_text(
        "nombre,sector\nJunta de Vecinos Las Rosas,comunitario\nLiceo,interplanetario\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import",
            program=program.slug,
            actors=str(bad),
            ties=str(ties),
            stdout=io.StringIO(),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert any(line.startswith("malos.csv, line 3, sector:") for line in lines), lines
    assert any(line.startswith("vinculos.csv, line 2, destino:") for line in lines), lines
    assert not Actor.objects.exists()
    assert not AuditEntry.objects.filter(action="network.import").exists()


def test_the_command_has_its_own_size_limit(program, files):
    actors, _ties = files
    with pytest.raises(CommandError):
        run("import", program=program.slug, actors=str(actors), max_size=0)
    assert not Actor.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"program": "no-existe", "actors": "x.csv"}, "no program"),
        ({"actors": "/no/such/file.csv"}, "no file"),
        ({}, "--actors"),
        ({"actors": "x.csv", "user": "nadie@example.org"}, "no user"),
    ],
)
def test_import_command_bad_arguments(program, options, message):
    options = {"program": program.slug, **options}
    with pytest.raises(CommandError, match=message):
        run("import", **options)


def test_export_command_writes_csv_and_xlsx_that_import_back(program, tmp_path):
    a = ActorFactory(program=program, name="Agrupación Cultural Raíces")
    b = ActorFactory(program=program, name="Biblioteca Pública 12")
    tie_create(user=None, source=a, target=b, tie_type=TieType.INFORMATION)
    actors_csv, ties_csv, book = tmp_path / "a.csv", tmp_path / "t.csv", tmp_path / "red.xlsx"
    run("export", program=program.slug, what="actors", output=str(actors_csv))
    run("export", program=program.slug, what="ties", output=str(ties_csv))
    out, _err = run("export", program=program.slug, what="all", output=str(book))
    assert "red.xlsx" in out
    assert actors_csv.read_text(encoding="utf-8-sig").startswith("id,name,kind,sector")
    assert openpyxl.load_workbook(book).sheetnames == ["actors", "ties"]
    assert AuditEntry.objects.filter(action="network.export").count() == 3

    from tejido.core.tests.factories import ProgramFactory

    copy = ProgramFactory()
    run("import", program=copy.slug, actors=str(actors_csv), ties=str(ties_csv))
    assert Tie.objects.filter(program=copy).count() == 1
    other = ProgramFactory()
    run("import", program=other.slug, actors=str(book))
    assert Actor.objects.filter(program=other).count() == 2


def test_export_command_refuses_two_tables_in_one_csv(program, tmp_path):
    with pytest.raises(CommandError, match="one table"):
        run("export", program=program.slug, what="all", output=str(tmp_path / "x.csv"))
