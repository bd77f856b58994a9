"""The learning community: experiences and lessons learned that members publish, the
comments, questions and reactions on them, exchange meetings between territories, and who
receives the digest of what is new."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme, TimeStampedModel
from tejido.core.uploads import random_file_name
from tejido.network.models import Tie

from .common import PublicationStatus, Searchable, Visibility


class ProgramStage(models.TextChoices):
    """The stage of the program cycle an experience comes from."""

    SELECTION = "selection", _("Selecting territories")
    DIRECTORATE = "directorate", _("Forming the local directorate")
    NEEDS = "needs", _("Prioritizing needs")
    PLAN = "plan", _("Improvement plan")
    FUNDS = "funds", _("Competitive funds")
    TRAINING = "training", _("Training")
    COMMUNITY = "community", _("Learning community")


class ExperienceQuerySet(models.QuerySet["Experience"]):
    def published(self) -> ExperienceQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)


class Experience(Searchable, TimeStampedModel):
    """An experience told in a fixed structure, so that others can learn from it."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="experiences", verbose_name=_("program")
    )
    organization = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="experiences", verbose_name=_("organization")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    context = models.TextField(_("context"))
    what_was_done = models.TextField(_("what was done"))
    what_happened = models.TextField(_("what happened"))
    lessons = models.TextField(_("what we learned"))
    evidence = models.TextField(_("evidence"), blank=True)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        verbose_name=_("territory"),
    )
    # The four transitions are themes with a transition code.
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="experiences", verbose_name=_("themes")
    )
    stage = models.CharField(
        _("program stage"), max_length=20, choices=ProgramStage.choices, blank=True
    )
    visibility = models.CharField(
        _("who can read it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")
        indexes = [
            models.Index(fields=["program", "status", "-published_at"], name="experience_feed")
        ]

    def __str__(self) -> str:
        return self.title


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"learning/experiences/{instance.experience_id}/{random_file_name(filename)}"


class EvidenceFile(TimeStampedModel):
    """A file backing an experience (a photo, a report). Served through a view that checks who
    may read the experience."""

    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="files", verbose_name=_("experience")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")


class Comment(TimeStampedModel):
    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="comments", verbose_name=_("experience")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="learning_comments",
        verbose_name=_("author"),
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_comments",
        verbose_name=_("on behalf of"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT
    )
    # An answer points at the question it answers.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("answers"),
    )
    body = models.TextField(_("text"))
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="answer", parent__isnull=False)
                | (~Q(kind="answer") & Q(parent__isnull=True)),
                name="comment_answer_has_question",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class ReactionKind(models.TextChoices):
    USEFUL = "useful", _("Useful")
    TRIED_TOO = "tried_too", _("We tried this too")


class Reaction(TimeStampedModel):
    """“Useful” or “we tried this too”. The second, on behalf of an organization, links it with
    the experience's organization (a tie, when the program records them)."""

    experience = models.ForeignKey(
        Experience,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("experience"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learning_reactions",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReactionKind.choices)
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="learning_reactions",
        verbose_name=_("on behalf of"),
    )
    note = models.TextField(_("how it went for you"), blank=True)
    tie = models.ForeignKey(
        Tie,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie recorded"),
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["experience", "user", "kind"], name="reaction_once_per_user"
            ),
            models.CheckConstraint(
                condition=~Q(kind="tried_too") | Q(organization__isnull=False),
                name="reaction_tried_too_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.experience}"


class Exchange(TimeStampedModel):
    """An exchange meeting between territories: who took part and what came out of it."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="exchanges", verbose_name=_("territories")
    )
    participants = models.ManyToManyField(
        Actor, blank=True, related_name="exchanges", verbose_name=_("participating organizations")
    )
    people_count = models.PositiveIntegerField(_("people who took part"), default=0)
    outcomes = models.TextField(_("outcomes"), blank=True)
    experiences = models.ManyToManyField(
        Experience, blank=True, related_name="exchanges", verbose_name=_("experiences shared")
    )
    records_ties = models.BooleanField(
        _("record ties among the participating organizations"), default=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("exchange meeting")
        verbose_name_plural = _("exchange meetings")

    def __str__(self) -> str:
        return self.title


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    DAILY = "daily", _("Every day")
    NEVER = "never", _("Never")


class DigestSubscription(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learning_digests",
        verbose_name=_("user"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="learning_digests",
        verbose_name=_("program"),
    )
    frequency = models.CharField(
        _("how often"),
        max_length=20,
        choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="digest_one_per_program")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.program}"
