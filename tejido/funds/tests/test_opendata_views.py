# mypy: disable-error-code="attr-defined"
"""The open-data pages: who may download what and when (the permission matrix), what the files
hold, and the public-vote import page."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pabutools.election.pabulib import parse_pabulib_from_string

from tejido.accounts.tests.factories import UserFactory
from tejido.funds.models import Application, CallStatus, Eligibility, RankingSource
from tejido.funds.pabulib import read_pb

from .factories import (
    ApplicationFactory,
    AssignmentFactory,
    CallFactory,
    PartnerFactory,
    coordinator_of,
    representative_of,
    reviewer_of,
)
from .factories_opendata import DecidedCall, decided_call
from .test_giving360 import errors_of

pytestmark = pytest.mark.django_db


@dataclass
class People:
    world: DecidedCall
    users: dict[str, Any]

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client


def people_for(world: DecidedCall) -> People:
    applications = world.funded + world.not_funded
    application = applications[0]
    partner = application.partners.first() or PartnerFactory(application=application)
    reviewer = reviewer_of(world.call)
    AssignmentFactory(application=application, reviewer=reviewer)
    conflicted = reviewer_of(world.call)
    AssignmentFactory(application=applications[-1], reviewer=conflicted)
    conflicted.conflicts.create(application=applications[-1], source="declared")
    users = {
        "outsider": UserFactory(),
        "applicant": representative_of(application.applicant),
        "partner": representative_of(partner.organization),
        "reviewer": reviewer.user,
        "conflicted reviewer": conflicted.user,
        "coordinator": coordinator_of(world.program),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    return People(world, users)


WHO = [
    "anonymous",
    "outsider",
    "applicant",
    "partner",
    "reviewer",
    "conflicted reviewer",
    "coordinator",
    "superuser",
]
CALL_DOWNLOADS = ["opendata_call_360giving", "opendata_call_csv", "opendata_call_pb"]

# Before the results are published the data does not exist but for coordinators.
UNPUBLISHED = {
    "anonymous": 302,
    "outsider": 404,
    "applicant": 404,
    "partner": 404,
    "reviewer": 404,
    "conflicted reviewer": 404,
    "coordinator": 200,
    "superuser": 200,
}


def _status(people: People, who: str, url: str) -> int:
    return int(people.client(who).get(url).status_code)


@pytest.mark.parametrize("name", CALL_DOWNLOADS)
def test_call_downloads_matrix(name: str) -> None:
    published = people_for(decided_call())
    url = reverse(f"funds:{name}", args=[published.world.program.slug, published.world.call.pk])
    assert {who: _status(published, who, url) for who in WHO} == dict.fromkeys(WHO, 200)

    call = published.world.call
    call.status = CallStatus.DECIDED
    call.save()
    assert {who: _status(published, who, url) for who in WHO} == UNPUBLISHED

    call.status = CallStatus.DRAFT
    call.save()
    assert {who: _status(published, who, url) for who in WHO} == UNPUBLISHED


@pytest.mark.parametrize("name", CALL_DOWNLOADS)
def test_a_call_without_grants_has_no_360giving_file(name: str) -> None:
    world = decided_call(status=CallStatus.PUBLISHED, funded=0, not_funded=1)
    url = reverse(f"funds:{name}", args=[world.program.slug, world.call.pk])
    status = people_for(world).client("coordinator").get(url).status_code
    assert status == (200 if name == "opendata_call_pb" else 404)


def test_private_program_downloads_matrix() -> None:
    world = decided_call()
    world.program.is_public = False
    world.program.save()
    people = people_for(world)
    url = reverse("funds:opendata_call_360giving", args=[world.program.slug, world.call.pk])
    statuses = {who: _status(people, who, url) for who in WHO}
    # Members of the program (representatives, reviewers) read published results; the rest of
    # the world does not know the program exists.
    assert statuses == {
        "anonymous": 302,
        "outsider": 404,
        "applicant": 200,
        "partner": 200,
        "reviewer": 200,
        "conflicted reviewer": 200,
        "coordinator": 200,
        "superuser": 200,
    }


def test_program_downloads_matrix() -> None:
    world = decided_call()
    people = people_for(world)
    index = reverse("funds:opendata", args=[world.program.slug])
    package = reverse("funds:opendata_program_360giving", args=[world.program.slug])
    assert {who: _status(people, who, index) for who in WHO} == dict.fromkeys(WHO, 200)
    assert {who: _status(people, who, package) for who in WHO} == dict.fromkeys(WHO, 200)
    world.call.status = CallStatus.DECIDED
    world.call.save()
    assert {who: _status(people, who, package) for who in WHO} == {
        **dict.fromkeys(WHO, 404),
        "coordinator": 200,
        "superuser": 200,
    }


def test_import_page_matrix() -> None:
    world = decided_call(status=CallStatus.PUBLISHED)
    people = people_for(world)
    url = reverse("funds:opendata_import_votes", args=[world.program.slug, world.call.pk])
    assert {who: _status(people, who, url) for who in WHO} == {
        "anonymous": 302,
        "outsider": 403,
        "applicant": 403,
        "partner": 403,
        "reviewer": 403,
        "conflicted reviewer": 403,
        "coordinator": 200,
        "superuser": 200,
    }
    upload = SimpleUploadedFile("votos.pb", b"META\n")
    response = people.client("applicant").post(url, {"file": upload})
    assert response.status_code == 403


# --- what the files hold ----------------------------------------------------------------------


def test_json_download() -> None:
    world = decided_call()
    url = reverse("funds:opendata_call_360giving", args=[world.program.slug, world.call.pk])
    response = Client().get(url)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "barrios-en-red_fondo-barrial-2026_360giving.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert errors_of(data) == []
    assert len(data["grants"]) == 2
    assert data["publisher"] == {
        "name": "Barrios en Red",
        "identifier": "360G-tejido-program-barrios-en-red",
    }
    assert data["downloadURL"] == f"http://testserver{url}"
    assert data["grants"][0]["dataSource"] == f"http://testserver{url}"


def test_csv_download() -> None:
    world = decided_call()
    url = reverse("funds:opendata_call_csv", args=[world.program.slug, world.call.pk])
    response = Client().get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffIdentifier,Title,Description,Currency,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["Identifier"] for r in rows] == [a.identifier for a in world.awards]


def test_pb_download_reads_in_pabutools() -> None:
    world = decided_call(funded=2, not_funded=2)
    ineligible = ApplicationFactory(
        call=world.call, reference="FC-2026-0090", eligibility=Eligibility.INELIGIBLE
    )
    url = reverse("funds:opendata_call_pb", args=[world.program.slug, world.call.pk])
    response = Client().get(url)
    assert response["Content-Disposition"] == (
        'attachment; filename="barrios-en-red_fondo-barrial-2026.pb"'
    )
    text = response.content.decode("utf-8")
    ours = read_pb(text)
    assert ours.budget == world.call.budget
    assert ours.meta["currency"] == "CLP"
    assert ours.meta["country"] == "Chile"
    assert ours.meta["rule"] == "optimal"
    assert ineligible.reference not in {p.project_id for p in ours.projects}
    assert [(p.project_id, p.cost, p.selected) for p in ours.projects] == [
        ("FC-2026-0001", Decimal(1250000), 1),
        ("FC-2026-0002", Decimal(1500000), 1),
        ("FC-2026-0003", Decimal(1750000), 0),
        ("FC-2026-0004", Decimal(2000000), 0),
    ]
    assert [p.score for p in ours.projects] == [Decimal(90), Decimal("82.5"), 75, Decimal("67.5")]
    assert ours.projects[0].fields["awarded"] == "1250000"
    assert ours.projects[2].fields["awarded"] == ""
    assert ours.projects[0].fields["territory"] == "La Pintana"
    instance, profile = parse_pabulib_from_string(text)
    assert len(instance) == 4 and profile.num_ballots() == 0


def test_pb_of_a_public_vote_gives_the_votes() -> None:
    world = decided_call(status=CallStatus.PUBLISHED, funded=0, not_funded=2)
    world.call.ranking_source = RankingSource.PUBLIC_VOTE
    world.call.save()
    Application.objects.filter(reference="FC-2026-0001").update(public_votes=77)
    url = reverse("funds:opendata_call_pb", args=[world.program.slug, world.call.pk])
    ours = read_pb(people_for(world).client("coordinator").get(url).content.decode())
    assert "selected" not in ours.project_columns  # not decided yet
    assert ours.vote_type == "approval"
    assert [p.votes for p in ours.projects] == [77, None]


def test_program_package_holds_the_published_calls() -> None:
    world = decided_call()
    decided_call(program=world.program, status=CallStatus.DECIDED, slug="b", title="B", prefix="X")
    people = people_for(world)
    url = reverse("funds:opendata_program_360giving", args=[world.program.slug])
    public = json.loads(people.client("anonymous").get(url).content)
    assert errors_of(public) == []
    assert len(public["grants"]) == 2
    coordinator = json.loads(people.client("coordinator").get(url).content)
    assert len(coordinator["grants"]) == 4


def test_index_page(django_assert_max_num_queries: Any) -> None:
    world = decided_call()
    decided_call(program=world.program, status=CallStatus.DECIDED, slug="b", title="B", prefix="X")
    CallFactory(program=world.program, closed=True, title="Fondo Juvenil", slug="juvenil")
    people = people_for(world)
    url = reverse("funds:opendata", args=[world.program.slug])
    with django_assert_max_num_queries(12):
        public = people.client("anonymous").get(url)
    html = public.content.decode()
    assert "Fondo Barrial 2026" in html and "2 grants, $2,750,000 in all" in html
    assert "Decided, not public yet" not in html and "Import the votes" not in html
    coordinator = people.client("coordinator").get(url).content.decode()
    assert "Decided, not public yet" in coordinator
    assert "Fondo Juvenil" in coordinator and "Import the votes" in coordinator


def test_index_page_when_nothing_is_published() -> None:
    world = decided_call(status=CallStatus.DECIDED)
    html = Client().get(reverse("funds:opendata", args=[world.program.slug])).content.decode()
    assert "Nothing published yet" in html
    assert reverse("funds:opendata_program_360giving", args=[world.program.slug]) not in html


# --- the import page --------------------------------------------------------------------------


def _import_world() -> tuple[People, str]:
    world = decided_call(status=CallStatus.PUBLISHED, funded=0, not_funded=2)
    people = people_for(world)
    url = reverse("funds:opendata_import_votes", args=[world.program.slug, world.call.pk])
    return people, url


def _votes(rows: str, budget: str = "10000000") -> bytes:
    return (
        f"META\nkey;value\nbudget;{budget}\nvote_type;approval\nPROJECTS\nproject_id;cost;votes\n"
        f"{rows}\n"
    ).encode()


def test_import_then_see_the_votes() -> None:
    people, url = _import_world()
    client = people.client("coordinator")
    upload = SimpleUploadedFile(
        "votos.pb", _votes("FC-2026-0001;1250000;40\nFC-2026-0002;1500000;1200")
    )
    response = client.post(url, {"file": upload}, follow=True)
    html = response.content.decode()
    assert "The votes of 2 projects were imported" in html
    assert "Votes now used for the ranking" in html and "1,200" in html
    assert html.index("FC-2026-0002") < html.index("FC-2026-0001")  # most votes first
    people.world.call.refresh_from_db()
    assert people.world.call.ranking_source == RankingSource.PUBLIC_VOTE


def test_import_check_only_and_errors_on_the_page() -> None:
    people, url = _import_world()
    client = people.client("coordinator")
    good = SimpleUploadedFile("votos.pb", _votes("FC-2026-0001;1250000;40"))
    html = client.post(url, {"file": good, "check_only": "on"}).content.decode()
    assert "The file is correct" in html
    assert "its votes will be cleared" in html and "FC-2026-0002" in html
    assert not Application.objects.filter(public_votes__isnull=False).exists()

    bad = SimpleUploadedFile("votos.pb", _votes("FC-2026-0001;1250000;40\nFC-2026-0007;5;1"))
    html = client.post(url, {"file": bad}).content.decode()
    assert "Nothing was imported" in html
    assert "No submitted application of this call has the reference FC-2026-0007." in html
    assert not Application.objects.filter(public_votes__isnull=False).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("votos.csv", b"META\n", "is not a Pabulib file: upload a file ending in .pb."),
        ("votos.pb", "budget;ñ".encode("latin-1"), "The file is not UTF-8 text"),
        ("votos.pb", b"META\x00", "This is not a text file."),
    ],
)
def test_import_refuses_other_files(name: str, content: bytes, message: str) -> None:
    people, url = _import_world()
    response = people.client("coordinator").post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_import_page_of_an_open_call_explains_why_not() -> None:
    world = decided_call(status=CallStatus.PUBLISHED, funded=0, not_funded=1)
    world.call.closes_at = world.call.opens_at.replace(year=world.call.opens_at.year + 5)
    world.call.save()
    people = people_for(world)
    url = reverse("funds:opendata_import_votes", args=[world.program.slug, world.call.pk])
    html = people.client("coordinator").get(url).content.decode()
    assert "Votes can be imported once the call has closed" in html
    assert 'type="file"' not in html
