# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""Territory selection pages: who sees and does what, forms and their errors, the what-if panel
(full page and htmx), the decision, and a fixed number of queries however many territories."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Territory
from tejido.core.tests.factories import TerritoryFactory
from tejido.governance.models import CriterionKind, CriterionValue, Scorecard, ScorecardStatus
from tejido.governance.selection import selectors
from tejido.governance.tests.test_selection_support import (
    MANAGES,
    SEES_DRAFTS,
    WHO,
    criteria_by_kind,
    decide,
    make_scorecard,
    make_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def client_for(world, who: str) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    user = world.users[who]
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, scorecard: Scorecard | None = None, program=None, **kwargs) -> str:
    if scorecard is not None:
        return reverse(
            f"governance:{name}", args=[scorecard.program.slug, scorecard.pk, *kwargs.values()]
        )
    return reverse(f"governance:{name}", args=[program.slug])


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- the permission matrix -------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_list_shows_drafts_only_to_members(world, who):
    draft = make_scorecard(world, title="Borrador de selección")
    decided = decide(world, make_scorecard(world, title="Selección decidida"))
    response = client_for(world, who).get(url("scorecards", program=world.program))
    assert response.status_code == 200
    content = response.content.decode()
    assert decided.title in content
    assert (draft.title in content) == (who in SEES_DRAFTS)
    assert ("New scorecard" in content) == (who in MANAGES)


@pytest.mark.parametrize("who", WHO)
def test_scorecard_page_matrix(world, who):
    draft = make_scorecard(world)
    decided = decide(world, make_scorecard(world, title="Decidida"))
    client = client_for(world, who)
    response = client.get(url("scorecard", draft))
    assert response.status_code == (200 if who in SEES_DRAFTS else 404)
    if who in SEES_DRAFTS:
        content = response.content.decode()
        assert ("Record the decision" in content) == (who in MANAGES)
        assert ("Enter values" in content) == (who in MANAGES)
    response = client.get(url("scorecard", decided))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Decided on" in content
    assert "Record the decision" not in content
    assert "Save these weights" not in content


@pytest.mark.parametrize("who", WHO)
def test_private_program_matrix(world, who):
    scorecard = decide(world, make_scorecard(world, program=world.private))
    response = client_for(world, who).get(url("scorecard", scorecard))
    if who == "anonymous":
        assert is_login_redirect(response)
    elif who in SEES_DRAFTS:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
    response = client_for(world, who).get(url("scorecards", program=world.private))
    assert response.status_code == (
        302 if who == "anonymous" else 200 if who in SEES_DRAFTS else 404
    )


@pytest.mark.parametrize("who", WHO)
def test_manage_pages_matrix(world, who):
    scorecard = make_scorecard(world)
    client = client_for(world, who)
    gets = [
        "scorecard_edit",
        "scorecard_criteria",
        "scorecard_values",
        "scorecard_import",
        "scorecard_template",
    ]
    for name in gets:
        response = client.get(url(name, scorecard))
        if who == "anonymous":
            assert is_login_redirect(response), name
        elif who in MANAGES:
            assert response.status_code == 200, name
        elif who in SEES_DRAFTS:
            assert response.status_code == 403, name
        else:
            # A draft does not exist for those who may not see it.
            assert response.status_code in (403, 404), name
    response = client.get(url("scorecard_create", program=world.program))
    assert response.status_code == (302 if who == "anonymous" else 200 if who in MANAGES else 403)
    posts = {
        "scorecard_decide": {"selected": [scorecard.candidates.first().pk], "reasons": "x"},
        "scorecard_organizations": {},
        "scorecard_weights": {f"w{c.pk}": "1" for c in scorecard.criteria.all()},
    }
    for name, data in posts.items():
        response = client.post(url(name, scorecard), data)
        if who == "anonymous":
            assert is_login_redirect(response), name
        elif who in MANAGES:
            assert response.status_code == 302 and "/accounts/" not in response["Location"], name
        else:
            assert response.status_code in (403, 404), name
    scorecard.refresh_from_db()
    assert (scorecard.status == ScorecardStatus.DECIDED) == (who in MANAGES)


def test_decided_by_is_named_only_to_those_who_see_people(world):
    scorecard = decide(world, make_scorecard(world))
    name = world.coordinator.get_full_name()
    member = client_for(world, "directorate").get(url("scorecard", scorecard)).content.decode()
    assert f"by {name}" in member
    visitor = client_for(world, "anonymous").get(url("scorecard", scorecard)).content.decode()
    assert name not in visitor
    assert "by the program's coordination" in visitor
    assert "Mayor vulnerabilidad y apoyo municipal firmado." in visitor


# -- the scorecard page ----------------------------------------------------------------------


def test_ranking_shows_scores_contributions_evidence_and_missing_values(world):
    scorecard = make_scorecard(world)
    by_kind = criteria_by_kind(scorecard)
    response = client_for(world, "coordinator").get(url("scorecard", scorecard))
    content = response.content.decode()
    board = response.context["board"]
    assert [row.candidate.territory.name for row in board.rows][:1] == ["San Bernardo"]
    assert "Oficio N° 101" in content  # evidence
    assert "No value: counts as 0" in content  # organizations never counted
    assert f"{len(board.rows)} values are missing" in content
    assert "weight 50 %" in content
    assert content.count('class="num sel-rank"') == 4
    # The line under the territories the program can take on.
    assert content.count("is-cut") == 1
    assert by_kind[CriterionKind.ORGANIZATIONS].name in content


def test_what_if_full_page_and_htmx_partial(world):
    scorecard = make_scorecard(world)
    by_kind = criteria_by_kind(scorecard)
    weights = {
        f"w{by_kind[CriterionKind.VULNERABILITY].pk}": "0",
        f"w{by_kind[CriterionKind.ORGANIZATIONS].pk}": "0",
        f"w{by_kind[CriterionKind.LOCAL_SUPPORT].pk}": "10",
    }
    client = client_for(world, "coordinator")
    saved_top = [r.candidate.territory.name for r in selectors.scorecard_board(scorecard).rows[:2]]

    page = client.get(url("scorecard", scorecard), weights)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Ranking with the weights you are trying" in content
    assert "Save these weights" in content
    board = page.context["board"]
    tried_top = [r.candidate.territory.name for r in board.rows if r.in_top]
    assert tried_top != saved_top
    assert {r.label for r in board.whatif.entering} == set(tried_top) - set(saved_top)
    assert "Record the decision" in content  # the full page

    partial = client.get(
        url("scorecard", scorecard),
        weights,
        headers={"HX-Request": "true", "HX-Target": "whatif-result"},
    )
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text and "Record the decision" not in text
    assert '<table class="stack-table sel-table">' in text
    assert 'id="whatif-status" hx-swap-oob="innerHTML"' in text
    assert "Enter the first 2" in text or "Enters the first 2" in text
    # Nothing was saved.
    assert [c.weight for c in scorecard.criteria.order_by("position")] == [50, 25, 25]


def test_what_if_refuses_negative_or_all_zero_weights(world):
    scorecard = make_scorecard(world)
    criteria = list(scorecard.criteria.all())
    client = client_for(world, "visitor")
    decide(world, scorecard)
    response = client.get(url("scorecard", scorecard), {f"w{criteria[0].pk}": "-2"})
    content = response.content.decode()
    assert "A weight cannot be negative." in content
    assert "The ranking shows the saved weights." in content
    assert response.context["board"].whatif is None
    response = client.get(url("scorecard", scorecard), {f"w{c.pk}": "0" for c in criteria})
    assert "weight above zero" in response.content.decode()
    # A visitor may explore a decided scorecard but never save weights.
    response = client.get(url("scorecard", scorecard), {f"w{criteria[0].pk}": "5"})
    assert "Ranking with the weights you are trying" in response.content.decode()
    assert "Save these weights" not in response.content.decode()


def test_save_the_tried_weights(world):
    scorecard = make_scorecard(world)
    criteria = list(scorecard.criteria.order_by("position"))
    client = client_for(world, "coordinator")
    response = client.post(url("scorecard_weights", scorecard), {f"w{criteria[0].pk}": "12.5"})
    assert response.status_code == 302
    assert [c.weight for c in scorecard.criteria.order_by("position")] == [Decimal("12.5"), 25, 25]
    response = client.post(url("scorecard_weights", scorecard), {f"w{criteria[0].pk}": "-1"})
    assert response.status_code == 302 and f"w{criteria[0].pk}=-1" in response["Location"]
    assert "csrf" not in response["Location"]
    assert scorecard.criteria.order_by("position").first().weight == Decimal("12.5")


def test_decide_through_the_page(world):
    scorecard = make_scorecard(world)
    client = client_for(world, "coordinator")
    rows = selectors.scorecard_board(scorecard).rows
    response = client.get(url("scorecard", scorecard))
    checked = [c for c, _r, on in response.context["decision_rows"] if on]
    assert [c.pk for c in checked] == [r.candidate.pk for r in rows[:2]]

    response = client.post(url("scorecard_decide", scorecard), {"selected": [], "reasons": ""})
    assert response.status_code == 200
    form = response.context["decision_form"]
    assert "selected" in form.errors and "reasons" in form.errors
    response = client.post(
        url("scorecard_decide", scorecard),
        {"selected": [r.candidate.pk for r in rows[:3]], "reasons": "Porque sí"},
    )
    assert "select at most 2" in response.content.decode()
    assert Scorecard.objects.get(pk=scorecard.pk).status == ScorecardStatus.DRAFT

    response = client.post(
        url("scorecard_decide", scorecard),
        {"selected": [rows[0].candidate.pk], "reasons": "Solo uno por ahora."},
        follow=True,
    )
    content = response.content.decode()
    assert "Decision recorded" in content
    assert "Decided on" in content and "Solo uno por ahora." in content
    assert "The ranking when the decision was taken" in content
    assert "Left out although among the first 2" in content
    # Deciding again, or editing, is refused with a clear message.
    response = client.post(
        url("scorecard_decide", scorecard),
        {"selected": [rows[1].candidate.pk], "reasons": "Otra"},
        follow=True,
    )
    assert "can no longer be changed" in response.content.decode()
    for name in ("scorecard_edit", "scorecard_values", "scorecard_criteria", "scorecard_import"):
        response = client.get(url(name, scorecard), follow=True)
        assert "can no longer be changed" in response.content.decode(), name


# -- setting a scorecard up ------------------------------------------------------------------


def test_create_by_ticking_or_by_level(world):
    client = client_for(world, "coordinator")
    create = url("scorecard_create", program=world.program)
    page = client.get(create)
    choices = [c[1] for c in page.context["form"].fields["territories"].choices]
    assert any("Bajos de Mena" in label for label in choices)  # within the program's region

    response = client.post(
        create,
        {
            "title": "Por comuna",
            "seats_to_fill": "2",
            "source": "level",
            "within": world.region.pk,
            "level": str(Territory.Level.MUNICIPALITY),
        },
    )
    scorecard = Scorecard.objects.get(title="Por comuna")
    assert response.status_code == 302 and response["Location"] == url("scorecard", scorecard)
    assert scorecard.candidates.count() == 4

    response = client.post(
        create,
        {
            "title": "A mano",
            "seats_to_fill": "1",
            "source": "pick",
            "territories": [world.neighbourhoods[0].pk, world.comunas[1].pk],
        },
    )
    assert Scorecard.objects.get(title="A mano").candidates.count() == 2

    response = client.post(
        create,
        {
            "title": "",
            "seats_to_fill": "3",
            "source": "level",
            "within": world.neighbourhoods[0].pk,
            "level": "2",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "within" in errors  # a neighbourhood contains no places
    response = client.post(create, {"title": "Nada", "seats_to_fill": "1", "source": "pick"})
    assert "territories" in response.context["form"].errors
    response = client.post(
        create,
        {
            "title": "Demasiadas",
            "seats_to_fill": "3",
            "source": "pick",
            "territories": [world.comunas[0].pk],
        },
    )
    assert "seats_to_fill" in response.context["form"].errors
    assert Scorecard.objects.count() == 2


def test_edit_criteria_and_add_a_custom_one(world):
    scorecard = make_scorecard(world)
    criteria = list(scorecard.criteria.order_by("position"))
    client = client_for(world, "coordinator")
    page = url("scorecard_criteria", scorecard)
    data = {"action": "save"}
    for c in criteria:
        data |= {f"name_{c.pk}": c.name, f"weight_{c.pk}": "1", f"higher_{c.pk}": "1"}
    data[f"weight_{criteria[0].pk}"] = "-3"
    response = client.post(page, data)
    assert f"weight_{criteria[0].pk}" in response.context["form"].errors
    data[f"weight_{criteria[0].pk}"] = "2"
    data[f"higher_{criteria[2].pk}"] = "0"
    response = client.post(page, data)
    assert response.status_code == 302
    assert [(c.weight, c.higher_is_better) for c in scorecard.criteria.order_by("position")] == [
        (2, True),
        (1, True),
        (1, False),
    ]
    response = client.post(
        page,
        {
            "action": "add",
            "name": "Distancia (km)",
            "weight": "1",
            "higher_is_better": "0",
            "kind": "custom",
        },
    )
    assert response.status_code == 302
    added = scorecard.criteria.get(name="Distancia (km)")
    assert not added.higher_is_better
    response = client.post(
        page,
        {
            "action": "add",
            "name": "distancia (KM)",
            "weight": "1",
            "higher_is_better": "1",
            "kind": "custom",
        },
    )
    assert "name" in response.context["add_form"].errors
    response = client.post(url("scorecard_criterion_remove", scorecard, criterion=added.pk))
    assert response.status_code == 302
    assert not scorecard.criteria.filter(pk=added.pk).exists()


def test_values_grid_saves_everything_or_nothing(world):
    scorecard = make_scorecard(world, values=False)
    by_kind = criteria_by_kind(scorecard)
    vulnerability, support = (
        by_kind[CriterionKind.VULNERABILITY],
        by_kind[CriterionKind.LOCAL_SUPPORT],
    )
    candidates = list(scorecard.candidates.order_by("territory__name"))
    client = client_for(world, "coordinator")
    page = url("scorecard_values", scorecard)
    form = client.get(page).context["form"]
    assert f"v_{candidates[0].pk}_{by_kind[CriterionKind.ORGANIZATIONS].pk}" not in form.fields
    first, second = candidates[0].pk, candidates[1].pk
    data = {
        f"v_{first}_{vulnerability.pk}": "61,5",
        f"e_{first}_{vulnerability.pk}": "RSH 2024",
        f"v_{second}_{support.pk}": "2",  # no evidence: refused
        f"v_{first}_{support.pk}": "abc",
    }
    response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert f"v_{first}_{support.pk}" in errors
    assert not CriterionValue.objects.exists()
    data[f"v_{first}_{support.pk}"] = "3"
    data[f"e_{first}_{support.pk}"] = "Convenio"
    response = client.post(page, data)
    assert response.status_code == 200
    assert f"e_{second}_{support.pk}" in response.context["form"].errors
    assert "where the support comes from" in response.content.decode()
    assert not CriterionValue.objects.exists()
    data[f"e_{second}_{support.pk}"] = "Carta del alcalde"
    data[f"u_{second}_{support.pk}"] = "municipio.cl/carta.pdf"
    response = client.post(page, data)
    assert response.status_code == 302
    stored = {(v.candidate_id, v.criterion_id): v for v in CriterionValue.objects.all()}
    assert stored[first, vulnerability.pk].value == Decimal("61.5")
    assert stored[second, support.pk].evidence_url == "https://municipio.cl/carta.pdf"
    assert len(stored) == 3
    # The grid shows the stored values in the reader's way of writing numbers.
    form = client.get(page, headers={"Accept-Language": "es"}).context["form"]
    assert form[f"v_{first}_{vulnerability.pk}"].value() in ("61,5", "61.5")


def test_import_page_and_template(world):
    scorecard = make_scorecard(world)
    client = client_for(world, "coordinator")
    template = client.get(url("scorecard_template", scorecard))
    assert template["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Territory",
        "Vulnerability index",
        "Vulnerability index (evidence)",
        "Local-government support (0–3)",
        "Local-government support (0–3) (evidence)",
    ]
    assert [r[0] for r in rows[1:]] == ["La Pintana", "Peñalolén", "Puente Alto", "San Bernardo"]
    # The template, edited and uploaded again, imports.
    rows[1][1] = "88,8"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    upload = io.BytesIO(buffer.getvalue().encode())
    upload.name = "valores.csv"
    response = client.post(url("scorecard_import", scorecard), {"file": upload})
    assert response.status_code == 302
    pintana = scorecard.candidates.get(territory__name="La Pintana")
    vulnerability = criteria_by_kind(scorecard)[CriterionKind.VULNERABILITY]
    assert CriterionValue.objects.get(candidate=pintana, criterion=vulnerability).value == Decimal(
        "88.8"
    )

    bad = io.BytesIO("t;Vulnerability index\nValparaíso;3\n13201;x\n".encode())
    bad.name = "malo.csv"
    response = client.post(url("scorecard_import", scorecard), {"file": bad})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "Row 2: “Valparaíso” is not one" in content
    assert "Row 3, column “Vulnerability index”" in content


def test_count_the_organizations_again(world):
    scorecard = make_scorecard(world)
    ActorFactory(program=world.program, territory=world.neighbourhoods[0])
    client = client_for(world, "coordinator")
    response = client.post(url("scorecard_organizations", scorecard), follow=True)
    assert "Counted again from the registry: 1 organization" in response.content.decode()
    organizations = criteria_by_kind(scorecard)[CriterionKind.ORGANIZATIONS]
    assert CriterionValue.objects.filter(criterion=organizations).count() == 4


# -- queries ---------------------------------------------------------------------------------


def _bigger_world(world, size: int) -> Scorecard:
    territories = [
        TerritoryFactory(
            name=f"Villa {i:02d}", parent=world.comunas[0], level=Territory.Level.NEIGHBOURHOOD
        )
        for i in range(size)
    ]
    scorecard = make_scorecard(world, territories=territories, seats=3)
    for territory in territories[::3]:
        ActorFactory(program=world.program, territory=territory)
    from tejido.governance.selection import services

    services.organizations_refresh(user=world.coordinator, scorecard=scorecard)
    return scorecard


@pytest.mark.parametrize("who", ["coordinator", "anonymous"])
def test_scorecard_page_queries_do_not_grow_with_territories(
    world, who, django_assert_max_num_queries
):
    small, large = _bigger_world(world, 5), _bigger_world(world, 40)
    if who == "anonymous":
        decide(world, small)
        decide(world, large)
    client = client_for(world, who)
    counts = []
    for scorecard in (small, large):
        client.get(url("scorecard", scorecard))  # warm caches (sessions, roles)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url("scorecard", scorecard), {f"w{scorecard.criteria.first().pk}": "3"}
            )
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(url("scorecard", large))


def test_list_and_values_queries_do_not_grow(world, django_assert_max_num_queries):
    client = client_for(world, "coordinator")
    small = _bigger_world(world, 5)
    large = _bigger_world(world, 40)
    for page in ("scorecard_values", "scorecard_template"):
        counts = []
        for scorecard in (small, large):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(page, scorecard)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], page
    with django_assert_max_num_queries(10):
        client.get(url("scorecards", program=world.program))


def test_edit_keeps_candidates_outside_the_programs_territories(world):
    elsewhere = TerritoryFactory(name="Valparaíso", level=Territory.Level.MUNICIPALITY)
    scorecard = make_scorecard(world, territories=[world.comunas[0], elsewhere], seats=1)
    client = client_for(world, "coordinator")
    page = client.get(url("scorecard_edit", scorecard))
    field = page.context["form"]["territories"]
    assert {int(v) for v in field.value()} == {world.comunas[0].pk, elsewhere.pk}
    assert elsewhere.pk in {choice[0].value for choice in field.field.choices if choice[0]}
    response = client.post(
        url("scorecard_edit", scorecard),
        {
            "title": "Editada",
            "seats_to_fill": "1",
            "source": "pick",
            "territories": [world.comunas[0].pk, elsewhere.pk, world.comunas[1].pk],
        },
    )
    assert response.status_code == 302
    assert scorecard.candidates.count() == 3
