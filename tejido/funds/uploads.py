"""Checks on uploaded documents (attachments, letters of commitment, receipts): the type is
read from the file's first bytes, not trusted from its name or the browser, and the size is
capped. Shared by every area of the funds that takes a file."""

from __future__ import annotations

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
}
RECEIPT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def max_upload_bytes() -> int:
    return int(getattr(settings, "TEJIDO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def check_document(
    upload: UploadedFile, *, allowed: tuple[str, ...] = tuple(DOCUMENT_TYPES)
) -> str:
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
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("“%(name)s” does not look like a %(type)s file. Export it again and retry.")
            % {"name": name, "type": extension.upper()},
            code="file_contents",
        )
    return content_type
