"""The tie forms on their own: what they accept, what they refuse and how they say it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tejido.actors.tests.factories import ActorFactory
from tejido.core.forms import add_service_error
from tejido.network.forms import (
    TieCreateForm,
    TieEditForm,
    TieEndForm,
)
from tejido.network.models import Intensity, TieType
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


def data(partner, **extra):
    return {
        "partner": str(partner.pk),
        "tie_type": TieType.SUPPORT,
        "direction": "out",
        "intensity": "0",
        "trust": "",
        "value": "5",
        "started_on": "",
        "ended_on": "",
        "note": "  Se conocieron en la feria  ",
        **extra,
    }


def test_valid_create_form_gives_service_values(program):
    actor, partner = ActorFactory(program=program), ActorFactory(program=program)
    form = TieCreateForm(data(partner), actor=actor)
    assert form.is_valid(), form.errors
    assert form.ends() == (actor, partner, True)
    assert form.service_values() == {
        "intensity": Intensity.AWARENESS,
        "trust": None,
        "value": 5,
        "started_on": None,
        "ended_on": None,
        "note": "Se conocieron en la feria",
    }


def test_undirected_and_incoming_directions(program):
    actor, partner = ActorFactory(program=program), ActorFactory(program=program)
    both = TieCreateForm(data(partner, direction="both"), actor=actor)
    incoming = TieCreateForm(data(partner, direction="in"), actor=actor)
    assert both.is_valid() and incoming.is_valid()
    assert both.ends() == (actor, partner, False)
    assert incoming.ends() == (partner, actor, True)


def test_direction_labels_name_the_actor(program):
    actor = ActorFactory(program=program, name="Radio Comunitaria Nuevo Extremo")
    form = TieCreateForm(actor=actor)
    labels = [str(label) for _value, label in form.fields["direction"].choices]
    assert sum("Radio Comunitaria Nuevo Extremo" in label for label in labels) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner": ""}, "partner"),
        ({"partner": "999999"}, "partner"),
        ({"tie_type": "friendship"}, "tie_type"),
        ({"intensity": "-1"}, "intensity"),
        ({"intensity": "5"}, "intensity"),
        ({"trust": "6"}, "trust"),
        ({"value": "abc"}, "value"),
        ({"ended_on": "2024-13-01"}, "ended_on"),
        ({"started_on": "2025-01-10", "ended_on": "2025-01-09"}, "ended_on"),
    ],
)
def test_create_form_errors_are_at_the_field(program, change, field):
    actor, partner = ActorFactory(program=program), ActorFactory(program=program)
    form = TieCreateForm({**data(partner), **change}, actor=actor)
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert all(str(message) for message in form.errors[field])


def test_partner_must_be_in_the_program_and_not_the_actor(program):
    actor = ActorFactory(program=program)
    assert "partner" in TieCreateForm(data(actor), actor=actor).errors
    assert "partner" in TieCreateForm(data(ActorFactory()), actor=actor).errors


def test_spanish_dates_are_accepted(program, settings):
    from django.utils import translation

    actor, partner = ActorFactory(program=program), ActorFactory(program=program)
    with translation.override("es"):
        form = TieCreateForm(data(partner, started_on="15/03/2024"), actor=actor)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["started_on"] == datetime.date(2024, 3, 15)


def test_intensity_options_describe_each_step(program):
    form = TieCreateForm(actor=ActorFactory(program=program))
    options = form.intensity_options()
    assert [o["value"] for o in options] == [0, 1, 2, 3, 4]
    assert all(o["help"] for o in options)
    assert [o["checked"] for o in options] == [False, True, False, False, False]


def test_edit_form_starts_from_the_tie():
    tie = TieFactory(intensity=3, trust=2, note="Mesa barrial")
    form = TieEditForm(tie=tie)
    assert form["intensity"].value() == 3 and form["note"].value() == "Mesa barrial"
    bound = TieEditForm({"intensity": "4", "note": ""}, tie=tie)
    assert bound.is_valid()
    assert bound.service_values()["trust"] is None


def test_end_form_refuses_a_date_before_the_start():
    tie = TieFactory(started_on=datetime.date(2024, 5, 1))
    form = TieEndForm({"ended_on": "2024-04-30"}, tie=tie)
    assert not form.is_valid() and "ended_on" in form.errors
    assert TieEndForm({"ended_on": "2024-05-01"}, tie=tie).is_valid()
    assert "ended_on" in TieEndForm({"ended_on": ""}, tie=tie).errors


def test_service_errors_land_on_their_field_or_above_the_form(program):
    actor, partner = ActorFactory(program=program), ActorFactory(program=program)
    form = TieCreateForm(data(partner), actor=actor)
    assert form.is_valid()
    add_service_error(form, ValidationError({"ended_on": "Too late", "program": "Nope"}))
    add_service_error(form, ValidationError("Try again"))
    assert form.errors["ended_on"] == ["Too late"]
    assert form.non_field_errors() == ["Nope", "Try again"]
