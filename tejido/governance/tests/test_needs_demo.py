"""The demo's needs register and closed Hanlon session, on factory data."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.accounts.models import User
from tejido.dashboards.demo.governance.needs import (
    NEEDS,
    TERRITORY_NEEDS,
    TOP,
    demo_needs,
    needs_for,
)
from tejido.governance import voting
from tejido.governance.models import (
    MeetingStatus,
    Need,
    NeedSource,
    NeedStatus,
    PrioritizationSession,
    SessionStatus,
)
from tejido.governance.needs.services import inputs_digest
from tejido.governance.tests.factories import MeetingFactory

from .test_needs_support import make_world

pytestmark = pytest.mark.django_db


def _held_meetings(world, count: int = 3):
    now = timezone.now()
    return [
        MeetingFactory(
            body=world.body,
            starts_at=now - datetime.timedelta(days=30 * (count - i)),
            ends_at=now - datetime.timedelta(days=30 * (count - i)) + datetime.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for i in range(count)
    ]


def test_demo_needs_records_the_register_and_a_closed_hanlon_session():
    world = make_world(needs=0, seats=5)
    meetings = _held_meetings(world)
    users_before = User.objects.count()
    session = demo_needs(
        world.body, meetings, coordinator=world.coordinator, today=timezone.localdate()
    )
    assert User.objects.count() == users_before  # no account created
    needs = Need.objects.filter(program=world.program)
    assert needs.count() == len(NEEDS) >= 15
    assert set(needs.values_list("territory", flat=True)) == {world.barrio.pk}
    assert needs.filter(source=NeedSource.MEETING, source_meeting__in=meetings[:-1]).exists()
    assert needs.filter(source=NeedSource.DIAGNOSIS).exists()
    assert not needs.filter(people_affected__isnull=True).exists()
    # A territory the demo does not know gets the generic neighbourhood's needs, all of them.
    assert set(needs.values_list("title", flat=True)) == {spec.title for spec in NEEDS}

    session = PrioritizationSession.objects.get(pk=session.pk)
    assert session.method == "hanlon" and session.status == SessionStatus.CLOSED
    assert session.body == world.body and session.meeting == meetings[-1]
    assert session.closed_at == meetings[-1].ends_at
    participants = set(session.inputs.values_list("participant_id", flat=True))
    assert participants == {u.pk for u in world.holders}
    # The stored result is what prioritize gives on the stored inputs.
    stored = [i.content for i in session.inputs.order_by("participant_id")]
    expected = voting.prioritize(
        "hanlon",
        sorted(session.needs.values_list("pk", flat=True)),
        stored,
        seed=inputs_digest(stored),
    )
    assert voting.Priority.from_dict(session.result) == expected
    # The private plot nobody may legally turn into a square is set aside.
    plot = needs.get(title="Recuperar el sitio eriazo privado como plaza")
    assert plot.pk in session.result["excluded"]
    prioritized = set(needs.filter(status=NeedStatus.PRIORITIZED).values_list("pk", flat=True))
    assert prioritized == set(session.result["prioritized"]) and len(prioritized) == TOP


def test_demo_needs_is_deterministic():
    def scores():
        world = make_world(needs=0, seats=3)
        world.body.name = "Directorio local Villa El Esfuerzo"  # the seed of the demo's draws
        world.body.save()
        session = demo_needs(
            world.body,
            _held_meetings(world),
            coordinator=world.coordinator,
            today=timezone.localdate(),
        )
        titles = dict(Need.objects.filter(program=world.program).values_list("pk", "title"))
        return [(titles[int(pk)], score) for pk, score in sorted(session.result["scores"].items())]

    assert sorted(scores()) == sorted(scores())


def test_without_seat_accounts_the_session_stays_open():
    world = make_world(needs=0, seats=2)
    for mandate in world.mandates:
        mandate.holder_user = None
        mandate.save()
    session = demo_needs(world.body, [], coordinator=world.coordinator, today=timezone.localdate())
    assert session.status == SessionStatus.OPEN and session.meeting is None


def _in(world, slug: str, name: str) -> None:
    """Make the world's neighbourhood one of the demo's real places."""
    world.barrio.slug = slug
    world.barrio.name = name
    world.barrio.save()


def test_two_territories_get_their_own_needs():
    yungay = make_world(needs=0, seats=3)
    _in(yungay, "barrio-yungay", "Barrio Yungay")
    ligua = make_world(needs=0, seats=3)
    _in(ligua, "la-ligua", "La Ligua")
    today = timezone.localdate()
    sessions = {
        slug: demo_needs(
            world.body, _held_meetings(world), coordinator=world.coordinator, today=today
        )
        for slug, world in (("barrio-yungay", yungay), ("la-ligua", ligua))
    }
    titles = {
        slug: set(Need.objects.filter(program=world.program).values_list("title", flat=True))
        for slug, world in (("barrio-yungay", yungay), ("la-ligua", ligua))
    }
    for slug, spec in (
        ("barrio-yungay", TERRITORY_NEEDS["barrio-yungay"]),
        ("la-ligua", TERRITORY_NEEDS["la-ligua"]),
    ):
        assert titles[slug] == {need.title for need in spec}
    assert not titles["barrio-yungay"] & titles["la-ligua"]
    assert "Cités con riesgo de derrumbe en calle Libertad" in titles["barrio-yungay"]
    assert "Camiones aljibe irregulares en el sector La Higuera" in titles["la-ligua"]
    # Each territory sets aside its own unfeasible wish and prioritizes among its own needs.
    for slug, world, plot in (
        (
            "barrio-yungay",
            yungay,
            "Expropiar el cité abandonado de calle Esperanza para vivienda social",
        ),
        ("la-ligua", ligua, "Construir un embalse comunal en el estero de Pullally"),
    ):
        session = sessions[slug]
        assert session.status == SessionStatus.CLOSED
        assert Need.objects.get(program=world.program, title=plot).pk in session.result["excluded"]
        prioritized = Need.objects.filter(pk__in=session.result["prioritized"])
        assert len(session.result["prioritized"]) == TOP
        assert set(prioritized.values_list("title", flat=True)) <= titles[slug]


def test_a_place_within_a_demo_territory_gets_that_territory_s_needs():
    world = make_world(needs=0, seats=2)
    world.comuna.slug = "san-bernardo"
    world.comuna.save()
    assert needs_for(world.barrio) == TERRITORY_NEEDS["san-bernardo"]
    assert needs_for(world.other_barrio) == TERRITORY_NEEDS["san-bernardo"]
    assert needs_for(world.outside) == NEEDS


def test_the_demo_territories_needs_are_their_own():
    assert set(TERRITORY_NEEDS) == {"bajos-de-mena", "barrio-yungay", "la-ligua", "san-bernardo"}
    seen: dict[str, str] = {}
    for slug, specs in TERRITORY_NEEDS.items():
        assert len(specs) >= 15
        assert sum(spec.in_session for spec in specs) > TOP
        assert any(spec.not_feasible for spec in specs if spec.in_session)
        for spec in specs:
            assert seen.setdefault(spec.title, slug) == slug, spec.title  # no shared title
            assert spec.people > 0 and all(0 <= x <= 10 for x in spec.profile)
    # The streets of one place do not turn up in another's needs.
    for slug, specs in TERRITORY_NEEDS.items():
        text = " ".join(f"{s.title} {s.description}" for s in specs)
        for street, home in (
            ("Los Aromos", "bajos-de-mena"),
            ("calle Libertad", "barrio-yungay"),
            ("Pullally", "la-ligua"),
            ("Lo Herrera", "san-bernardo"),
        ):
            assert (street in text) == (slug == home), (street, slug)
        for old in ("Los Copihues", "Los Olmos", "avenida Central", "calle Las Acacias"):
            assert old not in text
    # People affected follow the size of the place: the rural commune counts fewer than the
    # large housing area.
    assert max(s.people for s in TERRITORY_NEEDS["la-ligua"]) < max(
        s.people for s in TERRITORY_NEEDS["bajos-de-mena"]
    )
