"""Study missions and visits to other territories or countries, the contacts made there, and
what came of them six months later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Theme, TimeStampedModel

# A mission's follow-up asks what came of its contacts this many months after it ended.
FOLLOW_UP_MONTHS = 6


class MissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class StudyMission(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="study_missions", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    destination = models.CharField(_("destination"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166-1 alpha-2
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    programme = models.TextField(_("programme"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("themes"))
    hosts = models.ManyToManyField(
        Actor, blank=True, related_name="missions_hosted", verbose_name=_("host organizations")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MissionStatus.choices, default=MissionStatus.PLANNED
    )
    follow_up_on = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(_("follow-up sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("study mission")
        verbose_name_plural = _("study missions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="mission_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class MissionParticipant(models.Model):
    """An entity of the program that took part, and who went on its behalf."""

    mission = models.ForeignKey(
        StudyMission,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("mission"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="missions", verbose_name=_("entity")
    )
    travellers = models.CharField(_("who went"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        ordering = ["mission", "id"]
        verbose_name = _("mission participant")
        verbose_name_plural = _("mission participants")
        constraints = [
            models.UniqueConstraint(fields=["mission", "actor"], name="mission_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} on {self.mission_id}"


class FollowUpOutcome(models.TextChoices):
    NOTHING = "nothing", _("Nothing came of it")
    IN_TOUCH = "in_touch", _("We keep in touch")
    COLLABORATING = "collaborating", _("We work together")
    AGREEMENT = "agreement", _("We signed an agreement")


class MissionContact(TimeStampedModel):
    """A contact a participant made on the mission: it becomes a tie (provenance "mission")."""

    mission = models.ForeignKey(
        StudyMission, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("mission")
    )
    participant = models.ForeignKey(
        MissionParticipant,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("participant"),
    )
    contact = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="mission_contacts", verbose_name=_("contact")
    )
    note = models.TextField(_("what you talked about"), blank=True)
    next_steps = models.TextField(_("agreed follow-ups"), blank=True)
    tie = models.ForeignKey(
        "network.Tie",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The six-month follow-up's answer.
    outcome = models.CharField(
        _("what came of it"), max_length=14, choices=FollowUpOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("follow-up note"), blank=True)
    outcome_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    class Meta:
        ordering = ["mission", "created_at", "id"]
        verbose_name = _("mission contact")
        verbose_name_plural = _("mission contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "contact"], name="mission_contact_once_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} met {self.contact_id}"
