"""Reads of shared services, shaped for their pages, each in a fixed number of queries whatever
the number of listings or agreements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory
from tejido.core.pagination import CountedPage

from .. import suggestions
from ..models import (
    LIVE_AGREEMENT,
    AgreementStatus,
    ListingKind,
    ServiceAgreement,
    ServiceCategory,
    ServiceListing,
)
from ..suggestions import ServiceMatch
from .services import CHANGE, places_left

PAGE_SIZE = 20


def territories_for(program: Program) -> QuerySet[Territory]:
    """The program's territories with the places inside them, and every place one of its
    actors is based in with its ancestors, in tree order."""
    paths = list(program.territories.values_list("path", flat=True))
    based = Territory.objects.filter(based_actors__program=program).values_list("path", flat=True)
    ids = {int(part) for path in [*paths, *based] for part in path.strip("/").split("/") if part}
    condition = Q(pk__in=ids)
    for path in paths:
        condition |= Q(path__startswith=path)
    return Territory.objects.filter(condition).order_by("path")


def with_places(queryset: QuerySet[ServiceListing]) -> QuerySet[ServiceListing]:
    """Listings with `agreed_count`, the agreements in force (an offer's places taken)."""
    return queryset.annotate(
        agreed_count=Count("agreements", filter=Q(agreements__status=AgreementStatus.AGREED))
    )


def _places(listing: Any) -> int | None:
    return places_left(listing, getattr(listing, "agreed_count", None))


# -- the catalogue ----------------------------------------------------------------------------


@dataclass
class CategoryCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class CataloguePage(CountedPage):
    listings: list[ServiceListing] = field(default_factory=list)


@dataclass
class Catalogue:
    page: CataloguePage
    categories: list[CategoryCount]
    offers: int
    needs: int


def catalogue(
    program: Program,
    *,
    kind: str = "",
    category: str = "",
    territory: Territory | None = None,
    terms: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Catalogue:
    """One page of the program's open listings with the counts per category and per kind.

    A territory filter takes its sub-territories too; a listing without a territory counts
    where its entity is based. Two queries: the counts, the page (none when nothing matches).
    """
    base = ServiceListing.objects.filter(program=program).open()
    if territory is not None:
        base = base.filter(
            Q(territory__path__startswith=territory.path)
            | Q(territory__isnull=True, actor__territory__path__startswith=territory.path)
        )
    if terms:
        base = base.filter(terms=terms)
    cube = {
        (row["kind"], row["category"]): row["n"]
        for row in base.order_by().values("kind", "category").annotate(n=Count("pk"))
    }
    per_category = {
        value: sum(n for (k, c), n in cube.items() if c == value and (not kind or k == kind))
        for value in ServiceCategory.values
    }
    in_category = {key: n for key, n in cube.items() if not category or key[1] == category}
    offers = sum(n for (k, _c), n in in_category.items() if k == ListingKind.OFFER)
    needs = sum(n for (k, _c), n in in_category.items() if k == ListingKind.NEED)
    total = {str(ListingKind.OFFER): offers, str(ListingKind.NEED): needs}.get(kind, offers + needs)
    counted = CataloguePage(number=1, page_size=page_size, count=total)
    number = min(max(1, page), counted.num_pages)
    listings: list[ServiceListing] = []
    if total:
        rows = base
        if kind:
            rows = rows.filter(kind=kind)
        if category:
            rows = rows.filter(category=category)
        start = (number - 1) * page_size
        listings = list(
            with_places(rows.select_related("actor", "territory", "actor__territory")).order_by(
                "-created_at", "-id"
            )[start : start + page_size]
        )
        for listing in listings:
            listing.places_left = _places(listing)  # type: ignore[attr-defined]
    return Catalogue(
        page=CataloguePage(number=number, page_size=page_size, count=total, listings=listings),
        categories=[
            CategoryCount(value, str(label), per_category[value], value == category)
            for value, label in ServiceCategory.choices
        ],
        offers=offers,
        needs=needs,
    )


# -- one listing ------------------------------------------------------------------------------


def matches_for(listing: ServiceListing, *, limit: int = 5) -> list[ServiceMatch]:
    """Offers that could meet a need, or needs an offer could meet, with their reasons."""
    if not listing.is_open:
        return []
    if listing.kind == ListingKind.NEED:
        return suggestions.matches_for_need(listing, limit=limit)
    return suggestions.matches_for_offer(listing, limit=limit)


@dataclass
class ListingPage:
    listing: ServiceListing
    places_left: int | None
    agreements: list[ServiceAgreement]
    my_requests: list[ServiceAgreement]
    matches: list[ServiceMatch]
    requesters: list[Actor]
    needs_by_actor: dict[int, list[ServiceListing]]


def listing_get(program: Program, pk: int) -> ServiceListing | None:
    return (
        with_places(ServiceListing.objects.filter(program=program, pk=pk))
        .select_related("program", "actor", "actor__territory", "territory")
        .first()
    )


def listing_page(listing: ServiceListing, user: Any, *, entities: list[Actor]) -> ListingPage:
    """What a listing's page shows. `entities` are those the user acts for: for an offer, they
    may request it (all but its own entity)."""
    agreements: list[ServiceAgreement] = []
    my_requests: list[ServiceAgreement] = []
    requesters: list[Actor] = []
    needs_by_actor: dict[int, list[ServiceListing]] = {}
    if listing.kind == ListingKind.OFFER:
        rows = list(
            ServiceAgreement.objects.filter(offer=listing)
            .select_related("receiver", "need")
            .order_by("-created_at", "-id")
        )
        for row in rows:
            row.program = listing.program
            row.offer = listing
            row.provider = listing.actor
        # The offer's agreements are its entity's business (and the coordinators').
        if user.has_perm(CHANGE, listing):
            agreements = rows
        ids = {a.pk for a in entities}
        my_requests = [r for r in rows if r.receiver_id in ids and r.status in LIVE_AGREEMENT]
        asked = {r.receiver_id for r in my_requests}
        requesters = [a for a in entities if a.pk != listing.actor_id and a.pk not in asked]
        if requesters:
            for need in ServiceListing.objects.filter(
                program=listing.program,
                kind=ListingKind.NEED,
                category=listing.category,
                is_open=True,
                actor_id__in=[a.pk for a in requesters],
            ).order_by("title"):
                needs_by_actor.setdefault(need.actor_id, []).append(need)
    return ListingPage(
        listing=listing,
        places_left=_places(listing),
        agreements=agreements,
        my_requests=my_requests,
        matches=matches_for(listing),
        requesters=requesters,
        needs_by_actor=needs_by_actor,
    )


AGREEMENT_QUERYSET = ServiceAgreement.objects.select_related(
    "offer",
    "need",
    "provider",
    "receiver",
    "requested_by",
    "decided_by",
    "tie",
)
