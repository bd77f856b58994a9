"""Permission predicates on programs. Roles are fixed codes, granted per program.

Roles of a user are loaded once per user object (one query per request) and cached on it, so a
page that checks many permissions does not query for each.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q, QuerySet

from tejido.core.models import Program

from .models import ProgramRole, Role


def roles_in(user: Any, program_id: int | None) -> frozenset[str]:
    # A deactivated account keeps its grants on record (for the audit trail) but exercises none.
    if (
        program_id is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
    ):
        return frozenset()
    cache: dict[int, frozenset[str]] | None = getattr(user, "_tejido_roles", None)
    if cache is None:
        loaded: dict[int, set[str]] = {}
        for pid, role in ProgramRole.objects.filter(user=user).values_list("program_id", "role"):
            loaded.setdefault(pid, set()).add(role)
        cache = {pid: frozenset(r) for pid, r in loaded.items()}
        user._tejido_roles = cache
    return cache.get(program_id, frozenset())


def forget_roles(user: Any) -> None:
    """Drop the cached roles after granting or revoking one."""
    if hasattr(user, "_tejido_roles"):
        del user._tejido_roles


def program_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Program):
        return obj.pk
    return getattr(obj, "program_id", None)


def has_any_role(*wanted: str) -> rules.Predicate:
    wanted_set = frozenset(wanted)

    @rules.predicate(name=f"has_role:{'|'.join(sorted(wanted_set))}")
    def predicate(user: Any, obj: Any = None) -> bool:
        return bool(roles_in(user, program_id_of(obj)) & wanted_set)

    return predicate


@rules.predicate
def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


@rules.predicate
def is_program_member(user: Any, obj: Any = None) -> bool:
    return bool(roles_in(user, program_id_of(obj)))


@rules.predicate
def is_public_program(user: Any, obj: Any = None) -> bool:
    if isinstance(obj, Program):
        return obj.is_public
    program = getattr(obj, "program", None)
    return bool(program is not None and program.is_public)


is_administrator = is_superuser | has_any_role(Role.ADMINISTRATOR)
is_coordinator = is_administrator | has_any_role(Role.COORDINATOR)
is_directorate_member = has_any_role(Role.DIRECTORATE_MEMBER)
is_evaluator = has_any_role(Role.EVALUATOR)
is_organization_representative = has_any_role(Role.ORGANIZATION_REPRESENTATIVE)

# Program-level permissions (the object is a Program, or anything with a program_id).
rules.add_perm("core.view_program", is_public_program | is_program_member | is_superuser)
rules.add_perm("core.change_program", is_administrator)
rules.add_perm("core.manage_roles", is_administrator)
rules.add_perm("core.view_program_internal", is_program_member | is_superuser)


def programs_visible_to(user: Any) -> QuerySet[Program]:
    """Programs the user may open: public ones, and those where the user holds a role."""
    if getattr(user, "is_superuser", False):
        return Program.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Program.objects.public()
    return Program.objects.filter(Q(is_public=True) | Q(roles__user=user)).distinct()
