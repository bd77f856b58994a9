"""The audit trail: every service that changes something sensitive calls `audit_log`."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry, Program


def audit_log(
    *,
    user: Any,
    action: str,
    target: models.Model,
    program: Program | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        program=program,
        data=data or {},
    )
