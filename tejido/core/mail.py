"""The language an e-mail is written in: its recipient's, whatever the sender's page showed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.utils import translation

# When the recipient has not chosen one: Spanish, the programs' language.
DEFAULT_EMAIL_LANGUAGE = "es"


def recipient_language(user: Any) -> str:
    """The user's preferred language when it is one the site speaks, else the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = getattr(user, "preferred_language", "") if user is not None else ""
    return preferred if preferred in codes else DEFAULT_EMAIL_LANGUAGE


def message_for(
    user: Any, subject_template: str, body_template: str, context: Mapping[str, Any]
) -> EmailMessage:
    """One e-mail to `user`, rendered in the user's language (the subject on one line)."""
    with translation.override(recipient_language(user)):
        subject = render_to_string(subject_template, dict(context))
        body = render_to_string(body_template, dict(context))
    return EmailMessage(" ".join(subject.split()), body, to=[user.email])


def mail_each(
    users: Iterable[Any], subject_template: str, body_template: str, context: Mapping[str, Any]
) -> int:
    """The same e-mail to each active user with an address, each in their own language and
    with the user as `recipient` in the context (to greet by name). Sent over one connection;
    returns how many were sent."""
    messages = [
        message_for(user, subject_template, body_template, {**context, "recipient": user})
        for user in users
        if user.is_active and user.email
    ]
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0
