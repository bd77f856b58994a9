"""The cooperation hub, the program's opportunities board and each entity's board.

Read-only pages: each gathers what the other areas (and the network and funds apps) offer an
entity, with a reason and a link to act where the other area does it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tejido.accounts.rules import is_coordinator
from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.core.http import optional_url, program_for_request, refuse, url_maker
from tejido.core.models import Program

from ..http import VIEW_COOPERATION
from . import selectors
from .selectors import CARDS, Card, Profile, Section

VIEW_BOARD = "cooperation.view_board"
VIEW_PROGRAM_BOARD = "cooperation.view_program_board"


def _maker(name: str, program: Program) -> Callable[[int], str]:
    make = url_maker(name, program)
    return make if make is not None else (lambda _pk: "")


# -- hub ---------------------------------------------------------------------------------------


@require_safe
def hub(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    user = request.user
    member = user.has_perm(VIEW_PROGRAM_BOARD, current)
    overview = selectors.hub(current, user, member=member)
    links = {
        "service": _maker("cooperation:service", current),
        "consortium": _maker("cooperation:consortium", current),
        "project": _maker("cooperation:project", current),
        "agenda": _maker("cooperation:agenda", current),
        "agenda_published": _maker("cooperation:agenda_published", current),
        "mission": _maker("cooperation:mission", current),
    }
    for listing in overview.listings:
        listing.url = links["service"](listing.pk)  # type: ignore[attr-defined]
    for consortium in overview.consortia:
        consortium.url = links["consortium"](consortium.pk)  # type: ignore[attr-defined]
    for project in overview.projects:
        project.url = links["project"](project.pk)  # type: ignore[attr-defined]
    for space in overview.agendas:
        published = space.status == "published"
        space.url = (  # type: ignore[attr-defined]
            links["agenda_published"](space.pk) if published else links["agenda"](space.pk)
        )
    for mission in overview.missions:
        mission.url = links["mission"](mission.pk)  # type: ignore[attr-defined]
    entity_url = _maker("cooperation:entity_board", current)
    for entity in overview.my_entities:
        entity.board_url = entity_url(entity.pk)  # type: ignore[attr-defined]
    slug = current.slug
    return render(
        request,
        "cooperation/board/hub.html",
        {
            "program": current,
            "hub": overview,
            "member": member,
            "board_url": optional_url("cooperation:board", slug) if member else "",
            "services_url": optional_url("cooperation:services", slug),
            "consortia_url": optional_url("cooperation:consortia", slug) if member else "",
            "projects_url": optional_url("cooperation:projects", slug),
            "agendas_url": optional_url("cooperation:agendas", slug),
            "missions_url": optional_url("cooperation:missions", slug),
        },
    )


# -- an entity's board ---------------------------------------------------------------------------


def _calls_section(program: Program, profile: Profile) -> Section:
    checks = selectors.eligible_calls(profile)
    call_url = _maker("funds:call", program)
    apply_url = _maker("funds:apply", program)
    cards = []
    for check in checks[:CARDS]:
        call = check.call
        cards.append(
            Card(
                title=call.title,
                url=call_url(call.pk),
                meta=_("Closes %(date)s") % {"date": _date(call.closes_at)},
                reasons=[call.summary] if call.summary else [],
                tag=_("May pass: check documents") if check.documents_only else _("Eligible"),
                tag_class="tag-warning" if check.documents_only else "tag-success",
                action_label=_("Apply"),
                action_url=apply_url(call.pk),
            )
        )
    return Section(
        "calls", cards=cards, count=len(checks), all_url=optional_url("funds:hub", program.slug)
    )


def _date(value: Any) -> str:
    from django.utils import formats, timezone

    return str(formats.date_format(timezone.localtime(value), "DATE_FORMAT"))


def _consortia_section(program: Program, profile: Profile) -> Section:
    found = selectors.consortia_for(profile)
    url = _maker("cooperation:consortium", program)
    cards = []
    for consortium, reasons in found[:CARDS]:
        meta = [_("Led by %(name)s") % {"name": consortium.lead.name}]
        if consortium.deadline:
            meta.append(_("Deadline %(date)s") % {"date": _date(consortium.deadline)})
        cards.append(
            Card(
                title=consortium.title,
                url=url(consortium.pk),
                meta=" · ".join(meta),
                reasons=reasons,
                tag=str(consortium.get_kind_display()),
                action_label=_("See the bid") if url(consortium.pk) else "",
                action_url=url(consortium.pk),
            )
        )
    return Section(
        "consortia",
        cards=cards,
        count=len(found),
        all_url=optional_url("cooperation:consortia", program.slug),
    )


def _service_sections(program: Program, actor: Actor) -> tuple[Section, Section]:
    offers_for_me, needs_i_serve = selectors.service_matches(actor)
    url = _maker("cooperation:service", program)
    offers = []
    for match in offers_for_me[:CARDS]:
        offer, need = match.offer, match.need
        offers.append(
            Card(
                title=offer.title,
                url=url(offer.pk),
                meta=_("%(entity)s · for your need “%(need)s”")
                % {"entity": offer.actor.name, "need": need.title},
                reasons=list(match.reasons),
                tag=str(offer.get_category_display()),
                action_label=_("Ask for it") if url(offer.pk) else "",
                action_url=url(offer.pk),
                obj=match,
            )
        )
    needs = []
    for match in needs_i_serve[:CARDS]:
        offer, need = match.offer, match.need
        needs.append(
            Card(
                title=need.title,
                url=url(need.pk),
                meta=_("%(entity)s · your offer “%(offer)s” could serve it")
                % {"entity": need.actor.name, "offer": offer.title},
                reasons=list(match.reasons),
                tag=str(need.get_category_display()),
                action_label=_("See the need") if url(need.pk) else "",
                action_url=url(need.pk),
                obj=match,
            )
        )
    services_url = optional_url("cooperation:services", program.slug)
    return (
        Section("services", cards=offers, count=len(offers_for_me), all_url=services_url),
        Section("needs", cards=needs, count=len(needs_i_serve), all_url=services_url),
    )


def _agendas_section(program: Program, profile: Profile) -> Section:
    found = selectors.agendas_for(profile)
    url = _maker("cooperation:agenda", program)
    cards = []
    for space, reasons in found[:CARDS]:
        cards.append(
            Card(
                title=space.title,
                url=url(space.pk),
                meta=_("%(count)s entities taking part") % {"count": space.participant_count},  # type: ignore[attr-defined]
                reasons=reasons,
                tag=str(space.get_status_display()),
                action_label=_("Join") if url(space.pk) else "",
                action_url=url(space.pk),
            )
        )
    return Section(
        "agendas",
        cards=cards,
        count=len(found),
        all_url=optional_url("cooperation:agendas", program.slug),
    )


def _transfers_section(program: Program, profile: Profile) -> Section:
    found = selectors.transfers_for(profile)
    url = _maker("cooperation:transfer_offer", program)
    cards = []
    for offer, reasons in found[:CARDS]:
        cards.append(
            Card(
                title=offer.title,
                url=url(offer.pk),
                meta=_("Offered by %(name)s") % {"name": offer.provider.name},
                reasons=reasons,
                tag=str(offer.get_kind_display()),
                action_label=_("Ask for it") if url(offer.pk) else "",
                action_url=url(offer.pk),
            )
        )
    return Section(
        "transfers",
        cards=cards,
        count=len(found),
        all_url=optional_url("cooperation:transfers", program.slug),
    )


@require_safe
def entity_board(request: HttpRequest, program: str, actor: int) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    entity = selectors.load_actor(current, actor)
    if entity is None:
        raise Http404
    entity.program = current
    if not request.user.has_perm(VIEW_BOARD, entity):
        refuse(request, hidden=False)
    profile = selectors.profile_of(entity)
    services, needs = _service_sections(current, entity)
    slug = current.slug
    sections = {
        "introductions": selectors.introductions(entity, request.user),
        "calls": _calls_section(current, profile),
        "consortia": _consortia_section(current, profile),
        "services": services,
        "needs": needs,
        "agendas": _agendas_section(current, profile),
        "transfers": _transfers_section(current, profile),
    }
    intro = sections["introductions"]
    intro.all_url = optional_url("network:actor_opportunities", slug, entity.pk)
    intro.cards = [
        Card(
            title=row.partner.name if row.partner else "",
            url=row.partner.url if row.partner else "",
            meta=row.kind_advice,
            reasons=row.reasons[:3],
            tag=row.kind_label,
            action_label=_("See the suggestion"),
            action_url=intro.all_url,
        )
        for row in intro.extra
    ]
    return render(
        request,
        "cooperation/board/entity.html",
        {
            "program": current,
            "entity": entity,
            "profile": profile,
            "sections": sections,
            "total": sum(s.count for s in sections.values()),
            "profile_url": optional_url("network:actor", slug, entity.pk),
            "program_board_url": optional_url("cooperation:board", slug)
            if request.user.has_perm(VIEW_PROGRAM_BOARD, current)
            else "",
            "new_listing_url": optional_url("cooperation:service_new", slug),
            "new_consortium_url": optional_url("cooperation:consortium_new", slug),
            "new_agenda_url": optional_url("cooperation:agenda_new", slug),
        },
    )


# -- the program's board -------------------------------------------------------------------------


@require_safe
def program_board(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_PROGRAM_BOARD)
    user = request.user
    coordinator = bool(is_coordinator.test(user, current))
    chosen = request.GET.get("entity", "")
    if chosen.isdigit():
        return redirect("cooperation:entity_board", current.slug, int(chosen))
    slug = current.slug

    needs_query = selectors.unmatched_needs(current)
    needs = list(needs_query[:CARDS])
    best = selectors.best_matches(needs)
    service_url = _maker("cooperation:service", current)
    for need in needs:
        need.url = service_url(need.pk)  # type: ignore[attr-defined]
        match = best.get(need.pk)
        need.match = match  # type: ignore[attr-defined]
        need.match_url = service_url(match.offer.pk) if match else ""  # type: ignore[attr-defined]

    consortia_query = selectors.looking_for_partners(current)
    consortia = list(consortia_query[:CARDS])
    consortium_url = _maker("cooperation:consortium", current)
    for consortium in consortia:
        consortium.url = consortium_url(consortium.pk)  # type: ignore[attr-defined]

    agendas_query = selectors.agendas_open(current)
    agendas = list(agendas_query[:CARDS])
    agenda_url = _maker("cooperation:agenda", current)
    for space in agendas:
        space.url = agenda_url(space.pk)  # type: ignore[attr-defined]

    calls = selectors.open_calls(current)
    call_url = _maker("funds:call", current)
    for call in calls:
        call.url = call_url(call.pk)

    from tejido.network.analytics.pages import opportunity_queryset, opportunity_rows
    from tejido.network.models import OpportunityStatus

    intro_query = opportunity_queryset(current, user).filter(status=OpportunityStatus.OPEN)
    intro_count = intro_query.count()
    intros = opportunity_rows(current, list(intro_query[:CARDS]), user) if intro_count else []

    entities = selectors.program_entities(current, user, coordinator=coordinator)
    entity_url = _maker("cooperation:entity_board", current)
    for entity in entities:
        entity.board_url = entity_url(entity.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "cooperation/board/program.html",
        {
            "program": current,
            "coordinator": coordinator,
            "mine": set(represented_ids(user)),
            "entities": entities,
            "needs": needs,
            "needs_count": needs_query.count(),
            "consortia": consortia,
            "consortia_count": consortia_query.count(),
            "agendas": agendas,
            "agendas_count": agendas_query.count(),
            "calls": calls[:CARDS],
            "calls_count": len(calls),
            "introductions": intros,
            "introductions_count": intro_count,
            "services_url": optional_url("cooperation:services", slug),
            "consortia_url": optional_url("cooperation:consortia", slug),
            "agendas_url": optional_url("cooperation:agendas", slug),
            "funds_url": optional_url("funds:hub", slug),
            "opportunities_url": optional_url("network:opportunities", slug),
            "new_listing_url": optional_url("cooperation:service_new", slug),
            "new_consortium_url": optional_url("cooperation:consortium_new", slug),
            "new_agenda_url": optional_url("cooperation:agenda_new", slug),
        },
    )
