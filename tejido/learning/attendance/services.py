"""Every write of the attendance area: recording a session's attendance, closing a cohort
(completion, certificates, competencies, ties, e-mails), revoking a certificate and the
program's learning settings.

Closing a cohort
----------------
`cohort_close` locks the cohort, decides each enrolled person's completion by the course's rule
(at least `min_attendance_percent` % of the sessions held), issues a certificate to each who
completed (what it certifies is copied in), records the course's competencies for them, ties
the organizations the program's settings say (collaboration ties with provenance "training",
never weakening a stronger tie), writes the audit trail and, once all of it commits, e-mails
each organization's representatives their people's certificates.
"""

from __future__ import annotations

import datetime
import itertools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, Representative
from tejido.core.audit import audit_log
from tejido.core.mail import DEFAULT_EMAIL_LANGUAGE, recipient_language
from tejido.core.models import Program
from tejido.network.models import Provenance, Tie, TieType
from tejido.network.services import tie_strengthen

from ..models import (
    Attendance,
    Certificate,
    Cohort,
    CohortStatus,
    CompetencyRecord,
    Enrolment,
    EnrolmentStatus,
    LearningSettings,
    Session,
)
from . import codes
from .selectors import RECORD_AHEAD, ClosePlan, close_plan


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


# -- attendance -------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, user: Any, session: Session, present: set[int]) -> int:
    """Record who was at `session`: the enrolments in `present` (ids) attended, every other
    active enrolment of the cohort did not. One upsert for the whole list; the cohort is
    locked meanwhile so that two facilitators saving at once write one row per person (the
    unique constraint is the last guard). Returns the number of people recorded."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=session.cohort_id)
    )
    _require(
        user,
        "learning.take_attendance",
        cohort,
        _("Only the program's coordinators and the cohort's facilitators take attendance."),
    )
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is closed: its attendance can no longer change."))
    session = Session.objects.get(pk=session.pk, cohort=cohort)
    now = timezone.now()
    if session.starts_at > now + RECORD_AHEAD:
        raise ValidationError(
            _("This session has not taken place yet: take attendance on the day it is held.")
        )
    active = set(
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("pk", flat=True)
    )
    present = {int(pk) for pk in present}
    strangers = present - active
    if strangers:
        raise ValidationError(
            _(
                "Some of the people marked present are not enrolled in this cohort (or have"
                " withdrawn). Reload the list and try again."
            )
        )
    recorder = user if getattr(user, "is_authenticated", False) else None
    rows = [
        Attendance(
            session=session,
            enrolment_id=pk,
            present=pk in present,
            recorded_by=recorder,
            recorded_at=now,
        )
        for pk in sorted(active)
    ]
    Attendance.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["session", "enrolment"],
        update_fields=["present", "recorded_by", "recorded_at"],
    )
    audit_log(
        user=user,
        action="learning.attendance.record",
        target=session,
        program=cohort.program,
        data={"cohort": cohort.pk, "present": len(present), "absent": len(active) - len(present)},
    )
    return len(rows)


# -- learning settings --------------------------------------------------------------------------


def learning_settings_for(program: Program) -> LearningSettings:
    """The program's settings row, created with the defaults (and a fresh calendar secret) the
    first time it is needed."""
    found = LearningSettings.objects.filter(program=program).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LearningSettings.objects.create(
                program=program, calendar_token=secrets.token_urlsafe(24)
            )
    except IntegrityError:
        # Created by someone else a moment ago.
        return LearningSettings.objects.get(program=program)


@transaction.atomic
def learning_settings_update(
    *,
    user: Any,
    program: Program,
    training_ties: str,
    training_tie_intensity: int,
    tried_too_ties: bool,
) -> LearningSettings:
    _require(
        user,
        "learning.manage_training",
        program,
        _("Only the program's coordinators change the learning settings."),
    )
    settings = learning_settings_for(program)
    settings = LearningSettings.objects.select_for_update().get(pk=settings.pk)
    before = {
        "training_ties": settings.training_ties,
        "training_tie_intensity": settings.training_tie_intensity,
        "tried_too_ties": settings.tried_too_ties,
    }
    settings.training_ties = training_ties
    settings.training_tie_intensity = training_tie_intensity
    settings.tried_too_ties = tried_too_ties
    settings.full_clean(exclude=["program", "calendar_token"])
    settings.save()
    audit_log(
        user=user,
        action="learning.settings.update",
        target=settings,
        program=program,
        data={
            "before": before,
            "after": {
                "training_ties": training_ties,
                "training_tie_intensity": training_tie_intensity,
                "tried_too_ties": tried_too_ties,
            },
        },
    )
    return settings


# -- closing a cohort ---------------------------------------------------------------------------


@dataclass
class CloseResult:
    cohort: Cohort
    held: int
    completed: int
    not_completed: int
    certificates: list[Certificate]
    competencies: int
    ties: int


def _unique_codes(count: int) -> list[str]:
    """`count` fresh codes no certificate has (a clash is astronomically rare; checked)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        batch = {codes.new_code() for _ in range(count - len(chosen))} - chosen
        taken = set(Certificate.objects.filter(code__in=batch).values_list("code", flat=True))
        chosen |= batch - taken
    return sorted(chosen)


def _record_ties(user: Any, cohort: Cohort, plan: ClosePlan, day: datetime.date) -> int:
    """Collaboration ties among the plan's organizations. An existing tie at least as strong is
    left as it is (its provenance and scores stay); a weaker one is raised. Returns the number
    of ties recorded or strengthened."""
    organizations: list[Actor] = plan.tie_organizations
    if len(organizations) < 2:
        return 0
    ids = [a.pk for a in organizations]
    existing = {
        (t.source_id, t.target_id): t
        for t in Tie.objects.current().filter(
            tie_type=TieType.COLLABORATION, source_id__in=ids, target_id__in=ids
        )
    }
    note = _("Took part together in the course “%(course)s” (%(cohort)s).") % {
        "course": cohort.course.title,
        "cohort": cohort.name,
    }
    count = 0
    for first, second in itertools.combinations(organizations, 2):
        _tie, written = tie_strengthen(
            user=user,
            source=first,
            target=second,
            tie_type=TieType.COLLABORATION,
            intensity=plan.intensity,
            provenance=Provenance.TRAINING,
            started_on=day,
            note=note,
            current=existing.get((first.pk, second.pk)) or existing.get((second.pk, first.pk)),
        )
        count += written
    return count


@transaction.atomic
def cohort_close(*, user: Any, cohort: Cohort, base_url: str = "") -> CloseResult:
    """Close the cohort: decide completion, issue certificates, record competencies and ties,
    and e-mail the certificates once everything commits."""
    _require(
        user,
        "learning.manage_training",
        cohort,
        _("Only the program's coordinators close a cohort."),
    )
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("course", "program")
        .get(pk=cohort.pk)
    )
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError(_("This cohort is already closed."), code="closed")
    plan = close_plan(cohort)
    facts = plan.facts
    if facts.held == 0:
        raise ValidationError(
            _(
                "No session of this cohort has been held yet, so nobody can complete it. Close"
                " it once its sessions have taken place."
            ),
            code="no_sessions",
        )
    now = timezone.now()
    today = timezone.localdate()
    # Completed on the day of the last session held (a cohort is often closed days later).
    last_held = max(s.starts_at for s in facts.sessions if s.pk in facts.held_ids)
    completed_on = min(timezone.localdate(last_held), today)
    course = cohort.course
    completing = [p.enrolment for p in plan.completing]
    Enrolment.objects.filter(pk__in=[e.pk for e in completing]).update(
        status=EnrolmentStatus.COMPLETED, decided_at=now
    )
    Enrolment.objects.filter(pk__in=[p.enrolment.pk for p in plan.not_completing]).update(
        status=EnrolmentStatus.NOT_COMPLETED, decided_at=now
    )
    attended = {p.enrolment.pk: p.attended for p in plan.completing}
    competencies = list(course.competencies.order_by("name"))
    goals = "\n".join(course.goals)
    competency_names = "\n".join(c.name for c in competencies)
    certificates = Certificate.objects.bulk_create(
        [
            Certificate(
                enrolment=enrolment,
                code=code,
                holder_name=enrolment.person.name,
                organization_name=enrolment.organization.name,
                course_title=course.title,
                program_name=cohort.program.name,
                hours=course.hours,
                attended_sessions=attended[enrolment.pk],
                total_sessions=facts.held,
                completed_on=completed_on,
                learning_goals=goals,
                competencies=competency_names,
                issued_at=now,
            )
            for enrolment, code in zip(completing, _unique_codes(len(completing)), strict=True)
        ]
    )
    competency_ids = [c.pk for c in competencies]
    records = CompetencyRecord.objects.bulk_create(
        [
            CompetencyRecord(
                person_id=enrolment.person_id,
                competency_id=competency_id,
                enrolment=enrolment,
                gained_on=completed_on,
            )
            for enrolment in completing
            for competency_id in competency_ids
        ],
        ignore_conflicts=True,
    )
    ties = _record_ties(user, cohort, plan, today)
    cohort.status = CohortStatus.CLOSED
    cohort.closed_at = now
    cohort.closed_by = user if getattr(user, "is_authenticated", False) else None
    cohort.enrolment_open = False
    cohort.save(update_fields=["status", "closed_at", "closed_by", "enrolment_open", "updated_at"])
    audit_log(
        user=user,
        action="learning.cohort.close",
        target=cohort,
        program=cohort.program,
        data={
            "held": facts.held,
            "completed": [e.pk for e in completing],
            "not_completed": [p.enrolment.pk for p in plan.not_completing],
            "certificates": [c.code for c in certificates],
            "ties": ties,
            "tie_policy": plan.tie_policy,
        },
    )
    certificate_ids = [c.pk for c in certificates]
    transaction.on_commit(lambda: send_certificates(certificate_ids, base_url=base_url))
    return CloseResult(
        cohort=cohort,
        held=facts.held,
        completed=len(completing),
        not_completed=len(plan.not_completing),
        certificates=certificates,
        competencies=len(records),
        ties=ties,
    )


# -- revoking ----------------------------------------------------------------------------------


@transaction.atomic
def certificate_revoke(*, user: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate, saying why: the public page shows it as revoked from then on."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__program")
        .get(pk=certificate.pk)
    )
    enrolment = certificate.enrolment
    enrolment.program_id = enrolment.cohort.program_id  # type: ignore[attr-defined]
    _require(
        user,
        "learning.revoke_certificate",
        enrolment,
        _("Only the program's coordinators revoke certificates."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    audit_log(
        user=user,
        action="learning.certificate.revoke",
        target=certificate,
        program=enrolment.cohort.program,
        data={"code": certificate.code, "reason": reason},
    )
    return certificate


# -- the certificates by e-mail -----------------------------------------------------------------


def organization_recipients(organization_id: int) -> list[tuple[str, str, str]]:
    """(e-mail, language, name) of the organization's active representatives with an address,
    each address once; the organization's own address when none has one."""
    recipients: dict[str, tuple[str, str, str]] = {}
    for rep in (
        Representative.objects.filter(organization_id=organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ):
        person = rep.user
        if person.email:
            recipients.setdefault(
                person.email.lower(),
                (person.email, recipient_language(person), person.get_full_name() or ""),
            )
    if not recipients:
        email = (
            Actor.objects.filter(pk=organization_id).values_list("email", flat=True).first() or ""
        )
        if email:
            recipients[email.lower()] = (email, DEFAULT_EMAIL_LANGUAGE, "")
    return list(recipients.values())


def verify_url(code: str, base_url: str = "") -> str:
    path = reverse("learning:verify_code", args=[code])
    return base_url.rstrip("/") + path if base_url else path


def certificate_for_pdf(certificate_id: int) -> Certificate:
    return Certificate.objects.select_related(
        "enrolment__cohort__course", "enrolment__cohort__program"
    ).get(pk=certificate_id)


def send_certificates(certificate_ids: Iterable[int], *, base_url: str = "") -> int:
    """E-mail each organization's representatives their people's certificates (after the
    closing committed), in each recipient's language. Returns the number of e-mails sent."""
    from .pdf import certificate_pdf

    by_organization: dict[int, list[Certificate]] = {}
    for certificate in (
        Certificate.objects.filter(pk__in=list(certificate_ids), revoked_at__isnull=True)
        .select_related("enrolment__cohort__course", "enrolment__cohort__program")
        .prefetch_related("enrolment__cohort__course__competencies")
        .order_by("holder_name", "id")
    ):
        by_organization.setdefault(certificate.enrolment.organization_id, []).append(certificate)
    messages = []
    for organization_id, certificates in by_organization.items():
        first = certificates[0]
        for email, language, name in organization_recipients(organization_id):
            with translation.override(language):
                context = {
                    "name": name,
                    "organization": first.organization_name,
                    "course": first.course_title,
                    "program": first.program_name,
                    "certificates": [(c, verify_url(c.code, base_url)) for c in certificates],
                }
                subject = render_to_string(
                    "learning/attendance/email/certificates_subject.txt", context
                )
                text = render_to_string("learning/attendance/email/certificates.txt", context)
                attachments = [
                    (
                        _("certificate-%(code)s.pdf") % {"code": c.code},
                        certificate_pdf(c, verify_url(c.code, base_url)),
                    )
                    for c in certificates
                ]
            message = EmailMessage(" ".join(subject.split()), text, to=[email])
            for filename, pdf in attachments:
                message.attach(filename, pdf, "application/pdf")
            messages.append(message)
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)
