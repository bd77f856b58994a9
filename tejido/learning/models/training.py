"""Training of local leaders: courses with modules, cohorts that run them in a territory,
sessions, enrolments of people on behalf of their organizations, attendance, certificates and
the competencies each leader gains."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, Theme, TimeStampedModel
from tejido.network.models import Intensity


class TrainingTies(models.TextChoices):
    """Which organizations a cohort ties together when it is closed (the program decides)."""

    NONE = "none", _("Record no ties")
    COMPLETED = "completed", _("Organizations whose people completed the course")
    ATTENDED = "attended", _("Organizations whose people attended at least one session")


class LearningSettings(TimeStampedModel):
    """How a program runs training and its learning community. A program without a row uses
    the defaults (see `LearningSettings.for_program`)."""

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="learning_settings",
        verbose_name=_("program"),
    )
    training_ties = models.CharField(
        _("ties from training"),
        max_length=20,
        choices=TrainingTies.choices,
        default=TrainingTies.COMPLETED,
    )
    training_tie_intensity = models.PositiveSmallIntegerField(
        _("intensity of those ties"), choices=Intensity.choices, default=Intensity.COOPERATION
    )
    # "We tried this too" on an experience ties the two organizations.
    tried_too_ties = models.BooleanField(_("“we tried this too” records a tie"), default=True)
    # A secret in the address of the program's calendar feed: calendar apps cannot log in.
    calendar_token = models.CharField(max_length=40, unique=True)

    class Meta:
        verbose_name = _("learning settings")
        verbose_name_plural = _("learning settings")

    def __str__(self) -> str:
        return str(self.program)


class Competency(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="competency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CourseQuerySet(models.QuerySet["Course"]):
    def published(self) -> CourseQuerySet:
        return self.filter(is_published=True)


class Course(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="courses", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # One goal per line: shown as a list and printed on the certificate.
    learning_goals = models.TextField(_("learning goals"), blank=True)
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="courses", verbose_name=_("competencies developed")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="courses", verbose_name=_("themes")
    )
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=75,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100), name="course_attendance_percent"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def goals(self) -> list[str]:
        return [line.strip() for line in self.learning_goals.splitlines() if line.strip()]


class Module(TimeStampedModel):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    learning_goals = models.TextField(_("learning goals"), blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="module_unique_position")
        ]

    def __str__(self) -> str:
        return self.title


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class CohortQuerySet(models.QuerySet["Cohort"]):
    def open_for_enrolment(self) -> CohortQuerySet:
        return self.exclude(status=CohortStatus.CLOSED).filter(enrolment_open=True)


class Cohort(TimeStampedModel):
    """A course run for a group of people in a program (and usually a territory)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("course")
    )
    # The course's program, kept here so that permission rules read it without a join.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("program")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("cycle"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("territory"),
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    enrolment_open = models.BooleanField(_("enrolment open"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CohortStatus.choices, default=CohortStatus.PLANNED
    )
    # Users who may take attendance besides the coordinators.
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_cohorts",
        verbose_name=_("facilitators"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Session(TimeStampedModel):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_url = models.URLField(_("link"), blank=True)
    facilitator_name = models.CharField(_("facilitator"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title or (self.module.title if self.module_id and self.module else "")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Did not complete")


class Enrolment(TimeStampedModel):
    """A person enrolled in a cohort on behalf of an organization."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("cohort")
    )
    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="training_enrolments",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    decided_at = models.DateTimeField(_("completion decided"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="enrolment_unique_person"),
            models.CheckConstraint(
                condition=~Q(person=F("organization")), name="enrolment_person_not_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.cohort}"


class Attendance(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("enrolment"),
    )
    present = models.BooleanField(_("present"), default=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="attendance_unique_session_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.session}"


class Certificate(TimeStampedModel):
    """Issued when a cohort closes to each person who completed. What it certifies is copied
    in, so that the certificate reads the same later even if a course or a name changes."""

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrolment"),
    )
    # Crockford base-32 groups with a check character: a mistyped code is told apart from a
    # code that was never issued.
    code = models.CharField(_("verification code"), max_length=24, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    organization_name = models.CharField(_("organization"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    program_name = models.CharField(_("program"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    attended_sessions = models.PositiveSmallIntegerField(_("sessions attended"), default=0)
    total_sessions = models.PositiveSmallIntegerField(_("sessions held"), default=0)
    completed_on = models.DateField(_("completed on"))
    # One per line, as they were when the certificate was issued.
    learning_goals = models.TextField(_("learning goals"), blank=True)
    competencies = models.TextField(_("competencies developed"), blank=True)
    issued_at = models.DateTimeField(_("issued"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    @property
    def goal_lines(self) -> list[str]:
        return [line for line in self.learning_goals.splitlines() if line.strip()]

    @property
    def competency_lines(self) -> list[str]:
        return [line for line in self.competencies.splitlines() if line.strip()]


class CompetencyRecord(TimeStampedModel):
    """A competency a leader gained, and the training it came from."""

    person = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="competency_records",
        verbose_name=_("person"),
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="records", verbose_name=_("competency")
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="competency_records",
        verbose_name=_("from the enrolment"),
    )
    gained_on = models.DateField(_("gained on"))

    class Meta:
        ordering = ["-gained_on", "id"]
        verbose_name = _("competency gained")
        verbose_name_plural = _("competencies gained")
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "enrolment"], name="competency_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.competency}"
