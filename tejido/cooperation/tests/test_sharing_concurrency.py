# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two agreements on the last place of an offer at once, and two clicks on "agree": the offer's
and the agreement's rows are locked. Needs two connections to one database: PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import AgreementStatus, ServiceAgreement
from tejido.cooperation.sharing import services
from tejido.core.tests.concurrency import race
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Tie

from .factories import representative_of
from .sharing_helpers import scene

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two connections to one database"
    ),
]


def test_two_agreements_cannot_take_the_last_place():
    s = scene(ProgramFactory(), capacity=1)
    first = services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Primero."
    )
    other = ActorFactory(program=s.program)
    second = services.service_request(
        user=representative_of(other), offer=s.offer, receiver=other, message="Segundo."
    )

    def agree(agreement: ServiceAgreement) -> Callable[[], Any]:
        return lambda: services.agreement_decide(
            user=s.provider_rep, agreement=agreement, action=services.AGREE
        )

    results, errors = race(agree(first), agree(second))
    assert len(results) == 1
    assert len(errors) == 1
    assert "places" in str(errors[0])
    assert ServiceAgreement.objects.filter(status=AgreementStatus.AGREED).count() == 1


def test_two_clicks_on_agree_write_one_tie():
    s = scene(ProgramFactory())
    agreement = services.service_request(
        user=s.receiver_rep, offer=s.offer, receiver=s.receiver, message="Hola."
    )

    def agree() -> Any:
        return services.agreement_decide(
            user=s.provider_rep, agreement=agreement, action=services.AGREE
        )

    results, errors = race(agree, agree)
    assert not errors
    assert len(results) == 2
    assert Tie.objects.count() == 1
