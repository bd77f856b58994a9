"""Reads of the shared social agendas, each page in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.core.models import Program, Theme
from tejido.governance import voting
from tejido.governance.explain import explain_priority

from ..models import (
    AgendaItem,
    Endorsement,
    GroupComment,
    ItemGroup,
    ItemKind,
    PriorityInput,
    ReflectionSpace,
    SpaceParticipant,
    SpaceStatus,
)


def space_list(program: Program, *, status: str = "") -> QuerySet[ReflectionSpace]:
    spaces = (
        ReflectionSpace.objects.filter(program=program)
        .select_related("territory")
        .prefetch_related("themes", "sessions")
        .annotate(
            participant_count=Count("participants", distinct=True),
            item_count=Count("items", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
    if status in SpaceStatus.values:
        spaces = spaces.filter(status=status)
    return spaces


def transitions() -> list[Theme]:
    """The four transition themes, in the order of `Theme.Transition`."""
    order = {code: n for n, code in enumerate(Theme.Transition.values)}
    return sorted(Theme.objects.exclude(transition=""), key=lambda t: order.get(t.transition, 9))


@dataclass
class RankedGroup:
    group: ItemGroup
    place: int
    score: float | None
    items: list[AgendaItem]


@dataclass
class SpacePage:
    space: ReflectionSpace
    sessions: list[Any]
    participants: list[SpaceParticipant]
    items: list[AgendaItem]
    ungrouped: list[AgendaItem]
    groups: list[ItemGroup]
    transitions: list[Theme]
    my_entities: list[Actor]
    my_participating: list[Actor]
    joinable: list[Actor]
    my_inputs: dict[int, dict[str, Any]]
    input_count: int
    ranking: list[RankedGroup] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    endorsements: list[Endorsement] = field(default_factory=list)
    endorsable: list[Actor] = field(default_factory=list)
    kind_filter: str = ""
    transition_filter: str = ""


def _ranking(
    space: ReflectionSpace, groups: list[ItemGroup]
) -> tuple[list[RankedGroup], list[str]]:
    if not space.result:
        return [], []
    priority = voting.Priority.from_dict(space.result)
    by_id = {g.pk: g for g in groups}
    ranked: list[RankedGroup] = []
    for place, group_id in enumerate(priority.order, start=1):
        group = by_id.get(group_id)
        if group is not None:
            ranked.append(
                RankedGroup(
                    group=group,
                    place=place,
                    score=priority.scores.get(group_id),
                    items=list(group.items.all()),
                )
            )
    labels = {g.pk: g.title for g in groups}
    return ranked, explain_priority(priority, labels, of_groups=True)


def space_page(
    space: ReflectionSpace, user: Any, *, kind: str = "", transition: str = ""
) -> SpacePage:
    """Everything the space page shows: sessions, participants, items (filtered by kind and
    transition), groups with their items and comments, the user's entities and inputs."""
    items_qs = AgendaItem.objects.select_related("raised_by").prefetch_related("transitions")
    participants = list(space.participants.select_related("actor").order_by("actor__name"))
    groups = list(
        space.groups.prefetch_related(
            Prefetch("items", queryset=items_qs.order_by("created_at", "pk")),
            Prefetch(
                "comments",
                queryset=GroupComment.objects.select_related("actor").order_by("created_at", "pk"),
            ),
        ).order_by("position", "pk")
    )
    items = items_qs.filter(space=space).order_by("created_at", "pk")
    if kind in ItemKind.values:
        items = items.filter(kind=kind)
    if transition in Theme.Transition.values:
        items = items.filter(transitions__transition=transition)
    item_list = list(items)
    mine = represented_ids(user)
    participant_ids = {p.actor_id for p in participants}
    my_entities: list[Actor] = []
    if mine:
        my_entities = list(
            Actor.objects.organizations()
            .filter(program_id=space.program_id, pk__in=mine)
            .order_by("name")
        )
    my_participating = [a for a in my_entities if a.pk in participant_ids]
    my_inputs: dict[int, dict[str, Any]] = {}
    if my_participating:
        my_inputs = {
            entry.actor_id: entry.content
            for entry in PriorityInput.objects.filter(
                space=space, actor_id__in=[a.pk for a in my_participating]
            )
        }
    ranking, explanation = _ranking(space, groups)
    endorsements: list[Endorsement] = []
    endorsed: set[int] = set()
    if space.status == SpaceStatus.PUBLISHED:
        endorsements = list(space.endorsements.select_related("actor").order_by("endorsed_at"))
        endorsed = {e.actor_id for e in endorsements}
    return SpacePage(
        space=space,
        sessions=list(space.sessions.all()),
        participants=participants,
        items=item_list,
        ungrouped=[i for i in item_list if i.group_id is None],
        groups=groups,
        transitions=transitions(),
        my_entities=my_entities,
        my_participating=my_participating,
        joinable=[a for a in my_entities if a.pk not in participant_ids],
        my_inputs=my_inputs,
        input_count=space.inputs.count(),
        ranking=ranking,
        explanation=explanation,
        endorsements=endorsements,
        endorsable=[a for a in my_entities if a.pk not in endorsed],
        kind_filter=kind if kind in ItemKind.values else "",
        transition_filter=transition if transition in Theme.Transition.values else "",
    )
