# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The buttons that post a choice (agree or decline, accept or decline, open or close, done or
open again): a form sent without its choice, or with one the page never offers, changes nothing
and tells the user so, instead of falling back to one of the choices (a missing "answer" once
declined the invitation)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import ChecklistItem, MemberStatus
from tejido.core.tests.matrix import client_for, fingerprint

from .consortia_helpers import forming
from .factories import (
    ConsortiumMemberFactory,
    ServiceAgreementFactory,
    ServiceListingFactory,
    TransferFactory,
    TransferOfferFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

MESSAGE = "The form came without a valid choice: nothing was changed."


def _cases(program: Any) -> list[tuple[Any, str, tuple[int, ...], str]]:
    """(the user who may press the button, URL name, URL arguments, the choice's field)."""
    consortium = forming(program, partners=0)
    step = ChecklistItem.objects.create(consortium=consortium, label="Anexo técnico")
    invited = ConsortiumMemberFactory(
        consortium=consortium, actor=ActorFactory(program=program), status=MemberStatus.INVITED
    )
    listing = ServiceListingFactory(program=program)
    agreement = ServiceAgreementFactory(offer=ServiceListingFactory(program=program))
    offer = TransferOfferFactory(program=program)
    transfer = TransferFactory(offer=offer)
    lead = representative_of(consortium.lead)
    return [
        (
            representative_of(invited.actor),
            "consortium_answer",
            (consortium.pk, invited.pk),
            "answer",
        ),
        (lead, "consortium_step_toggle", (consortium.pk, step.pk), "done"),
        (representative_of(listing.actor), "service_status", (listing.pk,), "open"),
        (representative_of(agreement.provider), "agreement_decide", (agreement.pk,), "action"),
        (representative_of(offer.provider), "transfer_offer_open", (offer.pk,), "open"),
        (representative_of(offer.provider), "transfer_decide", (transfer.pk,), "decision"),
    ]


@pytest.mark.parametrize("sent", [{}, {"choice": "yes"}], ids=["missing", "unknown"])
def test_a_choice_missing_or_unknown_changes_nothing_and_says_so(program, sent):
    for user, name, args, field in _cases(program):
        data = {field: sent["choice"]} if sent else {}
        client = client_for(user)
        before = fingerprint("cooperation")
        response = client.post(reverse(f"cooperation:{name}", args=[program.slug, *args]), data)
        assert response.status_code == 302, name
        assert fingerprint("cooperation") == before, name
        told = [str(m) for m in get_messages(response.wsgi_request)]
        assert told == [MESSAGE], name
