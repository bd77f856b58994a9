"""Governance bodies, their seats by sector, who holds each seat and the quorum rules."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor, Sector
from tejido.core.models import Program, Territory, TimeStampedModel
from tejido.network.models import Intensity, TieType


class BodyKind(models.TextChoices):
    DIRECTORATE = "directorate", _("Local directorate")
    ROUND_TABLE = "round_table", _("Neighbourhood round-table")
    COUNCIL = "council", _("Neighbourhood council")
    OTHER = "other", _("Other body")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Body(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("program")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("territory"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Visitors see the body's organizations, meetings, approved minutes and agreements."
        ),
    )
    # Quorum overall: present seats / filled seats must reach this share (0.5 with
    # `quorum_strict` means "more than half").
    quorum_share = models.DecimalField(
        _("quorum share"),
        max_digits=4,
        decimal_places=3,
        default=0.5,
        help_text=_("Share of the filled seats that must be present, from 0 to 1."),
    )
    quorum_strict = models.BooleanField(
        _("more than the share"),
        default=True,
        help_text=_("Ticked: more than the share (half plus one). Unticked: at least the share."),
    )
    # Attending a meeting together can record or strengthen ties among the organizations present.
    meeting_ties = models.BooleanField(_("record ties from meetings"), default=True)
    meeting_tie_type = models.CharField(
        _("type of tie from meetings"),
        max_length=20,
        choices=TieType.choices,
        default=TieType.COLLABORATION,
    )
    meeting_tie_intensity = models.PositiveSmallIntegerField(
        _("intensity of ties from meetings"),
        choices=Intensity.choices,
        default=Intensity.COOPERATION,
    )
    # The secret in the body's calendar feed address (subscribed from any calendar app).
    feed_token = models.CharField(
        max_length=64, unique=True, default=new_feed_token, editable=False
    )

    class Meta:
        ordering = ["program", "name"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_share__gte=0, quorum_share__lte=1), name="body_quorum_0_1"
            ),
            models.CheckConstraint(
                condition=Q(meeting_tie_intensity__gte=0, meeting_tie_intensity__lte=4),
                name="body_meeting_tie_intensity_0_4",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SectorQuorum(models.Model):
    """A per-sector quorum rule: at least `minimum_present` seats of this sector present."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="sector_quorums", verbose_name=_("body")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    minimum_present = models.PositiveSmallIntegerField(_("minimum present"), default=1)

    class Meta:
        verbose_name = _("quorum by sector")
        verbose_name_plural = _("quorums by sector")
        constraints = [
            models.UniqueConstraint(fields=["body", "sector"], name="sector_quorum_unique")
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_sector_display()} ≥ {self.minimum_present}"


class Seat(models.Model):
    """A place in a body reserved for a sector. Who holds it changes by mandate, term by term."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="seats", verbose_name=_("body")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    label = models.CharField(_("seat"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_voting = models.BooleanField(_("voting seat"), default=True)

    class Meta:
        ordering = ["body", "position", "id"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["body", "label"], name="seat_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class MandateQuerySet(models.QuerySet["Mandate"]):
    def current(self, day: datetime.date | None = None) -> MandateQuerySet:
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def for_user(self, user: object) -> MandateQuerySet:
        """Mandates the user may act on, as holder or as alternate."""
        return self.filter(Q(holder_user=user) | Q(alternate_user=user))


class Mandate(TimeStampedModel):
    """A person holds a seat for an organization over a term, with an optional alternate."""

    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("seat")
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        related_name="seat_mandates",
        verbose_name=_("organization"),
    )
    holder = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="held_mandates",
        verbose_name=_("holder"),
    )
    alternate = models.ForeignKey(
        Actor,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="alternate_mandates",
        verbose_name=_("alternate"),
    )
    # The accounts that act for the seat in the platform (vote, check in). A ballot is per
    # mandate, so holder and alternate share one vote.
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held_mandates",
        verbose_name=_("holder's account"),
    )
    alternate_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alternate_mandates",
        verbose_name=_("alternate's account"),
    )
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        ordering = ["seat", "-starts_on"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="mandate_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=True)
                | Q(alternate__isnull=True)
                | ~Q(holder=F("alternate")),
                name="mandate_alternate_not_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} · {self.organization}"

    def is_current(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
