"""Quorum: the pure rule checked by hand, and `quorum_for` on a body's seats."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tejido.actors.models import Sector
from tejido.governance.bodies.selectors import exact_share, quorum_for, quorum_rule_text
from tejido.governance.models import SectorQuorum
from tejido.governance.quorum import check_quorum, required_present
from tejido.governance.tests.factories import BodyFactory, MandateFactory, SeatFactory

D = datetime.date


# -- the pure rule, by hand ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "share", "strict", "required"),
    [
        (9, 0.5, True, 5),  # half of 9 is 4.5: more than that is 5
        (10, 0.5, True, 6),  # half plus one
        (10, 0.5, False, 5),  # at least half of 10
        (9, 0.5, False, 5),  # at least 4.5 -> 5
        (12, 2 / 3, False, 8),  # two thirds of 12
        (12, 2 / 3, True, 9),
        (3, 1.0, True, 3),  # everyone, never more than the seats
        (1, 0.5, True, 1),
        (0, 0.5, True, 0),
    ],
)
def test_required_present(seats, share, strict, required):
    assert required_present(seats, share, strict=strict) == required


def test_nine_seats_half_plus_one():
    seats = {"community": 5, "public": 3, "private": 1}
    four = check_quorum(
        seats_by_sector=seats,
        present_by_sector={"community": 3, "public": 1},
        share=0.5,
        strict=True,
    )
    assert (four.met, four.present, four.required, four.seats) == (False, 4, 5, 9)
    five = check_quorum(
        seats_by_sector=seats,
        present_by_sector={"community": 3, "public": 2},
        share=0.5,
        strict=True,
    )
    assert five.met and five.required == 5


def test_at_least_half_of_ten():
    result = check_quorum(
        seats_by_sector={"community": 10},
        present_by_sector={"community": 5},
        share=0.5,
        strict=False,
    )
    assert result.met and result.required == 5


def test_sector_shortfall_blocks_an_otherwise_met_quorum():
    result = check_quorum(
        seats_by_sector={"community": 6, "public": 3},
        present_by_sector={"community": 6},
        share=0.5,
        strict=True,
        sector_minimums={"public": 1, "community": 2},
    )
    assert not result.met
    assert result.sector_shortfalls == {"public": 1}
    assert result.present == 6 and result.required == 5


def test_no_seats_no_quorum():
    assert not check_quorum(seats_by_sector={}, present_by_sector={}, share=0.5, strict=True).met


# -- quorum_for on a body -------------------------------------------------------------------------


@pytest.mark.django_db
def test_quorum_for_counts_filled_voting_seats_per_sector():
    body = BodyFactory()
    day = D(2025, 6, 1)
    start = D(2024, 1, 1)
    community = [
        MandateFactory(seat=SeatFactory(body=body, sector=Sector.COMMUNITY), starts_on=start)
        for _ in range(5)
    ]
    public = [
        MandateFactory(seat=SeatFactory(body=body, sector=Sector.PUBLIC), starts_on=start)
        for _ in range(3)
    ]
    private = MandateFactory(seat=SeatFactory(body=body, sector=Sector.PRIVATE), starts_on=start)
    # Not counted: a vacant seat, a seat without vote, a term that ended, another body's seat.
    SeatFactory(body=body, sector=Sector.COMMUNITY)
    observer = MandateFactory(
        seat=SeatFactory(body=body, sector=Sector.PUBLIC, is_voting=False), starts_on=start
    )
    ended = MandateFactory(
        seat=SeatFactory(body=body, sector=Sector.COMMUNITY),
        starts_on=start,
        ends_on=D(2025, 1, 1),
    )
    elsewhere = MandateFactory(starts_on=start)
    SectorQuorum.objects.create(body=body, sector=Sector.PUBLIC, minimum_present=1)

    present = [m.pk for m in community[:4]] + [private.pk, observer.pk, ended.pk, elsewhere.pk]
    result = quorum_for(body, present, day)
    assert (result.seats, result.present, result.required) == (9, 5, 5)
    assert not result.met and result.sector_shortfalls == {"public": 1}

    result = quorum_for(body, [*present, public[0].pk], day)
    assert result.met and result.present == 6 and not result.sector_shortfalls

    # Before the ended mandate's end it counted: 10 seats.
    assert quorum_for(body, [], D(2024, 6, 1)).seats == 10


@pytest.mark.django_db
def test_quorum_for_uses_the_bodys_share():
    body = BodyFactory(quorum_share=Decimal("0.5"), quorum_strict=False)
    mandates = [MandateFactory(seat=SeatFactory(body=body)) for _ in range(10)]
    result = quorum_for(body, [m.pk for m in mandates[:5]], datetime.date.today())
    assert result.met and result.required == 5


@pytest.mark.parametrize(
    ("stored", "exact"),
    [
        ("0.667", 2 / 3),
        ("0.333", 1 / 3),
        ("0.5", 0.5),
        ("0.75", 0.75),
        ("0.55", 0.55),
        ("0.6", 0.6),
    ],
)
def test_exact_share(stored, exact):
    assert exact_share(Decimal(stored)) == pytest.approx(exact, abs=1e-12)


@pytest.mark.django_db
def test_two_thirds_of_twelve_is_eight():
    body = BodyFactory(quorum_share=Decimal("0.667"), quorum_strict=False)
    mandates = [MandateFactory(seat=SeatFactory(body=body)) for _ in range(12)]
    result = quorum_for(body, [m.pk for m in mandates[:8]], datetime.date.today())
    assert result.met and result.required == 8


# -- the rule in words ----------------------------------------------------------------------------


def test_quorum_rule_text():
    text = quorum_rule_text(
        share=Decimal("0.5"), strict=True, filled=9, sector_minimums={"public": 1}
    )
    assert (
        text
        == "More than half of the 9 filled voting seats, and at least 1 seat of the public sector"
    )
    text = quorum_rule_text(
        share=Decimal("0.667"),
        strict=False,
        filled=1,
        sector_minimums={"community": 2, "public": 0},
    )
    assert text == (
        "At least two thirds of the 1 filled voting seat, "
        "and at least 2 seats of the community sector"
    )
    assert quorum_rule_text(share=Decimal("0.6"), strict=True, filled=5, sector_minimums={}) == (
        "More than 60 % of the 5 filled voting seats"
    )
    assert quorum_rule_text(share=Decimal("1"), strict=False, filled=4, sector_minimums={}) == (
        "All of the 4 filled voting seats"
    )
