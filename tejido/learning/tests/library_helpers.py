"""Helpers for the library's tests: items with authors, themes and territories; small files."""

from __future__ import annotations

from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile

from tejido.core.models import Theme
from tejido.learning import search
from tejido.learning.models import LibraryItem

from .factories import LibraryItemFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64
CSV_BYTES = "organización,comuna\nJunta de vecinos,Renca\n".encode()


def pdf(name: str = "informe.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def mp3(name: str = "entrevista.mp3") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MP3_BYTES, content_type="audio/mpeg")


def csv(name: str = "catastro.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CSV_BYTES, content_type="text/csv")


def transition(code: str) -> Theme:
    return Theme.objects.get(transition=code)


def item(
    program: Any,
    *,
    authors: tuple[Any, ...] = (),
    themes: tuple[Any, ...] = (),
    territories: tuple[Any, ...] = (),
    reindex: bool = True,
    **fields: Any,
) -> LibraryItem:
    created = cast(LibraryItem, LibraryItemFactory(program=program, **fields))
    created.authors.set(authors)
    created.themes.set(themes)
    created.territories.set(territories)
    if reindex:
        search.reindex([created])
    return created
