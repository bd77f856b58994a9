"""Every write of a governance body: the body, its seats by sector, who holds each seat (the
mandates, term by term) and the quorum rules by sector.

Invariants kept here (the database enforces the simple ones too):

* A seat is held for an organization or informal group of the body's program, by a person of
  the same program, with an optional alternate who is another person.
* Mandates on one seat never overlap: assigning a new one ends the mandate it overlaps the day
  before the new term starts; a later mandate already on record is never cut short.
* A person holds at most one seat per body at any time, as holder or alternate; an account acts
  for at most one seat per body at any time (the vote is per seat: `acting_mandate` must find one).
* A seat whose mandates have history (a term that has started, attendance, a ballot) stays:
  removing it would rewrite who sat in past meetings.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.audit import audit_log
from tejido.core.models import Program, Territory
from tejido.network.models import Intensity, TieType

from ..models import Attendance, BallotReceipt, Body, BodyKind, Mandate, Seat, SectorQuorum

# What `body_create` and `body_update` accept besides kind, name and territory.
BODY_FIELDS = (
    "description",
    "is_public",
    "quorum_share",
    "quorum_strict",
    "meeting_ties",
    "meeting_tie_type",
    "meeting_tie_intensity",
)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# -- bodies ------------------------------------------------------------------------------------


def _clean_body(body: Body) -> None:
    """Check a body before writing it, with a message at each field."""
    errors: dict[str, list[str]] = {}
    body.name = (body.name or "").strip()
    if not body.name:
        errors["name"] = [_("Give the body a name.")]
    elif len(body.name) > 200:
        errors["name"] = [_("Keep the name under 200 characters.")]
    elif (
        Body.objects.filter(program_id=body.program_id, name__iexact=body.name)
        .exclude(pk=body.pk)
        .exists()
    ):
        errors["name"] = [_("This program already has a body with this name.")]
    if body.kind not in BodyKind.values:
        errors["kind"] = [_("Choose a kind of body.")]
    if body.territory is not None and not isinstance(body.territory, Territory):
        errors["territory"] = [_("Choose a territory.")]
    try:
        share = Decimal(str(body.quorum_share))
    except (InvalidOperation, ValueError):
        errors["quorum_share"] = [_("Write the share as a number from 0 to 1, such as 0.5.")]
    else:
        if not Decimal(0) < share <= Decimal(1):
            errors["quorum_share"] = [
                _("The share must be more than 0 and at most 1 (0.5 is half of the seats).")
            ]
        elif share != share.quantize(Decimal("0.001")):
            errors["quorum_share"] = [_("Use at most three decimals, such as 0.667.")]
        else:
            body.quorum_share = share
    if body.meeting_tie_type not in TieType.values:
        errors["meeting_tie_type"] = [_("Choose a type of tie.")]
    if body.meeting_tie_intensity not in Intensity.values:
        errors["meeting_tie_intensity"] = [_("Choose an intensity from 0 to 4.")]
    if errors:
        raise ValidationError(errors)


def _check_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown body fields: {', '.join(sorted(unknown))}")


@transaction.atomic
def body_create(
    *,
    user: Any,
    program: Program,
    kind: str,
    name: str,
    territory: Territory | None = None,
    **fields: Any,
) -> Body:
    """Create a governance body of `program` (a local directorate, a round-table...)."""
    _check_fields(fields, BODY_FIELDS)
    body = Body(program=program, kind=kind, name=name, territory=territory, **fields)
    _clean_body(body)
    body.save()
    audit_log(
        user=user,
        action="body.create",
        target=body,
        program=program,
        data={"name": body.name, "kind": body.kind},
    )
    return body


@transaction.atomic
def body_update(*, user: Any, body: Body, **fields: Any) -> Body:
    """Change a body's name, kind, territory, visibility, quorum share or meeting ties."""
    _check_fields(fields, ("kind", "name", "territory", *BODY_FIELDS))
    body = Body.objects.select_for_update().get(pk=body.pk)
    changed = {k: v for k, v in fields.items() if getattr(body, k) != v}
    for key, value in changed.items():
        setattr(body, key, value)
    _clean_body(body)
    if changed:
        body.save()
        audit_log(
            user=user,
            action="body.update",
            target=body,
            program=body.program,
            data={"fields": sorted(changed)},
        )
    return body


@transaction.atomic
def sector_quorums_set(*, user: Any, body: Body, minimums: Mapping[str, int]) -> list[SectorQuorum]:
    """Set the per-sector quorum rules: at least `minimum` voting seats of that sector present.

    Sectors left out keep their rule; a minimum of 0 removes the sector's rule. A minimum larger
    than the sector's voting seats could never be met and is refused.
    """
    body = Body.objects.select_for_update().get(pk=body.pk)
    voting = dict(
        Seat.objects.filter(body=body, is_voting=True)
        .order_by()
        .values_list("sector")
        .annotate(n=Count("*"))
        .values_list("sector", "n")
    )
    labels = dict(Sector.choices)
    errors: dict[str, list[str]] = {}
    for sector, minimum in minimums.items():
        if sector not in labels:
            errors.setdefault("__all__", []).append(_("Unknown sector: %s.") % sector)
        elif not isinstance(minimum, int) or minimum < 0:
            errors[sector] = [_("Write a whole number, 0 or more.")]
        elif minimum > voting.get(sector, 0):
            errors[sector] = [
                _(
                    "The body has %(seats)s voting seats of the %(sector)s sector: a minimum "
                    "of %(minimum)s could never be met."
                )
                % {"seats": voting.get(sector, 0), "sector": labels[sector], "minimum": minimum}
            ]
    if errors:
        raise ValidationError(errors)
    before = dict(SectorQuorum.objects.filter(body=body).values_list("sector", "minimum_present"))
    for sector, minimum in minimums.items():
        if minimum == 0:
            SectorQuorum.objects.filter(body=body, sector=sector).delete()
        else:
            SectorQuorum.objects.update_or_create(
                body=body, sector=sector, defaults={"minimum_present": minimum}
            )
    rules = list(SectorQuorum.objects.filter(body=body).order_by("sector"))
    after = {rule.sector: rule.minimum_present for rule in rules}
    if after != before:
        audit_log(
            user=user,
            action="body.sector_quorums",
            target=body,
            program=body.program,
            data={"before": before, "after": after},
        )
    return rules


# -- seats ---------------------------------------------------------------------------------------


def _clean_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the seat, for example “Community seat 1”.")})
    if len(label) > 120:
        raise ValidationError({"label": _("Keep the seat's name under 120 characters.")})
    return label


def _label_taken(label: str) -> ValidationError:
    return ValidationError(
        {"label": _("This body already has a seat called “%(label)s”.") % {"label": label}}
    )


@transaction.atomic
def seat_create(*, user: Any, body: Body, sector: str, label: str, is_voting: bool = True) -> Seat:
    """Add a seat for `sector` at the end of the body's seats."""
    # The body row is the lock that orders concurrent changes to its seats.
    body = Body.objects.select_for_update(of=("self",)).select_related("program").get(pk=body.pk)
    label = _clean_label(label)
    if sector not in Sector.values:
        raise ValidationError({"sector": _("Choose the sector this seat is for.")})
    if Seat.objects.filter(body=body, label__iexact=label).exists():
        raise _label_taken(label)
    position = (Seat.objects.filter(body=body).aggregate(top=Max("position"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            seat = Seat.objects.create(
                body=body, sector=sector, label=label, position=position, is_voting=is_voting
            )
    except IntegrityError as exc:
        raise _label_taken(label) from exc
    audit_log(
        user=user,
        action="seat.create",
        target=seat,
        program=body.program,
        data={"body": body.pk, "label": label, "sector": sector, "voting": is_voting},
    )
    return seat


def seat_has_history(seat: Seat, today: datetime.date | None = None) -> bool:
    """A seat with a term that has started, or attendance or a ballot recorded for it."""
    today = today or timezone.localdate()
    mandates = Mandate.objects.filter(seat=seat)
    return (
        mandates.filter(starts_on__lte=today).exists()
        or Attendance.objects.filter(mandate__seat=seat).exists()
        or BallotReceipt.objects.filter(mandate__seat=seat).exists()
    )


@transaction.atomic
def seat_update(
    *,
    user: Any,
    seat: Seat,
    label: str | None = None,
    sector: str | None = None,
    is_voting: bool | None = None,
    position: int | None = None,
) -> Seat:
    """Rename a seat, change whether it votes or where it is listed.

    The sector can change only while nobody has held the seat: afterwards it would rewrite the
    composition of past meetings.
    """
    seat = (
        Seat.objects.select_for_update(of=("self",)).select_related("body__program").get(pk=seat.pk)
    )
    changed: dict[str, Any] = {}
    if label is not None:
        label = _clean_label(label)
        if label != seat.label:
            if (
                Seat.objects.filter(body_id=seat.body_id, label__iexact=label)
                .exclude(pk=seat.pk)
                .exists()
            ):
                raise _label_taken(label)
            changed["label"] = label
    if sector is not None and sector != seat.sector:
        if sector not in Sector.values:
            raise ValidationError({"sector": _("Choose the sector this seat is for.")})
        if Mandate.objects.filter(seat=seat).exists():
            raise ValidationError(
                {
                    "sector": _(
                        "This seat has been assigned, so its sector stays: add a new seat for "
                        "the other sector instead."
                    )
                }
            )
        changed["sector"] = sector
    if is_voting is not None and is_voting != seat.is_voting:
        changed["is_voting"] = is_voting
    if position is not None and position != seat.position:
        if position < 0:
            raise ValidationError({"position": _("The position is a number, 0 or more.")})
        changed["position"] = position
    if changed:
        for key, value in changed.items():
            setattr(seat, key, value)
        try:
            with transaction.atomic():
                seat.save(update_fields=list(changed))
        except IntegrityError as exc:
            raise _label_taken(seat.label) from exc
        audit_log(
            user=user,
            action="seat.update",
            target=seat,
            program=seat.body.program,
            data={"fields": sorted(changed)},
        )
    return seat


def seat_removal_problem(seat: Seat, today: datetime.date | None = None) -> str:
    """Why `seat` cannot be removed ("" when it can)."""
    if seat_has_history(seat, today):
        return _(
            "The seat “%(label)s” has been held, so it stays in the body's history. End "
            "its current mandate instead, or mark it as a seat without vote."
        ) % {"label": seat.label}
    return ""


@transaction.atomic
def seat_remove(*, user: Any, seat: Seat, today: datetime.date | None = None) -> None:
    """Remove a seat nobody has held yet (a mandate that has not started goes with it)."""
    seat = (
        Seat.objects.select_for_update(of=("self",)).select_related("body__program").get(pk=seat.pk)
    )
    problem = seat_removal_problem(seat, today)
    if problem:
        raise ValidationError(problem)
    data = {"body": seat.body_id, "label": seat.label, "sector": seat.sector}
    audit_log(user=user, action="seat.remove", target=seat, program=seat.body.program, data=data)
    seat.delete()


# -- mandates ------------------------------------------------------------------------------------


def _overlapping(
    mandates: QuerySet[Mandate], starts_on: datetime.date, ends_on: datetime.date | None
) -> QuerySet[Mandate]:
    """Mandates whose term shares at least one day with [starts_on, ends_on]."""
    mandates = mandates.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        mandates = mandates.filter(starts_on__lte=ends_on)
    return mandates


def _check_actor(
    actor: Actor | None, *, field: str, program: Program, person: bool
) -> dict[str, str]:
    if actor is None:
        return {}
    if actor.program_id != program.pk:
        return {field: _("“%(name)s” is not an actor of this program.") % {"name": actor.name}}
    if person and actor.kind != ActorKind.PERSON:
        return {field: _("“%(name)s” is not a person.") % {"name": actor.name}}
    if not person and actor.kind == ActorKind.PERSON:
        return {
            field: _("A seat is held for an organization or a group: “%(name)s” is a person.")
            % {"name": actor.name}
        }
    return {}


def _seat_conflicts(
    *,
    seat: Seat,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    holder: Actor | None,
    alternate: Actor | None,
    holder_user: Any,
    alternate_user: Any,
    exclude: int | None = None,
) -> dict[str, str]:
    """The people and accounts already on another seat of the body over the same days."""
    others = _overlapping(
        Mandate.objects.filter(seat__body_id=seat.body_id).exclude(seat_id=seat.pk),
        starts_on,
        ends_on,
    ).select_related("seat")
    if exclude is not None:
        others = others.exclude(pk=exclude)
    people = [p.pk for p in (holder, alternate) if p is not None]
    accounts = [u.pk for u in (holder_user, alternate_user) if u is not None]
    if not people and not accounts:
        return {}
    condition = Q(pk__in=[])
    if people:
        condition |= Q(holder_id__in=people) | Q(alternate_id__in=people)
    if accounts:
        condition |= Q(holder_user_id__in=accounts) | Q(alternate_user_id__in=accounts)
    errors: dict[str, str] = {}
    for other in others.filter(condition):
        on_other = {other.holder_id, other.alternate_id}
        on_other_accounts = {other.holder_user_id, other.alternate_user_id}
        for field, person in (("holder", holder), ("alternate", alternate)):
            if person is not None and person.pk in on_other and field not in errors:
                errors[field] = _(
                    "%(name)s already sits on this body in the seat “%(seat)s” for part of this "
                    "term: a person holds one seat per body."
                ) % {"name": person.name, "seat": other.seat.label}
        for field, account in (("holder_user", holder_user), ("alternate_user", alternate_user)):
            if account is not None and account.pk in on_other_accounts and field not in errors:
                errors[field] = _(
                    "This account already acts for the seat “%(seat)s” of this body for part of "
                    "this term: an account acts for one seat per body."
                ) % {"seat": other.seat.label}
    return errors


@transaction.atomic
def mandate_assign(
    *,
    user: Any,
    seat: Seat,
    organization: Actor,
    starts_on: datetime.date,
    holder: Actor | None = None,
    alternate: Actor | None = None,
    holder_user: Any = None,
    alternate_user: Any = None,
    ends_on: datetime.date | None = None,
) -> Mandate:
    """Give `seat` to `organization` from `starts_on` (to `ends_on`, or open-ended).

    The seat's mandate running on `starts_on` ends the day before; a mandate that starts on or
    after `starts_on` is never cut short, so assigning over it is refused.
    """
    # The body row serializes assignments across its seats: the one-seat-per-person rule spans
    # the body, and two assignments to one seat must see each other.
    body = (
        Body.objects.select_for_update(of=("self",)).select_related("program").get(pk=seat.body_id)
    )
    seat = Seat.objects.get(pk=seat.pk)
    seat.body = body
    program = body.program
    errors: dict[str, str] = {}
    errors |= _check_actor(organization, field="organization", program=program, person=False)
    errors |= _check_actor(holder, field="holder", program=program, person=True)
    errors |= _check_actor(alternate, field="alternate", program=program, person=True)
    if holder is not None and alternate is not None and holder.pk == alternate.pk:
        errors.setdefault("alternate", _("The alternate must be someone other than the holder."))
    if (
        holder_user is not None
        and alternate_user is not None
        and holder_user.pk == alternate_user.pk
    ):
        errors.setdefault(
            "alternate_user", _("The alternate's account must differ from the holder's.")
        )
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The term must end after it starts.")
    if errors:
        raise ValidationError(errors)

    to_end: Mandate | None = None
    for other in _overlapping(Mandate.objects.filter(seat=seat), starts_on, ends_on).order_by(
        "starts_on"
    ):
        if other.starts_on < starts_on:
            to_end = other
        else:
            raise ValidationError(
                {
                    "starts_on": _(
                        "This seat already has a mandate from %(start)s (%(organization)s): "
                        "the terms would overlap. Start after it ends, or end it first."
                    )
                    % {"start": _day(other.starts_on), "organization": other.organization.name}
                }
            )
    conflicts = _seat_conflicts(
        seat=seat,
        starts_on=starts_on,
        ends_on=ends_on,
        holder=holder,
        alternate=alternate,
        holder_user=holder_user,
        alternate_user=alternate_user,
    )
    if conflicts:
        raise ValidationError(conflicts)

    if to_end is not None:
        previous_end = to_end.ends_on
        to_end.ends_on = starts_on - datetime.timedelta(days=1)
        to_end.save(update_fields=["ends_on", "updated_at"])
        audit_log(
            user=user,
            action="mandate.end",
            target=to_end,
            program=program,
            data={
                "ends_on": to_end.ends_on.isoformat(),
                "was": previous_end.isoformat() if previous_end else None,
                "replaced": True,
            },
        )
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                seat=seat,
                organization=organization,
                holder=holder,
                alternate=alternate,
                holder_user=holder_user,
                alternate_user=alternate_user,
                starts_on=starts_on,
                ends_on=ends_on,
            )
    except IntegrityError as exc:
        raise ValidationError(_("The mandate could not be saved: check the term dates.")) from exc
    audit_log(
        user=user,
        action="mandate.assign",
        target=mandate,
        program=program,
        data={
            "seat": seat.pk,
            "organization": organization.pk,
            "holder": holder.pk if holder else None,
            "alternate": alternate.pk if alternate else None,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return mandate


@transaction.atomic
def mandate_end(*, user: Any, mandate: Mandate, ends_on: datetime.date) -> Mandate:
    """End a mandate on `ends_on` (the last day of the term), earlier than it would end."""
    mandate = (
        Mandate.objects.select_for_update(of=("self",))
        .select_related("seat__body__program")
        .get(pk=mandate.pk)
    )
    if ends_on < mandate.starts_on:
        raise ValidationError(
            {
                "ends_on": _("The term started on %(start)s: it cannot end before that.")
                % {"start": _day(mandate.starts_on)}
            }
        )
    if mandate.ends_on is not None and ends_on > mandate.ends_on:
        raise ValidationError(
            {"ends_on": _("This term already ends on %(end)s.") % {"end": _day(mandate.ends_on)}}
        )
    if mandate.ends_on == ends_on:
        return mandate
    previous_end = mandate.ends_on
    mandate.ends_on = ends_on
    mandate.save(update_fields=["ends_on", "updated_at"])
    audit_log(
        user=user,
        action="mandate.end",
        target=mandate,
        program=mandate.seat.body.program,
        data={
            "ends_on": ends_on.isoformat(),
            "was": previous_end.isoformat() if previous_end else None,
        },
    )
    return mandate


def mandate_removal_problem(mandate: Mandate) -> str:
    """Why `mandate` cannot be deleted ("" when it can)."""
    if (
        Attendance.objects.filter(mandate=mandate).exists()
        or BallotReceipt.objects.filter(mandate=mandate).exists()
    ):
        return _(
            "This mandate has attendance or votes on record, so it stays in the history: "
            "end it instead."
        )
    return ""


@transaction.atomic
def mandate_remove(*, user: Any, mandate: Mandate) -> None:
    """Delete a mandate recorded by mistake: only while no attendance or ballot refers to it."""
    mandate = (
        Mandate.objects.select_for_update(of=("self",))
        .select_related("seat__body__program")
        .get(pk=mandate.pk)
    )
    problem = mandate_removal_problem(mandate)
    if problem:
        raise ValidationError(problem)
    audit_log(
        user=user,
        action="mandate.remove",
        target=mandate,
        program=mandate.seat.body.program,
        data={
            "seat": mandate.seat_id,
            "organization": mandate.organization_id,
            "starts_on": mandate.starts_on.isoformat(),
        },
    )
    mandate.delete()
