"""Territory selection: a scorecard of weighted criteria, a ranking and the recorded decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tejido.core.models import Cycle, Program, Territory, TimeStampedModel


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DECIDED = "decided", _("Decided")


class Scorecard(TimeStampedModel):
    """One selection exercise: which territories the program will work in, and why."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("program")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scorecards",
        verbose_name=_("cycle"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    seats_to_fill = models.PositiveSmallIntegerField(
        _("territories to select"),
        default=1,
        help_text=_("How many territories the program can take on."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The weights and the ranking as they stood when the decision was recorded: later edits to
    # values or weights never rewrite why these territories were chosen.
    decision_snapshot = models.JSONField(_("ranking at the decision"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("territory scorecard")
        verbose_name_plural = _("territory scorecards")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(decided_at__isnull=False),
                name="scorecard_decided_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CriterionKind(models.TextChoices):
    # Fixed codes: the organizations count is computed from the registry, the others entered.
    VULNERABILITY = "vulnerability", _("Vulnerability index")
    ORGANIZATIONS = "organizations", _("Active community organizations")
    LOCAL_SUPPORT = "local_support", _("Local-government support")
    CUSTOM = "custom", _("Other criterion")


class Criterion(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scorecard")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind.choices)
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick when a lower value should rank a territory higher."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["scorecard", "position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """A territory under consideration in a scorecard."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("scorecard")
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territory")
    )
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        ordering = ["scorecard", "territory__name"]
        verbose_name = _("candidate territory")
        verbose_name_plural = _("candidate territories")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "territory"], name="candidate_unique_territory"
            )
        ]

    def __str__(self) -> str:
        return str(self.territory)


class CriterionValue(models.Model):
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="values", verbose_name=_("territory")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="values", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Where the value comes from: a document, a letter.")
    )
    evidence_url = models.URLField(_("evidence link"), blank=True)

    class Meta:
        verbose_name = _("criterion value")
        verbose_name_plural = _("criterion values")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "criterion"], name="criterion_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.criterion}: {self.value}"
