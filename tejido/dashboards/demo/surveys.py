"""The demo's network surveys: one per cycle, answered by more organizations each time.

Cycles 1 to 3 are closed surveys whose answers are the ties the loader records with provenance
"survey": the loader plans them here before replaying the tie events (so each answer's tie is
written on the day its respondent submitted), then records the surveys, invitations and answers
as they were. Cycle 2 and 3 respondents include organizations that had no tie before, who name
partners mostly in other sectors: the evolution pages see isolates brought in. The running cycle
has an open survey answered through the real services, with some organizations done, some
halfway, some not started (reminded once) and one proposed actor waiting for review.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from tejido.accounts.models import User
from tejido.actors.models import Actor, ActorKind
from tejido.core.models import Cycle, Program
from tejido.network.models import (
    Frequency,
    Provenance,
    ResourceKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyStatus,
    Tie,
)
from tejido.network.surveys.services import (
    answer_save,
    nomination_create,
    survey_create,
    survey_open,
    survey_set_invitations,
    survey_submit,
)

# Share of the program's organizations that answer each cycle's survey (cycle 4: so far), and the
# response rate: the invited are the respondents and as many more as this rate leaves out.
RESPONDING = {1: 0.38, 2: 0.5, 3: 0.62}
RESPONSE_RATE = {1: 0.6, 2: 0.7, 3: 0.8}
ISOLATES_BROUGHT_IN = 0.45  # of the organizations without any tie, who answer the next survey
OPEN_INVITED = 0.6
OPEN_SUBMITTED = 0.35
OPEN_STARTED = 0.12

TITLES = {"es": "Encuesta de vínculos · ciclo {n}", "ca": "Enquesta de vincles · cicle {n}"}
INSTRUCTIONS = {
    "es": (
        "Nombre a las organizaciones y grupos con los que su organización trabajó en este"
        " ciclo y cuéntenos cómo es cada vínculo. Toma unos diez minutos."
    ),
    "ca": (
        "Anomeneu les organitzacions i grups amb qui la vostra entitat ha treballat aquest"
        " cicle i expliqueu-nos com és cada vincle. Són uns deu minuts."
    ),
}
PROPOSED = {
    "es": ("Huerta Comunitaria Los Copihues", "community"),
    "ca": ("Hort Comunitari del Turó", "community"),
}

Event = tuple[datetime.date, int, str, dict[str, Any]]


class _Member(Protocol):
    record: Actor
    weight: float


@dataclass
class _Answer:
    respondent: Actor
    partner: Actor
    tie_type: str
    intensity: int
    trust: int | None
    value: int | None


@dataclass
class SurveyRound:
    cycle: Cycle
    opens_on: datetime.date
    closes_on: datetime.date
    submitted: dict[int, datetime.date] = field(default_factory=dict)  # org id → day
    answers: list[_Answer] = field(default_factory=list)
    invited: list[Actor] = field(default_factory=list)


def _key(data: dict[str, Any]) -> tuple[int, int, str]:
    return (data["source"].pk, data["target"].pk, data["tie_type"])


def plan_survey_rounds(
    *,
    rng: random.Random,
    today: datetime.date,
    organizations: Sequence[_Member],
    cycles: dict[int, Cycle],
    events: list[Event],
    taken: set[tuple[int, int]],
    tie_type: Callable[[Any, Any], tuple[str, Any, Any, bool]],
    pick: Callable[[list[Any]], Any],
) -> list[SurveyRound]:
    """Plan cycles 1 to 3's surveys over the planned tie events (changed in place): survey ties
    move to their respondent's submission day, and new ties bring isolated organizations in."""
    members = sorted(organizations, key=lambda m: m.record.pk)
    by_id = {m.record.pk: m for m in members}
    creates = {_key(d): (day, d) for day, _s, op, d in events if op == "create"}
    # Ties with a later change (update or end) keep their planned story untouched.
    changed = {d["key"] for _day, _s, op, d in events if op != "create"}
    rounds = []
    for number in (1, 2, 3):
        cycle = cycles[number]
        opens = cycle.starts_on + datetime.timedelta(days=40)
        closes = min(
            opens + datetime.timedelta(days=50), cycle.ends_on, today - datetime.timedelta(days=1)
        )
        survey = SurveyRound(cycle=cycle, opens_on=opens, closes_on=closes)

        def submission_day(org: Actor, survey: SurveyRound = survey) -> datetime.date:
            if org.pk not in survey.submitted:
                span = (survey.closes_on - survey.opens_on).days
                survey.submitted[org.pk] = survey.opens_on + datetime.timedelta(
                    days=rng.randint(0, span)
                )
            return survey.submitted[org.pk]

        answered: set[tuple[int, int, str]] = set()
        # The ties this cycle recorded from the survey: one end answered and named the other.
        for index, (day, seq, op, data) in enumerate(events):
            if not cycle.starts_on <= day <= cycle.ends_on or op == "end":
                continue
            if data.get("provenance") != Provenance.SURVEY:
                continue
            key = data["key"] if op == "update" else _key(data)
            created = creates[key][1]
            ends = [created["source"], created["target"]]
            if not all(e.pk in by_id for e in ends):
                continue  # a tie with a person: people are never surveyed
            ends.sort(key=lambda e: (e.pk not in survey.submitted, e.pk))
            respondent = ends[0] if ends[0].pk in survey.submitted else rng.choice(ends)
            partner = ends[1] if respondent is ends[0] else ends[0]
            moved = submission_day(respondent)
            if op == "update":
                moved = max(moved, creates[key][0] + datetime.timedelta(days=1))
            elif key in changed:
                moved = day  # its later change was planned from this day
            events[index] = (moved, seq, op, data)
            if op == "create":
                creates[key] = (moved, data)
            answered.add(key)
            survey.answers.append(
                _Answer(
                    respondent,
                    partner,
                    created["tie_type"],
                    data["intensity"],
                    created["trust"],
                    created["value"],
                )
            )
        target = round(RESPONDING[number] * len(members))
        if number > 1:
            # Organizations with no tie at the end of the last cycle: some answer this time.
            before = cycles[number - 1].ends_on
            tied = {
                pk
                for day, d in creates.values()
                if day <= before
                for pk in (d["source"].pk, d["target"].pk)
            }
            isolated = [m for m in members if m.record.pk not in tied]
            for member in rng.sample(isolated, round(ISOLATES_BROUGHT_IN * len(isolated))):
                _bring_in(
                    rng,
                    member,
                    members,
                    survey,
                    submission_day,
                    events,
                    creates,
                    taken,
                    tie_type,
                    pick,
                    cycle,
                )
        # More organizations answer, naming ties they already had.
        others = [m for m in members if m.record.pk not in survey.submitted]
        rng.shuffle(others)
        for member in others:
            if len(survey.submitted) >= target:
                break
            own = [
                (key, d)
                for key, (day, d) in sorted(creates.items())
                if day < survey.opens_on
                and key not in changed
                and key not in answered
                and member.record.pk in (d["source"].pk, d["target"].pk)
                and d["source"].pk in by_id
                and d["target"].pk in by_id
            ]
            if not own:
                _bring_in(
                    rng,
                    member,
                    members,
                    survey,
                    submission_day,
                    events,
                    creates,
                    taken,
                    tie_type,
                    pick,
                    cycle,
                )
                continue
            moment = submission_day(member.record)
            for key, d in own[: rng.randint(1, 3)]:
                answered.add(key)
                partner = d["target"] if d["source"].pk == member.record.pk else d["source"]
                # Named again: a new version of the tie, from this survey.
                events.append(
                    (
                        moment,
                        len(events),
                        "update",
                        {"key": key, "intensity": d["intensity"], "provenance": Provenance.SURVEY},
                    )
                )
                changed.add(key)
                survey.answers.append(
                    _Answer(
                        member.record,
                        partner,
                        d["tie_type"],
                        d["intensity"],
                        d["trust"],
                        d["value"],
                    )
                )
        respondents = set(survey.submitted)
        rate = RESPONSE_RATE[number]
        extra = [m.record for m in members if m.record.pk not in respondents]
        wanted = min(len(extra), round(len(respondents) / rate) - len(respondents))
        survey.invited = [by_id[pk].record for pk in sorted(respondents)] + sorted(
            rng.sample(extra, max(0, wanted)), key=lambda a: a.pk
        )
        rounds.append(survey)
    return rounds


def _bring_in(
    rng: random.Random,
    member: _Member,
    members: list[Any],
    survey: SurveyRound,
    submission_day: Callable[[Actor], datetime.date],
    events: list[Event],
    creates: dict[tuple[int, int, str], tuple[datetime.date, dict[str, Any]]],
    taken: set[tuple[int, int]],
    tie_type: Callable[[Any, Any], tuple[str, Any, Any, bool]],
    pick: Callable[[list[Any]], Any],
    cycle: Cycle,
) -> None:
    """A new respondent names one or two partners, mostly in other sectors."""
    sector = member.record.sector
    across = [m for m in members if m.record.sector != sector and m.record.pk != member.record.pk]
    for _ in range(rng.randint(1, 2)):
        partner = pick(across) if across and rng.random() < 0.8 else pick(members)
        pair = tuple(sorted((member.record.pk, partner.record.pk)))
        if partner.record.pk == member.record.pk or pair in taken:
            continue
        taken.add(pair)
        kind, source, target, directed = tie_type(member, partner)
        day = submission_day(member.record)
        data = {
            "source": source.record,
            "target": target.record,
            "tie_type": kind,
            "directed": directed,
            "intensity": rng.choice((0, 1, 1, 2)),
            "trust": rng.randint(2, 5),
            "value": rng.randint(2, 5),
            "provenance": Provenance.SURVEY,
            "cycle": cycle,
            "note": "",
        }
        events.append((day, len(events), "create", data))
        creates[_key(data)] = (day, data)
        survey.answers.append(
            _Answer(
                member.record,
                partner.record,
                kind,
                data["intensity"],
                data["trust"],
                data["value"],
            )
        )


def _scores(rng: random.Random, mean: int | None) -> tuple[int | None, int | None, int | None]:
    """Three 1–5 scores whose mean rounds (half up) to `mean`, as the survey computes it."""
    if mean is None:
        return (None, None, None)
    spread = rng.choice((0, 0, 1))
    first, second = min(5, mean + spread), max(1, mean - spread)
    scores = [mean, first, second]
    rng.shuffle(scores)
    return (scores[0], scores[1], scores[2])


def _frequency(intensity: int) -> int:
    return min(Frequency.DAILY, max(Frequency.YEARLY, intensity + 1))


def _resources(rng: random.Random, intensity: int) -> list[str]:
    count = min(len(ResourceKind.values), rng.randint(0, 1 + intensity))
    return sorted(rng.sample(ResourceKind.values, count), key=ResourceKind.values.index)


def record_survey_rounds(
    *,
    rng: random.Random,
    program: Program,
    user: User,
    language: str,
    rounds: list[SurveyRound],
    moment: Callable[[datetime.date], datetime.datetime],
) -> None:
    """Record cycles 1 to 3's surveys as they were: closed, with their dated responses."""
    for number, survey_round in enumerate(rounds, start=1):
        survey = survey_create(
            user=user,
            program=program,
            cycle=survey_round.cycle,
            title=TITLES[language].format(n=number),
            instructions=INSTRUCTIONS[language],
            opens_on=survey_round.opens_on,
            closes_on=survey_round.closes_on,
        )
        # A survey of a past cycle: opened and closed back then (the services date things now).
        Survey.objects.filter(pk=survey.pk).update(
            status=SurveyStatus.CLOSED,
            created_at=moment(survey_round.opens_on - datetime.timedelta(days=7)),
        )
        invitations = []
        for org in survey_round.invited:
            day = survey_round.submitted.get(org.pk)
            submitted = moment(day) if day else None
            reminded = rng.random() < 0.5
            invitations.append(
                SurveyInvitation(
                    survey=survey,
                    organization=org,
                    started_at=submitted - datetime.timedelta(hours=rng.randint(1, 30))
                    if submitted
                    else None,
                    submitted_at=submitted,
                    reminders_sent=1 if reminded else 0,
                    last_reminded_at=moment(survey_round.opens_on + datetime.timedelta(days=21))
                    if reminded
                    else None,
                )
            )
        created = {
            inv.organization_id: inv for inv in SurveyInvitation.objects.bulk_create(invitations)
        }
        answers = []
        seen: set[tuple[int, int]] = set()
        for answer in survey_round.answers:
            if (answer.respondent.pk, answer.partner.pk) in seen:
                continue  # one answer per partner
            seen.add((answer.respondent.pk, answer.partner.pk))
            trust = _scores(rng, answer.trust)
            value = _scores(rng, answer.value)
            answers.append(
                SurveyAnswer(
                    invitation=created[answer.respondent.pk],
                    partner=answer.partner,
                    tie_type=answer.tie_type,
                    intensity=answer.intensity,
                    frequency=_frequency(answer.intensity),
                    trust_openness=trust[0],
                    trust_reliability=trust[1],
                    trust_mission=trust[2],
                    value_influence=value[0],
                    value_resources=value[1],
                    value_involvement=value[2],
                    resources=_resources(rng, answer.intensity),
                )
            )
        SurveyAnswer.objects.bulk_create(answers, batch_size=500)


def open_survey(
    *,
    rng: random.Random,
    program: Program,
    user: User,
    language: str,
    cycle: Cycle,
    today: datetime.date,
    organizations: Sequence[_Member],
    pending: Sequence[str] = (),
) -> Survey:
    """The running cycle's survey, open now and answered through the services by some."""
    members = sorted(organizations, key=lambda m: m.record.pk)
    # Never closed already, even when the demo is loaded for a past `today`.
    closes = max(today, timezone.localdate()) + datetime.timedelta(days=24)
    survey = survey_create(
        user=user,
        program=program,
        cycle=cycle,
        title=TITLES[language].format(n=cycle.number),
        instructions=INSTRUCTIONS[language],
        opens_on=max(cycle.starts_on, today - datetime.timedelta(days=18)),
        closes_on=closes,
    )
    invited = sorted(
        rng.sample([m.record for m in members], round(OPEN_INVITED * len(members))),
        key=lambda a: a.pk,
    )
    invited += [m.record for m in members if m.record.name in pending and m.record not in invited]
    survey_set_invitations(user=user, survey=survey, add=invited)
    survey = survey_open(user=user, survey=survey, send_emails=False)
    invitations = {
        inv.organization_id: inv
        for inv in SurveyInvitation.objects.filter(survey=survey).select_related(
            "survey__program", "survey__cycle", "organization"
        )
    }
    candidates = [a for a in invited if a.name not in pending]
    rng.shuffle(candidates)
    answering = candidates[: round(OPEN_SUBMITTED * len(invited))]
    halfway = candidates[len(answering) : len(answering) + round(OPEN_STARTED * len(invited))]
    by_id = {m.record.pk: m for m in members}
    for position, org in enumerate(answering + halfway):
        invitation = invitations[org.pk]
        current = (
            Tie.objects.current()
            .involving(org)
            .filter(ended_on__isnull=True)
            .order_by("pk")
            .values_list("source_id", "target_id", "tie_type", "intensity", "directed")
        )
        named = 0
        for source_id, target_id, kind, intensity, directed in current:
            other = by_id.get(target_id if source_id == org.pk else source_id)
            # Survey ties are undirected: a funding or membership tie keeps its direction.
            if other is None or directed or rng.random() < 0.4 or named >= 4:
                continue
            _answer(rng, invitation, other.record, kind, min(4, intensity + rng.choice((0, 0, 1))))
            named += 1
        if named == 0 or rng.random() < 0.5:
            # A new partner, most often across sectors.
            across = [m for m in members if m.record.sector != org.sector]
            partner = rng.choice(across or members).record
            if partner.pk != org.pk:
                _answer(rng, invitation, partner, "collaboration", rng.choice((0, 1, 2)))
        if position == 0:
            name, sector = PROPOSED[language]
            nomination_create(
                user=None,
                invitation=invitation,
                name=name,
                kind=ActorKind.INFORMAL_GROUP,
                sector=sector,
                territory=org.territory,
                tie_type="collaboration",
                intensity=2,
                frequency=Frequency.MONTHLY,
                trust_openness=4,
                trust_reliability=4,
                trust_mission=5,
                resources=["premises", "people"],
            )
        if org in answering and invitation.answers.exists():
            survey_submit(user=None, invitation=invitation)
    # Those that have not started were reminded once, three days ago.
    reminded = timezone.now() - datetime.timedelta(days=3)
    SurveyInvitation.objects.filter(survey=survey, started_at__isnull=True).update(
        reminders_sent=1, last_reminded_at=reminded
    )
    return survey


def _answer(
    rng: random.Random, invitation: SurveyInvitation, partner: Actor, kind: str, intensity: int
) -> None:
    trust = _scores(rng, rng.randint(2, 5))
    value = _scores(rng, rng.randint(2, 5))
    answer_save(
        user=None,
        invitation=invitation,
        partner=partner,
        tie_type=kind,
        intensity=intensity,
        frequency=_frequency(intensity),
        trust_openness=trust[0],
        trust_reliability=trust[1],
        trust_mission=trust[2],
        value_influence=value[0],
        value_resources=value[1],
        value_involvement=value[2],
        resources=_resources(rng, intensity),
    )
