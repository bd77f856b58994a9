"""Awards as open data in the 360Giving Data Standard (threesixtygiving.org), version 1.4.

`grants_for_awards(awards)` gives one grant (a JSON-ready dict) per award, `package(grants)`
wraps them in a data package that validates against the standard's package schema, and
`csv_rows(grants)` writes them as a CSV file with the standard's flattened column titles
("Recipient Org:Identifier", …), the layout 360Giving's own tools read.

Identifiers: a grant's is its award's (`360G-tejido-<program>-<reference>`); organizations
without an official registry number get `360G-tejido-org-<actor id>` (stable for the life of
the platform's data), and a program that funds a call itself `360G-tejido-program-<slug>`.
A grant to a person (an actor of kind "person") names no one: it is published as to an
individual recipient, as the standard asks.

Addresses (the call's page, the data source) need the site's address: pass `base_url`; without
it those fields are left out rather than written as relative paths, which are not URIs.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from tejido.actors.models import Actor, ActorKind
from tejido.core.http import optional_url
from tejido.core.models import Program, Territory

from .models import Award, Call

PREFIX = "360G-tejido-"
SCHEMA_VERSION = "1.4"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
THEME_VOCABULARY = "Tejido themes"


def organization_id(actor: Actor) -> str:
    return f"{PREFIX}org-{actor.pk}"


def program_id(program: Program) -> str:
    return f"{PREFIX}program-{program.slug}"


def _number(value: Decimal) -> int | float:
    # JSON numbers: CLP amounts are whole; others keep their cents.
    return int(value) if value == value.to_integral_value() else float(value)


def _absolute(base_url: str, path: str) -> str | None:
    return base_url.rstrip("/") + path if base_url and path else None


def _months(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day >= start.day:
        months += 1  # a project from 1 March to 31 May lasts three months
    return max(months, 1)


def _location(territory: Territory) -> dict[str, Any]:
    location: dict[str, Any] = {"id": f"{PREFIX}territory-{territory.slug}", "name": territory.name}
    if territory.code:
        location["geoCode"] = territory.code
    if territory.latitude is not None and territory.longitude is not None:
        location["latitude"] = float(territory.latitude)
        location["longitude"] = float(territory.longitude)
    return location


def funder_of(call: Call) -> dict[str, str]:
    """The call's funder, or the program when it names none."""
    if call.funder is not None:
        return {"id": organization_id(call.funder), "name": call.funder.name}
    return {"id": program_id(call.program), "name": call.program.name}


def call_data_url(call: Call) -> str:
    return optional_url("funds:opendata_call_360giving", call.program.slug, call.pk)


def grant_for_award(award: Award, *, base_url: str = "") -> dict[str, Any]:
    application = award.application
    call = application.call
    program = call.program
    grant: dict[str, Any] = {
        "id": award.identifier,
        "title": application.title,
        "description": application.summary,
        "currency": call.currency,
        "amountAppliedFor": _number(application.requested_amount),
        "amountAwarded": _number(award.amount),
        "amountDisbursed": _number(
            sum((d.amount for d in award.disbursements.all() if d.paid_on), Decimal(0))
        ),
        "awardDate": award.awarded_on.isoformat(),
    }
    call_url = _absolute(base_url, optional_url("funds:call", program.slug, call.pk))
    if call_url:
        grant["url"] = call_url
    if award.starts_on:
        event: dict[str, Any] = {"startDate": award.starts_on.isoformat()}
        if award.ends_on:
            event["endDate"] = award.ends_on.isoformat()
            event["duration"] = _months(award.starts_on, award.ends_on)
        grant["plannedDates"] = [event]
    applicant = application.applicant
    if applicant.kind == ActorKind.PERSON:
        grant["recipientIndividual"] = {
            "id": f"{PREFIX}individual-{award.pk}",
            "name": "Individual Recipient",
        }
    else:
        grant["recipientOrganization"] = [
            {"id": organization_id(applicant), "name": applicant.name}
        ]
    territory = application.territory or applicant.territory
    if territory is not None:
        grant["beneficiaryLocation"] = [_location(territory)]
    grant["fundingOrganization"] = [funder_of(call)]
    programme: dict[str, Any] = {"code": f"{program.slug}/{call.slug}", "title": call.title}
    if call_url:
        programme["url"] = call_url
    grant["grantProgramme"] = [programme]
    grant["fromOpenCall"] = "Yes"
    if application.theme is not None:
        grant["classifications"] = [
            {
                "vocabulary": THEME_VOCABULARY,
                "code": application.theme.slug,
                "title": application.theme.name,
            }
        ]
    modified = max(award.updated_at, application.updated_at)
    grant["dateModified"] = timezone.localtime(modified).isoformat(timespec="seconds")
    source = _absolute(base_url, call_data_url(call))
    if source:
        grant["dataSource"] = source
    return grant


def grants_for_awards(awards: Iterable[Award], *, base_url: str = "") -> list[dict[str, Any]]:
    """One grant per award, in the order given. Loads what it needs in a fixed number of
    queries, whatever the number of awards (what the caller already loaded is reused)."""
    awards = list(awards)
    prefetch_related_objects(
        awards,
        "application__call__program",
        "application__call__funder",
        "application__applicant__territory",
        "application__territory",
        "application__theme",
        "disbursements",
    )
    return [grant_for_award(award, base_url=base_url) for award in awards]


def package(
    grants: Sequence[dict[str, Any]],
    *,
    title: str = "",
    description: str = "",
    identifier: str = "",
    publisher: dict[str, str] | None = None,
    license_url: str | None = None,
    download_url: str | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """A 360Giving data package of `grants`. The standard needs at least one grant: an empty
    list raises ValueError (there is nothing to publish yet)."""
    if not grants:
        raise ValueError("A 360Giving package needs at least one grant.")
    now = timezone.localtime(now or timezone.now())
    data: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "title": title or "Tejido grants",
        "issued": now.date().isoformat(),
        "modified": now.isoformat(timespec="seconds"),
        "publisher": publisher or {"name": "Tejido"},
        "license": license_url or getattr(settings, "TEJIDO_OPEN_DATA_LICENSE", DEFAULT_LICENSE),
    }
    if description:
        data["description"] = description
    if identifier:
        data["identifier"] = identifier
    if download_url:
        data["downloadURL"] = download_url
    data["grants"] = list(grants)
    return data


def _first(key: str, field: str) -> Callable[[dict[str, Any]], Any]:
    def get(grant: dict[str, Any]) -> Any:
        items = grant.get(key) or [{}]
        return items[0].get(field)

    return get


def _field(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda grant: grant.get(key)


# The standard's flattened column titles ("<list title>:<field title>" for the fields rolled
# up from a list), in the order 360Giving's templates use.
CSV_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("Identifier", _field("id")),
    ("Title", _field("title")),
    ("Description", _field("description")),
    ("Currency", _field("currency")),
    ("Amount Applied For", _field("amountAppliedFor")),
    ("Amount Awarded", _field("amountAwarded")),
    ("Amount Disbursed", _field("amountDisbursed")),
    ("Award Date", _field("awardDate")),
    ("URL", _field("url")),
    ("Planned Dates:Start Date", _first("plannedDates", "startDate")),
    ("Planned Dates:End Date", _first("plannedDates", "endDate")),
    ("Planned Dates:Duration (months)", _first("plannedDates", "duration")),
    ("Recipient Org:Identifier", _first("recipientOrganization", "id")),
    ("Recipient Org:Name", _first("recipientOrganization", "name")),
    ("Recipient Ind:Identifier", lambda g: (g.get("recipientIndividual") or {}).get("id")),
    ("Recipient Ind:Name", lambda g: (g.get("recipientIndividual") or {}).get("name")),
    ("Beneficiary Location:Name", _first("beneficiaryLocation", "name")),
    ("Beneficiary Location:Geographic Code", _first("beneficiaryLocation", "geoCode")),
    ("Beneficiary Location:Latitude", _first("beneficiaryLocation", "latitude")),
    ("Beneficiary Location:Longitude", _first("beneficiaryLocation", "longitude")),
    ("Funding Org:Identifier", _first("fundingOrganization", "id")),
    ("Funding Org:Name", _first("fundingOrganization", "name")),
    ("Grant Programme:Code", _first("grantProgramme", "code")),
    ("Grant Programme:Title", _first("grantProgramme", "title")),
    ("Grant Programme:URL", _first("grantProgramme", "url")),
    ("From An Open Call?", _field("fromOpenCall")),
    ("Last Modified", _field("dateModified")),
    ("Data Source", _field("dataSource")),
]


def csv_rows(grants: Iterable[dict[str, Any]]) -> str:
    """The grants as CSV text (a header row of column titles, then one row per grant)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for title, _get in CSV_COLUMNS])
    for grant in grants:
        row = []
        for _title, get in CSV_COLUMNS:
            value = get(grant)
            row.append("" if value is None else value)
        writer.writerow(row)
    return buffer.getvalue()
