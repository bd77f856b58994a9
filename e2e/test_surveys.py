"""A network survey answered in a phone's browser changes the map and the indicators."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import axe_violations, log_in
from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.network.models import Provenance, Tie
from tejido.network.surveys import services
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_survey() -> dict[str, Any]:
    program = ProgramFactory(name="Barrios en Red", slug="barrios-en-red")
    territory = TerritoryFactory(name="Bajos de Mena", slug="bajos-de-mena")
    junta = ActorFactory(program=program, name="Junta de Vecinos Villa Ñuble", territory=territory)
    club = ActorFactory(
        program=program,
        name="Club Deportivo Estrella",
        sector=Sector.COMMUNITY,
        territory=territory,
    )
    cesfam = ActorFactory(
        program=program, name="CESFAM Bajos de Mena", sector=Sector.PUBLIC, territory=territory
    )
    TieFactory(source=club, target=cesfam)
    coordinator = UserFactory(email="coordinacion@example.org")
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    today = timezone.localdate()
    survey = services.survey_create(
        user=coordinator,
        program=program,
        cycle=program.current_cycle(today) or program.cycles.order_by("-number").first(),
        title="Encuesta de vínculos",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=20),
    )
    services.survey_set_invitations(user=coordinator, survey=survey, add=[junta])
    services.survey_open(user=coordinator, survey=survey, send_emails=False)
    invitation = survey.invitations.get()
    return {
        "program": program,
        "junta": junta,
        "club": club,
        "coordinator": coordinator,
        "link": services.invitation_url(invitation),
    }


def test_a_survey_answered_on_a_phone_changes_the_map_and_the_indicators(
    browser, live_server, open_survey
):
    junta, club, program = open_survey["junta"], open_survey["club"], open_survey["program"]
    phone = browser.new_context(
        base_url=live_server.url,
        locale="es-CL",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(open_survey["link"])
    expect(page.locator("main")).to_contain_text("Junta de Vecinos Villa Ñuble")
    assert axe_violations(page) == []
    # The live search (htmx), without accents, then the rating form loaded in place.
    page.locator("#survey-q").fill("estrella")
    add = page.locator(f".result-list a[href$='partner={club.pk}']")
    expect(add).to_be_visible()
    add.tap()
    form = page.locator("#answer-editor #answer-form")
    expect(form).to_be_visible()
    assert axe_violations(page) == []
    form.locator("label[for$='intensity_3']").tap()
    form.locator("label[for$='trust_openness_4']").tap()
    form.locator("label[for$='trust_reliability_5']").tap()
    form.locator("label[for$='value_influence_3']").tap()
    form.locator("input[name=resources][value=knowledge]").check()
    form.locator("button[type=submit]").first.tap()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#answers")).to_contain_text("Club Deportivo Estrella")
    assert not Tie.objects.current().filter(program=program).involving(junta).exists()
    page.locator("#send button[type=submit]").tap()
    page.wait_for_load_state("networkidle")
    tie = Tie.objects.current().filter(program=program).involving(junta).get()
    assert (tie.provenance, tie.intensity, tie.trust, tie.value) == (Provenance.SURVEY, 3, 5, 3)
    assert errors == []
    phone.close()

    # The coordinator sees it on the map, and in the recomputed indicators.
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, open_survey["coordinator"].email)
    page.goto(f"/p/{program.slug}/map/")
    page.wait_for_selector("#map-canvas[data-state=ready]", state="attached", timeout=30_000)
    assert page.evaluate(
        "() => document.getElementById('map-canvas').sigma.getGraph()"
        f".areNeighbors('{junta.pk}', '{club.pk}')"
    )
    from tejido.network.analytics.selectors import metrics_by_actor

    metrics = metrics_by_actor(program)
    assert metrics[junta.pk]["degree"] == 1
    assert metrics[club.pk]["degree"] == 2
    desk.close()
