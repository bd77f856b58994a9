"""The e-mail digest: who gets what, only when there is something, once per period, in the
recipient's language, in a fixed number of queries per recipient."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.learning.community.digest import digest_send, is_due
from tejido.learning.models import DigestSubscription

from .community_helpers import Community
from .factories import (
    CommentFactory,
    LibraryItemFactory,
    SessionFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def by_recipient(mailoutbox):
    return {m.to[0]: m for m in mailoutbox}


def test_is_due_counts_whole_calendar_days():
    now = timezone.now()
    assert is_due("weekly", None, now)
    assert not is_due("never", None, now)
    assert not is_due("daily", now - datetime.timedelta(minutes=5), now)
    assert is_due("daily", now - datetime.timedelta(days=1), now)
    assert not is_due("weekly", now - datetime.timedelta(days=6), now)
    assert is_due("weekly", now - datetime.timedelta(days=7), now)


def test_who_gets_what(mailoutbox):
    c = Community()
    # c.experience is new (published now); a question on the garden's experience is new too.
    question = CommentFactory(experience=c.experience, author=c.member, kind="question")
    LibraryItemFactory(program=c.program, title="Guía de huertas urbanas")
    never = member_of(c.program)
    DigestSubscription.objects.create(user=never, program=c.program, frequency="never")
    outsider = UserFactory()
    report = digest_send(programs=[c.program], base_url="https://tejido.example")
    mails = by_recipient(mailoutbox)
    assert never.email not in mails and outsider.email not in mails
    # The author does not get their own experience as news, but gets the question on it.
    author_mail = mails[c.author.email].body
    assert f"#comment-{question.pk}" in author_mail
    assert f"/experiences/{c.experience.pk}/\n" not in author_mail
    # Another organization's representative gets the experience, not the question.
    other_mail = mails[c.other.email].body
    assert f"https://tejido.example/p/{c.program.slug}/learning/experiences/{c.experience.pk}/" in (
        other_mail
    )
    assert f"#comment-{question.pk}" not in other_mail
    assert "Guía de huertas urbanas" in other_mail
    # The asker does not get their own question back.
    assert f"#comment-{question.pk}" not in mails[c.member.email].body
    # Plain text and HTML, with the link to change or stop the digest.
    html, mimetype = mails[c.other.email].alternatives[0]
    assert mimetype == "text/html"
    assert f"/p/{c.program.slug}/learning/digest/" in html
    assert f"/p/{c.program.slug}/learning/digest/" in other_mail
    assert len(report.sent) == len(mailoutbox)


def test_nothing_new_sends_nothing(mailoutbox):
    c = Community()
    long_ago = timezone.now() - datetime.timedelta(days=30)
    c.experience.published_at = long_ago
    c.experience.save()
    digest_send(programs=[c.program])
    assert mailoutbox == []
    assert not DigestSubscription.objects.filter(last_sent_at__isnull=False).exists()


def test_running_twice_the_same_day_sends_nothing_new(mailoutbox):
    c = Community()
    digest_send(programs=[c.program])
    first = len(mailoutbox)
    assert first > 0
    assert DigestSubscription.objects.filter(last_sent_at__isnull=False).count() == first
    c.experience_of(title="Otra experiencia más")
    digest_send(programs=[c.program])
    assert len(mailoutbox) == first


def test_a_daily_digest_tells_only_what_is_new_since_the_last(mailoutbox):
    c = Community()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    DigestSubscription.objects.create(
        user=c.other, program=c.program, frequency="daily", last_sent_at=yesterday
    )
    c.experience.published_at = yesterday - datetime.timedelta(hours=1)
    c.experience.save()
    fresh = c.experience_of(title="Reciclaje en la feria libre")
    digest_send(programs=[c.program])
    body = by_recipient(mailoutbox)[c.other.email].body
    assert fresh.title in body and c.experience.title not in body


def test_upcoming_sessions_are_announced(mailoutbox):
    c = Community()
    c.experience.published_at = timezone.now() - datetime.timedelta(days=30)
    c.experience.save()
    session = SessionFactory(
        cohort__program=c.program,
        cohort__course__program=c.program,
        title="Sesión de presupuestos participativos",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    digest_send(programs=[c.program])
    assert session.title in by_recipient(mailoutbox)[c.member.email].body


def test_the_digest_speaks_the_recipient_language(mailoutbox):
    c = Community()
    c.other.preferred_language = "ca"
    c.other.save()
    digest_send(programs=[c.program])
    mails = by_recipient(mailoutbox)
    assert 'lang="ca"' in mails[c.other.email].alternatives[0][0]
    assert 'lang="es"' in mails[c.member.email].alternatives[0][0]


def test_dry_run_sends_and_records_nothing(mailoutbox):
    c = Community()
    out = StringIO()
    call_command("learning", "digest", "--program", c.program.slug, "--dry-run", stdout=out)
    assert "would send" in out.getvalue()
    assert mailoutbox == []
    assert not DigestSubscription.objects.exists()
    call_command("learning", "digest", "--program", c.program.slug, stdout=StringIO())
    assert len(mailoutbox) > 0


def test_each_recipient_costs_a_fixed_number_of_queries(mailoutbox):
    c = Community()
    # Everybody has something from the start (the author: a question on their experience).
    CommentFactory(experience=c.experience, author=c.other, kind="question")

    def queries_for_run() -> int:
        DigestSubscription.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            digest_send(programs=[c.program])
        return len(queries)

    few_members = queries_for_run()
    for _n in range(5):
        member_of(c.program)
    more_members = queries_for_run()
    per_recipient = (more_members - few_members) / 5
    for n in range(10):
        question = CommentFactory(experience=c.experience, author=c.member, kind="question")
        CommentFactory(experience=c.experience, author=c.author, kind="answer", parent=question)
        c.experience_of(title=f"Experiencia {n}")
        LibraryItemFactory(program=c.program)
    assert queries_for_run() == more_members
    assert per_recipient <= 8
