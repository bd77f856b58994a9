"""What the analysis of a network leaves behind: runs with their progress, snapshots of the
indicators kept per cycle (never overwritten), and suggested introductions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program

from .ties import Tie


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Computing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    """One computation of a program's network, run in the background with its progress."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="analysis_runs", verbose_name=_("program")
    )
    # No cycle: the network as it is today. A cycle: the network as it stood at its end.
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="analysis_runs",
        verbose_name=_("cycle"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # A code of the step being computed (loading, indicators, communities, opportunities…),
    # turned into words by the page.
    step = models.CharField(_("step"), max_length=40, blank=True)
    # A fingerprint of the ties analysed: when the ties change, the result is stale.
    ties_version = models.CharField(_("ties version"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("network analysis")
        verbose_name_plural = _("network analyses")
        indexes = [models.Index(fields=["program", "cycle", "status"], name="analysisrun_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="analysisrun_progress_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.cycle_id or 'today'} {self.status} {self.progress}%"


class NetworkSnapshot(models.Model):
    """The indicators of a program's network at one moment. A new computation writes a new
    snapshot; earlier ones stay, so every cycle's figures can be compared later."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("program")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name=_("cycle"),
    )
    run = models.OneToOneField(
        AnalysisRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshot",
        verbose_name=_("analysis"),
    )
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    # The day whose network this is: today for a live snapshot, the cycle's end otherwise.
    as_of = models.DateField(_("as of"))
    ties_version = models.CharField(_("ties version"), max_length=64, blank=True)
    actor_count = models.PositiveIntegerField(_("actors"), default=0)
    tie_count = models.PositiveIntegerField(_("ties"), default=0)
    # Per-network figures: a list of {"scope": "all"|"territory"|"theme"|"tie_type",
    # "key": str, "metrics": {...}} plus the network's critical ties (bridges).
    summary = models.JSONField(_("summary"), default=dict)
    betweenness_sampled = models.BooleanField(_("bridge role estimated"), default=False)
    betweenness_error = models.FloatField(_("estimate's error bound"), null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"
        verbose_name = _("network snapshot")
        verbose_name_plural = _("network snapshots")
        indexes = [
            models.Index(fields=["program", "cycle", "-computed_at"], name="snapshot_latest")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.cycle_id or 'today'} {self.computed_at:%Y-%m-%d %H:%M}"


class ActorMetrics(models.Model):
    """One actor's indicators in one snapshot."""

    snapshot = models.ForeignKey(
        NetworkSnapshot,
        on_delete=models.CASCADE,
        related_name="actor_metrics",
        verbose_name=_("snapshot"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("actor")
    )
    degree = models.PositiveIntegerField(_("direct partners"), default=0)
    strength = models.FloatField(_("strength of ties"), default=0)
    two_step_reach = models.FloatField(_("two-step reach"), default=0)
    betweenness = models.FloatField(_("bridge role"), default=0)
    effective_size = models.FloatField(_("non-redundant partners"), default=0)
    constraint = models.FloatField(_("constraint"), null=True, blank=True)
    bonding = models.FloatField(_("bonding share"), null=True, blank=True)
    bridging = models.FloatField(_("bridging share"), null=True, blank=True)
    linking = models.FloatField(_("linking share"), null=True, blank=True)
    coordinator = models.PositiveIntegerField(_("coordinator"), default=0)
    gatekeeper = models.PositiveIntegerField(_("gatekeeper"), default=0)
    representative = models.PositiveIntegerField(_("representative"), default=0)
    consultant = models.PositiveIntegerField(_("consultant"), default=0)
    liaison = models.PositiveIntegerField(_("liaison"), default=0)
    community = models.PositiveIntegerField(_("community"), null=True, blank=True)
    coreness = models.PositiveIntegerField(_("core level"), default=0)
    is_isolate = models.BooleanField(_("isolated"), default=False)
    is_peripheral = models.BooleanField(_("peripheral"), default=False)
    is_critical = models.BooleanField(_("critical point"), default=False)

    class Meta:
        verbose_name = _("actor indicators")
        verbose_name_plural = _("actor indicators")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "actor"], name="actormetrics_unique")
        ]
        indexes = [models.Index(fields=["actor", "snapshot"], name="actormetrics_actor")]

    def __str__(self) -> str:
        return f"{self.actor_id} @ {self.snapshot_id}"


class OpportunityKind(models.TextChoices):
    SHARED_PARTNERS = "shared_partners", _("Shared partners")
    COMPLEMENTARY = "complementary", _("Complementary actors")
    BRING_IN = "bring_in", _("Bring in an isolated actor")
    REDUNDANCY = "redundancy", _("Back up a critical broker")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    INTRODUCED = "introduced", _("Introduced")
    DISMISSED = "dismissed", _("Dismissed")


class Opportunity(models.Model):
    """A suggested introduction between two actors who have no tie yet, and why.

    One row per pair, ever: a dismissed pair is never suggested again, and an accepted one
    keeps its history until the introduction is recorded as a tie.
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="opportunities", verbose_name=_("program")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    # The pair is stored with the smaller actor id first, as undirected ties are.
    actor_a = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("actor")
    )
    actor_b = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("actor")
    )
    score = models.FloatField(_("score"), default=0)
    # Why, as codes with parameters ({"code": "shared_partners", "count": 3, ...}), turned
    # into sentences in the reader's language when shown.
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.OPEN,
    )
    snapshot = models.ForeignKey(
        NetworkSnapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("snapshot"),
    )
    created_at = models.DateTimeField(_("suggested"), default=timezone.now)
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
        Tie,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie recorded"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("suggested introduction")
        verbose_name_plural = _("suggested introductions")
        indexes = [models.Index(fields=["program", "status", "-score"], name="opportunity_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "actor_a", "actor_b"], name="opportunity_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(actor_a__lt=F("actor_b")), name="opportunity_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_a_id} — {self.actor_b_id} ({self.kind})"
