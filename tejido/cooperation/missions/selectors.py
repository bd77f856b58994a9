"""Reads for the mission pages, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tejido.actors.models import Actor, Sector
from tejido.actors.rules import represented_ids
from tejido.core.models import Program
from tejido.network.models import Provenance, Tie

from ..models import (
    FollowUpOutcome,
    MissionContact,
    MissionParticipant,
    MissionStatus,
    StudyMission,
)
from .countries import country_name


def mission_list(program: Program) -> tuple[list[StudyMission], list[StudyMission]]:
    """The program's missions: (upcoming or under way, soonest first; past, latest first).
    Three queries whatever their number."""
    today = timezone.localdate()
    missions: list[StudyMission] = list(
        StudyMission.objects.filter(program=program)
        .annotate(
            participant_count=Count("participants", distinct=True),
            contact_count=Count("contacts", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=MissionParticipant.objects.select_related("actor").order_by("actor__name"),
            ),
            "hosts",
        )
        .order_by("-starts_on", "-id")
    )
    for mission in missions:
        mission.country_label = country_name(mission.country)  # type: ignore[attr-defined]
        mission.is_over = _is_over(mission, today)  # type: ignore[attr-defined]
    upcoming = [m for m in missions if not m.is_over]  # type: ignore[attr-defined]
    upcoming.reverse()
    past = [m for m in missions if m.is_over]  # type: ignore[attr-defined]
    return upcoming, past


def _is_over(mission: StudyMission, today: datetime.date) -> bool:
    return mission.status != MissionStatus.PLANNED or mission.ends_on < today


@dataclass
class ParticipantReach:
    actor: Actor
    before: int
    now: int

    @property
    def gained(self) -> int:
        return self.now - self.before


@dataclass
class MissionEffect:
    """What the mission did to the network."""

    contacts: int = 0
    ties: int = 0  # contacts whose pair has a tie recorded by the mission
    new_pairs: int = 0  # no tie of any kind before the contact
    strengthened: int = 0  # the pair knew each other already
    active: int = 0  # mission ties still in force today
    international: int = 0
    cross_territory: int = 0
    agreements: int = 0  # formal agreement ties recorded by the follow-up
    outcomes: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, n)
    answered: int = 0
    reach: list[ParticipantReach] = field(default_factory=list)
    partners_before: int = 0
    partners_now: int = 0


@dataclass
class MissionPage:
    mission: StudyMission
    country_label: str
    hosts: list[Actor]
    themes: list[Any]
    participants: list[MissionParticipant]
    contacts: list[MissionContact]
    is_over: bool
    effect: MissionEffect


def mission_contacts(mission: StudyMission) -> QuerySet[MissionContact]:
    return (
        MissionContact.objects.filter(mission=mission)
        .select_related("participant__actor", "contact", "contact__territory", "tie")
        .order_by("participant__actor__name", "contact__name", "id")
    )


def mission_page(mission: StudyMission, *, today: datetime.date | None = None) -> MissionPage:
    """Everything the mission's page shows, in seven queries whatever the mission's size."""
    today = today or timezone.localdate()
    hosts = list(mission.hosts.order_by("name"))
    participants = list(
        MissionParticipant.objects.filter(mission=mission)
        .select_related("actor", "actor__territory")
        .order_by("actor__name")
    )
    contacts = list(mission_contacts(mission))
    is_over = _is_over(mission, today)
    return MissionPage(
        mission=mission,
        country_label=country_name(mission.country),
        hosts=hosts,
        themes=list(mission.themes.order_by("name")),
        participants=participants,
        contacts=contacts,
        is_over=is_over,
        effect=_effect(mission, participants, contacts, today) if is_over else MissionEffect(),
    )


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _effect(
    mission: StudyMission,
    participants: list[MissionParticipant],
    contacts: list[MissionContact],
    today: datetime.date,
) -> MissionEffect:
    effect = MissionEffect(contacts=len(contacts))
    participant_ids = {p.actor_id for p in participants}
    pairs = {_pair(c.participant.actor_id, c.contact_id) for c in contacts}
    # Every version of every tie that touches a participant: one query, read in Python.
    versions = list(
        Tie.objects.filter(program_id=mission.program_id)
        .filter(Q(source_id__in=participant_ids) | Q(target_id__in=participant_ids))
        .only(
            "source_id",
            "target_id",
            "tie_type",
            "intensity",
            "started_on",
            "ended_on",
            "provenance",
            "recorded_at",
            "superseded_at",
        )
    )
    by_pair: dict[tuple[int, int], list[Tie]] = {}
    for tie in versions:
        by_pair.setdefault(_pair(tie.source_id, tie.target_id), []).append(tie)
    for c in contacts:
        pair = _pair(c.participant.actor_id, c.contact_id)
        ties = by_pair.get(pair, [])
        mission_ties = [t for t in ties if t.provenance == Provenance.MISSION]
        if mission_ties:
            effect.ties += 1
        # The pair knew each other if a tie not recorded by a mission came first, or any tie
        # started before this mission did.
        earlier = [
            t
            for t in ties
            if (t.provenance != Provenance.MISSION and t.recorded_at < c.created_at)
            or (t.started_on is not None and t.started_on < mission.starts_on)
        ]
        if earlier:
            effect.strengthened += 1
        else:
            effect.new_pairs += 1
        if any(t.superseded_at is None and t.is_active(today) for t in ties):
            effect.active += 1
        if c.contact.sector == Sector.INTERNATIONAL:
            effect.international += 1
        elif (
            c.contact.territory_id
            and c.participant.actor.territory_id
            and c.contact.territory_id != c.participant.actor.territory_id
        ):
            effect.cross_territory += 1
    effect.agreements = sum(
        1
        for pair, ties in by_pair.items()
        if pair in pairs
        and any(
            t.tie_type == "agreement"
            and t.provenance == Provenance.MISSION
            and t.superseded_at is None
            for t in ties
        )
    )
    counts = Counter(c.outcome for c in contacts if c.outcome)
    effect.answered = sum(counts.values())
    effect.outcomes = [
        (value, str(label), counts.get(value, 0)) for value, label in FollowUpOutcome.choices
    ]
    # Partners of each participant: before the mission (ties started before it) and today.
    before: dict[int, set[int]] = {a: set() for a in participant_ids}
    now: dict[int, set[int]] = {a: set() for a in participant_ids}
    for tie in versions:
        for me, other in ((tie.source_id, tie.target_id), (tie.target_id, tie.source_id)):
            if me not in participant_ids:
                continue
            started = tie.started_on or tie.recorded_at.date()
            if started < mission.starts_on and (
                tie.ended_on is None or tie.ended_on >= mission.starts_on
            ):
                before[me].add(other)
            if tie.superseded_at is None and tie.is_active(today):
                now[me].add(other)
    effect.reach = sorted(
        (
            ParticipantReach(
                actor=p.actor, before=len(before[p.actor_id]), now=len(now[p.actor_id])
            )
            for p in participants
        ),
        key=lambda r: (-r.gained, r.actor.name),
    )
    effect.partners_before = sum(r.before for r in effect.reach)
    effect.partners_now = sum(r.now for r in effect.reach)
    return effect


def participants_for(user: Any, mission: StudyMission, *, manage: bool) -> list[MissionParticipant]:
    """The participants whose contacts `user` records: all of them for coordinators, else the
    entities they represent."""
    participants = MissionParticipant.objects.filter(mission=mission).select_related("actor")
    if not manage:
        participants = participants.filter(actor_id__in=represented_ids(user))
    return list(participants.order_by("actor__name"))


def contact_choices(program: Program) -> QuerySet[Actor]:
    """The organizations and groups of the program a participant may have met."""
    return Actor.objects.organizations().filter(program=program).order_by("name")
