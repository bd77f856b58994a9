"""Helpers for the consortia tests: a forming consortium with joined members, snapshots of what
a refused request must leave untouched."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import (
    ChecklistItem,
    Consortium,
    ConsortiumDocument,
    ConsortiumLot,
    ConsortiumMember,
    MemberRole,
    MemberStatus,
)
from tejido.core.models import AuditEntry
from tejido.network.models import Tie

from .factories import ConsortiumFactory, ConsortiumMemberFactory


def forming(program: Any, *, partners: int = 2, **fields: Any) -> Consortium:
    """A forming consortium: its lead as a joined member, and `partners` joined partners."""
    consortium = cast(Consortium, ConsortiumFactory(program=program, **fields))
    ConsortiumMemberFactory(
        consortium=consortium,
        actor=consortium.lead,
        role=MemberRole.LEAD,
        status=MemberStatus.JOINED,
    )
    for _ in range(partners):
        ConsortiumMemberFactory(
            consortium=consortium,
            actor=ActorFactory(program=program),
            status=MemberStatus.JOINED,
        )
    return consortium


def snapshot() -> dict[str, Any]:
    """Rows that a refused request must not change."""
    return {
        "consortia": list(
            Consortium.objects.values_list("id", "status", "title", "open_to_partners")
        ),
        "members": list(ConsortiumMember.objects.values_list("id", "status", "role", "share")),
        "lots": ConsortiumLot.objects.count(),
        "steps": list(ChecklistItem.objects.values_list("id", "done_at")),
        "documents": ConsortiumDocument.objects.count(),
        "ties": Tie.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
