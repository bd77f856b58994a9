"""A coordinator's day, in a real browser: log in, find an actor, add a tie, see it on the map."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import axe_violations, log_in
from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.network.models import Tie
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def network_program() -> dict[str, Any]:
    program = ProgramFactory(name="Barrios en Red", slug="barrios-en-red")
    territory = TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena")
    program.territories.add(territory)
    junta = ActorFactory(
        program=program,
        name="Junta de Vecinos Villa Ñuble",
        sector=Sector.COMMUNITY,
        territory=territory,
    )
    cesfam = ActorFactory(
        program=program, name="CESFAM Bajos de Mena", sector=Sector.PUBLIC, territory=territory
    )
    club = ActorFactory(
        program=program,
        name="Club Deportivo Estrella",
        sector=Sector.COMMUNITY,
        territory=territory,
    )
    for index in range(12):
        other = ActorFactory(program=program, name=f"Organización {index}", territory=territory)
        TieFactory(source=junta if index % 2 else club, target=other)
    TieFactory(source=junta, target=cesfam)
    coordinator = UserFactory(email="coordinacion@example.org")
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    return {
        "program": program,
        "junta": junta,
        "cesfam": cesfam,
        "club": club,
        "coordinator": coordinator,
        "territory": territory,
    }


def map_graph(page: Any, expression: str) -> Any:
    page.wait_for_selector("#map-canvas[data-state=ready]", state="attached", timeout=30_000)
    return page.evaluate(
        f"() => {{ const graph = document.getElementById('map-canvas').sigma.getGraph();"
        f" return {expression}; }}"
    )


def test_coordinator_finds_an_actor_adds_a_tie_and_sees_it_on_the_map(page, network_program):
    program, junta, club = (
        network_program["program"],
        network_program["junta"],
        network_program["club"],
    )
    log_in(page, network_program["coordinator"].email)
    expect(page.locator(".site-header form[action='/accounts/logout/'] button")).to_be_visible()

    # Search without the accent and in lower case: still found.
    page.goto(f"/p/{program.slug}/actors/")
    page.locator("#directory-q").fill("nuble")
    page.locator("#directory-q").press("Enter")
    result = page.get_by_role("link", name="Junta de Vecinos Villa Ñuble")
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="CESFAM Bajos de Mena")).to_have_count(0)
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Junta de Vecinos Villa Ñuble")

    page.locator(f"a[href$='/actors/{junta.pk}/ties/new/']").first.click()
    page.locator("#partner-q").fill("Estrella")
    page.locator("#partner-q").press("Enter")
    page.locator(f"#partner-{club.pk}").check()
    page.locator("select[name=tie_type]").select_option("funding")
    page.locator("input[name=intensity][value='3']").check()
    page.locator("#tie-form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("Club Deportivo Estrella")
    funding = Tie.objects.current().get(tie_type="funding")
    assert {funding.source_id, funding.target_id} == {junta.pk, club.pk}
    assert funding.intensity == 3

    page.goto(f"/p/{program.slug}/map/")
    assert map_graph(page, "graph.order") == 15
    assert map_graph(page, "graph.size") == 14
    assert map_graph(page, f"graph.areNeighbors('{junta.pk}', '{club.pk}')")


def test_language_switcher_changes_the_interface(page, network_program):
    program = network_program["program"]
    page.goto(f"/p/{program.slug}/actors/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("#language-select").select_option("en")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Directory")
    page.locator("#language-select").select_option("ca")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "ca")
    expect(page.get_by_role("navigation", name=re.compile("Principal"))).to_contain_text(
        "Directori"
    )


@pytest.mark.parametrize("which", ["home", "program", "directory", "profile", "map", "login"])
def test_pages_have_no_serious_accessibility_violations(page, network_program, which):
    program, junta = network_program["program"], network_program["junta"]
    log_in(page, network_program["coordinator"].email)
    url = {
        "home": "/",
        "program": f"/p/{program.slug}/",
        "directory": f"/p/{program.slug}/actors/",
        "profile": f"/p/{program.slug}/actors/{junta.pk}/",
        "map": f"/p/{program.slug}/map/",
        "login": "/accounts/login/",
    }[which]
    if which == "login":
        page.context.clear_cookies()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []


def test_directory_works_on_a_phone(browser, live_server, network_program):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"/p/{network_program['program'].slug}/actors/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the directory must not scroll sideways on a phone"
    expect(page.get_by_role("link", name="CESFAM Bajos de Mena")).to_be_visible()
    context.close()


def test_a_visitor_sees_organizations_but_not_people(page, network_program):
    from tejido.actors.tests.factories import PersonFactory

    program = network_program["program"]
    PersonFactory(program=program, name="Rosa Huenchumilla", territory=network_program["territory"])
    page.goto(f"/p/{program.slug}/actors/?q=rosa")
    expect(page.locator("main")).not_to_contain_text("Rosa Huenchumilla")
    page.goto(f"/p/{program.slug}/actors/")
    expect(page.get_by_role("link", name="CESFAM Bajos de Mena")).to_be_visible()

    log_in(page, network_program["coordinator"].email)
    page.goto(f"/p/{program.slug}/actors/?q=rosa")
    expect(page.get_by_role("link", name="Rosa Huenchumilla")).to_be_visible()
