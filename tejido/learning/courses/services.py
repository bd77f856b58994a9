"""Every write to courses, modules, competencies, cohorts, sessions and enrolments.

Services take the acting user and keyword arguments, validate, write and leave a trace in the
audit trail for what concerns people (enrolments and withdrawals). A refusal is a
ValidationError naming the field it is about, and changes nothing.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.accounts.models import ProgramRole
from tejido.accounts.rules import is_coordinator
from tejido.actors.models import Actor, ActorKind, Membership, Sector
from tejido.actors.rules import speaks_for_actor
from tejido.actors.services import actor_create, membership_create
from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.core.text import normalize_for_search

from ..models import (
    Attendance,
    Cohort,
    CohortStatus,
    Competency,
    Course,
    Enrolment,
    EnrolmentStatus,
    LearningSettings,
    Module,
    Session,
)

COURSE_FIELDS = (
    "title",
    "summary",
    "learning_goals",
    "hours",
    "min_attendance_percent",
    "is_published",
)
MODULE_FIELDS = ("title", "learning_goals", "hours")
COHORT_FIELDS = (
    "name",
    "cycle",
    "territory",
    "starts_on",
    "ends_on",
    "capacity",
    "enrolment_open",
    "status",
)
SESSION_FIELDS = (
    "module",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "facilitator_name",
)
# Enrolments that hold a place in a cohort.
ACTIVE_ENROLMENT = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NOT_COMPLETED,
)


def _unknown(name: str, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{name}() got unexpected fields: {sorted(unknown)}")


# -- settings ---------------------------------------------------------------------------------


def learning_settings_for(program: Program) -> LearningSettings:
    """The program's learning settings, created with a fresh calendar secret on first use."""
    found = LearningSettings.objects.filter(program=program).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LearningSettings.objects.create(
                program=program, calendar_token=secrets.token_urlsafe(24)
            )
    except IntegrityError:  # another request created it first
        return LearningSettings.objects.get(program=program)


# -- competencies -----------------------------------------------------------------------------


def _same_name(program: Program, name: str, *, exclude: int | None = None) -> Competency | None:
    wanted = normalize_for_search(name)
    others = Competency.objects.filter(program=program)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return next((c for c in others if normalize_for_search(c.name) == wanted), None)


@transaction.atomic
def competency_create(
    *, user: Any, program: Program, name: str, description: str = ""
) -> Competency:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the competency a name.")})
    if _same_name(program, name) is not None:
        raise ValidationError(
            {"name": _("The program already has the competency “%(name)s”.") % {"name": name}}
        )
    competency = Competency(program=program, name=name, description=description.strip())
    competency.full_clean()
    competency.save()
    return competency


@transaction.atomic
def competency_update(
    *, user: Any, competency: Competency, name: str, description: str = ""
) -> Competency:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the competency a name.")})
    if _same_name(competency.program, name, exclude=competency.pk) is not None:
        raise ValidationError(
            {"name": _("The program already has the competency “%(name)s”.") % {"name": name}}
        )
    competency.name = name
    competency.description = description.strip()
    competency.full_clean()
    competency.save()
    return competency


def _competencies_for(
    *, user: Any, program: Program, chosen: Iterable[Competency], new_names: Iterable[str]
) -> list[Competency]:
    """The chosen competencies plus the new ones, created (or found, if a name exists)."""
    result = list(chosen)
    for competency in result:
        if competency.program_id != program.pk:
            raise ValidationError({"competencies": _("Choose competencies of this program.")})
    for raw in new_names:
        name = " ".join(raw.split())
        if not name:
            continue
        existing = _same_name(program, name)
        if existing is None:
            existing = competency_create(user=user, program=program, name=name)
        if existing not in result:
            result.append(existing)
    return result


# -- courses ----------------------------------------------------------------------------------


def _check_course(course: Course) -> None:
    course.title = course.title.strip()
    if not course.title:
        raise ValidationError({"title": _("Give the course a title.")})
    course.full_clean(exclude=["program", "created_by"])


@transaction.atomic
def course_create(
    *,
    user: Any,
    program: Program,
    competencies: Iterable[Competency] = (),
    new_competencies: Iterable[str] = (),
    themes: Iterable[Theme] = (),
    **fields: Any,
) -> Course:
    _unknown("course_create", fields, COURSE_FIELDS)
    course = Course(program=program, created_by=user if user.is_authenticated else None, **fields)
    _check_course(course)
    course.save()
    course.competencies.set(
        _competencies_for(
            user=user, program=program, chosen=competencies, new_names=new_competencies
        )
    )
    course.themes.set(list(themes))
    return course


@transaction.atomic
def course_update(
    *,
    user: Any,
    course: Course,
    competencies: Iterable[Competency] | None = None,
    new_competencies: Iterable[str] = (),
    themes: Iterable[Theme] | None = None,
    **fields: Any,
) -> Course:
    _unknown("course_update", fields, COURSE_FIELDS)
    course = Course.objects.select_for_update().select_related("program").get(pk=course.pk)
    for key, value in fields.items():
        setattr(course, key, value)
    _check_course(course)
    course.save()
    if competencies is not None or new_competencies:
        chosen = list(competencies) if competencies is not None else list(course.competencies.all())
        course.competencies.set(
            _competencies_for(
                user=user, program=course.program, chosen=chosen, new_names=new_competencies
            )
        )
    if themes is not None:
        course.themes.set(list(themes))
    return course


# -- modules ----------------------------------------------------------------------------------


def _check_module(module: Module) -> None:
    module.title = module.title.strip()
    if not module.title:
        raise ValidationError({"title": _("Give the module a title.")})
    module.full_clean(exclude=["course", "position"])


@transaction.atomic
def module_add(
    *, user: Any, course: Course, title: str, learning_goals: str = "", hours: int = 0
) -> Module:
    # Lock the course: two coordinators adding modules at once get consecutive positions.
    Course.objects.select_for_update().get(pk=course.pk)
    last = Module.objects.filter(course=course).aggregate(last=Max("position"))["last"] or 0
    module = Module(
        course=course, position=last + 1, title=title, learning_goals=learning_goals, hours=hours
    )
    _check_module(module)
    module.save()
    return module


@transaction.atomic
def module_update(*, user: Any, module: Module, **fields: Any) -> Module:
    _unknown("module_update", fields, MODULE_FIELDS)
    module = Module.objects.select_for_update().get(pk=module.pk)
    for key, value in fields.items():
        setattr(module, key, value)
    _check_module(module)
    module.save()
    return module


@transaction.atomic
def module_remove(*, user: Any, module: Module) -> None:
    """Remove a module; its sessions stay, without a module. Later modules move up."""
    Course.objects.select_for_update().get(pk=module.course_id)
    course_id, position = module.course_id, module.position
    Module.objects.filter(pk=module.pk).delete()
    for later in Module.objects.filter(course_id=course_id, position__gt=position).order_by(
        "position"
    ):
        later.position -= 1
        later.save(update_fields=["position", "updated_at"])


@transaction.atomic
def module_move(*, user: Any, module: Module, up: bool) -> Module:
    """Swap the module with the one before it (`up`) or after it."""
    Course.objects.select_for_update().get(pk=module.course_id)
    module = Module.objects.get(pk=module.pk)
    siblings = Module.objects.filter(course_id=module.course_id)
    neighbour = (
        siblings.filter(position__lt=module.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=module.position).order_by("position").first()
    )
    if neighbour is None:
        return module
    # (course, position) is unique: park the module past the end while the two swap.
    last = siblings.aggregate(last=Max("position"))["last"] or 0
    mine, theirs = module.position, neighbour.position
    module.position = last + 1
    module.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position", "updated_at"])
    module.position = theirs
    module.save(update_fields=["position", "updated_at"])
    return module


# -- cohorts ----------------------------------------------------------------------------------


def _program_user_ids(program: Program) -> set[int]:
    return set(ProgramRole.objects.filter(program=program).values_list("user_id", flat=True))


def _check_cohort(cohort: Cohort, program: Program, facilitators: list[Any] | None) -> None:
    cohort.name = cohort.name.strip()
    if not cohort.name:
        raise ValidationError({"name": _("Give the cohort a name.")})
    if cohort.starts_on and cohort.ends_on and cohort.ends_on < cohort.starts_on:
        raise ValidationError({"ends_on": _("The cohort cannot end before it starts.")})
    cycle: Cycle | None = cohort.cycle
    if cycle is not None and cycle.program_id != program.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this program.")})
    territory: Territory | None = cohort.territory
    program_territories = program.territories.all()
    if (
        territory is not None
        and program_territories.exists()
        and not program_territories.filter(pk=territory.pk).exists()
    ):
        raise ValidationError({"territory": _("Choose a territory of this program.")})
    if facilitators:
        outsiders = {f.pk for f in facilitators} - _program_user_ids(program)
        if outsiders:
            raise ValidationError(
                {"facilitators": _("Facilitators must be users of this program.")}
            )
    cohort.full_clean(exclude=["course", "program", "closed_by"])


@transaction.atomic
def cohort_create(
    *, user: Any, course: Course, facilitators: Iterable[Any] = (), **fields: Any
) -> Cohort:
    _unknown("cohort_create", fields, COHORT_FIELDS)
    if fields.get("status", CohortStatus.PLANNED) == CohortStatus.CLOSED:
        raise ValidationError(
            {"status": _("A cohort is closed from its attendance page, once it has run.")}
        )
    program = course.program
    cohort = Cohort(course=course, program=program, **fields)
    chosen = list(facilitators)
    _check_cohort(cohort, program, chosen)
    cohort.save()
    cohort.facilitators.set(chosen)
    return cohort


@transaction.atomic
def cohort_update(
    *, user: Any, cohort: Cohort, facilitators: Iterable[Any] | None = None, **fields: Any
) -> Cohort:
    _unknown("cohort_update", fields, COHORT_FIELDS)
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    was_closed = cohort.status == CohortStatus.CLOSED
    status = fields.get("status", cohort.status)
    if was_closed and status != CohortStatus.CLOSED:
        raise ValidationError({"status": _("This cohort is closed: it cannot reopen.")})
    if not was_closed and status == CohortStatus.CLOSED:
        raise ValidationError(
            {"status": _("A cohort is closed from its attendance page, once it has run.")}
        )
    for key, value in fields.items():
        setattr(cohort, key, value)
    if was_closed:
        cohort.enrolment_open = False
    if cohort.capacity is not None:
        taken = cohort.enrolments.filter(status__in=ACTIVE_ENROLMENT).count()
        if cohort.capacity < taken:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s people are already enrolled: the cohort needs at least that "
                        "many places."
                    )
                    % {"count": taken}
                }
            )
    chosen = list(facilitators) if facilitators is not None else None
    _check_cohort(cohort, cohort.program, chosen)
    cohort.save()
    if chosen is not None:
        cohort.facilitators.set(chosen)
    return cohort


# -- sessions ---------------------------------------------------------------------------------


def _check_session(session: Session, cohort: Cohort) -> None:
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is closed: its sessions can no longer change."))
    session.title = session.title.strip()
    if session.module is not None and session.module.course_id != cohort.course_id:
        raise ValidationError({"module": _("Choose a module of this course.")})
    if not session.title and session.module is None:
        raise ValidationError({"title": _("Give the session a title or choose its module.")})
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    session.full_clean(exclude=["cohort", "module"])


@transaction.atomic
def session_add(*, user: Any, cohort: Cohort, **fields: Any) -> Session:
    _unknown("session_add", fields, SESSION_FIELDS)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    session = Session(cohort=cohort, **fields)
    _check_session(session, cohort)
    session.save()
    return session


@transaction.atomic
def session_update(*, user: Any, session: Session, **fields: Any) -> Session:
    _unknown("session_update", fields, SESSION_FIELDS)
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    session = Session.objects.get(pk=session.pk)
    for key, value in fields.items():
        setattr(session, key, value)
    _check_session(session, cohort)
    session.save()
    return session


@transaction.atomic
def session_remove(*, user: Any, session: Session) -> None:
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is closed: its sessions can no longer change."))
    if Attendance.objects.filter(session=session).exists():
        raise ValidationError(
            _(
                "Attendance was already taken at this session, so it cannot be removed: the "
                "record of who came would be lost. Change its date or title instead."
            )
        )
    session.delete()


# -- enrolment --------------------------------------------------------------------------------


def may_enrol_for(user: Any, organization: Actor, cohort: Cohort) -> bool:
    """Coordinators enrol for any organization of the program; representatives for theirs."""
    if organization.program_id != cohort.program_id:
        return False
    return bool(is_coordinator.test(user, cohort) or speaks_for_actor.test(user, organization))


def _check_enrolment(
    *, user: Any, cohort: Cohort, person: Actor, organization: Actor, today: datetime.date
) -> None:
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is closed: no one can enrol any more."))
    if not cohort.enrolment_open:
        raise ValidationError(_("Enrolment in this cohort is closed."))
    if organization.kind == ActorKind.PERSON or organization.program_id != cohort.program_id:
        raise ValidationError({"organization": _("Choose an organization of this program.")})
    if not may_enrol_for(user, organization, cohort):
        raise ValidationError(
            {"organization": _("You can only enrol people of organizations you represent.")}
        )
    if person.kind != ActorKind.PERSON or person.program_id != cohort.program_id:
        raise ValidationError({"person": _("Choose a person of this program.")})
    coordinator = bool(is_coordinator.test(user, cohort))
    is_member = (
        Membership.objects.current(today).filter(person=person, organization=organization).exists()
    )
    if not coordinator and not is_member:
        raise ValidationError(
            {
                "person": _("%(person)s is not a member of %(organization)s.")
                % {"person": person.name, "organization": organization.name}
            }
        )


@transaction.atomic
def enrolment_create(*, user: Any, cohort: Cohort, person: Actor, organization: Actor) -> Enrolment:
    """Enrol `person` in `cohort` on behalf of `organization`.

    The cohort row is locked while places are counted: two representatives taking the last
    place at once are served one after the other, and the second is told the cohort is full.
    """
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    _check_enrolment(
        user=user,
        cohort=cohort,
        person=person,
        organization=organization,
        today=timezone.localdate(),
    )
    existing = Enrolment.objects.filter(cohort=cohort, person=person).first()
    if existing is not None and existing.status != EnrolmentStatus.WITHDRAWN:
        raise ValidationError(
            {"person": _("%(person)s is already enrolled in this cohort.") % {"person": person}}
        )
    if cohort.capacity is not None:
        taken = Enrolment.objects.filter(cohort=cohort, status__in=ACTIVE_ENROLMENT).count()
        if taken >= cohort.capacity:
            raise ValidationError(
                _("This cohort is full: all its %(count)s places are taken.")
                % {"count": cohort.capacity}
            )
    enrolled_by = user if getattr(user, "is_authenticated", False) else None
    if existing is not None:  # withdrawn earlier, enrolled again: one row per person
        existing.status = EnrolmentStatus.ENROLLED
        existing.organization = organization
        existing.enrolled_by = enrolled_by
        existing.decided_at = None
        existing.save()
        enrolment = existing
    else:
        enrolment = Enrolment.objects.create(
            cohort=cohort,
            person=person,
            organization=organization,
            enrolled_by=enrolled_by,
        )
    audit_log(
        user=user,
        action="learning.enrolment_create",
        target=enrolment,
        program=cohort.program,
        data={"cohort": cohort.pk, "person": person.pk, "organization": organization.pk},
    )
    return enrolment


@transaction.atomic
def enrolment_create_new_person(
    *,
    user: Any,
    cohort: Cohort,
    organization: Actor,
    name: str,
    email: str = "",
    phone: str = "",
) -> Enrolment:
    """Register a person who is not in the registry yet as a member of `organization`, and
    enrol them. Nothing is created if the enrolment is refused."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Write the person's name.")})
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if organization.program_id != cohort.program_id or organization.kind == ActorKind.PERSON:
        raise ValidationError({"organization": _("Choose an organization of this program.")})
    if not may_enrol_for(user, organization, cohort):
        raise ValidationError(
            {"organization": _("You can only enrol people of organizations you represent.")}
        )
    wanted = normalize_for_search(name)
    for membership in (
        Membership.objects.current().filter(organization=organization).select_related("person")
    ):
        if normalize_for_search(membership.person.name) == wanted:
            raise ValidationError(
                {
                    "name": _(
                        "%(person)s is already a member of %(organization)s: choose them from "
                        "the list."
                    )
                    % {"person": membership.person.name, "organization": organization.name}
                }
            )
    person = actor_create(
        user=user,
        program=cohort.program,
        kind=ActorKind.PERSON,
        name=name,
        sector=organization.sector or Sector.COMMUNITY,
        email=email.strip(),
        phone=phone.strip(),
    )
    membership_create(
        user=user, person=person, organization=organization, start_date=timezone.localdate()
    )
    return enrolment_create(user=user, cohort=cohort, person=person, organization=organization)


def may_withdraw(user: Any, enrolment: Enrolment) -> bool:
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return False
    if enrolment.cohort.status == CohortStatus.CLOSED:
        return False
    return bool(
        is_coordinator.test(user, enrolment.cohort)
        or speaks_for_actor.test(user, enrolment.organization)
    )


@transaction.atomic
def enrolment_withdraw(*, user: Any, enrolment: Enrolment) -> Enrolment:
    cohort = (
        Cohort.objects.select_for_update().select_related("program").get(pk=enrolment.cohort_id)
    )
    enrolment = Enrolment.objects.select_related("organization").get(pk=enrolment.pk)
    enrolment.cohort = cohort
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is closed: its enrolments are final."))
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(_("This person is not enrolled any more."))
    if not may_withdraw(user, enrolment):
        raise ValidationError(
            _("Only the organization's representatives or a coordinator can withdraw this person.")
        )
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save(update_fields=["status", "updated_at"])
    audit_log(
        user=user,
        action="learning.enrolment_withdraw",
        target=enrolment,
        program=cohort.program,
        data={"cohort": cohort.pk, "person": enrolment.person_id},
    )
    return enrolment
