"""The demo's bodies, built on factory data: a directorate per territory with a community
majority, holders who are members of their organizations, the demo accounts' seats, one seat's
history, the sector quorum, and a round-table in the first territory."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import ActorKind, Membership, Sector
from tejido.actors.tests.factories import ActorFactory, MembershipFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.dashboards.demo.governance.bodies import (
    AROMOS,
    DIRECTORATE_ACCOUNT,
    MEMBER_EMAIL_DOMAIN,
    ORGANIZATION_ACCOUNT,
    demo_bodies,
)
from tejido.governance.bodies.selectors import mandates_on, quorum_for
from tejido.governance.models import BodyKind, Mandate, SectorQuorum

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 9, 17)

ORGANIZATIONS = {
    Sector.COMMUNITY: [
        AROMOS,
        "Junta de Vecinos Cerro Morado",
        "Junta de Vecinos El Peñón Alto",
        "Club Deportivo Unión Mena",
        "Centro de Madres Renacer de Mena",
        "Agrupación Cultural Mena Pinta",
        "Club de Adulto Mayor Años Dorados",
        "Comité de Vivienda Techo Digno",
        "Agrupación Cultural Raíz del Sur",
        "Club Deportivo Halcones del Sur",
        "Centro de Madres Las Camelias",
    ],
    Sector.PUBLIC: [
        "Oficina Territorial Bajos de Mena",
        "CESFAM Cordillera Sur",
        "Liceo Técnico Los Andes del Sur",
    ],
    Sector.PRIVATE: ["Panadería La Espiga de Mena", "Ferretería El Maestro Sur"],
    Sector.THIRD_SECTOR: ["Fundación Hogar de Barrio"],
}


def build_program(seed_names=ORGANIZATIONS):
    program = ProgramFactory(slug="barrios-en-red")
    first, second = TerritoryFactory(name="Bajos de Mena"), TerritoryFactory(name="La Ligua")
    for territory in (first, second):
        for sector, names in seed_names.items():
            for name in names:
                label = name if territory is first else f"{name} ({territory.name})"
                organization = ActorFactory(
                    program=program, name=label, sector=sector, territory=territory
                )
                for _ in range(3):
                    MembershipFactory(
                        person=PersonFactory(program=program, territory=territory),
                        organization=organization,
                        start_date=datetime.date(2019, 1, 1),
                    )
    # A group based elsewhere that serves the territory counts too.
    serving = ActorFactory(
        program=program, name="Oficina de Deportes de Puente Alto", sector=Sector.PUBLIC
    )
    serving.territories_served.add(first)
    MembershipFactory(person=PersonFactory(program=program), organization=serving)
    # Informal groups without members on record.
    for name in ("Olla Común Las Azaleas", "Huerta Comunitaria Cerro Morado"):
        ActorFactory(program=program, name=name, kind=ActorKind.INFORMAL_GROUP, territory=first)
    # An organization of another territory does not.
    ActorFactory(program=program, name="Junta de Vecinos Lejana", territory=TerritoryFactory())
    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    users = {
        DIRECTORATE_ACCOUNT: UserFactory(
            email=DIRECTORATE_ACCOUNT, first_name="Héctor", last_name="Valdivia"
        ),
        ORGANIZATION_ACCOUNT: UserFactory(
            email=ORGANIZATION_ACCOUNT, first_name="Rosa", last_name="Quiroz"
        ),
    }
    return program, [first, second], coordinator, users


def test_demo_bodies():
    program, territories, coordinator, users = build_program()
    bodies = demo_bodies(program, territories, coordinator=coordinator, users=users, today=TODAY)
    assert [b.name for b in bodies] == [
        "Directorio Local de Bajos de Mena",
        "Directorio Local de La Ligua",
        "Mesa Organizacional de Bajos de Mena",
    ]
    assert [b.kind for b in bodies] == [
        BodyKind.DIRECTORATE,
        BodyKind.DIRECTORATE,
        BodyKind.ROUND_TABLE,
    ]
    for body in bodies[:2]:
        assert body.meeting_ties and body.is_public
        seats = list(body.seats.all())
        assert 9 <= len(seats) <= 13
        sectors = Counter(seat.sector for seat in seats)
        assert sectors[Sector.COMMUNITY] > len(seats) / 2
        assert sectors[Sector.PUBLIC] >= 1 and sectors[Sector.PRIVATE] >= 1
        assert sectors[Sector.THIRD_SECTOR] == 1
        assert SectorQuorum.objects.get(body=body).sector == Sector.PUBLIC

        current = mandates_on(body, TODAY)
        assert len(current) == len(seats)  # every seat filled today
        for mandate in current:
            organization = mandate.organization
            assert organization.kind != ActorKind.PERSON
            assert organization.territory_id == body.territory_id or (
                organization.territories_served.filter(pk=body.territory_id).exists()
            )
            # Holders and alternates are members of the organization they sit for.
            for person in (mandate.holder, mandate.alternate):
                if person is not None:
                    assert Membership.objects.filter(
                        person=person, organization=organization
                    ).exists()
            assert mandate.holder_user is not None
            # Two-year terms, from two years ago, extended to the renewal assembly.
            assert mandate.ends_on is not None and mandate.ends_on > TODAY
        holders = [m.holder_id for m in current] + [m.alternate_id for m in current]
        holders = [pk for pk in holders if pk]
        assert len(holders) == len(set(holders))  # one seat per person
        assert any(m.alternate_id for m in current)

        # One seat changed hands a year ago.
        history = Counter(Mandate.objects.filter(seat__body=body).values_list("seat", flat=True))
        changed = [seat for seat, n in history.items() if n == 2]
        assert len(changed) == 1 and max(history.values()) == 2
        first, second = Mandate.objects.filter(seat_id=changed[0]).order_by("starts_on")
        assert first.ends_on == datetime.date(2024, 8, 31)
        assert second.starts_on == datetime.date(2024, 9, 1)
        assert first.organization != second.organization

        # The quorum works on today's seats.
        result = quorum_for(body, [m.pk for m in current], TODAY)
        assert result.met and result.seats == len(seats)

    directorate = bodies[0]
    starts = {m.starts_on for m in Mandate.objects.filter(seat__body=directorate)}
    assert min(starts) == datetime.date(2023, 9, 1)

    # The demo accounts sit on the first directorate for their organizations.
    rosa = Mandate.objects.get(seat__body=directorate, holder_user=users[ORGANIZATION_ACCOUNT])
    assert rosa.organization.name == AROMOS and rosa.holder.name == "Rosa Quiroz"
    hector = Mandate.objects.get(seat__body=directorate, holder_user=users[DIRECTORATE_ACCOUNT])
    assert hector.seat.sector == Sector.COMMUNITY and hector.holder.name == "Héctor Valdivia"
    assert Membership.objects.filter(person=hector.holder, organization=hector.organization)
    assert not Mandate.objects.filter(seat__body=bodies[1], holder_user__in=users.values())
    # Other holders act with accounts that cannot log in.
    other = Mandate.objects.filter(seat__body=directorate).exclude(holder_user__in=users.values())
    for mandate in other.select_related("holder_user"):
        assert mandate.holder_user.email.endswith(f"@{MEMBER_EMAIL_DOMAIN}")
        assert not mandate.holder_user.has_usable_password()

    # The round-table: other community organizations, and the municipal office without vote.
    table = bodies[2]
    table_orgs = set(
        Mandate.objects.filter(seat__body=table).values_list("organization", flat=True)
    )
    directorate_orgs = set(
        Mandate.objects.filter(seat__body=directorate).values_list("organization", flat=True)
    )
    assert table_orgs and not table_orgs & directorate_orgs
    assert not table.quorum_strict
    assert table.seats.filter(is_voting=False, sector=Sector.PUBLIC).exists()
    assert all(m.ends_on is None for m in mandates_on(table, TODAY))


def test_demo_bodies_is_deterministic():
    def shape():
        program, territories, coordinator, users = build_program()
        bodies = demo_bodies(
            program, territories, coordinator=coordinator, users=users, today=TODAY
        )
        rows = [
            (
                b.name,
                [
                    (m.seat.label, m.organization.name, bool(m.alternate_id), m.starts_on)
                    for m in Mandate.objects.filter(seat__body=b)
                    .select_related("seat", "organization")
                    .order_by("seat__position", "starts_on")
                ],
            )
            for b in bodies
        ]
        program.delete()
        for user in users.values():
            user.delete()
        return rows

    assert shape() == shape()


def test_demo_bodies_without_the_demo_accounts_or_many_actors():
    """A small territory still gets a directorate (with fewer seats), and no account is needed."""
    program, territories, coordinator, _users = build_program(
        {
            Sector.COMMUNITY: ["Junta de Vecinos Uno", "Junta de Vecinos Dos", "Club Tres"],
            Sector.PUBLIC: ["CESFAM Norte"],
        }
    )
    bodies = demo_bodies(program, territories[:1], coordinator=coordinator, users={}, today=TODAY)
    directorate = bodies[0]
    sectors = Counter(directorate.seats.values_list("sector", flat=True))
    # The CESFAM, and the sports office that serves the territory from elsewhere.
    assert sectors[Sector.PUBLIC] == 2 and sectors[Sector.COMMUNITY] >= 3
    assert mandates_on(directorate, TODAY)
