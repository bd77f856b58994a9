"""The eligibility rules a call declares, checked on plain facts about one application.

Pure: no database and no Django besides `gettext`. The services gather the facts
(`ApplicantFacts`) and the call's rules (`CallRules`) and store what `check` returns on the
application, as codes and parameters only:

    [{"rule": "sector", "passed": False, "params": {"sector": "private", "accepted": [...]}}]

so that `describe` can say each result in the language of whoever reads it, later. A rule the
call does not declare (no list of sectors, no territories, no document required...) is not
checked and gives no result.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

RULES = (
    "sector",
    "kind",
    "territory",
    "legal_document",
    "overdue_reports",
    "one_per_organization",
)


@dataclass(frozen=True)
class Place:
    """A territory: its name and its materialized path of ids ("/1/4/9/")."""

    name: str
    path: str


@dataclass(frozen=True)
class CallRules:
    """What the call asks of its applicants. Empty lists mean "any"."""

    closes_on: datetime.date
    sectors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    territories: tuple[Place, ...] = ()
    legal_document: bool = False
    legal_document_max_age_days: int = 90
    no_overdue_reports: bool = False
    one_per_organization: bool = False


@dataclass(frozen=True)
class ApplicantFacts:
    """What is known about the applicant and its application when the rules run."""

    sector: str
    kind: str
    # The application's own territory first, then the applicant's base and the places it
    # serves: any of them inside a territory of the call is enough.
    places: tuple[Place, ...] = ()
    # Issue date of the most recent legal-status certificate attached, if any.
    legal_document_issued_on: datetime.date | None = None
    # Earlier grants of the applicant with a report or milestone overdue ("FC-2025-0003").
    overdue_awards: tuple[str, ...] = ()
    # The applicant's other submitted applications to the same call.
    other_applications: tuple[str, ...] = field(default_factory=tuple)


Result = dict[str, Any]


def _result(rule: str, passed: bool, **params: Any) -> Result:
    return {"rule": rule, "passed": passed, "params": params}


def rule_sector(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.sectors:
        return None
    return _result(
        "sector",
        facts.sector in rules.sectors,
        sector=facts.sector,
        accepted=list(rules.sectors),
    )


def rule_kind(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.kinds:
        return None
    return _result("kind", facts.kind in rules.kinds, kind=facts.kind, accepted=list(rules.kinds))


def _inside(place: Place, area: Place) -> bool:
    return bool(area.path) and place.path.startswith(area.path)


def rule_territory(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.territories:
        return None
    accepted = [t.name for t in rules.territories]
    served = list(dict.fromkeys(p.name for p in facts.places))
    for place in facts.places:
        for area in rules.territories:
            if _inside(place, area):
                return _result(
                    "territory",
                    True,
                    place=place.name,
                    within=area.name,
                    served=served,
                    accepted=accepted,
                )
    return _result("territory", False, place=None, within=None, served=served, accepted=accepted)


def rule_legal_document(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.legal_document:
        return None
    issued = facts.legal_document_issued_on
    age = (rules.closes_on - issued).days if issued is not None else None
    return _result(
        "legal_document",
        age is not None and age <= rules.legal_document_max_age_days,
        issued_on=issued.isoformat() if issued is not None else None,
        age_days=age,
        max_age_days=rules.legal_document_max_age_days,
    )


def rule_overdue_reports(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.no_overdue_reports:
        return None
    return _result("overdue_reports", not facts.overdue_awards, awards=sorted(facts.overdue_awards))


def rule_one_per_organization(facts: ApplicantFacts, rules: CallRules) -> Result | None:
    if not rules.one_per_organization:
        return None
    return _result(
        "one_per_organization",
        not facts.other_applications,
        others=sorted(facts.other_applications),
    )


CHECKS: tuple[Callable[[ApplicantFacts, CallRules], Result | None], ...] = (
    rule_sector,
    rule_kind,
    rule_territory,
    rule_legal_document,
    rule_overdue_reports,
    rule_one_per_organization,
)


def check(facts: ApplicantFacts, rules: CallRules) -> list[Result]:
    """The result of every rule the call declares, in a fixed order."""
    return [result for rule in CHECKS if (result := rule(facts, rules)) is not None]


def passed(results: Sequence[Result]) -> bool:
    """Eligible: every rule checked passed (no rule declared passes too)."""
    return all(result.get("passed") for result in results)


# -- in words ----------------------------------------------------------------------------------


def sector_label(code: str) -> str:
    labels = {
        "community": _("Community"),
        "public": _("Public"),
        "private": _("Private"),
        "third_sector": _("Third sector"),
        "academia": _("Academia"),
        "international": _("International cooperation"),
    }
    return labels.get(code, code)


def kind_label(code: str) -> str:
    labels = {
        "organization": _("Organization"),
        "informal_group": _("Informal group"),
        "person": _("Person"),
    }
    return labels.get(code, code)


def _listing(items: Sequence[str]) -> str:
    return ", ".join(items)


def _date(value: str | None) -> str:
    """An ISO date in words ("March 3, 2026"), with Django's own translated month names."""
    if not value:
        return "—"
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    months = (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )
    # Translators: a date in a sentence; reorder for your language ("3 de marzo de 2026").
    return _("%(month)s %(day)s, %(year)s") % {
        "month": months[day.month - 1],
        "day": day.day,
        "year": day.year,
    }


def _describe_sector(passed_: bool, params: dict[str, Any]) -> str:
    values = {
        "sector": sector_label(params.get("sector", "")),
        "accepted": _listing([sector_label(c) for c in params.get("accepted", [])]),
    }
    if passed_:
        return _("The applicant's sector, %(sector)s, is among those this call accepts.") % values
    return (
        _("The applicant's sector, %(sector)s, is not among those this call accepts: %(accepted)s.")
        % values
    )


def _describe_kind(passed_: bool, params: dict[str, Any]) -> str:
    values = {
        "kind": kind_label(params.get("kind", "")),
        "accepted": _listing([kind_label(c) for c in params.get("accepted", [])]),
    }
    if passed_:
        return _("The kind of applicant, %(kind)s, is among those this call accepts.") % values
    return (
        _("The kind of applicant, %(kind)s, is not among those this call accepts: %(accepted)s.")
        % values
    )


def _describe_territory(passed_: bool, params: dict[str, Any]) -> str:
    accepted = _listing(params.get("accepted", []))
    if passed_:
        if params.get("place") == params.get("within"):
            return _("The project serves %(place)s, one of the territories of this call.") % {
                "place": params.get("place")
            }
        return _(
            "The project serves %(place)s, inside %(within)s, one of the territories of this call."
        ) % {"place": params.get("place"), "within": params.get("within")}
    served = params.get("served") or []
    if not served:
        return _(
            "Neither the project nor the applicant names a territory it serves; this call "
            "is for places in %(accepted)s."
        ) % {"accepted": accepted}
    return _(
        "The project and the applicant serve %(served)s, outside the territories of this call: "
        "%(accepted)s."
    ) % {"served": _listing(served), "accepted": accepted}


def _describe_legal_document(passed_: bool, params: dict[str, Any]) -> str:
    values = {
        "date": _date(params.get("issued_on")),
        "age": params.get("age_days"),
        "max": params.get("max_age_days"),
    }
    if params.get("issued_on") is None:
        return (
            _(
                "No legal-status certificate is attached; this call asks for one issued at most "
                "%(max)s days before it closes."
            )
            % values
        )
    if passed_:
        return (
            _(
                "The legal-status certificate was issued on %(date)s, %(age)s days before the "
                "call closes (at most %(max)s)."
            )
            % values
        )
    return (
        _(
            "The legal-status certificate was issued on %(date)s, %(age)s days before the call "
            "closes; this call accepts certificates issued at most %(max)s days before."
        )
        % values
    )


def _describe_overdue(passed_: bool, params: dict[str, Any]) -> str:
    if passed_:
        return _("The applicant has no overdue reports from earlier grants.")
    return _("The applicant has overdue reports from earlier grants: %(awards)s.") % {
        "awards": _listing(params.get("awards", []))
    }


def _describe_one_per_organization(passed_: bool, params: dict[str, Any]) -> str:
    if passed_:
        return _("This is the organization's only application to this call.")
    return _(
        "The organization has another application to this call (%(others)s); this call accepts "
        "one per organization."
    ) % {"others": _listing(params.get("others", []))}


DESCRIBERS: dict[str, Callable[[bool, dict[str, Any]], str]] = {
    "sector": _describe_sector,
    "kind": _describe_kind,
    "territory": _describe_territory,
    "legal_document": _describe_legal_document,
    "overdue_reports": _describe_overdue,
    "one_per_organization": _describe_one_per_organization,
}


def rule_label(rule: str) -> str:
    """A short name for the rule, for a table's first column."""
    labels = {
        "sector": _("Sector"),
        "kind": _("Kind of applicant"),
        "territory": _("Territory served"),
        "legal_document": _("Legal status"),
        "overdue_reports": _("Earlier grants"),
        "one_per_organization": _("One application per organization"),
    }
    return labels.get(rule, rule)


def describe(result: dict[str, Any]) -> str:
    """A stored result as a sentence in the current language."""
    describer = DESCRIBERS.get(str(result.get("rule", "")))
    if describer is None:
        return str(result.get("rule", ""))
    return describer(bool(result.get("passed")), dict(result.get("params") or {}))
