"""Allocation runs, the committee's awards and their follow-up: disbursements, milestones,
expense reports against budget lines, and the final report."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tejido.core.models import TimeStampedModel
from tejido.core.uploads import random_file_name

from .applications import Application, BudgetLine
from .calls import MONEY, AllocationRule, Call


class AllocationRun(TimeStampedModel):
    """One run of an allocation rule over a call's ranked applications: what it funded and why
    each application got its outcome. What-if runs are kept too; the decision names one."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="allocation_runs", verbose_name=_("call")
    )
    rule = models.CharField(_("rule"), max_length=10, choices=AllocationRule.choices)
    # The inputs (budget, quotas, partial funding, scores) and the outcome per application:
    # {"applications": {"<id>": {"outcome": "funded", "amount": "…", "reason": {...}}}, ...}.
    parameters = models.JSONField(default=dict)
    outcome = models.JSONField(default=dict)
    total_awarded = models.DecimalField(_("total awarded"), **MONEY, default=0)
    is_what_if = models.BooleanField(_("what-if"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["call", "-created_at"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return f"{self.call} · {self.get_rule_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class AwardQuerySet(models.QuerySet["Award"]):
    def active(self) -> AwardQuerySet:
        return self.filter(status=AwardStatus.ACTIVE)

    def with_overdue_reports(self, day: datetime.date) -> AwardQuerySet:
        """Active awards whose final report was due before `day` and has not been submitted,
        or with a milestone due before `day` and not reached. Used by the eligibility rule
        "no overdue reports from earlier grants" and by the reminders."""
        return (
            self.active()
            .filter(
                Q(final_report_due_on__lt=day, final_report__isnull=True)
                | Q(milestones__due_on__lt=day, milestones__done_on__isnull=True)
            )
            .distinct()
        )


class Award(TimeStampedModel):
    application = models.OneToOneField(
        Application, on_delete=models.RESTRICT, related_name="award", verbose_name=_("application")
    )
    run = models.ForeignKey(
        AllocationRun,
        on_delete=models.RESTRICT,
        related_name="awards",
        verbose_name=_("allocation run"),
    )
    amount = models.DecimalField(_("amount awarded"), **MONEY, validators=[MinValueValidator(0)])
    awarded_on = models.DateField(_("awarded on"))
    starts_on = models.DateField(_("project starts"), null=True, blank=True)
    ends_on = models.DateField(_("project ends"), null=True, blank=True)
    final_report_due_on = models.DateField(_("final report due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    # Public identifier for open data (360Giving "id"): prefix + call + application.
    identifier = models.CharField(_("grant identifier"), max_length=120, unique=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["application__call", "application__reference"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="award_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.amount}"


class Disbursement(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="disbursements", verbose_name=_("award")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["award", "due_on", "position"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.due_on} · {self.amount}"


class Milestone(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("award")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["award", "due_on", "position"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ExpenseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


def receipt_path(instance: ExpenseReport, filename: str) -> str:
    return f"funds/receipts/{instance.award_id}/{random_file_name(filename)}"


class ExpenseReport(TimeStampedModel):
    """An expense against one budget line of the awarded application, with its receipt."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("award")
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.RESTRICT,
        related_name="expenses",
        verbose_name=_("budget line"),
    )
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=300)
    receipt = models.FileField(_("receipt"), upload_to=receipt_path)
    receipt_name = models.CharField(_("file name"), max_length=200)
    receipt_content_type = models.CharField(max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.SUBMITTED
    )
    review_note = models.CharField(_("reviewer's note"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["award", "spent_on", "id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} · {self.description}"


class FinalReport(TimeStampedModel):
    award = models.OneToOneField(
        Award, on_delete=models.CASCADE, related_name="final_report", verbose_name=_("award")
    )
    summary = models.TextField(_("what was done"))
    results = models.TextField(_("results"), blank=True)
    beneficiaries_women = models.PositiveIntegerField(_("women reached"), default=0)
    beneficiaries_men = models.PositiveIntegerField(_("men reached"), default=0)
    beneficiaries_other = models.PositiveIntegerField(_("others reached"), default=0)
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")

    def __str__(self) -> str:
        return str(self.award)
