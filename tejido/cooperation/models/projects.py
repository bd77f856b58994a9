"""Joint projects between entities, and transfers of a tool or method from one to another."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import Program, Theme, TimeStampedModel


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class JointProject(TimeStampedModel):
    """A project run together. When it starts running, its partners' ties are recorded."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="joint_projects", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("themes"))
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    # Optionally born from a consortium that won its bid.
    consortium = models.ForeignKey(
        "cooperation.Consortium",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("consortium"),
    )
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
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="project_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")


class ProjectPartner(models.Model):
    project = models.ForeignKey(
        JointProject, on_delete=models.CASCADE, related_name="partners", verbose_name=_("project")
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="joint_projects", verbose_name=_("entity")
    )
    role = models.CharField(
        _("role"), max_length=8, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )
    contribution = models.TextField(_("contribution"), blank=True)
    budget_share = models.DecimalField(
        _("budget share"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["project", "role", "id"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(fields=["project", "actor"], name="partner_once_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in {self.project_id}"


class TransferKind(models.TextChoices):
    TOOL = "tool", _("Tool")
    METHOD = "method", _("Method")
    TECHNOLOGY = "technology", _("Technology")
    KNOWLEDGE = "knowledge", _("Know-how")


class TransferOffer(TimeStampedModel):
    """A tool or method an entity offers to pass on to others."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="transfer_offers", verbose_name=_("program")
    )
    provider = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="transfer_offers",
        verbose_name=_("offered by"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TransferKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("themes"))
    is_open = models.BooleanField(_("open"), default=True)
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
        verbose_name = _("transfer offer")
        verbose_name_plural = _("transfer offers")

    def __str__(self) -> str:
        return self.title


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("service request", "Requested")
    AGREED = "agreed", pgettext_lazy("service request", "Agreed")
    COMPLETED = "completed", _("Transferred")
    DECLINED = "declined", pgettext_lazy("service request", "Declined")


class Transfer(TimeStampedModel):
    """One entity taking up another's tool or method. Agreeing records the tie."""

    offer = models.ForeignKey(
        TransferOffer, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("offer")
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("program")
    )
    receiver = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="transfers_received",
        verbose_name=_("receiver"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
    )
    message = models.TextField(_("message"), blank=True)
    outcome = models.TextField(_("what came of it"), blank=True)
    completed_on = models.DateField(_("transferred on"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    tie = models.ForeignKey(
        "network.Tie",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "receiver"],
                condition=Q(status__in=["requested", "agreed", "completed"]),
                name="transfer_one_live_per_offer_receiver",
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.receiver_id}"
