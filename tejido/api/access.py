"""The permission rules of the pages, applied to API calls.

A program (or an object in one) that the caller may not see does not exist for them: 404, never
403, so that private programs do not leak even their names. A visible object the caller may not
change is 403.
"""

from __future__ import annotations

import re
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.rules import is_superuser
from tejido.core.models import Program

from .auth import request_user

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


def program_for_api(request: HttpRequest, slug: str, perm: str = "core.view_program") -> Program:
    if not _SLUG.match(slug):
        raise Http404
    program = Program.objects.filter(slug=slug).first()
    user = request_user(request)
    if program is None or not user.has_perm("core.view_program", program):
        raise Http404
    if perm != "core.view_program":
        require(request, perm, program)
    return program


def require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request_user(request).has_perm(perm, obj):
        raise PermissionDenied


def require_visible(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request_user(request).has_perm(perm, obj):
        raise Http404


def can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(request_user(request).has_perm(perm, obj))


@rules.predicate
def runs_some_program(user: Any) -> bool:
    """Administrator or coordinator of at least one program (any program, public or not)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    roles = (Role.ADMINISTRATOR, Role.COORDINATOR)
    return ProgramRole.objects.filter(user=user, role__in=roles).exists()


# Platform-wide rights, which belong to no program. They are not registered as permissions
# (`has_perm` is for rules on a program or an object in one); the API checks them directly.
# Only a platform administrator opens a program.
may_create_program = is_superuser
# Territories are a vocabulary shared by every program, kept by the people who run programs.
may_edit_territories = is_superuser | runs_some_program


def require_platform(request: HttpRequest, predicate: rules.Predicate) -> None:
    if not predicate.test(request_user(request)):
        raise PermissionDenied
