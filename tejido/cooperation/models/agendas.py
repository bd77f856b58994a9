"""Shared social agendas: reflection spaces where entities raise challenges, needs and trends,
group and prioritize them together, and publish an agenda others can endorse."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme, TimeStampedModel


class SpaceFormat(models.TextChoices):
    SESSION = "session", _("A single session")
    SERIES = "series", _("A series of sessions")


class SpaceStatus(models.TextChoices):
    COLLECTING = "collecting", _("Raising items")
    PRIORITIZING = "prioritizing", _("Prioritizing")
    PUBLISHED = "published", _("Agenda published")


# The prioritization methods of governance that fit a reflection space (no criteria to set up).
AGENDA_METHODS = ("dots", "ranked")


class ReflectionSpace(TimeStampedModel):
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="reflection_spaces",
        verbose_name=_("program"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(
        _("format"), max_length=8, choices=SpaceFormat.choices, default=SpaceFormat.SESSION
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("themes"))
    status = models.CharField(
        _("status"), max_length=12, choices=SpaceStatus.choices, default=SpaceStatus.COLLECTING
    )
    method = models.CharField(_("prioritization method"), max_length=12, default="dots")
    dots_per_participant = models.PositiveSmallIntegerField(_("dots per entity"), default=5)
    open_to_join = models.BooleanField(_("open to new entities"), default=True)
    # The count as `governance.voting.Priority.to_dict()` returned it when prioritizing closed.
    result = models.JSONField(_("result"), default=dict, blank=True)
    agenda_intro = models.TextField(_("agenda introduction"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
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
        verbose_name = _("reflection space")
        verbose_name_plural = _("reflection spaces")

    def __str__(self) -> str:
        return self.title


class SpaceSession(models.Model):
    space = models.ForeignKey(
        ReflectionSpace, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place or link"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title


class SpaceParticipant(models.Model):
    space = models.ForeignKey(
        ReflectionSpace,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("space"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="reflection_spaces", verbose_name=_("entity")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joined by"),
    )

    class Meta:
        ordering = ["space", "joined_at", "id"]
        verbose_name = _("participating entity")
        verbose_name_plural = _("participating entities")
        constraints = [
            models.UniqueConstraint(fields=["space", "actor"], name="participant_once_per_space")
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in {self.space_id}"


class ItemKind(models.TextChoices):
    CHALLENGE = "challenge", _("Challenge")
    NEED = "need", _("Need")
    TREND = "trend", _("Innovation trend")


class ItemGroup(models.Model):
    """Items that say the same thing, grouped to be discussed and prioritized as one."""

    space = models.ForeignKey(
        ReflectionSpace, on_delete=models.CASCADE, related_name="groups", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("group of items")
        verbose_name_plural = _("groups of items")

    def __str__(self) -> str:
        return self.title


class AgendaItem(TimeStampedModel):
    space = models.ForeignKey(
        ReflectionSpace, on_delete=models.CASCADE, related_name="items", verbose_name=_("space")
    )
    raised_by = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("raised by")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The four transitions (themes with a transition code).
    transitions = models.ManyToManyField(
        Theme, blank=True, related_name="+", verbose_name=_("transitions")
    )
    group = models.ForeignKey(
        ItemGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("group"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class GroupComment(TimeStampedModel):
    """Discussion of a group of items before prioritizing."""

    group = models.ForeignKey(
        ItemGroup, on_delete=models.CASCADE, related_name="comments", verbose_name=_("group")
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("on behalf of")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("comment"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class PriorityInput(models.Model):
    """One participating entity's input to the prioritization, in the shape
    `governance.voting.prioritize` reads ({"dots": {group_id: n}} or {"ranking": [...]})."""

    space = models.ForeignKey(
        ReflectionSpace, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("space")
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("entity")
    )
    content = models.JSONField(_("input"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["space", "submitted_at", "id"]
        verbose_name = _("prioritization input")
        verbose_name_plural = _("prioritization inputs")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "actor"], name="priority_input_once_per_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in {self.space_id}"


class Endorsement(models.Model):
    """An entity that did not take part (or did) endorses the published agenda."""

    space = models.ForeignKey(
        ReflectionSpace,
        on_delete=models.CASCADE,
        related_name="endorsements",
        verbose_name=_("space"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="+", verbose_name=_("entity")
    )
    note = models.CharField(_("note"), max_length=280, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsed by"),
    )
    endorsed_at = models.DateTimeField(_("endorsed"), default=timezone.now)

    class Meta:
        ordering = ["endorsed_at", "id"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(fields=["space", "actor"], name="endorsement_once_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} endorses {self.space_id}"
