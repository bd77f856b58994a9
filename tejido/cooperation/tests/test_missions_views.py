# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Study mission pages: status codes, content, refused POSTs, query counts, the demo."""

from __future__ import annotations

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.missions import services
from tejido.cooperation.models import FollowUpOutcome, MissionContact, StudyMission
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.dashboards.demo.cooperation.missions import demo_missions
from tejido.network.models import Provenance, Tie

from .factories import (
    MissionParticipantFactory,
    StudyMissionFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db


def url(name: str, program, *args) -> str:
    return reverse(f"cooperation:{name}", args=[program.slug, *args])


def past_mission(program, contacts: int = 3):
    today = timezone.localdate()
    mission = StudyMissionFactory(
        program=program,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=25),
    )
    participant = MissionParticipantFactory(mission=mission, actor__program=program)
    coordinator = coordinator_of(program)
    for _ in range(contacts):
        c = services.contact_record(
            user=coordinator, participant=participant, contact=ActorFactory(program=program)
        )
        services.contact_follow_up(
            user=coordinator, contact=c, outcome=FollowUpOutcome.COLLABORATING
        )
    return mission, participant


def test_list_and_page_show_the_mission(client) -> None:
    program = ProgramFactory()
    mission, participant = past_mission(program)
    upcoming = StudyMissionFactory(
        program=program,
        title="Visita a Medellín",
        starts_on=timezone.localdate() + datetime.timedelta(days=10),
        ends_on=timezone.localdate() + datetime.timedelta(days=12),
    )
    response = client.get(url("missions", program))
    assert response.status_code == 200
    assert mission.title in response.text and upcoming.title in response.text
    response = client.get(url("mission", program, mission.pk))
    assert response.status_code == 200
    assert "Its effect on the network" in response.text or "efecto" in response.text
    assert participant.actor.name in response.text
    assert response.context["page"].effect.contacts == 3
    assert response.context["page"].effect.new_pairs == 3
    assert response.context["page"].effect.outcomes[2][2] == 3
    # Visitors of a public program do not read the notes.
    assert response.context["show_notes"] is False


def test_new_mission_form(client) -> None:
    program = ProgramFactory()
    orgs = ActorFactory.create_batch(2, program=program)
    client.force_login(representative_of(orgs[0]))
    assert client.get(url("mission_new", program)).status_code == 403
    client.force_login(coordinator_of(program))
    assert client.get(url("mission_new", program)).status_code == 200
    data = {
        "title": "Misión a Bilbao",
        "destination": "Bilbao",
        "country": "ES",
        "starts_on": "2026-05-10",
        "ends_on": "2026-05-08",
        "new_host_sector": "international",
        "participants": [o.pk for o in orgs],
    }
    response = client.post(url("mission_new", program), data)
    assert response.status_code == 400 and StudyMission.objects.count() == 0
    data["ends_on"] = "2026-05-15"
    response = client.post(url("mission_new", program), data)
    mission = StudyMission.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "mission", program, mission.pk
    )
    assert mission.participants.count() == 2


def test_contacts_page_records_a_tie_and_refuses_others(client) -> None:
    program = ProgramFactory()
    mission, participant = past_mission(program, contacts=0)
    contact = ActorFactory(program=program)
    # A member who does not speak for a participant: forbidden, nothing written.
    client.force_login(member_of(program))
    before = (MissionContact.objects.count(), Tie.objects.count(), AuditEntry.objects.count())
    response = client.post(
        url("mission_contacts", program, mission.pk),
        {"participant": participant.pk, "contact": contact.pk, "new_sector": "international"},
    )
    assert response.status_code == 403
    assert (
        MissionContact.objects.count(),
        Tie.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    client.force_login(representative_of(participant.actor))
    assert client.get(url("mission_contacts", program, mission.pk)).status_code == 200
    data = {"participant": participant.pk, "contact": contact.pk, "new_sector": "international"}
    response = client.post(url("mission_contacts", program, mission.pk), data)
    assert response.status_code == 302
    assert Tie.objects.current().get().provenance == Provenance.MISSION
    # A double submit writes nothing more.
    response = client.post(url("mission_contacts", program, mission.pk), data)
    assert response.status_code == 400
    assert MissionContact.objects.count() == 1


def test_follow_up_page_and_htmx_row(client) -> None:
    program = ProgramFactory()
    mission, participant = past_mission(program, contacts=1)
    contact = MissionContact.objects.get()
    client.force_login(representative_of(participant.actor))
    page = url("mission_follow_up", program, mission.pk)
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {
            "contact_id": contact.pk,
            f"c{contact.pk}-contact": contact.pk,
            f"c{contact.pk}-outcome": "agreement",
            f"c{contact.pk}-outcome_note": "Convenio",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="contact-{contact.pk}"' in response.text and "<html" not in response.text
    contact.refresh_from_db()
    assert contact.outcome == "agreement"
    client.force_login(member_of(program))
    assert client.get(page).status_code == 403


def test_private_program_hides_missions(client) -> None:
    program = ProgramFactory(is_public=False)
    mission, _participant = past_mission(program, contacts=1)
    response = client.get(url("mission", program, mission.pk))
    assert response.status_code == 302  # log in first
    client.force_login(member_of(ProgramFactory()))
    assert client.get(url("mission", program, mission.pk)).status_code == 404


@pytest.mark.parametrize("page", ["missions", "mission"])
def test_query_counts_do_not_grow(client, django_assert_max_num_queries, page) -> None:
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    client.force_login(coordinator)

    def measure(mission) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        target = (
            url("missions", program) if page == "missions" else url("mission", program, mission.pk)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        return len(queries)

    small, _ = past_mission(program, contacts=3)
    few = measure(small)
    big, _ = past_mission(program, contacts=30)
    for _ in range(5):
        MissionParticipantFactory(mission=big, actor__program=program)
    assert measure(big) == few if page == "mission" else measure(big) <= few


def test_demo_missions() -> None:
    program = ProgramFactory()
    ActorFactory.create_batch(8, program=program)
    coordinator = coordinator_of(program)
    today = timezone.localdate()
    demo_missions(program, coordinator=coordinator, today=today, rng=random.Random(1))
    past, upcoming = StudyMission.objects.filter(program=program).order_by("starts_on")
    assert past.ends_on < today < upcoming.starts_on
    assert past.participants.count() == 5 and past.hosts.count() == 3
    assert MissionContact.objects.filter(mission=past).count() >= 12
    assert MissionContact.objects.filter(mission=past).exclude(outcome="").exists()
    assert Tie.objects.filter(provenance=Provenance.MISSION).exists()
    assert upcoming.participants.exists()


def test_representative_page_queries_do_not_grow_with_participants(client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = ProgramFactory()
    mission, participant = past_mission(program, contacts=2)
    client.force_login(representative_of(participant.actor))

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("mission", program, mission.pk))
            assert response.status_code == 200
        assert response.context["can_record"] is True
        return len(queries)

    few = measure()
    for _ in range(6):
        MissionParticipantFactory(mission=mission, actor__program=program)
    assert measure() == few
