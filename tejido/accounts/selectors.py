"""Reads for the accounts pages, shaped so a page costs the same few queries at any size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from tejido.actors.models import Representative
from tejido.core.models import Program

from .models import ApiToken, ProgramRole, Role, User


@dataclass
class ProgramMembership:
    """What one user holds in one program, for the "my account" page."""

    program: Program
    roles: list[str] = field(default_factory=list)
    organizations: list[Any] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.roles]


def memberships_of_user(user: User) -> list[ProgramMembership]:
    """The user's roles and represented organizations, grouped by program (two queries)."""
    by_program: dict[int, ProgramMembership] = {}
    grants = (
        ProgramRole.objects.filter(user=user)
        .select_related("program")
        .order_by("program__name", "program_id", "role")
    )
    for grant in grants:
        entry = by_program.setdefault(grant.program_id, ProgramMembership(program=grant.program))
        entry.roles.append(grant.role)
    representations = (
        Representative.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )
    for representative in representations:
        membership = by_program.get(representative.organization.program_id)
        if membership is not None:
            membership.organizations.append(representative.organization)
    return list(by_program.values())


def active_tokens_of_user(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def program_role_holders(program: Program, role: str = "") -> QuerySet[ProgramRole]:
    grants = ProgramRole.objects.filter(program=program).select_related("user")
    if role:
        grants = grants.filter(role=role)
    return grants.order_by("user__last_name", "user__first_name", "user__email", "role")


def representations_for(program: Program, user_ids: list[int]) -> dict[int, list[Representative]]:
    """The organizations each of these users represents in the program (one query)."""
    found: dict[int, list[Representative]] = defaultdict(list)
    rows = (
        Representative.objects.filter(user_id__in=user_ids, organization__program=program)
        .select_related("organization")
        .order_by("organization__name")
    )
    for representative in rows:
        found[representative.user_id].append(representative)
    return dict(found)
