# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Helpers for the shared agendas tests: a space at each stage, built through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.agendas import services
from tejido.cooperation.models import ItemGroup, ReflectionSpace
from tejido.core.models import AuditEntry, Program, Theme
from tejido.core.tests.factories import ProgramFactory

from .factories import coordinator_of, representative_of


def transition(code: str) -> Theme:
    # A transactional test flushes the themes the migration seeded: bring them back.
    theme, _created = Theme.objects.get_or_create(
        transition=code, defaults={"name": code, "slug": f"transicion-{code}"}
    )
    return theme


def when(days: int = 7, hour: int = 18) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def snapshot(space: ReflectionSpace | None = None) -> dict[str, Any]:
    """Rows that a refused action must not change."""
    from tejido.cooperation.models import (
        AgendaItem,
        Endorsement,
        GroupComment,
        PriorityInput,
        SpaceParticipant,
    )

    state: dict[str, Any] = {
        "spaces": ReflectionSpace.objects.count(),
        "participants": SpaceParticipant.objects.count(),
        "items": AgendaItem.objects.count(),
        "groups": ItemGroup.objects.count(),
        "comments": GroupComment.objects.count(),
        "inputs": list(PriorityInput.objects.order_by("pk").values_list("pk", "content")),
        "endorsements": Endorsement.objects.count(),
        "audit": AuditEntry.objects.count(),
        "assignments": list(AgendaItem.objects.order_by("pk").values_list("pk", "group_id")),
    }
    if space is not None:
        space.refresh_from_db()
        state["space"] = (space.status, space.result, space.agenda_intro, space.published_at)
    return state


@dataclass
class World:
    program: Program
    coordinator: Any
    entities: list[Actor]
    reps: list[Any]
    outsider_entity: Actor
    outsider_rep: Any
    space: ReflectionSpace
    groups: list[ItemGroup] = field(default_factory=list)


def make_world(*, method: str = "dots", entities: int = 3, program: Program | None = None) -> World:
    program = program if program is not None else ProgramFactory()  # type: ignore[assignment]
    coordinator = coordinator_of(program)
    orgs = [ActorFactory(program=program) for _ in range(entities)]
    reps = [representative_of(org) for org in orgs]
    outsider = ActorFactory(program=program, name="Cooperativa Las Gaviotas")
    outsider_rep = representative_of(outsider)
    space = services.space_create(
        user=coordinator,
        program=program,
        title="Agenda social del cerro",
        description="Pensar juntas los próximos años.",
        format="series",
        sessions=[
            {"title": "Apertura", "starts_at": when(7), "place": "Sede vecinal"},
            {"title": "Cierre", "starts_at": when(14), "place": "https://meet.example.org/x"},
        ],
        method=method,
        dots_per_participant=5,
    )
    for org, rep in zip(orgs, reps, strict=True):
        services.space_join(user=rep, space=space, actor=org)
    return World(program, coordinator, orgs, reps, outsider, outsider_rep, space)


def with_groups(world: World, count: int = 3, items_per_group: int = 2) -> World:
    codes = list(Theme.Transition.values)
    for n in range(count):
        group = services.group_create(
            user=world.coordinator, space=world.space, title=f"Grupo {n + 1}", summary="Resumen"
        )
        world.groups.append(group)
        for m in range(items_per_group):
            item = services.item_raise(
                user=world.reps[m % len(world.reps)],
                space=world.space,
                actor=world.entities[m % len(world.entities)],
                kind="challenge" if m % 2 == 0 else "need",
                title=f"Ítem {n}-{m}",
                transitions=[transition(codes[(n + m) % 4])],
            )
            services.item_assign(user=world.coordinator, item=item, group=group)
    return world


def prioritizing(world: World) -> World:
    if not world.groups:
        with_groups(world)
    services.prioritization_open(user=world.coordinator, space=world.space)
    world.space.refresh_from_db()
    return world


def closed(world: World) -> World:
    prioritizing(world)
    g = [grp.pk for grp in world.groups]
    for n, (org, rep) in enumerate(zip(world.entities, world.reps, strict=True)):
        content = (
            {"dots": {str(g[n % len(g)]): 3, str(g[0]): 2}}
            if world.space.method == "dots" and n % len(g) != 0
            else {"dots": {str(g[0]): 5}}
            if world.space.method == "dots"
            else {"ranking": [g[0], g[-1]]}
        )
        services.input_submit(user=rep, space=world.space, actor=org, content=content)
    services.prioritization_close(user=world.coordinator, space=world.space)
    world.space.refresh_from_db()
    return world


def published(world: World) -> World:
    closed(world)
    services.agenda_publish(
        user=world.coordinator, space=world.space, intro="Esta agenda reúne lo que acordamos."
    )
    world.space.refresh_from_db()
    return world
