# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two clicks at once: agreeing to one transfer, starting one project. One wins, the other is
told it already happened; nothing is written twice. Needs two connections: PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tejido.cooperation.models import JointProject, Transfer
from tejido.cooperation.projects import services
from tejido.core.models import AuditEntry
from tejido.core.tests.concurrency import race
from tejido.network.models import Tie

from .projects_helpers import world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two connections to one database"
    ),
]


def test_two_agrees_at_once_write_once():
    w = world()
    offer = services.offer_create(
        user=w.rep_a, program=w.program, provider=w.a, kind="tool", title="T", description="D"
    )
    transfer = services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b, notify=False)

    def agree() -> Any:
        fresh = Transfer.objects.select_related("offer", "program").get(pk=transfer.pk)
        return services.transfer_decide(user=w.rep_a, transfer=fresh, agree=True, notify=False)

    results, errors = race(agree, agree)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Tie.objects.count() == 1
    assert AuditEntry.objects.filter(action="cooperation.transfer_agree").count() == 1


def test_two_requests_at_once_make_one():
    w = world()
    offer = services.offer_create(
        user=w.rep_a, program=w.program, provider=w.a, kind="tool", title="T", description="D"
    )

    def ask() -> Any:
        return services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b, notify=False)

    results, errors = race(ask, ask)
    assert len(results) == 1 and len(errors) == 1
    assert Transfer.objects.count() == 1


def test_two_starts_at_once_record_ties_once():
    w = world()
    project = services.project_create(
        user=w.rep_a, program=w.program, lead=w.a, title="P", goals="G"
    )
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    services.partner_add(user=w.rep_a, project=project, actor=w.c)

    def start() -> Any:
        fresh = JointProject.objects.select_related("program").get(pk=project.pk)
        return services.project_set_status(user=w.rep_a, project=fresh, status="running")

    results, errors = race(start, start)
    assert results == [3]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Tie.objects.count() == 3
