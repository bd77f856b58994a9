"""Writes for users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.core.audit import audit_log
from tejido.core.models import Program

from .models import ApiToken, ProgramRole, Role, User
from .rules import forget_roles

TOKEN_PREFIX = "tjd_"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def role_grant(*, actor: Any, user: User, program: Program, role: str) -> ProgramRole:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    grant, created = ProgramRole.objects.get_or_create(user=user, program=program, role=role)
    if created:
        audit_log(
            user=actor, action="role.grant", target=grant, program=program, data={"role": role}
        )
    forget_roles(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: Any, user: User, program: Program, role: str) -> None:
    if role == Role.ADMINISTRATOR:
        # Lock the program's administrator rows so two administrators revoking each other at
        # the same moment cannot leave the program without one.
        admins = list(
            ProgramRole.objects.select_for_update()
            .filter(program=program, role=Role.ADMINISTRATOR)
            .values_list("user_id", flat=True)
        )
        if admins == [user.pk]:
            raise ValidationError(
                _(
                    "A program must keep at least one administrator. "
                    "Grant the role to someone else first."
                )
            )
    deleted, _count = ProgramRole.objects.filter(user=user, program=program, role=role).delete()
    if deleted:
        audit_log(
            user=actor, action="role.revoke", target=user, program=program, data={"role": role}
        )
    forget_roles(user)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], digest=token_digest(raw)
    )
    audit_log(user=user, action="api_token.create", target=token)
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Writing on every request would serialize readers on SQLite; once a minute is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_log(user=user, action="api_token.revoke", target=token)


@transaction.atomic
def user_profile_update(
    *, user: User, first_name: str, last_name: str, preferred_language: str
) -> User:
    """Change the name and interface language a user chose for themselves."""
    languages = {code for code, _name in settings.LANGUAGES}
    if preferred_language and preferred_language not in languages:
        raise ValidationError({"preferred_language": _("Choose one of the offered languages.")})
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "preferred_language"])
    audit_log(user=user, action="user.profile_update", target=user)
    return user
