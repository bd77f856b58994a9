"""The actor profile: who the actor is, its ties, posts and a small ego-network."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from tejido.actors.models import Actor, Gender, Sector
from tejido.actors.selectors import can_view_people
from tejido.core.http import is_htmx, program_for_request
from tejido.core.models import Program
from tejido.core.panels import actor_panels

from ..analytics.pages import actor_panel
from ..models import Intensity, Provenance, Tie
from ..selectors import TieRow, actor_get, tie_versions
from ..selectors import actor_profile as load_profile


def url_maker(name: str, program: Program, query: str = "") -> Callable[[int], str]:
    """A fast `reverse()` for many objects of one program: one reverse, then string joins."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"program": program.slug, "pk": marker}).split(str(marker))
    suffix = f"{tail}?{query}" if query else tail
    return lambda pk: f"{head}{pk}{suffix}"


def actor_url_maker(program: Program) -> Callable[[int], str]:
    return url_maker("network:actor", program)


def page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def visible_actor(request: HttpRequest, slug: str, pk: int) -> Actor:
    """The actor `pk` of the program `slug`, if the user may see it (404 otherwise).

    On a program the user may open, the only actors they may not see are people, for those who
    may not see people: such a person does not exist for them (404, never a login prompt that
    would tell that someone is there).
    """
    program = program_for_request(request, slug)
    try:
        actor = actor_get(program, pk)
    except Actor.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("actors.view_actor", actor):
        raise Http404
    return actor


def profile_context(
    request: HttpRequest, actor: Actor, *, ties_page: int = 1, message: str = ""
) -> dict[str, Any]:
    program = actor.program
    actor_url = actor_url_maker(program)
    profile = load_profile(actor, request.user, url_for=actor_url, ties_page=ties_page)
    present_rows(
        [*profile.ties.rows, *profile.ties.past], program=program, actor=actor, actor_url=actor_url
    )
    sectors = dict(Sector.choices)
    intensities = dict(Intensity.choices)
    ego_items = [
        (n.partner, sectors.get(n.partner.sector, ""), intensities.get(n.partner.intensity, ""))
        for n in profile.ego.nodes
    ]
    drawn_sectors = {n.partner.sector for n in profile.ego.nodes} | {actor.sector}
    map_query = urlencode({"view": "multisector", "focus": str(actor.pk)})
    return {
        "program": program,
        "actor": actor,
        "profile": profile,
        "ties": profile.ties,
        "ego": profile.ego,
        "map_url": f"{reverse('network:map', args=[program.slug])}?{map_query}",
        "message": message,
        "today": timezone.localdate(),
        # Words repeated on every tie row, translated once.
        "history_label": _("History"),
        "history_link_label": _("See the earlier versions of this tie"),
        "edit_label": _("Edit"),
        "end_label": pgettext("end a tie", "End"),
        "ended_label": _("Ended"),
        "ego_items": ego_items,
        "ego_sectors": [(code, label) for code, label in Sector.choices if code in drawn_sectors],
        "gender_label": dict(Gender.choices).get(profile.gender or "", ""),
    }


def present_rows(
    rows: list[TieRow], *, program: Program, actor: Actor, actor_url: Callable[[int], str]
) -> None:
    """Give each tie row its links and words. Labels are translated once per page."""
    back = urlencode({"from": actor.pk})
    edit_url = url_maker("network:tie_edit", program, back)
    end_url = url_maker("network:tie_end", program, back)
    history_url = url_maker("network:tie_history", program, back)
    sectors = {code: str(label) for code, label in Sector.choices}
    intensities = {value: str(label) for value, label in Intensity.choices}
    provenances = {code: str(label) for code, label in Provenance.choices}
    directions = {
        "out": pgettext("tie direction", "to"),
        "in": pgettext("tie direction", "from"),
        "both": "",
    }
    trust, value = _("Trust %(score)s/5"), _("Value %(score)s/5")
    today = timezone.localdate()

    def day(d: datetime.date) -> str:
        return date_format(d, "SHORT_DATE_FORMAT")

    arrows = {"out": "→", "in": "←", "both": ""}
    for row in rows:
        # Strings, not numbers: the template would localize every number it prints.
        row.dom_id = f"tie-{row.pk}"
        row.intensity_text = str(row.intensity)
        row.arrow = arrows[row.direction]
        row.other_url = actor_url(row.other_id)
        if row.previous_id is not None:
            row.history_url = history_url(row.pk)
        if row.can_change:
            row.edit_url = edit_url(row.pk)
            if not row.ended:
                row.end_url = end_url(row.pk)
        row.sector_label = sectors.get(row.sector, "")
        row.intensity_label = intensities.get(row.intensity, "")
        row.direction_text = directions[row.direction]
        row.scores_text = " · ".join(
            text % {"score": score}
            for text, score in ((trust, row.trust), (value, row.value))
            if score
        )
        start, end = row.started_on, row.ended_on
        if start and end:
            period = _("From %(start)s to %(end)s") % {"start": day(start), "end": day(end)}
        elif start and start > today:
            period = _("Starts on %(start)s") % {"start": day(start)}
        elif start:
            period = _("Since %(start)s") % {"start": day(start)}
        elif end:
            period = _("Until %(end)s") % {"end": day(end)}
        else:
            period = ""
        row.meta_text = " · ".join(p for p in (period, provenances.get(row.provenance, "")) if p)
        row.about = _("the tie with %(name)s") % {"name": row.other_name}


def render_network_section(
    request: HttpRequest, actor: Actor, *, message: str = ""
) -> HttpResponse:
    """The profile's ties and ego-network, to replace the section after an inline change.

    The message goes to the live region outside the section (out of band): a region that is
    itself replaced is not reliably announced by screen readers.
    """
    context = profile_context(request, actor, message=message)
    section = render_to_string("network/actor_detail.html#network", context, request=request)
    status = render_to_string("network/actor_detail.html#status", context, request=request)
    response = HttpResponse(
        f'{section}<div id="network-status" hx-swap-oob="innerHTML">{status}</div>'
    )
    response["HX-Retarget"] = "#actor-network"
    response["HX-Reswap"] = "outerHTML"
    return response


@require_safe
def actor_profile(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    actor = visible_actor(request, program, pk)
    context = profile_context(request, actor, ties_page=page_number(request.GET.get("ties_page")))
    template = "network/actor_detail.html"
    if is_htmx(request) and request.GET.get("section") == "network":
        template += "#network"
    else:
        # The actor's indicators and suggested introductions (None for who may not see them).
        context["panel"] = actor_panel(actor, request.user)
        # Panels of the apps built on the network (governance...), registered in their ready().
        context["extra_panels"] = actor_panels(request, actor)
    return render(request, template, context)


@require_safe
def tie_history(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Every version of a tie. Who recorded a version and its notes are for members only."""
    program_obj = program_for_request(request, program, "actors.view_actor")
    tie = get_object_or_404(
        Tie.objects.select_related("source", "target"), pk=pk, program=program_obj
    )
    if (tie.source.is_person or tie.target.is_person) and not can_view_people(
        request.user, program_obj
    ):
        raise Http404  # a tie with a person names them
    versions = tie_versions(tie)
    from_id = request.GET.get("from")
    actor = tie.target if from_id and from_id == str(tie.target_id) else tie.source
    context = {
        "program": program_obj,
        "tie": tie,
        "actor": actor,
        "other": tie.source if actor.pk == tie.target_id else tie.target,
        "versions": versions,
        "show_internal": request.user.has_perm("core.view_program_internal", program_obj),
        "profile_url": actor_url_maker(program_obj)(actor.pk),
    }
    template = "network/tie_history.html"
    if is_htmx(request):
        template += "#versions"
    return render(request, template, context)
