"""The knowledge library: reports, interviews, guides, tools and datasets, with their authors,
themes, territories, language, licence, files and links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme, TimeStampedModel
from tejido.core.uploads import random_file_name

from .common import PublicationStatus, Searchable, Visibility


class ItemKind(models.TextChoices):
    REPORT = "report", _("Report")
    INTERVIEW = "interview", _("Interview")
    GUIDE = "guide", _("Guide")
    TOOL = "tool", _("Tool")
    DATASET = "dataset", _("Dataset")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC_BY_NC = "CC-BY-NC-4.0", _("Creative Commons Attribution-NonCommercial 4.0")
    CC0 = "CC0-1.0", _("Public domain (CC0 1.0)")
    ODBL = "ODbL-1.0", _("Open Database Licence 1.0")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")


class LibraryItemQuerySet(models.QuerySet["LibraryItem"]):
    def published(self) -> LibraryItemQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)


class LibraryItem(Searchable, TimeStampedModel):
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="library_items",
        verbose_name=_("program"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"))
    # Full text, a transcript or a description of the data: searched, shown folded.
    body = models.TextField(_("full text"), blank=True)
    authors = models.ManyToManyField(
        Actor, blank=True, related_name="library_items", verbose_name=_("authors")
    )
    # The four transitions are themes with a transition code.
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="library_items", verbose_name=_("themes")
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="library_items", verbose_name=_("territories")
    )
    licence = models.CharField(
        _("licence"), max_length=40, choices=Licence.choices, default=Licence.CC_BY
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    visibility = models.CharField(
        _("who can read it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    objects = LibraryItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        indexes = [
            models.Index(
                fields=["program", "status", "visibility", "-published_on"], name="library_listing"
            )
        ]

    def __str__(self) -> str:
        return self.title


def item_file_path(instance: ItemFile, filename: str) -> str:
    return f"learning/library/{instance.item_id}/{random_file_name(filename)}"


class ItemFile(TimeStampedModel):
    """A file of a library item (PDF, audio, data). Served through a view that checks who may
    read the item."""

    item = models.ForeignKey(
        LibraryItem, on_delete=models.CASCADE, related_name="files", verbose_name=_("item")
    )
    file = models.FileField(_("file"), upload_to=item_file_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.name


class ItemLink(TimeStampedModel):
    item = models.ForeignKey(
        LibraryItem, on_delete=models.CASCADE, related_name="links", verbose_name=_("item")
    )
    url = models.URLField(_("address"), max_length=500)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.label or self.url
