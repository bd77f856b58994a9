"""The governance panel on the actor profile: an organization's seats and the open agreements it
is responsible for, in a fixed number of queries, and only for bodies the reader may see."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core import panels
from tejido.governance.bodies.panels import actor_governance_panel
from tejido.governance.models import AgreementStatus
from tejido.governance.tests.factories import (
    AgreementFactory,
    BodyFactory,
    MandateFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


def profile_url(actor):
    return reverse("network:actor", args=[actor.program.slug, actor.pk])


def test_the_panel_is_registered_by_the_governance_app():
    assert actor_governance_panel in panels._actor_panels


def test_registry_renders_what_panels_return(rf: RequestFactory):
    calls = []

    def quiet(request, actor):
        calls.append(actor)
        return None

    def loud(request, actor):
        return f"<p>{actor}</p>"

    saved = list(panels._actor_panels)
    try:
        panels._actor_panels[:] = []
        panels.register_actor_panel(quiet)
        panels.register_actor_panel(loud)
        panels.register_actor_panel(loud)  # twice: still once
        assert panels.actor_panels(rf.get("/"), "Junta") == ["<p>Junta</p>"]
        assert calls == ["Junta"]
    finally:
        panels._actor_panels[:] = saved


def test_profile_shows_seats_and_open_agreements_with_overdue_flagged(client, program):
    today = timezone.localdate()
    organization = ActorFactory(program=program, name="Junta de Vecinos Los Aromos")
    body = BodyFactory(program=program, name="Directorio Local de Bajos de Mena")
    MandateFactory(seat=SeatFactory(body=body, label="Comunitario 3"), organization=organization)
    MandateFactory(
        seat=SeatFactory(body=body, label="Asiento antiguo"),
        organization=organization,
        starts_on=today - datetime.timedelta(days=900),
        ends_on=today - datetime.timedelta(days=200),
    )
    late = AgreementFactory(
        body=body, text="Gestionar luminarias en el pasaje", due_on=today - datetime.timedelta(5)
    )
    late.responsible.add(organization)
    later = AgreementFactory(
        body=body, text="Invitar a la OPD", due_on=today + datetime.timedelta(9)
    )
    later.responsible.add(organization)
    done = AgreementFactory(body=body, text="Acuerdo cerrado", status=AgreementStatus.DONE)
    done.responsible.add(organization)
    AgreementFactory(body=body, text="De otra organización")

    page = client.get(profile_url(organization)).text
    assert "Local governance" in page
    assert "Directorio Local de Bajos de Mena" in page and "Comunitario 3" in page
    assert "Asiento antiguo" not in page
    assert "Gestionar luminarias en el pasaje" in page and "Invitar a la OPD" in page
    assert "Acuerdo cerrado" not in page and "De otra organización" not in page
    assert "1 overdue" in page and "Overdue" in page


def test_nothing_to_show_no_panel(client, program):
    organization = ActorFactory(program=program)
    assert "Local governance" not in client.get(profile_url(organization)).text


def test_members_only_bodies_stay_hidden_from_visitors(client, program):
    organization = ActorFactory(program=program)
    body = BodyFactory(program=program, name="Mesa reservada", is_public=False)
    MandateFactory(seat=SeatFactory(body=body), organization=organization)
    assert "Mesa reservada" not in client.get(profile_url(organization)).text
    client.force_login(ProgramRoleFactory(program=program, role=Role.DIRECTORATE_MEMBER).user)
    assert "Mesa reservada" in client.get(profile_url(organization)).text


def test_panel_reads_two_queries_whatever_the_rows(rf, program):
    organization = ActorFactory(program=program)
    viewer = UserFactory(is_superuser=True)
    request = rf.get("/")
    request.user = viewer
    counts = []
    for n in (1, 12):
        for _ in range(n):
            body = BodyFactory(program=program)
            MandateFactory(seat=SeatFactory(body=body), organization=organization)
            AgreementFactory(body=body).responsible.add(organization)
        with CaptureQueriesContext(connection) as queries:
            html = actor_governance_panel(request, organization)
        assert html
        counts.append(len(queries))
    assert counts == [2, 2]
