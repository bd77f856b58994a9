"""Selectors for the suggestions of the cooperation pages: database → pure algorithm → objects.

Shared services (`matches_for_need`, `matches_for_offer`, `matches_for_actor`,
`needs_actor_could_serve`) load the program's open listings, its ties in force between
entities and its live agreements with `values_list`, match them with
`tejido.cooperation.matching`, then fetch the listings involved in one query. Partner
suggestions (`partner_suggestions`, `consortium_partner_suggestions`) load the program's
organizations and informal groups (never people) with their themes and territories, rank them
with `tejido.cooperation.partners` and fetch the suggested actors in one query. Each function
runs a fixed number of queries whatever the size of the program.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.models import Program, Territory, Theme
from tejido.network.analytics.selectors import ties_version
from tejido.network.models import Tie

from . import matching, partners
from .models import (
    LIVE_AGREEMENT,
    AgreementStatus,
    Consortium,
    ListingKind,
    ServiceAgreement,
    ServiceListing,
)

ENTITY_KINDS = (ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP)


@dataclass
class ServiceMatch:
    need: ServiceListing  # with actor and territory loaded
    offer: ServiceListing  # with actor and territory loaded
    score: float  # 0..1, larger first
    territory: str  # "same" | "within" | "covers" | "nearby" | "anywhere"
    distance: int | None  # hops between the two entities (1..3), None = farther
    reasons: list[str] = field(default_factory=list)


@dataclass
class PartnerCandidate:
    actor: Actor  # an organization or informal group of the program
    score: float
    reasons: list[str] = field(default_factory=list)


# Shared services ---------------------------------------------------------------------------


def _open_listings(program_id: int) -> QuerySet[ServiceListing]:
    return ServiceListing.objects.filter(program_id=program_id, is_open=True).exclude(
        actor__kind=ActorKind.PERSON
    )


def _as_listings(queryset: QuerySet[ServiceListing]) -> list[tuple[str, matching.Listing]]:
    """One query: (kind, listing as plain values), an offer's capacity as the places left.

    A listing without a territory of its own is offered or needed wherever its entity works:
    the entity's territory stands in for it (none only when the entity has none either)."""
    rows = queryset.annotate(
        taken=Count("agreements", filter=Q(agreements__status=AgreementStatus.AGREED)),
        place=Coalesce("territory__path", "actor__territory__path"),
    ).values_list("id", "actor_id", "category", "place", "capacity", "taken", "kind")
    return [
        (
            kind,
            matching.Listing(
                id=pk,
                actor=actor,
                category=category,
                territory_path=path or "",
                capacity=None
                if capacity is None or kind != ListingKind.OFFER
                else max(capacity - taken, 0),
            ),
        )
        for pk, actor, category, path, capacity, taken, kind in rows
    ]


def _entity_ties(program_id: int) -> list[tuple[int, int]]:
    """The program's ties in force today between entities (any type), as id pairs."""
    return list(
        Tie.objects.filter(program_id=program_id)
        .active()
        .exclude(source__kind=ActorKind.PERSON)
        .exclude(target__kind=ActorKind.PERSON)
        .values_list("source_id", "target_id")
    )


def _served(program_id: int) -> list[tuple[int, int, str]]:
    return list(
        ServiceAgreement.objects.filter(program_id=program_id, status__in=LIVE_AGREEMENT)
        .values_list("receiver_id", "provider_id", "offer__category")
        .distinct()
    )


def _territory_reason(relation: str, need: ServiceListing, offer: ServiceListing) -> str:
    place = offer.territory or offer.actor.territory
    if relation == matching.SAME:
        return _("Same territory")
    if relation == matching.WITHIN and place is not None:
        return _("The offer covers all of %(territory)s") % {"territory": place.name}
    if relation == matching.COVERS and place is not None:
        return _("Offered in %(territory)s, inside the area of the need") % {
            "territory": place.name
        }
    if relation == matching.NEARBY and place is not None:
        return _("Neighbouring territory: %(territory)s") % {"territory": place.name}
    return _("No territorial limit")


def _distance_reason(distance: int | None) -> str:
    if distance == 1:
        return _("Already partners")
    if distance == 2:
        return _("Partners of a partner")
    if distance == 3:
        return _("Three steps apart in the network")
    return _("Not yet connected: a new tie")


def _service_matches(found: Sequence[matching.Match]) -> list[ServiceMatch]:
    """One query: the listings of `found` with their actors and territories."""
    ids = {m.need for m in found} | {m.offer for m in found}
    listings = (
        ServiceListing.objects.filter(pk__in=ids)
        .select_related("actor__territory", "territory")
        .in_bulk()
        if ids
        else {}
    )
    result = []
    for m in found:
        need, offer = listings[m.need], listings[m.offer]
        result.append(
            ServiceMatch(
                need=need,
                offer=offer,
                score=m.score,
                territory=m.territory,
                distance=m.distance,
                reasons=[
                    _territory_reason(m.territory, need, offer),
                    _distance_reason(m.distance),
                ],
            )
        )
    return result


def matches_for_need(need: ServiceListing, *, limit: int = 5) -> list[ServiceMatch]:
    """The open offers of other entities that answer `need` best (5 queries)."""
    listings = _as_listings(
        ServiceListing.objects.filter(
            Q(pk=need.pk)
            | Q(
                pk__in=_open_listings(need.program_id).filter(
                    kind=ListingKind.OFFER, category=need.category
                )
            )
        )
    )
    subject = next((x for _kind, x in listings if x.id == need.pk), None)
    ties, served = _entity_ties(need.program_id), _served(need.program_id)
    if subject is None:
        return []
    offers = [x for _kind, x in listings if x.id != need.pk]
    found = matching.match_one(subject, offers, ties, served, limit=limit)
    return _service_matches(found)


def best_offers_for_needs(needs: Sequence[ServiceListing]) -> dict[int, ServiceMatch]:
    """The best open offer of another entity for each of `needs` (all of one program), by need
    id: one matching run for them all (5 queries however many needs)."""
    if not needs:
        return {}
    program_id = needs[0].program_id
    categories = {need.category for need in needs}
    listings = _as_listings(
        ServiceListing.objects.filter(
            Q(pk__in=[need.pk for need in needs])
            | Q(
                pk__in=_open_listings(program_id).filter(
                    kind=ListingKind.OFFER, category__in=categories
                )
            )
        )
    )
    wanted = {need.pk for need in needs}
    subjects = [x for _kind, x in listings if x.id in wanted]
    offers = [x for kind, x in listings if x.id not in wanted and kind == ListingKind.OFFER]
    found = matching.match_needs(
        subjects, offers, _entity_ties(program_id), _served(program_id), per_need=1
    )
    return {m.need.pk: m for m in _service_matches([ms[0] for ms in found.values() if ms])}


def matches_for_offer(offer: ServiceListing, *, limit: int = 5) -> list[ServiceMatch]:
    """The open needs of other entities that `offer` answers best (5 queries)."""
    listings = _as_listings(
        ServiceListing.objects.filter(
            Q(pk=offer.pk)
            | Q(
                pk__in=_open_listings(offer.program_id).filter(
                    kind=ListingKind.NEED, category=offer.category
                )
            )
        )
    )
    subject = next((x for _kind, x in listings if x.id == offer.pk), None)
    ties, served = _entity_ties(offer.program_id), _served(offer.program_id)
    if subject is None:
        return []
    needs = [x for _kind, x in listings if x.id != offer.pk]
    found = matching.match_offer(subject, needs, ties, served, limit=limit)
    return _service_matches(found)


def _program_listings(actor: Actor) -> dict[tuple[bool, str], list[matching.Listing]]:
    """(own?, kind) → the open listings of the program (one query)."""
    grouped: dict[tuple[bool, str], list[matching.Listing]] = {
        (own, kind): [] for own in (True, False) for kind in ListingKind.values
    }
    for kind, listing in _as_listings(_open_listings(actor.program_id)):
        grouped[(listing.actor == actor.pk, kind)].append(listing)
    return grouped


def matches_for_actor(actor: Actor, *, per_need: int = 3) -> list[ServiceMatch]:
    """For each open need of `actor`, the best open offers of other entities (4 queries)."""
    listings = _program_listings(actor)
    ties, served = _entity_ties(actor.program_id), _served(actor.program_id)
    needs = listings[(True, ListingKind.NEED)]
    offers = listings[(False, ListingKind.OFFER)]
    found = matching.match_needs(needs, offers, ties, served, per_need=per_need)
    return _service_matches([m for need in needs for m in found[need.id]])


def needs_actor_could_serve(actor: Actor, *, limit: int = 10) -> list[ServiceMatch]:
    """The open needs of other entities that the open offers of `actor` answer best: for each
    need its best offer, the `limit` best needs (4 queries)."""
    listings = _program_listings(actor)
    ties, served = _entity_ties(actor.program_id), _served(actor.program_id)
    found = matching.match_needs(
        listings[(False, ListingKind.NEED)],
        listings[(True, ListingKind.OFFER)],
        ties,
        served,
        per_need=1,
    )
    best = sorted(
        (matches[0] for matches in found.values() if matches),
        key=lambda m: (-m.score, m.need),
    )[: max(limit, 0)]
    return _service_matches(best)


# Partners ----------------------------------------------------------------------------------


# A program's registry is built once per state of its network and kept in this process:
# building it reads every entity, theme and tie of the program (seconds for 100,000
# entities), while suggesting from it takes milliseconds. The key changes with any tie, actor
# or theme change. It is kept in memory rather than in Django's cache, which would pickle and
# unpickle megabytes of arrays on every call; each process builds it once.
_REGISTRIES: dict[int, tuple[str, partners.Registry]] = {}
_REGISTRY_LOCK = threading.Lock()


def _registry(program: Program) -> partners.Registry:
    """The program's registry, from memory when its network has not changed (3 queries), or
    built again (7 queries)."""
    # The whole themes table, not the program's rows: a theme given in another program
    # rebuilds this registry for nothing, but joining each row to its actor to keep to the
    # program cost more (160 ms at 100,000 actors) than the rare rebuild.
    themes = Actor.themes.through.objects.aggregate(last=Max("id"), count=Count("*"))
    key = f"{ties_version(program)}:{themes['last'] or 0}.{themes['count']}"
    kept = _REGISTRIES.get(program.pk)
    if kept is not None and kept[0] == key:
        return kept[1]
    registry = _build_registry(program)
    with _REGISTRY_LOCK:
        _REGISTRIES[program.pk] = (key, registry)
    return registry


def _build_registry(program: Program) -> partners.Registry:
    """Four queries: the program's entities, their themes, the ties between them, the
    regions."""
    rows = list(
        Actor.objects.filter(program=program, kind__in=ENTITY_KINDS).values_list(
            "id", "sector", "territory__path"
        )
    )
    themes: dict[int, list[int]] = {}
    for actor_id, theme_id in Actor.themes.through.objects.filter(
        actor__program=program, actor__kind__in=ENTITY_KINDS
    ).values_list("actor_id", "theme_id"):
        themes.setdefault(actor_id, []).append(theme_id)
    return partners.Registry(
        [pk for pk, _sector, _path in rows],
        [sector for _pk, sector, _path in rows],
        [themes.get(pk, []) for pk, _sector, _path in rows],
        [path or "" for _pk, _sector, path in rows],
        _entity_ties(program.pk),
        region_ids=Territory.objects.filter(level=Territory.Level.REGION).values_list(
            "id", flat=True
        ),
    )


def _partner_reason(
    reason: dict[str, Any], themes: dict[int, Theme], actors: dict[int, Actor]
) -> str:
    code = reason["code"]
    if code == "sector":
        label = str(Sector(reason["sector"]).label) if reason["sector"] in Sector.values else ""
        if reason["wanted"]:
            return _("Sector wanted: %(sector)s") % {"sector": label}
        return _("Another sector: %(sector)s") % {"sector": label}
    if code == "themes":
        names = ", ".join(themes[t].name for t in reason["themes"] if t in themes)
        count = len(reason["themes"])
        return ngettext(
            "Shares %(count)d theme: %(themes)s",
            "Shares %(count)d themes: %(themes)s",
            count,
        ) % {"count": count, "themes": names}
    if code == "territory":
        if reason["relation"] == "same":
            return _("Same territory")
        return _("Same region")
    names = ", ".join(
        actors[a].name for a in reason.get("partners", reason.get("via", [])) if a in actors
    )
    if code == "past":
        return _("Worked with %(names)s") % {"names": names}
    return _("Partner of a partner: %(names)s") % {"names": names}


def partner_suggestions(
    program: Program,
    *,
    members: Sequence[int],
    sectors_wanted: Sequence[str] = (),
    theme_ids: Sequence[int] = (),
    territory: Territory | None = None,
    limit: int = 10,
) -> list[PartnerCandidate]:
    """Entities of `program` that could join `members` (the first is the lead), best first;
    never one of the members, never a person (6 queries)."""
    registry = _registry(program)
    found = partners.suggest_partners(
        registry,
        members=list(members),
        sectors_wanted=list(sectors_wanted),
        theme_ids=list(theme_ids),
        territory_path=territory.path if territory is not None else "",
        limit=limit,
    )
    actor_ids = {s.actor for s in found}
    theme_set: set[int] = set()
    for suggestion in found:
        for reason in suggestion.reasons:
            actor_ids.update(reason.get("partners", ()))
            actor_ids.update(reason.get("via", ()))
            theme_set.update(reason.get("themes", ()))
    actors = (
        Actor.objects.filter(pk__in=actor_ids, program=program)
        .exclude(kind=ActorKind.PERSON)
        .select_related("territory")
        .in_bulk()
    )
    theme_objects = Theme.objects.in_bulk(theme_set) if theme_set else {}
    return [
        PartnerCandidate(
            actor=actors[s.actor],
            score=s.score,
            reasons=[_partner_reason(r, theme_objects, actors) for r in s.reasons],
        )
        for s in found
        if s.actor in actors
    ]


def consortium_partner_suggestions(
    consortium: Consortium, *, limit: int = 10
) -> list[PartnerCandidate]:
    """Partners for a consortium: members are its lead and every member (any status); the
    sectors, themes and territory it looks for come from the consortium (9 queries)."""
    members = [consortium.lead_id, *consortium.members.values_list("actor_id", flat=True)]
    theme_ids = list(consortium.themes.values_list("id", flat=True))
    territory = (
        Territory.objects.filter(pk=consortium.territory_id).first()
        if consortium.territory_id
        else None
    )
    return partner_suggestions(
        consortium.program,
        members=members,
        sectors_wanted=list(consortium.sectors_wanted or ()),
        theme_ids=theme_ids,
        territory=territory,
        limit=limit,
    )
