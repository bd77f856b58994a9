# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two submissions of one response at the same moment (a double tap on a slow phone, or two
representatives of the organization) write each tie once. Needs a database that two
connections can share: PostgreSQL (the in-memory SQLite of the default test run cannot)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import SurveyInvitation, Tie
from tejido.network.surveys import services
from tejido.network.tests.factories import survey_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
)
def test_two_simultaneous_submissions_write_each_tie_once():
    world = survey_world(ProgramFactory())
    invitation = world.invitations[0]
    for partner in world.orgs[1:4]:
        services.answer_save(user=None, invitation=invitation, partner=partner, intensity=2)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            services.survey_submit(
                user=None, invitation=SurveyInvitation.objects.get(pk=invitation.pk)
            )
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ties = Tie.objects.filter(program=world.program)
    assert ties.count() == 3  # one version each: the second submission found nothing to change
    assert ties.current().count() == 3
    assert SurveyInvitation.objects.get(pk=invitation.pk).submitted_at is not None
