"""Every indicator, figure, stage and reason has words, and reasons name the actors."""

from __future__ import annotations

import pytest
from django.utils import translation

from tejido.network.analysis import BROKERAGE_ROLES, STAGES
from tejido.network.analytics import explain
from tejido.network.analytics.explain import ReasonContext, reason_sentence
from tejido.network.models import ActorMetrics
from tejido.network.weaving import KINDS


def test_every_code_has_its_words():
    assert explain.all_codes_explained() == {
        "actor": set(),
        "network": set(),
        "stage": set(),
        "kind": set(),
    }


def test_every_stored_actor_indicator_is_explained():
    stored = {
        f.name
        for f in ActorMetrics._meta.concrete_fields
        if f.name not in {"id", "snapshot", "actor"}
    }
    assert stored - set(explain.ACTOR_INDICATORS) == set()
    assert set(BROKERAGE_ROLES) <= set(explain.ACTOR_INDICATORS)
    assert set(STAGES) == set(explain.STAGE_TEXTS)


@pytest.mark.parametrize(
    "table", [explain.ACTOR_INDICATORS, explain.NETWORK_FIGURES, explain.STAGE_TEXTS]
)
def test_texts_are_sentences(table):
    for code, text in table.items():
        assert str(text.name), code
        assert str(text.meaning).endswith("."), code
        assert str(text.advice).endswith("."), code
        assert str(text.meaning) != str(text.advice), code


CTX = ReasonContext(
    actors={1: "Junta Los Aromos", 2: "CESFAM Sur", 3: "Junta X", 4: "CESFAM Y", 5: "Radio Local"},
    themes={7: "Salud"},
    a=1,
    b=2,
    place="La Pintana",
)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (
            {"code": "shared_partners", "count": 2, "via": [3, 4]},
            "Both work with Junta X and CESFAM Y, but not with each other.",
        ),
        ({"code": "shared_partners", "count": 5, "via": [3, 4]}, "5 partners in common"),
        ({"code": "shared_partners", "count": 1, "via": []}, "1 partner in common"),
        (
            {
                "code": "complementary",
                "sectors": ["community", "public"],
                "themes": [7],
                "same_territory": True,
            },
            "They come from different sectors (Community and Public), and both work on Salud "
            "and both work in La Pintana.",
        ),
        (
            {
                "code": "bring_in",
                "isolated": True,
                "shared": "territory",
                "themes": [],
                "broker": 2,
            },
            "Junta Los Aromos has no ties in the network yet. CESFAM Sur is well connected and "
            "works in La Pintana too.",
        ),
        (
            {"code": "bring_in", "isolated": False, "shared": "theme", "themes": [7], "broker": 1},
            "CESFAM Sur hangs on the edge",
        ),
        ({"code": "redundancy", "broker": 5, "sizes": [12, 4]}, "only through Radio Local"),
        ({"code": "something_new"}, "The shape of the network suggests it."),
    ],
)
def test_reasons_become_sentences_with_names(reason, expected):
    assert expected in reason_sentence(reason, CTX)


def test_every_kind_has_a_reason_writer_and_advice():
    for kind in KINDS:
        assert kind in explain.REASONS
        assert str(explain.KIND_ADVICE[kind])


def test_texts_are_translatable():
    # Lazy texts: they follow the active language when shown.
    with translation.override("es"):
        spanish = str(explain.ACTOR_INDICATORS["betweenness"].name)
    assert isinstance(spanish, str) and spanish


def test_values_read_as_people_read_them():
    assert explain.format_value(0.256, "share") == "26%"
    assert explain.format_value(None, "share") == "—"
    assert explain.format_value(True, "flag") == "Yes"
    assert explain.format_value(1234, "count") == "1,234"
    assert explain.format_value(2.345, "number") == "2.35"
