"""Every write of joint projects and technology transfer.

A joint project is proposed on behalf of an entity the user represents (its lead partner);
partners join with a role, a contribution and a share of the budget (the shares never exceed the
budget). When the project starts running, every pair of partners is linked by a collaboration
tie (provenance "joint project"); a partner added while it runs is linked at once.

A transfer offer is a tool or method an entity passes on. Another entity asks for it; the
provider agrees (a cooperation tie, provenance "transfer") or declines, then marks it
transferred. A tie is never weakened: when the pair already has a tie of that type as strong or
stronger, it stays as it is.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.actors.selectors import representatives_of
from tejido.core.audit import audit_log
from tejido.core.mail import mail_each
from tejido.core.models import Program, Theme
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_strengthen

from ..models import (
    Consortium,
    JointProject,
    PartnerRole,
    ProjectPartner,
    ProjectStatus,
    Transfer,
    TransferKind,
    TransferOffer,
    TransferStatus,
)

ADD_PROJECT = "cooperation.add_project"
MANAGE_PROJECT = "cooperation.manage_project"
ADD_OFFER = "cooperation.add_transfer_offer"
MANAGE_OFFER = "cooperation.manage_transfer_offer"
REQUEST_TRANSFER = "cooperation.request_transfer"
DECIDE_TRANSFER = "cooperation.decide_transfer"

PROJECT_TIE_INTENSITY = Intensity.COLLABORATION
TRANSFER_TIE_INTENSITY = Intensity.COOPERATION
CURRENCY_CODES = ("CLP", "EUR", "USD", "CLF")
MAX_TEXT = 5000
MAX_LONG_TEXT = 20000

# Which status may follow which.
NEXT_STATUS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNED: (ProjectStatus.RUNNING, ProjectStatus.CANCELLED),
    ProjectStatus.RUNNING: (ProjectStatus.FINISHED, ProjectStatus.CANCELLED),
    ProjectStatus.FINISHED: (),
    ProjectStatus.CANCELLED: (),
}


# -- helpers ----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def entities_for(user: Any, program: Program) -> list[Actor]:
    """The entities of `program` the user may act for: those they represent, and every entity
    of the program for its coordinators."""
    entities = Actor.objects.organizations().filter(program=program).order_by("name")
    if _coordinates(user, program):
        return list(entities)
    return represented_in(user, program)


def represented_in(user: Any, program: Program) -> list[Actor]:
    """Only the entities of `program` the user represents."""
    mine = represented_ids(user)
    if not mine:
        return []
    return list(Actor.objects.organizations().filter(program=program, pk__in=mine).order_by("name"))


def _coordinates(user: Any, program: Program) -> bool:
    from tejido.accounts.rules import is_coordinator

    return bool(is_coordinator.test(user, program))


def _entity(actor: Actor | None, program: Program, field: str) -> Actor:
    if actor is None:
        raise ValidationError({field: _("Choose an organization.")}, code="required")
    if actor.program_id != program.pk:
        raise ValidationError({field: _("This organization is not in the program.")})
    if actor.kind == "person":
        raise ValidationError({field: _("Only organizations and groups can take part.")})
    return actor


def _text(value: str | None, field: str, *, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field cannot be empty.")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": max_length, "length": len(text)}
            },
            code="max_length",
        )
    return text


def _title(value: str | None) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise ValidationError({"title": _("Give it a title.")}, code="required")
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    return title


def _amount(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise ValidationError({field: _("It cannot be negative.")}, code="negative")
    if value >= Decimal("1e12"):
        raise ValidationError({field: _("This amount is too large.")}, code="too_large")
    return value.quantize(Decimal("0.01"))


def _existing_ties(ids: Iterable[int]) -> dict[tuple[int, int], Tie]:
    ids = list(ids)
    return {
        (t.source_id, t.target_id): t
        for t in Tie.objects.current().filter(
            tie_type=TieType.COLLABORATION, source_id__in=ids, target_id__in=ids
        )
    }


def _strengthen(
    user: Any,
    existing: dict[tuple[int, int], Tie],
    first: Actor,
    second: Actor,
    *,
    intensity: int,
    provenance: str,
    day: datetime.date,
    note: str,
) -> tuple[Tie, bool]:
    """The pair's collaboration tie at `intensity` at least (`network.services.tie_strengthen`),
    with `existing` kept up to date for the next pair. Returns the tie and whether anything was
    written."""
    tie, written = tie_strengthen(
        user=user,
        source=first,
        target=second,
        tie_type=TieType.COLLABORATION,
        intensity=intensity,
        provenance=provenance,
        started_on=day,
        note=note,
        current=existing.get((first.pk, second.pk)) or existing.get((second.pk, first.pk)),
    )
    existing[(tie.source_id, tie.target_id)] = tie
    return tie, written


def _project_ties(
    user: Any, project: JointProject, actors: Sequence[Actor], day: datetime.date
) -> int:
    """Collaboration ties between every pair of `actors` (all of them partners)."""
    unique = sorted({a.pk: a for a in actors}.values(), key=lambda a: a.pk)
    if len(unique) < 2:
        return 0
    existing = _existing_ties(a.pk for a in unique)
    note = _("Partners in the joint project “%(title)s”.") % {"title": project.title}
    count = 0
    for first, second in itertools.combinations(unique, 2):
        _tie, written = _strengthen(
            user,
            existing,
            first,
            second,
            intensity=PROJECT_TIE_INTENSITY,
            provenance=Provenance.JOINT_PROJECT,
            day=day,
            note=note,
        )
        count += int(written)
    return count


def _shares_total(project: JointProject, *, without: int | None = None) -> Decimal:
    partners = ProjectPartner.objects.filter(project=project)
    if without is not None:
        partners = partners.exclude(pk=without)
    return partners.aggregate(total=Sum("budget_share"))["total"] or Decimal(0)


def _check_share(project: JointProject, share: Decimal | None, *, without: int | None) -> None:
    if share is None:
        return
    if project.budget is None:
        raise ValidationError(
            {"budget_share": _("Set the project's budget before sharing it among partners.")},
            code="no_budget",
        )
    total = _shares_total(project, without=without) + share
    if total > project.budget:
        from tejido.governance.plans.money import money

        left = max(project.budget - (total - share), Decimal(0))
        raise ValidationError(
            {
                "budget_share": _(
                    "The shares would add up to %(total)s, more than the budget of %(budget)s. "
                    "At most %(left)s is left."
                )
                % {
                    "total": money(total, project.currency),
                    "budget": money(project.budget, project.currency),
                    "left": money(left, project.currency),
                }
            },
            code="over_budget",
        )


# -- joint projects ---------------------------------------------------------------------------


def _project_fields(
    *,
    program: Program,
    title: str,
    summary: str,
    goals: str,
    budget: Decimal | None,
    currency: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    consortium: Consortium | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": _title(title),
        "summary": _text(summary, "summary", max_length=MAX_TEXT),
        "goals": _text(goals, "goals", max_length=MAX_LONG_TEXT, required=True),
        "budget": _amount(budget, "budget"),
        "currency": (currency or "").upper(),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "consortium": consortium,
    }
    if values["currency"] not in CURRENCY_CODES:
        raise ValidationError({"currency": _("Choose a currency.")}, code="currency")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})
    if consortium is not None and consortium.program_id != program.pk:
        raise ValidationError({"consortium": _("This consortium is not in the program.")})
    return values


@transaction.atomic
def project_create(
    *,
    user: Any,
    program: Program,
    lead: Actor,
    title: str,
    goals: str,
    summary: str = "",
    themes: Iterable[Theme] = (),
    budget: Decimal | None = None,
    currency: str = "CLP",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    consortium: Consortium | None = None,
    lead_contribution: str = "",
    lead_share: Decimal | None = None,
) -> JointProject:
    """A new joint project (planned), led by one of the user's entities."""
    _require(
        user, ADD_PROJECT, program, _("Only representatives of an organization propose projects.")
    )
    lead = _entity(lead, program, "lead")
    if lead.pk not in {a.pk for a in entities_for(user, program)}:
        raise ValidationError(
            {"lead": _("You can only propose projects for organizations you represent.")}
        )
    values = _project_fields(
        program=program,
        title=title,
        summary=summary,
        goals=goals,
        budget=budget,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        consortium=consortium,
    )
    share = _amount(lead_share, "budget_share")
    if share is not None and (values["budget"] is None or share > values["budget"]):
        raise ValidationError(
            {"lead_share": _("The lead's share cannot be more than the budget.")},
            code="over_budget",
        )
    project = JointProject.objects.create(program=program, created_by=user, **values)
    project.themes.set(list(themes))
    ProjectPartner.objects.create(
        project=project,
        actor=lead,
        role=PartnerRole.LEAD,
        contribution=_text(lead_contribution, "lead_contribution", max_length=MAX_TEXT),
        budget_share=share,
    )
    audit_log(
        user=user,
        action="cooperation.project_create",
        target=project,
        program=program,
        data={"lead": lead.pk, "title": project.title},
    )
    return project


@transaction.atomic
def project_update(
    *,
    user: Any,
    project: JointProject,
    title: str,
    goals: str,
    summary: str = "",
    themes: Iterable[Theme] = (),
    budget: Decimal | None = None,
    currency: str = "CLP",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> JointProject:
    """Change what the project is about; the budget never drops under the partners' shares."""
    _require(user, MANAGE_PROJECT, project, _("Only the lead partner changes the project."))
    locked = JointProject.objects.select_for_update().get(pk=project.pk)
    values = _project_fields(
        program=project.program,
        title=title,
        summary=summary,
        goals=goals,
        budget=budget,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        consortium=locked.consortium,
    )
    shared = _shares_total(locked)
    if shared and (values["budget"] is None or values["budget"] < shared):
        from tejido.governance.plans.money import money

        raise ValidationError(
            {
                "budget": _("The partners' shares already add up to %(total)s.")
                % {"total": money(shared, values["currency"])}
            },
            code="under_shares",
        )
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    locked.themes.set(list(themes))
    audit_log(
        user=user,
        action="cooperation.project_update",
        target=locked,
        program=project.program,
        data={"title": locked.title},
    )
    return locked


@transaction.atomic
def partner_add(
    *,
    user: Any,
    project: JointProject,
    actor: Actor,
    contribution: str = "",
    budget_share: Decimal | None = None,
    day: datetime.date | None = None,
) -> ProjectPartner:
    """Another entity joins the project. While it runs, its ties are recorded at once."""
    _require(user, MANAGE_PROJECT, project, _("Only the lead partner manages the partners."))
    locked = JointProject.objects.select_for_update().get(pk=project.pk)
    if locked.status in (ProjectStatus.FINISHED, ProjectStatus.CANCELLED):
        raise ValidationError(_("This project is closed: partners cannot change."), code="closed")
    actor = _entity(actor, project.program, "actor")
    partners = list(ProjectPartner.objects.filter(project=locked).select_related("actor"))
    if actor.pk in {p.actor_id for p in partners}:
        raise ValidationError({"actor": _("This organization is already a partner.")})
    share = _amount(budget_share, "budget_share")
    _check_share(locked, share, without=None)
    try:
        with transaction.atomic():
            partner = ProjectPartner.objects.create(
                project=locked,
                actor=actor,
                role=PartnerRole.PARTNER,
                contribution=_text(contribution, "contribution", max_length=MAX_TEXT),
                budget_share=share,
            )
    except IntegrityError as exc:
        raise ValidationError({"actor": _("This organization is already a partner.")}) from exc
    ties = 0
    if locked.status == ProjectStatus.RUNNING:
        ties = _project_ties(
            user,
            locked,
            [actor, *(p.actor for p in partners)],
            day or timezone.localdate(),
        )
    audit_log(
        user=user,
        action="cooperation.project_partner_add",
        target=locked,
        program=project.program,
        data={
            "actor": actor.pk,
            "budget_share": str(share) if share is not None else None,
            "ties": ties,
        },
    )
    return partner


@transaction.atomic
def partner_update(
    *,
    user: Any,
    partner: ProjectPartner,
    contribution: str = "",
    budget_share: Decimal | None = None,
) -> ProjectPartner:
    """Change a partner's contribution and share of the budget."""
    project = partner.project
    _require(user, MANAGE_PROJECT, project, _("Only the lead partner manages the partners."))
    locked = JointProject.objects.select_for_update().get(pk=project.pk)
    share = _amount(budget_share, "budget_share")
    _check_share(locked, share, without=partner.pk)
    partner.contribution = _text(contribution, "contribution", max_length=MAX_TEXT)
    partner.budget_share = share
    partner.save(update_fields=["contribution", "budget_share"])
    audit_log(
        user=user,
        action="cooperation.project_partner_update",
        target=locked,
        program=project.program,
        data={"actor": partner.actor_id, "budget_share": str(share) if share is not None else None},
    )
    return partner


@transaction.atomic
def partner_remove(*, user: Any, partner: ProjectPartner) -> None:
    """A partner leaves a project that has not started yet (never the lead)."""
    project = partner.project
    _require(user, MANAGE_PROJECT, project, _("Only the lead partner manages the partners."))
    locked = JointProject.objects.select_for_update().get(pk=project.pk)
    if partner.role == PartnerRole.LEAD:
        raise ValidationError(_("The lead partner cannot be removed."), code="lead")
    if locked.status != ProjectStatus.PLANNED:
        raise ValidationError(
            _("Partners can only be removed before the project starts."), code="started"
        )
    actor_id = partner.actor_id
    deleted, _rows = ProjectPartner.objects.filter(pk=partner.pk).delete()
    if not deleted:
        raise ValidationError(_("This partner was already removed."), code="gone")
    audit_log(
        user=user,
        action="cooperation.project_partner_remove",
        target=locked,
        program=project.program,
        data={"actor": actor_id},
    )


@transaction.atomic
def project_set_status(
    *, user: Any, project: JointProject, status: str, day: datetime.date | None = None
) -> int:
    """Move the project on: planned → running → finished, or cancelled. Starting it records
    the ties among all partners. Returns the number of ties recorded or strengthened."""
    _require(user, MANAGE_PROJECT, project, _("Only the lead partner changes the status."))
    locked = JointProject.objects.select_for_update().get(pk=project.pk)
    if status not in NEXT_STATUS.get(locked.status, ()):
        if status == locked.status:
            raise ValidationError(
                _("The project is already “%(status)s”.") % {"status": ProjectStatus(status).label},
                code="same",
            )
        raise ValidationError(_("A project cannot go from this status to that one."), code="step")
    day = day or timezone.localdate()
    partners = list(ProjectPartner.objects.filter(project=locked).select_related("actor"))
    ties = 0
    if status == ProjectStatus.RUNNING:
        if len(partners) < 2:
            raise ValidationError(
                _("A joint project needs at least two partners before it starts."),
                code="partners",
            )
        if locked.starts_on is None or locked.starts_on > day:
            locked.starts_on = day
        if locked.ends_on is not None and locked.ends_on < locked.starts_on:
            locked.ends_on = None
        ties = _project_ties(user, locked, [p.actor for p in partners], day)
    if status == ProjectStatus.FINISHED and (locked.ends_on is None or locked.ends_on > day):
        locked.ends_on = max(day, locked.starts_on) if locked.starts_on else day
    previous = locked.status
    locked.status = status
    locked.save(update_fields=["status", "starts_on", "ends_on", "updated_at"])
    project.status, project.starts_on, project.ends_on = (
        locked.status,
        locked.starts_on,
        locked.ends_on,
    )
    audit_log(
        user=user,
        action="cooperation.project_status",
        target=locked,
        program=project.program,
        data={"from": previous, "to": status, "ties": ties},
    )
    return ties


# -- transfer offers --------------------------------------------------------------------------


def _offer_fields(*, kind: str, title: str, description: str, conditions: str) -> dict[str, Any]:
    if kind not in TransferKind.values:
        raise ValidationError({"kind": _("Choose what kind of thing you offer.")}, code="kind")
    return {
        "kind": kind,
        "title": _title(title),
        "description": _text(description, "description", max_length=MAX_LONG_TEXT, required=True),
        "conditions": _text(conditions, "conditions", max_length=MAX_TEXT),
    }


@transaction.atomic
def offer_create(
    *,
    user: Any,
    program: Program,
    provider: Actor,
    kind: str,
    title: str,
    description: str,
    conditions: str = "",
    themes: Iterable[Theme] = (),
) -> TransferOffer:
    """A tool or method one of the user's entities offers to pass on."""
    _require(
        user, ADD_OFFER, program, _("Only representatives of an organization offer transfers.")
    )
    provider = _entity(provider, program, "provider")
    if provider.pk not in {a.pk for a in entities_for(user, program)}:
        raise ValidationError(
            {"provider": _("You can only offer on behalf of organizations you represent.")}
        )
    values = _offer_fields(kind=kind, title=title, description=description, conditions=conditions)
    offer = TransferOffer.objects.create(
        program=program, provider=provider, created_by=user, **values
    )
    offer.themes.set(list(themes))
    audit_log(
        user=user,
        action="cooperation.transfer_offer_create",
        target=offer,
        program=program,
        data={"provider": provider.pk, "title": offer.title},
    )
    return offer


@transaction.atomic
def offer_set_open(*, user: Any, offer: TransferOffer, is_open: bool) -> TransferOffer:
    """Close the offer to new requests, or open it again."""
    _require(user, MANAGE_OFFER, offer, _("Only the provider closes or reopens the offer."))
    locked = TransferOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.is_open == is_open:
        return locked
    locked.is_open = is_open
    locked.save(update_fields=["is_open", "updated_at"])
    offer.is_open = is_open
    audit_log(
        user=user,
        action="cooperation.transfer_offer_open" if is_open else "cooperation.transfer_offer_close",
        target=locked,
        program=offer.program,
    )
    return locked


# -- transfers --------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(
    *,
    user: Any,
    offer: TransferOffer,
    receiver: Actor,
    message: str = "",
    base_url: str = "",
    notify: bool = True,
) -> Transfer:
    """One of the user's entities asks for the offer (once while a request is live)."""
    _require(
        user,
        REQUEST_TRANSFER,
        offer,
        _("Only representatives of an organization can ask for a transfer."),
    )
    program = offer.program
    receiver = _entity(receiver, program, "receiver")
    if receiver.pk not in represented_ids(user):
        raise ValidationError(
            {"receiver": _("You can only ask on behalf of organizations you represent.")}
        )
    if receiver.pk == offer.provider_id:
        raise ValidationError({"receiver": _("An organization cannot ask for its own offer.")})
    locked = TransferOffer.objects.select_for_update().get(pk=offer.pk)
    if not locked.is_open:
        raise ValidationError(_("This offer is closed to new requests."), code="closed")
    text = _text(message, "message", max_length=MAX_TEXT)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                offer=locked,
                program=program,
                receiver=receiver,
                message=text,
                requested_by=user,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"receiver": _("This organization has already asked for this offer.")},
            code="duplicate",
        ) from exc
    audit_log(
        user=user,
        action="cooperation.transfer_request",
        target=transfer,
        program=program,
        data={"offer": offer.pk, "receiver": receiver.pk},
    )
    if notify:
        transaction.on_commit(lambda: send_transfer_notice(transfer.pk, base_url=base_url))
    return transfer


def _lock_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update().select_related("offer", "receiver").get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_decide(
    *,
    user: Any,
    transfer: Transfer,
    agree: bool,
    day: datetime.date | None = None,
    base_url: str = "",
    notify: bool = True,
) -> Transfer:
    """The provider agrees (which records the tie) or declines a request."""
    _require(user, DECIDE_TRANSFER, transfer, _("Only the provider answers a request."))
    locked = _lock_transfer(transfer)
    if locked.status != TransferStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."), code="answered")
    day = day or timezone.localdate()
    if agree:
        provider = Actor.objects.get(pk=locked.offer.provider_id)
        note = _("Transfer of “%(title)s”.") % {"title": locked.offer.title}
        tie, _written = _strengthen(
            user,
            _existing_ties([provider.pk, locked.receiver_id]),
            provider,
            locked.receiver,
            intensity=TRANSFER_TIE_INTENSITY,
            provenance=Provenance.TRANSFER,
            day=day,
            note=note,
        )
        locked.status = TransferStatus.AGREED
        locked.tie = tie
    else:
        locked.status = TransferStatus.DECLINED
    locked.save(update_fields=["status", "tie", "updated_at"])
    transfer.status, transfer.tie_id = locked.status, locked.tie_id
    audit_log(
        user=user,
        action="cooperation.transfer_agree" if agree else "cooperation.transfer_decline",
        target=locked,
        program=locked.program,
        data={"offer": locked.offer_id, "receiver": locked.receiver_id, "tie": locked.tie_id},
    )
    if notify:
        transaction.on_commit(lambda: send_transfer_notice(locked.pk, base_url=base_url))
    return locked


@transaction.atomic
def transfer_complete(
    *,
    user: Any,
    transfer: Transfer,
    completed_on: datetime.date | None = None,
    outcome: str = "",
    base_url: str = "",
    notify: bool = True,
) -> Transfer:
    """The provider marks an agreed transfer as done, with the date and what came of it."""
    _require(user, DECIDE_TRANSFER, transfer, _("Only the provider marks a transfer as done."))
    locked = _lock_transfer(transfer)
    if locked.status == TransferStatus.COMPLETED:
        raise ValidationError(_("This transfer is already marked as done."), code="done")
    if locked.status != TransferStatus.AGREED:
        raise ValidationError(_("Agree to the request before marking it as done."), code="step")
    day = completed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"completed_on": _("The date cannot be in the future.")})
    if day < locked.created_at.date():
        raise ValidationError({"completed_on": _("The date cannot be before the request.")})
    locked.status = TransferStatus.COMPLETED
    locked.completed_on = day
    locked.outcome = _text(outcome, "outcome", max_length=MAX_TEXT)
    locked.save(update_fields=["status", "completed_on", "outcome", "updated_at"])
    transfer.status, transfer.completed_on, transfer.outcome = (
        locked.status,
        locked.completed_on,
        locked.outcome,
    )
    audit_log(
        user=user,
        action="cooperation.transfer_complete",
        target=locked,
        program=locked.program,
        data={"completed_on": day.isoformat()},
    )
    if notify:
        transaction.on_commit(lambda: send_transfer_notice(locked.pk, base_url=base_url))
    return locked


# -- mail -------------------------------------------------------------------------------------


def send_transfer_notice(transfer_id: int, *, base_url: str = "") -> int:
    """A new request goes to the provider's representatives; an answer or the completion to
    the receiver's. Each in the recipient's language."""
    transfer = (
        Transfer.objects.select_related("offer__provider", "receiver", "program")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        return 0
    offer = transfer.offer
    to_provider = transfer.status == TransferStatus.REQUESTED
    url = (base_url.rstrip("/") if base_url else "") + reverse(
        "cooperation:transfer_offer", args=[transfer.program.slug, offer.pk]
    )
    return mail_each(
        representatives_of(offer.provider_id if to_provider else transfer.receiver_id),
        "cooperation/projects/email/transfer_subject.txt",
        "cooperation/projects/email/transfer.txt",
        {
            "transfer": transfer,
            "offer": offer,
            "program": transfer.program,
            "url": url,
            "status": transfer.status,
        },
    )
