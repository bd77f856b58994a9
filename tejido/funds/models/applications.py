"""Applications to a call: alone or as the lead of a consortium, with budget lines, attachments,
every submitted version, and the eligibility check."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Territory, Theme, TimeStampedModel
from tejido.core.uploads import random_file_name
from tejido.governance.models import Objective

from .calls import MONEY, Call


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> ApplicationQuerySet:
        return self.filter(status=ApplicationStatus.SUBMITTED)

    def eligible(self) -> ApplicationQuerySet:
        """Submitted applications that pass eligibility, by the rules or by an override."""
        return self.submitted().filter(
            Q(eligibility_override=True)
            | (Q(eligibility_override__isnull=True) & Q(eligibility=Eligibility.ELIGIBLE))
        )


class Application(TimeStampedModel):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="applications", verbose_name=_("call")
    )
    applicant = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        related_name="fund_applications",
        verbose_name=_("applicant organization"),
    )
    # Public reference shown to applicants and in receipts ("FC-2026-0042").
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"))
    problem = models.TextField(_("problem addressed"), blank=True)
    activities = models.TextField(_("activities"), blank=True)
    objectives = models.ManyToManyField(
        Objective,
        related_name="fund_applications",
        blank=True,
        verbose_name=_("plan objectives served"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory served"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    beneficiaries_women = models.PositiveIntegerField(_("women"), default=0)
    beneficiaries_men = models.PositiveIntegerField(_("men"), default=0)
    beneficiaries_other = models.PositiveIntegerField(_("other or not stated"), default=0)
    # Totals of the budget lines, kept by the services when lines change.
    requested_amount = models.DecimalField(_("amount requested"), **MONEY, default=0)
    co_funding_amount = models.DecimalField(_("co-funding"), **MONEY, default=0)

    # Results of a public vote on the call's projects, imported from a Pabulib file.
    public_votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    public_score = models.DecimalField(
        _("vote score"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    eligibility = models.CharField(
        _("eligibility"), max_length=12, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    # [{"rule": "sector", "passed": false, "params": {...}}, ...]: rendered in the reader's
    # language by funds.eligibility.describe(), never stored as translated text.
    eligibility_results = models.JSONField(default=list, blank=True, editable=False)
    eligibility_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    eligibility_override = models.BooleanField(
        _("eligibility decided by a coordinator"), null=True, blank=True
    )
    eligibility_justification = models.TextField(_("justification"), blank=True)
    eligibility_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    eligibility_override_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "reference"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["call", "status"], name="application_call_status"),
            models.Index(fields=["applicant", "call"], name="application_applicant_call"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    @property
    def beneficiaries_total(self) -> int:
        return self.beneficiaries_women + self.beneficiaries_men + self.beneficiaries_other

    @property
    def is_eligible(self) -> bool:
        if self.eligibility_override is not None:
            return self.eligibility_override
        return self.eligibility == Eligibility.ELIGIBLE


class Partner(models.Model):
    """A consortium partner of an application, with its role and its share of the budget."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("application"),
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        related_name="fund_partnerships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role in the project"), max_length=200)
    budget_share = models.DecimalField(
        _("budget it manages"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    commitment_letter = models.ForeignKey(
        "funds.Attachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter of commitment"),
    )

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organization"], name="partner_unique_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.role}"


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel and fees")
    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials and supplies")
    SERVICES = "services", _("Services")
    TRAVEL = "travel", _("Travel and transport")
    DISSEMINATION = "dissemination", _("Dissemination")
    WORKS = "works", _("Small works")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("application"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount requested"), **MONEY, validators=[MinValueValidator(0)])
    co_funding = models.DecimalField(
        _("co-funding"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["application", "position", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(co_funding__gte=0), name="budget_line_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.description}"


class AttachmentKind(models.TextChoices):
    LEGAL_STATUS = "legal_status", _("Legal status certificate")
    COMMITMENT_LETTER = "commitment_letter", _("Letter of commitment")
    QUOTE = "quote", _("Quote or estimate")
    OTHER = "other", _("Other document")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"funds/{instance.application.call_id}/{random_file_name(filename)}"


class Attachment(TimeStampedModel):
    """A document attached to an application. Served only through a view that checks who may
    see the application, never from a public media address."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    issued_on = models.DateField(
        _("issued on"),
        null=True,
        blank=True,
        help_text=_("For a legal-status certificate: the date it was issued."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["application", "kind", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ApplicationVersion(models.Model):
    """A submitted version of an application, kept whole (every submission adds one)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("application"),
    )
    number = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The application with its partners, budget lines and attachment names at submission.
    snapshot = models.JSONField()

    class Meta:
        ordering = ["application", "-number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="application_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} v{self.number}"
