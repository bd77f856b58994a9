"""Who may see and do what in intercooperation.

Objects carry a `program_id` (listings, agreements, consortia, projects, transfer offers and
transfers, reflection spaces, missions) or belong to one that does (a consortium member, lot,
document or checklist step; a project partner; a space's items, groups, comments, inputs and
endorsements; a mission's participants and contacts): `_owner` finds it.

Entities act through their representatives: "speaks for" means the user represents that
organization (`tejido.actors.rules.represented_ids`). Coordinators may do everything in their
program.
"""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_program_member,
    is_public_program,
    is_superuser,
)
from tejido.actors.rules import represented_ids, represents_actor, speaks_for_an_organization


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _owner(obj: Any) -> Any:
    """The object with a `program_id` that `obj` belongs to."""
    from .models import (
        AgendaItem,
        ChecklistItem,
        ConsortiumDocument,
        ConsortiumLot,
        ConsortiumMember,
        Endorsement,
        GroupComment,
        ItemGroup,
        MissionContact,
        MissionParticipant,
        PriorityInput,
        ProjectPartner,
        SpaceParticipant,
        SpaceSession,
    )

    if isinstance(obj, (ConsortiumMember, ConsortiumLot, ConsortiumDocument, ChecklistItem)):
        return obj.consortium
    if isinstance(obj, ProjectPartner):
        return obj.project
    if isinstance(obj, GroupComment):
        obj = obj.group
    if isinstance(
        obj, (SpaceSession, SpaceParticipant, ItemGroup, AgendaItem, PriorityInput, Endorsement)
    ):
        return obj.space
    if isinstance(obj, (MissionParticipant, MissionContact)):
        return obj.mission
    return obj


@rules.predicate
def coordinates_its_program(user: Any, obj: Any = None) -> bool:
    return bool(is_coordinator.test(user, _owner(obj)))


@rules.predicate
def created_it(user: Any, obj: Any = None) -> bool:
    owner = _owner(obj)
    creator = getattr(owner, "created_by_id", None)
    return _authenticated(user) and creator is not None and creator == user.pk


@rules.predicate
def speaks_for_its_entity(user: Any, obj: Any = None) -> bool:
    """A listing's entity, an agreement's or transfer's provider, a transfer offer's provider,
    a consortium's lead, a consortium member's or participant's entity."""
    from .models import (
        ConsortiumMember,
        MissionParticipant,
        ServiceAgreement,
        ServiceListing,
        SpaceParticipant,
        Transfer,
        TransferOffer,
    )

    mine = represented_ids(user)
    if not mine:
        return False
    if isinstance(obj, (ServiceListing, ConsortiumMember, MissionParticipant, SpaceParticipant)):
        return obj.actor_id in mine
    if isinstance(obj, (ServiceAgreement, TransferOffer)):
        return obj.provider_id in mine
    if isinstance(obj, Transfer):
        return obj.offer.provider_id in mine
    from .models import Consortium

    if isinstance(obj, Consortium):
        return obj.lead_id in mine
    return False


@rules.predicate
def speaks_for_the_receiver(user: Any, obj: Any = None) -> bool:
    """The entity that asked for a service or a transfer."""
    receiver = getattr(obj, "receiver_id", None)
    return receiver is not None and receiver in represented_ids(user)


@rules.predicate
def speaks_for_a_lead_partner(user: Any, obj: Any = None) -> bool:
    """A joint project's lead partner."""
    from .models import JointProject, PartnerRole

    mine = represented_ids(user)
    if not mine or not isinstance(_owner(obj), JointProject):
        return False
    return _owner(obj).partners.filter(role=PartnerRole.LEAD, actor_id__in=mine).exists()


@rules.predicate
def speaks_for_a_participant(user: Any, obj: Any = None) -> bool:
    """One of the entities taking part: a consortium's members (invited or joined), a project's
    partners, a reflection space's participants, a mission's participants."""
    from .models import Consortium, JointProject, MemberStatus, ReflectionSpace, StudyMission

    mine = represented_ids(user)
    owner = _owner(obj)
    if not mine:
        return False
    if isinstance(owner, Consortium):
        return (
            owner.lead_id in mine
            or owner.members.filter(actor_id__in=mine)
            .exclude(status=MemberStatus.DECLINED)
            .exists()
        )
    if isinstance(owner, JointProject):
        return owner.partners.filter(actor_id__in=mine).exists()
    if isinstance(owner, (ReflectionSpace, StudyMission)):
        return owner.participants.filter(actor_id__in=mine).exists()
    return False


@rules.predicate
def speaks_for_a_joined_member(user: Any, obj: Any = None) -> bool:
    """A consortium's lead or a member that accepted its invitation: an invited organization
    reads the bid's documents to decide, but works on the bid only once it has joined."""
    from .models import Consortium, MemberStatus

    mine = represented_ids(user)
    owner = _owner(obj)
    if not mine or not isinstance(owner, Consortium):
        return False
    return (
        owner.lead_id in mine
        or owner.members.filter(actor_id__in=mine, status=MemberStatus.JOINED).exists()
    )


@rules.predicate
def is_published_agenda(user: Any, obj: Any = None) -> bool:
    return getattr(_owner(obj), "status", None) == "published"


member = is_program_member | is_superuser
coordinator = coordinates_its_program
visible = is_public_program | member
representative = speaks_for_an_organization

# The module's pages: what a visitor sees of a public program, all of it for members.
rules.add_perm("cooperation.view_cooperation", visible)
# An entity's opportunities board: its representatives and the coordinators.
rules.add_perm("cooperation.view_board", coordinator | represents_actor)
rules.add_perm("cooperation.view_program_board", member)

# Shared services.
rules.add_perm("cooperation.add_listing", coordinator | representative)
rules.add_perm("cooperation.change_listing", coordinator | speaks_for_its_entity)
rules.add_perm("cooperation.request_service", coordinator | representative)
rules.add_perm(
    "cooperation.view_agreement", coordinator | speaks_for_its_entity | speaks_for_the_receiver
)
rules.add_perm("cooperation.decide_agreement", coordinator | speaks_for_its_entity)
rules.add_perm("cooperation.withdraw_agreement", coordinator | speaks_for_the_receiver)

# Consortia: bids are the members' business; the program's members see that they exist.
rules.add_perm("cooperation.add_consortium", coordinator | representative)
rules.add_perm("cooperation.view_consortium", member)
rules.add_perm("cooperation.manage_consortium", coordinator | speaks_for_its_entity | created_it)
rules.add_perm("cooperation.view_consortium_documents", coordinator | speaks_for_a_participant)
rules.add_perm("cooperation.work_on_consortium", coordinator | speaks_for_a_joined_member)
rules.add_perm("cooperation.answer_invitation", speaks_for_its_entity)

# Joint projects and transfers.
rules.add_perm("cooperation.add_project", coordinator | representative)
rules.add_perm("cooperation.manage_project", coordinator | speaks_for_a_lead_partner | created_it)
rules.add_perm("cooperation.add_transfer_offer", coordinator | representative)
rules.add_perm("cooperation.manage_transfer_offer", coordinator | speaks_for_its_entity)
rules.add_perm("cooperation.request_transfer", representative)
rules.add_perm("cooperation.decide_transfer", coordinator | speaks_for_its_entity)

# Shared social agendas.
rules.add_perm("cooperation.add_space", coordinator | representative)
rules.add_perm("cooperation.manage_space", coordinator | created_it)
rules.add_perm("cooperation.join_space", representative)
rules.add_perm("cooperation.take_part", speaks_for_a_participant)
rules.add_perm("cooperation.endorse_agenda", representative & is_published_agenda)

# Study missions: organized by the program; participants record their contacts.
rules.add_perm("cooperation.add_mission", coordinator)
rules.add_perm("cooperation.manage_mission", coordinator | created_it)
rules.add_perm("cooperation.record_contacts", coordinator | speaks_for_a_participant)
