"""Every write of shared services: listings (what an entity offers or needs), requests for an
offered service and the provider's decision.

Entities act through their representatives; coordinators act on any entity's behalf. When the
provider agrees, the two entities get a collaboration tie (provenance "shared service"); a tie
at least as strong already there is kept as it is, never weakened. The offer's row is locked
while an agreement takes one of its places, so two agreements cannot take the last one, and the
agreement's row is locked while it is decided, so a second click changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind
from tejido.actors.rules import represented_ids
from tejido.actors.selectors import representatives_of
from tejido.core.audit import audit_log
from tejido.core.mail import mail_each
from tejido.core.models import Program, Territory
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_strengthen

from ..models import (
    LIVE_AGREEMENT,
    AgreementStatus,
    ListingKind,
    ServiceAgreement,
    ServiceCategory,
    ServiceListing,
    ServiceTerms,
)

ADD = "cooperation.add_listing"
CHANGE = "cooperation.change_listing"
REQUEST = "cooperation.request_service"
VIEW_AGREEMENT = "cooperation.view_agreement"
DECIDE = "cooperation.decide_agreement"
WITHDRAW = "cooperation.withdraw_agreement"

TIE_TYPE = TieType.COLLABORATION
TIE_INTENSITY = Intensity.COOPERATION
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_CAPACITY = 1000

AGREE = "agree"
DECLINE = "decline"
WITHDRAW_ACTION = "withdraw"
END = "end"
ACTIONS = (AGREE, DECLINE, WITHDRAW_ACTION, END)


# -- helpers ----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def is_coordinator(user: Any, program: Program) -> bool:
    from tejido.accounts.rules import is_coordinator as rule

    return bool(rule.test(user, program))


def entities_for(user: Any, program: Program) -> list[Actor]:
    """The entities of `program` (organizations and informal groups) the user acts for: those
    they represent, every one of the program for its coordinators."""
    entities = Actor.objects.organizations().filter(program=program).order_by("name")
    if is_coordinator(user, program):
        return list(entities)
    mine = represented_ids(user)
    return list(entities.filter(pk__in=mine)) if mine else []


def may_act_for(user: Any, program: Program, actor: Actor) -> bool:
    """Whether the user acts for `actor`, an entity of `program` (without listing them all)."""
    if actor.program_id != program.pk or actor.kind == ActorKind.PERSON:
        return False
    return actor.pk in represented_ids(user) or is_coordinator(user, program)


def represented_entities(user: Any, program: Program) -> list[Actor]:
    """Only the entities of `program` the user represents (a coordinator's own, not all)."""
    mine = represented_ids(user)
    if not mine:
        return []
    return list(Actor.objects.organizations().filter(program=program, pk__in=mine).order_by("name"))


def _clean_text(value: str | None, field: str, *, required: str = "", max_length: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: required}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": max_length, "length": len(text)}
            },
            code="max_length",
        )
    return text


def _listing_values(
    *,
    user: Any,
    program: Program,
    actor: Actor,
    kind: str,
    category: str,
    title: str,
    description: str,
    territory: Territory | None,
    capacity: int | None,
    terms: str,
    conditions: str,
    current_actor_id: int | None = None,
) -> dict[str, Any]:
    if actor.program_id != program.pk or actor.kind == ActorKind.PERSON:
        raise ValidationError({"actor": _("Choose an organization or group of this program.")})
    if not may_act_for(user, program, actor) and actor.pk != current_actor_id:
        raise ValidationError(
            {"actor": _("You can only publish on behalf of an organization you represent.")},
            code="actor",
        )
    if kind not in ListingKind.values:
        raise ValidationError({"kind": _("Say whether it is an offer or a need.")})
    if category not in ServiceCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    if terms not in ServiceTerms.values:
        raise ValidationError({"terms": _("Choose the terms.")})
    clean_title = " ".join((title or "").split())
    if not clean_title:
        raise ValidationError({"title": _("Give it a title.")}, code="required")
    if len(clean_title) > MAX_TITLE:
        raise ValidationError(
            {"title": _("Keep the title under %(count)s characters.") % {"count": MAX_TITLE}}
        )
    if kind == ListingKind.NEED:
        capacity = None
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(
            {
                "capacity": _("Say how many entities you can serve at once, from 1 to %(max)s.")
                % {"max": MAX_CAPACITY}
            }
        )
    return {
        "actor": actor,
        "kind": kind,
        "category": category,
        "title": clean_title,
        "description": _clean_text(
            description,
            "description",
            required=_("Describe what is offered or needed."),
            max_length=MAX_TEXT,
        ),
        "territory": territory,
        "capacity": capacity,
        "terms": terms,
        "conditions": _clean_text(conditions, "conditions", max_length=MAX_TEXT),
    }


def places_taken(offer: ServiceListing) -> int:
    return ServiceAgreement.objects.filter(offer=offer, status=AgreementStatus.AGREED).count()


def places_left(offer: ServiceListing, taken: int | None = None) -> int | None:
    """Places left on an offer (None: no limit said)."""
    if offer.capacity is None:
        return None
    taken = places_taken(offer) if taken is None else taken
    return max(0, offer.capacity - taken)


# -- listings ---------------------------------------------------------------------------------


@transaction.atomic
def listing_create(
    *,
    user: Any,
    program: Program,
    actor: Actor,
    kind: str,
    category: str,
    title: str,
    description: str = "",
    territory: Territory | None = None,
    capacity: int | None = None,
    terms: str = ServiceTerms.FREE,
    conditions: str = "",
) -> ServiceListing:
    """Publish what an entity offers to others or needs from them."""
    _require(user, ADD, program, _("Only representatives of an organization can publish services."))
    values = _listing_values(
        user=user,
        program=program,
        actor=actor,
        kind=kind,
        category=category,
        title=title,
        description=description,
        territory=territory,
        capacity=capacity,
        terms=terms,
        conditions=conditions,
    )
    listing = ServiceListing.objects.create(program=program, created_by=user, **values)
    audit_log(
        user=user,
        action="cooperation.listing.create",
        target=listing,
        program=program,
        data={"kind": listing.kind, "actor": actor.pk, "category": listing.category},
    )
    return listing


@transaction.atomic
def listing_update(
    *,
    user: Any,
    listing: ServiceListing,
    actor: Actor,
    category: str,
    title: str,
    description: str = "",
    territory: Territory | None = None,
    capacity: int | None = None,
    terms: str = ServiceTerms.FREE,
    conditions: str = "",
) -> ServiceListing:
    """Change a listing (its kind stays: an offer stays an offer). An offer's capacity cannot
    go below the agreements in force."""
    _require(user, CHANGE, listing, _("Only the entity's representatives can change it."))
    locked = ServiceListing.objects.select_for_update().get(pk=listing.pk)
    values = _listing_values(
        user=user,
        program=locked.program,
        actor=actor,
        kind=locked.kind,
        category=category,
        title=title,
        description=description,
        territory=territory,
        capacity=capacity,
        terms=terms,
        conditions=conditions,
        current_actor_id=locked.actor_id,
    )
    if actor.pk != locked.actor_id and locked.agreements.filter(status__in=LIVE_AGREEMENT).exists():
        raise ValidationError(
            {"actor": _("It has requests or agreements in force: its entity cannot change.")}
        )
    taken = places_taken(locked)
    if values["capacity"] is not None and values["capacity"] < taken:
        raise ValidationError(
            {
                "capacity": _("%(count)s agreements are in force: the capacity cannot be lower.")
                % {"count": taken}
            }
        )
    changed = sorted(k for k, v in values.items() if getattr(locked, k) != v)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    audit_log(
        user=user,
        action="cooperation.listing.update",
        target=locked,
        program=locked.program,
        data={"changed": changed},
    )
    return locked


@transaction.atomic
def listing_set_open(*, user: Any, listing: ServiceListing, is_open: bool) -> ServiceListing:
    """Close a listing (no more requests; agreements in force stay) or open it again."""
    _require(user, CHANGE, listing, _("Only the entity's representatives can change it."))
    locked = ServiceListing.objects.select_for_update().get(pk=listing.pk)
    if locked.is_open == is_open:
        return locked
    locked.is_open = is_open
    locked.save(update_fields=["is_open", "updated_at"])
    audit_log(
        user=user,
        action="cooperation.listing.open" if is_open else "cooperation.listing.close",
        target=locked,
        program=locked.program,
    )
    return locked


# -- requests ---------------------------------------------------------------------------------


@transaction.atomic
def service_request(
    *,
    user: Any,
    offer: ServiceListing,
    receiver: Actor,
    need: ServiceListing | None = None,
    message: str = "",
    base_url: str = "",
) -> ServiceAgreement:
    """Ask for an offered service on behalf of an entity (optionally from one of its needs).
    The provider's representatives are told by e-mail once it is recorded."""
    _require(
        user, REQUEST, offer, _("Only representatives of an organization can request services.")
    )
    locked = ServiceListing.objects.select_for_update().get(pk=offer.pk)
    if locked.kind != ListingKind.OFFER:
        raise ValidationError(_("Only an offer can be requested."))
    if receiver.program_id != locked.program_id or receiver.kind == ActorKind.PERSON:
        raise ValidationError({"receiver": _("Choose an organization or group of this program.")})
    if not may_act_for(user, locked.program, receiver):
        raise ValidationError(
            {"receiver": _("You can only ask on behalf of an organization you represent.")}
        )
    if receiver.pk == locked.actor_id:
        raise ValidationError({"receiver": _("This is your own offer: you cannot request it.")})
    if not locked.is_open:
        raise ValidationError(_("This offer is closed: it takes no more requests."))
    if places_left(locked) == 0:
        raise ValidationError(_("This offer has no places left."))
    if need is not None and (
        need.actor_id != receiver.pk
        or need.kind != ListingKind.NEED
        or need.category != locked.category
        or not need.is_open
    ):
        raise ValidationError(
            {"need": _("Choose an open need of the same entity, in this category.")}
        )
    text = _clean_text(
        message,
        "message",
        required=_("Tell the provider what you need."),
        max_length=MAX_TEXT,
    )
    if ServiceAgreement.objects.filter(
        offer=locked, receiver=receiver, status__in=LIVE_AGREEMENT
    ).exists():
        raise ValidationError(
            {"receiver": _("This organization already has a request or an agreement for it.")},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            agreement = ServiceAgreement.objects.create(
                program=locked.program,
                offer=locked,
                need=need,
                provider_id=locked.actor_id,
                receiver=receiver,
                message=text,
                requested_by=user,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"receiver": _("This organization already has a request or an agreement for it.")},
            code="duplicate",
        ) from error
    audit_log(
        user=user,
        action="cooperation.agreement.request",
        target=agreement,
        program=locked.program,
        data={"offer": locked.pk, "receiver": receiver.pk, "need": need.pk if need else None},
    )
    agreement_id = agreement.pk
    transaction.on_commit(lambda: send_agreement_notice(agreement_id, base_url=base_url))
    return agreement


# -- decisions --------------------------------------------------------------------------------


def _strengthen_tie(user: Any, agreement: ServiceAgreement, day: datetime.date) -> Tie:
    """The collaboration tie between provider and receiver, never weakened."""
    tie, _written = tie_strengthen(
        user=user,
        source=agreement.provider,
        target=agreement.receiver,
        tie_type=TIE_TYPE,
        intensity=TIE_INTENSITY,
        provenance=Provenance.SHARED_SERVICE,
        started_on=day,
        note=_("Shared service “%(title)s”.") % {"title": agreement.offer.title},
    )
    return tie


def _agree(
    user: Any,
    agreement: ServiceAgreement,
    *,
    note: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> None:
    _require(user, DECIDE, agreement, _("Only the provider's representatives can agree."))
    offer = ServiceListing.objects.select_for_update().get(pk=agreement.offer_id)
    if places_left(offer) == 0:
        raise ValidationError(_("This offer has no places left: end another agreement first."))
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})
    agreement.status = AgreementStatus.AGREED
    agreement.terms_note = _clean_text(note, "note", max_length=MAX_TEXT)
    agreement.starts_on = starts_on
    agreement.ends_on = ends_on
    agreement.tie = _strengthen_tie(user, agreement, starts_on)
    if agreement.need_id:
        ServiceListing.objects.filter(pk=agreement.need_id, is_open=True).update(
            is_open=False, updated_at=timezone.now()
        )


@transaction.atomic
def agreement_decide(
    *,
    user: Any,
    agreement: ServiceAgreement,
    action: str,
    note: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    base_url: str = "",
) -> ServiceAgreement:
    """Agree (the provider: a tie is recorded and the need it came from closed), decline (the
    provider), withdraw (the receiver) a request, or end an agreement in force (either side).
    Repeating what was already done changes nothing."""
    if action not in ACTIONS:
        raise ValidationError(_("Choose what to do with the request."))
    locked = (
        ServiceAgreement.objects.select_for_update(of=("self",))
        .select_related("provider", "receiver", "offer", "program")
        .get(pk=agreement.pk)
    )
    done = {
        AGREE: AgreementStatus.AGREED,
        DECLINE: AgreementStatus.DECLINED,
        WITHDRAW_ACTION: AgreementStatus.WITHDRAWN,
        END: AgreementStatus.ENDED,
    }[action]
    if locked.status == done:
        _require(
            user,
            VIEW_AGREEMENT,
            locked,
            _("Only the two organizations and the coordinators see this agreement."),
        )
        return locked
    if action == END:
        if not (user.has_perm(DECIDE, locked) or user.has_perm(WITHDRAW, locked)):
            raise PermissionDenied(_("Only the two organizations can end the agreement."))
        if locked.status != AgreementStatus.AGREED:
            raise ValidationError(_("Only an agreement in force can be ended."))
        day = ends_on or timezone.localdate()
        if locked.starts_on and day < locked.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})
        locked.ends_on = day
        if note.strip():
            locked.terms_note = "\n\n".join(
                p for p in (locked.terms_note, _clean_text(note, "note", max_length=MAX_TEXT)) if p
            )
    else:
        if locked.status != AgreementStatus.REQUESTED:
            raise ValidationError(
                _("This request was already answered (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        if action == AGREE:
            _agree(user, locked, note=note, starts_on=starts_on, ends_on=ends_on)
        elif action == DECLINE:
            _require(user, DECIDE, locked, _("Only the provider's representatives can decline."))
            locked.terms_note = _clean_text(note, "note", max_length=MAX_TEXT)
        else:
            _require(
                user,
                WITHDRAW,
                locked,
                _("Only the representatives of the organization that asked can withdraw."),
            )
    locked.status = done
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save()
    audit_log(
        user=user,
        action=f"cooperation.agreement.{action}",
        target=locked,
        program=locked.program,
        data={"status": locked.status, "tie": locked.tie_id},
    )
    if action in (AGREE, DECLINE):
        agreement_id = locked.pk
        transaction.on_commit(lambda: send_agreement_notice(agreement_id, base_url=base_url))
    return locked


# -- e-mail -----------------------------------------------------------------------------------


def agreement_url(agreement: ServiceAgreement, base_url: str = "") -> str:
    path = reverse("cooperation:agreement", args=[agreement.program.slug, agreement.pk])
    return (base_url.rstrip("/") if base_url else "") + path


def send_agreement_notice(agreement_id: int, *, base_url: str = "") -> int:
    """A new request to the provider's representatives; the provider's answer to the
    receiver's. Each in their own language."""
    agreement = (
        ServiceAgreement.objects.select_related("program", "offer", "provider", "receiver")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        return 0
    to_provider = agreement.status == AgreementStatus.REQUESTED
    entity = agreement.provider if to_provider else agreement.receiver
    name = "request" if to_provider else "decision"
    return mail_each(
        representatives_of(entity.pk),
        f"cooperation/sharing/email/{name}_subject.txt",
        f"cooperation/sharing/email/{name}.txt",
        {
            "agreement": agreement,
            "offer": agreement.offer,
            "program": agreement.program,
            "url": agreement_url(agreement, base_url),
        },
    )
