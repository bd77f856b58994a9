"""The training and learning part of the demo: courses with cohorts, attendance and
certificates; a knowledge library of a few hundred items in Spanish and Catalan; and a learning
community with experiences, comments, reactions and exchange meetings.

Each area of the learning app tells its part in its own module; this one runs them in the order
the program lives them. It runs after the funds demo and before the network analysis (closed
cohorts and "we tried this too" record ties).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from tejido.core.models import Program
from tejido.learning.models import (
    Certificate,
    Cohort,
    Comment,
    Course,
    Enrolment,
    Exchange,
    Experience,
    LibraryItem,
)

from .attendance import demo_attendance
from .community import demo_community
from .library import demo_library
from .training import demo_training

# Its own stream of random numbers: the learning demo does not shift the other modules' data.
LEARNING_SEED = 2026_06


@dataclass
class LearningSummary:
    courses: int = 0
    cohorts: int = 0
    enrolments: int = 0
    certificates: int = 0
    library_items: int = 0
    experiences: int = 0
    comments: int = 0
    exchanges: int = 0


def load_learning(program: Program, *, coordinator: Any, today: datetime.date) -> LearningSummary:
    rng = random.Random(LEARNING_SEED + program.pk)
    cohorts = demo_training(program, coordinator=coordinator, today=today, rng=rng)
    demo_attendance(cohorts, coordinator=coordinator, today=today, rng=rng)
    demo_library(program, coordinator=coordinator, today=today, rng=rng)
    demo_community(program, coordinator=coordinator, today=today, rng=rng)
    return LearningSummary(
        courses=Course.objects.filter(program=program).count(),
        cohorts=Cohort.objects.filter(program=program).count(),
        enrolments=Enrolment.objects.filter(cohort__program=program).count(),
        certificates=Certificate.objects.filter(enrolment__cohort__program=program).count(),
        library_items=LibraryItem.objects.filter(program=program).count(),
        experiences=Experience.objects.filter(program=program).count(),
        comments=Comment.objects.filter(experience__program=program).count(),
        exchanges=Exchange.objects.filter(program=program).count(),
    )
