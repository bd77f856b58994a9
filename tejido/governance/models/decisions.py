"""Decisions: polls of a body, their options, and ballots (one per seat, enforced here)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.core.models import TimeStampedModel

from .bodies import Body, Mandate
from .meetings import AgendaItem, Meeting


class VotingMethod(models.TextChoices):
    # Codes are those of `tejido.governance.voting.METHODS`.
    MAJORITY = "majority", _("Simple majority")
    QUALIFIED = "qualified", _("Qualified majority")
    CONSENT = "consent", _("Consent (objections)")
    PLURALITY = "plurality", _("Plurality (one choice)")
    APPROVAL = "approval", _("Approval")
    BORDA = "borda", _("Ranked ballot, Borda count")
    IRV = "irv", _("Ranked ballot, instant runoff")
    CUMULATIVE = "cumulative", _("Dot voting")
    SCORE = "score", _("Score")


class PollStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("poll", "Draft")
    OPEN = "open", pgettext_lazy("poll", "Open")
    CLOSED = "closed", pgettext_lazy("poll", "Closed")


class PollQuerySet(models.QuerySet["Poll"]):
    def open(self) -> PollQuerySet:
        return self.filter(status=PollStatus.OPEN)


class Poll(TimeStampedModel):
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="polls", verbose_name=_("body")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("meeting"),
        help_text=_("Empty for an online poll between meetings."),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("agenda item"),
    )
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("voting method"), max_length=20, choices=VotingMethod.choices)
    secret = models.BooleanField(
        _("secret ballot"), default=False, help_text=_("Nobody can see who voted what.")
    )
    # Method parameters: the qualified majority's share, the dots each voter has, the score scale,
    # how many options an approval ballot may tick (0 = any).
    threshold = models.DecimalField(
        _("required share"), max_digits=4, decimal_places=3, default=0.5
    )
    dots_per_voter = models.PositiveSmallIntegerField(_("dots per voter"), default=5)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    max_choices = models.PositiveSmallIntegerField(_("most options a ballot may choose"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Written once at closing: the count, its explanation, and the SHA-256 of the ballots that
    # produced it, so anyone can check later that no ballot changed.
    result = models.JSONField(_("result"), default=dict, blank=True)
    ballots_digest = models.CharField(max_length=64, blank=True, editable=False)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lte=1), name="poll_threshold_0_1"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="poll_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("option"), max_length=200)
    # Fixed codes for the motion methods (yes/no/abstain; consent/stand aside/object).
    code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["poll", "position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_unique_position")
        ]

    def __str__(self) -> str:
        return self.label


class BallotReceipt(models.Model):
    """Proof that a seat voted. The unique constraint is what makes one ballot per member hold
    under concurrent submissions: the second insert fails inside its transaction."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("poll")
    )
    mandate = models.ForeignKey(
        Mandate, on_delete=models.RESTRICT, related_name="receipts", verbose_name=_("seat")
    )
    cast_at = models.DateTimeField(_("voted"), default=timezone.now)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voted by"),
    )

    class Meta:
        ordering = ["poll", "cast_at", "id"]
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")
        constraints = [
            models.UniqueConstraint(fields=["poll", "mandate"], name="one_ballot_per_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.mandate_id}"


class Ballot(models.Model):
    """The vote itself. A secret ballot has no seat and no time, and a random key, so it cannot
    be matched with its receipt by order or id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("poll")
    )
    mandate = models.ForeignKey(
        Mandate,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seat"),
    )
    # The ballot in the pure module's shape (see `voting.Ballot`): option positions, not ids.
    content = models.JSONField(_("ballot"))

    class Meta:
        ordering = ["poll", "id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "mandate"],
                condition=Q(mandate__isnull=False),
                name="open_ballot_one_per_seat",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)
