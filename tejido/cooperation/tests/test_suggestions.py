"""Selectors of the suggestions: real database, fixed query counts, people never suggested."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.cooperation.models import (
    AgreementStatus,
    ConsortiumMember,
    ListingKind,
    ServiceCategory,
)
from tejido.cooperation.suggestions import (
    PartnerCandidate,
    ServiceMatch,
    best_offers_for_needs,
    consortium_partner_suggestions,
    matches_for_actor,
    matches_for_need,
    matches_for_offer,
    needs_actor_could_serve,
    partner_suggestions,
)
from tejido.cooperation.tests.factories import (
    ConsortiumFactory,
    ServiceAgreementFactory,
    ServiceListingFactory,
)
from tejido.core.models import Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    region = TerritoryFactory(name="Valparaíso", level=Territory.Level.REGION)
    return {
        "region": region,
        "valpo": TerritoryFactory(name="Valparaíso comuna", parent=region),
        "vina": TerritoryFactory(name="Viña del Mar", parent=region),
        "other": TerritoryFactory(name="Santiago", level=Territory.Level.REGION),
    }


@pytest.fixture
def program():
    return ProgramFactory()


def listing(program, actor, kind, territory=None, category=ServiceCategory.ACCOUNTING, **kw):
    return ServiceListingFactory(
        program=program, actor=actor, kind=kind, territory=territory, category=category, **kw
    )


def count_queries(function, *args, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        result = function(*args, **kwargs)
    return result, len(queries)


def test_matches_for_need_orders_and_explains(program, places):
    asker, near, far, partner = ActorFactory.create_batch(4, program=program)
    need = listing(program, asker, ListingKind.NEED, places["valpo"])
    same = listing(program, far, ListingKind.OFFER, places["valpo"])
    region = listing(program, partner, ListingKind.OFFER, places["region"])
    listing(program, near, ListingKind.OFFER, places["other"])  # no territorial fit
    listing(program, near, ListingKind.OFFER, places["valpo"], category=ServiceCategory.LEGAL)
    listing(program, near, ListingKind.OFFER, places["valpo"], is_open=False)
    listing(program, asker, ListingKind.OFFER, places["valpo"])  # its own
    TieFactory(source=asker, target=partner)

    found = matches_for_need(need)
    assert [(m.offer, m.territory, m.distance) for m in found] == [
        (region, "within", 1),
        (same, "same", None),
    ]
    assert all(isinstance(m, ServiceMatch) and m.need == need for m in found)
    assert found[0].reasons == ["The offer covers all of Valparaíso", "Already partners"]
    assert found[1].reasons[0] == "Same territory"
    assert found[0].score == pytest.approx(0.8)


def test_matches_for_offer_and_served_and_capacity(program, places):
    provider, a, b, c = ActorFactory.create_batch(4, program=program)
    offer = listing(program, provider, ListingKind.OFFER, places["valpo"], capacity=2)
    need_a = listing(program, a, ListingKind.NEED, places["valpo"])
    need_b = listing(program, b, ListingKind.NEED, places["vina"])
    listing(program, c, ListingKind.NEED, places["valpo"])
    ServiceAgreementFactory(offer=offer, receiver=c, status=AgreementStatus.REQUESTED)

    found = matches_for_offer(offer)
    assert [(m.need, m.territory) for m in found] == [(need_a, "same"), (need_b, "nearby")]
    # Full: the two places are taken by agreements in force.
    ServiceAgreementFactory(offer=offer, receiver=ActorFactory(program=program), status="agreed")
    ServiceAgreementFactory(offer=offer, receiver=ActorFactory(program=program), status="agreed")
    assert matches_for_offer(offer) == []
    assert matches_for_need(need_a) == []


def test_actor_views(program, places):
    me, other = ActorFactory.create_batch(2, program=program)
    my_need = listing(program, me, ListingKind.NEED, places["valpo"])
    my_offer = listing(program, me, ListingKind.OFFER, None, category=ServiceCategory.IT)
    their_offer = listing(program, other, ListingKind.OFFER, places["valpo"])
    their_need = listing(program, other, ListingKind.NEED, places["vina"], category="it")
    found = matches_for_actor(me)
    assert [(m.need, m.offer) for m in found] == [(my_need, their_offer)]
    served = needs_actor_could_serve(me)
    assert [(m.need, m.offer, m.territory) for m in served] == [(their_need, my_offer, "anywhere")]


def build_market(program, places, count):
    actors = ActorFactory.create_batch(count, program=program)
    for i, actor in enumerate(actors):
        place = places["valpo"] if i % 2 else places["vina"]
        listing(program, actor, ListingKind.OFFER if i % 3 else ListingKind.NEED, place)
        if i:
            TieFactory(source=actors[i - 1], target=actor)
    return actors


def test_service_queries_do_not_grow(program, places):
    actors = build_market(program, places, 3)
    need = program.service_listings.filter(kind=ListingKind.NEED).first()
    offer = program.service_listings.filter(kind=ListingKind.OFFER).first()
    small = [
        count_queries(matches_for_need, need)[1],
        count_queries(matches_for_offer, offer)[1],
        count_queries(matches_for_actor, actors[0])[1],
        count_queries(needs_actor_could_serve, actors[1])[1],
    ]
    build_market(program, places, 30)
    results = [
        count_queries(matches_for_need, need),
        count_queries(matches_for_offer, offer),
        count_queries(matches_for_actor, actors[0]),
        count_queries(needs_actor_could_serve, actors[1]),
    ]
    assert [n for _r, n in results] == small
    assert all(r for r, _n in results)
    assert small[0] <= 5


def test_partner_suggestions_never_people_nor_members(program, places):
    theme = ThemeFactory()
    lead = ActorFactory(program=program, territory=places["valpo"], sector=Sector.COMMUNITY)
    lead.themes.add(theme)
    member = ActorFactory(program=program, territory=places["valpo"])
    public = ActorFactory(
        program=program, territory=places["vina"], sector=Sector.PUBLIC, name="Municipalidad"
    )
    public.themes.add(theme)
    person = PersonFactory(program=program, territory=places["valpo"], sector=Sector.PUBLIC)
    person.themes.add(theme)
    TieFactory(source=lead, target=public)
    ActorFactory(territory=places["valpo"])  # another program

    found = partner_suggestions(program, members=[lead.pk, member.pk], sectors_wanted=["public"])
    assert [c.actor for c in found] == [public]
    assert isinstance(found[0], PartnerCandidate)
    assert found[0].reasons == [
        "Sector wanted: Public",
        f"Shares 1 theme: {theme.name}",
        "Same region",
        f"Worked with {lead.name}",
    ]


def test_consortium_suggestions_and_queries_do_not_grow(program, places):
    themes = ThemeFactory.create_batch(2)
    lead = ActorFactory(program=program, territory=places["valpo"])
    consortium = ConsortiumFactory(
        program=program, lead=lead, territory=places["valpo"], sectors_wanted=["academia"]
    )
    consortium.themes.set(themes)
    invited = ActorFactory(program=program, territory=places["valpo"], sector=Sector.ACADEMIA)
    ConsortiumMember.objects.create(consortium=consortium, actor=invited, status="declined")

    def grow(count):
        for i in range(count):
            actor = ActorFactory(
                program=program,
                territory=places["vina"] if i % 2 else places["valpo"],
                sector=Sector.ACADEMIA if i % 3 == 0 else Sector.PRIVATE,
            )
            actor.themes.set(themes[: i % 3])
            TieFactory(source=lead if i % 2 else invited, target=actor)

    grow(3)
    _found, small = count_queries(consortium_partner_suggestions, consortium)
    grow(30)
    more, large = count_queries(consortium_partner_suggestions, consortium)
    assert small == large
    assert len(more) == 10
    assert not {c.actor.pk for c in more} & {lead.pk, invited.pk}
    assert [c.score for c in more] == sorted((c.score for c in more), reverse=True)
    assert f"Shares 2 themes: {themes[0].name}, {themes[1].name}" in more[0].reasons
    everyone = consortium_partner_suggestions(consortium, limit=50)
    assert any("Sector wanted: Academia" in c.reasons for c in everyone)
    assert any(
        r.startswith("Worked with") or r.startswith("Partner of a partner")
        for c in more
        for r in c.reasons
    )


def test_ended_ties_do_not_count(program, places):
    a, b = ActorFactory.create_batch(2, program=program)
    need = listing(program, a, ListingKind.NEED, places["valpo"])
    listing(program, b, ListingKind.OFFER, places["valpo"])
    TieFactory(source=a, target=b, ended_on=timezone.localdate() - datetime.timedelta(days=1))
    [found] = matches_for_need(need)
    assert found.distance is None


def test_a_listing_without_territory_is_placed_where_its_entity_works(program, places):
    """An empty territory means "wherever the entity works": two entities of the same comuna
    whose listings name no territory are in the same territory, not "anywhere"."""
    needing = ActorFactory(program=program, territory=places["valpo"])
    offering = ActorFactory(program=program, territory=places["valpo"])
    elsewhere = ActorFactory(program=program, territory=places["other"])
    need = listing(program, needing, ListingKind.NEED)
    near = listing(program, offering, ListingKind.OFFER)
    listing(program, elsewhere, ListingKind.OFFER)

    found = matches_for_need(need)

    assert [m.offer.pk for m in found] == [near.pk]
    assert found[0].territory == "same"
    assert "Same territory" in found[0].reasons


def test_best_offers_for_many_needs_agree_with_one_need_at_a_time(program, places):
    build_market(program, places, 30)
    needs = list(program.service_listings.filter(kind=ListingKind.NEED).order_by("pk"))
    one_by_one = {}
    for need in needs:
        found = matches_for_need(need, limit=1)
        if found:
            one_by_one[need.pk] = (found[0].offer.pk, found[0].score)

    batched, queries = count_queries(best_offers_for_needs, needs)

    assert one_by_one
    assert {pk: (m.offer.pk, m.score) for pk, m in batched.items()} == one_by_one
    assert queries == count_queries(best_offers_for_needs, needs[:2])[1]
    assert best_offers_for_needs([]) == {}


def test_the_kept_registry_follows_every_change_of_ties_themes_and_actors(program, places):
    """The registry is kept between calls (fewer queries) and rebuilt when a tie, a theme of an
    actor (given or taken away) or an actor changes: suggestions never lag behind."""
    theme = ThemeFactory()
    lead = ActorFactory(program=program, territory=places["valpo"])
    lead.themes.add(theme)
    other = ActorFactory(program=program, territory=places["vina"], sector=Sector.PRIVATE)

    def reasons() -> list[str]:
        [found] = partner_suggestions(program, members=[lead.pk], sectors_wanted=["private"])
        assert found.actor == other
        return found.reasons

    _r, first = count_queries(reasons)
    _r, kept = count_queries(reasons)
    assert kept < first  # built once, then kept
    assert reasons() == ["Sector wanted: Private", "Same region"]

    other.themes.add(theme)
    assert f"Shares 1 theme: {theme.name}" in reasons()
    TieFactory(source=lead, target=other)
    assert f"Worked with {lead.name}" in reasons()
    other.themes.remove(theme)
    assert not any(r.startswith("Shares") for r in reasons())
    other.territory = places["valpo"]
    other.save()
    assert "Same territory" in reasons()
    newcomer = ActorFactory(program=program, territory=places["valpo"], sector=Sector.PRIVATE)
    found = partner_suggestions(program, members=[lead.pk, other.pk], sectors_wanted=["private"])
    assert [c.actor for c in found] == [newcomer]
