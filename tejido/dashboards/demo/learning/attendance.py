"""The attendance part of the learning demo: who came to each past session of the demo's
cohorts (most people come to most sessions; a few stop coming halfway), then the cohorts that
have ended are closed, which issues the certificates, records the competencies and ties the
organizations of the people who trained together. Everything goes through the attendance
services, so the demo proves them."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tejido.learning.attendance.services import attendance_record, cohort_close
from tejido.learning.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Session

# Share of people who stop coming at some point, and how often the others miss a session.
DROP_OUT = 0.12
MISS = 0.1


def demo_attendance(
    cohorts: Iterable[Cohort], *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    now = timezone.now()
    for cohort in sorted(cohorts, key=lambda c: c.pk):
        cohort = Cohort.objects.select_related("course", "program").get(pk=cohort.pk)
        if cohort.status == CohortStatus.CLOSED:
            continue
        sessions = list(
            Session.objects.filter(cohort=cohort, starts_at__lte=now).order_by("starts_at", "id")
        )
        enrolments = list(
            Enrolment.objects.filter(cohort=cohort)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The session after which each person stops coming (None: they stay to the end).
        leaves_after = {
            pk: rng.randrange(1, max(2, len(sessions))) if rng.random() < DROP_OUT else None
            for pk in enrolments
        }
        for position, session in enumerate(sessions):
            present = {
                pk
                for pk in enrolments
                if position < (leaves_after[pk] or len(sessions)) and rng.random() >= MISS
            }
            attendance_record(user=coordinator, session=session, present=present)
        if cohort.ends_on < today and sessions:
            cohort_close(user=coordinator, cohort=cohort)
