# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Shared services pages: the catalogue, a listing with its matches and request form, the
listing form, an agreement and its decisions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tejido.actors.models import ActorKind
from tejido.actors.tests.factories import ActorFactory, UserFactory
from tejido.cooperation.models import (
    AgreementStatus,
    ListingKind,
    ServiceAgreement,
    ServiceCategory,
    ServiceListing,
)
from tejido.cooperation.sharing import services
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.network.models import Provenance, Tie

from .factories import ServiceListingFactory, member_of, representative_of
from .sharing_helpers import scene, snapshot

pytestmark = pytest.mark.django_db


def url(name, program, *args):
    return reverse(f"cooperation:{name}", args=[program.slug, *args])


# -- the catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_open_offers_and_needs_with_counts(client, program):
    s = scene(program)
    ServiceListingFactory(
        program=program,
        actor=s.receiver,
        kind=ListingKind.NEED,
        category=ServiceCategory.PREMISES,
        title="Sala para el taller de adultos mayores",
    )
    ServiceListingFactory(program=program, actor=s.receiver, title="Cerrada", is_open=False)
    client.force_login(s.receiver_rep)
    response = client.get(url("services", program))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Contabilidad para juntas de vecinos" in body
    assert "Sala para el taller de adultos mayores" in body
    assert "Cerrada" not in body
    assert "Publish an offer" in body
    assert response.context["catalogue"].offers == 1
    assert response.context["catalogue"].needs == 1


def test_filters_kind_category_terms_and_territory_with_its_subterritories(client, program):
    region = TerritoryFactory(level=1)
    comuna = TerritoryFactory(parent=region)
    elsewhere = TerritoryFactory()
    based = ActorFactory(program=program, territory=comuna)
    ServiceListingFactory(program=program, actor=based, title="Sin territorio propio")
    ServiceListingFactory(program=program, territory=comuna, title="En la comuna")
    ServiceListingFactory(program=program, territory=elsewhere, title="En otra parte")
    ServiceListingFactory(
        program=program,
        kind=ListingKind.NEED,
        category=ServiceCategory.LEGAL,
        terms="paid",
        title="Asesoría pagada",
    )
    program.territories.add(region, elsewhere)

    def titles(**params):
        response = client.get(url("services", program), params)
        assert response.status_code == 200
        return {item.title for item in response.context["page"].listings}

    assert titles(territory=region.pk) == {"Sin territorio propio", "En la comuna"}
    assert titles(kind="need") == {"Asesoría pagada"}
    assert titles(category="legal") == {"Asesoría pagada"}
    assert titles(terms="paid") == {"Asesoría pagada"}
    assert len(titles()) == 4
    # An unknown filter value is ignored.
    assert len(titles(kind="nonsense")) == 4


def test_the_empty_catalogue_says_so(client, program):
    response = client.get(url("services", program))
    assert response.status_code == 200
    assert "No services yet" in response.content.decode()
    filtered = client.get(url("services", program), {"category": "legal"})
    assert "Try fewer filters" in filtered.content.decode()


def test_the_htmx_request_gets_only_the_results(client, program):
    ServiceListingFactory(program=program, title="Compra conjunta de alimentos")
    response = client.get(url("services", program), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Compra conjunta de alimentos" in body
    assert 'id="sharing-results"' in body
    assert "<html" not in body


def test_a_private_program_hides_the_catalogue(client):
    program = ProgramFactory(is_public=False)
    assert client.get(url("services", program)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url("services", program)).status_code == 404
    client.force_login(member_of(program))
    assert client.get(url("services", program)).status_code == 200


def test_the_catalogue_pages(client, program):
    for n in range(25):
        ServiceListingFactory(program=program, title=f"Servicio número {n}")
    first = client.get(url("services", program))
    assert len(first.context["page"].listings) == 20
    assert first.context["page"].num_pages == 2
    second = client.get(url("services", program), {"page": 2})
    assert len(second.context["page"].listings) == 5
    assert client.get(url("services", program), {"page": 99}).context["page"].number == 2


def _grow(program, count):
    for n in range(count):
        actor = ActorFactory(program=program)
        offer = ServiceListingFactory(program=program, actor=actor, capacity=3)
        ServiceListingFactory(program=program, actor=actor, kind=ListingKind.NEED)
        ServiceAgreement.objects.create(
            program=program,
            offer=offer,
            provider=actor,
            receiver=ActorFactory(program=program),
            status=AgreementStatus.AGREED if n % 2 else AgreementStatus.REQUESTED,
        )


def test_the_catalogue_costs_the_same_queries_with_3_or_30_rows(
    client, program, django_assert_max_num_queries
):
    user = member_of(program)
    client.force_login(user)
    _grow(program, 3)
    client.get(url("services", program))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url("services", program))
    _grow(program, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("services", program))
    assert len(response.context["page"].listings) == 20


# -- one listing ------------------------------------------------------------------------------


def test_a_need_shows_its_matched_offers_with_reasons_and_the_request_button(client, program):
    s = scene(program)
    need = ServiceListingFactory(
        program=program,
        actor=s.receiver,
        kind=ListingKind.NEED,
        category=s.offer.category,
        title="Rendición del fondo vecinal",
    )
    client.force_login(s.receiver_rep)
    response = client.get(url("service", program, need.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Offers that could meet this need" in body
    assert s.offer.title in body
    assert f"?need={need.pk}#request" in body
    assert "Request this service" in body
    # Someone else sees the matches without the button.
    client.force_login(member_of(program))
    other = client.get(url("service", program, need.pk)).content.decode()
    assert s.offer.title in other
    assert f"?need={need.pk}#request" not in other


def test_an_offer_shows_its_request_form_and_agreements_to_its_entity(client, program):
    s = scene(program, capacity=2)
    need = ServiceListingFactory(
        program=program, actor=s.receiver, kind=ListingKind.NEED, category=s.offer.category
    )
    client.force_login(s.receiver_rep)
    response = client.get(url("service", program, s.offer.pk), {"need": need.pk})
    body = response.content.decode()
    assert "Send the request" in body
    assert "2 places left" in body
    assert response.context["request_form"].initial["need"] == need.pk
    # The request.
    response = client.post(
        url("service_request", program, s.offer.pk),
        {"receiver": s.receiver.pk, "need": need.pk, "message": "Necesitamos rendir el fondo."},
    )
    agreement = ServiceAgreement.objects.get()
    assert response.status_code == 302
    assert response.url == url("agreement", program, agreement.pk)
    # The provider sees it on the offer's page; the receiver sees its own request.
    client.force_login(s.provider_rep)
    body = client.get(url("service", program, s.offer.pk)).content.decode()
    assert "Requests and agreements" in body
    assert s.receiver.name in body
    client.force_login(s.receiver_rep)
    page = client.get(url("service", program, s.offer.pk))
    assert "Your requests" in page.content.decode()
    assert page.context["request_form"] is None


def test_a_refused_request_post_changes_nothing(client, program):
    s = scene(program)
    before = snapshot()
    client.force_login(s.provider_rep)
    response = client.post(
        url("service_request", program, s.offer.pk),
        {"receiver": s.provider.pk, "message": "Para nosotros mismos."},
    )
    assert response.status_code == 400
    client.force_login(member_of(program))
    response = client.post(
        url("service_request", program, s.offer.pk),
        {"receiver": s.receiver.pk, "message": "Hola."},
    )
    assert response.status_code == 403
    client.force_login(s.receiver_rep)
    response = client.post(
        url("service_request", program, s.offer.pk), {"receiver": s.receiver.pk, "message": ""}
    )
    assert response.status_code == 400
    assert "Message to the provider" in response.content.decode()
    client.logout()
    assert client.post(url("service_request", program, s.offer.pk), {}).status_code == 302
    assert snapshot() == before


def test_a_duplicate_request_gets_a_clear_message(client, program):
    s = scene(program)
    services.service_request(user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="1")
    client.force_login(s.coordinator)
    before = snapshot()
    response = client.post(
        url("service_request", program, s.offer.pk),
        {"receiver": s.receiver.pk, "message": "Otra vez."},
    )
    assert response.status_code == 400
    assert "already has a request" in response.content.decode()
    assert snapshot() == before


# -- new and edit -----------------------------------------------------------------------------


def test_publishing_an_offer_through_the_form(client, program):
    s = scene(program)
    client.force_login(s.provider_rep)
    form = client.get(url("service_new", program), {"kind": "need"})
    assert form.status_code == 200
    assert form.context["form"].initial["kind"] == "need"
    response = client.post(
        url("service_new", program),
        {
            "actor": s.provider.pk,
            "kind": "offer",
            "category": "premises",
            "title": "Préstamo de sede social los sábados",
            "description": "Cocina y baño accesible.",
            "capacity": "2",
            "terms": "free",
        },
    )
    listing = ServiceListing.objects.get(title="Préstamo de sede social los sábados")
    assert response.status_code == 302
    assert listing.actor == s.provider
    bad = client.post(url("service_new", program), {"actor": s.provider.pk, "title": ""})
    assert bad.status_code == 400
    assert "Nothing was saved" in bad.content.decode()


def test_the_form_is_refused_to_members_who_represent_nobody(client, program):
    client.force_login(member_of(program))
    assert client.get(url("service_new", program)).status_code == 403


def test_editing_and_closing_a_listing(client, program):
    s = scene(program)
    client.force_login(s.receiver_rep)
    assert client.get(url("service_edit", program, s.offer.pk)).status_code == 403
    before = snapshot()
    assert client.post(url("service_status", program, s.offer.pk), {"open": "0"}).status_code == 403
    assert snapshot() == before
    client.force_login(s.provider_rep)
    page = client.get(url("service_edit", program, s.offer.pk))
    assert page.status_code == 200
    assert "kind" not in page.context["form"].fields
    response = client.post(
        url("service_edit", program, s.offer.pk),
        {
            "actor": s.provider.pk,
            "category": "accounting",
            "title": "Contabilidad y rendiciones",
            "description": "Libro de caja y rendiciones.",
            "terms": "shared_cost",
        },
    )
    assert response.status_code == 302
    s.offer.refresh_from_db()
    assert s.offer.title == "Contabilidad y rendiciones"
    client.post(url("service_status", program, s.offer.pk), {"open": "0"})
    s.offer.refresh_from_db()
    assert not s.offer.is_open


# -- agreements -------------------------------------------------------------------------------


def test_the_agreement_page_is_for_both_entities_and_the_coordinators(client, program):
    s = scene(program)
    agreement = services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Necesitamos ayuda."
    )
    for user in (s.provider_rep, s.receiver_rep, s.coordinator):
        client.force_login(user)
        response = client.get(url("agreement", program, agreement.pk))
        assert response.status_code == 200
        assert "Necesitamos ayuda." in response.content.decode()
    client.force_login(s.provider_rep)
    assert (
        "Agree to provide it"
        in client.get(url("agreement", program, agreement.pk)).content.decode()
    )
    client.force_login(s.receiver_rep)
    body = client.get(url("agreement", program, agreement.pk)).content.decode()
    assert "Withdraw" in body
    assert "Agree to provide it" not in body
    for user in (member_of(program), representative_of(ActorFactory(program=program))):
        client.force_login(user)
        assert client.get(url("agreement", program, agreement.pk)).status_code == 404
    client.logout()
    assert client.get(url("agreement", program, agreement.pk)).status_code == 302


def test_agreeing_through_the_page_records_the_tie_once(client, program):
    s = scene(program)
    agreement = services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Necesitamos ayuda."
    )
    client.force_login(s.receiver_rep)
    before = snapshot()
    assert (
        client.post(url("agreement_decide", program, agreement.pk), {"action": "agree"}).status_code
        == 403
    )
    assert snapshot() == before
    client.force_login(s.provider_rep)
    data = {"action": "agree", "note": "Dos visitas.", "starts_on": "2026-03-01"}
    response = client.post(url("agreement_decide", program, agreement.pk), data)
    assert response.status_code == 302
    client.post(url("agreement_decide", program, agreement.pk), data)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AGREED
    assert Tie.objects.filter(provenance=Provenance.SHARED_SERVICE).count() == 1
    body = client.get(url("agreement", program, agreement.pk)).content.decode()
    assert "Dos visitas." in body
    assert "End the agreement" in body


def test_bad_dates_are_shown_at_the_field(client, program):
    s = scene(program)
    agreement = services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Necesitamos ayuda."
    )
    client.force_login(s.provider_rep)
    before = snapshot()
    response = client.post(
        url("agreement_decide", program, agreement.pk),
        {"action": "agree", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "The end cannot be before the start." in response.content.decode()
    assert snapshot() == before


def test_people_never_appear_as_entities(client, program):
    s = scene(program)
    ActorFactory(program=program, kind=ActorKind.PERSON, name="Rosa Pérez Soto")
    client.force_login(s.coordinator)
    assert "Rosa Pérez Soto" not in client.get(url("service_new", program)).content.decode()


def test_an_offer_page_costs_the_same_queries_with_3_or_30_agreements(
    client, program, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = scene(program)
    client.force_login(s.provider_rep)

    def grow(count):
        for _n in range(count):
            receiver = ActorFactory(program=program)
            ServiceListingFactory(program=program, actor=receiver, kind=ListingKind.NEED)
            ServiceAgreement.objects.create(
                program=program, offer=s.offer, provider=s.provider, receiver=receiver
            )

    grow(3)
    client.get(url("service", program, s.offer.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(url("service", program, s.offer.pk))
    grow(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("service", program, s.offer.pk))
    assert len(response.context["page"].agreements) == 30
