"""Who may see and record ties. Objects are Programs, Ties, or the Actor a tie starts from."""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_directorate_member,
    is_organization_representative,
    is_program_member,
    is_public_program,
    is_superuser,
)
from tejido.actors.rules import represented_ids, speaks_for_actor

from .models import Tie


@rules.predicate
def represents_an_end(user: Any, tie: Any = None) -> bool:
    # Compare ids, not the related actors: checking a page of ties must not load every end.
    if not isinstance(tie, Tie):
        return False
    ids = represented_ids(user)
    return tie.source_id in ids or tie.target_id in ids


rules.add_perm("network.view_map", is_public_program | is_program_member | is_superuser)
# Program-wide right to record any tie (object: the Program).
rules.add_perm("network.add_tie", is_coordinator | is_directorate_member)
# Recording a tie from one's own organization (object: the Actor at one end).
rules.add_perm(
    "network.add_tie_for_actor", is_coordinator | is_directorate_member | speaks_for_actor
)
# Whoever may record any tie of the program may also correct or end one (recording an existing
# pair already writes a new version of it); a representative only the ties of their organization.
rules.add_perm(
    "network.change_tie",
    is_coordinator | is_directorate_member | (is_organization_representative & represents_an_end),
)
rules.add_perm("network.import_ties", is_coordinator)
rules.add_perm("network.export_ties", is_coordinator)
# Network surveys: a coordinator creates, opens, reminds, closes and reviews them (object: the
# Program). Answering from the platform is for the organization's representatives, and for a
# coordinator typing in a paper questionnaire (object: the organization); the personal link
# e-mailed to the organization needs no account.
rules.add_perm("network.manage_surveys", is_coordinator)
rules.add_perm("network.answer_survey", is_coordinator | speaks_for_actor)

# Network analytics (object: the Program). The network-wide figures (stage, counts, evolution)
# are as public as the map; indicators and lists that name actors (brokers, isolated actors,
# an actor's own figures, suggested introductions) stay within the program's members.
rules.add_perm("network.view_analysis", is_public_program | is_program_member | is_superuser)
rules.add_perm("network.view_actor_analysis", is_program_member | is_superuser)
rules.add_perm("network.view_opportunities", is_program_member | is_superuser)
rules.add_perm("network.run_analysis", is_coordinator)
rules.add_perm("network.manage_opportunities", is_coordinator)
