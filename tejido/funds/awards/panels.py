"""The funds panel of the actor profile: an organization's grants and applications. Visitors
see only the grants of calls whose results are published; the organization's representatives
and the program's coordinators also see its applications."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from tejido.actors.models import Actor
from tejido.core.http import optional_url, url_maker

from .selectors import actor_funds


def actor_funds_panel(request: HttpRequest, actor: Actor) -> str | None:
    """Two queries; nothing for a person or an organization with nothing to show."""
    if actor.is_person:
        return None
    funds = actor_funds(actor, request.user)
    if not funds.rows:
        return None
    program = actor.program
    award_url = url_maker("funds:award", program)
    application_url = url_maker("funds:application", program)
    call_url = url_maker("funds:call", program)
    for row in funds.rows:
        award = row.award
        # Links only where the reader may follow them: the organization's representatives
        # and the coordinators (the full view) may open its grants and applications.
        if award is not None and award_url and funds.full:
            row.url = award_url(award.pk)  # type: ignore[attr-defined]
        elif application_url and funds.full:
            row.url = application_url(row.application.pk)  # type: ignore[attr-defined]
        else:
            row.url = call_url(row.application.call_id) if call_url else ""  # type: ignore[attr-defined]
    return render_to_string(
        "funds/awards/actor_panel.html",
        {
            "actor": actor,
            "program": program,
            "funds": funds,
            "hub_url": optional_url("funds:hub", program.slug),
        },
        request=request,
    )
