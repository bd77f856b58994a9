"""Meetings of a body: agenda, attendance, minutes; and the register of agreements."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import TimeStampedModel

from .bodies import Body, Mandate


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesStatus(models.TextChoices):
    NONE = "none", _("Not written")
    DRAFT = "draft", pgettext_lazy("minutes", "Draft")
    APPROVED = "approved", pgettext_lazy("minutes", "Approved")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, now: datetime.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(ends_at__gte=now).exclude(status=MeetingStatus.CANCELLED)

    def past(self, now: datetime.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(ends_at__lt=now)


class Meeting(TimeStampedModel):
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # iCalendar identity: the UID stays, the sequence grows with every change sent out.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invitations_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_status = models.CharField(
        _("minutes status"),
        max_length=10,
        choices=MinutesStatus.choices,
        default=MinutesStatus.NONE,
    )
    # Minutes are approved at a later meeting (usually the next one).
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    minutes_approved_in = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_minutes_of",
        verbose_name=_("minutes approved in"),
    )
    ties_recorded_at = models.DateTimeField(_("ties recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(minutes_status="approved") | Q(minutes_approved_at__isnull=False),
                name="meeting_approved_minutes_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItemKind(models.TextChoices):
    MINUTES = "minutes", _("Approval of the previous minutes")
    INFORMATION = "information", _("Information")
    DISCUSSION = "discussion", _("Discussion")
    DECISION = "decision", _("Decision")
    FOLLOW_UP = "follow_up", _("Follow-up of an agreement")
    PLAN = "plan", _("Plan action awaiting funding")
    OTHER = "other", _("Other business")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=20, choices=AgendaItemKind.choices, default=AgendaItemKind.DISCUSSION
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes allotted"), default=15)
    need = models.ForeignKey(
        "governance.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("need"),
    )
    agreement = models.ForeignKey(
        "governance.Agreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("agreement followed up"),
    )
    plan_action = models.ForeignKey(
        "governance.PlanAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("plan action"),
    )
    # Items the platform added (carried-over agreements, unfunded actions) say so.
    carried_over = models.BooleanField(_("carried over"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agreement"],
                condition=Q(agreement__isnull=False),
                name="agenda_item_one_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["meeting", "plan_action"],
                condition=Q(plan_action__isnull=False),
                name="agenda_item_one_per_plan_action",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    """Who came: a person, for an organization, holding a seat or invited."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    mandate = models.ForeignKey(
        Mandate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("seat"),
    )
    organization = models.ForeignKey(
        Actor, on_delete=models.RESTRICT, related_name="+", verbose_name=_("organization")
    )
    person = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    as_alternate = models.BooleanField(_("as alternate"), default=False)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            # One row per seat per meeting, and one per organization for guests without a seat.
            models.UniqueConstraint(
                fields=["meeting", "mandate"],
                condition=Q(mandate__isnull=False),
                name="attendance_one_per_seat",
            ),
            models.UniqueConstraint(
                fields=["meeting", "organization"],
                condition=Q(mandate__isnull=True),
                name="attendance_one_per_guest_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organization}: {self.status}"


class AgreementStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("agreement", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", pgettext_lazy("agreement", "Cancelled")


OPEN_AGREEMENT_STATUSES = (AgreementStatus.OPEN, AgreementStatus.IN_PROGRESS)


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def unresolved(self) -> AgreementQuerySet:
        return self.filter(status__in=OPEN_AGREEMENT_STATUSES)

    def overdue(self, day: datetime.date | None = None) -> AgreementQuerySet:
        day = day or timezone.localdate()
        return self.unresolved().filter(due_on__lt=day)


class Agreement(TimeStampedModel):
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("body")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("meeting"),
    )
    # Numbered per body (2025-07 style references are built from the number and the year).
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("agreement"))
    responsible = models.ManyToManyField(
        Actor, related_name="agreements", blank=True, verbose_name=_("responsible actors")
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    poll = models.ForeignKey(
        "governance.Poll",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("decided by"),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["body", "-number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="agreement_unique_number"),
        ]
        indexes = [models.Index(fields=["body", "status", "due_on"], name="agreement_open_due")]

    def __str__(self) -> str:
        return f"#{self.number} {self.text[:60]}"


class AgreementNote(models.Model):
    """A follow-up note, optionally changing the agreement's status. Notes are never edited."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="notes", verbose_name=_("agreement")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_notes",
        verbose_name=_("meeting"),
    )
    text = models.TextField(_("note"))
    new_status = models.CharField(
        _("new status"), max_length=12, choices=AgreementStatus.choices, blank=True
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta:
        ordering = ["agreement", "written_at", "id"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self) -> str:
        return self.text[:60]
