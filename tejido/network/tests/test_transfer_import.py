"""Importing actors and ties from CSV and XLSX: what is accepted, what is refused, and that a
refused import writes nothing at all."""

from __future__ import annotations

import datetime
import io
import random
import unicodedata

import openpyxl
import pytest

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor, ActorKind, Sector, SensitiveData, SizeBand, Stance
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry, Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.core.text import normalize_for_search
from tejido.network.models import Provenance, Tie, TieType
from tejido.network.services import tie_create
from tejido.network.transfer.columns import ACTORS, COLUMNS, TIES, normalize_key
from tejido.network.transfer.importer import import_files

pytestmark = pytest.mark.django_db


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.strip().replace("\n", "\r\n").encode(encoding) + b"\r\n"


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    del book["Sheet"]  # the empty sheet every new workbook starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def places(db):
    comuna = TerritoryFactory(name="Puente Alto", slug="puente-alto")
    barrio = TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena", parent=comuna, level=3)
    return comuna, barrio


def assert_nothing_written(program, actors_before=0, ties_before=0):
    assert Actor.objects.filter(program=program).count() == actors_before
    assert Tie.objects.filter(program=program).count() == ties_before
    assert not AuditEntry.objects.filter(action="network.import").exists()


# --- what is accepted ------------------------------------------------------------------------


def test_spanish_headers_semicolons_and_bom_import_every_field(program, places):
    comuna, barrio = places
    user = UserFactory()
    actors = "\ufeff" + (
        "Nombre;Tipo;Sector;Forma jurídica;Descripción;Territorio;Territorios atendidos;Temas;"
        "Correo;Teléfono;Web;Dirección;Tamaño;Año de fundación;Poder;Interés;Postura\n"
        "Junta de Vecinos Villa Esperanza;organización;comunitario;Junta de vecinos;"
        "Sede en la plaza;Bajos de Mena;puente-alto | Bajos de Mena;Social | Transición digital;"
        "junta@example.org;+56 9 1234 5678;villaesperanza.cl;Pasaje 1 #123;35;1998;3;5;Campeona\n"
        "María González;persona;público;;;;;;;;;;;;;;\n"
    )
    report = import_files(program=program, actors_file=actors.encode(), user=user)

    assert report.errors == [] and report.imported
    junta = Actor.objects.get(program=program, name="Junta de Vecinos Villa Esperanza")
    assert (junta.kind, junta.sector) == (ActorKind.ORGANIZATION, Sector.COMMUNITY)
    assert junta.territory == barrio
    assert set(junta.territories_served.all()) == {comuna, barrio}
    assert set(junta.themes.values_list("transition", flat=True)) == {"social", "digital"}
    assert junta.website == "https://villaesperanza.cl"
    assert (junta.size, junta.founded_year, junta.power, junta.interest) == (
        SizeBand.SMALL,
        1998,
        3,
        5,
    )
    assert junta.stance == Stance.CHAMPION
    assert junta.created_by == user
    assert junta.search_text == normalize_for_search(
        junta.name, junta.legal_form, junta.description
    )
    maria = Actor.objects.get(program=program, name="María González")
    assert (maria.kind, maria.sector) == (ActorKind.PERSON, Sector.PUBLIC)
    for actor in (junta, maria):
        actor.full_clean()  # everything the import writes, the model accepts
    entry = AuditEntry.objects.get(action="network.import")
    assert entry.user == user and entry.data["actors_created"] == 2


def test_kumu_columns_are_understood(program):
    elements = csv_bytes(
        """
Label,Type,Description,Tags
Junta de Vecinos El Castillo,Community,Organización territorial,social|democratic
Cesfam Bernardo Leighton,Public,Centro de salud,social
Pedro Soto,Person,,
"""
    )
    connections = csv_bytes(
        """
From,To,Type,Direction,Description
Junta de Vecinos El Castillo,Cesfam Bernardo Leighton|Pedro Soto,Information,directed,Mesa
"""
    )
    report = import_files(program=program, actors_file=elements, ties_file=connections)

    # Pedro has a kind (Type: Person) but no sector: a Kumu file does not have one.
    assert [(e.line, e.column) for e in report.errors] == [(4, "sector")]
    assert_nothing_written(program)

    fixed = csv_bytes(
        """
Label,Type,Sector,Description,Tags
Junta de Vecinos El Castillo,Community,,Organización territorial,social|democratic
Cesfam Bernardo Leighton,Public,,Centro de salud,social
Pedro Soto,Person,community,,
"""
    )
    report = import_files(program=program, actors_file=fixed, ties_file=connections)
    assert report.errors == []
    junta = Actor.objects.get(name="Junta de Vecinos El Castillo")
    assert junta.sector == Sector.COMMUNITY and junta.kind == ActorKind.ORGANIZATION
    assert junta.themes.count() == 2
    ties = Tie.objects.filter(program=program)
    assert ties.count() == 2  # "A|B" in To: one tie to each
    assert all(t.directed and t.source == junta and t.note == "Mesa" for t in ties)
    assert {t.tie_type for t in ties} == {TieType.INFORMATION}
    assert all(t.provenance == Provenance.IMPORT for t in ties)


def test_xlsx_workbook_with_actors_and_ties_sheets(program):
    book = workbook_bytes(
        {
            "Elements": [
                ["ID", "Label", "Sector", "Founded"],
                ["e1", "Club Deportivo Unión", "community", 1987],
                ["e2", "Universidad de La Ligua", "academia", 1960.0],
            ],
            "Connections": [
                ["From", "To", "Type", "Intensity", "Since"],
                ["e1", "e2", "agreement", 3, datetime.datetime(2024, 3, 1)],
            ],
            "Notas (ignore)": [["free text"]],
        }
    )
    report = import_files(program=program, actors_file=book)

    assert report.errors == []
    club = Actor.objects.get(name="Club Deportivo Unión")
    assert club.founded_year == 1987
    tie = Tie.objects.get(program=program)
    assert (tie.tie_type, tie.intensity, tie.started_on) == (
        TieType.AGREEMENT,
        3,
        datetime.date(2024, 3, 1),
    )
    # A tie starting in 2024 belongs to the program's 2024 cycle.
    assert tie.cycle.starts_on.year == 2024


def test_xlsx_with_unnamed_sheets_is_read_by_its_headers(program):
    book = workbook_bytes(
        {
            "Hoja1": [["nombre", "sector"], ["Radio Comunitaria", "comunitario"]],
            "Hoja2": [["origen", "destino"], ["Radio Comunitaria", "Radio Comunitaria"]],
        }
    )
    report = import_files(program=program, actors_file=book, actors_name="registro.xlsx")
    assert [(e.source, e.line, e.column) for e in report.errors] == [
        ("registro.xlsx › Hoja2", 2, "destino")
    ]
    assert "itself" in report.errors[0].message
    assert_nothing_written(program)


def test_ties_between_actors_already_in_the_program(program):
    a = ActorFactory(program=program, name="Junta de Vecinos Nº 5")
    b = ActorFactory(program=program, name="Escuela Básica Los Aromos")
    ties = csv_bytes(
        "from,to,type,intensity,trust,value,since,until,note\n"
        "junta de vecinos nº 5,ESCUELA BASICA LOS AROMOS,colaboración,coordinación,4,5,"
        "01/03/2024,2024-12-31,Huerto"
    )
    report = import_files(program=program, ties_file=ties)

    assert report.errors == []
    tie = Tie.objects.get(program=program)
    assert (tie.source_id, tie.target_id) == tuple(sorted([a.pk, b.pk]))  # undirected: ordered
    assert (tie.intensity, tie.trust, tie.value) == (2, 4, 5)
    assert (tie.started_on, tie.ended_on) == (
        datetime.date(2024, 3, 1),
        datetime.date(2024, 12, 31),
    )


def test_an_existing_tie_gets_a_new_version_and_an_identical_one_is_left_alone(program):
    a = ActorFactory(program=program, name="Olla Común Santa Rosa")
    b = ActorFactory(program=program, name="Parroquia San Pedro")
    old = tie_create(
        user=None,
        source=b,
        target=a,
        tie_type=TieType.SUPPORT,
        intensity=1,
        started_on=datetime.date(2023, 5, 1),
        note="Donaciones",
    )
    ties = csv_bytes(
        """
from,to,type,intensity
Olla Común Santa Rosa,Parroquia San Pedro,support,3
"""
    )
    report = import_files(program=program, ties_file=ties)

    assert report.errors == [] and (report.ties_created, report.ties_updated) == (0, 1)
    new = Tie.objects.current().get(program=program)
    assert new.previous_id == old.pk and new.intensity == 3
    # As when a tie is recorded by hand: empty cells keep the start date and the note.
    assert new.started_on == datetime.date(2023, 5, 1) and new.note == "Donaciones"
    assert new.provenance == Provenance.IMPORT
    assert Tie.objects.get(pk=old.pk).superseded_at is not None

    again = import_files(program=program, ties_file=ties)
    assert (again.ties_created, again.ties_updated, again.ties_unchanged) == (0, 0, 1)
    assert Tie.objects.filter(program=program).count() == 2


def test_update_existing_actors_changes_only_the_columns_in_the_file(program, places):
    comuna, _barrio = places
    theme = ThemeFactory(name="Vivienda", slug="vivienda")
    actor = ActorFactory(
        program=program, name="Comité de Vivienda Los Pinos", legal_form="Comité", phone="22"
    )
    actor.themes.set([theme])
    file = csv_bytes(
        """
name,sector,territory,themes
Comité de Vivienda Los Pinos,third sector,puente-alto,social
Centro Cultural Nuevo,community,,
"""
    )
    refused = import_files(program=program, actors_file=file)
    assert [e.line for e in refused.errors] == [2]
    assert "already in this program" in refused.errors[0].message

    report = import_files(program=program, actors_file=file, update_existing=True)
    assert report.errors == [] and (report.actors_created, report.actors_updated) == (1, 1)
    actor.refresh_from_db()
    assert actor.sector == Sector.THIRD_SECTOR and actor.territory == comuna
    assert actor.legal_form == "Comité" and actor.phone == "22"  # columns not in the file
    assert list(actor.themes.values_list("transition", flat=True)) == ["social"]


def test_an_update_file_needs_no_sector_column(program):
    actor = ActorFactory(program=program, name="Club de Leones", sector=Sector.PRIVATE)
    file = csv_bytes("name,email\nClub de Leones,leones@example.org\nClub Nuevo,x@example.org\n")
    report = import_files(program=program, actors_file=file, update_existing=True)
    assert [(e.line, e.column) for e in report.errors] == [(3, "sector")]  # a new actor
    report = import_files(
        program=program, actors_file=file.rsplit(b"Club Nuevo", 1)[0], update_existing=True
    )
    assert report.errors == []
    actor.refresh_from_db()
    assert (actor.email, actor.sector) == ("leones@example.org", Sector.PRIVATE)


def test_rows_with_different_ids_may_share_a_name(program):
    actors = csv_bytes(
        """
id,name,kind,sector
p1,Juan Pérez,person,community
p2,Juan Pérez,person,public
"""
    )
    ties = csv_bytes(
        """
from_id,to_id,type
p1,p2,support
"""
    )
    report = import_files(program=program, actors_file=actors, ties_file=ties)
    assert report.errors == []
    assert Actor.objects.filter(name="Juan Pérez").count() == 2
    assert Tie.objects.count() == 1


def test_dry_run_checks_everything_and_writes_nothing(program):
    actors = csv_bytes("name,sector\nRed de Mujeres,community\n")
    report = import_files(program=program, actors_file=actors, dry_run=True)
    assert report.ok and not report.imported and report.actors_created == 1
    assert report.preview_actors[0]["name"] == "Red de Mujeres"
    assert_nothing_written(program)


# --- what is refused, and writes nothing -----------------------------------------------------

GOOD_ACTORS = """
name,kind,sector
Junta de Vecinos Uno,organization,community
Municipalidad de San Bernardo,organization,public
"""


@pytest.mark.parametrize(
    ("actors", "ties", "line", "column", "words"),
    [
        pytest.param(
            GOOD_ACTORS + "Taller Mecánico,organization,industria\n",
            None,
            4,
            "sector",
            "Unknown sector “industria”",
            id="unknown sector",
        ),
        pytest.param(
            GOOD_ACTORS + "Grupo X,clan,community\n",
            None,
            4,
            "kind",
            "Unknown kind",
            id="unknown kind",
        ),
        pytest.param(
            GOOD_ACTORS + "Junta de vecinos uno,organization,public\n",
            None,
            4,
            "name",
            "line 2",
            id="duplicate row",
        ),
        pytest.param(
            GOOD_ACTORS + ",organization,public\n",
            None,
            4,
            "name",
            "required",
            id="missing name",
        ),
        pytest.param(
            "name,sector,territory\nJunta,community,Atlántida\n",
            None,
            2,
            "territory",
            "Unknown territory",
            id="unknown territory",
        ),
        pytest.param(
            "name,sector,themes\nJunta,community,social; astrología\n",
            None,
            2,
            "themes",
            "Unknown theme “astrología”",
            id="unknown theme",
        ),
        pytest.param(
            "name,sector,email,power\nJunta,community,no-es-correo,9\n",
            None,
            2,
            "email",
            "e-mail",
            id="bad e-mail",
        ),
        pytest.param(
            "name,sector,founded_year\nJunta,community,año 98\n",
            None,
            2,
            "founded_year",
            "1800 to 2100",
            id="bad year",
        ),
        pytest.param(
            'name,sector\nJunta,community,"extra, value"\n',
            None,
            2,
            "",
            "header has 2 columns",
            id="row wider than header",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to\nJunta de Vecinos Uno,Municipalidad de Puente Alto\n",
            2,
            "to",
            "Unknown actor “Municipalidad de Puente Alto”",
            id="tie to unknown actor",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to\nJunta de Vecinos Uno,Junta de Vecinos Uno\n",
            2,
            "to",
            "itself",
            id="self tie",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,type\n"
            "Junta de Vecinos Uno,Municipalidad de San Bernardo,funding\n"
            "Municipalidad de San Bernardo,Junta de Vecinos Uno,financiamiento\n",
            3,
            "to",
            "line 2",
            id="duplicate tie",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,intensity\nJunta de Vecinos Uno,Municipalidad de San Bernardo,7\n",
            2,
            "intensity",
            "0 to 4",
            id="intensity out of range",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,type\nJunta de Vecinos Uno,Municipalidad de San Bernardo,amistad\n",
            2,
            "type",
            "Unknown type of tie",
            id="unknown tie type",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,since\nJunta de Vecinos Uno,Municipalidad de San Bernardo,31/02/2024\n",
            2,
            "since",
            "not a date",
            id="bad date",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,since,until\n"
            "Junta de Vecinos Uno,Municipalidad de San Bernardo,2024-05-01,2024-04-01\n",
            2,
            "until",
            "before it starts",
            id="ends before it starts",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,trust\nJunta de Vecinos Uno,Municipalidad de San Bernardo,0\n",
            2,
            "trust",
            "1 to 5",
            id="trust out of range",
        ),
        pytest.param(
            GOOD_ACTORS,
            "from,to,directed\nJunta de Vecinos Uno,Municipalidad de San Bernardo,quizás\n",
            2,
            "directed",
            "yes",
            id="bad direction",
        ),
    ],
)
def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_imported(
    program, actors, ties, line, column, words
):
    ThemeFactory(name="Vivienda")  # a theme beyond the four transitions
    report = import_files(
        program=program,
        actors_file=csv_bytes(actors),
        ties_file=csv_bytes(ties) if ties else None,
    )

    assert not report.imported
    matching = [e for e in report.errors if e.line == line and e.column == column]
    assert matching, [str(e) for e in report.errors]
    assert any(words in e.message for e in matching), [str(e) for e in matching]
    assert_nothing_written(program)


def test_duplicate_ties_follow_the_databases_rule(program):
    actors = csv_bytes("name,sector\nUno,community\nDos,public\n")
    ties = csv_bytes(
        "from,to,type,directed\n"
        "Uno,Dos,support,no\n"  # mutual: stored Uno—Dos
        "Dos,Uno,support,yes\n"  # one way from the later actor: a different tie
        "Dos,Uno,funding,yes\n"
        "Uno,Dos,funding,yes\n"  # the opposite direction: a different tie
        "Uno,Dos,support,yes\n"  # one way from the earlier actor: the mutual tie again
    )
    report = import_files(program=program, actors_file=actors, ties_file=ties)
    assert [(e.line, e.column) for e in report.errors] == [(6, "to")]
    assert "line 2" in report.errors[0].message
    fixed = b"\r\n".join(ties.split(b"\r\n")[:5]) + b"\r\n"
    assert import_files(program=program, actors_file=actors, ties_file=fixed).errors == []
    assert Tie.objects.filter(program=program).count() == 4


def test_every_bad_row_is_listed_not_only_the_first(program):
    rows = "\n".join(f"Actor {n},{'community' if n % 3 else 'galactic'}" for n in range(1, 31))
    report = import_files(program=program, actors_file=csv_bytes("name,sector\n" + rows))
    assert [e.line for e in report.errors] == [n + 1 for n in range(3, 31, 3)]
    assert_nothing_written(program)


def test_a_file_that_is_not_utf8_is_refused_with_the_line(program):
    latin1 = csv_bytes(
        "nombre,sector\nJunta de Vecinos,comunitario\nAsociación Indígena,comunitario\n",
        encoding="cp1252",
    )
    report = import_files(program=program, actors_file=latin1)
    [error] = report.errors
    assert error.line == 3
    assert "not UTF-8" in error.message and "CSV UTF-8" in error.message
    assert_nothing_written(program)


def test_utf16_text_from_excel_is_accepted(program):
    text = "nombre\tsector\nAsociación Indígena\tcomunitario\n"
    report = import_files(program=program, actors_file=text.encode("utf-16"))
    assert report.errors == []
    assert Actor.objects.get().name == "Asociación Indígena"


@pytest.mark.parametrize(
    ("slot", "header", "missing"),
    [
        (ACTORS, "nombre,clase\n", "sector"),
        (ACTORS, "sector,tipo\n", "name"),
        (TIES, "from,type\n", "to"),
    ],
)
def test_missing_required_columns_are_a_file_error(program, slot, header, missing):
    data = csv_bytes(header + "x,y\n")
    report = import_files(program=program, **{f"{slot}_file": data})
    [error] = report.errors
    assert error.line == 1 and f"missing: {missing}" in error.message
    assert_nothing_written(program)


def test_columns_meaning_the_same_thing_twice_are_a_file_error(program):
    report = import_files(
        program=program, actors_file=csv_bytes("name,Label,sector\nA,A,community\n")
    )
    assert "mean the same thing" in report.errors[0].message
    assert_nothing_written(program)


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "empty.csv", "empty"),
        (b"name,sector\n\n", "headers.csv", "no rows"),
        (b"PK\x03\x04 this is no workbook", "broken.xlsx", "damaged"),
        (b"name,sector\n", "renamed.xlsx", "not one"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
        (b"%PDF-1.4\n\x00\x01binary", "report.csv", "binary"),
    ],
)
def test_files_that_cannot_be_read_are_refused_clearly(program, data, name, words):
    report = import_files(program=program, actors_file=data, actors_name=name)
    [error] = report.errors
    assert words in error.message and error.source == name
    assert_nothing_written(program)


def test_a_50_mb_file_is_refused_before_it_is_read(program, tmp_path):
    big = tmp_path / "registro.csv"
    with big.open("wb") as out:
        out.write(b"name,sector\n")
        out.write((b"Junta de Vecinos de prueba,community\n") * (50 * 1024 * 1024 // 37 + 1))
    assert big.stat().st_size > 50 * 1024 * 1024
    report = import_files(program=program, actors_file=big, max_bytes=10 * 1024 * 1024)
    [error] = report.errors
    assert "larger than 10.0 MB" in error.message and "50.0 MB" in error.message
    assert_nothing_written(program)


def test_an_actor_already_in_the_program_is_not_duplicated(program):
    PersonFactory(program=program, name="Rosa Muñoz")
    report = import_files(
        program=program, actors_file=csv_bytes("name,kind,sector\nrosa muñoz,person,public\n")
    )
    assert "already in this program" in report.errors[0].message
    assert Actor.objects.filter(program=program).count() == 1


def test_ambiguous_names_are_errors_not_guesses(program):
    ActorFactory(program=program, name="Centro Cultural")
    PersonFactory(program=program, name="Centro Cultural")
    TerritoryFactory(name="Centro", slug="centro-santiago")
    TerritoryFactory(name="Centro", slug="centro-valparaiso")
    report = import_files(
        program=program,
        actors_file=csv_bytes("name,sector,territory\nJunta Centro,community,Centro\n"),
        ties_file=csv_bytes("from,to\nJunta Centro,Centro Cultural\n"),
    )
    messages = {e.column: e.message for e in report.errors}
    assert "centro-santiago" in messages["territory"]
    assert "2 actors called" in messages["to"]


def test_one_bad_row_among_many_good_ones_imports_nothing(program):
    rows = [f"Organización {n},community" for n in range(500)]
    rows[250] = "Organización 250,sideral"
    ties = "from,to\n" + "\n".join(f"Organización {n},Organización {n + 1}" for n in range(499))
    report = import_files(
        program=program,
        actors_file=csv_bytes("name,sector\n" + "\n".join(rows)),
        ties_file=csv_bytes(ties),
    )
    assert [e.line for e in report.errors] == [252]  # the ties to it are not blamed again
    assert_nothing_written(program)


def test_gender_is_never_imported(program):
    report = import_files(
        program=program,
        actors_file=csv_bytes("name,kind,sector,género\nAna Rojas,person,community,mujer\n"),
    )
    assert report.errors == []
    assert any("Gender is never imported" in n for n in report.notices)
    assert Actor.objects.filter(name="Ana Rojas").exists()
    assert not SensitiveData.objects.exists()


def test_a_tie_to_a_row_that_has_errors_is_not_blamed_twice(program):
    report = import_files(
        program=program,
        actors_file=csv_bytes("name,sector\nJunta,lunar\nClub,community\n"),
        ties_file=csv_bytes("from,to\nJunta,Club\n"),
    )
    assert [(e.source, e.line) for e in report.errors] == [("actors", 2)]


# --- the pieces ----------------------------------------------------------------------------


def _reference_normalize(*parts):
    """The plain definition, character by character: the oracle for the fast version."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def test_fast_normalization_matches_the_plain_definition():
    rng = random.Random(7)
    alphabet = "aeiouñçàéíóúüÑÇÀÉ ·'-_ßøŁ\u0301\u0327\t  İı" + "abc XYZ 123"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 25)))
        assert normalize_for_search(text) == _reference_normalize(text)
        assert normalize_for_search(text, "Ñandú", "") == _reference_normalize(text, "Ñandú", "")


@pytest.mark.parametrize("kind", [ACTORS, TIES])
def test_no_header_means_two_different_columns(kind):
    seen: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for key in column.keys:
            assert seen.setdefault(key, column.field) == column.field, key


def test_transition_themes_match_by_code_name_or_translated_label(program):
    ThemeFactory(name="Huertos urbanos", slug="huertos-urbanos")
    report = import_files(
        program=program,
        actors_file=csv_bytes(
            "name,sector,themes\n"
            "A,community,Ecological transition|huertos urbanos\n"
            "B,community,Transición democrática; DIGITAL\n"
        ),
    )
    assert report.errors == []
    themes = {
        a.name: set(a.themes.values_list("slug", flat=True))
        for a in Actor.objects.filter(program=program)
    }
    ecological = Theme.objects.get(transition="ecological").slug
    assert themes["A"] == {ecological, "huertos-urbanos"}
    assert len(themes["B"]) == 2


def test_header_keys_ignore_case_accents_and_separators():
    assert normalize_key("Año_de-Fundación") == normalize_key("ano de fundacion")


def test_ties_from_another_program_do_not_leak_in(program):
    other = ProgramFactory()
    ActorFactory(program=other, name="Fundación Ajena")
    ActorFactory(program=program, name="Junta Propia")
    report = import_files(
        program=program, ties_file=csv_bytes("from,to\nJunta Propia,Fundación Ajena\n")
    )
    assert "Unknown actor" in report.errors[0].message
