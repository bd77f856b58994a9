"""Reads of the core app shaped for pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery

from tejido.accounts.rules import programs_visible_to, roles_in

from .models import Program

# Actor.kind of a person. People are counted apart: their number is for the program's members
# (see `actors.view_people`); core cannot import the actors app, so the code is spelled here.
_PERSON = "person"


def _related_count(relation: str, condition: Q | None = None) -> Subquery:
    # One grouped subquery per relation: counting actors and territories in one join would
    # multiply the rows (every actor times every territory) before counting.
    return Subquery(
        Program.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(n=Count(relation, filter=condition))
        .values("n"),
        output_field=IntegerField(),
    )


def program_list_for(user: Any) -> QuerySet[Program]:
    """The programs `user` may open, with their actor and territory counts, in one query.

    `actor_count` counts every actor, `person_count` the people among them: a page shows the
    first only to those who may see people, and `actor_count - person_count` to the others.
    """
    return (
        programs_visible_to(user)
        .annotate(
            actor_count=_related_count("actors"),
            person_count=_related_count("actors", Q(actors__kind=_PERSON)),
            territory_count=_related_count("territories"),
        )
        .order_by("name")
    )


def program_cards(user: Any) -> list[dict[str, Any]]:
    """Programs with counts and the user's roles in each (their roles are read once).

    A program's actors are counted as the user sees them: with its people for its members and
    superusers, without them for everyone else (the rule of `actors.view_people`).
    """
    cards = []
    for program in program_list_for(user):
        roles = sorted(roles_in(user, program.pk))
        counts: Any = program  # annotated by program_list_for
        actor_count = counts.actor_count
        if not user.has_perm("actors.view_people", program):
            actor_count -= counts.person_count
        cards.append({"program": program, "roles": roles, "actor_count": actor_count})
    return cards
