"""The governance panel of the actor profile: an organization's current seats and the open
agreements it is responsible for, overdue ones flagged."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from tejido.actors.models import Actor

from .selectors import actor_governance


def actor_governance_panel(request: HttpRequest, actor: Actor) -> str | None:
    """Two queries; nothing when the actor has no seat and no open agreement."""
    data = actor_governance(actor, request.user, timezone.localdate())
    if not data.mandates and not data.agreements:
        return None
    return render_to_string(
        "governance/bodies/actor_panel.html",
        {"actor": actor, "program": actor.program, "governance": data},
        request=request,
    )
