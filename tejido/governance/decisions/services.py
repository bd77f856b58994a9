"""Every write of a decision: creating and editing a poll, opening it, casting a ballot, closing
it with its count, and checking afterwards that no ballot changed.

One ballot per seat
-------------------
A ballot is cast for a mandate (a seat held for an organization), so holder and alternate share
one vote. `ballot_cast` writes the receipt (who voted, when) and the ballot (what) in one
transaction; the receipt's unique constraint (poll, mandate) is what refuses a second ballot
from the same seat, even when two arrive at the same moment: the second insert waits for the
first transaction and then fails inside its own savepoint. A secret ballot has no mandate and a
random key, so it cannot be matched with its receipt.

Votes and the closing
---------------------
A vote holds a shared lock on the poll row while it checks that the poll is open and writes;
closing takes the exclusive lock. So a vote either commits before the closing reads the ballots
(and is counted) or waits and then finds the poll closed (and is refused): no ballot is ever
written after the count. Votes do not wait for each other.

The digest
----------
At closing, each ballot is written as canonical JSON `[seat, ballot]` (seat = the mandate's id,
or null for a secret ballot; keys sorted, no spaces), the lines are sorted and joined with a
newline, and the SHA-256 of that text is stored in `ballots_digest`. It is also the seed of the
tie-break draw (see `voting`), so nobody can steer a draw before the ballots are in, and anyone
can recompute it: `poll_verify` does, and a changed, added or removed ballot shows.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tejido.core.audit import audit_log
from tejido.governance import voting

from ..models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotReceipt,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Plan,
    Poll,
    PollOption,
    PollStatus,
    VotingMethod,
)

MOTION_METHODS = frozenset(voting.MOTION_METHODS)
RANKED_METHODS = frozenset({VotingMethod.BORDA, VotingMethod.IRV})
# The fixed options of the motion methods, in the order of `voting` (option 0, 1, 2).
FIXED_OPTIONS: dict[str, tuple[str, ...]] = {
    VotingMethod.MAJORITY: voting.MOTION_OPTIONS,
    VotingMethod.QUALIFIED: voting.MOTION_OPTIONS,
    VotingMethod.CONSENT: voting.CONSENT_OPTIONS,
}
# Shown in the reader's language whatever the language the poll was created in.
FIXED_OPTION_LABELS = {
    "yes": pgettext_lazy("ballot", "Yes"),
    "no": pgettext_lazy("ballot", "No"),
    "abstain": pgettext_lazy("ballot", "Abstain"),
    "consent": pgettext_lazy("ballot", "Consent"),
    "stand_aside": pgettext_lazy("ballot", "Stand aside"),
    "object": pgettext_lazy("ballot", "Object"),
}
MAX_OPTIONS = 40
MAX_DOTS = 100
MAX_SCORE = 10
# Qualified majorities bodies use; the share is stored with three decimals (2/3 as 0.667) and
# `voting` reads it back as the exact fraction.
QUALIFIED_SHARES = (Fraction(3, 5), Fraction(2, 3), Fraction(3, 4))

ALREADY_VOTED = gettext_lazy("This seat has already voted.")
VOTING_CLOSED = gettext_lazy("Voting has closed.")
NOT_A_MEMBER = gettext_lazy("Only the body's members can vote.")
NOT_OPEN_YET = gettext_lazy("This poll is not open for voting yet.")


def option_label(option: PollOption) -> str:
    """The option as a reader sees it: motion options in the reader's language."""
    if option.code in FIXED_OPTION_LABELS:
        return str(FIXED_OPTION_LABELS[option.code])
    return option.label


# -- creating and editing -----------------------------------------------------------------------


def _clean_labels(method: str, options: Iterable[str]) -> list[str]:
    labels = [" ".join(str(label).split()) for label in options]
    labels = [label for label in labels if label]
    if len(labels) < 2:
        raise ValidationError({"options": _("Give at least two options to choose from.")})
    if len(labels) > MAX_OPTIONS:
        raise ValidationError(
            {"options": _("A poll can have at most %(max)s options.") % {"max": MAX_OPTIONS}}
        )
    seen: set[str] = set()
    for label in labels:
        if len(label) > 200:
            raise ValidationError({"options": _("An option can be at most 200 characters long.")})
        key = label.casefold()
        if key in seen:
            raise ValidationError(
                {"options": _("The option “%(label)s” appears twice.") % {"label": label}}
            )
        seen.add(key)
    return labels


def _settings(
    *,
    method: str,
    question: str,
    threshold: Any,
    dots_per_voter: int,
    score_max: int,
    max_choices: int,
    option_count: int,
    closes_at: datetime.datetime | None,
    meeting: Meeting | None,
) -> dict[str, Any]:
    """Validate a poll's settings and return them as the model's fields."""
    if method not in VotingMethod.values:
        raise ValidationError({"method": _("Choose a voting method.")})
    question = " ".join(question.split())
    if not question:
        raise ValidationError({"question": _("Write the question the body decides.")})
    if len(question) > 300:
        raise ValidationError({"question": _("Keep the question under 300 characters.")})
    share = Fraction(str(threshold)) if threshold is not None else Fraction(1, 2)
    if method == VotingMethod.QUALIFIED:
        if not Fraction(1, 2) < share <= 1:
            raise ValidationError(
                {"threshold": _("A qualified majority needs more than half of the votes.")}
            )
    else:
        share = Fraction(1, 2)
    if method == VotingMethod.CUMULATIVE and not 1 <= dots_per_voter <= MAX_DOTS:
        raise ValidationError(
            {"dots_per_voter": _("Give each member from 1 to %(max)s dots.") % {"max": MAX_DOTS}}
        )
    if method == VotingMethod.SCORE and not 1 <= score_max <= MAX_SCORE:
        raise ValidationError(
            {"score_max": _("The highest score must be from 1 to %(max)s.") % {"max": MAX_SCORE}}
        )
    if method == VotingMethod.APPROVAL and not 0 <= max_choices <= option_count:
        raise ValidationError(
            {
                "max_choices": _(
                    "A ballot cannot choose more options than the poll has (%(count)s)."
                )
                % {"count": option_count}
            }
        )
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time must be in the future.")})
    if meeting is not None and meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"meeting": _("This meeting was cancelled.")})
    return {
        "method": method,
        "question": question,
        "threshold": Decimal(str(round(float(share), 3))),
        "dots_per_voter": dots_per_voter if method == VotingMethod.CUMULATIVE else 5,
        "score_max": score_max if method == VotingMethod.SCORE else 5,
        "max_choices": max_choices if method == VotingMethod.APPROVAL else 0,
        "closes_at": closes_at,
    }


def _write_options(poll: Poll, method: str, labels: Sequence[str]) -> None:
    poll.options.all().delete()
    if method in FIXED_OPTIONS:
        rows = [
            PollOption(poll=poll, position=i, code=code, label=str(FIXED_OPTION_LABELS[code]))
            for i, code in enumerate(FIXED_OPTIONS[method])
        ]
    else:
        rows = [PollOption(poll=poll, position=i, label=label) for i, label in enumerate(labels)]
    PollOption.objects.bulk_create(rows)


def _place(
    body: Body, meeting: Meeting | None, agenda_item: AgendaItem | None
) -> tuple[Meeting | None, AgendaItem | None]:
    if agenda_item is not None:
        if meeting is None:
            meeting = agenda_item.meeting
        elif agenda_item.meeting_id != meeting.pk:
            raise ValidationError({"agenda_item": _("This agenda item is not of that meeting.")})
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError({"meeting": _("Choose a meeting of this body.")})
    return meeting, agenda_item


@transaction.atomic
def poll_create(
    *,
    user: Any,
    body: Body,
    question: str,
    method: str,
    options: Sequence[str] = (),
    secret: bool = False,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    threshold: Any = 0.5,
    dots_per_voter: int = 5,
    score_max: int = 5,
    max_choices: int = 0,
    description: str = "",
    closes_at: datetime.datetime | None = None,
) -> Poll:
    """A draft poll. Motion methods (majority, qualified, consent) get their fixed options and
    ignore `options`; the others need at least two."""
    meeting, agenda_item = _place(body, meeting, agenda_item)
    labels = [] if method in FIXED_OPTIONS else _clean_labels(method, options)
    fields = _settings(
        method=method,
        question=question,
        threshold=threshold,
        dots_per_voter=dots_per_voter,
        score_max=score_max,
        max_choices=max_choices,
        option_count=len(labels),
        closes_at=closes_at,
        meeting=meeting,
    )
    poll = Poll.objects.create(
        body=body,
        meeting=meeting,
        agenda_item=agenda_item,
        secret=secret,
        description=description.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    _write_options(poll, method, labels)
    audit_log(
        user=user,
        action="poll.create",
        target=poll,
        program=body.program,
        data={"method": method, "secret": secret, "meeting": meeting.pk if meeting else None},
    )
    return poll


def _locked_draft(poll: Poll) -> Poll:
    poll = Poll.objects.select_for_update().select_related("body__program").get(pk=poll.pk)
    if poll.status != PollStatus.DRAFT:
        raise ValidationError(_("Only a draft poll can be changed; this one is already open."))
    return poll


@transaction.atomic
def poll_update(
    *,
    user: Any,
    poll: Poll,
    question: str,
    method: str,
    options: Sequence[str] | None = None,
    secret: bool = False,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    threshold: Any = 0.5,
    dots_per_voter: int = 5,
    score_max: int = 5,
    max_choices: int = 0,
    description: str = "",
    closes_at: datetime.datetime | None = None,
) -> Poll:
    """Change a draft poll. `options=None` keeps the current options (motion methods always
    get their fixed ones; switching from a motion to another method needs the new options)."""
    poll = _locked_draft(poll)
    if method not in MOTION_METHODS and Plan.objects.filter(approval_poll=poll).exists():
        raise ValidationError(
            {
                "method": _(
                    "This poll approves a plan: keep a motion method (majority, qualified"
                    " majority or consent)."
                )
            }
        )
    meeting, agenda_item = _place(poll.body, meeting, agenda_item)
    if method in FIXED_OPTIONS:
        labels: list[str] = []
    elif options is not None:
        labels = _clean_labels(method, options)
    else:
        current = list(poll.options.filter(code=""))
        labels = _clean_labels(method, [o.label for o in current])
    fields = _settings(
        method=method,
        question=question,
        threshold=threshold,
        dots_per_voter=dots_per_voter,
        score_max=score_max,
        max_choices=max_choices,
        option_count=len(labels),
        closes_at=closes_at,
        meeting=meeting,
    )
    rewrite = method in FIXED_OPTIONS or options is not None or poll.method in FIXED_OPTIONS
    for name, value in fields.items():
        setattr(poll, name, value)
    poll.secret = secret
    poll.description = description.strip()
    poll.meeting, poll.agenda_item = meeting, agenda_item
    poll.save()
    if rewrite:
        _write_options(poll, method, labels)
    audit_log(user=user, action="poll.update", target=poll, program=poll.body.program)
    return poll


@transaction.atomic
def poll_options_set(*, user: Any, poll: Poll, labels: Sequence[str]) -> list[PollOption]:
    """Replace the options of a draft poll (in the order given; blank lines are dropped)."""
    poll = _locked_draft(poll)
    if poll.method in FIXED_OPTIONS:
        raise ValidationError(
            {"options": _("A motion has fixed options: yes, no and abstain, or consent.")}
        )
    cleaned = _clean_labels(poll.method, labels)
    if poll.method == VotingMethod.APPROVAL and poll.max_choices > len(cleaned):
        raise ValidationError(
            {
                "options": _("A ballot may choose %(max)s options: keep at least that many.")
                % {"max": poll.max_choices}
            }
        )
    _write_options(poll, poll.method, cleaned)
    audit_log(
        user=user,
        action="poll.options",
        target=poll,
        program=poll.body.program,
        data={"options": len(cleaned)},
    )
    return list(poll.options.all())


@transaction.atomic
def poll_open(*, user: Any, poll: Poll) -> Poll:
    """Open a draft poll for voting."""
    poll = _locked_draft(poll)
    if poll.options.count() < 2:
        raise ValidationError(_("Give at least two options before opening the poll."))
    now = timezone.now()
    if poll.closes_at is not None and poll.closes_at <= now:
        raise ValidationError(
            {"closes_at": _("The closing time has passed: move it later before opening.")}
        )
    poll.status = PollStatus.OPEN
    poll.opened_at = now
    poll.save(update_fields=["status", "opened_at", "updated_at"])
    audit_log(user=user, action="poll.open", target=poll, program=poll.body.program)
    return poll


@transaction.atomic
def poll_delete(*, user: Any, poll: Poll) -> None:
    """Delete a draft poll (nobody has voted on it). A plan submitted for approval with this
    poll goes back to being an unsubmitted draft, editable and ready to submit again."""
    poll = _locked_draft(poll)
    # Approving a plan needs a closed poll, so only draft (or archived) plans point here.
    plan_ids = list(
        Plan.objects.select_for_update().filter(approval_poll=poll).values_list("pk", flat=True)
    )
    if plan_ids:
        Plan.objects.filter(pk__in=plan_ids).update(approval_poll=None, updated_at=timezone.now())
    audit_log(
        user=user,
        action="poll.delete",
        target=poll,
        program=poll.body.program,
        data={"question": poll.question, "plans_withdrawn": plan_ids},
    )
    poll.delete()


# -- voting ------------------------------------------------------------------------------------


def _lock_for_voting(poll_id: int) -> Poll:
    """The poll, share-locked until the vote commits: votes run side by side, the closing
    (which takes the exclusive lock) waits for them and they wait for it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Poll._meta.db_table)
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR SHARE", [poll_id])
            if cursor.fetchone() is None:
                raise Poll.DoesNotExist
        return Poll.objects.get(pk=poll_id)
    # SQLite writes one transaction at a time; other databases get the exclusive lock.
    return Poll.objects.select_for_update().get(pk=poll_id)


def _json_content(value: Any) -> Any:
    """A canonical ballot as JSON: option keys as strings, whole numbers as ints."""
    if isinstance(value, dict):
        return {str(int(k)): _json_content(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple, frozenset, set)):
        items = [_json_content(v) for v in value]
        return sorted(items) if isinstance(value, (frozenset, set)) else items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def validate_ballot(poll: Poll, labels: Sequence[str], ballot: Any) -> Any:
    """The ballot in canonical form, or a ValidationError saying in words what is wrong."""
    from tejido.governance.explain import ballot_error_message

    try:
        return voting.validate_ballot(
            poll.method,
            len(labels),
            ballot,
            dots=poll.dots_per_voter,
            score_max=poll.score_max,
            max_choices=poll.max_choices,
        )
    except voting.BallotError as error:
        raise ValidationError({"ballot": ballot_error_message(error, list(labels))}) from error


def voting_problem(poll: Poll, now: datetime.datetime | None = None) -> str:
    """Why the poll takes no ballot now ("" when it does)."""
    now = now or timezone.now()
    if poll.status == PollStatus.DRAFT:
        return str(NOT_OPEN_YET)
    if poll.status == PollStatus.CLOSED or (poll.closes_at is not None and poll.closes_at <= now):
        return str(VOTING_CLOSED)
    return ""


def may_vote_for(user: Any, mandate: Mandate, body_id: int, day: datetime.date) -> bool:
    """The user acts for this mandate (holder or alternate), current on a voting seat of the
    body."""
    user_id = getattr(user, "pk", None)
    return (
        user_id is not None
        and getattr(user, "is_active", False)
        and mandate.seat.body_id == body_id
        and mandate.seat.is_voting
        and mandate.is_current(day)
        and user_id in (mandate.holder_user_id, mandate.alternate_user_id)
    )


@transaction.atomic
def ballot_cast(*, user: Any, poll: Poll, mandate: Mandate, ballot: Any) -> BallotReceipt:
    """Cast the seat's ballot. Writes the receipt and the ballot together or nothing."""
    poll = _lock_for_voting(poll.pk)
    now = timezone.now()
    problem = voting_problem(poll, now)
    if problem:
        raise ValidationError(problem, code="closed" if poll.status != "draft" else "draft")
    mandate = Mandate.objects.select_related("seat").get(pk=mandate.pk)
    if not may_vote_for(user, mandate, poll.body_id, timezone.localdate(now)):
        raise ValidationError(NOT_A_MEMBER, code="not_member")
    if BallotReceipt.objects.filter(poll=poll, mandate=mandate).exists():
        raise ValidationError(ALREADY_VOTED, code="already_voted")
    labels = [option_label(o) for o in poll.options.all()]
    content = _json_content(validate_ballot(poll, labels, ballot))
    try:
        # A ballot from this seat committed since the check above (a double tap, or holder and
        # alternate together) makes this insert fail: the constraint, not the check, decides.
        with transaction.atomic():
            receipt = BallotReceipt.objects.create(
                poll=poll, mandate=mandate, cast_at=now, cast_by=user
            )
    except IntegrityError as error:
        raise ValidationError(ALREADY_VOTED, code="already_voted") from error
    Ballot.objects.create(poll=poll, mandate=None if poll.secret else mandate, content=content)
    audit_log(
        user=user,
        action="poll.vote",
        target=poll,
        program=poll.body.program,
        data={"mandate": mandate.pk},
    )
    return receipt


# -- closing -------------------------------------------------------------------------------------


def canonical_ballots(rows: Iterable[tuple[int | None, Any]]) -> list[str]:
    """The ballots as the digest sees them: one sorted line each (see the module's text)."""
    return sorted(
        json.dumps([mandate_id, content], sort_keys=True, separators=(",", ":"))
        for mandate_id, content in rows
    )


def ballots_digest(rows: Iterable[tuple[int | None, Any]]) -> str:
    return hashlib.sha256("\n".join(canonical_ballots(rows)).encode()).hexdigest()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(_json_safe(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, Fraction | Decimal):
        return float(value)
    return value


def _int_keys(value: Any) -> Any:
    """Undo JSON's string keys: option numbers come back as ints."""
    if isinstance(value, dict):
        return {
            (int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k): _int_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_int_keys(v) for v in value]
    return value


def count_to_json(count: voting.Count) -> dict[str, Any]:
    return dict(_json_safe(asdict(count)))


def count_from_result(result: dict[str, Any]) -> voting.Count:
    """The stored count back as a `voting.Count` (to explain it in the reader's language)."""
    data = result["count"]
    return voting.Count(
        method=data["method"],
        option_count=data["option_count"],
        ballot_count=data["ballot_count"],
        totals=_int_keys(data["totals"]),
        ranking=data["ranking"],
        tied_winners=data["tied_winners"],
        winner=data["winner"],
        passed=data["passed"],
        rounds=[_int_keys(r) for r in data["rounds"]],
        explanation=[voting.Step(s["code"], _int_keys(s["params"])) for s in data["explanation"]],
        tie_broken=data["tie_broken"],
    )


def _quorum(poll: Poll, voters: list[int], day: datetime.date) -> dict[str, Any]:
    from tejido.governance.bodies.selectors import quorum_for

    if poll.meeting_id is not None:
        # In a meeting: the seats present. A seat that voted was there, checked in or not.
        present = set(
            Attendance.objects.filter(
                meeting_id=poll.meeting_id,
                status=AttendanceStatus.PRESENT,
                mandate__isnull=False,
            ).values_list("mandate_id", flat=True)
        )
        basis = "meeting"
    else:
        present = set()
        basis = "voters"
    present |= set(voters)
    quorum = quorum_for(poll.body, sorted(present), day)
    return {
        "basis": basis,
        "met": quorum.met,
        "seats": quorum.seats,
        "present": quorum.present,
        "required": quorum.required,
        "sector_shortfalls": dict(quorum.sector_shortfalls),
        "day": day.isoformat(),
    }


def _reshuffle_secret_ballots(poll: Poll) -> None:
    """Write the secret ballots again, in a random order and with new keys, in the closing's
    transaction. Each ballot was inserted in the same transaction as its seat's receipt, so the
    database's own traces (row order, SQLite's rowid, PostgreSQL's xmin) would pair them; after
    this nothing does. The contents, and so the digest, are unchanged.

    The copy is made inside the database (INSERT ... SELECT) so that 10,000 ballots do not
    travel to Python and back (see benchmarks/poll_close.py)."""
    old_keys = list(Ballot.objects.filter(poll=poll).values_list("pk", flat=True))
    db = connections[Ballot.objects.db]
    # A new random key per row: PostgreSQL's gen_random_uuid(); on SQLite the 32 hex digits
    # Django stores a UUID as.
    new_key = "gen_random_uuid()" if db.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    table = db.ops.quote_name(Ballot._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, poll_id, mandate_id, content) "
            f"SELECT {new_key}, poll_id, NULL, content FROM {table} "
            "WHERE poll_id = %s ORDER BY random()",
            [poll.pk],
        )
    Ballot.objects.filter(pk__in=old_keys).delete()


def _close(poll: Poll, *, user: Any, automatic: bool) -> Poll:
    """Count and close a poll already locked for update."""
    rows = list(Ballot.objects.filter(poll=poll).values_list("mandate_id", "content"))
    if poll.secret and rows:
        _reshuffle_secret_ballots(poll)
    voters = list(BallotReceipt.objects.filter(poll=poll).values_list("mandate_id", flat=True))
    digest = ballots_digest(rows)
    option_count = poll.options.count()
    counted = voting.count(
        poll.method,
        option_count,
        [content for _mandate, content in rows],
        # Stored with three decimals; `voting` reads 0.667 as two thirds.
        threshold=float(poll.threshold),
        dots=poll.dots_per_voter,
        score_max=poll.score_max,
        max_choices=poll.max_choices,
        seed=digest,
    )
    now = timezone.now()
    if poll.meeting_id is not None:
        day = timezone.localdate(poll.meeting.starts_at)  # type: ignore[union-attr]
    else:
        day = timezone.localdate(now)
    quorum = _quorum(poll, voters, day)
    passed = None
    if poll.method in MOTION_METHODS:
        # Without quorum a motion does not pass, whatever the votes.
        passed = bool(counted.passed) and quorum["met"]
    poll.result = {
        "count": count_to_json(counted),
        "quorum": quorum,
        "passed": passed,
        "receipts": len(voters),
        "automatic": automatic,
    }
    poll.ballots_digest = digest
    poll.quorum_met = quorum["met"]
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    poll.save(
        update_fields=[
            "result",
            "ballots_digest",
            "quorum_met",
            "status",
            "closed_at",
            "updated_at",
        ]
    )
    audit_log(
        user=user,
        action="poll.close",
        target=poll,
        program=poll.body.program,
        data={
            "ballots": len(rows),
            "digest": digest,
            "quorum_met": quorum["met"],
            "automatic": automatic,
        },
    )
    return poll


def _locked(poll: Poll) -> Poll:
    return (
        Poll.objects.select_for_update(of=("self",))
        .select_related("body__program", "meeting")
        .get(pk=poll.pk)
    )


@transaction.atomic
def poll_close(*, user: Any, poll: Poll) -> Poll:
    """Close an open poll: count the ballots, check the quorum, store the result and the digest.
    From here no service changes a ballot."""
    poll = _locked(poll)
    if poll.status != PollStatus.OPEN:
        raise ValidationError(_("Only an open poll can be closed."))
    return _close(poll, user=user, automatic=False)


@transaction.atomic
def poll_close_if_due(poll: Poll, *, now: datetime.datetime | None = None) -> Poll:
    """Close the poll if its closing time has passed (called when its page or the hub opens).
    Returns the poll as it is now; a poll someone else just closed is returned closed."""
    now = now or timezone.now()
    if poll.status != PollStatus.OPEN or poll.closes_at is None or poll.closes_at > now:
        return poll
    locked = _locked(poll)
    if locked.status != PollStatus.OPEN:
        return locked
    return _close(locked, user=None, automatic=True)


def polls_close_due(
    *,
    body: Body | None = None,
    program: Any = None,
    now: datetime.datetime | None = None,
) -> int:
    """Close every open poll whose time has passed (of one body, of one program's bodies, or
    all), so no page lists as open a poll that no longer takes ballots. Returns how many. When
    none is due this is a single query."""
    now = now or timezone.now()
    due = Poll.objects.open().filter(closes_at__lte=now)
    if body is not None:
        due = due.filter(body=body)
    if program is not None:
        due = due.filter(body__program=program)
    closed = 0
    for poll in due:
        if poll_close_if_due(poll, now=now).status == PollStatus.CLOSED:
            closed += 1
    return closed


def poll_verify(poll: Poll) -> bool:
    """Whether the ballots are still those that were counted: the digest of the stored ballots
    equals the one written at closing. False for a poll not closed yet."""
    if poll.status != PollStatus.CLOSED or not poll.ballots_digest:
        return False
    rows = Ballot.objects.filter(poll_id=poll.pk).values_list("mandate_id", "content")
    return ballots_digest(rows) == poll.ballots_digest
