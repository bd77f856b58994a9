# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The tabs of a call's pages: only those the user may use, only those whose page exists, each
in its phase, the current one always; and the words of the call's phase and dates."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.funds.calls import selectors
from tejido.funds.calls.navigation import KEYS, Tab, call_tabs
from tejido.funds.models import CallStatus

from .factories import (
    CallFactory,
    CallReviewerFactory,
    coordinator_of,
    representative_of,
    reviewer_of,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "overview": ("funds:call", True),
    "applications": ("funds:eligibility", True),
    "reviews": ("funds:review_overview", True),
    "ranking": ("funds:ranking", True),
    "awards": ("funds:awards_dashboard", True),
}


def exists(name: str, call, with_call: bool = True) -> bool:
    try:
        reverse(name, args=[call.program.slug, call.pk] if with_call else [call.program.slug])
    except NoReverseMatch:
        return False
    return True


def keys(tabs: list[Tab]) -> list[str]:
    return [tab.key for tab in tabs]


def available(call, wanted: list[str]) -> list[str]:
    """The keys among `wanted` whose page exists in this checkout."""
    return [key for key in wanted if exists(PAGES[key][0], call)]


def test_a_visitor_sees_the_overview_only():
    call = CallFactory(closed=True, status=CallStatus.DECIDED)
    for user in (UserFactory(), representative_of(ActorFactory(program=call.program))):
        tabs = call_tabs(user, call, "overview")
        assert keys(tabs) == ["overview"]
        assert tabs[0] == Tab(
            "overview",
            "Overview",
            reverse("funds:call", args=[call.program.slug, call.pk]),
            True,
        )


def test_a_coordinator_gets_the_tabs_of_the_phase():
    call = CallFactory(closed=True, status=CallStatus.DECIDED)
    coordinator = coordinator_of(call.program)
    assert keys(call_tabs(coordinator, call, "overview")) == available(call, list(KEYS))
    open_call = CallFactory(program=call.program)
    assert keys(call_tabs(coordinator, open_call, "overview")) == available(
        open_call, ["overview", "applications", "reviews"]
    )
    upcoming = CallFactory(
        program=call.program,
        opens_at=timezone.now() + datetime.timedelta(days=3),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    assert keys(call_tabs(coordinator, upcoming, "overview")) == available(
        upcoming, ["overview", "reviews"]
    )
    draft = CallFactory(program=call.program, draft=True)
    assert keys(call_tabs(coordinator, draft, "overview")) == ["overview"]


def test_the_current_tab_is_always_shown_and_marked():
    call = CallFactory(draft=True)
    coordinator = coordinator_of(call.program)
    for key in KEYS:
        tabs = call_tabs(coordinator, call, key)
        current = [tab.key for tab in tabs if tab.current]
        if key == "overview" or exists(PAGES[key][0], call):
            assert current == [key]
        else:
            assert current == []  # a page that does not exist has no tab
    with pytest.raises(ValueError):
        call_tabs(coordinator, call, "budget")


def test_a_pool_reviewer_reaches_their_reviews_once_the_call_closes():
    call = CallFactory(closed=True)
    reviewer = reviewer_of(call).user
    tabs = call_tabs(reviewer, call, "overview")
    if exists("funds:my_reviews", call, with_call=False):
        assert keys(tabs) == ["overview", "reviews"]
        assert tabs[1].label == "Your reviews"
        assert tabs[1].url == reverse("funds:my_reviews", args=[call.program.slug])
    else:
        assert keys(tabs) == ["overview"]
    open_call = CallFactory(program=call.program)
    CallReviewerFactory(call=open_call, user=reviewer)
    assert keys(call_tabs(reviewer, open_call, "overview")) == ["overview"]


def test_the_phase_and_its_next_step_in_words():
    now = timezone.now()
    call = CallFactory(closes_at=now + datetime.timedelta(days=12, hours=1))
    summary = selectors.call_summary(call, now)
    assert (summary.phase, summary.label, summary.tone) == (
        "open",
        "Open for applications",
        "current",
    )
    assert summary.headline.endswith(": 12 days left")
    assert [d.key for d in summary.dates] == ["opens", "closes"]
    assert [d.state for d in summary.dates] == ["done", "next"]
    assert selectors.call_phase_label(call) == "Open for applications"
    call.results_on = timezone.localdate() + datetime.timedelta(days=40)
    call.appeals_until = call.results_on + datetime.timedelta(days=10)
    summary = selectors.call_summary(call, now)
    assert [d.state for d in summary.dates] == ["done", "next", "later", "later"]
    with translation.override("es"):
        assert selectors.call_phase_label(call) == str(selectors.CallPhase(call.phase()).label)
    evaluation = selectors.call_summary(call, call.closes_at + datetime.timedelta(hours=1))
    assert evaluation.phase == "evaluation"
    assert "results expected on" in evaluation.headline
    last_day = selectors.call_summary(call, call.closes_at - datetime.timedelta(minutes=30))
    if (
        timezone.localtime(call.closes_at).date()
        == timezone.localtime(call.closes_at - datetime.timedelta(minutes=30)).date()
    ):
        assert last_day.headline.startswith("Last day: closes today at")
