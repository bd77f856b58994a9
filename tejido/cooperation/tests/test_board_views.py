# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The cooperation hub, the entity's and the program's opportunities boards, the actor panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.cooperation.board.panels import actor_cooperation_panel
from tejido.cooperation.models import (
    ConsortiumStatus,
    ListingKind,
    ProjectStatus,
    ServiceCategory,
    SpaceStatus,
)
from tejido.core.tests.factories import ProgramFactory
from tejido.funds.tests.factories import CallFactory
from tejido.network.models import Provenance, TieType
from tejido.network.services import tie_create

from .board_helpers import board_url, opportunity_between, world
from .factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    JointProjectFactory,
    MissionParticipantFactory,
    ProjectPartnerFactory,
    ReflectionSpaceFactory,
    ServiceListingFactory,
    SpaceParticipantFactory,
    StudyMissionFactory,
    TransferOfferFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> dict[str, Any]:
    return world()


def _page(client: Any, user: Any, url: str) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _text(response: Any) -> str:
    return response.content.decode()


# -- hub ------------------------------------------------------------------------------------------


def test_hub_shows_figures_latest_and_the_ties_it_wove(client, w):
    program, org, other = w["program"], w["org"], w["other"]
    ServiceListingFactory(program=program, actor=org, title="Asesoría contable solidaria")
    ServiceListingFactory(program=program, actor=other, kind=ListingKind.NEED)
    ConsortiumFactory(program=program, lead=org, title="Licitación limpieza de quebradas")
    JointProjectFactory(program=program, status=ProjectStatus.RUNNING, title="Huertos en red")
    ReflectionSpaceFactory(
        program=program, status=SpaceStatus.PUBLISHED, title="Agenda de cuidados"
    )
    StudyMissionFactory(program=program, title="Visita a Rosario")
    cycle = program.current_cycle()
    for provenance in (Provenance.SHARED_SERVICE, Provenance.MISSION):
        tie_create(
            user=None,
            source=ActorFactory(program=program),
            target=ActorFactory(program=program),
            tie_type=TieType.COLLABORATION,
            provenance=provenance,
            cycle=cycle,
        )
    tie_create(  # not this module's
        user=None, source=org, target=other, tie_type=TieType.COLLABORATION, cycle=cycle
    )
    response = _page(client, member_of(program), reverse("cooperation:hub", args=[program.slug]))
    assert response.status_code == 200
    text = _text(response)
    assert "Asesoría contable solidaria" in text
    assert "Licitación limpieza de quebradas" in text
    assert "Huertos en red" in text
    assert "Agenda de cuidados" in text
    assert "Visita a Rosario" in text
    hub = response.context["hub"]
    assert hub.numbers.open_offers == 1 and hub.numbers.open_needs == 1
    assert hub.numbers.consortia_forming == 1 and hub.numbers.projects_running == 1
    assert hub.ties_total == 2
    counts = {code: n for code, _label, n in hub.ties}
    assert counts["shared_service"] == 1 and counts["mission"] == 1 and counts["consortium"] == 0
    assert reverse("cooperation:board", args=[program.slug]) in text


def test_hub_for_a_visitor_hides_consortia_and_the_board(client, w):
    program = w["program"]
    ConsortiumFactory(program=program, lead=w["org"], title="Licitación reservada")
    response = client.get(reverse("cooperation:hub", args=[program.slug]))
    assert response.status_code == 200
    text = _text(response)
    assert "Licitación reservada" not in text
    assert reverse("cooperation:board", args=[program.slug]) not in text


def test_hub_of_a_private_program_asks_to_log_in(client):
    program = ProgramFactory(is_public=False)
    response = client.get(reverse("cooperation:hub", args=[program.slug]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_hub_links_a_representative_to_the_boards_of_its_entities(client, w):
    user = representative_of(w["org"])
    response = _page(client, user, reverse("cooperation:hub", args=[w["program"].slug]))
    assert board_url(w["org"]) in _text(response)
    assert board_url(w["other"]) not in _text(response)


def test_navigation_and_program_dashboard_link_to_the_hub(client, w):
    program = w["program"]
    response = _page(client, member_of(program), reverse("dashboards:program", args=[program.slug]))
    assert response.status_code == 200
    assert _text(response).count(reverse("cooperation:hub", args=[program.slug])) >= 2


# -- the entity's board: who may see it -----------------------------------------------------------


def test_entity_board_for_its_representative_and_coordinators(client, w):
    org = w["org"]
    assert _page(client, representative_of(org), board_url(org)).status_code == 200
    client.logout()
    assert _page(client, coordinator_of(w["program"]), board_url(org)).status_code == 200


def test_entity_board_refused_to_others(client, w):
    org = w["org"]
    assert client.get(board_url(org)).status_code == 302  # anonymous: log in
    assert _page(client, representative_of(w["other"]), board_url(org)).status_code == 403
    client.logout()
    assert _page(client, member_of(w["program"]), board_url(org)).status_code == 403


def test_entity_board_of_a_person_or_another_program_does_not_exist(client, w):
    coordinator = coordinator_of(w["program"])
    person = PersonFactory(program=w["program"])
    assert _page(client, coordinator, board_url(person)).status_code == 404
    stranger = ActorFactory()
    url = reverse("cooperation:entity_board", args=[w["program"].slug, stranger.pk])
    assert client.get(url).status_code == 404


# -- the entity's board: what it shows ------------------------------------------------------------


def _board(client: Any, w: dict[str, Any]) -> Any:
    response = _page(client, representative_of(w["org"]), board_url(w["org"]))
    assert response.status_code == 200
    return response


def _titles(response: Any, key: str) -> list[str]:
    return [card.title for card in response.context["sections"][key].cards]


def test_consortia_looking_for_its_profile(client, w):
    program, org, theme = w["program"], w["org"], w["theme"]
    by_theme = ConsortiumFactory(program=program, title="Por tema")
    by_theme.themes.add(theme)
    ConsortiumFactory(program=program, title="Por región", territory=w["region"])
    wants_it = ConsortiumFactory(program=program, title="Quiere comunitarias")
    wants_it.sectors_wanted = ["community", "public"]
    wants_it.save()
    wants_it.themes.add(theme)
    # Not for it:
    other_sector = ConsortiumFactory(program=program, title="Quiere privadas")
    other_sector.sectors_wanted = ["private"]
    other_sector.save()
    other_sector.themes.add(theme)
    ConsortiumFactory(program=program, title="Otro territorio", territory=w["elsewhere"])
    ConsortiumFactory(program=program, title="Sin nada en común").themes.add(w["other_theme"])
    own = ConsortiumFactory(program=program, lead=org, title="La suya")
    own.themes.add(theme)
    member = ConsortiumFactory(program=program, title="Ya es miembro")
    member.themes.add(theme)
    ConsortiumMemberFactory(consortium=member, actor=org)
    closed = ConsortiumFactory(program=program, title="Cerrado", open_to_partners=False)
    closed.themes.add(theme)
    submitted = ConsortiumFactory(
        program=program, title="Presentado", status=ConsortiumStatus.SUBMITTED
    )
    submitted.themes.add(theme)

    response = _board(client, w)
    found = sorted(_titles(response, "consortia"))
    assert found == ["Por región", "Por tema", "Quiere comunitarias"]
    cards = {card.title: card for card in response.context["sections"]["consortia"].cards}
    assert "Shares themes: Vivienda" in cards["Por tema"].reasons
    assert "Works in Región de Valparaíso" in cards["Por región"].reasons


def test_agendas_it_could_join(client, w):
    program, org, theme = w["program"], w["org"], w["theme"]
    ReflectionSpaceFactory(program=program, title="Por tema").themes.add(theme)
    ReflectionSpaceFactory(
        program=program,
        title="Priorizando en la comuna",
        territory=w["commune"],
        status=SpaceStatus.PRIORITIZING,
    )
    joined = ReflectionSpaceFactory(program=program, title="Ya participa")
    joined.themes.add(theme)
    SpaceParticipantFactory(space=joined, actor=org)
    ReflectionSpaceFactory(
        program=program, title="Publicada", status=SpaceStatus.PUBLISHED
    ).themes.add(theme)
    ReflectionSpaceFactory(program=program, title="Cerrada", open_to_join=False).themes.add(theme)
    ReflectionSpaceFactory(program=program, title="Otro tema").themes.add(w["other_theme"])
    response = _board(client, w)
    assert sorted(_titles(response, "agendas")) == ["Por tema", "Priorizando en la comuna"]


def test_agendas_all_open_ones_when_it_has_no_themes(client, w):
    w["org"].themes.clear()
    ReflectionSpaceFactory(program=w["program"], title="Otro tema").themes.add(w["other_theme"])
    assert _titles(_board(client, w), "agendas") == ["Otro tema"]


def test_transfer_offers_on_its_themes(client, w):
    program, org, theme = w["program"], w["org"], w["theme"]
    TransferOfferFactory(program=program, provider=w["other"], title="Método").themes.add(theme)
    TransferOfferFactory(program=program, provider=org, title="La suya").themes.add(theme)
    TransferOfferFactory(
        program=program, provider=w["other"], title="Cerrada", is_open=False
    ).themes.add(theme)
    TransferOfferFactory(program=program, provider=w["other"], title="Otro").themes.add(
        w["other_theme"]
    )
    assert _titles(_board(client, w), "transfers") == ["Método"]


def test_open_calls_it_is_eligible_for(client, w):
    program = w["program"]
    CallFactory(program=program, title="Para todas")
    CallFactory(program=program, title="Para comunitarias", eligible_sectors=["community"])
    CallFactory(program=program, title="Solo privadas", eligible_sectors=["private"])
    CallFactory(program=program, title="Con documentos", require_legal_document=True)
    in_region = CallFactory(program=program, title="En la región")
    in_region.eligible_territories.add(w["region"])
    away = CallFactory(program=program, title="En Talca")
    away.eligible_territories.add(w["elsewhere"])
    CallFactory(program=program, title="Cerrada", closed=True)
    CallFactory(program=program, title="Borrador", draft=True)
    response = _board(client, w)
    cards = {card.title: card for card in response.context["sections"]["calls"].cards}
    assert set(cards) == {"Para todas", "Para comunitarias", "Con documentos", "En la región"}
    assert cards["Con documentos"].tag == "May pass: check documents"
    assert cards["Para todas"].tag == "Eligible"
    assert reverse("funds:apply", args=[program.slug, _call_pk(cards)]) in _text(response)


def _call_pk(cards: dict[str, Any]) -> int:
    from tejido.funds.models import Call

    return Call.objects.get(title="Para todas").pk


def test_services_it_needs_and_needs_it_could_serve(client, w):
    program, org, other = w["program"], w["org"], w["other"]
    ServiceListingFactory(
        program=program,
        actor=org,
        kind=ListingKind.NEED,
        category=ServiceCategory.LEGAL,
        title="Necesitamos asesoría legal",
    )
    ServiceListingFactory(
        program=program,
        actor=other,
        kind=ListingKind.OFFER,
        category=ServiceCategory.LEGAL,
        title="Clínica jurídica",
    )
    ServiceListingFactory(
        program=program,
        actor=org,
        kind=ListingKind.OFFER,
        category=ServiceCategory.PREMISES,
        title="Prestamos nuestra sede",
    )
    ServiceListingFactory(
        program=program,
        actor=other,
        kind=ListingKind.NEED,
        category=ServiceCategory.PREMISES,
        title="Buscamos sala para talleres",
    )
    response = _board(client, w)
    assert _titles(response, "services") == ["Clínica jurídica"]
    assert _titles(response, "needs") == ["Buscamos sala para talleres"]
    text = _text(response)
    assert "Prestamos nuestra sede" in text  # named as the offer that could serve


def test_suggested_introductions_involving_it(client, w):
    program, org, other = w["program"], w["org"], w["other"]
    opportunity_between(org, other)
    third = ActorFactory(program=program, name="Club Deportivo Playa Ancha")
    opportunity_between(other, third)  # not about it
    opportunity_between(org, ActorFactory(program=program), status="dismissed")
    response = _board(client, w)
    assert _titles(response, "introductions") == ["Fundación Mar Abierto"]
    assert response.context["sections"]["introductions"].count == 1


def test_empty_board_says_what_to_do(client, w):
    response = _board(client, w)
    text = _text(response)
    assert "No consortium is looking for a profile like this one." in text
    assert "No open call fits this entity now." in text
    assert response.context["total"] == 0


def _fill(w: dict[str, Any], n: int) -> None:
    program, theme = w["program"], w["theme"]
    for _i in range(n):
        provider = ActorFactory(program=program)
        provider.themes.add(theme)
        ConsortiumFactory(program=program, lead=provider).themes.add(theme)
        ReflectionSpaceFactory(program=program).themes.add(theme)
        TransferOfferFactory(program=program, provider=provider).themes.add(theme)
        CallFactory(program=program).eligible_territories.add(w["region"])
        ServiceListingFactory(
            program=program,
            actor=provider,
            kind=ListingKind.OFFER,
            category=ServiceCategory.LEGAL,
        )
        ServiceListingFactory(
            program=program,
            actor=provider,
            kind=ListingKind.NEED,
            category=ServiceCategory.PREMISES,
        )
        ServiceListingFactory(
            program=program,
            actor=w["org"],
            kind=ListingKind.NEED,
            category=ServiceCategory.LEGAL,
        )
        opportunity_between(w["org"], provider)
    ServiceListingFactory(
        program=program, actor=w["org"], kind=ListingKind.OFFER, category=ServiceCategory.PREMISES
    )


def _count_queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_entity_board_reads_in_a_fixed_number_of_queries(client, w):
    client.force_login(representative_of(w["org"]))
    url = board_url(w["org"])
    _fill(w, 3)
    client.get(url)
    small = _count_queries(client, url)
    _fill(w, 27)
    large = _count_queries(client, url)
    assert large == small
    assert small <= 45


def test_hub_reads_in_a_fixed_number_of_queries(client, w):
    client.force_login(representative_of(w["org"]))
    url = reverse("cooperation:hub", args=[w["program"].slug])
    _fill(w, 3)
    client.get(url)
    small = _count_queries(client, url)
    _fill(w, 27)
    assert _count_queries(client, url) == small


# -- the program's board --------------------------------------------------------------------------


def test_program_board_for_members(client, w):
    program = w["program"]
    ServiceListingFactory(
        program=program,
        actor=w["org"],
        kind=ListingKind.NEED,
        category=ServiceCategory.LEGAL,
        title="Necesitamos asesoría legal",
    )
    ServiceListingFactory(
        program=program,
        actor=w["other"],
        kind=ListingKind.OFFER,
        category=ServiceCategory.LEGAL,
        title="Clínica jurídica",
    )
    ConsortiumFactory(program=program, title="Busca socias")
    ReflectionSpaceFactory(program=program, title="Agenda abierta")
    CallFactory(program=program, title="Fondo vecinal")
    opportunity_between(w["org"], w["other"])
    url = reverse("cooperation:board", args=[program.slug])
    response = _page(client, member_of(program), url)
    assert response.status_code == 200
    text = _text(response)
    for title in (
        "Necesitamos asesoría legal",
        "Clínica jurídica",
        "Busca socias",
        "Agenda abierta",
        "Fondo vecinal",
        "Fundación Mar Abierto",
    ):
        assert title in text


def test_program_board_refused_to_visitors(client, w):
    url = reverse("cooperation:board", args=[w["program"].slug])
    assert client.get(url).status_code == 302
    assert _page(client, UserFactory(), url).status_code == 403


def test_program_board_picker(client, w):
    program = w["program"]
    url = reverse("cooperation:board", args=[program.slug])
    client.force_login(coordinator_of(program))
    response = client.get(url)
    assert 'name="entity"' in _text(response)
    assert "Junta de Vecinos Cerro Alegre" in _text(response)
    redirect = client.get(url, {"entity": w["org"].pk})
    assert redirect.status_code == 302 and redirect["Location"] == board_url(w["org"])
    client.logout()
    response = _page(client, representative_of(w["org"]), url)
    text = _text(response)
    assert 'name="entity"' not in text
    assert board_url(w["org"]) in text and board_url(w["other"]) not in text


# -- the actor panel ------------------------------------------------------------------------------


def _panel(user: Any, actor: Any) -> str | None:
    request = RequestFactory().get("/")
    request.user = user
    return actor_cooperation_panel(request, actor)


def test_actor_panel_counts_and_board_link(w):
    program, org = w["program"], w["org"]
    ServiceListingFactory(program=program, actor=org)
    ServiceListingFactory(program=program, actor=org, kind=ListingKind.NEED)
    ConsortiumFactory(program=program, lead=org)
    ProjectPartnerFactory(project=JointProjectFactory(program=program), actor=org)
    MissionParticipantFactory(mission=StudyMissionFactory(program=program), actor=org)
    html = _panel(representative_of(org), org)
    assert html is not None
    assert "1 service offered" in html and "1 need published" in html
    assert "In 1 consortium" in html and "1 joint project" in html
    assert "1 study mission" in html
    assert board_url(org) in html
    from django.contrib.auth.models import AnonymousUser

    visitor = _panel(AnonymousUser(), org)
    assert visitor is not None
    assert "consortium" not in visitor and board_url(org) not in visitor


def test_actor_panel_shows_nothing_when_there_is_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    assert not _panel(AnonymousUser(), w["org"])
    assert not _panel(coordinator_of(w["program"]), PersonFactory(program=w["program"]))


def test_actor_panel_on_the_profile(client, w):
    ServiceListingFactory(program=w["program"], actor=w["org"])
    response = _page(
        client,
        representative_of(w["org"]),
        reverse("network:actor", args=[w["program"].slug, w["org"].pk]),
    )
    assert response.status_code == 200
    assert "Intercooperation" in _text(response)
    assert board_url(w["org"]) in _text(response)
