# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two clicks on "record" or "save the follow-up" at once write once. Needs two connections to
one database: PostgreSQL."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.missions import services
from tejido.cooperation.models import FollowUpOutcome, MissionContact, MissionParticipant
from tejido.core.tests.concurrency import race
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Tie, TieType

from .factories import MissionParticipantFactory, StudyMissionFactory, coordinator_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two connections to one database"
    ),
]


def _setup() -> tuple[Any, Any, Any]:
    program = ProgramFactory()
    today = timezone.localdate()
    mission = StudyMissionFactory(
        program=program,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=8),
    )
    participant = MissionParticipantFactory(mission=mission, actor__program=program)
    return program, participant, coordinator_of(program)


def test_double_submit_of_a_contact_records_it_once() -> None:
    program, participant, coordinator = _setup()
    contact = ActorFactory(program=program)

    def record() -> Any:
        fresh = MissionParticipant.objects.select_related("mission__program").get(pk=participant.pk)
        return services.contact_record(user=coordinator, participant=fresh, contact=contact)

    results, errors = race(record, record)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert MissionContact.objects.count() == 1
    assert Tie.objects.current().filter(tie_type=TieType.INFORMATION).count() == 1


def test_double_submit_of_an_agreement_records_one_agreement_tie() -> None:
    program, participant, coordinator = _setup()
    recorded = services.contact_record(
        user=coordinator, participant=participant, contact=ActorFactory(program=program)
    )

    def answer() -> Any:
        fresh = MissionContact.objects.select_related("mission__program", "participant").get(
            pk=recorded.pk
        )
        return services.contact_follow_up(
            user=coordinator, contact=fresh, outcome=FollowUpOutcome.AGREEMENT
        )

    _results, errors = race(answer, answer)
    assert not errors
    assert Tie.objects.current().filter(tie_type=TieType.AGREEMENT).count() == 1
    assert Tie.objects.filter(tie_type=TieType.AGREEMENT).count() == 1
