"""The network map in a real browser: size, colour and highlights redrawn in place; tie types,
intensity and the cycle slider asking the server again; the ego view; accessibility."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, axe_violations, log_in
from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.network.models import ActorMetrics, NetworkSnapshot, Tie, TieType
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db(transaction=True)

SECTORS = [Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE, Sector.THIRD_SECTOR]


@pytest.fixture
def mapped() -> dict[str, Any]:
    """Two groups of six organizations joined through one broker, ties of two types, a tie
    recorded back in cycle 1 (2024) and indicators computed for today."""
    program = ProgramFactory(name="Red de Prueba", slug="red-de-prueba")
    territories = [TerritoryFactory(name="Cerro Alegre"), TerritoryFactory(name="Placeres")]
    actors = [
        ActorFactory(
            program=program,
            name=f"Organización {chr(65 + i)}",
            sector=SECTORS[i % 4],
            territory=territories[i // 7],
        )
        for i in range(13)
    ]
    broker = actors[6]
    ties = []
    for group in (actors[:6], actors[7:]):
        for i, actor in enumerate(group):
            ties.append(TieFactory(source=actor, target=group[(i + 1) % 6], intensity=1 + i % 3))
        ties.append(TieFactory(source=group[0], target=broker, tie_type=TieType.FUNDING))
    early = ties[0]
    moment = timezone.make_aware(datetime.datetime(2024, 3, 1, 12))
    Tie.objects.filter(pk=early.pk).update(recorded_at=moment)
    snapshot = NetworkSnapshot.objects.create(
        program=program,
        as_of=timezone.localdate(),
        summary={
            "bridges": [
                [min(a.pk, broker.pk), max(a.pk, broker.pk)] for a in (actors[0], actors[7])
            ]
        },
    )
    for i, actor in enumerate(actors):
        ActorMetrics.objects.create(
            snapshot=snapshot,
            actor=actor,
            degree=2,
            betweenness=0.9 if actor == broker else 0.01 * i,
            community=0 if i < 6 else 1,
            coreness=2,
            is_critical=actor in (broker, actors[0], actors[7]),
        )
    coordinator = UserFactory(email="coordinacion@example.org", password=PASSWORD)
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    return {
        "program": program,
        "actors": actors,
        "broker": broker,
        "early": early,
        "coordinator": coordinator,
    }


def ready(page: Any) -> None:
    page.wait_for_selector("#map-canvas[data-state=ready]", state="attached", timeout=30_000)


def graph(page: Any, expression: str) -> Any:
    ready(page)
    return page.evaluate(
        "(expression) => { const sigma = document.getElementById('map-canvas').sigma;"
        " const graph = sigma.getGraph(); return eval(expression); }",
        expression,
    )


def test_appearance_changes_redraw_without_asking_the_server(page, mapped):
    log_in(page, mapped["coordinator"].email)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "data.json" in r.url else None)
    page.goto("/p/red-de-prueba/map/")
    assert graph(page, "graph.order") == 13
    assert graph(page, "graph.size") == 14
    broker = str(mapped["broker"].pk)
    other = str(mapped["actors"][3].pk)

    # Size by bridge role: the broker becomes the biggest circle.
    page.locator("#map-size").select_option("betweenness")
    sizes = graph(page, "Object.fromEntries(graph.mapNodes((n, a) => [n, a.size]))")
    assert sizes[broker] == max(sizes.values()) and sizes[broker] > sizes[other]

    # Colour by community: two groups, two colours (the broker with the first).
    page.locator("#map-colour").select_option("community")
    colours = graph(page, "new Set(graph.mapNodes((n, a) => a.color)).size")
    assert colours == 2
    expect(page.locator("#map-legend li")).to_have_count(2)

    # Highlight brokers: the broker keeps its colour, the others fade.
    page.locator("#map-highlight").select_option("brokers")
    shown = graph(
        page,
        f"[sigma.getNodeDisplayData('{broker}').color, sigma.getNodeDisplayData('{other}').color,"
        f" graph.getNodeAttribute('{other}', 'color')]",
    )
    assert shown[0] != shown[1] and shown[1] != shown[2]

    # Critical points and ties: the two ties to the broker stand out.
    page.locator("#map-highlight").select_option("critical")
    red = graph(
        page,
        "graph.filterEdges((e) => sigma.getEdgeDisplayData(e).color === '#c0392b').length",
    )
    assert red == 2
    assert len(requests) == 1, requests  # none of this asked the server again
    assert "size=betweenness" in page.url and "highlight=critical" in page.url


def test_filters_and_cycle_slider_ask_the_server_again(page, mapped):
    log_in(page, mapped["coordinator"].email)
    page.goto("/p/red-de-prueba/map/")
    assert graph(page, "graph.size") == 14
    positions = graph(page, "graph.mapNodes((n, a) => [a.x, a.y])")

    # Tie types: leave out funding (the two ties to the broker).
    page.locator(".map-types summary").click()
    page.locator("input[name=type][value=funding]").uncheck()
    assert graph(page, "graph.size") == 12
    assert graph(page, f"graph.degree('{mapped['broker'].pk}')") == 0
    assert "type=collaboration" in page.url and "type=funding" not in page.url
    # The actors stay where they were: only ties come and go.
    assert graph(page, "graph.mapNodes((n, a) => [a.x, a.y])") == positions
    page.locator("input[name=type][value=funding]").check()
    assert graph(page, "graph.size") == 14

    # Minimum intensity.
    page.locator("#map-intensity").select_option("3")
    assert graph(page, "graph.size") == 4
    page.locator("#map-intensity").select_option("0")
    assert graph(page, "graph.size") == 14

    # The cycle slider, by keyboard: Home is the first cycle, when only one tie was on record.
    slider = page.locator("#map-cycle-range")
    expect(slider).to_be_visible()
    expect(page.locator("#map-cycle")).to_be_hidden()
    slider.focus()
    slider.press("Home")
    assert graph(page, "graph.size") == 1
    early = mapped["early"]
    assert graph(page, f"graph.areNeighbors('{early.source_id}', '{early.target_id}')")
    assert "cycle=1" in page.url
    expect(page.locator("#map-cycle-value")).not_to_be_empty()
    # The table below follows.
    expect(page.locator("#map-table .stat-value").nth(1)).to_have_text("1")
    slider.press("End")
    assert graph(page, "graph.size") == 14
    assert graph(page, "graph.mapNodes((n, a) => [a.x, a.y])") == positions


def test_ego_view_from_the_search_and_the_partner_list(page, mapped):
    log_in(page, mapped["coordinator"].email)
    page.goto("/p/red-de-prueba/map/")
    ready(page)
    broker = mapped["broker"]
    page.locator("#map-search-input").fill("organizacion g")  # no accent, lower case
    page.locator("#map-search button[type=submit]").click()
    panel = page.locator("#map-selection")
    expect(panel.get_by_role("heading", name=broker.name)).to_be_visible()
    profile = panel.get_by_role("link")
    expect(profile).to_have_attribute("href", f"/p/red-de-prueba/actors/{broker.pk}/")
    expect(panel.locator(".map-indicators dd").first).to_have_text("2")
    # The partners are lit, the partners' partners dimmed, the rest faded.
    colours = graph(
        page,
        f"['{broker.pk}', '{mapped['actors'][0].pk}', '{mapped['actors'][1].pk}',"
        f" '{mapped['actors'][3].pk}'].map((n) => sigma.getNodeDisplayData(n).color)",
    )
    assert colours[2] == "#aeb5c3" and colours[3] == "#dde1e8"
    assert colours[1] not in ("#aeb5c3", "#dde1e8")
    assert f"focus={broker.pk}" in page.url

    # Move to a partner with the keyboard, then back to the whole network.
    partner = panel.locator(".map-partners button").first
    name = partner.inner_text()
    partner.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=3)).to_have_text(name)
    panel.locator(".map-selection-actions button").click()
    expect(panel).to_be_empty()
    assert graph(page, f"sigma.getNodeDisplayData('{mapped['actors'][3].pk}').color") != ("#dde1e8")


def test_map_page_passes_axe_with_its_controls(page, mapped):
    log_in(page, mapped["coordinator"].email)
    page.goto("/p/red-de-prueba/map/?highlight=brokers&focus=" + str(mapped["broker"].pk))
    ready(page)
    expect(page.locator("#map-selection h3")).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert axe_violations(page) == []


def test_public_visitors_see_the_map_without_people(page, mapped):
    person = ActorFactory(program=mapped["program"], name="Rosa Pérez", kind="person")
    TieFactory(source=mapped["actors"][0], target=person)
    page.goto("/p/red-de-prueba/map/")
    assert graph(page, "graph.order") == 13
    assert not graph(page, f"graph.hasNode('{person.pk}')")
