# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr,list-item"
"""Study mission services: planning, contacts as ties, the follow-up, the reminder."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.cooperation.missions import services
from tejido.cooperation.missions.services import NewContact, follow_up_date
from tejido.cooperation.models import FollowUpOutcome, MissionContact, StudyMission
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .factories import (
    MissionParticipantFactory,
    StudyMissionFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        MissionContact.objects.count(),
        Tie.objects.count(),
        AuditEntry.objects.count(),
        Actor.objects.count(),
    )


def test_follow_up_date_is_month_safe() -> None:
    assert follow_up_date(datetime.date(2026, 8, 31)) == datetime.date(2027, 2, 28)
    assert follow_up_date(datetime.date(2027, 8, 31)) == datetime.date(2028, 2, 29)
    assert follow_up_date(datetime.date(2026, 1, 15)) == datetime.date(2026, 7, 15)
    assert follow_up_date(datetime.date(2026, 7, 31)) == datetime.date(2027, 1, 31)


def test_mission_create_with_hosts_participants_and_new_host() -> None:
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    a, b, host = ActorFactory.create_batch(3, program=program)
    mission = services.mission_create(
        user=coordinator,
        program=program,
        title="Misión a Bilbao",
        destination="Bilbao",
        country="ES",
        starts_on=datetime.date(2026, 8, 25),
        ends_on=datetime.date(2026, 8, 31),
        hosts=[host],
        participants=[a, b],
        new_host_name="REAS Euskadi",
    )
    assert mission.follow_up_on == datetime.date(2027, 2, 28)
    assert {p.actor_id for p in mission.participants.all()} == {a.pk, b.pk}
    new_host = Actor.objects.get(name="REAS Euskadi")
    assert new_host.sector == Sector.INTERNATIONAL and new_host.program == program
    assert set(mission.hosts.values_list("pk", flat=True)) == {host.pk, new_host.pk}
    assert AuditEntry.objects.filter(action="cooperation.mission.create").count() == 1


def test_mission_create_refusals_change_nothing() -> None:
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    org = ActorFactory(program=program)
    person = PersonFactory(program=program)
    other = ActorFactory()
    before = (StudyMission.objects.count(), *counts())
    base = {"program": program, "title": "X", "destination": "Y", "country": "ES"}
    with pytest.raises(ValidationError) as error:
        services.mission_create(
            user=coordinator,
            starts_on=datetime.date(2026, 5, 2),
            ends_on=datetime.date(2026, 5, 1),
            **base,
        )
    assert "ends_on" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.mission_create(
            user=coordinator,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 5, 1),
            participants=[person, other],
            new_host_name=org.name,
            **base,
        )
    assert {"participants", "new_host_name"} <= set(error.value.error_dict)
    with pytest.raises(PermissionDenied):
        services.mission_create(
            user=representative_of(org),
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 5, 1),
            **base,
        )
    assert (StudyMission.objects.count(), *counts()) == before


def test_mission_update_moves_follow_up_and_keeps_participants_with_contacts() -> None:
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    participant = MissionParticipantFactory(mission__program=program)
    mission = participant.mission
    services.contact_record(
        user=coordinator, participant=participant, contact=ActorFactory(program=program)
    )
    values = {
        "title": mission.title,
        "destination": mission.destination,
        "starts_on": mission.starts_on,
        "ends_on": mission.ends_on,
    }
    with pytest.raises(ValidationError) as error:
        services.mission_update(user=coordinator, mission=mission, participants=[], **values)
    assert "participants" in error.value.error_dict
    new_end = mission.ends_on + datetime.timedelta(days=1)
    values["ends_on"] = new_end
    updated = services.mission_update(
        user=coordinator,
        mission=mission,
        participants=[participant.actor],
        status="done",
        **values,
    )
    assert updated.follow_up_on == follow_up_date(new_end)
    assert updated.status == "done"


def _mission_with(program, *, days_ago: int = 15) -> tuple:
    today = timezone.localdate()
    mission = StudyMissionFactory(
        program=program,
        starts_on=today - datetime.timedelta(days=days_ago + 5),
        ends_on=today - datetime.timedelta(days=days_ago),
    )
    participant = MissionParticipantFactory(mission=mission, actor__program=program)
    return mission, participant


def test_contact_record_creates_a_mission_tie_and_audit() -> None:
    program = ProgramFactory()
    mission, participant = _mission_with(program)
    user = representative_of(participant.actor)
    contact = ActorFactory(program=program, sector=Sector.INTERNATIONAL)
    recorded = services.contact_record(
        user=user, participant=participant, contact=contact, note="Finanzas éticas"
    )
    tie = recorded.tie
    assert tie is not None and tie.superseded_at is None
    assert {tie.source_id, tie.target_id} == {participant.actor_id, contact.pk}
    assert tie.tie_type == TieType.INFORMATION
    assert tie.intensity == Intensity.AWARENESS
    assert tie.provenance == Provenance.MISSION
    assert tie.started_on == mission.ends_on
    assert AuditEntry.objects.filter(action="cooperation.mission.contact").count() == 1


def test_contact_record_new_organization() -> None:
    program = ProgramFactory()
    _mission, participant = _mission_with(program)
    recorded = services.contact_record(
        user=coordinator_of(program),
        participant=participant,
        new_contact=NewContact(name="Coop57", sector=Sector.INTERNATIONAL, country="ES"),
    )
    assert recorded.contact.name == "Coop57"
    assert recorded.contact.kind == ActorKind.ORGANIZATION
    assert recorded.contact.address == "Spain"
    assert recorded.tie.provenance == Provenance.MISSION


def test_contact_record_never_weakens_a_stronger_tie() -> None:
    program = ProgramFactory()
    _mission, participant = _mission_with(program)
    contact = ActorFactory(program=program)
    strong = tie_create(
        user=None,
        source=participant.actor,
        target=contact,
        tie_type=TieType.INFORMATION,
        intensity=Intensity.COLLABORATION,
        provenance=Provenance.MANUAL,
    )
    recorded = services.contact_record(
        user=coordinator_of(program), participant=participant, contact=contact
    )
    assert recorded.tie.pk == strong.pk
    current = Tie.objects.current().get(tie_type=TieType.INFORMATION)
    assert current.intensity == Intensity.COLLABORATION
    assert current.provenance == Provenance.MANUAL


def test_contact_record_refusals_change_nothing() -> None:
    program = ProgramFactory()
    mission, participant = _mission_with(program)
    coordinator = coordinator_of(program)
    contact = ActorFactory(program=program)
    services.contact_record(user=coordinator, participant=participant, contact=contact)
    before = counts()
    refusals = [
        {"contact": participant.actor},  # itself
        {"contact": contact},  # duplicate
        {"contact": PersonFactory(program=program)},  # a person
        {"contact": ActorFactory()},  # another program
        {"new_contact": NewContact(name=contact.name)},  # already in the registry
        {},  # nothing chosen
    ]
    before = counts()
    for kwargs in refusals:
        with pytest.raises(ValidationError):
            services.contact_record(user=coordinator, participant=participant, **kwargs)
    # Not a participant's representative, a member, another entity's representative.
    other = MissionParticipantFactory(mission=mission, actor__program=program)
    for user in (member_of(program), representative_of(other.actor)):
        with pytest.raises(PermissionDenied):
            services.contact_record(
                user=user, participant=participant, contact=ActorFactory(program=program)
            )
    assert counts()[:3] == before[:3]


def test_contact_record_refused_before_the_mission_starts() -> None:
    program = ProgramFactory()
    _mission, participant = _mission_with(program, days_ago=-30)
    before = counts()
    with pytest.raises(ValidationError):
        services.contact_record(
            user=coordinator_of(program),
            participant=participant,
            contact=ActorFactory(program=program),
        )
    assert counts()[:3] == before[:3]


def test_follow_up_strengthens_and_never_weakens() -> None:
    program = ProgramFactory()
    _mission, participant = _mission_with(program)
    user = representative_of(participant.actor)
    contact = services.contact_record(
        user=user, participant=participant, contact=ActorFactory(program=program)
    )
    answered = services.contact_follow_up(
        user=user, contact=contact, outcome=FollowUpOutcome.AGREEMENT, outcome_note="Convenio"
    )
    info = Tie.objects.current().get(tie_type=TieType.INFORMATION)
    agreement = Tie.objects.current().get(tie_type=TieType.AGREEMENT)
    assert info.intensity == Intensity.COORDINATION and info.provenance == Provenance.MISSION
    assert agreement.provenance == Provenance.MISSION
    assert answered.tie_id == info.pk
    # Same answer again: nothing written.
    before = counts()
    services.contact_follow_up(
        user=user, contact=answered, outcome=FollowUpOutcome.AGREEMENT, outcome_note="Convenio"
    )
    assert counts() == before
    # A lesser answer later keeps the ties as they are.
    services.contact_follow_up(user=user, contact=answered, outcome=FollowUpOutcome.NOTHING)
    assert Tie.objects.current().get(tie_type=TieType.INFORMATION).intensity == (
        Intensity.COORDINATION
    )
    assert Tie.objects.current().filter(tie_type=TieType.AGREEMENT).count() == 1


def test_follow_up_refusals_change_nothing() -> None:
    program = ProgramFactory()
    _mission, participant = _mission_with(program)
    contact = services.contact_record(
        user=coordinator_of(program), participant=participant, contact=ActorFactory(program=program)
    )
    before = counts()
    with pytest.raises(ValidationError):
        services.contact_follow_up(user=coordinator_of(program), contact=contact, outcome="maybe")
    with pytest.raises(PermissionDenied):
        services.contact_follow_up(
            user=member_of(program), contact=contact, outcome=FollowUpOutcome.IN_TOUCH
        )
    assert counts() == before
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_followups_command_mails_once_in_the_recipients_language(
    django_capture_on_commit_callbacks,
) -> None:
    program = ProgramFactory()
    mission, participant = _mission_with(program, days_ago=200)
    mission.follow_up_on = timezone.localdate() - datetime.timedelta(days=1)
    mission.save()
    user = representative_of(participant.actor)
    user.preferred_language = "en"
    user.save()
    not_due = StudyMissionFactory(
        program=program, follow_up_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    MissionParticipantFactory(mission=not_due, actor=participant.actor)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cooperation", "followups", "--base-url", "https://tejido.example")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "what came of your contacts" in message.subject
    assert f"/cooperation/missions/{mission.pk}/follow-up/" in message.body
    mission.refresh_from_db()
    assert mission.follow_up_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cooperation", "followups")
    assert len(mail.outbox) == 1
