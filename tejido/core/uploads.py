"""Checks on uploaded files (attachments, letters of commitment, receipts, library files): the
type is read from the file's first bytes, not trusted from its name or the browser, and the size
is capped. Shared by every app that takes a file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → (content type, a check on the first bytes)
_ZIP = b"PK\x03\x04"
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (_ZIP,),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
    # Audio (interviews): MP3 with or without an ID3 tag, Ogg (Vorbis or Opus), WAV.
    "mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "ogg": ("audio/ogg", (b"OggS",)),
    "wav": ("audio/wav", (b"RIFF",)),
    # Datasets in plain text have no signature: CSV and JSON are checked to be UTF-8 text.
    "csv": ("text/csv", ()),
    "json": ("application/json", ()),
}
TEXT_EXTENSIONS = ("csv", "json")
RECEIPT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
# What an application or a report may attach: documents and pictures, not audio or data.
OFFICE_DOCUMENTS = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "odt", "ods")


def max_upload_bytes() -> int:
    return int(getattr(settings, "TEJIDO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def check_document(upload: UploadedFile, *, allowed: tuple[str, ...] = OFFICE_DOCUMENTS) -> str:
    """Return the content type of `upload`, or raise a ValidationError saying what is wrong
    (too large, empty, a type not accepted, or contents that do not match the name)."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    accepted = ", ".join(sorted({e.upper() for e in allowed if e != "jpeg"}))
    if extension not in allowed or extension not in DOCUMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a type we accept. Accepted: %(types)s.")
            % {"name": name, "types": accepted},
            code="file_type",
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(max_upload_bytes()),
            },
            code="file_size",
        )
    content_type, signatures = DOCUMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension in TEXT_EXTENSIONS:
        if not _is_utf8_text(upload):
            raise ValidationError(
                _("“%(name)s” is not UTF-8 text. Save it again as UTF-8 and retry.")
                % {"name": name},
                code="file_contents",
            )
    elif not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("“%(name)s” does not look like a %(type)s file. Export it again and retry.")
            % {"name": name, "type": extension.upper()},
            code="file_contents",
        )
    return content_type


def _is_utf8_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return "\x00" not in text


def random_file_name(filename: str) -> str:
    """A random name with the upload's extension: the original name is kept in the row, and
    stored paths are never guessable."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{uuid.uuid4().hex}.{extension}"
