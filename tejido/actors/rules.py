"""Who may see and change actors. Objects are Actors, or the Program for program-wide rights."""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_directorate_member,
    is_organization_representative,
    is_program_member,
    is_public_program,
    is_superuser,
)

from .models import Actor, ActorKind


def represented_ids(user: Any) -> frozenset[int]:
    """Ids of the organizations the user speaks for, loaded once per user object."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    ids: frozenset[int] | None = getattr(user, "_tejido_represents", None)
    if ids is None:
        ids = frozenset(user.represents.values_list("organization_id", flat=True))
        user._tejido_represents = ids
    return ids


def forget_represented(user: Any) -> None:
    """Drop the cached organizations after adding or removing a representation."""
    if hasattr(user, "_tejido_represents"):
        del user._tejido_represents


@rules.predicate
def represents_actor(user: Any, actor: Any = None) -> bool:
    """The user is a representative of this organization.

    Only an Actor qualifies: a Program (or any other object) whose id happens to equal a
    represented organization's id must not match.
    """
    if not isinstance(actor, Actor):
        return False
    return actor.pk in represented_ids(user)


@rules.predicate
def speaks_for_an_organization(user: Any, obj: Any = None) -> bool:
    """The user represents at least one organization of the object's program (the object is
    the Program or anything with a `program_id`)."""
    mine = represented_ids(user)
    program_id = getattr(obj, "program_id", None) or getattr(obj, "pk", None)
    if not mine or program_id is None:
        return False
    return Actor.objects.organizations().filter(pk__in=mine, program_id=program_id).exists()


@rules.predicate
def is_person(user: Any, actor: Any = None) -> bool:
    return isinstance(actor, Actor) and actor.kind == ActorKind.PERSON


@rules.predicate
def is_organization(user: Any, actor: Any = None) -> bool:
    """An organization or informal group (anything but a person)."""
    return isinstance(actor, Actor) and actor.kind != ActorKind.PERSON


# A representation counts only while its holder keeps the role in that program: revoking the
# role is enough to take the organization's keys away.
speaks_for_actor = is_organization_representative & represents_actor


can_view_directory = is_public_program | is_program_member | is_superuser

# People's names are personal data (Ley 21.719, GDPR): organizations and informal groups are
# public actors, people are not. Who the people of a program are is for its members (any role)
# and superusers; everyone else sees the organizations and groups, and people only as counts.
# Object: the Program, or anything with a program_id.
may_view_people = is_program_member | is_superuser

rules.add_perm("actors.view_people", may_view_people)
# A person is an actor only those who may see people may see.
rules.add_perm("actors.view_actor", can_view_directory & (~is_person | may_view_people))
rules.add_perm("actors.add_actor", is_coordinator)
# A representative changes their own organization, no other.
rules.add_perm("actors.change_actor", is_coordinator | speaks_for_actor)
# Contact details: an organization's are institutional and visible to every program member; a
# person's are personal data, for those who convene people (coordinators and the local
# directorate), never evaluators, representatives or the public. On a Program the question is
# "every actor's contact", which is the stricter case.
rules.add_perm(
    "actors.view_contact",
    is_coordinator | is_directorate_member | (is_organization & is_program_member),
)
# Gender and other sensitive attributes: coordinators only, never the public.
rules.add_perm("actors.view_sensitive", is_coordinator)
rules.add_perm("actors.change_sensitive", is_coordinator)
rules.add_perm("actors.import_actors", is_coordinator)
rules.add_perm("actors.export_actors", is_coordinator)


def can_view_people(user: Any, obj: Any) -> bool:
    """Whether `user` may see the people (their names, profiles, ties) of `obj`'s program.

    `obj` is the Program, or anything with a program_id. Every page and API call that lists
    actors asks this once and, when it is False, leaves people out (see
    `Actor.objects.visible_to`).
    """
    return bool(user.has_perm("actors.view_people", obj))
