"""Pieces shared by the learning community and the knowledge library."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members of the program only")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ContentLanguage(models.TextChoices):
    # The language a text is written in chooses the stemmer of its full-text index.
    SPANISH = "es", _("Spanish")
    CATALAN = "ca", _("Catalan")
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")
    OTHER = "other", _("Other")


class Searchable(models.Model):
    """A row found by full-text search (see `tejido.learning.search`).

    On PostgreSQL `search_vector` holds the row's tsvector, built with the text search
    configuration of its language; on SQLite the column stays empty and an FTS5 table holds
    the row's stemmed words instead.
    """

    language = models.CharField(
        _("language"), max_length=8, choices=ContentLanguage.choices, default="es"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        abstract = True
