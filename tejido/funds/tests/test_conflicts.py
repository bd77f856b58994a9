"""The pure conflict detector, checked case by case and against a brute force on random
instances (no database)."""

from __future__ import annotations

import itertools
import random

import pytest

from tejido.funds import conflicts
from tejido.funds.conflicts import (
    ApplicationFacts,
    ReviewerFacts,
    TieFact,
    detect,
    strongest_links,
)
from tejido.funds.models import ConflictSource


def sources(found, reviewer, application):
    return [r.source for r in found.get((reviewer, application), [])]


def test_the_codes_are_the_stored_ones():
    assert set(conflicts.SOURCES) == set(ConflictSource.values)


def test_own_organization_as_applicant_or_partner():
    reviewer = ReviewerFacts(1, {10: conflicts.WORKS_AT})
    as_applicant = ApplicationFacts(100, applicant=10)
    as_partner = ApplicationFacts(101, applicant=20, partners=frozenset({10}))
    unrelated = ApplicationFacts(102, applicant=30)
    found = detect([reviewer], [as_applicant, as_partner, unrelated], threshold=2)
    assert sources(found, 1, 100) == ["applicant"]
    assert sources(found, 1, 101) == ["partner"]
    assert (1, 102) not in found
    assert found[(1, 100)][0].detail == {"organization": 10, "link": "works_at"}


def test_ties_count_from_the_threshold_up_in_either_direction():
    reviewer = ReviewerFacts(1, {10: conflicts.REPRESENTS})
    applications = [
        ApplicationFacts(100, applicant=20),
        ApplicationFacts(101, applicant=30),
        ApplicationFacts(102, applicant=40, partners=frozenset({50})),
    ]
    ties = [TieFact(10, 20, 2), TieFact(30, 10, 1), TieFact(50, 10, 3), TieFact(50, 10, 2)]
    found = detect([reviewer], applications, ties=ties, threshold=2)
    assert sources(found, 1, 100) == ["tie"]
    assert (1, 101) not in found  # below the threshold
    (reason,) = found[(1, 102)]
    assert reason.detail == {
        "organization": 10,
        "link": "represents",
        "via": 50,
        "role": "partner",
        "intensity": 3,  # the strongest of the two ties
    }
    assert detect([reviewer], applications, ties=ties, threshold=1)[(1, 101)]


def test_a_shared_directorate_is_a_conflict_but_a_different_one_is_not():
    reviewer = ReviewerFacts(1, {10: conflicts.HOLDS_SEAT})
    applications = [ApplicationFacts(100, applicant=20), ApplicationFacts(101, applicant=30)]
    found = detect(
        [reviewer],
        applications,
        threshold=2,
        body_memberships={10: {7}, 20: {7, 8}, 30: {8}},
    )
    (reason,) = found[(1, 100)]
    assert reason.source == "seat"
    assert reason.detail["body"] == 7 and reason.detail["via"] == 20
    assert (1, 101) not in found


def test_declarations_cover_every_application_the_organization_is_in():
    reviewer = ReviewerFacts(1, {})
    applications = [
        ApplicationFacts(100, applicant=20),
        ApplicationFacts(101, applicant=30, partners=frozenset({20})),
        ApplicationFacts(102, applicant=40),
    ]
    found = detect([reviewer], applications, threshold=2, declarations={1: {20}})
    assert sources(found, 1, 100) == ["declared"]
    assert found[(1, 101)][0].detail == {"organization": 20, "role": "partner"}
    assert (1, 102) not in found


def test_reasons_come_in_a_stable_order_without_duplicates():
    reviewer = ReviewerFacts(1, {10: conflicts.WORKS_AT, 11: conflicts.REPRESENTS})
    application = ApplicationFacts(100, applicant=10, partners=frozenset({11, 12}))
    found = detect(
        [reviewer],
        [application],
        ties=[TieFact(10, 12, 2), TieFact(12, 10, 2), TieFact(10, 11, 3)],
        threshold=2,
        declarations={1: {10}},
    )
    assert sources(found, 1, 100) == ["declared", "applicant", "partner", "tie", "tie", "tie"]
    ties = [(r.detail["organization"], r.detail["via"]) for r in found[(1, 100)][3:]]
    assert ties == [(11, 10), (10, 11), (10, 12)]


def test_strongest_links():
    links = [(10, "holds_seat"), (10, "works_at"), (11, "represents"), (11, "holds_seat")]
    assert strongest_links(links) == {10: "works_at", 11: "represents"}


# -- against a brute force -------------------------------------------------------------------


def brute_force(reviewers, applications, ties, threshold, bodies, declarations):
    """Every (reviewer, application, source, organization, via) by looking at every pair."""
    found = set()
    for reviewer in reviewers:
        for application in applications:
            members = {application.applicant: "applicant"}
            for partner in application.partners:
                members.setdefault(partner, "partner")
            for member, role in members.items():
                if member in declarations.get(reviewer.id, set()):
                    found.add((reviewer.id, application.id, "declared", member, None))
                for own in reviewer.organizations:
                    if own == member:
                        found.add((reviewer.id, application.id, role, own, None))
                        continue
                    if any({t.a, t.b} == {own, member} and t.intensity >= threshold for t in ties):
                        found.add((reviewer.id, application.id, "tie", own, member))
                    if bodies.get(own, set()) & bodies.get(member, set()):
                        found.add((reviewer.id, application.id, "seat", own, member))
    return found


def flatten(found):
    flat = set()
    for (reviewer, application), reasons in found.items():
        for reason in reasons:
            organization = reason.detail["organization"]
            flat.add((reviewer, application, reason.source, organization, reason.detail.get("via")))
    return flat


@pytest.mark.parametrize("seed", range(60))
def test_matches_a_brute_force_on_random_instances(seed):
    rng = random.Random(seed)
    organizations = list(range(1, rng.randint(4, 25)))
    reviewers = [
        ReviewerFacts(
            100 + i,
            {
                org: rng.choice(conflicts.LINKS)
                for org in rng.sample(organizations, rng.randint(0, 3))
            },
        )
        for i in range(rng.randint(1, 8))
    ]
    applications = []
    for i in range(rng.randint(1, 15)):
        applicant = rng.choice(organizations)
        partners = frozenset(
            rng.sample([o for o in organizations if o != applicant], rng.randint(0, 2))
        )
        applications.append(ApplicationFacts(1000 + i, applicant, partners))
    ties = [
        TieFact(a, b, rng.randint(0, 4))
        for a, b in itertools.combinations(organizations, 2)
        if rng.random() < 0.15
    ]
    bodies = {org: set(rng.sample(range(3), rng.randint(0, 2))) for org in organizations}
    declarations = {
        r.id: set(rng.sample(organizations, rng.randint(0, 2)))
        for r in reviewers
        if rng.random() < 0.4
    }
    threshold = rng.randint(0, 4)
    found = detect(
        reviewers,
        applications,
        ties=ties,
        threshold=threshold,
        body_memberships=bodies,
        declarations=declarations,
    )
    assert flatten(found) == brute_force(
        reviewers, applications, ties, threshold, bodies, declarations
    )
    assert all(found.values())
