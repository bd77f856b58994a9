# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Consortia pages: who sees what, forming a consortium, the page's content, the htmx checklist
toggle, documents served through a rule, partners and invitations, fixed query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.consortia import services
from tejido.cooperation.models import (
    ChecklistItem,
    Consortium,
    ConsortiumMember,
    ConsortiumStatus,
    MemberStatus,
)
from tejido.network.models import Provenance, Tie

from .consortia_helpers import PDF_BYTES, forming, in_days, snapshot
from .factories import ConsortiumMemberFactory, coordinator_of, member_of, representative_of

pytestmark = pytest.mark.django_db


def _url(name: str, consortium: Consortium, *args: int) -> str:
    return reverse(f"cooperation:{name}", args=[consortium.program.slug, consortium.pk, *args])


def test_list_for_members_only_with_filter(client, program):
    shown = forming(program, title="Licitación CESFAM Cordillera", deadline=in_days(5))
    forming(program, title="Convocatoria cerrada").__class__.objects.filter(
        title="Convocatoria cerrada"
    ).update(status=ConsortiumStatus.WON)
    url = reverse("cooperation:consortia", args=[program.slug])
    assert client.get(url).status_code == 302  # anonymous: log in
    client.force_login(member_of(program))
    response = client.get(url)
    assert response.status_code == 200
    assert shown.title in response.text and "5 days left" in response.text
    assert "Looking for partners" in response.text
    filtered = client.get(url, {"status": "won"})
    assert shown.title not in filtered.text and "Convocatoria cerrada" in filtered.text
    other_program = ActorFactory().program
    client.force_login(member_of(other_program))
    assert client.get(url).status_code in (403, 404)


def test_form_a_consortium_through_the_page(client, program):
    lead = ActorFactory(program=program)
    client.force_login(representative_of(lead))
    url = reverse("cooperation:consortium_new", args=[program.slug])
    assert client.get(url).status_code == 200
    data = {
        "title": "Licitación Quiero Mi Barrio",
        "kind": "tender",
        "lead": lead.pk,
        "currency": "CLP",
        "budget": "12000000",
        "open_to_partners": "on",
        "sectors_wanted": ["public", "academia"],
        "lots-TOTAL_FORMS": "2",
        "lots-INITIAL_FORMS": "0",
        "lots-0-number": "1",
        "lots-0-title": "Diagnóstico participativo",
        "lots-0-amount": "4000000",
        "lots-1-number": "",
        "lots-1-title": "",
    }
    bad = client.post(url, {**data, "title": ""})
    assert bad.status_code == 400 and Consortium.objects.count() == 0
    response = client.post(url, data)
    consortium = Consortium.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("consortium_partners", consortium)
    assert consortium.sectors_wanted == ["public", "academia"]
    assert consortium.lots.get().title == "Diagnóstico participativo"
    assert consortium.members.get().role == "lead"


def test_page_shows_header_members_checklist_and_invitation(client, program):
    consortium = forming(program, partners=1, reference="2401-15-LE26")
    step = ChecklistItem.objects.create(consortium=consortium, label="Garantía de seriedad")
    invited = ActorFactory(program=program, name="Junta de Vecinos Villa Los Aromos del Sur")
    ConsortiumMemberFactory(consortium=consortium, actor=invited, share=Decimal(10))
    rep = representative_of(invited)
    client.force_login(rep)
    response = client.get(_url("consortium", consortium))
    assert response.status_code == 200
    for text in ("2401-15-LE26", consortium.lead.name, "Garantía de seriedad", "Accept and join"):
        assert text in response.text
    answer = client.post(
        _url("consortium_answer", consortium, consortium.members.get(actor=invited).pk),
        {"answer": "accept"},
    )
    assert answer.status_code == 302
    assert consortium.members.get(actor=invited).status == MemberStatus.JOINED
    # The htmx toggle answers with the step only.
    toggled = client.post(
        _url("consortium_step_toggle", consortium, step.pk),
        {"done": "1"},
        headers={"HX-Request": "true"},
    )
    assert toggled.status_code == 200
    assert toggled.text.lstrip().startswith("<li") and "is-done" in toggled.text
    step.refresh_from_db()
    assert step.done_by == rep


def test_htmx_toggle_refreshes_the_counters_out_of_band(client, program):
    consortium = forming(program, partners=1)
    first = ChecklistItem.objects.create(consortium=consortium, label="Garantía")
    ChecklistItem.objects.create(consortium=consortium, label="Anexo técnico")
    client.force_login(representative_of(consortium.lead))
    page = client.get(_url("consortium", consortium))
    assert "0 of 2 done" in page.text and 'id="steps-done-stat">0/2<' in page.text
    toggled = client.post(
        _url("consortium_step_toggle", consortium, first.pk),
        {"done": "1"},
        headers={"HX-Request": "true"},
    )
    assert toggled.status_code == 200
    assert 'id="checklist-progress" hx-swap-oob="true">1 of 2 done<' in toggled.text
    assert 'id="steps-done-stat" hx-swap-oob="true">1/2<' in toggled.text
    reopened = client.post(
        _url("consortium_step_toggle", consortium, first.pk),
        {"done": "0"},
        headers={"HX-Request": "true"},
    )
    assert "0 of 2 done" in reopened.text


def test_an_invited_member_reads_the_bid_but_works_on_it_only_once_joined(
    client, program, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    consortium = forming(program, partners=0)
    step = ChecklistItem.objects.create(consortium=consortium, label="Carta de compromiso")
    invited = ActorFactory(program=program)
    invitation = ConsortiumMemberFactory(consortium=consortium, actor=invited)
    client.force_login(representative_of(invited))
    page = client.get(_url("consortium", consortium))
    assert page.status_code == 200
    assert "No documents yet." in page.text  # it reads the documents' list
    assert "Accept the invitation to tick steps and upload documents." in page.text
    assert "consortium_step_toggle" not in page.text and 'class="document-add"' not in page.text
    before = snapshot()
    for name, args, data in (
        ("consortium_step_add", (), {"label": "Nuevo"}),
        ("consortium_step_toggle", (step.pk,), {"done": "1"}),
        (
            "consortium_document_add",
            (),
            {"title": "Anexo", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        ),
    ):
        assert client.post(_url(name, consortium, *args), data).status_code == 403, name
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.step_toggle(user=representative_of(invited), step=step, done=True)
    client.post(_url("consortium_answer", consortium, invitation.pk), {"answer": "accept"})
    joined = client.get(_url("consortium", consortium))
    assert 'class="document-add"' in joined.text and "Accept the invitation" not in joined.text
    toggled = client.post(_url("consortium_step_toggle", consortium, step.pk), {"done": "1"})
    assert toggled.status_code == 302
    step.refresh_from_db()
    assert step.done_at is not None


def test_refused_posts_change_nothing(client, program):
    consortium = forming(program, partners=1)
    step = ChecklistItem.objects.create(consortium=consortium, label="Anexo")
    client.force_login(member_of(program))
    before = snapshot()
    for name, args, data in (
        ("consortium_submit", (), {}),
        ("consortium_withdraw", (), {}),
        ("consortium_step_add", (), {"label": "Nuevo"}),
        ("consortium_step_toggle", (step.pk,), {"done": "1"}),
        ("consortium_partners", (), {"actor": ActorFactory(program=program).pk, "role": "partner"}),
    ):
        assert client.post(_url(name, consortium, *args), data).status_code == 403
    assert snapshot() == before


def test_submit_through_the_page_records_ties(client, program):
    consortium = forming(program, partners=1)
    client.force_login(representative_of(consortium.lead))
    response = client.post(_url("consortium_submit", consortium))
    assert response.status_code == 302
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.SUBMITTED
    assert Tie.objects.current().filter(provenance=Provenance.CONSORTIUM).count() == 1
    again = client.post(_url("consortium_submit", consortium), follow=True)
    assert "already submitted" in again.text
    assert Tie.objects.current().filter(provenance=Provenance.CONSORTIUM).count() == 1
    outcome = client.post(_url("consortium_outcome", consortium), {"outcome": "won", "note": "Sí"})
    assert outcome.status_code == 302
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.WON


def test_documents_only_for_participants(client, program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    consortium = forming(program, partners=1)
    rep = representative_of(consortium.lead)
    client.force_login(rep)
    upload = client.post(
        _url("consortium_document_add", consortium),
        {"title": "Propuesta técnica", "file": SimpleUploadedFile("p.pdf", PDF_BYTES)},
    )
    assert upload.status_code == 302
    document = consortium.documents.get()
    url = _url("consortium_document", consortium, document.pk)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "Propuesta técnica" in client.get(_url("consortium", consortium)).text
    client.force_login(member_of(program))
    assert client.get(url).status_code == 403
    page = client.get(_url("consortium", consortium))
    assert page.status_code == 200 and "Propuesta técnica" not in page.text
    client.force_login(coordinator_of(program))
    assert client.get(url).status_code == 200


def test_partners_page_suggests_and_invites(client, program):
    consortium = forming(program, partners=0, sectors_wanted=[Sector.ACADEMIA])
    university = ActorFactory(program=program, name="Universidad de Playa Ancha", sector="academia")
    client.force_login(representative_of(consortium.lead))
    page = client.get(_url("consortium_partners", consortium))
    assert page.status_code == 200 and university.name in page.text
    response = client.post(
        _url("consortium_partners", consortium),
        {"actor": university.pk, "role": "partner", "share": "20", "suggested": "on"},
    )
    assert response.status_code == 302
    member = ConsortiumMember.objects.get(actor=university)
    assert member.suggested and member.status == MemberStatus.INVITED
    assert member.share == Decimal(20)
    again = client.post(
        _url("consortium_partners", consortium), {"actor": university.pk, "role": "partner"}
    )
    assert again.status_code == 400


def test_member_edit_refuses_shares_over_100(client, program):
    consortium = forming(program, partners=1)
    consortium.members.filter(role="lead").update(share=Decimal(70))
    partner = consortium.members.get(role="partner")
    client.force_login(coordinator_of(program))
    url = _url("consortium_member", consortium, partner.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": "partner", "share": "40"})
    assert response.status_code == 400 and "100" in response.text
    assert client.post(url, {"role": "associate", "share": "30"}).status_code == 302
    partner.refresh_from_db()
    assert (partner.role, partner.share) == ("associate", Decimal(30))


def _grow(program, consortium, count):
    for n in range(count):
        ConsortiumMemberFactory(consortium=consortium, actor=ActorFactory(program=program))
        ChecklistItem.objects.create(consortium=consortium, label=f"Paso {n}")
    for _ in range(count):
        forming(program, partners=1)


def test_query_counts_do_not_grow(client, program, django_assert_max_num_queries):
    consortium = forming(program, partners=1)
    user = coordinator_of(program)
    client.force_login(user)
    _grow(program, consortium, 3)
    urls = [
        reverse("cooperation:consortia", args=[program.slug]),
        _url("consortium", consortium),
    ]
    counts = []
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        counts.append(len(small))
    _grow(program, consortium, 27)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
    services.consortium_withdraw(user=user, consortium=consortium)


def test_edit_changes_details_and_lots(client, program):
    consortium = forming(program, partners=1)
    consortium.lots.create(number=1, title="Diagnóstico")
    consortium.lots.create(number=2, title="Obras")
    client.force_login(representative_of(consortium.lead))
    url = _url("consortium_edit", consortium)
    page = client.get(url)
    assert page.status_code == 200 and "Diagnóstico" in page.text
    data = {
        "title": "Licitación renombrada",
        "kind": "call",
        "currency": "CLP",
        "lots-TOTAL_FORMS": "3",
        "lots-INITIAL_FORMS": "2",
        "lots-0-number": "1",
        "lots-0-title": "Diagnóstico participativo",
        "lots-1-number": "",
        "lots-1-title": "",
        "lots-2-number": "3",
        "lots-2-title": "Mesa barrial",
        "lots-2-amount": "5000000",
    }
    assert client.post(url, {**data, "currency": "pesos"}).status_code == 400
    assert client.post(url, data).status_code == 302
    consortium.refresh_from_db()
    assert (consortium.title, consortium.kind) == ("Licitación renombrada", "call")
    assert [(lot.number, lot.title) for lot in consortium.lots.all()] == [
        (1, "Diagnóstico participativo"),
        (3, "Mesa barrial"),
    ]
    services.consortium_withdraw(user=coordinator_of(program), consortium=consortium)
    assert client.get(url).status_code == 302
    partners = client.get(_url("consortium_partners", consortium))
    assert "no longer forming" in partners.text
