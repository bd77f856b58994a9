"""The eligibility rules, one by one, on plain facts (no database), and their sentences."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tejido.funds import eligibility
from tejido.funds.eligibility import ApplicantFacts, CallRules, Place

CLOSES = datetime.date(2026, 4, 30)
COMUNA = Place("La Pintana", "/1/4/")
NEIGHBOURHOOD = Place("El Castillo", "/1/4/9/")
OTHER_COMUNA = Place("Puente Alto", "/1/5/")
REGION = Place("Región Metropolitana", "/1/")


def only(rule: str, facts: ApplicantFacts, rules: CallRules) -> dict:
    results = [r for r in eligibility.check(facts, rules) if r["rule"] == rule]
    assert len(results) == 1
    return results[0]


def test_a_call_that_declares_no_rule_checks_nothing_and_everyone_passes() -> None:
    results = eligibility.check(ApplicantFacts(sector="private", kind="person"), CallRules(CLOSES))
    assert results == []
    assert eligibility.passed(results)


def test_sector_is_checked_against_the_call_list() -> None:
    rules = CallRules(CLOSES, sectors=("community", "third_sector"))
    ok = only("sector", ApplicantFacts(sector="community", kind="organization"), rules)
    wrong = only("sector", ApplicantFacts(sector="private", kind="organization"), rules)
    assert ok["passed"] and not wrong["passed"]
    assert wrong["params"] == {"sector": "private", "accepted": ["community", "third_sector"]}
    assert eligibility.describe(wrong) == (
        "The applicant's sector, Private, is not among those this call accepts: "
        "Community, Third sector."
    )
    assert "Community, is among" in eligibility.describe(ok)


def test_kind_is_checked_against_the_call_list() -> None:
    rules = CallRules(CLOSES, kinds=("organization",))
    assert only("kind", ApplicantFacts(sector="community", kind="organization"), rules)["passed"]
    group = only("kind", ApplicantFacts(sector="community", kind="informal_group"), rules)
    assert not group["passed"]
    assert eligibility.describe(group) == (
        "The kind of applicant, Informal group, is not among those this call accepts: Organization."
    )


@pytest.mark.parametrize(
    ("places", "passed", "place", "within"),
    [
        ((NEIGHBOURHOOD,), True, "El Castillo", "La Pintana"),  # a place inside the comuna
        ((COMUNA,), True, "La Pintana", "La Pintana"),  # the comuna itself
        ((REGION,), False, None, None),  # the whole region is not inside the comuna
        ((OTHER_COMUNA,), False, None, None),
        ((OTHER_COMUNA, NEIGHBOURHOOD), True, "El Castillo", "La Pintana"),  # any place counts
        ((), False, None, None),
    ],
)
def test_territory_served_must_be_inside_one_of_the_call_territories(
    places, passed, place, within
) -> None:
    rules = CallRules(CLOSES, territories=(COMUNA, Place("San Ramón", "/1/6/")))
    result = only("territory", ApplicantFacts("community", "organization", places=places), rules)
    assert result["passed"] is passed
    assert result["params"]["place"] == place
    assert result["params"]["within"] == within


def test_a_path_prefix_of_digits_is_not_a_false_match() -> None:
    # "/1/4/" must not match "/1/40/": the paths end with a slash.
    rules = CallRules(CLOSES, territories=(COMUNA,))
    facts = ApplicantFacts("community", "organization", places=(Place("Lejos", "/1/40/"),))
    assert not only("territory", facts, rules)["passed"]


def test_territory_sentences() -> None:
    rules = CallRules(CLOSES, territories=(COMUNA,))
    inside = only(
        "territory", ApplicantFacts("community", "organization", places=(NEIGHBOURHOOD,)), rules
    )
    assert eligibility.describe(inside) == (
        "The project serves El Castillo, inside La Pintana, one of the territories of this call."
    )
    outside = only(
        "territory", ApplicantFacts("community", "organization", places=(OTHER_COMUNA,)), rules
    )
    assert eligibility.describe(outside) == (
        "The project and the applicant serve Puente Alto, outside the territories of this call: "
        "La Pintana."
    )
    nowhere = only("territory", ApplicantFacts("community", "organization"), rules)
    assert "Neither the project nor the applicant names a territory" in eligibility.describe(
        nowhere
    )


@pytest.mark.parametrize(
    ("issued", "passed"),
    [
        (CLOSES - datetime.timedelta(days=90), True),  # exactly the limit
        (CLOSES - datetime.timedelta(days=91), False),
        (CLOSES - datetime.timedelta(days=3), True),
        (None, False),
    ],
)
def test_legal_document_must_be_recent_at_closing(issued, passed) -> None:
    rules = CallRules(CLOSES, legal_document=True, legal_document_max_age_days=90)
    facts = ApplicantFacts("community", "organization", legal_document_issued_on=issued)
    assert only("legal_document", facts, rules)["passed"] is passed


def test_legal_document_sentences() -> None:
    rules = CallRules(CLOSES, legal_document=True, legal_document_max_age_days=90)
    old = only(
        "legal_document",
        ApplicantFacts(
            "community", "organization", legal_document_issued_on=datetime.date(2025, 12, 1)
        ),
        rules,
    )
    assert old["params"]["age_days"] == 150
    assert eligibility.describe(old) == (
        "The legal-status certificate was issued on December 1, 2025, 150 days before the call "
        "closes; this call accepts certificates issued at most 90 days before."
    )
    missing = only("legal_document", ApplicantFacts("community", "organization"), rules)
    assert eligibility.describe(missing).startswith("No legal-status certificate is attached")


def test_overdue_reports_and_one_per_organization() -> None:
    rules = CallRules(CLOSES, no_overdue_reports=True, one_per_organization=True)
    clean = eligibility.check(ApplicantFacts("community", "organization"), rules)
    assert [r["rule"] for r in clean] == ["overdue_reports", "one_per_organization"]
    assert eligibility.passed(clean)
    late = ApplicantFacts(
        "community",
        "organization",
        overdue_awards=("FC-2025-0003",),
        other_applications=("FC-2026-0009",),
    )
    results = eligibility.check(late, rules)
    assert not eligibility.passed(results)
    texts = [eligibility.describe(r) for r in results]
    assert texts == [
        "The applicant has overdue reports from earlier grants: FC-2025-0003.",
        "The organization has another application to this call (FC-2026-0009); this call "
        "accepts one per organization.",
    ]


def test_results_are_stored_as_codes_and_read_in_the_reader_language() -> None:
    rules = CallRules(CLOSES, sectors=("community",))
    result = only("sector", ApplicantFacts("private", "organization"), rules)
    # Stored once, read in any language: nothing translated is kept in the result.
    assert set(result) == {"rule", "passed", "params"}
    with translation.override("es"):
        spanish = eligibility.describe(result)
    assert "Private" in eligibility.describe(result)
    assert "Privado" in spanish


def test_unknown_rules_are_named_not_crashed_on() -> None:
    assert eligibility.describe({"rule": "retired_rule", "passed": False, "params": {}}) == (
        "retired_rule"
    )
    assert eligibility.rule_label("sector") == "Sector"
