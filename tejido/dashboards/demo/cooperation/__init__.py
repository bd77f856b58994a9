"""The intercooperation part of the demo: shared services offered and needed with agreements,
a consortium formed from suggested partners, a joint project and a transfer, a reflection
space with its published shared agenda, and a study mission with its contacts and follow-up.

Each area of the cooperation app tells its part in its own module; this one runs them. It runs
after the learning demo and before the network analysis (agreements, consortia, projects,
transfers and missions record ties).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from tejido.cooperation.models import (
    Consortium,
    JointProject,
    ReflectionSpace,
    ServiceAgreement,
    ServiceListing,
    StudyMission,
    TransferOffer,
)
from tejido.core.models import Program

from .agendas import demo_agendas
from .consortia import demo_consortia
from .missions import demo_missions
from .projects import demo_projects
from .sharing import demo_sharing

# Its own stream of random numbers: the cooperation demo does not shift the other modules' data.
COOPERATION_SEED = 2026_07


@dataclass
class CooperationSummary:
    listings: int = 0
    agreements: int = 0
    consortia: int = 0
    projects: int = 0
    transfer_offers: int = 0
    spaces: int = 0
    missions: int = 0


def load_cooperation(
    program: Program, *, coordinator: Any, today: datetime.date
) -> CooperationSummary:
    rng = random.Random(COOPERATION_SEED + program.pk)
    demo_sharing(program, coordinator=coordinator, today=today, rng=rng)
    demo_consortia(program, coordinator=coordinator, today=today, rng=rng)
    demo_projects(program, coordinator=coordinator, today=today, rng=rng)
    demo_agendas(program, coordinator=coordinator, today=today, rng=rng)
    demo_missions(program, coordinator=coordinator, today=today, rng=rng)
    return CooperationSummary(
        listings=ServiceListing.objects.filter(program=program).count(),
        agreements=ServiceAgreement.objects.filter(program=program).count(),
        consortia=Consortium.objects.filter(program=program).count(),
        projects=JointProject.objects.filter(program=program).count(),
        transfer_offers=TransferOffer.objects.filter(program=program).count(),
        spaces=ReflectionSpace.objects.filter(program=program).count(),
        missions=StudyMission.objects.filter(program=program).count(),
    )
