"""The community improvement plan: objectives › lines of action › actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, TimeStampedModel

from .bodies import Body
from .decisions import Poll
from .needs import Need


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan", "Draft")
    APPROVED = "approved", pgettext_lazy("plan", "Approved")
    ARCHIVED = "archived", _("Archived")


class PlanQuerySet(models.QuerySet["Plan"]):
    def approved(self) -> PlanQuerySet:
        return self.filter(status=PlanStatus.APPROVED)


class Plan(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="plans", verbose_name=_("program")
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="plans", verbose_name=_("territory")
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.RESTRICT,
        related_name="plans",
        verbose_name=_("approving body"),
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("cycle"),
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    currency = models.CharField(
        _("currency"), max_length=3, default="CLP", help_text=_("ISO 4217 code: CLP, EUR...")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approval_poll = models.ForeignKey(
        Poll,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="approved_plans",
        verbose_name=_("approved by decision"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("community improvement plan")
        verbose_name_plural = _("community improvement plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(approval_poll__isnull=False)),
                name="plan_approved_by_decision",
            ),
            # One approved plan per territory and cycle.
            models.UniqueConstraint(
                fields=["territory", "cycle"],
                condition=Q(status="approved"),
                name="plan_one_approved_per_territory_cycle",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Objective(models.Model):
    """A plan objective. Competitive funds' calls serve these."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("objective"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    needs = models.ManyToManyField(
        Need, related_name="objectives", blank=True, verbose_name=_("needs addressed")
    )

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("plan objective")
        verbose_name_plural = _("plan objectives")

    def __str__(self) -> str:
        return self.title


class ActionLine(models.Model):
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="lines", verbose_name=_("objective")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("line of action"), max_length=300)

    class Meta:
        ordering = ["objective", "position", "id"]
        verbose_name = _("line of action")
        verbose_name_plural = _("lines of action")

    def __str__(self) -> str:
        return self.title


class Term(models.TextChoices):
    SHORT = "short", _("Short term")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DEFERRED = "deferred", _("Deferred to a future agenda")
    CANCELLED = "cancelled", pgettext_lazy("action", "Cancelled")


class FundingStatus(models.TextChoices):
    UNFUNDED = "unfunded", _("Unfunded")
    PARTIAL = "partial", _("Partly funded")
    FUNDED = "funded", _("Funded")


class PlanAction(models.Model):
    line = models.ForeignKey(
        ActionLine, on_delete=models.CASCADE, related_name="actions", verbose_name=_("line")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("action"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="responsible_for_actions",
        verbose_name=_("responsible"),
    )
    partners = models.ManyToManyField(
        Actor, related_name="partner_in_actions", blank=True, verbose_name=_("partner actors")
    )
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=0)
    funded_amount = models.DecimalField(
        _("funded amount"), max_digits=14, decimal_places=2, default=0
    )
    funding_status = models.CharField(
        _("funding"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.UNFUNDED
    )
    indicator = models.CharField(_("indicator"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("current value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, default=Term.SHORT)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )

    class Meta:
        ordering = ["line", "position", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="plan_action_budget_positive"),
            models.CheckConstraint(
                condition=Q(funded_amount__gte=0), name="plan_action_funded_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionProgress(models.Model):
    """A progress report on an action: the indicator's value on a date, with a note."""

    action = models.ForeignKey(
        PlanAction, on_delete=models.CASCADE, related_name="progress", verbose_name=_("action")
    )
    recorded_on = models.DateField(_("date"), default=timezone.localdate)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["action", "-recorded_on", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.action} · {self.recorded_on}"
