"""Services of governance bodies: happy paths, every refusal, nothing half-written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.bodies import services
from tejido.governance.models import Body, BodyKind, Mandate, Seat, SectorQuorum
from tejido.governance.tests.factories import (
    AttendanceFactory,
    BodyFactory,
    MandateFactory,
    MeetingFactory,
    PollFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 15)


def coordinator(program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=Role.COORDINATOR)
    return user


@pytest.fixture
def body(program):
    return BodyFactory(program=program)


@pytest.fixture
def user(program):
    return coordinator(program)


def org(program, sector=Sector.COMMUNITY, **kwargs):
    return ActorFactory(program=program, sector=sector, **kwargs)


def person(program, **kwargs):
    return PersonFactory(program=program, **kwargs)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# -- bodies -----------------------------------------------------------------------------------


def test_body_create_writes_and_audits(program, user):
    territory = TerritoryFactory()
    body = services.body_create(
        user=user,
        program=program,
        kind=BodyKind.DIRECTORATE,
        name="  Directorio Local de Bajos de Mena ",
        territory=territory,
        quorum_share=Decimal("0.6"),
        quorum_strict=False,
        is_public=False,
    )
    body.refresh_from_db()
    assert body.name == "Directorio Local de Bajos de Mena"
    assert body.territory == territory and body.quorum_share == Decimal("0.600")
    assert not body.quorum_strict and not body.is_public
    entry = AuditEntry.objects.get(action="body.create")
    assert entry.target_id == str(body.pk) and entry.user == user and entry.program == program


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "parliament"}, "kind"),
        ({"quorum_share": Decimal("0")}, "quorum_share"),
        ({"quorum_share": Decimal("1.2")}, "quorum_share"),
        ({"quorum_share": Decimal("0.5555")}, "quorum_share"),
        ({"meeting_tie_type": "love"}, "meeting_tie_type"),
        ({"meeting_tie_intensity": 9}, "meeting_tie_intensity"),
    ],
)
def test_body_create_refusals(program, user, fields, field):
    values = {"kind": BodyKind.DIRECTORATE, "name": "Mesa"} | fields
    with pytest.raises(ValidationError) as excinfo:
        services.body_create(user=user, program=program, **values)
    assert field in errors_of(excinfo)
    assert not Body.objects.exists() and not AuditEntry.objects.exists()


def test_body_names_are_unique_in_a_program(program, user):
    services.body_create(user=user, program=program, kind=BodyKind.COUNCIL, name="Consejo")
    with pytest.raises(ValidationError) as excinfo:
        services.body_create(user=user, program=program, kind=BodyKind.COUNCIL, name="consejo")
    assert "name" in errors_of(excinfo)
    other = ProgramFactory()
    services.body_create(user=user, program=other, kind=BodyKind.COUNCIL, name="Consejo")


def test_body_create_rejects_unknown_fields(program, user):
    with pytest.raises(TypeError):
        services.body_create(
            user=user, program=program, kind=BodyKind.OTHER, name="Mesa", feed_token="x"
        )


def test_body_update(body, user):
    services.body_update(user=user, body=body, name="Mesa Barrial", quorum_share=Decimal("0.75"))
    body.refresh_from_db()
    assert body.name == "Mesa Barrial" and body.quorum_share == Decimal("0.750")
    assert AuditEntry.objects.get(action="body.update").data == {"fields": ["name", "quorum_share"]}
    # Nothing changed: no audit entry.
    services.body_update(user=user, body=body, name="Mesa Barrial")
    assert AuditEntry.objects.filter(action="body.update").count() == 1
    with pytest.raises(ValidationError):
        services.body_update(user=user, body=body, name="")
    body.refresh_from_db()
    assert body.name == "Mesa Barrial"


# -- seats ------------------------------------------------------------------------------------


def test_seat_create_appends_and_audits(body, user):
    first = services.seat_create(user=user, body=body, sector=Sector.PUBLIC, label="CESFAM")
    second = services.seat_create(
        user=user, body=body, sector=Sector.PRIVATE, label="Comercio", is_voting=False
    )
    assert second.position > first.position and not second.is_voting
    assert AuditEntry.objects.filter(action="seat.create").count() == 2


@pytest.mark.parametrize(
    ("sector", "label", "field"),
    [
        ("community", " ", "label"),
        ("nobility", "Asiento", "sector"),
        ("public", "x" * 121, "label"),
    ],
)
def test_seat_create_refusals(body, user, sector, label, field):
    with pytest.raises(ValidationError) as excinfo:
        services.seat_create(user=user, body=body, sector=sector, label=label)
    assert field in errors_of(excinfo)
    assert not Seat.objects.exists()


def test_seat_labels_are_unique_in_a_body(body, user):
    services.seat_create(user=user, body=body, sector=Sector.COMMUNITY, label="Comunitario 1")
    with pytest.raises(ValidationError) as excinfo:
        services.seat_create(user=user, body=body, sector=Sector.PUBLIC, label="comunitario 1")
    assert "label" in errors_of(excinfo)
    assert Seat.objects.count() == 1


def test_seat_update(body, user):
    seat = SeatFactory(body=body, label="A")
    SeatFactory(body=body, label="B")
    services.seat_update(user=user, seat=seat, label="Salud", sector=Sector.PUBLIC, is_voting=False)
    seat.refresh_from_db()
    assert (seat.label, seat.sector, seat.is_voting) == ("Salud", Sector.PUBLIC, False)
    with pytest.raises(ValidationError) as excinfo:
        services.seat_update(user=user, seat=seat, label="b")
    assert "label" in errors_of(excinfo)


def test_seat_sector_is_fixed_once_assigned(body, user):
    mandate = MandateFactory(seat=SeatFactory(body=body, sector=Sector.COMMUNITY))
    with pytest.raises(ValidationError) as excinfo:
        services.seat_update(user=user, seat=mandate.seat, sector=Sector.PUBLIC)
    assert "sector" in errors_of(excinfo)
    mandate.seat.refresh_from_db()
    assert mandate.seat.sector == Sector.COMMUNITY
    # Other changes still go through.
    services.seat_update(user=user, seat=mandate.seat, label="Junta 1", sector=Sector.COMMUNITY)


def test_seat_remove_without_history(body, user):
    seat = SeatFactory(body=body)
    future = MandateFactory(seat=seat, starts_on=TODAY + datetime.timedelta(days=30))
    services.seat_remove(user=user, seat=seat, today=TODAY)
    assert not Seat.objects.filter(pk=seat.pk).exists()
    assert not Mandate.objects.filter(pk=future.pk).exists()
    assert AuditEntry.objects.filter(action="seat.remove", target_id=str(seat.pk)).exists()


def test_seat_remove_refused_once_held(body, user):
    held = MandateFactory(seat=SeatFactory(body=body), starts_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.seat_remove(user=user, seat=held.seat, today=TODAY)
    # A mandate that has not started but has attendance on record is history too.
    seat = SeatFactory(body=body)
    mandate = MandateFactory(seat=seat, starts_on=TODAY + datetime.timedelta(days=5))
    AttendanceFactory(
        meeting=MeetingFactory(body=body), mandate=mandate, organization=mandate.organization
    )
    with pytest.raises(ValidationError):
        services.seat_remove(user=user, seat=seat, today=TODAY)
    assert Seat.objects.filter(pk__in=[held.seat_id, seat.pk]).count() == 2
    assert not AuditEntry.objects.filter(action="seat.remove").exists()


# -- sector quorums ---------------------------------------------------------------------------


def test_sector_quorums_set(body, user):
    SeatFactory(body=body, sector=Sector.PUBLIC)
    SeatFactory(body=body, sector=Sector.PUBLIC)
    SeatFactory(body=body, sector=Sector.COMMUNITY)
    rules = services.sector_quorums_set(
        user=user, body=body, minimums={Sector.PUBLIC: 1, Sector.COMMUNITY: 1}
    )
    assert {(r.sector, r.minimum_present) for r in rules} == {("public", 1), ("community", 1)}
    services.sector_quorums_set(user=user, body=body, minimums={Sector.PUBLIC: 2, "community": 0})
    assert dict(SectorQuorum.objects.values_list("sector", "minimum_present")) == {"public": 2}
    assert AuditEntry.objects.filter(action="body.sector_quorums").count() == 2


@pytest.mark.parametrize(
    "minimums",
    [{"public": 2}, {"private": 1}, {"public": -1}, {"nobility": 1}],
)
def test_sector_quorums_refusals(body, user, minimums):
    SeatFactory(body=body, sector=Sector.PUBLIC)
    SeatFactory(body=body, sector=Sector.PRIVATE, is_voting=False)
    with pytest.raises(ValidationError):
        services.sector_quorums_set(user=user, body=body, minimums=minimums)
    assert not SectorQuorum.objects.exists()


# -- mandates ---------------------------------------------------------------------------------


def test_mandate_assign_happy_path(program, body, user):
    seat = SeatFactory(body=body)
    organization, holder, alternate = org(program), person(program), person(program)
    account, alternate_account = UserFactory(), UserFactory()
    mandate = services.mandate_assign(
        user=user,
        seat=seat,
        organization=organization,
        holder=holder,
        alternate=alternate,
        holder_user=account,
        alternate_user=alternate_account,
        starts_on=D(2025, 1, 1),
        ends_on=D(2026, 12, 31),
    )
    mandate.refresh_from_db()
    assert mandate.holder == holder and mandate.alternate_user == alternate_account
    entry = AuditEntry.objects.get(action="mandate.assign")
    assert entry.data["organization"] == organization.pk and entry.program == program


def test_mandate_assign_ends_the_running_mandate_the_day_before(program, body, user):
    seat = SeatFactory(body=body)
    old = services.mandate_assign(
        user=user, seat=seat, organization=org(program), starts_on=D(2023, 3, 1)
    )
    new = services.mandate_assign(
        user=user, seat=seat, organization=org(program), starts_on=D(2025, 3, 1)
    )
    old.refresh_from_db()
    assert old.ends_on == D(2025, 2, 28) and new.ends_on is None
    ended = AuditEntry.objects.get(action="mandate.end")
    assert ended.data["replaced"] and ended.target_id == str(old.pk)


def test_same_person_can_renew_their_seat(program, body, user):
    seat = SeatFactory(body=body)
    holder, organization, account = person(program), org(program), UserFactory()
    services.mandate_assign(
        user=user,
        seat=seat,
        organization=organization,
        holder=holder,
        holder_user=account,
        starts_on=D(2023, 3, 1),
        ends_on=D(2025, 2, 28),
    )
    renewed = services.mandate_assign(
        user=user,
        seat=seat,
        organization=organization,
        holder=holder,
        holder_user=account,
        starts_on=D(2025, 3, 1),
    )
    assert Mandate.objects.filter(seat=seat).count() == 2 and renewed.holder == holder


def _refused(**kwargs) -> dict[str, list[str]]:
    def state():
        return list(Mandate.objects.order_by("pk").values_list("pk", "ends_on")), list(
            AuditEntry.objects.values_list("pk", flat=True)
        )

    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_assign(**kwargs)
    assert state() == before
    return errors_of(excinfo)


def test_organization_must_belong_to_the_program(body, user):
    stranger = ActorFactory(program=ProgramFactory())
    errors = _refused(
        user=user, seat=SeatFactory(body=body), organization=stranger, starts_on=TODAY
    )
    assert "organization" in errors


def test_organization_is_not_a_person(program, body, user):
    errors = _refused(
        user=user, seat=SeatFactory(body=body), organization=person(program), starts_on=TODAY
    )
    assert "person" in errors["organization"][0]


def test_holder_must_be_a_person_of_the_program(program, body, user):
    seat = SeatFactory(body=body)
    errors = _refused(
        user=user, seat=seat, organization=org(program), holder=org(program), starts_on=TODAY
    )
    assert "holder" in errors
    errors = _refused(
        user=user,
        seat=seat,
        organization=org(program),
        alternate=PersonFactory(program=ProgramFactory()),
        starts_on=TODAY,
    )
    assert "alternate" in errors


def test_alternate_differs_from_holder(program, body, user):
    someone = person(program)
    account = UserFactory()
    errors = _refused(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        holder=someone,
        alternate=someone,
        holder_user=account,
        alternate_user=account,
        starts_on=TODAY,
    )
    assert {"alternate", "alternate_user"} <= set(errors)


def test_term_must_end_after_it_starts(program, body, user):
    errors = _refused(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        starts_on=TODAY,
        ends_on=TODAY - datetime.timedelta(days=1),
    )
    assert "ends_on" in errors


def test_mandates_on_a_seat_never_overlap(program, body, user):
    seat = SeatFactory(body=body)
    services.mandate_assign(
        user=user, seat=seat, organization=org(program), starts_on=D(2025, 3, 1)
    )
    # Starting on the same day, or before a mandate already on record, would overlap it.
    for start, end in (
        (D(2025, 3, 1), None),
        (D(2024, 1, 1), D(2025, 6, 1)),
        (D(2024, 1, 1), None),
    ):
        errors = _refused(
            user=user, seat=seat, organization=org(program), starts_on=start, ends_on=end
        )
        assert "starts_on" in errors
    # Ending the day before it is fine.
    services.mandate_assign(
        user=user,
        seat=seat,
        organization=org(program),
        starts_on=D(2024, 1, 1),
        ends_on=D(2025, 2, 28),
    )


def test_a_person_holds_one_seat_per_body(program, body, user):
    someone = person(program)
    services.mandate_assign(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        holder=someone,
        starts_on=D(2025, 1, 1),
        ends_on=D(2025, 12, 31),
    )
    for field in ("holder", "alternate"):
        errors = _refused(
            user=user,
            seat=SeatFactory(body=body),
            organization=org(program),
            starts_on=D(2025, 6, 1),
            **{field: someone},
        )
        assert field in errors and someone.name in errors[field][0]
    # Another body, or after the term, is fine.
    services.mandate_assign(
        user=user,
        seat=SeatFactory(body=BodyFactory(program=program)),
        organization=org(program),
        holder=someone,
        starts_on=D(2025, 6, 1),
    )
    services.mandate_assign(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        holder=someone,
        starts_on=D(2026, 1, 1),
    )


def test_an_account_acts_for_one_seat_per_body(program, body, user):
    account = UserFactory()
    services.mandate_assign(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        alternate_user=account,
        starts_on=D(2025, 1, 1),
    )
    errors = _refused(
        user=user,
        seat=SeatFactory(body=body),
        organization=org(program),
        holder_user=account,
        starts_on=D(2025, 6, 1),
    )
    assert "holder_user" in errors


def test_mandate_end(program, body, user):
    mandate = services.mandate_assign(
        user=user, seat=SeatFactory(body=body), organization=org(program), starts_on=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_end(user=user, mandate=mandate, ends_on=D(2024, 12, 31))
    assert "ends_on" in errors_of(excinfo)
    services.mandate_end(user=user, mandate=mandate, ends_on=D(2025, 5, 31))
    mandate.refresh_from_db()
    assert mandate.ends_on == D(2025, 5, 31)
    # A term is ended, never lengthened here.
    with pytest.raises(ValidationError):
        services.mandate_end(user=user, mandate=mandate, ends_on=D(2025, 6, 30))
    mandate.refresh_from_db()
    assert mandate.ends_on == D(2025, 5, 31)
    assert AuditEntry.objects.filter(action="mandate.end").count() == 1


def test_mandate_remove_only_without_attendance_or_votes(program, body, user):
    mistake = MandateFactory(seat=SeatFactory(body=body))
    services.mandate_remove(user=user, mandate=mistake)
    assert not Mandate.objects.filter(pk=mistake.pk).exists()
    assert AuditEntry.objects.filter(action="mandate.remove").exists()

    attended = MandateFactory(seat=SeatFactory(body=body))
    AttendanceFactory(
        meeting=MeetingFactory(body=body), mandate=attended, organization=attended.organization
    )
    voted = MandateFactory(seat=SeatFactory(body=body))
    from tejido.governance.models import BallotReceipt

    BallotReceipt.objects.create(poll=PollFactory(body=body), mandate=voted)
    for mandate in (attended, voted):
        with pytest.raises(ValidationError):
            services.mandate_remove(user=user, mandate=mandate)
        assert Mandate.objects.filter(pk=mandate.pk).exists()


# -- selectors of the contract --------------------------------------------------------------------


def test_mandates_on_and_acting_mandate(program, body):
    from django.contrib.auth.models import AnonymousUser

    from tejido.governance.bodies.selectors import acting_mandate, mandates_on

    day = D(2025, 6, 1)
    account = UserFactory()
    first = MandateFactory(seat=SeatFactory(body=body, position=1), starts_on=D(2024, 1, 1))
    as_alternate = MandateFactory(
        seat=SeatFactory(body=body, position=2), starts_on=D(2024, 1, 1), alternate_user=account
    )
    MandateFactory(
        seat=SeatFactory(body=body, position=3, is_voting=False), starts_on=D(2024, 1, 1)
    )
    MandateFactory(seat=SeatFactory(body=body, position=4), starts_on=D(2025, 7, 1))
    assert [m.pk for m in mandates_on(body, day)] == [first.pk, as_alternate.pk]

    assert acting_mandate(account, body, day) == as_alternate
    assert acting_mandate(first.holder_user, body, day) == first
    assert acting_mandate(AnonymousUser(), body, day) is None
    assert acting_mandate(account, BodyFactory(program=program), day) is None
    assert acting_mandate(first.holder_user, body, D(2023, 12, 31)) is None
