"""Every write of consortia and joint bids: the consortium and its lots, invitations and their
answers, members' roles and shares, the checklist to submission, documents, submission,
outcome and withdrawal.

A consortium is formed by its lead (an organization its creator represents; coordinators may
name any). Partners are invited (from the suggestions or by name) and answer through their
representatives. Submitting records a collaboration tie among every pair of joined members
(provenance "consortium"); winning records formal-agreement ties among them. A tie is never
weakened: a pair that already has a current tie of that type as strong or stronger keeps it.
Every change locks the consortium row first, so two clicks write once.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.accounts.rules import is_coordinator
from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.rules import represented_ids
from tejido.actors.selectors import representatives_of
from tejido.core.audit import audit_log
from tejido.core.mail import mail_each
from tejido.core.models import Program, Territory, Theme
from tejido.core.uploads import check_document, random_file_name
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_strengthen

from ..models import (
    BidKind,
    ChecklistItem,
    Consortium,
    ConsortiumDocument,
    ConsortiumLot,
    ConsortiumMember,
    ConsortiumStatus,
    MemberRole,
    MemberStatus,
)

ADD = "cooperation.add_consortium"
VIEW = "cooperation.view_consortium"
MANAGE = "cooperation.manage_consortium"
DOCUMENTS = "cooperation.view_consortium_documents"
WORK = "cooperation.work_on_consortium"
ANSWER = "cooperation.answer_invitation"

SUBMIT_TIE_TYPE = TieType.COLLABORATION
SUBMIT_INTENSITY = Intensity.COORDINATION
WON_TIE_TYPE = TieType.AGREEMENT
WON_INTENSITY = Intensity.COORDINATION
MAX_STEPS = 60
MAX_DOCUMENTS = 30
HUNDRED = Decimal(100)


@dataclass
class LotInput:
    number: int
    title: str
    amount: Decimal | None = None


# -- helpers ----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _lock(consortium: Consortium) -> Consortium:
    locked = (
        Consortium.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=consortium.pk)
    )
    return locked


def _require_forming(consortium: Consortium) -> None:
    if consortium.status != ConsortiumStatus.FORMING:
        raise ValidationError(
            _("This consortium is %(status)s: it can no longer change.")
            % {"status": consortium.get_status_display().lower()},
            code="not_forming",
        )


def lead_choices(user: Any, program: Program) -> list[Actor]:
    """The organizations that may lead a consortium for this user: those they represent, or
    every organization of the program for its coordinators."""
    organizations = Actor.objects.organizations().filter(program=program).order_by("name")
    if is_coordinator.test(user, program):
        return list(organizations)
    mine = represented_ids(user)
    return list(organizations.filter(pk__in=mine)) if mine else []


def _clean_sectors(sectors: Iterable[str]) -> list[str]:
    chosen = [s for s in dict.fromkeys(sectors) if s]
    unknown = [s for s in chosen if s not in Sector.values]
    if unknown:
        raise ValidationError({"sectors_wanted": _("Choose sectors from the list.")})
    return chosen


def _clean_lots(lots: Sequence[LotInput]) -> list[LotInput]:
    seen: set[int] = set()
    cleaned = []
    for lot in lots:
        title = " ".join((lot.title or "").split())
        if not title:
            raise ValidationError(
                {"lots": _("Lot %(number)s needs a title.") % {"number": lot.number}}
            )
        if lot.number < 1:
            raise ValidationError({"lots": _("Lot numbers start at 1.")})
        if lot.number in seen:
            raise ValidationError(
                {"lots": _("Lot number %(number)s is used twice.") % {"number": lot.number}}
            )
        if lot.amount is not None and lot.amount < 0:
            raise ValidationError({"lots": _("A lot's amount cannot be negative.")})
        seen.add(lot.number)
        cleaned.append(LotInput(number=lot.number, title=title[:200], amount=lot.amount))
    return cleaned


def _details(
    *,
    title: str,
    kind: str,
    deadline: datetime.datetime | None,
    budget: Decimal | None,
    currency: str,
    sectors_wanted: Iterable[str],
    territory: Territory | None,
    program: Program,
) -> dict[str, Any]:
    clean_title = " ".join((title or "").split())
    if not clean_title:
        raise ValidationError({"title": _("Give the consortium a title.")}, code="required")
    if kind not in BidKind.values:
        raise ValidationError({"kind": _("Choose a public tender or a call for proposals.")})
    if budget is not None and budget < 0:
        raise ValidationError({"budget": _("The amount cannot be negative.")})
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": _("Use a three-letter currency code, like CLP.")})
    return {
        "title": clean_title[:200],
        "kind": kind,
        "deadline": deadline,
        "budget": budget,
        "currency": currency,
        "sectors_wanted": _clean_sectors(sectors_wanted),
        "territory": territory,
    }


def _replace_lots(consortium: Consortium, lots: Sequence[LotInput]) -> None:
    existing = {lot.number: lot for lot in consortium.lots.all()}
    wanted = {lot.number for lot in lots}
    gone = [lot.pk for number, lot in existing.items() if number not in wanted]
    if gone:
        ConsortiumLot.objects.filter(pk__in=gone).delete()
    for lot in lots:
        current = existing.get(lot.number)
        if current is None:
            ConsortiumLot.objects.create(
                consortium=consortium, number=lot.number, title=lot.title, amount=lot.amount
            )
        elif (current.title, current.amount) != (lot.title, lot.amount):
            current.title, current.amount = lot.title, lot.amount
            current.save(update_fields=["title", "amount"])


# -- the consortium ---------------------------------------------------------------------------


@transaction.atomic
def consortium_create(
    *,
    user: Any,
    program: Program,
    lead: Actor,
    title: str,
    kind: str = BidKind.TENDER,
    contracting_body: str = "",
    reference: str = "",
    tender_url: str = "",
    deadline: datetime.datetime | None = None,
    budget: Decimal | None = None,
    currency: str = "CLP",
    purpose: str = "",
    open_to_partners: bool = True,
    sectors_wanted: Iterable[str] = (),
    themes: Iterable[Theme] = (),
    territory: Territory | None = None,
    lots: Sequence[LotInput] = (),
) -> Consortium:
    """A new consortium, forming, with its lead as a joined member."""
    _require(user, ADD, program, _("Only representatives of organizations can form a consortium."))
    if lead.program_id != program.pk or lead.kind == ActorKind.PERSON:
        raise ValidationError({"lead": _("The lead must be an organization of the program.")})
    if lead.pk not in {a.pk for a in lead_choices(user, program)}:
        raise ValidationError(
            {"lead": _("You can only form a consortium led by an organization you represent.")}
        )
    values = _details(
        title=title,
        kind=kind,
        deadline=deadline,
        budget=budget,
        currency=currency,
        sectors_wanted=sectors_wanted,
        territory=territory,
        program=program,
    )
    clean_lots = _clean_lots(lots)
    consortium = Consortium.objects.create(
        program=program,
        lead=lead,
        contracting_body=(contracting_body or "").strip()[:200],
        reference=(reference or "").strip()[:120],
        tender_url=(tender_url or "").strip(),
        purpose=(purpose or "").strip(),
        open_to_partners=open_to_partners,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **values,
    )
    consortium.themes.set(list(themes))
    _replace_lots(consortium, clean_lots)
    ConsortiumMember.objects.create(
        consortium=consortium,
        actor=lead,
        role=MemberRole.LEAD,
        status=MemberStatus.JOINED,
        invited_by=consortium.created_by,
        answered_at=timezone.now(),
    )
    audit_log(
        user=user,
        action="cooperation.consortium.create",
        target=consortium,
        program=program,
        data={"lead": lead.pk, "lots": len(clean_lots)},
    )
    return consortium


@transaction.atomic
def consortium_update(
    *,
    user: Any,
    consortium: Consortium,
    title: str,
    kind: str,
    contracting_body: str = "",
    reference: str = "",
    tender_url: str = "",
    deadline: datetime.datetime | None = None,
    budget: Decimal | None = None,
    currency: str = "CLP",
    purpose: str = "",
    open_to_partners: bool = True,
    sectors_wanted: Iterable[str] = (),
    themes: Iterable[Theme] = (),
    territory: Territory | None = None,
    lots: Sequence[LotInput] = (),
) -> Consortium:
    """Change the consortium's details and its lots while it is forming."""
    _require(user, MANAGE, consortium, _("Only the lead and the coordinators can change it."))
    locked = _lock(consortium)
    _require_forming(locked)
    values = _details(
        title=title,
        kind=kind,
        deadline=deadline,
        budget=budget,
        currency=currency,
        sectors_wanted=sectors_wanted,
        territory=territory,
        program=locked.program,
    )
    clean_lots = _clean_lots(lots)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.contracting_body = (contracting_body or "").strip()[:200]
    locked.reference = (reference or "").strip()[:120]
    locked.tender_url = (tender_url or "").strip()
    locked.purpose = (purpose or "").strip()
    locked.open_to_partners = open_to_partners
    locked.save()
    locked.themes.set(list(themes))
    _replace_lots(locked, clean_lots)
    audit_log(
        user=user, action="cooperation.consortium.update", target=locked, program=locked.program
    )
    return locked


# -- members ----------------------------------------------------------------------------------


def _joined_share_total(consortium: Consortium, *, excluding: int | None = None) -> Decimal:
    members = consortium.members.filter(status=MemberStatus.JOINED)
    if excluding is not None:
        members = members.exclude(pk=excluding)
    total = members.aggregate(total=Sum("share"))["total"]
    return Decimal(total or 0)


def _check_share(share: Decimal | None) -> None:
    if share is not None and not Decimal(0) <= share <= HUNDRED:
        raise ValidationError({"share": _("A share is a percentage from 0 to 100.")})


def _check_total(consortium: Consortium, member_pk: int | None, share: Decimal | None) -> None:
    others = _joined_share_total(consortium, excluding=member_pk)
    if share is not None and others + share > HUNDRED:
        raise ValidationError(
            {
                "share": _(
                    "The joined members' shares would add up to %(total)s %%; they can add up "
                    "to 100 %% at most (%(left)s %% is left)."
                )
                % {"total": others + share, "left": max(HUNDRED - others, Decimal(0))}
            },
            code="shares",
        )


@transaction.atomic
def member_invite(
    *,
    user: Any,
    consortium: Consortium,
    actor: Actor,
    role: str = MemberRole.PARTNER,
    share: Decimal | None = None,
    suggested: bool = False,
    base_url: str = "",
) -> ConsortiumMember:
    """Invite an organization of the program to join; its representatives are told by e-mail."""
    _require(user, MANAGE, consortium, _("Only the lead and the coordinators can invite."))
    locked = _lock(consortium)
    _require_forming(locked)
    if actor.program_id != locked.program_id or actor.kind == ActorKind.PERSON:
        raise ValidationError({"actor": _("Invite an organization of the program.")})
    if role not in MemberRole.values or role == MemberRole.LEAD:
        raise ValidationError({"role": _("Choose partner, subcontractor or associate.")})
    _check_share(share)
    member = ConsortiumMember.objects.filter(consortium=locked, actor=actor).first()
    if member is not None and member.status != MemberStatus.DECLINED:
        raise ValidationError(
            {"actor": _("%(name)s is already in this consortium.") % {"name": actor.name}},
            code="already",
        )
    if member is None:
        member = ConsortiumMember(consortium=locked, actor=actor)
    member.role = role
    member.share = share
    member.suggested = suggested
    member.status = MemberStatus.INVITED
    member.invited_by = user if getattr(user, "is_authenticated", False) else None
    member.answered_at = None
    member.save()
    audit_log(
        user=user,
        action="cooperation.consortium.invite",
        target=member,
        program=locked.program,
        data={"consortium": locked.pk, "actor": actor.pk, "suggested": suggested},
    )
    member_id = member.pk
    transaction.on_commit(lambda: send_invitation(member_id, base_url=base_url))
    return member


def send_invitation(member_id: int, *, base_url: str = "") -> int:
    """E-mail the invited organization's representatives, each in their language."""
    member = (
        ConsortiumMember.objects.select_related("consortium__program", "consortium__lead", "actor")
        .filter(pk=member_id, status=MemberStatus.INVITED)
        .first()
    )
    if member is None:
        return 0
    consortium = member.consortium
    url = (base_url.rstrip("/") if base_url else "") + reverse(
        "cooperation:consortium", args=[consortium.program.slug, consortium.pk]
    )
    return mail_each(
        representatives_of(member.actor_id),
        "cooperation/consortia/email/invitation_subject.txt",
        "cooperation/consortia/email/invitation_body.txt",
        {"member": member, "consortium": consortium, "program": consortium.program, "url": url},
    )


@transaction.atomic
def invitation_answer(*, user: Any, member: ConsortiumMember, accept: bool) -> ConsortiumMember:
    """The invited organization joins or declines."""
    _require(user, ANSWER, member, _("Only the invited organization's representatives can answer."))
    locked = _lock(member.consortium)
    current = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    if current.status != MemberStatus.INVITED:
        raise ValidationError(_("This invitation was already answered."), code="answered")
    _require_forming(locked)
    if accept:
        _check_total(locked, current.pk, current.share)
    current.status = MemberStatus.JOINED if accept else MemberStatus.DECLINED
    current.answered_at = timezone.now()
    current.save(update_fields=["status", "answered_at", "updated_at"])
    audit_log(
        user=user,
        action="cooperation.consortium.join" if accept else "cooperation.consortium.decline",
        target=current,
        program=locked.program,
        data={"consortium": locked.pk},
    )
    return current


@transaction.atomic
def member_update(
    *,
    user: Any,
    member: ConsortiumMember,
    role: str,
    share: Decimal | None,
    lots: Iterable[ConsortiumLot] = (),
) -> ConsortiumMember:
    """A member's role, share and lots. Joined members' shares add up to 100 % at most."""
    _require(
        user,
        MANAGE,
        member.consortium,
        _("Only the lead and the coordinators can change it."),
    )
    locked = _lock(member.consortium)
    _require_forming(locked)
    current = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    if current.role == MemberRole.LEAD:
        role = MemberRole.LEAD
    elif role not in MemberRole.values or role == MemberRole.LEAD:
        raise ValidationError({"role": _("Choose partner, subcontractor or associate.")})
    _check_share(share)
    if current.status == MemberStatus.JOINED:
        _check_total(locked, current.pk, share)
    chosen = list(lots)
    if any(lot.consortium_id != locked.pk for lot in chosen):
        raise ValidationError({"lots": _("Choose lots of this consortium.")})
    current.role = role
    current.share = share
    current.save(update_fields=["role", "share", "updated_at"])
    current.lots.set(chosen)
    audit_log(
        user=user,
        action="cooperation.consortium.member_update",
        target=current,
        program=locked.program,
        data={"role": role, "share": str(share) if share is not None else None},
    )
    return current


@transaction.atomic
def member_remove(*, user: Any, member: ConsortiumMember) -> None:
    """Take a member (never the lead) out of a forming consortium."""
    _require(
        user,
        MANAGE,
        member.consortium,
        _("Only the lead and the coordinators can change it."),
    )
    locked = _lock(member.consortium)
    _require_forming(locked)
    current = ConsortiumMember.objects.filter(pk=member.pk).select_for_update().first()
    if current is None:
        return
    if current.role == MemberRole.LEAD or current.actor_id == locked.lead_id:
        raise ValidationError(_("The lead cannot be removed from its consortium."), code="lead")
    audit_log(
        user=user,
        action="cooperation.consortium.member_remove",
        target=current,
        program=locked.program,
        data={"consortium": locked.pk, "actor": current.actor_id},
    )
    current.delete()


# -- checklist and documents ------------------------------------------------------------------


def _require_worker(user: Any, consortium: Consortium) -> None:
    _require(
        user,
        WORK,
        consortium,
        _("Only the consortium's lead, the members that joined and the coordinators can do this."),
    )


@transaction.atomic
def step_add(
    *,
    user: Any,
    consortium: Consortium,
    label: str,
    responsible: Actor | None = None,
    due_on: datetime.date | None = None,
) -> ChecklistItem:
    """A new step to submission."""
    _require_worker(user, consortium)
    locked = _lock(consortium)
    _require_forming(locked)
    text = " ".join((label or "").split())
    if not text:
        raise ValidationError({"label": _("Say what has to be done.")}, code="required")
    if len(text) > 200:
        raise ValidationError({"label": _("Keep the step under 200 characters.")})
    if (
        responsible is not None
        and not locked.members.filter(actor=responsible, status=MemberStatus.JOINED).exists()
    ):
        raise ValidationError({"responsible": _("Choose a joined member of the consortium.")})
    count = locked.checklist.count()
    if count >= MAX_STEPS:
        raise ValidationError(
            {"label": _("A checklist has at most %(count)s steps.") % {"count": MAX_STEPS}}
        )
    step = ChecklistItem.objects.create(
        consortium=locked, label=text, responsible=responsible, due_on=due_on, position=count + 1
    )
    audit_log(
        user=user, action="cooperation.consortium.step_add", target=step, program=locked.program
    )
    return step


@transaction.atomic
def step_toggle(*, user: Any, step: ChecklistItem, done: bool) -> ChecklistItem:
    """Tick a step done (with who and when), or open it again. Ticking twice writes once."""
    _require_worker(user, step.consortium)
    locked = _lock(step.consortium)
    _require_forming(locked)
    current = ChecklistItem.objects.select_for_update().get(pk=step.pk)
    if (current.done_at is not None) == done:
        return current
    current.done_at = timezone.now() if done else None
    current.done_by = user if done and getattr(user, "is_authenticated", False) else None
    current.save(update_fields=["done_at", "done_by"])
    audit_log(
        user=user,
        action="cooperation.consortium.step_done" if done else "cooperation.consortium.step_open",
        target=current,
        program=locked.program,
    )
    return current


@transaction.atomic
def step_remove(*, user: Any, step: ChecklistItem) -> None:
    _require(user, MANAGE, step.consortium, _("Only the lead and the coordinators can change it."))
    locked = _lock(step.consortium)
    _require_forming(locked)
    audit_log(
        user=user,
        action="cooperation.consortium.step_remove",
        target=step,
        program=locked.program,
        data={"label": step.label},
    )
    ChecklistItem.objects.filter(pk=step.pk).delete()


@transaction.atomic
def document_add(
    *, user: Any, consortium: Consortium, title: str, upload: UploadedFile
) -> ConsortiumDocument:
    """A document of the bid, seen only by its members and the coordinators."""
    _require_worker(user, consortium)
    locked = _lock(consortium)
    try:
        check_document(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}, code="file") from error
    name = " ".join((title or "").split()) or (upload.name or "").rsplit(".", 1)[0]
    if not name:
        raise ValidationError({"title": _("Give the document a title.")})
    if locked.documents.count() >= MAX_DOCUMENTS:
        raise ValidationError(
            {
                "file": _("A consortium keeps at most %(count)s documents.")
                % {"count": MAX_DOCUMENTS}
            }
        )
    document = ConsortiumDocument(
        consortium=locked,
        title=name[:200],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    document.file.save(random_file_name(upload.name or "document.pdf"), upload, save=False)
    document.save()
    audit_log(
        user=user,
        action="cooperation.consortium.document_add",
        target=document,
        program=locked.program,
        data={"title": document.title},
    )
    return document


# -- submission and outcome -------------------------------------------------------------------


def _joined_actors(consortium: Consortium) -> list[Actor]:
    members = consortium.members.filter(status=MemberStatus.JOINED).select_related("actor")
    actors = {
        m.actor.pk: m.actor
        for m in members
        if m.actor.program_id == consortium.program_id and m.actor.kind != ActorKind.PERSON
    }
    return sorted(actors.values(), key=lambda a: a.pk)


def _record_ties(
    user: Any,
    consortium: Consortium,
    actors: Sequence[Actor],
    *,
    tie_type: str,
    intensity: int,
    day: datetime.date,
    note: str,
) -> int:
    """A tie between every pair of `actors`, never weakening one already as strong. Returns
    the number of ties written."""
    ids = [a.pk for a in actors]
    existing = {
        (t.source_id, t.target_id): t
        for t in Tie.objects.current().filter(
            tie_type=tie_type, source_id__in=ids, target_id__in=ids, directed=False
        )
    }
    count = 0
    for source, target in itertools.combinations(actors, 2):
        _tie, written = tie_strengthen(
            user=user,
            source=source,
            target=target,
            tie_type=tie_type,
            intensity=intensity,
            provenance=Provenance.CONSORTIUM,
            started_on=day,
            note=note,
            current=existing.get((source.pk, target.pk)) or existing.get((target.pk, source.pk)),
        )
        count += written
    return count


@transaction.atomic
def consortium_submit(
    *, user: Any, consortium: Consortium, day: datetime.date | None = None
) -> Consortium:
    """Submit the bid: every step done, two joined members at least. Records the members'
    collaboration ties."""
    _require(user, MANAGE, consortium, _("Only the lead and the coordinators can submit."))
    locked = _lock(consortium)
    if locked.status == ConsortiumStatus.SUBMITTED:
        raise ValidationError(_("This consortium was already submitted."), code="submitted")
    _require_forming(locked)
    open_steps = [s.label for s in locked.checklist.filter(done_at__isnull=True)]
    if open_steps:
        raise ValidationError(
            _("Some steps to submission are still open: %(steps)s.")
            % {"steps": "; ".join(open_steps)},
            code="open_steps",
        )
    actors = _joined_actors(locked)
    if len(actors) < 2:
        raise ValidationError(
            _("A consortium needs at least two joined members to submit."), code="members"
        )
    now = timezone.now()
    locked.status = ConsortiumStatus.SUBMITTED
    locked.submitted_at = now
    locked.open_to_partners = False
    locked.save(update_fields=["status", "submitted_at", "open_to_partners", "updated_at"])
    count = _record_ties(
        user,
        locked,
        actors,
        tie_type=SUBMIT_TIE_TYPE,
        intensity=SUBMIT_INTENSITY,
        day=day or timezone.localdate(),
        note=_("Bid together: %(title)s") % {"title": locked.title},
    )
    audit_log(
        user=user,
        action="cooperation.consortium.submit",
        target=locked,
        program=locked.program,
        data={"members": [a.pk for a in actors], "ties": count},
    )
    return locked


@transaction.atomic
def consortium_outcome(
    *,
    user: Any,
    consortium: Consortium,
    won: bool,
    note: str = "",
    day: datetime.date | None = None,
) -> Consortium:
    """Record whether the bid was won; winning records formal-agreement ties."""
    _require(user, MANAGE, consortium, _("Only the lead and the coordinators can do this."))
    locked = _lock(consortium)
    if locked.status != ConsortiumStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted consortium has an outcome to record."), code="not_submitted"
        )
    text = (note or "").strip()
    if len(text) > 5000:
        raise ValidationError({"note": _("Keep the note under 5000 characters.")})
    locked.status = ConsortiumStatus.WON if won else ConsortiumStatus.LOST
    locked.outcome_note = text
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "outcome_note", "decided_at", "updated_at"])
    count = 0
    if won:
        count = _record_ties(
            user,
            locked,
            _joined_actors(locked),
            tie_type=WON_TIE_TYPE,
            intensity=WON_INTENSITY,
            day=day or timezone.localdate(),
            note=_("Won together: %(title)s") % {"title": locked.title},
        )
    audit_log(
        user=user,
        action="cooperation.consortium.outcome",
        target=locked,
        program=locked.program,
        data={"won": won, "ties": count},
    )
    return locked


@transaction.atomic
def consortium_withdraw(*, user: Any, consortium: Consortium, note: str = "") -> Consortium:
    """Give up the bid while it is forming."""
    _require(user, MANAGE, consortium, _("Only the lead and the coordinators can withdraw."))
    locked = _lock(consortium)
    _require_forming(locked)
    locked.status = ConsortiumStatus.WITHDRAWN
    locked.open_to_partners = False
    locked.outcome_note = (note or "").strip()[:5000]
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=["status", "open_to_partners", "outcome_note", "decided_at", "updated_at"]
    )
    audit_log(
        user=user, action="cooperation.consortium.withdraw", target=locked, program=locked.program
    )
    return locked
