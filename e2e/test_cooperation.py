# mypy: disable-error-code="arg-type,attr-defined,misc"
"""Intercooperation in a real browser: the issue's quality bars as user journeys.

1. A need meets an offer: on a phone, an organization's representative publishes a need, finds
   another organization's accounting offer among its matches and requests it; the provider's
   representative agrees with terms; the two are tied ("shared service") on the map.
2. A consortium formed from suggested partners: the lead's representative forms a consortium
   looking for a public partner on a theme, reads the suggestions (with reasons, never its own
   organization), invites two; they accept; the lead ticks the checklist and submits; the
   three members are tied pairwise ("consortium").
3. A mission's contacts become ties: after a study mission, a participant's representative
   records two contacts (an organization of the program and a new host organization); both
   become "mission" ties and the mission page shows its effect.
4. An agenda: a participant distributes dots, the manager closes and publishes, a visitor reads
   the ranking on the published page.

axe-core checks every page of the module visited; phone pages must not scroll sideways. Every
text the test looks for is the code's own message as a Spanish-speaking user reads it (`es`).
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from e2e.conftest import axe_violations, log_in, no_sideways_scroll, screenshot
from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.agendas import services as agenda_services
from tejido.cooperation.models import (
    AgreementStatus,
    Consortium,
    ConsortiumStatus,
    ListingKind,
    MemberStatus,
    MissionContact,
    PartnerRole,
    PriorityInput,
    ServiceAgreement,
    ServiceCategory,
    ServiceListing,
    SpaceStatus,
)
from tejido.cooperation.tests.factories import (
    AgendaItemFactory,
    ItemGroupFactory,
    JointProjectFactory,
    MissionParticipantFactory,
    ProjectPartnerFactory,
    ReflectionSpaceFactory,
    ServiceListingFactory,
    SpaceParticipantFactory,
    StudyMissionFactory,
    TransferOfferFactory,
    coordinator_of,
    representative_of,
)
from tejido.core.models import Program
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import Provenance, Tie, TieType

pytestmark = pytest.mark.django_db(transaction=True)


def es(message: Any) -> str:
    """A message of the code as a Spanish-speaking user reads it."""
    with translation.override("es"):
        return str(message)


def es_text(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


def shot(page: Any, name: str) -> None:
    screenshot(page, f"cooperation-{name}")


def accessible(page: Any, what: str) -> None:
    assert axe_violations(page) == [], what


def phone_page_ok(page: Any, what: str) -> None:
    accessible(page, what)
    assert no_sideways_scroll(page), f"{what}: scrolls sideways on a phone"


def tied_on_the_map(page: Any, program: Program, pairs: list[tuple[Any, Any]]) -> None:
    """Each pair of organizations is an edge of the map's data."""
    response = page.request.get(reverse("network:map_data", args=[program.slug]))
    assert response.status == 200
    data = response.json()
    position = {pk: i for i, pk in enumerate(data["nodes"]["id"])}
    edges = {
        frozenset((s, t))
        for s, t in zip(data["edges"]["source"], data["edges"]["target"], strict=True)
    }
    for one, other in pairs:
        assert frozenset((position[one.pk], position[other.pk])) in edges, (one, other)


def current_ties(
    one: Any, other: Any, provenance: str, tie_type: str | None = TieType.COLLABORATION
) -> list[Tie]:
    found = Tie.objects.current().filter(provenance=provenance)
    if tie_type is not None:
        found = found.filter(tie_type=tie_type)
    return [tie for tie in found if {tie.source_id, tie.target_id} == {one.pk, other.pk}]


def public_program() -> tuple[Program, Any]:
    program = cast(Program, ProgramFactory(name="Barrios en Red", slug="barrios-en-red"))
    territory = TerritoryFactory(name="Valparaíso")
    program.territories.add(territory)
    return program, territory


# -- 1. a need meets an offer -----------------------------------------------------------------


@pytest.fixture
def services_world() -> dict[str, Any]:
    program, territory = public_program()
    council = ActorFactory(
        program=program, name="Junta de Vecinos Cerro Alegre", territory=territory
    )
    office = ActorFactory(
        program=program,
        name="Cooperativa Contable Puerto",
        territory=territory,
        sector=Sector.THIRD_SECTOR,
    )
    offer = ServiceListingFactory(
        program=program,
        actor=office,
        kind=ListingKind.OFFER,
        category=ServiceCategory.ACCOUNTING,
        title="Contabilidad para juntas de vecinos",
        territory=territory,
    )
    return {
        "program": program,
        "council": council,
        "office": office,
        "offer": offer,
        "council_rep": representative_of(council, UserFactory(first_name="Rosa")),
        "office_rep": representative_of(office, UserFactory(first_name="Tomás")),
    }


def test_a_need_meets_an_offer_and_ties_the_two(browsers: Any, services_world: Any) -> None:
    world = services_world
    program, council, office, offer = (
        world["program"],
        world["council"],
        world["office"],
        world["offer"],
    )
    slug = program.slug
    reverse("cooperation:hub", args=[slug])

    phone = browsers(phone=True).new_page()
    log_in(phone, world["council_rep"].email)
    phone.goto(reverse("cooperation:hub", args=[slug]))
    phone_page_ok(phone, "hub, on a phone")
    shot(phone, "1-phone-hub")
    phone.goto(reverse("cooperation:services", args=[slug]))
    expect(phone.locator("main")).to_contain_text(offer.title)
    phone_page_ok(phone, "catalogue, on a phone")
    shot(phone, "1-phone-catalogue")

    # The need, through the form.
    phone.goto(reverse("cooperation:service_new", args=[slug]) + "?kind=need")
    form = phone.locator("form.listing-form")
    form.locator("input[name=kind][value=need]").check()
    form.locator("select[name=category]").select_option(ServiceCategory.ACCOUNTING)
    form.locator("input[name=title]").fill("Necesitamos ayuda con la contabilidad")
    form.locator("textarea[name=description]").fill(
        "Rendir la subvención municipal y llevar los libros de la junta."
    )
    phone_page_ok(phone, "listing form, on a phone")
    shot(phone, "1-phone-listing-form")
    form.locator(".form-actions button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"/cooperation/services/\d+/$"))
    need = ServiceListing.objects.get(kind=ListingKind.NEED, actor=council)
    assert need.title == "Necesitamos ayuda con la contabilidad"
    expect(phone.locator(".messages")).to_contain_text(
        es_text("Published: other organizations of the program can see it.")
    )

    # Its matches: the accounting offer of the other organization, with reasons.
    matches = phone.locator("ol.match-list")
    expect(matches).to_contain_text(offer.title)
    expect(matches).to_contain_text(office.name)
    expect(matches.locator(".match-reasons li").first).to_be_visible()
    phone_page_ok(phone, "need page, on a phone")
    shot(phone, "1-phone-need")
    matches.locator(
        f"a.button[href^='{reverse('cooperation:service', args=[slug, offer.pk])}?need=']"
    ).tap()
    phone.wait_for_url(re.compile(rf"/services/{offer.pk}/\?need={need.pk}#request$"))
    request = phone.locator("#request")
    expect(request.locator("select[name=need]")).to_have_value(str(need.pk))
    request.locator("textarea[name=message]").fill(
        "Somos una junta pequeña: ¿podrían llevarnos los libros desde marzo?"
    )
    phone_page_ok(phone, "offer page with the request form, on a phone")
    shot(phone, "1-phone-offer")
    request.locator("button.request-submit").tap()
    phone.wait_for_url(re.compile(r"/cooperation/agreements/\d+/$"))
    agreement = ServiceAgreement.objects.get(offer=offer, receiver=council)
    assert agreement.status == AgreementStatus.REQUESTED
    assert agreement.need_id == need.pk
    phone_page_ok(phone, "agreement (requested), on a phone")
    shot(phone, "1-phone-requested")

    # The provider agrees, with terms.
    desk = browsers(phone=False).new_page()
    log_in(desk, world["office_rep"].email)
    agreement_url = reverse("cooperation:agreement", args=[slug, agreement.pk])
    desk.goto(agreement_url)
    accessible(desk, "agreement, for the provider")
    shot(desk, "1-desk-agreement")
    agree = desk.locator("form.decision-form:has(input[name=action][value=agree])")
    agree.locator("textarea[name=note]").fill("Libros mensuales y rendición anual, sin costo.")
    agree.locator("button[type=submit]").click()
    desk.wait_for_url(f"**{agreement_url}")
    expect(desk.locator(".messages")).to_contain_text(
        es_text("Agreed: the two organizations are now linked.")
    )
    accessible(desk, "agreement (agreed)")
    shot(desk, "1-desk-agreed")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AGREED
    assert agreement.terms_note == "Libros mensuales y rendición anual, sin costo."

    # One tie, on the map.
    ties = current_ties(council, office, Provenance.SHARED_SERVICE)
    assert len(ties) == 1, ties
    assert (
        len(
            [
                t
                for t in Tie.objects.current().filter(tie_type=TieType.COLLABORATION)
                if {t.source_id, t.target_id} == {council.pk, office.pk}
            ]
        )
        == 1
    )
    tied_on_the_map(phone, program, [(council, office)])

    # The other side sees it too, and the requester's need is closed.
    phone.goto(agreement_url)
    expect(phone.locator("main")).to_contain_text(es_text("What was agreed"))
    need.refresh_from_db()
    assert not need.is_open


# -- 2. a consortium formed from suggested partners ------------------------------------------


@pytest.fixture
def consortium_world() -> dict[str, Any]:
    program, territory = public_program()
    elsewhere = TerritoryFactory(name="Punta Arenas")
    program.territories.add(elsewhere)
    care = ThemeFactory(name="Cuidados")
    lead = ActorFactory(
        program=program, name="Fundación Mar Adentro", territory=territory, sector=Sector.COMMUNITY
    )
    lead.themes.add(care)
    health = ActorFactory(
        program=program, name="CESFAM Cordillera", territory=territory, sector=Sector.PUBLIC
    )
    health.themes.add(care)
    school = ActorFactory(
        program=program,
        name="Liceo Técnico Valparaíso",
        territory=territory,
        sector=Sector.PUBLIC,
    )
    school.themes.add(care)
    far = ActorFactory(
        program=program, name="Club Deportivo Austral", territory=elsewhere, sector=Sector.PRIVATE
    )
    return {
        "program": program,
        "territory": territory,
        "theme": care,
        "lead": lead,
        "partners": [health, school],
        "far": far,
        "lead_rep": representative_of(lead, UserFactory(first_name="Carmen")),
        "partner_reps": [representative_of(health), representative_of(school)],
    }


def test_a_consortium_formed_from_suggested_partners(browsers: Any, consortium_world: Any) -> None:
    world = consortium_world
    program, lead, partners = world["program"], world["lead"], world["partners"]
    slug = program.slug
    reverse("cooperation:hub", args=[slug])

    desk = browsers(phone=False).new_page()
    log_in(desk, world["lead_rep"].email)
    desk.goto(reverse("cooperation:consortia", args=[slug]))
    accessible(desk, "consortia list")
    new_url = reverse("cooperation:consortium_new", args=[slug])
    desk.locator(f"main a[href='{new_url}']").first.click()
    desk.wait_for_url(f"**{new_url}")
    form = desk.locator("form.consortium-form")
    form.locator("input[name=title]").fill("Programa comunal de cuidados 2027")
    form.locator("input[name=contracting_body]").fill("Municipalidad de Valparaíso")
    form.locator(f"input[name=sectors_wanted][value={Sector.PUBLIC}]").check()
    form.locator(f"input[name=themes][value='{world['theme'].pk}']").check()
    form.locator("select[name=territory]").select_option(str(world["territory"].pk))
    accessible(desk, "consortium form")
    shot(desk, "2-consortium-form")
    form.locator(".form-actions button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/consortia/\d+/partners/$"))
    consortium = Consortium.objects.get(lead=lead)
    assert consortium.sectors_wanted == [Sector.PUBLIC]

    # The suggestions: those that fit, with reasons; never the lead itself.
    cards = desk.locator(".partner-card")
    for partner in partners:
        card = cards.filter(has=desk.get_by_role("heading", name=partner.name, exact=True))
        expect(card).to_have_count(1)
        expect(card.locator(".partner-reasons li").first).to_be_visible()
    expect(cards.filter(has_text=lead.name)).to_have_count(0)
    expect(cards.filter(has_text=world["far"].name)).to_have_count(0)
    accessible(desk, "partner suggestions")
    shot(desk, "2-partners")
    for partner in partners:
        card = cards.filter(has=desk.get_by_role("heading", name=partner.name, exact=True))
        card.locator("button[type=submit]").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.locator(".messages")).to_contain_text(partner.name)
    assert consortium.members.filter(status=MemberStatus.INVITED).count() == 2
    shot(desk, "2-invited")

    # The partners accept.
    consortium_url = reverse("cooperation:consortium", args=[slug, consortium.pk])
    for rep, partner in zip(world["partner_reps"], partners, strict=True):
        page = browsers(phone=True).new_page()
        log_in(page, rep.email)
        page.goto(consortium_url)
        phone_page_ok(page, "consortium page, invited, on a phone")
        shot(page, "2-phone-invitation")
        page.locator(".consortium-invitation form:has(input[value=accept]) button").tap()
        page.wait_for_url(f"**{consortium_url}")
        expect(page.locator(".messages")).to_contain_text(partner.name)
    assert consortium.members.filter(status=MemberStatus.JOINED).count() == 3

    # The lead adds the checklist steps, ticks them and submits.
    desk.goto(consortium_url)
    for label in ("Cartas de compromiso firmadas", "Presupuesto por socio"):
        add = desk.locator("form.step-add")
        add.locator("input[name=label]").fill(label)
        add.locator("button[type=submit]").click()
        desk.wait_for_url(re.compile(r"#checklist$"))
    steps = desk.locator(".consortium-steps .consortium-step")
    expect(steps).to_have_count(2)
    for number in range(2):
        step = steps.nth(number)
        step.locator("button.step-check").click()
        expect(steps.nth(number)).to_have_class(re.compile(r"is-done"))
        # The counters follow the tick without reloading the page.
        expect(desk.locator("#steps-done-stat")).to_have_text(f"{number + 1}/2")
    accessible(desk, "consortium page, checklist done")
    shot(desk, "2-consortium")
    desk.goto(consortium_url)
    desk.locator(".consortium-submit form[action$='/submit/'] button").click()
    desk.wait_for_url(f"**{consortium_url}")
    expect(desk.locator(".messages")).to_contain_text(
        es_text("The bid is submitted. The ties among its members are recorded in the network.")
    )
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.SUBMITTED
    shot(desk, "2-submitted")

    members = [lead, *partners]
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    for one, other in pairs:
        assert len(current_ties(one, other, Provenance.CONSORTIUM)) == 1, (one, other)
    tied_on_the_map(desk, program, pairs)


# -- 3. a mission's contacts become ties ------------------------------------------------------


@pytest.fixture
def mission_world() -> dict[str, Any]:
    program, territory = public_program()
    council = ActorFactory(
        program=program, name="Junta de Vecinos Playa Ancha", territory=territory
    )
    met = ActorFactory(
        program=program, name="Cooperativa de Vivienda Ecoquintas", territory=territory
    )
    coordinator = coordinator_of(program)
    mission = StudyMissionFactory(
        program=program,
        title="Misión de estudio a Barcelona: vivienda cooperativa",
        created_by=coordinator,
    )
    MissionParticipantFactory(mission=mission, actor=council)
    return {
        "program": program,
        "council": council,
        "met": met,
        "mission": mission,
        "rep": representative_of(council, UserFactory(first_name="Marta")),
    }


def test_a_missions_contacts_become_ties(browsers: Any, mission_world: Any) -> None:
    world = mission_world
    program, council, met, mission = (
        world["program"],
        world["council"],
        world["met"],
        world["mission"],
    )
    slug = program.slug
    reverse("cooperation:hub", args=[slug])
    phone = browsers(phone=True).new_page()
    log_in(phone, world["rep"].email)
    phone.goto(reverse("cooperation:missions", args=[slug]))
    phone_page_ok(phone, "missions, on a phone")
    shot(phone, "3-phone-missions")
    mission_url = reverse("cooperation:mission", args=[slug, mission.pk])
    phone.goto(mission_url)
    phone_page_ok(phone, "mission, on a phone")
    contacts_url = reverse("cooperation:mission_contacts", args=[slug, mission.pk])
    phone.locator(f"main a[href='{contacts_url}']").first.tap()
    phone.wait_for_url(f"**{contacts_url}")
    phone_page_ok(phone, "contacts form, on a phone")
    shot(phone, "3-phone-contacts")

    # An organization of the program.
    form = phone.locator("form.mission-form")
    form.locator("select[name=participant]").select_option(label=council.name)
    form.locator("select[name=contact]").select_option(str(met.pk))
    form.locator("textarea[name=note]").fill("Nos mostraron su modelo de cesión de uso.")
    form.locator(".form-actions button[type=submit]").tap()
    phone.wait_for_url(f"**{contacts_url}")
    expect(phone.locator(".messages")).to_contain_text(
        es_text("Contact recorded. It now appears as a tie on the map.")
    )
    # A host organization that is not in the program yet, created in the form.
    form = phone.locator("form.mission-form")
    form.locator("select[name=participant]").select_option(label=council.name)
    form.locator("details.new-contact summary").tap()
    form.locator("input[name=new_name]").fill("Sostre Cívic")
    form.locator("select[name=new_country]").select_option("ES")
    form.locator("textarea[name=note]").fill("Cooperativa de vivienda en cesión de uso.")
    form.locator(".form-actions button[type=submit]").tap()
    phone.wait_for_url(f"**{contacts_url}")
    expect(phone.locator(".messages")).to_be_visible()
    recorded = phone.locator(".contact-list")
    expect(recorded).to_contain_text(met.name)
    expect(recorded).to_contain_text("Sostre Cívic")
    phone_page_ok(phone, "contacts recorded, on a phone")
    shot(phone, "3-phone-contacts-recorded")

    contacts = list(MissionContact.objects.filter(mission=mission).select_related("contact"))
    assert len(contacts) == 2
    host = next(c.contact for c in contacts if c.contact_id != met.pk)
    assert host.name == "Sostre Cívic" and host.program_id == program.pk
    for other in (met, host):
        assert len(current_ties(council, other, Provenance.MISSION, tie_type=None)) == 1, other
    tied_on_the_map(phone, program, [(council, met), (council, host)])

    # The mission shows its effect: two new ties.
    phone.goto(mission_url)
    effect = phone.locator(".mission-effect")
    new_ties = effect.locator("li.stat").filter(has_text=es_text("new ties"))
    expect(new_ties.locator(".stat-value")).to_have_text("2")
    phone_page_ok(phone, "mission with its effect, on a phone")
    shot(phone, "3-phone-mission-effect")
    follow_up = reverse("cooperation:mission_follow_up", args=[slug, mission.pk])
    phone.goto(follow_up)
    phone_page_ok(phone, "follow-up, on a phone")
    shot(phone, "3-phone-follow-up")


# -- 4. an agenda: dots, closing, publishing ---------------------------------------------------


@pytest.fixture
def agenda_world() -> dict[str, Any]:
    program, _ = public_program()
    council = ActorFactory(program=program, name="Junta de Vecinos Cerro Cordillera")
    kitchen = ActorFactory(program=program, name="Olla Común Rodelillo")
    coordinator = coordinator_of(program)
    space = ReflectionSpaceFactory(
        program=program,
        title="Agenda social de los cerros 2027",
        created_by=coordinator,
        status=SpaceStatus.PRIORITIZING,
        dots_per_participant=5,
    )
    groups = {
        title: ItemGroupFactory(space=space, title=title, position=number)
        for number, title in enumerate(("Vivienda digna", "Cuidados y personas mayores"))
    }
    for (title, group), actor in zip(groups.items(), (council, kitchen), strict=True):
        AgendaItemFactory(space=space, raised_by=actor, group=group, title=f"{title}: urgencias")
    for actor in (council, kitchen):
        SpaceParticipantFactory(space=space, actor=actor)
    kitchen_rep = representative_of(kitchen)
    # The kitchen has already given its input: one dot each.
    agenda_services.input_submit(
        user=kitchen_rep,
        space=space,
        actor=kitchen,
        content={"dots": {str(g.pk): 1 for g in groups.values()}},
    )
    return {
        "program": program,
        "council": council,
        "space": space,
        "groups": groups,
        "coordinator": coordinator,
        "rep": representative_of(council, UserFactory(first_name="Rosa")),
    }


def test_an_agenda_prioritized_closed_and_published(browsers: Any, agenda_world: Any) -> None:
    world = agenda_world
    program, space, council = world["program"], world["space"], world["council"]
    slug = program.slug
    care = world["groups"]["Cuidados y personas mayores"]
    housing = world["groups"]["Vivienda digna"]
    reverse("cooperation:hub", args=[slug])
    space_url = reverse("cooperation:agenda", args=[slug, space.pk])

    phone = browsers(phone=True).new_page()
    log_in(phone, world["rep"].email)
    phone.goto(reverse("cooperation:agendas", args=[slug]))
    phone_page_ok(phone, "agendas, on a phone")
    shot(phone, "4-phone-agendas")
    phone.goto(space_url)
    form = phone.locator("form.agenda-input")
    expect(form).to_have_count(1)
    form.locator(f"input[name$='group_{care.pk}']").fill("4")
    form.locator(f"input[name$='group_{housing.pk}']").fill("1")
    phone_page_ok(phone, "space, prioritizing, on a phone")
    shot(phone, "4-phone-dots")
    form.locator("button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"#prioritize$"))
    expect(phone.locator(".messages")).to_contain_text(council.name)
    assert PriorityInput.objects.filter(space=space, actor=council).exists()

    desk = browsers(phone=False).new_page()
    log_in(desk, world["coordinator"].email)
    desk.goto(space_url)
    accessible(desk, "space, for its manager")
    close_url = reverse("cooperation:agenda_prioritize_close", args=[slug, space.pk])
    desk.locator(f"form[action='{close_url}'] button").click()
    desk.wait_for_url(re.compile(r"#ranking$"))
    expect(desk.locator(".messages")).to_contain_text(
        es_text("The count is closed. Review the ranking and publish the agenda.")
    )
    publish = desk.locator("form.agenda-publish")
    publish.locator("textarea[name=intro]").fill(
        "Las organizaciones de los cerros acordamos estas prioridades para 2027."
    )
    accessible(desk, "space, count closed")
    shot(desk, "4-desk-closed")
    publish.locator("button[type=submit]").click()
    published_url = reverse("cooperation:agenda_published", args=[slug, space.pk])
    desk.wait_for_url(f"**{published_url}")
    space.refresh_from_db()
    assert space.status == SpaceStatus.PUBLISHED

    visitor = browsers(phone=True).new_page()
    visitor.goto(published_url)
    ranked = visitor.locator("ol.agenda-ranked > li h3")
    expect(ranked).to_have_count(2)
    expect(ranked.nth(0)).to_contain_text(care.title)
    expect(ranked.nth(1)).to_contain_text(housing.title)
    phone_page_ok(visitor, "published agenda, for a visitor on a phone")
    shot(visitor, "4-phone-published")


# -- 5. the other pages of the module, at both sizes -----------------------------------------


def test_the_boards_projects_and_transfers_pages(browsers: Any, services_world: Any) -> None:
    """The pages no journey above walks through: the program's and an entity's opportunities
    boards, joint projects and transfer offers (lists and one of each), at phone and desk size."""
    world = services_world
    program, council, office = world["program"], world["council"], world["office"]
    slug = program.slug
    project = JointProjectFactory(program=program, title="Huertos comunitarios de los cerros")
    ProjectPartnerFactory(project=project, actor=council, role=PartnerRole.LEAD)
    ProjectPartnerFactory(project=project, actor=office, role=PartnerRole.PARTNER)
    transfer = TransferOfferFactory(
        program=program, provider=office, title="Planilla de rendición de subvenciones"
    )
    pages = {
        "board": reverse("cooperation:board", args=[slug]),
        "entity-board": reverse("cooperation:entity_board", args=[slug, council.pk]),
        "projects": reverse("cooperation:projects", args=[slug]),
        "project": reverse("cooperation:project", args=[slug, project.pk]),
        "transfers": reverse("cooperation:transfers", args=[slug]),
        "transfer-offer": reverse("cooperation:transfer_offer", args=[slug, transfer.pk]),
    }
    for phone in (True, False):
        page = browsers(phone=phone).new_page()
        log_in(page, world["council_rep"].email)
        for name, url in pages.items():
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            what = f"{name}, on a {'phone' if phone else 'desk'}"
            if phone:
                phone_page_ok(page, what)
            else:
                accessible(page, what)
            shot(page, f"5-{'phone' if phone else 'desk'}-{name}")
        page.goto(pages["project"])
        expect(page.locator("main")).to_contain_text(office.name)
        page.goto(pages["transfer-offer"])
        expect(page.locator("main")).to_contain_text(transfer.title)
