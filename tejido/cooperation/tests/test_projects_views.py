# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Joint projects and transfer pages: status codes, content, refused posts, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import JointProject, ProjectPartner, Transfer, TransferStatus
from tejido.cooperation.projects import services

from .factories import (
    JointProjectFactory,
    ProjectPartnerFactory,
    TransferFactory,
    TransferOfferFactory,
    member_of,
)
from .projects_helpers import pair_tie, snapshot, world

pytestmark = pytest.mark.django_db


def url(name, program, *args):
    return reverse(f"cooperation:{name}", args=[program.slug, *args])


def _project(w, **extra):
    return services.project_create(
        user=w.rep_a,
        program=w.program,
        lead=w.a,
        title="Huertos en red",
        goals="Tres huertos comunitarios.",
        budget=Decimal("9000000"),
        currency="CLP",
        **extra,
    )


def test_lists_show_projects_and_offers_to_visitors_of_a_public_program(client):
    w = world()
    project = _project(w)
    offer = TransferOfferFactory(program=w.program, provider=w.b, title="App de gestión de socios")
    page = client.get(url("projects", w.program))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Huertos en red" in text and "$9,000,000" in text and "App de gestión de socios" in text
    assert url("project_new", w.program) not in text
    assert client.get(url("project", w.program, project.pk)).status_code == 200
    assert client.get(url("transfers", w.program)).status_code == 200
    assert client.get(url("transfer_offer", w.program, offer.pk)).status_code == 200


def test_private_program_is_hidden_and_forms_need_login(client):
    w = world()
    w.program.is_public = False
    w.program.save()
    assert client.get(url("projects", w.program)).status_code == 302
    client.force_login(member_of(w.program))
    assert client.get(url("projects", w.program)).status_code == 200
    assert client.get(url("project_new", w.program)).status_code == 403


def test_filters_by_status_and_theme(client):
    w = world()
    _project(w)
    JointProjectFactory(program=w.program, title="Proyecto en marcha", status="running")
    page = client.get(url("projects", w.program), {"status": "running"})
    assert "Proyecto en marcha" in page.content.decode()
    assert "Huertos en red" not in page.content.decode()


def test_propose_a_project_and_add_a_partner(client):
    w = world()
    client.force_login(w.rep_a)
    response = client.post(
        url("project_new", w.program),
        {
            "lead": w.a.pk,
            "title": "Reciclaje barrial",
            "goals": "Puntos limpios en 4 barrios.",
            "budget": "5000000",
            "currency": "CLP",
            "lead_share": "2000000",
        },
    )
    project = JointProject.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/projects/{project.pk}/#partners")
    response = client.post(
        url("project_partner_add", w.program, project.pk),
        {"actor": w.b.pk, "contribution": "Voluntariado", "budget_share": "3000001"},
    )
    assert response.status_code == 400
    assert "more than the budget" in response.content.decode()
    assert ProjectPartner.objects.count() == 1
    client.post(
        url("project_partner_add", w.program, project.pk),
        {"actor": w.b.pk, "budget_share": "3000000"},
    )
    assert ProjectPartner.objects.count() == 2
    page = client.get(url("project", w.program, project.pk)).content.decode()
    assert "$3,000,000" in page and "Start the project" in page


def test_bad_input_shows_at_the_field(client):
    w = world()
    client.force_login(w.rep_a)
    response = client.post(url("project_new", w.program), {"lead": w.a.pk, "currency": "CLP"})
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert JointProject.objects.count() == 0


def test_start_the_project_records_ties(client):
    w = world()
    project = _project(w)
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    client.force_login(w.rep_a)
    response = client.post(url("project_status", w.program, project.pk), {"status": "running"})
    assert response.status_code == 302
    assert pair_tie(w.a, w.b) is not None
    # A second click changes nothing.
    before = snapshot()
    client.post(url("project_status", w.program, project.pk), {"status": "running"})
    assert snapshot() == before


def test_refused_posts_change_nothing(client):
    w = world()
    project = _project(w)
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    offer = TransferOfferFactory(program=w.program, provider=w.a)
    transfer = TransferFactory(offer=offer, receiver=w.c)
    before = snapshot()
    client.force_login(w.rep_b)  # a partner, not the lead
    assert (
        client.post(url("project_status", w.program, project.pk), {"status": "running"}).status_code
        == 403
    )
    assert (
        client.post(
            url("project_partner_add", w.program, project.pk), {"actor": w.c.pk}
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("transfer_decide", w.program, transfer.pk), {"decision": "agree"}
        ).status_code
        == 403
    )
    client.logout()
    assert (
        client.post(url("transfer_request", w.program, offer.pk), {"receiver": w.b.pk}).status_code
        == 302
    )
    assert snapshot() == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED


def test_transfer_flow_through_the_pages(client):
    w = world()
    offer = services.offer_create(
        user=w.rep_a,
        program=w.program,
        provider=w.a,
        kind="tool",
        title="Plantilla de rendición de cuentas",
        description="Planilla y guía.",
    )
    client.force_login(w.rep_b)
    page = client.get(url("transfer_offer", w.program, offer.pk)).content.decode()
    assert "Send the request" in page
    response = client.post(
        url("transfer_request", w.program, offer.pk),
        {"receiver": w.b.pk, "message": "Para nuestra rendición anual."},
    )
    assert response.status_code == 302
    again = client.post(url("transfer_request", w.program, offer.pk), {"receiver": w.b.pk})
    assert again.status_code == 400 and Transfer.objects.count() == 1
    transfer = Transfer.objects.get()
    client.force_login(w.rep_a)
    page = client.get(url("transfer_offer", w.program, offer.pk)).content.decode()
    assert "Para nuestra rendición anual." in page and "Agree" in page
    client.post(url("transfer_decide", w.program, transfer.pk), {"decision": "agree"})
    client.post(
        url("transfer_complete", w.program, transfer.pk),
        {"completed_on": timezone.localdate().isoformat(), "outcome": "La usan cada mes."},
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED
    assert pair_tie(w.a, w.b) is not None
    # A visitor sees who took it up, not the messages.
    client.logout()
    page = client.get(url("transfer_offer", w.program, offer.pk)).content.decode()
    assert w.b.name in page and "Para nuestra rendición anual." not in page


def test_new_offer_page(client):
    w = world()
    client.force_login(w.rep_a)
    assert client.get(url("transfer_offer_new", w.program)).status_code == 200
    response = client.post(
        url("transfer_offer_new", w.program),
        {"provider": w.a.pk, "kind": "method", "title": "Mapeo de actores", "description": "D"},
    )
    assert response.status_code == 302


def _fill_projects(program, count):
    for _ in range(count):
        project = JointProjectFactory(program=program, budget=Decimal(1000), currency="CLP")
        ProjectPartnerFactory(project=project, role="lead")
        ProjectPartnerFactory(project=project)


def _fill_offers(program, count):
    for _ in range(count):
        offer = TransferOfferFactory(program=program)
        TransferFactory(offer=offer)


@pytest.mark.parametrize("name", ["projects", "transfers"])
def test_list_queries_do_not_grow(client, django_assert_max_num_queries, name):
    w = world()
    client.force_login(w.rep_a)
    fill = _fill_projects if name == "projects" else _fill_offers
    fill(w.program, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, w.program)).status_code == 200
    fill(w.program, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(name, w.program)).status_code == 200


def test_detail_queries_do_not_grow(client, django_assert_max_num_queries):
    w = world()
    project = _project(w)
    offer = TransferOfferFactory(program=w.program, provider=w.a)
    client.force_login(w.rep_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(count):
        for _ in range(count):
            ProjectPartnerFactory(project=project)
            TransferFactory(offer=offer)

    grow(3)
    with CaptureQueriesContext(connection) as few_project:
        client.get(url("project", w.program, project.pk))
    with CaptureQueriesContext(connection) as few_offer:
        client.get(url("transfer_offer", w.program, offer.pk))
    grow(27)
    with django_assert_max_num_queries(len(few_project.captured_queries)):
        assert client.get(url("project", w.program, project.pk)).status_code == 200
    with django_assert_max_num_queries(len(few_offer.captured_queries)):
        assert client.get(url("transfer_offer", w.program, offer.pk)).status_code == 200


def test_people_are_never_partners_in_the_choices(client):
    from tejido.actors.tests.factories import PersonFactory

    w = world()
    person = PersonFactory(program=w.program, name="Ana Persona")
    project = _project(w)
    client.force_login(w.rep_a)
    page = client.get(url("project", w.program, project.pk)).content.decode()
    assert "Ana Persona" not in page
    response = client.post(url("project_partner_add", w.program, project.pk), {"actor": person.pk})
    assert response.status_code == 400
    assert not ProjectPartner.objects.filter(actor=person).exists()
    ActorFactory(program=w.program)


def test_edit_project_partner_and_close_offer(client):
    w = world()
    project = _project(w)
    partner = services.partner_add(user=w.rep_a, project=project, actor=w.b)
    offer = TransferOfferFactory(program=w.program, provider=w.a)
    client.force_login(w.rep_a)
    assert client.get(url("project_edit", w.program, project.pk)).status_code == 200
    response = client.post(
        url("project_edit", w.program, project.pk),
        {"title": "Huertos en red 2", "goals": "G", "currency": "CLP", "budget": "100"},
    )
    assert response.status_code == 302
    assert (
        client.get(url("project_partner_edit", w.program, project.pk, partner.pk)).status_code
        == 200
    )
    response = client.post(
        url("project_partner_edit", w.program, project.pk, partner.pk), {"budget_share": "101"}
    )
    assert response.status_code == 400
    client.post(url("project_partner_remove", w.program, project.pk, partner.pk))
    assert not ProjectPartner.objects.filter(pk=partner.pk).exists()
    client.post(url("transfer_offer_open", w.program, offer.pk), {"open": "0"})
    offer.refresh_from_db()
    assert not offer.is_open
