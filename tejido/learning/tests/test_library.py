"""The library's search page: visibility, facets and their counts, pages, queries, search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.learning import search
from tejido.learning.models import PublicationStatus, Visibility

from .factories import coordinator_of, member_of, representative_of
from .library_helpers import item, transition

pytestmark = pytest.mark.django_db


def _library(client, program, **params):
    return client.get(reverse("learning:library", args=[program.slug]), params)


def _ids(response) -> set[int]:
    return {i.pk for i in response.context["page"].items}


def _facet(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["library"].facets if f.name == name)
    return {o.value: o.count for o in facet.options}


# -- who sees what ------------------------------------------------------------------------------


@pytest.fixture
def matrix(program):
    organization = ActorFactory(program=program)
    writer = representative_of(organization)
    items = {
        "public": item(program, title="Informe público"),
        "members": item(program, title="Informe interno", visibility=Visibility.MEMBERS),
        "draft": item(program, title="Borrador", status=PublicationStatus.DRAFT),
        "own_draft": item(
            program, title="Mi borrador", status=PublicationStatus.DRAFT, created_by=writer
        ),
    }
    return items, writer


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"public"}),
        ("stranger", {"public"}),
        ("member", {"public", "members"}),
        ("writer", {"public", "members", "own_draft"}),
        ("coordinator", {"public", "members", "draft", "own_draft"}),
    ],
)
def test_library_lists_what_each_reader_may_read(client, program, matrix, who, expected):
    items, writer = matrix
    users = {
        "anonymous": None,
        "stranger": UserFactory(),
        "member": member_of(program),
        "writer": writer,
        "coordinator": coordinator_of(program),
    }
    if users[who] is not None:
        client.force_login(users[who])
    response = _library(client, program)
    assert response.status_code == 200
    assert _ids(response) == {items[name].pk for name in expected}
    # Each item the reader may not list is also refused on its own page.
    for name, row in items.items():
        page = client.get(reverse("learning:item", args=[program.slug, row.pk]))
        if name in expected:
            assert page.status_code == 200, name
        elif who == "anonymous":
            assert page.status_code == 302 and "/login" in page["Location"], name
        else:
            assert page.status_code == 404, name


def test_drafts_are_marked_for_coordinators(client, program, matrix):
    client.force_login(coordinator_of(program))
    body = _library(client, program).content.decode()
    assert "library-draft" in body


def test_private_program_library_is_hidden_from_outsiders(client):
    hidden = ProgramFactory(is_public=False)
    item(hidden)
    assert _library(client, hidden).status_code == 302
    client.force_login(UserFactory())
    assert _library(client, hidden).status_code == 404
    client.force_login(member_of(hidden))
    assert len(_ids(_library(client, hidden))) == 1


# -- facets -------------------------------------------------------------------------------------


@pytest.fixture
def shelf(program):
    ecological, digital = transition("ecological"), transition("digital")
    water = ThemeFactory(name="Agua", slug="agua")
    renca, lota = TerritoryFactory(slug="renca"), TerritoryFactory(slug="lota")
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    item(
        program,
        kind="report",
        language="es",
        themes=(ecological, water),
        territories=(renca,),
        authors=(a,),
        published_on="2024-03-01",
    )
    item(
        program,
        kind="report",
        language="ca",
        themes=(digital,),
        territories=(lota,),
        authors=(a, b),
        published_on="2025-03-01",
    )
    item(
        program,
        kind="guide",
        language="es",
        themes=(ecological,),
        territories=(renca,),
        authors=(b,),
        published_on="2025-05-01",
        licence="CC0-1.0",
    )
    item(program, kind="interview", language="es", themes=(water,), published_on="2023-01-01")
    # Not readable by a visitor: never counted for them.
    item(
        program, kind="dataset", language="es", themes=(ecological,), visibility=Visibility.MEMBERS
    )
    return {"a": a, "b": b}


def test_facet_counts_without_filters(client, program, shelf):
    response = _library(client, program)
    assert response.context["page"].count == 4
    assert _facet(response, "kind") == {"report": 2, "guide": 1, "interview": 1}
    assert _facet(response, "transition") == {"ecological": 2, "digital": 1}
    assert _facet(response, "theme") == {"agua": 2}
    assert _facet(response, "territory") == {"renca": 2, "lota": 1}
    assert _facet(response, "language") == {"es": 3, "ca": 1}
    assert _facet(response, "year") == {"2025": 2, "2024": 1, "2023": 1}
    assert _facet(response, "author") == {str(shelf["a"].pk): 2, str(shelf["b"].pk): 2}
    assert _facet(response, "licence") == {"CC-BY-4.0": 3, "CC0-1.0": 1}


def test_facet_counts_apply_the_other_filters_but_not_their_own(client, program, shelf):
    response = _library(client, program, kind="report")
    assert response.context["page"].count == 2
    # The kind facet still offers the other kinds, with what choosing them would add.
    assert _facet(response, "kind") == {"report": 2, "guide": 1, "interview": 1}
    assert _facet(response, "language") == {"es": 1, "ca": 1}
    assert _facet(response, "transition") == {"ecological": 1, "digital": 1}

    combined = _library(client, program, kind=["report", "guide"], transition="ecological")
    assert combined.context["page"].count == 2
    assert _facet(combined, "kind") == {"report": 1, "guide": 1}
    assert _facet(combined, "transition") == {"ecological": 2, "digital": 1}
    assert _facet(combined, "year") == {"2025": 1, "2024": 1}
    assert _facet(combined, "author") == {str(shelf["a"].pk): 1, str(shelf["b"].pk): 1}

    narrow = _library(
        client, program, kind=["report", "guide"], transition="ecological", year="2025"
    )
    assert narrow.context["page"].count == 1
    assert _facet(narrow, "territory") == {"renca": 1}
    chips = narrow.context["active_filters"]
    assert {c["label"] for c in chips} >= {"2025", "Report", "Guide"}


def test_author_and_territory_filters(client, program, shelf):
    response = _library(client, program, author=str(shelf["b"].pk), territory="renca")
    assert response.context["page"].count == 1
    # Author a wrote nothing in Renca that b did not co-write: 1 (the report in Lota is out).
    assert _facet(response, "author") == {str(shelf["a"].pk): 1, str(shelf["b"].pk): 1}
    assert _facet(response, "territory") == {"renca": 1, "lota": 1}


def test_odd_parameters_fall_back_to_defaults(client, program, shelf):
    response = _library(
        client, program, kind="poem", year="19x", author="me", page="-3", territory="nowhere"
    )
    assert response.status_code == 200
    assert response.context["page"].count == 4


def test_pages_of_twenty(client, program):
    for n in range(25):
        item(program, title=f"Guía {n}", reindex=False)
    first = _library(client, program)
    assert len(first.context["page"].items) == 20
    second = _library(client, program, page=2)
    assert len(second.context["page"].items) == 5
    assert not _ids(first) & _ids(second)
    # Beyond the last page: the last page.
    assert _ids(_library(client, program, page=9)) == _ids(second)


def test_htmx_gets_the_fragments(client, program, shelf):
    response = client.get(
        reverse("learning:library", args=[program.slug]),
        {"kind": "report"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="library-results"' in body
    assert 'hx-swap-oob="true"' in body


def test_the_page_works_without_javascript(client, program, shelf):
    body = _library(client, program).content.decode()
    assert 'method="get"' in body
    assert "<noscript>" in body


# -- queries ------------------------------------------------------------------------------------


def _fill(program, n: int) -> None:
    organizations = [ActorFactory(program=program) for _ in range(3)]
    place = TerritoryFactory()
    theme = transition("social")
    for i in range(n):
        item(
            program,
            title=f"Informe de organizaciones {i}",
            kind=["report", "guide", "tool"][i % 3],
            authors=tuple(organizations[: 1 + i % 3]),
            themes=(theme,),
            territories=(place,),
            reindex=False,
        )


@pytest.mark.parametrize("params", [{}, {"kind": "report", "transition": "social"}])
def test_query_count_does_not_grow_with_the_library(client, params):
    counts = []
    for n in (5, 50):
        program = ProgramFactory()
        _fill(program, n)
        client.force_login(coordinator_of(program))
        url = reverse("learning:library", args=[program.slug])
        client.get(url, params)  # warm the session and the roles
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 25


# -- full-text search ---------------------------------------------------------------------------


def test_search_finds_spanish_inflections(client, program):
    found = item(program, title="Diagnóstico de la organización vecinal", language="es")
    item(program, title="Plantilla de acta", abstract="Un formato de acta.", language="es")
    response = _library(client, program, q="organizaciones")
    assert _ids(response) == {found.pk}


def test_search_finds_catalan_inflections(client, program):
    found = item(
        program,
        title="Guia per a l'organització comunitària",
        abstract="Com treballen les entitats del barri.",
        language="ca",
    )
    item(program, title="Catastro de huertos", abstract="Datos de huertos.", language="es")
    response = _library(client, program, q="organitzacions")
    assert _ids(response) == {found.pk}


def test_search_combines_with_facets_and_visibility(client, program):
    report = item(program, kind="report", title="Informe sobre organizaciones")
    item(program, kind="guide", title="Guía para organizaciones")
    item(program, kind="report", title="Informe de organizaciones", visibility=Visibility.MEMBERS)
    response = _library(client, program, q="organización", kind="report")
    assert _ids(response) == {report.pk}
    assert _facet(response, "kind") == {"report": 1, "guide": 1}


def test_large_libraries_estimate_facets_but_count_results_exactly(client, program, monkeypatch):
    from tejido.learning.library import selectors

    monkeypatch.setattr(selectors, "FACET_EXACT_LIMIT", 10)
    for n in range(40):
        item(program, kind="report" if n % 4 else "guide", reindex=False)
    response = _library(client, program)
    assert response.context["library"].approximate
    assert response.context["page"].count == 40
    assert "≈" in response.content.decode()
    filtered = _library(client, program, kind="guide")
    assert filtered.context["page"].count == 10
    assert sum(_facet(filtered, "kind").values()) > 0


def test_common_words_beyond_the_search_cap_still_find_the_filtered_items(
    client, program, monkeypatch
):
    monkeypatch.setattr(search, "MAX_MATCHES", 5)
    tools = [
        item(program, title=f"Plantilla para organizaciones {n}", kind="tool") for n in range(3)
    ]
    for n in range(8):  # newer reports crowd the tools out of the newest five matches
        item(program, title=f"Informe de organizaciones {n}", kind="report")
    response = _library(client, program, q="organización")
    assert response.context["library"].many_matches
    assert response.context["page"].count == 5
    assert "newest matches" in response.content.decode()
    filtered = _library(client, program, q="organización", kind="tool")
    assert _ids(filtered) == {t.pk for t in tools}
