"""The "Intercooperation" panel of an organization's profile: its open offers and needs,
consortia, joint projects and study missions (counts and links), and its opportunities board
for whoever may see it. Four or five queries; nothing for a person or an entity with nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from tejido.actors.models import Actor
from tejido.core.http import optional_url

from .selectors import ENTITY_KINDS, panel_counts


def actor_cooperation_panel(request: HttpRequest, actor: Actor) -> str | None:
    if actor.kind not in ENTITY_KINDS:
        return None
    user = request.user
    program = actor.program
    if not user.has_perm("cooperation.view_cooperation", program):
        return None
    counts = panel_counts(
        actor, with_consortia=user.has_perm("cooperation.view_program_board", program)
    )
    board_url = ""
    if user.has_perm("cooperation.view_board", actor):
        board_url = optional_url("cooperation:entity_board", program.slug, actor.pk)
    if not counts.total and not board_url:
        return None
    slug = program.slug
    context = {
        "actor": actor,
        "program": program,
        "counts": counts,
        "board_url": board_url,
        "services_url": optional_url("cooperation:services", slug),
        "consortia_url": optional_url("cooperation:consortia", slug),
        "projects_url": optional_url("cooperation:projects", slug),
        "missions_url": optional_url("cooperation:missions", slug),
    }
    return render_to_string("cooperation/_actor_panel.html", context, request=request)
