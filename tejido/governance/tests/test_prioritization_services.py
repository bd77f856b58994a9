"""Prioritization sessions: creating, opening, inputs (one per participant, replaceable while
open), closing, and results that are `voting.prioritize` on the stored inputs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.core.models import AuditEntry
from tejido.governance import voting
from tejido.governance.models import (
    Need,
    NeedStatus,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
    SessionStatus,
)
from tejido.governance.needs import services
from tejido.governance.needs.selectors import participant_for, session_participants
from tejido.governance.tests.factories import BodyFactory, MeetingFactory

from .test_needs_support import hanlon_input, make_session, make_world

pytestmark = pytest.mark.django_db


# -- creating ---------------------------------------------------------------------------------


def test_a_hanlon_session_gets_its_fixed_factors():
    world = make_world()
    meeting = MeetingFactory(body=world.body)
    session = make_session(world, open_it=False, meeting=meeting)
    assert session.status == SessionStatus.DRAFT
    assert session.cycle == world.program.current_cycle()
    codes = [(c.code, c.scale_min, c.scale_max) for c in session.criteria.all()]
    assert codes == [
        ("size", 0, 10),
        ("seriousness", 0, 10),
        ("effectiveness", 0, 10),
        ("propriety", 0, 1),
        ("economics", 0, 1),
        ("acceptability", 0, 1),
        ("resources", 0, 1),
        ("legality", 0, 1),
    ]
    assert set(session.needs.all()) == set(world.needs)
    assert AuditEntry.objects.filter(action="governance.session_create").count() == 1


def test_a_criteria_session_keeps_its_weighted_criteria():
    world = make_world()
    session = make_session(
        world,
        PrioritizationMethod.CRITERIA,
        open_it=False,
        criteria=[
            {"name": "Urgencia", "weight": "2.5", "scale_min": 1, "scale_max": 5},
            {"name": "Costo bajo", "weight": 1, "scale_min": 0, "scale_max": 3},
        ],
    )
    rows = [(c.name, c.weight, c.scale_min, c.scale_max) for c in session.criteria.all()]
    assert rows == [("Urgencia", Decimal("2.50"), 1, 5), ("Costo bajo", Decimal("1.00"), 0, 3)]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "at least one criterion"),
        ([{"name": "", "weight": 1}], "Give every criterion a name."),
        ([{"name": "A", "weight": 0}], "must be a number above 0"),
        ([{"name": "A", "weight": "x"}], "is not a number"),
        ([{"name": "A", "scale_min": 5, "scale_max": 5}], "must go from a lowest"),
        ([{"name": "A"}, {"name": "a"}], "Two criteria are called"),
    ],
)
def test_bad_criteria_are_refused(criteria, message):
    world = make_world()
    with pytest.raises(ValidationError) as caught:
        make_session(world, PrioritizationMethod.CRITERIA, open_it=False, criteria=criteria)
    assert message in caught.value.message_dict["criteria"][0]
    assert not PrioritizationSession.objects.exists()


def test_session_create_refusals_write_nothing():
    world = make_world()
    elsewhere = services.need_create(
        user=world.coordinator, program=world.program, territory=world.other_barrio, title="X"
    )
    closed_need = world.needs[0]
    services.need_set_status(user=world.coordinator, need=closed_need, status="addressed")
    other_body = BodyFactory()
    cases = [
        ({"needs": world.needs[1:2]}, "needs", "at least 2"),
        ({"needs": [*world.needs[1:], elsewhere]}, "needs", "is not in Villa El Esfuerzo"),
        ({"needs": world.needs}, "needs", "no longer open"),
        ({"title": " "}, "title", "Give the session a title."),
        ({"method": "lottery"}, "method", "Choose a prioritization method."),
        ({"body": other_body}, "body", "Choose a body of this program."),
        ({"territory": world.outside}, "territory", "outside the territories"),
        ({"meeting": MeetingFactory(body=other_body)}, "meeting", "of this program"),
        ({"criteria": [{"name": "A"}]}, "criteria", "Only a criteria matrix"),
        (
            {"method": PrioritizationMethod.DOTS, "dots_per_participant": 0},
            "dots_per_participant",
            "from 1 to 100",
        ),
    ]
    for changes, field, message in cases:
        arguments = {
            "user": world.coordinator,
            "program": world.program,
            "territory": world.barrio,
            "title": "Priorización",
            "method": PrioritizationMethod.HANLON,
            "needs": world.needs[1:],
            "body": world.body,
        } | changes
        with pytest.raises(ValidationError) as caught:
            services.session_create(**arguments)
        assert message in caught.value.message_dict[field][0], (field, caught.value)
    assert not PrioritizationSession.objects.exists()


def test_a_body_of_another_territory_cannot_prioritize_here():
    world = make_world()
    world.body.territory = world.other_barrio
    world.body.save()
    with pytest.raises(ValidationError) as caught:
        make_session(world, open_it=False)
    assert "works in San Ricardo" in caught.value.message_dict["body"][0]


def test_only_a_draft_opens():
    world = make_world()
    session = make_session(world)
    assert session.status == SessionStatus.OPEN
    with pytest.raises(ValidationError):
        services.session_open(user=world.coordinator, session=session)


# -- participants and inputs ------------------------------------------------------------------


def test_participants_are_the_seats_users_or_the_programs_members():
    world = make_world()
    mandate = world.mandates[0]
    alternate = UserFactory()
    mandate.alternate_user = alternate
    mandate.save()
    with_body = make_session(world)
    ids = {p.user_id for p in session_participants(with_body)}
    assert ids == {u.pk for u in world.holders} | {alternate.pk}
    without = make_session(world, with_body=False)
    ids = {p.user_id for p in session_participants(without)}
    # Coordinators and directorate members (the seat holders are directorate members too).
    assert ids == {world.coordinator.pk, world.member.pk} | {u.pk for u in world.holders}
    assert participant_for(without, world.representative) is None
    assert participant_for(without, world.outsider) is None


def test_input_submit_stores_the_canonical_input_and_replaces_it():
    world = make_world()
    session = make_session(world)
    holder = world.holders[0]
    first = services.input_submit(
        user=holder, session=session, content=hanlon_input(world.needs, size=3)
    )
    assert first.content["scores"][str(world.needs[0].pk)]["size"] == 3
    second = services.input_submit(
        user=holder, session=session, content=hanlon_input(world.needs, size=9)
    )
    assert second.pk == first.pk
    assert PrioritizationInput.objects.filter(session=session).count() == 1
    stored = PrioritizationInput.objects.get(pk=first.pk)
    assert stored.content["scores"][str(world.needs[0].pk)]["size"] == 9
    assert stored.submitted_at >= first.submitted_at
    actions = list(
        AuditEntry.objects.filter(action__startswith="governance.input_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["governance.input_submit", "governance.input_replace"]


def test_the_database_keeps_one_input_per_participant():
    world = make_world()
    session = make_session(world)
    holder = world.holders[0]
    services.input_submit(user=holder, session=session, content=hanlon_input(world.needs))
    with pytest.raises(IntegrityError), transaction.atomic():
        PrioritizationInput.objects.create(
            session=session, participant=holder, content=hanlon_input(world.needs)
        )


def test_who_may_not_give_an_input():
    world = make_world()
    session = make_session(world)
    content = hanlon_input(world.needs)
    refusals = {
        world.member: "Only the seat holders of",
        world.representative: "Only the seat holders of",
        world.coordinator: "Only the seat holders of",
        world.outsider: "Only the seat holders of",
    }
    for user, message in refusals.items():
        with pytest.raises(ValidationError) as caught:
            services.input_submit(user=user, session=session, content=content)
        assert message in caught.value.messages[0]
    anonymous = type("Anonymous", (), {"is_authenticated": False})()
    with pytest.raises(ValidationError):
        services.input_submit(user=anonymous, session=session, content=content)
    assert not PrioritizationInput.objects.exists()


def test_a_former_seat_holder_no_longer_gives_inputs():
    world = make_world()
    session = make_session(world)
    mandate = world.mandates[0]
    mandate.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    mandate.save()
    with pytest.raises(ValidationError):
        services.input_submit(
            user=mandate.holder_user, session=session, content=hanlon_input(world.needs)
        )


def test_a_seat_gives_one_input_by_its_holder_or_its_alternate():
    world = make_world()
    mandate = world.mandates[0]
    alternate = UserFactory()
    mandate.alternate_user = alternate
    mandate.save()
    session = make_session(world)
    services.input_submit(user=alternate, session=session, content=hanlon_input(world.needs))
    with pytest.raises(ValidationError) as caught:
        services.input_submit(
            user=mandate.holder_user, session=session, content=hanlon_input(world.needs)
        )
    assert "Each seat gives one input" in caught.value.messages[0]
    # The alternate may still replace the seat's input.
    services.input_submit(
        user=alternate, session=session, content=hanlon_input(world.needs, size=1)
    )
    assert session.inputs.count() == 1


def test_without_a_body_coordinators_and_directorate_members_give_inputs():
    world = make_world()
    session = make_session(world, PrioritizationMethod.DOTS, with_body=False)
    for user in (world.coordinator, world.member):
        services.input_submit(
            user=user, session=session, content={"dots": {str(world.needs[0].pk): 5}}
        )
    assert session.inputs.count() == 2
    with pytest.raises(ValidationError):
        services.input_submit(
            user=world.representative,
            session=session,
            content={"dots": {str(world.needs[0].pk): 1}},
        )


def test_inputs_only_while_open():
    world = make_world()
    draft = make_session(world, open_it=False)
    with pytest.raises(ValidationError) as caught:
        services.input_submit(
            user=world.holders[0], session=draft, content=hanlon_input(world.needs)
        )
    assert "not open yet" in caught.value.messages[0]
    session = services.session_open(user=world.coordinator, session=draft)
    services.input_submit(user=world.holders[0], session=session, content=hanlon_input(world.needs))
    services.session_close(user=world.coordinator, session=session)
    with pytest.raises(ValidationError) as caught:
        services.input_submit(
            user=world.holders[0], session=session, content=hanlon_input(world.needs, size=1)
        )
    assert "closed" in caught.value.messages[0]
    stored = PrioritizationInput.objects.get(session=session)
    assert stored.content == hanlon_input(world.needs)  # unchanged after closing


@pytest.mark.parametrize(
    ("method", "content", "message"),
    [
        ("hanlon", {"scores": {}}, "on every criterion"),
        ("hanlon", "scores", "does not fit"),
        ("dots", {"dots": {}}, "Place at least one dot."),
        ("dots", {"dots": "NEED:6"}, "does not fit"),
        ("ranked", {"ranking": []}, "Give at least one need a place."),
        ("ranked", {"ranking": [999999]}, "not in this session"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(method, content, message):
    world = make_world()
    session = make_session(world, method)
    with pytest.raises(ValidationError) as caught:
        services.input_submit(user=world.holders[0], session=session, content=content)
    assert message in caught.value.messages[0]
    assert not session.inputs.exists()


def test_bad_inputs_name_the_need_and_the_criterion():
    world = make_world()
    session = make_session(world)
    content = hanlon_input(world.needs)
    content["scores"][str(world.needs[1].pk)]["seriousness"] = 11
    with pytest.raises(ValidationError) as caught:
        services.input_submit(user=world.holders[0], session=session, content=content)
    assert caught.value.messages[0] == (
        f"The score of “{world.needs[1].title}” for “Seriousness” must be from 0 to 10."
    )
    dots = make_session(world, PrioritizationMethod.DOTS, dots_per_participant=3)
    with pytest.raises(ValidationError) as caught:
        services.input_submit(
            user=world.holders[0],
            session=dots,
            content={"dots": {str(world.needs[0].pk): 2, str(world.needs[1].pk): 2}},
        )
    assert caught.value.messages[0] == "You have 3 dots and placed 4: take 1 away."


# -- closing ----------------------------------------------------------------------------------


def _fill(world, session, contents):
    for user, content in zip(world.holders, contents, strict=False):
        services.input_submit(user=user, session=session, content=content)


def test_closing_stores_what_prioritize_gives_on_the_stored_inputs():
    world = make_world(needs=6, seats=3)
    session = make_session(world)
    needs = world.needs
    _fill(
        world,
        session,
        [
            hanlon_input(needs, size=8, seriousness=7, effectiveness=9),
            hanlon_input(needs, size=2, seriousness=9, effectiveness=4, legality=0),
            hanlon_input(needs, size=5, seriousness=5, effectiveness=5),
        ],
    )
    closed = services.session_close(user=world.coordinator, session=session, top=2)
    assert closed.status == SessionStatus.CLOSED and closed.closed_at is not None
    stored = [
        i.content
        for i in PrioritizationInput.objects.filter(session=session).order_by("participant_id")
    ]
    seed = services.inputs_digest(stored)
    expected = voting.prioritize("hanlon", sorted(n.pk for n in needs), stored, seed=seed)
    result = PrioritizationSession.objects.get(pk=session.pk).result
    assert voting.Priority.from_dict(result) == expected
    assert result["seed"] == seed and result["input_count"] == 3 and result["top"] == 2
    assert result["prioritized"] == expected.order[:2]
    prioritized = set(
        Need.objects.filter(status=NeedStatus.PRIORITIZED).values_list("pk", flat=True)
    )
    assert prioritized == set(expected.order[:2])
    assert AuditEntry.objects.filter(action="governance.session_close").count() == 1


def test_excluded_needs_are_not_prioritized():
    world = make_world(needs=4)
    session = make_session(world)
    needs = world.needs
    # Every participant says "not legal" for the need that would come first.
    contents = []
    for _ in world.holders:
        content = hanlon_input(needs, size=3, seriousness=3, effectiveness=3)
        content["scores"][str(needs[0].pk)] = {
            "size": 10,
            "seriousness": 10,
            "effectiveness": 10,
            "propriety": 1,
            "economics": 1,
            "acceptability": 1,
            "resources": 1,
            "legality": 0,
        }
        contents.append(content)
    _fill(world, session, contents)
    closed = services.session_close(user=world.coordinator, session=session, top=4)
    assert closed.result["excluded"] == [needs[0].pk]
    assert needs[0].pk not in closed.result["prioritized"]
    assert len(closed.result["prioritized"]) == 3
    assert Need.objects.get(pk=needs[0].pk).status == NeedStatus.OPEN


@pytest.mark.parametrize(
    ("method", "contents"),
    [
        ("dots", [{"dots": {"0": 3, "1": 2}}, {"dots": {"2": 5}}, {"dots": {"0": 1}}]),
        ("ranked", [{"ranking": ["2", "0"]}, {"ranking": ["0", "1", "2"]}, {"ranking": ["1"]}]),
    ],
)
def test_dots_and_ranked_results_match_prioritize(method, contents):
    world = make_world(needs=4)
    session = make_session(world, method)
    ids = [str(n.pk) for n in world.needs]

    def real(content):
        if "dots" in content:
            return {"dots": {ids[int(k)]: v for k, v in content["dots"].items()}}
        return {"ranking": [int(ids[int(k)]) for k in content["ranking"]]}

    _fill(world, session, [real(c) for c in contents])
    closed = services.session_close(user=world.coordinator, session=session, top=1)
    stored = [i.content for i in session.inputs.order_by("participant_id")]
    expected = voting.prioritize(
        method, sorted(n.pk for n in world.needs), stored, seed=services.inputs_digest(stored)
    )
    assert voting.Priority.from_dict(closed.result) == expected


def test_a_criteria_matrix_result_uses_the_session_weights():
    world = make_world(needs=3, seats=2)
    session = make_session(
        world,
        PrioritizationMethod.CRITERIA,
        criteria=[
            {"name": "Urgencia", "weight": 3, "scale_min": 1, "scale_max": 5},
            {"name": "Costo", "weight": 1, "scale_min": 0, "scale_max": 10},
        ],
    )
    urgency, cost = (str(c.pk) for c in session.criteria.all())
    a, b, c = world.needs
    _fill(
        world,
        session,
        [
            {
                "scores": {
                    str(a.pk): {urgency: 5, cost: 0},
                    str(b.pk): {urgency: 1, cost: 10},
                    str(c.pk): {urgency: 3, cost: 5},
                }
            }
        ]
        * 2,
    )
    closed = services.session_close(user=world.coordinator, session=session, top=1)
    # a: (3 × 1 + 1 × 0) / 4 = 75; b: (0 + 1) / 4 = 25; c: (3 × .5 + .5) / 4 = 50.
    assert closed.result["order"] == [a.pk, c.pk, b.pk]
    assert closed.result["scores"][str(a.pk)] == 75


def test_close_refusals_change_nothing():
    world = make_world()
    session = make_session(world)
    with pytest.raises(ValidationError) as caught:
        services.session_close(user=world.coordinator, session=session)
    assert "Nobody has given an input yet" in caught.value.messages[0]
    services.input_submit(user=world.holders[0], session=session, content=hanlon_input(world.needs))
    for top in (0, 5):
        with pytest.raises(ValidationError) as caught:
            services.session_close(user=world.coordinator, session=session, top=top)
        assert "Mark from 1 to 4" in caught.value.message_dict["top"][0]
    fresh = PrioritizationSession.objects.get(pk=session.pk)
    assert fresh.status == SessionStatus.OPEN and fresh.result == {}
    assert not Need.objects.filter(status=NeedStatus.PRIORITIZED).exists()
    draft = make_session(world, open_it=False)
    with pytest.raises(ValidationError):
        services.session_close(user=world.coordinator, session=draft)


def test_a_need_already_in_the_plan_keeps_its_status_when_prioritized():
    world = make_world()
    session = make_session(world)
    _fill(world, session, [hanlon_input(world.needs)])
    services.need_set_status(user=world.coordinator, need=world.needs[0], status="in_plan")
    closed = services.session_close(user=world.coordinator, session=session, top=4)
    assert Need.objects.get(pk=world.needs[0].pk).status == NeedStatus.IN_PLAN
    assert world.needs[0].pk not in closed.result["marked"]
    assert len(closed.result["prioritized"]) == 4


def test_a_program_member_gains_participation_with_a_role():
    world = make_world()
    session = make_session(world, PrioritizationMethod.RANKED, with_body=False)
    newcomer = UserFactory()
    with pytest.raises(ValidationError):
        services.input_submit(
            user=newcomer, session=session, content={"ranking": [world.needs[0].pk]}
        )
    ProgramRoleFactory(user=newcomer, program=world.program, role=Role.DIRECTORATE_MEMBER)
    services.input_submit(user=newcomer, session=session, content={"ranking": [world.needs[0].pk]})
    assert session.inputs.filter(participant=newcomer).exists()
