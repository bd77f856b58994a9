"""The needs register and participatory prioritization sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.core.models import Cycle, Program, Territory, Theme, TimeStampedModel

from .bodies import Body
from .meetings import Meeting


class NeedSource(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Territorial diagnosis")
    MEETING = "meeting", _("Meeting")
    SURVEY = "survey", _("Survey")
    IMPORT = "import", pgettext_lazy("need source", "Import")
    OTHER = "other", _("Other source")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need", "Open")
    PRIORITIZED = "prioritized", _("Prioritized")
    IN_PLAN = "in_plan", _("In the plan")
    ADDRESSED = "addressed", _("Addressed")
    SET_ASIDE = "set_aside", _("Set aside")


class Need(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="needs", verbose_name=_("program")
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="needs", verbose_name=_("territory")
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("theme"),
    )
    title = models.CharField(_("need"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=NeedSource.choices, default=NeedSource.DIAGNOSIS
    )
    source_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_raised",
        verbose_name=_("raised at meeting"),
    )
    # How many people the need affects, when known: the Hanlon "size" can start from it.
    people_affected = models.PositiveIntegerField(_("people affected"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["territory", "title"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["program", "territory", "status"], name="need_program")]

    def __str__(self) -> str:
        return self.title


class PrioritizationMethod(models.TextChoices):
    HANLON = "hanlon", _("Hanlon method (size, seriousness, effectiveness, feasibility)")
    CRITERIA = "criteria", _("Weighted criteria matrix")
    DOTS = "dots", _("Dot voting")
    RANKED = "ranked", _("Ranked ballots (Borda count)")


class SessionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("session", "Draft")
    OPEN = "open", pgettext_lazy("session", "Open")
    CLOSED = "closed", pgettext_lazy("session", "Closed")


class PrioritizationSession(TimeStampedModel):
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="prioritization_sessions",
        verbose_name=_("program"),
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territory")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cycle"),
    )
    # With a body, only its seat holders give inputs; without one, any program member.
    body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prioritization_sessions",
        verbose_name=_("body"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prioritization_sessions",
        verbose_name=_("meeting"),
    )
    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("method"), max_length=12, choices=PrioritizationMethod.choices)
    dots_per_participant = models.PositiveSmallIntegerField(_("dots per participant"), default=5)
    needs = models.ManyToManyField(
        Need, related_name="sessions", verbose_name=_("needs to prioritize")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The aggregated ranking and how it was computed, written once at closing.
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("prioritization session")
        verbose_name_plural = _("prioritization sessions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="prioritization_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SessionCriterion(models.Model):
    """A criterion of a criteria matrix. Hanlon sessions get the four fixed Hanlon factors."""

    session = models.ForeignKey(
        PrioritizationSession,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("session"),
    )
    # Hanlon codes: size, seriousness, effectiveness, and the PEARL feasibility factors
    # (propriety, economics, acceptability, resources, legality), each 0 or 1.
    code = models.CharField(max_length=20, blank=True)
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("prioritization criterion")
        verbose_name_plural = _("prioritization criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="session_criterion_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PrioritizationInput(models.Model):
    """One participant's input, kept as given: scores per need and criterion, dots, or a ranking."""

    session = models.ForeignKey(
        PrioritizationSession,
        on_delete=models.CASCADE,
        related_name="inputs",
        verbose_name=_("session"),
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("participant"),
    )
    # {"scores": {need_id: {criterion_id: n}}} | {"dots": {need_id: n}} | {"ranking": [need_id]}
    content = models.JSONField(_("input"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["session", "submitted_at", "id"]
        verbose_name = _("prioritization input")
        verbose_name_plural = _("prioritization inputs")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="prioritization_one_input_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.participant_id}"
