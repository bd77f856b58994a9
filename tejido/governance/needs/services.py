"""Every write of the needs register and of participatory prioritization sessions.

A session goes draft → open → closed. While it is open each participant gives one input and
may replace it (the row is updated, never duplicated: the database keeps one input per
participant, and every write locks the session row, so a submission and the closing cannot
cross). With a body, each current voting seat gives one input, by its holder or its alternate.
Closing aggregates the stored inputs with `voting.prioritize`, stores the result with its
explanation and marks the top needs "prioritized".
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory, Theme

from .. import voting
from ..models import (
    Body,
    Meeting,
    MeetingStatus,
    Need,
    NeedSource,
    NeedStatus,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
    SessionCriterion,
    SessionStatus,
)
from .selectors import (
    criterion_label,
    hanlon_criteria_specs,
    in_program_area,
    session_participants,
)

TITLE_MAX = 200
MAX_PEOPLE_AFFECTED = 2_147_483_647
MIN_SESSION_NEEDS = 2
MAX_SESSION_NEEDS = 60
MAX_CRITERIA = 12
MAX_DOTS = 100
DEFAULT_TOP = 5


# -- the needs register -----------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Say what the need is.")})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Keep the need under %(max)s characters.") % {"max": TITLE_MAX}}
        )
    return title


def _check_territory(program: Program, territory: Territory, field: str = "territory") -> None:
    if not in_program_area(program, territory):
        raise ValidationError(
            {
                field: _("%(name)s is outside the territories of this program.")
                % {"name": territory.name}
            }
        )


def _check_people(people_affected: int | None) -> None:
    if people_affected is not None and not 0 <= people_affected <= MAX_PEOPLE_AFFECTED:
        raise ValidationError(
            {"people_affected": _("Write the number of people affected, 0 or more.")}
        )


def _check_source(program: Program, source: str, source_meeting: Meeting | None) -> None:
    if source not in NeedSource.values:
        raise ValidationError({"source": _("Choose where the need comes from.")})
    if source_meeting is None:
        return
    if source != NeedSource.MEETING:
        raise ValidationError(
            {"source_meeting": _("Only a need raised at a meeting names the meeting.")}
        )
    if source_meeting.body.program_id != program.pk:
        raise ValidationError({"source_meeting": _("Choose a meeting of this program.")})
    if source_meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(
            {"source_meeting": _("That meeting was cancelled: no need was raised at it.")}
        )


@transaction.atomic
def need_create(
    *,
    user: Any,
    program: Program,
    territory: Territory,
    title: str,
    theme: Theme | None = None,
    description: str = "",
    source: str = NeedSource.DIAGNOSIS,
    source_meeting: Meeting | None = None,
    people_affected: int | None = None,
) -> Need:
    title = _clean_title(title)
    _check_territory(program, territory)
    _check_source(program, source, source_meeting)
    _check_people(people_affected)
    need = Need.objects.create(
        program=program,
        territory=territory,
        theme=theme,
        title=title,
        description=(description or "").strip(),
        source=source,
        source_meeting=source_meeting,
        people_affected=people_affected,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_log(
        user=user,
        action="governance.need_create",
        target=need,
        program=program,
        data={"territory": territory.pk, "source": source},
    )
    return need


NEED_FIELDS = (
    "territory",
    "theme",
    "title",
    "description",
    "source",
    "source_meeting",
    "people_affected",
)


@transaction.atomic
def need_update(*, user: Any, need: Need, **fields: Any) -> Need:
    """Change a need's description fields (not its status: see `need_set_status`)."""
    unknown = set(fields) - set(NEED_FIELDS)
    if unknown:
        raise TypeError(f"need_update() got unexpected fields: {sorted(unknown)}")
    need = Need.objects.select_for_update().select_related("program").get(pk=need.pk)
    program = need.program
    if "title" in fields:
        fields["title"] = _clean_title(fields["title"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    territory = fields.get("territory", need.territory)
    if territory.pk != need.territory_id:
        _check_territory(program, territory)
        in_sessions = need.sessions.exclude(status=SessionStatus.DRAFT).exists()
        if in_sessions:
            raise ValidationError(
                {
                    "territory": _(
                        "This need has been in a prioritization session: its territory stays."
                    )
                }
            )
    source = fields.get("source", need.source)
    meeting = fields.get("source_meeting", need.source_meeting)
    _check_source(program, source, meeting)
    _check_people(fields.get("people_affected", need.people_affected))
    changed = {}
    for name, value in fields.items():
        current = getattr(need, name)
        if current != value:
            setattr(need, name, value)
            changed[name] = getattr(value, "pk", value)
    if changed:
        need.save()
        audit_log(
            user=user,
            action="governance.need_update",
            target=need,
            program=program,
            data={"changed": sorted(changed)},
        )
    return need


@transaction.atomic
def need_set_status(*, user: Any, need: Need, status: str) -> Need:
    if status not in NeedStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status == status:
        return need
    previous = need.status
    need.status = status
    need.save(update_fields=["status", "updated_at"])
    audit_log(
        user=user,
        action="governance.need_set_status",
        target=need,
        program=need.program,
        data={"from": previous, "to": status},
    )
    return need


# -- prioritization sessions ------------------------------------------------------------------


def _clean_criteria(criteria: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Custom criteria as {"name", "weight", "scale_min", "scale_max"}, checked."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in criteria:
        name = " ".join(str(spec.get("name", "")).split())
        if not name:
            raise ValidationError({"criteria": _("Give every criterion a name.")})
        if len(name) > 120:
            raise ValidationError(
                {"criteria": _("Keep each criterion's name under 120 characters.")}
            )
        if name.casefold() in seen:
            raise ValidationError(
                {"criteria": _("Two criteria are called “%(name)s”.") % {"name": name}}
            )
        seen.add(name.casefold())
        try:
            weight = Decimal(str(spec.get("weight", 1)))
        except InvalidOperation as exc:
            raise ValidationError(
                {"criteria": _("The weight of “%(name)s” is not a number.") % {"name": name}}
            ) from exc
        if not (Decimal("0") < weight <= Decimal("1000")) or weight != round(weight, 2):
            raise ValidationError(
                {
                    "criteria": _(
                        "The weight of “%(name)s” must be a number above 0 and up to 1000,"
                        " with at most two decimals."
                    )
                    % {"name": name}
                }
            )
        try:
            low, high = int(spec.get("scale_min", 0)), int(spec.get("scale_max", 10))
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {"criteria": _("The scale of “%(name)s” must be whole numbers.") % {"name": name}}
            ) from exc
        if low < 0 or high > 100 or high <= low:
            raise ValidationError(
                {
                    "criteria": _(
                        "The scale of “%(name)s” must go from a lowest to a higher score,"
                        " between 0 and 100."
                    )
                    % {"name": name}
                }
            )
        cleaned.append({"name": name, "weight": weight, "scale_min": low, "scale_max": high})
    if len(cleaned) > MAX_CRITERIA:
        raise ValidationError(
            {"criteria": _("Use at most %(max)s criteria.") % {"max": MAX_CRITERIA}}
        )
    return cleaned


@transaction.atomic
def session_create(
    *,
    user: Any,
    program: Program,
    territory: Territory,
    title: str,
    method: str,
    needs: Sequence[Need],
    body: Body | None = None,
    meeting: Meeting | None = None,
    cycle: Cycle | None = None,
    dots_per_participant: int = 5,
    criteria: Iterable[Mapping[str, Any]] = (),
) -> PrioritizationSession:
    """A draft session over open needs of the territory (or places within it).

    Hanlon sessions get their fixed factors; criteria-matrix sessions need their criteria
    (name, weight, lowest and highest score); other methods take none.
    """
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the session a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    if method not in PrioritizationMethod.values:
        raise ValidationError({"method": _("Choose a prioritization method.")})
    _check_territory(program, territory)
    if body is not None:
        if body.program_id != program.pk:
            raise ValidationError({"body": _("Choose a body of this program.")})
        place = body.territory
        if place is not None and not territory.path.startswith(place.path):
            raise ValidationError(
                {
                    "body": _("%(body)s works in %(place)s, not in %(territory)s.")
                    % {"body": body.name, "place": place.name, "territory": territory}
                }
            )
    if meeting is not None:
        if meeting.body.program_id != program.pk:
            raise ValidationError({"meeting": _("Choose a meeting of this program.")})
        if body is not None and meeting.body_id != body.pk:
            raise ValidationError({"meeting": _("Choose a meeting of the session's body.")})
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError({"meeting": _("That meeting was cancelled.")})
    if cycle is not None and cycle.program_id != program.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this program.")})
    if cycle is None:
        cycle = program.current_cycle()

    need_ids = list(dict.fromkeys(n.pk for n in needs))
    if len(need_ids) < MIN_SESSION_NEEDS:
        raise ValidationError(
            {
                "needs": _("Choose at least %(min)s needs to prioritize.")
                % {"min": MIN_SESSION_NEEDS}
            }
        )
    if len(need_ids) > MAX_SESSION_NEEDS:
        raise ValidationError(
            {"needs": _("Choose at most %(max)s needs.") % {"max": MAX_SESSION_NEEDS}}
        )
    found = list(Need.objects.filter(pk__in=need_ids, program=program).select_related("territory"))
    if len(found) != len(need_ids):
        raise ValidationError({"needs": _("Choose needs of this program.")})
    for need in found:
        if not need.territory.path.startswith(territory.path):
            raise ValidationError(
                {
                    "needs": _("“%(need)s” is not in %(territory)s.")
                    % {"need": need.title, "territory": territory.name}
                }
            )
        if need.status != NeedStatus.OPEN:
            raise ValidationError(
                {
                    "needs": _("“%(need)s” is no longer open (%(status)s).")
                    % {"need": need.title, "status": need.get_status_display()}
                }
            )

    criteria = list(criteria)
    specs: list[dict[str, Any]]
    if method == PrioritizationMethod.CRITERIA:
        specs = _clean_criteria(criteria)
        if not specs:
            raise ValidationError(
                {"criteria": _("A criteria matrix needs at least one criterion.")}
            )
    elif criteria:
        raise ValidationError({"criteria": _("Only a criteria matrix takes criteria.")})
    else:
        specs = hanlon_criteria_specs() if method == PrioritizationMethod.HANLON else []
    if method == PrioritizationMethod.DOTS:
        if not 1 <= int(dots_per_participant) <= MAX_DOTS:
            raise ValidationError(
                {
                    "dots_per_participant": _("Give each participant from 1 to %(max)s dots.")
                    % {"max": MAX_DOTS}
                }
            )
    else:
        dots_per_participant = 5

    session = PrioritizationSession.objects.create(
        program=program,
        territory=territory,
        cycle=cycle,
        body=body,
        meeting=meeting,
        title=title,
        method=method,
        dots_per_participant=int(dots_per_participant),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    session.needs.set(need_ids)
    SessionCriterion.objects.bulk_create(
        SessionCriterion(
            session=session,
            code=spec.get("code", ""),
            name=spec["name"],
            weight=spec["weight"],
            scale_min=spec["scale_min"],
            scale_max=spec["scale_max"],
            position=position,
        )
        for position, spec in enumerate(specs)
    )
    audit_log(
        user=user,
        action="governance.session_create",
        target=session,
        program=program,
        data={"method": method, "needs": sorted(need_ids), "body": body.pk if body else None},
    )
    return session


def _locked(session: PrioritizationSession) -> PrioritizationSession:
    return PrioritizationSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def session_open(*, user: Any, session: PrioritizationSession) -> PrioritizationSession:
    session = _locked(session)
    if session.status != SessionStatus.DRAFT:
        raise ValidationError(_("Only a draft session can be opened."))
    session.status = SessionStatus.OPEN
    session.save(update_fields=["status", "updated_at"])
    audit_log(user=user, action="governance.session_open", target=session, program=session.program)
    return session


# -- inputs -----------------------------------------------------------------------------------


def criteria_specs(
    session: PrioritizationSession, criteria: Sequence[SessionCriterion]
) -> list[dict[str, Any]]:
    """The session's criteria as `voting` takes them (Hanlon's are fixed there)."""
    if session.method != PrioritizationMethod.CRITERIA:
        return []
    return [
        {"key": str(c.pk), "weight": float(c.weight), "min": c.scale_min, "max": c.scale_max}
        for c in criteria
    ]


def _input_message(
    error: voting.BallotError,
    session: PrioritizationSession,
    labels: Mapping[int, str],
    criteria: Sequence[SessionCriterion],
) -> str:
    """A refused input explained with the need's title and the criterion's name."""
    params = error.params
    need = labels.get(_as_int(params.get("need", params.get("option"))) or 0, "")
    by_key = {(c.code or str(c.pk)): c for c in criteria}
    criterion = by_key.get(str(params.get("criterion", "")))
    criterion_name = criterion_label(criterion) if criterion else ""
    code = error.code
    if code == "missing_score":
        if criterion_name:
            return _("Give “%(need)s” a score for “%(criterion)s”.") % {
                "need": need,
                "criterion": criterion_name,
            }
        return _("Score “%(need)s” on every criterion.") % {"need": need}
    if code == "criterion_out_of_range":
        return _(
            "The score of “%(need)s” for “%(criterion)s” must be from %(low)s to %(high)s."
        ) % {"need": need, "criterion": criterion_name, "low": params["min"], "high": params["max"]}
    if code == "bad_number":
        return _("Scores and dots are whole numbers (“%(need)s”).") % {"need": need}
    if code == "negative_points":
        return _("A need cannot get fewer than 0 dots.")
    if code == "too_many_points":
        budget, total = params["dots"], params["given"]
        return ngettext(
            "You have %(budget)s dot and placed %(total)s: take %(extra)s away.",
            "You have %(budget)s dots and placed %(total)s: take %(extra)s away.",
            budget,
        ) % {"budget": budget, "total": total, "extra": total - budget}
    if code == "empty":
        if session.method == PrioritizationMethod.DOTS:
            return _("Place at least one dot.")
        return _("Give at least one need a place.")
    if code == "duplicate_need":
        return _("Each need takes one place in the ranking.")
    if code in ("unknown_need", "unknown_criterion"):
        return _("The input names needs or criteria that are not in this session.")
    return _("The input does not fit this session's method. Fill in the form again.")


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def clean_input(
    session: PrioritizationSession,
    content: Any,
    *,
    need_ids: list[int] | None = None,
    criteria: list[SessionCriterion] | None = None,
) -> dict[str, Any]:
    """An input in its stored shape, checked against the session's method, needs and criteria
    (by `voting.validate_priority_input`, the same rules `prioritize` counts by)."""
    if need_ids is None:
        need_ids = sorted(session.needs.values_list("pk", flat=True))
    if criteria is None:
        criteria = list(session.criteria.all())
    try:
        return voting.validate_priority_input(
            session.method,
            need_ids,
            content,
            criteria=criteria_specs(session, criteria),
            dots=session.dots_per_participant,
        )
    except voting.BallotError as error:
        labels = dict(Need.objects.filter(pk__in=need_ids).values_list("pk", "title"))
        raise ValidationError(
            _input_message(error, session, labels, criteria), code=error.code
        ) from error


@transaction.atomic
def input_submit(
    *,
    user: Any,
    session: PrioritizationSession,
    content: Mapping[str, Any],
    day: datetime.date | None = None,
) -> PrioritizationInput:
    """Give or replace the user's input. Locks the session: submissions and the closing of the
    session happen one after the other, never across each other."""
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("Log in to give your input."))
    session = _locked(session)
    if session.status == SessionStatus.DRAFT:
        raise ValidationError(_("This session is not open yet."))
    if session.status == SessionStatus.CLOSED:
        raise ValidationError(_("This session is closed: inputs can no longer be given."))
    day = day or timezone.localdate()
    participants = session_participants(session, day)
    # Holding a seat comes before acting as someone's alternate.
    mine = sorted((p for p in participants if p.user_id == user.pk), key=lambda p: p.is_alternate)
    if not mine:
        raise ValidationError(
            _("Only the seat holders of %(body)s give inputs in this session.")
            % {"body": session.body.name}
            if session.body is not None
            else _("Only the program's coordinators and directorate members give inputs here.")
        )
    seat = mine[0].mandate_id
    if seat is not None:
        others = [p.user_id for p in participants if p.mandate_id == seat and p.user_id != user.pk]
        if others and session.inputs.filter(participant_id__in=others).exists():
            raise ValidationError(
                _(
                    "Your seat's input has already been given by the other person who acts"
                    " for it (holder or alternate). Each seat gives one input."
                )
            )
    cleaned = clean_input(session, content)
    now = timezone.now()
    replaced = False
    existing = session.inputs.filter(participant=user).first()
    if existing is None:
        try:
            with transaction.atomic():
                entry = PrioritizationInput.objects.create(
                    session=session, participant=user, content=cleaned, submitted_at=now
                )
        except IntegrityError:
            # Another request of the same participant got in first (a double tap): replace it.
            existing = session.inputs.get(participant=user)
    if existing is not None:
        replaced = True
        existing.content = cleaned
        existing.submitted_at = now
        existing.save(update_fields=["content", "submitted_at"])
        entry = existing
    audit_log(
        user=user,
        action="governance.input_replace" if replaced else "governance.input_submit",
        target=session,
        program=session.program,
        data={"input": entry.pk},
    )
    return entry


# -- closing ----------------------------------------------------------------------------------


def inputs_digest(contents: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the inputs (in participant order): the seed of the tie-break by lot."""
    payload = json.dumps(list(contents), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def prioritize_session(
    session: PrioritizationSession,
    need_ids: list[int],
    criteria: list[SessionCriterion],
    contents: Sequence[Mapping[str, Any]],
) -> tuple[voting.Priority, str]:
    """Run `voting.prioritize` on stored inputs; returns the priority and the seed of the lot."""
    seed = inputs_digest(contents)
    priority = voting.prioritize(
        session.method,
        need_ids,
        contents,
        criteria=criteria_specs(session, criteria),
        dots=session.dots_per_participant,
        seed=seed,
    )
    return priority, seed


@transaction.atomic
def session_close(
    *, user: Any, session: PrioritizationSession, top: int | None = None
) -> PrioritizationSession:
    """Close the session, aggregate its inputs, store the result and mark the top `top` needs
    (of those not excluded; five, or all when fewer, by default) "prioritized"."""
    session = _locked(session)
    if session.status != SessionStatus.OPEN:
        raise ValidationError(_("Only an open session can be closed."))
    need_ids = sorted(session.needs.values_list("pk", flat=True))
    if top is None:
        top = min(DEFAULT_TOP, len(need_ids))
    if not 1 <= top <= len(need_ids):
        raise ValidationError(
            {"top": _("Mark from 1 to %(max)s needs as prioritized.") % {"max": len(need_ids)}}
        )
    inputs = list(session.inputs.order_by("participant_id", "pk"))
    if not inputs:
        raise ValidationError(_("Nobody has given an input yet: the session cannot be closed."))
    criteria = list(session.criteria.all())
    contents = [entry.content for entry in inputs]
    priority, seed = prioritize_session(session, need_ids, criteria, contents)
    excluded = set(priority.excluded)
    chosen = [n for n in priority.order if n not in excluded][:top]
    marked = list(
        Need.objects.select_for_update()
        .filter(pk__in=chosen, status=NeedStatus.OPEN)
        .values_list("pk", flat=True)
    )
    Need.objects.filter(pk__in=marked).update(
        status=NeedStatus.PRIORITIZED, updated_at=timezone.now()
    )
    session.status = SessionStatus.CLOSED
    session.closed_at = timezone.now()
    session.result = {
        **priority.to_dict(),
        "seed": seed,
        "top": top,
        "prioritized": chosen,
        "marked": sorted(marked),
        "input_count": len(inputs),
    }
    session.save(update_fields=["status", "closed_at", "result", "updated_at"])
    audit_log(
        user=user,
        action="governance.session_close",
        target=session,
        program=session.program,
        data={"inputs": len(inputs), "prioritized": chosen, "seed": seed},
    )
    return session
