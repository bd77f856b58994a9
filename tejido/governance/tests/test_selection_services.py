# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Territory selection services: every write, every refusal, nothing half-written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry, Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import (
    Candidate,
    Criterion,
    CriterionKind,
    CriterionValue,
    Scorecard,
    ScorecardStatus,
)
from tejido.governance.selection import selectors, services
from tejido.governance.selection.services import CriterionChange, ValueEntry
from tejido.governance.tests.test_selection_support import (
    criteria_by_kind,
    decide,
    make_scorecard,
    make_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def snapshot_of_values(scorecard):
    return sorted(
        (v.candidate_id, v.criterion_id, v.value, v.evidence)
        for v in CriterionValue.objects.filter(candidate__scorecard=scorecard)
    )


# -- create and update -----------------------------------------------------------------------


def test_create_makes_a_draft_with_the_three_default_criteria(world):
    cycle = world.program.cycles.first()
    scorecard = services.scorecard_create(
        user=world.coordinator,
        program=world.program,
        title="  Selección   2025 ",
        territories=[*world.comunas, world.comunas[0]],
        seats_to_fill=2,
        cycle=cycle,
        description="Con el directorio de la fundación.",
    )
    assert scorecard.title == "Selección 2025"
    assert scorecard.status == ScorecardStatus.DRAFT
    assert scorecard.cycle == cycle
    assert set(scorecard.candidates.values_list("territory_id", flat=True)) == {
        t.pk for t in world.comunas
    }
    criteria = list(scorecard.criteria.order_by("position"))
    assert [c.kind for c in criteria] == [
        CriterionKind.VULNERABILITY,
        CriterionKind.ORGANIZATIONS,
        CriterionKind.LOCAL_SUPPORT,
    ]
    assert [c.weight for c in criteria] == [Decimal(50), Decimal(25), Decimal(25)]
    assert all(c.higher_is_better for c in criteria)
    entry = AuditEntry.objects.get(action="selection.create")
    assert entry.target_id == str(scorecard.pk) and entry.user == world.coordinator


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"title": "   "}, "title", "title"),
        ({"territories": []}, "territories", "at least one"),
        ({"seats_to_fill": 0}, "seats_to_fill", "at least one"),
        ({"seats_to_fill": 5}, "seats_to_fill", "only 4"),
    ],
)
def test_create_refusals(world, kwargs, field, text):
    arguments = {
        "user": world.coordinator,
        "program": world.program,
        "title": "Selección",
        "territories": world.comunas,
        "seats_to_fill": 1,
        **kwargs,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.scorecard_create(**arguments)
    assert field in excinfo.value.message_dict
    assert text in messages_of(excinfo)
    assert not Scorecard.objects.exists()
    assert not Criterion.objects.exists()


def test_create_refuses_a_cycle_of_another_program(world):
    other = ProgramFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.scorecard_create(
            user=world.coordinator,
            program=world.program,
            title="Selección",
            territories=world.comunas,
            cycle=other.cycles.first(),
        )
    assert "cycle" in excinfo.value.message_dict
    assert not Scorecard.objects.exists()


def test_update_changes_details_and_candidates_dropping_their_values(world):
    scorecard = make_scorecard(world)
    dropped = world.comunas[3]
    services.scorecard_update(
        user=world.coordinator,
        scorecard=scorecard,
        title="Selección revisada",
        seats_to_fill=1,
        territories=[*world.comunas[:3], world.neighbourhoods[0]],
    )
    scorecard.refresh_from_db()
    assert scorecard.title == "Selección revisada" and scorecard.seats_to_fill == 1
    territories = set(scorecard.candidates.values_list("territory_id", flat=True))
    assert territories == {t.pk for t in world.comunas[:3]} | {world.neighbourhoods[0].pk}
    assert not CriterionValue.objects.filter(candidate__territory=dropped).exists()
    # The kept territories keep their values.
    assert CriterionValue.objects.filter(candidate__territory=world.comunas[0]).count() == 2


def test_update_refuses_more_seats_than_candidates_and_changes_nothing(world):
    scorecard = make_scorecard(world)
    with pytest.raises(ValidationError):
        services.scorecard_update(
            user=world.coordinator,
            scorecard=scorecard,
            title="Otra",
            seats_to_fill=3,
            territories=world.comunas[:2],
        )
    scorecard.refresh_from_db()
    assert scorecard.title == "Selección 2025"
    assert scorecard.candidates.count() == 4


# -- criteria and weights --------------------------------------------------------------------


def test_criterion_add_custom_and_refusals(world):
    scorecard = make_scorecard(world, values=False)
    distance = services.criterion_add(
        user=world.coordinator,
        scorecard=scorecard,
        name="Distancia a la sede (km)",
        weight="10",
        higher_is_better=False,
    )
    assert distance.kind == CriterionKind.CUSTOM
    assert distance.position == 3
    assert not distance.higher_is_better
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_add(
            user=world.coordinator, scorecard=scorecard, name="distancia a la SEDE (KM)"
        )
    assert "name" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_add(
            user=world.coordinator,
            scorecard=scorecard,
            name="Otro índice",
            kind=CriterionKind.VULNERABILITY,
        )
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_add(user=world.coordinator, scorecard=scorecard, name="X", weight="-1")
    assert "weight" in excinfo.value.message_dict
    assert scorecard.criteria.count() == 4


def test_criteria_update_is_all_or_nothing(world):
    scorecard = make_scorecard(world, values=False)
    by_kind = criteria_by_kind(scorecard)
    vulnerability = by_kind[CriterionKind.VULNERABILITY]
    support = by_kind[CriterionKind.LOCAL_SUPPORT]
    with pytest.raises(ValidationError) as excinfo:
        services.criteria_update(
            user=world.coordinator,
            scorecard=scorecard,
            changes={
                vulnerability.pk: CriterionChange("IPS 2024", Decimal(70), True),
                support.pk: CriterionChange("Apoyo", Decimal(-5), True),
            },
        )
    assert f"weight_{support.pk}" in excinfo.value.message_dict
    vulnerability.refresh_from_db()
    assert vulnerability.name == "Vulnerability index" and vulnerability.weight == 50

    services.criteria_update(
        user=world.coordinator,
        scorecard=scorecard,
        changes={
            vulnerability.pk: CriterionChange("IPS 2024", Decimal("70.5"), False),
            support.pk: CriterionChange("Apoyo municipal", Decimal(0), True),
        },
    )
    vulnerability.refresh_from_db()
    support.refresh_from_db()
    assert (vulnerability.name, vulnerability.weight, vulnerability.higher_is_better) == (
        "IPS 2024",
        Decimal("70.50"),
        False,
    )
    assert support.weight == 0


def test_criteria_update_refuses_duplicate_names_and_all_zero_weights(world):
    scorecard = make_scorecard(world, values=False)
    criteria = list(scorecard.criteria.all())
    with pytest.raises(ValidationError):
        services.criteria_update(
            user=world.coordinator,
            scorecard=scorecard,
            changes={c.pk: CriterionChange("Mismo", Decimal(1), True) for c in criteria},
        )
    with pytest.raises(ValidationError) as excinfo:
        services.criteria_update(
            user=world.coordinator,
            scorecard=scorecard,
            changes={c.pk: CriterionChange(c.name, Decimal(0), True) for c in criteria},
        )
    assert "above zero" in messages_of(excinfo)
    assert [c.weight for c in scorecard.criteria.order_by("position")] == [50, 25, 25]


def test_weights_set_saves_tried_weights(world):
    scorecard = make_scorecard(world)
    by_kind = criteria_by_kind(scorecard)
    services.weights_set(
        user=world.coordinator,
        scorecard=scorecard,
        weights={by_kind[CriterionKind.VULNERABILITY].pk: Decimal(10)},
    )
    assert [c.weight for c in scorecard.criteria.order_by("position")] == [10, 25, 25]
    with pytest.raises(ValidationError):
        services.weights_set(
            user=world.coordinator,
            scorecard=scorecard,
            weights={c.pk: Decimal(0) for c in by_kind.values()},
        )
    with pytest.raises(ValidationError):
        services.weights_set(user=world.coordinator, scorecard=scorecard, weights={999999: 1})
    assert AuditEntry.objects.filter(action="selection.weights").count() == 1


def test_criterion_remove_deletes_its_values_but_never_the_last_one(world):
    scorecard = make_scorecard(world)
    criteria = list(scorecard.criteria.order_by("position"))
    services.criterion_remove(user=world.coordinator, criterion=criteria[2])
    assert not CriterionValue.objects.filter(criterion_id=criteria[2].pk).exists()
    services.criterion_remove(user=world.coordinator, criterion=criteria[1])
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_remove(user=world.coordinator, criterion=criteria[0])
    assert "at least one criterion" in messages_of(excinfo)
    assert scorecard.criteria.count() == 1


# -- values ----------------------------------------------------------------------------------


def test_values_set_writes_updates_and_clears(world):
    scorecard = make_scorecard(world, values=False)
    by_kind = criteria_by_kind(scorecard)
    vulnerability = by_kind[CriterionKind.VULNERABILITY]
    first, second = scorecard.candidates.order_by("territory__name")[:2]
    saved = services.values_set(
        user=world.coordinator,
        scorecard=scorecard,
        entries={
            (first.pk, vulnerability.pk): ValueEntry(Decimal("61.25"), "RSH", "https://rsh.cl/x"),
            (second.pk, vulnerability.pk): ValueEntry(Decimal(40)),
        },
    )
    assert (saved.written, saved.cleared) == (2, 0)
    value = CriterionValue.objects.get(candidate=first, criterion=vulnerability)
    assert (value.value, value.evidence, value.evidence_url) == (
        Decimal("61.25"),
        "RSH",
        "https://rsh.cl/x",
    )
    saved = services.values_set(
        user=world.coordinator,
        scorecard=scorecard,
        entries={
            (first.pk, vulnerability.pk): ValueEntry(Decimal(62), "RSH 2025"),
            (second.pk, vulnerability.pk): None,
        },
    )
    assert (saved.written, saved.cleared) == (1, 1)
    value.refresh_from_db()
    assert value.value == 62 and value.evidence == "RSH 2025" and value.evidence_url == ""
    assert not CriterionValue.objects.filter(candidate=second).exists()


@pytest.mark.parametrize(
    ("kind", "entry", "prefix", "text"),
    [
        (CriterionKind.LOCAL_SUPPORT, ValueEntry(Decimal(4), "Carta"), "v", "0 (none) to 3"),
        (CriterionKind.LOCAL_SUPPORT, ValueEntry(Decimal("1.5"), "Carta"), "v", "whole number"),
        (CriterionKind.LOCAL_SUPPORT, ValueEntry(Decimal(2)), "e", "where the support"),
        (CriterionKind.ORGANIZATIONS, ValueEntry(Decimal(3)), "v", "registry"),
        (CriterionKind.VULNERABILITY, ValueEntry(Decimal("1e9")), "v", "hundred million"),
        (CriterionKind.VULNERABILITY, ValueEntry(Decimal(1), "", "ftp://x"), "u", "web address"),
    ],
)
def test_values_set_refuses_a_wrong_cell_and_writes_nothing(world, kind, entry, prefix, text):
    scorecard = make_scorecard(world)
    before = snapshot_of_values(scorecard)
    by_kind = criteria_by_kind(scorecard)
    first, second = scorecard.candidates.order_by("territory__name")[:2]
    criterion = by_kind[kind]
    with pytest.raises(ValidationError) as excinfo:
        services.values_set(
            user=world.coordinator,
            scorecard=scorecard,
            entries={
                # A valid change alongside the wrong one: it must not be written either.
                (second.pk, by_kind[CriterionKind.VULNERABILITY].pk): ValueEntry(Decimal(99)),
                (first.pk, criterion.pk): entry,
            },
        )
    assert f"{prefix}_{first.pk}_{criterion.pk}" in excinfo.value.message_dict
    assert text in messages_of(excinfo)
    assert snapshot_of_values(scorecard) == before


def test_values_set_refuses_cells_of_another_scorecard(world):
    scorecard = make_scorecard(world)
    other = make_scorecard(world, title="Otra")
    foreign = other.candidates.first()
    criterion = scorecard.criteria.first()
    with pytest.raises(ValidationError):
        services.values_set(
            user=world.coordinator,
            scorecard=scorecard,
            entries={(foreign.pk, criterion.pk): ValueEntry(Decimal(1))},
        )


def test_organizations_are_counted_from_the_registry_by_subtree(world):
    program = world.program
    puente_alto, san_bernardo, penalolen, _pintana = world.comunas
    bajos = world.neighbourhoods[0]
    # Based in a neighbourhood of Puente Alto: counts for Puente Alto.
    ActorFactory(program=program, territory=bajos)
    ActorFactory(program=program, territory=puente_alto, kind=ActorKind.INFORMAL_GROUP)
    # Based in San Bernardo and serving Puente Alto: counts once for each.
    serving = ActorFactory(program=program, territory=san_bernardo)
    serving.territories_served.add(puente_alto, san_bernardo)
    # Serving the whole region: not within any comuna.
    ActorFactory(program=program).territories_served.add(world.region)
    # Not counted: people, other sectors, other programs.
    PersonFactory(program=program, territory=puente_alto)
    ActorFactory(program=program, territory=puente_alto, sector=Sector.PUBLIC)
    ActorFactory(program=ProgramFactory(), territory=puente_alto)
    # Based elsewhere: counted nowhere.
    elsewhere = TerritoryFactory(name="Mendoza", parent=None, level=Territory.Level.COUNTRY)
    ActorFactory(program=program, territory=elsewhere)

    scorecard = make_scorecard(world, values=False)
    counts = services.organizations_refresh(user=world.coordinator, scorecard=scorecard)
    by_territory = {c.territory_id: counts[c.pk] for c in scorecard.candidates.all()}
    assert by_territory == {puente_alto.pk: 3, san_bernardo.pk: 1, penalolen.pk: 0, _pintana.pk: 0}
    organizations = criteria_by_kind(scorecard)[CriterionKind.ORGANIZATIONS]
    stored = {
        v.candidate.territory_id: v.value
        for v in CriterionValue.objects.filter(criterion=organizations).select_related("candidate")
    }
    assert stored == {t: Decimal(n) for t, n in by_territory.items()}
    assert (
        "actor registry" in CriterionValue.objects.filter(criterion=organizations).first().evidence
    )
    # Counting again changes nothing when the registry has not changed.
    services.organizations_refresh(user=world.coordinator, scorecard=scorecard)
    assert CriterionValue.objects.filter(criterion=organizations).count() == 4


def test_organizations_refresh_needs_the_criterion(world):
    scorecard = make_scorecard(world, values=False)
    criteria_by_kind(scorecard)[CriterionKind.ORGANIZATIONS].delete()
    with pytest.raises(ValidationError):
        services.organizations_refresh(user=world.coordinator, scorecard=scorecard)


# -- the decision ----------------------------------------------------------------------------


def test_decide_records_the_choice_the_reasons_and_the_ranking(world):
    scorecard = make_scorecard(world)
    services.organizations_refresh(user=world.coordinator, scorecard=scorecard)
    board = selectors.scorecard_board(scorecard)
    top = [row.candidate.territory for row in board.rows[:2]]
    services.scorecard_decide(
        user=world.coordinator,
        scorecard=scorecard,
        selected=top,
        reasons="  Mayor vulnerabilidad.  ",
    )
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DECIDED
    assert scorecard.decided_by == world.coordinator and scorecard.decided_at is not None
    assert scorecard.decision_reasons == "Mayor vulnerabilidad."
    assert set(
        Candidate.objects.filter(scorecard=scorecard, selected=True).values_list(
            "territory_id", flat=True
        )
    ) == {t.pk for t in top}
    assert {t.pk for t in top} <= set(world.program.territories.values_list("pk", flat=True))
    snapshot = scorecard.decision_snapshot
    assert snapshot["seats_to_fill"] == 2
    assert [c["weight"] for c in snapshot["criteria"]] == ["50.00", "25.00", "25.00"]
    assert [c["share"] for c in snapshot["criteria"]] == [0.5, 0.25, 0.25]
    assert [r["name"] for r in snapshot["ranking"]] == [
        r.candidate.territory.name for r in board.rows
    ]
    assert [r["rank"] for r in snapshot["ranking"]] == [r.ranked.rank for r in board.rows]
    assert [r["selected"] for r in snapshot["ranking"]] == [True, True, False, False]
    first = snapshot["ranking"][0]
    assert sum(v["points"] for v in first["values"]) == pytest.approx(first["score"], abs=1e-3)
    assert AuditEntry.objects.filter(action="selection.decide").count() == 1
    assert services.departures(snapshot) == ([], [])


def test_decide_against_the_ranking_is_recorded_as_such(world):
    scorecard = make_scorecard(world)
    rows = selectors.scorecard_board(scorecard).rows
    chosen = [rows[0].candidate.territory, rows[3].candidate.territory]
    decide(world, scorecard, chosen)
    scorecard.refresh_from_db()
    outside, left_out = services.departures(scorecard.decision_snapshot)
    assert outside == [rows[3].candidate.territory.name]
    assert left_out == [rows[1].candidate.territory.name]


@pytest.mark.parametrize(
    ("choose", "reasons", "field"),
    [
        ("none", "Razones", "selected"),
        ("three", "Razones", "selected"),
        ("outsider", "Razones", "selected"),
        ("two", "   ", "reasons"),
    ],
)
def test_decide_refusals_change_nothing(world, choose, reasons, field):
    scorecard = make_scorecard(world)
    territories = [c.territory for c in scorecard.candidates.all()]
    selected = {
        "none": [],
        "three": territories[:3],
        "outsider": [world.neighbourhoods[0]],
        "two": territories[:2],
    }[choose]
    with pytest.raises(ValidationError) as excinfo:
        services.scorecard_decide(
            user=world.coordinator, scorecard=scorecard, selected=selected, reasons=reasons
        )
    assert field in excinfo.value.message_dict
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DRAFT and scorecard.decision_snapshot == {}
    assert not Candidate.objects.filter(selected=True).exists()
    assert list(world.program.territories.all()) == [world.region]


def test_a_decided_scorecard_is_read_only(world):
    scorecard = make_scorecard(world)
    decide(world, scorecard)
    before = snapshot_of_values(scorecard)
    criterion = scorecard.criteria.first()
    candidate = scorecard.candidates.first()
    attempts = [
        lambda: services.scorecard_update(
            user=world.coordinator, scorecard=scorecard, title="X", seats_to_fill=1
        ),
        lambda: services.criterion_add(user=world.coordinator, scorecard=scorecard, name="Nuevo"),
        lambda: services.criteria_update(
            user=world.coordinator,
            scorecard=scorecard,
            changes={criterion.pk: CriterionChange("Y", Decimal(1), True)},
        ),
        lambda: services.weights_set(
            user=world.coordinator, scorecard=scorecard, weights={criterion.pk: Decimal(1)}
        ),
        lambda: services.criterion_remove(user=world.coordinator, criterion=criterion),
        lambda: services.values_set(
            user=world.coordinator,
            scorecard=scorecard,
            entries={(candidate.pk, criterion.pk): ValueEntry(Decimal(1))},
        ),
        lambda: services.values_import(
            user=world.coordinator, scorecard=scorecard, data=b"t;x\n", filename="a.csv"
        ),
        lambda: services.organizations_refresh(user=world.coordinator, scorecard=scorecard),
        lambda: decide(world, scorecard),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert excinfo.value.code == "decided"
        assert "can no longer be changed" in messages_of(excinfo)
    assert snapshot_of_values(scorecard) == before
    assert scorecard.criteria.count() == 3
    assert AuditEntry.objects.filter(action="selection.decide").count() == 1


def test_deciding_twice_keeps_the_first_decision(world):
    scorecard = make_scorecard(world)
    territories = [c.territory for c in scorecard.candidates.order_by("territory__name")]
    decide(world, scorecard, territories[:2])
    stale = Scorecard.objects.get(pk=scorecard.pk)
    stale.status = ScorecardStatus.DRAFT  # a page loaded before the first decision
    with pytest.raises(ValidationError):
        services.scorecard_decide(
            user=world.users["superuser"],
            scorecard=stale,
            selected=territories[2:],
            reasons="Otra decisión",
        )
    scorecard.refresh_from_db()
    assert scorecard.decided_by == world.coordinator
    assert set(
        scorecard.candidates.filter(selected=True).values_list("territory_id", flat=True)
    ) == {t.pk for t in territories[:2]}
