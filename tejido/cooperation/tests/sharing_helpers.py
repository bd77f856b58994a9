# mypy: disable-error-code="arg-type"
"""Helpers for the shared services tests: a program with entities, their representatives and a
snapshot of everything a refused action must leave untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.models import ListingKind, ServiceAgreement, ServiceListing
from tejido.core.models import AuditEntry, Program
from tejido.network.models import Tie

from .factories import ServiceListingFactory, coordinator_of, representative_of


@dataclass
class Scene:
    program: Program
    provider: Any
    receiver: Any
    provider_rep: Any
    receiver_rep: Any
    coordinator: Any
    offer: ServiceListing


def scene(program: Program, *, capacity: int | None = None) -> Scene:
    provider = ActorFactory(program=program, name="Fundación Hogar de Barrio")
    receiver = ActorFactory(program=program, name="Junta de Vecinos Villa Los Aromos del Sur")
    offer = ServiceListingFactory(
        program=program,
        actor=provider,
        kind=ListingKind.OFFER,
        title="Contabilidad para juntas de vecinos",
        capacity=capacity,
    )
    return Scene(
        program=program,
        provider=provider,
        receiver=receiver,
        provider_rep=representative_of(provider),
        receiver_rep=representative_of(receiver),
        coordinator=coordinator_of(program),
        offer=offer,
    )


def snapshot() -> tuple[Any, ...]:
    """Rows, statuses, ties and audit entries: equal before and after a refused action."""
    return (
        list(ServiceListing.objects.order_by("pk").values_list("pk", "is_open", "title")),
        list(ServiceAgreement.objects.order_by("pk").values_list("pk", "status", "tie_id")),
        list(Tie.objects.order_by("pk").values_list("pk", "intensity", "superseded_at")),
        AuditEntry.objects.count(),
    )
