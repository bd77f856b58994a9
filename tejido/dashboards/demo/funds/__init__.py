"""The competitive-funds part of the demo: one call already decided, with its applications,
reviews, awards and follow-up under way, and one call open for applications.

Each area of the funds app tells its part in its own module; this one runs them in the order
the program lives them. It runs after the governance demo (calls serve the approved plans'
objectives) and before the network analysis (awards record funding and collaboration ties).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from tejido.core.models import Program
from tejido.funds.models import Application, Award, Call

from .applications import demo_applications
from .awards import demo_follow_up
from .calls import demo_calls
from .ranking import demo_allocation
from .reviews import demo_reviews

# The demo's people do not exist: receipts, assignments and award letters go nowhere (the
# loader silences mail around its whole transaction: messages leave on commit).
QUIET_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
CLOSED_CALL_APPLICATIONS = 22
OPEN_CALL_APPLICATIONS = 5


@dataclass
class FundsSummary:
    calls: list[Call] = field(default_factory=list)
    applications: int = 0
    awards: int = 0


def load_funds(program: Program, *, coordinator: Any, today: datetime.date) -> FundsSummary:
    summary = FundsSummary()
    decided, open_call = demo_calls(program, coordinator=coordinator, today=today)
    demo_applications(decided, today=today, count=CLOSED_CALL_APPLICATIONS)
    demo_reviews(decided, coordinator=coordinator, today=today)
    demo_allocation(decided, coordinator=coordinator, today=today)
    demo_follow_up(decided, coordinator=coordinator, today=today)
    demo_applications(open_call, today=today, count=OPEN_CALL_APPLICATIONS)
    summary.calls = [decided, open_call]
    summary.applications = Application.objects.filter(call__program=program).count()
    summary.awards = Award.objects.filter(application__call__program=program).count()
    return summary
