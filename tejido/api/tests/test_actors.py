"""Actors through the API: search and filters, pagination, privacy of fields, create, update."""

from __future__ import annotations

import pytest

from tejido.accounts.models import Role
from tejido.accounts.services import api_token_create
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.services import person_record_gender
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ThemeFactory

from .conftest import Api


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_list_is_ordered_by_name_with_relations(world):
    world.org.themes.add(world.theme)
    world.org.territories_served.add(world.territory)
    body = Api().get("/programs/barrios/actors").json()
    assert [a["name"] for a in body["items"]] == ["Centro Cultural Mena", "Junta de Vecinos Álamos"]
    org = body["items"][1]
    assert org["program"] == "barrios"
    assert org["territory"]["name"] == "Bajos de Mena"
    assert [t["slug"] for t in org["themes"]] == [world.theme.slug]
    assert [t["name"] for t in org["territories_served"]] == ["Puente Alto"]
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None


def test_search_ignores_case_and_accents(world):
    assert names(Api().get("/programs/barrios/actors", {"q": "ALAMOS"})) == [
        "Junta de Vecinos Álamos"
    ]
    assert names(Api().get("/programs/barrios/actors", {"q": "vecinos álamos"})) == [
        "Junta de Vecinos Álamos"
    ]
    assert names(Api().get("/programs/barrios/actors", {"q": "inexistente"})) == []


def test_filters_by_sector_and_kind(world):
    PersonFactory(program=world.program, name="Ana Rojas", sector=Sector.ACADEMIA)
    member = world.api("evaluator")  # people are listed for members of the program only
    assert names(member.get("/programs/barrios/actors", {"sector": "public"})) == [
        "Centro Cultural Mena"
    ]
    both = member.get("/programs/barrios/actors", {"sector": ["public", "academia"]})
    assert names(both) == ["Ana Rojas", "Centro Cultural Mena"]
    assert names(member.get("/programs/barrios/actors", {"kind": "person"})) == ["Ana Rojas"]
    assert names(Api().get("/programs/barrios/actors", {"kind": "person"})) == []


def test_territory_filter_includes_the_subtree(world):
    ActorFactory(program=world.program, name="Municipalidad", territory=world.territory)
    ActorFactory(program=world.program, name="Lejos", territory=world.elsewhere)
    in_comuna = Api().get("/programs/barrios/actors", {"territory": world.territory.pk})
    assert names(in_comuna) == ["Junta de Vecinos Álamos", "Municipalidad"]
    in_barrio = Api().get("/programs/barrios/actors", {"territory": world.neighbourhood.pk})
    assert names(in_barrio) == ["Junta de Vecinos Álamos"]


def test_theme_filter(world):
    world.other_org.themes.add(world.theme)
    assert names(Api().get("/programs/barrios/actors", {"theme": world.theme.pk})) == [
        "Centro Cultural Mena"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"territory": 999_999}, "territory"),
        ({"theme": 999_999}, "theme"),
        ({"sector": "bakery"}, "sector.0"),
        ({"kind": "robot"}, "kind.0"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**12}, "offset"),
        ({"territory": "abc"}, "territory"),
        ({"territory": 10**30}, "territory"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_filters_are_422_with_the_field(world, params, field):
    response = Api().get("/programs/barrios/actors", params)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["detail"]]


def test_pagination_links_and_limit_cap(world):
    for n in range(8):
        ActorFactory(program=world.program, name=f"Org {n:02d}")
    first = Api().get("/programs/barrios/actors", {"limit": 3, "sector": "community"}).json()
    assert first["count"] == 9 and len(first["items"]) == 3 and first["previous"] is None
    assert "offset=3" in first["next"] and "sector=community" in first["next"]
    second = Api().get(first["next"]).json()
    assert second["offset"] == 3 and "offset=0" in second["previous"]
    assert [a["name"] for a in second["items"]] == ["Org 02", "Org 03", "Org 04"]
    last = (
        Api()
        .get("/programs/barrios/actors", {"limit": 3, "offset": 9, "sector": "community"})
        .json()
    )
    assert last["items"] == [] and last["next"] is None
    capped = Api().get("/programs/barrios/actors", {"limit": 10**9}).json()
    assert capped["limit"] == 200 and capped["count"] == 10


def test_contact_is_hidden_from_the_public_and_shown_to_members(world):
    person = PersonFactory(program=world.program, name="Rosa Pérez", email="rosa@example.org")
    public = Api().get(f"/actors/{world.org.pk}").json()
    assert public["contact"] is None
    assert "alamos@example.org" not in Api().get("/programs/barrios/actors").content.decode()
    evaluator = world.api("evaluator").get(f"/actors/{world.org.pk}").json()
    assert evaluator["contact"]["email"] == "alamos@example.org"
    # A person's contact is personal data: not for evaluators, yes for coordinators.
    assert world.api("evaluator").get(f"/actors/{person.pk}").json()["contact"] is None
    coordinator = world.api("coordinator").get(f"/actors/{person.pk}").json()
    assert coordinator["contact"]["email"] == "rosa@example.org"


def test_gender_only_for_coordinators_and_absent_otherwise(world):
    person = PersonFactory(program=world.program, name="Rosa Pérez")
    person_record_gender(
        user=world.users["coordinator"], person=person, gender="woman", consent_text="Sí, acepto."
    )
    assert world.api("anonymous").get(f"/actors/{person.pk}").status_code == 404
    for who in ("evaluator", "representative", "directorate"):
        response = world.api(who).get(f"/actors/{person.pk}")
        assert response.status_code == 200
        assert "sensitive" not in response.json()
        assert "woman" not in response.content.decode()
    listing = world.api("coordinator").get("/programs/barrios/actors").content.decode()
    assert "woman" not in listing  # lists never carry it, even for coordinators
    detail = world.api("coordinator").get(f"/actors/{person.pk}").json()
    assert detail["sensitive"]["gender"] == "woman"


def test_create_actor_with_relations(world):
    payload = {
        "kind": "organization",
        "name": "  Cooperativa La Esperanza  ",
        "sector": "third_sector",
        "legal_form": "Cooperativa",
        "territory_id": world.neighbourhood.pk,
        "territories_served_ids": [world.territory.pk, world.neighbourhood.pk],
        "theme_ids": [world.theme.pk],
        "email": "coop@example.org",
        "website": "https://coop.example.org",
        "founded_year": 1998,
        "power": 3,
        "interest": 5,
        "stance": "champion",
        "size": "10-49",
    }
    response = world.api("coordinator").post("/programs/barrios/actors", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/actors/{body['id']}"
    actor = Actor.objects.get(pk=body["id"])
    assert actor.name == "Cooperativa La Esperanza"
    assert actor.search_text == "cooperativa la esperanza cooperativa"
    assert actor.created_by == world.users["coordinator"]
    assert {t.pk for t in actor.territories_served.all()} == {
        world.territory.pk,
        world.neighbourhood.pk,
    }
    assert body["contact"]["email"] == "coop@example.org"
    assert body["stance"] == "champion" and body["size"] == "10-49"
    assert AuditEntry.objects.filter(action="actor.create", target_id=str(actor.pk)).exists()


def test_create_with_a_territory_outside_the_program_is_refused(world):
    response = world.api("coordinator").post(
        "/programs/barrios/actors",
        {
            "kind": "organization",
            "name": "Fuera",
            "sector": "public",
            "territory_id": world.elsewhere.pk,
            "territories_served_ids": [world.elsewhere.pk, 987_654],
            "theme_ids": [987_654],
        },
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["detail"]]
    assert sorted(set(fields)) == ["territories_served_ids", "territory_id", "theme_ids"]
    assert not Actor.objects.filter(name="Fuera").exists()


def test_a_region_above_the_program_territory_is_allowed(world):
    region = world.territory.parent
    response = world.api("coordinator").post(
        "/programs/barrios/actors",
        {"kind": "organization", "name": "Gobierno Regional", "sector": "public",
         "territory_id": region.pk},
    )  # fmt: skip
    assert response.status_code == 201, response.content


def test_update_changes_only_the_fields_sent(world):
    world.org.themes.add(world.theme)
    other_theme = ThemeFactory()
    api = world.api("representative")
    response = api.patch(
        f"/actors/{world.org.pk}",
        {"description": "Huertos y ferias", "power": 4, "theme_ids": [other_theme.pk]},
    )
    assert response.status_code == 200, response.content
    world.org.refresh_from_db()
    assert world.org.description == "Huertos y ferias" and world.org.power == 4
    assert world.org.name == "Junta de Vecinos Álamos"
    assert world.org.territory == world.neighbourhood
    assert list(world.org.themes.all()) == [other_theme]
    assert "huertos" in world.org.search_text
    # null clears an optional field; territory_id null unsets the base territory.
    response = api.patch(f"/actors/{world.org.pk}", {"power": None, "territory_id": None})
    assert response.status_code == 200
    world.org.refresh_from_db()
    assert world.org.power is None and world.org.territory is None


@pytest.mark.parametrize("field", ["name", "kind", "sector", "theme_ids"])
def test_update_refuses_null_for_required_fields(world, field):
    response = world.api("coordinator").patch(f"/actors/{world.org.pk}", {field: None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_update_blank_name_gets_djangos_message_in_the_callers_language(world):
    es = world.api("coordinator", language="es").patch(f"/actors/{world.org.pk}", {"name": "  "})
    en = world.api("coordinator", language="en").patch(f"/actors/{world.org.pk}", {"name": ""})
    assert es.status_code == en.status_code == 422
    assert es.json()["detail"] == [
        {"field": "name", "message": "Este campo no puede estar vacío.", "code": "blank"}
    ]
    assert en.json()["detail"][0]["message"] == "This field cannot be blank."
    world.org.refresh_from_db()
    assert world.org.name == "Junta de Vecinos Álamos"


def test_invalid_email_is_reported_at_the_field(world):
    response = world.api("coordinator", language="es").patch(
        f"/actors/{world.org.pk}", {"email": "no-es-un-correo"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "email" and "correo" in error["message"]


def test_actor_detail_of_missing_actor_is_404(world):
    response = Api().get("/actors/987654")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_superuser_and_administrator_can_create(world):
    for who in ("administrator", "superuser"):
        response = world.api(who).post(
            "/programs/barrios/actors",
            {"kind": ActorKind.INFORMAL_GROUP, "name": f"Grupo {who}", "sector": "community"},
        )
        assert response.status_code == 201, response.content


def test_member_of_a_private_program_reads_it(world):
    member = UserFactory()
    ProgramRoleFactory(user=member, program=world.private, role=Role.EVALUATOR)
    token = api_token_create(user=member, name="t")[1]
    response = Api(token).get("/programs/reservado/actors")
    assert names(response) == ["Agrupación Secreta"]
    assert Api(token).get(f"/actors/{world.private_actor.pk}").status_code == 200
