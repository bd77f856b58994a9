"""Network surveys: each invited organization lists its partners and rates each tie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.models import Cycle, Program, Territory

from .ties import Intensity, TieType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("program")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.RESTRICT, related_name="surveys", verbose_name=_("cycle")
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("network survey")
        verbose_name_plural = _("network surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_open"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """One organization asked to answer; its link carries a signed reference to this row."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("organization"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "organization__name"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "organization"], name="surveyinvitation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.organization_id}"


class Frequency(models.IntegerChoices):
    YEARLY = 1, _("Once a year or less")
    FEW_TIMES = 2, _("A few times a year")
    MONTHLY = 3, _("Every month")
    WEEKLY = 4, _("Every week")
    DAILY = 5, _("Almost every day")


class ResourceKind(models.TextChoices):
    MONEY = "money", _("Money")
    PEOPLE = "people", _("Staff or volunteers")
    PREMISES = "premises", _("Premises or equipment")
    KNOWLEDGE = "knowledge", _("Information or know-how")
    CONTACTS = "contacts", _("Contacts")
    LEGITIMACY = "legitimacy", _("Visibility or legitimacy")


def _score(label: StrOrPromise) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Added to the registry")
    MERGED = "merged", _("Matched to an existing actor")
    REJECTED = "rejected", _("Rejected")


class SurveyNomination(models.Model):
    """A partner the respondent could not find in the registry, waiting for a coordinator."""

    invitation = models.ForeignKey(
        SurveyInvitation,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("invitation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActorKind.choices, default=ActorKind.ORGANIZATION
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NominationStatus.choices,
        default=NominationStatus.PENDING,
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor in the registry"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("proposed actor")
        verbose_name_plural = _("proposed actors")

    def __str__(self) -> str:
        return self.name


class SurveyAnswer(models.Model):
    """One partner named by a respondent, with the ratings of that tie."""

    invitation = models.ForeignKey(
        SurveyInvitation,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("invitation"),
    )
    # A partner from the registry, or one proposed for review (then the tie waits for it).
    partner = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    nomination = models.ForeignKey(
        SurveyNomination,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("proposed partner"),
    )
    tie_type = models.CharField(
        _("type"), max_length=20, choices=TieType.choices, default=TieType.COLLABORATION
    )
    intensity = models.PositiveSmallIntegerField(
        _("intensity"), choices=Intensity.choices, default=Intensity.COOPERATION
    )
    frequency = models.PositiveSmallIntegerField(
        _("how often"), choices=Frequency.choices, null=True, blank=True
    )
    trust_openness = _score(_("openness to discussion"))
    trust_reliability = _score(_("reliability"))
    trust_mission = _score(_("shared mission"))
    value_influence = _score(_("influence"))
    value_resources = _score(_("resources contributed"))
    value_involvement = _score(_("level of involvement"))
    resources = models.JSONField(_("resources exchanged"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["invitation", "id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, nomination__isnull=True)
                | Q(partner__isnull=True, nomination__isnull=False),
                name="surveyanswer_partner_or_nomination",
            ),
            models.UniqueConstraint(
                fields=["invitation", "partner"],
                condition=Q(partner__isnull=False),
                name="surveyanswer_one_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(intensity__gte=0, intensity__lte=4), name="surveyanswer_intensity"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"surveyanswer_{field}_1_5",
                )
                for field in (
                    "trust_openness",
                    "trust_reliability",
                    "trust_mission",
                    "value_influence",
                    "value_resources",
                    "value_involvement",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.partner_id or self.nomination_id}"
