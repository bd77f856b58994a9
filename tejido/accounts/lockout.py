"""How django-axes names the account behind a login attempt.

Axes reads the name under AXES_USERNAME_FORM_FIELD, which defaults to USERNAME_FIELD ("email"),
but Django's login form and `authenticate()` pass it as "username": failures would be counted
for nobody and the lockout per e-mail and address would never trigger. This callable accepts
both, and lower-cases the address as accounts store it, so changing the case of the e-mail
does not buy an attacker five more tries.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def login_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    for source in (credentials or {}, getattr(request, "POST", None) or {}):
        for key in ("username", "email"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None
