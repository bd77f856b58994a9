"""Explanations of allocation outcomes, in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tejido.funds.allocation import (
    Decision,
    GroupQuota,
    Outcome,
    Problem,
    Project,
    Shortfall,
    allocate,
)
from tejido.funds.explain import explain, explain_notes, number
from tejido.governance.plans.money import money

D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def decision(outcome: Outcome, amount: str = "0", rank: int | None = 1, **reason) -> Decision:
    return Decision("1", outcome, D(amount), rank, reason)


def test_quota_full_names_the_group_and_its_cap():
    text = explain(
        decision(
            Outcome.QUOTA_FULL,
            label="La Pintana",
            maximum="18000000",
            used="17500000",
            left="500000",
            needed="2000000",
            by_higher_scores=True,
        ),
        currency="CLP",
    )
    assert text == (
        "Not funded: La Pintana's quota (at most $18,000,000) was already used by "
        "higher-scoring projects; $500,000 was left and it needed $2,000,000."
    )
    other = explain(
        decision(Outcome.QUOTA_FULL, label="La Pintana", maximum="1", by_higher_scores=False)
    )
    assert "used by other projects" in other


def test_disqualified_names_the_criterion_mean_and_minimum():
    text = explain(
        decision(
            Outcome.DISQUALIFIED,
            rank=None,
            criteria=[{"name": "Community participation", "mean": 1.5, "minimum": 2, "scale": 5}],
        )
    )
    assert text == "Not funded: below the minimum in Community participation (1.5 of 5; minimum 2)."
    names_only = explain(decision(Outcome.DISQUALIFIED, criteria=[{"name": "Budget"}]))
    assert names_only == "Not funded: below the minimum in Budget."


def test_each_outcome_has_its_sentence():
    assert explain(decision(Outcome.BELOW_THRESHOLD, score=42.456, threshold=50)) == (
        "Not funded: its score, 42.46, is below the call's minimum of 50."
    )
    assert explain(decision(Outcome.INELIGIBLE, rank=None)) == (
        "Not funded: it did not pass the eligibility check."
    )
    assert explain(
        decision(Outcome.OUT_OF_RANGE, cost="7000000", max_grant="6000000", side="above"),
        currency="CLP",
    ) == ("Not funded: it asks for $7,000,000; this call funds at most $6,000,000.")
    assert "at least $500,000" in explain(
        decision(Outcome.OUT_OF_RANGE, cost="300000", min_grant="500000", side="below"),
        currency="CLP",
    )
    assert explain(
        decision(Outcome.NO_BUDGET, remaining="1000000", needed="3000000", rule="greedy"),
        currency="CLP",
    ) == (
        "Not funded: when its turn came only $1,000,000 of the budget was left, and it "
        "needed $3,000,000."
    )
    assert "went to higher-scoring projects" in explain(
        decision(Outcome.NO_BUDGET, remaining="10", needed="30", rule="optimal")
    )
    funded = explain(decision(Outcome.FUNDED, "4000000", rank=2, rank_=2, score=90), currency="CLP")
    assert funded == "Funded in full with $4,000,000: ranked — with a score of 90."


def test_funded_and_partial_sentences_from_a_real_allocation():
    problem = Problem(
        D(100),
        (
            Project("1", D(60), 90.0, name="Huerto"),
            Project("2", D(50), 80.0, name="Plaza"),
        ),
        partial=True,
        min_partial_share=0.5,
    )
    allocation = allocate(problem, "optimal")
    assert explain(allocation.decisions["2"], currency="EUR") == (
        "Funded in full with €50.00: ranked 2 with a score of 80."
    )
    assert explain(allocation.decisions["1"], currency="EUR") == (
        "Partly funded with €50.00 of the €60.00 requested (83 %), limited by the share that "
        "let the budget fund the best set of projects; ranked 1."
    )


def test_not_chosen_says_who_took_the_money_or_which_minimum_held_it():
    problem = Problem(
        D(100),
        (
            Project("1", D(60), 90.0, name="Huerto"),
            Project("2", D(50), 80.0, name="Plaza"),
            Project("3", D(50), 75.0, name="Mural"),
        ),
    )
    left_out = allocate(problem, "optimal").decisions["1"]
    assert explain(left_out) == (
        "Not funded: the money it needed funds 2 lower-scoring projects instead (Mural and "
        "Plaza), which together score 155 against its 90: a higher total within the same budget."
    )
    held = explain(decision(Outcome.NOT_CHOSEN, minimum_labels=["Bajos de Mena", "El Castillo"]))
    assert held == (
        "Not funded: the money it needed goes to projects that fill the minimum share for "
        "Bajos de Mena and El Castillo."
    )
    plain = explain(decision(Outcome.NOT_CHOSEN, needed="10", remaining="20"))
    assert plain.startswith("Not funded: the best combination")


def test_explain_reads_stored_run_entries_and_minimum_quota_notes():
    problem = Problem(
        D(100),
        (Project("1", D(10), 90.0, frozenset({"theme:1"})), Project("2", D(80), 50.0)),
        quotas=(GroupQuota("theme:1", "Cultura", minimum=D(30)),),
    )
    allocation = allocate(problem, "optimal")
    stored = {"id": "1", **allocation.decisions["1"].as_json()}
    assert explain(stored, currency="CLP") == explain(allocation.decisions["1"], currency="CLP")
    assert explain_notes(allocation, currency="CLP") == [
        "The minimum share for Cultura could not be met within the budget and the other "
        "quotas: its projects get $10."
    ]
    stored_outcome = {
        "relaxed": {"theme:1": "10"},
        "quota_labels": {"theme:1": "Cultura"},
        "quota_totals": {"theme:1": "10"},
    }
    assert explain_notes(stored_outcome, currency="CLP") == explain_notes(
        allocation, currency="CLP"
    )


def test_amounts_follow_the_language():
    text = explain(
        decision(Outcome.OUT_OF_RANGE, cost="7000000", max_grant="6000000", side="above"),
        currency="CLP",
    )
    with translation.override("es"):
        spanish = explain(
            decision(Outcome.OUT_OF_RANGE, cost="7000000", max_grant="6000000", side="above"),
            currency="CLP",
        )
        expected = money(D(7000000), "CLP")
    assert "$7,000,000" in text
    assert expected in spanish
    assert expected != "$7,000,000"


def test_disqualified_from_an_allocation():
    problem = Problem(
        D(100),
        (
            Project(
                "1",
                D(10),
                90.0,
                disqualified_by=("Participación",),
                shortfalls=(Shortfall("Participación", 1.25, 2, 5),),
            ),
        ),
    )
    text = explain(allocate(problem, "greedy").decisions["1"])
    assert text == "Not funded: below the minimum in Participación (1.25 of 5; minimum 2)."


def test_number_trims_trailing_zeros():
    assert number(2.0) == "2"
    assert number(1.5) == "1.5"
    assert number(73.256) == "73.26"
    assert number(None) == "—"
