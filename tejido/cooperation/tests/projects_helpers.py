# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Shared pieces of the joint projects and transfer tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import JointProject, ProjectPartner, Transfer, TransferOffer
from tejido.core.models import AuditEntry, Program
from tejido.network.models import Tie

from .factories import ProgramFactory, representative_of


@dataclass
class World:
    program: Program
    a: Actor
    b: Actor
    c: Actor
    rep_a: Any
    rep_b: Any
    rep_c: Any


def world() -> World:
    program = ProgramFactory()
    a, b, c = (
        ActorFactory(program=program, name=n)
        for n in ("Cooperativa Aurora", "ONG Brisa", "Junta de Vecinos Cerro Alegre")
    )
    return World(program, a, b, c, representative_of(a), representative_of(b), representative_of(c))


def snapshot() -> tuple[int, ...]:
    """Rows that a refused write must leave as they were."""
    return (
        JointProject.objects.count(),
        ProjectPartner.objects.count(),
        TransferOffer.objects.count(),
        Transfer.objects.count(),
        Tie.objects.count(),
        AuditEntry.objects.count(),
    )


def pair_tie(first: Actor, second: Actor) -> Tie | None:
    from django.db.models import Q

    return (
        Tie.objects.current()
        .filter(
            Q(source=first, target=second) | Q(source=second, target=first),
            tie_type="collaboration",
        )
        .first()
    )
