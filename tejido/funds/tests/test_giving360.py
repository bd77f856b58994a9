# mypy: disable-error-code="attr-defined,union-attr"
"""Awards as 360Giving grants: the package validates against the standard's schemas (with
formats checked), the CSV uses the standard's column titles, and nothing private leaks."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tejido.actors.models import ActorKind
from tejido.funds import giving360
from tejido.funds.models import AwardStatus, CallStatus
from tejido.funds.opendata.selectors import open_data_awards

from .factories_opendata import decided_call, organization

SCHEMAS = Path(__file__).resolve().parent / "data" / "360giving"
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)


def _format_checker() -> FormatChecker:
    """Formats checked for real: jsonschema skips `date-time` and `uri` unless optional
    packages are installed, and the standard's `oneOf` between a date-time and a plain date
    only works when date-time is checked."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("z", "Z"))
        return True

    @checker.checks("uri")
    def uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.scheme in ("mailto", "urn")))

    return checker


def validator() -> Draft202012Validator:
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant)
    # The package refers to the grant schema by its web address (one version behind its $id):
    # serve both from the local file, no network needed.
    registry = Registry().with_resources(
        [(package["properties"]["grants"]["items"]["$ref"], resource), (grant["$id"], resource)]
    )
    return Draft202012Validator(package, registry=registry, format_checker=_format_checker())


def errors_of(data: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator().iter_errors(data)]


def test_the_validator_really_checks_dates() -> None:
    grant = {
        "id": "360G-x-1",
        "title": "t",
        "description": "d",
        "currency": "CLP",
        "amountAwarded": 1,
        "awardDate": "2026-03-01",
        "recipientOrganization": [{"id": "360G-x-o", "name": "o"}],
        "fundingOrganization": [{"id": "360G-x-f", "name": "f"}],
    }
    assert errors_of({"grants": [grant]}) == []
    assert errors_of({"grants": [{**grant, "awardDate": "2026-03-01T10:00:00-03:00"}]}) == []
    assert errors_of({"grants": [{**grant, "awardDate": "01/03/2026"}]})
    assert errors_of({"grants": [{**grant, "dateModified": "2026-03-01"}]})
    assert errors_of({"grants": [{**grant, "currency": "PESOS"}]})
    assert errors_of({"grants": []})
    both = {**grant, "recipientIndividual": {"id": "i", "name": "n"}}
    assert errors_of({"grants": [both]})


@pytest.mark.django_db
def test_package_of_awards_validates() -> None:
    world = decided_call()
    grants = giving360.grants_for_awards(
        open_data_awards([world.call]), base_url="https://tejido.example.org"
    )
    data = giving360.package(
        grants,
        title="Grants of Fondo Barrial 2026",
        publisher={"name": world.program.name, "identifier": "360G-tejido-program-x"},
        download_url="https://tejido.example.org/p/barrios-en-red/funds/open-data/360giving.json",
    )
    assert errors_of(data) == []
    assert data["version"] == "1.4"
    assert [g["id"] for g in data["grants"]] == [
        "360G-tejido-barrios-en-red-FC-2026-0001",
        "360G-tejido-barrios-en-red-FC-2026-0002",
    ]
    grant = data["grants"][0]
    award = world.awards[0]
    application = award.application
    assert grant["title"] == application.title
    assert grant["currency"] == "CLP"
    assert grant["amountAwarded"] == 1_250_000 and isinstance(grant["amountAwarded"], int)
    assert grant["amountAppliedFor"] == 1_250_000
    assert grant["amountDisbursed"] == 875_000  # the first payment, 70 %, paid
    assert grant["awardDate"] == award.awarded_on.isoformat()
    assert grant["plannedDates"] == [
        {
            "startDate": award.starts_on.isoformat(),
            "endDate": award.ends_on.isoformat(),
            "duration": 6,
        }
    ]
    assert grant["recipientOrganization"] == [
        {"id": f"360G-tejido-org-{application.applicant_id}", "name": application.applicant.name}
    ]
    # No funder named: the program funds the call.
    assert grant["fundingOrganization"] == [
        {"id": "360G-tejido-program-barrios-en-red", "name": "Barrios en Red"}
    ]
    assert grant["beneficiaryLocation"] == [
        {
            "id": f"360G-tejido-territory-{world.territory.slug}",
            "name": "La Pintana",
            "geoCode": "13112",
            "latitude": -33.583,
            "longitude": -70.634,
        }
    ]
    call_url = f"https://tejido.example.org/p/barrios-en-red/funds/calls/{world.call.pk}/"
    if "url" in grant:  # the calls area provides the call page
        assert grant["url"] == call_url
    assert grant["grantProgramme"][0]["code"] == "barrios-en-red/fondo-barrial-2026"
    assert grant["dataSource"] == (
        f"https://tejido.example.org/p/barrios-en-red/funds/calls/{world.call.pk}"
        "/open-data/360giving.json"
    )
    assert grant["classifications"][0]["code"] == "espacios-publicos"
    assert grant["fromOpenCall"] == "Yes"


@pytest.mark.django_db
def test_funder_partial_cents_and_no_dates() -> None:
    world = decided_call(funded=1, not_funded=0, currency="EUR")
    funder = organization(world.program, name="Fundación Esperanza")
    world.call.funder = funder
    world.call.save()
    award = world.awards[0]
    award.amount = Decimal("1000.50")
    award.starts_on = None
    award.ends_on = None
    award.save()
    grants = giving360.grants_for_awards(open_data_awards([world.call]))
    assert errors_of(giving360.package(grants)) == []
    grant = grants[0]
    assert grant["fundingOrganization"] == [
        {"id": f"360G-tejido-org-{funder.pk}", "name": "Fundación Esperanza"}
    ]
    assert grant["amountAwarded"] == 1000.5 and grant["currency"] == "EUR"
    assert "plannedDates" not in grant
    # Without the site's address there are no links (a path is not a URI).
    assert "url" not in grant and "dataSource" not in grant


@pytest.mark.django_db
def test_a_person_is_never_named() -> None:
    world = decided_call(funded=1, not_funded=0)
    applicant = world.awards[0].application.applicant
    applicant.kind = ActorKind.PERSON
    applicant.name = "María González"
    applicant.save()
    grants = giving360.grants_for_awards(open_data_awards([world.call]))
    assert errors_of(giving360.package(grants)) == []
    assert "recipientOrganization" not in grants[0]
    assert grants[0]["recipientIndividual"]["name"] == "Individual Recipient"
    assert "María" not in json.dumps(grants) + giving360.csv_rows(grants)


@pytest.mark.django_db
def test_cancelled_awards_are_not_published() -> None:
    world = decided_call(funded=2, not_funded=0)
    world.awards[1].status = AwardStatus.CANCELLED
    world.awards[1].save()
    ids = [g["id"] for g in giving360.grants_for_awards(open_data_awards([world.call]))]
    assert ids == [world.awards[0].identifier]


def test_an_empty_package_is_refused() -> None:
    with pytest.raises(ValueError):
        giving360.package([])


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_awards(django_assert_max_num_queries: Any) -> None:
    small = decided_call(funded=1, not_funded=0)
    with django_assert_max_num_queries(3) as few:
        giving360.grants_for_awards(open_data_awards([small.call]))
    big = decided_call(
        program=small.program, funded=8, not_funded=0, slug="otro", title="Otro", prefix="FC-X"
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        grants = giving360.grants_for_awards(open_data_awards([small.call, big.call]))
    assert len(grants) == 9
    # Awards passed without their relations loaded: still a fixed number of queries.
    from tejido.funds.models import Award

    with django_assert_max_num_queries(10):
        assert len(giving360.grants_for_awards(Award.objects.all())) == 9


# --- CSV ------------------------------------------------------------------------------------


def _schema_title(path: str) -> str:
    """The flattened title the standard gives to a field path such as recipientOrganization.id."""
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        target = node.get("items", node)
        if "$ref" in target:
            return {**grant["$defs"][target["$ref"].rsplit("/", 1)[-1]], **node}
        return node

    parts = path.split(".")
    node = resolve(grant["properties"][parts[0]])
    titles = [node["title"]]
    for part in parts[1:]:
        target = node.get("items", node)
        if "$ref" in target:
            target = grant["$defs"][target["$ref"].rsplit("/", 1)[-1]]
        node = resolve(target["properties"][part])
        titles.append(node["title"])
    return ":".join(titles)


CSV_PATHS = {
    "Identifier": "id",
    "Title": "title",
    "Description": "description",
    "Currency": "currency",
    "Amount Applied For": "amountAppliedFor",
    "Amount Awarded": "amountAwarded",
    "Amount Disbursed": "amountDisbursed",
    "Award Date": "awardDate",
    "URL": "url",
    "Planned Dates:Start Date": "plannedDates.startDate",
    "Planned Dates:End Date": "plannedDates.endDate",
    "Planned Dates:Duration (months)": "plannedDates.duration",
    "Recipient Org:Identifier": "recipientOrganization.id",
    "Recipient Org:Name": "recipientOrganization.name",
    "Recipient Ind:Identifier": "recipientIndividual.id",
    "Recipient Ind:Name": "recipientIndividual.name",
    "Beneficiary Location:Name": "beneficiaryLocation.name",
    "Beneficiary Location:Geographic Code": "beneficiaryLocation.geoCode",
    "Beneficiary Location:Latitude": "beneficiaryLocation.latitude",
    "Beneficiary Location:Longitude": "beneficiaryLocation.longitude",
    "Funding Org:Identifier": "fundingOrganization.id",
    "Funding Org:Name": "fundingOrganization.name",
    "Grant Programme:Code": "grantProgramme.code",
    "Grant Programme:Title": "grantProgramme.title",
    "Grant Programme:URL": "grantProgramme.url",
    "From An Open Call?": "fromOpenCall",
    "Last Modified": "dateModified",
    "Data Source": "dataSource",
}


def test_csv_titles_are_the_standards() -> None:
    titles = [title for title, _get in giving360.CSV_COLUMNS]
    assert titles == list(CSV_PATHS)
    for title, path in CSV_PATHS.items():
        assert _schema_title(path) == title


@pytest.mark.django_db
def test_csv_rows() -> None:
    world = decided_call(funded=2, not_funded=0)
    grants = giving360.grants_for_awards(
        open_data_awards([world.call]), base_url="https://tejido.example.org"
    )
    rows = list(csv.DictReader(io.StringIO(giving360.csv_rows(grants))))
    assert len(rows) == 2
    first = rows[0]
    assert first["Identifier"] == world.awards[0].identifier
    assert first["Amount Awarded"] == "1250000"
    assert first["Recipient Org:Name"] == world.awards[0].application.applicant.name
    assert first["Beneficiary Location:Geographic Code"] == "13112"
    assert first["Recipient Ind:Name"] == ""
    assert first["Planned Dates:Duration (months)"] == "6"
    assert first["Funding Org:Name"] == "Barrios en Red"


@pytest.mark.django_db
def test_only_results_published_or_decided_calls_are_ours_to_choose() -> None:
    # The selector leaves the choice of calls to its caller; the pages and the command choose.
    world = decided_call(status=CallStatus.DECIDED, funded=1, not_funded=0)
    assert len(open_data_awards([world.call])) == 1
