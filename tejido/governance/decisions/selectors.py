"""Reads for the decision pages, each in a fixed number of queries however many ballots."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tejido.governance import voting

from ..models import Ballot, BallotReceipt, Body, Mandate, Plan, Poll, PollOption, PollStatus
from .services import (
    MOTION_METHODS,
    RANKED_METHODS,
    ballots_digest,
    count_from_result,
    option_label,
    voting_problem,
)

# Methods whose totals are ballots (a share of the ballots means something).
BALLOT_TOTALS = frozenset({"consent", "plurality", "approval", "irv"})
# Motions decided on the yes and no votes alone: their shares are of yes + no.
YES_NO_BASE = frozenset({"majority", "qualified"})


def poll_passed(poll: Poll) -> bool | None:
    """Whether a closed motion passed (quorum included); None for other methods or while the
    poll is not closed."""
    if poll.status != PollStatus.CLOSED or poll.method not in MOTION_METHODS:
        return None
    passed = poll.result.get("passed")
    return None if passed is None else bool(passed)


def poll_get(program_id: int, pk: int) -> Poll:
    return Poll.objects.select_related(
        "body__program", "body__territory", "meeting", "agenda_item"
    ).get(body__program_id=program_id, pk=pk)


def plan_approved_by(poll: Poll) -> Plan | None:
    """The plan this poll puts to the vote (the approved one first), in one query."""
    plan = (
        Plan.objects.filter(approval_poll=poll)
        .only("pk", "title", "status", "approved_at", "program_id", "body_id")
        .order_by(F("approved_at").desc(nulls_last=True), "-pk")
        .first()
    )
    if plan is not None:
        plan.body = poll.body
        plan.program = poll.body.program
    return plan


def poll_list(body: Body, *, include_drafts: bool) -> list[Poll]:
    """The body's polls, open first, then drafts, then closed ones, newest first, each with how
    many seats voted (`voted`) and, once closed, its outcome in words (`outcome`, and
    `outcome_kind`: passed, rejected or chosen)."""
    polls: QuerySet[Poll] = (
        Poll.objects.filter(body=body)
        .select_related("meeting")
        .prefetch_related("options")
        .annotate(voted=Count("receipts"))
        .order_by("-created_at", "-id")
    )
    if not include_drafts:
        polls = polls.exclude(status=PollStatus.DRAFT)
    order = {PollStatus.OPEN: 0, PollStatus.DRAFT: 1, PollStatus.CLOSED: 2}
    result = sorted(polls, key=lambda p: order[PollStatus(p.status)])
    for poll in result:
        poll.outcome, poll.outcome_kind = _outcome(poll)  # type: ignore[attr-defined]
    return result


def _outcome(poll: Poll) -> tuple[str, str]:
    if poll.status != PollStatus.CLOSED or not poll.result:
        return "", ""
    passed = poll_passed(poll)
    if passed is True:
        return pgettext("motion", "Passed"), "passed"
    if passed is False:
        if not poll.quorum_met:
            return pgettext("motion", "Not passed: no quorum"), "rejected"
        return pgettext("motion", "Not passed"), "rejected"
    winner = (poll.result.get("count") or {}).get("winner")
    options = list(poll.options.all())
    if winner is None or not 0 <= winner < len(options):
        return pgettext("poll result", "No result"), "none"
    return pgettext("poll result", "Chosen: %(option)s") % {
        "option": option_label(options[winner])
    }, "chosen"


@dataclass(frozen=True)
class Voter:
    organization: str
    organization_id: int
    seat: str
    person: str  # "" unless the reader may see people
    as_alternate: bool
    cast_at: datetime.datetime | None = None


@dataclass(frozen=True)
class ResultRow:
    position: int
    label: str
    total: float
    bar: int  # width of the bar, % of the largest total
    share: int | None  # % of what the rule counts (yes + no for a majority, else ballots)
    winner: bool
    apart: bool = False  # abstentions: a count that is no part of the shares


@dataclass(frozen=True)
class RoundRow:
    label: str
    # Votes in each round; None once the option is out.
    votes: list[float | None]
    eliminated_in: int | None  # 1-based round


@dataclass(frozen=True)
class CastBallot:
    voter: Voter
    text: str


@dataclass
class PollResult:
    count: voting.Count
    rows: list[ResultRow]
    passed: bool | None
    winner: str | None
    quorum: dict[str, Any]
    explanation: list[str]
    rounds: list[RoundRow]
    round_numbers: list[int]
    ballots: list[CastBallot]
    digest: str
    verified: bool


@dataclass
class PollPage:
    poll: Poll
    options: list[PollOption]
    labels: list[str]
    voters: list[Voter]
    seats: int  # voting seats filled today (open polls)
    mandate: Mandate | None = None  # the seat the reader votes for, if any
    receipt: BallotReceipt | None = None  # the reader's seat's receipt, once it voted
    not_voted: list[Voter] = field(default_factory=list)
    problem: str = ""  # why the poll takes no ballot now
    result: PollResult | None = None


def _voter(mandate: Mandate, *, people: bool, cast_by_id: int | None = None) -> Voter:
    as_alternate = cast_by_id is not None and cast_by_id == mandate.alternate_user_id
    person = mandate.alternate if as_alternate else mandate.holder
    return Voter(
        organization=mandate.organization.name,
        organization_id=mandate.organization_id,
        seat=mandate.seat.label,
        person=person.name if people and person is not None else "",
        as_alternate=as_alternate,
    )


def ballot_text(method: str, value: Any, labels: list[str]) -> str:
    """A ballot in words, for the table of who voted what."""

    def label(i: Any) -> str:
        i = int(i)
        return labels[i] if 0 <= i < len(labels) else "?"

    if isinstance(value, dict):
        parts = [
            f"{label(k)}: {v:g}" for k, v in sorted(value.items(), key=lambda kv: int(kv[0])) if v
        ]
        return "; ".join(parts) or _("nothing")
    if isinstance(value, list):
        if not value:
            return _("none")
        if method in RANKED_METHODS:
            return " › ".join(label(i) for i in value)
        return ", ".join(label(i) for i in value)
    return label(value)


def _share(method: str, option: int, totals: dict[int, float], ballots: int) -> int | None:
    """The option's % of what the rule counts: of the yes and no votes for a majority (an
    abstention counts for neither side, so it gets no share), of the ballots for the methods
    whose totals are ballots, none for points."""
    if method in YES_NO_BASE:
        yes, no, abstain = (voting.MOTION_OPTIONS.index(c) for c in ("yes", "no", "abstain"))
        base = totals.get(yes, 0) + totals.get(no, 0)
        if option == abstain or not base:
            return None
        return round(100 * totals.get(option, 0) / base)
    if method in BALLOT_TOTALS and ballots:
        return round(100 * totals.get(option, 0) / ballots)
    return None


def _result(
    poll: Poll,
    labels: list[str],
    ballots: Sequence[tuple[int | None, Any]],
    voters_by_mandate: dict[int, Voter],
) -> PollResult:
    count = count_from_result(poll.result)
    totals = count.totals
    top = max(totals.values(), default=0) or 1
    winners = {count.winner} if count.winner is not None else set()
    order = [o for group in count.ranking for o in group] or list(range(len(labels)))
    order += [o for o in range(len(labels)) if o not in order]
    rows = [
        ResultRow(
            position=o,
            label=labels[o],
            total=totals.get(o, 0),
            bar=round(100 * totals.get(o, 0) / top),
            share=_share(poll.method, o, totals, count.ballot_count),
            winner=o in winners and poll.method not in MOTION_METHODS,
            apart=poll.method in YES_NO_BASE and o == voting.MOTION_OPTIONS.index("abstain"),
        )
        for o in order
    ]
    if poll.method in MOTION_METHODS:
        rows.sort(key=lambda r: r.position)  # yes, no, abstain as on the ballot
    rounds: list[RoundRow] = []
    if count.rounds:
        for o in order:
            votes = [r.get(o) for r in count.rounds]
            out = next((i + 1 for i, v in enumerate(votes) if v is None), None)
            rounds.append(RoundRow(label=labels[o], votes=votes, eliminated_in=out))
    cast: list[CastBallot] = []
    if not poll.secret:
        for mandate_id, content in ballots:
            voter = voters_by_mandate.get(mandate_id or 0)
            if voter is not None:
                cast.append(CastBallot(voter, ballot_text(poll.method, content, labels)))
        cast.sort(key=lambda c: c.voter.organization.casefold())
    digest_now = ballots_digest(ballots)
    return PollResult(
        count=count,
        rows=rows,
        passed=poll_passed(poll),
        winner=labels[count.winner] if count.winner is not None else None,
        quorum=poll.result.get("quorum", {}),
        explanation=_explanation(poll, count, labels),
        rounds=rounds,
        round_numbers=list(range(1, len(count.rounds) + 1)),
        ballots=cast,
        digest=poll.ballots_digest,
        verified=bool(poll.ballots_digest) and digest_now == poll.ballots_digest,
    )


def _explanation(poll: Poll, count: voting.Count, labels: list[str]) -> list[str]:
    """The count explained step by step; a motion that had the votes but not the quorum ends
    saying it is not approved (the count alone would say it is)."""
    from tejido.governance.explain import explain_count

    if poll.method in MOTION_METHODS and count.passed and poll.quorum_met is False:
        steps = [s for s in count.explanation if s.code != "motion_passed"]
        sentences = explain_count(replace(count, explanation=steps), labels)
        return [*sentences, _("But the quorum was not met, so the motion is not approved.")]
    return explain_count(count, labels)


def poll_page(
    poll: Poll,
    *,
    people: bool,
    mandate: Mandate | None = None,
    today: datetime.date | None = None,
) -> PollPage:
    """Everything the poll page shows, in a fixed number of queries."""
    from tejido.governance.bodies.selectors import mandates_on

    today = today or timezone.localdate()
    options = list(poll.options.all())
    labels = [option_label(o) for o in options]
    receipts = list(
        BallotReceipt.objects.filter(poll=poll)
        .select_related("mandate__seat", "mandate__organization", "mandate__holder")
        .select_related("mandate__alternate")
        .order_by("cast_at", "id")
    )
    voters = [
        replace(_voter(r.mandate, people=people, cast_by_id=r.cast_by_id), cast_at=r.cast_at)
        for r in receipts
    ]
    page = PollPage(
        poll=poll,
        mandate=mandate,
        receipt=next((r for r in receipts if mandate and r.mandate_id == mandate.pk), None),
        options=options,
        labels=labels,
        voters=voters,
        seats=0,
        problem=voting_problem(poll),
    )
    if poll.status == PollStatus.OPEN:
        current = mandates_on(poll.body, today)
        voted = {r.mandate_id for r in receipts}
        page.seats = len(current)
        page.not_voted = sorted(
            (_voter(m, people=people) for m in current if m.pk not in voted),
            key=lambda v: v.organization.casefold(),
        )
    if poll.status == PollStatus.CLOSED and poll.result:
        ballots = list(Ballot.objects.filter(poll=poll).values_list("mandate_id", "content"))
        by_mandate = {
            r.mandate_id: _voter(r.mandate, people=people, cast_by_id=r.cast_by_id)
            for r in receipts
        }
        page.result = _result(poll, labels, ballots, by_mandate)
    return page


def voted_summary(poll: Poll, voters: int, seats: int) -> str:
    if poll.status == PollStatus.OPEN and seats:
        return ngettext(
            "%(voted)s of %(seats)s seat has voted",
            "%(voted)s of %(seats)s seats have voted",
            seats,
        ) % {"voted": voters, "seats": seats}
    return ngettext("%(count)s seat voted", "%(count)s seats voted", voters) % {"count": voters}


def _share_words(threshold: Any) -> str:
    share = voting.threshold_fraction(float(threshold))
    named = {
        (3, 5): _("three fifths"),
        (2, 3): _("two thirds"),
        (3, 4): _("three quarters"),
        (1, 2): _("half"),
    }
    words = named.get((share.numerator, share.denominator))
    return str(words) if words else f"{float(share):.0%}"


def method_rule(poll: Poll) -> str:
    """How this poll is decided and how to fill in its ballot, in one or two sentences."""
    method = poll.method
    if method == "majority":
        return _("Passes with more yes than no votes; abstentions count for neither side.")
    if method == "qualified":
        return _(
            "Passes with at least %(share)s of the yes and no votes; abstentions count for"
            " neither side."
        ) % {"share": _share_words(poll.threshold)}
    if method == "consent":
        return _(
            "Passes unless someone objects. Stand aside if you disagree but will not block it."
        )
    if method == "plurality":
        return _("Choose one option. The option chosen most wins.")
    if method == "approval":
        if poll.max_choices:
            return ngettext(
                "Tick the option you accept (%(count)s at most). The most approved wins.",
                "Tick the options you accept, %(count)s at most. The most approved wins.",
                poll.max_choices,
            ) % {"count": poll.max_choices}
        return _("Tick every option you accept. The most approved wins.")
    if method == "borda":
        return _(
            "Rank the options: 1 for your favourite, 2 for the next, and so on. Each place"
            " gives points; options you leave unranked get none. The most points win."
        )
    if method == "irv":
        return _(
            "Rank the options: 1 for your favourite, 2 for the next, and so on. If your"
            " favourite drops out, your vote passes to your next choice, until one option has"
            " more than half."
        )
    if method == "cumulative":
        return ngettext(
            "You have %(dots)s dot to place on the options. The most dots win.",
            "You have %(dots)s dots to spread among the options, several on one if you like."
            " The most dots win.",
            poll.dots_per_voter,
        ) % {"dots": poll.dots_per_voter}
    return _(
        "Give each option a score from 0 to %(max)s; an option left empty scores 0. The highest"
        " total wins."
    ) % {"max": poll.score_max}


def quorum_sentences(poll: Poll) -> list[str]:
    """The quorum of a closed poll in words, and what it means for the result."""
    if poll.status != PollStatus.CLOSED or not poll.result:
        return []
    quorum = poll.result.get("quorum") or {}
    if not quorum:
        return []
    numbers = {
        "present": quorum["present"],
        "seats": quorum["seats"],
        "required": quorum["required"],
    }
    in_meeting = quorum.get("basis") == "meeting"
    if quorum["met"]:
        if in_meeting:
            text = ngettext(
                "Quorum met: %(present)s of %(seats)s voting seat was present (%(required)s"
                " needed).",
                "Quorum met: %(present)s of %(seats)s voting seats were present (%(required)s"
                " needed).",
                quorum["seats"],
            )
        else:
            text = ngettext(
                "Quorum met: %(present)s of %(seats)s voting seat voted (%(required)s needed).",
                "Quorum met: %(present)s of %(seats)s voting seats voted (%(required)s needed).",
                quorum["seats"],
            )
        return [text % numbers]
    if in_meeting:
        text = ngettext(
            "Quorum not met: %(present)s of %(seats)s voting seat was present, and"
            " %(required)s were needed.",
            "Quorum not met: %(present)s of %(seats)s voting seats were present, and"
            " %(required)s were needed.",
            quorum["seats"],
        )
    else:
        text = ngettext(
            "Quorum not met: %(present)s of %(seats)s voting seat voted, and %(required)s were"
            " needed.",
            "Quorum not met: %(present)s of %(seats)s voting seats voted, and %(required)s were"
            " needed.",
            quorum["seats"],
        )
    sentences = [text % numbers]
    from tejido.actors.models import Sector

    sector_names = dict(Sector.choices)
    for sector, missing in sorted((quorum.get("sector_shortfalls") or {}).items()):
        sentences.append(
            ngettext(
                "The %(sector)s sector was %(count)s seat short of its minimum.",
                "The %(sector)s sector was %(count)s seats short of its minimum.",
                missing,
            )
            % {"sector": str(sector_names.get(sector, sector)).lower(), "count": missing}
        )
    if poll.method in MOTION_METHODS:
        count = poll.result.get("count") or {}
        if count.get("passed"):
            sentences.append(
                _("The motion had the votes to pass, but without quorum it does not pass.")
            )
        else:
            sentences.append(_("Without quorum, the motion does not pass."))
    else:
        sentences.append(_("Without quorum, this result does not bind the body."))
    return sentences
