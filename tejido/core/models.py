"""Programs, their cycles, the territories they work in and the themes they use."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ProgramQuerySet(models.QuerySet["Program"]):
    def public(self) -> ProgramQuerySet:
        return self.filter(is_public=True)


class Program(TimeStampedModel):
    """A community-strengthening or cooperation program, run over cycles."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Public programs show their directory and map to visitors."),
    )
    territories = models.ManyToManyField(
        "core.Territory", related_name="programs", blank=True, verbose_name=_("territories")
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name

    def current_cycle(self, today: datetime.date | None = None) -> Cycle | None:
        today = today or timezone.localdate()
        cycles = list(self.cycles.all())
        for cycle in cycles:
            if cycle.starts_on <= today <= cycle.ends_on:
                return cycle
        past = [c for c in cycles if c.ends_on < today]
        return past[-1] if past else (cycles[0] if cycles else None)


class CycleQuerySet(models.QuerySet["Cycle"]):
    def running_on(self, day: datetime.date) -> CycleQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Cycle(TimeStampedModel):
    DEFAULT_COUNT = 4

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="cycles", verbose_name=_("program")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["program", "number"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="cycle_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cycle_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("Cycle %(number)s") % {"number": self.number})


class Territory(TimeStampedModel):
    """A place in a hierarchy: country › region › municipality › neighbourhood."""

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Country")
        REGION = 1, _("Region")
        MUNICIPALITY = 2, _("Municipality / comuna")
        NEIGHBOURHOOD = 3, _("Neighbourhood / sector")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=200, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    # Materialized path of ancestor ids ("/1/4/9/"): one indexed prefix query finds a whole
    # subtree, so "actors in this region" does not walk the tree row by row.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    code = models.CharField(_("official code"), max_length=40, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class Theme(TimeStampedModel):
    """A managed vocabulary term. The four transitions carry a fixed code."""

    class Transition(models.TextChoices):
        SOCIAL = "social", _("Social transition")
        DEMOCRATIC = "democratic", _("Democratic transition")
        ECOLOGICAL = "ecological", _("Ecological transition")
        DIGITAL = "digital", _("Digital transition")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=120, unique=True)
    transition = models.CharField(
        _("transition"), max_length=20, choices=Transition.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["transition"],
                condition=~Q(transition=""),
                name="theme_one_per_transition",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        # Transition themes are shown in the reader's language; others as their curators named them.
        if self.transition:
            return str(self.Transition(self.transition).label)
        return self.name


class AuditEntry(models.Model):
    """An append-only record of a sensitive action: who did what to which object, and when."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80)
    target_id = models.CharField(_("object id"), max_length=40)
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
