"""Every write of the shared social agendas.

A reflection space goes through three stages. While it is *raising items*, entities join it
(on behalf of an organization their user represents), raise challenges, needs and innovation
trends tagged by the four transitions, and the space's managers (its creator and the program's
coordinators) gather the items into groups that participants discuss. *Prioritizing*: each
participating entity gives one input (dots or a ranking of the groups, checked by
`governance.voting.validate_priority_input`) and may change it until the managers close the
count (`governance.voting.prioritize`, its result stored on the space). *Published*: the
managers add an introduction and publish the agenda; entities of the program endorse it.

Every service takes the acting user, checks the rule again (a view may have been skipped),
locks the space it changes (two managers, two clicks) and writes to the audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import Actor, ActorKind
from tejido.actors.rules import represented_ids
from tejido.core.audit import audit_log
from tejido.core.models import Program, Territory, Theme
from tejido.governance import voting

from ..models import (
    AGENDA_METHODS,
    AgendaItem,
    Endorsement,
    GroupComment,
    ItemGroup,
    ItemKind,
    PriorityInput,
    ReflectionSpace,
    SpaceFormat,
    SpaceParticipant,
    SpaceSession,
    SpaceStatus,
)

ADD_SPACE = "cooperation.add_space"
MANAGE = "cooperation.manage_space"
JOIN = "cooperation.join_space"
TAKE_PART = "cooperation.take_part"
ENDORSE = "cooperation.endorse_agenda"

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_INTRO = 10000
MAX_COMMENT = 3000
MAX_NOTE = 280
MAX_SESSIONS = 12
MAX_DOTS = 20
MIN_GROUPS = 2


# -- helpers ----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this in this reflection space."))


def _locked(space: ReflectionSpace) -> ReflectionSpace:
    locked = ReflectionSpace.objects.select_for_update().get(pk=space.pk)
    # Keep what the caller already loaded (the program set by the view) on the fresh row.
    if hasattr(space, "program"):
        locked.program = space.program
    return locked


def _title(value: str | None, field: str = "title", *, message: str = "") -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError({field: message or _("Give it a title.")}, code="required")
    if len(text) > MAX_TITLE:
        raise ValidationError(
            {field: _("Keep it under %(count)s characters.") % {"count": MAX_TITLE}},
            code="max_length",
        )
    return text


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


def entities_for(user: Any, program: Program) -> list[Actor]:
    """The organizations and informal groups of `program` the user represents."""
    mine = represented_ids(user)
    if not mine:
        return []
    return list(Actor.objects.organizations().filter(program=program, pk__in=mine).order_by("name"))


def _check_entity(user: Any, space: ReflectionSpace, actor: Actor, field: str = "actor") -> None:
    if (
        actor.program_id != space.program_id
        or actor.kind == ActorKind.PERSON
        or actor.pk not in represented_ids(user)
    ):
        raise ValidationError(
            {field: _("Choose an organization of this program that you represent.")},
            code="entity",
        )


def _check_participant(user: Any, space: ReflectionSpace, actor: Actor) -> None:
    _check_entity(user, space, actor)
    if not space.participants.filter(actor=actor).exists():
        raise ValidationError(
            {
                "actor": _("%(entity)s does not take part in this space: join it first.")
                % {"entity": actor.name}
            },
            code="not_participant",
        )


def _check_themes(themes: Iterable[Theme], *, field: str, transitions_only: bool) -> list[Theme]:
    chosen = list(themes)
    if transitions_only and any(not t.transition for t in chosen):
        raise ValidationError({field: _("Choose among the four transitions.")}, code="transition")
    return chosen


# -- spaces -----------------------------------------------------------------------------------


def _clean_sessions(format: str, sessions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    for session in sessions:
        starts_at = session.get("starts_at")
        if not isinstance(starts_at, datetime.datetime):
            raise ValidationError(
                {"sessions": _("Give every session a date and time.")}, code="session_date"
            )
        place = " ".join(str(session.get("place") or "").split())
        if len(place) > 255:
            raise ValidationError(
                {"sessions": _("Keep the place or link under 255 characters.")}, code="max_length"
            )
        title = " ".join(str(session.get("title") or "").split())[:MAX_TITLE]
        cleaned.append({"title": title, "starts_at": starts_at, "place": place})
    cleaned.sort(key=lambda s: s["starts_at"])
    for number, session in enumerate(cleaned, start=1):
        session["title"] = session["title"] or _("Session %(number)s") % {"number": number}
    if not cleaned:
        raise ValidationError(
            {"sessions": _("Add at least one session: when and where the space meets.")},
            code="no_sessions",
        )
    if format == SpaceFormat.SESSION and len(cleaned) > 1:
        raise ValidationError(
            {"sessions": _("A single session has one date: choose “a series” for more.")},
            code="single_session",
        )
    if format == SpaceFormat.SERIES and len(cleaned) < 2:
        raise ValidationError(
            {"sessions": _("A series has at least two sessions.")}, code="series_sessions"
        )
    if len(cleaned) > MAX_SESSIONS:
        raise ValidationError(
            {"sessions": _("At most %(count)s sessions.") % {"count": MAX_SESSIONS}},
            code="too_many_sessions",
        )
    return cleaned


@transaction.atomic
def space_create(
    *,
    user: Any,
    program: Program,
    title: str,
    description: str = "",
    format: str = SpaceFormat.SESSION,
    sessions: Sequence[Mapping[str, Any]] = (),
    territory: Territory | None = None,
    themes: Iterable[Theme] = (),
    method: str = "dots",
    dots_per_participant: int = 5,
    open_to_join: bool = True,
) -> ReflectionSpace:
    """Open a reflection space with its sessions; its creator manages it."""
    _require(user, ADD_SPACE, program)
    title = _title(title, message=_("Give the space a title."))
    description = _text(description, "description", max_length=MAX_TEXT)
    if format not in SpaceFormat.values:
        raise ValidationError({"format": _("Choose a single session or a series.")})
    if method not in AGENDA_METHODS:
        raise ValidationError({"method": _("Choose dot voting or ranking.")}, code="method")
    if not 1 <= int(dots_per_participant) <= MAX_DOTS:
        raise ValidationError(
            {
                "dots_per_participant": _("Give each entity from 1 to %(max)s dots.")
                % {"max": MAX_DOTS}
            },
            code="dots",
        )
    chosen_sessions = _clean_sessions(format, sessions)
    chosen_themes = _check_themes(themes, field="themes", transitions_only=False)
    space = ReflectionSpace.objects.create(
        program=program,
        title=title,
        description=description,
        format=format,
        territory=territory,
        method=method,
        dots_per_participant=int(dots_per_participant),
        open_to_join=open_to_join,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    space.themes.set(chosen_themes)
    SpaceSession.objects.bulk_create(SpaceSession(space=space, **s) for s in chosen_sessions)
    audit_log(
        user=user,
        action="cooperation.space_create",
        target=space,
        program=program,
        data={"sessions": len(chosen_sessions), "method": method},
    )
    return space


@transaction.atomic
def space_join(*, user: Any, space: ReflectionSpace, actor: Actor) -> SpaceParticipant:
    """The entity takes part in the space. A second click changes nothing."""
    _require(user, JOIN, space)
    space = _locked(space)
    if space.status == SpaceStatus.PUBLISHED:
        raise ValidationError(_("The agenda is published: the space is closed."), code="closed")
    if not space.open_to_join:
        raise ValidationError(_("This space does not take new entities."), code="closed")
    _check_entity(user, space, actor)
    existing = space.participants.filter(actor=actor).first()
    if existing is not None:
        raise ValidationError(
            {"actor": _("%(entity)s already takes part.") % {"entity": actor.name}},
            code="already",
        )
    participant = SpaceParticipant.objects.create(space=space, actor=actor, joined_by=user)
    audit_log(
        user=user,
        action="cooperation.space_join",
        target=space,
        program=space.program,
        data={"actor": actor.pk},
    )
    return participant


# -- items, groups and discussion -------------------------------------------------------------


@transaction.atomic
def item_raise(
    *,
    user: Any,
    space: ReflectionSpace,
    actor: Actor,
    kind: str,
    title: str,
    description: str = "",
    transitions: Iterable[Theme] = (),
) -> AgendaItem:
    """A participating entity raises a challenge, a need or an innovation trend."""
    _require(user, TAKE_PART, space)
    space = _locked(space)
    if space.status != SpaceStatus.COLLECTING:
        raise ValidationError(
            _("Items are raised before prioritizing: this stage is over."), code="stage"
        )
    _check_participant(user, space, actor)
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose a challenge, a need or a trend.")}, code="kind")
    chosen = _check_themes(transitions, field="transitions", transitions_only=True)
    item = AgendaItem.objects.create(
        space=space,
        raised_by=actor,
        kind=kind,
        title=_title(title, message=_("Say it in a few words.")),
        description=_text(description, "description", max_length=MAX_TEXT),
        author=user,
    )
    item.transitions.set(chosen)
    audit_log(
        user=user,
        action="cooperation.item_raise",
        target=item,
        program=space.program,
        data={"space": space.pk, "actor": actor.pk},
    )
    return item


def _check_grouping(space: ReflectionSpace) -> None:
    if space.status != SpaceStatus.COLLECTING:
        raise ValidationError(_("Groups are fixed once prioritizing has started."), code="stage")


@transaction.atomic
def group_create(*, user: Any, space: ReflectionSpace, title: str, summary: str = "") -> ItemGroup:
    _require(user, MANAGE, space)
    space = _locked(space)
    _check_grouping(space)
    last = space.groups.order_by("-position").values_list("position", flat=True).first()
    group = ItemGroup.objects.create(
        space=space,
        title=_title(title, message=_("Give the group a title.")),
        summary=_text(summary, "summary", max_length=MAX_TEXT),
        position=(last or 0) + 1,
    )
    audit_log(
        user=user,
        action="cooperation.group_create",
        target=group,
        program=space.program,
        data={"space": space.pk},
    )
    return group


@transaction.atomic
def group_update(*, user: Any, group: ItemGroup, title: str, summary: str = "") -> ItemGroup:
    _require(user, MANAGE, group.space)
    space = _locked(group.space)
    if space.status == SpaceStatus.PUBLISHED:
        raise ValidationError(_("The agenda is published: groups no longer change."))
    group = ItemGroup.objects.select_for_update().get(pk=group.pk)
    group.title = _title(title, message=_("Give the group a title."))
    group.summary = _text(summary, "summary", max_length=MAX_TEXT)
    group.save(update_fields=["title", "summary"])
    audit_log(
        user=user,
        action="cooperation.group_update",
        target=group,
        program=space.program,
        data={"space": space.pk},
    )
    return group


@transaction.atomic
def item_assign(*, user: Any, item: AgendaItem, group: ItemGroup | None) -> AgendaItem:
    """Put an item in a group of its space (or take it out of any group)."""
    _require(user, MANAGE, item.space)
    space = _locked(item.space)
    _check_grouping(space)
    if group is not None and group.space_id != space.pk:
        raise ValidationError({"group": _("Choose a group of this space.")}, code="group")
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    item.group = group
    item.save(update_fields=["group", "updated_at"])
    audit_log(
        user=user,
        action="cooperation.item_assign",
        target=item,
        program=space.program,
        data={"space": space.pk, "group": group.pk if group else None},
    )
    return item


@transaction.atomic
def comment_add(*, user: Any, group: ItemGroup, actor: Actor, body: str) -> GroupComment:
    """A participant comments on a group on behalf of its entity (until the agenda is out)."""
    space = group.space
    _require(user, TAKE_PART, space)
    if space.status == SpaceStatus.PUBLISHED:
        raise ValidationError(_("The agenda is published: the discussion is closed."))
    _check_participant(user, space, actor)
    comment = GroupComment.objects.create(
        group=group,
        actor=actor,
        author=user,
        body=_text(body, "body", max_length=MAX_COMMENT, required=True),
    )
    audit_log(
        user=user,
        action="cooperation.group_comment",
        target=comment,
        program=space.program,
        data={"space": space.pk, "group": group.pk, "actor": actor.pk},
    )
    return comment


# -- prioritization ---------------------------------------------------------------------------


def group_ids_of(space: ReflectionSpace) -> list[int]:
    return list(space.groups.order_by("position", "pk").values_list("pk", flat=True))


@transaction.atomic
def prioritization_open(*, user: Any, space: ReflectionSpace) -> ReflectionSpace:
    _require(user, MANAGE, space)
    space = _locked(space)
    if space.status != SpaceStatus.COLLECTING:
        raise ValidationError(_("Prioritizing has already started."), code="stage")
    groups = space.groups.count()
    if groups < MIN_GROUPS:
        raise ValidationError(
            _("Gather the items into at least %(min)s groups before prioritizing.")
            % {"min": MIN_GROUPS},
            code="groups",
        )
    space.status = SpaceStatus.PRIORITIZING
    space.save(update_fields=["status", "updated_at"])
    audit_log(
        user=user,
        action="cooperation.prioritization_open",
        target=space,
        program=space.program,
        data={"groups": groups},
    )
    return space


def _input_message(error: voting.BallotError, labels: Mapping[int, str], dots: int) -> str:
    params = error.params
    code = error.code
    if code == "too_many_points":
        given = int(params.get("given", 0))
        return ngettext(
            "You have %(budget)s dot and placed %(total)s: take %(extra)s away.",
            "You have %(budget)s dots and placed %(total)s: take %(extra)s away.",
            dots,
        ) % {"budget": dots, "total": given, "extra": given - dots}
    if code == "empty":
        return _("Place at least one dot or give at least one group a place.")
    if code in ("negative_points", "bad_number"):
        return _("Dots are whole numbers, 0 or more.")
    if code == "duplicate_need":
        return _("Each group takes one place in the ranking.")
    if code == "unknown_need":
        return _("The input names groups that are not in this space. Fill in the form again.")
    return _("The input does not fit this space's method. Fill in the form again.")


def clean_input(space: ReflectionSpace, content: Any, group_ids: Sequence[int]) -> dict[str, Any]:
    """The input in its stored shape, checked by the same rules `prioritize` counts by."""
    try:
        return voting.validate_priority_input(
            space.method, list(group_ids), content, dots=space.dots_per_participant
        )
    except voting.BallotError as error:
        labels = dict(space.groups.values_list("pk", "title"))
        raise ValidationError(
            _input_message(error, labels, space.dots_per_participant), code=error.code
        ) from error


@transaction.atomic
def input_submit(
    *, user: Any, space: ReflectionSpace, actor: Actor, content: Mapping[str, Any]
) -> PriorityInput:
    """Give or replace the entity's input. Locks the space: inputs and the closing of the count
    happen one after the other; a double submit replaces, never adds."""
    _require(user, TAKE_PART, space)
    space = _locked(space)
    if space.status != SpaceStatus.PRIORITIZING or space.result:
        raise ValidationError(_("Inputs are taken only while prioritizing is open."), code="stage")
    _check_participant(user, space, actor)
    cleaned = clean_input(space, content, group_ids_of(space))
    now = timezone.now()
    existing = PriorityInput.objects.filter(space=space, actor=actor).first()
    replaced = existing is not None
    if existing is None:
        try:
            with transaction.atomic():
                entry = PriorityInput.objects.create(
                    space=space, actor=actor, content=cleaned, submitted_by=user, submitted_at=now
                )
        except IntegrityError:
            existing = PriorityInput.objects.get(space=space, actor=actor)
            replaced = True
    if existing is not None:
        existing.content = cleaned
        existing.submitted_by = user
        existing.submitted_at = now
        existing.save(update_fields=["content", "submitted_by", "submitted_at"])
        entry = existing
    audit_log(
        user=user,
        action="cooperation.input_replace" if replaced else "cooperation.input_submit",
        target=space,
        program=space.program,
        data={"actor": actor.pk, "input": entry.pk},
    )
    return entry


@transaction.atomic
def prioritization_close(*, user: Any, space: ReflectionSpace) -> ReflectionSpace:
    """Count the inputs (`voting.prioritize`, ties by the lot seeded with the space's id)."""
    _require(user, MANAGE, space)
    space = _locked(space)
    if space.status != SpaceStatus.PRIORITIZING or space.result:
        raise ValidationError(_("Only an open prioritization can be closed."), code="stage")
    inputs = list(space.inputs.order_by("actor_id", "pk"))
    if not inputs:
        raise ValidationError(
            _("No entity has given its input yet: the count cannot be closed."), code="no_inputs"
        )
    priority = voting.prioritize(
        space.method,
        group_ids_of(space),
        [entry.content for entry in inputs],
        dots=space.dots_per_participant,
        seed=str(space.pk),
    )
    space.result = priority.to_dict()
    space.save(update_fields=["result", "updated_at"])
    audit_log(
        user=user,
        action="cooperation.prioritization_close",
        target=space,
        program=space.program,
        data={"inputs": len(inputs), "order": priority.order},
    )
    return space


# -- the agenda -------------------------------------------------------------------------------


@transaction.atomic
def agenda_publish(*, user: Any, space: ReflectionSpace, intro: str) -> ReflectionSpace:
    _require(user, MANAGE, space)
    space = _locked(space)
    if space.status == SpaceStatus.PUBLISHED:
        raise ValidationError(_("The agenda is already published."), code="published")
    if space.status != SpaceStatus.PRIORITIZING or not space.result:
        raise ValidationError(
            _("Close the prioritization before publishing the agenda."), code="stage"
        )
    space.agenda_intro = _text(intro, "intro", max_length=MAX_INTRO, required=True)
    space.status = SpaceStatus.PUBLISHED
    space.published_at = timezone.now()
    space.save(update_fields=["agenda_intro", "status", "published_at", "updated_at"])
    audit_log(user=user, action="cooperation.agenda_publish", target=space, program=space.program)
    return space


@transaction.atomic
def agenda_endorse(
    *, user: Any, space: ReflectionSpace, actor: Actor, note: str = ""
) -> Endorsement:
    """An entity the user represents endorses the published agenda, once."""
    _require(user, ENDORSE, space)
    space = _locked(space)
    if space.status != SpaceStatus.PUBLISHED:
        raise ValidationError(_("Only a published agenda can be endorsed."), code="stage")
    _check_entity(user, space, actor)
    note = _text(note, "note", max_length=MAX_NOTE)
    if space.endorsements.filter(actor=actor).exists():
        raise ValidationError(
            {"actor": _("%(entity)s already endorses this agenda.") % {"entity": actor.name}},
            code="already",
        )
    endorsement = Endorsement.objects.create(space=space, actor=actor, note=note, endorsed_by=user)
    audit_log(
        user=user,
        action="cooperation.agenda_endorse",
        target=space,
        program=space.program,
        data={"actor": actor.pk},
    )
    return endorsement
