"""Who may see and do what in the competitive funds.

Objects: a Program (program-wide rights), a Call, an Application or an Award. Reviewing is
not a role alone: it follows from being in a call's reviewer pool and being assigned the
application, and a conflict of interest hides the application even from an assigned reviewer.
"""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_program_member,
    is_public_program,
    is_superuser,
)
from tejido.actors.rules import represented_ids, speaks_for_an_organization


def _application_of(obj: Any) -> Any:
    from .models import Application, Award

    if isinstance(obj, Application):
        return obj
    if isinstance(obj, Award):
        return obj.application
    return None


@rules.predicate
def is_published_call(user: Any, obj: Any = None) -> bool:
    """A call that is not a draft, of a public program."""
    from .models import Call, CallStatus

    return isinstance(obj, Call) and obj.status != CallStatus.DRAFT and obj.program.is_public


@rules.predicate
def speaks_for_applicant(user: Any, obj: Any = None) -> bool:
    """The user represents the applicant organization (the consortium's lead)."""
    application = _application_of(obj)
    return application is not None and application.applicant_id in represented_ids(user)


@rules.predicate
def speaks_for_partner(user: Any, obj: Any = None) -> bool:
    """The user represents a consortium partner of the application."""
    application = _application_of(obj)
    if application is None:
        return False
    mine = represented_ids(user)
    if not mine:
        return False
    return application.partners.filter(organization_id__in=mine).exists()


@rules.predicate
def in_reviewer_pool(user: Any, obj: Any = None) -> bool:
    """The user is an active reviewer of this call."""
    from .models import Call, CallReviewer

    if not isinstance(obj, Call) or not getattr(user, "is_authenticated", False):
        return False
    return CallReviewer.objects.filter(call=obj, user=user, is_active=True).exists()


@rules.predicate
def reviews_without_conflict(user: Any, obj: Any = None) -> bool:
    """The application is assigned to this user and no conflict of interest is recorded
    between them: a conflicted reviewer never sees it, even if it was assigned before."""
    from .models import Application, Assignment, Conflict

    if not isinstance(obj, Application) or not getattr(user, "is_authenticated", False):
        return False
    assigned = Assignment.objects.filter(
        application=obj, reviewer__user=user, reviewer__is_active=True
    ).exists()
    if not assigned:
        return False
    return not Conflict.objects.filter(application=obj, reviewer__user=user).exists()


@rules.predicate
def coordinates_call_program(user: Any, obj: Any = None) -> bool:
    """The user coordinates the program of this call, application or award."""
    application = _application_of(obj)
    target = application.call if application is not None else obj
    return bool(is_coordinator.test(user, target))


# Calls: visitors see published calls of public programs; the program's members see published
# calls of their program; coordinators also see drafts (views check the status).
rules.add_perm("funds.view_call", is_published_call | is_program_member | is_superuser)
rules.add_perm("funds.manage_call", is_coordinator)
rules.add_perm("funds.view_funds", is_public_program | is_program_member | is_superuser)

# Applying: representatives of an organization of the program (the service checks the call is
# open, the applicant is theirs and eligibility of the one-per-organization rule).
rules.add_perm("funds.apply", speaks_for_an_organization)

# An application (object: the Application): the applicant's representatives, partners'
# representatives (read only), an assigned reviewer without a conflict, coordinators.
rules.add_perm(
    "funds.view_application",
    coordinates_call_program | speaks_for_applicant | speaks_for_partner | reviews_without_conflict,
)
rules.add_perm("funds.edit_application", speaks_for_applicant)
rules.add_perm("funds.review_application", reviews_without_conflict)
rules.add_perm("funds.decide_eligibility", coordinates_call_program)

# Reviewing a call (object: the Call): its pool sees its own workspace; coordinators manage
# the pool, assignments, ranking and allocation.
rules.add_perm("funds.review_call", in_reviewer_pool)
rules.add_perm("funds.manage_reviews", is_coordinator)
rules.add_perm("funds.allocate", is_coordinator)

# After the award (object: the Award): the grantee's representatives report; coordinators
# manage disbursements, accept expenses and reports.
rules.add_perm(
    "funds.view_award", coordinates_call_program | speaks_for_applicant | speaks_for_partner
)
rules.add_perm("funds.report_on_award", speaks_for_applicant)
rules.add_perm("funds.manage_award", coordinates_call_program)
