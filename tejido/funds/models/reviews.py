"""Reviews: conflicts of interest (detected from the network or declared), assignments of
applications to reviewers, and their per-criterion scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import TimeStampedModel

from .applications import Application
from .calls import CallReviewer, Criterion


class ConflictSource(models.TextChoices):
    # Stored codes; funds.conflicts explains each in the reader's language.
    DECLARED = "declared", _("Declared by the reviewer")
    APPLICANT = "applicant", _("The reviewer's organization is the applicant")
    PARTNER = "partner", _("The reviewer's organization is a partner")
    TIE = "tie", _("A close tie with the applicant or a partner")
    SEAT = "seat", _("Shares a directorate with the applicant or a partner")


class ConflictDeclaration(TimeStampedModel):
    """A reviewer's own declaration: "I have a conflict with this organization"."""

    reviewer = models.ForeignKey(
        CallReviewer,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("reviewer"),
    )
    organization = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "organization"], name="conflict_declaration_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ↔ {self.organization}"


class Conflict(TimeStampedModel):
    """A conflict of interest between a reviewer and an application, found when reviews are
    assigned (or declared). A conflicted reviewer is never assigned and never sees it."""

    reviewer = models.ForeignKey(
        CallReviewer,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("reviewer"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("application"),
    )
    source = models.CharField(_("source"), max_length=12, choices=ConflictSource.choices)
    # The organizations and tie behind it ({"organization": id, "via": id, "intensity": 2}).
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "application", "source"], name="conflict_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ↔ {self.application} ({self.source})"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def submitted(self) -> AssignmentQuerySet:
        return self.filter(submitted_at__isnull=False)

    def pending(self) -> AssignmentQuerySet:
        return self.filter(submitted_at__isnull=True)


class Assignment(TimeStampedModel):
    """An application given to a reviewer; once submitted, it is that reviewer's review."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        CallReviewer,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("reviewer"),
    )
    # One more review asked for because the first ones disagreed.
    is_extra = models.BooleanField(_("extra review"), default=False)
    comment = models.TextField(_("overall comment"), blank=True)
    # Weighted overall score 0-100, kept by the service when the review is submitted.
    total = models.DecimalField(
        _("overall score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="assignment_unique_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(total__isnull=False),
                name="assignment_submitted_has_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} → {self.reviewer}"


class Score(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"
