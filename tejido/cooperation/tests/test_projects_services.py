# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Joint projects and transfers: every write, its refusals, ties and audit entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.cooperation.models import (
    PartnerRole,
    ProjectPartner,
    ProjectStatus,
    Transfer,
    TransferStatus,
)
from tejido.cooperation.projects import services
from tejido.core.models import AuditEntry
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .factories import TransferOfferFactory, coordinator_of, member_of
from .projects_helpers import pair_tie, snapshot, world

pytestmark = pytest.mark.django_db


def _project(w, **extra):
    values = {
        "title": "Huertos en red",
        "goals": "Tres huertos comunitarios funcionando.",
        "budget": Decimal("9000000"),
        "currency": "CLP",
    }
    values.update(extra)
    return services.project_create(user=w.rep_a, program=w.program, lead=w.a, **values)


# -- projects ---------------------------------------------------------------------------------


def test_create_makes_the_lead_partner_and_an_audit_entry():
    w = world()
    project = _project(w, lead_share=Decimal("3000000"), lead_contribution="Coordinación")
    lead = project.partners.get()
    assert lead.actor == w.a and lead.role == PartnerRole.LEAD
    assert lead.budget_share == Decimal("3000000")
    assert project.status == ProjectStatus.PLANNED and project.created_by == w.rep_a
    assert AuditEntry.objects.filter(action="cooperation.project_create").count() == 1


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("title", {"title": "   "}),
        ("goals", {"goals": ""}),
        ("currency", {"currency": "XXX"}),
        ("budget", {"budget": Decimal("-1")}),
        ("ends_on", {"starts_on": datetime.date(2026, 5, 1), "ends_on": datetime.date(2026, 4, 1)}),
        ("lead_share", {"lead_share": Decimal("9000001")}),
    ],
)
def test_create_refuses_bad_input_at_the_field_and_changes_nothing(field, extra):
    w = world()
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        _project(w, **extra)
    assert field in error.value.error_dict
    assert snapshot() == before


def test_create_refuses_a_lead_the_user_does_not_represent_and_people():
    w = world()
    before = snapshot()
    with pytest.raises(ValidationError):
        services.project_create(user=w.rep_a, program=w.program, lead=w.b, title="X", goals="Y")
    person = PersonFactory(program=w.program)
    with pytest.raises(ValidationError):
        services.project_create(user=w.rep_a, program=w.program, lead=person, title="X", goals="Y")
    with pytest.raises(PermissionDenied):
        services.project_create(
            user=member_of(w.program), program=w.program, lead=w.a, title="X", goals="Y"
        )
    assert snapshot() == before


def test_coordinators_propose_for_any_entity():
    w = world()
    project = services.project_create(
        user=coordinator_of(w.program), program=w.program, lead=w.b, title="X", goals="Y"
    )
    assert project.partners.get().actor == w.b


def test_shares_never_exceed_the_budget():
    w = world()
    project = _project(w, lead_share=Decimal("4000000"))
    services.partner_add(user=w.rep_a, project=project, actor=w.b, budget_share=Decimal("4000000"))
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.partner_add(
            user=w.rep_a, project=project, actor=w.c, budget_share=Decimal("1000000.01")
        )
    assert "budget_share" in error.value.error_dict
    assert "At most" in error.value.error_dict["budget_share"][0].message
    assert snapshot() == before
    partner = services.partner_add(
        user=w.rep_a, project=project, actor=w.c, budget_share=Decimal("1000000")
    )
    assert partner.budget_share == Decimal("1000000")
    # Lowering the budget under the shares is refused too.
    with pytest.raises(ValidationError) as error:
        services.project_update(
            user=w.rep_a, project=project, title="Huertos", goals="G", budget=Decimal("100")
        )
    assert "budget" in error.value.error_dict


def test_a_share_needs_a_budget():
    w = world()
    project = _project(w, budget=None)
    with pytest.raises(ValidationError) as error:
        services.partner_add(user=w.rep_a, project=project, actor=w.b, budget_share=Decimal(1))
    assert "budget_share" in error.value.error_dict


def test_partner_refusals_change_nothing():
    w = world()
    project = _project(w)
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.partner_add(user=w.rep_a, project=project, actor=w.b)
    with pytest.raises(PermissionDenied):
        services.partner_add(user=w.rep_b, project=project, actor=w.c)
    with pytest.raises(ValidationError):
        services.partner_add(user=w.rep_a, project=project, actor=ActorFactory())
    with pytest.raises(ValidationError):
        services.partner_remove(user=w.rep_a, partner=project.partners.get(actor=w.a))
    assert snapshot() == before


def test_starting_records_ties_among_all_partners():
    w = world()
    project = _project(w)
    for actor in (w.b, w.c):
        services.partner_add(user=w.rep_a, project=project, actor=actor)
    assert Tie.objects.count() == 0
    ties = services.project_set_status(user=w.rep_a, project=project, status="running")
    assert ties == 3
    for first, second in ((w.a, w.b), (w.a, w.c), (w.b, w.c)):
        tie = pair_tie(first, second)
        assert tie.provenance == Provenance.JOINT_PROJECT
        assert tie.intensity == Intensity.COLLABORATION
    project.refresh_from_db()
    assert project.status == "running" and project.starts_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="cooperation.project_status").count() == 1


def test_a_stronger_tie_is_never_weakened_and_a_weaker_one_is_raised():
    w = world()
    strong = tie_create(
        user=None,
        source=w.a,
        target=w.b,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.INTEGRATION,
        provenance=Provenance.MANUAL,
    )
    tie_create(
        user=None,
        source=w.a,
        target=w.c,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.AWARENESS,
        provenance=Provenance.MANUAL,
    )
    project = _project(w)
    for actor in (w.b, w.c):
        services.partner_add(user=w.rep_a, project=project, actor=actor)
    assert services.project_set_status(user=w.rep_a, project=project, status="running") == 2
    kept = pair_tie(w.a, w.b)
    assert kept.pk == strong.pk and kept.intensity == Intensity.INTEGRATION
    raised = pair_tie(w.a, w.c)
    assert raised.intensity == Intensity.COLLABORATION
    assert raised.provenance == Provenance.JOINT_PROJECT


def test_a_partner_added_while_running_gets_its_ties_at_once():
    w = world()
    project = _project(w)
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    services.project_set_status(user=w.rep_a, project=project, status="running")
    assert pair_tie(w.a, w.c) is None
    services.partner_add(user=w.rep_a, project=project, actor=w.c)
    assert pair_tie(w.a, w.c).provenance == Provenance.JOINT_PROJECT
    assert pair_tie(w.b, w.c) is not None


def test_status_steps_and_their_refusals():
    w = world()
    project = _project(w)
    before = snapshot()
    with pytest.raises(ValidationError):  # one partner only
        services.project_set_status(user=w.rep_a, project=project, status="running")
    with pytest.raises(ValidationError):  # cannot skip
        services.project_set_status(user=w.rep_a, project=project, status="finished")
    with pytest.raises(PermissionDenied):
        services.project_set_status(user=w.rep_b, project=project, status="cancelled")
    assert snapshot() == before
    services.partner_add(user=w.rep_a, project=project, actor=w.b)
    services.project_set_status(user=w.rep_a, project=project, status="running")
    before = snapshot()
    with pytest.raises(ValidationError):  # a double click
        services.project_set_status(user=w.rep_a, project=project, status="running")
    with pytest.raises(ValidationError):  # partners stay once it runs
        services.partner_remove(user=w.rep_a, partner=project.partners.get(actor=w.b))
    assert snapshot() == before
    services.project_set_status(user=w.rep_a, project=project, status="finished")
    project.refresh_from_db()
    assert project.status == "finished" and project.ends_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.partner_add(user=w.rep_a, project=project, actor=w.c)


def test_remove_a_partner_before_the_start():
    w = world()
    project = _project(w)
    partner = services.partner_add(user=w.rep_a, project=project, actor=w.b)
    services.partner_remove(user=w.rep_a, partner=partner)
    assert not ProjectPartner.objects.filter(pk=partner.pk).exists()
    assert AuditEntry.objects.filter(action="cooperation.project_partner_remove").exists()


# -- transfers --------------------------------------------------------------------------------


def _offer(w):
    return services.offer_create(
        user=w.rep_a,
        program=w.program,
        provider=w.a,
        kind="method",
        title="Metodología de diagnóstico participativo",
        description="Talleres y mapeo en tres sesiones.",
    )


def test_offer_create_and_refusals():
    w = world()
    offer = _offer(w)
    assert offer.provider == w.a and offer.is_open
    before = snapshot()
    with pytest.raises(ValidationError):
        services.offer_create(
            user=w.rep_a, program=w.program, provider=w.b, kind="tool", title="T", description="D"
        )
    with pytest.raises(ValidationError) as error:
        services.offer_create(
            user=w.rep_a, program=w.program, provider=w.a, kind="magic", title="T", description="D"
        )
    assert "kind" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        services.offer_create(
            user=member_of(w.program),
            program=w.program,
            provider=w.a,
            kind="tool",
            title="T",
            description="D",
        )
    assert snapshot() == before


def test_request_agree_complete_with_tie_and_mail(django_capture_on_commit_callbacks):
    w = world()
    offer = _offer(w)
    with django_capture_on_commit_callbacks(execute=True):
        transfer = services.transfer_request(
            user=w.rep_b, offer=offer, receiver=w.b, message="Lo usaríamos en marzo."
        )
    assert transfer.status == TransferStatus.REQUESTED
    assert [m.to for m in mail.outbox] == [[w.rep_a.email]]
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_decide(user=w.rep_a, transfer=transfer, agree=True)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.AGREED
    tie = pair_tie(w.a, w.b)
    assert transfer.tie == tie
    assert tie.provenance == Provenance.TRANSFER and tie.intensity == Intensity.COOPERATION
    assert mail.outbox[-1].to == [w.rep_b.email]
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_complete(
            user=w.rep_a, transfer=transfer, completed_on=timezone.localdate(), outcome="Aplicada"
        )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and transfer.outcome == "Aplicada"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "cooperation.transfer_request",
        "cooperation.transfer_agree",
        "cooperation.transfer_complete",
    } <= actions
    assert len(mail.outbox) == 3


def test_request_refusals_change_nothing():
    w = world()
    offer = _offer(w)
    services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    before = snapshot()
    with pytest.raises(ValidationError):  # one live request
        services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    with pytest.raises(ValidationError):  # not its own
        services.transfer_request(user=w.rep_a, offer=offer, receiver=w.a)
    with pytest.raises(ValidationError):  # an entity the user does not represent
        services.transfer_request(user=w.rep_b, offer=offer, receiver=w.c)
    with pytest.raises(PermissionDenied):
        services.transfer_request(user=member_of(w.program), offer=offer, receiver=w.c)
    services.offer_set_open(user=w.rep_a, offer=offer, is_open=False)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.transfer_request(user=w.rep_c, offer=offer, receiver=w.c)
    assert snapshot() == before


def test_a_declined_request_may_be_asked_again():
    w = world()
    offer = _offer(w)
    first = services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    services.transfer_decide(user=w.rep_a, transfer=first, agree=False)
    assert Tie.objects.count() == 0
    again = services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    assert again.pk != first.pk and Transfer.objects.count() == 2


def test_decide_twice_and_by_others_changes_nothing():
    w = world()
    offer = _offer(w)
    transfer = services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.transfer_decide(user=w.rep_b, transfer=transfer, agree=True)
    with pytest.raises(ValidationError):  # must agree first
        services.transfer_complete(user=w.rep_a, transfer=transfer)
    assert snapshot() == before
    services.transfer_decide(user=w.rep_a, transfer=transfer, agree=True)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.transfer_decide(user=w.rep_a, transfer=transfer, agree=True)
    with pytest.raises(ValidationError):
        services.transfer_complete(
            user=w.rep_a,
            transfer=transfer,
            completed_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert snapshot() == before


def test_transfer_never_weakens_a_stronger_tie():
    w = world()
    strong = tie_create(
        user=None,
        source=w.a,
        target=w.b,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.COLLABORATION,
        provenance=Provenance.MANUAL,
    )
    offer = _offer(w)
    transfer = services.transfer_request(user=w.rep_b, offer=offer, receiver=w.b)
    ties = Tie.objects.count()
    services.transfer_decide(user=w.rep_a, transfer=transfer, agree=True)
    assert Tie.objects.count() == ties
    transfer.refresh_from_db()
    assert transfer.tie_id == strong.pk
    assert pair_tie(w.a, w.b).intensity == Intensity.COLLABORATION


def test_offer_of_another_program_provider_refused():
    w = world()
    other = TransferOfferFactory()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.transfer_request(user=w.rep_b, offer=other, receiver=w.b)
    assert Transfer.objects.count() == 0
