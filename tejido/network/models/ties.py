"""Ties between actors. A tie is never overwritten: a change writes a new version."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program


class TieType(models.TextChoices):
    COLLABORATION = "collaboration", _("Collaboration")
    FUNDING = "funding", _("Funding")
    INFORMATION = "information", _("Information exchange")
    SUPPORT = "support", _("Support and trust")
    MEMBERSHIP = "membership", _("Membership")
    AGREEMENT = "agreement", _("Formal agreement")


class Intensity(models.IntegerChoices):
    AWARENESS = 0, _("Awareness")
    COOPERATION = 1, _("Cooperation")
    COORDINATION = 2, _("Coordination")
    COLLABORATION = 3, _("Collaboration")
    INTEGRATION = 4, _("Integration")


class Provenance(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    SURVEY = "survey", _("Survey")
    MEETING = "meeting", _("Meeting")
    FUND = "fund", _("Fund")
    CONSORTIUM = "consortium", _("Consortium")
    MISSION = "mission", _("Study mission")
    IMPORT = "import", pgettext_lazy("provenance", "Import")
    INTRODUCTION = "introduction", _("Introduction")
    TRAINING = "training", _("Training")
    LEARNING = "learning", _("Learning community")
    SHARED_SERVICE = "shared_service", _("Shared service")
    JOINT_PROJECT = "joint_project", _("Joint project")
    TRANSFER = "transfer", _("Transfer of a tool or method")


class TieQuerySet(models.QuerySet["Tie"]):
    def current(self) -> TieQuerySet:
        """The latest version of every tie, ended or not."""
        return self.filter(superseded_at__isnull=True)

    def active(self, day: datetime.date | None = None) -> TieQuerySet:
        """Current versions in force on `day` (today by default)."""
        day = day or timezone.localdate()
        return (
            self.current()
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        )

    def as_of(self, moment: datetime.datetime) -> TieQuerySet:
        """The versions that were on record at `moment`: history is never lost."""
        return self.filter(recorded_at__lte=moment).filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment)
        )

    def involving(self, actor: Actor | int) -> TieQuerySet:
        actor_id = actor if isinstance(actor, int) else actor.pk
        return self.filter(Q(source_id=actor_id) | Q(target_id=actor_id))


class Tie(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="ties", verbose_name=_("program")
    )
    # Undirected ties are stored with the smaller actor id as source, so that one pair of
    # actors has one row per type whichever way it was entered.
    source = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="ties_out", verbose_name=_("from")
    )
    target = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="ties_in", verbose_name=_("to")
    )
    tie_type = models.CharField(_("type"), max_length=20, choices=TieType.choices)
    directed = models.BooleanField(_("directed"), default=False)
    intensity = models.PositiveSmallIntegerField(
        _("intensity"), choices=Intensity.choices, default=Intensity.COOPERATION
    )
    trust = models.PositiveSmallIntegerField(_("trust"), null=True, blank=True)
    value = models.PositiveSmallIntegerField(_("value"), null=True, blank=True)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    provenance = models.CharField(
        _("provenance"), max_length=20, choices=Provenance.choices, default=Provenance.MANUAL
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ties",
        verbose_name=_("cycle"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # A newer version replaces this one: the row stays, with the moment it stopped being current.
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )

    objects = TieQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        indexes = [
            models.Index(fields=["program", "superseded_at"], name="tie_program_current"),
            models.Index(fields=["source", "superseded_at"], name="tie_source_current"),
            models.Index(fields=["target", "superseded_at"], name="tie_target_current"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="tie_not_self"),
            models.CheckConstraint(
                condition=Q(directed=True) | Q(source__lt=F("target")),
                name="tie_undirected_ordered",
            ),
            models.CheckConstraint(
                condition=Q(intensity__gte=0, intensity__lte=4), name="tie_intensity_0_4"
            ),
            models.CheckConstraint(
                condition=Q(trust__isnull=True) | Q(trust__gte=1, trust__lte=5),
                name="tie_trust_1_5",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="tie_value_1_5",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="tie_ends_after_start",
            ),
            # One current version per pair and type: a second one is an update, not a duplicate.
            models.UniqueConstraint(
                fields=["source", "target", "tie_type"],
                condition=Q(superseded_at__isnull=True),
                name="tie_one_current_per_pair_type",
            ),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.directed else "—"
        return f"{self.source_id} {arrow} {self.target_id} ({self.tie_type})"

    def is_active(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.superseded_at is None
            and (self.started_on is None or self.started_on <= day)
            and (self.ended_on is None or self.ended_on >= day)
        )

    def other_end(self, actor_id: int) -> Actor:
        return self.target if self.source_id == actor_id else self.source
