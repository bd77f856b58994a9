"""The import and export pages: upload → preview → confirm, who may use them, and that a
refused or cancelled import leaves nothing behind (rows or stored files)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Tie
from tejido.network.transfer.pending import ROOT, SESSION_KEY

pytestmark = pytest.mark.django_db

ACTORS_CSV = (
    "nombre,tipo,sector\n"
    "Junta de Vecinos Los Copihues,organización,comunitario\n"
    "Consultorio Santa Anita,organización,público\n"
).encode()
TIES_CSV = b"From,To,Type\nJunta de Vecinos Los Copihues,Consultorio Santa Anita,support\n"


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """A new in-memory storage for each test, so that leftovers are this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def member(program, role=Role.COORDINATOR):
    return ProgramRoleFactory(program=program, role=role).user


@pytest.fixture
def coordinator(client, program):
    user = member(program)
    client.force_login(user)
    return user


def upload(client, program, actors=None, ties=None, **extra):
    data = dict(extra)
    if actors is not None:
        data["actors_file"] = SimpleUploadedFile("registro.csv", actors, "text/csv")
    if ties is not None:
        data["ties_file"] = SimpleUploadedFile("vinculos.csv", ties, "text/csv")
    return client.post(reverse("network:import", args=[program.slug]), data)


def stored_files():
    try:
        tokens, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return []
    return [name for token in tokens for name in default_storage.listdir(f"{ROOT}/{token}")[1]]


def test_the_import_page_explains_the_format(client, program, coordinator):
    response = client.get(reverse("network:import", args=[program.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert reverse("network:import_template", args=[program.slug, "actors"]) in content


def test_upload_with_errors_shows_every_bad_row_and_writes_nothing(client, program, coordinator):
    bad = ACTORS_CSV + "Taller Textil,organización,galáctico\n".encode()
    response = upload(client, program, actors=bad, ties=b"From,To\nTaller Textil,Nadie\n")

    assert response.status_code == 422
    errors = response.context["errors"]
    assert [(e.source, e.line, e.column) for e in errors] == [
        ("registro.csv", 4, "sector"),
        ("vinculos.csv", 2, "To"),
    ]
    content = response.content.decode()
    assert "galáctico" in content and "Nadie" in content
    assert 'name="token"' not in content  # nothing to confirm
    assert not Actor.objects.exists() and not Tie.objects.exists()
    assert stored_files() == []


def test_valid_upload_previews_then_confirm_imports(client, program, coordinator):
    response = upload(client, program, actors=ACTORS_CSV, ties=TIES_CSV)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.actors_created, report.ties_created) == (2, 1)
    assert [row["name"] for row in report.preview_actors] == [
        "Junta de Vecinos Los Copihues",
        "Consultorio Santa Anita",
    ]
    assert not Actor.objects.exists()  # a preview writes nothing
    token = response.context["token"]
    assert len(stored_files()) == 2

    response = client.post(reverse("network:import_confirm", args=[program.slug]), {"token": token})
    assert response.status_code == 302
    assert Actor.objects.filter(program=program).count() == 2
    assert Tie.objects.filter(program=program).count() == 1
    assert AuditEntry.objects.get(action="network.import").user == coordinator
    assert stored_files() == []
    assert SESSION_KEY not in client.session or not client.session[SESSION_KEY]

    again = client.post(reverse("network:import_confirm", args=[program.slug]), {"token": token})
    assert again.status_code == 302  # used once: expired
    assert Actor.objects.filter(program=program).count() == 2


def test_a_preview_cannot_be_confirmed_by_someone_else(client, program, coordinator):
    token = upload(client, program, actors=ACTORS_CSV).context["token"]
    other = member(program)
    client.force_login(other)
    client.post(reverse("network:import_confirm", args=[program.slug]), {"token": token})
    assert not Actor.objects.exists()


def test_a_preview_cannot_be_confirmed_in_another_program(client, program, coordinator):
    token = upload(client, program, actors=ACTORS_CSV).context["token"]
    other_program = ProgramFactory()
    ProgramRoleFactory(user=coordinator, program=other_program, role=Role.COORDINATOR)
    client.post(reverse("network:import_confirm", args=[other_program.slug]), {"token": token})
    assert not Actor.objects.exists()


def test_confirm_rechecks_against_what_changed_since_the_preview(client, program, coordinator):
    token = upload(client, program, actors=ACTORS_CSV).context["token"]
    ActorFactory(program=program, name="Consultorio Santa Anita")  # someone added it meanwhile
    response = client.post(reverse("network:import_confirm", args=[program.slug]), {"token": token})
    assert response.status_code == 422
    assert Actor.objects.filter(program=program).count() == 1
    assert stored_files() == []


def test_cancel_deletes_the_stored_files(client, program, coordinator):
    token = upload(client, program, actors=ACTORS_CSV).context["token"]
    response = client.post(reverse("network:import_cancel", args=[program.slug]), {"token": token})
    assert response.status_code == 302
    assert stored_files() == [] and not Actor.objects.exists()


def test_a_50_mb_upload_is_refused_without_storing_it(client, program, coordinator, settings):
    assert settings.TEJIDO_MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    big = b"name,sector\n" + b"Junta de Vecinos de prueba,community\n" * (50 * 1024 * 1024 // 37)
    response = upload(client, program, actors=big)

    assert response.status_code == 400
    [error] = response.context["form"].errors["actors_file"]
    assert "larger than 10.0 MB" in error and "50.0 MB" in error
    assert not Actor.objects.exists() and stored_files() == []


def test_an_upload_that_is_not_a_spreadsheet_is_refused(client, program, coordinator):
    response = client.post(
        reverse("network:import", args=[program.slug]),
        {"actors_file": SimpleUploadedFile("foto.png", b"\x89PNG...", "image/png")},
    )
    assert response.status_code == 400
    assert "CSV" in response.context["form"].errors["actors_file"][0]


def test_no_file_is_a_form_error(client, program, coordinator):
    response = upload(client, program)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_xlsx_upload_with_two_sheets(client, program, coordinator):
    book = openpyxl.Workbook()
    book.active.title = "actores"
    book.active.append(["nombre", "sector"])
    book.active.append(["Radio Popular", "comunitario"])
    book.active.append(["Biblioteca Municipal", "público"])
    ties = book.create_sheet("vínculos")
    ties.append(["origen", "destino", "tipo"])
    ties.append(["Radio Popular", "Biblioteca Municipal", "información"])
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        reverse("network:import", args=[program.slug]),
        {"actors_file": SimpleUploadedFile("red.xlsx", out.getvalue())},
    )
    assert response.status_code == 200, response.context["errors"]
    client.post(
        reverse("network:import_confirm", args=[program.slug]),
        {"token": response.context["token"]},
    )
    assert Tie.objects.filter(program=program).count() == 1


@pytest.mark.parametrize(
    "role", [Role.DIRECTORATE_MEMBER, Role.ORGANIZATION_REPRESENTATIVE, Role.EVALUATOR]
)
@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("network:import", "get", []),
        ("network:import", "post", []),
        ("network:import_confirm", "post", []),
        ("network:import_cancel", "post", []),
        ("network:import_template", "get", ["actors"]),
        ("network:export", "get", []),
    ],
)
def test_only_coordinators_may_import_and_export(client, program, role, name, method, args):
    client.force_login(member(program, role))
    url = reverse(name, args=[program.slug, *args])
    response = getattr(client, method)(url, {"actors_file": ""} if method == "post" else {})
    assert response.status_code == 403
    assert not Actor.objects.exists()


def test_visitors_are_sent_to_log_in(client, program):
    response = client.get(reverse("network:import", args=[program.slug]))
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.get(reverse("network:export", args=[program.slug]), {"what": "actors"})
    assert response.status_code == 302


def test_an_administrator_of_the_site_may_import(client, program):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("network:import", args=[program.slug])).status_code == 200


def test_templates_download_and_import_cleanly(client, program, coordinator):
    actors = client.get(reverse("network:import_template", args=[program.slug, "actors"]))
    ties = client.get(reverse("network:import_template", args=[program.slug, "ties"]))
    assert actors["Content-Type"].startswith("text/csv")
    response = upload(
        client,
        program,
        actors=b"".join(actors.streaming_content),
        ties=b"".join(ties.streaming_content),
    )
    assert response.status_code == 200, [str(e) for e in response.context["errors"]]
    assert (
        client.get(reverse("network:import_template", args=[program.slug, "nada"])).status_code
        == 404
    )


# --- export ------------------------------------------------------------------------------


def test_export_page_and_csv_download(client, program, coordinator):
    ActorFactory(program=program, name="Club de Adulto Mayor Renacer")
    page = client.get(reverse("network:export", args=[program.slug]))
    assert page.status_code == 200

    response = client.get(
        reverse("network:export", args=[program.slug]), {"what": "actors", "file_format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{program.slug}-actors-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "Club de Adulto Mayor Renacer" in body
    entry = AuditEntry.objects.get(action="network.export")
    assert entry.user == coordinator and entry.data["what"] == "actors"


def test_export_workbook_with_both_sheets(client, program, coordinator):
    ActorFactory(program=program)
    response = client.get(
        reverse("network:export", args=[program.slug]),
        {"what": "all", "file_format": "xlsx", "history": "on"},
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["actors", "ties"]
    assert [c.value for c in book["ties"][1]][-1] == "current"


def test_export_both_tables_as_csv_is_a_form_error(client, program, coordinator):
    response = client.get(
        reverse("network:export", args=[program.slug]), {"what": "all", "file_format": "csv"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file_format"]
    assert not AuditEntry.objects.filter(action="network.export").exists()
