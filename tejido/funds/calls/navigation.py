"""The tabs of a call's pages: its overview, and, for those who work on it, its applications,
reviews, ranking and awards. Each area of the funds provides its page; a tab whose page does
not exist (yet) is simply left out, and so is one the user may not use.

A tab that is not the current page also waits for its phase: applications once the call has
opened, ranking once it has closed, awards once the committee has decided. The current page's
tab is always shown, so that nobody stands on a page without its tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tejido.core.http import optional_url

from ..models import Call, CallPhase

KEYS = ("overview", "applications", "reviews", "ranking", "awards")

OPENED = frozenset({CallPhase.OPEN, CallPhase.EVALUATION, CallPhase.DECIDED, CallPhase.RESULTS})
CLOSED = frozenset({CallPhase.EVALUATION, CallPhase.DECIDED, CallPhase.RESULTS})
DECIDED = frozenset({CallPhase.DECIDED, CallPhase.RESULTS})
PUBLISHED = OPENED | {CallPhase.UPCOMING}


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str
    current: bool


def _candidates(user: Any, call: Call, phase: str) -> list[tuple[str, str, str, bool]]:
    """(key, label, url, shown when not current) for each tab the user may use."""
    slug = call.program.slug
    tabs = [("overview", _("Overview"), optional_url("funds:call", slug, call.pk), True)]
    coordinator = user.has_perm("funds.manage_call", call)
    if coordinator:
        tabs.append(
            (
                "applications",
                _("Applications"),
                optional_url("funds:eligibility", slug, call.pk),
                phase in OPENED,
            )
        )
    if user.has_perm("funds.manage_reviews", call):
        tabs.append(
            (
                "reviews",
                _("Reviews"),
                optional_url("funds:review_overview", slug, call.pk),
                phase in PUBLISHED,
            )
        )
    elif user.has_perm("funds.review_call", call):
        tabs.append(
            ("reviews", _("Your reviews"), optional_url("funds:my_reviews", slug), phase in CLOSED)
        )
    if user.has_perm("funds.allocate", call):
        tabs.append(
            (
                "ranking",
                _("Ranking"),
                optional_url("funds:ranking", slug, call.pk),
                phase in CLOSED,
            )
        )
    if coordinator:
        tabs.append(
            (
                "awards",
                _("Awards"),
                optional_url("funds:awards_dashboard", slug, call.pk),
                phase in DECIDED,
            )
        )
    return tabs


def call_tabs(user: Any, call: Call, active: str) -> list[Tab]:
    """The tabs of `call` the user may use, `active` marked current (see the module)."""
    if active not in KEYS:
        raise ValueError(f"Unknown call tab: {active!r} (one of {', '.join(KEYS)})")
    phase = call.phase()
    return [
        Tab(key=key, label=label, url=url, current=key == active)
        for key, label, url, in_phase in _candidates(user, call, phase)
        if url and (in_phase or key == active)
    ]
