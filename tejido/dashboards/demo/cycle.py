"""The governance part of the demo: the program's cycle from territory selection to the plan.

Each area writes its own piece; this runs them in the program's order: territories are
selected, each gets a local directorate, the directorate meets for two years (agreements,
decisions), prioritizes the territory's needs and approves its improvement plan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from tejido.accounts.models import User
from tejido.core.models import Program
from tejido.governance.models import Body, BodyKind, Plan, Poll, Scorecard

from .governance.bodies import demo_bodies
from .governance.decisions import demo_polls
from .governance.meetings import demo_meetings
from .governance.needs import demo_needs
from .governance.plans import demo_plan
from .governance.selection import demo_scorecard


@dataclass
class GovernanceSummary:
    scorecard: Scorecard | None = None
    bodies: list[Body] = field(default_factory=list)
    meetings: int = 0
    polls: list[Poll] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


def load_governance(
    program: Program, *, coordinator: User, users: dict[str, User], today: datetime.date
) -> GovernanceSummary:
    summary = GovernanceSummary()
    summary.scorecard = demo_scorecard(program, coordinator=coordinator, today=today)
    territories = [
        candidate.territory
        for candidate in summary.scorecard.candidates.filter(selected=True).select_related(
            "territory"
        )
    ]
    summary.bodies = demo_bodies(
        program, territories, coordinator=coordinator, users=users, today=today
    )
    for body in summary.bodies:
        meetings = demo_meetings(body, coordinator=coordinator, today=today)
        summary.meetings += len(meetings)
        if body.kind != BodyKind.DIRECTORATE:
            continue
        summary.polls += demo_polls(body, meetings, coordinator=coordinator, today=today)
        session = demo_needs(body, meetings, coordinator=coordinator, today=today)
        summary.plans.append(
            demo_plan(body, session, meetings, coordinator=coordinator, today=today)
        )
    return summary
