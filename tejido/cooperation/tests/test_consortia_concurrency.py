# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two clicks on "submit" at once write once; two answers to one invitation count once. Needs
two connections to one database: PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.consortia import services
from tejido.cooperation.models import ConsortiumStatus, MemberStatus
from tejido.core.models import AuditEntry
from tejido.core.tests.concurrency import race
from tejido.network.models import Provenance, Tie

from .consortia_helpers import forming
from .factories import representative_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two connections to one database"
    ),
]


def test_double_submit_writes_once(program):
    consortium = forming(program, partners=2)
    user = representative_of(consortium.lead)

    def submit() -> Any:
        return services.consortium_submit(user=user, consortium=consortium)

    results, errors = race(submit, submit)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.SUBMITTED
    assert Tie.objects.current().filter(provenance=Provenance.CONSORTIUM).count() == 3
    assert AuditEntry.objects.filter(action="cooperation.consortium.submit").count() == 1


def test_two_answers_to_one_invitation_count_once(program):
    consortium = forming(program, partners=0)
    invited = ActorFactory(program=program)
    lead_rep = representative_of(consortium.lead)
    member = services.member_invite(user=lead_rep, consortium=consortium, actor=invited)
    first, second = representative_of(invited), representative_of(invited)
    results, errors = race(
        lambda: services.invitation_answer(user=first, member=member, accept=True),
        lambda: services.invitation_answer(user=second, member=member, accept=False),
    )
    assert len(results) == 1 and len(errors) == 1
    member.refresh_from_db()
    assert member.status in (MemberStatus.JOINED, MemberStatus.DECLINED)
    assert AuditEntry.objects.filter(target_id=str(member.pk)).count() == 2  # invite + answer
