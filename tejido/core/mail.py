"""The language an e-mail is written in: its recipient's, whatever the sender's page showed."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# When the recipient has not chosen one: Spanish, the programs' language.
DEFAULT_EMAIL_LANGUAGE = "es"


def recipient_language(user: Any) -> str:
    """The user's preferred language when it is one the site speaks, else the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") if user is not None else ""
    return preferred if preferred in codes else DEFAULT_EMAIL_LANGUAGE
