"""Every write of the knowledge library: adding and editing items, publishing them (and taking
them back), their files and links.

Each service checks what it is given (authors among the program's organizations, files by their
first bytes and size) before writing anything, so a refusal leaves the library as it was, and
rebuilds the item's full-text entry when its text or authors change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.core.audit import audit_log
from tejido.core.models import Program, Territory, Theme
from tejido.core.uploads import check_document

from .. import search
from ..models import (
    ContentLanguage,
    ItemFile,
    ItemKind,
    ItemLink,
    LibraryItem,
    Licence,
    PublicationStatus,
    Visibility,
)

# What a library item may hold: documents, audio (interviews), datasets.
LIBRARY_FILE_TYPES = ("pdf", "mp3", "ogg", "wav", "csv", "json", "xlsx", "docx", "odt")
MAX_FILES_PER_ITEM = 20
MAX_LINKS_PER_ITEM = 20

TEXT_FIELDS = ("title", "abstract", "body")


def _check_fields(
    *,
    program: Program,
    kind: str,
    title: str,
    abstract: str,
    language: str,
    licence: str,
    visibility: str,
    authors: Iterable[Actor],
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in ItemKind.values:
        errors["kind"] = [_("Choose a kind of item in the list.")]
    if not title.strip():
        errors["title"] = [_("Give the item a title.")]
    if not abstract.strip():
        errors["abstract"] = [_("Write a short abstract: it is what readers see first.")]
    if language not in ContentLanguage.values:
        errors["language"] = [_("Choose a language in the list.")]
    if licence not in Licence.values:
        errors["licence"] = [_("Choose a licence in the list.")]
    if visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who can read it.")]
    foreign = [a for a in authors if a.program_id != program.pk or a.kind == "person"]
    if foreign:
        errors["authors"] = [_("Authors must be organizations or groups of this program.")]
    if errors:
        raise ValidationError(errors)


def check_uploads(uploads: Iterable[UploadedFile], *, field: str = "files") -> list[str]:
    """The content types of `uploads`, or a ValidationError on `field` naming every file that
    is refused (too large, empty, of a type not accepted, or contents not matching the name)."""
    types: list[str] = []
    problems: list[ValidationError] = []
    for upload in uploads:
        try:
            types.append(check_document(upload, allowed=LIBRARY_FILE_TYPES))
        except ValidationError as error:
            problems.append(error)
    if problems:
        raise ValidationError({field: problems})
    return types


def _store_files(item: LibraryItem, uploads: Sequence[UploadedFile], types: list[str]) -> None:
    """Save the (already checked) uploads of `item`. Called last in each service, once every
    check has passed and the rows are written, so that a refusal never leaves a file behind."""
    for upload, content_type in zip(uploads, types, strict=True):
        stored = ItemFile(
            item=item,
            name=(upload.name or "file")[-255:],
            content_type=content_type,
            size=upload.size or 0,
        )
        stored.file.save(upload.name or "file", upload, save=False)
        stored.save()


def _add_links(item: LibraryItem, links: Iterable[tuple[str, str]]) -> None:
    rows = [ItemLink(item=item, url=url, label=label[:200]) for url, label in links if url]
    for row in rows:
        row.full_clean(exclude=["item"])
    ItemLink.objects.bulk_create(rows)


@transaction.atomic
def item_create(
    *,
    user: Any,
    program: Program,
    kind: str,
    title: str,
    abstract: str,
    body: str = "",
    authors: Iterable[Actor] = (),
    themes: Iterable[Theme] = (),
    territories: Iterable[Territory] = (),
    language: str = ContentLanguage.SPANISH,
    licence: str = Licence.CC_BY,
    published_on: datetime.date | None = None,
    visibility: str = Visibility.PUBLIC,
    files: Sequence[UploadedFile] = (),
    links: Iterable[tuple[str, str]] = (),
) -> LibraryItem:
    """Add an item to the library as a draft, with its files and links. Nothing is saved if
    any part is refused."""
    authors = list(authors)
    _check_fields(
        program=program,
        kind=kind,
        title=title,
        abstract=abstract,
        language=language,
        licence=licence,
        visibility=visibility,
        authors=authors,
    )
    if len(files) > MAX_FILES_PER_ITEM:
        raise ValidationError(
            {"files": _("At most %(n)d files per item.") % {"n": MAX_FILES_PER_ITEM}}
        )
    types = check_uploads(files)
    item = LibraryItem.objects.create(
        program=program,
        kind=kind,
        title=title.strip(),
        abstract=abstract.strip(),
        body=body.strip(),
        language=language,
        licence=licence,
        published_on=published_on,
        visibility=visibility,
        status=PublicationStatus.DRAFT,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    item.authors.set(authors)
    item.themes.set(list(themes))
    item.territories.set(list(territories))
    _add_links(item, links)
    search.reindex([item])
    _store_files(item, files, types)
    return item


@transaction.atomic
def item_update(
    *,
    user: Any,
    item: LibraryItem,
    kind: str,
    title: str,
    abstract: str,
    body: str = "",
    authors: Iterable[Actor] = (),
    themes: Iterable[Theme] = (),
    territories: Iterable[Territory] = (),
    language: str = ContentLanguage.SPANISH,
    licence: str = Licence.CC_BY,
    published_on: datetime.date | None = None,
    visibility: str = Visibility.PUBLIC,
    files: Sequence[UploadedFile] = (),
    links: Iterable[tuple[str, str]] = (),
) -> LibraryItem:
    """Change an item's fields; add the `files` and `links` given (existing ones stay)."""
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    authors = list(authors)
    _check_fields(
        program=item.program,
        kind=kind,
        title=title,
        abstract=abstract,
        language=language,
        licence=licence,
        visibility=visibility,
        authors=authors,
    )
    if item.files.count() + len(files) > MAX_FILES_PER_ITEM:
        raise ValidationError(
            {"files": _("At most %(n)d files per item.") % {"n": MAX_FILES_PER_ITEM}}
        )
    types = check_uploads(files)
    item.kind = kind
    item.title = title.strip()
    item.abstract = abstract.strip()
    item.body = body.strip()
    item.language = language
    item.licence = licence
    item.published_on = published_on
    item.visibility = visibility
    item.save()
    item.authors.set(authors)
    item.themes.set(list(themes))
    item.territories.set(list(territories))
    _add_links(item, links)
    search.reindex([item])
    _store_files(item, files, types)
    return item


@transaction.atomic
def item_publish(*, user: Any, item: LibraryItem) -> LibraryItem:
    """Make a draft readable (by everyone or by members, per its visibility). An item without
    a publication date is dated today."""
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if item.status == PublicationStatus.PUBLISHED:
        return item
    item.status = PublicationStatus.PUBLISHED
    if item.published_on is None:
        item.published_on = timezone.localdate()
    item.save(update_fields=["status", "published_on", "updated_at"])
    audit_log(user=user, action="learning.item_publish", target=item, program=item.program)
    return item


@transaction.atomic
def item_unpublish(*, user: Any, item: LibraryItem) -> LibraryItem:
    """Take an item back to draft: only coordinators and whoever added it read it then."""
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if item.status == PublicationStatus.DRAFT:
        return item
    item.status = PublicationStatus.DRAFT
    item.save(update_fields=["status", "updated_at"])
    audit_log(user=user, action="learning.item_unpublish", target=item, program=item.program)
    return item


@transaction.atomic
def item_file_add(*, user: Any, item: LibraryItem, upload: UploadedFile) -> ItemFile:
    if item.files.count() >= MAX_FILES_PER_ITEM:
        raise ValidationError(
            {"files": _("At most %(n)d files per item.") % {"n": MAX_FILES_PER_ITEM}}
        )
    types = check_uploads([upload])
    _store_files(item, [upload], types)
    return item.files.order_by("-id").first()  # type: ignore[return-value]


@transaction.atomic
def item_file_remove(*, user: Any, item: LibraryItem, item_file: ItemFile) -> None:
    if item_file.item_id != item.pk:
        raise ValidationError(_("This file belongs to another item."))
    name, storage = item_file.file.name or "", item_file.file.storage
    audit_log(
        user=user,
        action="learning.item_file_remove",
        target=item,
        program=item.program,
        data={"file": item_file.name, "size": item_file.size},
    )
    item_file.delete()
    # The stored file goes only once the row is gone for good.
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def item_link_add(*, user: Any, item: LibraryItem, url: str, label: str = "") -> ItemLink:
    if item.links.count() >= MAX_LINKS_PER_ITEM:
        raise ValidationError(
            {"url": _("At most %(n)d links per item.") % {"n": MAX_LINKS_PER_ITEM}}
        )
    link = ItemLink(item=item, url=url.strip(), label=label.strip()[:200])
    link.full_clean(exclude=["item"])
    link.save()
    return link


@transaction.atomic
def item_link_remove(*, user: Any, item: LibraryItem, link: ItemLink) -> None:
    if link.item_id != item.pk:
        raise ValidationError(_("This link belongs to another item."))
    audit_log(
        user=user,
        action="learning.item_link_remove",
        target=item,
        program=item.program,
        data={"url": link.url, "label": link.label},
    )
    link.delete()
