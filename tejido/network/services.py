"""Every write to the tie table goes through here; other apps call these, never the model."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Cycle

from .models import Provenance, Tie

# What a new version of a tie may change. Ends and type define the tie itself.
VERSIONED_FIELDS = ("intensity", "trust", "value", "started_on", "ended_on", "note")


# The score ranges the database enforces, checked here first for a clear message per field.
SCORE_RANGES = {"intensity": (0, 4), "trust": (1, 5), "value": (1, 5)}


def _validate(tie: Tie, *, exclude: list[str]) -> None:
    """Validate a tie before writing it, with a message per field.

    Django's full_clean would check each CheckConstraint with its own SQL query (seven per tie
    written); the same rules are checked here in Python and the database still enforces them.
    """
    errors: dict[str, list[str]] = {}
    try:
        tie.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, (low, high) in SCORE_RANGES.items():
        score = getattr(tie, field)
        if score is not None and field not in errors and not low <= score <= high:
            errors[field] = [
                _("Choose a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
    if tie.started_on and tie.ended_on and tie.ended_on < tie.started_on:
        errors.setdefault("ended_on", []).append(_("A tie cannot end before it started."))
    if errors:
        raise ValidationError(errors)


def _ordered_ends(source: Actor, target: Actor, directed: bool) -> tuple[Actor, Actor]:
    if not directed and source.pk > target.pk:
        return target, source
    return source, target


def _cycle_for(program_id: int, day: datetime.date) -> Cycle | None:
    return Cycle.objects.filter(program_id=program_id).running_on(day).first()


@transaction.atomic
def tie_create(
    *,
    user: Any,
    source: Actor,
    target: Actor,
    tie_type: str,
    directed: bool = False,
    intensity: int = 1,
    trust: int | None = None,
    value: int | None = None,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    provenance: str = Provenance.MANUAL,
    cycle: Cycle | None = None,
    note: str = "",
) -> Tie:
    """Record a tie. If the pair already has a current tie of this type, write a new version."""
    if source.pk == target.pk:
        raise ValidationError(_("An actor cannot have a tie with itself."))
    if source.program_id != target.program_id:
        raise ValidationError(_("Both actors must belong to the same program."))
    source, target = _ordered_ends(source, target, directed)
    existing = (
        Tie.objects.select_for_update()
        .current()
        .filter(source=source, target=target, tie_type=tie_type)
        .first()
    )
    if existing is not None:
        return tie_update(
            user=user,
            tie=existing,
            intensity=intensity,
            trust=trust,
            value=value,
            started_on=started_on or existing.started_on,
            ended_on=ended_on,
            note=note or existing.note,
            provenance=provenance,
        )
    tie = Tie(
        program_id=source.program_id,
        source=source,
        target=target,
        tie_type=tie_type,
        directed=directed,
        intensity=intensity,
        trust=trust,
        value=value,
        started_on=started_on,
        ended_on=ended_on,
        provenance=provenance,
        cycle=cycle or _cycle_for(source.program_id, started_on or timezone.localdate()),
        note=note,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # The ends and the program are objects already loaded: no query to check they exist.
    _validate(tie, exclude=["previous", "recorded_by", "cycle", "source", "target", "program"])
    try:
        with transaction.atomic():
            tie.save()
    except IntegrityError as exc:
        # Another user recorded the same tie a moment ago: update theirs instead of failing.
        raise ValidationError(_("This tie was just recorded by someone else. Try again.")) from exc
    audit_log(user=user, action="tie.create", target=tie, program=source.program)
    return tie


# `tie_strengthen(current=...)`: look the pair's tie up (the default) rather than trust the
# caller's preloaded one (a Tie, or None for "they have none").
LOOK_UP: Any = object()


def tie_strengthen(
    *,
    user: Any,
    source: Actor,
    target: Actor,
    tie_type: str,
    intensity: int,
    provenance: str,
    started_on: datetime.date,
    note: str = "",
    current: Tie | None = LOOK_UP,
) -> tuple[Tie, bool]:
    """Record that two actors are tied at `intensity` at least, never weakening their tie.

    Meetings, awards, courses, agreements, consortia and missions all say "these two work
    together now"; none of them may lower what the pair already has:
    - no current tie of this type (either direction): a new one from `started_on`, with `note`;
    - one in force as strong or stronger: kept as it is, nothing written;
    - a weaker one, or one that has ended: a new version at the stronger of the two
      intensities, keeping its direction, trust, value and note (an ended tie starts again on
      `started_on`, one in force keeps its start).

    `current` is the pair's current tie of this type when the caller has already loaded it
    (None: they have none), to save a query when recording many pairs.
    Returns the tie and whether anything was written."""
    if current is LOOK_UP:
        ends = (source.pk, target.pk)
        current = (
            Tie.objects.current()
            .filter(tie_type=tie_type, source_id__in=ends, target_id__in=ends)
            .order_by("-intensity")
            .first()
        )
    if current is None:
        tie = tie_create(
            user=user,
            source=source,
            target=target,
            tie_type=tie_type,
            intensity=intensity,
            started_on=started_on,
            provenance=provenance,
            note=note,
        )
        return tie, True
    in_force = current.ended_on is None or current.ended_on >= timezone.localdate()
    if in_force and current.intensity >= intensity:
        return current, False
    if current.directed and current.source_id != source.pk:
        source, target = target, source
    tie = tie_create(
        user=user,
        source=source,
        target=target,
        tie_type=tie_type,
        directed=current.directed,
        intensity=max(current.intensity, intensity),
        trust=current.trust,
        value=current.value,
        started_on=None if in_force else started_on,
        ended_on=current.ended_on if in_force else None,
        provenance=provenance,
    )
    return tie, True


@transaction.atomic
def tie_update(*, user: Any, tie: Tie, provenance: str | None = None, **changes: Any) -> Tie:
    """Write a new version of the tie; the old one stays, marked as replaced."""
    unknown = set(changes) - set(VERSIONED_FIELDS)
    if unknown:
        raise TypeError(f"tie_update() got unexpected fields: {sorted(unknown)}")
    current = Tie.objects.select_for_update().get(pk=tie.pk)
    if current.superseded_at is not None:
        raise ValidationError(_("This tie has changed since you opened it. Reload and try again."))
    if all(getattr(current, k) == v for k, v in changes.items()) and (
        provenance is None or provenance == current.provenance
    ):
        return current
    now = timezone.now()
    current.superseded_at = now
    current.save(update_fields=["superseded_at"])
    new = Tie(
        program_id=current.program_id,
        source_id=current.source_id,
        target_id=current.target_id,
        tie_type=current.tie_type,
        directed=current.directed,
        intensity=current.intensity,
        trust=current.trust,
        value=current.value,
        started_on=current.started_on,
        ended_on=current.ended_on,
        provenance=provenance or current.provenance,
        cycle=current.cycle,
        note=current.note,
        recorded_at=now,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        previous=current,
    )
    for key, value in changes.items():
        setattr(new, key, value)
    _validate(new, exclude=["previous", "recorded_by", "cycle", "source", "target", "program"])
    new.save()
    audit_log(
        user=user,
        action="tie.update",
        target=new,
        program=current.program,
        data={"previous": current.pk, "fields": sorted(changes)},
    )
    return new


def tie_end(*, user: Any, tie: Tie, ended_on: datetime.date | None = None) -> Tie:
    """End a tie on a date. Its history, including the time it was active, is kept."""
    return tie_update(user=user, tie=tie, ended_on=ended_on or timezone.localdate())


def tie_history(tie: Tie) -> list[Tie]:
    """All versions of this tie, newest first."""
    return list(
        Tie.objects.filter(
            source_id=tie.source_id, target_id=tie.target_id, tie_type=tie.tie_type
        ).order_by("-recorded_at", "-id")
    )
