"""Shared services: what entities offer one another or need, and the agreements between them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, TimeStampedModel


class ServiceCategory(models.TextChoices):
    ACCOUNTING = "accounting", _("Accounting")
    LABOUR_TAX = "labour_tax", _("Labour and tax advice")
    RISK_PREVENTION = "risk_prevention", _("Occupational risk prevention")
    QUALITY = "quality", _("Quality systems")
    IT = "it", _("IT and digital tools")
    LEGAL = "legal", _("Legal advice")
    COMMUNICATION = "communication", _("Communication")
    PREMISES = "premises", _("Premises and equipment")
    PURCHASING = "purchasing", _("Joint purchasing")
    OTHER = "other", _("Other support")


class ListingKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    NEED = "need", _("Need")


class ServiceTerms(models.TextChoices):
    FREE = "free", _("Free of charge")
    EXCHANGE = "exchange", _("In exchange for another service")
    SHARED_COST = "shared_cost", _("Costs shared")
    PAID = "paid", _("At a fee")


class ServiceListingQuerySet(models.QuerySet["ServiceListing"]):
    def open(self) -> ServiceListingQuerySet:
        return self.filter(is_open=True)

    def offers(self) -> ServiceListingQuerySet:
        return self.filter(kind=ListingKind.OFFER)

    def needs(self) -> ServiceListingQuerySet:
        return self.filter(kind=ListingKind.NEED)


class ServiceListing(TimeStampedModel):
    """A service one entity offers to others, or needs from them."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="service_listings",
        verbose_name=_("program"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="service_listings", verbose_name=_("entity")
    )
    kind = models.CharField(_("offer or need"), max_length=8, choices=ListingKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Where the service is offered or needed; empty means wherever the entity works.
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    # Offers: how many entities it can serve at once (empty: no limit said).
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True)
    terms = models.CharField(
        _("terms"), max_length=12, choices=ServiceTerms.choices, default=ServiceTerms.FREE
    )
    conditions = models.TextField(_("conditions"), blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ServiceListingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shared service")
        verbose_name_plural = _("shared services")
        indexes = [
            models.Index(fields=["program", "kind", "category"], name="listing_program_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="listing_capacity_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AgreementStatus(models.TextChoices):
    # In the context of a request: Spanish and Catalan agree the adjective with "solicitud".
    REQUESTED = "requested", pgettext_lazy("service request", "Requested")
    AGREED = "agreed", pgettext_lazy("service request", "Agreed")
    DECLINED = "declined", pgettext_lazy("service request", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("service request", "Withdrawn")
    ENDED = "ended", pgettext_lazy("service request", "Ended")


# A request still waiting or an agreement in force: one per offer and receiving entity.
LIVE_AGREEMENT = (AgreementStatus.REQUESTED, AgreementStatus.AGREED)


class ServiceAgreement(TimeStampedModel):
    """A request for an offered service and, once the provider agrees, the agreement.

    The provider is the offer's entity; the receiver asks, usually from one of its needs.
    Agreeing records a tie between the two (provenance "shared service").
    """

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="service_agreements",
        verbose_name=_("program"),
    )
    offer = models.ForeignKey(
        ServiceListing, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("offer")
    )
    need = models.ForeignKey(
        ServiceListing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_as_need",
        verbose_name=_("need"),
    )
    provider = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="services_provided",
        verbose_name=_("provider"),
    )
    receiver = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="services_received",
        verbose_name=_("receiver"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AgreementStatus.choices,
        default=AgreementStatus.REQUESTED,
    )
    message = models.TextField(_("message"), blank=True)
    terms_note = models.TextField(_("what was agreed"), blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
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
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(provider=F("receiver")), name="agreement_not_with_itself"
            ),
            models.UniqueConstraint(
                fields=["offer", "receiver"],
                condition=Q(status__in=["requested", "agreed"]),
                name="agreement_one_live_per_offer_receiver",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.receiver}"
