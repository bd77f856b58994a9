"""The machinery of the permission-matrix tests (funds, learning, cooperation): a client per
kind of user, the outcome of a request as the matrix writes it, every URL name of a module,
and a fingerprint of what a module may write, compared before and after a refused POST."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tejido.core.models import AuditEntry


def client_for(user: Any) -> Client:
    """A client speaking English, logged in as `user` (None: anonymous)."""
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def outcome(response: Any) -> str:
    """The status code as text, or "login" for a redirect to the login page."""
    if response.status_code == 302:
        login = reverse(settings.LOGIN_URL) if ":" in settings.LOGIN_URL else settings.LOGIN_URL
        return "login" if response["Location"].startswith(login) else "302"
    return str(response.status_code)


def url_names(namespace: str) -> set[str]:
    """Every URL name of `namespace`, read from the resolver."""

    def walk(patterns: list[Any], current: str) -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                names |= walk(pattern.url_patterns, pattern.namespace or current)
            elif isinstance(pattern, URLPattern) and pattern.name and current == namespace:
                names.add(pattern.name)
        return names

    return walk(get_resolver().url_patterns, "")


def fingerprint(app_label: str, *, ties: bool = True, actors: bool = False) -> str:
    """Every row of the app's models, the audit entries, the mail sent, and (by default) the
    ties — what a refused request must leave as it was."""
    from tejido.network.models import Tie

    rows: dict[str, Any] = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config(app_label).get_models()
    }
    rows["audit"] = AuditEntry.objects.count()
    rows["ties"] = list(Tie.objects.order_by("pk").values()) if ties else Tie.objects.count()
    if actors:
        from tejido.actors.models import Actor

        rows["actors"] = list(Actor.objects.order_by("pk").values("pk"))
    rows["mail"] = len(mail.outbox)
    return json.dumps(rows, default=str, sort_keys=True)
