"""Reads for the survey pages, each in a fixed number of queries however many invitations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.actors.selectors import actor_search, search_words
from tejido.core.models import Program, Territory

from ..models import (
    NominationStatus,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyNomination,
    SurveyStatus,
)
from ..selectors import partner_options
from .services import SURVEY_KINDS

MATCH_CANDIDATES = 5


def survey_list(program: Program) -> list[Survey]:
    """The program's surveys, newest first, with their response counts."""
    return list(
        Survey.objects.filter(program=program)
        .select_related("cycle")
        .annotate(
            invited=Count("invitations", distinct=True),
            submitted=Count(
                "invitations",
                filter=Q(invitations__submitted_at__isnull=False),
                distinct=True,
            ),
        )
        # Meta.ordering does not apply to a query with GROUP BY: order explicitly.
        .order_by("-opens_on", "-pk")
    )


def survey_get(program: Program, pk: int) -> Survey:
    return Survey.objects.select_related("program", "cycle").get(program=program, pk=pk)


@dataclass
class ResponseRate:
    """Invitations, started and submitted responses of one territory (or all of them)."""

    label: str
    invited: int = 0
    started: int = 0  # started but not submitted yet
    submitted: int = 0

    @property
    def rate(self) -> float:
        return self.submitted / self.invited if self.invited else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)


@dataclass
class SurveyOverview:
    survey: Survey
    total: ResponseRate
    territories: list[ResponseRate] = field(default_factory=list)
    pending: Sequence[SurveyInvitation] = field(default_factory=list)
    nominations: Sequence[SurveyNomination] = field(default_factory=list)
    reminders_sent: int = 0


def response_rates(survey: Survey, *, no_territory: str) -> tuple[ResponseRate, list[ResponseRate]]:
    """The response rate overall and per territory of the invited organizations (one query)."""
    rows = (
        survey.invitations.values("organization__territory__name")
        .annotate(
            invited=Count("id"),
            started=Count("id", filter=Q(started_at__isnull=False, submitted_at__isnull=True)),
            submitted=Count("id", filter=Q(submitted_at__isnull=False)),
        )
        .order_by("organization__territory__name")
    )
    total = ResponseRate(label="")
    territories = []
    for row in rows:
        rate = ResponseRate(
            label=row["organization__territory__name"] or no_territory,
            invited=row["invited"],
            started=row["started"],
            submitted=row["submitted"],
        )
        territories.append(rate)
        total.invited += rate.invited
        total.started += rate.started
        total.submitted += rate.submitted
    return total, territories


def survey_overview(survey: Survey, *, no_territory: str) -> SurveyOverview:
    """Everything the coordinator's survey page shows."""
    total, territories = response_rates(survey, no_territory=no_territory)
    pending = list(
        survey.invitations.filter(submitted_at__isnull=True)
        .select_related("organization__territory")
        .annotate(answer_count=Count("answers"))
        .order_by("organization__name", "pk")
    )
    nominations = list(
        SurveyNomination.objects.filter(invitation__survey=survey, status=NominationStatus.PENDING)
        .select_related("invitation__organization", "territory")
        .annotate(named_by=Count("answers"))
        .order_by("name", "pk")
    )
    # The page links each invitation and matches each nomination within this survey's program:
    # give them the survey already loaded rather than a query each.
    for invitation in pending:
        invitation.survey = survey
    for nomination in nominations:
        nomination.invitation.survey = survey
    reminders = survey.invitations.aggregate(sent=Sum("reminders_sent"))["sent"] or 0
    return SurveyOverview(
        survey=survey,
        total=total,
        territories=territories,
        pending=pending,
        nominations=nominations,
        reminders_sent=reminders,
    )


def match_candidates(nomination: SurveyNomination) -> list[Actor]:
    """Registry actors whose name shares the proposed name's words: likely the same actor."""
    words = search_words(nomination.name)
    if not words:
        return []
    # The longest words tell names apart best ("junta de vecinos" is in hundreds of names).
    distinctive = sorted(words, key=len, reverse=True)[:2]
    return list(
        actor_search(
            Actor.objects.filter(
                program_id=nomination.invitation.survey.program_id, kind__in=SURVEY_KINDS
            ),
            distinctive,
        )
        .select_related("territory")
        .order_by("name", "pk")[:MATCH_CANDIDATES]
    )


def invitable_organizations(
    program: Program,
    *,
    territory: Territory | None = None,
    sector: str = "",
    kind: str = "",
    query: str = "",
) -> QuerySet[Actor]:
    """The organizations and groups a survey may invite, narrowed by the coordinator's filters."""
    actors: QuerySet[Actor] = Actor.objects.filter(program=program, kind__in=SURVEY_KINDS)
    if territory is not None:
        actors = actors.filter(territory__path__startswith=territory.path)
    if sector:
        actors = actors.filter(sector=sector)
    if kind:
        actors = actors.filter(kind=kind)
    if query.strip():
        actors = actor_search(actors, query)
    return actors.select_related("territory").order_by("name", "pk")


def partner_search(invitation: SurveyInvitation, query: str) -> tuple[list[Actor], bool]:
    """The program's organizations and groups matching `query` (accent- and case-insensitive),
    except the respondent's own, those whose name matches first; and whether more matched."""
    return partner_options(
        invitation.survey.program, invitation.organization, query, kinds=SURVEY_KINDS
    )


def response_answers(invitation: SurveyInvitation) -> list[SurveyAnswer]:
    return list(
        invitation.answers.select_related("partner__territory", "nomination").order_by(
            "partner__name", "nomination__name", "pk"
        )
    )


def surveys_to_answer(user: Any, program: Program) -> list[SurveyInvitation]:
    """The open surveys' invitations of the organizations this user represents."""
    ids = represented_ids(user)
    if not ids:
        return []
    return list(
        SurveyInvitation.objects.filter(
            organization_id__in=ids, survey__program=program, survey__status=SurveyStatus.OPEN
        )
        .select_related("survey", "organization")
        .order_by("survey__closes_on", "organization__name")
    )
