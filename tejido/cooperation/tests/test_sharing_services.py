# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Shared services: listings, requests and the provider's decision, with the ties they record."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

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
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .factories import ServiceAgreementFactory, ServiceListingFactory, representative_of
from .sharing_helpers import scene, snapshot

pytestmark = pytest.mark.django_db


def _current_ties(a, b):
    return Tie.objects.current().filter(
        tie_type=TieType.COLLABORATION, source__in=[a, b], target__in=[a, b]
    )


# -- listings ---------------------------------------------------------------------------------


def test_a_representative_publishes_an_offer_on_behalf_of_their_organization(program):
    s = scene(program)
    listing = services.listing_create(
        user=s.provider_rep,
        program=program,
        actor=s.provider,
        kind=ListingKind.OFFER,
        category=ServiceCategory.RISK_PREVENTION,
        title="  Prevención   de riesgos en sedes ",
        description="Revisamos extintores y vías de evacuación.",
        capacity=3,
    )
    assert listing.title == "Prevención de riesgos en sedes"
    assert listing.created_by == s.provider_rep
    assert AuditEntry.objects.filter(
        action="cooperation.listing.create", target_id=str(listing.pk)
    ).exists()


def test_a_need_has_no_capacity(program):
    s = scene(program)
    listing = services.listing_create(
        user=s.receiver_rep,
        program=program,
        actor=s.receiver,
        kind=ListingKind.NEED,
        category=ServiceCategory.ACCOUNTING,
        title="Rendición del fondo",
        description="Necesitamos ayuda.",
        capacity=4,
    )
    assert listing.capacity is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"category": "astrology"}, "category"),
        ({"terms": "barter"}, "terms"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_listing_input_is_refused_at_the_field_and_changes_nothing(program, changes, field):
    s = scene(program)
    before = snapshot()
    values = {
        "kind": ListingKind.OFFER,
        "category": ServiceCategory.LEGAL,
        "title": "Estatutos",
        "description": "Revisamos estatutos.",
    } | changes
    with pytest.raises(ValidationError) as error:
        services.listing_create(user=s.provider_rep, program=program, actor=s.provider, **values)
    assert field in error.value.message_dict
    assert snapshot() == before


def test_nobody_publishes_for_an_organization_they_do_not_represent(program):
    s = scene(program)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.listing_create(
            user=s.receiver_rep,
            program=program,
            actor=s.provider,
            kind=ListingKind.OFFER,
            category=ServiceCategory.LEGAL,
            title="Estatutos",
            description="Revisamos estatutos.",
        )
    assert "actor" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.listing_create(
            user=UserFactory(),
            program=program,
            actor=s.provider,
            kind=ListingKind.OFFER,
            category=ServiceCategory.LEGAL,
            title="Estatutos",
            description="Revisamos estatutos.",
        )
    assert snapshot() == before


def test_a_person_never_publishes_a_listing(program):
    s = scene(program)
    person = ActorFactory(program=program, kind=ActorKind.PERSON)
    with pytest.raises(ValidationError):
        services.listing_create(
            user=s.coordinator,
            program=program,
            actor=person,
            kind=ListingKind.OFFER,
            category=ServiceCategory.LEGAL,
            title="Estatutos",
            description="Revisamos estatutos.",
        )


def test_a_coordinator_publishes_for_any_organization_and_closes_and_reopens(program):
    s = scene(program)
    listing = services.listing_create(
        user=s.coordinator,
        program=program,
        actor=s.receiver,
        kind=ListingKind.NEED,
        category=ServiceCategory.PREMISES,
        title="Sala los martes",
        description="Para 25 personas.",
    )
    services.listing_set_open(user=s.coordinator, listing=listing, is_open=False)
    listing.refresh_from_db()
    assert not listing.is_open
    services.listing_set_open(user=s.receiver_rep, listing=listing, is_open=True)
    listing.refresh_from_db()
    assert listing.is_open
    with pytest.raises(PermissionDenied):
        services.listing_set_open(user=s.provider_rep, listing=listing, is_open=False)


def test_capacity_cannot_go_below_the_agreements_in_force(program):
    s = scene(program, capacity=3)
    ServiceAgreementFactory(offer=s.offer, receiver=s.receiver, status=AgreementStatus.AGREED)
    ServiceAgreementFactory(offer=s.offer, status=AgreementStatus.AGREED)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.listing_update(
            user=s.provider_rep,
            listing=s.offer,
            actor=s.provider,
            category=s.offer.category,
            title=s.offer.title,
            description=s.offer.description,
            capacity=1,
        )
    assert "capacity" in error.value.message_dict
    assert snapshot() == before
    updated = services.listing_update(
        user=s.provider_rep,
        listing=s.offer,
        actor=s.provider,
        category=s.offer.category,
        title="Contabilidad y rendiciones",
        description=s.offer.description,
        capacity=2,
    )
    assert updated.title == "Contabilidad y rendiciones"
    assert updated.kind == ListingKind.OFFER


# -- requests ---------------------------------------------------------------------------------


def test_a_request_is_recorded_and_the_providers_representatives_are_mailed(
    program, django_capture_on_commit_callbacks
):
    s = scene(program)
    need = ServiceListingFactory(
        program=program, actor=s.receiver, kind=ListingKind.NEED, category=s.offer.category
    )
    s.provider_rep.preferred_language = "ca"
    s.provider_rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        agreement = services.service_request(
            user=s.receiver_rep,
            offer=s.offer,
            receiver=s.receiver,
            need=need,
            message="Necesitamos rendir el fondo municipal.",
        )
    assert agreement.status == AgreementStatus.REQUESTED
    assert agreement.provider == s.provider
    assert agreement.need == need
    assert [m.to for m in mail.outbox] == [[s.provider_rep.email]]
    assert s.receiver.name in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="cooperation.agreement.request").count() == 1


def _refused(s, **kwargs):
    values = {
        "user": s.receiver_rep,
        "offer": s.offer,
        "receiver": s.receiver,
        "message": "¿Nos ayudan?",
    } | kwargs
    before = snapshot()
    with pytest.raises((ValidationError, PermissionDenied)) as error:
        services.service_request(**values)
    assert snapshot() == before
    return error.value


def test_requests_that_are_refused_change_nothing(program):
    s = scene(program)
    # Own offer.
    assert "receiver" in _refused(s, user=s.provider_rep, receiver=s.provider).message_dict
    # Not representing the entity.
    assert "receiver" in _refused(s, user=s.provider_rep).message_dict
    # Not representing anyone.
    assert isinstance(_refused(s, user=UserFactory()), PermissionDenied)
    # No message.
    assert "message" in _refused(s, message=" ").message_dict
    # A need of another entity.
    other_need = ServiceListingFactory(program=program, kind=ListingKind.NEED)
    assert "need" in _refused(s, need=other_need).message_dict
    # A need is not an offer.
    assert _refused(s, offer=other_need)
    # Closed offer.
    ServiceListing.objects.filter(pk=s.offer.pk).update(is_open=False)
    assert "closed" in " ".join(_refused(s).messages)


def test_no_places_left_refuses_a_request(program):
    s = scene(program, capacity=1)
    ServiceAgreementFactory(offer=s.offer, status=AgreementStatus.AGREED)
    assert "places" in " ".join(_refused(s).messages)


def test_one_live_request_per_offer_and_entity(program):
    s = scene(program)
    services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Primera vez."
    )
    error = _refused(s)
    assert "already" in " ".join(error.messages)


# -- decisions --------------------------------------------------------------------------------


def _request(s, need=None):
    return services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, need=need, message="¿Nos ayudan?"
    )


def test_agreeing_records_a_tie_closes_the_need_and_mails_the_receiver(
    program, django_capture_on_commit_callbacks
):
    s = scene(program)
    need = ServiceListingFactory(
        program=program, actor=s.receiver, kind=ListingKind.NEED, category=s.offer.category
    )
    agreement = _request(s, need)
    start = timezone.localdate() - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        agreed = services.agreement_decide(
            user=s.provider_rep,
            agreement=agreement,
            action=services.AGREE,
            note="Dos visitas al mes.",
            starts_on=start,
        )
    assert agreed.status == AgreementStatus.AGREED
    assert agreed.decided_by == s.provider_rep
    assert agreed.starts_on == start
    tie = _current_ties(s.provider, s.receiver).get()
    assert agreed.tie == tie
    assert tie.provenance == Provenance.SHARED_SERVICE
    assert tie.intensity == Intensity.COOPERATION
    assert tie.started_on == start
    need.refresh_from_db()
    assert not need.is_open
    assert [m.to for m in mail.outbox] == [[s.receiver_rep.email]]
    assert AuditEntry.objects.filter(action="cooperation.agreement.agree").count() == 1


def test_a_second_agree_writes_nothing(program):
    s = scene(program)
    agreement = _request(s)
    services.agreement_decide(user=s.provider_rep, agreement=agreement, action=services.AGREE)
    before = snapshot()
    again = services.agreement_decide(
        user=s.provider_rep, agreement=agreement, action=services.AGREE
    )
    assert again.status == AgreementStatus.AGREED
    assert snapshot() == before
    assert Tie.objects.filter(tie_type=TieType.COLLABORATION).count() == 1


def test_a_stronger_tie_is_never_weakened(program):
    s = scene(program)
    stronger = tie_create(
        user=s.coordinator,
        source=s.receiver,
        target=s.provider,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.COORDINATION,
    )
    agreement = _request(s)
    agreed = services.agreement_decide(
        user=s.provider_rep, agreement=agreement, action=services.AGREE
    )
    current = _current_ties(s.provider, s.receiver).get()
    assert current.pk == stronger.pk
    assert current.intensity == Intensity.COORDINATION
    assert agreed.tie_id == stronger.pk


def test_a_weaker_tie_is_raised_to_cooperation(program):
    s = scene(program)
    tie_create(
        user=s.coordinator,
        source=s.receiver,
        target=s.provider,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.AWARENESS,
        trust=4,
    )
    services.agreement_decide(user=s.provider_rep, agreement=_request(s), action=services.AGREE)
    current = _current_ties(s.provider, s.receiver).get()
    assert current.intensity == Intensity.COOPERATION
    assert current.trust == 4
    assert current.provenance == Provenance.SHARED_SERVICE


def test_only_the_provider_agrees_and_refusals_change_nothing(program):
    s = scene(program)
    agreement = _request(s)
    before = snapshot()
    for user in (s.receiver_rep, UserFactory(), representative_of(ActorFactory(program=program))):
        with pytest.raises(PermissionDenied):
            services.agreement_decide(user=user, agreement=agreement, action=services.AGREE)
    with pytest.raises(PermissionDenied):
        services.agreement_decide(
            user=s.provider_rep, agreement=agreement, action=services.WITHDRAW_ACTION
        )
    with pytest.raises(ValidationError):
        services.agreement_decide(
            user=s.provider_rep,
            agreement=agreement,
            action=services.AGREE,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 4, 1),
        )
    with pytest.raises(ValidationError):
        services.agreement_decide(user=s.provider_rep, agreement=agreement, action="shrug")
    assert snapshot() == before


def test_the_last_place_cannot_be_agreed_twice(program):
    s = scene(program, capacity=1)
    first = _request(s)
    other = ActorFactory(program=program)
    second = services.service_request(
        user=representative_of(other), offer=s.offer, receiver=other, message="Nosotros también."
    )
    services.agreement_decide(user=s.provider_rep, agreement=first, action=services.AGREE)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.agreement_decide(user=s.provider_rep, agreement=second, action=services.AGREE)
    assert "places" in " ".join(error.value.messages)
    assert snapshot() == before


def test_decline_withdraw_and_end(program, django_capture_on_commit_callbacks):
    s = scene(program)
    declined = _request(s)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_decide(
            user=s.provider_rep,
            agreement=declined,
            action=services.DECLINE,
            note="No tenemos horas este mes.",
        )
    declined.refresh_from_db()
    assert declined.status == AgreementStatus.DECLINED
    assert declined.terms_note == "No tenemos horas este mes."
    # In the receiver's language (Spanish by default): the offer and the provider's answer.
    assert declined.offer.title in mail.outbox[-1].subject
    assert "No tenemos horas este mes." in mail.outbox[-1].body
    assert not Tie.objects.exists()
    with pytest.raises(ValidationError):
        services.agreement_decide(user=s.provider_rep, agreement=declined, action=services.AGREE)

    withdrawn = _request(s)
    services.agreement_decide(
        user=s.receiver_rep, agreement=withdrawn, action=services.WITHDRAW_ACTION
    )
    withdrawn.refresh_from_db()
    assert withdrawn.status == AgreementStatus.WITHDRAWN

    agreed = _request(s)
    services.agreement_decide(user=s.provider_rep, agreement=agreed, action=services.AGREE)
    tie_count = Tie.objects.count()
    services.agreement_decide(user=s.receiver_rep, agreement=agreed, action=services.END)
    agreed.refresh_from_db()
    assert agreed.status == AgreementStatus.ENDED
    assert agreed.ends_on == timezone.localdate()
    # The tie stays: ties keep history.
    assert Tie.objects.count() == tie_count
    assert _current_ties(s.provider, s.receiver).exists()
    assert ServiceAgreement.objects.filter(status=AgreementStatus.ENDED).count() == 1


def test_only_an_agreement_in_force_can_end(program):
    s = scene(program)
    agreement = _request(s)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.agreement_decide(user=s.provider_rep, agreement=agreement, action=services.END)
    with pytest.raises(PermissionDenied):
        services.agreement_decide(user=UserFactory(), agreement=agreement, action=services.END)
    assert snapshot() == before


def test_entities_for_a_representative_and_a_coordinator():
    program = ProgramFactory()
    s = scene(program)
    ActorFactory(program=program, kind=ActorKind.PERSON)
    assert services.entities_for(s.provider_rep, program) == [s.provider]
    assert {a.pk for a in services.entities_for(s.coordinator, program)} == {
        s.provider.pk,
        s.receiver.pk,
    }
