"""A call for community projects: its budget, quotas, dates, eligibility rules, evaluation
criteria and the pool of reviewers who evaluate its applications."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, Theme, TimeStampedModel
from tejido.governance.models import Objective, Plan, Poll

# Every amount of money: up to a trillion, with cents.
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class CallStatus(models.TextChoices):
    # Stored codes, never labels. Whether a published call is upcoming, open or closed for
    # applications follows from its dates (see CallQuerySet.open and Call.phase).
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DECIDED = "decided", _("Decided")
    RESULTS_PUBLISHED = "results_published", _("Results published")


class CallPhase(models.TextChoices):
    """Where a call stands today, derived from its status and dates (not stored)."""

    DRAFT = "draft", _("Draft")
    UPCOMING = "upcoming", _("Opens soon")
    OPEN = "open", _("Open for applications")
    EVALUATION = "evaluation", _("Under evaluation")
    DECIDED = "decided", _("Decided")
    RESULTS = "results", _("Results published")


class AllocationRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy by score")
    OPTIMAL = "optimal", _("Optimal (best total weighted score)")


class RankingSource(models.TextChoices):
    REVIEWS = "reviews", _("Reviewers' scores")
    PUBLIC_VOTE = "public_vote", _("A public vote (imported from a Pabulib file)")


class CallQuerySet(models.QuerySet["Call"]):
    def published(self) -> CallQuerySet:
        return self.exclude(status=CallStatus.DRAFT)

    def open(self, at: datetime.datetime | None = None) -> CallQuerySet:
        """Calls taking applications at `at` (now by default)."""
        at = at or timezone.now()
        return self.filter(status=CallStatus.PUBLISHED, opens_at__lte=at, closes_at__gt=at)

    def upcoming(self, at: datetime.datetime | None = None) -> CallQuerySet:
        at = at or timezone.now()
        return self.filter(status=CallStatus.PUBLISHED, opens_at__gt=at)

    def closed(self, at: datetime.datetime | None = None) -> CallQuerySet:
        """Published calls whose application window has ended, decided or not."""
        at = at or timezone.now()
        return self.published().filter(closes_at__lte=at)

    def with_public_results(self) -> CallQuerySet:
        return self.filter(status=CallStatus.RESULTS_PUBLISHED)


class Call(TimeStampedModel):
    """A competitive fund's call for community projects that serve the improvement plan."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="calls", verbose_name=_("program")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("cycle"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("improvement plan"),
    )
    objectives = models.ManyToManyField(
        Objective, related_name="calls", blank=True, verbose_name=_("plan objectives served")
    )
    funder = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funded_calls",
        verbose_name=_("funder"),
        help_text=_("The organization that funds the awards; awards record a funding tie from it."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80)
    summary = models.TextField(_("summary"))
    description = models.TextField(_("full text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )

    # Money.
    currency = models.CharField(_("currency"), max_length=3, default="CLP")
    budget = models.DecimalField(
        _("budget envelope"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    min_grant = models.DecimalField(_("minimum grant"), **MONEY, default=0)
    max_grant = models.DecimalField(_("maximum grant"), **MONEY)
    allow_partial_funding = models.BooleanField(
        _("allow partial funding"),
        default=False,
        help_text=_("The committee may fund part of a request, down to the share below."),
    )
    min_partial_share = models.DecimalField(
        _("smallest share of a request funded"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
    )
    allocation_rule = models.CharField(
        _("allocation rule"),
        max_length=10,
        choices=AllocationRule.choices,
        default=AllocationRule.OPTIMAL,
    )
    ranking_source = models.CharField(
        _("rank applications by"),
        max_length=12,
        choices=RankingSource.choices,
        default=RankingSource.REVIEWS,
    )
    score_threshold = models.DecimalField(
        _("minimum overall score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Applications scoring below this (0 to 100) are not funded."),
    )

    # Dates.
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    evaluation_ends_on = models.DateField(_("evaluation ends"), null=True, blank=True)
    results_on = models.DateField(_("results announced"), null=True, blank=True)
    appeals_until = models.DateField(_("appeals until"), null=True, blank=True)

    # Eligibility rules declared for this call. Empty lists mean "any".
    eligible_sectors = models.JSONField(_("eligible sectors"), default=list, blank=True)
    eligible_kinds = models.JSONField(_("eligible kinds of applicant"), default=list, blank=True)
    eligible_territories = models.ManyToManyField(
        Territory,
        related_name="eligible_in_calls",
        blank=True,
        verbose_name=_("territories served"),
        help_text=_("Applicants must serve one of these territories (or a place inside one)."),
    )
    require_legal_document = models.BooleanField(
        _("require a current legal-status document"), default=True
    )
    legal_document_max_age_days = models.PositiveSmallIntegerField(
        _("legal document valid for (days)"), default=90
    )
    require_no_overdue_reports = models.BooleanField(
        _("refuse applicants with overdue reports from earlier grants"), default=True
    )
    one_application_per_organization = models.BooleanField(
        _("one application per organization"), default=True
    )

    # Reviews.
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    normalize_scores = models.BooleanField(
        _("normalize scores per reviewer"),
        default=False,
        help_text=_(
            "Rescale each reviewer's scores (z-scores) so harsh and lenient reviewers "
            "weigh the same."
        ),
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25"),
        help_text=_(
            "When reviewers' overall scores differ by more than this (0 to 100 points), "
            "one more review is asked for."
        ),
    )
    conflict_tie_intensity = models.PositiveSmallIntegerField(
        _("conflict from ties of intensity"),
        default=2,
        validators=[MaxValueValidator(3)],
        help_text=_(
            "A reviewer whose organization has a tie this intense or more with an "
            "applicant or partner has a conflict of interest."
        ),
    )

    # The committee's decision.
    requires_directorate_decision = models.BooleanField(
        _("the directorate must approve the awards"), default=False
    )
    decision_poll = models.ForeignKey(
        Poll,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("directorate decision"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("committee's reasons"), blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="call_unique_slug"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(max_grant__gte=F("min_grant")), name="call_max_grant_over_min"
            ),
            models.CheckConstraint(
                condition=Q(max_grant__lte=F("budget")), name="call_max_grant_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, at: datetime.datetime | None = None) -> str:
        at = at or timezone.now()
        if self.status == CallStatus.DRAFT:
            return CallPhase.DRAFT
        if self.status == CallStatus.RESULTS_PUBLISHED:
            return CallPhase.RESULTS
        if self.status == CallStatus.DECIDED:
            return CallPhase.DECIDED
        if at < self.opens_at:
            return CallPhase.UPCOMING
        if at < self.closes_at:
            return CallPhase.OPEN
        return CallPhase.EVALUATION

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        return self.phase(at) == CallPhase.OPEN


class QuotaKind(models.TextChoices):
    MINIMUM = "min", _("At least")
    MAXIMUM = "max", _("At most")


class Quota(models.Model):
    """A share of the budget reserved for (at least) or capped for (at most) a territory or a
    theme. An application counts toward the quota of its territory (and places inside it) or
    its theme."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("call")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    kind = models.CharField(_("kind"), max_length=3, choices=QuotaKind.choices)
    share = models.DecimalField(
        _("share of the budget"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        ordering = ["call", "kind", "id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(territory__isnull=False) & Q(theme__isnull=True))
                | (Q(territory__isnull=True) & Q(theme__isnull=False)),
                name="quota_territory_or_theme",
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=1), name="quota_share_range"
            ),
        ]

    def __str__(self) -> str:
        group = self.territory or self.theme
        return f"{self.get_kind_display()} {self.share:.0%} · {group}"


class Criterion(models.Model):
    """An evaluation criterion: reviewers score it from 0 to `scale_max`. A mean below
    `minimum` disqualifies the application, whatever its overall score."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale (0 to)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    minimum = models.DecimalField(
        _("disqualifying minimum"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "An application whose mean score on this criterion is below this is not funded."
        ),
    )

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="fund_criterion_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(minimum__lte=F("scale_max")),
                name="fund_criterion_minimum_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallReviewer(TimeStampedModel):
    """A member of a call's reviewer pool. `organization` is where the reviewer works, for
    conflict detection (besides the organizations the user represents)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="reviewers", verbose_name=_("call")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="fund_reviews",
        verbose_name=_("reviewer"),
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    max_load = models.PositiveSmallIntegerField(_("most applications"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="call_reviewer_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)
