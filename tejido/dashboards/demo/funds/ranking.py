"""Demo: the allocation of a closed call and the committee's decision.

`demo_allocation` runs the optimal allocation over the reviewed applications, tries a what-if
(greedy, with a slightly different budget) the way a committee explores before deciding, records
the decision with its reasons in Spanish (linked to a directorate's approving poll when the
program has one), which creates the awards, and publishes the results. Everything goes through
the ranking services. Deterministic: a `random.Random` seeded with the call's short name.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from tejido.funds.models import Call, CallPhase
from tejido.funds.ranking import selectors, services

REASONS = (
    "El comité revisó el ranking de las evaluaciones y aprueba la asignación óptima: financia "
    "la combinación de proyectos con el mayor puntaje total dentro del presupuesto, respetando "
    "los mínimos por territorio. Se probó también la regla voraz con un presupuesto distinto, "
    "que dejaba fuera a proyectos de los sectores con menos financiamiento en años anteriores.",
    "El comité acoge la propuesta de la coordinación: la asignación óptima aprovecha mejor el "
    "fondo que la regla voraz y cumple las cuotas de la convocatoria. Los proyectos no "
    "seleccionados reciben la explicación de su resultado y pueden postular a la próxima "
    "convocatoria.",
)


def demo_allocation(call: Call, *, coordinator: Any, today: datetime.date) -> None:
    """Run, explore, decide and publish the allocation of `call` (closed and reviewed)."""
    if call.phase() != CallPhase.EVALUATION:
        return
    rng = random.Random(f"tejido-demo-funds-ranking:{call.slug}")
    run = services.allocation_run(actor=coordinator, call=call, rule="optimal")
    factor = Decimal(rng.choice(("0.9", "1.1", "1.15")))
    services.allocation_run(
        actor=coordinator,
        call=call,
        rule="greedy",
        what_if=True,
        budget=(call.budget * factor).quantize(Decimal(1)),
    )
    if not run.total_awarded:
        return
    polls = [p for p in selectors.directorate_polls(call) if selectors.poll_approves(p)]
    poll = polls[0] if polls else None
    if call.requires_directorate_decision and poll is None:
        # No directorate vote in this program's demo: the decision stands on the committee's.
        Call.objects.filter(pk=call.pk).update(requires_directorate_decision=False)
        call.requires_directorate_decision = False
    services.call_decide(
        actor=coordinator,
        call=call,
        run=run,
        note=rng.choice(REASONS),
        poll=poll,
    )
    services.call_publish_results(actor=coordinator, call=call)
