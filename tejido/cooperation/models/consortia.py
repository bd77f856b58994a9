"""Consortia: entities bidding together for a public tender or a call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme, TimeStampedModel


class BidKind(models.TextChoices):
    TENDER = "tender", _("Public tender")
    CALL = "call", _("Call for proposals")


class ConsortiumStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    SUBMITTED = "submitted", _("Submitted")
    WON = "won", _("Won")
    LOST = "lost", _("Not won")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Once submitted, the consortium exists as such: its members' ties are recorded.
SUBMITTED_OR_LATER = (ConsortiumStatus.SUBMITTED, ConsortiumStatus.WON, ConsortiumStatus.LOST)


class ConsortiumQuerySet(models.QuerySet["Consortium"]):
    def looking_for_partners(self) -> ConsortiumQuerySet:
        return self.filter(status=ConsortiumStatus.FORMING, open_to_partners=True)


class Consortium(TimeStampedModel):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="consortia", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=8, choices=BidKind.choices, default=BidKind.TENDER
    )
    purpose = models.TextField(_("purpose"), blank=True)
    contracting_body = models.CharField(_("contracting body or funder"), max_length=200, blank=True)
    reference = models.CharField(_("tender reference"), max_length=120, blank=True)
    tender_url = models.URLField(_("link to the tender"), blank=True)
    deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    budget = models.DecimalField(
        _("amount bid"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    lead = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="consortia_led", verbose_name=_("lead")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsortiumStatus.choices,
        default=ConsortiumStatus.FORMING,
    )
    # What partners the consortium still looks for: shown on the opportunities boards of the
    # entities whose profile fits.
    open_to_partners = models.BooleanField(_("looking for partners"), default=True)
    sectors_wanted = models.JSONField(_("sectors wanted"), default=list, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("themes"))
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("outcome known"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ConsortiumQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="consortium_budget_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ConsortiumLot(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="lots", verbose_name=_("consortium")
    )
    number = models.PositiveSmallIntegerField(_("lot number"))
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "number"], name="lot_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    ASSOCIATE = "associate", _("Associate")


class MemberStatus(models.TextChoices):
    # An organization's status: the words agree with "organización"/"entitat".
    INVITED = "invited", pgettext_lazy("consortium member", "Invited")
    JOINED = "joined", pgettext_lazy("consortium member", "Joined")
    DECLINED = "declined", pgettext_lazy("consortium member", "Declined")


class ConsortiumMember(TimeStampedModel):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="members", verbose_name=_("consortium")
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="consortium_memberships",
        verbose_name=_("entity"),
    )
    role = models.CharField(
        _("role"), max_length=14, choices=MemberRole.choices, default=MemberRole.PARTNER
    )
    # Share of the work and budget, in per cent.
    share = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    lots = models.ManyToManyField(
        ConsortiumLot, blank=True, related_name="members", verbose_name=_("lots")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    # The partner was proposed by the suggestion list (kept to learn how useful it is).
    suggested = models.BooleanField(_("suggested by Tejido"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["consortium", "-role", "id"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "actor"], name="member_once_per_consortium"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="member_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in {self.consortium_id}"


class ConsortiumDocument(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="documents", verbose_name=_("consortium")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="cooperation/consortia/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("consortium document")
        verbose_name_plural = _("consortium documents")

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One step to submission (a signed letter, the budget, the technical annex...)."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("consortium")
    )
    label = models.CharField(_("step"), max_length=200)
    responsible = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")

    def __str__(self) -> str:
        return self.label
