# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""Form-level validation of the actor registry's forms."""

from __future__ import annotations

import datetime

import pytest

from tejido.actors.forms import (
    ActorForm,
    DirectorySearchForm,
    MembershipForm,
    SensitiveDataForm,
    territory_groups,
)
from tejido.actors.models import Actor, SensitiveData
from tejido.actors.selectors import DirectoryFilters
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def actor_form(program, **data):
    base = {"kind": "organization", "name": "Club", "sector": "community"}
    return ActorForm({**base, **data}, instance=Actor(program=program))


def test_actor_form_field_errors(program):
    form = actor_form(
        program,
        name="",
        sector="martian",
        power="6",
        interest="0",
        founded_year="3000",
        website="not a url",
    )
    assert not form.is_valid()
    assert set(form.errors) == {"name", "sector", "power", "interest", "founded_year", "website"}


def test_actor_form_normalizes_and_types(program):
    form = actor_form(program, name="  Club   Deportivo ", power="3", interest="")
    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs()
    assert kwargs["name"] == "Club Deportivo"
    assert (kwargs["power"], kwargs["interest"]) == (3, None)
    assert kwargs["themes"] == [] and kwargs["territories_served"] == []


def test_people_lose_organization_only_fields(program):
    form = actor_form(program, kind="person", legal_form="Fundación", size="10-49")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["legal_form"], form.cleaned_data["size"]) == ("", "")


def test_territories_are_grouped_by_parent(db):
    chile = TerritoryFactory(name="Chile", level=0)
    rm = TerritoryFactory(name="Región Metropolitana", level=1, parent=chile)
    TerritoryFactory(name="Puente Alto", parent=rm)
    TerritoryFactory(name="Peñalolén", parent=rm)
    groups = territory_groups([chile, rm, *rm.children.all()])
    # Top level first (its label is translated), then by the parent's trail.
    assert [[t.name for t in members] for _label, members in groups] == [
        ["Chile"],
        ["Región Metropolitana"],
        ["Peñalolén", "Puente Alto"],
    ]
    assert [label for label, _members in groups][1:] == ["Chile", "Chile › Región Metropolitana"]
    form = ActorForm(instance=Actor(program=ProgramFactory()))
    html = str(form["territory"])
    assert '<optgroup label="Chile › Región Metropolitana">' in html


def test_gender_without_consent_is_refused():
    form = SensitiveDataForm({"sensitive-gender": "woman"}, prefix="sensitive")
    assert not form.is_valid()
    assert "consent_confirmed" in form.errors
    form = SensitiveDataForm(
        {
            "sensitive-gender": "woman",
            "sensitive-consent_text": "  ",
            "sensitive-consent_confirmed": "on",
        },
        prefix="sensitive",
    )
    assert not form.is_valid()
    assert "consent_text" in form.errors


def test_gender_actions(db):
    person = PersonFactory()
    current = SensitiveData.objects.create(
        person=person, gender="man", consent_given_at="2025-01-01T00:00Z"
    )

    def action(gender, confirmed=False):
        data = {"g-gender": gender, "g-consent_text": "Sí."}
        if confirmed:
            data["g-consent_confirmed"] = "on"
        form = SensitiveDataForm(data, prefix="g", current=current)
        return form.action if form.is_valid() else form.errors

    assert action("man") == "keep"
    assert action("") == "withdraw"
    assert "consent_confirmed" in action("woman")
    assert action("woman", confirmed=True) == "record"
    fresh = SensitiveDataForm({"g-gender": ""}, prefix="g")
    assert fresh.is_valid() and fresh.action == "keep"


def test_membership_form(db):
    person = PersonFactory()
    program = person.program
    norte = ActorFactory(program=program, name="Junta de Vecinos Norte")
    ActorFactory(program=program, name="Junta de Vecinos Sur")
    ActorFactory(name="Junta de Vecinos Norte")  # another program

    def form(**data):
        return MembershipForm(data, program=program, person=person)

    exact = form(organization_query="junta de vecinos norte")
    assert exact.is_valid(), exact.errors
    assert exact.cleaned_data["organization_actor"] == norte
    ambiguous = form(organization_query="junta")
    assert not ambiguous.is_valid()
    assert len(ambiguous.matches) == 2
    assert not form(organization_query="nada").is_valid()
    assert not form().is_valid()
    stranger = ActorFactory()
    assert "organization_query" in form(organization=stranger.pk).errors
    assert "organization_query" in form(organization=person.pk).errors
    backwards = form(
        organization=norte.pk,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2023, 1, 1),
    )
    assert "end_date" in backwards.errors


def test_directory_form_is_lenient():
    form = DirectorySearchForm(
        {"q": "junta", "sector": ["public", "martian"], "page": "x", "sort": "-name"}
    )
    search = form.search()
    assert search["query"] == "junta"
    assert search["filters"] == DirectoryFilters(sectors=frozenset({"public"}))
    assert search["page"] == 1
    assert search["descending"] is True
