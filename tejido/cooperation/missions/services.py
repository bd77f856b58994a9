"""Study missions: every write. A mission is organized by the program's coordinators; its
participants record the contacts they made, each of which becomes a tie (provenance "mission"),
and six months after the end a follow-up asks what came of each contact, which may strengthen
those ties. Ties are never weakened."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.accounts.models import User
from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.rules import represented_ids
from tejido.actors.services import actor_create
from tejido.core.audit import audit_log
from tejido.core.mail import message_for
from tejido.core.models import Program, Territory, Theme
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_strengthen

from ..models import (
    FOLLOW_UP_MONTHS,
    FollowUpOutcome,
    MissionContact,
    MissionParticipant,
    MissionStatus,
    StudyMission,
)
from .countries import country_name

ADD = "cooperation.add_mission"
MANAGE = "cooperation.manage_mission"
RECORD = "cooperation.record_contacts"

# A contact made on a mission: the two entities know of each other and exchange information.
CONTACT_TIE_TYPE = TieType.INFORMATION
CONTACT_INTENSITY = Intensity.AWARENESS
# What the follow-up's answers raise the ties to.
WORKING_INTENSITY = Intensity.COORDINATION
AGREEMENT_INTENSITY = Intensity.COORDINATION


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def follow_up_date(ends_on: datetime.date, months: int = FOLLOW_UP_MONTHS) -> datetime.date:
    """`months` after `ends_on`, on the same day of the month or the month's last day (31 August
    + 6 months is 28 or 29 February)."""
    index = ends_on.month - 1 + months
    year, month = ends_on.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(ends_on.day, calendar.monthrange(year, month)[1]))


def _check_entities(
    program: Program, actors: Iterable[Actor], field_name: str, errors: dict[str, list[str]]
) -> list[Actor]:
    chosen = list({a.pk: a for a in actors}.values())
    for actor in chosen:
        if actor.program_id != program.pk:
            errors.setdefault(field_name, []).append(
                _("%(name)s is not an actor of this program.") % {"name": actor.name}
            )
        elif actor.kind == ActorKind.PERSON:
            errors.setdefault(field_name, []).append(
                _("%(name)s is a person: only organizations and groups take part.")
                % {"name": actor.name}
            )
    return chosen


def _validate_mission(
    program: Program,
    *,
    title: str,
    destination: str,
    country: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    new_host_name: str,
    new_host_sector: str,
    errors: dict[str, list[str]],
) -> None:
    from .countries import COUNTRIES

    if not title.strip():
        errors.setdefault("title", []).append(_("Give the mission a title."))
    if not destination.strip():
        errors.setdefault("destination", []).append(_("Say where the mission goes."))
    if country and country not in dict(COUNTRIES):
        errors.setdefault("country", []).append(_("Choose a country from the list."))
    if starts_on is None:
        errors.setdefault("starts_on", []).append(_("Give the first day of the mission."))
    if ends_on is None:
        errors.setdefault("ends_on", []).append(_("Give the last day of the mission."))
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The mission cannot end before it starts."))
    if new_host_name.strip():
        if new_host_sector not in Sector.values:
            errors.setdefault("new_host_sector", []).append(_("Choose a sector."))
        elif (
            Actor.objects.filter(program=program, name__iexact=new_host_name.strip())
            .organizations()
            .exists()
        ):
            errors.setdefault("new_host_name", []).append(
                _("This organization is already in the program: choose it among the hosts.")
            )


def _new_host(
    user: Any, program: Program, name: str, sector: str, country: str, destination: str
) -> Actor:
    place = ", ".join(p for p in (destination.strip(), country_name(country)) if p)
    return actor_create(
        user=user,
        program=program,
        kind=ActorKind.ORGANIZATION,
        name=name.strip(),
        sector=sector,
        address=place[:255],
    )


@transaction.atomic
def mission_create(
    *,
    user: Any,
    program: Program,
    title: str,
    destination: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    purpose: str = "",
    country: str = "",
    programme: str = "",
    themes: Iterable[Theme] = (),
    hosts: Iterable[Actor] = (),
    participants: Iterable[Actor] = (),
    new_host_name: str = "",
    new_host_sector: str = Sector.INTERNATIONAL,
) -> StudyMission:
    """Plan a mission with its hosts and participating entities. A host not yet in the registry
    is created on the spot (an organization, international cooperation by default)."""
    _require(user, ADD, program, _("Only the program's coordinators organize study missions."))
    errors: dict[str, list[str]] = {}
    _validate_mission(
        program,
        title=title,
        destination=destination,
        country=country,
        starts_on=starts_on,
        ends_on=ends_on,
        new_host_name=new_host_name,
        new_host_sector=new_host_sector,
        errors=errors,
    )
    host_list = _check_entities(program, hosts, "hosts", errors)
    participant_list = _check_entities(program, participants, "participants", errors)
    if errors:
        raise ValidationError(errors)
    mission = StudyMission.objects.create(
        program=program,
        title=title.strip(),
        purpose=purpose.strip(),
        destination=destination.strip(),
        country=country,
        starts_on=starts_on,
        ends_on=ends_on,
        programme=programme.strip(),
        follow_up_on=follow_up_date(ends_on),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if new_host_name.strip():
        host_list.append(
            _new_host(user, program, new_host_name, new_host_sector, country, destination)
        )
    mission.themes.set(list(themes))
    mission.hosts.set(host_list)
    MissionParticipant.objects.bulk_create(
        [
            MissionParticipant(mission=mission, actor=actor, added_by=mission.created_by)
            for actor in participant_list
        ]
    )
    audit_log(
        user=user,
        action="cooperation.mission.create",
        target=mission,
        program=program,
        data={"participants": [a.pk for a in participant_list], "hosts": [a.pk for a in host_list]},
    )
    return mission


@transaction.atomic
def mission_update(
    *,
    user: Any,
    mission: StudyMission,
    title: str,
    destination: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    purpose: str = "",
    country: str = "",
    programme: str = "",
    status: str = MissionStatus.PLANNED,
    themes: Iterable[Theme] = (),
    hosts: Iterable[Actor] = (),
    participants: Iterable[Actor] = (),
    new_host_name: str = "",
    new_host_sector: str = Sector.INTERNATIONAL,
) -> StudyMission:
    """Change a mission. Its follow-up date moves with its end; an entity that already recorded
    contacts stays among the participants."""
    _require(user, MANAGE, mission, _("Only the program's coordinators change a mission."))
    program = mission.program
    locked = StudyMission.objects.select_for_update().get(pk=mission.pk)
    errors: dict[str, list[str]] = {}
    _validate_mission(
        program,
        title=title,
        destination=destination,
        country=country,
        starts_on=starts_on,
        ends_on=ends_on,
        new_host_name=new_host_name,
        new_host_sector=new_host_sector,
        errors=errors,
    )
    if status not in MissionStatus.values:
        errors.setdefault("status", []).append(_("Choose a status."))
    elif status == MissionStatus.DONE and starts_on and starts_on > timezone.localdate():
        errors.setdefault("status", []).append(_("A mission that has not started is not done."))
    host_list = _check_entities(program, hosts, "hosts", errors)
    participant_list = _check_entities(program, participants, "participants", errors)
    wanted = {a.pk for a in participant_list}
    current = {p.actor_id: p for p in locked.participants.select_related("actor")}
    with_contacts = set(
        MissionContact.objects.filter(mission=locked).values_list(
            "participant__actor_id", flat=True
        )
    )
    for actor_id in sorted(set(current) - wanted):
        if actor_id in with_contacts:
            errors.setdefault("participants", []).append(
                _("%(name)s has recorded contacts: it stays among the participants.")
                % {"name": current[actor_id].actor.name}
            )
    if errors:
        raise ValidationError(errors)
    locked.title = title.strip()
    locked.purpose = purpose.strip()
    locked.destination = destination.strip()
    locked.country = country
    locked.starts_on = starts_on
    locked.ends_on = ends_on
    locked.programme = programme.strip()
    locked.status = status
    if locked.follow_up_on != follow_up_date(ends_on):
        locked.follow_up_on = follow_up_date(ends_on)
        # A new due date is a new follow-up: the reminder goes out again then.
        locked.follow_up_sent_at = None
    locked.save()
    if new_host_name.strip():
        host_list.append(
            _new_host(user, program, new_host_name, new_host_sector, country, destination)
        )
    locked.themes.set(list(themes))
    locked.hosts.set(host_list)
    MissionParticipant.objects.filter(mission=locked, actor_id__in=set(current) - wanted).delete()
    MissionParticipant.objects.bulk_create(
        [
            MissionParticipant(
                mission=locked,
                actor=actor,
                added_by=user if getattr(user, "is_authenticated", False) else None,
            )
            for actor in participant_list
            if actor.pk not in current
        ]
    )
    audit_log(
        user=user,
        action="cooperation.mission.update",
        target=locked,
        program=program,
        data={"status": status, "participants": sorted(wanted)},
    )
    return locked


@transaction.atomic
def participant_set_travellers(
    *, user: Any, participant: MissionParticipant, travellers: str
) -> MissionParticipant:
    """Who went on the entity's behalf: its representatives or the coordinators say."""
    mission = participant.mission
    if not (user.has_perm(MANAGE, mission) or participant.actor_id in represented_ids(user)):
        raise PermissionDenied(_("Only the entity's representatives or coordinators say this."))
    locked = MissionParticipant.objects.select_for_update().get(pk=participant.pk)
    travellers = " ".join(travellers.split())
    if len(travellers) > 255:
        raise ValidationError({"travellers": _("Keep it under 255 characters.")})
    if locked.travellers == travellers:
        return locked
    locked.travellers = travellers
    locked.save(update_fields=["travellers"])
    audit_log(
        user=user,
        action="cooperation.mission.travellers",
        target=locked,
        program=mission.program,
    )
    return locked


def speaks_for_participant(
    user: Any, mission: StudyMission, participant: MissionParticipant
) -> bool:
    """May `user` record and follow up this participant's contacts?"""
    return bool(
        user.has_perm(RECORD, mission)
        and (user.has_perm(MANAGE, mission) or participant.actor_id in represented_ids(user))
    )


def _current_tie(first: Actor, second: Actor, tie_type: str) -> Tie | None:
    low, high = sorted((first.pk, second.pk))
    return (
        Tie.objects.select_for_update()
        .current()
        .filter(source_id=low, target_id=high, tie_type=tie_type)
        .first()
    )


def _strengthen(
    user: Any,
    *,
    first: Actor,
    second: Actor,
    tie_type: str,
    intensity: int,
    day: datetime.date,
    note: str,
) -> Tie:
    """The pair's tie of this type at `intensity` at least, never weakened (the pair's current
    tie is locked first: two answers at once write one version)."""
    tie, _written = tie_strengthen(
        user=user,
        source=first,
        target=second,
        tie_type=tie_type,
        intensity=intensity,
        provenance=Provenance.MISSION,
        started_on=day,
        note=note,
        current=_current_tie(first, second, tie_type),
    )
    return tie


@dataclass
class NewContact:
    """An organization met on the mission that is not in the program's registry yet."""

    name: str
    sector: str = Sector.INTERNATIONAL
    country: str = ""
    territory: Territory | None = None


@transaction.atomic
def contact_record(
    *,
    user: Any,
    participant: MissionParticipant,
    contact: Actor | None = None,
    new_contact: NewContact | None = None,
    note: str = "",
    next_steps: str = "",
) -> MissionContact:
    """Record that `participant` met an organization on the mission: the contact, and the tie
    between the two (information exchange, awareness, provenance "mission", from the mission's
    end), never weakening a stronger one."""
    mission = participant.mission
    program = mission.program
    if not speaks_for_participant(user, mission, participant):
        raise PermissionDenied(
            _("Only the entity's representatives or coordinators record its contacts.")
        )
    today = timezone.localdate()
    if mission.status == MissionStatus.CANCELLED:
        raise ValidationError(_("This mission was cancelled: it has no contacts."))
    if mission.starts_on > today:
        raise ValidationError(_("Contacts are recorded once the mission has started."))
    if (contact is None) == (new_contact is None or not new_contact.name.strip()):
        raise ValidationError(
            {"contact": _("Choose an organization of the program or name a new one.")}
        )
    if contact is not None:
        if contact.program_id != program.pk:
            raise ValidationError({"contact": _("This organization is not in the program.")})
        if contact.kind == ActorKind.PERSON:
            raise ValidationError(
                {"contact": _("Contacts are organizations or groups, not people.")}
            )
        if contact.pk == participant.actor_id:
            raise ValidationError({"contact": _("An entity cannot record itself as a contact.")})
    elif new_contact is not None:
        from .countries import COUNTRIES

        if new_contact.sector not in Sector.values:
            raise ValidationError({"new_sector": _("Choose a sector.")})
        if new_contact.country and new_contact.country not in dict(COUNTRIES):
            raise ValidationError({"new_country": _("Choose a country from the list.")})
        if (
            Actor.objects.filter(program=program, name__iexact=new_contact.name.strip())
            .organizations()
            .exists()
        ):
            raise ValidationError(
                {
                    "new_name": _(
                        "This organization is already in the program: choose it in the list."
                    )
                }
            )
    # Two clicks on "save", or two representatives at once: one contact.
    locked = (
        MissionParticipant.objects.select_for_update()
        .select_related("actor")
        .get(pk=participant.pk)
    )
    if (
        contact is not None
        and MissionContact.objects.filter(participant=locked, contact=contact).exists()
    ):
        raise ValidationError(
            {"contact": _("%(name)s is already among this entity's contacts.") % {"name": contact}}
        )
    if contact is None:
        assert new_contact is not None
        contact = actor_create(
            user=user,
            program=program,
            kind=ActorKind.ORGANIZATION,
            name=new_contact.name.strip(),
            sector=new_contact.sector,
            territory=new_contact.territory,
            address=country_name(new_contact.country),
        )
    tie = _strengthen(
        user,
        first=locked.actor,
        second=contact,
        tie_type=CONTACT_TIE_TYPE,
        intensity=CONTACT_INTENSITY,
        day=min(mission.ends_on, today),
        note=_("Met on the study mission “%(title)s”.") % {"title": mission.title},
    )
    try:
        with transaction.atomic():
            recorded = MissionContact.objects.create(
                mission=mission,
                participant=locked,
                contact=contact,
                note=note.strip(),
                next_steps=next_steps.strip(),
                tie=tie,
                recorded_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"contact": _("%(name)s is already among this entity's contacts.") % {"name": contact}}
        ) from exc
    audit_log(
        user=user,
        action="cooperation.mission.contact",
        target=recorded,
        program=program,
        data={"participant": locked.actor_id, "contact": contact.pk, "tie": tie.pk},
    )
    return recorded


@transaction.atomic
def contact_follow_up(
    *, user: Any, contact: MissionContact, outcome: str, outcome_note: str = ""
) -> MissionContact:
    """What came of a contact. Working together raises the tie to coordination; a signed
    agreement also records a formal agreement tie. A later, lesser answer weakens nothing."""
    mission = contact.mission
    if not speaks_for_participant(user, mission, contact.participant):
        raise PermissionDenied(
            _("Only the entity's representatives or coordinators follow up its contacts.")
        )
    if mission.status == MissionStatus.CANCELLED:
        raise ValidationError(_("This mission was cancelled: it has no follow-up."))
    if mission.ends_on > timezone.localdate():
        raise ValidationError(_("The follow-up opens when the mission is over."))
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Choose what came of this contact.")})
    locked = (
        MissionContact.objects.select_for_update()
        .select_related("participant__actor", "contact")
        .get(pk=contact.pk)
    )
    outcome_note = outcome_note.strip()
    if locked.outcome == outcome and locked.outcome_note == outcome_note:
        return locked
    day = timezone.localdate()
    note = _("Follow-up of the study mission “%(title)s”.") % {"title": mission.title}
    if outcome in (FollowUpOutcome.COLLABORATING, FollowUpOutcome.AGREEMENT):
        locked.tie = _strengthen(
            user,
            first=locked.participant.actor,
            second=locked.contact,
            tie_type=CONTACT_TIE_TYPE,
            intensity=WORKING_INTENSITY,
            day=day,
            note=note,
        )
    if outcome == FollowUpOutcome.AGREEMENT:
        _strengthen(
            user,
            first=locked.participant.actor,
            second=locked.contact,
            tie_type=TieType.AGREEMENT,
            intensity=AGREEMENT_INTENSITY,
            day=day,
            note=note,
        )
    locked.outcome = outcome
    locked.outcome_note = outcome_note
    locked.outcome_at = timezone.now()
    locked.outcome_by = user if getattr(user, "is_authenticated", False) else None
    locked.save(
        update_fields=["outcome", "outcome_note", "outcome_at", "outcome_by", "tie", "updated_at"]
    )
    audit_log(
        user=user,
        action="cooperation.mission.follow_up",
        target=locked,
        program=mission.program,
        data={"outcome": outcome},
    )
    return locked


# -- the follow-up reminder --------------------------------------------------------------------


@dataclass
class FollowUpReport:
    missions: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, mission title)


def _recipients(mission: StudyMission) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            represents__organization__missions__mission=mission,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _follow_up_message(mission: StudyMission, user: User, base_url: str) -> EmailMessage:
    return message_for(
        user,
        "cooperation/missions/email/follow_up_subject.txt",
        "cooperation/missions/email/follow_up.txt",
        {
            "mission": mission,
            "program": mission.program,
            "user": user,
            "url": base_url.rstrip("/")
            + reverse("cooperation:mission_follow_up", args=[mission.program.slug, mission.pk]),
        },
    )


def _sender(messages: list[EmailMessage]) -> Any:
    def send() -> None:
        mailers.default.send_messages(messages)

    return send


def followups_send(
    *,
    today: datetime.date | None = None,
    programs: Sequence[Program] | None = None,
    base_url: str = "",
    dry_run: bool = False,
) -> FollowUpReport:
    """E-mail the participants' representatives of every mission whose follow-up is due and
    not sent yet, each in their language. Marks the mission so that a second run sends
    nothing."""
    today = today or timezone.localdate()
    due = StudyMission.objects.filter(
        follow_up_on__lte=today, follow_up_sent_at__isnull=True
    ).exclude(status=MissionStatus.CANCELLED)
    if programs is not None:
        due = due.filter(program__in=programs)
    report = FollowUpReport()
    for mission_id in due.order_by("follow_up_on", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            mission = (
                StudyMission.objects.select_for_update(of=("self",))
                .select_related("program")
                .filter(pk=mission_id, follow_up_sent_at__isnull=True)
                .first()
            )
            if mission is None:  # another run sent it a moment ago
                continue
            recipients = _recipients(mission)
            report.missions += 1
            report.sent.extend((u.email, mission.title) for u in recipients)
            if dry_run:
                continue
            messages = [_follow_up_message(mission, u, base_url) for u in recipients]
            mission.follow_up_sent_at = timezone.now()
            mission.save(update_fields=["follow_up_sent_at", "updated_at"])
            audit_log(
                user=None,
                action="cooperation.mission.follow_up_sent",
                target=mission,
                program=mission.program,
                data={"recipients": len(recipients)},
            )
            if messages:
                transaction.on_commit(_sender(messages))
    return report
