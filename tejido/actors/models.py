"""The actor registry: organizations, informal groups and people, and the posts people hold."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tejido.core.models import Program, Territory, Theme, TimeStampedModel


class Sector(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    THIRD_SECTOR = "third_sector", _("Third sector")
    ACADEMIA = "academia", _("Academia")
    INTERNATIONAL = "international", _("International cooperation")


class ActorKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    INFORMAL_GROUP = "informal_group", _("Informal group")
    PERSON = "person", _("Person")


class Stance(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    SKEPTIC = "skeptic", _("Skeptic")
    OPPONENT = "opponent", _("Opponent")


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1 to 9 people")
    SMALL = "10-49", _("10 to 49 people")
    MEDIUM = "50-249", _("50 to 249 people")
    LARGE = "250+", _("250 people or more")


class ActorQuerySet(models.QuerySet["Actor"]):
    def organizations(self) -> ActorQuerySet:
        return self.exclude(kind=ActorKind.PERSON)

    def people(self) -> ActorQuerySet:
        return self.filter(kind=ActorKind.PERSON)

    def in_program(self, program: Program) -> ActorQuerySet:
        return self.filter(program=program)

    def visible_to(self, user: Any, program: Program) -> ActorQuerySet:
        """The program's actors `user` may see: people only for those who may see people
        (`actors.view_people`: the program's members and superusers), organizations and
        groups for everyone who may open the program."""
        from .rules import can_view_people  # the rules import these models

        actors = self.filter(program=program)
        return actors if can_view_people(user, program) else actors.organizations()


class Actor(TimeStampedModel):
    """Anyone with a stake in the territory. Ties connect actors of any kind."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="actors", verbose_name=_("program")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        Theme, related_name="actors", blank=True, verbose_name=_("themes")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="based_actors",
        verbose_name=_("based in"),
    )
    territories_served = models.ManyToManyField(
        Territory, related_name="served_by", blank=True, verbose_name=_("territories served")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    power = models.PositiveSmallIntegerField(
        _("power"), null=True, blank=True, help_text=_("Influence over the territory, 1 to 5.")
    )
    interest = models.PositiveSmallIntegerField(
        _("interest"), null=True, blank=True, help_text=_("Interest in the program, 1 to 5.")
    )
    stance = models.CharField(_("stance"), max_length=20, choices=Stance.choices, blank=True)
    # Lower-cased, accent-free name, legal form and description, kept by the services, so the
    # directory search is one indexed column on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        indexes = [
            models.Index(fields=["program", "name", "id"], name="actor_program_name"),
            models.Index(fields=["program", "sector", "name"], name="actor_program_sector"),
            models.Index(fields=["program", "kind", "name"], name="actor_program_kind"),
            models.Index(fields=["program", "territory"], name="actor_program_territory"),
            # The directory's facet "cube" (one GROUP BY) reads only this index.
            models.Index(
                fields=["program", "sector", "kind", "territory"], name="actor_program_facets"
            ),
            # `ties_version` (the network's fingerprint: last id, count, last edit) reads only
            # this index; without it, it read every actor row of the program (~200 ms at 100k).
            models.Index(fields=["program", "updated_at", "id"], name="actor_program_edited"),
            # Text-search indexes differ per database: see migration 0003_search_indexes.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(power__isnull=True) | Q(power__gte=1, power__lte=5),
                name="actor_power_1_5",
            ),
            models.CheckConstraint(
                condition=Q(interest__isnull=True) | Q(interest__gte=1, interest__lte=5),
                name="actor_interest_1_5",
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=1800, founded_year__lte=2100),
                name="actor_founded_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_person(self) -> bool:
        return self.kind == ActorKind.PERSON


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class SensitiveData(TimeStampedModel):
    """Sensitive personal data of a person, kept apart so that no ordinary query reaches it.

    Stored only with recorded consent (the database refuses a gender without one), visible only
    to coordinators, and reported only in aggregate with groups under five suppressed.
    """

    person = models.OneToOneField(
        Actor, on_delete=models.CASCADE, related_name="sensitive", verbose_name=_("person")
    )
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_text = models.TextField(_("consent wording"), blank=True)

    class Meta:
        verbose_name = _("sensitive personal data")
        verbose_name_plural = _("sensitive personal data")
        constraints = [
            models.CheckConstraint(
                condition=Q(gender="") | Q(consent_given_at__isnull=False),
                name="sensitive_gender_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class Post(TimeStampedModel):
    """A position in an organization (Popolo), whoever holds it: president, treasurer..."""

    organization = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="posts", verbose_name=_("organization")
    )
    label = models.CharField(_("post"), max_length=120)

    class Meta:
        ordering = ["organization", "label"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "label"], name="post_unique_label")
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.organization}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, day: object = None) -> MembershipQuerySet:
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Membership(TimeStampedModel):
    """A person's membership of an organization over a time span, optionally in a post."""

    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="members", verbose_name=_("organization")
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="holders",
        verbose_name=_("post"),
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(person=F("organization")), name="membership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.post or self.role} · {self.organization}"


class Representative(TimeStampedModel):
    """A user who speaks for an organization (the organization representative role)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="represents",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="representative_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization}"
