# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Consortia services: forming, inviting and answering, members and shares, the checklist,
documents, submission with its ties, outcome and withdrawal; each refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.consortia import services
from tejido.cooperation.models import (
    ChecklistItem,
    ConsortiumMember,
    ConsortiumStatus,
    MemberRole,
    MemberStatus,
)
from tejido.core.models import AuditEntry
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .consortia_helpers import PDF_BYTES, forming, in_days, snapshot
from .factories import coordinator_of, member_of, representative_of

pytestmark = pytest.mark.django_db


def _ties(tie_type: str = TieType.COLLABORATION) -> list[Tie]:
    return list(Tie.objects.current().filter(tie_type=tie_type))


def test_create_makes_the_lead_a_joined_member_with_lots_and_audit(program):
    lead = ActorFactory(program=program)
    user = representative_of(lead)
    consortium = services.consortium_create(
        user=user,
        program=program,
        lead=lead,
        title="  Licitación   Programa Quiero Mi Barrio ",
        deadline=in_days(10),
        budget=Decimal("45000000"),
        sectors_wanted=[Sector.PUBLIC, Sector.ACADEMIA],
        lots=[
            services.LotInput(number=1, title="Diagnóstico", amount=Decimal("15000000")),
            services.LotInput(number=2, title="Obras de confianza"),
        ],
    )
    assert consortium.title == "Licitación Programa Quiero Mi Barrio"
    assert consortium.status == ConsortiumStatus.FORMING
    assert consortium.created_by == user
    member = ConsortiumMember.objects.get(consortium=consortium)
    assert (member.actor, member.role, member.status) == (
        lead,
        MemberRole.LEAD,
        MemberStatus.JOINED,
    )
    assert [lot.number for lot in consortium.lots.all()] == [1, 2]
    assert AuditEntry.objects.filter(action="cooperation.consortium.create").count() == 1


def test_create_refused_without_representation_or_with_someone_elses_lead(program):
    lead, other = ActorFactory(program=program), ActorFactory(program=program)
    user = representative_of(lead)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.consortium_create(user=member_of(program), program=program, lead=lead, title="X")
    with pytest.raises(ValidationError) as error:
        services.consortium_create(user=user, program=program, lead=other, title="X")
    assert "lead" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.consortium_create(
            user=user,
            program=program,
            lead=lead,
            title="X",
            lots=[services.LotInput(1, "A"), services.LotInput(1, "B")],
        )
    assert "lots" in error.value.message_dict
    assert snapshot() == before


def test_coordinator_may_name_any_lead_but_not_a_person(program):
    coordinator = coordinator_of(program)
    lead = ActorFactory(program=program)
    person = ActorFactory(program=program, kind=ActorKind.PERSON)
    consortium = services.consortium_create(
        user=coordinator, program=program, lead=lead, title="Convocatoria FNDR"
    )
    assert consortium.lead == lead
    with pytest.raises(ValidationError):
        services.consortium_create(user=coordinator, program=program, lead=person, title="X")


def test_invite_then_accept_with_mail_to_representatives(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    consortium = forming(program, partners=0)
    lead_rep = representative_of(consortium.lead)
    invited = ActorFactory(program=program, sector=Sector.ACADEMIA)
    invited_rep = representative_of(invited)
    invited_rep.email = "rep@example.org"
    invited_rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        member = services.member_invite(
            user=lead_rep,
            consortium=consortium,
            actor=invited,
            share=Decimal("30"),
            suggested=True,
        )
    assert (member.status, member.suggested, member.invited_by) == (
        MemberStatus.INVITED,
        True,
        lead_rep,
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["rep@example.org"]
    assert consortium.title in mailoutbox[0].subject
    # Only the invited organization answers.
    with pytest.raises(PermissionDenied):
        services.invitation_answer(user=lead_rep, member=member, accept=True)
    answered = services.invitation_answer(user=invited_rep, member=member, accept=True)
    assert answered.status == MemberStatus.JOINED
    assert answered.answered_at is not None
    with pytest.raises(ValidationError):
        services.invitation_answer(user=invited_rep, member=member, accept=False)


def test_invite_refusals_change_nothing(program):
    consortium = forming(program, partners=1)
    lead_rep = representative_of(consortium.lead)
    partner = consortium.members.exclude(role=MemberRole.LEAD).get().actor
    person = ActorFactory(program=program, kind=ActorKind.PERSON)
    elsewhere = ActorFactory()
    outsider = ActorFactory(program=program)
    before = snapshot()
    for actor in (partner, person, elsewhere, consortium.lead):
        with pytest.raises(ValidationError):
            services.member_invite(user=lead_rep, consortium=consortium, actor=actor)
    with pytest.raises(ValidationError):
        services.member_invite(
            user=lead_rep, consortium=consortium, actor=outsider, role=MemberRole.LEAD
        )
    with pytest.raises(PermissionDenied):
        services.member_invite(
            user=representative_of(outsider), consortium=consortium, actor=outsider
        )
    assert snapshot() == before


def test_joined_shares_add_up_to_100_at_most(program):
    consortium = forming(program, partners=1)
    coordinator = coordinator_of(program)
    lead_member = consortium.members.get(role=MemberRole.LEAD)
    partner = consortium.members.exclude(role=MemberRole.LEAD).get()
    services.member_update(user=coordinator, member=lead_member, role="partner", share=Decimal(60))
    lead_member.refresh_from_db()
    assert lead_member.role == MemberRole.LEAD  # the lead keeps its role
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.member_update(user=coordinator, member=partner, role="partner", share=Decimal(41))
    assert "100" in error.value.message_dict["share"][0]
    assert snapshot() == before
    services.member_update(
        user=coordinator, member=partner, role="subcontractor", share=Decimal(40)
    )
    # An invitation whose share would overflow cannot be accepted.
    third = ActorFactory(program=program)
    invited = services.member_invite(
        user=coordinator, consortium=consortium, actor=third, share=Decimal(5)
    )
    before = snapshot()
    with pytest.raises(ValidationError):
        services.invitation_answer(user=representative_of(third), member=invited, accept=True)
    assert snapshot() == before


def test_lead_cannot_be_removed_a_partner_can(program):
    consortium = forming(program, partners=1)
    coordinator = coordinator_of(program)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.member_remove(user=coordinator, member=consortium.members.get(role="lead"))
    assert snapshot() == before
    services.member_remove(user=coordinator, member=consortium.members.get(role="partner"))
    assert consortium.members.count() == 1


def test_steps_tick_once_with_who_and_when(program):
    consortium = forming(program)
    user = representative_of(consortium.lead)
    step = services.step_add(user=user, consortium=consortium, label="Boleta de garantía")
    done = services.step_toggle(user=user, step=step, done=True)
    assert done.done_by == user and done.done_at is not None
    audits = AuditEntry.objects.count()
    again = services.step_toggle(user=user, step=step, done=True)
    assert again.done_at == done.done_at
    assert AuditEntry.objects.count() == audits
    # A member of the program who is not in the consortium cannot tick it.
    with pytest.raises(PermissionDenied):
        services.step_toggle(user=member_of(program), step=step, done=False)


def test_submit_refused_with_open_steps_or_one_member(program):
    consortium = forming(program, partners=1)
    user = representative_of(consortium.lead)
    services.step_add(user=user, consortium=consortium, label="Carta de compromiso firmada")
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.consortium_submit(user=user, consortium=consortium)
    assert "Carta de compromiso firmada" in error.value.messages[0]
    assert snapshot() == before
    ChecklistItem.objects.update(done_at=in_days(0))
    consortium.members.exclude(role="lead").update(status=MemberStatus.INVITED)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.consortium_submit(user=user, consortium=consortium)
    assert "two" in error.value.messages[0]
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.consortium_submit(user=member_of(program), consortium=consortium)


def test_submit_records_ties_pairwise_never_weakening_and_writes_once(program):
    consortium = forming(program, partners=2)
    user = representative_of(consortium.lead)
    actors = sorted((m.actor for m in consortium.members.all()), key=lambda a: a.pk)
    strong = tie_create(
        user=user,
        source=actors[0],
        target=actors[1],
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.INTEGRATION,
        provenance=Provenance.MANUAL,
    )
    weak = tie_create(
        user=user,
        source=actors[1],
        target=actors[2],
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.AWARENESS,
    )
    submitted = services.consortium_submit(user=user, consortium=consortium)
    assert submitted.status == ConsortiumStatus.SUBMITTED and not submitted.open_to_partners
    ties = {(t.source_id, t.target_id): t for t in _ties()}
    assert len(ties) == 3
    kept = ties[(actors[0].pk, actors[1].pk)]
    assert kept.pk == strong.pk and kept.intensity == Intensity.INTEGRATION
    raised = ties[(actors[1].pk, actors[2].pk)]
    assert raised.pk != weak.pk and raised.intensity == Intensity.COORDINATION
    assert raised.provenance == Provenance.CONSORTIUM
    new = ties[(actors[0].pk, actors[2].pk)]
    assert (new.intensity, new.provenance) == (Intensity.COORDINATION, Provenance.CONSORTIUM)
    # A second click changes nothing.
    before = snapshot()
    with pytest.raises(ValidationError):
        services.consortium_submit(user=user, consortium=consortium)
    assert snapshot() == before


def test_won_records_agreement_ties_lost_keeps_collaboration(program):
    won = forming(program, partners=1)
    user = coordinator_of(program)
    with pytest.raises(ValidationError):
        services.consortium_outcome(user=user, consortium=won, won=True)
    services.consortium_submit(user=user, consortium=won)
    services.consortium_outcome(user=user, consortium=won, won=True, note="Adjudicada")
    won.refresh_from_db()
    assert won.status == ConsortiumStatus.WON and won.decided_at is not None
    agreements = _ties(TieType.AGREEMENT)
    assert len(agreements) == 1 and agreements[0].provenance == Provenance.CONSORTIUM
    lost = forming(program, partners=1)
    services.consortium_submit(user=user, consortium=lost)
    services.consortium_outcome(user=user, consortium=lost, won=False)
    assert len(_ties(TieType.AGREEMENT)) == 1
    assert len(_ties()) == 2


def test_withdraw_only_while_forming(program):
    consortium = forming(program)
    user = representative_of(consortium.lead)
    services.consortium_withdraw(user=user, consortium=consortium)
    consortium.refresh_from_db()
    assert consortium.status == ConsortiumStatus.WITHDRAWN
    before = snapshot()
    with pytest.raises(ValidationError):
        services.consortium_withdraw(user=user, consortium=consortium)
    with pytest.raises(ValidationError):
        services.step_add(user=user, consortium=consortium, label="Tarde")
    assert snapshot() == before


def test_documents_checked_and_for_members_only(program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    consortium = forming(program)
    user = representative_of(consortium.lead)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.document_add(
            user=user,
            consortium=consortium,
            title="Anexo",
            upload=SimpleUploadedFile("anexo.pdf", b"not a pdf at all"),
        )
    assert "file" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.document_add(
            user=member_of(program),
            consortium=consortium,
            title="Anexo",
            upload=SimpleUploadedFile("anexo.pdf", PDF_BYTES),
        )
    assert snapshot() == before
    document = services.document_add(
        user=user,
        consortium=consortium,
        title="Anexo técnico",
        upload=SimpleUploadedFile("anexo.pdf", PDF_BYTES),
    )
    assert document.file.name.endswith(".pdf") and "anexo" not in document.file.name
