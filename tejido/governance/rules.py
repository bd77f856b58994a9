"""Who may see and do what in governance. Objects: a Program (program-wide rights) or a Body.

Acting for a seat (voting, checking in, giving a prioritization input) is not a role: it
follows from holding a current mandate, and the services check it against the mandate itself.
"""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_directorate_member,
    is_program_member,
    is_public_program,
    is_superuser,
)


@rules.predicate
def is_public_body(user: Any, obj: Any = None) -> bool:
    """A public body of a public program (or, for a Program, any public program)."""
    from .models import Body

    if isinstance(obj, Body):
        return obj.is_public and obj.program.is_public
    return False


@rules.predicate
def holds_seat(user: Any, obj: Any = None) -> bool:
    """The user acts for a current seat of this body (as holder or alternate)."""
    from .models import Body, Mandate

    if not isinstance(obj, Body) or not getattr(user, "is_authenticated", False):
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_tejido_seats", {})
    if obj.pk not in cache:
        cache[obj.pk] = Mandate.objects.current().for_user(user).filter(seat__body=obj).exists()
    return cache[obj.pk]


can_view_internal = is_program_member | is_superuser

# Bodies, meetings, agreements, decisions. Visitors see public bodies (organizations only).
# Seat holders see their own body even without a role in the program (they vote in it).
rules.add_perm("governance.view_body", is_public_body | can_view_internal | holds_seat)
rules.add_perm("governance.manage_body", is_coordinator)
# Members check themselves in; coordinators record everyone's attendance.
rules.add_perm("governance.check_in", is_coordinator | holds_seat)
rules.add_perm("governance.vote", holds_seat)
rules.add_perm("governance.write_minutes", is_coordinator)

# Territory selection: the program's members; visitors see decided scorecards of public programs
# (the view checks the status).
rules.add_perm("governance.view_selection", is_public_program | can_view_internal)
rules.add_perm("governance.manage_selection", is_coordinator)

# Needs and prioritization.
rules.add_perm("governance.view_needs", is_public_program | can_view_internal)
rules.add_perm("governance.add_need", is_coordinator | is_directorate_member)
rules.add_perm("governance.manage_prioritization", is_coordinator)

# The improvement plan: approved plans are public for public programs (the view checks status).
rules.add_perm("governance.view_plan", is_public_program | can_view_internal)
rules.add_perm("governance.manage_plan", is_coordinator)


@rules.predicate
def coordinates_plan_action(user: Any, obj: Any = None) -> bool:
    """The user coordinates the program of this plan action."""
    from .models import PlanAction

    if not isinstance(obj, PlanAction):
        return False
    return bool(is_coordinator.test(user, obj.line.objective.plan))


@rules.predicate
def speaks_for_action_responsible(user: Any, obj: Any = None) -> bool:
    """The user represents the organization responsible for this plan action."""
    from tejido.actors.rules import speaks_for_actor

    from .models import PlanAction

    if not isinstance(obj, PlanAction) or obj.responsible_id is None:
        return False
    return bool(speaks_for_actor.test(user, obj.responsible))


# Progress on a plan action: coordinators, and the representatives of its responsible
# organization (object: the PlanAction, with its line, objective and plan loaded).
rules.add_perm(
    "governance.record_plan_progress", coordinates_plan_action | speaks_for_action_responsible
)

# Follow-up notes on agreements (which may change their status): coordinators and the body's
# current members (object: the Body).
rules.add_perm("governance.follow_up_agreement", is_coordinator | holds_seat)


@rules.predicate
def takes_part_in_session(user: Any, obj: Any = None) -> bool:
    """The user may give an input in this prioritization session today: a current seat holder or
    alternate of its body, or without a body a coordinator or directorate member."""
    from .models import PrioritizationSession
    from .needs.selectors import participant_for

    if not isinstance(obj, PrioritizationSession):
        return False
    return participant_for(obj, user) is not None


# Giving an input in a prioritization session (object: the PrioritizationSession). The service
# checks the same, plus the session being open and one input per seat.
rules.add_perm("governance.give_priority_input", takes_part_in_session)
