# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Services of the shared social agendas: each stage's happy path, and every refusal changes
nothing (rows, audit entries, the space's state)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.cooperation.agendas import services
from tejido.cooperation.models import (
    AgendaItem,
    Endorsement,
    PriorityInput,
    SpaceSession,
    SpaceStatus,
)
from tejido.core.models import AuditEntry, Theme
from tejido.core.tests.factories import ProgramFactory, ThemeFactory
from tejido.network.models import Tie

from .agendas_helpers import (
    closed,
    make_world,
    prioritizing,
    published,
    snapshot,
    transition,
    when,
    with_groups,
)
from .factories import coordinator_of, member_of, representative_of

pytestmark = pytest.mark.django_db


def refused(error: type[Exception], call, space=None, code: str | None = None):
    before = snapshot(space)
    with pytest.raises(error) as info:
        call()
    assert snapshot(space) == before
    if code is not None:
        assert getattr(info.value, "code", None) == code or code in str(info.value.__dict__)
    return info.value


# -- spaces -----------------------------------------------------------------------------------


def test_space_create_with_series_of_sessions_and_audit():
    program = ProgramFactory()
    rep = representative_of(ActorFactory(program=program))
    theme = ThemeFactory()
    space = services.space_create(
        user=rep,
        program=program,
        title="  Agenda   social  ",
        format="series",
        sessions=[
            {"title": "", "starts_at": when(14), "place": "Sede"},
            {"title": "Apertura", "starts_at": when(7), "place": ""},
        ],
        themes=[theme, transition("social")],
        method="ranked",
    )
    assert space.title == "Agenda social"
    assert space.created_by == rep
    assert space.status == SpaceStatus.COLLECTING
    sessions = list(SpaceSession.objects.filter(space=space))
    assert [s.title for s in sessions] == ["Apertura", "Session 2"]
    assert set(space.themes.all()) == {theme, transition("social")}
    assert AuditEntry.objects.filter(action="cooperation.space_create").count() == 1
    assert rep.has_perm("cooperation.manage_space", space)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "  "}, "title"),
        ({"method": "hanlon"}, "method"),
        ({"dots_per_participant": 0}, "dots_per_participant"),
        ({"format": "session"}, "sessions"),  # two sessions for a single one
        ({"sessions": []}, "sessions"),
        ({"format": "series", "sessions": [{"starts_at": None}]}, "sessions"),
    ],
)
def test_space_create_refuses_bad_input(changes, field):
    program = ProgramFactory()
    coordinator = coordinator_of(program)
    values = {
        "title": "Agenda",
        "format": "series",
        "sessions": [{"starts_at": when(1)}, {"starts_at": when(2)}],
        "method": "dots",
        "dots_per_participant": 5,
    }
    values.update(changes)
    error = refused(
        ValidationError,
        lambda: services.space_create(user=coordinator, program=program, **values),
    )
    assert field in error.message_dict


def test_space_create_needs_a_representative_or_coordinator():
    program = ProgramFactory()
    refused(
        PermissionDenied,
        lambda: services.space_create(
            user=member_of(program),
            program=program,
            title="Agenda",
            sessions=[{"starts_at": when(1)}],
        ),
    )


# -- joining ----------------------------------------------------------------------------------


def test_join_once_on_behalf_of_a_represented_entity():
    world = make_world()
    assert world.space.participants.count() == 3
    assert AuditEntry.objects.filter(action="cooperation.space_join").count() == 3
    # A second click changes nothing.
    refused(
        ValidationError,
        lambda: services.space_join(user=world.reps[0], space=world.space, actor=world.entities[0]),
        world.space,
    )
    # Another organization than one's own.
    refused(
        ValidationError,
        lambda: services.space_join(
            user=world.outsider_rep, space=world.space, actor=world.entities[1]
        ),
        world.space,
    )
    services.space_join(user=world.outsider_rep, space=world.space, actor=world.outsider_entity)
    assert world.space.participants.count() == 4


def test_join_refused_when_closed_to_new_entities_or_published():
    world = make_world()
    world.space.open_to_join = False
    world.space.save()
    refused(
        ValidationError,
        lambda: services.space_join(
            user=world.outsider_rep, space=world.space, actor=world.outsider_entity
        ),
        world.space,
    )
    world2 = published(make_world())
    refused(
        ValidationError,
        lambda: services.space_join(
            user=world2.outsider_rep, space=world2.space, actor=world2.outsider_entity
        ),
        world2.space,
    )


def test_a_person_or_another_programs_entity_never_joins():
    world = make_world()
    person = PersonFactory(program=world.program)
    other = ActorFactory(program=ProgramFactory())
    rep = representative_of(other, representative_of(person))
    for actor in (person, other):
        refused(
            (ValidationError, PermissionDenied),
            lambda actor=actor: services.space_join(user=rep, space=world.space, actor=actor),
            world.space,
        )


# -- items, groups, comments ------------------------------------------------------------------


def test_item_raise_tagged_by_transitions():
    world = make_world()
    item = services.item_raise(
        user=world.reps[0],
        space=world.space,
        actor=world.entities[0],
        kind="trend",
        title="Monedas sociales",
        description="Circuitos de intercambio local.",
        transitions=[transition("digital"), transition("social")],
    )
    assert item.raised_by == world.entities[0]
    assert {t.transition for t in item.transitions.all()} == {"digital", "social"}
    assert AuditEntry.objects.filter(action="cooperation.item_raise").count() == 1


def test_item_raise_refusals_change_nothing():
    world = make_world()
    space = world.space
    # Not a participant.
    refused(
        PermissionDenied,
        lambda: services.item_raise(
            user=world.outsider_rep,
            space=space,
            actor=world.outsider_entity,
            kind="need",
            title="X",
        ),
        space,
    )
    # Another entity than one's own.
    refused(
        ValidationError,
        lambda: services.item_raise(
            user=world.reps[0], space=space, actor=world.entities[1], kind="need", title="X"
        ),
        space,
    )
    # A theme that is not a transition.
    error = refused(
        ValidationError,
        lambda: services.item_raise(
            user=world.reps[0],
            space=space,
            actor=world.entities[0],
            kind="need",
            title="X",
            transitions=[ThemeFactory()],
        ),
        space,
    )
    assert "transitions" in error.message_dict
    for kind, title in (("other", "X"), ("need", "   ")):
        refused(
            ValidationError,
            lambda kind=kind, title=title: services.item_raise(
                user=world.reps[0], space=space, actor=world.entities[0], kind=kind, title=title
            ),
            space,
        )
    # The coordinator does not take part.
    refused(
        PermissionDenied,
        lambda: services.item_raise(
            user=world.coordinator, space=space, actor=world.entities[0], kind="need", title="X"
        ),
        space,
    )


def test_grouping_by_managers_only_and_only_while_collecting():
    world = with_groups(make_world(), count=2, items_per_group=1)
    group = world.groups[0]
    item = AgendaItem.objects.filter(group=group).first()
    refused(
        PermissionDenied,
        lambda: services.group_create(user=world.reps[0], space=world.space, title="Mío"),
        world.space,
    )
    refused(
        PermissionDenied,
        lambda: services.item_assign(user=world.reps[0], item=item, group=None),
        world.space,
    )
    services.group_update(user=world.coordinator, group=group, title="Vivienda", summary="S")
    group.refresh_from_db()
    assert group.title == "Vivienda"
    services.item_assign(user=world.coordinator, item=item, group=None)
    item.refresh_from_db()
    assert item.group is None
    other_space_group = with_groups(make_world(program=world.program), count=1).groups[0]
    refused(
        ValidationError,
        lambda: services.item_assign(user=world.coordinator, item=item, group=other_space_group),
        world.space,
    )
    prioritizing(world)
    refused(
        ValidationError,
        lambda: services.group_create(user=world.coordinator, space=world.space, title="Tarde"),
        world.space,
    )
    refused(
        ValidationError,
        lambda: services.item_assign(user=world.coordinator, item=item, group=group),
        world.space,
    )


def test_comments_by_participants_on_behalf_of_their_entity():
    world = with_groups(make_world(), count=2)
    comment = services.comment_add(
        user=world.reps[1], group=world.groups[0], actor=world.entities[1], body="De acuerdo."
    )
    assert comment.actor == world.entities[1]
    refused(
        ValidationError,
        lambda: services.comment_add(
            user=world.reps[1], group=world.groups[0], actor=world.entities[1], body="  "
        ),
        world.space,
    )
    refused(
        PermissionDenied,
        lambda: services.comment_add(
            user=world.outsider_rep,
            group=world.groups[0],
            actor=world.outsider_entity,
            body="Hola",
        ),
        world.space,
    )


# -- prioritization ---------------------------------------------------------------------------


def test_prioritization_needs_two_groups():
    world = with_groups(make_world(), count=1)
    error = refused(
        ValidationError,
        lambda: services.prioritization_open(user=world.coordinator, space=world.space),
        world.space,
    )
    assert "2" in error.messages[0]


def test_dots_inputs_upsert_and_close_stores_the_priority():
    world = prioritizing(make_world())
    g = [group.pk for group in world.groups]
    first = services.input_submit(
        user=world.reps[0],
        space=world.space,
        actor=world.entities[0],
        content={"dots": {str(g[1]): 5}},
    )
    # Changing one's mind replaces the input.
    again = services.input_submit(
        user=world.reps[0],
        space=world.space,
        actor=world.entities[0],
        content={"dots": {str(g[2]): 4, str(g[1]): 1}},
    )
    assert again.pk == first.pk
    assert PriorityInput.objects.filter(space=world.space).count() == 1
    assert again.content == {"dots": {str(g[1]): 1, str(g[2]): 4}}
    services.input_submit(
        user=world.reps[1],
        space=world.space,
        actor=world.entities[1],
        content={"dots": {str(g[2]): 2, str(g[0]): 3}},
    )
    assert AuditEntry.objects.filter(action="cooperation.input_replace").count() == 1
    services.prioritization_close(user=world.coordinator, space=world.space)
    world.space.refresh_from_db()
    result = world.space.result
    assert result["method"] == "dots"
    assert result["order"] == [g[2], g[0], g[1]]
    assert result["scores"] == {str(g[0]): 3, str(g[1]): 1, str(g[2]): 6}
    # Closed: no more inputs.
    refused(
        ValidationError,
        lambda: services.input_submit(
            user=world.reps[2],
            space=world.space,
            actor=world.entities[2],
            content={"dots": {str(g[0]): 1}},
        ),
        world.space,
    )


@pytest.mark.parametrize(
    "content, code",
    [
        ({"dots": {}}, "empty"),
        ({"dots": {"G0": 6}}, "too_many_points"),
        ({"dots": {"999999": 1}}, "unknown_need"),
        ({"ranking": [1]}, "bad_shape"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(content, code):
    world = prioritizing(make_world())
    content = {
        key: {(str(world.groups[0].pk) if k == "G0" else k): v for k, v in value.items()}
        if isinstance(value, dict)
        else value
        for key, value in content.items()
    }
    error = refused(
        ValidationError,
        lambda: services.input_submit(
            user=world.reps[0], space=world.space, actor=world.entities[0], content=content
        ),
        world.space,
    )
    assert error.code == code
    assert error.messages[0]


def test_ranked_inputs_use_the_borda_count():
    world = prioritizing(make_world(method="ranked"))
    g = [group.pk for group in world.groups]
    services.input_submit(
        user=world.reps[0],
        space=world.space,
        actor=world.entities[0],
        content={"ranking": [g[2], g[0], g[1]]},
    )
    services.input_submit(
        user=world.reps[1], space=world.space, actor=world.entities[1], content={"ranking": [g[2]]}
    )
    refused(
        ValidationError,
        lambda: services.input_submit(
            user=world.reps[2],
            space=world.space,
            actor=world.entities[2],
            content={"ranking": [g[0], g[0]]},
        ),
        world.space,
    )
    services.prioritization_close(user=world.coordinator, space=world.space)
    world.space.refresh_from_db()
    assert world.space.result["order"][0] == g[2]
    assert world.space.result["scores"][str(g[2])] == 4


def test_close_needs_an_input_and_a_manager():
    world = prioritizing(make_world())
    refused(
        ValidationError,
        lambda: services.prioritization_close(user=world.coordinator, space=world.space),
        world.space,
    )
    refused(
        PermissionDenied,
        lambda: services.prioritization_close(user=world.reps[0], space=world.space),
        world.space,
    )


# -- publishing and endorsing -----------------------------------------------------------------


def test_publish_after_closing_with_an_intro():
    world = prioritizing(make_world())
    refused(
        ValidationError,
        lambda: services.agenda_publish(user=world.coordinator, space=world.space, intro="Intro"),
        world.space,
    )
    world = closed(make_world())
    refused(
        ValidationError,
        lambda: services.agenda_publish(user=world.coordinator, space=world.space, intro=" "),
        world.space,
    )
    services.agenda_publish(user=world.coordinator, space=world.space, intro="Nuestra agenda")
    world.space.refresh_from_db()
    assert world.space.status == SpaceStatus.PUBLISHED
    assert world.space.published_at is not None
    refused(
        ValidationError,
        lambda: services.agenda_publish(user=world.coordinator, space=world.space, intro="Otra"),
        world.space,
    )


def test_endorse_once_per_entity():
    world = published(make_world())
    endorsement = services.agenda_endorse(
        user=world.outsider_rep, space=world.space, actor=world.outsider_entity, note="¡Vamos!"
    )
    assert endorsement.note == "¡Vamos!"
    refused(
        ValidationError,
        lambda: services.agenda_endorse(
            user=world.outsider_rep, space=world.space, actor=world.outsider_entity
        ),
        world.space,
    )
    refused(
        ValidationError,
        lambda: services.agenda_endorse(
            user=world.outsider_rep, space=world.space, actor=world.entities[0]
        ),
        world.space,
    )
    refused(
        PermissionDenied,
        lambda: services.agenda_endorse(
            user=member_of(world.program), space=world.space, actor=world.entities[0]
        ),
        world.space,
    )
    assert Endorsement.objects.filter(space=world.space).count() == 1


def test_endorse_refused_before_publication():
    world = closed(make_world())
    refused(
        PermissionDenied,
        lambda: services.agenda_endorse(
            user=world.outsider_rep, space=world.space, actor=world.outsider_entity
        ),
        world.space,
    )


def test_agendas_record_no_ties():
    published(make_world())
    assert Tie.objects.count() == 0
    assert Theme.objects.exclude(transition="").count() == 4


@pytest.mark.parametrize("method", ["dots", "ranked"])
@pytest.mark.parametrize("language", ["en", "es", "ca"])
def test_the_explanation_speaks_of_the_agendas_groups_not_of_needs(method, language):
    from django.utils import translation

    from tejido.cooperation.agendas.selectors import space_page

    world = closed(make_world(method=method))
    with translation.override(language):
        explanation = space_page(world.space, world.coordinator).explanation
    assert explanation, "a closed prioritization is explained"
    text = " ".join(explanation).lower()
    group_word, need_words = {
        "en": ("group", ("need",)),
        "es": ("grupo", ("necesidad",)),
        "ca": ("grup", ("necessitat",)),
    }[language]
    assert group_word in text
    assert not any(word in text for word in need_words), text
