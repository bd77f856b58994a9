"""Uploaded files kept between the preview of an import and its confirmation.

The files go to the default storage under "imports/<random token>/" (MEDIA_ROOT on a single
server, shared storage behind a load balancer); what they are, whose and for which program is
kept in the user's session, never in the page. Confirming needs the token, the same user and
the same program; the files are deleted once the import runs or is cancelled, and anything
left behind by an abandoned preview is swept after a day.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from tejido.core.models import Program

SESSION_KEY = "tejido_pending_imports"
ROOT = "imports"
MAX_AGE = datetime.timedelta(days=1)
MAX_PER_SESSION = 3

logger = logging.getLogger(__name__)


def pending_save(
    request: HttpRequest, *, program: Program, uploads: dict[str, Any], update_existing: bool
) -> str:
    """Store the uploads (slot → UploadedFile) and return the token that confirms them."""
    _sweep()
    token = secrets.token_urlsafe(24)
    files = {}
    for slot, upload in uploads.items():
        upload.seek(0)
        path = default_storage.save(f"{ROOT}/{token}/{slot}", upload)
        files[slot] = {"path": path, "name": upload.name}
    entries = _entries(request)
    entries[token] = {
        "user": request.user.pk,
        "program": program.pk,
        "files": files,
        "update_existing": update_existing,
        "at": timezone.now().isoformat(),
    }
    # A user who previews again and again keeps only the latest few.
    for old in sorted(entries, key=lambda t: entries[t]["at"])[:-MAX_PER_SESSION]:
        _delete_files(entries.pop(old))
    request.session[SESSION_KEY] = entries
    return token


def pending_get(request: HttpRequest, *, program: Program, token: str) -> dict[str, Any] | None:
    entry = _entries(request).get(token)
    if (
        entry is None
        or entry["user"] != request.user.pk
        or entry["program"] != program.pk
        or timezone.now() - datetime.datetime.fromisoformat(entry["at"]) > MAX_AGE
    ):
        return None
    return entry


def pending_read(entry: dict[str, Any], slot: str) -> tuple[bytes, str] | None:
    """The stored bytes and original name of a slot, or None if it was not uploaded."""
    info = entry["files"].get(slot)
    if info is None:
        return None
    with default_storage.open(info["path"], "rb") as stored:
        return stored.read(), info["name"]


def pending_discard(request: HttpRequest, token: str) -> None:
    entries = _entries(request)
    entry = entries.pop(token, None)
    if entry is not None:
        _delete_files(entry)
        request.session[SESSION_KEY] = entries


def _entries(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY, {}))


def _delete_files(entry: dict[str, Any]) -> None:
    for info in entry["files"].values():
        try:
            default_storage.delete(info["path"])
        except OSError:  # already gone: nothing to do
            logger.info("pending import file %s was already deleted", info["path"])


def _sweep() -> None:
    """Delete the files of previews older than a day (their sessions may be long gone)."""
    try:
        tokens, _files = default_storage.listdir(ROOT)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - MAX_AGE
    for token in tokens:
        try:
            _subdirs, names = default_storage.listdir(f"{ROOT}/{token}")
            for name in names:
                path = f"{ROOT}/{token}/{name}"
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
