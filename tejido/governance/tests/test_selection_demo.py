# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""The demo's territory selection, on factory data shaped like the demo's places."""

from __future__ import annotations

import datetime

import pytest

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.dashboards.demo.governance.selection import demo_scorecard
from tejido.governance.models import CriterionKind, CriterionValue, ScorecardStatus
from tejido.governance.selection import selectors

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)
LEVEL = Territory.Level


def place(slug, name, level, parent=None, code=""):
    return TerritoryFactory(slug=slug, name=name, level=level, parent=parent, code=code)


@pytest.fixture
def places(db):
    chile = place("chile", "Chile", LEVEL.COUNTRY, code="CL")
    rm = place("region-metropolitana", "Región Metropolitana", LEVEL.REGION, chile, "13")
    valpo = place("region-de-valparaiso", "Región de Valparaíso", LEVEL.REGION, chile, "05")
    biobio = place("region-del-biobio", "Región del Biobío", LEVEL.REGION, chile, "08")
    puente_alto = place("puente-alto", "Puente Alto", LEVEL.MUNICIPALITY, rm, "13201")
    santiago = place("santiago", "Santiago", LEVEL.MUNICIPALITY, rm, "13101")
    return {
        "bajos-de-mena": place("bajos-de-mena", "Bajos de Mena", LEVEL.NEIGHBOURHOOD, puente_alto),
        "san-bernardo": place("san-bernardo", "San Bernardo", LEVEL.MUNICIPALITY, rm, "13401"),
        "barrio-yungay": place("barrio-yungay", "Barrio Yungay", LEVEL.NEIGHBOURHOOD, santiago),
        "la-ligua": place("la-ligua", "La Ligua", LEVEL.MUNICIPALITY, valpo, "05401"),
        "valparaiso": place("valparaiso", "Valparaíso", LEVEL.MUNICIPALITY, valpo, "05101"),
        "concepcion": place("concepcion", "Concepción", LEVEL.MUNICIPALITY, biobio, "08101"),
        "puente-alto": puente_alto,
        "santiago": santiago,
    }


def test_demo_scorecard_chooses_the_programs_territories(places):
    program = ProgramFactory(name="Programa Barrios en Red", slug="barrios-en-red")
    own = [places[s] for s in ("bajos-de-mena", "san-bernardo", "la-ligua", "barrio-yungay")]
    program.territories.set(own)
    counts = {"bajos-de-mena": 6, "san-bernardo": 4, "la-ligua": 3, "barrio-yungay": 5}
    for slug, count in counts.items():
        for _ in range(count):
            ActorFactory(program=program, territory=places[slug])
    ActorFactory(program=program, territory=places["valparaiso"], kind=ActorKind.INFORMAL_GROUP)
    PersonFactory(program=program, territory=places["san-bernardo"])
    ActorFactory(program=program, territory=places["la-ligua"], sector=Sector.PUBLIC)
    coordinator = UserFactory()

    scorecard = demo_scorecard(program, coordinator=coordinator, today=TODAY)

    assert scorecard.status == ScorecardStatus.DECIDED
    assert scorecard.decided_by == coordinator
    first_cycle = program.cycles.order_by("number").first()
    assert scorecard.cycle == first_cycle
    assert scorecard.decided_at.date() == first_cycle.starts_on + datetime.timedelta(days=24)
    assert scorecard.created_at < scorecard.decided_at
    candidates = {c.territory.slug: c for c in scorecard.candidates.select_related("territory")}
    # The program's four, and two places like them it did not take on (never Puente Alto or
    # Santiago, which contain two of its territories).
    assert set(candidates) == {*counts, "valparaiso", "concepcion"}
    assert scorecard.seats_to_fill == 4
    assert {s for s, c in candidates.items() if c.selected} == set(counts)
    assert set(program.territories.all()) == set(own)
    # Organizations counted from the registry; the rest entered with their evidence.
    values = {
        (v.candidate.territory.slug, v.criterion.kind): v
        for v in CriterionValue.objects.filter(candidate__scorecard=scorecard).select_related(
            "candidate__territory", "criterion"
        )
    }
    for slug, count in counts.items():
        assert values[slug, CriterionKind.ORGANIZATIONS].value == count
    assert values["valparaiso", CriterionKind.ORGANIZATIONS].value == 1
    assert values["san-bernardo", CriterionKind.LOCAL_SUPPORT].evidence == (
        "Carta de apoyo del alcalde, oficio N° 245"
    )
    assert (
        "Registro Social de Hogares"
        in values["bajos-de-mena", CriterionKind.VULNERABILITY].evidence
    )
    assert ("concepcion", CriterionKind.LOCAL_SUPPORT) not in values  # the flagged missing value
    board = selectors.scorecard_board(scorecard)
    assert [row.candidate.territory.slug for row in board.rows][:1] == ["bajos-de-mena"]
    assert board.rows[-1].candidate.territory.slug == "concepcion"
    # The reasons name the choice and the waiting list; the snapshot matches the ranking.
    assert "Bajos de Mena" in scorecard.decision_reasons
    assert "Valparaíso y Concepción" in scorecard.decision_reasons
    assert [r["name"] for r in scorecard.decision_snapshot["ranking"]] == [
        row.candidate.territory.name for row in board.rows
    ]
    kinds = [c["kind"] for c in scorecard.decision_snapshot["criteria"]]
    assert kinds == ["vulnerability", "organizations", "local_support", "custom"]


def test_demo_scorecard_on_other_places_is_deterministic(db):
    region = TerritoryFactory(name="Región", level=LEVEL.REGION)
    comunas = [TerritoryFactory(name=f"Comuna {i}", parent=region) for i in range(5)]
    results = []
    for _run in range(2):
        program = ProgramFactory(slug="programa-demo")
        program.territories.set(comunas[:2])
        scorecard = demo_scorecard(program, coordinator=UserFactory(), today=TODAY)
        assert scorecard.status == ScorecardStatus.DECIDED
        assert scorecard.candidates.count() == 4 and scorecard.seats_to_fill == 2
        assert scorecard.candidates.filter(selected=True).count() == 2
        results.append(
            sorted(
                (v.candidate.territory_id, v.criterion.kind, v.value, v.evidence)
                for v in CriterionValue.objects.filter(candidate__scorecard=scorecard)
                .select_related("candidate", "criterion")
                .exclude(criterion__kind=CriterionKind.ORGANIZATIONS)
            )
        )
        program.delete()  # loading the demo again: a new program, the same story
    assert results[0] == results[1]
    for _territory, kind, value, evidence in results[0]:
        if kind == CriterionKind.LOCAL_SUPPORT:
            assert 0 <= value <= 3 and (value == 0 or evidence)
        if kind == CriterionKind.VULNERABILITY:
            assert 42 <= value <= 80


def test_demo_scorecard_needs_territories(db):
    program = ProgramFactory()
    with pytest.raises(ValueError):
        demo_scorecard(program, coordinator=UserFactory(), today=TODAY)
