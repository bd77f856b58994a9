"""The e-mail digest of what is new in a program's learning community (`tejido learning
digest`, run from cron or a scheduler, once a day or more often).

Every member of a program (anyone holding a role in it) gets the digest weekly unless they
chose daily or never on the digest page. A digest is due when a whole period has passed, in
calendar days, since the last one: running the command twice the same day sends nothing new.
It tells what happened since the last digest (or, the first time, in the last period): new
experiences, new questions and answers on the experiences of the recipient's organizations,
new library items, and the training sessions of the next two weeks; it is sent only when there
is something, in the recipient's language, as plain text and HTML, with a link to the page
where they change how often (or stop) it comes.

Each recipient costs a fixed number of queries, whatever the size of the program.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tejido.accounts.models import ProgramRole, User
from tejido.actors.rules import represented_ids
from tejido.core.mail import recipient_language
from tejido.core.models import Program

from ..models import (
    CohortStatus,
    Comment,
    CommentKind,
    DigestFrequency,
    DigestSubscription,
    Experience,
    LibraryItem,
    Session,
)

PERIOD_DAYS: dict[str, int] = {DigestFrequency.DAILY: 1, DigestFrequency.WEEKLY: 7}
UPCOMING_DAYS = 14
MAX_ROWS = 20


@dataclass
class Digest:
    since: datetime.datetime
    experiences: list[Experience] = field(default_factory=list)
    questions: list[Comment] = field(default_factory=list)
    library_items: list[LibraryItem] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.experiences or self.questions or self.library_items or self.sessions)


@dataclass
class DigestReport:
    sent: list[tuple[str, str, Digest]] = field(default_factory=list)  # (email, program, digest)
    skipped: int = 0


def is_due(frequency: str, last_sent_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    """A digest is due once a whole period has passed in calendar days since the last one."""
    days = PERIOD_DAYS.get(frequency)
    if days is None:
        return False
    if last_sent_at is None:
        return True
    elapsed = timezone.localdate(now) - timezone.localdate(last_sent_at)
    return elapsed.days >= days


def upcoming_sessions(program: Program, now: datetime.datetime) -> list[Session]:
    return list(
        Session.objects.filter(
            cohort__program=program,
            cohort__course__is_published=True,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(days=UPCOMING_DAYS),
        )
        .exclude(cohort__status=CohortStatus.CLOSED)
        .select_related("cohort__course", "cohort__territory", "module")
        .order_by("starts_at", "id")[:MAX_ROWS]
    )


def digest_for(
    user: Any,
    program: Program,
    *,
    since: datetime.datetime,
    now: datetime.datetime,
    sessions: list[Session],
) -> Digest:
    """What is new for one member of `program` since `since` (four queries)."""
    experiences = list(
        Experience.objects.filter(program=program, published_at__gt=since, published_at__lte=now)
        .published()
        .exclude(author=user)
        .select_related("organization", "territory")
        .order_by("-published_at", "-id")[:MAX_ROWS]
    )
    mine = represented_ids(user)
    questions = list(
        Comment.objects.filter(
            experience__program=program,
            experience__status="published",
            kind__in=(CommentKind.QUESTION, CommentKind.ANSWER),
            hidden_at__isnull=True,
            created_at__gt=since,
            created_at__lte=now,
        )
        .filter(Q(experience__organization_id__in=mine) | Q(experience__author=user))
        .exclude(author=user)
        .select_related("experience", "organization")
        .order_by("created_at", "id")[:MAX_ROWS]
    )
    since_day, today = timezone.localdate(since), timezone.localdate(now)
    library_items = list(
        LibraryItem.objects.filter(program=program)
        .published()
        .filter(
            Q(published_on__gt=since_day, published_on__lte=today)
            | Q(published_on=since_day, created_at__gt=since)
            | Q(published_on__isnull=True, created_at__gt=since, created_at__lte=now)
        )
        .order_by("-published_on", "-id")[:MAX_ROWS]
    )
    return Digest(
        since=since,
        experiences=experiences,
        questions=questions,
        library_items=library_items,
        sessions=sessions,
    )


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if base_url else path


def digest_message(
    user: Any, program: Program, digest: Digest, *, base_url: str = ""
) -> EmailMultiAlternatives:
    """The digest e-mail in the recipient's language, as plain text and HTML."""
    slug = program.slug
    with translation.override(recipient_language(user)):
        context = {
            "user": user,
            "program": program,
            "digest": digest,
            "experiences": [
                (e, _absolute(base_url, reverse("learning:experience", args=[slug, e.pk])))
                for e in digest.experiences
            ],
            "questions": [
                (
                    c,
                    _absolute(
                        base_url, reverse("learning:experience", args=[slug, c.experience_id])
                    )
                    + f"#comment-{c.pk}",
                )
                for c in digest.questions
            ],
            "library_items": [
                (i, _optional(base_url, "learning:item", slug, i.pk)) for i in digest.library_items
            ],
            "sessions": [
                (s, _optional(base_url, "learning:cohort", slug, s.cohort_id))
                for s in digest.sessions
            ],
            "community_url": _absolute(base_url, reverse("learning:experiences", args=[slug])),
            "unsubscribe_url": _absolute(base_url, reverse("learning:digest", args=[slug])),
        }
        subject = render_to_string("learning/community/email/digest_subject.txt", context)
        text = render_to_string("learning/community/email/digest.txt", context)
        html = render_to_string("learning/community/email/digest.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _optional(base_url: str, name: str, *args: Any) -> str:
    from tejido.core.http import optional_url

    path = optional_url(name, *args)
    return _absolute(base_url, path) if path else ""


def members_of(program: Program) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=ProgramRole.objects.filter(program=program).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )


def _mark_sent(
    user: Any, program: Program, subscription: DigestSubscription | None, now: datetime.datetime
) -> None:
    if subscription is not None:
        DigestSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
        return
    try:
        with transaction.atomic():
            DigestSubscription.objects.create(user=user, program=program, last_sent_at=now)
    except IntegrityError:
        # The member saved their settings on the digest page meanwhile: keep their choice.
        DigestSubscription.objects.filter(user=user, program=program).update(last_sent_at=now)


def digest_send(
    *,
    programs: Iterable[Program] | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    base_url: str = "",
) -> DigestReport:
    """Send every due digest (or, with `dry_run`, only say what would be sent)."""
    now = now or timezone.now()
    report = DigestReport()
    if programs is None:
        programs = Program.objects.filter(pk__in=ProgramRole.objects.values("program_id")).order_by(
            "pk"
        )
    for program in programs:
        members = members_of(program)
        subscriptions = {s.user_id: s for s in DigestSubscription.objects.filter(program=program)}
        sessions: list[Session] | None = None
        for user in members:
            subscription = subscriptions.get(user.pk)
            frequency = subscription.frequency if subscription else DigestFrequency.WEEKLY
            last_sent_at = subscription.last_sent_at if subscription else None
            if not is_due(frequency, last_sent_at, now):
                report.skipped += 1
                continue
            if sessions is None:
                sessions = upcoming_sessions(program, now)
            since = last_sent_at or now - datetime.timedelta(days=PERIOD_DAYS[frequency])
            digest = digest_for(user, program, since=since, now=now, sessions=sessions)
            if digest.is_empty():
                report.skipped += 1
                continue
            report.sent.append((user.email, program.slug, digest))
            if dry_run:
                continue
            mailers.default.send_messages(
                [digest_message(user, program, digest, base_url=base_url)]
            )
            _mark_sent(user, program, subscription, now)
    return report
