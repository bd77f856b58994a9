"""Reads for the training pages. Each page reads in a fixed number of queries, whatever the
number of courses, cohorts, sessions or people."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tejido.actors.models import Actor, Membership
from tejido.actors.rules import represented_ids
from tejido.core.models import Program, Theme

from ..models import (
    Certificate,
    Cohort,
    CohortStatus,
    Competency,
    Course,
    Enrolment,
    EnrolmentStatus,
    Experience,
    LibraryItem,
    Module,
    PublicationStatus,
    Session,
    Visibility,
)
from .services import ACTIVE_ENROLMENT

ACTIVE = Q(enrolments__status__in=ACTIVE_ENROLMENT)


def with_enrolled(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return cohorts.annotate(enrolled=Count("enrolments", filter=ACTIVE, distinct=True))


def courses_visible(program: Program, *, include_unpublished: bool) -> QuerySet[Course]:
    courses = Course.objects.filter(program=program)
    return courses if include_unpublished else courses.published()


def cohorts_visible(program: Program, *, include_unpublished: bool) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.filter(program=program)
    return cohorts if include_unpublished else cohorts.filter(course__is_published=True)


def sessions_visible(program: Program, *, include_unpublished: bool) -> QuerySet[Session]:
    sessions = Session.objects.filter(cohort__program=program)
    if not include_unpublished:
        sessions = sessions.filter(cohort__course__is_published=True)
    return sessions.select_related("cohort", "cohort__course", "cohort__territory", "module")


def upcoming_sessions(
    program: Program, *, include_unpublished: bool, limit: int | None = None
) -> list[Session]:
    now = timezone.now()
    sessions = sessions_visible(program, include_unpublished=include_unpublished).filter(
        ends_at__gte=now
    )
    sessions = sessions.order_by("starts_at", "id")
    return list(sessions[:limit] if limit else sessions[:200])


# -- the hub ----------------------------------------------------------------------------------


@dataclass
class HubNumbers:
    courses: int = 0
    people_trained: int = 0
    certificates: int = 0
    experiences: int = 0
    library_items: int = 0


@dataclass
class Hub:
    numbers: HubNumbers
    running: list[Cohort] = field(default_factory=list)
    open_cohorts: list[Cohort] = field(default_factory=list)
    my_people: list[Enrolment] = field(default_factory=list)
    upcoming: list[Session] = field(default_factory=list)
    experiences: list[Experience] = field(default_factory=list)
    library_items: list[LibraryItem] = field(default_factory=list)


def _readable(model: Any, program: Program, *, member: bool) -> QuerySet[Any]:
    rows = model.objects.filter(program=program, status=PublicationStatus.PUBLISHED)
    return rows if member else rows.filter(visibility=Visibility.PUBLIC)


def hub(program: Program, user: Any, *, manage: bool, member: bool) -> Hub:
    """The overview of the module for `user`: a fixed number of queries."""
    experiences = _readable(Experience, program, member=member)
    items = _readable(LibraryItem, program, member=member)
    numbers = HubNumbers(
        courses=courses_visible(program, include_unpublished=manage).count(),
        people_trained=Enrolment.objects.filter(
            cohort__program=program, status=EnrolmentStatus.COMPLETED
        )
        .values("person")
        .distinct()
        .count(),
        certificates=Certificate.objects.filter(
            enrolment__cohort__program=program, revoked_at__isnull=True
        ).count(),
        experiences=experiences.count(),
        library_items=items.count(),
    )
    cohorts = with_enrolled(
        cohorts_visible(program, include_unpublished=manage).select_related("course", "territory")
    )
    result = Hub(numbers=numbers)
    if manage:
        result.running = list(cohorts.filter(status=CohortStatus.RUNNING).order_by("starts_on"))
    open_cohorts = cohorts.exclude(status=CohortStatus.CLOSED).filter(enrolment_open=True)
    result.open_cohorts = list(open_cohorts.order_by("starts_on", "name")[:6])
    mine = represented_ids(user)
    if mine:
        result.my_people = list(
            Enrolment.objects.filter(
                cohort__program=program,
                organization_id__in=mine,
                status=EnrolmentStatus.ENROLLED,
            )
            .exclude(cohort__status=CohortStatus.CLOSED)
            .select_related("person", "organization", "cohort")
            .order_by("cohort__starts_on", "person__name")[:12]
        )
    result.upcoming = upcoming_sessions(program, include_unpublished=manage, limit=5)
    result.experiences = list(
        experiences.select_related("organization").order_by("-published_at", "-id")[:3]
    )
    result.library_items = list(items.order_by("-published_on", "-id")[:3])
    return result


# -- courses ----------------------------------------------------------------------------------


def course_list(program: Program, *, include_unpublished: bool) -> list[Course]:
    courses = courses_visible(program, include_unpublished=include_unpublished)
    today = timezone.localdate()
    return list(
        courses.annotate(
            cohort_count=Count("cohorts", distinct=True),
            module_count=Count("modules", distinct=True),
            open_count=Count(
                "cohorts",
                filter=Q(cohorts__enrolment_open=True, cohorts__ends_on__gte=today)
                & ~Q(cohorts__status=CohortStatus.CLOSED),
                distinct=True,
            ),
        )
        .prefetch_related(
            "competencies", Prefetch("themes", queryset=Theme.objects.order_by("transition"))
        )
        .order_by("-is_published", "title")
    )


def themes_transitions_first() -> QuerySet[Theme]:
    """The four transitions first, then the other themes by name."""
    from django.db.models import Case, IntegerField, Value, When

    return Theme.objects.annotate(
        is_transition=Case(
            When(transition="", then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("is_transition", "name")


def course_page(course: Course, *, include_unpublished: bool) -> dict[str, Any]:
    modules = list(Module.objects.filter(course=course).order_by("position"))
    cohorts = list(
        with_enrolled(Cohort.objects.filter(course=course))
        .select_related("territory", "cycle")
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("-starts_on", "name")
    )
    return {
        "modules": modules,
        "module_hours": sum(m.hours for m in modules),
        "competencies": list(course.competencies.all()),
        "themes": list(course.themes.order_by("-transition", "name")),
        "cohorts": cohorts,
    }


def competency_list(program: Program) -> list[Competency]:
    return list(
        Competency.objects.filter(program=program)
        .annotate(
            course_count=Count("courses", distinct=True),
            holder_count=Count("records__person", distinct=True),
        )
        .order_by("name")
    )


# -- cohorts ----------------------------------------------------------------------------------


@dataclass
class OrganizationCount:
    name: str
    count: int


def cohort_page(cohort: Cohort, user: Any, *, with_people: bool) -> dict[str, Any]:
    sessions = list(
        Session.objects.filter(cohort=cohort)
        .select_related("module")
        .annotate(attendance_count=Count("attendance"))
        .order_by("starts_at", "id")
    )
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, status__in=ACTIVE_ENROLMENT)
        .select_related("person", "organization")
        .order_by("organization__name", "person__name")
    )
    by_organization: dict[str, int] = {}
    for enrolment in enrolments:
        name = enrolment.organization.name
        by_organization[name] = by_organization.get(name, 0) + 1
    mine = represented_ids(user)
    now = timezone.now()
    for session in sessions:
        session.is_past = session.ends_at < now  # type: ignore[attr-defined]
    return {
        "sessions": sessions,
        "past_sessions": sum(1 for s in sessions if s.ends_at < now),
        "enrolments": enrolments if with_people else [],
        "enrolled_count": len(enrolments),
        "by_organization": [
            OrganizationCount(name, count) for name, count in sorted(by_organization.items())
        ],
        "my_people": [e for e in enrolments if e.organization_id in mine],
        "withdrawn_count": Enrolment.objects.filter(
            cohort=cohort, status=EnrolmentStatus.WITHDRAWN
        ).count(),
        "facilitators": list(cohort.facilitators.order_by("first_name", "last_name")),
        "places_left": None
        if cohort.capacity is None
        else max(cohort.capacity - len(enrolments), 0),
    }


def organizations_for_enrolment(program: Program, user: Any, *, coordinator: bool) -> list[Actor]:
    organizations = Actor.objects.organizations().filter(program=program)
    if not coordinator:
        organizations = organizations.filter(pk__in=represented_ids(user))
    return list(organizations.order_by("name"))


def members_for_enrolment(
    organization: Actor, cohort: Cohort, day: datetime.date | None = None
) -> list[tuple[Actor, bool]]:
    """Current members of `organization`, each with whether they already hold a place."""
    enrolled = set(
        Enrolment.objects.filter(cohort=cohort, status__in=ACTIVE_ENROLMENT).values_list(
            "person_id", flat=True
        )
    )
    people: dict[int, Actor] = {}
    for membership in (
        Membership.objects.current(day)
        .filter(organization=organization, person__kind="person")
        .select_related("person")
        .order_by("person__name")
    ):
        people.setdefault(membership.person_id, membership.person)
    return [(person, person.pk in enrolled) for person in people.values()]


def program_users(program: Program) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(program_roles__program=program, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )
