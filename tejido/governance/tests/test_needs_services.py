"""The needs register's services: recording, editing and changing the status of needs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tejido.core.models import AuditEntry, Theme
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.governance.models import MeetingStatus, Need, NeedSource, NeedStatus
from tejido.governance.needs import services
from tejido.governance.tests.factories import BodyFactory, MeetingFactory

from .test_needs_support import make_session, make_world

pytestmark = pytest.mark.django_db


def test_need_create_records_the_need_and_audits_it():
    world = make_world(needs=0)
    theme = Theme.objects.get(transition="social")
    meeting = MeetingFactory(body=world.body, status=MeetingStatus.HELD)
    need = services.need_create(
        user=world.member,
        program=world.program,
        territory=world.barrio,
        title="  Luminarias   apagadas en pasaje Los Aromos ",
        theme=theme,
        description=" Cuatro luminarias apagadas. ",
        source=NeedSource.MEETING,
        source_meeting=meeting,
        people_affected=180,
    )
    need.refresh_from_db()
    assert need.title == "Luminarias apagadas en pasaje Los Aromos"
    assert need.description == "Cuatro luminarias apagadas."
    assert (need.theme, need.source, need.source_meeting) == (theme, "meeting", meeting)
    assert need.people_affected == 180 and need.status == NeedStatus.OPEN
    assert need.created_by == world.member
    entry = AuditEntry.objects.get(action="governance.need_create")
    assert entry.target_id == str(need.pk) and entry.program == world.program


def test_need_create_accepts_the_program_area_and_the_place_above_it():
    world = make_world(needs=0)
    for place in (world.comuna, world.barrio, world.other_barrio, world.comuna.parent):
        services.need_create(
            user=world.coordinator, program=world.program, territory=place, title="Plaza"
        )
    assert Need.objects.filter(program=world.program).count() == 4


def test_a_program_without_territories_takes_needs_anywhere():
    program = ProgramFactory()
    need = services.need_create(
        user=None, program=program, territory=TerritoryFactory(), title="Sede sin baño"
    )
    assert need.pk and need.created_by is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"people_affected": -1}, "people_affected"),
        ({"source": "rumour"}, "source"),
    ],
)
def test_need_create_refuses_bad_input_and_writes_nothing(changes, field):
    world = make_world(needs=0)
    arguments = {
        "user": world.coordinator,
        "program": world.program,
        "territory": world.barrio,
        "title": "Plaza sin juegos",
    } | changes
    with pytest.raises(ValidationError) as caught:
        services.need_create(**arguments)
    assert field in caught.value.message_dict
    assert not Need.objects.exists() and not AuditEntry.objects.exists()


def test_need_create_refuses_a_territory_outside_the_program():
    world = make_world(needs=0)
    with pytest.raises(ValidationError) as caught:
        services.need_create(
            user=world.coordinator, program=world.program, territory=world.outside, title="X"
        )
    assert "Valparaíso is outside the territories" in caught.value.message_dict["territory"][0]


def test_need_create_refuses_a_meeting_that_does_not_fit():
    world = make_world(needs=0)
    other_meeting = MeetingFactory(body=BodyFactory())
    cancelled = MeetingFactory(body=world.body, status=MeetingStatus.CANCELLED)
    ours = MeetingFactory(body=world.body)
    cases = [
        (NeedSource.MEETING, other_meeting, "Choose a meeting of this program."),
        (NeedSource.MEETING, cancelled, "That meeting was cancelled"),
        (NeedSource.DIAGNOSIS, ours, "Only a need raised at a meeting names the meeting."),
    ]
    for source, meeting, message in cases:
        with pytest.raises(ValidationError) as caught:
            services.need_create(
                user=world.coordinator,
                program=world.program,
                territory=world.barrio,
                title="Perros abandonados",
                source=source,
                source_meeting=meeting,
            )
        assert message in caught.value.message_dict["source_meeting"][0]
    assert not Need.objects.exists()


def test_need_update_changes_fields_and_audits_what_changed():
    world = make_world(needs=1)
    need = world.needs[0]
    theme = Theme.objects.get(transition="ecological")
    services.need_update(
        user=world.member,
        need=need,
        title="Microbasural en la esquina",
        theme=theme,
        territory=world.other_barrio,
        people_affected=None,
    )
    need.refresh_from_db()
    assert (need.title, need.theme, need.territory) == (
        "Microbasural en la esquina",
        theme,
        world.other_barrio,
    )
    assert need.people_affected is None
    entry = AuditEntry.objects.get(action="governance.need_update")
    assert entry.data["changed"] == ["people_affected", "territory", "theme", "title"]


def test_need_update_without_changes_writes_nothing():
    world = make_world(needs=1)
    need = world.needs[0]
    services.need_update(user=world.member, need=need, title=need.title)
    assert not AuditEntry.objects.filter(action="governance.need_update").exists()


def test_need_update_keeps_the_territory_of_a_need_already_prioritized():
    world = make_world(needs=3)
    make_session(world)  # open: the needs are being prioritized in Villa El Esfuerzo
    with pytest.raises(ValidationError) as caught:
        services.need_update(user=world.member, need=world.needs[0], territory=world.comuna)
    assert "territory" in caught.value.message_dict
    assert Need.objects.get(pk=world.needs[0].pk).territory == world.barrio


def test_need_update_refuses_unknown_fields():
    world = make_world(needs=1)
    with pytest.raises(TypeError):
        services.need_update(user=world.member, need=world.needs[0], status="addressed")


def test_need_set_status():
    world = make_world(needs=1)
    need = services.need_set_status(
        user=world.coordinator, need=world.needs[0], status=NeedStatus.IN_PLAN
    )
    assert Need.objects.get(pk=need.pk).status == NeedStatus.IN_PLAN
    entry = AuditEntry.objects.get(action="governance.need_set_status")
    assert entry.data == {"from": "open", "to": "in_plan"}
    # The same status again changes and logs nothing.
    services.need_set_status(user=world.coordinator, need=need, status=NeedStatus.IN_PLAN)
    assert AuditEntry.objects.filter(action="governance.need_set_status").count() == 1
    with pytest.raises(ValidationError):
        services.need_set_status(user=world.coordinator, need=need, status="done")
    assert Need.objects.get(pk=need.pk).status == NeedStatus.IN_PLAN
